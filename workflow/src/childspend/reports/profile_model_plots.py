"""Figures of the "What the models say" section of an LA profile, in the style and Okabe-Ito
palette of :mod:`childspend.reports.profile_plots` (each series also told apart by hatch, line
style or marker, never by colour alone). Each function returns the figure and its alt text,
written from what it draws."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter

from .plots import STYLE
from .profile_page import signed_money
from .profile_plots import MILLIONS, OKABE_ITO, POUNDS, SIZE, _finish, _years_axis, _ylabel

# component -> (colour, hatch)
DRIVER_STYLES = {
    "population": (OKABE_ITO["sky"], ""),
    "rate": (OKABE_ITO["orange"], "//"),
    "unit_cost": (OKABE_ITO["vermillion"], ".."),
}
SCENARIO_STYLES = [
    ("--", OKABE_ITO["purple"]),
    (":", OKABE_ITO["green"]),
    ("-.", OKABE_ITO["black"]),
    ((0, (1, 3)), OKABE_ITO["grey"]),
]


def decomposition(
    parts: dict[str, pd.DataFrame], labels: dict[str, str], components: dict[str, str], title: str, ylabel: str
) -> tuple[plt.Figure, str]:
    """Bars of each identity's parts (``parts``: identity -> rows of component, value; the
    ``total`` row drawn as a black diamond), grouped by identity, in £ million."""
    names = list(parts)
    drivers = [c for c in DRIVER_STYLES if any(c in set(rows["component"]) for rows in parts.values())]
    width = 0.8 / max(len(drivers), 1)
    described = []
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=SIZE)
        for n, component in enumerate(drivers):
            colour, hatch = DRIVER_STYLES[component]
            heights = [
                rows.set_index("component")["value"].get(component, np.nan) for rows in (parts[i] for i in names)
            ]
            x = np.arange(len(names)) - 0.4 + width * (n + 0.5)
            ax.bar(x, heights, width=width, color=colour, hatch=hatch, edgecolor="#333333", linewidth=0.5,
                   label=components[component])  # fmt: skip
        totals = [rows.set_index("component")["value"].get("total", np.nan) for rows in parts.values()]
        ax.scatter(range(len(names)), totals, marker="D", color=OKABE_ITO["black"], zorder=3, label="total change")
        ax.axhline(0, color="#333333", linewidth=0.8)
        ax.set_xticks(range(len(names)))
        ax.set_xticklabels(["\n".join(textwrap.wrap(labels[i], 20)) for i in names], fontsize=8)
        ax.set_xlim(-0.6, len(names) - 0.4)
        small = np.nanmax(np.abs([*totals, *ax.get_ylim()])) < 1e7
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"£{v / 1e6:,.1f}m") if small else MILLIONS)
        _ylabel(ax, ylabel)
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        _finish(fig, ax, title, right=0.75)
        fig.subplots_adjust(bottom=0.2)
    for name, rows in parts.items():
        values = rows.set_index("component")["value"]
        pieces = ", ".join(f"{components[c]} {signed_money(values[c])}" for c in drivers if c in values)
        described.append(f"{labels[name]}: total {signed_money(values['total'])} ({pieces})")
    return fig, f"Bar chart: {title}. " + "; ".join(described) + "."


def needs(rows: pd.DataFrame, title: str, ylabel: str) -> tuple[plt.Figure, str]:
    """Actual against needs-predicted spending per child over the years, the 95% prediction
    interval as a band (``rows``: year, actual, predicted, lower, upper)."""
    rows = rows.sort_values("year").reset_index(drop=True)
    years = rows["year"].tolist()
    x = np.arange(len(years))
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=SIZE)
        ax.fill_between(x, rows["lower"], rows["upper"], color=OKABE_ITO["sky"], alpha=0.35, linewidth=0,
                        label="95% prediction interval")  # fmt: skip
        ax.plot(x, rows["predicted"], color=OKABE_ITO["blue"], linestyle="--", linewidth=1.6, marker="s",
                markersize=2.5, label="predicted from needs")  # fmt: skip
        ax.plot(x, rows["actual"], color=OKABE_ITO["vermillion"], linestyle="-", linewidth=2.2, marker="o",
                markersize=3, label="actual")  # fmt: skip
        ax.yaxis.set_major_formatter(POUNDS)
        _ylabel(ax, ylabel)
        _years_axis(ax, years)
        ax.legend(fontsize=8, loc="best")
        _finish(fig, ax, title)
    shown = rows.dropna(subset=["actual"])
    if shown.empty:
        return fig, f"Line chart: {title}: no year fitted."
    first, last = shown.iloc[0], shown.iloc[-1]
    if len(shown) == 1:
        return fig, (
            f"Line chart: {title}, {last['year']} only. Actual £{last['actual']:,.0f} per child (predicted "
            f"£{last['predicted']:,.0f}, interval £{last['lower']:,.0f} to £{last['upper']:,.0f}, {last['position']})."
        )
    text = (
        f"Line chart: {title}, {first['year']} to {last['year']}. Actual £{first['actual']:,.0f} per child in "
        f"{first['year']} (predicted £{first['predicted']:,.0f}, interval £{first['lower']:,.0f} to "
        f"£{first['upper']:,.0f}); £{last['actual']:,.0f} in {last['year']} (predicted £{last['predicted']:,.0f}, "
        f"interval £{last['lower']:,.0f} to £{last['upper']:,.0f}, {last['position']})."
    )
    return fig, text


def projection_fan(rows: pd.DataFrame, title: str, ylabel: str) -> tuple[plt.Figure, str]:
    """Children looked after: the outturn, the central scenario's projection with its 80% and
    95% bands, and each other scenario's projection (``rows``: scenario, label, headline, year,
    kind, value, p2_5, p10, p90, p97_5)."""
    years = sorted(rows["year"].unique())
    at = {y: n for n, y in enumerate(years)}
    central = rows[rows["headline"]]
    outturn = central[central["kind"] == "outturn"].dropna(subset=["value"]).sort_values("year")
    projected = central[central["kind"] == "projection"].sort_values("year")
    if not outturn.empty and not projected.empty:  # the fan opens from the last outturn
        start = outturn.iloc[[-1]].assign(
            **{band: outturn["value"].iloc[-1] for band in ("p2_5", "p10", "p90", "p97_5")}
        )
        projected = pd.concat([start.assign(label=projected["label"].iloc[0]), projected], ignore_index=True)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=SIZE)
        if not projected.empty:
            x = projected["year"].map(at)
            label = projected["label"].iloc[0]
            ax.fill_between(x, projected["p2_5"], projected["p97_5"], color=OKABE_ITO["sky"], alpha=0.25,
                            linewidth=0, label="95% band")  # fmt: skip
            ax.fill_between(x, projected["p10"], projected["p90"], color=OKABE_ITO["blue"], alpha=0.3, linewidth=0,
                            label="80% band")  # fmt: skip
            ax.plot(x, projected["value"], color=OKABE_ITO["blue"], linestyle="--", linewidth=2, marker="o",
                    markersize=2.5, label=f"{label} (central)")  # fmt: skip
        others = rows[(~rows["headline"]) & (rows["kind"] == "projection")]
        for (_, group), (style, colour) in zip(others.groupby("scenario", sort=True), SCENARIO_STYLES):
            group = group.sort_values("year")
            ax.plot(group["year"].map(at), group["value"], color=colour, linestyle=style, linewidth=1.2,
                    label=group["label"].iloc[0])  # fmt: skip
        ax.plot(outturn["year"].map(at), outturn["value"], color=OKABE_ITO["vermillion"], linewidth=2.4,
                marker="o", markersize=2.5, label="outturn")  # fmt: skip
        ax.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        _ylabel(ax, ylabel)
        _years_axis(ax, years, every=2)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        _finish(fig, ax, title, right=0.72)
    if projected.dropna(subset=["value"]).empty:
        return fig, f"Line chart: {title}: no projection."
    end = projected.dropna(subset=["value"]).iloc[-1]
    text = f"Line chart with bands: {title}."
    if not outturn.empty:
        text += (
            f" Outturn {outturn.iloc[0]['value']:,.0f} in {outturn.iloc[0]['year']} to "
            f"{outturn.iloc[-1]['value']:,.0f} in {outturn.iloc[-1]['year']}."
        )
    text += f" {end['label']} (central): {end['value']:,.0f} in {end['year']}"
    if pd.notna(end["p10"]):
        text += f", 80% band {end['p10']:,.0f} to {end['p90']:,.0f}, 95% band {end['p2_5']:,.0f} to {end['p97_5']:,.0f}"
    last = others[others["year"] == end["year"]]
    if not last.empty:
        text += (
            ". Other scenarios in "
            + end["year"]
            + ": "
            + "; ".join(f"{r.label} {r.value:,.0f}" for r in last.itertuples())
        )
    return fig, text + "."
