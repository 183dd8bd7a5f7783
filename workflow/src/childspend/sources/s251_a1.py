"""DfE Section 251 (S52) outturn, Table A1: children's and young people's services by LA and line.

One workbook per financial year, named by the year it ends (s251ye2009.xls = 2008-09), values in
cash GBP. Every row is one LA x one line with provider-split columns (ignored here) and the three
columns kept: total expenditure (gross), income and net current expenditure. Every release in
2008-09 to 2018-19 carries its own net column, so net is never derived.

Surprises handled here:
- the header row moves (row 4 under a title up to 2012-13, row 1 from 2013-14), its names change
  ("LEA Number:", "LEA", "LA"; "TOTAL EXPENDITURE (k)", "TotalExpenditure", ...) and 2018-19
  adds an "ident" column first; the header is found by name, never by position;
- 2009-10 to 2011-12 print the line number in its own column, not in the line text, so the
  number is put back in front of the text to give the line as printed in the other years;
- line numbers, wording and report groups change almost every year, and until 2012-13 lines sat
  in other blocks (adoption outside children looked after, commissioning and social work outside
  every block in 2010-11): s251_a1_lines.csv maps every line of every year explicitly to one of
  the stable 2012-13-onward categories, and a line it does not map is an error. The file also
  marks the lines that would double count (block totals, "including CERA", memorandum lines,
  2010-11's block total printed as "Unknown");
- 2008-09 and 2009-10 have no Sure Start or services-for-young-people blocks, so their totals
  (~GBP 6.0bn / 6.6bn) are smaller than later years' (~GBP 8.6-9.9bn): a scope change of the
  table, not a fall in spending;
- memorandum lines leave income and net empty (kept as missing values flagged "blank");
- no release has England or region rows; 2008-09 still has the pre-April-2009 counties
  Bedfordshire (820) and Cheshire (875), kept as they are; its LA names carry trailing spaces.
"""

from __future__ import annotations

import logging
import re
from functools import cache
from importlib.resources import files
from pathlib import Path

import pandas as pd

from .. import measures
from ..contracts import SPENDING_COLUMNS
from ..errors import LayoutError
from ..markers import numeric_with_flag
from ..tables import read_sheets
from ..years import fy_start, normalise_fy

log = logging.getLogger(__name__)

# Header names of the columns read, by role (compared case- and space-insensitively). Layouts:
# 2008-09 "LEA Number:, LA Name:, S52 Line Reference:, ... TOTAL EXPENDITURE (k), INCOME (l),
# NET Current Expenditure (m)"; 2009-10 "LEA, LEA Name, Line, S52 Line Reference, ... Total
# Expenditure (k) ..."; 2010-11 the same with "LA, LA Name"; 2011-12 to 2013-14 "LA, LA Name,
# LineNumber, CYPServiceDescription, ... TotalExpenditure, Income, NetCurrentExpenditure";
# 2014-15 onward "Description" for the line text.
COLUMNS = {
    "la_number": ("LEA Number:", "LEA", "LA"),
    "area_name": ("LA Name:", "LEA Name", "LA Name"),
    "line": ("S52 Line Reference:", "S52 Line Reference", "CYPServiceDescription", "Description"),
    "gross_expenditure": ("TOTAL EXPENDITURE (k)", "TotalExpenditure"),
    "income": ("INCOME (l)", "Income"),
    "net_expenditure": ("NET Current Expenditure (m)", "NetCurrentExpenditure"),
}
# Optional: the line number, where the line text does not start with it (2009-10 to 2011-12).
LINE_NUMBER = ("Line", "LineNumber")
MEASURES = ["gross_expenditure", "income", "net_expenditure"]
HEADER_SEARCH_ROWS = 30
UNIT = "GBP"

# Categories that are not detail lines: they would double count the detail lines.
NOT_DETAIL = frozenset({"total", "subtotal", "memo", "capital"})
# A line maps to a panel category (measures.csv) or to one of the other non-detail lines.
CATEGORIES = frozenset(measures.categories("s251_gross")) | NOT_DETAIL
TOLERANCE_GBP = 1.0
# gross = income + net on the England sum of the total lines (2010-11 is off by GBP 1.3m in 9.2bn:
# one LA's total line)
GROSS_NET_TOLERANCE = 0.001


def _norm(text) -> str:
    """Text compared by its words: case, runs of spaces/tabs/no-break spaces and curly quotes ignored."""
    return " ".join(str(text).replace("\u2019", "'").split()).lower()


def _blank(cell) -> bool:
    return pd.isna(cell) or str(cell).strip() == ""


