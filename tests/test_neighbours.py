"""Statistical neighbours mapped onto stable units, on small hand-made lists."""

from __future__ import annotations

import pandas as pd

from childspend.contracts import NEIGHBOURS
from childspend.panel.neighbours import coverage, unit_neighbours

# Units: three one-LA units, Northamptonshire (928 = 940 + 941) and Cumbria (909 = 942 + 943).
AREAS = pd.DataFrame(
    [
        ("la", "301", "A", "301"),
        ("la", "302", "B", "302"),
        ("la", "303", "C", "303"),
        ("la", "928", "Northamptonshire", "928;940;941"),
        ("la", "909", "Cumbria", "909;942;943"),
        ("region", "E12000004", "East Midlands", ""),
    ],
    columns=["area_level", "area_code", "area_name", "members"],
).assign(region_code="E12000004", region_name="East Midlands")


def lists(rows, source="neighbours_2025-05"):
    """rows: (list, la_number, [neighbours nearest first]); closeness 'close' unless '-'."""
    out = []
    for block, la, named in rows:
        for rank, neighbour in enumerate(named, 1):
            out.append(
                dict(
                    source=source,
                    vintage="may_2025",
                    list=block,
                    la_number=la,
                    la_name=str(la),
                    region_name="East Midlands",
                    rank=rank,
                    neighbour_la_number=None if neighbour == "-" else neighbour,
                    closeness="" if neighbour == "-" else ("very close" if rank <= 2 else "close"),
                    flag="-" if neighbour == "-" else "",
                )
            )
    return NEIGHBOURS.validate(pd.DataFrame(out))


def ten(*named):
    """Pad a list to ten with LAs 801.. (one-LA units of their own in these tests)."""
    return [*named, *range(801, 811 - len(named))]


def padded_areas():
    extra = pd.DataFrame(
        [("la", str(n), f"LA {n}", str(n)) for n in range(801, 811)],
        columns=["area_level", "area_code", "area_name", "members"],
    ).assign(region_code="E12000004", region_name="East Midlands")
    return pd.concat([AREAS, extra], ignore_index=True)


def group(table, unit):
    return table[table["unit_id"] == unit].sort_values("order")


def test_a_one_la_unit_keeps_dfes_list_nearest_first():
    table = unit_neighbours(lists([("current", 301, ten(302, 303))]), padded_areas())
    a = group(table, "301")
    assert a["neighbour_id"].tolist() == ["302", "303", *[str(n) for n in range(801, 809)]]
    assert a["order"].tolist() == list(range(1, 11)) and set(a["group_size"]) == {10}
    assert a["closeness"].tolist()[:3] == ["very close", "very close", "close"]
    assert set(a["lists_used"]) == {"301"} and set(a["list"]) == {"current"}


def test_two_neighbours_in_one_merged_unit_count_once_at_the_nearer_rank():
    table = unit_neighbours(lists([("current", 301, ten(941, 302, 940))]), padded_areas())
    a = group(table, "301")
    assert a["neighbour_id"].tolist()[:2] == ["928", "302"]
    north = a[a["neighbour_id"] == "928"].iloc[0]
    assert (north["best_rank"], north["neighbour_name"]) == (1, "Northamptonshire")
    assert set(a["group_size"]) == {9}  # ten LAs, nine units


def test_a_merged_unit_takes_the_union_of_its_members_lists_without_itself():
    table = unit_neighbours(
        lists([("current", 940, ten(941, 302, 301)), ("current", 941, ten(301, 940, 303))]), padded_areas()
    )
    north = group(table, "928")
    assert "928" not in set(north["neighbour_id"])  # each member names the other: the unit itself
    assert north["neighbour_id"].tolist()[:3] == ["301", "302", "303"]
    first = north.iloc[0]
    assert (first["best_rank"], first["named_by"]) == (1, "940;941")  # 941's rank 1 beats 940's rank 3
    assert set(north["lists_used"]) == {"940;941"}
    assert len(north) == 3 + 7 == north["group_size"].iloc[0]  # the pads 801..807 named by both


def test_placeholder_members_add_nothing_and_old_lists_fill_only_a_gap():
    rows = [
        ("current", 942, ["-"] * 10),
        ("current", 943, ["-"] * 10),
        ("old", 909, ten(303)),
        ("current", 940, ten(301)),
        ("old", 928, ten(302)),
    ]
    table = unit_neighbours(lists(rows), padded_areas())
    cumbria, north = group(table, "909"), group(table, "928")
    assert set(cumbria["list"]) == {"old"} and cumbria["neighbour_id"].iloc[0] == "303"
    assert set(north["list"]) == {"current"} and north["neighbour_id"].iloc[0] == "301"
    cover = coverage(table, padded_areas(), "neighbours_2025-05").set_index("unit_id")
    assert cover.loc["909", "members_without_list"] == "942;943"
    assert cover.loc["928", "members_without_list"] == "928;941"
    assert cover.loc["302", "group_size"] == 0 and cover.loc["302", "lists_used"] == ""


def test_vintages_are_kept_apart():
    both = pd.concat(
        [lists([("current", 301, ten(302))]), lists([("current", 301, ten(303))], source="neighbours_2021-04")],
        ignore_index=True,
    )
    table = unit_neighbours(both, padded_areas())
    firsts = table[table["order"] == 1].set_index("source")["neighbour_id"].to_dict()
    assert firsts == {"neighbours_2025-05": "302", "neighbours_2021-04": "303"}
