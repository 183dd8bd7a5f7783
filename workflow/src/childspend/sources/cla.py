"""DfE "Children looked after in England": LA, region and England counts, years ending 31 March 2010-2025.

One call parses one official file, whatever year(s) it covers; DfE revises back years, and the
panel keeps, for each measure and year, the latest release's figures. ``year`` is the financial year whose 31 March is the count date (at 31 March
2024, or during the year ending 31 March 2024 -> "2023-24").

Layouts, told apart by their columns:

- underlying data (wide CSVs, one row per area): ``geog_l`` (National / GOR or REGION / LA),
  ``geog_c`` (DfE LA number or a region letter), ``geog_n``, from 2011 ``New_geog_code`` (ONS);
  one column per measure. The at-31-March file (2010 ``SFR27_2010_March.csv``, later
  ``*CLA*.csv``), the starters file (2010 ``_Started``, later ``ADM``) and the leavers file
  (2010 ``_Ceased``, later ``CEA``). From 2018 the totals come for five years
  (``CLA_Mar2014`` ... ``CLA_Mar2018``); other columns are the file's own year.
- Explore Education Statistics (EES) ``cla_number_and_rate_per_10k_children.csv``: tidy, five
  years per release, one row per area x year x population (at 31 March / starting / ceasing).
- DfE dashboard R extracts (``placement_data.rds``, ``combined_cla_31_march_data.rds``) of the
  LA characteristics table: tidy, five years, read with ``pyreadr``. They leave out some LAs
  (Cumbria and Northamptonshire in every year), which therefore have no rows: see
  the panel's coverage table. Only placements are taken from ``placement_data.rds`` and only UASC
  from ``combined_cla_31_march_data.rds``.

Measures (unit "count" unless said):

- ``cla_at_31_march``: children looked after at 31 March.
- ``cla_rate_per_10000`` (rate_per_10000): the same per 10,000 children under 18, as published
  (underlying files 2018 and 2019 for 2014-2019, EES after; none published for 2010-2013).
- ``cla_started`` / ``cla_ceased``: children who started / ceased to be looked after during the
  year; ``cla_started_rate_per_10000`` / ``cla_ceased_rate_per_10000`` where published.
- ``cla_uasc_at_31_march``: looked after at 31 March who were unaccompanied asylum-seeking
  children (2011-2019 underlying files, 2020 on the combined .rds; none in the 2010 file).
- Placement at 31 March (counts). DfE regrouped placement types in the 2020 publication
  (year ending 31 March 2020): semi-independent living left "secure units, children's homes and
  semi-independent living accommodation" and joined living independently (formerly "other
  placements in the community") in a new "independent and semi-independent living
  arrangements" group; residential employment moved to "other residential settings". Both
  definitions are kept under their own names, plus a harmonised series:

  - ``placement_<x>_pre2020`` (underlying files, 2010-2019), x = ``foster``, ``adoption``
    (placed for adoption), ``with_parents`` (or other person with parental responsibility),
    ``other_community`` (living independently, residential employment),
    ``secure_homes_semi_independent`` (secure units, children's homes and
    semi-independent living accommodation, formerly "... and hostels"), ``other_residential``
    (residential care homes, NHS, family centres/mother and baby units, YOI/prison),
    ``residential_schools``, ``other`` (other placements, plus children missing from their
    placement for more than 24 hours, a separate type until 2014).
  - ``placement_<x>_2020on`` (.rds extracts, 2020-2025), x = ``foster``, ``adoption``,
    ``with_parents``, ``secure_childrens_homes`` (secure homes and children's homes),
    ``independent_semi_independent`` (independent and semi-independent living
    arrangements/supported accommodation), ``other_residential``, ``residential_schools``,
    ``other``.
  - harmonised, 2010-2025: ``placement_foster``, ``placement_adoption``,
    ``placement_with_parents`` (unchanged definitions); ``placement_residential_independent``
    = children's homes + secure units + semi-independent + independent living (pre2020
    secure_homes_semi_independent + other_community; 2020on secure_childrens_homes +
    independent_semi_independent; semi-independent and independent living cannot be separated in
    the LA data after 2020, so both are in); ``placement_other`` = other residential + residential
    schools + other (+ missing). The only type that crosses is residential employment (a handful
    of children in England). The five harmonised series add up to ``cla_at_31_march``.

  A sum with a suppressed part is missing, flagged with that part's marker, never a partial sum;
  at LA level this leaves ``placement_other`` (several small types) missing for most LAs.
  Within the 2020-on definition, England's "other placements" rose from 1,180 (2023) to 4,020
  (2024) while independent and semi-independent living fell from 8,620 to 6,080: 2024 is the
  first year after supported accommodation for 16-17 year olds had to be registered (October
  2023), shown by DfE as "supported accommodation" from then on.

Surprises handled here:

- ``SFR27_2010_March.csv`` heads its 21 placement columns in the metadata's order (Q1, Q2, A3,
  ...) but holds the data in alphabetical order of the codes (A3, A4, ..., Z1): England's 39,900
  children with other foster carers (Q2) sit under ``MarPlace_R3_2010``. The columns are
  relabelled when the England row shows this (Q2 must be the largest type).
- ``SFR34_ADM2015.csv`` labels its 2015 starters ``CLA_started2014``; single-year files are
  taken to be about their own year.
- The 2016 file heads its "other placements" column ``CLA_Miss`` (its metadata says
  ``CLA_OthPl``); both count towards ``placement_other_pre2020``, so the label does not matter.
- Region names and codes vary (``GOR``/``REGION``, letters, upper case, "Yorkshire and Humber",
  2010 has no ONS codes): regions are matched by name to their ONS code. Inner and Outer London
  (parts of London) are dropped, so regions can be summed. The 2017 file gives Isles of Scilly
  no ``geog_l``; an unlabelled row with a 3-digit ``geog_c`` is an LA.
- National figures in the underlying files are rounded (to the nearest 100 in 2010, 10 later)
  while LA figures are not, so LA rows do not sum exactly to England.
- EES keeps a row for every LA in every year, with "z" where the LA did not exist (e.g.
  Northamptonshire after 2021); those rows are kept, missing with flag "z".
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadr

from ..codes import ENGLAND_CODE, region_by_name
from ..contracts import ACTIVITY_COLUMNS
from ..errors import LayoutError
from ..markers import numeric_with_flag
from ..years import fy_ending
from . import ees

log = logging.getLogger(__name__)

LONDON_PARTS = {"inner london", "outer london"}

# ---- placement types -------------------------------------------------------------------------
# pre-2020 type -> (underlying 2011-2019 columns, SSDA903 placement codes in the 2010 file)
PRE2020 = {
    "foster": (["CLA_Fost"], ["Q1", "Q2"]),
    "adoption": (["CLA_Adopt"], ["A3", "A4", "A5", "A6"]),
    "with_parents": (["CLA_Parent"], ["P1"]),
    "other_community": (["CLA_Ocom"], ["P2", "P3"]),
    "secure_homes_semi_independent": (["CLA_Secure"], ["K1", "K2", "H5"]),
    "other_residential": (["CLA_Ores"], ["R1", "R2", "R3", "R5"]),
    "residential_schools": (["CLA_RSch"], ["S1"]),
    # Missing >24h (CLA_Miss, M1-M3) was its own type until 2014; 2016 heads "other" CLA_Miss.
    "other": (["CLA_OthPl", "CLA_Miss"], ["M1", "M2", "M3", "Z1"]),
}
OPTIONAL_COLUMNS = {"CLA_OthPl", "CLA_Miss"}  # "other" needs at least one of them
# 2020-on type -> characteristic of cla_group "Placement" in the .rds extracts
POST2020 = {
    "foster": "Foster placements",
    "adoption": "Placed for adoption",
    "with_parents": "Placed with parents or other person with parental responsibility",
    "secure_childrens_homes": "Secure homes and children's homes",
    "independent_semi_independent": "Independent and semi-independent living arrangements/supported accommodation",
    "other_residential": "Other residential settings",
    "residential_schools": "Residential schools",
    "other": "Other placements",
}
# harmonised measure -> (pre-2020 types, 2020-on types) it adds up
HARMONISED = {
    "placement_foster": (["foster"], ["foster"]),
    "placement_adoption": (["adoption"], ["adoption"]),
    "placement_with_parents": (["with_parents"], ["with_parents"]),
    "placement_residential_independent": (
        ["secure_homes_semi_independent", "other_community"],
        ["secure_childrens_homes", "independent_semi_independent"],
    ),
    "placement_other": (
        ["other_residential", "residential_schools", "other"],
        ["other_residential", "residential_schools", "other"],
    ),
}

# ---- underlying wide files ---------------------------------------------------------------------
# measure, unit, column pattern; the 4-digit group is the year ending 31 March (absent: the file's
# own year). Several matches = a multi-year series (2018, 2019 files).
WIDE_SERIES = [
    ("cla_at_31_march", "count", r"MarTotal_(\d{4})|CLA_Mar(\d{4})"),
    ("cla_rate_per_10000", "rate_per_10000", r"CLA_Rate(\d{4})"),
    ("cla_uasc_at_31_march", "count", r"CLA_UASC(\d{4})?"),
    ("cla_started", "count", r"StartTotal_(\d{4})|CLA_started(\d{4})"),
    ("cla_started_rate_per_10000", "rate_per_10000", r"Started_CLA_Rate(\d{4})"),
    ("cla_ceased", "count", r"CeasedTotal_(\d{4})|CLA_cease(\d{4})?"),
    ("cla_ceased_rate_per_10000", "rate_per_10000", r"Ceased_CLA_Rate(\d{4})"),
]
WIDE_TOTALS = {"cla_at_31_march", "cla_started", "cla_ceased"}
# The other series each kind of wide file (named by its total) publishes, from the file year
# (31 March) given: a file of that year without the column stops with a named error, so a renamed
# column cannot drop a year of the series unnoticed.
# (first year, a word of the column names shown when it is missing)
WIDE_EXPECTED = {
    "cla_at_31_march": {"cla_uasc_at_31_march": (2011, "uasc"), "cla_rate_per_10000": (2018, "rate")},
    "cla_started": {"cla_started_rate_per_10000": (2019, "rate")},
    "cla_ceased": {"cla_ceased_rate_per_10000": (2019, "rate")},
}
WIDE_AREA = ["geog_l", "geog_c", "geog_n"]
PLACE_2010 = re.compile(r"MarPlace_([A-Z]\d)_(\d{4})")

# ---- EES tidy file -----------------------------------------------------------------------------
EES_AREA = [
    "time_period",
    "geographic_level",
    "region_code",
    "region_name",
    "old_la_code",
    "la_name",
    "new_la_code",
    "rate_per_10000",
]
EES_ALIASES = {"population_count": "population_type", "number": "children_count"}  # up to 2024 -> 2025
EES_MEASURES = {  # population (lower case) -> count measure, rate measure
    "children looked after at 31 march each year": ("cla_at_31_march", "cla_rate_per_10000"),
    "children looked after on 31 march each year": ("cla_at_31_march", "cla_rate_per_10000"),
    "children starting to be looked after each year": ("cla_started", "cla_started_rate_per_10000"),
    "children ceasing to be looked after each year": ("cla_ceased", "cla_ceased_rate_per_10000"),
}

_EES_COUNTS = {counts for counts, _ in EES_MEASURES.values()}

# ---- .rds extracts -----------------------------------------------------------------------------
RDS_PLACEMENT = [
    "time_period",
    "geographic_level",
    "geo_breakdown",
    "new_la_code",
    "old_la_code",
    "cla_group",
    "characteristic",
    "number",
]
RDS_COMBINED = [
    "time_period",
    "geographic_level",
    "geo_breakdown",
    "new_la_code",
    "old_la_code",
    "cla_group",
    "characteristic",
    "cla_31_march_number",
]
UASC = ("Unaccompanied asylum-seeking children", "UASC")
DROPPED_LEVELS = {"Statistical neighbours (median)"}  # dashboard medians, not areas


def parse(path: Path, source_id: str, period: str) -> pd.DataFrame:
    """One official CLA file -> rows in the ACTIVITY layout (see the module docstring)."""
    started = time.perf_counter()
    path = Path(path)
    if path.suffix.lower() == ".rds":
        out = _parse_rds(path)
    else:
        raw = _read_csv(path)
        if "geog_l" in raw.columns:
            out = _parse_wide(raw, path, _wide_year(raw.columns, path, period))
        elif "time_period" in raw.columns:
            out = _parse_ees(raw, path)
        else:
            raise LayoutError(
                f"{path}: neither an underlying-data file (no 'geog_l' column) nor an EES file "
                f"(no 'time_period' column); found columns {list(raw.columns)[:12]}"
            )
    out.insert(0, "source", source_id)
    out = _finish(out, path)
    latest = fy_ending(_release_year(period, path))
    if out["year"].max() != latest:
        raise LayoutError(
            f"{path}: period {period!r} (config/sources.yaml) says the latest year is {latest}, but the file's "
            f"latest year is {out['year'].max()}: correct the period (and the source id, which orders "
            "releases) with `python -m childspend.sources.pin`, or pin the right file"
        )
    flags = out.loc[out["flag"] != "", "flag"].value_counts().to_dict()
    log.info(
        "%s: %d rows, years %s, measures %s; missing values by flag %s (%.1f s)",
        path,
        len(out),
        sorted(out["year"].unique()),
        sorted(out["measure"].unique()),
        flags,
        time.perf_counter() - started,
    )
    return out


# ---- helpers shared by the layouts ---------------------------------------------------------------


def _wide_year(columns, path: Path, period: str) -> int:
    """The year (31 March) a wide file is about: its ``period``, checked against the year its file
    name states (e.g. SFR20_CLA2012.csv), else the latest year its column names state (e.g.
    CLA_Mar2014). A period that disagrees would move every value by a year: LayoutError. (The file
    name comes first: SFR34_ADM2015.csv heads its 2015 starters CLA_started2014.)"""
    year = _release_year(period, path)
    named = re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", path.name)
    headed = [int(y) for c in columns for y in re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", c)]
    if named:
        evidence, stated = f"its file name ({path.name})", int(named[-1])
    elif headed:
        evidence, stated = "its column names (latest year named)", max(headed)
    else:
        log.info("%s: neither the file name nor the column names state a year; taken as %d (period)", path, year)
        return year
    if stated != year:
        raise LayoutError(
            f"{path}: period {period!r} (config/sources.yaml) says the file is for the year ending 31 March "
            f"{year}, but {evidence} says {stated}: every value would move by a year. Correct the period "
            "(the children-in-need parser refuses the same mistake) or pin the right file."
        )
    return year


def _release_year(period: str, path: Path) -> int:
    match = re.search(r"(?:19|20)\d\d", str(period))
    if not match:
        raise LayoutError(f"{path}: period {period!r} names no year (expected e.g. '2014' or 'release 2024')")
    return int(match.group(0))


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except UnicodeDecodeError:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="cp1252")
    raw.columns = raw.columns.str.strip()
    # Trailing commas make empty "Unnamed: n" columns.
    empty = [c for c in raw.columns if c.startswith("Unnamed:") and (raw[c].str.strip() == "").all()]
    return raw.drop(columns=empty)


def _require(columns, required, path: Path, what: str) -> None:
    missing = [c for c in required if c not in columns]
    if missing:
        raise LayoutError(f"{path}: {what}: missing column(s) {missing}; found {list(columns)}")


def _areas(level: pd.Series, code: pd.Series, ons: pd.Series, name: pd.Series, path: Path) -> pd.DataFrame:
    """Area columns from level ("england"/"region"/"la"/"" to drop), raw LA number, ONS code, name."""
    areas = pd.DataFrame(
        {"area_level": level, "la_number": pd.NA, "ons_code": "", "area_name": name.str.strip()}, index=level.index
    )
    la = level == "la"
    numbers = pd.to_numeric(code[la].astype("string").str.strip(), errors="coerce")
    bad = numbers.isna() | (numbers < 100) | (numbers > 999)
    if bad.any():
        raise LayoutError(
            f"{path}: LA row(s) without a 3-digit DfE LA number: {list(zip(code[la][bad], name[la][bad]))[:5]}"
        )
    areas["la_number"] = numbers.reindex(level.index).astype("Int64")
    ons = ons.astype("string").fillna("").str.strip()
    areas.loc[la, "ons_code"] = ons[la].where(ons[la].str.fullmatch(r"E\d{8}"), "")

    region = level == "region"
    parts = region & name.str.strip().str.lower().isin(LONDON_PARTS)
    if parts.any():
        log.info("%s: dropped %d Inner/Outer London rows (parts of London, not regions)", path, int(parts.sum()))
        areas.loc[parts, "area_level"] = ""
    region &= ~parts
    found = name[region].map(region_by_name)
    if found.isna().any():
        raise LayoutError(f"{path}: region(s) not recognised: {sorted(name[region][found.isna()].unique())}")
    areas.loc[region, "ons_code"] = found.str[0]
    areas.loc[region, "area_name"] = found.str[1]
    england = level == "england"
    areas.loc[england, "ons_code"] = ENGLAND_CODE
    areas.loc[england, "area_name"] = "England"
    return areas


def _sum(values: pd.DataFrame, flags: pd.DataFrame, columns: list[str]) -> tuple[pd.Series, pd.Series]:
    """Row sums of ``columns``; missing, with the first missing part's flag, if any part is missing."""
    complete = values[columns].notna().all(axis=1)
    value = values[columns].sum(axis=1).where(complete)
    # As numpy text: pandas fills string columns across a row one cell at a time.
    marks = flags[columns].to_numpy(dtype=object)
    marked = marks != ""
    first_flag = np.where(marked.any(axis=1), marks[np.arange(len(marks)), marked.argmax(axis=1)], "")
    return value, pd.Series(first_flag, index=flags.index, dtype=str).where(~complete, "")


