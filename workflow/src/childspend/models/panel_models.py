"""Panel models of demand: two-way fixed effects and within-between (hybrid) models of each LA's
rates of children looked after, in need and on plans, on its spending and context.

A model is one block of config (``models.panel.<id>``): ``estimator`` (``twfe``: OLS with area
and year effects, by demeaning, standard errors clustered by area; ``hybrid``: MixedLM with a
random intercept by area, each regressor split into the area's mean ``<term>_between`` and its deviation
``<term>_within``), ``outcome``, ``regressors`` (a frame measure, optionally over another
``per``, times ``scale``, ``transform: log``, ``lag`` in years), ``year_effects``, ``years``,
``min_child_population`` and ``sums`` (terms whose coefficients are also reported added up).
Unit LAs only; complete cases. :func:`fit_panel_model` turns one block and the model frame into
a coefficients table and a one-row fit table; :func:`collect` stacks the models' tables.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from ..errors import ConfigError
from ..tables import sort_table
from ..years import fy_label, fy_range, fy_start

COEFFICIENTS = [
    "model_id",
    "outcome",
    "term",
    "coef",
    "se",
    "ci_low",
    "ci_high",
    "p",
    "n_obs",
    "n_areas",
    "years",
    "se_type",
    "estimator",
    "formula",
    "sample",
]
FIT = [
    "model_id",
    "outcome",
    "estimator",
    "year_effects",
    "n_obs",
    "n_areas",
    "years",
    "r_squared",
    "r_squared_within",
    "log_likelihood",
    "converged",
    "exclusions",
    "price_base",
    "population_vintage",
]
POPULATION = "population_0_17"
ESTIMATORS = {
    "twfe": (
        "fixed effects: OLS on data demeaned by area (and by year with year effects), as with dummies (statsmodels OLS)",
        "cluster-robust by area, CR1: G/(G-1) x (N-1)/(N-K), K counting the dummies; normal intervals",
    ),
    "hybrid": (
        "within-between: random intercept by area, REML (statsmodels MixedLM)",
        "model-based (MixedLM REML); normal intervals",
    ),
}


def unit_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Unit LA rows of the long model frame, wide: one row per (area_code, year), one column per
    measure, with area_name and region_code."""
    la = frame[frame["area_level"] == "la"]
    wide = la.pivot(index=["area_code", "year"], columns="measure", values="value")
    wide.columns.name = None
    names = la.drop_duplicates(["area_code", "year"]).set_index(["area_code", "year"])[["area_name", "region_code"]]
    return names.join(wide).sort_index()


def term_name(regressor: dict) -> str:
    lag = regressor.get("lag", 0)
    return f"{regressor['name']}_lag{lag}" if lag else regressor["name"]


def regressor_values(wide: pd.DataFrame, regressor: dict) -> pd.Series:
    """One regressor per (area_code, year) of ``wide`` (:func:`unit_table`): the measure, over
    ``per``, times ``scale``, logged, filled from the nearest edition, then lagged ``lag`` years."""
    for name in (regressor["measure"], regressor.get("per")):
        if name is not None and name not in wide:
            raise ConfigError(f"models: regressor {regressor['name']}: {name} is not a measure of the model frame")
    value = wide[regressor["measure"]].astype(float)
    if "per" in regressor:
        value = value / wide[regressor["per"]].where(wide[regressor["per"]] != 0)
    value = value * regressor.get("scale", 1.0)
    if regressor.get("transform") == "log":
        value = np.log(value.where(value > 0))
    if regressor.get("fill") == "nearest_edition":
        # the latest edition at or before the year, else the first after it
        value = value.groupby(level="area_code").transform(lambda v: v.ffill().bfill())
    lag = regressor.get("lag", 0)
    if lag:
        earlier = [(area, fy_label(fy_start(year) - lag)) for area, year in value.index]
        value = pd.Series(value.reindex(earlier).to_numpy(), index=value.index)
    return value.rename(term_name(regressor))


