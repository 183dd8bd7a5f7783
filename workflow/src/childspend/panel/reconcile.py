"""Reconciliation tables: do the parts add up to the published wholes?

- ``england_rows``: for every source file, year, measure and category, the publisher's England
  row beside the sum of the file's LA rows. A gap above the tolerance gets an explanation built
  from the data (operating LAs absent from the file, LA values suppressed or blank, amounts
  reported by bodies without children's services duties, region rows that hold amounts no LA
  row has). A reason counts only if it accounts for the gap's sign and size (see
  ``missing_bound``); a gap that none accounts for is marked ``unexplained`` so it cannot pass
  unnoticed.
- ``a1_vs_lait``: S251 Table A1 against LAIT in the years both cover, England and LA level.
"""

from __future__ import annotations

import re

import pandas as pd

from ..sources.s251_a1 import check_detail_sums
from ..tables import sort_table
from .areas import operating
from .exclusions import ExclusionLog
from .releases import latest_release
from .spending import SOURCES as SPENDING_SOURCES
from .units import resolve_la_numbers

ENGLAND_COLUMNS = [
    "source",
    "year",
    "measure",
    "category",
    "published_england",
    "sum_of_las",
    "difference",
    "relative_difference",
    "las_in_file",
    "las_operating",
    "las_absent",
    "las_without_value",
    "other_bodies",
    "region_row_gaps",
    "within_tolerance",
    "explanation",
]
KEYS = ["source", "year", "measure", "category"]
# A missing LA (or unit) may be this much larger than the larger of its own largest known value on
# the line (any year of the family) and the largest value any LA reports on it that year.
GROWTH = 1.5


def missing_bound(known: list[tuple[float, float]], row_low: float, row_high: float) -> tuple[float, float]:
    """The range a set of missing LAs can add to a sum: ``known`` holds each one's (lowest,
    highest) known value on the line (NaN if never known); ``row_low``/``row_high`` the lowest
    and highest value reported on the line that year.

    Each missing LA may be as large as the larger of its own largest known value and the largest
    reported that year, times GROWTH; negative values (net lines can be negative) likewise.
    """
    low = high = 0.0
    for lo, hi in known:
        hi = max(v for v in (hi, row_high, 0.0) if pd.notna(v))
        lo = min(v for v in (lo, row_low, 0.0) if pd.notna(v))
        low, high = low + GROWTH * lo, high + GROWTH * hi
    return low, high


def _family_kind(source: str) -> str:
    """The series a source belongs to (ro3, rs, rsx, lait, s251_a1): known values come from it."""
    return re.sub(r"_\d{4}.*$", "", source)


def region_row_gaps(
    table: pd.DataFrame, la_rows: pd.DataFrame, la_region: dict[int, str], tolerance: float
) -> pd.Series:
    """Published region rows that differ from the sum of their LAs, as text per KEYS.

    Region rows are matched to LAs by region name; sub-regions some publishers add (Inner and
    Outer London) match no region and are skipped.
    """
    regions = table[table["area_level"] == "region"].rename(columns={"area_name": "region", "value": "published"})
    las = la_rows.assign(region=la_rows["la_number"].map(la_region))
    sums = las.groupby(KEYS + ["region"], as_index=False)["value"].sum().rename(columns={"value": "sum_of_las"})
    both = regions[KEYS + ["region", "published"]].merge(sums, on=KEYS + ["region"])
    both["gap"] = both["published"] - both["sum_of_las"]
    both = both[both["gap"].abs() > tolerance * both["published"].abs()]
    both["text"] = [f"{region} {gap:+,.0f}" for region, gap in zip(both["region"], both["gap"])]
    return both.groupby(KEYS)["text"].agg("; ".join)


