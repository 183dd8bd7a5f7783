"""Reconciliation tables: do the parts add up to the published wholes?

- ``england_rows``: for every source file, year, measure and category, the publisher's England
  row beside the sum of the file's LA rows. A gap above the tolerance gets an explanation built
  from the data (operating LAs absent from the file, LA values suppressed or blank, amounts
  reported by bodies without children's services duties, region rows that hold amounts no LA
  row has); a gap that
  none of those accounts for is marked ``unexplained`` so it cannot pass unnoticed.
- ``a1_vs_lait``: S251 Table A1 against LAIT in the years both cover, England and LA level.
"""

from __future__ import annotations

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
    out["explanation"] = [_explain(r) for r in out.to_dict("records")]
    return out[ENGLAND_COLUMNS]


def _explain(row: dict) -> str:
    if pd.isna(row["published_england"]):
        return "the file has no England row"
    if row["within_tolerance"]:
        return ""
    reasons = []
    if row["las_absent"]:
        reasons.append(f"operating LAs absent from the file: {row['las_absent']}")
    if row["las_without_value"]:
        reasons.append(f"{row['las_without_value']} LA value(s) suppressed or blank")
    if reasons and row["source"].startswith(("ro3_", "rs_", "rsx_")):
        reasons.append("MHCLG's England row includes its imputation for those councils")
    if row["other_bodies"] and abs(row["difference"] + row["other_bodies"]) <= row["allowed_gap"]:
        reasons.append(
            f"authorities without children's services duties (shire districts, the GLA, ...) "
            f"report {row['other_bodies']:,.0f} on this line, which the England row includes; "
            "with them the rows add up"
        )
    if row["region_row_gaps"]:
        reasons.append(
            "the publisher's region row(s) hold amounts that are in none of their LA rows "
            f"(published minus sum of LAs, in the file's unit): {row['region_row_gaps']}"
        )
    return "; ".join(reasons) or "unexplained: no LA is absent or suppressed"


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
    out["explanation"] = [
        _explain_activity(*r, population)
        for r in zip(out["within_tolerance"], out["units_without_value"], is_rate, out["source"])
    ]
    return out[ACTIVITY_COLUMNS]


def panel_population_source(panel: pd.DataFrame) -> str:
    """The latest population release the panel uses."""
    return panel.loc[panel["measure"] == "population_0_17", "source"].max()


def _explain_activity(ok: bool, without: str, is_rate: bool, source: str, population: str) -> str:
    if ok:
        return ""
    if without:
        return f"the published figure includes {without}, with DfE's estimate where it has one"
    if is_rate and source < population:
        return (
            f"DfE's rate, from {source}, divides by that release's population estimates; the panel "
            f"divides by the latest ({population})"
        )
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
