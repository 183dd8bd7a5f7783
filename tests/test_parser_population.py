"""Population parser: hand-made DfE and Nomis CSVs in the official layouts, and the real mirror files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from childspend.contracts import ACTIVITY, ACTIVITY_COLUMNS
from childspend.errors import LayoutError
from childspend.sources import population

MIRROR = Path(__file__).resolve().parents[2] / "shared" / "data" / "ons-population"

# DfE CIN release layout. Mid-2018 has Bournemouth and the old Dorset county, suppressed "x" as in
# the 2025 release; mid-2019 has BCP and the new Dorset unitary (a new code and DfE number).
DFE_HEADER = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,new_la_code,la_name,age_group,population_estimate"
)
DFE_ROWS = """\
2019,Reporting year,National,E92000001,England,,,,,,Children aged 0 to 17 years,11790492
2019,Reporting year,Regional,E92000001,England,E12000009,South West,,,,Children aged 0 to 17 years,1118321
2019,Reporting year,Regional,E92000001,England,E13000001,Inner London,,,,Children aged 0 to 17 years,600000
2019,Reporting year,Local authority,E92000001,England,E12000009,South West,839,E06000058,"Bournemouth, Christchurch and Poole",Children aged 0 to 17 years,75568
2019,Reporting year,Local authority,E92000001,England,E12000009,South West,838,E06000059,Dorset,Children aged 0 to 17 years,67868
2018,Reporting year,National,E92000001,England,,,,,,Children aged 0 to 17 years,11755593
2018,Reporting year,Local authority,E92000001,England,E12000009,South West,837,E06000028,Bournemouth,Children aged 0 to 17 years,x
2018,Reporting year,Local authority,E92000001,England,E12000009,South West,835,E10000009,Dorset,Children aged 0 to 17 years,x
2018,Reporting year,Local authority,E92000001,England,E12000007,London,201,E09000001,City of London,Children aged 0 to 17 years,1132
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def row(table, year, code, measure=population.MEASURE):
    found = table[(table["year"] == year) & (table["ons_code"] == code) & (table["measure"] == measure)]
    assert len(found) == 1, found
    return found.iloc[0]


@pytest.fixture
def dfe(tmp_path):
    # The 2022 release starts with a byte-order mark.
    path = write(tmp_path, "ons_mid-year_population_estimates.csv", "\ufeff" + DFE_HEADER + "\n" + DFE_ROWS)
    return population.parse(path, "pop_dfe", "2025")


def test_dfe_contract_and_year_alignment(dfe):
    assert list(dfe.columns) == ACTIVITY_COLUMNS
    ACTIVITY.validate(dfe)
    assert set(dfe["measure"]) == {"population_0_17"} and set(dfe["unit"]) == {"people"}
    # The mid-2019 estimate is the denominator for 31 March 2020, i.e. financial year 2019-20.
    assert sorted(dfe["year"].unique()) == ["2018-19", "2019-20"]
    assert row(dfe, "2019-20", "E92000001")["value"] == 11_790_492


def test_dfe_areas_and_boundary_change(dfe):
    england = row(dfe, "2019-20", "E92000001")
    assert (england["area_level"], england["area_name"]) == ("england", "England")
    assert pd.isna(england["la_number"])
    inner = row(dfe, "2019-20", "E13000001")
    assert (inner["area_level"], inner["area_name"]) == ("region", "Inner London")
    bcp = row(dfe, "2019-20", "E06000058")
    assert (bcp["la_number"], bcp["area_name"], bcp["value"]) == (839, "Bournemouth, Christchurch and Poole", 75568)
    assert row(dfe, "2019-20", "E06000059")["la_number"] == 838
    old_dorset = row(dfe, "2018-19", "E10000009")
    assert old_dorset["la_number"] == 835
    assert pd.isna(old_dorset["value"]) and old_dorset["flag"] == "x"
    assert (dfe["flag"] != "").sum() == 2


def test_dfe_missing_column(tmp_path):
    text = (DFE_HEADER + "\n" + DFE_ROWS).replace("old_la_code", "la_code")
    with pytest.raises(LayoutError, match=r"estimates\.csv.*'old_la_code'"):
        population.parse(write(tmp_path, "ons_mid-year_population_estimates.csv", text), "x", "2025")


# Nomis layout: one block per age band, each with a title, Gender/Age lines and a header row.
# Two English LAs on April-2021 boundaries (North Northamptonshire exists from 2009 here) and one
# Welsh LA, which must be dropped. Every band has the value 10 x the LA's digit except age 16.
NOMIS_AGE_16 = {"E06000061": (100, 110, 120), "E06000001": (50, 55, 60), "W06000015": (7, 7, 7)}


def nomis_block(age: str, values) -> str:
    lines = [
        "",
        '"Population estimates - local authority based by single year of age"',
        '"ONS Crown Copyright Reserved [from Nomis on 5 October 2022]"',
        '"Gender     :","Total"',
        f'"Age        :","{age}"',
        "",
        '"local authority: county / unitary (as of April 2021)","mnemonic","2010","2011","2012"',
        "",
    ]
    names = {"E06000061": "North Northamptonshire", "E06000001": "Hartlepool", "W06000015": "Cardiff"}
    lines += [f'"{names[code]}","{code}",' + ",".join(map(str, v)) for code, v in values.items()]
    return "\n".join(lines + ["", ""]) + "\n"


def nomis_text(bands=("Age 0 - 4", "Aged 5-9", "Aged 10-14", "Age 15", "Age 16")) -> str:
    blocks = []
    for age in bands:
        values = NOMIS_AGE_16 if age == "Age 16" else {c: (1000, 1000, 1000) for c in NOMIS_AGE_16}
        blocks.append(nomis_block(age, values))
    return "".join(blocks)


