"""Run one parser family over its pinned files and validate the combined table.

Every file's sha256 is checked against its pin where it is read, not only when it was fetched:
a copy in raw/ edited afterwards (root writes through the read-only bit) stops the step.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from ..contracts import ACTIVITY, PRICE_INDEX, SPENDING, check_contract
from ..errors import ChecksumError, LayoutError
from ..paths import inside
from ..tables import sort_table
from .fetch import sha256_of

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
}


def check_pinned(path: str | Path, source_id: str, entry: dict) -> Path:
    """``path``, checked to be raw/'s copy of ``entry`` and to match its pinned sha256."""
    expected = inside("raw", entry["path"], f"config/sources.yaml: sources.{source_id}.path")
    if Path(path).as_posix() != expected.as_posix():
        raise ValueError(f"{path} is not the raw copy of {source_id} ({entry['path']})")
    actual = sha256_of(path)
    if actual != entry["sha256"]:
        raise ChecksumError(
            f"{path} ({source_id}) no longer matches its pin in config/sources.yaml: it was changed after "
            f"it was fetched and checked.\n"
            f"  expected sha256 {entry['sha256']}\n"
            f"  actual   sha256 {actual}\n"
            f"Delete {path} (it is read-only: `rm -f {path}`) and rerun `snakemake`, which copies it again "
            "from the mirror; if the publisher really replaced the file, re-pin it (README: 'Adding a new year')."
        )
    return Path(path)


def ingest(family: str, files: list[str], entries: dict[str, dict]) -> pd.DataFrame:
    """Parse every file of a family (``files`` in the order of ``entries``) and validate.

    Each parser module ``childspend.sources.<family>`` exposes
    ``parse(path, source_id, period) -> DataFrame`` in its family's schema, and may expose
    ``check_complete(table, path, source_id, period)``, which stops on a file that lacks
    something its year must have.
    """
    schema = SCHEMAS[family]
    parser = importlib.import_module(f"childspend.sources.{family}")
    frames = []
    for path, (source_id, entry) in tqdm(list(zip(files, entries.items())), desc=f"ingest {family}", unit="file"):
        table = parser.parse(check_pinned(path, source_id, entry), source_id, entry["period"])
        if hasattr(parser, "check_complete"):
            parser.check_complete(table, Path(path), source_id, entry["period"])
        log.info("%s: %d rows from %s", source_id, len(table), path)
        frames.append(table[list(schema.columns)])
    combined = pd.concat(frames, ignore_index=True)
    return sort_table(check_contract(schema, combined, f"{family}: the parsed table", LayoutError))
