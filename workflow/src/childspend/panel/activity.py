"""Activity and context measures on the stable units, and the measures derived from them.

Counts (children looked after, children in need, population, children in low-income families)
are summed into stable units exactly as spending is. Everything else is a ratio of sums:
- rates per 10,000 children and spending per child divide by the population aged 0-17 of the
  same row: counts at 31 March of financial year t-(t+1) with the mid-year t estimate, the
  alignment DfE uses for its own rates;
- deprivation scores and percentages of a merged unit are its members' values weighted by
  their population aged 0-17;
- for regions and England a ratio is taken over the units that have both parts, and flagged
  ``incomplete`` when some units lack either.
England counts are DfE's published national figures (see :func:`use_published_england`); region
counts are sums of units, flagged ``incomplete`` when some lack a value.
Published rates and ranks are not carried: the panel recomputes them on its own denominators
and units, so every rate in it is defined the same way in every year.
"""

from __future__ import annotations

import logging

import pandas as pd

from .. import measures
from ..codes import ENGLAND_CODE
from ..tables import sort_table
from .exclusions import ExclusionLog
from .releases import latest_release
from .units import PANEL_KEYS, pooled_ratio, resolve_la_numbers, unit_panel

log = logging.getLogger(__name__)

SOURCES = ("cla", "cin", "population", "deprivation")
POPULATION = "population_0_17"
NOT_CARRIED_UNITS = {"rate_per_10000", "rank"}
# Kept in the ingest table only to check the join of the Nomis-based and DfE population series.
NOT_CARRIED_MEASURES = {"population_0_17_nomis_estimate"}
WEIGHTED_UNITS = {"score", "percent"}
WEIGHTED_SUFFIX, WEIGHT_SUFFIX = "__x_population", "__population"

# Derived measures (numerator, denominator, scale) and quality notes, from measures.csv: rates
# here, spending per child once spending is joined (join_panel).
RATES = measures.derived(measures.of_kind("rate"))
PER_CHILD = measures.derived(measures.of_kind("money"))
QUALITY_NOTES = measures.quality_notes()


def activity_rows(tables: list[pd.DataFrame], exclusions: ExclusionLog) -> pd.DataFrame:
    """LA rows of the measures the panel carries, one per LA, measure and year.

    DfE revises back years, so the latest release wins; where it suppresses a value an earlier
    release gives (the 2025 population file has "x" for Bournemouth, Poole and Dorset before
    2019), the latest release that gives one is used and the value is flagged earlier_release.
    """
    rows = pd.concat(tables, ignore_index=True)
    dropped = rows["unit"].isin(NOT_CARRIED_UNITS) | rows["measure"].isin(NOT_CARRIED_MEASURES)
    for (source, measure), group in rows[dropped].groupby(["source", "measure"]):
        exclusions.add(
            "activity",
            "published rate, rank or check series: recomputed or not carried",
            source,
            measure=measure,
            rows=len(group),
        )
    rows = rows[~dropped]
    keys = ["measure", "year", "la_number"]
    repeated = rows.duplicated([*keys, "source"], keep=False)
    if repeated.any():
        raise ValueError(f"a file gives the same measure, year and LA twice:\n{rows[repeated].head(6).to_string()}")
    chosen = latest_release(rows, ["measure", "year"], fill_from_earlier=["la_number"])
    older = chosen.pop("earlier_release")
    chosen.loc[older & chosen["value"].notna(), "flag"] = "earlier_release"
    for (source, measure), group in chosen[older].groupby(["source", "measure"]):
        exclusions.add(
            "activity",
            "value from an earlier release: the latest suppresses or lacks it",
            source,
            ",".join(sorted(group["year"].unique())),
            ",".join(str(n) for n in sorted(group["la_number"].unique())),
            measure,
            rows=len(group),
        )
    return chosen.reset_index(drop=True)


