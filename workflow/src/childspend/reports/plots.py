"""Figures: one style for every chart, drawn from the national series table.

The figure rules and the report notebooks read the tables with the same functions
(``read_series``, ``read_dictionary``) and draw with the same figure functions, so both show the
same picture. Every figure takes the series, the panel's data dictionary and the configured
intervention categories. Captions are written from what the chart draws: line charts draw years
whose England total lacks some LAs (flag ``incomplete``) with hollow markers and say so; the
stacked chart names those years; caveats on the categories drawn come from the dictionary's
``notes``, never from text typed here.
"""

from __future__ import annotations

import io
import re
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402
from PIL import Image  # noqa: E402

from ..files import atomic_write  # noqa: E402
from ..national import scope_widens, span  # noqa: E402, F401  (read by the report notebook too)

STYLE = {
    "figure.figsize": (8, 4.8),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.size": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titleweight": "bold",
    "axes.titlesize": 12,
    "legend.frameon": False,
}
# The Okabe-Ito palette, distinguishable with every common colour-vision deficiency: every
# categorical colour of every figure comes from it (ordered groups use viridis, also safe).
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}
COLOURS = {
    "cash": OKABE_ITO["grey"],
    "real": OKABE_ITO["blue"],
    "early": OKABE_ITO["green"],
    "late": OKABE_ITO["vermillion"],
    "england": OKABE_ITO["black"],
}
# lines told apart by colour and, past the palette's seven non-black colours, by dashes too
CYCLE = [c for name, c in OKABE_ITO.items() if name not in ("black", "yellow")]
SOURCE_NOTE = "Source: DfE S251 outturn (Table A1, LAIT); MHCLG revenue outturn; ONS; childspend pipeline."
BILLIONS = FuncFormatter(lambda v, _: f"£{v / 1e9:.0f}bn")
POUNDS = FuncFormatter(lambda v, _: f"£{v:,.0f}")


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d-\d\d(?!\d)")


def read_series(path) -> pd.DataFrame:
    """``results/national/series.csv`` as the figures and reports read it: flags and price bases as
    text, an empty cell missing except in ``flag``, where it is ``""`` (no flag)."""
    series = pd.read_csv(path, dtype={"flag": str, "price_base": str}, keep_default_na=False, na_values=[""])
    series["flag"] = series["flag"].fillna("")
    return series


def read_dictionary(path) -> pd.DataFrame:
    """``results/panel/dictionary.csv``, every cell text (an empty note is ``""``)."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _england(series: pd.DataFrame, measure: str) -> pd.DataFrame:
    rows = series[(series["area_level"] == "england") & (series["measure"] == measure)]
    return rows.sort_values("year").dropna(subset=["cash"])


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def caveats(dictionary: pd.DataFrame, columns: dict[str, str], years) -> list[str]:
    """The data dictionary's notes on ``columns`` ({column: label}), one sentence per column with a
    note, "Label: note.". A note's clauses (split at ";") that name only years outside ``years``
    are left out, so a caption speaks only of the years its chart draws."""
    notes = dictionary.set_index("column")["notes"]
    missing = [c for c in columns if c not in notes.index]
    if missing:
        raise KeyError(f"columns {missing} are not in the panel's data dictionary")
    drawn = set(years)
    out = []
    for column, label in columns.items():
        clauses = [c.strip() for c in notes[column].split(";") if c.strip()]
        kept = [c for c in clauses if not (named := set(_YEAR.findall(c))) or named & drawn]
        if kept:
            out.append(_sentence(f"{label}: {'; '.join(kept)}"))
    return out


def intervention_caveats(dictionary: pd.DataFrame, intervention: dict, years) -> list[str]:
    """Dictionary caveats on the S251 categories that make up early and late intervention (as
    configured), for the years drawn."""
    categories = [*intervention["early"], *intervention["late"]]
    return caveats(dictionary, {f"s251_gross_{c}": _label(c) for c in categories}, years)


def _label(category: str) -> str:
    return category.replace("_", " ")


def _finish(fig, ax, title: str, caption: str, scope_break: str | None = None, ylabel: str = "") -> plt.Figure:
    ax.set_title(title, loc="left")
    if not ax.get_xlabel():  # a chart by year, unless the figure labelled its own axis
        ax.set_xlabel("financial year")
    if ylabel:
        ax.set_ylabel("\n".join(textwrap.wrap(ylabel, 32)))
    text = "\n".join(textwrap.wrap(caption, 150) + [SOURCE_NOTE])
    fig.text(0.01, 0.01, text, fontsize=7.5, color="#555555", va="bottom")
    fig.subplots_adjust(left=0.13, bottom=0.22 + 0.03 * text.count("\n"))
    labels = [t.get_text() for t in ax.get_xticklabels()]
    if scope_break in labels[1:]:
        ax.axvline(labels.index(scope_break) - 0.5, color="#777777", linestyle=":", linewidth=1)
        ax.annotate(
            "Table A1 scope\nwidens",
            (labels.index(scope_break) - 0.45, 0.02),
            xycoords=("data", "axes fraction"),
            fontsize=7,
            color="#555555",
        )
    for label in ax.get_xticklabels():
        label.set_rotation(45)
        label.set_ha("right")
    return fig


def prices(base: str) -> str:
    """A price base as an axis names it: '2024-25 prices (GDP deflator, ONS YBGB)' -> '2024-25
    prices' (the caption gives the index)."""
    return base.split(" (")[0]


