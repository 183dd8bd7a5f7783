"""Projections: trend rules with known answers, bands calibrated on simulated series, back-tests
blind to data after their origin, units summing to England, the pinned-population hook, the
scenario overlays and the published comparisons."""

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from childspend.config import load_config, load_published
from childspend.errors import ConfigError
from childspend.models import (
    projection_bands,
    projection_config,
    projection_headlines,
    projection_model,
    projection_population,
    projection_published,
    projection_trends,
)
from childspend.models.projections import build_projections
from childspend.panel.areas import stable_units
from childspend.reports import plots, projection_plots
from childspend.sources import geography
from childspend.years import fy_label

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "geography"
TREND = {"method": "log_linear", "window": 5, "min_years": 4}
RECENT = {"label": "Recent", "description": "trend", "rates": TREND, "unit_costs": TREND}
POOLS = {"la": ["la"], "region": ["region"], "england": ["region", "england"]}


def years(first, last):
    return [fy_label(y) for y in range(first, last + 1)]


def simulated_history(units=300, first=2000, last=2025, noise=0.05, seed=1):
    """Unit tables (units x years) with known log-linear trends and lognormal noise: population,
    a rate, a unit cost and spending per child on the other lines, multiplied out as the
    component model does."""
    rng = np.random.default_rng(seed)
    labels = years(first, last)
    t = np.arange(len(labels))
    codes = [f"{100 + i}" for i in range(units)]

    def series(level, growth, sd):
        base = np.log(level) + rng.normal(0, 0.3, (units, 1))
        slope = growth + rng.normal(0, 0.01, (units, 1))
        return np.exp(base + slope * t + rng.normal(0, sd, (units, len(t))))

    population = series(50_000, 0.003, noise / 5)
    cla = series(60, 0.02, noise) * population / 1e4
    spend = cla * series(70_000, 0.03, noise)
    other = series(600, 0.01, noise) * population
    social_care = series(900, 0.02, noise) * population
    tables = {
        "population_0_17": population,
        "cla_at_31_march": cla,
        "s251_gross_children_looked_after": spend,
        "s251_gross_other_lines": other,
        "s251_gross_total": spend + other,
        "csc_net_total": social_care,
    }
    hist = {name: pd.DataFrame(values, index=codes, columns=labels) for name, values in tables.items()}
    regions = pd.Series(["E12000001" if i % 2 else "E12000002" for i in range(units)], index=codes)
    return hist, regions


def simulated_frame(units=12, first=2010, last=2024, seed=2):
    """A model frame in the real frame's long layout (unit, region and England rows, real and
    cash money, prices rising 2% a year to the base year) from :func:`simulated_history`."""
    hist, regions = simulated_history(units, first, last, seed=seed)
    labels = list(hist["population_0_17"].columns)
    level = pd.Series(0.98 ** np.arange(len(labels))[::-1], index=labels)
    rows = []
    for name in projection_model.READ:
        table = hist[name].rename_axis(index="area_code", columns="year").stack().rename("value").reset_index()
        rows.append(table.assign(measure=name))
        if name in projection_model.MONEY:
            rows.append(table.assign(measure=f"{name}_cash", value=table["value"] * table["year"].map(level)))
    la = pd.concat(rows, ignore_index=True).assign(area_level="la", flag="")
    la["region_code"] = la["area_code"].map(regions)
    region = la.groupby(["region_code", "year", "measure"], as_index=False)["value"].sum()
    region = region.assign(area_level="region", area_code=region["region_code"], flag="")
    england = la.groupby(["year", "measure"], as_index=False)["value"].sum()
    england = england.assign(area_level="england", area_code="E92000001", region_code="", flag="")
    frame = pd.concat([la, region, england], ignore_index=True)
    frame["area_name"] = frame["area_code"].where(frame["area_level"] != "england", "England")
    frame["price_base"] = labels[-1]
    frame["population_vintage"] = "simulated estimates; one vintage"
    return frame