def small_areas(wide: pd.DataFrame, years: list[str], minimum: float) -> dict[str, str]:
    """Areas whose mean child population over ``years`` is under ``minimum`` -> the reason."""
    rows = wide[wide.index.get_level_values("year").isin(years)]
    mean = rows[POPULATION].groupby(level="area_code").mean()
    names = rows.groupby(level="area_code")["area_name"].first()
    return {
        area: f"{area} {names[area]}: mean child population {mean[area]:,.0f}, under {minimum:,.0f}"
        for area in mean.index[mean < minimum]
    }


def sample_data(frame: pd.DataFrame, outcome: str, regressors: list[dict], spec: dict) -> tuple[pd.DataFrame, list]:
    """Complete cases of the outcome and regressors, unit LAs, in the model's years, less small
    areas; and the exclusions, each with its reason."""
    wide = unit_table(frame)
    if outcome not in wide:
        raise ConfigError(f"models: outcome {outcome} is not a measure of the model frame")
    years = fy_range(spec["years"]["first"], spec["years"]["last"])
    columns = [wide[outcome].astype(float).rename(outcome)] + [regressor_values(wide, r) for r in regressors]
    data = pd.concat([wide[["area_name", "region_code"]], *columns], axis=1)
    data = data[data.index.get_level_values("year").isin(years)]
    excluded = small_areas(wide, years, spec.get("min_child_population", 0))
    notes = [f"excluded {reason}" for reason in excluded.values()]
    data = data[~data.index.get_level_values("area_code").isin(list(excluded))]
    variables = [c.name for c in columns]
    missing = data[variables].isna()
    if missing.any(axis=None):
        counts = ", ".join(f"{name} {n}" for name, n in missing.sum().items() if n)
        notes.append(f"dropped {int(missing.any(axis=1).sum())} area-years lacking a value (complete cases; {counts})")
    data = data[~missing.any(axis=1)].reset_index()
    if data.empty:
        raise ConfigError(f"models: no area-year has {outcome} and every regressor in {years[0]} to {years[-1]}")
    return data, notes


def _span(data: pd.DataFrame) -> str:
    years = sorted(data["year"].unique())
    return f"{years[0]} to {years[-1]}"


def _inference(params: pd.Series, cov: pd.DataFrame, terms: list[str], sums: dict[str, list[str]]) -> pd.DataFrame:
    """Estimate, standard error, normal 95% interval and two-sided p of each term and of each sum
    of terms (e.g. a spend effect over two lags, with the covariance of its parts)."""
    rows = [(t, pd.Series(1.0, index=[t])) for t in terms]
    for name, parts in sums.items():
        unknown = sorted(set(parts) - set(terms))
        if unknown:
            raise ConfigError(f"models: sum {name}: {unknown} are not terms of the model ({terms})")
        rows.append((name, pd.Series(1.0, index=parts)))
    z = stats.norm.ppf(0.975)
    out = []
    for term, w in rows:
        coef = float(params[w.index] @ w)
        se = float(np.sqrt(w @ cov.loc[w.index, w.index] @ w))
        p = float(2 * stats.norm.sf(abs(coef / se)))
        out.append(dict(term=term, coef=coef, se=se, ci_low=coef - z * se, ci_high=coef + z * se, p=p))
    return pd.DataFrame(out)


def demean(values: np.ndarray, groups: list[np.ndarray], tol: float = 1e-13) -> np.ndarray:
    """Columns of ``values`` less their means within each grouping in turn, repeated until nothing
    moves (alternating projections: exact in one pass for one grouping or a balanced panel)."""
    out = values.astype(float).copy()
    scale = max(1.0, float(np.abs(out).max()))
    for _ in range(10_000):
        before = out.copy()
        for codes in groups:
            counts = np.bincount(codes)
            for j in range(out.shape[1]):
                out[:, j] -= (np.bincount(codes, weights=out[:, j]) / counts)[codes]
        if len(groups) == 1 or np.abs(out - before).max() <= tol * scale:
            return out
    raise RuntimeError("demeaning did not converge")


