"""What the models say in a profile, on small hand-made model outputs with known answers: the
unit tables (sources, units in £, exclusions and their reasons), the period a unit shows and the
sentences written from the numbers."""

from __future__ import annotations

import math

import pandas as pd

from childspend.reports import profile_model_page, profile_model_plots, profile_models, profile_page

BASE = "2024-25 prices (GDP deflator, ONS YBGB)"
CONFIG = {
    "identities": {
        "cla_spend": {
            "label": "children looked after spending",
            "quantity": "s251_gross_children_looked_after",
            "unit": "GBP, real terms",
            "scale": 1.0e-4,
            "factors": {
                "population": "population_0_17",
                "rate": "cla_rate_per_10000",
                "unit_cost": "cla_spend_per_cla",
            },
        },
        "cla_number": {
            "label": "children looked after at 31 March",
            "quantity": "cla_at_31_march",
            "unit": "children",
            "scale": 1.0e-4,
            "factors": {"population": "population_0_17", "rate": "cla_rate_per_10000"},
        },
    }
}


def values(rows):
    """(area_code, year, measure, source) -> the profile's long values (level la, basis value)."""
    return pd.DataFrame(rows, columns=["area_code", "year", "measure", "source"]).assign(
        area_level="la", basis="value", value=1.0, flag=""
    )


POPULATION = pd.DataFrame(
    {
        "area_code": ["301", "301", "302"],
        "year": ["2010-11", "2024-25", "2024-25"],
        "source": ["pop_a", "pop_b", "pop_b"],
    }
)


def decomposition(area, quantity, parts, unit="GBP, real terms"):
    total = sum(parts.values())
    return pd.DataFrame(
        [
            dict(area_level="la", area_code=area, area_name=area, quantity=quantity, from_year="2010-11",
                 to_year="2024-25", component=c, value=v, unit=unit, share_of_change=v / total)
            for c, v in {**parts, "total": total}.items()
        ]
    )  # fmt: skip


def test_the_decomposition_table_keeps_each_units_parts_and_says_why_a_unit_is_left_out():
    decomposed = pd.concat(
        [
            decomposition("301", "cla_spend", {"population": 2e6, "rate": 3e6, "unit_cost": 5e6}),
            decomposition("301", "cla_number", {"population": 10, "rate": 30}, unit="children"),
            decomposition("E92000001", "cla_spend", {"population": 1, "rate": 1, "unit_cost": 1}).assign(
                area_level="england"
            ),
        ]
    )
    exclusions = pd.DataFrame(
        [dict(area_level="la", area_code="302", area_name="b", quantity="cla_spend", from_year="2010-11",
              to_year="2024-25", status="excluded", reason="cla_at_31_march missing in 2024-25 (flag c)")]
    )  # fmt: skip
    panel = values(
        [
            ("301", "2010-11", "s251_gross_children_looked_after", "s251_a1_2010-11"),
            ("301", "2024-25", "s251_gross_children_looked_after", "lait"),
            ("301", "2024-25", "cla_at_31_march", "cla_2025"),
            ("301", "2017-18", "cla_at_31_march", "cla_2018"),  # neither year of the period
            ("301", "2024-25", "cin_at_31_march", "cin_2025"),  # not a measure of the identity
        ]
    )
    table = profile_models.decomposition_table(decomposed, exclusions, panel, POPULATION, CONFIG, BASE)
    assert set(table["area_code"]) == {"301", "302"}  # units only
    own = table[(table["area_code"] == "301") & (table["quantity"] == "cla_spend")]
    assert own["component"].tolist() == ["total", "population", "rate", "unit_cost"]
    assert own["value"].tolist() == [10e6, 2e6, 3e6, 5e6]
    assert set(own["unit"]) == {f"£, {BASE}"} and set(own["status"]) == {"decomposed"}
    assert set(own["source"]) == {"cla_2025;lait;pop_a;pop_b;s251_a1_2010-11"}
    counts = table[(table["area_code"] == "301") & (table["quantity"] == "cla_number")]
    assert set(counts["unit"]) == {"children"} and set(counts["source"]) == {"cla_2025;pop_a;pop_b"}
    left = table[table["area_code"] == "302"].iloc[0]
    assert (left["component"], left["status"], left["unit"]) == ("total", "excluded", f"£, {BASE}")
    assert left["reason"] == "cla_at_31_march missing in 2024-25 (flag c)" and math.isnan(left["value"])


