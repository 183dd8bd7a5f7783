"""The model frame: one population vintage spliced back, sums of units at every level, ratios of sums."""

from pathlib import Path

import pandas as pd
import pytest

from childspend.contracts import ACTIVITY
from childspend.models.frame import model_frame
from childspend.models.population import spliced_population
from childspend.panel.areas import areas_table, stable_units
from childspend.sources import geography

FIXTURES = Path(__file__).parent / "fixtures" / "geography"
YEARS = ["2011-12", "2012-13", "2013-14"]
INTERVENTION = {"early": ["early_years"], "late": ["children_looked_after"]}


@pytest.fixture
def geo():
    return geography.parse(FIXTURES / "las.csv", FIXTURES / "region_la_hierarchy.csv")


@pytest.fixture
def units(geo):
    return stable_units(geo, {"909": {"name": "Cumbria", "members": [909, 942, 943]}})


def population_rows(source, values):
    """ACTIVITY rows of population_0_17: ``values`` maps (LA number, year) to a count."""
    rows = [
        dict(
            source=source,
            year=year,
            area_level="la",
            la_number=la,
            ons_code="",
            area_name=str(la),
            measure="population_0_17",
            value=v,
            unit="people",
            flag="" if v == v else "x",
        )
        for (la, year), v in values.items()
    ]
    return ACTIVITY.validate(pd.DataFrame(rows))


def test_older_releases_are_scaled_to_the_newest_at_the_first_year_both_cover(geo, units):
    las = (201, 202, 390, 840, 909)
    new = population_rows("population_2025", {(la, y): 100.0 for la in las for y in ("2012-13", "2013-14")})
    old = population_rows("population_2022", {(la, y): 110.0 for la in las for y in ("2011-12", "2012-13")})
    # the newest release suppresses one value; the older one gives it
    new.loc[(new["la_number"] == 201) & (new["year"] == "2013-14"), ["value", "flag"]] = [float("nan"), "x"]
    old = pd.concat([old, population_rows("population_2022", {(201, "2013-14"): 121.0})], ignore_index=True)
    out, vintage = spliced_population(pd.concat([new, old], ignore_index=True), geo, units, YEARS)
    out = out.set_index(["area_code", "year"])
    assert out.loc[("202", "2012-13"), ["value", "flag"]].tolist() == [100.0, ""]
    # 110 x 100/110 at the overlap year 2012-13
    assert out.loc[("202", "2011-12"), "value"] == pytest.approx(100.0)
    assert out.loc[("202", "2011-12"), "flag"] == "spliced:population_2022"
    assert out.loc[("201", "2013-14"), "value"] == pytest.approx(121.0 * 100 / 110)
    assert "Census 2021-based (population_2025)" in vintage and "population_2022" in vintage


def test_frame_levels_are_sums_of_units_and_ratios_are_over_the_units_with_both_parts(geo, units):
    areas = areas_table(geo, units, YEARS)
    year = "2013-14"
    cla = {"201": 10.0, "202": 20.0, "390": 30.0, "840": 40.0, "909": float("nan")}
    spend = {"201": 1e6, "202": 2e6, "390": 3e6, "840": 4e6, "909": 5e6}
    la = areas[areas["area_level"] == "la"].set_index("area_code")
    panel = pd.DataFrame(
        [
            dict(
                area_level="la",
                area_code=code,
                year=year,
                measure="cla_at_31_march",
                value=v,
                flag="" if v == v else "c",
            )
            for code, v in cla.items()
        ]
    )
    money = pd.DataFrame(
        [
            dict(
                area_level="la",
                area_code=code,
                year=year,
                measure=f"s251_gross_{cat}",
                value=v / 2,
                value_real=v,
                flag="",
                price_base="2024-25 prices (test)",
            )
            for code, v in spend.items()
            for cat in ("children_looked_after", "early_years", "total")
        ]
    )
    population = pd.DataFrame([dict(area_code=code, year=year, value=1000.0, flag="") for code in la.index])
    frame = model_frame(panel, money, population, "test vintage", areas, INTERVENTION)
    value = frame.set_index(["area_code", "year", "measure"])["value"]
    flag = frame.set_index(["area_code", "year", "measure"])["flag"]
    # London: City of London and Camden; England: the four units with a count (Cumbria's is missing)
    assert value[("E12000007", year, "cla_at_31_march")] == 30.0
    assert value[("E92000001", year, "cla_at_31_march")] == 100.0
    assert flag[("E92000001", year, "cla_at_31_march")] == "incomplete"
    # England's rate and unit cost are over the four units with a count: their children and their spending
    assert value[("E92000001", year, "cla_rate_per_10000")] == pytest.approx(100 / 4000 * 1e4)
    assert value[("E92000001", year, "cla_spend_per_cla")] == pytest.approx(10e6 / 100)
    assert flag[("E92000001", year, "cla_rate_per_10000")] == "incomplete"
    assert flag[("E92000001", year, "cla_spend_per_cla")] == "incomplete"
    assert value[("E92000001", year, "s251_gross_total_per_child")] == pytest.approx(15e6 / 5000)  # every unit
    assert flag[("E92000001", year, "s251_gross_total_per_child")] == ""
    assert value[("E92000001", year, "late_intervention")] == 15e6
    assert value[("E92000001", year, "late_intervention_cash")] == 7.5e6
    # the identity spend = population x rate x unit cost holds for a unit and for a complete level
    for area in ("201", "E12000007"):
        rebuilt = (
            value[(area, year, "population_0_17")]
            * value[(area, year, "cla_rate_per_10000")]
            / 1e4
            * value[(area, year, "cla_spend_per_cla")]
        )
        assert rebuilt == pytest.approx(value[(area, year, "s251_gross_children_looked_after")])
    assert pd.isna(value[("909", year, "cla_spend_per_cla")]) and flag[("909", year, "cla_spend_per_cla")] == "c"
    assert set(frame["population_vintage"]) == {"test vintage"}
