"""Data dictionary of the panel: what each column is, its unit, source, years and caveats."""

from __future__ import annotations

import pandas as pd

from ..measures import registry

META = [
    ("area_level", "", "la (stable unit), region or england", ""),
    ("area_code", "", "stable unit id (a DfE LA number), region ONS code, or E92000001", ""),
    ("area_name", "", "unit, region or England name", ""),
    ("region_code", "", "ONS region code of the unit", ""),
    ("region_name", "", "region name", ""),
    ("year", "", "financial year, 1 April to 31 March, e.g. 2023-24; counts at 31 March 2024 sit in 2023-24", ""),
]


def build(panel: pd.DataFrame) -> pd.DataFrame:
    """The dictionary rows: the area columns, then each panel measure as measures.csv describes it."""
    measures = registry().set_index("measure")
    unknown = sorted(set(panel["measure"]) - set(measures.index))
    if unknown:
        raise KeyError(f"panel measures not in childspend/measures.csv: {unknown}; add a row for each")
    rows = [dict(column=c, unit=u, description=d, source=s, years_available="", notes="") for c, u, d, s in META]
    for measure in sorted(panel["measure"].unique()):
        entry = measures.loc[measure]
        years = sorted(panel.loc[(panel["measure"] == measure) & panel["value"].notna(), "year"].unique())
        span = f"{years[0]} to {years[-1]} ({len(years)} years)" if years else "none"
        rows.append(
            dict(
                column=measure,
                unit=entry["unit"],
                description=entry["description"],
                source=entry["source"],
                years_available=span,
                notes=entry["caveats"],
            )
        )
    return pd.DataFrame(rows)
