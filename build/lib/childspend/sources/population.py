"""Children's population (aged 0-17) by LA: the denominators for rates per 10,000 children.

Two layouts, told apart by their first line:

- DfE CSV (``ons_mid-year_population_estimates*.csv``, shipped with the Children in Need
  releases): ONS mid-year estimates of children aged 0 to 17 for England, regions and LAs,
  with DfE 3-digit LA numbers (``old_la_code``) and ONS codes (``new_la_code``). ``time_period``
  is the mid-year. Surprises: the 2025 release revises mid-2012..2020 to the post-Census-2021
  series (down to -64% for the City of London by mid-2020) and writes "x" for Bournemouth,
  Poole and pre-2019 Dorset in mid-2012..2018, which the 2022 release still gives; regions
  include Inner and Outer London as well as London, so regions must not be summed.

- Nomis CSV (``nomis_popest.csv``): ONS mid-year estimates for counties and unitaries as of
  April 2021 (so North/West Northamptonshire, BCP and the new Dorset appear for every year from
  2009 and their predecessors do not), for England, Wales, Scotland and Northern Ireland, in one
  block per age band (0-4, 5-9, 10-14, 15, 16), with no England total. Age 17 is not in the
  file, so the 0-17 count is estimated: age 17 in mid-year t is taken as the same LA's age 16
  in mid-year t-1 (the same cohort a year older); for the first year in the file (mid-2009,
  with no mid-2008) age 16 of the same year is used. Against the DfE 0-17 figures of the same
  ONS vintage (2022 release) this is within 0.06% for England in mid-2012..2020 and within
  0.6% for every LA but the Isles of Scilly (~3%, a dozen children). Mid-years before the first
  DfE year (2012) become ``population_0_17``; later ones are kept as
  ``population_0_17_nomis_estimate`` so the join between the two series can be checked. Only
  English rows are kept (the rest are logged). The Nomis per-band downloads (``popest-0-4.csv``
  ... ``popest-16.csv``, one band per file) hold the same numbers and are not parsed: a file
  must carry all five bands.

``year`` is the financial year that starts in the mid-year (mid-2023 -> "2023-24"): DfE
computes rates at 31 March 2024, which this pipeline files under 2023-24, with the mid-2023
estimate.
"""

from __future__ import annotations

import csv
import logging
import re
from pathlib import Path

import pandas as pd

from ..contracts import ACTIVITY_COLUMNS
from ..errors import LayoutError
from ..markers import numeric_with_flag
from ..years import fy_label
from . import ees

log = logging.getLogger(__name__)

MEASURE = "population_0_17"
NOMIS_OVERLAP_MEASURE = "population_0_17_nomis_estimate"
UNIT = "people"
FIRST_DFE_MID_YEAR = 2012  # DfE 0-17 files start here; Nomis is used only for earlier mid-years

DFE_AGE_GROUP = "Children aged 0 to 17 years"
DFE_COLUMNS = [
    "time_period",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
    "age_group",
    "population_estimate",
]

NOMIS_BANDS = [(0, 4), (5, 9), (10, 14), (15, 15), (16, 16)]


def parse(path: Path, source_id: str, period: str) -> pd.DataFrame:
    path = Path(path)
    with open(path, encoding="utf-8-sig") as f:
        first = next((line.strip() for line in f if line.strip()), "")
    if first.startswith("time_period,"):
        out = _parse_dfe(path)
    elif first.startswith('"Population estimates'):
        out = _parse_nomis(path)
    else:
        raise LayoutError(
            f"{path}: neither the DfE population CSV (header 'time_period,...') nor a "
            f"Nomis population estimates export; first line is {first[:80]!r}"
        )
    out.insert(0, "source", source_id)
    out = out[ACTIVITY_COLUMNS]
    return out.sort_values(["measure", "year", "area_level", "ons_code"], ignore_index=True)


