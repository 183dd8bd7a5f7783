"""DfE's LA reference files: every LA, live or terminated, with its DfE number, ONS code and region.

``las.csv`` lists each ONS code with its old 3-digit DfE number and operation dates;
``region_la_hierarchy.csv`` gives region names. Surprises handled here:
- one entry (702, British Forces overseas) is not an area and is dropped;
- a few rows are joint entries ("940 / 941", "E06000061 / E06000062"); the reference keeps
  single LAs only (joint returns are resolved against their members downstream);
- the Isles of Scilly's council is dated from its 2009 ONS code, though it existed before;
- five counties abolished on 1 April 2009 carry "x" for their DfE number, although their DfE
  number continued with the unitary that replaced them; those numbers are filled in below.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from ..contracts import GEOGRAPHY
from ..errors import LayoutError

log = logging.getLogger(__name__)

# ONS codes of the pre-April-2009 counties whose DfE number carried on with the new unitary.
COUNTY_2009_SUCCESSORS = {
    "E10000005": 908,  # Cornwall and Isles of Scilly county -> Cornwall (Scilly is DfE 420 throughout)
    "E10000010": 840,  # Durham -> County Durham
    "E10000022": 929,  # Northumberland
    "E10000026": 893,  # Shropshire
    "E10000033": 865,  # Wiltshire
}
# Authorities that existed before the date their current ONS code starts: the reference's
# operation date is a new code, not a new council. Set to the reference's "already existed" date.
EXISTED_BEFORE_CODE = {
    "E06000053": "Council of the Isles of Scilly (coded E06000053 from April 2009)",
}
ALREADY_EXISTED = "01/01/2009"
LAS_COLUMNS = [
    "new_la_code",
    "la_name",
    "date_of_operation",
    "date_of_termination",
    "parent_geography_code",
    "old_la_code",
]
REGION_COLUMNS = ["region_code", "region_name"]


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise LayoutError(f"{path}: missing column(s) {missing}; found {list(table.columns)}")
    return table


def parse(las_path: Path, regions_path: Path) -> pd.DataFrame:
    las = _read(las_path, LAS_COLUMNS)
    regions = _read(regions_path, REGION_COLUMNS)[REGION_COLUMNS].drop_duplicates()
    # The hierarchy also lists pseudo-regions ("Outside of England and unknown", ...) without
    # an E12 code; only the nine English regions are regions here.
    regions = regions[regions["region_code"].str.fullmatch(r"E12\d{6}", na=False)]

    # DfE number 702 (British Forces overseas schools) has no area and no ONS code.
    no_area = ~las["new_la_code"].str.fullmatch(r"E\d{8}( / E\d{8})?", na=False)
    log.info(
        "%s: %d entries without an English area dropped: %s",
        las_path,
        no_area.sum(),
        ", ".join(las.loc[no_area, "la_name"]),
    )
    las = las[~no_area]
    joint = las["old_la_code"].str.contains("/", regex=False)
    log.info(
        "%s: %d joint entries left to downstream joint-return handling: %s",
        las_path,
        joint.sum(),
        ", ".join(las.loc[joint, "old_la_code"]),
    )
    las = las[~joint].copy()
    filled = las["new_la_code"].map(COUNTY_2009_SUCCESSORS)
    las["old_la_code"] = las["old_la_code"].where(las["old_la_code"] != "x", filled.astype("Int64").astype(str))
    unknown = ~las["old_la_code"].str.fullmatch(r"\d{3}")
    if unknown.any():
        raise LayoutError(f"{las_path}: LAs without a DfE number: {las.loc[unknown, 'new_la_code'].tolist()}")

    predates = las["new_la_code"].isin(list(EXISTED_BEFORE_CODE))
    las.loc[predates, "date_of_operation"] = ALREADY_EXISTED
    table = las.merge(
        regions, left_on="parent_geography_code", right_on="region_code", how="left", validate="many_to_one"
    )
    if table["region_name"].isna().any():
        raise LayoutError(
            f"{regions_path}: no region name for {table.loc[table['region_name'].isna(), 'parent_geography_code'].unique().tolist()}"
        )
    out = pd.DataFrame(
        {
            "la_number": table["old_la_code"].astype(int),
            "ons_code": table["new_la_code"],
            "la_name": table["la_name"],
            "region_code": table["region_code"],
            "region_name": table["region_name"],
            "date_of_operation": pd.to_datetime(table["date_of_operation"], format="%d/%m/%Y"),
            "date_of_termination": pd.to_datetime(table["date_of_termination"], format="%d/%m/%Y"),
        }
    )
    return GEOGRAPHY.validate(out.sort_values(["la_number", "date_of_operation"], ignore_index=True))
