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


def _lists_for(rows: pd.DataFrame, members: list[int]) -> pd.DataFrame:
    """The rows of the lists a unit uses: its members' current lists, else their old lists."""
    own = rows[rows["la_number"].isin(members) & (rows["flag"] == "")]
    current = own[own["list"] == "current"]
    return current if not current.empty else own[own["list"] == "old"]


def unit_neighbours(lists: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Every unit's neighbour group in every vintage of ``lists`` (the ingested neighbours table),
    one row per unit x neighbour unit, nearest first (``order`` 1 ..)."""
    units = units_from_areas(areas)
    unit_of = dict(zip(units["la_number"].astype(int), units["unit_id"]))
    names = areas.set_index("area_code")["area_name"]
    unknown = sorted(set(lists["neighbour_la_number"].dropna().astype(int)) - set(unit_of))
    if unknown:
        raise ContractError(f"statistical neighbours: LA number(s) {unknown} are in no stable unit of the areas table")
    closeness_order = {label: n for n, label in enumerate(CLOSENESS)}
    out = []
    for (source, vintage), rows in lists.groupby(["source", "vintage"], sort=True):
        for unit_id, members in units.groupby("unit_id", sort=True):
            used = _lists_for(rows, members["la_number"].astype(int).tolist())
            if used.empty:
                continue
            found = used.assign(
                neighbour_id=used["neighbour_la_number"].astype(int).map(unit_of),
                closeness_order=used["closeness"].map(closeness_order),
            )
            found = found[found["neighbour_id"] != unit_id]
            best = found.sort_values(["rank", "closeness_order", "la_number"]).groupby("neighbour_id", sort=False)
            group = best.agg(
                best_rank=("rank", "first"),
                closeness=("closeness", "first"),
                named_by=("la_number", lambda n: ";".join(str(x) for x in sorted(set(n)))),
                naming=("la_number", "nunique"),
            ).reset_index()
            group = group.sort_values(["best_rank", "naming", "neighbour_id"], ascending=[True, False, True])
            out.append(
                group.assign(
                    source=source,
                    vintage=vintage,
                    unit_id=unit_id,
                    unit_name=names[unit_id],
                    order=range(1, len(group) + 1),
                    neighbour_name=group["neighbour_id"].map(names),
                    lists_used=";".join(str(n) for n in sorted(used["la_number"].astype(int).unique())),
                    list=used["list"].iloc[0],
                    group_size=len(group),
                )
            )
    if not out:
        return pd.DataFrame(columns=COLUMNS)
    table = pd.concat(out, ignore_index=True)[COLUMNS]
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
