"""The yearly cross-section of spend per child on simulated councils with known coefficients."""

import numpy as np
import pandas as pd
import pytest
from model_frames import long_frame
from scipy import stats

from childspend.errors import ConfigError
from childspend.models.cross_section import cross_section
from childspend.models.panel_models import regressor_values, unit_table
from childspend.tables import write_csv

YEARS = ["2014-15", "2015-16", "2016-17"]
TRUTH = {"const": 6.0, "idaci": 3.0, "london": 0.2, "inner_london": 0.25, "log_population": -0.1, "poverty_pct": 0.01}
INNER = ["100", "101", "102", "103", "104", "105"]
SPEC = dict(
    outcome=dict(name="log_spend", measure="s251_gross_total_per_child", transform="log"),
    regressors=[
        dict(name="idaci", measure="idaci_average_score", fill="nearest_edition"),
        dict(name="london", region="E12000007"),
        dict(name="inner_london", area_set="inner"),
        dict(name="log_population", measure="population_0_17", transform="log"),
        dict(
            name="poverty_pct", measure="children_relative_low_income", per="population_0_17", scale=100, optional=True
        ),
    ],
    area_sets=dict(inner=dict(source="test list", areas=INNER)),
    years=dict(first=YEARS[0], last=YEARS[-1]),
    min_child_population=1000,
)


