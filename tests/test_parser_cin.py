"""CIN parser: hand-written CSVs in the EES (2025 release) and underlying-data (2010, 2014) layouts,
and the real 2025 release."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from childspend.contracts import ACTIVITY, ACTIVITY_COLUMNS
from childspend.errors import LayoutError
from childspend.sources import cin

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "dfe-cin" / "ees-2025-release"

EES_HEAD = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
    "old_la_code,new_la_code,la_name,category,"
)
# b1 as in the 2025 release. The 2019 -> 2020 boundary change (Bournemouth 837 and Poole 836 with old
# Dorset 835 -> Bournemouth, Christchurch and Poole 839 and new Dorset 838), Cumberland (942, new in
# 2024), and the markers: Hampshire 2024 "u" (low reliability), Isles of Scilly "c", Hackney "x",
# plus "z", "k" and ".." cells and a real zero.
B1 = (
    EES_HEAD
    + """Anypoint_episodes,Anypoint_child,Started_episodes,Started_child,Ended_episodes,Ended_child,At31_episodes,awaiting_assessment
2019,Reporting year,National,E92000001,England,,,,,,Children in Need,762330,708840,408880,381920,362830,342960,399510,25080
2019,Reporting year,Regional,E92000001,England,E12000009,South West,,,,Children in Need,1,1,1,1,1,1,36000,1
2019,Reporting year,Local authority,E92000001,England,E12000009,South West,837,E06000028,Bournemouth,Children in Need,1,1,1,1,1,1,1351,1
2019,Reporting year,Local authority,E92000001,England,E12000009,South West,836,E06000029,Poole,Children in Need,1,1,1,1,1,1,1103,1
2019,Reporting year,Local authority,E92000001,England,E12000009,South West,835,E10000009,Dorset,Children in Need,1,1,1,1,1,1,2712,1
2020,Reporting year,National,E92000001,England,,,,,,Children in Need,760330,706830,408310,381020,371070,349500,389260,17710
2020,Reporting year,Regional,E92000001,England,E12000009,South West,,,,Children in Need,1,1,1,1,1,1,35000,1
2020,Reporting year,Local authority,E92000001,England,E12000009,South West,839,E06000058,"Bournemouth, Christchurch and Poole",Children in Need,1,1,1,1,1,1,2281,c
2020,Reporting year,Local authority,E92000001,England,E12000009,South West,838,E06000059,Dorset,Children in Need,1,1,1,1,1,1,2854,1
2024,Reporting year,National,E92000001,England,,,,,,Children in Need,1,1,1,1,1,1,399460,1
2024,Reporting year,Regional,E92000001,England,E13000001,Inner London,,,,Children in Need,1,1,1,1,1,1,30000,1
2024,Reporting year,Local authority,E92000001,England,E12000002,North West,942,E06000063,Cumberland,Children in Need,1,1,1,1,1,1,1771,1
2024,Reporting year,Local authority,E92000001,England,E12000008,South East,850,E10000014,Hampshire,Children in Need,u,u,u,u,u,u,u,u
2024,Reporting year,Local authority,E92000001,England,E12000009,South West,420,E06000053,Isles of Scilly,Children in Need,1,1,1,1,1,1,c,1
2024,Reporting year,Local authority,E92000001,England,E13000001,Inner London,204,E09000012,Hackney,Children in Need,x,x,x,x,x,x,x,x
2024,Reporting year,Local authority,E92000001,England,E12000007,London,201,E09000001,City of London,Children in Need,1,1,1,1,1,1,0,1
2024,Reporting year,Local authority,E92000001,England,E12000001,North East,841,E06000005,Darlington,Children in Need,1,1,1,1,1,1,z,1
2024,Reporting year,Local authority,E92000001,England,E12000001,North East,840,E06000047,County Durham,Children in Need,1,1,1,1,1,1,k,1
2024,Reporting year,Local authority,E92000001,England,E12000001,North East,805,E06000001,Hartlepool,Children in Need,1,1,1,1,1,1,..,1
"""
)
# c4 as in the 2025 release (its empty codes are quoted).
C4 = (
    EES_HEAD
    + """Section47,Section47_child,ICPC,ICPC_child,Duration_0-10_days,Duration_11-15_days,Duration_16-20_days,Duration_21+_days,Duration_25th_Percentile,Duration_median,Duration_75th_Percentile
