"""National series: early/late sums, shares, sentences written from the numbers, and the
Commons Library comparison, on small hand-made tables."""

import pandas as pd
import pytest

from childspend.contracts import PRICE_INDEX
from childspend.national import commons_table, headlines, national_series
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


def test_headline_sentences_are_written_from_the_numbers():
    series = national_series(sample(), ["early_years", "family_support"], ["children_looked_after", "safeguarding"])
    lines = headlines(series, "2010-11", ["early_years", "family_support"], ["children_looked_after", "safeguarding"])
    early = lines.set_index("id").loc["early_intervention_real_change"]
    assert early["value"] == 100.0
    assert "from GBP 0.0bn in 2010-11" in early["sentence"] and "real-terms rise of 100%" in early["sentence"]
    assert BASE in early["sentence"]
    assert "60% of children's and young people's services" in lines.set_index("id").loc["cla_share", "sentence"]


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


def test_every_figure_draws_the_series():
    series = national_series(sample(), ["early_years", "family_support"], ["children_looked_after", "safeguarding"])
    region = series[series["measure"] == "s251_gross_total_per_child"].assign(area_level="region", area_name="North")
    series = pd.concat([series, region])
    for name, draw in plots.FIGURES.items():
        fig = draw(series)
        ax = fig.axes[0]
        assert ax.get_title(loc="left"), name
        drawn = [line for line in ax.get_lines() if len(line.get_xdata()) == 2] + list(ax.collections)
        assert drawn, f"{name} drew nothing"
        plots.plt.close(fig)


def test_the_scope_break_is_read_from_the_series():
    values = sample()
    early_start = national_series(values, ["early_years", "family_support"], ["children_looked_after"])
    assert plots.scope_widens(early_start) is None  # early intervention from the first year
    later = pd.concat([values, money({("s251_gross_total", "2009-10"): 5.0})])
    series = national_series(later, ["early_years", "family_support"], ["children_looked_after"])
    assert plots.scope_widens(series) == "2010-11"


def test_read_series_keeps_flags_as_text(tmp_path):
    series = national_series(sample(), ["early_years", "family_support"], ["children_looked_after", "safeguarding"])
    series.loc[series.index[0], "flag"] = "incomplete"
    write_csv(series, tmp_path / "series.csv")
    back = plots.read_series(tmp_path / "series.csv")
    assert back["flag"].tolist() == series["flag"].tolist()  # "" stays "", never NaN
    assert back["price_base"].dropna().eq(BASE).all()
    assert back.loc[back["measure"] == "late_intervention_share", "price_base"].isna().all()