def _numeric(frame: pd.DataFrame, columns) -> tuple[pd.DataFrame, pd.DataFrame]:
    values, flags = {}, {}
    for column in columns:
        values[column], flags[column] = numeric_with_flag(frame[column])
    return pd.DataFrame(values, index=frame.index), pd.DataFrame(flags, index=frame.index)


def _rows(areas: pd.DataFrame, year, measure, unit: str, value: pd.Series, flag: pd.Series) -> pd.DataFrame:
    """Area rows with one measure (a name, or a Series of names) for one year (or a Series of years)."""
    out = areas.copy()
    out["year"] = year
    out["measure"], out["unit"], out["value"], out["flag"] = measure, unit, value, flag
    return out


def _placements(
    areas: pd.DataFrame,
    year,
    values: pd.DataFrame,
    flags: pd.DataFrame,
    parts: Mapping[str, list[str]],
    definition: str,
) -> list[pd.DataFrame]:
    """Rows of each placement type of one definition (``parts``: type -> columns) and the harmonised sums."""
    frames = [
        _rows(areas, year, f"placement_{kind}_{definition}", "count", *_sum(values, flags, cols))
        for kind, cols in parts.items()
    ]
    side = 0 if definition == "pre2020" else 1
    for measure, kinds in HARMONISED.items():
        cols = [c for kind in kinds[side] for c in parts[kind]]
        frames.append(_rows(areas, year, measure, "count", *_sum(values, flags, cols)))
    return frames


