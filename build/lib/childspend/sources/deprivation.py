"""Deprivation and child poverty by upper-tier LA: three publishers, three layouts.

- English Indices of Deprivation (MHCLG), upper-tier LA summaries (File 11, .xlsx): from the
  "IMD" sheet the average score, rank of average score (1 = most deprived) and proportion of
  LSOAs in the most deprived 10% nationally (written as 0-1, output as 0-100); the same three
  from the "IDACI" sheet (income deprivation affecting children). ``year`` is the edition's
  publication year as a financial year (IoD 2015 -> "2015-16", IoD 2019 -> "2019-20"), taken
  from the manifest ``period`` (e.g. "2019"); the underlying data are mostly 2012-13 (2015)
  and 2015-16 (2019). Areas carry the ONS codes of their time: 2015 has 152 LAs (Bournemouth,
  Poole, old Dorset), 2019 has 151 (BCP and new Dorset; Northamptonshire and the old
  Buckinghamshire county still whole). Header spellings differ by edition (trailing spaces,
  "Proportion  of"), so headers are compared by their words.

- DWP Children in Low Income Families (Stat-Xplore CSV exports): children aged 0-19 (under 16,
  or 16-19 dependent) in families below 60% of median income before housing costs, relative
  (contemporary median) or absolute (2010-11 median uprated), financial years "2014/15" ...,
  "(p)" = provisional (logged; the value is kept unflagged). Two layouts: years across (wide)
  or one row per area-year (long); areas by April-2021 upper-tier ONS code or by name only.
  Rows outside England, "Unknown"/"ZZXXXXXXX" and the UK "Total" are skipped and logged. ".."
  ("nil or negligible") becomes a missing value flagged "..", never zero. Counts only: no rates
  are published in these exports. Name-only files carry no code, so ``ons_code`` is "" and
  England's rows are told apart by position: Stat-Xplore lists England's LAs first and Wales
  next, whose names are bilingual ("Cardiff / Caerdydd"); everything from the first such name
  on is skipped.

- HMRC Personal tax credits: Children in low-income families local measure (.xls/.xlsx, one
  per snapshot, 31 August): from the "Summary" sheet, children in families on out-of-work
  benefits or on tax credits with income below 60% of median ("Children in families in receipt
  of ... or IS/JSA"), under 16 and all children (under 20), and the published percentage of
  children in low-income families (0-1, output as 0-100). ``year``: August 2011 -> "2011-12",
  from the manifest ``period`` (e.g. "2011"). Layouts move (code in column A up to 2014, B
  from 2015; the old ONS code "00AA" beside the name up to 2014); 2016 adds the UK, GB,
  England and Wales, Scotland, Wales and Northern Ireland and lists lower-tier districts (E07)
  instead of counties (E10), so its 27 county councils are absent here (districts are skipped
  and logged). A footnote saying an area's percentage "has been suppressed" (Isles of Scilly,
  2012-2014, where the cell holds 0 or a number) makes that percentage missing, flagged "c".
"""

from __future__ import annotations

import csv
import logging
import re
from pathlib import Path

import pandas as pd

from ..codes import ENGLAND_CODE
from ..contracts import ACTIVITY_COLUMNS
from ..errors import ConfigError, LayoutError
from ..markers import numeric_with_flag
from ..tables import read_sheets
from ..years import fy_label, normalise_fy

log = logging.getLogger(__name__)

CODE = re.compile(r"^[EWSNK]\d{8}$")
LA_PREFIXES = ("E06", "E08", "E09", "E10")  # unitaries, metropolitan districts, London boroughs, counties
HEADER_SEARCH_ROWS = 15

# IoD: (sheet, header suffix after " - ", measure, unit)
IOD_COLUMNS = [
    ("IMD", "average score", "imd_average_score", "score"),
    ("IMD", "rank of average score", "imd_rank_average_score", "rank"),
    ("IMD", "proportion of lsoas in most deprived 10% nationally", "imd_share_lsoas_most_deprived_10pct", "percent"),
    ("IDACI", "average score", "idaci_average_score", "score"),
    ("IDACI", "rank of average score", "idaci_rank_average_score", "rank"),
    (
        "IDACI",
        "proportion of lsoas in most deprived 10% nationally",
        "idaci_share_lsoas_most_deprived_10pct",
        "percent",
    ),
]
IOD_CODE_HEADER = "upper tier local authority district code"

CILIF_MEASURES = {
    "relative low income": "children_relative_low_income",
    "absolute low income": "children_absolute_low_income",
}
CILIF_SKIP = {"unknown", "total", "zzxxxxxxx"}

