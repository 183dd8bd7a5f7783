"""Activity panel: latest release with fallback, weighted means of merged units, rates over
units with both parts, published England figures, deciles and quality notes."""

from pathlib import Path

import pandas as pd
import pytest

from childspend.contracts import ACTIVITY, ACTIVITY_COLUMNS
from childspend.panel.activity import SOURCES, add_quality_notes, build_activity_panel
from childspend.panel.areas import stable_units
from childspend.sources import geography

FIXTURES = Path(__file__).parent / "fixtures" / "geography"
YEARS = ["2022-23", "2023-24"]


def rows(source, year, measure, unit, values):
    out = [
        dict(
            source=source,
            year=year,
            area_level="england" if a == "england" else "la",
            la_number=None if a == "england" else a,
            ons_code="",
            area_name=str(a),
            measure=measure,
            value=v,
            unit=unit,
            flag="" if v == v else "x",
        )
        for a, v in values.items()
    ]
    return ACTIVITY.validate(pd.DataFrame(out))


@pytest.fixture
def geo():
    return geography.parse(FIXTURES / "las.csv", FIXTURES / "region_la_hierarchy.csv")


def build(geo, tables):
    """The activity stage on ``tables`` (all given as the first source family; the stage pools
    the families' rows, so which family a table comes under does not matter)."""
    units = stable_units(geo, {"909": {"name": "Cumbria", "members": [909, 942, 943]}})
    empty = ACTIVITY.validate(pd.DataFrame(columns=ACTIVITY_COLUMNS))
    families = {name: empty for name in SOURCES} | {SOURCES[0]: pd.concat(tables, ignore_index=True)}
    return build_activity_panel(families, geo, units, YEARS)


def value(panel, area, year, measure):
    row = panel[(panel["area_code"] == area) & (panel["year"] == year) & (panel["measure"] == measure)]
    assert len(row) == 1
    return row.iloc[0]


POP = {201: 1000.0, 202: 3000.0, 390: 2000.0, 840: 4000.0}


def test_latest_release_wins_and_falls_back_where_it_suppresses(geo):
    old = rows("cla_2022_x", "2022-23", "cla_at_31_march", "count", {201: 5.0, 202: 7.0, 390: 9.0, 840: 1.0, 909: 2.0})
    new = rows(
        "cla_2023_x", "2022-23", "cla_at_31_march", "count", {201: float("nan"), 202: 8.0, 390: 9.0, 840: 1.0, 909: 2.0}
    )
    panel, log = build(geo, [old, new])
    assert value(panel, "202", "2022-23", "cla_at_31_march")["value"] == 8.0
    city = value(panel, "201", "2022-23", "cla_at_31_march")
    assert (city["value"], city["flag"]) == (5.0, "earlier_release")
    assert log["reason"].str.contains("earlier release").any()


def test_merged_unit_score_is_population_weighted(geo):
    pop = rows("population_2025", "2023-24", "population_0_17", "people", {**POP, 942: 100.0, 943: 300.0})
    imd = rows(
        "deprivation_2019",
        "2023-24",
        "imd_average_score",
        "score",
        {201: 10.0, 202: 20.0, 390: 30.0, 840: 40.0, 942: 10.0, 943: 20.0},
    )
    panel, _ = build(geo, [pop, imd])
    assert value(panel, "909", "2023-24", "imd_average_score")["value"] == pytest.approx(17.5)
    assert not panel["measure"].str.contains("__").any()
    # England: population-weighted over all units
    weights = {**POP, 909: 400.0}
    scores = {201: 10.0, 202: 20.0, 390: 30.0, 840: 40.0, 909: 17.5}
    expected = sum(weights[k] * scores[k] for k in scores) / sum(weights.values())
    assert value(panel, "E92000001", "2023-24", "imd_average_score")["value"] == pytest.approx(expected)


def test_rates_use_units_with_both_parts_and_flag_incomplete_totals(geo):
    pop = rows("population_2025", "2023-24", "population_0_17", "people", {**POP, 942: 100.0, 943: 300.0})
    cla = rows(
        "cla_2025",
        "2023-24",
        "cla_at_31_march",
        "count",
        {201: 1.0, 202: 3.0, 390: 2.0, 840: float("nan"), 942: 1.0, 943: 1.0},
    )
    panel, _ = build(geo, [pop, cla])
    assert value(panel, "202", "2023-24", "cla_rate_per_10000")["value"] == pytest.approx(10.0)
    durham = value(panel, "840", "2023-24", "cla_rate_per_10000")
    assert pd.isna(durham["value"]) and durham["flag"] == "x"
    england = value(panel, "E92000001", "2023-24", "cla_rate_per_10000")
    assert england["value"] == pytest.approx((1 + 3 + 2 + 2) / (1000 + 3000 + 2000 + 400) * 1e4)
    assert (england["flag"], england["units_reporting"], england["units_expected"]) == ("incomplete", 4, 5)


def test_england_counts_are_the_published_national_figures(geo):
    cla = rows(
        "cla_2025",
        "2023-24",
        "cla_at_31_march",
        "count",
        {201: 1.0, 202: float("nan"), 390: 2.0, 840: 3.0, 942: 1.0, 943: 1.0, "england": 10.0},
    )
    panel, _ = build(geo, [cla])
    england = value(panel, "E92000001", "2023-24", "cla_at_31_march")
    assert (england["value"], england["flag"], england["source"]) == (10.0, "published_total", "cla_2025")


def test_imd_deciles_put_the_most_deprived_in_decile_one(geo):
    pop = rows("population_2025", "2023-24", "population_0_17", "people", {**POP, 942: 100.0, 943: 300.0})
    imd = rows(
        "deprivation_2019",
        "2023-24",
        "imd_average_score",
        "score",
        {201: 10.0, 202: 20.0, 390: 30.0, 840: 40.0, 942: 50.0, 943: 50.0},
    )
    panel, _ = build(geo, [pop, imd])
    assert value(panel, "909", "2023-24", "imd_decile")["value"] == 1
    assert value(panel, "201", "2023-24", "imd_decile")["value"] == 9  # five units: deciles 1, 3, 5, 7, 9
    # the decile is a complete grid: no edition is no_data, and regions and England have none
    assert value(panel, "201", "2022-23", "imd_decile")["flag"] == "no_data"
    england = value(panel, "E92000001", "2023-24", "imd_decile")
    assert pd.isna(england["value"]) and england["flag"] == "not_applicable"


def test_quality_notes_mark_present_values_only(geo):
    years = pd.DataFrame(
        {
            "area_level": "la",
            "area_code": "201",
            "year": ["2010-11", "2010-11"],
            "measure": ["cin_at_31_march", "cin_at_31_march"],
            "value": [5.0, float("nan")],
            "flag": ["", "c"],
        }
    )
    noted = add_quality_notes(years)
    assert noted["flag"].tolist() == ["early_census", "c"]