def test_money_units_are_written_in_pounds_with_the_price_base():
    assert profile_models.pounds("GBP, real terms", BASE) == f"£, {BASE}"
    assert profile_models.pounds("GBP, cash", BASE) == "£ (cash)"
    assert profile_models.pounds(f"GBP per child, {BASE}", BASE) == f"£ per child, {BASE}"
    assert profile_models.pounds("children", BASE) == "children"


def test_the_needs_table_covers_every_unit_and_year_and_names_why_a_unit_was_not_fitted():
    fit = pd.DataFrame(
        {
            "year": ["2023-24", "2024-25"],
            "sample": ["unit LAs: 1 council; excluded 201 City of London: mean child population 719, under 5,000"] * 2,
        }
    )
    needs = pd.DataFrame(
        {"area_code": ["301", "301"], "year": ["2023-24", "2024-25"], "actual": [900.0, 1300.0],
         "predicted": [1000.0, 1000.0], "lower": [800.0, 800.0], "upper": [1200.0, 1200.0],
         "position": ["within", "above"], "unit": f"GBP per child, {BASE}"}
    )  # fmt: skip
    sources = pd.DataFrame({"area_code": ["301"], "year": ["2024-25"], "source": ["lait"]})
    table = profile_models.needs_table(needs, fit, ["201", "301", "302"], sources, BASE)
    assert len(table) == 6
    city = table[table["area_code"] == "201"]
    assert set(city["reason"]) == {"mean child population 719, under 5,000"} and city["actual"].isna().all()
    assert set(table.loc[table["area_code"] == "302", "reason"]) == {"not in the year's fit (a value missing)"}
    own = table[table["area_code"] == "301"].set_index("year")
    assert own.loc["2024-25", "position"] == "above" and own.loc["2024-25", "source"] == "lait"
    assert own.loc["2023-24", "source"] == "" and set(table["unit"]) == {f"£ per child, {BASE}"}
    assert profile_models.excluded_from_fit(fit["sample"].iloc[0], "301") == ""


def test_the_projection_table_puts_the_outturn_before_each_scenarios_projection():
    projections = pd.DataFrame(
        {"scenario": ["recent", "flat", "recent"], "area_level": ["la", "la", "region"],
         "area_code": ["301", "301", "E12000001"], "year": "2025-26", "quantity": "cla_at_31_march",
         "point": [110.0, 100.0, 5.0], "p2_5": [80.0, 85.0, 1.0], "p10": [90.0, 90.0, 1.0], "p50": [108.0, 100.0, 1.0],
         "p90": [130.0, 115.0, 1.0], "p97_5": [150.0, 125.0, 1.0], "bands_n": [1000, 1000, 70],
         "unit": "children", "method": "rate x projected children aged 0-17", "origin": "2024-25"}
    )  # fmt: skip
    panel = values(
        [
            ("301", "2009-10", "cla_at_31_march", "cla_2010"),  # before the history shown
            ("301", "2023-24", "cla_at_31_march", "cla_2024"),
            ("301", "2024-25", "cla_at_31_march", "cla_2025"),
        ]
    )
    sources = profile_models.unit_sources(panel, POPULATION, ["cla_at_31_march", "population_0_17"])
    table = profile_models.projection_table(
        projections, panel, sources, "2010-11", {"recent": "Recent trend", "flat": "Flat"}, "recent", BASE
    )
    assert set(table["area_code"]) == {"301"}
    recent = table[table["scenario"] == "recent"]
    assert recent["kind"].tolist() == ["outturn", "outturn", "projection"]
    assert recent["year"].tolist() == ["2023-24", "2024-25", "2025-26"]
    assert recent["headline"].all() and not table.loc[table["scenario"] == "flat", "headline"].any()
    assert set(table["label"]) == {"Recent trend", "Flat"}
    assert set(table["source"]) == {"cla_2024;cla_2025;pop_a;pop_b"}  # not the year before the history


