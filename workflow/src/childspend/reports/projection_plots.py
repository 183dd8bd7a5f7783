"""Figures of the projections, in the style of :mod:`childspend.reports.plots`.

A fan per scenario and quantity: England and each region, the outturn (the frame's sum of the
units), the component projection (dashed), its median after the back-test errors and the 50%,
80% and 95% bands; England's panel marks each published projection of the quantity and the
publisher's own outturn for its year. And one chart of how often the back-tests' cross-validated
80% and 95% bands held, by horizon, level and scenario. Captions say what is drawn, how the
population was projected, which units the projection carries from before the origin (they have no
outturn there, so a fan can open above the summed outturn) and which published figures cannot be
drawn in the fan's prices.
"""

from __future__ import annotations

import re
import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from ..codes import ENGLAND_CODE  # noqa: E402
from ..models.projection_config import FAN_QUANTITIES  # noqa: E402
from ..models.projection_headlines import carried, units  # noqa: E402
from ..models.projection_model import without_outturn  # noqa: E402
from ..models.projection_prices import convert, price_level  # noqa: E402
from ..years import fy_label, fy_start  # noqa: E402
from .plots import COLOURS, CYCLE, SOURCE_NOTE, STYLE  # noqa: E402

TITLES = {
    "cla_at_31_march": "Children looked after at 31 March",
    "s251_gross_children_looked_after": "S251 spending on children looked after",
    "csc_net_total": "MHCLG children's social care spending (net)",
}
SHORT = {
    "cla_at_31_march": "Children looked after",
    "s251_gross_children_looked_after": "S251 children looked after spending",
    "csc_net_total": "MHCLG children's social care",
}
LEVELS = {"la": "units", "region": "regions", "england": "England"}
THOUSANDS = FuncFormatter(lambda v, _: f"{v / 1e3:,.0f}k")
BILLIONS = FuncFormatter(lambda v, _: f"£{v / 1e9:g}bn")
FAN = COLOURS["real"]
NUMERIC = re.compile(r"p\d+(_\d)?|point|(lower|upper|coverage)\d+|published_value|publisher_outturn|outturn")
SCENARIO_COLOURS = CYCLE


