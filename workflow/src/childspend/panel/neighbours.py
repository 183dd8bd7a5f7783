"""Statistical neighbours on stable units: DfE's lists (by old 3-digit LA number) mapped onto the
units of the areas table.

A unit's neighbour group is the **union** of the current lists of its member LAs, each
neighbour LA replaced by the unit it belongs to, the unit itself left out and each neighbour unit
kept once (at the nearest rank any member's list gives it). For a one-LA unit that is DfE's own
list. For a merged unit (Cheshire, Bedfordshire, Northamptonshire, Cumbria, Bournemouth,
Christchurch, Poole and Dorset) it is the union of its members' lists, for three reasons: the
unit's figures are sums over all its members, so it is compared with every area DfE finds
similar to any part of it; no member's list alone describes the whole unit; and DfE's "old" list
for an abolished county (Northamptonshire, Cumbria) predates the vintage the profile names, so it
is used only where no member has a current list. A merged unit's group is therefore larger than
ten (the size is in every row). A member with only placeholder rows (an LA created after the
list was computed) contributes nothing; if no member has a list at all, the unit has no group in
that vintage and :func:`coverage` says so.
"""

from __future__ import annotations

import pandas as pd

from ..contracts import CLOSENESS
from ..errors import ContractError
from .areas import units_from_areas

COLUMNS = [
    "source",
    "vintage",
    "unit_id",
    "unit_name",
    "order",
    "neighbour_id",
    "neighbour_name",
    "best_rank",
    "closeness",
    "named_by",
    "lists_used",
    "list",
    "group_size",
]


def _joined(numbers: pd.Series) -> str:
    """LA numbers as "301;302", ascending, each once."""
    return ";".join(str(n) for n in sorted(set(numbers)))


def unit_neighbours(lists: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Every unit's neighbour group in every vintage of ``lists`` (the ingested neighbours table),
    one row per unit x neighbour unit, nearest first (``order`` 1 ..)."""
    units = units_from_areas(areas)
    unit_of = dict(zip(units["la_number"].astype(int), units["unit_id"]))
    names = areas.set_index("area_code")["area_name"]
    unknown = sorted(set(lists["neighbour_la_number"].dropna().astype(int)) - set(unit_of))
    if unknown:
        raise ContractError(f"statistical neighbours: LA number(s) {unknown} are in no stable unit of the areas table")
    keys = ["source", "vintage", "unit_id"]
    members = pd.DataFrame({"la_number": list(unit_of), "unit_id": list(unit_of.values())})
    own = lists[lists["flag"] == ""].astype({"la_number": int}).merge(members, on="la_number")
    # A unit uses its members' current lists, else (no member has one) their old lists.
    has_current = (own["list"] == "current").groupby([own[k] for k in keys]).transform("any")
    used = own[own["list"] == has_current.map({True: "current", False: "old"})]
    if used.empty:
        return pd.DataFrame(columns=COLUMNS)
    lists_used = used.groupby(keys).agg(lists_used=("la_number", _joined), list=("list", "first"))
    found = used.assign(
        neighbour_id=used["neighbour_la_number"].astype(int).map(unit_of),
        closeness_order=used["closeness"].map({label: n for n, label in enumerate(CLOSENESS)}),
    )
    found = found[found["neighbour_id"] != found["unit_id"]]
    best = found.sort_values([*keys, "rank", "closeness_order", "la_number"]).groupby([*keys, "neighbour_id"])
    group = best.agg(
        best_rank=("rank", "first"),
        closeness=("closeness", "first"),
        named_by=("la_number", _joined),
        naming=("la_number", "nunique"),
    ).reset_index()
    group = group.sort_values(
        [*keys, "best_rank", "naming", "neighbour_id"], ascending=[True, True, True, True, False, True]
    )
    by_unit = group.groupby(keys)
    table = group.assign(
        unit_name=group["unit_id"].map(names),
        order=by_unit.cumcount() + 1,
        neighbour_name=group["neighbour_id"].map(names),
        group_size=by_unit["neighbour_id"].transform("size"),
    ).join(lists_used, on=keys)[COLUMNS]
    return table.sort_values(["source", "unit_id", "order"], ignore_index=True)


def coverage(table: pd.DataFrame, areas: pd.DataFrame, source: str) -> pd.DataFrame:
    """Per unit, for one vintage: group size, whose lists were used and which members had none."""
    units = units_from_areas(areas)
    rows = table[table["source"] == source].drop_duplicates("unit_id").set_index("unit_id")
    out = []
    for unit_id, members in units.groupby("unit_id", sort=True):
        numbers = members["la_number"].astype(int).tolist()
        used = rows["lists_used"].get(unit_id, "")
        used_numbers = {int(n) for n in used.split(";") if n}
        out.append(
            dict(
                unit_id=unit_id,
                group_size=int(rows["group_size"].get(unit_id, 0)),
                lists_used=used,
                list=rows["list"].get(unit_id, ""),
                members_without_list=";".join(str(n) for n in numbers if n not in used_numbers),
            )
        )
    return pd.DataFrame(out)
