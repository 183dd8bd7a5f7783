"""Price indices by financial year: ONS GDP deflator (YBGB) and CPIH (L522), HM Treasury GDP deflators.

One parser for three kinds of file, chosen by extension:
- ``.csv``: an ONS time-series "generator" CSV: metadata rows ("Title", "CDID", ...) then
  annual ("2024"), quarterly ("2024 Q1") and monthly ("2024 JAN") rows in one column. The
  financial-year index is built as HM Treasury does: the mean of the April-March periods (for
  quarters Q2-Q4 of year t and Q1 of t+1), from the values as published (YBGB to 1 decimal
  place). A year with any period missing is not produced: never a mean of three quarters.
  Calendar-year rows are ignored. The CDID chooses the index (YBGB -> quarters, L522 -> months).
- ``.xlsx``: HM Treasury "GDP deflators at market prices, and money GDP": a financial-year
  block (label, deflator "2018-19 = 100", per cent change, money GDP) next to a calendar-year
  block. Forecast years show "-" as the index and only a percentage change: they are skipped
  (logged), so the series is the published outturn index only.
- ``.rda``: HM Treasury deflator as an R data frame ``financial_year`` (the START year: 1956
  means 1956-57) and ``percent_change`` which, despite its name, is a growth FACTOR on the
  previous year (1.0627 = +6.27%, matching the March 2020 workbook's 6.273% for 1956-57). The
  index is chained from the year before the first factor and rebased to 2018-19 = 100 (the
  latest year if 2018-19 is not covered). The file does not say which years are OBR forecasts.

Index names: "gdp_deflator_ybgb", "cpih", "gdp_deflator_hmt_<YYYY_MM>" (the source's period).
"""

from __future__ import annotations

import csv
import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors
import pyreadr

from ..contracts import PRICE_INDEX, PRICE_INDEX_COLUMNS
from ..errors import LayoutError
from ..tables import read_sheets
from ..years import fy_label, fy_start

log = logging.getLogger(__name__)

# ONS series id -> (index name, frequency used, periods per financial year)
ONS_SERIES = {"YBGB": ("gdp_deflator_ybgb", "quarter", 4), "L522": ("cpih", "month", 12)}
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_ONS_PERIOD = re.compile(r"^(\d{4})(?: Q([1-4])| ([A-Z]{3}))?$")
_FY = re.compile(r"^\s*(\d{4})\s*-\s*(\d{2})\b")  # "2019-20 (1), (2)" -> 2019-20
_FY_BASE = re.compile(r"^\s*\d{4}\s*-\s*\d{2}\s*=\s*100\s*$")  # "2018-19 = 100"
PCT_TOLERANCE = 0.05  # percentage points: the workbook's % change vs its own index


def _table(rows: list[dict], where: str) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=PRICE_INDEX_COLUMNS).sort_values("year", ignore_index=True)
    try:
        return PRICE_INDEX.validate(out)
    except pandera.errors.SchemaError as exc:
        raise LayoutError(f"{where}: parsed index breaks its data contract: {exc}") from None