def read_table(path) -> pd.DataFrame:
    """A projection output as the figures read it: codes, years and flags as text."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in table.columns:
        if NUMERIC.fullmatch(column):
            table[column] = pd.to_numeric(table[column].replace("", float("nan")))
    return table


def _caption(fig, text: str) -> None:
    lines = textwrap.wrap(text, 240) + [SOURCE_NOTE]
    fig.text(0.01, 0.01, "\n".join(lines), fontsize=7.5, color="#555555", va="bottom")
    fig.subplots_adjust(bottom=0.1 + 0.025 * len(lines), top=0.9, left=0.05, right=0.98, hspace=0.35, wspace=0.3)


def _history(frame: pd.DataFrame, quantity: str, cash: bool) -> pd.DataFrame:
    measure = f"{quantity}_cash" if cash and quantity != "cla_at_31_march" else quantity
    rows = frame[frame["area_level"].isin(["england", "region"]) & (frame["measure"] == measure)]
    return rows.dropna(subset=["value"]).assign(x=lambda r: r["year"].map(fy_start))


def _fan_rows(projections: pd.DataFrame, scenario: str, quantity: str) -> pd.DataFrame:
    """The rows a fan draws: one scenario and quantity, England and the regions."""
    return projections[
        (projections["scenario"] == scenario)
        & (projections["quantity"] == quantity)
        & projections["area_level"].isin(["england", "region"])
    ]


def _amount(value: float, quantity: str) -> str:
    return f"{value:,.0f}" if quantity == "cla_at_31_march" else f"£{value / 1e9:.1f}bn"


def fan_alt(projections: pd.DataFrame, frame: pd.DataFrame, scenario: str, label: str, quantity: str) -> str:
    """What :func:`fan` draws, in words: England's outturn at the origin and its projection and
    bands in the last year."""
    rows = _fan_rows(projections, scenario, quantity)
    england = rows[rows["area_code"] == ENGLAND_CODE].sort_values("year")
    origin, last = england["origin"].iloc[0], england.iloc[-1]
    history = _history(frame, quantity, rows["unit"].iloc[0] == "GBP (cash)")
    start = history[(history["area_code"] == ENGLAND_CODE) & (history["year"] == origin)]["value"]
    then = f"{_amount(start.iloc[0], quantity)} in {origin}" if not start.empty else f"no complete outturn in {origin}"
    missing = without_outturn(frame, quantity, origin)
    if not start.empty and not missing.empty:
        then += f" without {units(len(missing))}, which the projection carries from their last outturn"
    return (
        f"Small multiples: {TITLES[quantity]}, {label} scenario, England and {rows['area_code'].nunique() - 1} "
        f"regions: outturn, then the projection from {origin} to {last['year']} with its 50%, 80% and 95% bands "
        f"({rows['unit'].iloc[0].replace('GBP', '£', 1)}). England: {then}; {_amount(last['p50'], quantity)} in {last['year']} after the "
        f"median back-test error, 80% band {_amount(last['p10'], quantity)} to {_amount(last['p90'], quantity)}, "
        f"95% band {_amount(last['p2_5'], quantity)} to {_amount(last['p97_5'], quantity)}."
    )


def fan(
    projections: pd.DataFrame,
    frame: pd.DataFrame,
    compared: pd.DataFrame,
    scenario: str,
    label: str,
    quantity: str,
) -> plt.Figure:
    """England and the regions: outturn, projection and bands of ``quantity`` on ``scenario``."""
    rows = _fan_rows(projections, scenario, quantity).assign(x=lambda r: r["year"].map(fy_start))
    unit = rows["unit"].iloc[0]
    cash = unit == "GBP (cash)"
    basis = None if quantity == "cla_at_31_march" else ("cash" if cash else "real")
    history = _history(frame, quantity, cash)
    names = rows.drop_duplicates("area_code").set_index("area_code")["area_name"]
    areas = [ENGLAND_CODE, *sorted(set(names.index) - {ENGLAND_CODE}, key=lambda c: names[c])]
    figures = compared[compared["quantity"] == quantity].drop_duplicates("id")
    prices = price_level(frame)
    shown, hidden = [], []
    for figure in figures.itertuples():
        value = convert(figure.published_value, figure.year, figure.basis or None, basis, prices)
        own = convert(figure.publisher_outturn, figure.year, figure.basis or None, basis, prices)
        (shown if value == value else hidden).append((figure, value, own))
    last = max([*rows["x"], *(fy_start(f.year) for f, _, _ in shown)])
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(2, 5, figsize=(16, 7), sharex=True)
        for ax, code in zip(axes.flat, areas):
            h = history[history["area_code"] == code].sort_values("x")
            p = rows[rows["area_code"] == code].sort_values("x")
            start = h[(h["year"] == p["origin"].iloc[0]) & (h["flag"] == "")]
            if not start.empty:  # the fan opens from the origin's outturn where every unit has one
                joined = {
                    c: start["value"].iloc[0] for c in ("point", "p2_5", "p10", "p25", "p50", "p75", "p90", "p97_5")
                }
                p = pd.concat([pd.DataFrame([{**joined, "x": start["x"].iloc[0]}]), p], ignore_index=True)
            for low, high, alpha in (("p2_5", "p97_5", 0.15), ("p10", "p90", 0.25), ("p25", "p75", 0.35)):
                ax.fill_between(p["x"], p[low], p[high], color=FAN, alpha=alpha, linewidth=0)
            ax.plot(p["x"], p["p50"], color=FAN, linewidth=1.5)
            ax.plot(p["x"], p["point"], color=FAN, linewidth=1, linestyle="--")
            ax.plot(h["x"], h["value"], color=COLOURS["england"], linewidth=1.5)
            part = h[h["flag"].str.startswith("incomplete")]
            ax.plot(
                part["x"],
                part["value"],
                linestyle="none",
                marker="o",
                markersize=3.5,
                markerfacecolor="white",
                color=COLOURS["england"],
            )
            if code == ENGLAND_CODE:
                labelled = set()
                for figure, value, own in shown:
                    x = fy_start(figure.year)
                    ax.plot([x], [value], marker="D", color=COLOURS["late"], markersize=5, linestyle="none")
                    if figure.label not in labelled:
                        ax.annotate(
                            figure.label,
                            (x, value),
                            xytext=(-6, 5),
                            textcoords="offset points",
                            fontsize=6.5,
                            ha="right",
                        )
                        labelled.add(figure.label)
                    if own == own:
                        ax.plot([x], [own], marker="s", markerfacecolor="white", color=COLOURS["late"], markersize=5)
            ax.set_title(names[code], loc="left", fontsize=9)
            ax.yaxis.set_major_formatter(THOUSANDS if basis is None else BILLIONS)
            ax.set_ylim(bottom=0)
            ax.set_xlim(2010, last + 0.5)
            ticks = list(range(2010, last + 1, 5))
            ax.set_xticks(ticks, [fy_label(t) for t in ticks], fontsize=7)
        fig.suptitle(f"{TITLES[quantity]}: {label}", x=0.01, ha="left", fontweight="bold")
        origin, years = rows["origin"].iloc[0], sorted(rows["year"].unique())
        text = (
            f"Unit: {unit}. Black: outturn (sum of the units; small hollow markers where some units lack a value). Blue dashed: the scenario's projection from "
            f"{origin}; solid: moved by the median back-test error; shaded: 50%, 80% and 95% bands from "
            f"the back-test errors, {years[0]} to {years[-1]}. Red diamonds: published projections; hollow "
            f"red squares: the publisher's own outturn for that year. Children aged 0-17: "
            f"{rows['population_vintage'].iloc[0]}."
        )
        missing = without_outturn(frame, quantity, origin)
        if not missing.empty:
            text += (
                f" Units with no {origin} outturn are in the projection from their last one, so a fan can open "
                f"above an outturn that lacks them: {carried(missing)}."
            )
        if hidden:
            text += (
                " Not drawn (no price level to convert them to this fan's prices): "
                + "; ".join(f"{f.id} ({f.year}, {f.basis})" for f, _, _ in hidden)
                + "."
            )
        _caption(fig, text)
        return fig


def _by_horizon(coverage: pd.DataFrame) -> pd.DataFrame:
    rows = coverage[(coverage["horizon"] != "all") & coverage["quantity"].isin(FAN_QUANTITIES)]
    return rows.assign(h=rows["horizon"].astype(int))


def coverage_alt(coverage: pd.DataFrame, labels: dict[str, str]) -> str:
    """What :func:`coverage_chart` draws, in words: the range of each band's coverage."""
    rows = _by_horizon(coverage)
    held = "; ".join(
        f"{band}% bands held in {rows[column].min():.0%} to {rows[column].max():.0%} of back-test years"
        for band, column in (("80", "coverage80"), ("95", "coverage95"))
    )
    return (
        f"Grid of line charts, one per quantity ({', '.join(SHORT[q] for q in FAN_QUANTITIES)}) and level "
        f"({', '.join(LEVELS.values())}): the share of back-test outturns inside the 80% and 95% bands at 1 to "
        f"{rows['h'].max()} years ahead, one line per scenario ({', '.join(labels.values())}), against the nominal "
        f"80% and 95%. Over every panel, scenario and horizon, {held}."
    )


