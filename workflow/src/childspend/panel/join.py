"""The joined panel: spending and activity halves with the per-child measures, checked against
the panel's data contract, in long and wide form, with its dictionary, coverage and exclusions.
"""

from __future__ import annotations

import logging

import pandas as pd

from ..contracts import PANEL_LONG, PANEL_WIDE, check_contract
from ..tables import sort_table
from . import dictionary
from .activity import PER_CHILD, coverage, derive
from .exclusions import ExclusionLog
from .units import PANEL_KEYS, wide

log = logging.getLogger(__name__)


def empty_years(long: pd.DataFrame) -> ExclusionLog:
    """Years of the panel (config ``years``) that no source gives a value for: the rows are all
    padded with no_data, which is logged as a warning and an exclusion (the run's warning summary
    and strict mode see it), never passed over in silence."""
    padded = ExclusionLog()
    counts = long.groupby("year")["value"].count()
    years = sorted(counts.index[counts == 0])
    covered = sorted(counts.index[counts > 0])
    for year in years:
        padded.add(
            "panel",
            "year in config years that no source covers: padded with no_data",
            year=year,
            rows=int((long["year"] == year).sum()),
        )
    if years:
        log.warning(
            "years %s are in config years but no pinned source has a value for them (sources cover %s to %s): "
            "every row is no_data. Pin the files for those years or move years.first / years.last in "
            "config/config.yaml.",
            years,
            covered[0] if covered else "-",
            covered[-1] if covered else "-",
        )
    return padded


def join_panel(
    spending: pd.DataFrame, activity: pd.DataFrame, exclusions: list[pd.DataFrame]
) -> dict[str, pd.DataFrame]:
    """``long``, ``wide``, ``dictionary``, ``coverage`` and ``exclusions`` tables of the panel."""
    long = sort_table(derive(pd.concat([spending, activity], ignore_index=True), PER_CHILD), PANEL_KEYS)
    long = check_contract(PANEL_LONG, long, "the joined panel (long)")
    padded = [frame.astype({"rows": str}) for frame in [empty_years(long).frame()] if len(frame)]
    table = check_contract(PANEL_WIDE, sort_table(wide(long), ["area_level", "area_code", "year"]), "the joined panel")
    return {
        "long": long,
        "wide": table,
        "dictionary": dictionary.build(long),
        "coverage": coverage(long),
        "exclusions": sort_table(pd.concat([*exclusions, *padded], ignore_index=True)),
    }
