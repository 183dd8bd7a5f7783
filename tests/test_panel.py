"""Spending panel: stable units, explicit gaps and flagged totals, on small hand-made tables."""

from pathlib import Path

import pandas as pd
import pytest

from childspend.contracts import SPENDING
from childspend.panel.areas import stable_units
from childspend.panel.exclusions import ExclusionLog
from childspend.panel.spending import build_spending_panel
from childspend.panel.units import resolve_la_numbers, wide
from childspend.sources import geography

FIXTURES = Path(__file__).parent / "fixtures" / "geography"
YEARS = ["2017-18", "2022-23", "2023-24"]


def rows(source, year, category, measure, unit, values):
    """SPENDING rows: ``values`` maps an LA number (or 'england') to a value."""
    out = []
    for area, value in values.items():
        la = area != "england"
        out.append(
            dict(
                source=source,
                year=year,
                area_level="la" if la else "england",
                la_number=area if la else None,
                ons_code="",
                area_name=str(area),
                line="line text",
                category=category,
                measure=measure,
                value=value,
                unit=unit,
                flag="" if value == value else "c",
            )
        )
    return SPENDING.validate(pd.DataFrame(out))


@pytest.fixture
def geo():
    return geography.parse(FIXTURES / "las.csv", FIXTURES / "region_la_hierarchy.csv")


@pytest.fixture
def units(geo):
    return stable_units(geo, {"909": {"name": "Cumbria", "members": [909, 942, 943]}})


def build(geo, units, a1, lait, revenue):
    return build_spending_panel({"s251_a1": a1, "lait": lait, "revenue_outturn": revenue}, geo, units, YEARS)


@pytest.fixture
def sources():
    everyone = {201: 1.0, 202: 2.0, 390: 3.0, 840: 4.0}
    a1 = pd.concat(
        [
            rows("s251_a1_2017-18", "2017-18", "total", "gross_expenditure", "GBP", {**everyone, 909: 5.0}),
            rows("s251_a1_2017-18", "2017-18", "total", "net_expenditure", "GBP", {**everyone, 909: 4.0}),
        ]
    )
    lait = pd.concat(
        [
            rows("lait_2025-05-28", "2022-23", "total", "gross_expenditure", "GBP", {**everyone, 909: 50.0}),
            rows("lait_2026-04-08", "2022-23", "total", "gross_expenditure", "GBP", {**everyone, 909: 6.0}),
            # 2023-24: Westmorland and Furness reported, Cumberland not
            rows("lait_2026-04-08", "2023-24", "total", "gross_expenditure", "GBP", {**everyone, 943: 7.0}),
        ]
    )
    revenue = rows(
        "ro3_2017-18",
        "2017-18",
        "total",
        "net_current_expenditure",
        "GBP thousand",
        {201: 1.0, 202: float("nan"), 390: 3.0, 840: 4.0, 909: 5.0, "england": 14.0},
    )
    return a1, lait, revenue


def value(panel, area, year, measure):
    row = panel[(panel["area_code"] == area) & (panel["year"] == year) & (panel["measure"] == measure)]
    assert len(row) == 1
    return row.iloc[0]


def test_newest_lait_vintage_wins(geo, units, sources):
    panel, _ = build(geo, units, *sources)
    assert value(panel, "909", "2022-23", "s251_gross_total")["value"] == 6.0
    assert value(panel, "909", "2022-23", "s251_gross_total")["source"] == "lait_2026-04-08"


def test_unit_missing_a_member_is_missing_not_understated(geo, units, sources):
    panel, log = build(geo, units, *sources)
    cumbria = value(panel, "909", "2023-24", "s251_gross_total")
    assert pd.isna(cumbria["value"]) and cumbria["flag"] == "member_missing"
    assert log["reason"].str.contains(r"member LA\(s\) \[942\] not reported").any()
    england = value(panel, "E92000001", "2023-24", "s251_gross_total")
    assert england["flag"] == "incomplete"
    assert (england["units_expected"], england["units_reporting"]) == (5, 4)
    assert england["value"] == 10.0


def test_complete_england_total_reconciles_with_units(geo, units, sources):
    panel, _ = build(geo, units, *sources)
    england = value(panel, "E92000001", "2017-18", "s251_gross_total")
    assert england["flag"] == "" and england["value"] == 15.0


