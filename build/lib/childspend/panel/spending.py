"""The spending half of the panel: LA rows of every money measure, one source per year.

Sources are combined per measure family:
- ``s251_gross_<category>``: DfE S251 gross expenditure on children's and young people's
  services. Table A1 workbooks where they exist (2008-09 to 2018-19), LAIT for later years (the
  newest LAIT vintage wins for each year).
- ``s251_net_total`` and ``s251_income_total``: Table A1 only.
- ``csc_net_<category>``: MHCLG revenue outturn net current expenditure on children's social
  care. RO3 detail where it exists, else the RS/RSX summary (total only).
Money is GBP throughout (revenue outturn's GBP thousand are converted here).
"""

from __future__ import annotations

import pandas as pd

from .. import measures
from ..tables import sort_table
from .exclusions import ExclusionLog
from .releases import latest_release
from .units import PANEL_KEYS, resolve_la_numbers, sum_groups, unit_panel

SOURCES = ("s251_a1", "lait", "revenue_outturn")
UNIT_FACTOR = {"GBP": 1.0, "GBP thousand": 1000.0}
S251_CATEGORIES = measures.categories("s251_gross")


def select(table: pd.DataFrame, measure: str, categories: list[str], prefix: str) -> pd.DataFrame:
    rows = table[(table["measure"] == measure) & table["category"].isin(categories)].copy()
    rows["measure"] = prefix + "_" + rows["category"]
    rows["value"] = rows["value"] * rows["unit"].map(UNIT_FACTOR).astype(float)
    return rows


def spending_rows(s251_a1: pd.DataFrame, lait: pd.DataFrame, revenue: pd.DataFrame) -> pd.DataFrame:
    """LA-level rows of every panel measure, each year taken from exactly one source."""
    a1_years = set(s251_a1["year"])
    lait = latest_release(lait[~lait["year"].isin(a1_years)], ["year"])
    if not (lait["category"] == "total").any():
        lait = pd.concat([lait, _category_sum(lait)], ignore_index=True)
    ro3 = revenue[revenue["source"].str.startswith("ro3_")]
    # RO3 has no children's social care total line before 2011-12: sum the detail lines there.
    no_total = ~ro3["year"].isin(set(ro3.loc[ro3["category"] == "total", "year"]))
    detail = ro3[no_total & ~ro3["category"].isin(["subtotal"])]
    ro3 = pd.concat([ro3, _category_sum(detail)], ignore_index=True)
    summary = revenue[~revenue["source"].str.startswith("ro3_") & ~revenue["year"].isin(set(ro3["year"]))]
    parts = [
        select(s251_a1, "gross_expenditure", S251_CATEGORIES, "s251_gross"),
        select(lait, "gross_expenditure", S251_CATEGORIES, "s251_gross"),
        select(s251_a1, "net_expenditure", measures.categories("s251_net"), "s251_net"),
        select(s251_a1, "income", measures.categories("s251_income"), "s251_income"),
        select(ro3, "net_current_expenditure", measures.categories("csc_net"), "csc_net"),
        select(latest_release(summary, ["year"]), "net_current_expenditure", ["total"], "csc_net"),
    ]
    return pd.concat(parts, ignore_index=True)


def _category_sum(table: pd.DataFrame) -> pd.DataFrame:
    """A 'total' row per area, year and measure from its detail rows (missing if any is)."""
    keys = ["source", "year", "area_level", "la_number", "ons_code", "area_name", "measure", "unit"]
    total = sum_groups(table.fillna({"la_number": -1}), keys).drop(columns=["flag"])
    total["la_number"] = total["la_number"].replace(-1, pd.NA).astype("Int64")
    total["category"], total["line"] = "total", "sum of detail lines"
    total["flag"] = total["value"].isna().map({True: "detail_missing", False: ""}).astype(str)
    return total


def build_spending_panel(
    tables: dict[str, pd.DataFrame], geo: pd.DataFrame, units: pd.DataFrame, years: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The spending panel (every unit, region and England x year x money measure) and its
    exclusions, from the ingest tables named in SOURCES."""
    exclusions = ExclusionLog()
    la_rows = [resolve_la_numbers(tables[name], geo, exclusions) for name in SOURCES]
    panel = unit_panel(spending_rows(*la_rows), geo, units, years, exclusions)
    return sort_table(panel, PANEL_KEYS), exclusions.frame()
