"""Stable geography: LA units that cover the same area in every year of the panel.

LAs whose boundaries changed are combined into the merged units configured in
config/config.yaml. A unit's value for a year is the sum over the members operating that year;
if any of them did not report, the unit is missing for that year (a partial sum would silently
understate it).
"""

from __future__ import annotations

import pandas as pd

from ..errors import ConfigError


def stable_units(geo: pd.DataFrame, merged_units: dict[str, dict]) -> pd.DataFrame:
    """One row per DfE LA number: la_number, unit_id, unit_name, region_code, region_name."""
    latest = geo.sort_values("date_of_operation").groupby("la_number", as_index=False).last()
    units = latest[["la_number", "la_name", "region_code", "region_name"]].copy()
    units["unit_id"] = units["la_number"].astype(str)
    units["unit_name"] = units["la_name"]
    known = set(units["la_number"])
    for unit_id, spec in merged_units.items():
        unknown = sorted(set(spec["members"]) - known)
        if unknown:
            raise ConfigError(f"config/config.yaml: geography.merged_units.{unit_id}: unknown LA number(s) {unknown}")
        members = units["la_number"].isin(spec["members"])
        regions = units.loc[members, "region_code"].unique()
        if len(regions) != 1:
            raise ConfigError(
                f"config/config.yaml: geography.merged_units.{unit_id}: members span regions {list(regions)}"
            )
        units.loc[members, ["unit_id", "unit_name"]] = [unit_id, spec["name"]]
    return units[["la_number", "unit_id", "unit_name", "region_code", "region_name"]].reset_index(drop=True)


def operating(geo: pd.DataFrame, years: list[str]) -> pd.DataFrame:
    """(la_number, year) pairs for every LA in operation for the whole financial year.

    The reference dates start at 1 January 2009 for LAs that already existed, so an LA that
    started then is taken to have operated in every earlier year too.
    """
    rows = []
    for year in years:
        start = pd.Timestamp(f"{year[:4]}-04-01")
        end = pd.Timestamp(f"{int(year[:4]) + 1}-03-31")
        began = (geo["date_of_operation"] <= start) | (geo["date_of_operation"] == pd.Timestamp("2009-01-01"))
        active = began & (geo["date_of_termination"].isna() | (geo["date_of_termination"] >= end))
        rows.append(pd.DataFrame({"la_number": geo.loc[active, "la_number"].unique(), "year": year}))
    return pd.concat(rows, ignore_index=True).drop_duplicates().sort_values(["year", "la_number"], ignore_index=True)