def _finish(out: pd.DataFrame, path: Path) -> pd.DataFrame:
    keys = ["year", "area_level", "la_number", "ons_code", "area_name", "measure"]
    dup = out.duplicated(keys, keep=False)
    if dup.any():
        raise LayoutError(f"{path}: repeated area/year/measure rows, e.g.\n{out[dup].head(6).to_string()}")
    out["la_number"] = out["la_number"].astype("Int64")
    out["value"] = out["value"].astype("float64")
    for column in ["source", "year", "area_level", "ons_code", "area_name", "measure", "unit", "flag"]:
        out[column] = out[column].astype(str)
    order = {"england": 0, "region": 1, "la": 2}
    out = out.sort_values(
        ["measure", "year", "area_level", "la_number", "area_name"],
        key=lambda s: s.map(order) if s.name == "area_level" else s,
        ignore_index=True,
    )
    return out[ACTIVITY_COLUMNS]


# ---- underlying wide files ------------------------------------------------------------------------


def _wide_level(raw: pd.DataFrame, path: Path) -> pd.Series:
    text = raw["geog_l"].str.strip().str.upper()
    level = text.map({"NATIONAL": "england", "GOR": "region", "REGION": "region", "LA": "la"})
    unlabelled = (text == "") & raw["geog_c"].str.strip().str.fullmatch(r"\d{3}")
    if unlabelled.any():
        log.info(
            "%s: %s have no geog_l; taken as LAs (3-digit geog_c)",
            path,
            list(raw.loc[unlabelled, "geog_n"].str.strip()),
        )
        level[unlabelled] = "la"
    blank = (raw[WIDE_AREA].apply(lambda c: c.str.strip()) == "").all(axis=1)
    unknown = level.isna() & ~blank
    if unknown.any():
        raise LayoutError(f"{path}: column 'geog_l': unexpected level(s) {sorted(raw.loc[unknown, 'geog_l'].unique())}")
    return level.fillna("")


