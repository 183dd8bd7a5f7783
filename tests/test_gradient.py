"""Deprivation gradient on hand-made model frames with known answers: equal-count groups (odd
counts, ties, units without a score), pooled values (total over total, not a mean of ratios),
missing values, changes over the same units, the most to least deprived ratio, sentences written
from the numbers, config checks and the figure."""

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from childspend.config import check_config, load_config
from childspend.errors import ConfigError
from childspend.models.frame import COLUMNS
from childspend.models.gradient import (
    build_deprivation_gradient,
    equal_groups,
    group_units,
    join_flags,
    pooled,
    unit_parts,
)
from childspend.reports import model_plots, plots

ROOT = Path(__file__).resolve().parents[1]
BASE = "2024-25 prices (test)"
VINTAGE = "test population vintage"
MONEY = f"GBP, {BASE}"
SPEND = {"numerator": "early_intervention", "denominator": "population_0_17", "scale": 1}
SPEND_SPEC = {**SPEND, "unit": "GBP per child", "label": "early intervention spending per child"}
RATE_SPEC = {
    "numerator": "cla_at_31_march",
    "denominator": "population_0_17",
    "scale": 10000,
    "unit": "per 10,000 children",
    "label": "the rate of children looked after",
}
UNITS = {"early_intervention": MONEY, "population_0_17": "children", "cla_at_31_march": "children"}


def frame(rows: list[tuple]) -> pd.DataFrame:
    """Unit rows in the model frame's layout from (area_code, year, measure, value[, flag])."""
    out = []
    for code, year, measure, value, *flag in rows:
        out.append(
            dict(
                area_level="la",
                area_code=code,
                area_name=f"LA {code}",
                region_code="E12000001",
                region_name="North East",
                year=year,
                measure=measure,
                value=value,
                flag=flag[0] if flag else ("" if value == value else "no_data"),
                unit=UNITS.get(measure, "score"),
                price_base=BASE,
                population_vintage=VINTAGE,
            )
        )
    return pd.DataFrame(out, columns=COLUMNS)


def scores(values: dict, measure="idaci_average_score", year="2019-20") -> list[tuple]:
    return [(code, year, measure, score) for code, score in values.items()]


GROUPING = {"score": "idaci_average_score", "edition": 2019, "groups": 2}


def test_equal_groups_of_an_odd_count_differ_by_at_most_one_and_rank_lowest_first():
    table = pd.DataFrame({"area_code": [f"{i:03d}" for i in range(148)], "area_name": "x", "score": np.arange(148.0)})
    deciles = equal_groups(table.sample(frac=1, random_state=1), 10)
    sizes = deciles["group"].value_counts()
    assert sizes.sum() == 148 and set(sizes) == {14, 15}
    assert deciles["group"].is_monotonic_increasing and deciles["score"].is_monotonic_increasing
    assert deciles.loc[deciles["score"] == 0, "group"].item() == 1
    # 7 units in 5 groups: rank i goes to floor(5 i / 7) + 1
    seven = equal_groups(table.head(7), 5)
    assert seven["group"].tolist() == [1, 1, 2, 3, 3, 4, 5]


def test_equal_scores_are_ranked_by_area_code_and_a_split_is_named():
    rows = scores({"104": 0.3, "101": 0.1, "103": 0.2, "102": 0.2})
    membership, sample = group_units(frame(rows), "g", GROUPING)
    assert membership["area_code"].tolist() == ["101", "102", "103", "104"]
    assert membership["group"].tolist() == [1, 1, 2, 2]
    assert sample["ties"] == ["LA 102 (1), LA 103 (2) at 0.2"]
    # ties inside one group are not a split
    _, sample = group_units(frame(scores({"101": 0.1, "102": 0.1, "103": 0.2, "104": 0.3})), "g", GROUPING)
    assert sample["ties"] == []


def test_a_unit_without_a_score_is_left_out_and_named():
    rows = scores({"101": 0.1, "102": 0.2, "103": 0.3}) + [("104", "2019-20", "idaci_average_score", np.nan)]
    membership, sample = group_units(frame(rows), "g", GROUPING)
    assert "104" not in set(membership["area_code"])
    assert sample["unscored"] == ["LA 104"]
    assert sample["sizes"].tolist() == [2, 1]


def test_an_edition_without_scores_is_a_config_error():
    with pytest.raises(ConfigError, match="no idaci_average_score in 2015-16"):
        group_units(frame(scores({"101": 0.1})), "g", {**GROUPING, "edition": 2015})


def spend(values: dict, year="2010-11") -> list[tuple]:
    """{code: (spend, population)} -> rows."""
    return [
        row
        for code, (money, children) in values.items()
        for row in ((code, year, "early_intervention", money), (code, year, "population_0_17", children))
    ]