def block(**changes):
    out = {
        "last_year": "2030-31",
        "history_from": "2010-11",
        "min_years": 4,
        "population": TREND,
        "backtest": {"origins": {"first": "2015-16", "last": "2018-19"}, "pools": POOLS},
        "headline_scenario": "recent",
        "scenarios": {"recent": RECENT},
    }
    out.update(changes)
    return out


# --- trend rules ----------------------------------------------------------------------------


def test_log_linear_recovers_an_exact_growth_rate_and_starts_from_the_last_value():
    values = 100 * 1.05 ** np.arange(8.0)[None, :]
    values[0, -1] *= 1.02  # the last value is off the line: the projection starts from it
    out = projection_trends.extend(values, {"method": "log_linear", "window": 4}, np.array([1, 2]))
    anchor, _, slope = projection_trends.fit(values, {"method": "log_linear", "window": 4})
    assert anchor[0] == values[0, -1]
    assert out[0, 1] == pytest.approx(values[0, -1] * np.exp(2 * slope[0]))
    clean = 100 * 1.05 ** np.arange(8.0)[None, :]
    assert projection_trends.fit(clean, {"method": "log_linear"})[2][0] == pytest.approx(np.log(1.05))


def test_geometric_uses_the_window_end_points_and_flat_holds():
    values = np.array([[100.0, 300.0, 50.0, 121.0]])  # 100 -> 121 over the last two changes
    slope = projection_trends.fit(values, {"method": "geometric", "window": 2})[2][0]
    assert slope == pytest.approx(np.log(121 / 300) / 2)
    slope = projection_trends.fit(values, {"method": "geometric", "window": 3})[2][0]
    assert slope == pytest.approx(np.log(1.21) / 3)
    out = projection_trends.extend(values, {"method": "flat"}, np.array([1, 5]))
    assert out.tolist() == [[121.0, 121.0]]


def test_a_series_with_gaps_zeros_or_too_few_years_is_held_flat_from_its_last_value():
    rule = {"method": "log_linear", "window": 5, "min_years": 4}
    values = np.array(
        [
            [np.nan, np.nan, 2.7, np.nan, 48.5, np.nan],  # two of six years: no trend
            [0.0, 1.0, 2.0, 3.0, 4.0, 5.0],  # a zero: no log trend
            [10.0, 11.0, 12.0, np.nan, 14.0, 15.0],  # five years: a trend
        ]
    )
    anchor, last, slope = projection_trends.fit(values, rule)
    assert anchor.tolist() == [48.5, 5.0, 15.0] and last.tolist() == [4, 5, 5]
    assert slope[:2].tolist() == [0.0, 0.0] and slope[2] > 0
    # held from its last observed year: two steps past the origin is three past 2023-24
    assert projection_trends.extend(values, rule, np.array([2]))[0, 0] == 48.5


# --- bands: calibration on a simulated series ----------------------------------------------


def test_stated_80_and_95_percent_bands_cover_about_that_share_of_held_out_years():
    hist, regions = simulated_history(units=400, first=2000, last=2025, seed=7)
    train = {name: table.loc[:, :"2019-20"] for name, table in hist.items()}
    origins = years(2006, 2013)  # horizons up to 6 stay within the training years
    backtest = projection_model.backtest(train, RECENT, TREND, regions, origins, 6).assign(scenario="recent")
    future = years(2020, 2025)
    table, _ = projection_model.project(train, "2019-20", future, RECENT, TREND, regions)
    table = table.assign(scenario="recent", horizon=table["year"].astype(str).map(future.index) + 1)
    banded = projection_bands.apply(table, projection_bands.quantiles(backtest, POOLS))
    la = banded[(banded["area_level"] == "la") & (banded["quantity"] == "cla_at_31_march")]
    held_out = hist["cla_at_31_march"][future].stack().rename("actual")
    la = la.join(held_out, on=["area_code", "year"])
    assert len(la) == 400 * 6
    inside80 = la["actual"].between(la["p10"], la["p90"]).mean()
    inside95 = la["actual"].between(la["p2_5"], la["p97_5"]).mean()
    assert abs(inside80 - 0.80) < 0.04, inside80
    assert abs(inside95 - 0.95) < 0.03, inside95
    # and the cross-validated coverage table agrees on the back-test itself
    coverage = projection_bands.coverage(projection_bands.cross_validated(backtest, POOLS))
    row = coverage[
        (coverage["area_level"] == "la") & (coverage["quantity"] == "cla_at_31_march") & (coverage["horizon"] == "all")
    ]
    assert abs(row["coverage80"].iloc[0] - 0.80) < 0.04


