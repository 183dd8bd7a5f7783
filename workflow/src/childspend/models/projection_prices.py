"""Cash and real terms for the projections: the price level of each year of the frame.

The frame carries S251 spending both in cash and at its price base, so their ratio for England
is the price level of each year (1 in the base year), as the deflation stage set it. Years after
the frame's last have none: the pipeline makes no inflation forecast.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def price_level(frame: pd.DataFrame) -> pd.Series:
    """By year: cash over real England S251 spending (1 in the price base year)."""
    england = frame[frame["area_level"] == "england"].set_index(["measure", "year"])["value"]
    return (england["s251_gross_total_cash"] / england["s251_gross_total"]).dropna()


def convert(value: float, year: str, source: str | None, target: str | None, prices: pd.Series) -> float:
    """Money from basis ``source`` to ``target`` (``None`` for counts: unchanged)."""
    if source is None or target is None or source == target:
        return value
    level = prices.get(year, np.nan)
    return value * level if target == "cash" else value / level