def test_pooled_is_total_over_total_not_a_mean_of_ratios():
    data = frame(spend({"101": (100.0, 10.0), "102": (300.0, 100.0)}))
    parts, base, vintage = unit_parts(data, "x", SPEND)
    membership = pd.DataFrame({"area_code": ["101", "102"], "group": [1, 1]})
    row = pooled(parts, membership, 1).iloc[0]
    assert row["value"] == pytest.approx(400 / 110)  # not (10 + 3) / 2
    assert (row["areas"], row["flag"]) == (2, "")
    assert (base, vintage) == (BASE, VINTAGE)


def test_a_unit_lacking_a_part_is_left_out_counted_and_flagged():
    data = frame(
        spend({"101": (100.0, 10.0), "102": (np.nan, 100.0)})
        + spend({"101": (np.nan, 10.0), "102": (50.0, np.nan)}, "2011-12")
    )
    parts, _, _ = unit_parts(data, "x", SPEND)
    membership = pd.DataFrame({"area_code": ["101", "102"], "group": [1, 1]})
    rows = pooled(parts, membership, 1).set_index("year")
    # only 101 has both parts: its population does not dilute the sum, nor 102's
    assert rows.loc["2010-11", "value"] == pytest.approx(10.0)
    assert (rows.loc["2010-11", "areas"], rows.loc["2010-11", "flag"]) == (1, "incomplete")
    assert np.isnan(rows.loc["2011-12", "value"])
    assert (rows.loc["2011-12", "areas"], rows.loc["2011-12", "flag"]) == (0, "no_data")


def test_a_quality_flag_reaches_the_group_and_rate_parts_have_no_price_base():
    data = frame(
        [
            ("101", "2010-11", "cla_at_31_march", 5.0, "early_census"),
            ("101", "2010-11", "population_0_17", 1000.0),
            ("102", "2010-11", "cla_at_31_march", np.nan, "c"),
            ("102", "2010-11", "population_0_17", 1000.0),
        ]
    )
    parts, base, _ = unit_parts(data, "x", RATE_SPEC)
    row = pooled(parts, pd.DataFrame({"area_code": ["101", "102"], "group": [1, 1]}), 10000).iloc[0]
    assert row["value"] == pytest.approx(50.0)
    assert row["flag"] == "incomplete;early_census"
    assert base == ""
    assert join_flags("early_census;incomplete", "no_data") == "no_data;incomplete;early_census"


def gradient_frame() -> pd.DataFrame:
    """Four units, two groups (101, 102 least deprived; 103, 104 most). Most deprived spending per
    child halves, least deprived falls by a quarter; 104 has no 2010-11 spending."""
    rows = scores({"101": 0.1, "102": 0.2, "103": 0.3, "104": 0.4})
    rows += spend({"101": (300.0, 1.0), "102": (100.0, 1.0), "103": (900.0, 1.0), "104": (np.nan, 1.0)})
    rows += spend({"101": (225.0, 1.0), "102": (75.0, 1.0), "103": (450.0, 1.0), "104": (150.0, 1.0)}, "2024-25")
    cla = {"101": 10.0, "102": 10.0, "103": 30.0, "104": 50.0}
    rows += [(c, y, "cla_at_31_march", v) for c, v in cla.items() for y in ("2010-11", "2024-25")]
    return frame(rows)


GROUPINGS = {"idaci_2019_halves": GROUPING}
MEASURES = {"early_intervention_per_child": SPEND_SPEC, "cla_rate_per_10000": RATE_SPEC}
SETTINGS = {
    "grouping": "idaci_2019_halves",
    "sector_reading": "it fell more where deprivation is higher",
    "sector_measure": "early_intervention_per_child",
}


@pytest.fixture
def built():
    return build_deprivation_gradient(gradient_frame(), GROUPINGS, MEASURES, SETTINGS, "2010-11")


def value(built, measure, group, year):
    rows = built["gradient"].set_index(["measure", "group", "year"])
    return rows.loc[(measure, group, year)]


def test_changes_compare_the_same_units_in_both_years(built):
    # the most deprived group in 2024-25 pools 103 and 104 (600 over 2 children = 300 per child)
    assert value(built, "early_intervention_per_child", "2", "2024-25")["value"] == pytest.approx(300.0)
    # ... but its change since 2010-11 is over 103 alone (104 has no 2010-11 spending): -50%
    change = value(built, "early_intervention_per_child_change", "2", "2024-25")
    assert change["value"] == pytest.approx(-50.0)
    assert (change["areas"], change["flag"]) == (1, "incomplete")
    least = value(built, "early_intervention_per_child_change", "1", "2024-25")
    assert (least["value"], least["areas"], least["flag"]) == (pytest.approx(-25.0), 2, "")
    assert least["unit"] == "percent change from 2010-11"


def test_ratio_of_most_to_least_needs_no_deflator(built):
    ratio = value(built, "early_intervention_per_child_ratio", "2/1", "2024-25")
    assert ratio["value"] == pytest.approx(300.0 / 150.0)
    assert ratio["areas"] == 4
    assert ratio["price_base"].startswith("none needed")
    rate = value(built, "cla_rate_per_10000_ratio", "2/1", "2010-11")
    assert rate["value"] == pytest.approx(80 / 20)
    assert rate["price_base"] == ""


