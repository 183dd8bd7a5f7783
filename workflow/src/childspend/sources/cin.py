"""DfE "Characteristics of children in need" (CIN census): activity counts by LA, region and England.

Measures (``unit`` "count" unless noted; each ``*_rate`` is "rate_per_10000" children under 18,
taken only where the file publishes it, never computed here):
- cin_at_31_march, cin_at_31_march_rate: children in need at 31 March (EES ``At31_episodes``);
- referrals, referrals_rate: referrals during the year;
- section47_enquiries, section47_enquiries_rate: section 47 enquiries started during the year;
- icpc, icpc_rate: initial child protection conferences during the year;
- cpp_at_31_march, cpp_at_31_march_rate: children on a child protection plan at 31 March;
- cpp_started, cpp_started_rate: child protection plans started during the year.
``year`` is the financial year ending on the count date: "at 31 March 2024" and "during the year
ending 31 March 2024" are both "2023-24".

Two layouts, recognised by their columns:
- EES tidy CSVs (explore-education-statistics, 2013 onward): one row per year x area, one file per
  table, named by its ``category`` (b1 "Children in Need", c1 "Referrals and Re-referrals", c4
  "Section 47s and Initial Child Protection Conferences", d5 / d3 / d1 child protection plans).
  The 2025 release has no rate columns; the 2022 release has ``<count>_rate`` beside some counts.
- underlying wide CSVs (one per year, 2010-2017): one row per area, one column per measure, with
  the year inside the column name ("Referrals1314" = 2013-14, "CPPAt310314" = at 31 March 2014).

Surprises handled here:
- the wide files' year tokens are not always right: 2015 names its CIN rate "CINAt310314RatePer10K"
  and 2017 its CIN count "CINAt310316" (the metadata says 31 March 2015 / 2017), so 31-March
  columns are matched with any year and the file's year is read from its "Referrals<yyyy>" column;
- the wide files' England row is coded like an LA: geog_c "921" in 2010-2012 (Isle of Wight's LA
  number, which also has its own row) and new_la_code "E06000046" (Isle of Wight's ONS code) in
  2013-2015 and 2017; England is therefore taken from geog_l "National" and given E92000001;
- 2010-2012 wide files have no ONS codes (ons_code "") and no region rows; 2010 and 2011 publish
  no rates for section 47s, ICPCs or plans started, and name their CIN rate "CINRatePer10K";
- the metadata of 2010-2016 calls section 47s, ICPCs and plans started "children subject to...",
  but from 2013 the numbers match the later releases' counts of enquiries / conferences / plans;
- England and region rows are rounded (to 100 or 10 before 2013, to 10 since) and include DfE's
  estimates for LAs that did not report (e.g. Hackney's 2020 figures stand in for 2021 and 2022),
  so LAs do not sum exactly to England;
- EES regions include London and also its Inner / Outer London parts: regions must not be summed;
- boundary changes appear as LAs that start or stop: Bournemouth (837), Poole (836) and old Dorset
  (835) until 2019, Bournemouth, Christchurch and Poole (839) and Dorset (838) from 2020;
  Northamptonshire (928) until 2021, North / West Northamptonshire (940 / 941) from 2022; Cumbria
  (909) until 2023, Cumberland (942) and Westmorland and Furness (943) from 2024. North Yorkshire
  and Somerset keep their LA number but change ONS code in 2024;
- markers: "c" suppressed, "x" not available (e.g. Hackney 2021-2022 after a cyber attack),
  "u" low reliability (Hampshire 2024), ".." not submitted (wide files); all kept as flags.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd

from ..codes import ENGLAND_CODE
from ..contracts import ACTIVITY_COLUMNS
from ..errors import LayoutError
from ..markers import numeric_with_flag
from ..years import fy_ending
from . import ees

log = logging.getLogger(__name__)

COUNT, RATE = "count", "rate_per_10000"
# Years published only by the first three CIN censuses (2009-10 to 2011-12), whose data quality
# DfE described as lower (2009-10 was released as Experimental Statistics); flag them downstream.
EARLY_CENSUS_YEARS = ("2009-10", "2010-11", "2011-12")

# --- EES tidy layout -------------------------------------------------------------------------
EES_AREA_COLUMNS = [
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
]
# Table (its ``category`` value, lower case) -> count columns it must have -> measure.
# A rate, where published, sits in "<count column>_rate".
EES_TABLES = {
    "children in need": {"At31_episodes": "cin_at_31_march"},
    "referrals and re-referrals": {"referral_count": "referrals"},
    "section 47s and initial child protection conferences": {"Section47": "section47_enquiries", "ICPC": "icpc"},
    "child protection plans by length of time": {"CPP_At31": "cpp_at_31_march"},
    "child protection plans which are a second or subsequent plan": {"CPP_start": "cpp_started"},
    "child protection plans": {"CPP_start": "cpp_started", "CPP_At31": "cpp_at_31_march"},
}

# --- underlying wide layout ------------------------------------------------------------------
WIDE_AREA_COLUMNS = ["geog_l", "geog_c", "geog_n"]
WIDE_LEVELS = {"National": "england", "LA": "la"}
# measure -> (full-match regex, case-insensitive; {span} is the year as "1314"). Counts must be
# present; each rate from the year (31 March) in WIDE_RATES_FROM on (2010 and 2011 publish no
# rates for section 47s, ICPCs or plans started): a file of a later year without it stops.
WIDE_COUNTS = {
    "cin_at_31_march": r"CINAt3103\d\d",
    "referrals": r"Referrals{span}",
    "section47_enquiries": r"S47(in)?{span}",
    "icpc": r"ICPC(in)?{span}",
    "cpp_at_31_march": r"CPPAt3103\d\d",
    "cpp_started": r"CPP(In|Start|EpisodesStart){span}",  # 2017 splits plans (episodes) / children
}
WIDE_RATES = {
    "cin_at_31_march_rate": r"CINRatePer10K|CINAt3103\d\dRatePer10K",
    "referrals_rate": r"Referrals{span}Rate",
    "section47_enquiries_rate": r"S47Rate{span}",
    "icpc_rate": r"ICPCRate{span}",
    "cpp_at_31_march_rate": r"CPPAt3103\d\d(Rate|RatePer10K)",
    "cpp_started_rate": r"CPP(Episodes)?StartRate{span}",
}
WIDE_RATES_FROM = {
    "cin_at_31_march_rate": 2010,
    "referrals_rate": 2010,
    "section47_enquiries_rate": 2012,
    "icpc_rate": 2012,
    "cpp_at_31_march_rate": 2010,
    "cpp_started_rate": 2012,
}
_WIDE_YEAR = re.compile(r"Referrals(\d\d)(\d\d)", re.IGNORECASE)


def parse(path: Path, source_id: str, period: str) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    raw.columns = raw.columns.str.strip()
    if "time_period" in raw.columns:
        areas, columns, area_columns = _ees(raw, path)
    elif "geog_l" in raw.columns:
        areas, columns, area_columns = _wide(raw, path, period)
    else:
        raise LayoutError(
            f"{path}: neither the EES layout ('time_period' column) nor the underlying-data "
            f"layout ('geog_l' column); found columns {list(raw.columns)[:15]}"
        )
    out = _long(raw, areas, columns, source_id)
    key = ["year", "area_level", "la_number", "ons_code", "area_name", "measure"]
    dup = out.duplicated(key)
    if dup.any():
        raise LayoutError(f"{path}: repeated year/area/measure rows, e.g.\n{out[dup].head().to_string()}")
    flags = {f: int(n) for f, n in out.loc[out["flag"] != "", "flag"].value_counts().items()}
    log.info(
        "%s: kept %d rows (%s; missing values by flag: %s); skipped %d other columns",
        path,
        len(out),
        ", ".join(sorted(out["measure"].unique())),
        flags,
        raw.shape[1] - len(columns) - len(area_columns),
    )
    return out.sort_values(["measure", "year", "area_level", "la_number", "area_name"], ignore_index=True)


def _ees(raw: pd.DataFrame, path: Path) -> tuple[pd.DataFrame, dict[str, tuple[str, str]], list[str]]:
    """EES tidy table -> (areas aligned with ``raw``, {column: (measure, unit)}, area columns read)."""
    category = next((c for c in raw.columns if c.lower() == "category"), None)
    missing = [c for c in EES_AREA_COLUMNS if c not in raw.columns] + ([] if category else ["category"])
    if missing:
        raise LayoutError(f"{path}: missing column(s) {missing}; found {list(raw.columns)}")
    tables = set(raw[category].str.strip().str.lower())
    if len(tables) != 1 or not tables <= set(EES_TABLES):
        raise LayoutError(f"{path}: column '{category}' has {sorted(tables)}; expected one of {sorted(EES_TABLES)}")
    counts = EES_TABLES[tables.pop()]
    missing = [c for c in counts if c not in raw.columns]
    if missing:
        raise LayoutError(f"{path}: missing column(s) {missing}; found {list(raw.columns)}")
    columns = {c: (m, COUNT) for c, m in counts.items()}
    columns |= {f"{c}_rate": (f"{m}_rate", RATE) for c, m in counts.items() if f"{c}_rate" in raw.columns}

    bad = ~raw["time_period"].str.fullmatch(r"\d{4}") | (raw["time_identifier"] != "Reporting year")
    if bad.any():
        found = raw.loc[bad, ["time_period", "time_identifier"]].drop_duplicates().head().values.tolist()
        raise LayoutError(
            f"{path}: 'time_period'/'time_identifier' should be a year ending 31 March and "
            f"'Reporting year'; found {found}"
        )
    level = raw["geographic_level"].map(ees.LEVELS)
    if level.isna().any():
        found = sorted(set(raw["geographic_level"]) - set(ees.LEVELS))
        raise LayoutError(f"{path}: column 'geographic_level' has {found}; expected {sorted(ees.LEVELS)}")
    name = raw["la_name"].where(level == "la", raw["region_name"].where(level == "region", raw["country_name"]))
    code = raw["new_la_code"].where(level == "la", raw["region_code"].where(level == "region", raw["country_code"]))
    areas = pd.DataFrame(
        {
            # the count date is 31 March of time_period: 2024 -> "2023-24"
            "year": raw["time_period"].map(fy_ending),
            "area_level": level,
            "la_number": _la_numbers(raw["old_la_code"], level, path, "old_la_code"),
            "ons_code": _ons_codes(code, path),
            "area_name": name.str.strip(),
        }
    )
    return areas, columns, EES_AREA_COLUMNS + [category]


def _wide(raw: pd.DataFrame, path: Path, period: str) -> tuple[pd.DataFrame, dict[str, tuple[str, str]], list[str]]:
    """Underlying wide table -> (areas aligned with ``raw``, {column: (measure, unit)}, area columns read)."""
    missing = [c for c in WIDE_AREA_COLUMNS if c not in raw.columns]
    if missing:
        raise LayoutError(f"{path}: missing column(s) {missing}; found {list(raw.columns)[:15]}")
    spans = {m.groups() for c in raw.columns if (m := _WIDE_YEAR.fullmatch(c))}
    if len(spans) != 1:
        raise LayoutError(
            f"{path}: cannot tell the year: expected one 'Referrals<yyyy>' column (e.g. "
            f"'Referrals1314'), found {sorted(c for c in raw.columns if c.lower().startswith('referrals'))}"
        )
    first, second = spans.pop()
    end = 2001 + int(first)
    if int(second) != end % 100 or (period.strip().isdigit() and int(period) != end):
        raise LayoutError(f"{path}: column 'Referrals{first}{second}' is not the year ending 31 March {period}")
    span = f"{first}{second}"

    columns = {}
    for measures, unit in [(WIDE_COUNTS, COUNT), (WIDE_RATES, RATE)]:
        for measure, pattern in measures.items():
            regex = re.compile(pattern.format(span=span), re.IGNORECASE)
            found = [c for c in raw.columns if regex.fullmatch(c)]
            required = unit == COUNT or end >= WIDE_RATES_FROM[measure]
            if len(found) > 1 or (required and not found):
                stem = re.match(r"[A-Za-z]+", pattern).group()
                near = [c for c in raw.columns if c.lower().startswith(stem.lower())][:12]
                since = "" if unit == COUNT else f", published from {WIDE_RATES_FROM[measure]} (this file: {end})"
                raise LayoutError(
                    f"{path}: {measure}: expected one column matching '{regex.pattern}'{since}, "
                    f"found {found or 'none'} (columns starting '{stem}': {near}); if DfE renamed it, "
                    "add the new name to the pattern in childspend/sources/cin.py"
                )
            if found:
                columns[found[0]] = (measure, unit)
            else:
                log.info("%s: no published %s (no column matching '%s'); not computed", path, measure, regex.pattern)

    level = raw["geog_l"].str.strip().map(WIDE_LEVELS)
    if level.isna().any():
        raise LayoutError(
            f"{path}: column 'geog_l' has {sorted(set(raw['geog_l']) - set(WIDE_LEVELS))}; "
            f"expected {sorted(WIDE_LEVELS)}"
        )
    # The England row carries Isle of Wight's codes (see module notes): use the level, not the codes.
    ons = raw["new_la_code"].str.strip() if "new_la_code" in raw.columns else pd.Series("", index=raw.index)
    areas = pd.DataFrame(
        {
            "year": fy_ending(end),
            "area_level": level,
            "la_number": _la_numbers(raw["geog_c"], level, path, "geog_c"),
            "ons_code": _ons_codes(ons.where(level == "la", ENGLAND_CODE), path),
            "area_name": raw["geog_n"].str.strip(),
        }
    )
    return areas, columns, WIDE_AREA_COLUMNS + (["new_la_code"] if "new_la_code" in raw.columns else [])


def _la_numbers(codes: pd.Series, level: pd.Series, path: Path, column: str) -> pd.Series:
    """DfE 3-digit LA numbers on LA rows, <NA> elsewhere."""
    codes = codes.str.strip().where(level == "la")
    bad = (level == "la") & ~codes.str.fullmatch(r"\d{3}").fillna(False)
    if bad.any():
        raise LayoutError(
            f"{path}: column '{column}' should be a 3-digit LA number on LA rows; found {sorted(set(codes[bad]))[:10]}"
        )
    return pd.to_numeric(codes).astype("Int64")


def _ons_codes(codes: pd.Series, path: Path) -> pd.Series:
    codes = codes.fillna("").str.strip()
    bad = ~codes.str.fullmatch(r"(E\d{8})?")
    if bad.any():
        raise LayoutError(f"{path}: area codes should be 9-character ONS codes; found {sorted(set(codes[bad]))[:10]}")
    return codes


def _long(raw: pd.DataFrame, areas: pd.DataFrame, columns: dict[str, tuple[str, str]], source_id: str) -> pd.DataFrame:
    frames = []
    for column, (measure, unit) in columns.items():
        value, flag = numeric_with_flag(raw[column])
        frames.append(areas.assign(source=source_id, measure=measure, value=value, unit=unit, flag=flag))
    return pd.concat(frames, ignore_index=True)[ACTIVITY_COLUMNS]
