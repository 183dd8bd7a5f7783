"""Data dictionary of the panel: what each column is, its unit, source, years and caveats."""

from __future__ import annotations

import re

import pandas as pd

CATEGORY_TEXT = {
    "early_years": "Sure Start children's centres and early years",
    "children_looked_after": "children looked after (incl. adoption and special guardianship in every year)",
    "safeguarding": "safeguarding children and young people's services (incl. social work)",
    "family_support": "family support services",
    "young_people": "services for young people",
    "youth_justice": "youth justice",
    "other_children_family": "other children's and family services",
    "asylum_seekers": "services for unaccompanied asylum-seeking children",
    "total": "all children's services lines (excludes capital expenditure charged to revenue)",
}
SPENDING_FAMILIES = {
    "s251_gross": ("DfE Section 251 outturn, gross expenditure: {}", "S251 Table A1 to 2018-19; LAIT after"),
    "s251_net": ("DfE Section 251 outturn, net expenditure (gross less income): {}", "S251 Table A1"),
    "s251_income": ("DfE Section 251 outturn, income: {}", "S251 Table A1"),
    "csc_net": (
        "MHCLG revenue outturn, children's social care net current expenditure: {}",
        "RO3 where published, else RS/RSX summary (total only)",
    ),
}
CLA = "DfE children looked after (underlying files to 2019, EES releases after; latest release wins)"
CIN = "DfE characteristics of children in need (underlying files 2010-2012, 2025 release after)"
PLACEMENT = "DfE children looked after; 2020 on from the dashboard .rds extracts, which omit some LAs"
DEPRIVATION = "MHCLG English Indices of Deprivation, File 11 upper-tier LA summaries (2015, 2019)"
POP = "ONS mid-year estimates: DfE 0-17 file from mid-2012, Nomis age bands before"
PER_10000 = "per 10,000 children aged 0-17 (mid-year estimate of the year the financial year starts)"
# measure -> (unit, description, source)
ACTIVITY = {
    "population_0_17": (
        "people",
        "children aged 0-17, mid-year estimate of the year the financial year starts "
        "(mid-2023 for 2023-24, as DfE aligns its rates)",
        POP,
    ),
    "cla_at_31_march": ("children", "children looked after at 31 March (the end of the financial year)", CLA),
    "cla_started": ("children", "children who started to be looked after during the year", CLA),
    "cla_ceased": ("children", "children who ceased to be looked after during the year", CLA),
    "cla_uasc_at_31_march": ("children", "unaccompanied asylum-seeking children looked after at 31 March", CLA),
    "cin_at_31_march": ("children", "children in need at 31 March", CIN),
    "referrals": ("referrals", "referrals to children's social care during the year", CIN),
    "section47_enquiries": ("enquiries", "section 47 enquiries started during the year", CIN),
    "icpc": ("conferences", "initial child protection conferences during the year", CIN),
    "cpp_at_31_march": ("children", "children on child protection plans at 31 March", CIN),
    "cpp_started": ("plans", "child protection plans started during the year", CIN),
    "children_relative_low_income": (
        "children",
        "children aged 0-19 in relative low income families (before housing costs)",
        "DWP children in low income families (Stat-Xplore)",
    ),
    "children_absolute_low_income": (
        "children",
        "children in absolute low income families",
        "DWP children in low income families (Stat-Xplore)",
    ),
    "children_low_income_hmrc": (
        "children",
        "children (under 20) in low-income families, August snapshot",
        "HMRC personal tax credits local measure",
    ),
    "children_low_income_hmrc_under_16": (
        "children",
        "children under 16 in low-income families, August snapshot",
        "HMRC personal tax credits local measure",
    ),
    "children_low_income_hmrc_pct": (
        "percent",
        "share of children (under 20) in low-income families; merged units weighted by population aged 0-17",
        "HMRC personal tax credits local measure",
    ),
    "children_low_income_hmrc_under_16_pct": (
        "percent",
        "share of children under 16 in low-income families; merged units weighted by population aged 0-17",
        "HMRC personal tax credits local measure",
    ),
    "imd_average_score": (
        "score",
        "IMD average score (higher = more deprived); merged units weighted by "
        "population aged 0-17; year = the edition (2015-16 = IoD 2015)",
        DEPRIVATION,
    ),
    "idaci_average_score": (
        "score",
        "IDACI average score (income deprivation affecting children); merged units weighted by population aged 0-17",
        DEPRIVATION,
    ),
    "imd_share_lsoas_most_deprived_10pct": (
        "percent",
        "share of the unit's LSOAs in England's most deprived 10% (IMD); merged units weighted by population aged 0-17",
        DEPRIVATION,
    ),
    "idaci_share_lsoas_most_deprived_10pct": (
        "percent",
        "share of the unit's LSOAs in England's most deprived "
        "10% (IDACI); merged units weighted by population aged 0-17",
        DEPRIVATION,
    ),
    "imd_decile": (
        "decile",
        "decile of units by IMD average score within the edition (1 = most deprived)",
        DEPRIVATION,
    ),
    "s251_gross_total_per_child": ("GBP per child", "s251_gross_total per child aged 0-17", "derived"),
    "csc_net_total_per_child": ("GBP per child", "csc_net_total per child aged 0-17", "derived"),
    "s251_gross_children_looked_after_per_cla": (
        "GBP per child looked after",
        "s251_gross_children_looked_after over children looked after at 31 March (the end of the year)",
        "derived",
    ),
}
PLACEMENT_TEXT = {
    "foster": "foster placements",
    "adoption": "placed for adoption",
    "with_parents": "placed with parents or others with parental responsibility",
    "residential_independent": "children's homes, secure units, semi-independent and independent living",
    "other": "other placements (incl. other residential settings and residential schools)",
    "secure_childrens_homes": "secure units and children's homes",
    "independent_semi_independent": "independent and semi-independent living / supported accommodation",
    "other_residential": "other residential settings",
    "residential_schools": "residential schools",
    "other_community": "other placements in the community",
    "secure_homes_semi_independent": "secure units, children's homes and semi-independent living",
}
NOTES = {
    "s251_gross_total": "2008-09 and 2009-10 Table A1 had no Sure Start or services-for-young-people "
    "blocks, so the total covers less than from 2010-11 (a scope change, not a fall in spending)",
    "s251_net_total": "narrower scope in 2008-09 and 2009-10, as s251_gross_total",
    "s251_income_total": "narrower scope in 2008-09 and 2009-10, as s251_gross_total",
    "s251_gross_early_years": "not in Table A1 before 2010-11 (no_data)",
    "s251_gross_young_people": "2008-09 and 2009-10 hold only substance misuse and teenage pregnancy; "
    "2010-11 alone includes Connexions",
    "csc_net_other_children_family": "before 2011-12 RO3 had three children's lines, and this one "
    "('other children and families services') holds nearly all spending",
    "csc_net_total": "RO3 has no total line before 2011-12: the sum of its detail lines there; from "
    "2014-15 early years and services for young people were reclassified into "
    "children's social care, so the series steps up that year",
    "s251_gross_total_per_child": "narrower scope in 2008-09 and 2009-10, as s251_gross_total",
    "population_0_17": "2009-10 to 2011-12 flagged age_17_estimated (age 17 = age 16 a year earlier); "
    "mid-2012 on is the post-2021-census series, a small break between 2011-12 and 2012-13",
    "cin_at_31_march": "2009-10 to 2011-12 flagged early_census (experimental, incomplete returns)",
    "placement_residential_independent": "harmonised across the 2020 change of placement categories",
    "placement_other": "harmonised; from 2024 supported accommodation registration moves children from "
    "independent living into other placements",
}
META = [
    ("area_level", "", "la (stable unit), region or england", ""),
    ("area_code", "", "stable unit id (a DfE LA number), region ONS code, or E92000001", ""),
    ("area_name", "", "unit, region or England name", ""),
    ("region_code", "", "ONS region code of the unit", ""),
    ("region_name", "", "region name", ""),
    ("year", "", "financial year, 1 April to 31 March, e.g. 2023-24; counts at 31 March 2024 sit in 2023-24", ""),
]