def test_bands_are_the_error_quantiles_around_the_point():
    rows = pd.DataFrame(
        {
            "scenario": "s",
            "area_level": "england",
            "area_code": "E92000001",
            "quantity": "q",
            "horizon": 1,
            "origin": [f"o{i}" for i in range(5)],
            "point": 100.0,
            "actual": 100 * np.exp([-0.2, -0.1, 0.0, 0.1, 0.2]),
        }
    )
    table = projection_bands.quantiles(rows, {"england": ["england"]})
    assert table[["n", "origins"]].iloc[0].tolist() == [5, 5]
    assert table["p50"].iloc[0] == pytest.approx(0.0, abs=1e-12)
    assert table["p25"].iloc[0] == pytest.approx(-0.1)
    banded = projection_bands.apply(rows.iloc[[0]].drop(columns="actual").assign(point=50.0), table)
    assert banded["p75"].iloc[0] == pytest.approx(50 * np.exp(0.1))
    # cross-validated: origin o0's bands come from o1..o4 only
    cv = projection_bands.cross_validated(rows, {"england": ["england"]}).set_index("origin")
    assert cv.loc["o0", "lower50"] == pytest.approx(100 * np.exp(np.quantile([-0.1, 0.0, 0.1, 0.2], 0.25)))


# --- back-tests see nothing after their origin ---------------------------------------------


@pytest.mark.parametrize("origin", ["2013-14", "2016-17", "2019-20"])
def test_the_backtest_never_uses_data_after_its_origin(origin):
    hist, regions = simulated_history(units=20, first=2008, last=2024, seed=3)
    corrupted = {}
    for name, table in hist.items():
        table = table.copy()
        after = [y for y in table.columns if y > origin]
        table[after] = table[after] * 1000 + 7  # every later value, including the population
        corrupted[name] = table
    scenarios = [RECENT, {"label": "d", "description": "d", "direct": {"method": "geometric", "window": 5}}]
    for scenario in scenarios:
        clean = projection_model.backtest(hist, scenario, TREND, regions, [origin], 6)
        dirty = projection_model.backtest(corrupted, scenario, TREND, regions, [origin], 6)
        assert (clean["point"].to_numpy() == dirty["point"].to_numpy()).all()
        assert not np.allclose(clean["actual"], dirty["actual"])  # the later data did change
        assert clean["year"].astype(str).gt(origin).all() and clean["horizon"].between(1, 6).all()


# --- levels add up -------------------------------------------------------------------------


