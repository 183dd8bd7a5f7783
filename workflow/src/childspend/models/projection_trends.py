"""Trend rules the projections extend, fitted per unit on a units x years matrix.

A rule is ``{"method": ..., "window": n}``: ``flat`` holds the last observed value;
``log_linear`` continues the least-squares slope of log values over the last ``window`` annual
changes (``window + 1`` years to the origin; every year of the history if no window is given);
``geometric`` continues the compound annual growth between the first and last observed years
of the window (what "it rose from a to b, so at that pace ..." extrapolations do). Every rule
starts from the last observed value, so a projection joins the outturn. A series with fewer
than ``min_years`` observed years in its window (at least two), or a zero or negative one, is
held flat: a log trend is not defined on it, or would rest on a gap (an LA that reported only
two of six years, across a change in what it reports, would otherwise grow without bound).
"""

from __future__ import annotations

import numpy as np

METHODS = ("flat", "log_linear", "geometric")


def describe(rule: dict) -> str:
    """The rule in words, for the outputs' ``method`` column."""
    if rule["method"] == "flat":
        return "held at its last observed value"
    span = f"the last {rule['window']} years" if rule.get("window") else "every year of the history"
    kind = "log-linear trend" if rule["method"] == "log_linear" else "compound growth"
    held = f" (held flat with fewer than {rule['min_years']} years observed)" if rule.get("min_years") else ""
    return f"{kind} over {span}, from its last observed value{held}"


def _window(values: np.ndarray, rule: dict) -> np.ndarray:
    window = rule.get("window")
    return values if not window else values[:, -(window + 1) :]


def fit(values: np.ndarray, rule: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row of ``values`` (units x years, the last column the origin, NaN where missing): the
    last observed value, its column, and the slope in log value per year."""
    observed = ~np.isnan(values)
    last = np.where(observed.any(axis=1), values.shape[1] - 1 - np.argmax(observed[:, ::-1], axis=1), -1)
    anchor = np.where(last >= 0, values[np.arange(len(values)), np.maximum(last, 0)], np.nan)
    slope = np.zeros(len(values))
    if rule["method"] == "flat":
        return anchor, last, slope
    window = _window(values, rule)
    x = np.arange(values.shape[1])[-window.shape[1] :].astype(float)
    seen = ~np.isnan(window)
    usable = (seen.sum(axis=1) >= max(2, rule.get("min_years", 2))) & ~(
        seen & (np.nan_to_num(window, nan=1.0) <= 0)
    ).any(axis=1)
    logs = np.log(np.where(seen & usable[:, None], window, 1.0))
    if rule["method"] == "log_linear":
        weight = (seen & usable[:, None]).astype(float)
        count = np.maximum(weight.sum(axis=1), 1.0)
        x_mean = (weight * x).sum(axis=1) / count
        y_mean = (weight * logs).sum(axis=1) / count
        dx = (x - x_mean[:, None]) * weight
        spread = (dx * (x - x_mean[:, None])).sum(axis=1)
        slope = np.where(usable, (dx * (logs - y_mean[:, None])).sum(axis=1) / np.where(spread > 0, spread, 1.0), 0.0)
    else:
        first = np.argmax(seen, axis=1)
        final = window.shape[1] - 1 - np.argmax(seen[:, ::-1], axis=1)
        rows = np.arange(len(values))
        gap = np.maximum(final - first, 1)
        slope = np.where(usable, (logs[rows, final] - logs[rows, first]) / gap, 0.0)
    return anchor, last, slope


def extend(values: np.ndarray, rule: dict, steps: np.ndarray) -> np.ndarray:
    """Projected values (units x len(steps)), ``steps`` years after the origin (the last column)."""
    anchor, last, slope = fit(values, rule)
    ahead = (values.shape[1] - 1 + steps[None, :]) - last[:, None]
    return anchor[:, None] * np.exp(slope[:, None] * ahead)
