"""CLA parser: hand-written files in the official layouts (underlying wide CSVs, EES tidy CSV,
dashboard .rds extract) and the real 2010 and 2025 files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadr
import pytest

from childspend.contracts import ACTIVITY, ACTIVITY_COLUMNS
from childspend.errors import LayoutError
from childspend.sources import cla

MIRROR = Path(__file__).resolve().parents[2] / "shared" / "data" / "dfe-cla"
needs_mirror = pytest.mark.skipif(not MIRROR.is_dir(), reason="official files not mirrored")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text.lstrip("\n"), encoding="utf-8-sig")
    return path


def parse(path: Path, period: str) -> pd.DataFrame:
    out = cla.parse(path, path.name, period)
    assert list(out.columns) == ACTIVITY_COLUMNS
    ACTIVITY.validate(out)
    return out


def cell(out: pd.DataFrame, measure: str, name: str, year: str | None = None) -> pd.Series:
    rows = out[(out["measure"] == measure) & (out["area_name"] == name)]
    if year is not None:
        rows = rows[rows["year"] == year]
    assert len(rows) == 1, rows
    return rows.iloc[0]


# ---- underlying data: SFR36_CLA2014.csv layout (columns cut down; trailing empty columns kept) ----
CLA_2014 = """
New_geog_code,geog_l,geog_c,geog_n,CLA_Mar2014,CLA_2014,CLA_stp2014,CLA_male,CLA_Fost,CLA_Adopt,CLA_Parent,CLA_Ocom,CLA_Secure,CLA_Ores,CLA_RSch,CLA_Miss,CLA_OthPl,CLA_ICO,CLA_UASC,CLA_NetGain ,,,
E92000001,NATIONAL,999,ENGLAND,68840,97950,3550,38040,51340,3580,3210,2250,6360,1050,840,160,50,6290,2050,0,,,
E12000001,REGION,A,NORTH EAST,4000,5800,200,2100,3000,250,300,150,200,50,30,10,10,400,20,0,,,
E13000001,REGION,H,INNER LONDON,2300,3500,10,1300,1500,60,100,200,300,40,20,50,30,200,400,0,,,
E09000001,LA,201,City of London,7,10,0,x,x,0,0,x,x,0,0,0,0,0,x,-3,,,
E09000007,LA,202,Camden,250,380,2,140,170,10,15,20,25,x,0,0,x,30,40,-20,,,
"""


def test_underlying_at_31_march(tmp_path):
    out = parse(write(tmp_path, "SFR36_CLA2014.csv", CLA_2014), "2014")
    assert set(out["year"]) == {"2013-14"}  # counts at 31 March 2014
    england = cell(out, "cla_at_31_march", "England")
    assert (england["value"], england["area_level"], england["ons_code"]) == (68840, "england", "E92000001")
    assert pd.isna(england["la_number"])
    region = cell(out, "cla_at_31_march", "North East")
    assert (region["area_level"], region["ons_code"], region["value"]) == ("region", "E12000001", 4000)
    assert "Inner London" not in set(out["area_name"].str.title())  # parts of London are not regions
    camden = cell(out, "cla_uasc_at_31_march", "Camden")
    assert (camden["la_number"], camden["ons_code"], camden["value"], camden["flag"]) == (202, "E09000007", 40, "")

    # pre-2020 types and the harmonised sums; a suppressed part leaves the sum missing, never partial
    assert cell(out, "placement_secure_homes_semi_independent_pre2020", "Camden")["value"] == 25
    assert cell(out, "placement_residential_independent", "Camden")["value"] == 25 + 20
    other = cell(out, "placement_other", "Camden")
    assert pd.isna(other["value"]) and other["flag"] == "x"
    foster = cell(out, "placement_foster", "City of London")
    assert pd.isna(foster["value"]) and foster["flag"] == "x"
    assert cell(out, "placement_other_pre2020", "England")["value"] == 160 + 50  # missing + other placements
    harmonised = out[(out["area_level"] == "england") & out["measure"].isin(cla.HARMONISED)]
    assert harmonised["value"].sum() == 68840
    assert set(out.loc[out["measure"].str.startswith("placement"), "unit"]) == {"count"}


def test_underlying_missing_column_is_a_layout_error(tmp_path):
    text = CLA_2014.replace("CLA_Fost,", "CLA_Foster,")
    with pytest.raises(LayoutError, match="CLA_Fost"):
        parse(write(tmp_path, "SFR36_CLA2014.csv", text), "2014")


def test_underlying_renamed_uasc_column_is_a_named_error_not_a_missing_year(tmp_path):
    text = CLA_2014.replace("CLA_UASC,", "CLA_UASChildren,")
    with pytest.raises(LayoutError) as err:
        parse(write(tmp_path, "SFR36_CLA2014.csv", text), "2014")
    message = str(err.value)
    assert "cla_uasc_at_31_march: no column matching" in message and "this one is for 2014" in message
    assert "CLA_UASChildren" in message and "WIDE_SERIES" in message


def test_underlying_rates_are_required_from_the_year_they_are_published(tmp_path):
    head = "New_geog_code,geog_l,geog_c,geog_n,CLA_started2015,CLA_started2016,CLA_started2017,CLA_started2018,CLA_started2019\n"
    rows = "E92000001,NATIONAL,999,ENGLAND,31360,32170,32940,32190,31680\n"
    with pytest.raises(LayoutError, match="cla_started_rate_per_10000: no column matching .* for 2019"):
        parse(write(tmp_path, "ADM2019.csv", head + rows), "2019")


def test_a_wrong_period_is_refused_not_a_shift_by_a_year(tmp_path):
    with pytest.raises(
        LayoutError,
        match=r"period '2015' .* year ending 31 March 2015, but its file name \(SFR36_CLA2014.csv\) says 2014",
    ):
        parse(write(tmp_path, "SFR36_CLA2014.csv", CLA_2014), "2015")
    # no year in the file name (2011's SFR21_CLA.csv): the column names tell
    with pytest.raises(LayoutError, match=r"but its column names \(latest year named\) says 2014"):
        parse(write(tmp_path, "SFR21_CLA.csv", CLA_2014), "2013")
    with pytest.raises(
        LayoutError, match=r"period 'release 2021' .* latest year is 2020-21, but the file's latest year is 2019-20"
    ):
        parse(write(tmp_path, "cla_number_and_rate_per_10k_children.csv", EES_HEAD + EES_ROWS), "release 2021")


def test_underlying_unknown_file_is_a_layout_error(tmp_path):
    path = write(
        tmp_path, "odd.csv", "New_geog_code,geog_l,geog_c,geog_n,CLA_Whatever\nE92000001,NATIONAL,999,ENGLAND,1\n"
    )
    with pytest.raises(LayoutError, match="no total column"):
        parse(path, "2014")


# ---- underlying data: 2010 at-31-March file, placement codes headed Q1, Q2, ... ----
HEAD_2010 = "geog_l,geog_c,geog_n,MarTotal_2010,Mid2009Pop0-17," + ",".join(
    f"MarPlace_{c}_2010"
    for c in [
        "Q1",
        "Q2",
        "A3",
        "A4",
        "A5",
        "A6",
        "P1",
        "P2",
        "P3",
        "K1",
        "K2",
        "H5",
        "R1",
        "R2",
        "R3",
        "R5",
        "S1",
        "M1",
        "M2",
        "M3",
        "Z1",
    ]
)
# England's real row: values in alphabetical order of the codes (A3, A4, ..., Z1), as DfE published it.
ENGLAND_2010_SORTED = "x,170,240,1800,1000,230,5000,x,30,80,4200,2300,10,7300,39900,540,120,190,130,1000,120"
SORTED_CODES = sorted(
    [
        "Q1",
        "Q2",
        "A3",
        "A4",
        "A5",
        "A6",
        "P1",
        "P2",
        "P3",
        "K1",
        "K2",
        "H5",
        "R1",
        "R2",
        "R3",
        "R5",
        "S1",
        "M1",
        "M2",
        "M3",
        "Z1",
    ]
)


@pytest.mark.parametrize("header_order", [False, True])
def test_underlying_2010_placement_codes(tmp_path, header_order):
    values = dict(zip(SORTED_CODES, ENGLAND_2010_SORTED.split(",")))
    codes = [c.split("_")[1] for c in HEAD_2010.split(",")[5:]]
    row = ",".join(values[c] for c in codes) if header_order else ENGLAND_2010_SORTED
    text = f"{HEAD_2010}\nNational,921,England,64400,11012300,{row}\nGOR,A,North East ,3650,524900,{row}\n"
    out = parse(write(tmp_path, "SFR27_2010_March.csv", text), "2010")
    assert set(out["year"]) == {"2009-10"}
    assert cell(out, "placement_foster_pre2020", "England")["value"] == 7300 + 39900  # Q1 + Q2
    # K1 + K2 + H5 (secure, homes, semi-independent) + P2 + P3 (independent living, residential employment)
    assert cell(out, "placement_residential_independent", "England")["value"] == 230 + 5000 + 1000 + 2300 + 10
    adoption = cell(out, "placement_adoption", "England")  # A3 is suppressed
    assert pd.isna(adoption["value"]) and adoption["flag"] == "x"
    assert cell(out, "cla_at_31_march", "North East")["ons_code"] == "E12000001"  # no ONS codes in 2010


def test_underlying_starters_years(tmp_path):
    # SFR34_ADM2015.csv heads its 2015 starters "CLA_started2014": a single-year file is about its own year.
    adm_2015 = write(
        tmp_path,
        "SFR34_ADM2015.csv",
        """
