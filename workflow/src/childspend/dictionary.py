"""Data dictionary of the spending panel: what each measure is, its unit, source and years."""

from __future__ import annotations

import pandas as pd

CATEGORY_TEXT = {
    "early_years": "Sure Start children's centres and early years",
    "children_looked_after": "children looked after (incl. adoption and special guardianship from 2008-09)",
    "safeguarding": "safeguarding children and young people's services (incl. social work)",
    "family_support": "family support services",
    "young_people": "services for young people",
    "youth_justice": "youth justice",
    "other_children_family": "other children's and family services",
    "asylum_seekers": "services for unaccompanied asylum-seeking children",
    "total": "all children's services lines (excludes capital expenditure charged to revenue)",
}
FAMILY_TEXT = {
    "s251_gross": ("DfE Section 251 outturn, gross expenditure: {}", "S251 Table A1 to 2018-19; LAIT after"),
    "s251_net": ("DfE Section 251 outturn, net expenditure (gross less income): {}", "S251 Table A1"),
    "s251_income": ("DfE Section 251 outturn, income: {}", "S251 Table A1"),
    "csc_net": ("MHCLG revenue outturn, children's social care net current expenditure: {}",
                "RO3 where published, else RS/RSX summary (total only)"),
}
# Breaks in what a measure covers, which would otherwise read as changes in spending.
NOTES = {
    "s251_gross_total": "2008-09 and 2009-10 Table A1 had no Sure Start or services-for-young-people "
                        "blocks, so the total is narrower (GBP 6.0bn, 6.6bn) than from 2010-11 (9.2bn)",
    "s251_net_total": "narrower scope in 2008-09 and 2009-10, as s251_gross_total",
    "s251_income_total": "narrower scope in 2008-09 and 2009-10, as s251_gross_total",
    "s251_gross_early_years": "not in Table A1 before 2010-11 (no_data)",
    "s251_gross_young_people": "2008-09 and 2009-10 hold only substance misuse and teenage pregnancy; "
                               "2010-11 alone includes Connexions (about GBP 0.4bn)",
    "csc_net_other_children_family": "before 2011-12 RO3 had three children's lines, and this one "
                                     "('other children and families services') holds nearly all spending",
    "csc_net_total": "RO3 has no total line before 2011-12: the sum of its detail lines there; from "
                     "2014-15 early years and services for young people were reclassified into "
                     "children's social care, so the series steps up by about GBP 1bn",
}
META = [
    ("area_level", "", "la (stable unit), region or england", ""),
    ("area_code", "", "stable unit id (a DfE LA number), region ONS code, or E92000001", ""),
    ("area_name", "", "unit, region or England name", ""),
    ("region_code", "", "ONS region code of the unit", ""),
    ("region_name", "", "region name", ""),
    ("year", "", "financial year, 1 April to 31 March, e.g. 2023-24", ""),
]


def build(panel: pd.DataFrame) -> pd.DataFrame:
    rows = [dict(column=c, unit=u, description=d, source=s, years_available="", notes="") for c, u, d, s in META]
    for measure, group in panel[panel["value"].notna()].groupby("measure"):
        family, category = next((f, measure[len(f) + 1:]) for f in FAMILY_TEXT if measure.startswith(f + "_"))
        text, source = FAMILY_TEXT[family]
        years = sorted(group["year"].unique())
        rows.append(dict(column=measure, unit="GBP (cash)", description=text.format(CATEGORY_TEXT[category]),
                         source=source, years_available=f"{years[0]} to {years[-1]} ({len(years)} years)",
                         notes=NOTES.get(measure, "")))
    return pd.DataFrame(rows)
