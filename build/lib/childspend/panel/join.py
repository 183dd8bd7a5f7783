"""The joined panel: spending and activity halves with the per-child measures, checked against
the panel's data contract, in long and wide form, with its dictionary, coverage and exclusions.
"""

from __future__ import annotations

import pandas as pd

from ..contracts import PANEL_LONG, PANEL_WIDE, check_contract
from ..tables import sort_table
from . import dictionary
from .activity import PER_CHILD, coverage, derive
from .units import PANEL_KEYS, wide


def join_panel(
    spending: pd.DataFrame, activity: pd.DataFrame, exclusions: list[pd.DataFrame]
) -> dict[str, pd.DataFrame]:
    """``long``, ``wide``, ``dictionary``, ``coverage`` and ``exclusions`` tables of the panel."""
    long = sort_table(derive(pd.concat([spending, activity], ignore_index=True), PER_CHILD), PANEL_KEYS)
    long = check_contract(PANEL_LONG, long, "the joined panel (long)")
    table = check_contract(PANEL_WIDE, sort_table(wide(long), ["area_level", "area_code", "year"]), "the joined panel")
    return {
        "long": long,
        "wide": table,
        "dictionary": dictionary.build(long),
        "coverage": coverage(long),
        "exclusions": sort_table(pd.concat(exclusions, ignore_index=True)),
    }