def use_published_england(panel: pd.DataFrame, tables: list[pd.DataFrame]) -> pd.DataFrame:
    """England rows of counts carry DfE's published national figure (latest release giving one).

    Where units lack a value, DfE's figure includes its own estimate for them, so it is the
    better England total; it is flagged published_total and the sum of the units stays in
    results/reconciliation/activity_england.csv.
    """
    published = pd.concat([t[t["area_level"] == "england"] for t in tables], ignore_index=True)
    published = published[published["value"].notna() & ~published["unit"].isin(NOT_CARRIED_UNITS | WEIGHTED_UNITS)]
    published = latest_release(published, ["measure", "year"], fill_from_earlier=[]).drop(columns="earlier_release")
    figures = published.set_index(["measure", "year"])[["value", "source"]]
    panel = panel.copy()
    england = panel["area_level"] == "england"
    keys = pd.MultiIndex.from_frame(panel.loc[england, ["measure", "year"]])
    found = keys.isin(figures.index)
    rows = panel.index[england][found]
    panel.loc[rows, ["value", "source"]] = figures.loc[keys[found]].to_numpy()
    partial = panel.loc[rows, "units_reporting"] < panel.loc[rows, "units_expected"]
    panel.loc[rows, "flag"] = partial.map({True: "published_total", False: ""}).to_numpy()
    return panel


def weighted_parts(rows: pd.DataFrame) -> pd.DataFrame:
    """Scores and percentages as two additive parts, value x population and population, so a
    merged unit's value is the population-weighted mean of its members'."""
    weighted = rows["unit"].isin(WEIGHTED_UNITS)
    population = rows[rows["measure"] == POPULATION].set_index(["la_number", "year"])["value"]
    parts = rows[weighted].copy()
    weight = pd.Series(parts.set_index(["la_number", "year"]).index.map(population), index=parts.index)
    weight = weight.where(parts["value"].notna())
    numerator = parts.assign(measure=parts["measure"] + WEIGHTED_SUFFIX, value=parts["value"] * weight)
    denominator = parts.assign(measure=parts["measure"] + WEIGHT_SUFFIX, value=weight)
    for frame in (numerator, denominator):
        frame.loc[frame["value"].isna() & (frame["flag"] == ""), "flag"] = "no_population"
    return pd.concat([rows[~weighted], numerator, denominator], ignore_index=True)


def ratio(
    numerator: pd.DataFrame, denominator: pd.DataFrame, scale: float, name: str, columns: list[str]
) -> pd.DataFrame:
    """``name`` = numerator / denominator x scale for units (the unit rows of the two measures);
    regions and England over the units with both parts; ``columns`` as the panel's."""
    keys = ["area_code", "area_name", "region_code", "region_name", "year"]
    both = numerator.merge(denominator, on=keys, suffixes=("_n", "_d"))
    have = both["value_n"].notna() & both["value_d"].notna() & (both["value_d"] != 0)
    both["value"] = (both["value_n"] / both["value_d"] * scale).where(have)
    both["flag"] = both["flag_n"].where(both["flag_n"] != "", both["flag_d"]).where(~have, "")
    both.loc[~have & (both["flag"] == ""), "flag"] = "zero_denominator"
    both["source"] = both["source_n"]
    units = both.assign(area_level="la", measure=name, units_expected=1, units_reporting=have.astype(int))

    parts = both.assign(
        n=both["value_n"].where(have).astype(float), d=both["value_d"].where(have).astype(float), ok=have
    )
    region = pooled_ratio(parts, ["region_code", "region_name"], scale)
    region = region.assign(area_level="region", area_code=region["region_code"], area_name=region["region_name"])
    england = pooled_ratio(parts, [], scale).assign(
        area_level="england", area_code=ENGLAND_CODE, area_name="England", region_code="", region_name=""
    )
    rows = pd.concat([units, region, england], ignore_index=True).assign(measure=name)
    rows["source"] = rows["source"].fillna("derived")
    return rows[columns]