2025,Reporting year,National,E92000001,England,"","",,"","",Section 47s and Initial Child Protection Conferences,230590,195250,72100,71070,6240,52430,6430,6990,13,14,15
2025,Reporting year,Regional,E92000001,England,E12000001,North East,,"","",Section 47s and Initial Child Protection Conferences,13180,11390,5180,5090,230,4080,500,380,13,14,15
2025,Reporting year,Local authority,E92000001,England,E12000007,London,201,E09000001,City of London,Section 47s and Initial Child Protection Conferences,c,c,c,c,c,c,c,c,z,z,z
2025,Reporting year,Local authority,E92000001,England,E12000002,North West,943,E06000064,Westmorland and Furness,Section 47s and Initial Child Protection Conferences,"1,234",1100,250,240,20,200,20,10,13,14,15
2013,Reporting year,Local authority,E92000001,England,E12000006,East of England,926,E10000020,Norfolk,Section 47s and Initial Child Protection Conferences,x,x,x,x,x,x,x,x,x,x,x
"""
)

WIDE_HEAD_2014 = (
    "geog_l,geog_c,new_la_code,geog_n,CINThro1314,CINAt310314,CINThroRatePer10K,CINAt310314RatePer10K,"
    "CINAt310314DCI,Referrals1314,Referrals1314Rate,ReferralsWithin12mths1314,S471314,S47Rate1314,"
    "ICPCin1314,ICPCRate1314,ICPC0-10days1314,CPPStart1314,CPPStartRate1314,CPPStart1314SecondTime,"
    "CPPAt310314,CPPAt310314Rate,CPPat310314For3mths"
)
# The 2014 underlying file: England's new_la_code is Isle of Wight's E06000046 in the real file.
WIDE_2014 = (
    WIDE_HEAD_2014
    + """