def test_revenue_outturn_converted_to_gbp_and_suppressed_stays_missing(geo, units, sources):
    panel, _ = build(geo, units, *sources)
    assert value(panel, "390", "2017-18", "csc_net_total")["value"] == 3000.0
    camden = value(panel, "202", "2017-18", "csc_net_total")
    assert pd.isna(camden["value"]) and camden["flag"] == "c"
    assert value(panel, "E92000001", "2017-18", "csc_net_total")["flag"] == "incomplete"


def test_years_a_source_does_not_cover_are_no_data_never_zero(geo, units, sources):
    panel, _ = build(geo, units, *sources)
    net = value(panel, "201", "2023-24", "s251_net_total")
    assert pd.isna(net["value"]) and net["flag"] == "no_data"


def test_wide_panel_has_one_row_per_area_and_year(geo, units, sources):
    panel, _ = build(geo, units, *sources)
    table = wide(panel)
    assert not table.duplicated(["area_level", "area_code", "year"]).any()
    assert len(table[table["area_level"] == "la"]) == units["unit_id"].nunique() * len(YEARS)
    assert {"s251_gross_total", "csc_net_total"} <= set(table.columns)


def test_empty_rows_for_las_not_operating_are_dropped_not_counted_missing(geo, units, sources):
    a1, lait, revenue = sources
    # a file that keeps a "-" row for Cumbria county after its abolition, as LAIT does
    ghost = rows("lait_2026-04-08", "2023-24", "total", "gross_expenditure", "GBP", {909: float("nan")})
    panel, log = build(geo, units, a1, pd.concat([lait, ghost]), revenue)
    assert value(panel, "909", "2023-24", "s251_gross_total")["flag"] == "member_missing"  # still 942
    assert log["reason"].str.contains("empty row for an LA not operating").any()
    complete = rows("lait_2026-04-08", "2023-24", "total", "gross_expenditure", "GBP", {942: 8.0})
    panel, _ = build(geo, units, a1, pd.concat([lait, ghost, complete]), revenue)
    assert value(panel, "909", "2023-24", "s251_gross_total")["value"] == 15.0


def test_unit_reported_on_later_boundaries_is_complete(geo, units, sources):
    a1, lait, revenue = sources
    # a file on 2023 boundaries: Cumberland and Westmorland and Furness for 2022-23, when Cumbria
    # county still existed; together they cover the unit
    later = rows("lait_2026-04-08", "2022-23", "early_years", "gross_expenditure", "GBP", {942: 1.0, 943: 2.0})
    panel, log = build(geo, units, a1, pd.concat([lait, later]), revenue)
    assert value(panel, "909", "2022-23", "s251_gross_early_years")["value"] == 3.0
    assert log["reason"].str.contains(r"another year's boundaries: LAs \[942, 943\]").any()


def test_names_resolve_when_a_file_has_no_codes(geo):
    table = rows("dep_2019", "2019-20", "total", "gross_expenditure", "GBP", {201: 1.0, 202: 2.0})
    table["la_number"] = pd.array([None, None], dtype="Int64")
    table["area_name"] = ["City of London", "Gateshead"]
    log = ExclusionLog()
    resolved = resolve_la_numbers(table, geo, log)
    assert resolved["la_number"].tolist() == [201, 390]
    table["area_name"] = ["Atlantis", "Gateshead"]
    assert resolve_la_numbers(table, geo, log)["la_number"].tolist() == [390]
    assert (log.frame()["area"] == "Atlantis").any()


def test_a_year_no_source_covers_is_warned_and_logged_not_padded_silently(caplog):
    from childspend.panel.join import empty_years

    long = pd.DataFrame(
        {"year": ["2023-24", "2024-25", "2025-26", "2025-26"], "value": [1.0, 2.0, float("nan"), float("nan")]}
    )
    with caplog.at_level("WARNING"):
        padded = empty_years(long).frame()
    assert padded[["stage", "year", "rows"]].values.tolist() == [["panel", "2025-26", 2]]
    assert padded["reason"].iloc[0] == "year in config years that no source covers: padded with no_data"
    assert "years ['2025-26'] are in config years but no pinned source has a value" in caplog.text
    assert "sources cover 2023-24 to 2024-25" in caplog.text
    assert empty_years(long.iloc[:2]).frame().empty