def _incomplete(rows: pd.DataFrame, column: str) -> list[str]:
    """Years drawn (a value in ``column``) whose England total lacks some LAs."""
    return rows.loc[(rows["flag"] == "incomplete") & rows[column].notna(), "year"].tolist()


def _hollow_note(years) -> str:
    years = sorted(set(years))
    return f"Hollow markers: England total lacks some LAs ({', '.join(years)})." if years else ""


def _line(ax, rows: pd.DataFrame, column: str, **style) -> list[str]:
    """A line with hollow markers on its ``incomplete`` years; returns those years."""
    ax.plot(rows["year"], rows[column], **style)
    years = _incomplete(rows, column)
    if years:
        hollow = rows[rows["year"].isin(years)]
        ax.plot(
            hollow["year"],
            hollow[column],
            linestyle="none",
            marker="o",
            markerfacecolor="white",
            color=style.get("color"),
            markersize=6,
        )
    return years


def cash_and_real(series: pd.DataFrame, dictionary: pd.DataFrame, intervention: dict) -> plt.Figure:
    """Total S251 spending on children's and young people's services, cash and real."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        rows = _england(series, "s251_gross_total")
        base = rows["price_base"].iloc[0]
        hollow = _line(ax, rows, "cash", color=COLOURS["cash"], marker="o", markersize=3, label="cash")
        hollow += _line(ax, rows, "real", color=COLOURS["real"], marker="o", markersize=3, label=f"real, {base}")
        ax.yaxis.set_major_formatter(BILLIONS)
        ax.set_ylim(bottom=0)
        ax.legend(loc="lower right")
        widens = scope_widens(series)
        caption = (
            "Gross expenditure excluding capital charged to revenue. "
            + (f"Before {widens} Table A1 had no Sure Start or young people's blocks. " if widens else "")
            + _hollow_note(hollow)
        )
        return _finish(
            fig,
            ax,
            "Spending on children's and young people's services, England",
            caption,
            scope_break=widens,
            ylabel=f"£ billion (cash; real terms, {prices(base)})",
        )


def _early_late(series: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.Index]:
    """England early and late intervention rows by year, and the years both have a value."""
    early = _england(series, "early_intervention").set_index("year")
    late = _england(series, "late_intervention").set_index("year")
    return early, late, early.index.intersection(late.index).sort_values()


def early_and_late_caveats(series: pd.DataFrame, dictionary: pd.DataFrame, intervention: dict) -> list[str]:
    """The dictionary's caveats on the intervention categories, for the years the early and late
    chart draws (its caption, and the report's notes)."""
    return intervention_caveats(dictionary, intervention, _early_late(series)[2])


def early_and_late(series: pd.DataFrame, dictionary: pd.DataFrame, intervention: dict) -> plt.Figure:
    """Early and late intervention spending, real terms, stacked; the caption names the
    configured categories, their caveats from the data dictionary and the years whose England
    total lacks some LAs (a stack draws no markers)."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        early, late, years = _early_late(series)
        ax.stackplot(
            years,
            early.loc[years, "real"],
            late.loc[years, "real"],
            colors=[COLOURS["early"], COLOURS["late"]],
            labels=["early intervention", "late intervention"],
            alpha=0.85,
        )
        ax.yaxis.set_major_formatter(BILLIONS)
        ax.legend(loc="upper left")
        lacking = [
            f"{name} {', '.join(found)}"
            for name, rows in (("early intervention", early), ("late intervention", late))
            if (found := _incomplete(rows.loc[years].reset_index(), "real"))
        ]
        early_names, late_names = (", ".join(map(_label, intervention[k])) for k in ("early", "late"))
        caption = " ".join(
            [
                f"Real terms, {early['price_base'].iloc[0]}.",
                f"Early intervention: {early_names}; late: {late_names}.",
                *early_and_late_caveats(series, dictionary, intervention),
                *([f"England total lacks some LAs: {'; '.join(lacking)}."] if lacking else []),
            ]
        )
        return _finish(
            fig,
            ax,
            "Early and late intervention spending, England",
            caption,
            ylabel=f"£ billion, real terms, {prices(early['price_base'].iloc[0])}",
        )


def per_child_by_region(series: pd.DataFrame, dictionary: pd.DataFrame, intervention: dict) -> plt.Figure:
    """Spending per child aged 0-17 by region, real terms."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        rows = series[series["measure"] == "s251_gross_total_per_child"].dropna(subset=["real"]).sort_values("year")
        for n, (name, group) in enumerate(rows[rows["area_level"] == "region"].groupby("area_name")):
            style = dict(color=CYCLE[n % len(CYCLE)], linestyle=["-", "--", ":"][n // len(CYCLE) % 3])
            ax.plot(group["year"], group["real"], linewidth=1.2, label=name, **style)
        england = rows[rows["area_level"] == "england"]
        ax.plot(england["year"], england["real"], color=COLOURS["england"], linewidth=2.5, label="England")
        ax.yaxis.set_major_formatter(POUNDS)
        ax.legend(fontsize=7, ncol=2, loc="upper left")
        widens = scope_widens(series)
        caption = (
            f"Real terms, {rows['price_base'].iloc[0]}. Regions over the units with both spending and "
            "population" + (f"; before {widens} Table A1's scope is narrower." if widens else ".")
        )
        return _finish(
            fig,
            ax,
            "Spending per child aged 0-17, by region",
            caption,
            scope_break=widens,
            ylabel=f"£ per child aged 0-17, {prices(rows['price_base'].iloc[0])}",
        )


def cost_per_looked_after_child(series: pd.DataFrame, dictionary: pd.DataFrame, intervention: dict) -> plt.Figure:
    """Spending on children looked after per child looked after at 31 March, real terms."""
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots()
        rows = _england(series, "s251_gross_children_looked_after_per_cla")
        # a ratio over the LAs with both parts: fewer LAs do not bias it, so no hollow markers
        ax.plot(rows["year"], rows["cash"], color=COLOURS["cash"], marker="o", markersize=3, label="cash")
        ax.plot(
            rows["year"],
            rows["real"],
            color=COLOURS["real"],
            marker="o",
            markersize=3,
            label=f"real, {rows['price_base'].iloc[0]}",
        )
        ax.yaxis.set_major_formatter(POUNDS)
        ax.set_ylim(bottom=0)
        ax.legend(loc="lower right")
        caption = (
            "S251 children looked after spending in the year over children looked after at its end "
            "(31 March), over the LAs that report both."
        )
        return _finish(
            fig,
            ax,
            "Spending per child looked after, England",
            caption,
            ylabel=f"£ per child looked after (cash; real terms, {prices(rows['price_base'].iloc[0])})",
        )


FIGURES = {
    "cash_and_real": cash_and_real,
    "early_and_late": early_and_late,
    "per_child_by_region": per_child_by_region,
    "cost_per_looked_after_child": cost_per_looked_after_child,
}


def to_png(fig: plt.Figure, alt: str | None = None) -> bytes:
    """PNG without a software/date stamp, so the same data give the same bytes, and with ``alt``
    (the chart's alt text) as its Description; closes the figure."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None, **({"Description": alt} if alt else {})})
    plt.close(fig)
    return buffer.getvalue()


def save(fig: plt.Figure, path, alt: str | None = None) -> None:
    """The figure as a PNG file, written atomically; ``alt`` travels in it (:func:`read_alt`)."""
    png = to_png(fig, alt)
    atomic_write(path, lambda tmp: Path(tmp).write_bytes(png))


def read_alt(path) -> str:
    """The alt text :func:`save` wrote into a PNG (its Description); ValueError if it has none."""
    with Image.open(path) as image:
        text = image.text.get("Description", "")
    if not text:
        raise ValueError(f"{path}: the figure carries no alt text (plots.save(..., alt=...))")
    return text