National,,E06000046,England,"708,800",397600,616,346.4,,657800,573,150000,142490,124.1,65190,56.8,1,59800,52.1,9000,48300,42.1,30000
LA,202,E09000007,Camden,2000,1200,500,300.5,3,2100,520.1,300,700,160.2,300,70.3,1,250,60.1,40,200,48.2,100
LA,420,E06000053,Isles Of Scilly,10,x,500,x,3,12,100.2,1,x,x,x,x,x,x,x,x,0,0,0
LA,908,E06000052,Cornwall,8000,3500,600,350.2,..,..,..,..,2500,240.1,600,60.2,1,500,50.3,50,400,40.4,200
LA,921,E06000046,Isle of Wight,3000,900,900,360.1,2,1500,600.7,200,800,320.3,200,80.1,1,150,60.3,10,100,40.2,80
"""
)
# The 2010 underlying file: no ONS codes, England coded 921 like Isle of Wight, an undated CIN
# rate, and no rates for section 47s, ICPCs or plans started.
WIDE_2010 = """geog_l,geog_c,geog_n,CINThro0910,CINAt310310,CINRatePer10K,Referrals0910,Referrals0910Rate,S47in0910,ICPCin0910,CPPIn0910,CPPCeased0910,CPPAt310310,CPPAt310310RatePer10k,CPPin0910SecondTime
National,921,England,"694,000","375,900",341,"603,700",548,"87,700","43,100","44,300","40,000","39,100",36,"5,000"
LA,201,City of London,20,10,50,30,70,x,x,x,x,x,x,x
LA,921,Isle of Wight,1500,800,300,1400,500,..,..,200,180,150,50,20
"""


def write(text: str, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def parse(text: str, tmp_path: Path, name: str, period: str) -> pd.DataFrame:
    table = cin.parse(write(text, tmp_path, name), "cin_test", period)
    assert list(table.columns) == ACTIVITY_COLUMNS
    return ACTIVITY.validate(table)


@pytest.fixture
def b1(tmp_path):
    return parse(B1, tmp_path, "b1_children_in_need_2013_to_2025.csv", "release 2025")


def cell(table, year, area, measure):
    row = table[(table["year"] == year) & (table["area_name"] == area) & (table["measure"] == measure)]
    assert len(row) == 1, (year, area, measure)
    return row.iloc[0]


def test_ees_year_alignment_and_measures(b1):
    # time_period 2024 is "at 31 March 2024": financial year 2023-24.
    assert sorted(b1["year"].unique()) == ["2018-19", "2019-20", "2023-24"]
    assert set(b1["measure"]) == {"cin_at_31_march"} and set(b1["unit"]) == {"count"}
    assert set(b1["source"]) == {"cin_test"}
    assert cell(b1, "2023-24", "England", "cin_at_31_march")["value"] == 399_460
    assert cell(b1, "2023-24", "Cumberland", "cin_at_31_march")["value"] == 1771
    assert len(b1) == B1.count("\n") - 1  # one measure per row; no rate column in the 2025 release


def test_ees_area_levels(b1):
    areas = b1.drop_duplicates(["area_name", "area_level"]).set_index("area_name")
    assert areas.loc["England", ["area_level", "ons_code"]].tolist() == ["england", "E92000001"]
    assert areas.loc["South West", ["area_level", "ons_code"]].tolist() == ["region", "E12000009"]
    assert areas.loc["Inner London", ["area_level", "ons_code"]].tolist() == ["region", "E13000001"]
    assert areas.loc[["England", "South West", "Inner London"], "la_number"].isna().all()
    bcp = areas.loc["Bournemouth, Christchurch and Poole"]
    assert (bcp["area_level"], bcp["la_number"], bcp["ons_code"]) == ("la", 839, "E06000058")
    assert str(b1["la_number"].dtype) == "Int64"


def test_ees_boundary_change(b1):
    las = b1[b1["area_level"] == "la"].groupby("year")["la_number"].apply(set)
    assert las["2018-19"] == {835, 836, 837}
    assert las["2019-20"] == {838, 839}
    # Both Dorsets keep the name; the LA number and ONS code tell them apart.
    dorset = b1[b1["area_name"] == "Dorset"].set_index("year")
    assert dorset.loc["2018-19", ["la_number", "ons_code"]].tolist() == [835, "E10000009"]
    assert dorset.loc["2019-20", ["la_number", "ons_code"]].tolist() == [838, "E06000059"]


def test_ees_markers(b1):
    for area, flag in [
        ("Hampshire", "u"),
        ("Isles of Scilly", "c"),
        ("Hackney", "x"),
        ("Darlington", "z"),
        ("County Durham", "k"),
        ("Hartlepool", ".."),
    ]:
        row = cell(b1, "2023-24", area, "cin_at_31_march")
        assert pd.isna(row["value"]) and row["flag"] == flag, area
    zero = cell(b1, "2023-24", "City of London", "cin_at_31_march")
    assert (zero["value"], zero["flag"]) == (0.0, "")
    assert (b1["flag"] == "").eq(b1["value"].notna()).all()


def test_ees_section47_and_icpc(tmp_path):
    c4 = parse(C4, tmp_path, "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv", "release 2025")
    assert set(c4["measure"]) == {"section47_enquiries", "icpc"}
    assert cell(c4, "2024-25", "England", "section47_enquiries")["value"] == 230_590
    assert cell(c4, "2024-25", "England", "icpc")["value"] == 72_100
    assert cell(c4, "2024-25", "Westmorland and Furness", "section47_enquiries")["value"] == 1234
    assert cell(c4, "2024-25", "North East", "icpc")["area_level"] == "region"
    suppressed = cell(c4, "2024-25", "City of London", "icpc")
    assert pd.isna(suppressed["value"]) and suppressed["flag"] == "c"
    assert cell(c4, "2012-13", "Norfolk", "section47_enquiries")["flag"] == "x"
    # children counts and durations are not kept
    assert len(c4) == 2 * 5


def test_ees_published_rates_are_kept(tmp_path):
    # The 2022 release puts "<count>_rate" beside the count.
    raw = pd.read_csv(io.StringIO(B1), dtype=str, keep_default_na=False)
    raw.insert(raw.columns.get_loc("At31_episodes") + 1, "At31_episodes_rate", "321.5")
    path = tmp_path / "b1_children_in_need_2013_to_2022.csv"
    raw.to_csv(path, index=False)
    table = ACTIVITY.validate(cin.parse(path, "cin_test", "release 2022"))
    rates = table[table["measure"] == "cin_at_31_march_rate"]
    assert set(rates["unit"]) == {"rate_per_10000"} and len(rates) == len(table) / 2
    assert cell(table, "2019-20", "England", "cin_at_31_march_rate")["value"] == 321.5


def test_wide_2014(tmp_path):
    table = parse(WIDE_2014, tmp_path, "SFR43-2014.csv", "2014")
    assert set(table["year"]) == {"2013-14"}
    assert set(table["measure"]) == set(cin.WIDE_COUNTS) | set(cin.WIDE_RATES)
    england = table[table["area_level"] == "england"]
    # England carries Isle of Wight's ONS code in the file; it must not become an LA.
    assert set(england["ons_code"]) == {"E92000001"} and england["la_number"].isna().all()
    assert cell(table, "2013-14", "England", "cin_at_31_march")["value"] == 397_600
    assert cell(table, "2013-14", "England", "cin_at_31_march_rate")[["value", "unit"]].tolist() == [
        346.4,
        "rate_per_10000",
    ]
    assert cell(table, "2013-14", "England", "icpc")["value"] == 65_190
    assert cell(table, "2013-14", "England", "cpp_started")["value"] == 59_800
    wight = cell(table, "2013-14", "Isle of Wight", "section47_enquiries")
    assert (wight["area_level"], wight["la_number"], wight["ons_code"], wight["value"]) == ("la", 921, "E06000046", 800)
    scilly = cell(table, "2013-14", "Isles Of Scilly", "cin_at_31_march")
    assert pd.isna(scilly["value"]) and scilly["flag"] == "x"
    assert cell(table, "2013-14", "Cornwall", "referrals")["flag"] == ".."
    assert cell(table, "2013-14", "Isles Of Scilly", "cpp_at_31_march")[["value", "flag"]].tolist() == [0.0, ""]
    assert len(table) == 5 * 12


def test_wide_2010_early_layout(tmp_path):
    table = parse(WIDE_2010, tmp_path, "osr28-2010ud.csv", "2010")
    assert set(table["year"]) == {"2009-10"} and set(table["year"]) <= set(cin.EARLY_CENSUS_YEARS)
    # 2010 publishes only three rates; the others are not computed.
    assert set(table["measure"]) == set(cin.WIDE_COUNTS) | {
        "cin_at_31_march_rate",
        "referrals_rate",
        "cpp_at_31_march_rate",
    }
    levels = table.drop_duplicates("area_name").set_index("area_name")
    # England and Isle of Wight share geog_c 921: the level comes from geog_l.
    assert levels.loc["England", "area_level"] == "england" and pd.isna(levels.loc["England", "la_number"])
    assert levels.loc["Isle of Wight", ["area_level", "la_number", "ons_code"]].tolist() == ["la", 921, ""]
    assert cell(table, "2009-10", "England", "cin_at_31_march")["value"] == 375_900
    assert cell(table, "2009-10", "England", "cpp_started")["value"] == 44_300
    assert cell(table, "2009-10", "Isle of Wight", "icpc")["flag"] == ".."


def test_missing_ees_column(tmp_path):
    text = B1.replace(",At31_episodes,", ",At31_total,")
    with pytest.raises(LayoutError, match=r"b1_x\.csv.*\['At31_episodes'\].*found"):
        cin.parse(write(text, tmp_path, "b1_x.csv"), "cin_test", "release 2025")
    text = C4.replace("old_la_code", "la_code")
    with pytest.raises(LayoutError, match=r"c4_x\.csv.*old_la_code"):
        cin.parse(write(text, tmp_path, "c4_x.csv"), "cin_test", "release 2025")


def test_missing_wide_column(tmp_path):
    text = WIDE_2014.replace(",S471314,", ",S47Children1314,")
    with pytest.raises(LayoutError, match=r"SFR43-2014\.csv: section47_enquiries.*S47.*found none.*S47Children1314"):
        cin.parse(write(text, tmp_path, "SFR43-2014.csv"), "cin_test", "2014")


def test_wide_year_must_match_period(tmp_path):
    with pytest.raises(LayoutError, match=r"Referrals1314.*2015"):
        cin.parse(write(WIDE_2014, tmp_path, "SFR43-2014.csv"), "cin_test", "2015")


def test_unknown_ees_table(tmp_path):
    text = B1.replace("Children in Need,", "Factors identified at the end of assessment,")
    with pytest.raises(LayoutError, match=r"category.*factors identified"):
        cin.parse(write(text, tmp_path, "c3.csv"), "cin_test", "release 2025")


@pytest.mark.e2e
@pytest.mark.skipif(not REAL.exists(), reason="needs the official mirror in ../shared/data")
def test_real_2025_release():
    files = {
        "section47_enquiries": "c4_children_in_need_section_47s_and_icpcs_2013_to_2025.csv",
        "cpp_at_31_march": "d5_cpps_at31march_by_duration_2013_to_2025.csv",
    }
    for measure, name in files.items():
        table = ACTIVITY.validate(cin.parse(REAL / name, "cin_release_2025", "release 2025"))
        assert sorted(table["year"].unique()) == [f"{y}-{(y + 1) % 100:02d}" for y in range(2012, 2025)]
        rows = table[table["measure"] == measure]
        england = rows[rows["area_level"] == "england"].set_index("year")["value"]
        assert england.notna().all() and england["2024-25"] > 0, measure
        las = rows[rows["area_level"] == "la"]
        assert las.loc[las["year"] == "2024-25", "la_number"].nunique() == 153
        la_sum = las.groupby("year")["value"].sum()
        # England is rounded to 10 and imputes LAs that did not report ("x", "u"): compare the
        # years where only small suppressed ("c") cells are missing.
        complete = las.groupby("year")["flag"].apply(lambda f: set(f) <= {"", "c"})
        gap = (la_sum / england - 1).abs()
        assert complete["2024-25"] and gap["2024-25"] < 0.005, measure
        assert (gap[complete] < 0.005).all(), (measure, gap[complete].max())


def test_a_renamed_rate_is_a_named_error_from_the_year_it_is_published(tmp_path):
    renamed = WIDE_2014.replace("ICPCRate1314", "ICPCRatePer10k1314")
    with pytest.raises(LayoutError, match=r"icpc_rate: expected one column .*published from 2012 \(this file: 2014\)"):
        parse(renamed, tmp_path, "2014.csv", "2014")
    # 2010 never published it: its absence is the layout of that year, not a loss
    table = parse(WIDE_2010, tmp_path, "2010.csv", "2010")
    assert "icpc_rate" not in set(table["measure"]) and "referrals_rate" in set(table["measure"])