def page(**tables):
    empty = dict.fromkeys(
        ["indicators", "values", "composition", "placements", "flags", "neighbours", "model_decomposition",
         "model_needs", "model_projection"], pd.DataFrame()
    )  # fmt: skip
    return profile_page.Profile(area="301", name="Barnet", region="London", members=pd.Series(["Barnet"], index=["301"]),
                                facts={}, sources={}, csv_dir=None, csv_href="301", **(empty | tables))  # fmt: skip


def periods():
    """cla_spend over two periods: left out of the longer one; cla_number over the longer one."""
    longer = pd.DataFrame(
        [dict(area_code="301", quantity="cla_spend", from_year="2010-11", to_year="2024-25", component="total",
              value=math.nan, share_of_change=math.nan, unit=f"£, {BASE}", status="excluded",
              reason="s251_gross_children_looked_after missing in 2024-25 (flag -)")]
    )  # fmt: skip
    shorter = decomposition("301", "cla_spend", {"population": 2e6, "rate": -1e6, "unit_cost": 19e6})
    shorter = shorter.assign(to_year="2023-24", unit=f"£, {BASE}", status="decomposed", reason="")
    counts = decomposition("301", "cla_number", {"population": 10, "rate": 30}, unit="children")
    rows = pd.concat([longer, shorter, counts.assign(status="decomposed", reason="")], ignore_index=True)
    return rows.assign(label=rows["quantity"].map({q: spec["label"] for q, spec in CONFIG["identities"].items()}))


def test_a_unit_shows_its_longest_decomposed_period_and_says_why_a_longer_one_left_it_out():
    rows, skipped = profile_model_page.decomposition_period(periods(), "cla_spend")
    assert set(rows["to_year"]) == {"2023-24"} and len(rows) == 4
    assert skipped == ["2010-11 to 2024-25: s251_gross_children_looked_after missing in 2024-25 (flag -)"]
    sentences = profile_model_page.decomposition_sentences(page(model_decomposition=periods()))
    assert sentences[0] == (
        "Barnet is left out of the decomposition of children looked after spending over 2010-11 to 2024-25: "
        "s251_gross_children_looked_after missing in 2024-25 (flag -)."
    )
    assert sentences[1].startswith(
        f"Of the £20.0m rise in children looked after spending in Barnet from 2010-11 to 2023-24 (real terms, {BASE})"
    )
    assert "population aged 0-17 +£2.0m (10% of the change)" in sentences[1]
    assert "rate per child -£1.0m (-5% of the change)" in sentences[1]
    assert "unit cost +£19.0m (95% of the change)" in sentences[1]
    assert profile_model_page.share(math.nan) == "–" and profile_model_page.share(-0.05) == "-5%"  # no change: no share
    # the chart draws the money identities split by population, rate and unit cost only
    assert list(profile_model_page.spending_parts(page(model_decomposition=periods()))) == ["cla_spend"]


