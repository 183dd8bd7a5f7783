"""Panel models on simulated panels with known coefficients, checked against linearmodels."""

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from linearmodels.panel import PanelOLS
from model_frames import PRICE_BASE, long_frame

from childspend.config import check_config, load_config
from childspend.errors import ConfigError
from childspend.models.panel_models import (
    collect,
    fit_panel_model,
    published_comparison,
    regressor_values,
    sample_data,
    term_name,
    unit_table,
)
from childspend.tables import write_csv
from childspend.years import fy_range, fy_start

ROOT = Path(__file__).resolve().parents[1]
YEARS = fy_range("2010-11", "2021-22")
SAMPLE_YEARS = {"first": "2011-12", "last": "2021-22"}
REGRESSORS = [
    {"name": "ei_gbp100", "measure": "early_intervention_per_child", "scale": 0.01, "lag": 1},
    {"name": "poverty_pct", "measure": "children_relative_low_income", "per": "population_0_17", "scale": 100},
    {"name": "log_population", "measure": "population_0_17", "transform": "log"},
]
TERMS = ["ei_gbp100_lag1", "poverty_pct", "log_population"]
WITHIN = {"ei_gbp100_lag1": -2.0, "poverty_pct": 1.5, "log_population": -20.0}
# the area intercept loads on the area means, so the between coefficients are within + this
CONTEXTUAL = {"ei_gbp100_lag1": 3.0, "poverty_pct": 1.0, "log_population": 5.0}
YEAR_TREND = 2.0  # outcome points per year, common to every area


