"""Profile tables on small hand-made frames: ranks, quartile bands, neighbour means and medians
(neighbours without data included), changes and flags."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from childspend.reports import profiles


def frame(values, indicator="s251_per_child_real", year="2024-25"):
    """{area_code: value} -> the (area_code, indicator, year, value) frame the functions take."""
    return pd.DataFrame(
        {"area_code": list(values), "indicator": indicator, "year": year, "value": [float(v) for v in values.values()]}
    )


# --- ranks and bands -------------------------------------------------------------------------


def test_rank_one_is_the_highest_and_bands_split_the_ranks_in_quarters():
    ranked = profiles.rank_and_band(frame({str(100 + n): 80 - 10 * n for n in range(8)})).set_index("area_code")
    assert ranked["rank"].tolist() == [1, 2, 3, 4, 5, 6, 7, 8]
    assert ranked["rank_low"].tolist() == [8, 7, 6, 5, 4, 3, 2, 1]
    assert ranked["band"].tolist() == list("AABBCCDD")
    assert set(ranked["ranked"]) == {8}


def test_ties_share_the_best_rank_and_missing_values_are_not_ranked():
    ranked = profiles.rank_and_band(frame({"a": 5, "b": 5, "c": 3, "d": math.nan})).set_index("area_code")
    assert ranked.loc[["a", "b", "c"], "rank"].tolist() == [1, 1, 3]
    assert pd.isna(ranked.loc["d", "rank"]) and ranked.loc["d", "band"] == ""
    assert set(ranked["ranked"]) == {3}  # out of the units with a value
    assert ranked.loc[["a", "b", "c"], "band"].tolist() == ["A", "A", "C"]  # floor(4 * 2 / 3) = 2


def test_each_indicator_and_year_is_ranked_on_its_own():
    both = pd.concat(
        [frame({"a": 1, "b": 2}), frame({"a": 9, "b": 3}, year="2023-24"), frame({"a": 4, "b": 8}, "cla_rate")]
    )
    ranked = profiles.rank_and_band(both)
    a = ranked[ranked["area_code"] == "a"].set_index(["indicator", "year"])["rank"]
    assert a.to_dict() == {
        ("s251_per_child_real", "2024-25"): 2,
        ("s251_per_child_real", "2023-24"): 1,
        ("cla_rate", "2024-25"): 2,
    }


def test_a_band_of_148_units_holds_37():
    ranked = profiles.rank_and_band(frame({str(n): n for n in range(148)}))
    assert ranked["band"].value_counts().to_dict() == {"A": 37, "B": 37, "C": 37, "D": 37}


# --- neighbours ------------------------------------------------------------------------------

GROUPS = pd.DataFrame(
    {"unit_id": ["u", "u", "u", "u", "v"], "neighbour_id": ["a", "b", "c", "gone", "u"]}
)  # "gone" has no row at all in the values; c has a row but no value


def test_neighbour_mean_is_over_the_neighbours_with_data_and_the_median_beside_it():
    values = frame({"u": 10, "a": 1, "b": 2, "c": math.nan, "v": 7})
    stats = profiles.neighbour_stats(values, GROUPS).set_index("area_code")
    u = stats.loc["u"]
    assert u["neighbour_mean"] == 1.5  # LAIT: (1 + 2) / 2, not (1 + 2) / 4
    assert u["neighbour_median"] == 1.5
    assert u["neighbour_sd"] == pytest.approx(math.sqrt(0.5))
    assert (u["neighbours_with_data"], u["neighbour_group"]) == (2, 4)
    v = stats.loc["v"]
    assert (v["neighbour_mean"], v["neighbours_with_data"], v["neighbour_group"]) == (10, 1, 1)
    assert math.isnan(v["neighbour_sd"])  # one value: no spread


def test_the_median_differs_from_the_mean_when_one_neighbour_is_far_out():
    values = frame({"u": 0, "a": 1, "b": 2, "c": 30})
    u = profiles.neighbour_stats(values, GROUPS).set_index("area_code").loc["u"]
    assert (u["neighbour_mean"], u["neighbour_median"]) == (11, 2)


def test_no_neighbour_with_data_gives_no_mean():
    values = frame({"u": 10, "a": math.nan, "b": math.nan, "c": math.nan})
    u = profiles.neighbour_stats(values, GROUPS).set_index("area_code").loc["u"]
    assert math.isnan(u["neighbour_mean"]) and math.isnan(u["neighbour_median"])
    assert u["neighbours_with_data"] == 0


def test_a_unit_without_a_group_gets_no_neighbour_rows():
    stats = profiles.neighbour_stats(frame({"w": 1, "a": 2}), GROUPS)
    assert "w" not in set(stats["area_code"])


# --- changes ---------------------------------------------------------------------------------


def test_changes_are_relative_except_shares_in_points():
    values = pd.concat(
        [
            frame({"u": 100}, year="2010-11"),
            frame({"u": 150}, year="2023-24"),
            frame({"u": 180}, year="2024-25"),
            frame({"u": 0.5}, "late_share", "2010-11"),
            frame({"u": 0.6}, "late_share", "2023-24"),
            frame({"u": 0.65}, "late_share", "2024-25"),
        ],
        ignore_index=True,
    )
    kinds = pd.Series({"s251_per_child_real": "money", "late_share": "share"})
    out = profiles.changes(values, kinds, "2010-11").set_index(["indicator", "year"])
    money = out.loc[("s251_per_child_real", "2024-25")]
    assert money["change_1y"] == pytest.approx(0.2) and money["change_from"] == pytest.approx(0.8)
    share = out.loc[("late_share", "2024-25")]
    assert share["change_1y"] == pytest.approx(0.05) and share["change_from"] == pytest.approx(0.15)
    assert math.isnan(out.loc[("s251_per_child_real", "2023-24"), "change_1y"])  # no 2022-23


# --- flags -----------------------------------------------------------------------------------


def compared_table(n=20):
    """Twenty units on one compared indicator: values 1..20, with unit 'u' far from its neighbours
    and a move far larger than anyone else's."""
    rows = frame({f"{k:02d}": k for k in range(1, n + 1)})
    rows = profiles.rank_and_band(rows)
    rows["neighbour_mean"] = 10.0
    rows["neighbour_sd"] = 1.0
    rows["neighbours_with_data"] = 5
    rows["change_1y"] = 0.01
    rows.loc[rows["area_code"] == "20", "change_1y"] = 0.5  # the largest move
    rows.loc[rows["area_code"] == "11", ["neighbours_with_data"]] = 2  # too few to judge spread
    return rows


