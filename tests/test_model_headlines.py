"""Model sentences are written from the numbers; the drivers figures draw what the tables hold."""

import pandas as pd
import pytest

from childspend.models.headlines import model_headlines
from childspend.reports import driver_plots
from childspend.reports.plots import read_alt, save, to_png

LABELS = {"cla_spend": "children looked after spending"}


def decomposition():
    parts = {"population": 1e8, "rate": 3e8, "unit_cost": 6e8, "total": 1e9}
    return pd.DataFrame(
        [
            dict(
                area_level=level,
                area_code=code,
                area_name=name,
                quantity="cla_spend",
                from_year="2010-11",
                to_year="2024-25",
                component=c,
                value=v,
                unit="GBP, real terms",
                share_of_change=v / 1e9,
                population_vintage="test",
                price_base="2024-25 prices (test)",
            )
            for level, code, name in (("england", "E92000001", "England"), ("region", "E12000001", "North East"))
            for c, v in parts.items()
        ]
    )


def coefficients():
    return pd.DataFrame(
        [
            dict(
                model_id="twfe_cla_rate",
                outcome="cla_rate_per_10000",
                term="early_intervention_per_child_gbp100_lag1",
                coef=-1.25,
                ci_low=-2.5,
                ci_high=0.0,
                years="2014-15 to 2021-22",
            ),
            dict(
                model_id="hybrid_x",
                outcome="cla_rate_per_10000",
                term="early_intervention_per_child_gbp100_lag1_between",
                coef=9.0,
                ci_low=8.0,
                ci_high=10.0,
                years="2014-15 to 2021-22",
            ),
        ]
    )


def test_sentences_carry_the_numbers_of_the_tables():
    others = pd.DataFrame([dict(id="g", value="1", unit="percent", years="2010-11", sentence="From the gradient.")])
    table = model_headlines(decomposition(), LABELS, coefficients(), {"gradient": others})
    sentences = table.set_index("id")["sentence"]
    assert sentences["decomposition_cla_spend_2010-11_2024-25"] == (
        "From 2010-11 to 2024-25, real children looked after spending in England rose by £1.0bn; of that change, "
        "the child population 10%, the rate 30%, the cost per child 60%."
    )
    spend = sentences["twfe_cla_rate_early_intervention_per_child_gbp100_lag1"]
    assert "-1.25 children looked after per 10,000 children (95% interval -2.50 to +0.00)" in spend
    assert not table["id"].str.contains("between").any()  # the between part is not the within-area estimate
    assert table["id"].iloc[-1] == "g" and table["section"].tolist()[0] == "drivers"
    assert set(table["section"]) == {"drivers", "models", "gradient"}


def test_drivers_figures_are_reproducible():
    first = to_png(
        driver_plots.decomposition_bars(decomposition(), "cla_spend", LABELS["cla_spend"], "2010-11", "2024-25")
    )
    second = to_png(
        driver_plots.decomposition_bars(decomposition(), "cla_spend", LABELS["cla_spend"], "2010-11", "2024-25")
    )
    assert first == second
    figure = driver_plots.coefficient_plot(coefficients(), "early_intervention_per_child_gbp100", "spend")
    assert len(figure.axes[0].get_yticklabels()) == 1  # the between term is not drawn


def test_the_drivers_figures_carry_alt_text_written_from_what_they_draw(tmp_path):
    text = driver_plots.decomposition_alt(decomposition(), "cla_spend", LABELS["cla_spend"], "2010-11", "2024-25")
    assert text == (
        "Stacked bar chart: each part's share of the change in children looked after spending, 2010-11 to 2024-25, "
        "for England and 1 region. England: population 10%, rate 30%, unit cost 60%. Over the regions: population "
        "from 10% (North East) to 10% (North East); rate from 30% (North East) to 30% (North East); unit cost from "
        "60% (North East) to 60% (North East)."
    )
    text = driver_plots.coefficient_alt(coefficients(), "early_intervention_per_child_gbp100", "spend")
    assert text == (
        "Dot-and-interval chart: spend in 1 estimates from 1 panel models, per 10,000 children. Estimates from "
        "-1.25 (twfe_cla_rate) to -1.25 (twfe_cla_rate); 0 of the 95% intervals lie wholly below zero, 0 wholly "
        "above it and 1 include zero."
    )
    path = tmp_path / "bars.png"
    save(
        driver_plots.decomposition_bars(decomposition(), "cla_spend", LABELS["cla_spend"], "2010-11", "2024-25"),
        path,
        alt="Bars: £1m.",
    )
    assert read_alt(path) == "Bars: £1m."
    save(driver_plots.decomposition_bars(decomposition(), "cla_spend", LABELS["cla_spend"], "2010-11", "2024-25"), path)
    with pytest.raises(ValueError, match="no alt text"):
        read_alt(path)
