"""Stable geography: LA units that cover the same area in every year of the panel.

LAs whose boundaries changed are combined into the merged units configured in
config/config.yaml. A unit's value for a year is the sum over the members operating that year;
if any of them did not report, the unit is missing for that year (a partial sum would silently
understate it).
"""

from __future__ import annotations

import pandas as pd

from ..codes import ENGLAND_CODE
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


AREA_COLUMNS = [
    "area_level",
    "area_code",
    "area_name",
    "region_code",
    "region_name",
    "ons_codes",
    "members",
    "member_names",
    "first_year",
    "last_year",
    "member_years",
]


def _span(years: list[str]) -> str:
    return f"{years[0]} to {years[-1]}" if years else "not in the panel's years"


def areas_table(geo: pd.DataFrame, units: pd.DataFrame, years: list[str]) -> pd.DataFrame:
    """The areas' sample sheet: every stable unit, region and England, one row each.

    A unit lists its member LAs (DfE numbers, names, the years each operated in the panel's
    range) and the ONS codes of the members operating in the last year; per-area rules fan out
    over this table.
    """
    names = geo.sort_values("date_of_operation").groupby("la_number")["la_name"].last()
    codes = geo.sort_values("date_of_operation").groupby("la_number")["ons_code"].last()
    active = operating(geo, years).groupby("la_number")["year"].agg(sorted)
    rows = []
    for unit_id, members in units.sort_values("la_number").groupby("unit_id", sort=True):
        numbers = list(members["la_number"])
        spans = {n: active.get(n, []) for n in numbers}
        unit_years = sorted({y for span in spans.values() for y in span})
        rows.append(
            dict(
                area_level="la",
                area_code=unit_id,
                area_name=members["unit_name"].iloc[0],
                region_code=members["region_code"].iloc[0],
                region_name=members["region_name"].iloc[0],
                ons_codes=";".join(codes[n] for n in numbers if years[-1] in spans[n]),
                members=";".join(str(n) for n in numbers),
                member_names=";".join(names[n] for n in numbers),
                first_year=unit_years[0] if unit_years else "",
                last_year=unit_years[-1] if unit_years else "",
                member_years="; ".join(f"{n} {_span(spans[n])}" for n in numbers),
            )
        )
    la = pd.DataFrame(rows, columns=AREA_COLUMNS)
    regions = la.drop_duplicates("region_code")[["region_code", "region_name"]].sort_values("region_code")
    regions = regions.assign(area_level="region", area_code=regions["region_code"], area_name=regions["region_name"])
    england = pd.DataFrame([dict(area_level="england", area_code=ENGLAND_CODE, area_name="England")])
    totals = pd.concat([regions, england], ignore_index=True).assign(first_year=years[0], last_year=years[-1])
    return pd.concat([la, totals], ignore_index=True).reindex(columns=AREA_COLUMNS).fillna("")


def units_from_areas(areas: pd.DataFrame) -> pd.DataFrame:
    """The stable units as :func:`stable_units` gives them, read back from the areas table."""
    la = areas[areas["area_level"] == "la"].assign(la_number=areas["members"].str.split(";")).explode("la_number")
    units = la.assign(la_number=la["la_number"].astype("Int64"), unit_id=la["area_code"], unit_name=la["area_name"])
    units = units[["la_number", "unit_id", "unit_name", "region_code", "region_name"]]
    return units.sort_values("la_number").reset_index(drop=True)


def read_areas(path) -> pd.DataFrame:
    """The areas table as written by the ``build_areas`` rule (every column text)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)
