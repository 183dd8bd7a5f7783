"""Profile pages and the index on small hand-made tables: batches, formatting, source lines, the
index's cells and links."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from childspend.reports import batches, profile_index, profile_page


def test_batches_deal_the_units_in_turn_and_cover_each_once():
    units = [str(n) for n in (305, 301, 304, 302, 303)]
    dealt = batches.batches(units, 2)
    assert dealt == {0: ["301", "303", "305"], 1: ["302", "304"]}
    assert sorted(u for members in dealt.values() for u in members) == sorted(units)
    areas = pd.DataFrame({"area_level": ["la", "region", "la"], "area_code": ["302", "E12000001", "301"]})
    assert batches.unit_ids(areas) == ["301", "302"]


def test_values_are_printed_as_a_statistical_release_would():
    assert profile_page.fmt(1266.49, "money") == "£1,266"
    assert profile_page.fmt(370_903_400, "money") == "£370.9m"
    assert profile_page.fmt(6_011_089, "millions") == "£6.0m"
    assert profile_page.fmt(0.4974, "share") == "49.7%"
    assert profile_page.fmt(79.1166, "rate") == "79.1"
    assert profile_page.fmt(math.nan, "money") == "–"
    assert profile_page.change(0.0668, "money") == "+6.7%"
    assert profile_page.change(-0.048, "share") == "-4.8 points"


def profile(sources):
    return profile_page.Profile(
        area="330",
        name="Birmingham",
        region="West Midlands",
        members=pd.Series(["Birmingham"], index=["330"]),
        facts={},
        indicators=pd.DataFrame(),
        values=pd.DataFrame(),
        composition=pd.DataFrame(),
        placements=pd.DataFrame(),
        flags=pd.DataFrame(),
        model_decomposition=pd.DataFrame(),
        model_needs=pd.DataFrame(),
        model_projection=pd.DataFrame(),
        neighbours=pd.DataFrame(),
        sources=sources,
        csv_dir=None,
        csv_href="330",
    )


def test_a_source_line_names_the_pinned_files_by_family():
    sources = {f"s251_a1_20{y:02d}-{y + 1:02d}": {"family": "s251_a1"} for y in range(8, 19)}
    sources |= {"lait_2026-04-08": {"family": "lait"}, "population_2009_nomis_popest": {"family": "population"}}
    line = profile(sources).source_line(
        [
            "s251_a1_2008-09;population_2009_nomis_popest",
            *[s for s in sources if s.startswith("s251")],
            "lait_2026-04-08",
            "",
        ]
    )
    assert line.startswith("Sources, pinned in config/sources.yaml: ")
    assert "DfE S251 outturn, Table A1 (s251_a1_2008-09 … s251_a1_2018-19, 11 files)" in line
    assert "DfE Local Authority Interactive Tool (S251 outturn) (lait_2026-04-08)" in line
    assert "ONS mid-year population estimates (population_2009_nomis_popest)" in line
    assert profile({}).source_line([""]) == "Sources: none (no values)."


def test_a_table_and_a_figure_write_and_link_their_csv(tmp_path):
    import matplotlib.pyplot as plt

    page = profile({"x_1": {"family": "lait"}})
    page.csv_dir = tmp_path / "330"
    shown = pd.DataFrame({"Measure": ["a <b>"], "Value": ["£1"]})
    html = page.table("headline", shown, pd.DataFrame({"value": [1.0]}), "Caption & more")
    assert "<caption>Caption &amp; more</caption>" in html and "a &lt;b&gt;" in html
    assert 'href="330/headline.csv"' in html and (tmp_path / "330" / "headline.csv").read_text() == "value\n1.000000\n"
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    html = page.figure("per_child", fig, 'A "line" chart', "What it draws.", pd.DataFrame({"source": ["x_1"]}))
    assert 'alt="A &quot;line&quot; chart"' in html and "data:image/svg+xml;base64," in html
    assert "(x_1)" in html and (tmp_path / "330" / "per_child.csv").is_file()
    with pytest.raises(RuntimeError, match="wrote"):
        page.check_written()


def test_the_index_links_every_unit_and_prints_its_figures():
    index = pd.DataFrame(
        {
            "area_code": ["330", "212"],
            "area_name": ["Birmingham", "Wandsworth & Co"],
            "region_name": ["West Midlands", "London"],
            "year": "2024-25",
            "s251_per_child_real": [1266.49, math.nan],
            "s251_per_child_real_change": [0.0179, math.nan],
            "s251_total_real_change": [0.0984, -0.2],
            "cla_rate": [79.117, 40.9],
            "late_share": [0.7853, math.nan],
            "neighbour_vintage": "May 2025",
        }
    )
    shown = profile_index.shown(index, "2010-11", "2024-25 prices", "la")
    assert shown.columns.tolist()[:3] == ["Local authority", "Region", "Spend per child, 2024-25"]
    assert shown.iloc[0].tolist() == [
        '<a href="la/330.html">Birmingham</a>',
        "West Midlands",
        "£1,266",
        "+1.8%",
        "+9.8%",
        "79.1",
        "78.5%",
    ]
    assert shown.iloc[1, 0] == '<a href="la/212.html">Wandsworth &amp; Co</a>' and shown.iloc[1, 2] == ""
    caption = profile_index.caption("2024-25", "2010-11", "2024-25 prices", ["children_looked_after", "youth_justice"])
    assert "children looked after, youth justice" in caption and "2024-25 prices" in caption