def simulated_frame(seed: int = 3, n: int = 130) -> pd.DataFrame:
    """Councils whose log spend per child is TRUTH's combination of needs plus noise; IDACI is
    given for its edition year only, poverty for the first year only."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        idaci, region = rng.uniform(0.08, 0.35), "E12000007" if i < 20 else "E12000002"
        for year in YEARS:
            pop = np.exp(rng.normal(10.8, 0.6))
            pov = rng.uniform(8, 40)
            x = dict(idaci=idaci, london=float(i < 20), inner_london=float(f"{100 + i}" in INNER))
            x |= dict(log_population=np.log(pop), poverty_pct=pov if year == YEARS[0] else 0.0)
            log_spend = TRUTH["const"] + sum(TRUTH[k] * v for k, v in x.items()) + rng.normal(0, 0.15)
            rows.append(
                dict(
                    area_code=f"{100 + i}",
                    year=year,
                    region_code=region,
                    s251_gross_total_per_child=np.exp(log_spend),
                    idaci_average_score=idaci if year == "2015-16" else np.nan,
                    population_0_17=pop,
                    children_relative_low_income=pov / 100 * pop if year == YEARS[0] else np.nan,
                )
            )
    # one tiny council, left out by min_child_population
    rows.append(rows[-1] | dict(area_code="999", population_0_17=300.0, year=YEARS[0]))
    return long_frame(pd.DataFrame(rows).set_index(["area_code", "year"]))


@pytest.fixture(scope="module")
def tables():
    return cross_section(simulated_frame(), SPEC)


def test_recovers_the_coefficients_within_two_standard_errors(tables):
    coefficients = tables["coefficients"]
    assert sorted(coefficients["year"].unique()) == YEARS
    for _, row in coefficients.iterrows():
        assert abs(row["coef"] - TRUTH[row["term"]]) < 2 * row["se"], row.to_dict()


def test_optional_regressors_enter_only_the_years_that_have_them(tables):
    fit = tables["fit"].set_index("year")
    assert fit.loc[YEARS[0], "terms"].endswith("poverty_pct")
    assert "poverty_pct" not in fit.loc[YEARS[1], "terms"]
    assert "poverty_pct: no data this year, left out" in fit.loc[YEARS[1], "sample"]
    assert "excluded 999" in fit.loc[YEARS[0], "sample"] and (fit["n_obs"] == 130).all()


def design(frame, year, terms):
    data = tables_data(frame)
    rows = data[data["year"] == year]
    return rows["log_spend"].to_numpy(), np.column_stack([np.ones(len(rows)), rows[terms].to_numpy()])


def tables_data(frame):
    wide = unit_table(frame)
    wide = wide[wide["population_0_17"].groupby(level="area_code").transform("mean") >= 1000]
    columns = {
        "log_spend": np.log(wide["s251_gross_total_per_child"]),
        "idaci": regressor_values(wide, SPEC["regressors"][0]),
        "london": (wide["region_code"] == "E12000007").astype(float),
        "inner_london": pd.Series(wide.index.get_level_values("area_code").isin(INNER), index=wide.index).astype(float),
        "log_population": np.log(wide["population_0_17"]),
    }
    return pd.DataFrame(columns).reset_index()


def test_leave_one_out_r_squared_matches_refitting_without_each_council(tables):
    frame = simulated_frame()
    fit = tables["fit"].set_index("year")
    terms = ["idaci", "london", "inner_london", "log_population"]
    y, X = design(frame, YEARS[1], terms)
    errors = []
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        beta = np.linalg.lstsq(X[keep], y[keep], rcond=None)[0]
        errors.append(y[i] - X[i] @ beta)
    press = float(np.sum(np.square(errors)))
    assert fit.loc[YEARS[1], "press"] == pytest.approx(press, rel=1e-9)
    assert fit.loc[YEARS[1], "loo_r_squared"] == pytest.approx(1 - press / np.sum((y - y.mean()) ** 2), rel=1e-9)
    assert fit.loc[YEARS[1], "loo_r_squared"] < fit.loc[YEARS[1], "adj_r_squared"] < fit.loc[YEARS[1], "r_squared"]


def test_prediction_interval_is_the_new_observation_interval_back_transformed(tables):
    frame = simulated_frame()
    terms = ["idaci", "london", "inner_london", "log_population"]
    y, X = design(frame, YEARS[2], terms)
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    s2 = resid @ resid / (len(y) - X.shape[1])
    leverage = np.einsum("ij,jk,ik->i", X, np.linalg.inv(X.T @ X), X)
    half = stats.t.ppf(0.975, len(y) - X.shape[1]) * np.sqrt(s2 * (1 + leverage))
    needs = tables["needs_adjusted"]
    needs = needs[needs["year"] == YEARS[2]]
    np.testing.assert_allclose(needs["predicted"], np.exp(X @ beta), rtol=1e-9)
    np.testing.assert_allclose(needs["lower"], np.exp(X @ beta - half), rtol=1e-9)
    np.testing.assert_allclose(needs["upper"], np.exp(X @ beta + half), rtol=1e-9)
    np.testing.assert_allclose(needs["actual"], np.exp(y), rtol=1e-12)
    outside = (needs["actual"] > needs["upper"]) | (needs["actual"] < needs["lower"])
    assert (needs["position"] != "within").tolist() == outside.tolist()


def test_iod_scores_fill_from_the_nearest_edition():
    years = ["2013-14", "2014-15", "2015-16", "2016-17", "2019-20", "2020-21"]
    wide = pd.DataFrame(
        {"area_code": "101", "year": years, "idaci_average_score": [np.nan, np.nan, 0.2, np.nan, 0.3, np.nan]}
    ).set_index(["area_code", "year"])
    filled = regressor_values(wide, {"name": "idaci", "measure": "idaci_average_score", "fill": "nearest_edition"})
    assert filled.tolist() == [0.2, 0.2, 0.2, 0.2, 0.3, 0.3]


def test_refits_give_identical_bytes(tmp_path):
    def written(run):
        out = cross_section(simulated_frame(), SPEC)
        for name, table in out.items():
            write_csv(table, tmp_path / f"{run}_{name}.csv")
        return [(tmp_path / f"{run}_{name}.csv").read_bytes() for name in out]

    assert written("a") == written("b")


def test_config_mistakes_are_named():
    frame = simulated_frame(n=30)
    with pytest.raises(ConfigError, match="must be logged"):
        cross_section(frame, SPEC | {"outcome": {"name": "spend", "measure": "s251_gross_total_per_child"}})
    with pytest.raises(ConfigError, match="no area set 'outer'"):
        cross_section(frame, SPEC | {"regressors": [{"name": "outer", "area_set": "outer"}]})