def derive(panel: pd.DataFrame, definitions: dict[str, tuple[str, str, float]]) -> pd.DataFrame:
    """Add every derived measure whose numerator and denominator are in the panel."""
    present = set(panel["measure"])
    used = {name: parts for name, parts in definitions.items() if parts[0] in present and parts[1] in present}
    # The unit rows of every measure used, split once (not filtered out of the whole panel per ratio).
    needed = {measure for n, d, _ in used.values() for measure in (n, d)}
    la = panel[(panel["area_level"] == "la") & panel["measure"].isin(needed)]
    rows = dict(tuple(la.groupby("measure", sort=False)))
    columns = list(panel.columns)
    new = [ratio(rows[n], rows[d], scale, name, columns) for name, (n, d, scale) in used.items()]
    return pd.concat([panel, *new], ignore_index=True)


def combine_weighted(panel: pd.DataFrame) -> pd.DataFrame:
    """Turn the weighted parts back into scores and percentages (population-weighted means)."""
    names = sorted(m[: -len(WEIGHTED_SUFFIX)] for m in panel["measure"].unique() if m.endswith(WEIGHTED_SUFFIX))
    panel = derive(panel, {m: (m + WEIGHTED_SUFFIX, m + WEIGHT_SUFFIX, 1.0) for m in names})
    return panel[~panel["measure"].str.endswith((WEIGHTED_SUFFIX, WEIGHT_SUFFIX))]


def imd_deciles(panel: pd.DataFrame) -> pd.DataFrame:
    """IMD decile of each unit within each edition (1 = the most deprived tenth of units).

    Every row of the IMD score gets a decile row, so the panel stays a complete grid: a unit
    without a score keeps the score's flag, and regions and England (deciles rank units) are
    flagged ``not_applicable``.
    """
    rows = panel[panel["measure"] == "imd_average_score"]
    scores = rows[(rows["area_level"] == "la") & rows["value"].notna()]
    rank = scores.groupby("year")["value"].rank(ascending=False, method="first")
    count = scores.groupby("year")["value"].transform("size")
    deciles = rows.assign(measure="imd_decile", value=(((rank - 1) * 10) // count + 1).astype(float), source="derived")
    deciles.loc[deciles["area_level"] != "la", "flag"] = "not_applicable"
    deciles.loc[deciles["value"].isna(), "source"] = rows["source"]
    return pd.concat([panel, deciles], ignore_index=True)


def add_quality_notes(panel: pd.DataFrame) -> pd.DataFrame:
    """Flag present values that are less reliable (QUALITY_NOTES, from measures.csv); missing
    values keep the flag saying why they are missing."""
    panel = panel.copy()
    for names, years, note in QUALITY_NOTES:
        hit = panel["measure"].isin(names) & panel["year"].isin(years) & panel["value"].notna()
        panel.loc[hit, "flag"] = (panel.loc[hit, "flag"] + ";" + note).str.removeprefix(";")
    return panel


def coverage(panel: pd.DataFrame) -> pd.DataFrame:
    """Measure x year: how many units have a value (and how many there are)."""
    la = panel[panel["area_level"] == "la"]
    table = la.groupby(["measure", "year"]).agg(units_with_data=("value", "count"), units=("value", "size"))
    return table.reset_index()


def build_activity_panel(
    tables: dict[str, pd.DataFrame], geo: pd.DataFrame, units: pd.DataFrame, years: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The activity panel (counts, rates, deprivation on stable units, with region and England
    rows) and its exclusions, from the ingest tables named in SOURCES."""
    exclusions = ExclusionLog()
    ordered = [tables[name] for name in SOURCES]
    la_rows = [resolve_la_numbers(table, geo, exclusions) for table in ordered]
    panel = unit_panel(weighted_parts(activity_rows(la_rows, exclusions)), geo, units, years, exclusions)
    panel = add_quality_notes(derive(imd_deciles(use_published_england(combine_weighted(panel), ordered)), RATES))
    return sort_table(panel, PANEL_KEYS), exclusions.frame()
