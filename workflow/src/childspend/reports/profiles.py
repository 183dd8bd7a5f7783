"""LA profiles: every stable unit against its statistical neighbours, its region and England.

:func:`build_profiles` is the stage: from the long panel, the real-terms money table, the areas
table and the unit-level neighbour groups it computes, for every unit at once, the tables the
profile notebook (``notebooks/la_profile.ipynb``) draws and writes beside each profile:

- ``indicators``: per unit x indicator x year the value, its national rank among the units with
  a value (1 = highest) and quartile band (A = the highest quarter), the neighbour mean (LAIT's
  rule: the simple mean of the neighbours that have a value) and median, the region and England
  values, and the change from the year before and from ``from_year``;
- ``composition``: S251 spending by category (cash and real, share of the total, early or late
  intervention as configured);
- ``placements``: children looked after at 31 March by placement on the harmonised definition,
  with the first year of DfE's 2020 categories;
- ``flags``: what stands out (top or bottom decile of all units, beyond two standard deviations
  of the neighbour group, among the largest moves from the year before) and what is missing,
  suppressed or touched by a boundary change, named from the panel's flags and the areas table;
- ``index``: one row per unit of the key figures, for the index page.
- ``model_decomposition``, ``model_needs``, ``model_projection``: what the models say about each
  unit (:mod:`childspend.reports.profile_models`).

Region and England values are the panel's (sums of units, flagged ``incomplete`` where some lack
a value). No indicator has a direction that counts as better: a band says only where a unit sits.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .. import measures as registry
from ..tables import sort_table
from ..years import fy_label, fy_start
from .profile_models import model_tables

# id, label, unit (with {base} for the price base), panel measure, value used, kind, compared
INDICATOR_ROWS = [
    ("s251_total_cash", "S251 children's services spending, cash", "£ (cash)", "s251_gross_total", "cash", "money", 0),
    ("s251_total_real", "S251 children's services spending, real terms", "£, {base}", "s251_gross_total", "real", "money", 0),
    ("s251_per_child_cash", "S251 spending per child aged 0-17, cash", "£ per child (cash)", "s251_gross_total_per_child", "cash", "money", 0),
    ("s251_per_child_real", "S251 spending per child aged 0-17", "£ per child, {base}", "s251_gross_total_per_child", "real", "money", 1),
    ("late_share", "Late intervention share of S251 spending", "% of S251 spending", "late_intervention_share", "cash", "share", 1),
    ("cla_share", "Children looked after share of S251 spending", "% of S251 spending", "cla_share", "cash", "share", 1),
    ("csc_total_real", "MHCLG children's social care net spending, real terms", "£, {base}", "csc_net_total", "real", "money", 0),
    ("csc_per_child_real", "MHCLG children's social care net spending per child aged 0-17", "£ per child, {base}", "csc_net_total_per_child", "real", "money", 1),
    ("cla_cost_real", "S251 children looked after spending per child looked after", "£ per looked-after child, {base}", "s251_gross_children_looked_after_per_cla", "real", "money", 1),
    ("cla_rate", "Children looked after at 31 March, per 10,000 children", "per 10,000 children aged 0-17", "cla_rate_per_10000", "value", "rate", 1),
    ("cla_started_rate", "Children starting to be looked after, per 10,000 children", "per 10,000 children aged 0-17", "cla_started_rate_per_10000", "value", "rate", 1),
    ("cin_rate", "Children in need at 31 March, per 10,000 children", "per 10,000 children aged 0-17", "cin_rate_per_10000", "value", "rate", 1),
    ("cpp_rate", "Child protection plans at 31 March, per 10,000 children", "per 10,000 children aged 0-17", "cpp_rate_per_10000", "value", "rate", 1),
    ("s47_rate", "Section 47 enquiries, per 10,000 children", "per 10,000 children aged 0-17", "section47_enquiries_rate_per_10000", "value", "rate", 1),
]  # fmt: skip
INDICATOR_COLUMNS = ["indicator", "label", "unit", "measure", "basis", "kind", "compared", "direction"]
DIRECTION = {
    "money": "Band A is the quarter of units that spend most; higher spending is not in itself better or worse.",
    "share": "Band A is the quarter of units with the highest share; a higher share is not in itself better or worse.",
    "rate": "Band A is the quarter of units with the highest rate; a higher rate is not in itself better or "
    "worse: it reflects both need and local practice.",
}
HARMONISED_PLACEMENTS = {
    "placement_foster": "foster placements",
    "placement_residential_independent": "children's homes, secure units, semi-independent and independent living",
    "placement_with_parents": "placed with parents",
    "placement_adoption": "placed for adoption",
    "placement_other": "other placements",
}
UNSHOWN_PLACEMENT = "not shown: suppressed or not reported"
SHOWN = "la"  # the level every comparison is of: stable units
# What the panel's flags mean, in a profile's words (markers.MARKERS are the publishers' symbols).
FLAG_TEXT = {
    "c": "suppressed by the publisher (c, confidential)",
    "x": "not available (x)",
    "z": "not applicable (z)",
    "u": "low reliability (u)",
    "k": "rounds to zero (k)",
    "..": "not available (..)",
    ".": "not available (.)",
    "-": "not reported (-)",
    ":": "not available (:)",
    "not_reported": "no row for the unit in the source",
    "member_missing": "a member LA did not report, so no complete sum",
    "zero_denominator": "no children to divide by",
    "no_population": "no population estimate",
    "category_missing": "an S251 category is missing",
    "earlier_release": "taken from an earlier release (the latest suppresses it)",
    "early_census": "early children in need census (experimental, incomplete returns)",
    "age_17_estimated": "population with age 17 estimated from age 16 a year before",
    "provisional": "provisional",
    "incomplete": "total lacks some units",
    "published_total": "DfE's published total, including its estimate for an LA that did not report",
}
NOT_COVERED = "no_data"  # the source does not cover the year: the same for every unit, not a flag
FLAG_COLUMNS = ["area_code", "kind", "indicator", "label", "year", "detail"]
FLAG_KINDS = {
    "top_decile": "In the top tenth of all units",
    "bottom_decile": "In the bottom tenth of all units",
    "beyond_2sd": "More than two standard deviations from the neighbour mean",
    "large_move": "Among the largest tenth of moves from the year before",
    "missing": "Missing or suppressed",
    "note": "Present, with a note",
    "boundary": "Boundary change",
}


def indicators(price_base: str) -> pd.DataFrame:
    """The indicator table: label, unit (with the price base), panel measure, which value (cash,
    real or the panel's value), kind, whether units are compared on it, and the band direction."""
    table = pd.DataFrame(INDICATOR_ROWS, columns=INDICATOR_COLUMNS[:-1])
    table["unit"] = table["unit"].str.replace("{base}", price_base, regex=False)
    table["compared"] = table["compared"].astype(bool)
    table["direction"] = table["kind"].map(DIRECTION)
    return table


# --- values of every area --------------------------------------------------------------------

AREA = ["area_level", "area_code", "year"]


def _joined_flags(flags: pd.Series) -> str:
    return ";".join(sorted({part for flag in flags for part in str(flag).split(";") if part}))


_joined_sources = _joined_flags  # source ids joined the same way


def _ratio(numerator: pd.DataFrame, denominator: pd.DataFrame, name: str) -> pd.DataFrame:
    """numerator / denominator (frames with AREA, value, flag, source); a missing ratio keeps its
    parts' flags, a present one only ``incomplete``; the sources of both parts."""
    both = numerator.merge(denominator, on=AREA, suffixes=("_n", "_d"), how="outer")
    value = both["value_n"] / both["value_d"].where(both["value_d"] != 0)
    flags = both[["flag_n", "flag_d"]].fillna("").agg(_joined_flags, axis=1)
    kept = flags.map(lambda f: "incomplete" if "incomplete" in f.split(";") else "")
    flag = flags.where(value.isna(), kept).where(~(value.isna() & (flags == "")), "category_missing")
    source = both[["source_n", "source_d"]].fillna("").agg(_joined_sources, axis=1)
    return both[AREA].assign(measure=name, value=value, flag=flag, source=source)


def _intervention(money: pd.DataFrame, categories: list[str], basis: str, name: str) -> pd.DataFrame:
    """The sum of S251 ``categories`` per area and year (missing if any is missing)."""
    parts = money[money["measure"].isin([f"s251_gross_{c}" for c in categories])]
    grouped = parts.groupby(AREA)
    value = grouped[basis].agg(lambda v: v.sum() if v.notna().all() and len(v) == len(categories) else math.nan)
    flag = grouped["flag"].agg(_joined_flags)
    source = grouped["source"].agg(_joined_sources)
    out = pd.DataFrame({"value": value, "flag": flag, "source": source}).reset_index()
    out.loc[out["value"].isna() & (out["flag"] == ""), "flag"] = "category_missing"
    out.loc[out["value"].notna(), "flag"] = out["flag"].map(lambda f: "incomplete" if "incomplete" in f else "")
    return out.assign(measure=name)


def _with_denominator_sources(values: pd.DataFrame, panel: pd.DataFrame) -> pd.DataFrame:
    """A derived measure's sources are its numerator's (the panel's ``source``) and its
    denominator's (population for rates and spending per child)."""
    denominators = {measure: parts[1] for measure, parts in registry.derived().items()}
    sources = panel[[*AREA, "measure", "source"]]
    wanted = values[["measure"]].drop_duplicates()
    wanted = wanted[wanted["measure"].isin(denominators)].assign(denominator=lambda d: d["measure"].map(denominators))
    extra = wanted.merge(sources.rename(columns={"measure": "denominator", "source": "extra"}), on="denominator")
    out = values.merge(extra[[*AREA, "measure", "extra"]], on=[*AREA, "measure"], how="left")
    own, more = out["source"].fillna(""), out["extra"].fillna("")
    joined = np.where(own == "", more, own + ";" + more)
    out["source"] = np.where((more == "") | (more == own), own, joined)
    return out.drop(columns="extra")


def measure_values(panel: pd.DataFrame, money: pd.DataFrame, intervention: dict[str, list[str]]) -> pd.DataFrame:
    """Long, every area x year x (measure, basis): AREA, measure, basis (cash, real or value),
    value, flag and source (the pinned files behind the value, ";"-joined); with the derived
    late-intervention and children-looked-after shares."""
    money = money.rename(columns={"value": "cash", "value_real": "real"})
    keep = [*AREA, "measure", "flag", "source"]
    frames = []
    for basis in ("cash", "real"):
        frames.append(money[[*keep, basis]].rename(columns={basis: "value"}).assign(basis=basis))
    frames.append(panel[[*keep, "value"]].assign(basis="value"))
    direct = _with_denominator_sources(pd.concat(frames, ignore_index=True), panel)
    cash = money[[*keep, "cash"]].rename(columns={"cash": "value"})
    total = cash[cash["measure"] == "s251_gross_total"]
    late = _intervention(money, intervention["late"], "cash", "late_intervention")
    derived = [_ratio(late, total, "late_intervention_share").assign(basis="cash")]
    cla = cash[cash["measure"] == "s251_gross_children_looked_after"]
    derived.append(_ratio(cla, total, "cla_share").assign(basis="cash"))
    for group in ("early", "late"):
        for basis in ("cash", "real"):
            derived.append(
                _intervention(money, intervention[group], basis, f"{group}_intervention").assign(basis=basis)
            )
    out = pd.concat([direct, *derived], ignore_index=True)
    out[["flag", "source"]] = out[["flag", "source"]].fillna("")
    return out


def indicator_values(values: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """AREA, indicator, value, flag for the indicators of ``table``."""
    keys = table[["indicator", "measure", "basis"]]
    out = values.merge(keys, on=["measure", "basis"])
    return out[[*AREA, "indicator", "value", "flag", "source"]]


# --- comparisons -----------------------------------------------------------------------------

BANDS = "ABCD"


def rank_and_band(values: pd.DataFrame) -> pd.DataFrame:
    """``values`` (area_code, indicator, year, value) plus, per indicator and year, among the
    units with a value: ``rank`` (1 = highest; ties share the best rank), ``rank_low`` (1 =
    lowest), ``ranked`` (how many have a value) and ``band``: A for the highest quarter of
    ranks, then B, C, D (the first ceil(n/4) ranks are A, and so on)."""
    out = values.copy()
    by = out.groupby(["indicator", "year"])["value"]
    out["rank"] = by.rank(ascending=False, method="min")
    out["rank_low"] = by.rank(ascending=True, method="min")
    out["ranked"] = by.transform("count")
    position = np.floor(4 * (out["rank"] - 1) / out["ranked"])
    out["band"] = position.map(lambda p: BANDS[int(p)] if pd.notna(p) else "")
    for column in ("rank", "rank_low"):
        out[column] = out[column].astype("Int64")
    out["ranked"] = out["ranked"].astype(int)
    return out


def neighbour_stats(values: pd.DataFrame, groups: pd.DataFrame) -> pd.DataFrame:
    """Per unit x indicator x year, over the unit's neighbour group (``groups``: unit_id,
    neighbour_id): ``neighbour_mean`` (LAIT: the simple mean of the neighbours that have a value),
    ``neighbour_median``, ``neighbour_sd`` (sample standard deviation), ``neighbours_with_data``
    and ``neighbour_group`` (the group's size). A unit with no group gets no rows."""
    pairs = groups[["unit_id", "neighbour_id"]].rename(columns={"unit_id": "area_code"})
    size = pairs.groupby("area_code").size().rename("neighbour_group")
    theirs = values[["area_code", "indicator", "year", "value"]].rename(columns={"area_code": "neighbour_id"})
    joined = pairs.merge(theirs, on="neighbour_id")
    stats = joined.groupby(["area_code", "indicator", "year"])["value"].agg(
        neighbour_mean="mean", neighbour_median="median", neighbour_sd="std", neighbours_with_data="count"
    )
    stats = stats.reset_index().merge(size.reset_index(), on="area_code")
    stats["neighbours_with_data"] = stats["neighbours_with_data"].astype(int)
    return stats


def _previous(year: str) -> str:
    return fy_label(fy_start(year) - 1)


def _following(year: str) -> str:
    return fy_label(fy_start(year) + 1)


def changes(values: pd.DataFrame, kinds: pd.Series, from_year: str) -> pd.DataFrame:
    """``values`` (area_code, indicator, year, value) plus ``change_1y`` (from the year before)
    and ``change_from`` (from ``from_year``): relative changes, except for shares (``kinds`` maps
    indicator -> kind), whose changes are differences (percentage points as fractions)."""
    keys = ["area_code", "indicator"]
    prior = values[[*keys, "year", "value"]].rename(columns={"value": "prior"})
    prior["year"] = prior["year"].map(_following)
    start = values.loc[values["year"] == from_year, [*keys, "value"]].rename(columns={"value": "start"})
    out = values.merge(prior, on=[*keys, "year"], how="left").merge(start, on=keys, how="left")
    share = out["indicator"].map(kinds).eq("share")
    for column, base in (("change_1y", "prior"), ("change_from", "start")):
        relative = out["value"] / out[base].where(out[base] != 0) - 1
        out[column] = (out["value"] - out[base]).where(share, relative)
    return out.drop(columns=["prior", "start"])


def _area_values(values: pd.DataFrame, level: str, name: str) -> pd.DataFrame:
    rows = values[values["area_level"] == level]
    return rows[["area_code", "indicator", "year", "value", "flag"]].rename(
        columns={"value": f"{name}_value", "flag": f"{name}_flag"}
    )


INDICATOR_TABLE_COLUMNS = [
    "area_code",
    "indicator",
    "year",
    "value",
    "flag",
    "rank",
    "rank_low",
    "ranked",
    "band",
    "neighbour_mean",
    "neighbour_median",
    "neighbour_sd",
    "neighbours_with_data",
    "neighbour_group",
    "region_code",
    "region_value",
    "region_flag",
    "england_value",
    "england_flag",
    "change_1y",
    "change_from",
    "source",
]


def compare(values: pd.DataFrame, table: pd.DataFrame, groups: pd.DataFrame, areas: pd.DataFrame, from_year: str):
    """The ``indicators`` table of the profiles: every unit x indicator x year with its rank,
    band, neighbour statistics, region and England values and changes."""
    units = values[values["area_level"] == SHOWN].drop(columns="area_level")
    compared = set(table.loc[table["compared"], "indicator"])
    ranked = rank_and_band(units[units["indicator"].isin(compared)])
    out = units.merge(
        ranked[["area_code", "indicator", "year", "rank", "rank_low", "ranked", "band"]],
        on=["area_code", "indicator", "year"],
        how="left",
    )
    stats = neighbour_stats(units[units["indicator"].isin(compared)], groups)
    out = out.merge(stats, on=["area_code", "indicator", "year"], how="left")
    out = changes(out, table.set_index("indicator")["kind"], from_year)
    region_of = areas.loc[areas["area_level"] == "la"].set_index("area_code")["region_code"]
    out["region_code"] = out["area_code"].map(region_of)
    region = _area_values(values, "region", "region").rename(columns={"area_code": "region_code"})
    out = out.merge(region, on=["region_code", "indicator", "year"], how="left")
    england = _area_values(values, "england", "england").drop(columns="area_code")
    out = out.merge(england, on=["indicator", "year"], how="left")
    out["ranked"] = out["ranked"].fillna(0).astype(int)
    out["neighbour_group"] = out["neighbour_group"].fillna(0).astype(int)
    out["neighbours_with_data"] = out["neighbours_with_data"].fillna(0).astype(int)
    for column in ("band", "region_flag", "england_flag", "flag", "source"):
        out[column] = out[column].fillna("")
    return sort_table(out[INDICATOR_TABLE_COLUMNS], ["area_code", "indicator", "year"])


# --- composition and placements --------------------------------------------------------------


def composition(values: pd.DataFrame, categories: list[str], intervention: dict[str, list[str]]) -> pd.DataFrame:
    """Per unit x year x S251 category: cash, real, share of the S251 total (cash) and whether
    the category counts as early or late intervention (as configured) or neither."""
    names = [f"s251_gross_{c}" for c in categories]
    units = values[(values["area_level"] == SHOWN) & values["measure"].isin([*names, "s251_gross_total"])]
    keys = ["area_code", "year", "measure"]
    cash = units.loc[units["basis"] == "cash", [*keys, "value", "flag", "source"]].rename(columns={"value": "cash"})
    real = units.loc[units["basis"] == "real", [*keys, "value"]].rename(columns={"value": "real"})
    wide = cash.merge(real, on=keys, how="left")
    total = wide.loc[wide["measure"] == "s251_gross_total", ["area_code", "year", "cash"]]
    out = wide[wide["measure"].isin(names)].merge(total.rename(columns={"cash": "total"}), on=["area_code", "year"])
    out["category"] = out["measure"].str.removeprefix("s251_gross_")
    out["share"] = out["cash"] / out["total"].where(out["total"] != 0)
    group = {c: "early" for c in intervention["early"]} | {c: "late" for c in intervention["late"]}
    out["group"] = out["category"].map(group).fillna("neither")
    out["order"] = out["category"].map({c: n for n, c in enumerate(categories)})
    out = out.sort_values(["area_code", "year", "order"])
    columns = ["area_code", "year", "category", "group", "cash", "real", "share", "flag", "source"]
    return out[columns].reset_index(drop=True)


def placements(values: pd.DataFrame) -> tuple[pd.DataFrame, str | None]:
    """Per unit x year: children looked after at 31 March by harmonised placement type, and the
    share of all children looked after, with a row for those not shown (suppressed or not
    reported); and the first year of DfE's 2020 placement categories (from the data)."""
    units = values[(values["area_level"] == SHOWN) & (values["basis"] == "value")]
    newer = units[units["measure"].str.endswith("_2020on") & units["value"].notna()]
    break_year = newer["year"].min() if not newer.empty else None
    cla = units[units["measure"] == "cla_at_31_march"].set_index(["area_code", "year"])["value"]
    rows = units[units["measure"].isin(HARMONISED_PLACEMENTS)].rename(columns={"value": "children"})
    known = rows.groupby(["area_code", "year"])["children"].sum(min_count=1)
    total = cla.reindex(known.index)
    rest = (total - known.fillna(0)).clip(lower=0).rename("children").reset_index()
    rest = rest.assign(measure="unshown", flag="")
    rest.loc[rest["children"].isna(), "flag"] = "no_data"
    out = pd.concat([rows[["area_code", "year", "measure", "children", "flag", "source"]], rest], ignore_index=True)
    out["source"] = out["source"].fillna("")
    out = out[out["year"].isin(cla.dropna().index.get_level_values("year").unique())]
    looked_after = pd.MultiIndex.from_frame(out[["area_code", "year"]]).map(cla.to_dict().get)
    out["cla_at_31_march"] = pd.to_numeric(pd.Series(looked_after, index=out.index), errors="coerce")
    out["share"] = out["children"] / out["cla_at_31_march"].where(out["cla_at_31_march"] > 0)
    labels = {**HARMONISED_PLACEMENTS, "unshown": UNSHOWN_PLACEMENT}
    out["placement"] = out["measure"].map(labels)
    out["definition"] = "2010-2019 categories"
    if break_year is not None:
        out.loc[out["year"] >= break_year, "definition"] = "2020-on categories, harmonised"
    out["order"] = out["measure"].map({m: n for n, m in enumerate(labels)})
    out = out.sort_values(["area_code", "year", "order"])
    columns = ["area_code", "year", "measure", "placement", "children", "share", "cla_at_31_march", "flag"]
    return out[[*columns, "definition", "source"]].reset_index(drop=True), break_year


# --- flags -----------------------------------------------------------------------------------


def year_spans(years) -> str:
    """Sorted financial years as runs: "2009-10 to 2011-12, 2014-15"."""
    starts = sorted({fy_start(y) for y in years})
    runs: list[list[int]] = []
    for start in starts:
        if runs and start == runs[-1][-1] + 1:
            runs[-1].append(start)
        else:
            runs.append([start])
    return ", ".join(fy_label(r[0]) if len(r) == 1 else f"{fy_label(r[0])} to {fy_label(r[-1])}" for r in runs)


def _fmt(value: float, kind: str) -> str:
    if pd.isna(value):
        return "no value"
    if kind == "share":
        return f"{value:.0%}"
    if kind == "money":
        return f"£{value:,.0f}"
    return f"{value:,.1f}"


def standout_flags(table: pd.DataFrame, indicator_table: pd.DataFrame, year: str) -> pd.DataFrame:
    """Flags of the compared indicators in ``year``: top or bottom tenth of the units with a
    value, beyond two standard deviations of the neighbour mean (with at least three
    neighbours reporting), and moves from the year before among the largest tenth (by size)."""
    meta = indicator_table.set_index("indicator")
    rows = table[(table["year"] == year) & table["indicator"].isin(meta.index[meta["compared"]])].copy()
    rows = rows[rows["value"].notna()]
    kind = rows["indicator"].map(meta["kind"])
    out = []
    tenth = rows["ranked"] / 10
    for name, hit, position in (
        ("top_decile", rows["rank"] <= tenth, rows["rank"]),
        ("bottom_decile", rows["rank_low"] <= tenth, rows["rank"]),
    ):
        chosen = rows[hit.fillna(False).astype(bool)]
        out.append(
            chosen.assign(
                kind=name,
                detail=[
                    f"{_fmt(v, k)}: rank {int(r)} of {n} (1 = highest)"
                    for v, k, r, n in zip(chosen["value"], kind[chosen.index], position[chosen.index], chosen["ranked"])
                ],
            )
        )
    spread = rows["neighbours_with_data"] >= 3
    beyond = rows[spread & ((rows["value"] - rows["neighbour_mean"]).abs() > 2 * rows["neighbour_sd"])]
    out.append(
        beyond.assign(
            kind="beyond_2sd",
            detail=[
                f"{_fmt(v, k)} against a neighbour mean of {_fmt(m, k)} (standard deviation {_fmt(s, k)}, "
                f"{n} neighbours with data)"
                for v, m, s, n, k in zip(
                    beyond["value"],
                    beyond["neighbour_mean"],
                    beyond["neighbour_sd"],
                    beyond["neighbours_with_data"],
                    kind[beyond.index],
                )
            ],
        )
    )
    moves = rows[rows["change_1y"].notna()].copy()
    size = moves["change_1y"].abs()
    # a tie counts as one of the largest moves only if the whole tie fits in the tenth
    moves["move_rank"] = size.groupby(moves["indicator"]).rank(ascending=False, method="max")
    moves["moving"] = size.groupby(moves["indicator"]).transform("count")
    large = moves[moves["move_rank"] <= moves["moving"] / 10]
    out.append(
        large.assign(
            kind="large_move",
            detail=[
                f"{(f'{c * 100:+.1f} points' if k == 'share' else f'{c:+.1%}')} from {_previous(year)} to {_fmt(v, k)}: "
                f"the {int(r)}{_ordinal(int(r))} largest move of {n} units"
                for c, v, r, n, k in zip(
                    large["change_1y"], large["value"], large["move_rank"], large["moving"], kind[large.index]
                )
            ],
        )
    )
    flags = pd.concat(out, ignore_index=True)
    flags["label"] = flags["indicator"].map(meta["label"])
    return flags.assign(year=year)[FLAG_COLUMNS]


def _ordinal(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def data_flags(values: pd.DataFrame, measures: dict[str, str]) -> pd.DataFrame:
    """Per unit, the years a profile measure (``measures``: panel measure -> label) is missing
    or carries a note, one row per measure and flag naming the years ("2009-10 to 2011-12").
    Years the source does not cover at all (``no_data``) and the registry's notes on whole years
    of a measure (``measures.quality_notes``: the early children in need census, ...) are the
    same for every unit and are left to the data dictionary."""
    rows = values[
        (values["area_level"] == SHOWN)
        & values["measure"].isin(measures)
        & values["basis"].isin(["value"])
        & (values["flag"] != "")
        & (values["flag"] != NOT_COVERED)
    ]
    everywhere = {
        (measure, year, flag) for names, years, flag in registry.quality_notes() for measure in names for year in years
    }
    keys = zip(rows["measure"], rows["year"], rows["flag"])
    rows = rows[[key not in everywhere for key in keys]]
    out = []
    for (area, measure, flag, present), group in rows.groupby(
        ["area_code", "measure", "flag", rows["value"].notna()], sort=True
    ):
        meaning = "; ".join(FLAG_TEXT.get(part, part) for part in flag.split(";"))
        out.append(
            dict(
                area_code=area,
                kind="note" if present else "missing",
                indicator=measure,
                label=measures[measure],
                year=year_spans(group["year"]),
                detail=meaning,
            )
        )
    return pd.DataFrame(out, columns=FLAG_COLUMNS)


def boundary_flags(areas: pd.DataFrame) -> pd.DataFrame:
    """A row per merged unit naming its boundary change: which member LAs operated when (from the
    areas table's ``member_years``) and the first year of the new set."""
    out = []
    for row in areas[areas["area_level"] == "la"].itertuples():
        spans = [part.strip() for part in row.member_years.split(";") if part.strip()]
        if len(spans) < 2:
            continue
        firsts = sorted({span.split(" ", 1)[1].split(" to ")[0] for span in spans if " to " in span})
        changes = [y for y in firsts if y != row.first_year]
        names = dict(zip(row.members.split(";"), row.member_names.split(";")))
        described = "; ".join(
            f"{names.get(span.split(' ', 1)[0], span.split(' ', 1)[0])} ({span.split(' ', 1)[0]}) {span.split(' ', 1)[1]}"
            for span in spans
        )
        out.append(
            dict(
                area_code=row.area_code,
                kind="boundary",
                indicator="",
                label="Member LAs",
                year=", ".join(changes),
                detail=f"{described}. Each year's value is the sum over a complete set of the unit's LAs, so the "
                "unit covers the same area in every year.",
            )
        )
    return pd.DataFrame(out, columns=FLAG_COLUMNS)


FLAG_MEASURES = {
    "s251_gross_total": "S251 children's services spending",
    "s251_gross_children_looked_after": "S251 children looked after spending",
    "csc_net_total": "MHCLG children's social care net spending",
    "population_0_17": "children aged 0-17",
    "cla_at_31_march": "children looked after at 31 March",
    "cla_started": "children starting to be looked after",
    "cin_at_31_march": "children in need at 31 March",
    "cpp_at_31_march": "child protection plans at 31 March",
    "section47_enquiries": "section 47 enquiries",
}


# --- index and the stage ---------------------------------------------------------------------

INDEX_COLUMNS = [
    "area_code",
    "area_name",
    "region_name",
    "year",
    "s251_per_child_real",
    "s251_per_child_real_change",
    "s251_total_real_change",
    "cla_rate",
    "late_share",
    "neighbour_vintage",
]


def index_table(table: pd.DataFrame, areas: pd.DataFrame, year: str, from_year: str, vintage: str) -> pd.DataFrame:
    """One row per unit: spending per child (real) in ``year`` and its real change since
    ``from_year``, the real change in total spending, the children looked after rate and the
    late-intervention share."""
    latest = table[table["year"] == year].set_index(["area_code", "indicator"])
    units = areas[areas["area_level"] == "la"][["area_code", "area_name", "region_name"]].reset_index(drop=True)

    def pick(indicator: str, column: str) -> pd.Series:
        return pd.Series([latest[column].get((a, indicator), math.nan) for a in units["area_code"]], dtype=float)

    return units.assign(
        year=year,
        s251_per_child_real=pick("s251_per_child_real", "value"),
        s251_per_child_real_change=pick("s251_per_child_real", "change_from"),
        s251_total_real_change=pick("s251_total_real", "change_from"),
        cla_rate=pick("cla_rate", "value"),
        late_share=pick("late_share", "value"),
        neighbour_vintage=vintage,
    )[INDEX_COLUMNS]


def scope_widens(values: pd.DataFrame, categories: list[str]) -> str | None:
    """The first year units report every S251 category (Table A1 gained its Sure Start and young
    people's blocks in 2010-11), or None if every year has them."""
    units = values[(values["area_level"] == SHOWN) & (values["basis"] == "cash")]
    years = sorted(units.loc[units["measure"] == "s251_gross_total", "year"].unique())
    for year in years:
        rows = units[(units["year"] == year) & units["measure"].isin([f"s251_gross_{c}" for c in categories])]
        if rows.groupby("measure")["value"].count().reindex([f"s251_gross_{c}" for c in categories]).gt(0).all():
            return None if year == years[0] else year
    return None


NEIGHBOUR_TEXT = ["unit_id", "neighbour_id", "named_by", "lists_used"]


def read_neighbours(path) -> pd.DataFrame:
    """``results/panel/neighbours.csv`` with unit ids and member lists as text."""
    return pd.read_csv(path, dtype=dict.fromkeys(NEIGHBOUR_TEXT, str), keep_default_na=False, na_values=[""])


def build_profiles(
    panel: pd.DataFrame,
    money: pd.DataFrame,
    areas: pd.DataFrame,
    neighbours: pd.DataFrame,
    vintage: str,
    intervention: dict[str, list[str]],
    from_year: str,
    categories: list[str],
    models: dict[str, pd.DataFrame],
    model_config: dict,
) -> dict[str, pd.DataFrame]:
    """The profiles stage: ``indicators`` (the indicator table), ``values`` (every unit x
    indicator x year compared), ``composition``, ``placements``, ``flags``, ``index``, ``facts``
    (the profile-wide facts the notebook states: last year, from year, price base, neighbour
    vintage, the placement and Table A1 breaks) and the model tables of
    :func:`childspend.reports.profile_models.model_tables` (``models``: its model outputs by
    argument name; ``model_config`` its config). ``neighbours`` is the unit-level table of
    :func:`childspend.panel.neighbours.unit_neighbours`; ``vintage`` the source id used."""
    price_base = money["price_base"].dropna().iloc[0]
    table = indicators(price_base)
    values = measure_values(panel, money, intervention)
    groups = neighbours[neighbours["source"] == vintage]
    compared = compare(indicator_values(values, table), table, groups, areas, from_year)
    last = panel["year"].max()
    placement_rows, break_year = placements(values)
    flags = pd.concat(
        [
            standout_flags(compared, table, last),
            data_flags(values, FLAG_MEASURES),
            boundary_flags(areas),
        ],
        ignore_index=True,
    )
    flags["order"] = flags["kind"].map({k: n for n, k in enumerate(FLAG_KINDS)})
    flags = flags.sort_values(["area_code", "order", "indicator", "year"], kind="mergesort").drop(columns="order")
    period = groups["vintage"].iloc[0] if not groups.empty else vintage
    vintage_period = period.replace("_", " ").title()
    facts = pd.DataFrame(
        [
            ("last_year", last),
            ("from_year", from_year),
            ("price_base", price_base),
            ("neighbour_source", vintage),
            ("neighbour_vintage", vintage_period),
            ("placement_break", break_year or ""),
            ("scope_widens", scope_widens(values, categories) or ""),
        ],
        columns=["fact", "value"],
    )
    return {
        "indicators": table,
        "values": compared,
        "composition": composition(values, categories, intervention),
        "placements": placement_rows,
        "flags": flags.reset_index(drop=True),
        "index": index_table(compared, areas, last, from_year, vintage_period),
        "facts": facts,
        **model_tables(values, **models, config=model_config, price_base=price_base),
    }
