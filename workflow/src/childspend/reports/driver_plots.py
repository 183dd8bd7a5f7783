"""Figures of what drives spending and demand: the growth decomposition as bars (England and
regions) and the panel models' coefficients with their intervals, in the style of
:mod:`childspend.reports.plots`. Captions are written from what the chart draws."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from .plots import COLOURS, OKABE_ITO, STYLE, _finish

COMPONENT_COLOURS = {
    "population": OKABE_ITO["sky"],
    "rate": OKABE_ITO["orange"],
    "unit_cost": OKABE_ITO["blue"],
    "price": OKABE_ITO["grey"],
}


def read_decomposition(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"area_code": str}, keep_default_na=False, na_values={"value": [""]})


def _shares(decomposition: pd.DataFrame, quantity: str, from_year: str, to_year: str):
    """The rows of one quantity and period for England and the regions, and each component's share
    of each area's change (England first, then the regions by name)."""
    rows = decomposition[
        (decomposition["quantity"] == quantity)
        & (decomposition["from_year"] == from_year)
        & (decomposition["to_year"] == to_year)
        & decomposition["area_level"].isin(["england", "region"])
    ]
    shares = rows[rows["component"] != "total"].pivot(index="area_name", columns="component", values="share_of_change")
    order = ["England", *sorted(n for n in shares.index if n != "England")]
    return rows, shares.astype(float).reindex(order)


def decomposition_alt(decomposition: pd.DataFrame, quantity: str, label: str, from_year: str, to_year: str) -> str:
    """What :func:`decomposition_bars` draws, in words: England's shares, and each component's
    range over the regions."""
    _, shares = _shares(decomposition, quantity, from_year, to_year)
    components = [c for c in COMPONENT_COLOURS if c in shares.columns]
    england = ", ".join(f"{c.replace('_', ' ')} {shares.loc['England', c]:.0%}" for c in components)
    regions = shares.drop(index="England")
    ranges = "; ".join(
        f"{c.replace('_', ' ')} from {regions[c].min():.0%} ({regions[c].idxmin()}) to {regions[c].max():.0%} "
        f"({regions[c].idxmax()})"
        for c in components
    )
    return (
        f"Stacked bar chart: each part's share of the change in {label}, {from_year} to {to_year}, for "
        f"England and {len(regions)} region{'s' if len(regions) != 1 else ''}. England: {england}. Over the regions: {ranges}."
    )


def decomposition_bars(
    decomposition: pd.DataFrame, quantity: str, label: str, from_year: str, to_year: str
) -> plt.Figure:
    """Each component's share of the change in ``quantity`` (named ``label``) between the two
    years, one stacked bar per area (England first, then the regions)."""
    rows, shares = _shares(decomposition, quantity, from_year, to_year)
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 5.2))
        left_pos = pd.Series(0.0, index=shares.index)
        left_neg = pd.Series(0.0, index=shares.index)
        for component in [c for c in COMPONENT_COLOURS if c in shares.columns]:
            part = shares[component].fillna(0) * 100
            left = left_pos.where(part >= 0, left_neg)
            ax.barh(
                shares.index, part, left=left, color=COMPONENT_COLOURS[component], label=component.replace("_", " ")
            )
            left_pos += part.clip(lower=0)
            left_neg += part.clip(upper=0)
        ax.invert_yaxis()
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.set_xlabel("share of the change (%)")
        ax.legend(loc="lower right", fontsize=8)
        unit = rows["unit"].iloc[0]
        price = rows["price_base"].iloc[0]
        caption = (
            f"Exact decomposition (LMDI-I) of the change in {label} ({unit}, {price}) from "
            f"{from_year} to {to_year}: the parts add up to 100% of each area's change. Regions and England are sums "
            "over the units with every factor in both years (results/models/decomposition_exclusions.csv)."
        )
        fig = _finish(fig, ax, f"What drove the change in {label}, {from_year} to {to_year}", caption)
        fig.subplots_adjust(left=0.26)  # room for the area names
        return fig


def read_coefficients(path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values={c: [""] for c in ("coef", "ci_low", "ci_high")})


def _terms(coefficients: pd.DataFrame, term_prefix: str) -> pd.DataFrame:
    """The terms starting with ``term_prefix``, the within-area part of within-between models."""
    rows = coefficients[
        coefficients["term"].str.startswith(term_prefix) & ~coefficients["term"].str.endswith("_between")
    ]
    return rows.sort_values(["outcome", "model_id", "term"]).reset_index(drop=True)


def coefficient_alt(coefficients: pd.DataFrame, term_prefix: str, label: str) -> str:
    """What :func:`coefficient_plot` draws, in words: the estimates' range and how many intervals
    lie on each side of zero."""
    rows = _terms(coefficients, term_prefix)
    low, high = rows.loc[rows["coef"].idxmin()], rows.loc[rows["coef"].idxmax()]
    below, above = int((rows["ci_high"] < 0).sum()), int((rows["ci_low"] > 0).sum())
    return (
        f"Dot-and-interval chart: {label} in {len(rows)} estimates from {rows['model_id'].nunique()} panel models, "
        f"per 10,000 children. Estimates from {low['coef']:+.2f} ({low['model_id']}) to {high['coef']:+.2f} "
        f"({high['model_id']}); {below} of the 95% intervals lie wholly below zero, {above} wholly above it and "
        f"{len(rows) - below - above} include zero."
    )


def coefficient_plot(coefficients: pd.DataFrame, term_prefix: str, label: str) -> plt.Figure:
    """Every model's estimate of the terms starting with ``term_prefix`` (the within-area part
    for within-between models), with its 95% interval, one row per model."""
    rows = _terms(coefficients, term_prefix)
    names = rows["model_id"] + "  " + rows["term"].str.removeprefix(term_prefix).str.strip("_").replace("", "-")
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(8, 0.28 * len(rows) + 2.2))
        ax.errorbar(
            rows["coef"],
            range(len(rows)),
            xerr=[rows["coef"] - rows["ci_low"], rows["ci_high"] - rows["coef"]],
            fmt="o",
            color=COLOURS["real"],
            ecolor=COLOURS["cash"],
            markersize=4,
        )
        ax.set_yticks(range(len(rows)), names, fontsize=7)
        ax.invert_yaxis()
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.set_xlabel("change in the outcome per 10,000 children")
        caption = (
            f"Estimates and 95% intervals of {label} from every panel model (results/models/coefficients.csv): "
            "two-way fixed effects with standard errors clustered by area; within-between models show the "
            "within-area term, with and without year effects as each id says."
        )
        fig = _finish(fig, ax, f"Panel models: {label}", caption)
        fig.subplots_adjust(left=0.5)
        return fig
