"""National series: early/late sums, shares, sentences written from the numbers, and the
Commons Library comparison, on small hand-made tables."""

import pandas as pd
import pytest

from childspend.contracts import PRICE_INDEX
from childspend.errors import ConfigError
from childspend.national import commons_table, headlines, national_series
from childspend.national_like_for_like import Parts, like_for_like, names, parts
from childspend.reports import plots
from childspend.tables import write_csv

BASE = "2024-25 prices (test)"


def money(values: dict, flags: dict | None = None) -> pd.DataFrame:
    """England money rows: {(measure, year): cash}; real = cash x 2 (a flat deflator)."""
    rows = [
        dict(
            area_level="england",
            area_code="E92000001",
            area_name="England",
            year=y,
            measure=m,
            value=v,
            value_real=v * 2,
            flag=(flags or {}).get((m, y), ""),
            price_base=BASE,
        )
        for (m, y), v in values.items()
    ]
    return pd.DataFrame(rows)


CATEGORIES = {"early_years": 1.0, "family_support": 2.0, "children_looked_after": 6.0, "safeguarding": 1.0}


def sample() -> pd.DataFrame:
    values = {}
    for year, scale in (("2010-11", 1.0), ("2024-25", 2.0)):
        values.update({(f"s251_gross_{c}", year): v * scale for c, v in CATEGORIES.items()})
        values[("s251_gross_total", year)] = 10.0 * scale
        values[("s251_gross_total_per_child", year)] = 100.0 * scale
        values[("s251_gross_children_looked_after_per_cla", year)] = 1000.0 * scale
        values[("csc_net_total", year)] = 5.0 * scale
    return money(values)


def test_early_and_late_are_sums_of_the_configured_categories():
    series = national_series(sample(), ["early_years", "family_support"], ["children_looked_after", "safeguarding"])
    row = series.set_index(["measure", "year"])
    assert row.loc[("early_intervention", "2010-11"), "cash"] == 3.0
    assert row.loc[("late_intervention", "2024-25"), "real"] == 28.0
    assert row.loc[("late_intervention_share", "2010-11"), "cash"] == pytest.approx(0.7)


def test_a_missing_category_makes_the_sum_missing_not_smaller():
    values = sample()
    values = values[~((values["measure"] == "s251_gross_early_years") & (values["year"] == "2010-11"))]
    series = national_series(values, ["early_years", "family_support"], ["children_looked_after"]).set_index(
        ["measure", "year"]
    )
    assert pd.isna(series.loc[("early_intervention", "2010-11"), "cash"])
    assert series.loc[("early_intervention", "2010-11"), "flag"] == "category_missing"


PANEL = pd.DataFrame(columns=["area_level", "area_code", "area_name", "year", "measure", "value"])


def lines(values: pd.DataFrame, from_year: str = "2010-11", panel: pd.DataFrame = PANEL) -> pd.DataFrame:
    intervention = {"early": ["early_years", "family_support"], "late": ["children_looked_after", "safeguarding"]}
    series = national_series(values, intervention["early"], intervention["late"])
    return headlines(series, values, panel, from_year, intervention)


def test_headline_sentences_are_written_from_the_numbers():
    table = lines(sample()).set_index("id")
    early = table.loc["early_intervention_real_change"]
    assert early["value"] == 100.0 and early["basis"] == "all_units" and early["left_out"] == ""
    assert "was £0.0bn in 2024-25, 100% more in real terms than the £0.0bn of 2010-11" in early["sentence"]
    assert BASE in table.loc["s251_gross_total_real_change", "sentence"]
    assert "60% of it in 2024-25" in table.loc["cla_share", "sentence"]
    assert not table["sentence"].str.contains("GBP").any()
    assert table["sentence"].nunique() == len(table)  # no sentence repeated
    assert table.index[0] == "s251_gross_total_real_change"  # the story starts with the total


def la_rows(measure: str, values: dict, kind: str = "money") -> list[dict]:
    """LA rows of one measure: {area_code: (value in 2010-11, value in 2024-25)}; real = cash x 2."""
    return [
        dict(
            area_level="la",
            area_code=code,
            area_name=f"Council {code}",
            year=year,
            measure=measure,
            value=value,
            value_real=value * 2 if kind == "money" else float("nan"),
            flag="",
            price_base=BASE,
        )
        for code, pair in values.items()
        for year, value in zip(("2010-11", "2024-25"), pair)
    ]