def _fix_2010_placement_order(raw: pd.DataFrame, england: pd.Series, path: Path) -> pd.DataFrame:
    """Relabel SFR27_2010_March.csv's placement columns by sorted code when the England row shows
    the data are in alphabetical order of the codes (see the module docstring)."""
    cols = [c for c in raw.columns if PLACE_2010.fullmatch(c)]
    if not cols:
        return raw
    if not england.any():
        raise LayoutError(f"{path}: placement columns {cols[0]}...: no England row to check their order against")
    year = PLACE_2010.fullmatch(cols[0]).group(2)
    other_foster = f"MarPlace_Q2_{year}"  # the largest type by far
    largest = numeric_with_flag(raw.loc[england, cols].iloc[0])[0].idxmax()
    if largest == other_foster:
        return raw
    relabel = dict(zip(cols, sorted(cols)))
    if relabel[largest] != other_foster:
        raise LayoutError(
            f"{path}: placement columns: the largest type in the England row is {largest}; "
            f"expected {other_foster} (children with other foster carers) in either label order"
        )
    log.warning(
        "%s: placement columns are headed in metadata order but hold the codes in alphabetical "
        "order (England's largest type sits under %s); relabelled",
        path,
        largest,
    )
    return raw.rename(columns=relabel)


def _series_columns(columns, pattern: str, file_year: int, path: Path) -> dict[str, int]:
    """Columns of one measure -> the year (ending 31 March) each holds."""
    found = {}
    for column in columns:
        match = re.fullmatch(pattern, column)
        if match:
            labelled = next((int(g) for g in match.groups() if g), None)
            found[column] = labelled
    if len(found) == 1:
        column, labelled = next(iter(found.items()))
        if labelled not in (None, file_year):
            log.warning(
                "%s: column %s is labelled %d but the file is about %d; taken as %d",
                path,
                column,
                labelled,
                file_year,
                file_year,
            )
        return {column: file_year}
    years = list(found.values())
    if found and (None in years or len(set(years)) != len(years) or max(years) != file_year):
        raise LayoutError(f"{path}: columns {list(found)} do not make a year series ending {file_year}")
    return found


