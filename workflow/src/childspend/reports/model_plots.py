"""Figures of the models, in the style of :mod:`childspend.reports.plots` (its style, formatters,
caption layout and reproducible PNG writer). Captions are written from what the chart draws."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import colormaps

from ..models.gradient import check_settings
from ..models.gradient_text import grouping_label, size_range
from .plots import POUNDS, STYLE, _finish, _hollow_note, prices


def read_gradient(path) -> pd.DataFrame:
    """``results/models/deprivation_gradient.csv``: text columns as text (an empty one ``""``),
    an empty value missing."""
    text = ["grouping", "group", "year", "measure", "unit", "flag", "price_base", "population_vintage"]
    table = pd.read_csv(path, dtype=dict.fromkeys(text, str), keep_default_na=False, na_values={"value": [""]})
    return table


def read_groups(path) -> pd.DataFrame:
    """``results/models/deprivation_groups.csv``, area codes as text."""
    return pd.read_csv(path, dtype={"grouping": str, "area_code": str, "area_name": str})


def _gradient_rows(gradient: pd.DataFrame, groupings: dict, measures_spec: dict, figure: dict) -> pd.DataFrame:
    """The drawn rows: the figure's grouping and measure, values present."""
    check_settings(groupings, measures_spec, figure)
    rows = gradient[(gradient["grouping"] == figure["grouping"]) & (gradient["measure"] == figure["measure"])]
    return rows.dropna(subset=["value"])


def gradient_alt(gradient: pd.DataFrame, groupings: dict, measures_spec: dict, figure: dict) -> str:
    """What :func:`deprivation_gradient` draws, in words: the least and most deprived groups' values
    in the first and last years drawn."""
    rows = _gradient_rows(gradient, groupings, measures_spec, figure)
    spec, label = groupings[figure["grouping"]], measures_spec[figure["measure"]]["label"]
    k, money = spec["groups"], rows["price_base"].iloc[0]
    value = rows.set_index(["group", "year"])["value"]
    years = sorted(rows["year"].unique())

    def at(group: int, year: str) -> str:
        v = value.get((str(group), year))
        return "no value" if v is None else f"£{v:,.0f}" if money else f"{v:,.1f}"

    ends = "; ".join(f"{y}: least deprived {at(1, y)}, most deprived {at(k, y)}" for y in (years[0], years[-1]))
    return (
        f"Line chart: {label} by {grouping_label(spec, False)}, {years[0]} to {years[-1]}, one line per group "
        f"from 1 (least deprived) to {k} (most deprived){f', real terms, {money}' if money else ''}. {ends}."
    )


def deprivation_gradient(
    gradient: pd.DataFrame, groups: pd.DataFrame, groupings: dict, measures_spec: dict, figure: dict
) -> plt.Figure:
    """One line per group of ``figure['grouping']`` of the pooled ``figure['measure']`` by year,
    darker the more deprived; hollow markers where a group lacks some units (flag incomplete)."""
    rows = _gradient_rows(gradient, groupings, measures_spec, figure)
    grouping, measure = figure["grouping"], figure["measure"]
    spec, label = groupings[grouping], measures_spec[measure]["label"]
    sizes = groups[groups["grouping"] == grouping]["group"].value_counts()
    k = spec["groups"]
    colours = colormaps["viridis_r"].resampled(k)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        hollow = []
        for group in range(1, k + 1):
            line = rows[rows["group"] == str(group)].sort_values("year")
            name = f"{group}" + (" least deprived" if group == 1 else " most deprived" if group == k else "")
            ax.plot(line["year"], line["value"], color=colours(group - 1), marker="o", markersize=3, label=name)
            lacking = line[line["flag"].str.contains("incomplete")]
            ax.plot(
                lacking["year"],
                lacking["value"],
                linestyle="none",
                marker="o",
                markerfacecolor="white",
                color=colours(group - 1),
                markersize=6,
            )
            hollow += lacking["year"].tolist()
        money = rows["price_base"].iloc[0]
        if money:
            ax.yaxis.set_major_formatter(POUNDS)
        ax.set_ylim(bottom=0)
        ax.legend(title=grouping_label(spec, False), fontsize=7, title_fontsize=7, ncol=2, loc="upper right")
        noun = grouping_label(spec, False).split()[-1]
        caption = " ".join(
            filter(
                None,
                [
                    f"Real terms, {money}." if money else "",
                    f"{sizes.sum()} LA units in {k} {noun}s of {size_range(sizes)} by {spec['score']} "
                    f"({spec['edition']} edition), equal counts, 1 the least deprived.",
                    f"Each {noun}'s value is its units' total over their total children aged 0-17 (a pooled "
                    "ratio, not a mean of LA ratios).",
                    _hollow_note(hollow).replace("England total lacks some LAs", f"the {noun} lacks some units"),
                ],
            )
        )
        return _finish(
            fig,
            ax,
            f"{label[:1].upper()}{label[1:]}, by {grouping_label(spec, False)}",
            caption,
            ylabel=f"£ per child aged 0-17, {prices(money)}" if money else label,
        )
