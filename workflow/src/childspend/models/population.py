"""One consistent child population for the models: the Census-2021-based series, spliced back.

The mirror holds population estimates of two ONS vintages: DfE's 2025 release (mid-2012 on,
revised to the 2021 Census) and older ones (DfE's 2022 release and the Nomis age bands, both
before the Census revision, about 2.5% higher for England by mid-2020). The panel takes the
latest release that gives a value, so its population mixes vintages (before mid-2012, and
where the 2025 release suppresses a value). The models use one vintage: the newest release's
values, and where it has none, an older series scaled per area by the ratio of the two at the
first year both cover. Each spliced value is flagged ``spliced:<source id>``.
"""

from __future__ import annotations

import pandas as pd

from ..panel.exclusions import ExclusionLog
from ..panel.units import resolve_la_numbers, unit_panel

MEASURE = "population_0_17"
# The Nomis file keeps its mid-2012 on estimates under this name (see sources/population.py).
CHECK_MEASURE = "population_0_17_nomis_estimate"


def _unit_series(rows: pd.DataFrame, geo: pd.DataFrame, units: pd.DataFrame, years: list[str]) -> pd.Series:
    """One source's 0-17 population per stable unit and year (units with a complete set of members)."""
    rows = rows.assign(measure=MEASURE)
    panel = unit_panel(rows, geo, units, years, ExclusionLog())
    la = panel[(panel["area_level"] == "la") & panel["value"].notna()]
    return la.set_index(["area_code", "year"])["value"]


def spliced_population(
    population: pd.DataFrame, geo: pd.DataFrame, units: pd.DataFrame, years: list[str]
) -> tuple[pd.DataFrame, str]:
    """Per stable unit and year: ``value`` (children aged 0-17), ``flag`` and ``source``; and the
    vintage text that every model output carries.

    ``population`` is the population ingest table (every release). A unit-year no series covers
    is missing with flag ``no_data``.
    """
    rows = resolve_la_numbers(population[population["measure"].isin([MEASURE, CHECK_MEASURE])], geo, ExclusionLog())
    sources = sorted(rows["source"].unique(), reverse=True)  # newest release first
    series = {s: _unit_series(rows[rows["source"] == s], geo, units, years) for s in sources}
    base, *older = sources
    grid = pd.MultiIndex.from_product([sorted(units["unit_id"].unique()), years], names=["area_code", "year"])
    value = series[base].reindex(grid)
    source = pd.Series(base, index=grid).where(value.notna(), "")
    for other in older:
        both = pd.concat({"base": series[base], "other": series[other]}, axis=1).dropna()
        first = both.reset_index().sort_values("year").drop_duplicates("area_code").set_index("area_code")
        ratio = first["base"] / first["other"]
        scaled = series[other] * series[other].index.get_level_values("area_code").map(ratio)
        fill = value.isna() & scaled.reindex(grid).notna()
        value[fill] = scaled.reindex(grid)[fill]
        source[fill] = other
    out = pd.DataFrame({"value": value, "source": source}).reset_index()
    out["flag"] = ""
    spliced = (out["source"] != base) & (out["source"] != "")
    out.loc[spliced, "flag"] = "spliced:" + out.loc[spliced, "source"]
    out.loc[out["value"].isna(), "flag"] = "no_data"
    vintage = (
        f"ONS mid-year estimates of children aged 0-17, Census 2021-based ({base}); years and areas it "
        f"lacks spliced back per area at the first year both cover, from {', '.join(older)}"
    )
    return out[["area_code", "year", "value", "flag", "source"]], vintage
