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

from ..contracts import ACTIVITY, NEIGHBOURS, PRICE_INDEX, SPENDING, check_contract
from ..errors import ChecksumError, ChildspendError, LayoutError
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
    "neighbours": NEIGHBOURS,
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


def _parse(parser, family: str, path: Path, source_id: str, entry: dict) -> pd.DataFrame:
    """One file through its parser (and ``check_complete``). An error the parser did not word for
    the user (a reader failing on a damaged file, a bug) is reported with the file, the parser and
    what to do; its traceback is logged at DEBUG level and kept as the error's cause."""
    try:
        table = parser.parse(path, source_id, entry["period"])
        if hasattr(parser, "check_complete"):
            parser.check_complete(table, path, source_id, entry["period"])
        return table
    except ChildspendError:
        raise
    except Exception as exc:
        log.debug("%s: parser traceback", path, exc_info=True)
        raise LayoutError(
            f"{path} ({source_id}): childspend.sources.{family} could not read it: {type(exc).__name__}: {exc}. "
            f"If the file is truncated or corrupt, get a fresh copy from {entry.get('source_page', 'its source page')} "
            "and re-pin it; if it opens normally, its layout is new to the parser (or this is a bug) and "
            f"childspend/sources/{family}.py needs extending."
        ) from exc


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
        table = _parse(parser, family, check_pinned(path, source_id, entry), source_id, entry)
        log.info("%s: %d rows from %s", source_id, len(table), path)
        frames.append(table[list(schema.columns)])
    combined = pd.concat(frames, ignore_index=True)
    return sort_table(check_contract(schema, combined, f"{family}: the parsed table", LayoutError))