def _parse_wide(raw: pd.DataFrame, path: Path, file_year: int) -> pd.DataFrame:
    _require(raw.columns, WIDE_AREA, path, "area columns")
    level = _wide_level(raw, path)
    blank = level == ""
    if blank.any():
        log.info("%s: skipped %d blank rows", path, int(blank.sum()))
    raw, level = raw[~blank], level[~blank]
    raw = _fix_2010_placement_order(raw, level == "england", path)
    ons = raw["New_geog_code"] if "New_geog_code" in raw.columns else pd.Series("", index=raw.index)
    areas = _areas(level, raw["geog_c"], ons, raw["geog_n"], path)
    keep = areas["area_level"] != ""
    raw, areas = raw[keep], areas[keep]

    series = {m: (unit, _series_columns(raw.columns, pattern, file_year, path)) for m, unit, pattern in WIDE_SERIES}
    if not any(series[m][1] for m in WIDE_TOTALS):
        raise LayoutError(
            f"{path}: no total column (MarTotal_YYYY / CLA_MarYYYY, StartTotal_YYYY / CLA_startedYYYY, "
            f"CeasedTotal_YYYY / CLA_cease); found {list(raw.columns)}"
        )
    _check_expected_series(series, raw.columns, file_year, path)
    used = [c for _, cols in series.values() for c in cols]
    at_31_march = bool(series["cla_at_31_march"][1])
    if at_31_march:
        parts = _pre2020_columns(raw.columns, file_year, path)
        used += [c for cols in parts.values() for c in cols]
    values, flags = _numeric(raw, dict.fromkeys(used))

    frames = [
        _rows(areas, fy_ending(year), measure, unit, values[column], flags[column])
        for measure, (unit, columns) in series.items()
        for column, year in columns.items()
    ]
    if at_31_march:
        frames += _placements(areas, fy_ending(file_year), values, flags, parts, "pre2020")
    skipped = [c for c in raw.columns if c not in used and c not in WIDE_AREA + ["New_geog_code", "LA_order"]]
    log.info(
        "%s: %d areas; kept %d columns, skipped %d (characteristics, percentages, other topics)",
        path,
        len(raw),
        len(set(used)),
        len(skipped),
    )
    return pd.concat(frames, ignore_index=True)


