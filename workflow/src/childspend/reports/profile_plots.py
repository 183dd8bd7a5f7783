"""Figures of an LA profile, in the style of :mod:`childspend.reports.plots`.

Every figure draws one unit against its comparators from the profile tables
(:mod:`childspend.reports.profiles`): the unit, its statistical-neighbour mean and median, its
region and England. Colours are the Okabe-Ito palette (distinguishable with every common
colour-vision deficiency) and each comparator also has its own line style, so no line is told
apart by colour alone. Axes are labelled with units and the price base; trend axes do not start
at zero, because the change is the point. Each function returns the figure and the alt text that
describes it, written from what it draws.
"""

from __future__ import annotations

import io
import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter, PercentFormatter  # noqa: E402

from .plots import OKABE_ITO, STYLE  # noqa: E402

# comparator -> (column of the profile's indicator rows, colour, line style, width)
LINES = {
    "unit": ("value", OKABE_ITO["blue"], "-", 2.4),
    "neighbour mean": ("neighbour_mean", OKABE_ITO["orange"], "--", 1.6),
    "neighbour median": ("neighbour_median", OKABE_ITO["purple"], ":", 1.8),
    "region": ("region_value", OKABE_ITO["green"], "-.", 1.4),
    "England": ("england_value", OKABE_ITO["black"], "-", 1.0),
}
CATEGORY_COLOURS = {
    "early_years": OKABE_ITO["sky"],
    "family_support": OKABE_ITO["blue"],
    "young_people": OKABE_ITO["green"],
    "children_looked_after": OKABE_ITO["vermillion"],
    "safeguarding": OKABE_ITO["orange"],
    "youth_justice": OKABE_ITO["purple"],
    "other_children_family": OKABE_ITO["grey"],
}
PLACEMENT_COLOURS = {
    "placement_foster": OKABE_ITO["blue"],
    "placement_residential_independent": OKABE_ITO["vermillion"],
    "placement_with_parents": OKABE_ITO["green"],
    "placement_adoption": OKABE_ITO["sky"],
    "placement_other": OKABE_ITO["purple"],
    "unshown": "#dddddd",
}
SIZE = (8, 3.9)
POUNDS = FuncFormatter(lambda v, _: f"£{v:,.0f}")
MILLIONS = FuncFormatter(lambda v, _: f"£{v / 1e6:,.0f}m")
PERCENT = PercentFormatter(xmax=1, decimals=0)
FORMATTERS = {"money": POUNDS, "share": PERCENT, "rate": FuncFormatter(lambda v, _: f"{v:,.0f}")}


def label(category: str) -> str:
    return category.replace("_", " ")


def _years_axis(ax, years: list[str], every: int = 1) -> None:
    ax.set_xticks(range(len(years)))
    ax.set_xticklabels([y if n % every == 0 else "" for n, y in enumerate(years)], rotation=45, ha="right")
    ax.set_xlim(-0.5, len(years) - 0.5)


def _mark(ax, years: list[str], year: str | None, text: str, legend: bool = False) -> None:
    """A dotted line before ``year`` (a definition or scope break), labelled beside it or, where
    bars would hide the label, in the legend."""
    if year is None or year not in years[1:]:
        return
    x = years.index(year) - 0.5
    ax.axvline(x, color="#555555", linestyle=":", linewidth=1.2, label=f"{text} ({year})" if legend else None)
    if not legend:
        ax.annotate(text, (x + 0.08, 0.98), xycoords=("data", "axes fraction"), fontsize=7, color="#555555", va="top")


def _ylabel(ax, text: str, width: int = 38) -> None:
    ax.set_ylabel("\n".join(textwrap.wrap(text, width)))


def _finish(fig, ax, title: str, right: float = 0.97) -> plt.Figure:
    """Title and fixed margins (a layout engine would measure every label: slower, same look)."""
    lines = textwrap.wrap(title, 62)
    ax.set_title("\n".join(lines), loc="left")
    fig.subplots_adjust(left=0.14, right=right, bottom=0.24, top=0.9 - 0.06 * (len(lines) - 1))
    return fig