def test_projections_sum_from_units_to_regions_and_england_exactly():
    hist, regions = simulated_history(units=30, first=2008, last=2024, seed=4)
    future = years(2025, 2030)
    for scenario in (RECENT, {"label": "d", "description": "d", "direct": {"method": "geometric", "window": 5}}):
        table, _ = projection_model.project(hist, "2024-25", future, scenario, TREND, regions)
        point = table.set_index(["area_level", "area_code", "year", "quantity"])["point"]
        la = table[table["area_level"] == "la"].assign(region=lambda t: t["area_code"].map(regions))
        for quantity in projection_model.ADDITIVE:
            part = la[la["quantity"] == quantity]
            england = point.xs(("england", "E92000001"), level=["area_level", "area_code"]).xs(
                quantity, level="quantity"
            )
            assert np.allclose(part.groupby("year")["point"].sum().to_numpy(), england.to_numpy(), rtol=1e-12)
            by_region = part.groupby(["region", "year"])["point"].sum()
            region = point.xs("region", level="area_level").xs(quantity, level="quantity")
            assert np.allclose(by_region.to_numpy(), region.reindex(by_region.index).to_numpy(), rtol=1e-12)
        # every level: count = rate x population, spending = count x unit cost, total = lines
        wide = table.pivot_table(index=["area_level", "area_code", "year"], columns="quantity", values="point")
        assert np.allclose(wide["cla_at_31_march"], wide["cla_rate_per_10000"] * wide["population_0_17"] / 1e4)
        assert np.allclose(
            wide["s251_gross_children_looked_after"], wide["cla_at_31_march"] * wide["cla_spend_per_cla"]
        )
        assert np.allclose(
            wide["s251_gross_total"], wide["s251_gross_children_looked_after"] + wide["s251_gross_other_lines"]
        )
        assert (table["flag"] == "").all()


def test_a_total_lacking_units_is_compared_over_the_units_with_an_outturn():
    hist, regions = simulated_history(units=10, first=2008, last=2024, seed=5)
    hist["cla_at_31_march"].loc["100", "2017-18"] = np.nan
    backtest = projection_model.backtest(hist, RECENT, TREND, regions, ["2015-16"], 3)
    england = backtest[(backtest["area_level"] == "england") & (backtest["quantity"] == "cla_at_31_march")]
    row = england[england["year"] == "2017-18"].iloc[0]
    la = backtest[(backtest["area_level"] == "la") & (backtest["quantity"] == "cla_at_31_march")]
    la = la[la["year"] == "2017-18"]
    assert row["flag"] == "incomplete: 9 of 10"
    assert row["point"] == pytest.approx(la["point"].sum()) and row["actual"] == pytest.approx(la["actual"].sum())
    assert "100" not in set(la["area_code"].astype(str))


# --- the child population: own trend, or a pinned projection --------------------------------


def snpp_csv(path, values):
    """A file in the ONS subnational projections layout: ``values`` maps an ONS code to its
    0-17 total by mid-year (spread over single years of age), plus rows the reader must skip."""
    rows = []
    for code, by_year in values.items():
        for age in [*range(18), "18", "90 and over", "All ages"]:
            share = 1 / 18 if str(age).isdigit() and int(age) < 18 else 0.5
            rows.append(
                {
                    "AREA_CODE": code,
                    "AREA_NAME": code,
                    "COMPONENT": "Population",
                    "SEX": "persons",
                    "AGE_GROUP": str(age),
                }
                | {str(y): f"{v * share:,.6f}" for y, v in by_year.items()}
            )
    rows.append(
        {"AREA_CODE": "E12000007", "AREA_NAME": "London", "COMPONENT": "Population", "SEX": "persons", "AGE_GROUP": "0"}
        | {str(y): "1" for y in next(iter(values.values()))}
    )
    pd.DataFrame(rows).to_csv(path, index=False)


@pytest.fixture
def geo():
    return geography.parse(FIXTURES / "las.csv", FIXTURES / "region_la_hierarchy.csv")


def test_a_pinned_ons_projection_replaces_the_own_trend(tmp_path, geo):
    units = stable_units(geo, {"909": {"name": "Cumbria", "members": [909, 942, 943]}})
    path = tmp_path / "snpp.csv"
    # Camden on its own code; Cumbria as the pre-2023 county: the unit sums it in the later years too
    snpp_csv(path, {"E09000007": {2024: 1000, 2025: 1010, 2026: 1030}, "E10000006": {2024: 500, 2025: 490, 2026: 480}})
    span = years(2020, 2026)
    table, source = projection_population.pinned([str(path)], {"population_projection_2025_snpp": {}}, geo, units, span)
    assert source == "population_projection_2025_snpp"
    assert table.loc["202", "2025-26"] == pytest.approx(1010) and table.loc["909", "2026-27"] == pytest.approx(480)
    estimates = pd.DataFrame(
        [[200.0, 210.0, 220.0, 230.0, 240.0]] * 3, index=["201", "202", "909"], columns=years(2020, 2024)
    )
    out, how = projection_population.project(estimates, TREND, ["2025-26", "2026-27"], table, source)
    assert out.loc["202"].tolist() == pytest.approx([240 * 1.01, 240 * 1.03])
    assert out.loc["909", "2026-27"] == pytest.approx(240 * 0.96)
    assert out.loc["201", "2026-27"] > 240  # City of London is not in the file: its own trend
    assert "population_projection_2025_snpp" in how and "(201)" in how
    trend, how = projection_population.project(estimates, TREND, ["2025-26"])
    assert "no ONS population projection is pinned" in how


