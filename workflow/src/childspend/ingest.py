"""Run one parser family over its pinned files and validate the combined table."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

import pandas as pd
import pandera.errors
from tqdm import tqdm

from .errors import LayoutError
from .schemas import SPENDING, SPENDING_COLUMNS

log = logging.getLogger(__name__)


def ingest_spending(family: str, files: list[str], entries: dict[str, dict]) -> pd.DataFrame:
    """Parse every file of a spending family (``files`` in the order of ``entries``).

    Each parser module ``childspend.parsers.<family>`` exposes
    ``parse(path, source_id, period) -> DataFrame`` in the SPENDING layout.
    """
    parser = importlib.import_module(f"childspend.parsers.{family}")
    frames = []
    for path, (source_id, entry) in tqdm(list(zip(files, entries.items())), desc=f"ingest {family}", unit="file"):
        if Path(path).as_posix() != f"raw/{entry['path']}":
            raise ValueError(f"{path} is not the raw copy of {source_id} ({entry['path']})")
        table = parser.parse(Path(path), source_id, entry["period"])
        log.info("%s: %d rows from %s", source_id, len(table), path)
        frames.append(table[SPENDING_COLUMNS])
    combined = pd.concat(frames, ignore_index=True)
    try:
        return SPENDING.validate(combined, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        raise LayoutError(
            f"{family}: parsed table breaks its data contract:\n{exc.failure_cases.head(20).to_string()}"
        ) from None
