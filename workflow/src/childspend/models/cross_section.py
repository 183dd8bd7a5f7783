"""The cross-section of spend per child: how much of the variation between councils, year by year,
needs outside a council's control explain, and each council's needs-predicted spend.

One OLS per year (``models.cross_section``) of the outcome (log real S251 spend per child) on
regressors built as in :mod:`childspend.models.panel_models` (a frame measure, scaled, logged,
filled from the nearest IoD edition) or indicators (``region``: a region code; ``area_set``: a
named list of areas in the block, with its source). An ``optional`` regressor enters only the
years some unit has it. Fit: R-squared, adjusted, and leave-one-out (1 - PRESS / total sum of
squares, PRESS from the hat matrix); each council's actual spend against the prediction and its
95% prediction interval, back-transformed from logs (so the prediction is a geometric-mean one).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm

from ..errors import ConfigError
from ..tables import sort_table
from ..years import fy_range
from .panel_models import regressor_values, small_areas, unit_table

FIT = [
    "year",
    "outcome",
    "n_obs",
    "terms",
    "r_squared",
    "adj_r_squared",
    "loo_r_squared",
    "press",
    "residual_se",
    "formula",
    "sample",
]
COEFFICIENTS = ["year", "outcome", "term", "coef", "se", "ci_low", "ci_high", "p", "se_type"]
NEEDS = [
    "area_code",
    "area_name",
    "year",
    "actual",
    "predicted",
    "lower",
    "upper",
    "position",
    "log_actual",
    "log_predicted",
    "log_residual",
    "unit",
]


def _column(wide: pd.DataFrame, regressor: dict, area_sets: dict) -> pd.Series:
    if "region" in regressor:
        value = (wide["region_code"] == regressor["region"]).astype(float)
    elif "area_set" in regressor:
        if regressor["area_set"] not in area_sets:
            raise ConfigError(f"models.cross_section: no area set {regressor['area_set']!r} under area_sets")
        members = [str(a) for a in area_sets[regressor["area_set"]]["areas"]]
        value = pd.Series(wide.index.get_level_values("area_code").isin(members).astype(float), index=wide.index)
    else:
        return regressor_values(wide, regressor)
    return value.rename(regressor["name"])


def loo_r_squared(y: np.ndarray, fitted: np.ndarray, leverage: np.ndarray) -> tuple[float, float]:
    """(leave-one-out R-squared, PRESS): each residual inflated by 1 / (1 - leverage)."""
    press = float(np.sum(((y - fitted) / (1 - leverage)) ** 2))
    return 1 - press / float(np.sum((y - y.mean()) ** 2)), press


def fit_year(data: pd.DataFrame, outcome: str, terms: list[str], level: float):
    """OLS of one year's councils: the result, its fit statistics and the prediction intervals."""
    X = sm.add_constant(data[terms], has_constant="add")
    result = sm.OLS(data[outcome], X).fit()
    leverage = result.get_influence().hat_matrix_diag
    loo, press = loo_r_squared(data[outcome].to_numpy(), result.fittedvalues.to_numpy(), leverage)
    stats_ = dict(
        r_squared=result.rsquared,
        adj_r_squared=result.rsquared_adj,
        loo_r_squared=loo,
        press=press,
        residual_se=float(np.sqrt(result.scale)),
    )
    interval = result.get_prediction(X).summary_frame(alpha=1 - level)
    return result, stats_, interval


def cross_section(frame: pd.DataFrame, spec: dict) -> dict[str, pd.DataFrame]:
    """Per year: ``fit`` (one row), ``coefficients`` and ``needs_adjusted`` (one row per council)."""
    wide = unit_table(frame)
    years = fy_range(spec["years"]["first"], spec["years"]["last"])
    outcome_spec = spec["outcome"]
    outcome = outcome_spec["name"]
    columns = [regressor_values(wide, outcome_spec)]
    columns += [_column(wide, r, spec.get("area_sets", {})) for r in spec["regressors"]]
    data = pd.concat([wide[["area_name"]], *columns], axis=1).reset_index()
    excluded = small_areas(wide, years, spec.get("min_child_population", 0))
    data = data[~data["area_code"].isin(list(excluded))]
    optional = {r["name"] for r in spec["regressors"] if r.get("optional")}
    level = spec.get("interval", 0.95)
    price_base = frame["price_base"].iloc[0]
    if outcome_spec.get("transform") != "log":
        raise ConfigError("models.cross_section: the outcome must be logged (transform: log)")
    unit = f"GBP per child, {price_base}"
    fits, coefficients, needs = [], [], []
    for year in years:
        rows = data[data["year"] == year]
        terms = [r["name"] for r in spec["regressors"] if not (r["name"] in optional and rows[r["name"]].isna().all())]
        lacking = rows[[outcome, *terms]].isna().any(axis=1)
        rows = rows[~lacking]
        if len(rows) <= len(terms) + 1:
            raise ConfigError(f"models.cross_section: {year} has {len(rows)} councils for {len(terms)} regressors")
        result, stats_, interval = fit_year(rows, outcome, terms, level)
        notes = [f"excluded {r}" for r in excluded.values()]
        if lacking.any():
            notes.append(f"dropped {int(lacking.sum())} councils lacking a value (complete cases)")
        dropped = sorted(optional - set(terms))
        if dropped:
            notes.append(f"{', '.join(dropped)}: no data this year, left out")
        fits.append(
            dict(
                year=year,
                outcome=outcome,
                n_obs=len(rows),
                terms=" + ".join(terms),
                formula=f"{outcome} ~ 1 + {' + '.join(terms)} (OLS)",
                sample=f"unit LAs, {year}: {len(rows)} councils; " + "; ".join(notes) + f"; money in {price_base}",
                **stats_,
            )
        )
        ci = result.conf_int(alpha=0.05)
        coefficients.append(
            pd.DataFrame(
                dict(
                    year=year,
                    outcome=outcome,
                    term=result.params.index,
                    coef=result.params.to_numpy(),
                    se=result.bse.to_numpy(),
                    ci_low=ci[0].to_numpy(),
                    ci_high=ci[1].to_numpy(),
                    p=result.pvalues.to_numpy(),
                    se_type="classical OLS",
                )
            )
        )
        actual = rows[outcome].to_numpy()
        lower, upper = np.exp(interval["obs_ci_lower"].to_numpy()), np.exp(interval["obs_ci_upper"].to_numpy())
        value = np.exp(actual)
        needs.append(
            pd.DataFrame(
                dict(
                    area_code=rows["area_code"].to_numpy(),
                    area_name=rows["area_name"].to_numpy(),
                    year=year,
                    actual=value,
                    predicted=np.exp(interval["mean"].to_numpy()),
                    lower=lower,
                    upper=upper,
                    position=np.select([value > upper, value < lower], ["above", "below"], "within"),
                    log_actual=actual,
                    log_predicted=interval["mean"].to_numpy(),
                    log_residual=actual - interval["mean"].to_numpy(),
                    unit=unit,
                )
            )
        )
    return {
        "fit": pd.DataFrame(fits)[FIT],
        "coefficients": pd.concat(coefficients, ignore_index=True)[COEFFICIENTS],
        "needs_adjusted": sort_table(pd.concat(needs, ignore_index=True)[NEEDS], ["area_code", "year"]),
    }