def test_the_latest_pinned_projection_wins_and_a_bad_layout_is_named(tmp_path, geo):
    units = stable_units(geo, {})
    old, new = tmp_path / "old.csv", tmp_path / "new.csv"
    snpp_csv(old, {"E09000007": {2024: 1000, 2025: 2000}})
    snpp_csv(new, {"E09000007": {2024: 1000, 2025: 3000}})
    entries = {"population_projection_2018_snpp": {}, "population_projection_2022_snpp": {}}
    table, source = projection_population.pinned([str(old), str(new)], entries, geo, units, years(2024, 2025))
    assert source == "population_projection_2022_snpp" and table.loc["202", "2025-26"] == pytest.approx(3000)
    assert projection_population.pinned([], {}, geo, units, years(2024, 2025)) == (None, "")
    pd.DataFrame({"CODE": ["E09000007"], "2024": [1]}).to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(Exception, match="AREA_CODE"):
        projection_population.read_snpp(tmp_path / "bad.csv", "x")


# --- the stage on a simulated frame ----------------------------------------------------------


def published_figures():
    return [
        {
            "id": "count_2022",
            "label": "Count 2022",
            "publisher": "P",
            "published": "2022-01-01",
            "source": "s",
            "url": "https://example.org",
            "quantity": "cla_at_31_march",
            "year": "2023-24",
            "value": 1000.0,
            "origin": "2018-19",
            "origin_note": "n",
        },
        {
            "id": "spend_2022",
            "label": "Spend 2022",
            "publisher": "P",
            "published": "2022-01-01",
            "source": "s",
            "url": "https://example.org",
            "quantity": "s251_gross_children_looked_after",
            "basis": "cash",
            "year": "2022-23",
            "change": 1e6,
            "from_year": "2014-15",
            "origin": "2018-19",
            "origin_note": "n",
        },
    ]


@pytest.fixture(scope="module")
def stage():
    frame = simulated_frame()
    publisher = pd.DataFrame(
        {"quantity": ["cla_at_31_march"], "year": ["2023-24"], "value": [1234.0], "source": ["dfe"]}
    )
    scenarios = {"recent": RECENT, "cash": {**RECENT, "label": "Cash", "prices": "cash"}}
    return frame, build_projections(frame, block(scenarios=scenarios), published_figures(), publisher)


def test_the_stage_writes_every_table_in_the_issues_columns(stage):
    frame, tables = stage
    projections = tables["projections"]
    assert list(projections.columns[:13]) == [
        "scenario", "area_level", "area_code", "year", "quantity", "p10", "p50", "p90", "p2_5", "p97_5",
        "method", "origin", "population_vintage",
    ]  # fmt: skip
    assert set(projections["year"].astype(str)) == set(years(2025, 2030)) and (projections["origin"] == "2024-25").all()
    assert projections["population_vintage"].str.contains("no ONS population projection is pinned").all()
    ordered = (projections["p2_5"] <= projections["p10"]) & (projections["p10"] <= projections["p50"])
    assert (ordered & (projections["p50"] <= projections["p90"]) & (projections["p90"] <= projections["p97_5"])).all()
    backtest = tables["backtest"]
    assert list(backtest.columns[:11]) == [
        "origin", "horizon", "year", "area_code", "quantity", "point", "lower80", "upper80", "lower95", "upper95", "actual",
    ]  # fmt: skip
    assert set(backtest["origin"].astype(str)) == set(years(2015, 2018))
    assert (backtest["year"].astype(str) <= "2024-25").all()
    assert set(tables["coverage"]["horizon"]) == {"1", "2", "3", "4", "5", "6", "all"}
    money = projections[projections["quantity"] == "s251_gross_total"]
    assert set(money.groupby("scenario")["unit"].first()) == {"GBP, 2024-25", "GBP (cash)"}