@cache
def line_map() -> pd.DataFrame:
    """s251_a1_lines.csv with each glob pattern ("*" = any text) compiled to a regex."""
    with files(__package__).joinpath("s251_a1_lines.csv").open(encoding="utf-8") as handle:
        table = pd.read_csv(handle, dtype=str, keep_default_na=False)
    bad = table[~table["category"].isin(CATEGORIES)]
    if len(bad):
        raise ValueError(f"s251_a1_lines.csv: unknown categories:\n{bad.to_string()}")
    table["first"] = table["first_year"].map(fy_start)
    table["last"] = table["last_year"].map(fy_start)
    table["regex"] = [
        re.compile(".*".join(re.escape(part) for part in _norm(pattern).split("*")))
        for pattern in table["line_pattern"]
    ]
    return table


def categorise(lines: pd.Series, year: str, where: str) -> pd.Series:
    """Line texts -> categories via the rows of s251_a1_lines.csv covering ``year``.

    Every distinct line must match exactly one row; otherwise LayoutError naming the line.
    """
    start = fy_start(year)
    table = line_map()
    rules = table[(table["first"] <= start) & (start <= table["last"])]
    lookup = {}
    for line in lines.unique():
        hits = rules[[bool(rx.fullmatch(_norm(line))) for rx in rules["regex"]]]
        if len(hits) != 1:
            problem = "matches no row" if hits.empty else f"matches {len(hits)} rows {hits['line_pattern'].tolist()}"
            raise LayoutError(
                f"{where}: line {line!r} {problem} of s251_a1_lines.csv for {year}; add or correct its mapping row"
            )
        lookup[line] = hits["category"].iloc[0]
    return lines.map(lookup)


def _match_header(cells: list) -> dict[str, int]:
    """Roles (and the optional line number) found in one row -> column positions."""
    names: dict[str, int] = {}
    for pos, cell in enumerate(cells):
        if not _blank(cell):
            names.setdefault(_norm(cell), pos)
    found = {}
    for role, candidates in {**COLUMNS, "line_number": LINE_NUMBER}.items():
        positions = [names[_norm(c)] for c in candidates if _norm(c) in names]
        if positions:
            found[role] = positions[0]
    return found


def find_table(sheets: dict[str, pd.DataFrame], where: str) -> tuple[str, int, dict[str, int]]:
    """(sheet, header row, role -> column) of the only sheet whose header names every role.

    The header is searched for by name in the first rows of every sheet; LayoutError if no sheet
    or several sheets have it, naming the closest row found and the columns it lacks.
    """
    tables, best = [], None
    for sheet, grid in sheets.items():
        for row in range(min(HEADER_SEARCH_ROWS, len(grid))):
            cells = grid.iloc[row].tolist()
            found = _match_header(cells)
            if all(role in found for role in COLUMNS):
                tables.append((sheet, row, found))
                break
            if best is None or len(found) > len(best[2]):
                best = (sheet, row, found, cells)
    if len(tables) == 1:
        return tables[0]
    if tables:
        raise LayoutError(f"{where}: Table A1 header found in several sheets: {[t[0] for t in tables]}")
    if best is None:
        raise LayoutError(f"{where}: no sheet has any rows (sheets: {list(sheets)})")
    sheet, row, found, cells = best
    missing = "; ".join(f"{role} (one of {list(COLUMNS[role])})" for role in COLUMNS if role not in found)
    raise LayoutError(
        f"{where}, sheet {sheet!r}: no Table A1 header row in the first {HEADER_SEARCH_ROWS} rows of "
        f"any sheet; closest is row {row + 1}, missing column(s) {missing}; "
        f"found {[c for c in cells if not _blank(c)]}"
    )


def _la_number(cell) -> int | None:
    """A DfE 3-digit LA number (read as a number or as text), else None."""
    text = str(cell).strip()
    if isinstance(cell, float) and cell.is_integer():
        text = str(int(cell))
    return int(text) if re.fullmatch(r"[1-9]\d\d", text) else None


def _line_text(text, number) -> str:
    """The line as printed, its number in front (2009-10 to 2011-12 print the number apart)."""
    text = str(text).strip()
    if text[:1].isdigit() or _blank(number):
        return text
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    return f"{number} {text}"