# HMRC: (group header start, sub-header, measure, unit)
HMRC_COLUMNS = [
    ("children in families in receipt of", "under 16", "children_low_income_hmrc_under_16", "count"),
    ("children in families in receipt of", "all children", "children_low_income_hmrc", "count"),
    ("% of children in low-income families", "under 16", "children_low_income_hmrc_under_16_pct", "percent"),
    ("% of children in low-income families", "all children", "children_low_income_hmrc_pct", "percent"),
]


def _norm(text) -> str:
    """Header text compared by its words, case-insensitive."""
    return " ".join(str(text).split()).lower() if pd.notna(text) else ""


def parse(path: Path, source_id: str, period: str) -> pd.DataFrame:
    path = Path(path)
    if path.suffix.lower() == ".csv":
        out = _parse_cilif(path)
    else:
        sheets = {name.strip(): grid for name, grid in read_sheets(path).items()}
        if {"IMD", "IDACI"} <= set(sheets):
            out = _parse_iod(path, sheets, _year_from_period(path, period))
        elif any(name.lower().startswith("summary") for name in sheets):
            out = _parse_hmrc(path, sheets, _year_from_period(path, period))
        else:
            raise LayoutError(
                f"{path}: neither an IoD summary (sheets 'IMD' and 'IDACI') nor an HMRC "
                f"low-income workbook (sheet 'Summary'); sheets are {list(sheets)}"
            )
    out.insert(0, "source", source_id)
    return out[ACTIVITY_COLUMNS].sort_values(
        ["measure", "year", "area_level", "ons_code", "area_name"], ignore_index=True
    )


def _year_from_period(path: Path, period: str) -> str:
    """The manifest period "2019" (or "2019-20") -> "2019-20"."""
    match = re.search(r"(?:19|20)\d\d", str(period))
    if not match:
        raise ConfigError(f"{path}: period {period!r} should name the year of the edition or snapshot, e.g. '2019'")
    return fy_label(int(match.group()))


def _frame(year, level, code, name, measure, value, unit, flag) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "year": year,
            "area_level": level,
            "la_number": pd.NA,
            "ons_code": code,
            "area_name": name,
            "measure": measure,
            "value": value,
            "unit": unit,
            "flag": flag,
        }
    )
    out["la_number"] = out["la_number"].astype("Int64")
    return out


def _level(codes: pd.Series) -> pd.Series:
    level = pd.Series("", index=codes.index, dtype=str)
    level[codes.str.startswith(LA_PREFIXES)] = "la"
    level[codes.str.startswith("E12")] = "region"
    level[codes == ENGLAND_CODE] = "england"
    return level


def _log_skipped(path, where, codes: pd.Series) -> None:
    if len(codes):
        log.info(
            "%s: %s: skipped %d areas outside England's LAs/regions, by code type: %s",
            path,
            where,
            len(codes),
            codes.str[:3].value_counts().sort_index().to_dict(),
        )


# --- Indices of Deprivation ---------------------------------------------------------------


def _header_row(path, sheet, grid: pd.DataFrame, test) -> int:
    for i in range(min(HEADER_SEARCH_ROWS, len(grid))):
        if any(test(_norm(c)) for c in grid.iloc[i]):
            return i
    raise LayoutError(f"{path}: sheet {sheet!r}: no header row found in the first {HEADER_SEARCH_ROWS} rows")


def _parse_iod(path: Path, sheets: dict, year: str) -> pd.DataFrame:
    parts = []
    for sheet in ("IMD", "IDACI"):
        grid = sheets[sheet]
        h = _header_row(path, sheet, grid, lambda c: c.startswith(IOD_CODE_HEADER))
        headers = [_norm(c) for c in grid.iloc[h]]
        code_col = next(j for j, c in enumerate(headers) if c.startswith(IOD_CODE_HEADER))
        body = grid.iloc[h + 1 :]
        codes = body[code_col].astype(str).str.strip()
        is_code = codes.str.match(CODE)
        other = body[~is_code & body.notna().any(axis=1)]
        if len(other):
            log.info(
                "%s: sheet %r: skipped %d rows without an area code: %s",
                path,
                sheet,
                len(other),
                other[code_col].astype(str).str[:60].tolist(),
            )
        level = _level(codes)
        _log_skipped(path, f"sheet {sheet!r}", codes[is_code & (level == "")])
        keep = is_code & (level != "")
        names = body.loc[keep, code_col + 1].astype(str).str.strip()
        for sheet_name, suffix, measure, unit in IOD_COLUMNS:
            if sheet_name != sheet:
                continue
            cols = [j for j, c in enumerate(headers) if c.split(" - ")[-1] == suffix]
            if len(cols) != 1:
                raise LayoutError(
                    f"{path}: sheet {sheet!r}: expected one column '<index> - {suffix}', "
                    f"found {len(cols)} in header row {h + 1}: {headers}"
                )
            value, flag = numeric_with_flag(body.loc[keep, cols[0]])
            if unit == "percent":
                value = (value * 100).round(10)
            parts.append(_frame(year, level[keep], codes[keep], names, measure, value, unit, flag))
        log.info(
            "%s: sheet %r: %d areas (%d LAs), %s", path, sheet, int(keep.sum()), int((level[keep] == "la").sum()), year
        )
    return pd.concat(parts, ignore_index=True)


