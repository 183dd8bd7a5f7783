"""Which profiles run together: the stable units dealt round-robin into batches, each batch
executed in one Jupyter kernel (:func:`childspend.reports.notebook.render_many`)."""

from __future__ import annotations

import pandas as pd


def unit_ids(areas: pd.DataFrame) -> list[str]:
    """The stable units of the areas table, in id order."""
    return sorted(areas.loc[areas["area_level"] == "la", "area_code"])


def batches(units: list[str], count: int) -> dict[int, list[str]]:
    """{batch number 0..count-1: its units}, dealt in turn so batches differ by at most one unit."""
    return {number: sorted(units)[number::count] for number in range(count)}