def england_rows(
    table: pd.DataFrame, la_rows: pd.DataFrame, operating: pd.DataFrame, la_region: dict[int, str], tolerance: float
) -> pd.DataFrame:
    """``table``: a parsed source (all levels); ``la_rows``: its LA rows with DfE numbers."""
    keys = KEYS
    # Files that keep empty rows for LAs not operating that year (LAIT) should not count them as
    # suppressed: only operating LAs without a value are.
    active = la_rows.merge(operating.assign(active=True), on=["la_number", "year"], how="left")["active"]
    la_rows = la_rows.assign(unreported=(active.fillna(False).to_numpy() & la_rows["value"].isna().to_numpy()))
    sums = la_rows.groupby(keys, as_index=False).agg(
        sum_of_las=("value", "sum"),
        las_in_file=("la_number", "nunique"),
        las_without_value=("unreported", "sum"),
        numbers=("la_number", lambda n: frozenset(n)),
    )
    published = (
        table[table["area_level"] == "england"]
        .groupby(keys, as_index=False)["value"]
        .sum(min_count=1)
        .rename(columns={"value": "published_england"})
    )
    others = (
        table[table["area_level"] == "other_body"]
        .groupby(keys, as_index=False)["value"]
        .sum()
        .rename(columns={"value": "other_bodies"})
    )
    out = sums.merge(published, on=keys, how="left").merge(others, on=keys, how="left")
    out["other_bodies"] = out["other_bodies"].fillna(0.0)
    by_year = operating.groupby("year")["la_number"].agg(frozenset)
    out["las_operating"] = out["year"].map(by_year.map(len)).astype("Int64")
    out["las_absent"] = [
        ",".join(str(n) for n in sorted(by_year.get(y, frozenset()) - got))
        for y, got in zip(out["year"], out["numbers"])
    ]
    gaps = region_row_gaps(table, la_rows, la_region, tolerance)
    gaps = gaps.to_dict()
    out["region_row_gaps"] = [gaps.get(key, "") for key in zip(*(out[k] for k in keys))]
    out["difference"] = out["sum_of_las"] - out["published_england"]
    out["relative_difference"] = out["difference"] / out["published_england"].where(out["published_england"] != 0)
    # Each LA value is rounded to the file's unit, so the sum may drift by half a unit per LA.
    out["allowed_gap"] = (tolerance * out["published_england"].abs()).clip(lower=0.5 * out["las_in_file"])
    out["within_tolerance"] = (out["difference"].abs() <= out["allowed_gap"]).astype("boolean")
    out.loc[out["published_england"].isna(), "within_tolerance"] = pd.NA
    out["missing_low"], out["missing_high"] = _missing_ranges(out, la_rows, by_year)
    out["explanation"] = [_explain(r) for r in out.to_dict("records")]
    return out[ENGLAND_COLUMNS]


def _missing_ranges(out: pd.DataFrame, la_rows: pd.DataFrame, by_year: pd.Series) -> tuple[list, list]:
    """Per row of ``out``: the range its missing LAs (absent or without a value) can add."""
    kind = la_rows["source"].map({source: _family_kind(source) for source in la_rows["source"].unique()})
    line = ["measure", "category", "la_number"]
    known = la_rows.assign(kind=kind).groupby(["kind", *line])["value"].agg(["min", "max"])
    known = {key: (lo, hi) for key, lo, hi in zip(known.index, known["min"], known["max"])}
    reported = la_rows.groupby(KEYS)["value"].agg(["min", "max"])
    reported = {key: (lo, hi) for key, lo, hi in zip(reported.index, reported["min"], reported["max"])}
    missing = la_rows[la_rows["unreported"]].groupby(KEYS)["la_number"].agg(frozenset).to_dict()
    lows, highs = [], []
    for row in out[[*KEYS, "numbers"]].itertuples(index=False):
        key = tuple(row[:4])
        source, year, measure, category = key
        las = (by_year.get(year, frozenset()) - row.numbers) | missing.get(key, frozenset())
        row_low, row_high = reported.get(key, (float("nan"), float("nan")))
        ranges = [known.get((_family_kind(source), measure, category, n), (float("nan"),) * 2) for n in las]
        low, high = missing_bound(ranges, row_low, row_high)
        lows.append(low)
        highs.append(high)
    return lows, highs


def _explain(row: dict) -> str:
    """The reasons for a gap over tolerance, if together they account for its sign and size.

    The gap to account for is published minus the sum of LAs: other bodies' amounts (when the
    England row includes them) close it exactly; missing LAs can add anything in their range
    (``missing_bound``); region rows holding amounts no LA row has close it by their sum.
    """
    if pd.isna(row["published_england"]):
        return "the file has no England row"
    if row["within_tolerance"]:
        return ""
    gap, allowed = -row["difference"], row["allowed_gap"]
    reasons = []
    missing = bool(row["las_absent"] or row["las_without_value"])
    if row["las_absent"]:
        reasons.append(f"operating LAs absent from the file: {row['las_absent']}")
    if row["las_without_value"]:
        reasons.append(f"{row['las_without_value']} LA value(s) suppressed or blank")
    if reasons and row["source"].startswith(("ro3_", "rs_", "rsx_")):
        reasons.append("MHCLG's England row includes its imputation for those councils")
    others_close = bool(row["other_bodies"]) and abs(gap - row["other_bodies"]) <= allowed
    if others_close:
        reasons.append(
            f"authorities without children's services duties (shire districts, the GLA, ...) "
            f"report {row['other_bodies']:,.0f} on this line, which the England row includes; "
            "with them the rows add up"
        )
    region_sum = _region_gap_sum(row["region_row_gaps"])
    if row["region_row_gaps"]:
        reasons.append(
            "the publisher's region row(s) hold amounts that are in none of their LA rows "
            f"(published minus sum of LAs, in the file's unit): {row['region_row_gaps']}"
        )
    low, high = row["missing_low"] - allowed, row["missing_high"] + allowed
    accounted = (
        others_close
        or (bool(row["region_row_gaps"]) and abs(gap - region_sum) <= allowed)
        or (missing and any(low <= g <= high for g in (gap, gap - row["other_bodies"])))
    )
    if accounted:
        return "; ".join(reasons)
    if not reasons:
        return "unexplained: no LA is absent or suppressed"
    why = (
        f"the sum of LAs is {-gap:,.0f} above the England row, which LAs missing from the sum cannot cause"
        if missing and gap < low
        else f"the gap of {gap:,.0f} is more than the missing LAs can account for (at most {high - allowed:,.0f}: "
        f"each up to {GROWTH:g} x the larger of its largest known value and the largest LA value on the line)"
        if missing
        else f"the gap of {gap:,.0f} is not closed by them"
    )
    return f"unexplained: {why}; candidate reasons: " + "; ".join(reasons)