def fit_twfe(data: pd.DataFrame, outcome: str, terms: list[str], year_effects: bool):
    """OLS of ``outcome`` on ``terms`` after removing area (and year) means, which gives the
    estimates of the regression with area (and year) dummies; covariance clustered by area with
    the small-sample factor of that regression (its K counts the dummies)."""
    area = pd.factorize(data["area_code"])[0]
    groups = [area, pd.factorize(data["year"])[0]] if year_effects else [area]
    values = demean(data[[outcome, *terms]].to_numpy(), groups)
    result = sm.OLS(values[:, 0], values[:, 1:]).fit(cov_type="cluster", cov_kwds={"groups": area})
    n, k = len(data), len(terms)
    dummies = sum(int(g.max()) + 1 for g in groups) - (len(groups) - 1)
    # statsmodels' factor is G/(G-1) (N-1)/(N-k); the dummies regression has K = k + dummies
    cov = result.cov_params() * (n - k) / (n - k - dummies)
    effects = " + C(area_code)" + (" + C(year)" if year_effects else "")
    y = data[outcome].to_numpy()
    stats_ = dict(
        r_squared=1 - result.ssr / float(((y - y.mean()) ** 2).sum()),
        r_squared_within=1 - result.ssr / float((values[:, 0] ** 2).sum()),
        converged=True,
    )
    formula = f"{outcome} ~ {' + '.join(terms)}{effects}"
    return formula, pd.Series(result.params, index=terms), pd.DataFrame(cov, index=terms, columns=terms), terms, stats_


