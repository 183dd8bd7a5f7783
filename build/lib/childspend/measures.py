"""The registry of panel measures, ``measures.csv``: one row per measure, each fact once.

A row gives the measure's family and spending category, its unit (as the data dictionary
prints it) and kind, how a derived measure is computed (numerator / denominator x scale), its
description, source and caveats, the flag its present values carry in some years, whether it
is in the national series, and whether the panel has it yet. The dictionary, the panel steps,
deflation, the national series, the parsers' category sets and the config schema read it here.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pandas as pd

REGISTRY = Path(__file__).with_name("measures.csv")
COLUMNS = [
    "measure",
    "family",
    "category",
    "unit",
    "kind",
    "numerator",
    "denominator",
    "scale",
    "description",
    "source",
    "caveats",
    "quality_flag",
    "quality_flag_years",
    "national",
    "status",
]
REQUIRED = ["measure", "family", "unit", "kind", "description", "source", "national", "status"]
KINDS = ("money", "count", "rate", "score", "share", "decile")
STATUSES = ("available", "not_yet_available")
YEAR = r"\d{4}-\d{2}"


def _problems(table: pd.DataFrame) -> list[str]:
    """What is wrong with a registry table, one line per problem naming the measures."""
    known = set(table["measure"])
    parts = table[["numerator", "denominator", "scale"]] != ""
    derived = parts.all(axis=1)
    flagged = table[["quality_flag", "quality_flag_years"]] != ""
    checks = {
        "duplicate measure": table["measure"].duplicated(keep=False),
        f"empty field among {REQUIRED}": (table[REQUIRED] == "").any(axis=1),
        f"kind not one of {KINDS}": ~table["kind"].isin(KINDS),
        f"status not one of {STATUSES}": ~table["status"].isin(STATUSES),
        "national neither true nor false": ~table["national"].isin(["true", "false"]),
        "category given but the measure is not <family>_<category>": (table["category"] != "")
        & (table["measure"] != table["family"] + "_" + table["category"]),
        "numerator, denominator and scale neither all given nor all empty": parts.any(axis=1) & ~derived,
        "numerator or denominator not in the registry": derived
        & ~(table["numerator"].isin(known) & table["denominator"].isin(known)),
        "scale not a positive number": derived & ~(pd.to_numeric(table["scale"], errors="coerce") > 0),
        "quality_flag and quality_flag_years neither both given nor both empty": flagged.any(axis=1)
        & ~flagged.all(axis=1),
        "quality_flag_years not financial years joined by ';'": flagged["quality_flag_years"]
        & ~table["quality_flag_years"].str.fullmatch(rf"{YEAR}(;{YEAR})*"),
    }
    return [f"{problem}: {', '.join(table.loc[bad, 'measure'])}" for problem, bad in checks.items() if bad.any()]


@cache
def _load(path: Path) -> pd.DataFrame:
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in table.columns]
    problems = [f"missing column(s) {missing}"] if missing else _problems(table)
    if problems:
        raise ValueError(f"{path}:\n  " + "\n  ".join(problems))
    return table.assign(national=table["national"] == "true", scale=pd.to_numeric(table["scale"], errors="coerce"))


def registry(path: str | Path = REGISTRY) -> pd.DataFrame:
    """The checked registry (``national`` as bool, ``scale`` as float); ValueError if it is bad."""
    return _load(Path(path)).copy()


def of_kind(kind: str, path: str | Path = REGISTRY) -> list[str]:
    """Measures of one kind (money, count, rate, score, share or decile)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; kinds are {KINDS}")
    table = _load(Path(path))
    return table.loc[table["kind"] == kind, "measure"].tolist()


def derived(names: Iterable[str] | None = None, path: str | Path = REGISTRY) -> dict[str, tuple[str, str, float]]:
    """{measure: (numerator, denominator, scale)} of the derived measures among ``names`` (all if None)."""
    table = _load(Path(path))
    rows = table[table["numerator"] != ""]
    if names is not None:
        rows = rows[rows["measure"].isin(list(names))]
    return {r.measure: (r.numerator, r.denominator, float(r.scale)) for r in rows.itertuples()}


def quality_notes(path: str | Path = REGISTRY) -> list[tuple[tuple[str, ...], tuple[str, ...], str]]:
    """(measures, years, flag): present values of those measures in those years carry the flag."""
    table = _load(Path(path))
    flagged = table[table["quality_flag"] != ""].groupby(["quality_flag", "quality_flag_years"], sort=False)
    return [(tuple(rows["measure"]), tuple(years.split(";")), flag) for (flag, years), rows in flagged]


def categories(family: str, path: str | Path = REGISTRY) -> list[str]:
    """Spending categories of a family (e.g. ``s251_gross``), in registry order."""
    table = _load(Path(path))
    return table.loc[(table["family"] == family) & (table["category"] != ""), "category"].tolist()


def national_series(path: str | Path = REGISTRY) -> list[str]:
    """Measures carried into the national series."""
    table = _load(Path(path))
    return table.loc[table["national"], "measure"].tolist()