def to_svg(fig: plt.Figure) -> bytes:
    """The figure as SVG with text kept as text (small, sharp at any size, read by the browser's
    sans-serif font), fixed element ids and no date, so the same data give the same bytes;
    closes the figure."""
    buffer = io.BytesIO()
    with plt.rc_context({"svg.fonttype": "none", "svg.hashsalt": "childspend"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    plt.close(fig)
    return buffer.getvalue()


def _describe(name: str, rows: pd.DataFrame, column: str, fmt) -> str:
    values = rows.dropna(subset=[column])
    if values.empty:
        return f"{name}: no values"
    first, last = values.iloc[0], values.iloc[-1]
    return f"{name} {fmt(first[column])} in {first['year']} to {fmt(last[column])} in {last['year']}"


def text_format(kind: str):
    if kind == "money":
        return lambda v: f"£{v:,.0f}"
    if kind == "share":
        return lambda v: f"{v:.0%}"
    return lambda v: f"{v:,.1f}"


def comparison(
    rows: pd.DataFrame,
    title: str,
    ylabel: str,
    kind: str,
    names: dict[str, str],
    marks: dict[str, str] | None = None,
    ax=None,
) -> tuple[plt.Figure, str]:
    """One indicator over the years: the unit, its neighbours' mean and median, its region and
    England (``rows``: year, value, neighbour_mean, neighbour_median, region_value, england_value;
    ``names`` gives the unit's and region's names). ``marks`` {year: text} draws breaks."""
    rows = rows.sort_values("year")
    years = rows["year"].tolist()
    with plt.rc_context(STYLE):
        own = ax is None
        fig, ax = plt.subplots(figsize=SIZE) if own else (ax.figure, ax)
        described = []
        for line, (column, colour, style, width) in LINES.items():
            shown = names.get(line, line)
            if column not in rows or rows[column].isna().all():
                continue
            # markers, so a year between two missing ones still shows
            ax.plot(
                range(len(years)),
                rows[column],
                color=colour,
                linestyle=style,
                linewidth=width,
                marker="o",
                markersize=2.5 if line == "unit" else 1.5,
                label=shown,
            )
            described.append(_describe(shown, rows, column, text_format(kind)))
        ax.yaxis.set_major_formatter(FORMATTERS[kind])
        _ylabel(ax, ylabel)
        _years_axis(ax, years, every=1 if own else 4)
        for year, text in (marks or {}).items():
            _mark(ax, years, year, text)
        if own:
            ax.legend(fontsize=8, loc="best")
            _finish(fig, ax, title)
        else:
            ax.set_title(title, loc="left", fontsize=9)
    return fig, f"Line chart: {title}. " + "; ".join(described) + "."


def small_multiples(
    panels: list[tuple[pd.DataFrame, str]], title: str, ylabel: str, kind: str, names: dict[str, str]
) -> tuple[plt.Figure, str]:
    """Several indicators side by side (``panels``: (rows, title)), each as :func:`comparison`."""
    with plt.rc_context(STYLE):
        columns = 3
        rows_needed = -(-len(panels) // columns)
        fig, axes = plt.subplots(rows_needed, columns, figsize=(9, 2.9 * rows_needed), squeeze=False)
        texts = []
        for ax, (rows, panel_title) in zip(axes.flat, panels):
            _, text = comparison(rows, panel_title, ylabel, kind, names, ax=ax)
            texts.append(text.removeprefix("Line chart: "))
        for ax in list(axes.flat)[len(panels) :]:
            ax.set_axis_off()
        handles, labels = axes.flat[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="lower right", fontsize=8, ncol=1, bbox_to_anchor=(0.98, 0.08))
        fig.suptitle("\n".join(textwrap.wrap(title, 70)), x=0.01, ha="left", fontweight="bold", fontsize=12)
        fig.subplots_adjust(left=0.08, right=0.98, bottom=0.12, top=0.88, wspace=0.35, hspace=0.6)
    return fig, f"Small multiples, {title}: " + " ".join(texts)


def composition(rows: pd.DataFrame, categories: list[str], title: str, ylabel: str) -> tuple[plt.Figure, str]:
    """S251 spending by category over the years, real terms, stacked (``rows``: year, category,
    group, real)."""
    wide = rows.pivot(index="year", columns="category", values="real").reindex(columns=categories).sort_index()
    wide = wide.dropna(how="any")
    years = wide.index.tolist()
    groups = rows.drop_duplicates("category").set_index("category")["group"]
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=SIZE)
        ax.stackplot(
            range(len(years)),
            *[wide[c] for c in categories],
            colors=[CATEGORY_COLOURS.get(c, OKABE_ITO["grey"]) for c in categories],
            labels=[f"{label(c)} ({groups.get(c, 'neither')})" for c in categories],
            alpha=0.9,
            edgecolor="white",
            linewidth=0.5,
        )
        ax.yaxis.set_major_formatter(MILLIONS)
        _ylabel(ax, ylabel)
        _years_axis(ax, years)
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(handles[::-1], labels[::-1], fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        _finish(fig, ax, title, right=0.7)
    if years:
        last = wide.loc[years[-1]]
        parts = ", ".join(f"{label(c)} £{last[c] / 1e6:,.0f}m" for c in categories)
        text = f"Stacked area chart: {title}, {years[0]} to {years[-1]}. In {years[-1]}: {parts}."
    else:
        text = f"Stacked area chart: {title}: no year has every category."
    return fig, text


def lines(
    rows: pd.DataFrame, series: dict[str, tuple[str, str, str]], title: str, ylabel: str, kind: str
) -> tuple[plt.Figure, str]:
    """A few named series over the years (``series``: name -> (column, colour, line style))."""
    rows = rows.sort_values("year")
    years = rows["year"].tolist()
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=SIZE)
        described = []
        for name, (column, colour, style) in series.items():
            if rows[column].isna().all():
                continue
            ax.plot(
                range(len(years)),
                rows[column],
                color=colour,
                linestyle=style,
                linewidth=2,
                marker="o",
                markersize=2.5,
                label=name,
            )
            described.append(_describe(name, rows, column, text_format(kind) if kind != "millions" else _millions))
        ax.yaxis.set_major_formatter(MILLIONS if kind == "millions" else FORMATTERS[kind])
        _ylabel(ax, ylabel)
        _years_axis(ax, years)
        ax.legend(fontsize=8, loc="best")
        _finish(fig, ax, title)
    return fig, f"Line chart: {title}. " + "; ".join(described) + "."


def _millions(v: float) -> str:
    return f"£{v / 1e6:,.0f}m"


def placement_mix(rows: pd.DataFrame, order: list[str], break_year: str | None, title: str) -> tuple[plt.Figure, str]:
    """Shares of children looked after at 31 March by placement, one stacked bar per year
    (``rows``: year, measure, placement, share), with DfE's 2020 change of categories marked."""
    wide = rows.pivot(index="year", columns="measure", values="share").reindex(columns=order).fillna(0).sort_index()
    names = rows.drop_duplicates("measure").set_index("measure")["placement"]
    years = wide.index.tolist()
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=SIZE)
        bottom = pd.Series(0.0, index=wide.index)
        for measure in order:
            ax.bar(
                range(len(years)),
                wide[measure],
                bottom=bottom,
                color=PLACEMENT_COLOURS.get(measure, OKABE_ITO["grey"]),
                label=names.get(measure, measure),
                width=0.8,
                edgecolor="white",
                linewidth=0.4,
            )
            bottom = bottom + wide[measure]
        ax.yaxis.set_major_formatter(PERCENT)
        ax.set_ylim(0, 1)
        _ylabel(ax, "% of children looked after at 31 March")
        _years_axis(ax, years)
        _mark(ax, years, break_year, "2020 categories, harmonised, from", legend=True)
        handles, labels = ax.get_legend_handles_labels()
        ax.legend(
            handles[::-1],
            ["\n".join(textwrap.wrap(t, 30)) for t in labels[::-1]],
            fontsize=7,
            loc="upper left",
            bbox_to_anchor=(1.0, 1.0),
        )
        _finish(fig, ax, title, right=0.7)
    if years:
        last = wide.loc[years[-1]]
        parts = ", ".join(f"{names.get(m, m)} {last[m]:.0%}" for m in order)
        text = f"Stacked bar chart: {title}, {years[0]} to {years[-1]}. At 31 March in {years[-1]}: {parts}."
        if break_year in years[1:]:
            text += f" A dotted line marks DfE's 2020 placement categories, from {break_year}."
    else:
        text = f"Stacked bar chart: {title}: no year with children looked after."
    return fig, text
