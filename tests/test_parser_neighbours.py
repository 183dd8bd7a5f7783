"""Statistical neighbours parser: a hand-made workbook in DfE's ``LA SN Groups`` layout, and the real lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from workbooks import write_workbook

from childspend.contracts import NEIGHBOUR_COLUMNS, NEIGHBOURS
from childspend.errors import LayoutError
from childspend.sources import neighbours

MIRROR = Path(__file__).resolve().parents[2] / "shared" / "data" / "dfe-lait" / "2026-04-08"
SCAFFOLD = [
    ["A", "B", "C", "D", "E", *range(3, 23)],
    list(range(1, 26)),
]
HEADER = ["LA num", "LA Name", "LA number", "GOInd", "GOReg"] + [
    name for rank in range(1, 11) for name in (f"SN{rank}", "SNP")
]


def sn_row(number, name, region, pairs):
    return [number, name, number, 3, region, *[cell for pair in pairs for cell in pair]]


BARNET = sn_row(
    302,
    "Barnet",
    "London (Outer)",
    [(320, "Close"), (870, "Close"), (310, "Very Close"), (317, "very close"), (315, "Close")]
    + [(306, "Somewhat close"), (209, "Not Close"), (312, "Extremely Close"), (309, "Close"), (307, "not close")],
)
CUMBERLAND = sn_row(942, "Cumberland", "North West", [("-", "-")] * 10)
NORTHAMPTONSHIRE = sn_row(
    928,
    "Northamptonshire",
    "East Midlands",
    [(n, "Very Close") for n in (886, 891, 866, 860, 830, 881, 937, 885, 888, 887)],
)
BLANK = [None] * 25


def sn_workbook(tmp_path, rows, extra_column=False):
    grid = [*SCAFFOLD, HEADER, *rows]
    if extra_column:  # the April 2021 file has an empty 26th column
        grid = [[*row, None] for row in grid]
    return write_workbook(tmp_path / "sn_may_2025.xlsx", {"LA SN Groups": grid})


def old_block(*rows):
    return [BLANK, [None, "Old SNs:", *[None] * 23], BLANK, *rows]


@pytest.mark.parametrize("extra_column", [False, True])
def test_lists_are_read_nearest_first_with_labels_normalised(tmp_path, extra_column):
    path = sn_workbook(tmp_path, [BARNET, CUMBERLAND, *old_block(NORTHAMPTONSHIRE)], extra_column)
    table = neighbours.parse(path, "neighbours_2025-05", "may_2025")
    NEIGHBOURS.validate(table)
    assert list(table.columns) == NEIGHBOUR_COLUMNS
    barnet = table[table["la_number"] == 302].set_index("rank")
    assert barnet["neighbour_la_number"].tolist() == [320, 870, 310, 317, 315, 306, 209, 312, 309, 307]
    assert barnet.loc[[3, 4, 7, 8, 10], "closeness"].tolist() == [
        "very close",
        "very close",
        "not close",
        "extremely close",
        "not close",
    ]
    assert set(barnet["list"]) == {"current"} and set(barnet["region_name"]) == {"London (Outer)"}
    assert set(barnet["vintage"]) == {"may_2025"} and set(barnet["source"]) == {"neighbours_2025-05"}


def test_placeholder_rows_keep_the_marker_and_no_neighbour(tmp_path):
    table = neighbours.parse(sn_workbook(tmp_path, [BARNET, CUMBERLAND]), "neighbours_2021-04", "april_2021")
    cumberland = table[table["la_number"] == 942]
    assert len(cumberland) == 10
    assert cumberland["neighbour_la_number"].isna().all()
    assert set(cumberland["flag"]) == {"-"} and set(cumberland["closeness"]) == {""}
    assert (table.loc[table["la_number"] == 302, "flag"] == "").all()


def test_the_old_block_is_kept_apart(tmp_path):
    path = sn_workbook(tmp_path, [BARNET, *old_block(NORTHAMPTONSHIRE)])
    table = neighbours.parse(path, "neighbours_2025-05", "may_2025")
    assert table.groupby("list")["la_number"].unique().map(list).to_dict() == {"current": [302], "old": [928]}


def test_an_unknown_closeness_label_is_a_layout_error(tmp_path):
    odd = [*BARNET]
    odd[6] = "Quite close"
    with pytest.raises(LayoutError, match="closeness 'Quite close' of SN1"):
        neighbours.parse(sn_workbook(tmp_path, [odd]), "neighbours_2025-05", "may_2025")


def test_disagreeing_la_numbers_are_a_layout_error(tmp_path):
    odd = [*BARNET]
    odd[2] = 303
    with pytest.raises(LayoutError, match="'LA num' 302 and 'LA number' 303 differ"):
        neighbours.parse(sn_workbook(tmp_path, [odd]), "neighbours_2025-05", "may_2025")


def test_a_changed_header_is_a_layout_error(tmp_path):
    grid = [*SCAFFOLD, [*HEADER[:5], "Neighbour 1", *HEADER[6:]], BARNET]
    path = write_workbook(tmp_path / "sn.xlsx", {"LA SN Groups": grid})
    with pytest.raises(LayoutError, match="expected"):
        neighbours.parse(path, "neighbours_2025-05", "may_2025")
    path = write_workbook(tmp_path / "other.xlsx", {"Sheet1": [HEADER, BARNET]})
    with pytest.raises(LayoutError, match="no sheet 'LA SN Groups'"):
        neighbours.parse(path, "neighbours_2025-05", "may_2025")


@pytest.mark.skipif(not MIRROR.is_dir(), reason="needs the official files in ../shared/data")
@pytest.mark.parametrize(
    "name, current, old, placeholders",
    [
        ("sn_may_2025.xlsx", 153, {835, 836, 837, 928, 909}, []),
        ("sn_april_2021.xlsx", 154, {835, 836, 837, 928}, [942, 943]),
    ],
)
def test_the_real_lists(name, current, old, placeholders):
    table = neighbours.parse(MIRROR / name, "neighbours_x", name[3:-5])
    NEIGHBOURS.validate(table)
    assert table.loc[table["list"] == "current", "la_number"].nunique() == current
    assert set(table.loc[table["list"] == "old", "la_number"]) == old
    assert sorted(table.loc[table["flag"] != "", "la_number"].unique()) == placeholders
    listed = set(table["la_number"])
    assert set(table["neighbour_la_number"].dropna()) <= listed  # every neighbour has a list of its own