def test_membership_and_table_layout(built):
    groups = built["groups"]
    assert groups[["area_code", "group"]].values.tolist() == [["101", 1], ["102", 1], ["103", 2], ["104", 2]]
    assert list(built["gradient"].columns[:7]) == ["grouping", "group", "year", "measure", "value", "unit", "areas"]
    assert built["gradient"]["population_vintage"].eq(VINTAGE).all()


def test_sentences_are_written_from_the_numbers(built):
    lines = built["headlines"].set_index("id")
    change = lines.loc["idaci_2019_halves_early_intervention_per_child_change_most_vs_least"]
    assert change["value"] == pytest.approx(-25.0)
    assert "fell by 50% in the most deprived" in change["sentence"]
    assert "from £900 to £300" in change["sentence"]
    assert "fell by 25% in the least deprived" in change["sentence"]
    assert "Changes compare the units with values in both years (1 and 2)" in change["sentence"]
    ratio = lines.loc["idaci_2019_halves_early_intervention_per_child_ratio_most_to_least"]
    assert ratio["value"] == 2.0 and "needs no deflator" in ratio["sentence"]
    assert "4.50 times in 2010-11" in ratio["sentence"]
    assert "needs no deflator" not in lines.loc["idaci_2019_halves_cla_rate_per_10000_ratio_most_to_least", "sentence"]
    sector = lines.loc["sector_reading_early_intervention_per_child"]
    assert sector["sentence"].startswith("Tested: the sector's reading that it fell more where deprivation is higher.")
    assert sector["value"] == 1 and "in 1 of 1 groupings in percent and in 1 of 1 in £ per child" in sector["sentence"]
    sample = lines.loc["sample_idaci_2019_halves"]
    assert sample["value"] == 4 and "2 a group" in sample["sentence"]


def test_unknown_settings_and_base_years_are_config_errors():
    data = gradient_frame()
    with pytest.raises(ConfigError, match="grouping 'nope'"):
        build_deprivation_gradient(data, GROUPINGS, MEASURES, {**SETTINGS, "grouping": "nope"}, "2010-11")
    with pytest.raises(ConfigError, match="from_year 2001-02"):
        build_deprivation_gradient(data, GROUPINGS, MEASURES, SETTINGS, "2001-02")
    with pytest.raises(ConfigError, match="cin_at_31_march is not in the model frame"):
        measures = {**MEASURES, "cin": {**RATE_SPEC, "numerator": "cin_at_31_march"}}
        build_deprivation_gradient(data, GROUPINGS, measures, SETTINGS, "2010-11")


def test_the_config_block_is_checked_by_the_schema():
    config = load_config(ROOT / "config" / "config.yaml")
    bad = copy.deepcopy(config)
    bad["models"]["deprivation_gradient"]["groupings"]["idaci_2019_deciles"]["year"] = 2019
    with pytest.raises(ConfigError, match="year"):
        check_config(bad)
    bad = copy.deepcopy(config)
    bad["models"]["deprivation_gradient"]["groupings"]["idaci_2019_deciles"]["score"] = "imd_decile"
    with pytest.raises(ConfigError, match="imd_decile"):
        check_config(bad)


def test_the_figure_draws_one_line_per_group_and_gives_the_same_bytes(built, tmp_path):
    figure = {"grouping": "idaci_2019_halves", "measure": "early_intervention_per_child"}
    path = tmp_path / "gradient.csv"
    built["gradient"].to_csv(path, index=False)
    gradient = model_plots.read_gradient(path)
    fig = model_plots.deprivation_gradient(gradient, built["groups"], GROUPINGS, MEASURES, figure)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["1 least deprived", "2 most deprived"]
    caption = " ".join(fig.texts[0].get_text().split())
    # the most deprived group lacks 104's spending in 2010-11 only
    assert "Hollow markers: the group lacks some units (2010-11)." in caption
    assert "4 LA units in 2 groups of 2 by idaci_average_score" in caption
    again = model_plots.deprivation_gradient(gradient, built["groups"], GROUPINGS, MEASURES, figure)
    assert plots.to_png(fig) == plots.to_png(again)
    alt = model_plots.gradient_alt(gradient, GROUPINGS, MEASURES, figure)
    assert alt.startswith("Line chart: early intervention spending per child by ")
    rows = gradient[(gradient["grouping"] == figure["grouping"]) & (gradient["measure"] == figure["measure"])]
    first = rows[(rows["group"] == "1") & (rows["year"] == rows["year"].min())]["value"].iloc[0]
    assert f"least deprived £{first:,.0f}" in alt and "most deprived" in alt
    with pytest.raises(ConfigError, match="measure 'nope'"):
        model_plots.deprivation_gradient(gradient, built["groups"], GROUPINGS, MEASURES, {**figure, "measure": "nope"})
