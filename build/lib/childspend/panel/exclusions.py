"""The exclusions log: every row left out of, or flagged in, the panel, with the reason."""

from __future__ import annotations

import pandas as pd

EXCLUSION_COLUMNS = ["stage", "source", "year", "area", "measure", "reason", "rows"]


class ExclusionLog:
    """Collects every row left out of, or flagged in, the panel, with the reason."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(
        self,
        stage: str,
        reason: str,
        source: str = "",
        year: str = "",
        area: str = "",
        measure: str = "",
        rows: int = 1,
    ) -> None:
        self.rows.append(
            dict(stage=stage, source=source, year=year, area=area, measure=measure, reason=reason, rows=rows)
        )

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=EXCLUSION_COLUMNS)