def test_published_figures_sit_beside_outturns_from_the_data(stage):
    frame, tables = stage
    compared = tables["published"].set_index(["id", "scenario"])
    count = compared.loc[("count_2022", "recent")]
    england = frame[(frame["area_level"] == "england") & (frame["year"] == "2023-24")].set_index("measure")["value"]
    assert count["outturn"] == england["cla_at_31_march"] and count["publisher_outturn"] == 1234.0
    assert count["published_error"] == pytest.approx(1000 / 1234 - 1) and count["horizon"] == 5
    spend = compared.loc[("spend_2022", "cash")]
    cash = frame[(frame["area_level"] == "england") & (frame["measure"] == "s251_gross_children_looked_after_cash")]
    cash = cash.set_index("year")["value"]
    assert spend["published_value"] == pytest.approx(cash["2014-15"] + 1e6)  # change from that year's outturn
    assert spend["outturn"] == pytest.approx(cash["2022-23"])
    # a real scenario's point is put in cash with the year's price level (0.98 a year before the base)
    real = compared.loc[("spend_2022", "recent")]
    assert real["point"] != compared.loc[("spend_2022", "cash")]["point"]
    beside = tables["backtest_england"]
    row = beside[(beside["published_id"] == "count_2022") & (beside["origin"].astype(str) == "2018-19")]
    assert row["published_value"].tolist() == [1000.0, 1000.0]  # one row per scenario
    sentences = tables["headlines"].set_index("id")["sentence"]
    assert "the projection was 19% below it" in sentences["count_2022"]


def test_the_published_projections_of_the_shipped_config_are_valid_and_reachable():
    published = load_published(ROOT / "config" / "published.yaml")["projections"]
    config = load_config(ROOT / "config" / "config.yaml")
    settings = projection_config.settings(config, ROOT / "config" / "scenarios", published)
    assert {"recent_trend", "long_run_trend", "flat", "current_trends", "unit_costs_held"} <= set(settings["scenarios"])
    assert all(
        rule["min_years"] == 4
        for s in settings["scenarios"].values()
        for k, rule in s.items()
        if isinstance(rule, dict)
    )
    for figure in published:
        assert settings["history_from"] <= figure["origin"] < config["years"]["last"], figure["id"]


def test_publisher_outturns_prefer_ro3_and_are_in_pounds():
    panel = pd.DataFrame(
        {"area_level": ["england"], "measure": ["cla_at_31_march"], "year": ["2024-25"], "value": [81770.0],
         "source": ["cla_2025"]}
    )  # fmt: skip
    revenue = pd.DataFrame(
        {
            "area_level": "england",
            "category": "total",
            "measure": "net_current_expenditure",
            "year": "2024-25",
            "source": ["rsx_2024-25", "ro3_2024-25"],
            "value": [1.0, 15_556_140.0],
            "unit": "GBP thousand",
        }
    )
    out = projection_published.publisher_outturns(panel, revenue).set_index("quantity")
    assert out.loc["csc_net_total", "value"] == pytest.approx(15_556_140_000.0)
    assert out.loc["csc_net_total", "source"] == "ro3_2024-25" and out.loc["cla_at_31_march", "value"] == 81770.0


# --- settings: overlays and checks -----------------------------------------------------------


@pytest.fixture
def config():
    return load_config(ROOT / "config" / "config.yaml")


@pytest.fixture
def published():
    return load_published(ROOT / "config" / "published.yaml")["projections"]


