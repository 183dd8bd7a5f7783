"""Stable geography: LA units that cover the same area in every year of the panel.

An LA is known by its DfE 3-digit number, which survives ONS recodes (Gateshead, Northumberland,
Buckinghamshire, North Yorkshire, Somerset...). LAs whose boundaries changed are combined into
the merged units configured in config/config.yaml. A unit's value for a year is the sum over
the members operating that year; if any of them did not report, the unit is missing for that
year (a partial sum would silently understate it).
"""

from __future__ import annotations

import re

import pandas as pd

from .errors import ConfigError

ENGLAND_CODE = "E92000001"
REGION_CODES = {
    "North East": "E12000001", "North West": "E12000002", "Yorkshire and The Humber": "E12000003",
    "East Midlands": "E12000004", "West Midlands": "E12000005", "East of England": "E12000006",
    "London": "E12000007", "South East": "E12000008", "South West": "E12000009",
}


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
            raise ConfigError(f"config/config.yaml: geography.merged_units.{unit_id}: members span regions {list(regions)}")
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


def ons_to_la_number(geo: pd.DataFrame) -> dict[str, int]:
    """Every ONS code, live or terminated, to its DfE number."""
    return dict(zip(geo["ons_code"], geo["la_number"]))


def name_key(name: str) -> str:
    """An LA name in a comparable form: "Bristol, City of" / "Bristol" and "&" / "and" agree."""
    text = str(name).lower().replace("&", " and ")
    text = re.sub(r",\s*(city|county) of$", "", text)
    return re.sub(r"[^a-z]+", " ", text).strip()


def name_to_la_number(geo: pd.DataFrame) -> dict[str, int]:
    """LA names to DfE numbers, for files that give names only. Where a name was used by two
    LAs (Dorset: the county to 2019, the unitary after), the newer one is meant: such files are
    on recent boundaries."""
    latest = geo.sort_values("date_of_operation")
    return dict(zip(latest["la_name"].map(name_key), latest["la_number"]))


def region_by_name(name: str) -> tuple[str, str] | None:
    """(ONS code, name) of an English region however a file spells it ("NORTH EAST REGION",
    "Yorkshire and Humber", "Yorkshire and the Humber"); None for anything else."""
    key = re.sub(r"\b(the|region)\b", " ", str(name).lower())
    key = " ".join(key.split())
    return next(((code, n) for n, code in REGION_CODES.items()
                 if " ".join(re.sub(r"\bthe\b", " ", n.lower()).split()) == key), None)
