"""Latest release wins: DfE and MHCLG revise back years, so where several releases cover the same
figures the newest is used. Source ids sort by release (``config/sources.yaml``), so the newest
release is the largest id.
"""

from __future__ import annotations

import pandas as pd


def latest_release(rows: pd.DataFrame, by: list[str], fill_from_earlier: list[str] | None = None) -> pd.DataFrame:
    """The rows of the newest release in each ``by`` group.

    With ``fill_from_earlier`` (the columns that, with ``by``, identify one value, such as
    ``la_number``), one row per value is kept: the newest release's, unless it suppresses or
    lacks the value and an earlier release gives it; such rows are marked ``earlier_release``.
    """
    newest = rows.groupby(by)["source"].transform("max")
    if fill_from_earlier is None:
        return rows[rows["source"] == newest]
    keys = [*by, *fill_from_earlier]
    ranked = rows.assign(has_value=rows["value"].notna(), earlier_release=rows["source"] != newest)
    ranked = ranked.sort_values([*keys, "has_value", "source"], kind="mergesort")
    return ranked.drop_duplicates(keys, keep="last").drop(columns="has_value")