def test_an_overlay_file_adds_a_scenario_and_a_bad_one_is_named(config, published, tmp_path):
    (tmp_path / "held.yaml").write_text(
        yaml.safe_dump({"label": "Held", "description": "d", "direct": {"method": "flat"}})
    )
    settings = projection_config.settings(config, tmp_path, published)
    assert settings["scenarios"]["held"]["direct"] == {"method": "flat", "min_years": 4}
    (tmp_path / "both.yaml").write_text(yaml.safe_dump({"label": "B", "description": "d", "rates": {"method": "flat"}}))
    with pytest.raises(ConfigError, match="both.yaml is not a projection scenario"):
        projection_config.settings(config, tmp_path, published)
    (tmp_path / "both.yaml").unlink()
    (tmp_path / "flat.yaml").write_text((tmp_path / "held.yaml").read_text())
    with pytest.raises(ConfigError, match="also in config/config.yaml"):
        projection_config.settings(config, tmp_path, published)


def test_an_overlay_file_with_a_repeated_key_is_refused_with_its_line(config, published, tmp_path):
    (tmp_path / "held.yaml").write_text("label: Held\ndescription: d\ndirect: {method: flat}\nlabel: Again\n")
    with pytest.raises(ConfigError, match=r"held.yaml, line 4: .*'label' appears twice"):
        projection_config.settings(config, tmp_path, published)


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("last_year", "2020-21", "last_year must come after years.last"),
        ("backtest", {"origins": {"first": "2014-15", "last": "2024-25"}, "pools": POOLS}, "origins"),
        ("backtest", {"origins": {"first": "2018-19", "last": "2018-19"}, "pools": POOLS}, "at least two"),
        ("headline_scenario", "nope", "headline_scenario"),
    ],
)
def test_cross_field_problems_are_named(config, published, tmp_path, key, value, message):
    bad = copy.deepcopy(config)
    bad["models"]["projections"][key] = value
    with pytest.raises(ConfigError, match=message):
        projection_config.settings(bad, tmp_path, published)


def test_a_scenario_reproducing_an_unknown_figure_is_named(config, tmp_path):
    with pytest.raises(ConfigError, match="ccn_2021_children_looked_after"):
        projection_config.settings(config, tmp_path, [])


# --- figures -------------------------------------------------------------------------------


def test_fans_and_the_coverage_chart_give_the_same_bytes_twice(stage, tmp_path):
    frame, tables = stage
    paths = {}
    for name in ("projections", "published", "coverage"):
        paths[name] = tmp_path / f"{name}.csv"
        tables[name].to_csv(paths[name], index=False)
    projections = projection_plots.read_table(paths["projections"])
    compared = projection_plots.read_table(paths["published"])
    coverage = projection_plots.read_table(paths["coverage"])
    draw = [
        lambda: projection_plots.fan(projections, frame, compared, "recent", "Recent", "cla_at_31_march"),
        lambda: projection_plots.fan(projections, frame, compared, "cash", "Cash", "s251_gross_children_looked_after"),
        lambda: projection_plots.coverage_chart(coverage, {"recent": "Recent", "cash": "Cash"}, POOLS),
    ]
    for figure in draw:
        assert plots.to_png(figure()) == plots.to_png(figure())


def test_the_fan_and_coverage_alt_texts_give_englands_numbers_and_the_bands_range(stage, tmp_path):
    frame, tables = stage
    for name in ("projections", "coverage"):
        tables[name].to_csv(tmp_path / f"{name}.csv", index=False)
    projections = projection_plots.read_table(tmp_path / "projections.csv")
    alt = projection_plots.fan_alt(projections, frame, "recent", "Recent", "cla_at_31_march")
    last = projections[
        (projections["scenario"] == "recent")
        & (projections["quantity"] == "cla_at_31_march")
        & (projections["area_level"] == "england")
    ].iloc[-1]
    assert alt.startswith("Small multiples: Children looked after at 31 March, Recent scenario, England and ")
    assert f"{last['p50']:,.0f} in {last['year']} after the median back-test error" in alt
    assert f"80% band {last['p10']:,.0f} to {last['p90']:,.0f}" in alt
    coverage = projection_plots.read_table(tmp_path / "coverage.csv")
    alt = projection_plots.coverage_alt(coverage, {"recent": "Recent", "cash": "Cash"})
    held = coverage[coverage["horizon"] != "all"]["coverage80"]
    assert f"80% bands held in {held.min():.0%} to {held.max():.0%} of back-test years" in alt