@pytest.fixture
def nomis(tmp_path):
    return population.parse(write(tmp_path, "nomis_popest.csv", nomis_text()), "pop_nomis", "2022-10-05")


def test_nomis_age_17_is_last_years_age_16(nomis):
    ACTIVITY.validate(nomis)
    # mid-2011: four bands of 1000 + age 16 (110) + age 17 = age 16 in mid-2010 (100).
    assert row(nomis, "2011-12", "E06000061")["value"] == 4000 + 110 + 100
    # mid-2010 is the file's first year: age 17 = age 16 of the same year.
    assert row(nomis, "2010-11", "E06000061")["value"] == 4000 + 100 + 100
    assert row(nomis, "2011-12", "E06000001")["value"] == 4000 + 55 + 50
    # From mid-2012 the DfE file is the series; Nomis is kept under its own measure for comparison.
    later = row(nomis, "2012-13", "E06000061", population.NOMIS_OVERLAP_MEASURE)
    assert later["value"] == 4000 + 120 + 110
    assert set(nomis.loc[nomis["year"] == "2012-13", "measure"]) == {population.NOMIS_OVERLAP_MEASURE}


def test_nomis_keeps_english_las_only(nomis):
    assert set(nomis["ons_code"]) == {"E06000061", "E06000001"}
    assert set(nomis["area_level"]) == {"la"} and nomis["la_number"].isna().all()
    assert row(nomis, "2010-11", "E06000061")["area_name"] == "North Northamptonshire"
    assert (nomis["flag"] == "").all()


def test_nomis_single_band_file_is_refused(tmp_path):
    path = write(tmp_path, "popest-16.csv", nomis_text(bands=("Age 16",)))
    with pytest.raises(LayoutError, match=r"popest-16\.csv.*age bands"):
        population.parse(path, "x", "2023")


def test_nomis_marked_cell_is_missing_not_zero(tmp_path):
    text = nomis_text().replace('"Hartlepool","E06000001",50,55,60', '"Hartlepool","E06000001",50,..,60')
    table = ACTIVITY.validate(population.parse(write(tmp_path, "nomis_popest.csv", text), "x", "2022"))
    # Age 16 in mid-2011 is both part of mid-2011 and age 17 of mid-2012.
    for year, measure in [("2011-12", population.MEASURE), ("2012-13", population.NOMIS_OVERLAP_MEASURE)]:
        marked = row(table, year, "E06000001", measure)
        assert pd.isna(marked["value"]) and marked["flag"] == ".."
    assert row(table, "2010-11", "E06000001")["value"] == 4000 + 50 + 50


def test_nomis_area_missing_from_a_block(tmp_path):
    text = nomis_text().replace('"Hartlepool","E06000001",50,55,60\n', "")
    with pytest.raises(LayoutError, match="missing from some age blocks"):
        population.parse(write(tmp_path, "nomis_popest.csv", text), "x", "2022")


def test_unknown_layout(tmp_path):
    with pytest.raises(LayoutError, match="first line"):
        population.parse(write(tmp_path, "other.csv", "a,b\n1,2\n"), "x", "2022")


@pytest.mark.e2e
@pytest.mark.skipif(not MIRROR.exists(), reason=f"official files not in {MIRROR}")
def test_real_files_join_up():
    dfe25 = ACTIVITY.validate(
        population.parse(
            MIRROR / "dfe-cin-2025-release" / "ons_mid-year_population_estimates_2012_to_2024.csv", "dfe25", "2025"
        )
    )
    dfe22 = ACTIVITY.validate(
        population.parse(MIRROR / "dfe-cin-2022-release" / "ons_mid-year_population_estimates.csv", "dfe22", "2022")
    )
    nomis = ACTIVITY.validate(population.parse(MIRROR / "nomis-2009-2020" / "nomis_popest.csv", "nomis", "2022"))

    england = dfe25[dfe25["area_level"] == "england"].set_index("year")["value"]
    assert england["2023-24"] == 12_059_476 and england["2012-13"] == 11_403_970
    las = dfe25[dfe25["area_level"] == "la"]
    assert las.groupby("year")["ons_code"].nunique().to_dict()["2024-25"] == 153
    # Bournemouth, Poole and the old Dorset are "x" in mid-2012..2018 of the 2025 release only.
    assert (dfe25["flag"] == "x").sum() == 21 and (dfe22["flag"] != "").sum() == 0

    assert sorted(nomis.loc[nomis["measure"] == "population_0_17", "year"].unique()) == [
        "2009-10",
        "2010-11",
        "2011-12",
    ]
    assert nomis.groupby("year")["ons_code"].nunique().eq(152).all()
    # Age-17 method against the DfE 0-17 figures of the same ONS vintage (2022 release), mid-2012.
    estimate = nomis[nomis["year"] == "2012-13"].set_index("ons_code")["value"]
    truth = dfe22[(dfe22["year"] == "2012-13") & (dfe22["area_level"] == "la")].set_index("ons_code")["value"]
    truth = truth.rename({"E10000002": "E06000060"})  # Buckinghamshire: same area, new code
    common = estimate.index.intersection(truth.index)
    assert len(common) >= 146  # all but Northamptonshire and Bournemouth/Poole/Dorset
    assert abs(estimate[common].sum() / truth[common].sum() - 1) < 0.001
    error = (estimate[common] / truth[common] - 1).abs()
    # Within 1% everywhere but the two smallest: Isles of Scilly (~370 children) and City of London (~700).
    assert error.drop(["E06000053", "E09000001"]).max() < 0.01 and error.max() < 0.05
    # England mid-2011 (Nomis) to mid-2012 (DfE): a step of well under 1%.
    assert abs(england["2012-13"] / nomis[nomis["year"] == "2011-12"]["value"].sum() - 1) < 0.01