UNITS = pd.Series({"A": "Council A", "B": "Council B", "C": "Council C"})
YEARS = ("2010-11", "2024-25")
NAN = float("nan")


def test_like_for_like_sums_the_units_present_in_both_years_and_names_the_rest():
    money = pd.DataFrame(la_rows("s251_gross_total", {"A": (10.0, 20.0), "B": (5.0, NAN), "C": (1.0, 1.0)}))
    result = like_for_like(money, PANEL, Parts(("s251_gross_total",)), YEARS, UNITS)
    assert (result.start, result.end) == (22.0, 42.0)  # real terms: A and C, doubled
    assert result.change == pytest.approx(42 / 22 - 1)
    assert result.kept == 2 and result.left_out == ("Council B",)
    assert result.left_out_share == pytest.approx(5 / 16)  # B's share of 2010-11 spending


def test_like_for_like_ratio_leaves_out_a_unit_whose_count_is_suppressed():
    spend = {"A": (100.0, 200.0), "B": (50.0, 60.0), "C": (30.0, 30.0)}
    money = pd.DataFrame(la_rows("s251_gross_children_looked_after", spend))
    counts = {"A": (10.0, 10.0), "B": (NAN, NAN), "C": (3.0, 6.0)}
    panel = pd.DataFrame(la_rows("cla_at_31_march", counts, kind="count"))
    figure = parts("s251_gross_children_looked_after_per_cla", {"early": [], "late": []})
    assert figure == Parts(("s251_gross_children_looked_after",), ("cla_at_31_march",))
    result = like_for_like(money, panel, figure, YEARS, UNITS)
    assert (result.start, result.end) == (260 / 13, 460 / 16)
    assert result.left_out == ("Council B",) and result.left_out_share == pytest.approx(50 / 180)


def test_a_unit_missing_only_in_the_first_year_counts_at_its_later_share():
    money = pd.DataFrame(la_rows("s251_gross_total", {"A": (10.0, 10.0), "B": (NAN, 30.0)}))
    result = like_for_like(money, PANEL, Parts(("s251_gross_total",)), YEARS, UNITS)
    assert result.left_out == ("Council B", "Council C") and result.left_out_share == pytest.approx(0.75)


def test_intervention_parts_are_the_configured_categories():
    intervention = {"early": ["early_years"], "late": ["children_looked_after", "safeguarding"]}
    assert parts("early_intervention", intervention) == Parts(("s251_gross_early_years",))
    late = ("s251_gross_children_looked_after", "s251_gross_safeguarding")
    assert parts("late_intervention_share", intervention) == Parts(late, ("s251_gross_total",))
    assert parts("csc_net_total", intervention) == Parts(("csc_net_total",))
    assert names(["A"]) == "A" and names(["A", "B", "C"]) == "A, B and C"


def test_a_change_on_an_incomplete_england_total_is_like_for_like_with_the_all_units_figure_beside_it():
    values = sample()
    # England's 2024-25 total lacks council B (flag incomplete): 20 over A and C, where 2010-11 had 10 over all three
    values.loc[(values["measure"] == "s251_gross_total") & (values["year"] == "2024-25"), "flag"] = "incomplete"
    units = pd.DataFrame(la_rows("s251_gross_total", {"A": (6.0, 16.0), "B": (2.0, NAN), "C": (2.0, 4.0)}))
    table = lines(pd.concat([values, units], ignore_index=True)).set_index("id")
    total = table.loc["s251_gross_total_real_change"]
    assert total["basis"] == "like_for_like" and total["value"] == 150.0  # 8 -> 20 over A and C
    assert total["all_units_value"] == 100.0  # 10 -> 20, the England figures
    assert total["left_out"] == "Council B" and total["left_out_share"] == 20.0
    assert f"In real terms, at {BASE}, that is 150% more than in 2010-11." in total["sentence"]
    assert "over the 2 councils with figures in both years: a rise of 150.0%" in total["sentence"]
    assert "(over every council reporting each year, a rise of 100.0%)" in total["sentence"]
    assert "Left out are Council B, 20.0% of the spending in 2010-11." in total["sentence"]
    assert table.loc["early_intervention_real_change", "basis"] == "all_units"