def simulated_frame(seed: int = 7, n_areas: int = 90, missing: float = 0.05) -> pd.DataFrame:
    """A model frame whose outcome is area effect + year effect + the WITHIN coefficients times the
    regressors + noise, the area effect being CONTEXTUAL times the area's sample means + noise;
    spend falls and poverty rises over the years, as they did; some outcomes are missing."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_areas):
        level, pov_level = rng.normal(450, 120), rng.uniform(8, 35)
        pop_level = np.exp(rng.normal(10.8, 0.5))
        for t, year in enumerate(YEARS):
            pop = pop_level * (1 + 0.01 * t) * np.exp(rng.normal(0, 0.03))
            pov = pov_level + 0.4 * t + rng.normal(0, 1.5)
            rows.append(
                dict(
                    area_code=f"{100 + i}",
                    year=year,
                    early_intervention_per_child=max(level - 12 * t + rng.normal(0, 50), 20.0),
                    population_0_17=pop,
                    children_relative_low_income=pov / 100 * pop,
                )
            )
    wide = pd.DataFrame(rows).set_index(["area_code", "year"])
    x = pd.concat([regressor_values(wide, r) for r in REGRESSORS], axis=1)
    x = x[x.index.get_level_values("year") >= SAMPLE_YEARS["first"]]
    means = x.groupby(level="area_code").transform("mean")
    t = np.array([fy_start(y) - 2011 for y in x.index.get_level_values("year")])
    u = pd.Series(rng.normal(0, 4, n_areas), index=sorted(wide.index.get_level_values("area_code").unique()))
    y = (
        40
        + sum(WITHIN[c] * x[c] + CONTEXTUAL[c] * means[c] for c in TERMS)
        + YEAR_TREND * t
        + u.reindex(x.index.get_level_values("area_code")).to_numpy()
        + rng.normal(0, 2, len(x))
    )
    y[rng.random(len(y)) < missing] = np.nan
    wide["cla_rate_per_10000"] = y.reindex(wide.index)
    return long_frame(wide)


def spec(estimator="twfe", year_effects=True, **extra):
    block = dict(estimator=estimator, outcome="cla_rate_per_10000", regressors=REGRESSORS, year_effects=year_effects)
    return block | {"years": SAMPLE_YEARS} | extra


@pytest.fixture(scope="module")
def frame():
    return simulated_frame()


def within_two_se(coefficients, truth):
    table = coefficients.set_index("term")
    return {term: abs(table.loc[term, "coef"] - value) / table.loc[term, "se"] for term, value in truth.items()}


def test_twfe_recovers_the_coefficients_within_two_standard_errors(frame):
    coefficients, fit = fit_panel_model(frame, "twfe_sim", spec())
    assert list(coefficients["term"]) == TERMS
    assert all(z < 2 for z in within_two_se(coefficients, WITHIN).values())
    assert fit.loc[0, "n_areas"] == 90 and 0 < fit.loc[0, "r_squared_within"] < fit.loc[0, "r_squared"] < 1


def test_hybrid_recovers_within_and_between_coefficients(frame):
    coefficients, fit = fit_panel_model(frame, "hybrid_sim", spec("hybrid"))
    truth = {f"{t}_within": WITHIN[t] for t in TERMS} | {f"{t}_between": WITHIN[t] + CONTEXTUAL[t] for t in TERMS}
    assert set(coefficients["term"]) == set(truth)
    assert all(z < 2 for z in within_two_se(coefficients, truth).values())
    assert bool(fit.loc[0, "converged"]) and np.isfinite(fit.loc[0, "log_likelihood"])


def test_hybrid_without_year_effects_loads_the_common_trend_on_the_within_terms(frame):
    """Spend falls while the outcome rises everywhere: without year effects the within
    coefficient of spend takes up the trend, far from the truth that year effects recover."""
    none, _ = fit_panel_model(frame, "hybrid_none", spec("hybrid", year_effects=False))
    years, _ = fit_panel_model(frame, "hybrid_years", spec("hybrid"))
    assert within_two_se(none, {"ei_gbp100_lag1_within": -2.0})["ei_gbp100_lag1_within"] > 5
    assert within_two_se(years, {"ei_gbp100_lag1_within": -2.0})["ei_gbp100_lag1_within"] < 2
    assert "C(year)" in years["formula"].iloc[0] and "C(year)" not in none["formula"].iloc[0]
    assert "no year effects" in none["sample"].iloc[0]


def panel_ols(frame, year_effects=True):
    data, _ = sample_data(frame, "cla_rate_per_10000", REGRESSORS, spec())
    data = data.assign(t=data["year"].map(fy_start)).set_index(["area_code", "t"])
    model = PanelOLS(data["cla_rate_per_10000"], data[TERMS], entity_effects=True, time_effects=year_effects)
    # count the absorbed effects in the degrees of freedom, as the regression with dummies does
    # (linearmodels leaves out entity effects nested in the clusters unless told)
    return model.fit(
        cov_type="clustered", cluster_entity=True, debiased=True, group_debias=True, auto_df=False, count_effects=True
    )


@pytest.mark.parametrize("year_effects", [True, False])
def test_twfe_matches_linearmodels_panelols(frame, year_effects):
    """Point estimates, clustered standard errors and within R-squared, unbalanced panel."""
    coefficients, fit = fit_panel_model(frame, "twfe_sim", spec(year_effects=year_effects))
    reference = panel_ols(frame, year_effects)
    table = coefficients.set_index("term").loc[TERMS]
    np.testing.assert_allclose(table["coef"], reference.params[TERMS], rtol=0, atol=1e-6)
    np.testing.assert_allclose(table["se"], reference.std_errors[TERMS], rtol=0, atol=1e-6)
    assert fit.loc[0, "r_squared_within"] == pytest.approx(reference.rsquared, abs=1e-9)
    assert fit.loc[0, "n_obs"] == reference.nobs


def test_a_sum_of_lags_has_the_variance_of_the_sum(frame):
    regressors = [REGRESSORS[0], {**REGRESSORS[0], "lag": 2}, *REGRESSORS[1:]]
    lags = ["ei_gbp100_lag1", "ei_gbp100_lag2"]
    block = spec(regressors=regressors, sums={"ei_two_years": lags}, years={"first": "2012-13", "last": "2021-22"})
    coefficients, _ = fit_panel_model(frame, "twfe_lags", block)
    table = coefficients.set_index("term")
    data, _ = sample_data(frame, "cla_rate_per_10000", regressors, block)
    data = data.assign(t=data["year"].map(fy_start)).set_index(["area_code", "t"])
    terms = [term_name(r) for r in regressors]
    reference = PanelOLS(data["cla_rate_per_10000"], data[terms], entity_effects=True, time_effects=True).fit(
        cov_type="clustered", cluster_entity=True, debiased=True, group_debias=True
    )
    cov = reference.cov.loc[lags, lags].to_numpy()
    assert table.loc["ei_two_years", "coef"] == pytest.approx(reference.params[lags].sum(), abs=1e-6)
    assert table.loc["ei_two_years", "se"] == pytest.approx(np.sqrt(cov.sum()), abs=1e-6)
    with pytest.raises(ConfigError, match="not terms of the model"):
        fit_panel_model(frame, "twfe_lags", block | {"sums": {"bad": ["ei_gbp100_lag1", "ei_gbp100_lag3"]}})


def test_refits_give_identical_bytes(frame, tmp_path):
    def written(run):
        tables = [fit_panel_model(frame, model_id, s) for model_id, s in (("a", spec()), ("b", spec("hybrid")))]
        coefficients, fit = collect([t[0] for t in tables], [t[1] for t in tables])
        paths = [tmp_path / f"{run}_coefficients.csv", tmp_path / f"{run}_fit.csv"]
        write_csv(coefficients, paths[0])
        write_csv(fit, paths[1])
        return [p.read_bytes() for p in paths]

    assert written("first") == written("second")


def tiny_frame():
    """Three areas, four years, values chosen by hand."""
    wide = pd.DataFrame(
        {
            "area_code": ["301"] * 4 + ["302"] * 4 + ["303"] * 4,
            "year": ["2014-15", "2015-16", "2016-17", "2017-18"] * 3,
            "early_intervention_per_child": [100, 200, 300, 400, 50, 60, np.nan, 80, 10, 20, 30, 40],
            "population_0_17": [9000, 9100, 9200, 9300, 20000, 20000, 20000, 20000, 800, 800, 800, 800],
            "cla_rate_per_10000": [50, 55, 60, np.nan, 70, 71, 72, 73, 90, 95, 99, 100],
        }
    ).set_index(["area_code", "year"])
    return long_frame(wide)


def test_lags_take_the_previous_year_of_the_same_area():
    wide = unit_table(tiny_frame())
    lagged = regressor_values(wide, {"name": "ei", "measure": "early_intervention_per_child", "lag": 1})
    assert lagged.name == "ei_lag1"
    assert lagged.loc["301"].tolist()[1:] == [100, 200, 300]
    assert np.isnan(lagged.loc[("301", "2014-15")]) and np.isnan(lagged.loc[("302", "2017-18")])


def test_sample_names_every_exclusion_and_dropped_area_year():
    block = dict(years={"first": "2015-16", "last": "2017-18"}, min_child_population=5000)
    regressors = [{"name": "ei", "measure": "early_intervention_per_child", "lag": 1}]
    data, notes = sample_data(tiny_frame(), "cla_rate_per_10000", regressors, block)
    assert notes[0] == "excluded 303 Area 303: mean child population 800, under 5,000"
    # 301 2017-18 lacks the outcome; 302 2017-18 lacks last year's spend
    assert notes[1] == "dropped 2 area-years lacking a value (complete cases; cla_rate_per_10000 1, ei_lag1 1)"
    assert sorted(zip(data["area_code"], data["year"])) == [
        ("301", "2015-16"),
        ("301", "2016-17"),
        ("302", "2015-16"),
        ("302", "2016-17"),
    ]


def test_config_mistakes_are_named():
    block = spec(years={"first": "2015-16", "last": "2017-18"})
    with pytest.raises(ConfigError, match="children_relative_low_income is not a measure"):
        fit_panel_model(tiny_frame(), "m", block)
    with pytest.raises(ConfigError, match="same term"):
        fit_panel_model(tiny_frame(), "m", block | {"regressors": [REGRESSORS[0], REGRESSORS[0]]})


def test_published_estimates_sit_beside_ours_in_their_units(frame):
    coefficients, fit = fit_panel_model(frame, "hybrid_sim", spec("hybrid", year_effects=False))
    cross = pd.DataFrame(
        {"year": ["2017-18", "2018-19"], "r_squared": [0.66, 0.7], "loo_r_squared": [0.62, 0.5], "n_obs": [146, 147]}
    )
    study = dict(
        id="study",
        study="A study",
        source="somewhere",
        estimate=5,
        ci_low=2,
        ci_high=8,
        unit="per 100,000",
        specification="within-between",
        differences="age band",
        faithful_replication="under-16 data",
        compare=[
            {"model_id": "hybrid_sim", "term": "poverty_pct_within", "factor": 10},
            {"cross_section_year": "2017-18", "statistic": "loo_r_squared"},
            {"cross_section_year": "latest", "statistic": "r_squared"},
        ],
    )
    table = published_comparison(coefficients, fit, cross, [study])
    ours = coefficients.set_index("term").loc["poverty_pct_within"]
    assert table.loc[0, "estimate"] == pytest.approx(10 * ours["coef"])
    assert table.loc[0, "ci_low"] == pytest.approx(10 * ours["ci_low"])
    assert table.loc[0, "time_control"].startswith("none;")
    assert table.loc[1, ["model_id", "term", "estimate", "n_areas"]].tolist() == [
        "cross_section",
        "loo_r_squared",
        0.62,
        146,
    ]
    assert table.loc[2, ["years", "estimate", "n_areas"]].tolist() == ["2018-19", 0.7, 147]  # the last year
    assert (table["published_estimate"] == 5).all() and PRICE_BASE in coefficients["sample"].iloc[0]
    with pytest.raises(ConfigError, match="no term"):
        published_comparison(
            coefficients, fit, cross, [study | {"compare": [{"model_id": "hybrid_sim", "term": "x", "factor": 1}]}]
        )


def test_the_config_schema_names_a_wrong_model_block():
    config = load_config(ROOT / "config" / "config.yaml")
    block = config["models"]["panel"]["twfe_cla_rate"]
    check_config(config)
    for bad, message in (
        ({"estimator": "ols"}, "'ols' is not one of"),
        ({"regressors": [{"name": "x", "measure": "y", "lags": 1}]}, "Additional properties"),
        ({"years": {"first": "2014"}}, "'last' is a required property"),
    ):
        broken = copy.deepcopy(config)
        broken["models"]["panel"]["twfe_cla_rate"] = block | bad
        with pytest.raises(ConfigError, match="models.panel.twfe_cla_rate") as error:
            check_config(broken)
        assert message in str(error.value)