def test_the_backtests_reach_every_horizon_the_projection_does():
    # the simulated frame ends in 2024-25: 2031-32 is 7 years on, and its band is the back-tests'
    # error at horizon 7 (the origins 2015-16 to 2017-18 reach it)
    publisher = pd.DataFrame({"quantity": ["cla_at_31_march"], "year": ["2023-24"], "value": [1.0], "source": ["dfe"]})
    tables = build_projections(simulated_frame(), block(last_year="2031-32"), published_figures(), publisher)
    assert sorted(tables["backtest"]["horizon"].unique()) == list(range(1, 8))
    last = tables["projections"][tables["projections"]["year"] == "2031-32"]
    assert (last["horizon"] == 7).all() and (last["bands_n"] > 0).all() and last["p90"].notna().all()


def test_units_without_an_origin_outturn_are_named_where_the_projection_carries_them(tmp_path):
    frame = simulated_frame()
    lacking = (frame["area_code"] == "103") & (frame["year"] == "2024-25") & (frame["measure"] == "cla_at_31_march")
    value = frame.loc[lacking, "value"].iloc[0]
    frame.loc[lacking, "value"] = float("nan")
    for level in ("region", "england"):
        total = (
            (frame["area_level"] == level)
            & (frame["area_code"] == ("E92000001" if level == "england" else "E12000001"))
            & (frame["year"] == "2024-25")
            & (frame["measure"] == "cla_at_31_march")
        )
        frame.loc[total, "value"] -= value
        frame.loc[total, "flag"] = "incomplete"
    missing = projection_model.without_outturn(frame, "cla_at_31_march", "2024-25")
    assert missing.to_dict("records") == [
        {"area_code": "103", "area_name": "103", "region_code": "E12000001", "last_year": "2023-24"}
    ]
    publisher = pd.DataFrame({"quantity": ["cla_at_31_march"], "year": ["2023-24"], "value": [1.0], "source": ["dfe"]})
    two_origins = {"origins": {"first": "2017-18", "last": "2018-19"}, "pools": POOLS}
    tables = build_projections(frame, block(backtest=two_origins), published_figures(), publisher)
    sentence = tables["headlines"].set_index("id").loc["recent_cla_at_31_march", "sentence"]
    assert (
        "in 2024-25 (without 1 unit, which the projection carries from their last outturn: 103 from 2023-24)"
        in sentence
    )
    # the unit is in England's projection, and the fan says why it can open above the outturn
    projections = tables["projections"]
    first = projections[(projections["year"] == "2025-26") & (projections["quantity"] == "cla_at_31_march")]
    assert first[first["area_code"] == "103"]["point"].notna().all()
    tables["projections"].to_csv(tmp_path / "projections.csv", index=False)
    projections = projection_plots.read_table(tmp_path / "projections.csv")
    alt = projection_plots.fan_alt(projections, frame, "recent", "Recent", "cla_at_31_march")
    assert "in 2024-25 without 1 unit, which the projection carries from their last outturn" in alt
    figure = projection_plots.fan(projections, frame, tables["published"], "recent", "Recent", "cla_at_31_march")
    caption = " ".join(t.get_text() for t in figure.texts).replace("\n", " ")
    assert "Units with no 2024-25 outturn are in the projection from their last one" in caption
    assert "103 from 2023-24" in caption
    assert projection_headlines.carried(pd.concat([missing] * 14), most=12).endswith("103 from 2023-24 and 2 more")