def _parse_dfe(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in DFE_COLUMNS if c not in raw.columns]
    if missing:
        raise LayoutError(f"{path}: missing column(s) {missing}; found {list(raw.columns)}")
    other_ages = raw["age_group"] != DFE_AGE_GROUP
    if other_ages.all():
        raise LayoutError(
            f"{path}: no rows with age_group {DFE_AGE_GROUP!r}; found {sorted(raw['age_group'].unique())}"
        )
    other_levels = ~raw["geographic_level"].isin(ees.LEVELS)
    if (other_ages | other_levels).any():
        log.info(
            "%s: skipped %d rows of other age groups %s or geographic levels %s",
            path,
            int((other_ages | other_levels).sum()),
            sorted(raw.loc[other_ages, "age_group"].unique()),
            sorted(raw.loc[other_levels, "geographic_level"].unique()),
        )
    raw = raw[~other_ages & ~other_levels]
    if not raw["time_period"].str.fullmatch(r"\d{4}").all():
        raise LayoutError(
            f"{path}: column 'time_period' should hold mid-years like 2023; found {sorted(raw['time_period'].unique())}"
        )

    level = raw["geographic_level"].map(ees.LEVELS)
    is_la = level == "la"
    by_level = {
        "england": ("country_code", "country_name"),
        "region": ("region_code", "region_name"),
        "la": ("new_la_code", "la_name"),
    }
    code = pd.Series("", index=raw.index, dtype=str)
    name = pd.Series("", index=raw.index, dtype=str)
    for lvl, (code_col, name_col) in by_level.items():
        code[level == lvl] = raw.loc[level == lvl, code_col]
        name[level == lvl] = raw.loc[level == lvl, name_col]
    value, flag = numeric_with_flag(raw["population_estimate"])
    out = pd.DataFrame(
        {
            "year": raw["time_period"].astype(int).map(fy_label),
            "area_level": level,
            "la_number": pd.to_numeric(raw["old_la_code"].where(is_la), errors="raise").astype("Int64"),
            "ons_code": code.str.strip(),
            "area_name": name.str.strip(),
            "measure": MEASURE,
            "value": value,
            "unit": UNIT,
            "flag": flag,
        }
    )
    dup = out.duplicated(["year", "area_level", "ons_code"], keep=False)
    if dup.any():
        raise LayoutError(f"{path}: repeated mid-year/area rows, e.g.\n{raw[dup].head().to_string()}")
    flags = out.loc[out["flag"] != "", ["year", "area_name", "flag"]]
    log.info(
        "%s: %d rows, mid-years %s..%s, %d LAs in the last year; missing values: %s",
        path,
        len(out),
        raw["time_period"].min(),
        raw["time_period"].max(),
        int((is_la & (raw["time_period"] == raw["time_period"].max())).sum()),
        flags.groupby(["area_name", "flag"])["year"].agg(lambda y: ",".join(sorted(y))).to_dict(),
    )
    return out


def _band(label: str) -> tuple[int, int]:
    """'Age 0 - 4' / 'Aged 5-9' / 'Age 16' -> (0, 4) / (5, 9) / (16, 16)."""
    ages = [int(a) for a in re.findall(r"\d+", label)]
    if not 1 <= len(ages) <= 2:
        raise ValueError(label)
    return ages[0], ages[-1]


def _nomis_cells(path: Path) -> pd.DataFrame:
    """Every age block of a Nomis export, long: band, area_name, ons_code, mid_year, cell."""
    rows, band, years = [], None, None
    with open(path, encoding="utf-8-sig", newline="") as f:
        for line, row in enumerate(csv.reader(f), start=1):
            key = row[0].strip() if row else ""
            if re.match(r"Gender\s*:", key) and row[1:2] != ["Total"]:
                raise LayoutError(f"{path}: line {line}: Gender is {row[1]!r}, expected 'Total'")
            if re.match(r"Age\s*:", key):
                try:
                    band, years = _band(row[1]), None
                except (IndexError, ValueError):
                    raise LayoutError(f"{path}: line {line}: unreadable age band {row!r}") from None
            elif len(row) > 2 and row[1].strip() == "mnemonic":
                if band is None or not all(re.fullmatch(r"\d{4}", y.strip()) for y in row[2:] if y.strip()):
                    raise LayoutError(
                        f"{path}: line {line}: expected 'Age :' then a header "
                        f"'<geography>, mnemonic, <years>'; found {row!r}"
                    )
                years = [int(y) for y in row[2:] if y.strip()]
                log.info("%s: ages %d-%d by %r, mid-years %d-%d", path, *band, row[0], years[0], years[-1])
            elif years is not None and len(row) >= 2 + len(years) and row[1].strip():
                rows += [
                    (band, row[0].strip(), row[1].strip(), y, cell) for y, cell in zip(years, row[2 : 2 + len(years)])
                ]
    return pd.DataFrame(rows, columns=["band", "area_name", "ons_code", "mid_year", "cell"])


