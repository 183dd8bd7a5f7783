"""DfE Local Authority Interactive Tool (LAIT): S251 outturn category totals from ``bds_long_0.parquet``.

The file is one long table of several hundred LA measures (Short Desc = measure code, Data item =
its title, Years, LA and Regions, Values as text, LA Number, Region). Only the S251 outturn
children's services spend items are kept. Surprises handled here:
- several "...Finance" items (LACFinance, AdoptionFinance, FosteringFinance, RescareFinance,
  SWFinance, SENFinance) are weekly unit costs per child, not spend; they are not kept;
- the category items carry years like "2016-17 (OT)", the leaving-care item plain "2016-17";
- "Data item" (the title) is filled only in each item's first year and null afterwards;
- values are whole pounds (not thousands); "-" marks an LA that did not exist or was not
  reported that year (abolished/new LAs keep a row in every year);
- England is LA Number 970 and regions 980-990, with "NA" in the Region column; London appears
  three times (London 986 and its Inner 987 / Outer 988 parts), so regions must not be summed.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from ..contracts import SPENDING_COLUMNS
from ..errors import LayoutError
from ..markers import numeric_with_flag
from ..years import normalise_fy

log = logging.getLogger(__name__)

COLUMNS = ["Short Desc", "Data item", "Years", "LA and Regions", "Values", "LA Number", "Region"]

# LAIT measure code -> category. The data dictionary titles each of these "... - Gross"
# (gross expenditure), sourced from s251_childrens_young_peoples_services_la_regional_national.csv.
CATEGORIES = {
    "SureStartFinance": "early_years",  # "Sure Start Children's Centres and Early Years"
    "TotalLACFinance": "children_looked_after",
    "SafeguardingFinance": "safeguarding",
    "FamilySupportFinance": "family_support",
    "YoungPeopleFinance": "young_people",
    "YouthJusticeFinance": "youth_justice",
    "OtherChildren&FamilyFinance": "other_children_family",
    "C&YPExpenditure": "total",  # "Children and Young People Budget (excluding CERA) - Gross"
    "LeaveCareSupServTotExp": "memo",  # part of TotalLACFinance: would double count
}
MEASURE = "gross_expenditure"
UNIT = "GBP"
ENGLAND_NUMBER = 970
FIRST_REGION_NUMBER = 980


def _area_level(number: pd.Series) -> pd.Series:
    level = pd.Series("la", index=number.index, dtype=str)
    level[number == ENGLAND_NUMBER] = "england"
    level[number >= FIRST_REGION_NUMBER] = "region"
    return level


def parse(path: Path, source_id: str, period: str) -> pd.DataFrame:
    found = pq.read_schema(path).names
    missing = [c for c in COLUMNS if c not in found]
    if missing:
        raise LayoutError(f"{path}: missing column(s) {missing}; found {found}")
    total_rows = pq.ParquetFile(path).metadata.num_rows
    raw = pd.read_parquet(path, columns=COLUMNS, filters=[("Short Desc", "in", list(CATEGORIES))])

    absent = [code for code in CATEGORIES if code not in set(raw["Short Desc"])]
    if absent:
        raise LayoutError(
            f"{path}: S251 finance item(s) {absent} not in 'Short Desc'; "
            f"found only {sorted(raw['Short Desc'].unique())} of the expected items"
        )
    dup = raw.duplicated(["Short Desc", "Years", "LA Number", "LA and Regions"])
    if dup.any():
        raise LayoutError(f"{path}: repeated item/year/area rows, e.g.\n{raw[dup].head().to_string()}")
    try:
        year = raw["Years"].map({y: normalise_fy(y) for y in raw["Years"].unique()})
    except ValueError as exc:
        raise LayoutError(f"{path}: 'Years' of a finance item: {exc}") from None

    items = raw["Short Desc"].groupby(year).agg(set)
    short = {y: sorted(set(CATEGORIES) - got) for y, got in items.items() if set(CATEGORIES) - got}
    if short:
        raise LayoutError(
            f"{path}: year(s) without every S251 finance item in 'Short Desc': {short}; every year of the "
            "extract must have each (a renamed item: add its new code to CATEGORIES in childspend/sources/lait.py)"
        )
    number = raw["LA Number"].astype("Int64")
    level = _area_level(number)
    value, flag = numeric_with_flag(raw["Values"])
    # "Data item" (the title) is filled only on each item's first year; spread it to all years.
    titles = raw.dropna(subset=["Data item"]).groupby("Short Desc")["Data item"].first()
    title = raw["Short Desc"].map(titles).fillna(raw["Short Desc"])
    out = pd.DataFrame(
        {
            "source": source_id,
            "year": year,
            "area_level": level,
            "la_number": number.where(level == "la"),
            "ons_code": "",
            "area_name": raw["LA and Regions"].str.strip(),
            "line": title.str.strip() + " [" + raw["Short Desc"] + "]",
            "category": raw["Short Desc"].map(CATEGORIES),
            "measure": MEASURE,
            "value": value,
            "unit": UNIT,
            "flag": flag,
        }
    )[SPENDING_COLUMNS]
    flags = {f: int(n) for f, n in out.loc[out["flag"] != "", "flag"].value_counts().items()}
    log.info(
        "%s: kept %d S251 finance rows (missing values by flag: %s); skipped %d rows of other measures",
        path,
        len(out),
        flags,
        total_rows - len(out),
    )
    return out.sort_values(["year", "category", "area_level", "la_number", "area_name"], ignore_index=True)