New_geog_code,geog_l,geog_c,geog_n,CLA_started2014,CLA_taken2014,SCLA_male
E92000001,NATIONAL,999,ENGLAND,31070,10790,17020
E09000007,LA,202,Camden,150,40,80
""",
    )
    out = parse(adm_2015, "2015")
    assert set(out["year"]) == {"2014-15"} and set(out["measure"]) == {"cla_started"}

    adm_2019 = write(
        tmp_path,
        "ADM2019.csv",
        """
LA_order,New_geog_code,geog_l,geog_c,geog_n,CLA_started2015,CLA_started2016,CLA_started2017,CLA_started2018,CLA_started2019,CLA_taken2019,Started_CLA_Rate2015,Started_CLA_Rate2016,Started_CLA_Rate2017,Started_CLA_Rate2018,Started_CLA_Rate2019
1,E92000001,NATIONAL,999,ENGLAND,31360,32170,32940,32190,31680,12000,27,28,28,27,26
95,E09000001,LA,201,City of London,c,7,9,11,14,0,.,64,80,95,110
""",
    )
    out = parse(adm_2019, "2019")
    assert sorted(out["year"].unique()) == ["2014-15", "2015-16", "2016-17", "2017-18", "2018-19"]
    assert cell(out, "cla_started", "England", "2018-19")["value"] == 31680
    city = cell(out, "cla_started", "City of London", "2014-15")
    assert pd.isna(city["value"]) and city["flag"] == "c"
    rate = cell(out, "cla_started_rate_per_10000", "City of London", "2014-15")
    assert pd.isna(rate["value"]) and rate["flag"] == "." and rate["unit"] == "rate_per_10000"


def test_underlying_leavers_ignores_age_columns(tmp_path):
    cea = write(
        tmp_path,
        "SFR36_CEA2014.csv",
        """