# --- DWP Children in Low Income Families (Stat-Xplore CSV) -----------------------------------


def _cilif_cells(path: Path, rows: list[list[str]]) -> tuple[str, pd.DataFrame]:
    """Measure and the table's cells (area, year label, cell, annotation), wide or long layout."""
    counting = next((r[0] for r in rows[:10] if r and r[0].startswith("Counting:")), "")
    measure = CILIF_MEASURES.get(_norm(counting.partition(":")[2]))
    if measure is None:
        raise LayoutError(
            f"{path}: expected a 'Counting: Relative/Absolute Low Income' line near the top; found {counting!r}"
        )
    start = next((i for i, r in enumerate(rows) if r and r[0] in ("Year", "Counting")), None)
    if start is None:
        raise LayoutError(f"{path}: no table header (a row starting 'Year' or 'Counting')")
    end = next((i for i in range(start + 1, len(rows)) if not any(c.strip() for c in rows[i])), len(rows))
    header, body = rows[start], rows[start + 1 : end]
    cells = []
    if header[0] == "Year":  # wide: Year, 2014/15, 2014/15 - Annotations, ...; then a row naming the area level
        years = [(j, h) for j, h in enumerate(header) if j and h and not h.endswith("Annotations")]
        if not years or any(header[j + 1 : j + 2] != [f"{h.split(' (')[0]} - Annotations"] for j, h in years):
            raise LayoutError(f"{path}: year header should alternate '<year>', '<year> - Annotations'; found {header}")
        for row in body[1:]:
            cells += [(row[0], h, row[j], row[j + 1]) for j, h in years]
    else:  # long: Counting, <area level>, Year, Count, Annotations
        if header[2:5] != ["Year", "Count", "Annotations"]:
            raise LayoutError(f"{path}: expected columns 'Counting, <areas>, Year, Count, Annotations'; found {header}")
        cells = [(r[1], r[2], r[3], r[4]) for r in body]
    return measure, pd.DataFrame(cells, columns=["area", "year_label", "cell", "annotation"], dtype=str)


def _parse_cilif(path: Path) -> pd.DataFrame:
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    if not rows or rows[0][:1] != ["Stat-Xplore"]:
        raise LayoutError(f"{path}: not a Stat-Xplore export (first line {rows[0] if rows else ''!r})")
    measure, cells = _cilif_cells(path, rows)
    cells["area"] = cells["area"].str.strip()

    skip = cells["area"].str.lower().isin(CILIF_SKIP)
    for area, part in cells[skip].groupby("area"):
        log.info("%s: skipped %r: %s", path, area, dict(zip(part["year_label"], part["cell"])))
    cells = cells[~skip]
    has_code = cells["area"].str.match(CODE)
    if has_code.all():
        level = _level(cells["area"])
        _log_skipped(path, "areas", cells.loc[level == "", "area"].drop_duplicates())
        keep = level != ""
        codes, names = cells["area"], pd.Series("", index=cells.index, dtype=str)
    elif not has_code.any():
        # Names only: England's LAs come first, then Wales (bilingual "English / Welsh" names).
        areas = list(dict.fromkeys(cells["area"]))
        first_welsh = next((i for i, a in enumerate(areas) if " / " in a), None)
        if first_welsh is None:
            raise LayoutError(
                f"{path}: areas are names, and no Welsh (bilingual 'x / y') name marks where England's LAs end"
            )
        english = set(areas[:first_welsh])
        log.info(
            "%s: areas by name only (ons_code left empty): kept the %d before %r; skipped %d "
            "(Wales, Scotland, Northern Ireland)",
            path,
            first_welsh,
            areas[first_welsh],
            len(areas) - first_welsh,
        )
        keep = cells["area"].isin(english)
        level = pd.Series("la", index=cells.index, dtype=str)
        codes, names = pd.Series("", index=cells.index, dtype=str), cells["area"]
    else:
        raise LayoutError(f"{path}: area column mixes codes and names: {cells['area'].head().tolist()}")

    notes = cells.loc[cells["annotation"].str.strip() != "", ["area", "year_label", "annotation"]]
    if len(notes):
        log.info(
            "%s: %d cells carry annotations (kept as values), e.g. %s",
            path,
            len(notes),
            notes.head(3).to_dict("records"),
        )
    try:
        years = cells["year_label"].map({y: normalise_fy(y) for y in cells["year_label"].unique()})
    except ValueError as exc:
        raise LayoutError(f"{path}: column 'Year': {exc}") from None
    provisional = sorted(cells.loc[cells["year_label"].str.contains(r"\(p\)"), "year_label"].unique())
    if provisional:
        log.info("%s: provisional years (values kept, not flagged): %s", path, provisional)
    value, flag = numeric_with_flag(cells["cell"])
    out = _frame(years[keep], level[keep], codes[keep], names[keep], measure, value[keep], "count", flag[keep])
    england = out[out["area_level"] == "la"].groupby("year")["value"].sum()
    log.info(
        "%s: %s, %d English LAs; sum of LAs by year: %s",
        path,
        measure,
        out.loc[out["area_level"] == "la", "area_name" if not has_code.any() else "ons_code"].nunique(),
        {y: round(v) for y, v in england.items()},
    )
    return out


