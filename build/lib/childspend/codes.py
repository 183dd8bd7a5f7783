"""Reference codes and names: England, the regions, and matching an LA's codes and names to
its DfE 3-digit number (which survives ONS recodes: Gateshead, Northumberland, Buckinghamshire,
North Yorkshire, Somerset...). The parsers and the panel both use these; the stable units built
from them are in :mod:`childspend.panel.areas`.
"""

from __future__ import annotations

import re

import pandas as pd

ENGLAND_CODE = "E92000001"
REGION_CODES = {
    "North East": "E12000001",
    "North West": "E12000002",
    "Yorkshire and The Humber": "E12000003",
    "East Midlands": "E12000004",
    "West Midlands": "E12000005",
    "East of England": "E12000006",
    "London": "E12000007",
    "South East": "E12000008",
    "South West": "E12000009",
}


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
    return next(
        ((code, n) for n, code in REGION_CODES.items() if " ".join(re.sub(r"\bthe\b", " ", n.lower()).split()) == key),
        None,
    )