def split_within_between(data: pd.DataFrame, terms: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Each term as the area's mean over the sample (``_between``) and the deviation from it (``_within``)."""
    out = data.copy()
    split = []
    for term in terms:
        between = data.groupby("area_code")[term].transform("mean")
        out[f"{term}_within"] = data[term] - between
        out[f"{term}_between"] = between
        split += [f"{term}_within", f"{term}_between"]
    return out, split


def fit_hybrid(data: pd.DataFrame, outcome: str, terms: list[str], year_effects: bool):
    """MixedLM of ``outcome`` on the within and between parts of ``terms``, random intercept by area."""
    data, split = split_within_between(data, terms)
    formula = f"{outcome} ~ {' + '.join(split)}" + (" + C(year)" if year_effects else "")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = smf.mixedlm(formula, data, groups=data["area_code"]).fit(reml=True)
    converged = bool(result.converged) and not any("converge" in str(w.message).lower() for w in caught)
    stats_ = dict(log_likelihood=result.llf, converged=converged)
    return formula + " + (1 | area_code)", result.params, result.cov_params(), split, stats_


def fit_panel_model(frame: pd.DataFrame, model_id: str, spec: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One model block fitted on the model frame: (coefficients, fit), columns COEFFICIENTS and FIT."""
    outcome, regressors = spec["outcome"], spec["regressors"]
    terms = [term_name(r) for r in regressors]
    if len(set(terms)) < len(terms):
        raise ConfigError(f"models.panel.{model_id}: two regressors make the same term ({terms})")
    data, notes = sample_data(frame, outcome, regressors, spec)
    estimator, se_type = ESTIMATORS[spec["estimator"]]
    fit = fit_twfe if spec["estimator"] == "twfe" else fit_hybrid
    formula, params, cov, reported, stats_ = fit(data, outcome, terms, spec["year_effects"])
    n_areas = data["area_code"].nunique()
    price_base = frame["price_base"].iloc[0]
    vintage = frame["population_vintage"].iloc[0]
    time = "year effects" if spec["year_effects"] else "no year effects"
    sample = (
        f"unit LAs, {_span(data)}: {n_areas} areas, {len(data)} area-years; {time}; "
        + "; ".join(notes or ["no exclusions"])
        + f"; money in {price_base}; child population: {vintage}"
    )
    coefficients = _inference(params, cov, reported, spec.get("sums", {})).assign(
        model_id=model_id,
        outcome=outcome,
        n_obs=len(data),
        n_areas=n_areas,
        years=_span(data),
        se_type=se_type,
        estimator=estimator,
        formula=formula,
        sample=sample,
    )
    fit_row = dict(
        model_id=model_id,
        outcome=outcome,
        estimator=estimator,
        year_effects=spec["year_effects"],
        n_obs=len(data),
        n_areas=n_areas,
        years=_span(data),
        exclusions="; ".join(notes),
        price_base=price_base,
        population_vintage=vintage,
        **stats_,
    )
    return coefficients[COEFFICIENTS], pd.DataFrame([fit_row]).reindex(columns=FIT)


def collect(coefficients: list[pd.DataFrame], fits: list[pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every model's tables stacked, by model id (each model's terms in its own order)."""
    return (
        sort_table(pd.concat(coefficients, ignore_index=True)[COEFFICIENTS], ["model_id"]),
        sort_table(pd.concat(fits, ignore_index=True)[FIT], ["model_id"]),
    )


COMPARISON = [
    "comparison_id",
    "study",
    "published_estimate",
    "published_ci_low",
    "published_ci_high",
    "published_unit",
    "published_specification",
    "model_id",
    "term",
    "estimate",
    "ci_low",
    "ci_high",
    "factor",
    "years",
    "n_areas",
    "time_control",
    "differences",
    "faithful_replication",
    "source",
]


def published_comparison(
    coefficients: pd.DataFrame, fit: pd.DataFrame, cross_section_fit: pd.DataFrame, published: list[dict]
) -> pd.DataFrame:
    """Each published estimate beside our closest specifications (config/published.yaml
    ``models``): our estimate times ``factor`` (into the published unit), with our sample."""
    coefs = coefficients.set_index(["model_id", "term"])
    fits = fit.set_index("model_id")
    cross = cross_section_fit.set_index("year")
    rows = []
    for study in published:
        head = dict(
            comparison_id=study["id"],
            study=study["study"],
            published_estimate=study["estimate"],
            published_ci_low=study.get("ci_low"),
            published_ci_high=study.get("ci_high"),
            published_unit=study["unit"],
            published_specification=study["specification"],
            differences=study["differences"],
            faithful_replication=study["faithful_replication"],
            source=study["source"],
        )
        for entry in study["compare"]:
            if "model_id" in entry:
                key = (entry["model_id"], entry["term"])
                if key not in coefs.index:
                    raise ConfigError(f"config/published.yaml: {study['id']}: no term {key[1]} in model {key[0]}")
                row, model = coefs.loc[key], fits.loc[entry["model_id"]]
                time = "year effects" if model["year_effects"] else "none"
                ours = dict(
                    model_id=entry["model_id"],
                    term=entry["term"],
                    estimate=row["coef"] * entry["factor"],
                    ci_low=row["ci_low"] * entry["factor"],
                    ci_high=row["ci_high"] * entry["factor"],
                    factor=entry["factor"],
                    years=model["years"],
                    n_areas=model["n_areas"],
                    time_control=f"{time}; {model['estimator']}",
                )
            else:
                year = cross.index.max() if entry["cross_section_year"] == "latest" else entry["cross_section_year"]
                if year not in cross.index:
                    raise ConfigError(f"config/published.yaml: {study['id']}: no cross-section in {year}")
                row = cross.loc[year]
                ours = dict(
                    model_id="cross_section",
                    term=entry["statistic"],
                    estimate=row[entry["statistic"]],
                    factor=1.0,
                    years=year,
                    n_areas=row["n_obs"],
                    time_control="one year",
                )
            rows.append({**head, **ours})
    return pd.DataFrame(rows).reindex(columns=COMPARISON)