def test_the_needs_sentence_places_the_last_year_against_the_interval():
    rows = pd.DataFrame(
        {"area_code": "301", "year": ["2022-23", "2023-24", "2024-25"], "actual": [900.0, 1300.0, 700.0],
         "predicted": 1000.0, "lower": 800.0, "upper": 1200.0, "position": ["within", "above", "below"],
         "unit": f"£ per child, {BASE}", "reason": "", "source": ""}
    )  # fmt: skip
    [text] = profile_model_page.needs_sentences(page(model_needs=rows))
    assert text.startswith(
        f"In 2024-25 Barnet spent £700 per child aged 0-17 ({BASE}), 30% less than the £1,000 its needs predict: "
        "below the 95% prediction interval (£800 to £1,200)."
    )
    assert "above the interval in 1, below in 1 and within in 1" in text
    [one] = profile_model_page.needs_sentences(page(model_needs=rows.assign(actual=[math.nan, math.nan, 700.0])))
    assert one.endswith("(£800 to £1,200). 2024-25 is the only year it is fitted in.")
    missing = rows.assign(actual=math.nan, reason="mean child population 719, under 5,000")
    assert profile_model_page.needs_sentences(page(model_needs=missing)) == [
        "Barnet is not in the cross-section of spending per child (mean child population 719, under 5,000), so no "
        "prediction is shown."
    ]


def test_the_projection_sentence_gives_the_central_scenario_its_bands_and_the_others():
    rows = pd.DataFrame(
        {"area_code": "301", "scenario": ["recent", "recent", "flat", "flat"],
         "label": ["Recent trend", "Recent trend", "Flat", "Flat"], "headline": [True, True, False, False],
         "year": ["2024-25", "2030-31", "2024-25", "2030-31"], "kind": ["outturn", "projection"] * 2,
         "value": [100.0, 150.0, 100.0, 104.0], "p2_5": [math.nan, 90.0, math.nan, 80.0],
         "p10": [math.nan, 110.0, math.nan, 90.0], "p50": math.nan, "p90": [math.nan, 190.0, math.nan, 120.0],
         "p97_5": [math.nan, 230.0, math.nan, 130.0], "bands_n": [math.nan, 734, math.nan, 734]}
    )  # fmt: skip
    [text] = profile_model_page.projection_sentences(page(model_projection=rows))
    assert text == (
        "On the recent trend scenario, Barnet would have 150 children looked after at 31 March in 2030-31, against "
        "100 in 2024-25. Had the method's errors been as in its back-tests on every unit (734 errors at this "
        "horizon), the outturn would fall between 110 and 190 four times in five, and between 90 and 230 19 times "
        "in 20. Other scenarios: Flat 104."
    )


def test_the_model_charts_say_what_they_draw():
    parts = periods()
    rows, _ = profile_model_page.decomposition_period(parts, "cla_spend")
    _, alt = profile_model_plots.decomposition(
        {"cla_spend": rows}, {"cla_spend": "children looked after spending"}, profile_model_page.COMPONENTS, "T", "£m"
    )
    assert alt == (
        "Bar chart: T. children looked after spending: total +£20.0m (population aged 0-17 +£2.0m, rate per "
        "child -£1.0m, unit cost +£19.0m)."
    )
    needs = pd.DataFrame(
        {"year": ["2023-24", "2024-25"], "actual": [math.nan, 1300.0], "predicted": [1000.0, 1000.0],
         "lower": [800.0, 800.0], "upper": [1200.0, 1200.0], "position": ["", "above"]}
    )  # fmt: skip
    _, alt = profile_model_plots.needs(needs, "N", "£ per child")
    # one year fitted: that year, once
    assert (
        alt
        == "Line chart: N, 2024-25 only. Actual £1,300 per child (predicted £1,000, interval £800 to £1,200, above)."
    )
    _, alt = profile_model_plots.needs(needs.assign(actual=[1100.0, 1300.0]), "N", "£ per child")
    assert alt == (
        "Line chart: N, 2023-24 to 2024-25. Actual £1,100 per child in 2023-24 (predicted £1,000, interval £800 to "
        "£1,200); £1,300 in 2024-25 (predicted £1,000, interval £800 to £1,200, above)."
    )
    _, alt = profile_model_plots.needs(needs.assign(actual=math.nan), "N", "£ per child")
    assert alt == "Line chart: N: no year fitted."
