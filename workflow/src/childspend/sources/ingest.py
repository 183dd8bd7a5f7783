"""Run one parser family over its pinned files and validate the combined table."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from ..contracts import ACTIVITY, NEIGHBOURS, PRICE_INDEX, SPENDING, check_contract
from ..errors import LayoutError
from ..tables import sort_table

log = logging.getLogger(__name__)

# The data contract each family's table must meet.
SCHEMAS = {
    "s251_a1": SPENDING,
    "lait": SPENDING,
    "revenue_outturn": SPENDING,
    "cla": ACTIVITY,
    "cin": ACTIVITY,
    "population": ACTIVITY,
    "deprivation": ACTIVITY,
    "prices": PRICE_INDEX,
    "neighbours": NEIGHBOURS,
}


def ingest(family: str, files: list[str], entries: dict[str, dict]) -> pd.DataFrame:
    """Parse every file of a family (``files`` in the order of ``entries``) and validate.

    Each parser module ``childspend.sources.<family>`` exposes
    ``parse(path, source_id, period) -> DataFrame`` in its family's schema.
    """
    schema = SCHEMAS[family]
    parser = importlib.import_module(f"childspend.sources.{family}")
    frames = []
    for path, (source_id, entry) in tqdm(list(zip(files, entries.items())), desc=f"ingest {family}", unit="file"):
        if Path(path).as_posix() != f"raw/{entry['path']}":
            raise ValueError(f"{path} is not the raw copy of {source_id} ({entry['path']})")
        table = parser.parse(Path(path), source_id, entry["period"])
        log.info("%s: %d rows from %s", source_id, len(table), path)
        frames.append(table[list(schema.columns)])
    combined = pd.concat(frames, ignore_index=True)
    return sort_table(check_contract(schema, combined, f"{family}: the parsed table", LayoutError))
