"""Reading official workbooks and writing reproducible outputs.

Outputs are written atomically (:func:`childspend.files.atomic_write`) and CSVs are sorted with a
fixed column order and float format, so two runs from the same inputs give identical bytes.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from .errors import LayoutError
from .files import atomic_write

FLOAT_FORMAT = "%.6f"


UNREADABLE = (
    "The file is probably truncated or corrupt, or not the format its name says: open it in a "
    "spreadsheet program; if it does not open either, get a fresh copy from its source page "
    "(config/sources.yaml) and re-pin it (README: 'Adding a new year')."
)


def read_sheets(path: str | os.PathLike, keep: str | None = None) -> dict[str, pd.DataFrame]:
    """Every sheet of an xls/xlsx/ods workbook as raw cell grids (no header inference); with
    ``keep`` (a regular expression), only the sheets whose name it matches (searched), so a parser
    that needs a few sheets of a large workbook does not convert the others.

    Only empty cells are missing: text such as "NA" or "n/a" is kept, so suppression markers
    reach the parsers' flag columns instead of silently becoming blanks. A workbook or sheet that
    cannot be read, or no sheet matching ``keep``, is a LayoutError naming the file (and sheet)
    and what to do.
    """
    try:
        book = pd.ExcelFile(path, engine="calamine")
    except Exception as exc:  # calamine's errors vary by format: zip, ods xml, cfb
        raise LayoutError(
            f"{path}: cannot be opened as a workbook ({type(exc).__name__}: {exc}). {UNREADABLE}"
        ) from None
    sheets = {}
    with book:
        names = [n for n in book.sheet_names if keep is None or re.search(keep, n)]
        if keep is not None and not names:
            raise LayoutError(f"{Path(path).name}: no sheet named like {keep!r}; sheets are {book.sheet_names}")
        for name in names:
            try:
                sheets[name] = pd.read_excel(book, sheet_name=name, header=None, keep_default_na=False, na_values=[""])
            except Exception as exc:
                raise LayoutError(
                    f"{path}, sheet {name!r}: cannot be read ({type(exc).__name__}: {exc}). {UNREADABLE}"
                ) from None
    return sheets


def sort_table(df: pd.DataFrame, keys: list[str] | None = None) -> pd.DataFrame:
    """Rows in a stable order: by ``keys`` if given, else by every column."""
    keys = keys or list(df.columns)
    return df.sort_values(keys, kind="mergesort", na_position="last").reset_index(drop=True)


def write_parquet(df: pd.DataFrame, path: str | os.PathLike) -> None:
    atomic_write(path, lambda tmp: df.to_parquet(tmp, index=False, compression="zstd"))


def write_csv(df: pd.DataFrame, path: str | os.PathLike) -> None:
    atomic_write(
        path,
        lambda tmp: df.to_csv(tmp, index=False, float_format=FLOAT_FORMAT, lineterminator="\n"),
    )


def write_table(df: pd.DataFrame, parquet: str | os.PathLike, csv: str | os.PathLike | None = None) -> None:
    """Write parquet, and the CSV twin if asked, in the row order given (stages sort their tables)."""
    write_parquet(df, parquet)
    if csv is not None:
        write_csv(df, csv)