def _check_expected_series(series: dict, columns, file_year: int, path: Path) -> None:
    """LayoutError if a wide file lacks a series its kind publishes in its year (WIDE_EXPECTED)."""
    patterns = {measure: pattern for measure, _, pattern in WIDE_SERIES}
    for kind, expected in WIDE_EXPECTED.items():
        if not series[kind][1]:
            continue
        for measure, (first, word) in expected.items():
            if file_year >= first and not series[measure][1]:
                near = [c for c in columns if word in c.lower()]
                raise LayoutError(
                    f"{path}: {measure}: no column matching {patterns[measure]!r}, although {kind} files "
                    f"publish it from {first} and this one is for {file_year}; columns with {word!r} in "
                    f"their name: {near}. If DfE renamed the column, add the new name to WIDE_SERIES in "
                    "childspend/sources/cla.py."
                )


def _pre2020_columns(columns, file_year: int, path: Path) -> dict[str, list[str]]:
    """Pre-2020 placement type -> the file's columns that add up to it."""
    if any(PLACE_2010.fullmatch(c) for c in columns):  # 2010: one column per SSDA903 code
        parts = {kind: [f"MarPlace_{code}_{file_year}" for code in codes] for kind, (_, codes) in PRE2020.items()}
        _require(columns, [c for cols in parts.values() for c in cols], path, "placement types")
        return parts
    _require(
        columns, [c for cols, _ in PRE2020.values() for c in cols if c not in OPTIONAL_COLUMNS], path, "placement types"
    )
    parts = {kind: [c for c in cols if c in columns] for kind, (cols, _) in PRE2020.items()}
    if not parts["other"]:
        raise LayoutError(
            f"{path}: placement types: neither 'CLA_OthPl' nor 'CLA_Miss' (other placements); found {list(columns)}"
        )
    return parts