def describe(measure: str) -> tuple[str, str, str]:
    """(unit, description, source) of a panel measure; KeyError for one nobody described."""
    if measure in ACTIVITY:
        return ACTIVITY[measure]
    for family, (text, source) in SPENDING_FAMILIES.items():
        if measure.startswith(family + "_") and measure[len(family) + 1 :] in CATEGORY_TEXT:
            return "GBP (cash)", text.format(CATEGORY_TEXT[measure[len(family) + 1 :]]), source
    rate = re.fullmatch(r"(.+)_rate_per_10000", measure)
    if rate:
        unit, text, source = describe(
            rate.group(1)
            if rate.group(1) in ACTIVITY
            else {"cla": "cla_at_31_march", "cin": "cin_at_31_march", "cpp": "cpp_at_31_march"}.get(
                rate.group(1), rate.group(1)
            )
        )
        return "rate", f"{text}, {PER_10000}", source
    placement = re.fullmatch(r"placement_(.+?)(_pre2020|_2020on)?", measure)
    if placement and placement.group(1) in PLACEMENT_TEXT:
        period = {"_pre2020": " (2010-2019 categories)", "_2020on": " (2020-on categories)", None: ""}
        return (
            "children",
            f"children looked after at 31 March: {PLACEMENT_TEXT[placement.group(1)]}{period[placement.group(2)]}",
            PLACEMENT,
        )
    raise KeyError(f"no description for panel measure {measure!r}: add it to childspend/dictionary.py")


def build(panel: pd.DataFrame) -> pd.DataFrame:
    rows = [dict(column=c, unit=u, description=d, source=s, years_available="", notes="") for c, u, d, s in META]
    for measure in sorted(panel["measure"].unique()):
        unit, text, source = describe(measure)
        years = sorted(panel.loc[(panel["measure"] == measure) & panel["value"].notna(), "year"].unique())
        span = f"{years[0]} to {years[-1]} ({len(years)} years)" if years else "none"
        rows.append(
            dict(
                column=measure,
                unit=unit,
                description=text,
                source=source,
                years_available=span,
                notes=NOTES.get(measure, ""),
            )
        )
    return pd.DataFrame(rows)
