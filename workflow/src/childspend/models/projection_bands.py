"""Uncertainty bands from rolling-origin back-tests.

An error is ``log(outturn / projection)``. Its empirical quantiles for one scenario, quantity and
horizon, pooled over origins and over the areas of the levels configured for each level
(``pools``: by default units from units, regions from regions, and England from regions and
England together, since England alone has one error per origin), give the bands: a projection ``h`` years ahead times ``exp(quantile)``, so p50 moves the projection by
the median past error and the 50%, 80% and 95% bands are p25-p75, p10-p90 and p2.5-p97.5. The
back-test's own bands are cross-validated: each origin's come from the other origins' errors,
and the coverage table counts how often the outturn fell inside them. Neighbouring origins
share target years, so their errors are alike and the coverage is if anything optimistic;
``n`` says how many errors are behind each band.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

QUANTILES = {"p2_5": 0.025, "p10": 0.10, "p25": 0.25, "p50": 0.50, "p75": 0.75, "p90": 0.90, "p97_5": 0.975}
BANDS = {50: ("p25", "p75"), 80: ("p10", "p90"), 95: ("p2_5", "p97_5")}
GROUP = ["scenario", "area_level", "quantity", "horizon"]


def errors(backtest: pd.DataFrame) -> pd.Series:
    """log(actual / point) where both are positive, else NaN."""
    ok = (backtest["actual"] > 0) & (backtest["point"] > 0)
    return np.log(backtest["actual"].where(ok) / backtest["point"].where(ok))


def quantiles(backtest: pd.DataFrame, pools: dict[str, list[str]]) -> pd.DataFrame:
    """Per scenario, level, quantity and horizon: the number of errors pooled for that level
    (from the levels ``pools`` names) and their quantiles."""
    rows = backtest.assign(error=errors(backtest)).dropna(subset=["error"])
    rows = pd.concat(
        [rows[rows["area_level"].isin(sources)].assign(area_level=level) for level, sources in pools.items()],
        ignore_index=True,
    )
    grouped = rows.groupby(GROUP)["error"]
    table = grouped.quantile(list(QUANTILES.values())).unstack()
    table.columns = list(QUANTILES)
    table.insert(0, "n", grouped.size())
    table.insert(1, "origins", rows.groupby(GROUP)["origin"].nunique())
    return table.reset_index()


def apply(table: pd.DataFrame, bands: pd.DataFrame) -> pd.DataFrame:
    """``table`` (with ``point`` and the GROUP columns) with p2_5 ... p97_5 = point x exp(quantile)
    and ``n``, the number of errors behind them (0 where there are none: no band)."""
    out = table.merge(bands[[*GROUP, "n", *QUANTILES]], on=GROUP, how="left")
    for name in QUANTILES:
        out[name] = out["point"] * np.exp(out[name])
    out["n"] = out["n"].fillna(0).astype(int)
    return out


def cross_validated(backtest: pd.DataFrame, pools: dict[str, list[str]]) -> pd.DataFrame:
    """The back-test with each origin's bands from the other origins' errors (lower50 ... upper95)."""
    out = []
    for origin, rows in backtest.groupby("origin"):
        banded = apply(rows, quantiles(backtest[backtest["origin"] != origin], pools))
        for level, (low, high) in BANDS.items():
            banded[f"lower{level}"], banded[f"upper{level}"] = banded[low], banded[high]
        out.append(banded.drop(columns=[*QUANTILES, "n"]))
    return pd.concat(out, ignore_index=True)


def coverage(banded: pd.DataFrame) -> pd.DataFrame:
    """How often the outturn fell inside each cross-validated band, per scenario, level, quantity
    and horizon, and over all horizons (``horizon`` "all")."""
    rows = banded.dropna(subset=["actual", "lower80"]).copy()
    for level in BANDS:
        rows[f"inside{level}"] = rows["actual"].between(rows[f"lower{level}"], rows[f"upper{level}"])
    inside = [f"inside{level}" for level in BANDS]
    per = rows.assign(horizon=rows["horizon"].astype(str))
    every = rows.assign(horizon="all")
    out = []
    for table in (per, every):
        grouped = table.groupby(GROUP)
        counts = grouped[inside].mean().rename(columns=lambda c: c.replace("inside", "coverage"))
        counts.insert(0, "n", grouped.size())
        out.append(counts.reset_index())
    return pd.concat(out, ignore_index=True)