# --- HMRC children in low-income families local measure -----------------------------------


def _parse_hmrc(path: Path, sheets: dict, year: str) -> pd.DataFrame:
    names = [n for n in sheets if n.lower().startswith("summary")]
    if len(names) != 1:
        raise LayoutError(f"{path}: expected one 'Summary' sheet, found {names}")
    sheet = names[0]
    grid = sheets[sheet].reset_index(drop=True)
    top = grid.iloc[:HEADER_SEARCH_ROWS].map(_norm)
    found = [(i, j) for i in top.index for j in top.columns if top.at[i, j] == "local authority code"]
    if len(found) != 1:
        raise LayoutError(f"{path}: sheet {sheet!r}: expected one 'Local Authority Code' header cell, found {found}")
    code_col = found[0][1]

    columns = {}
    for group, sub, measure, unit in HMRC_COLUMNS:
        # the percentage header carries a footnote mark ("families1", "families*"); the 2016
        # "... using alternative child population estimate" columns are another group
        at = [
            (i, j)
            for i in top.index
            for j in top.columns
            if top.at[i, j].startswith(group) and "alternative" not in top.at[i, j]
        ]
        # "Under 16" sits under the group header and "All Children" one column right
        col = at[0][1] + (sub == "all children") if len(at) == 1 else None
        if col is None or col not in top.columns or sub not in set(top.loc[at[0][0] + 1 :, col]):
            raise LayoutError(
                f"{path}: sheet {sheet!r}: expected one column headed {group!r} with "
                f"{sub!r} below it; found the group header at (row, column) {at}"
            )
        columns[measure] = (col, unit)

    body = grid.iloc[max(i for i, _ in found) + 1 :]
    codes = body[code_col].astype(str).str.strip()
    is_code = codes.str.match(CODE)
    footnotes = [str(c) for c in body.loc[~is_code, code_col].dropna()]
    if footnotes:
        log.info("%s: sheet %r: skipped footnote rows: %s", path, sheet, [f[:90] for f in footnotes])
    level = _level(codes)
    _log_skipped(path, f"sheet {sheet!r}", codes[is_code & (level == "")])
    keep = is_code & (level != "")
    rows, codes, level = body[keep], codes[keep], level[keep]
    # The name is beside the code (2015 on, and England in every year); up to 2014 LA rows have
    # the old ONS code ("00AA") there and the name one column further.
    name = rows[code_col + 2].where(rows[code_col + 2].map(lambda c: isinstance(c, str)), rows[code_col + 1])
    raw_name = name.astype(str).str.strip()
    name = raw_name.str.replace(r"\d+$", "", regex=True).str.strip()  # footnote marks: "Isles of Scilly2"

    # "2 The percentage of children in low-income families within the Isles of Scilly has been suppressed"
    suppressed = pd.Series(False, index=rows.index)
    for note in footnotes:
        match = re.match(r"^(\d+)\s.*has been suppressed", note.strip())
        if match:
            suppressed |= raw_name.str.endswith(match.group(1)) & (raw_name != name)
    if suppressed.any():
        log.info("%s: percentage suppressed by footnote (flagged 'c'): %s", path, name[suppressed].tolist())

    parts = []
    for measure, (col, unit) in columns.items():
        value, flag = numeric_with_flag(rows[col])
        if unit == "percent":
            value = (value * 100).round(10)
            value[suppressed], flag[suppressed] = float("nan"), "c"
        parts.append(_frame(year, level, codes, name, measure, value, unit, flag))
    out = pd.concat(parts, ignore_index=True)
    flagged = out[out["flag"] != ""]
    log.info(
        "%s: sheet %r: %s, %d LAs, England row %s; missing values: %s",
        path,
        sheet,
        year,
        int((level == "la").sum()),
        "present" if (level == "england").any() else "absent",
        flagged[["area_name", "measure", "flag"]].to_dict("records"),
    )
    return out
