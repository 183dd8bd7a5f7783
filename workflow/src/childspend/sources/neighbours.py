"""DfE children's services statistical neighbours (``sn_<month>_<year>.xlsx``, shipped with LAIT).

One sheet, ``LA SN Groups``: for every LA (by its old 3-digit DfE number) its 10 nearest
statistical neighbours, nearest first, each with a closeness label. Columns: ``LA num``,
``LA Name``, ``LA number`` (the same number again), ``GOInd`` / ``GOReg`` (region number and
name), then ten pairs ``SN1`` .. ``SN10`` (a neighbour's LA number) and ``SNP`` (its closeness, nearest first: :data:`childspend.contracts.CLOSENESS`).
Surprises handled here:
- two rows of spreadsheet scaffolding (column letters ``A`` .. ``E`` then numbers) sit above the
  header row, and the April 2021 file has an empty 26th column;
- closeness labels are written with varying capitals in one file ("Very close", "Very Close",
  "Not Close"); they are normalised to lower case and must be one of those five;
- after the current lists, a blank row and an ``Old SNs:`` row introduce the lists of LAs that
  have since been abolished (Dorset, Poole and Bournemouth before 2019, Northamptonshire, and
  Cumbria in the May 2025 file); they are kept with ``list`` = ``old``;
- an LA created after the list was computed keeps a row of ``-`` placeholders (Cumberland and
  Westmorland and Furness in the April 2021 file): its ten rows are kept with no neighbour and
  the marker as the flag.

The lists are not symmetric (A in B's list does not put B in A's) and change between vintages.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from ..contracts import CLOSENESS, NEIGHBOUR_COLUMNS
from ..errors import LayoutError
from ..markers import classify
from ..tables import read_sheets

log = logging.getLogger(__name__)

SHEET = "LA SN Groups"
KEY_COLUMNS = ["LA num", "LA Name", "LA number", "GOInd", "GOReg"]
NEIGHBOURS = 10
OLD_BLOCK = "old sns:"


def _header_row(grid: pd.DataFrame, path: Path) -> int:
    for number, row in grid.iterrows():
        if str(row.iloc[0]).strip() == KEY_COLUMNS[0]:
            return number
    raise LayoutError(f"{path}: sheet {SHEET!r}: no header row starting {KEY_COLUMNS[0]!r} in column A")


def _expected_header() -> list[str]:
    pairs = [name for rank in range(1, NEIGHBOURS + 1) for name in (f"SN{rank}", "SNP")]
    return [*KEY_COLUMNS, *pairs]


def _number(cell, path: Path, where: str) -> int:
    value, flag = classify(cell)
    if flag or value != int(value):
        raise LayoutError(f"{path}: sheet {SHEET!r}, {where}: {cell!r} is not an LA number")
    return int(value)


def parse(path: Path, source_id: str, period: str) -> pd.DataFrame:
    """One row per LA x list (current or old) x neighbour rank (1 nearest)."""
    sheets = read_sheets(path)
    if SHEET not in sheets:
        raise LayoutError(f"{path}: no sheet {SHEET!r}; found {list(sheets)}")
    grid = sheets[SHEET]
    start = _header_row(grid, path)
    header = [str(c).strip() for c in grid.iloc[start, : len(_expected_header())]]
    if header != _expected_header():
        raise LayoutError(f"{path}: sheet {SHEET!r} row {start + 1}: header {header}, expected {_expected_header()}")
    rows = []
    block = "current"
    for number in range(start + 1, len(grid)):
        cells = grid.iloc[number, : len(header)].tolist()
        first, name = cells[0], cells[1]
        if isinstance(name, str) and name.strip().lower() == OLD_BLOCK:
            block = "old"
            continue
        if pd.isna(first) and pd.isna(name):
            continue  # the blank rows around the "Old SNs:" heading
        where = f"row {number + 1}"
        la = _number(first, path, f"{where}, column A")
        if _number(cells[2], path, f"{where}, column C") != la:
            raise LayoutError(
                f"{path}: sheet {SHEET!r}, {where}: 'LA num' {first!r} and 'LA number' {cells[2]!r} differ"
            )
        for rank in range(1, NEIGHBOURS + 1):
            neighbour, closeness = cells[3 + 2 * rank], cells[4 + 2 * rank]
            value, flag = classify(neighbour)
            label = "" if pd.isna(closeness) else str(closeness).strip().lower()
            if flag:
                if classify(closeness)[1] != flag:
                    raise LayoutError(
                        f"{path}: sheet {SHEET!r}, {where}: SN{rank} is {neighbour!r} but its closeness is {closeness!r}"
                    )
                label = ""
            elif label not in CLOSENESS:
                raise LayoutError(
                    f"{path}: sheet {SHEET!r}, {where}: closeness {closeness!r} of SN{rank} is not one of {CLOSENESS}"
                )
            rows.append(
                dict(
                    source=source_id,
                    vintage=period,
                    list=block,
                    la_number=la,
                    la_name=str(name).strip(),
                    region_name=str(cells[4]).strip(),
                    rank=rank,
                    neighbour_la_number=None if flag else _number(neighbour, path, f"{where}, SN{rank}"),
                    closeness=label,
                    flag=flag,
                )
            )
    out = pd.DataFrame(rows, columns=NEIGHBOUR_COLUMNS)
    out["la_number"] = out["la_number"].astype("Int64")
    out["neighbour_la_number"] = out["neighbour_la_number"].astype("Int64")
    if out.empty:
        raise LayoutError(f"{path}: sheet {SHEET!r}: no LA rows under the header")
    counts = out.groupby("list")["la_number"].nunique().to_dict()
    placeholders = sorted(out.loc[out["flag"] != "", "la_number"].unique().tolist())
    log.info("%s: lists of %s LAs; LAs with placeholder rows only: %s", path, counts, placeholders)
    return out