New_geog_code,geog_l,geog_c,geog_n,CLA_cease,CLA_cease16,CLA_ceamal
E92000001,NATIONAL,999,ENGLAND,30430,10310,16290
E09000007,LA,202,Camden,160,50,90
""",
    )
    out = parse(cea, "2014")
    assert set(out["measure"]) == {"cla_ceased"}  # not CLA_cease16 (aged 16 on leaving)
    assert cell(out, "cla_ceased", "Camden")["value"] == 160


# ---- EES cla_number_and_rate_per_10k_children.csv, up to the 2024 release ----
EES_HEAD = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,"
    "old_la_code,la_name,new_la_code,population_count,population_estimate,number,rate_per_10000"
)
AT_MARCH = "Children looked after at 31 March each year"
EES_ROWS = f"""
2020,Reporting year,National,E92000001,England,,,,,,{AT_MARCH},11800000,80000,67
2020,Reporting year,National,E92000001,England,,,,,,Children starting to be looked after each year,11800000,31010,26
2020,Reporting year,Regional,E92000001,England,E12000009,South West,,,,{AT_MARCH},1070000,6000,56
2020,Reporting year,Regional,E92000001,England,E13000001,Inner London,,,,{AT_MARCH},700000,4500,64
2019,Reporting year,Local authority,E92000001,England,E12000009,South West,837,Bournemouth,E06000028,{AT_MARCH},36373,251,68
2020,Reporting year,Local authority,E92000001,England,E12000009,South West,837,Bournemouth,E06000028,{AT_MARCH},z,z,z
2019,Reporting year,Local authority,E92000001,England,E12000009,South West,839,"Bournemouth, Christchurch and Poole",E06000058,{AT_MARCH},z,z,z
2020,Reporting year,Local authority,E92000001,England,E12000009,South West,839,"Bournemouth, Christchurch and Poole",E06000058,{AT_MARCH},81000,540,67
2020,Reporting year,Local authority,E92000001,England,E12000009,South West,420,Isles of Scilly,E06000053,{AT_MARCH},380,c,c
2020,Reporting year,Local authority,E92000001,England,E12000007,London,201,City of London,E09000001,Children ceasing to be looked after each year,x,6,x
2019,Reporting year,National,E92000001,England,,,,,,Children starting to be looked after each year,11700000,30970,26
2019,Reporting year,National,E92000001,England,,,,,,Children ceasing to be looked after each year,11700000,29460,25
"""


def test_ees_number_and_rate(tmp_path):
    out = parse(write(tmp_path, "cla_number_and_rate_per_10k_children.csv", EES_HEAD + EES_ROWS), "release 2020")
    assert sorted(out["year"].unique()) == ["2018-19", "2019-20"]
    assert cell(out, "cla_at_31_march", "England", "2019-20")["value"] == 80000
    assert cell(out, "cla_rate_per_10000", "England", "2019-20")["unit"] == "rate_per_10000"
    assert cell(out, "cla_started", "England", "2019-20")["value"] == 31010
    assert cell(out, "cla_at_31_march", "South West", "2019-20")["ons_code"] == "E12000009"
    assert "Inner London" not in set(out["area_name"])
    # Boundary change: Bournemouth until 31 March 2019, BCP from 1 April 2019 ("z" = did not exist)
    assert cell(out, "cla_at_31_march", "Bournemouth", "2018-19")["value"] == 251
    gone = cell(out, "cla_at_31_march", "Bournemouth", "2019-20")
    assert pd.isna(gone["value"]) and gone["flag"] == "z"
    bcp = out[(out["la_number"] == 839) & (out["measure"] == "cla_at_31_march")].set_index("year")
    assert pd.isna(bcp.loc["2018-19", "value"]) and bcp.loc["2018-19", "flag"] == "z"
    assert bcp.loc["2019-20", "value"] == 540 and bcp.loc["2019-20", "ons_code"] == "E06000058"
    scilly = cell(out, "cla_at_31_march", "Isles of Scilly", "2019-20")
    assert pd.isna(scilly["value"]) and scilly["flag"] == "c"
    city = cell(out, "cla_ceased_rate_per_10000", "City of London", "2019-20")
    assert pd.isna(city["value"]) and city["flag"] == "x"
    assert (out["value"] == 0).sum() == 0  # markers are never zeros


def test_ees_2025_column_names(tmp_path):
    head = EES_HEAD.replace("population_count", "population_type").replace(",number,", ",children_count,")
    rows = EES_ROWS.replace("looked after at 31 March", "looked after on 31 March")
    out = parse(write(tmp_path, "cla_number_and_rate_per_10k_children.csv", head + rows), "release 2020")
    assert cell(out, "cla_at_31_march", "England", "2019-20")["value"] == 80000


def test_ees_year_missing_a_population_is_a_named_error(tmp_path):
    rows = EES_ROWS.replace(
        "2019,Reporting year,National,E92000001,England,,,,,,Children ceasing to be looked after each year,11700000,29460,25\n",
        "",
    )
    with pytest.raises(LayoutError, match=r"year\(s\) without every expected value: \{'2018-19': \['cla_ceased'\]\}"):
        parse(write(tmp_path, "cla_number_and_rate_per_10k_children.csv", EES_HEAD + rows), "release 2020")


def test_ees_layout_errors(tmp_path):
    no_rate = EES_HEAD.replace(",rate_per_10000", "") + "\n2020,Reporting year,National,E92000001,England,,,,,,x,1,2\n"
    with pytest.raises(LayoutError, match="rate_per_10000"):
        parse(write(tmp_path, "a.csv", no_rate), "release 2020")
    odd = EES_HEAD + "\n2020,Reporting year,National,E92000001,England,,,,,,Children adopted,1,2,3\n"
    with pytest.raises(LayoutError, match="Children adopted"):
        parse(write(tmp_path, "b.csv", odd), "release 2020")


# ---- dashboard .rds extracts ----
def placement_frame() -> pd.DataFrame:
    """Rows shaped like placement_data.rds: one per area x year x characteristic, numbers as text."""
    counts = {
        "Foster placements": ("54820", "120"),
        "Placed for adoption": ("1660", "c"),
        "Placed with parents or other person with parental responsibility": ("4970", "10"),
        "Secure homes and children's homes": ("9480", "30"),
        "Independent and semi-independent living arrangements/supported accommodation": ("7520", "25"),
        "Other residential settings": ("1170", "c"),
        "Residential schools": ("100", "0"),
        "Other placements": ("2050", "c"),
        "Total": ("81770", "190"),
    }
    rows = []
    for characteristic, (england, camden) in counts.items():
        rows.append((2025, "National", "National", None, None, "Placement", characteristic, england))
        rows.append((2025, "Local authority", "Camden", "E09000007", 202, "Placement", characteristic, camden))
        rows.append(
            (
                2025,
                "Statistical neighbours (median)",
                "Statistical neighbours (median)",
                None,
                202,
                "Placement",
                characteristic,
                None,
            )
        )
        rows.append((2025, "Regional", "Inner London", None, None, "Placement", characteristic, "5"))
    rows.append((2025, "National", "National", None, None, "Distance between home and placement", "Total", "81770"))
    frame = pd.DataFrame(rows, columns=cla.RDS_PLACEMENT)
    text = pd.StringDtype("python")
    return frame.astype(
        {c: text for c in frame.columns if c not in ("time_period", "old_la_code")}
        | {"time_period": "Int32", "old_la_code": "Int32"}
    )


def test_rds_placements(tmp_path):
    path = tmp_path / "placement_data.rds"
    pyreadr.write_rds(path, placement_frame())
    out = parse(path, "release 2025")
    assert set(out["year"]) == {"2024-25"}
    assert set(out["area_name"]) == {"England", "Camden"}  # no medians, no Inner London
    assert cell(out, "placement_secure_childrens_homes_2020on", "England")["value"] == 9480
    assert cell(out, "placement_residential_independent", "England")["value"] == 9480 + 7520
    assert out.loc[(out["area_level"] == "england") & out["measure"].isin(cla.HARMONISED), "value"].sum() == 81770
    assert cell(out, "placement_residential_independent", "Camden")["value"] == 55
    other = cell(out, "placement_other", "Camden")  # other residential and other placements suppressed
    assert pd.isna(other["value"]) and other["flag"] == "c"
    assert cell(out, "placement_residential_schools_2020on", "Camden")["value"] == 0  # a real zero


def test_rds_year_missing_a_placement_type_is_a_named_error(tmp_path):
    frame = placement_frame()
    earlier = frame[frame["characteristic"] != "Residential schools"].assign(time_period=2024)
    path = tmp_path / "placement_data.rds"
    pyreadr.write_rds(path, pd.concat([earlier.astype(frame.dtypes), frame], ignore_index=True))
    with pytest.raises(LayoutError, match=r"'characteristic': .*\{'2023-24': \['Residential schools'\]\}"):
        parse(path, "release 2025")


def test_rds_uasc_keeps_one_copy_per_population(tmp_path):
    # combined_cla_31_march_data.rds repeats each area's characteristics once per population
    populations = [
        "Children ceasing to be looked after each year",
        "Children looked after on 31 March each year",
        "Children starting to be looked after each year",
    ]
    areas = [("National", "National", None, None, None), ("Camden", "Local authority", "E09000007", 202, "Camden")]
    rows = [
        (
            g,
            2025,
            level,
            None,
            None,
            code,
            la,
            name,
            p,
            "Unaccompanied asylum-seeking children",
            ch,
            ("6540" if g == "National" else "c") if ch == "UASC" else "81770",
        )
        for p in populations
        for g, level, code, la, name in areas
        for ch in ["UASC", "Total"]
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "geo_breakdown",
            "time_period",
            "geographic_level",
            "region_code",
            "region_name",
            "new_la_code",
            "old_la_code",
            "la_name",
            "population_count",
            "cla_group",
            "characteristic",
            "cla_31_march_number",
        ],
    )
    text = pd.StringDtype("python")
    frame = frame.astype(
        {c: text for c in frame.columns if c not in ("time_period", "old_la_code")}
        | {"time_period": "Int32", "old_la_code": "Int32"}
    )
    path = tmp_path / "combined_cla_31_march_data.rds"
    pyreadr.write_rds(path, frame)
    out = parse(path, "release 2025")
    assert len(out) == 2 and set(out["measure"]) == {"cla_uasc_at_31_march"}
    assert cell(out, "cla_uasc_at_31_march", "England")["value"] == 6540
    assert cell(out, "cla_uasc_at_31_march", "Camden")["flag"] == "c"
    frame.loc[0, "cla_31_march_number"] = "6541"  # copies that disagree
    with pytest.raises(LayoutError, match="differ"):
        cla.rds_uasc(frame, path)


# ---- the real files ----
@pytest.mark.e2e
@needs_mirror
def test_real_2025_release():
    out = parse(MIRROR / "ees-2025-release" / "cla_number_and_rate_per_10k_children.csv", "release 2025")
    assert sorted(out["year"].unique()) == ["2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]
    assert cell(out, "cla_at_31_march", "England", "2024-25")["value"] == pytest.approx(81770, rel=0.005)
    assert cell(out, "cla_rate_per_10000", "England", "2024-25")["value"] == pytest.approx(67, abs=1)
    la = out[(out["measure"] == "cla_at_31_march") & (out["year"] == "2024-25") & (out["area_level"] == "la")]
    assert la["value"].sum() == pytest.approx(81770, abs=20)  # LA counts vs England rounded to 10


@pytest.mark.e2e
@needs_mirror
def test_real_2025_placements():
    out = parse(MIRROR / "ees-2025-release" / "placement_data.rds", "release 2025")
    england = out[(out["area_level"] == "england") & (out["year"] == "2024-25")].set_index("measure")["value"]
    assert england["placement_foster"] == 54820
    assert england[list(cla.HARMONISED)].sum() == 81770
    assert not out["la_number"].isin([909, 928]).any()  # Cumbria, Northamptonshire: left out, not zero


@pytest.mark.e2e
@needs_mirror
def test_real_2013_file_with_its_uasc_column_renamed_stops(tmp_path):
    text = (MIRROR / "underlying-2013" / "SFR36_CLA2013.csv").read_bytes().replace(b",CLA_UASC,", b",CLA_Uasc_2013,", 1)
    path = tmp_path / "SFR36_CLA2013.csv"
    path.write_bytes(text)
    with pytest.raises(LayoutError, match=r"cla_uasc_at_31_march: no column matching .*CLA_Uasc_2013"):
        parse(path, "2013")


@pytest.mark.e2e
@needs_mirror
@pytest.mark.parametrize(
    "name, period", [("underlying-2013/SFR36_CLA2013.csv", "2012"), ("underlying-2011/SFE21_ADM.csv", "2012")]
)
def test_real_file_with_a_wrong_period_is_refused(name, period):
    with pytest.raises(LayoutError, match=rf"period '{period}' .*every value would move by a year"):
        parse(MIRROR / name, period)


@pytest.mark.e2e
@needs_mirror
def test_real_2010_placement_columns_relabelled():
    out = parse(MIRROR / "underlying-2010" / "SFR27_2010_March.csv", "2010")
    assert cell(out, "placement_foster", "England")["value"] == 47200
    assert cell(out, "cla_at_31_march", "England")["value"] == pytest.approx(64460, rel=0.005)