def coverage_chart(coverage: pd.DataFrame, labels: dict[str, str], pools: dict[str, list[str]]) -> plt.Figure:
    """How often the cross-validated 80% (solid) and 95% (dashed) bands held, by horizon; the
    caption says whose errors each level's bands pool (``pools``)."""
    rows = _by_horizon(coverage)
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(len(FAN_QUANTITIES), len(LEVELS), figsize=(13, 9), sharex=True, sharey=True)
        for i, quantity in enumerate(FAN_QUANTITIES):
            for j, level in enumerate(LEVELS):
                ax = axes[i, j]
                for k, (scenario, label) in enumerate(labels.items()):
                    part = rows[
                        (rows["scenario"] == scenario) & (rows["quantity"] == quantity) & (rows["area_level"] == level)
                    ]
                    part = part.sort_values("h")
                    colour = SCENARIO_COLOURS[k % len(SCENARIO_COLOURS)]
                    ax.plot(part["h"], part["coverage80"], color=colour, marker="o", markersize=3, label=label)
                    ax.plot(part["h"], part["coverage95"], color=colour, linestyle="--", linewidth=1)
                for nominal in (0.8, 0.95):
                    ax.axhline(nominal, color="#777777", linestyle=":", linewidth=1)
                ax.set_ylim(0.4, 1.02)
                ax.set_title(f"{SHORT[quantity]}, {LEVELS[level]}", loc="left", fontsize=8.5)
                if i == len(FAN_QUANTITIES) - 1:
                    ax.set_xlabel("years ahead of the origin")
        axes[0, 0].legend(fontsize=7, loc="lower left")
        fig.suptitle("How often past bands held: back-test coverage", x=0.01, ha="left", fontweight="bold")
        _caption(
            fig,
            "Share of back-test outturns inside the 80% (solid) and 95% (dashed) bands, each origin's bands "
            "from the other origins' errors; dotted lines: the nominal 80% and 95%. Neighbouring origins "
            "share target years, so the shares are if anything optimistic. Bands from the errors of: "
            + "; ".join(f"{LEVELS[level]}: {' and '.join(LEVELS[s] for s in pools[level])}" for level in LEVELS)
            + ".",
        )
        return fig