# ---- EES tidy file ------------------------------------------------------------------------------


def _check_every_year(year: pd.Series, kind: pd.Series, expected: set, path: Path, column: str) -> None:
    """LayoutError if a year of a tidy file lacks any of the ``expected`` kinds (a population, a
    placement type) that the file gives for its other years or must give."""
    got = kind.groupby(year).agg(set)
    short = {y: sorted(expected - k) for y, k in got.items() if expected - k}
    if short:
        raise LayoutError(
            f"{path}: column {column!r}: year(s) without every expected value: {short}; each year must "
            f"have {sorted(expected)}. If DfE renamed a value, add it to the parser's table in "
            "childspend/sources/cla.py."
        )


def _tidy_level(level: pd.Series, path: Path) -> pd.Series:
    mapped = level.map(ees.LEVELS)
    dropped = level.isin(DROPPED_LEVELS)
    if dropped.any():
        log.info("%s: skipped %d rows of %s", path, int(dropped.sum()), sorted(level[dropped].unique()))
    unknown = mapped.isna() & ~dropped
    if unknown.any():
        raise LayoutError(f"{path}: column 'geographic_level': unexpected value(s) {sorted(level[unknown].unique())}")
    return mapped.fillna("")


def _time_period(period: pd.Series, path: Path) -> pd.Series:
    text = period.astype("string").str.strip()
    if not text.str.fullmatch(r"(19|20)\d\d").all():
        raise LayoutError(
            f"{path}: column 'time_period': expected a year ending 31 March such as '2024'; "
            f"found {sorted(text[~text.str.fullmatch(r'(19|20)[0-9][0-9]')].unique())[:5]}"
        )
    return text.map({y: fy_ending(y) for y in text.unique()})


def _parse_ees(raw: pd.DataFrame, path: Path) -> pd.DataFrame:
    raw = raw.rename(columns=EES_ALIASES)
    _require(raw.columns, EES_AREA + ["population_type", "children_count"], path, "EES number and rate file")
    level = _tidy_level(raw["geographic_level"], path)
    name = raw["la_name"].where(level != "region", raw["region_name"])
    areas = _areas(level, raw["old_la_code"], raw["new_la_code"], name, path)
    keep = areas["area_level"] != ""
    raw, areas = raw[keep], areas[keep]
    population = raw["population_type"].str.strip().str.lower()
    unknown = ~population.isin(list(EES_MEASURES))
    if unknown.any():
        raise LayoutError(
            f"{path}: column 'population_type'/'population_count': unexpected value(s) "
            f"{sorted(raw.loc[unknown, 'population_type'].unique())}"
        )
    year = _time_period(raw["time_period"], path)
    _check_every_year(year, population.map(lambda p: EES_MEASURES[p][0]), set(_EES_COUNTS), path, "population_type")
    count, count_flag = numeric_with_flag(raw["children_count"])
    rate, rate_flag = numeric_with_flag(raw["rate_per_10000"])
    count_measure = population.map({p: measures[0] for p, measures in EES_MEASURES.items()})
    rate_measure = population.map({p: measures[1] for p, measures in EES_MEASURES.items()})
    return pd.concat(
        [
            _rows(areas, year, count_measure, "count", count, count_flag),
            _rows(areas, year, rate_measure, "rate_per_10000", rate, rate_flag),
        ],
        ignore_index=True,
    )


