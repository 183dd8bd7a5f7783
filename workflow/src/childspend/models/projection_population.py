"""The child population the projections multiply rates by.

The mirror holds no ONS subnational population projection, so by default each unit's
population aged 0-17 continues its own recent trend (:mod:`projection_trends`). Pinning a
projection in ``config/sources.yaml`` under family ``population_projection`` switches to it
with no code change: the ONS subnational population projections CSV (columns ``AREA_CODE``,
``AREA_NAME``, ``AGE_GROUP``, optionally ``COMPONENT`` and ``SEX``, then one column per mid-year),
single years of age 0 to 17 summed per upper-tier LA and then into stable units. Its growth from
the last estimated year is applied to each unit's latest estimate, so the projection joins the
estimates' vintage; units it does not cover keep their own trend and are named. Mid-year ``Y``
is financial year ``Y-(Y+1)``, as for the estimates.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import LayoutError
from ..panel.exclusions import ExclusionLog
from ..panel.units import resolve_la_numbers, unit_panel
from ..years import fy_label
from . import projection_trends

FAMILY = "population_projection"
MEASURE = "population_0_17"
AGES = [str(age) for age in range(18)]
UPPER_TIER = ("E06", "E08", "E09", "E10")  # unitaries, metropolitan districts, London boroughs, counties


def read_snpp(path: str | Path, source_id: str) -> pd.DataFrame:
    """LA rows (ONS codes) of children aged 0-17 by financial year, in the layout the unit
    panel reads (``source, year, area_level, la_number, ons_code, area_name, measure, value, flag``)."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    needed = {"AREA_CODE", "AREA_NAME", "AGE_GROUP"}
    if not needed <= set(table.columns):
        raise LayoutError(f"{path}: expected the ONS projection columns {sorted(needed)}, found {list(table.columns)}")
    if "COMPONENT" in table:
        table = table[table["COMPONENT"].str.lower() == "population"]
    if "SEX" in table:
        table = table[table["SEX"].str.lower().isin(["persons", "all"])]
    years = [c for c in table.columns if c.isdigit() and len(c) == 4]
    if not years:
        raise LayoutError(f"{path}: no mid-year columns (e.g. 2022) found")
    table = table[table["AREA_CODE"].str.startswith(UPPER_TIER)]
    children = table[table["AGE_GROUP"].isin(AGES)]
    ages = children.groupby("AREA_CODE")["AGE_GROUP"].nunique()
    short = ages[ages < len(AGES)]
    if not short.empty:
        raise LayoutError(f"{path}: areas without every age 0-17: {', '.join(short.index[:5])}")
    values = children[years].apply(lambda c: pd.to_numeric(c.str.replace(",", ""), errors="raise"))
    summed = values.groupby(children["AREA_CODE"]).sum()
    names = children.drop_duplicates("AREA_CODE").set_index("AREA_CODE")["AREA_NAME"]
    long = summed.reset_index().melt(id_vars="AREA_CODE", var_name="mid_year", value_name="value")
    return pd.DataFrame(
        {
            "source": source_id,
            "year": long["mid_year"].astype(int).map(fy_label),
            "area_level": "la",
            "la_number": pd.array([pd.NA] * len(long), dtype="Int64"),
            "ons_code": long["AREA_CODE"],
            "area_name": long["AREA_CODE"].map(names),
            "measure": MEASURE,
            "value": long["value"].astype(float),
            "flag": "",
        }
    )


def unit_projection(rows: pd.DataFrame, geo: pd.DataFrame, units: pd.DataFrame, years: list[str]) -> pd.DataFrame:
    """A projection's LA rows summed into stable units: units x years (missing where its LAs
    do not make up the unit)."""
    resolved = resolve_la_numbers(rows, geo, ExclusionLog())
    panel = unit_panel(resolved, geo, units, years, ExclusionLog())
    la = panel[panel["area_level"] == "la"]
    return la.pivot(index="area_code", columns="year", values="value").reindex(columns=years)


def project(
    history: pd.DataFrame,
    rule: dict,
    future: list[str],
    projection: pd.DataFrame | None = None,
    source: str = "",
) -> tuple[pd.DataFrame, str]:
    """Units x ``future`` years of children aged 0-17, and the sentence saying how.

    ``history`` is units x years of estimates to the origin (its last column). ``projection``,
    units x years of a pinned projection, replaces the trend for the units it covers from the
    origin on (``source`` names it).
    """
    steps = np.arange(1, len(future) + 1)
    trend = pd.DataFrame(projection_trends.extend(history.to_numpy(float), rule, steps), history.index, future)
    how = f"projected by its own {projection_trends.describe(rule)}: no ONS population projection is pinned"
    if projection is None:
        return trend, how
    origin = history.columns[-1]
    cover = projection.reindex(index=history.index, columns=[origin, *future])
    last = history[origin]
    growth = cover[future].div(cover[origin], axis=0)
    pinned = growth.notna().all(axis=1) & last.notna()
    out = trend.copy()
    out.loc[pinned] = growth[pinned].mul(last[pinned], axis=0)
    how = f"projected by the growth from {origin} of the pinned projection {source} applied to the latest estimate"
    if not pinned.all():
        left = ", ".join(history.index[~pinned])
        how += f"; units it does not cover ({left}) by their own {projection_trends.describe(rule)}"
    return out, how


def pinned(
    files: list[str], entries: dict[str, dict], geo: pd.DataFrame, units: pd.DataFrame, years: list[str]
) -> tuple[pd.DataFrame | None, str]:
    """The latest pinned projection (ids sort by release) as units x years, and its id; (None,
    "") when none is pinned."""
    if not entries:
        return None, ""
    source = sorted(entries)[-1]
    path = dict(zip(entries, files))[source]
    return unit_projection(read_snpp(path, source), geo, units, years), source