def test_commons_table_explains_a_deflator_gap():
    panel = pd.DataFrame(
        {
            "area_level": "england",
            "measure": "csc_net_total",
            "year": ["2016-17", "2017-18"],
            "value": [8.48e9, 8.84e9],
            "flag": "",
        }
    )
    prices = PRICE_INDEX.validate(
        pd.DataFrame({"source": "t", "index": "hmt", "year": ["2016-17", "2017-18"], "value": [90.0, 100.0]})
    )
    published = {
        "price_base": "2017-18",
        "deflator_vintage_used": "hmt",
        "cash": {"2016-17": 8.48, "2017-18": 8.84},
        "real": {"2016-17": 8.64, "2017-18": 8.84},
    }
    table = commons_table(panel, prices, published).set_index("year")
    assert table.loc["2017-18", "within_tolerance"]
    assert not table.loc["2016-17", "within_tolerance"]  # 8.48 / 0.9 = 9.42, far from 8.64
    assert "the gap is the deflator" in table.loc["2016-17", "explanation"]


INTERVENTION = {"early": ["early_years", "family_support"], "late": ["children_looked_after", "safeguarding"]}
NOTES = {
    "s251_gross_early_years": "not in Table A1 before 2010-11 (no_data)",
    "s251_gross_family_support": "2008-09 and 2009-10 hold only two lines; 2010-11 alone includes Connexions",
    "s251_gross_youth_justice": "a caveat on a category not in either group",
}


def dictionary(notes: dict | None = None) -> pd.DataFrame:
    """A data dictionary of the sample's measures, with ``notes`` (default NOTES)."""
    notes = NOTES if notes is None else notes
    columns = [f"s251_gross_{c}" for c in [*CATEGORIES, "youth_justice"]] + ["s251_gross_total"]
    return pd.DataFrame({"column": columns, "notes": [notes.get(c, "") for c in columns]})


def drawn_series(flags: dict | None = None) -> pd.DataFrame:
    values = sample()
    if flags:
        values["flag"] = [flags.get((m, y), f) for m, y, f in zip(values["measure"], values["year"], values["flag"])]
    series = national_series(values, INTERVENTION["early"], INTERVENTION["late"])
    region = series[series["measure"] == "s251_gross_total_per_child"].assign(area_level="region", area_name="North")
    return pd.concat([series, region])


def caption(fig) -> str:
    """The caption _finish writes under the chart, unwrapped."""
    (text,) = fig.texts
    return text.get_text().replace("\n", " ")


def draws_hollow_markers(fig) -> bool:
    return any(line.get_markerfacecolor() == "white" and len(line.get_xdata()) for line in fig.axes[0].get_lines())


def test_every_figure_draws_the_series():
    for name, draw in plots.FIGURES.items():
        fig = draw(drawn_series(), dictionary(), INTERVENTION)
        ax = fig.axes[0]
        assert ax.get_title(loc="left"), name
        drawn = [line for line in ax.get_lines() if len(line.get_xdata()) == 2] + list(ax.collections)
        assert drawn, f"{name} drew nothing"
        plots.plt.close(fig)


@pytest.mark.parametrize("flagged", [False, True])
def test_captions_mention_hollow_markers_only_where_drawn(flagged):
    incomplete = {("s251_gross_total", "2024-25"): "incomplete", ("s251_gross_safeguarding", "2024-25"): "incomplete"}
    series = drawn_series(incomplete if flagged else None)
    hollow = {}
    for name, draw in plots.FIGURES.items():
        fig = draw(series, dictionary(), INTERVENTION)
        hollow[name] = draws_hollow_markers(fig)
        assert ("Hollow markers" in caption(fig)) == hollow[name], name
        assert ("lacks some LAs" in caption(fig)) == (flagged and name in ("cash_and_real", "early_and_late")), name
        plots.plt.close(fig)
    assert hollow["cash_and_real"] == flagged and not hollow["early_and_late"]
    if flagged:
        fig = plots.early_and_late(series, dictionary(), INTERVENTION)
        assert "England total lacks some LAs: late intervention 2024-25." in caption(fig)  # early is complete
        plots.plt.close(fig)