def _parse_nomis(path: Path) -> pd.DataFrame:
    cells = _nomis_cells(path)
    bands = sorted(set(cells["band"]))
    if bands != NOMIS_BANDS:
        raise LayoutError(
            f"{path}: needs the age bands {NOMIS_BANDS} (0-16) in one file; found {bands}. "
            "The per-band Nomis downloads (popest-0-4.csv ...) hold one band each: use the "
            "combined export (nomis_popest.csv)"
        )
    if cells.duplicated(["band", "ons_code", "mid_year"]).any():
        raise LayoutError(f"{path}: an area appears twice in one age block")
    english = cells["ons_code"].str.match(r"^E\d{8}$")
    skipped = cells.loc[~english].drop_duplicates("ons_code")["ons_code"].str[0].value_counts()
    log.info("%s: skipped areas outside England by code letter: %s", path, skipped.to_dict())
    cells = cells[english]
    cells["value"], cells["flag"] = numeric_with_flag(cells["cell"])

    wide = cells.pivot(index=["ons_code", "mid_year"], columns="band", values="value")
    flags = cells.pivot(index=["ons_code", "mid_year"], columns="band", values="flag")
    if flags.isna().any().any():
        raise LayoutError(
            f"{path}: an area is missing from some age blocks:\n{flags[flags.isna().any(axis=1)].head().to_string()}"
        )
    age_16, age_16_flag = wide[(16, 16)], flags[(16, 16)]
    # Age 17 = the same LA's age 16 a year earlier (same cohort); the first year has no
    # earlier year, so it takes its own age 16 (the next-younger cohort).
    first = int(wide.index.get_level_values("mid_year").min())
    earlier = wide.index.map(lambda key: (key[0], key[1] - 1 if key[1] > first else key[1]))
    age_17, age_17_flag = age_16.reindex(earlier).to_numpy(), age_16_flag.reindex(earlier).to_numpy()
    log.info("%s: age 17 taken as age 16 a year earlier, except mid-%d (age 16 of the same year)", path, first)
    total = pd.DataFrame(
        {
            "value": wide.sum(axis=1, skipna=False) + age_17,
            # a marked cell (none in the releases seen) leaves the total missing
            "flag": [
                next((f for f in [*r, f17] if f), "") for r, f17 in zip(flags.itertuples(index=False), age_17_flag)
            ],
        }
    ).reset_index()
    names = cells.drop_duplicates("ons_code").set_index("ons_code")["area_name"]
    measure = total["mid_year"].map(lambda y: MEASURE if y < FIRST_DFE_MID_YEAR else NOMIS_OVERLAP_MEASURE)
    out = pd.DataFrame(
        {
            "year": total["mid_year"].map(fy_label),
            "area_level": "la",
            "la_number": pd.array([pd.NA] * len(total), dtype="Int64"),
            "ons_code": total["ons_code"],
            "area_name": total["ons_code"].map(names),
            "measure": measure,
            "value": total["value"].astype(float),
            "unit": UNIT,
            "flag": total["flag"],
        }
    )
    england = out.groupby("year")["value"].sum()
    log.info(
        "%s: %d English LAs; England 0-17 (sum of LAs) by year: %s",
        path,
        out["ons_code"].nunique(),
        {y: round(v) for y, v in england.items()},
    )
    return out
