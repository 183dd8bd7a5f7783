"""LA reference parsing, stable units and which LAs operate in which year."""

from pathlib import Path

import pandas as pd
import pytest

from childspend.codes import ons_to_la_number
from childspend.errors import ConfigError
from childspend.panel.areas import areas_table, operating, read_areas, stable_units, units_from_areas
from childspend.sources import geography
from childspend.tables import write_csv

FIXTURES = Path(__file__).parent / "fixtures" / "geography"
CUMBRIA = {"909": {"name": "Cumbria", "members": [909, 942, 943]}}


@pytest.fixture
def geo():
    return geography.parse(FIXTURES / "las.csv", FIXTURES / "region_la_hierarchy.csv")


def test_reference_keeps_single_las_and_fills_2009_county_numbers(geo):
    assert "E06000063 / E06000064" not in set(geo["ons_code"])  # joint entry left out
    assert 702 not in set(geo["la_number"])  # forces overseas: no area
    assert ons_to_la_number(geo)["E10000010"] == 840  # Durham county continued as County Durham
    assert ons_to_la_number(geo)["E08000020"] == ons_to_la_number(geo)["E08000037"] == 390
    assert set(geo["region_name"]) == {"North East", "North West", "London"}


def test_merged_unit_covers_predecessor_and_successors(geo):
    units = stable_units(geo, CUMBRIA).set_index("la_number")
    assert units.loc[[909, 942, 943], "unit_id"].tolist() == ["909"] * 3
    assert units.loc[390, "unit_id"] == "390"  # recode: same unit
    assert units.loc[942, "unit_name"] == "Cumbria"


def test_merged_unit_with_unknown_member_is_a_config_error(geo):
    with pytest.raises(ConfigError, match="unknown LA number"):
        stable_units(geo, {"909": {"name": "Cumbria", "members": [909, 999]}})


def test_operating_follows_boundary_dates(geo):
    ops = operating(geo, ["2008-09", "2022-23", "2023-24"])
    by_year = ops.groupby("year")["la_number"].agg(set)
    assert 909 in by_year["2022-23"] and 909 not in by_year["2023-24"]
    assert {942, 943} <= by_year["2023-24"] and 942 not in by_year["2022-23"]
    assert 840 in by_year["2008-09"]  # via the Durham county code, operating before 2009


def test_isles_of_scilly_operates_before_its_2009_code(tmp_path):
    las = (
        FIXTURES / "las.csv"
    ).read_text() + "E06000053,Isles of Scilly,01/04/2009,,E12000009,E06,Unitary Authorities,live,420\n"
    regions = (
        FIXTURES / "region_la_hierarchy.csv"
    ).read_text() + "E12000009,South West,420,Isles of Scilly,E06000053\n"
    (tmp_path / "las.csv").write_text(las)
    (tmp_path / "regions.csv").write_text(regions)
    geo = geography.parse(tmp_path / "las.csv", tmp_path / "regions.csv")
    assert 420 in set(operating(geo, ["2008-09"])["la_number"])


def test_regions_are_found_however_a_file_spells_them():
    from childspend.codes import region_by_name

    assert region_by_name("NORTH EAST REGION") == ("E12000001", "North East")
    assert region_by_name("Yorkshire and Humber") == region_by_name("Yorkshire and the Humber")
    assert region_by_name("Inner London") is None


def test_areas_table_lists_units_with_members_and_years_then_regions_and_england(geo, tmp_path):
    years = ["2021-22", "2022-23", "2023-24"]
    units = stable_units(geo, CUMBRIA)
    areas = areas_table(geo, units, years)
    cumbria = areas.set_index("area_code").loc["909"]
    assert (cumbria["area_level"], cumbria["area_name"], cumbria["region_code"]) == ("la", "Cumbria", "E12000002")
    assert cumbria["members"] == "909;942;943"
    assert cumbria["member_years"] == "909 2021-22 to 2022-23; 942 2023-24 to 2023-24; 943 2023-24 to 2023-24"
    assert cumbria["ons_codes"] == "E06000063;E06000064"  # the members operating in the last year
    assert (cumbria["first_year"], cumbria["last_year"]) == ("2021-22", "2023-24")
    assert areas.set_index("area_code").loc["390", "ons_codes"] == "E08000037"  # Gateshead's newer code
    assert areas["area_level"].value_counts().to_dict() == {"la": 5, "region": 3, "england": 1}
    assert areas.iloc[-1]["area_code"] == "E92000001"
    # the panel rules read the units back from the written table
    write_csv(areas, tmp_path / "areas.csv")
    pd.testing.assert_frame_equal(units_from_areas(read_areas(tmp_path / "areas.csv")), units)