def parse(path: Path, source_id: str, period: str) -> pd.DataFrame:
    year = normalise_fy(period)
    sheets = read_sheets(path)
    sheet, header, cols = find_table(sheets, f"{source_id} ({Path(path).name})")
    where = f"{source_id} ({Path(path).name}, sheet {sheet!r})"
    body = sheets[sheet].iloc[header + 1 :]

    blank = body.map(_blank).all(axis=1)
    la = body.iloc[:, cols["la_number"]].map(_la_number)
    has_line = ~body.iloc[:, cols["line"]].map(_blank)
    footnote = ~blank & la.isna() & ~has_line
    odd = ~blank & ~footnote & (la.isna() | ~has_line)
    if odd.any():
        row = odd.idxmax()
        raise LayoutError(
            f"{where}, row {row + 1}: {[c for c in body.loc[row] if not _blank(c)]} is neither an LA "
            "line (3-digit LA number and line text) nor a note; Table A1 had no England or region "
            "rows up to 2018-19, so the parser must be extended for them"
        )
    notes = [str(next(c for c in body.loc[r] if not _blank(c))).strip() for r in body.index[footnote]]
    log.info(
        "%s: header on row %d; %d LA line rows; skipped %d blank row(s) and %d footnote row(s)%s",
        where,
        header + 1,
        int((~blank & ~footnote).sum()),
        int(blank.sum()),
        len(notes),
        f", e.g. {notes[:3]}" if notes else "",
    )

    rows = body[~blank & ~footnote]
    numbers = rows.iloc[:, cols["line_number"]] if "line_number" in cols else [None] * len(rows)
    line = pd.Series(
        [_line_text(t, n) for t, n in zip(rows.iloc[:, cols["line"]], numbers)], index=rows.index, dtype=str
    )
    la_number = pd.array(la[rows.index].tolist(), dtype="Int64")
    repeated = pd.DataFrame({"la": la_number, "line": line}).duplicated()
    if repeated.any():
        raise LayoutError(
            f"{where}: LA {la_number[repeated.argmax()]} has line {line[repeated].iloc[0]!r} more than once"
        )

    base = pd.DataFrame(
        {
            "source": source_id,
            "year": year,
            "area_level": "la",
            "la_number": la_number,
            "ons_code": "",
            "area_name": rows.iloc[:, cols["area_name"]].map(lambda c: "" if _blank(c) else str(c).strip()),
            "line": line,
            "category": categorise(line, year, where),
        },
        index=rows.index,
    )
    frames = []
    for measure in MEASURES:
        value, flag = numeric_with_flag(rows.iloc[:, cols[measure]])
        frames.append(base.assign(measure=measure, value=value, unit=UNIT, flag=flag))
    table = pd.concat(frames).sort_index(kind="stable").reset_index(drop=True)[SPENDING_COLUMNS]
    check_gross_net_income(table, where, {m: sheets[sheet].iat[header, cols[m]] for m in MEASURES})
    flags = table.loc[table["flag"] != "", "flag"].value_counts().to_dict()
    log.info("%s: %d values, missing ones by flag: %s", where, len(table), flags or "none")
    return table


def check_gross_net_income(table: pd.DataFrame, where: str, headers: dict[str, str]) -> None:
    """Plausibility of the three columns, on the England sum of the LAs' total lines: gross must
    equal income + net within GROSS_NET_TOLERANCE of gross, and income must be the smaller part
    (it is 7-12% of gross in every release). LayoutError naming the columns otherwise: two of them
    swapped (or a shifted header) would pass every other check and change the panel."""
    totals = table[table["category"] == "total"].groupby("measure")["value"].sum()
    gross, income, net = (totals.get(m, float("nan")) for m in MEASURES)
    named = ", ".join(f"{m} = column {headers[m]!r} (GBP {totals.get(m, float('nan')) / 1e9:.2f}bn)" for m in MEASURES)
    if not abs(gross - income - net) <= GROSS_NET_TOLERANCE * abs(gross):
        raise LayoutError(
            f"{where}: the LAs' total lines do not add up: gross should be income + net within "
            f"{GROSS_NET_TOLERANCE:.1%}, but {named}. Are two columns swapped or a header moved? Correct "
            "the header names in COLUMNS (childspend/sources/s251_a1.py) or the file."
        )
    if not income < net:
        raise LayoutError(
            f"{where}: income is not smaller than net current expenditure on the LAs' total lines ({named}); "
            "the income and net columns look swapped. Check the header row of the file and COLUMNS in "
            "childspend/sources/s251_a1.py."
        )


def check_detail_sums(df: pd.DataFrame) -> pd.DataFrame:
    """Per area, year and measure: sum of the detail lines against the file's own total line.

    Detail lines are all categories except total/subtotal/memo/capital; a missing detail value
    counts as 0 and is counted in ``missing_details``. ``within_tolerance`` is False when the
    difference exceeds GBP 1 or there is no total to compare with.
    """
    keys = ["source", "year", "area_level", "la_number", "area_name", "measure"]
    detail = df[~df["category"].isin(NOT_DETAIL)].groupby(keys, dropna=False)["value"]
    total = df[df["category"] == "total"].groupby(keys, dropna=False)["value"]
    out = pd.concat(
        {
            "detail_sum": detail.sum(),
            "missing_details": detail.size() - detail.count(),
            "total": total.sum(min_count=1),
        },
        axis=1,
    ).reset_index()
    out["missing_details"] = out["missing_details"].fillna(0).astype(int)
    out["difference"] = out["detail_sum"] - out["total"]
    out["within_tolerance"] = out["difference"].abs() <= TOLERANCE_GBP
    return out