def test_early_and_late_caveats_come_from_the_dictionary():
    fig = plots.early_and_late(drawn_series(), dictionary(), INTERVENTION)
    text = caption(fig)
    plots.plt.close(fig)
    assert "Early intervention: early years, family support; late: children looked after, safeguarding." in text
    assert "Early years: not in Table A1 before 2010-11 (no_data)." in text
    assert "Family support: 2010-11 alone includes Connexions." in text
    assert "2008-09" not in text  # a clause on years the chart does not draw is left out
    assert "not in either group" not in text  # only the configured categories' caveats

    edited = dictionary({"s251_gross_safeguarding": "a caveat written in the registry"})
    fig = plots.early_and_late(drawn_series(), edited, INTERVENTION)
    text = caption(fig)
    plots.plt.close(fig)
    assert "Safeguarding: a caveat written in the registry." in text
    assert "Connexions" not in text and "no_data" not in text


def test_a_category_missing_from_the_dictionary_stops_the_caption():
    with pytest.raises(KeyError, match="s251_gross_family_support"):
        without = dictionary().query("column != 's251_gross_family_support'")
        plots.intervention_caveats(without, INTERVENTION, ["2010-11"])


def test_the_scope_break_is_read_from_the_series():
    values = sample()
    early_start = national_series(values, ["early_years", "family_support"], ["children_looked_after"])
    assert plots.scope_widens(early_start) is None  # early intervention from the first year
    assert plots.span(early_start) == ("2010-11", "2024-25")
    later = pd.concat([values, money({("s251_gross_total", "2009-10"): 5.0})])
    series = national_series(later, ["early_years", "family_support"], ["children_looked_after"])
    assert plots.scope_widens(series) == "2010-11"
    assert plots.span(series) == ("2009-10", "2024-25")


def test_read_series_keeps_flags_as_text(tmp_path):
    series = national_series(sample(), INTERVENTION["early"], INTERVENTION["late"])
    series.loc[series.index[0], "flag"] = "incomplete"
    write_csv(series, tmp_path / "series.csv")
    back = plots.read_series(tmp_path / "series.csv")
    assert back["flag"].tolist() == series["flag"].tolist()  # "" stays "", never NaN
    assert back["price_base"].dropna().eq(BASE).all()
    assert back.loc[back["measure"] == "late_intervention_share", "price_base"].isna().all()


EARLY, LATE = ["early_years", "family_support"], ["children_looked_after", "safeguarding"]


@pytest.mark.parametrize("year", ["2030-31", "2005-06", "2024-25"])
def test_a_headline_year_outside_the_data_is_a_config_error_not_a_key_error(year):
    series = national_series(sample(), EARLY, LATE)
    with pytest.raises(ConfigError, match=rf"headlines.from_year \({year}\) is outside the years .*2010-11 to 2024-25"):
        headlines(series, sample(), PANEL, year, {"early": EARLY, "late": LATE})


def test_a_headline_year_before_the_scope_break_read_from_the_data_is_refused():
    # Table A1 without the early-intervention blocks: a 2009-10 total but no early intervention
    narrow = pd.concat([sample(), money({("s251_gross_total", "2009-10"): 5.0, ("csc_net_total", "2009-10"): 4.0})])
    series = national_series(narrow, EARLY, LATE)
    with pytest.raises(ConfigError) as err:
        headlines(series, narrow, PANEL, "2009-10", {"early": EARLY, "late": LATE})
    message = str(err.value)
    assert "headlines.from_year (2009-10) is before 2010-11, the first year S251 Table A1 covers every" in message
    assert "nan" not in message.lower()
    # a break elsewhere in the data moves with it
    wider = pd.concat([narrow, money({(f"s251_gross_{c}", "2009-10"): 1.0 for c in CATEGORIES})])
    wider = pd.concat([wider, money({("s251_gross_total_per_child", "2009-10"): 50.0})])
    wider = pd.concat([wider, money({("s251_gross_children_looked_after_per_cla", "2009-10"): 500.0})])
    table = lines(wider, "2009-10")
    assert not table["sentence"].str.contains("nan").any()


def test_a_headline_measure_without_a_value_is_named_never_written_as_nan():
    values = sample()
    values = values[~((values["measure"] == "csc_net_total") & (values["year"] == "2010-11"))]
    with pytest.raises(ConfigError, match=r"no England value for \['csc_net_total 2010-11'\]"):
        lines(values)