def test_decile_two_sd_and_move_flags():
    table = profiles.indicators("2024-25 prices")
    flags = profiles.standout_flags(compared_table(), table, "2024-25")
    by_kind = flags.groupby("kind")["area_code"].agg(sorted).to_dict()
    assert by_kind["top_decile"] == ["19", "20"]  # 20 units: ranks 1 and 2
    assert by_kind["bottom_decile"] == ["01", "02"]
    # |value - 10| > 2: everyone below 8 or above 12, except 11 (two neighbours with data)
    assert by_kind["beyond_2sd"] == [f"{k:02d}" for k in [*range(1, 8), *range(13, 21)]]
    assert by_kind["large_move"] == ["20"]  # 1 of 20 moves is the largest tenth (2 would tie at 0.01)
    top = flags[(flags["kind"] == "top_decile") & (flags["area_code"] == "20")].iloc[0]
    assert top["detail"] == "£20: rank 1 of 20 (1 = highest)" and top["label"].startswith("S251 spending per child")
    move = flags[flags["kind"] == "large_move"].iloc[0]
    assert move["detail"] == "+50.0% from 2023-24 to £20: the 1st largest move of 20 units"


def test_uncompared_indicators_and_other_years_raise_no_flags():
    rows = compared_table()
    rows["indicator"] = "s251_total_cash"  # a total: not compared across units
    assert profiles.standout_flags(rows, profiles.indicators("x"), "2024-25").empty
    assert profiles.standout_flags(compared_table(), profiles.indicators("x"), "2023-24").empty


def panel_rows(rows):
    return pd.DataFrame(rows, columns=["area_code", "measure", "year", "value", "flag"]).assign(
        area_level="la", basis="value"
    )


def test_missing_and_suppressed_years_are_named_in_runs():
    values = panel_rows(
        [
            ("u", "cla_at_31_march", "2008-09", math.nan, "no_data"),  # the source starts later: not a flag
            ("u", "cla_at_31_march", "2010-11", math.nan, "c"),
            ("u", "cla_at_31_march", "2011-12", math.nan, "c"),
            ("u", "cla_at_31_march", "2012-13", math.nan, "c"),
            ("u", "cla_at_31_march", "2015-16", math.nan, "c"),
            ("u", "cla_at_31_march", "2016-17", 40.0, "earlier_release"),
            ("u", "cin_at_31_march", "2010-11", 100.0, "early_census"),  # a note on every unit's year
            ("u", "s251_gross_total", "2023-24", math.nan, "member_missing"),
            ("u", "placement_other", "2023-24", math.nan, "x"),  # not a flagged measure
        ]
    )
    flags = profiles.data_flags(values, profiles.FLAG_MEASURES).set_index(["indicator", "kind"])
    assert flags.loc[("cla_at_31_march", "missing"), "year"] == "2010-11 to 2012-13, 2015-16"
    assert flags.loc[("cla_at_31_march", "missing"), "detail"].startswith("suppressed by the publisher")
    assert flags.loc[("cla_at_31_march", "note"), "year"] == "2016-17"
    assert flags.loc[("s251_gross_total", "missing"), "detail"] == "a member LA did not report, so no complete sum"
    assert len(flags) == 3


def test_a_merged_unit_names_its_boundary_change():
    areas = pd.DataFrame(
        [
            dict(
                area_level="la",
                area_code="928",
                members="928;940;941",
                member_names="Northamptonshire;North Northamptonshire;West Northamptonshire",
                first_year="2008-09",
                member_years="928 2008-09 to 2020-21; 940 2021-22 to 2024-25; 941 2021-22 to 2024-25",
            ),
            dict(
                area_level="la",
                area_code="330",
                members="330",
                member_names="Birmingham",
                first_year="2008-09",
                member_years="330 2008-09 to 2024-25",
            ),
        ]
    )
    flags = profiles.boundary_flags(areas)
    assert flags["area_code"].tolist() == ["928"]
    row = flags.iloc[0]
    assert row["year"] == "2021-22" and row["kind"] == "boundary"
    assert row["detail"].startswith(
        "Northamptonshire (928) 2008-09 to 2020-21; North Northamptonshire (940) 2021-22 to 2024-25"
    )


def test_year_spans():
    assert profiles.year_spans(["2012-13", "2010-11", "2011-12", "2020-21"]) == "2010-11 to 2012-13, 2020-21"
    assert profiles.year_spans(["2019-20"]) == "2019-20"
