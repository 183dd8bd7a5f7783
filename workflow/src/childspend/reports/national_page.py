"""What the national report shows, as HTML the report notebook (``notebooks/national_report.ipynb``)
displays: figures as embedded images with alt text written from the data they draw, tables with
captions, the pinned files behind every figure, and the caveats read from the series and the
data dictionary.

Figures use the profiles' mechanism (an SVG data URI in an ``<img alt=...>``, styled by
:data:`childspend.reports.profile_page.STYLE`), so the alt text survives nbconvert; figures drawn
by other rules (PNG files) are embedded the same way, with the alt text those rules wrote into them.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

from .plots import read_alt
from .profile_plots import to_svg

TITLE = "Children's services spending in England: national report"
PROVENANCE_COLUMNS = ["id", "publisher", "dataset", "period", "family", "path", "sha256", "licence", "source_page"]


def _img(data: bytes, mime: str, alt: str, caption: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return (
        f'<figure class="profile-figure"><img src="data:{mime};base64,{encoded}" alt="{html.escape(alt)}"/>'
        f"<figcaption>{html.escape(caption)}</figcaption></figure>"
    )


def figure(fig, alt: str, caption: str) -> str:
    """A matplotlib figure as an embedded SVG image with alt text and a caption (closes it)."""
    return _img(to_svg(fig), "image/svg+xml", alt, caption)


def png_figure(path: str | Path, caption: str) -> str:
    """A PNG drawn by another rule, embedded with a caption and the alt text the rule wrote into it
    from the data it drew (:func:`childspend.reports.plots.read_alt`)."""
    return _img(Path(path).read_bytes(), "image/png", read_alt(path), caption)


def table(shown: pd.DataFrame, caption: str, index: bool = False) -> str:
    """An HTML table with a caption a screen reader announces with it."""
    body = shown.to_html(index=index, border=0, classes="dataframe profile-table", escape=True, na_rep="")
    return body.replace(">", f">\n<caption>{html.escape(caption)}</caption>", 1)


# --- alt text, written from what each national figure draws --------------------------------------


def _england(series: pd.DataFrame, measure: str) -> pd.DataFrame:
    rows = series[(series["area_level"] == "england") & (series["measure"] == measure)]
    return rows.dropna(subset=["real"]).sort_values("year")


def _ends(rows: pd.DataFrame, column: str, fmt) -> str:
    first, last = rows.iloc[0], rows.iloc[-1]
    return f"{fmt(first[column])} in {first['year']} to {fmt(last[column])} in {last['year']}"


def _bn(value: float) -> str:
    return f"£{value / 1e9:.1f}bn"


def _pounds(value: float) -> str:
    return f"£{value:,.0f}"


def alt_text(name: str, series: pd.DataFrame) -> str:
    """The alt text of national figure ``name`` (a key of :data:`childspend.reports.plots.FIGURES`)."""
    if name == "cash_and_real":
        rows = _england(series, "s251_gross_total")
        base = rows["price_base"].iloc[0]
        return (
            "Line chart of S251 spending on children's and young people's services in England: in cash, "
            f"{_ends(rows, 'cash', _bn)}; in real terms ({base}), {_ends(rows, 'real', _bn)}."
        )
    if name == "early_and_late":
        early, late = _england(series, "early_intervention"), _england(series, "late_intervention")
        return (
            f"Stacked area chart, real terms ({early['price_base'].iloc[0]}): early intervention went from "
            f"{_ends(early, 'real', _bn)}; late intervention from {_ends(late, 'real', _bn)}."
        )
    if name == "per_child_by_region":
        rows = series[series["measure"] == "s251_gross_total_per_child"].dropna(subset=["real"])
        last = rows["year"].max()
        latest = rows[(rows["year"] == last) & (rows["area_level"] == "region")].sort_values("real")
        england = _england(series, "s251_gross_total_per_child")
        text = (
            "Line chart of spending per child aged 0-17 by region, real terms. England went from "
            f"{_ends(england, 'real', _pounds)}."
        )
        if latest.empty:
            return text
        low, high = latest.iloc[0], latest.iloc[-1]
        return (
            f"{text} In {last} the lowest region was {low['area_name']} ({_pounds(low['real'])}) and the highest "
            f"{high['area_name']} ({_pounds(high['real'])})."
        )
    if name == "cost_per_looked_after_child":
        rows = _england(series, "s251_gross_children_looked_after_per_cla")
        return (
            "Line chart of spending on children looked after per child looked after, England: in cash "
            f"{_ends(rows, 'cash', _pounds)}; in real terms {_ends(rows, 'real', _pounds)}."
        )
    raise KeyError(f"no alt text for figure {name!r}")


# --- provenance and caveats ----------------------------------------------------------------------


def provenance(sources: dict[str, dict]) -> pd.DataFrame:
    """Every pinned file (config/sources.yaml): publisher, dataset, release period, sha256, licence
    and source page, in id order."""
    rows = [{"id": source_id, **entry} for source_id, entry in sorted(sources.items())]
    return pd.DataFrame(rows).reindex(columns=PROVENANCE_COLUMNS).fillna("")


def provenance_summary(table: pd.DataFrame) -> pd.DataFrame:
    """One row per publisher and dataset: the releases pinned, how many files, the licences and
    source pages, and each file's sha256 in short (12 characters)."""
    groups = table.groupby(["publisher", "dataset"], sort=True)
    return pd.DataFrame(
        {
            "releases": groups["period"].agg(lambda p: ", ".join(sorted(set(map(str, p))))),
            "files": groups.size(),
            "sha256 (first 12)": groups["sha256"].agg(lambda s: " ".join(h[:12] for h in s)),
            "licence": groups["licence"].agg(lambda s: "; ".join(sorted(set(s)))),
            "source page": groups["source_page"].agg(lambda s: " ".join(sorted(set(s)))),
        }
    ).reset_index()


def incomplete_years(series: pd.DataFrame, labels: dict[str, str]) -> list[str]:
    """'label: years' for each measure in ``labels`` whose England figure lacks some units."""
    england = series[(series["area_level"] == "england") & (series["flag"] == "incomplete")]
    out = []
    for measure, label in labels.items():
        years = sorted(england.loc[england["measure"] == measure, "year"])
        if years:
            out.append(f"{label}: {_year_runs(years, sorted(set(series['year'])))}")
    return out


def _year_runs(years: list[str], every: list[str]) -> str:
    """Years as runs of consecutive years ('2022-23 to 2024-25'), consecutive in ``every``."""
    runs: list[list[str]] = []
    for year in years:
        if runs and every.index(year) == every.index(runs[-1][-1]) + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(run[0] if len(run) == 1 else f"{run[0]} to {run[-1]}" for run in runs)