# ---- .rds extracts --------------------------------------------------------------------------------


def read_rds(path: Path) -> pd.DataFrame:
    """An R data.frame/data.table saved with saveRDS -> pandas."""
    frame = next(iter(pyreadr.read_r(path).values()), None)
    if not isinstance(frame, pd.DataFrame):
        raise LayoutError(f"{path}: expected an R data frame, found {type(frame).__name__}")
    return frame.reset_index(drop=True)


def _parse_rds(path: Path) -> pd.DataFrame:
    frame = read_rds(path)
    if "cla_31_march_number" in frame.columns:
        return rds_uasc(frame, path)
    return rds_placements(frame, path)


def _rds_areas(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    level = _tidy_level(frame["geographic_level"], path)
    return _areas(level, frame["old_la_code"], frame["new_la_code"], frame["geo_breakdown"].astype(str), path)


def rds_placements(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """``placement_data.rds`` (as a DataFrame) -> 2020-on and harmonised placement rows."""
    _require(frame.columns, RDS_PLACEMENT, path, "placement extract")
    frame = frame[frame["cla_group"] == "Placement"]
    _require(set(frame["characteristic"]), list(POST2020.values()), path, "cla_group 'Placement' characteristics")
    known = frame["characteristic"].isin(list(POST2020.values()))
    years = _time_period(frame.loc[known, "time_period"], path)
    _check_every_year(years, frame.loc[known, "characteristic"], set(POST2020.values()), path, "characteristic")
    areas = _rds_areas(frame, path)
    keep = areas["area_level"] != ""
    frame, areas = frame[keep], areas[keep]
    keys = ["time_period", "area_level", "la_number", "ons_code", "area_name"]
    rows = pd.concat([areas, frame[["time_period", "characteristic", "number"]]], axis=1)
    if rows.duplicated(keys + ["characteristic"]).any():
        raise LayoutError(f"{path}: repeated area/year/placement rows in cla_group 'Placement'")
    # One row per area and year, one column per placement type.
    rows["row"] = rows.groupby(keys, dropna=False, sort=False).ngroup()
    wide = rows.pivot(index="row", columns="characteristic", values="number")
    first = rows.drop_duplicates("row").set_index("row")
    values, flags = _numeric(wide, POST2020.values())
    parts = {kind: [characteristic] for kind, characteristic in POST2020.items()}
    year = _time_period(first["time_period"], path)
    _log_rds_las(first, path)
    return pd.concat(_placements(first[areas.columns], year, values, flags, parts, "2020on"), ignore_index=True)


def rds_uasc(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """``combined_cla_31_march_data.rds`` (as a DataFrame) -> UASC at 31 March rows.

    The extract repeats every row once per population (at 31 March / starting / ceasing) with the
    same characteristic counts; the copies are checked to agree and kept once.
    """
    _require(frame.columns, RDS_COMBINED, path, "combined 31 March extract")
    frame = frame[(frame["cla_group"] == UASC[0]) & (frame["characteristic"] == UASC[1])]
    if frame.empty:
        raise LayoutError(f"{path}: no rows with cla_group {UASC[0]!r} and characteristic {UASC[1]!r}")
    key = ["time_period", "geographic_level", "geo_breakdown", "old_la_code"]
    frame = frame.drop_duplicates(key + ["cla_31_march_number"])
    if frame.duplicated(key).any():
        raise LayoutError(f"{path}: UASC counts differ between the repeated copies of an area and year")
    areas = _rds_areas(frame, path)
    keep = areas["area_level"] != ""
    frame, areas = frame[keep], areas[keep]
    _log_rds_las(pd.concat([areas, frame["time_period"]], axis=1), path)
    value, flag = numeric_with_flag(frame["cla_31_march_number"])
    return _rows(areas, _time_period(frame["time_period"], path), "cla_uasc_at_31_march", "count", value, flag)


def _log_rds_las(areas: pd.DataFrame, path: Path) -> None:
    per_year = areas[areas["area_level"] == "la"].groupby("time_period")["la_number"].nunique()
    log.info(
        "%s: LAs per year %s; the dashboard extract leaves some out (e.g. Cumbria, Northamptonshire): "
        "they get no rows (the panel's coverage table shows the gaps)",
        path,
        {int(y): int(n) for y, n in per_year.items()},
    )