def _region_gap_sum(text: str) -> float:
    """Sum of the amounts in a ``region_row_gaps`` text ("North East +60,000; London -3")."""
    return sum(float(m.replace(",", "")) for m in re.findall(r"[+-][\d,]+(?:\.\d+)?(?=;|$)", text or ""))


def a1_vs_lait(a1: pd.DataFrame, lait: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """England and LA gross expenditure by category in the years both sources cover.

    ``a1`` and ``lait`` are LA rows with DfE numbers (LAIT newest vintage per year); LAIT's
    'total' is compared with A1's own total line.
    """
    years = sorted(set(a1["year"]) & set(lait["year"]))
    keys = ["year", "la_number", "category"]

    def pick(table: pd.DataFrame, name: str) -> pd.DataFrame:
        rows = table[(table["measure"] == "gross_expenditure") & table["year"].isin(years)]
        return rows.groupby(keys, as_index=False)["value"].sum(min_count=1).rename(columns={"value": name})

    both = pick(a1, "a1").merge(pick(lait, "lait"), on=keys, how="outer")
    both = both[both["category"].isin(set(lait["category"]))]
    england = both.groupby(["year", "category"], as_index=False)[["a1", "lait"]].sum(min_count=1)
    england.insert(1, "la_number", pd.NA)
    table = pd.concat([england, both], ignore_index=True)
    table.insert(0, "level", ["england"] * len(england) + ["la"] * len(both))
    table["difference"] = table["lait"] - table["a1"]
    table["relative_difference"] = table["difference"] / table["a1"].where(table["a1"] != 0)
    table["within_tolerance"] = table["relative_difference"].abs() <= tolerance
    table["la_number"] = table["la_number"].astype("Int64")
    return table


ACTIVITY_COLUMNS = [
    "measure",
    "year",
    "source",
    "published_england",
    "pipeline_england",
    "difference",
    "relative_difference",
    "units",
    "units_without_value",
    "within_tolerance",
    "explanation",
]


def activity_england(published: pd.DataFrame, panel: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """DfE's published England figures (latest release giving one) against the pipeline's own:
    the sum of the units for counts, the panel's England rate for rates (DfE publishes whole
    numbers, so a rate within 0.5 agrees). The units without a value are named."""
    england = published[(published["area_level"] == "england") & published["value"].notna()]
    england = latest_release(england, ["measure", "year"], fill_from_earlier=[])
    out = england.rename(columns={"value": "published_england"})[
        ["measure", "year", "source", "published_england", "unit"]
    ]
    la = panel[panel["area_level"] == "la"]
    sums = la.groupby(["measure", "year"]).agg(sum_of_units=("value", "sum"), units=("value", "size"))
    rates = panel[panel["area_level"] == "england"].set_index(["measure", "year"])["value"].rename("england_rate")
    out = out.merge(sums.reset_index(), on=["measure", "year"], how="left").join(rates, on=["measure", "year"])
    is_rate = out["unit"] == "rate_per_10000"
    out["pipeline_england"] = out["england_rate"].where(is_rate, out["sum_of_units"])
    lacking = la[la["value"].isna()]
    without = (
        lacking.groupby(["measure", "year"])[["area_name", "flag"]]
        .agg(list)
        .apply(lambda r: "; ".join(f"{n} ({f})" for n, f in zip(r["area_name"], r["flag"])), axis=1)
    )
    without = without.to_dict()
    out["units_without_value"] = [without.get(key, "") for key in zip(out["measure"], out["year"])]
    out["difference"] = out["pipeline_england"] - out["published_england"]
    out["relative_difference"] = out["difference"] / out["published_england"]
    out["within_tolerance"] = (out["difference"].abs() <= 0.5).where(
        is_rate, out["relative_difference"].abs() <= tolerance
    )
    population = panel_population_source(panel)
    allowed = tolerance * out["published_england"].abs()
    ranges = _missing_unit_ranges(la, out[["measure", "year"]])
    out["explanation"] = [
        _explain_activity(ok, without, rate, source, population, -difference, missing, slack)
        for ok, without, rate, source, difference, slack, missing in zip(
            out["within_tolerance"],
            out["units_without_value"],
            is_rate,
            out["source"],
            out["difference"],
            allowed,
            ranges,
        )
    ]
    return out[ACTIVITY_COLUMNS]


def _missing_unit_ranges(la: pd.DataFrame, rows: pd.DataFrame) -> list[tuple[float, float]]:
    """Per (measure, year) of ``rows``: the range the units without a value can add (``missing_bound``)."""
    unit = "area_code" if "area_code" in la.columns else "area_name"
    known = la.groupby(["measure", unit])["value"].agg(["min", "max"])
    known = {key: (lo, hi) for key, lo, hi in zip(known.index, known["min"], known["max"])}
    reported = la.groupby(["measure", "year"])["value"].agg(["min", "max"])
    missing = la[la["value"].isna()].groupby(["measure", "year"])[unit].agg(list).to_dict()
    out = []
    for measure, year in zip(rows["measure"], rows["year"]):
        row_low, row_high = reported.loc[(measure, year)] if (measure, year) in reported.index else (float("nan"),) * 2
        units = missing.get((measure, year), [])
        out.append(missing_bound([known.get((measure, u), (float("nan"),) * 2) for u in units], row_low, row_high))
    return out


def panel_population_source(panel: pd.DataFrame) -> str:
    """The latest population release the panel uses."""
    return panel.loc[panel["measure"] == "population_0_17", "source"].max()


def _explain_activity(
    ok: bool,
    without: str,
    is_rate: bool,
    source: str,
    population: str,
    gap: float,
    missing_range: tuple[float, float],
    allowed: float,
) -> str:
    """Why a published England figure differs from the pipeline's, if the reason accounts for the
    gap (published minus pipeline): units without a value explain a count only if the gap lies in
    the range they can add (``missing_bound``: positive for counts, at most GROWTH x the larger of
    each unit's largest known value and the largest unit that year); a rate only by population."""
    if ok:
        return ""
    low, high = missing_range
    if without and not is_rate:
        if low - allowed <= gap <= high + allowed:
            return f"the published figure includes {without}, with DfE's estimate where it has one"
        if gap < low - allowed:
            return (
                f"unexplained: the sum of units is {-gap:,.0f} above the published figure, which units "
                f"without a value ({without}) cannot cause"
            )
        return (
            f"unexplained: the gap of {gap:,.0f} is more than the units without a value ({without}) can "
            f"account for (at most {high:,.0f})"
        )
    if is_rate and source < population:
        return (
            f"DfE's rate, from {source}, divides by that release's population estimates; the panel "
            f"divides by the latest ({population})"
        )
    if without:
        return f"unexplained: units without a value ({without}) do not change the panel's England rate"
    return "unexplained: every unit reports"


def reconcile_spending(
    tables: dict[str, pd.DataFrame], geo: pd.DataFrame, years: list[str], tolerance: float, a1_lait_tolerance: float
) -> dict[str, pd.DataFrame]:
    """The spending reconciliation tables: ``england`` (each file's England row against its LA
    rows), ``a1_lait`` (Table A1 against LAIT) and ``a1_detail`` (A1 detail lines against totals)."""
    ops = operating(geo, years)
    la_region = geo.drop_duplicates("la_number", keep="last").set_index("la_number")["region_name"].to_dict()
    # LA-number resolution is logged by build_spending_panel; here it only feeds the comparisons.
    la_rows = {name: resolve_la_numbers(tables[name], geo, ExclusionLog()) for name in SPENDING_SOURCES}
    england = pd.concat(
        [england_rows(tables[n], la_rows[n], ops, la_region, tolerance) for n in SPENDING_SOURCES], ignore_index=True
    )
    a1_lait = a1_vs_lait(la_rows["s251_a1"], latest_release(la_rows["lait"], ["year"]), a1_lait_tolerance)
    return {
        "england": sort_table(england, ["source", "year", "measure", "category"]),
        "a1_lait": sort_table(a1_lait, ["level", "year", "category", "la_number"]),
        "a1_detail": check_detail_sums(tables["s251_a1"]),
    }


def reconcile_activity(published: list[pd.DataFrame], panel: pd.DataFrame, tolerance: float) -> pd.DataFrame:
    """DfE's published England figures in the ingest tables ``published`` against the activity panel."""
    return sort_table(activity_england(pd.concat(published, ignore_index=True), panel, tolerance), ["measure", "year"])