def _letter(col: int) -> str:
    """0 -> "A", 27 -> "AB" (spreadsheet column)."""
    return _letter(col // 26 - 1) + chr(65 + col % 26) if col >= 26 else chr(65 + col)


def _rows(source_id: str, index: str, series: pd.Series) -> list[dict]:
    """{start year: level} -> PRICE_INDEX rows."""
    return [
        {"source": source_id, "index": index, "year": fy_label(int(y)), "value": float(v)} for y, v in series.items()
    ]


# --- ONS generator CSV -------------------------------------------------------------------


def _read_ons_csv(path: Path) -> tuple[dict[str, str], pd.DataFrame]:
    """Metadata {key: value} and the data rows (calendar year, quarter, month, value)."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        lines = [row for row in csv.reader(f) if row and any(cell.strip() for cell in row)]
    meta, data = {}, []
    for n, row in enumerate(lines, 1):
        label = row[0].strip()
        match = _ONS_PERIOD.match(label)
        if not match:
            if data:  # metadata only comes before the first period
                raise LayoutError(f"{path}: row {n} {row!r} is not a period ('2024', '2024 Q1' or '2024 JAN')")
            meta[label] = row[1].strip() if len(row) > 1 else ""
            continue
        year, quarter, month = match.groups()
        if month is not None and month not in MONTHS:
            raise LayoutError(f"{path}: row {n}: unknown month {month!r} in {label!r}")
        text = row[1].strip() if len(row) > 1 else ""
        try:
            value = float(text) if text else np.nan
        except ValueError:
            raise LayoutError(f"{path}: row {n} ({label}): value {text!r} is not a number") from None
        data.append(
            {
                "label": label,
                "year": int(year),
                "quarter": int(quarter) if quarter else None,
                "month": MONTHS.index(month) + 1 if month else None,
                "value": value,
            }
        )
    if not data:
        raise LayoutError(f"{path}: no period rows ('2024', '2024 Q1', '2024 JAN') after the metadata {list(meta)}")
    table = pd.DataFrame(data)
    dup = table["label"].duplicated()
    if dup.any():
        raise LayoutError(f"{path}: period(s) listed twice: {sorted(table.loc[dup, 'label'])}")
    return meta, table


def financial_year_mean(periods: pd.DataFrame, column: str, per_year: int, where: str) -> pd.Series:
    """Mean of the April-March periods, by financial start year; incomplete years are dropped.

    ``periods`` has columns year (calendar), ``column`` ("quarter" 1-4 or "month" 1-12) and value.
    """
    first_of_fy = 2 if column == "quarter" else 4  # Q2 / April opens the financial year
    rows = periods.dropna(subset=[column])
    start = rows["year"] - (rows[column] < first_of_fy).astype(int)
    rows = rows.assign(start=start.astype(int))
    grouped = rows.groupby("start")["value"]
    count, mean = grouped.count(), grouped.mean()
    incomplete = count[count < per_year]
    for year, n in incomplete.items():
        log.info("%s: %s not produced: %d of %d %ss published", where, fy_label(year), n, per_year, column)
    return mean[count == per_year]


def _parse_ons(path: Path, source_id: str) -> pd.DataFrame:
    meta, periods = _read_ons_csv(path)
    cdid = meta.get("CDID")
    if cdid not in ONS_SERIES:
        raise LayoutError(
            f"{path}: CDID {cdid!r} (title {meta.get('Title')!r}) is not a known price "
            f"index; expected one of {sorted(ONS_SERIES)}"
        )
    # Note: the YBGB file's metadata says PreUnit "£", Unit "m", although the series is an index.
    index, column, per_year = ONS_SERIES[cdid]
    used = periods[periods[column].notna()]
    if used.empty:
        raise LayoutError(f"{path}: {cdid} has no {column}ly rows (e.g. '2024 Q1' / '2024 JAN')")
    log.info(
        "%s: %s %r, released %s; %d %sly rows used, %d other rows ignored",
        source_id,
        cdid,
        meta.get("Title"),
        meta.get("Release date"),
        len(used),
        column,
        len(periods) - len(used),
    )
    fy = financial_year_mean(used, column, per_year, f"{source_id} ({path.name})")
    return _table(_rows(source_id, index, fy), f"{source_id} ({path.name})")


# --- HM Treasury workbook ----------------------------------------------------------------


def _find_fy_block(sheets: dict[str, pd.DataFrame], path: Path) -> tuple[str, int, int, int, int | None]:
    """(sheet, header row, label column, index column, % change column or None)."""
    for name, grid in sheets.items():
        for r in range(len(grid)):
            cells = [str(c).strip() if isinstance(c, str) else "" for c in grid.iloc[r]]
            base_cols = [c for c, text in enumerate(cells) if _FY_BASE.match(text)]
            if not base_cols:
                continue
            value_col = base_cols[0]  # the financial-year block comes first
            labels = [c for c in range(value_col) if cells[c].lower() == "financial year"]
            if not labels:
                raise LayoutError(
                    f"{path}: sheet {name!r}, row {r + 1}: index column {_letter(value_col)} "
                    f"({cells[value_col]!r}) has no 'Financial year' label column to its left"
                )
            after = cells[value_col + 1] if value_col + 1 < len(cells) else ""
            pct = value_col + 1 if "per cent change" in after.lower() else None
            return name, r, labels[-1], value_col, pct
    raise LayoutError(
        f"{path}: no sheet has a financial-year index header like '2018-19 = 100' (sheets {list(sheets)})"
    )


def _parse_hmt_workbook(path: Path, source_id: str, index: str) -> pd.DataFrame:
    sheets = read_sheets(path)
    sheet, header, label_col, value_col, pct_col = _find_fy_block(sheets, path)
    grid = sheets[sheet].iloc[header + 1 :]
    where = f"{path} (sheet {sheet!r}, column {_letter(value_col)} {sheets[sheet].iat[header, value_col]!r})"
    levels, pct, forecasts = {}, {}, []
    for _, row in grid.iterrows():
        label = row.iloc[label_col]
        match = _FY.match(label) if isinstance(label, str) else None
        if not match:
            continue  # titles, blank rows, footnotes
        try:
            start = fy_start(match.group(0))
        except ValueError as exc:
            raise LayoutError(f"{where}: {exc}") from None
        if start in levels or start in forecasts:
            raise LayoutError(f"{where}: financial year {fy_label(start)} listed twice")
        cell = row.iloc[value_col]
        if isinstance(cell, str) and cell.strip() == "-":
            forecasts.append(start)  # forecast year: only a % change is published
        elif isinstance(cell, (int, float, np.number)) and not pd.isna(cell):
            levels[start] = float(cell)
        else:
            raise LayoutError(f"{where}: {fy_label(start)} has index {cell!r}, not a number or '-'")
        if pct_col is not None and isinstance(row.iloc[pct_col], (int, float, np.number)):
            pct[start] = float(row.iloc[pct_col])
    if not levels:
        raise LayoutError(f"{where}: no financial-year rows with an index level")
    series = pd.Series(levels).sort_index()
    if list(series.index) != list(range(series.index[0], series.index[-1] + 1)):
        raise LayoutError(f"{where}: financial years are not consecutive: {[fy_label(y) for y in series.index]}")
    # Sanity check that the columns are what we think: the published % change is the index's growth.
    growth = (series / series.shift(1) - 1) * 100
    both = growth.index.intersection(list(pct))
    diff = (growth[both] - pd.Series(pct)[both]).abs().dropna()
    if len(diff) and diff.max() > PCT_TOLERANCE:
        raise LayoutError(
            f"{where}: the index's growth differs from the 'per cent change' column by up to "
            f"{diff.max():.3f} pp (in {fy_label(diff.idxmax())}); columns may have moved"
        )
    log.info(
        "%s: %s %s to %s from %s; %d forecast year(s) skipped (index shown as '-'): %s",
        source_id,
        index,
        fy_label(series.index[0]),
        fy_label(series.index[-1]),
        where,
        len(forecasts),
        ", ".join(fy_label(y) for y in forecasts),
    )
    return _table(_rows(source_id, index, series), where)


# --- HM Treasury R data file ---------------------------------------------------------------


def _parse_hmt_rda(path: Path, source_id: str, index: str) -> pd.DataFrame:
    objects = pyreadr.read_r(path)
    frames = {k: v for k, v in objects.items() if isinstance(v, pd.DataFrame)}
    if len(frames) != 1:
        raise LayoutError(f"{path}: expected one data frame, found objects {list(objects)}")
    name, df = next(iter(frames.items()))
    where = f"{path} (object {name!r})"
    missing = [c for c in ("financial_year", "percent_change") if c not in df.columns]
    if missing:
        raise LayoutError(f"{where}: missing column(s) {missing}; found {list(df.columns)}")
    df = df.dropna(subset=["financial_year"]).sort_values("financial_year")
    years = df["financial_year"].astype(int).tolist()
    if years != list(range(years[0], years[0] + len(years))):
        raise LayoutError(f"{where}: column 'financial_year' is not consecutive years: {years}")
    factor = df["percent_change"].astype(float).to_numpy()
    # "percent_change" holds 1 + growth (1.0627), not a percentage: refuse anything else.
    if not np.all((factor > 0.5) & (factor < 1.5)):
        raise LayoutError(
            f"{where}: column 'percent_change' is not a growth factor near 1 "
            f"(range {np.nanmin(factor)} to {np.nanmax(factor)}); a percentage?"
        )
    chained = pd.Series(np.cumprod(np.r_[1.0, factor]), index=[years[0] - 1] + years)
    base = 2018 if 2018 in chained.index else chained.index[-1]
    chained = chained / chained[base] * 100
    log.info(
        "%s: %s chained from %d growth factors, %s to %s, %s = 100",
        source_id,
        index,
        len(factor),
        fy_label(chained.index[0]),
        fy_label(chained.index[-1]),
        fy_label(base),
    )
    return _table(_rows(source_id, index, chained), where)


def _hmt_index_name(period: str, source_id: str) -> str:
    match = re.match(r"^(\d{4})-(\d{2})", str(period))
    if not match:
        raise LayoutError(
            f"{source_id}: period {period!r} should start with the vintage 'YYYY-MM' "
            "(it names the index, e.g. gdp_deflator_hmt_2020_03)"
        )
    return f"gdp_deflator_hmt_{match.group(1)}_{match.group(2)}"


def parse(path: Path, source_id: str, period: str) -> pd.DataFrame:
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _parse_ons(path, source_id)
    if suffix in (".xlsx", ".xls", ".ods"):
        return _parse_hmt_workbook(path, source_id, _hmt_index_name(period, source_id))
    if suffix in (".rda", ".rdata"):
        return _parse_hmt_rda(path, source_id, _hmt_index_name(period, source_id))
    raise LayoutError(f"{path}: no price-index parser for {suffix!r} files (expected .csv, .xlsx or .rda)")
