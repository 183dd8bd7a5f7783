"""Like-for-like changes: an England change measured over the units present in both years.

Where an England total lacks some units in either year (flag ``incomplete``: a council sent no
return, or a count behind a ratio is suppressed), comparing the two published totals mixes a
change in spending with a change in who is counted. :func:`like_for_like` measures the change
again over the stable units (LA rows of the real-terms money table and the panel) that have every
part of the figure in both years: a sum of their values for a money total, or a ratio of sums for
a figure per child (numerator and denominator as the registry defines them). It names the units
left out and their share of spending, so a headline can give both figures side by side.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import measures


@dataclass(frozen=True)
class Parts:
    """What a figure is made of, per unit: the sum of ``numerator`` (money measures, every one
    needed), divided by the sum of ``denominator`` (every one needed; money measures in real
    terms, counts from the panel) if any."""

    numerator: tuple[str, ...]
    denominator: tuple[str, ...] = ()


def parts(measure: str, intervention: dict[str, list[str]]) -> Parts:
    """The parts of a national series measure: early and late intervention are their configured
    S251 categories, the late-intervention share is late intervention over the S251 total, a
    derived measure its registry numerator and denominator, any other money measure itself."""
    groups = {f"{group}_intervention": [f"s251_gross_{c}" for c in intervention[group]] for group in ("early", "late")}
    if measure in groups:
        return Parts(tuple(groups[measure]))
    if measure == "late_intervention_share":
        return Parts(tuple(groups["late_intervention"]), ("s251_gross_total",))
    derived = measures.derived()
    if measure in derived:
        numerator, denominator, _ = derived[measure]
        return Parts((numerator,), (denominator,))
    return Parts((measure,))


@dataclass(frozen=True)
class Comparison:
    """A change from ``years[0]`` to ``years[1]`` over the ``kept`` units. ``left_out`` names the
    units left out (in unit-id order) and ``left_out_share`` their share of the figure's spending
    (its numerator), each unit at its share in the first of the two years it has a value."""

    years: tuple[str, str]
    start: float
    end: float
    kept: int
    left_out: tuple[str, ...]
    left_out_share: float

    @property
    def change(self) -> float:
        return self.end / self.start - 1


def _unit_sums(table: pd.DataFrame, column: str, names: tuple[str, ...], years: tuple[str, str]) -> pd.DataFrame:
    """Unit x year sums of ``names`` (missing unless every one has a value)."""
    rows = table[(table["area_level"] == "la") & table["measure"].isin(names) & table["year"].isin(years)]
    wide = rows.pivot_table(index=["area_code", "year"], columns="measure", values=column, aggfunc="first")
    wide = wide.reindex(columns=list(names))
    sums = wide.sum(axis=1, min_count=len(names)).where(wide.notna().all(axis=1))
    return sums.unstack("year").reindex(columns=list(years))


def like_for_like(
    money: pd.DataFrame, panel: pd.DataFrame, figure: Parts, years: tuple[str, str], units: pd.Series
) -> Comparison:
    """The figure in both ``years`` over the units with every part in both (real terms:
    ``money``'s ``value_real``; a count denominator from ``panel``'s ``value``). ``units`` maps every
    stable unit's id to its name: a unit with no value at all is left out too."""
    spend = _unit_sums(money, "value_real", figure.numerator, years).reindex(units.index)
    present = spend.notna()
    if figure.denominator:
        money_measures = set(money["measure"])
        if set(figure.denominator) <= money_measures:  # a share of spending: both parts in real terms
            counts = _unit_sums(money, "value_real", figure.denominator, years)
        else:
            counts = _unit_sums(panel, "value", figure.denominator, years)
        counts = counts.reindex(units.index)
        present &= counts.notna() & (counts > 0)
    kept = present.all(axis=1)
    if not kept.any():
        raise ValueError(f"no unit has {figure} in both {years[0]} and {years[1]}")
    totals = spend[kept].sum()
    if figure.denominator:
        totals = totals / counts[kept].sum()
    shares = spend / spend.sum()
    first_share = shares[years[0]].fillna(shares[years[1]])
    return Comparison(
        years=years,
        start=float(totals[years[0]]),
        end=float(totals[years[1]]),
        kept=int(kept.sum()),
        left_out=tuple(units[~kept].tolist()),
        left_out_share=float(first_share[~kept].fillna(0).sum()),
    )


def names(items) -> str:
    """'A', 'A and B', 'A, B and C'."""
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
