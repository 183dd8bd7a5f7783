"""Real terms: rebase a financial-year price index and deflate cash values with it.

``index_table`` is a PRICE_INDEX table (source, index, year, value), e.g. from
``childspend.sources.prices``. Real values are ``value * 100 / index`` with the index rebased
so that ``base_year`` = 100, i.e. in "<base_year> prices".
"""

from __future__ import annotations

import pandas as pd

from . import measures
from .errors import ConfigError
from .tables import sort_table
from .years import fy_label, fy_start


def _coverage(years) -> str:
    """'1955-56 to 2018-19', or the list when there are gaps."""
    starts = sorted(fy_start(y) for y in years)
    if not starts:
        return "no years"
    if starts == list(range(starts[0], starts[-1] + 1)):
        return f"{fy_label(starts[0])} to {fy_label(starts[-1])}"
    return ", ".join(fy_label(y) for y in starts)


def rebase(index: pd.Series, base_year: str) -> pd.Series:
    """The index (by year label) scaled so that ``base_year`` = 100."""
    if base_year not in index.index or pd.isna(index[base_year]):
        raise ConfigError(
            f"price index {index.name!r} has no value for base year {base_year!r}; "
            f"it covers {_coverage(index.dropna().index)}. Set prices.base_year in "
            "config/config.yaml to a covered year, or pin a newer release of the index"
        )
    return index / index[base_year] * 100


INDEX_LABELS = {
    "gdp_deflator_ybgb": "GDP deflator, ONS YBGB",
    "gdp_deflator_hmt_2020_03": "GDP deflator, HM Treasury March 2020",
    "gdp_deflator_hmt_2019_09": "GDP deflator, HM Treasury September 2019",
    "cpih": "CPIH",
}


def price_base(index_name: str, base_year: str) -> str:
    """E.g. "2024-25 prices (GDP deflator, ONS YBGB)"."""
    return f"{base_year} prices ({INDEX_LABELS.get(index_name, index_name)})"


def deflate(values: pd.DataFrame, index_table: pd.DataFrame, index_name: str, base_year: str) -> pd.DataFrame:
    """``values`` plus ``value_real`` (in ``base_year`` prices) and ``price_base`` (its label).

    Every year with a non-missing value must be covered by the index.
    """
    available = sorted(index_table["index"].unique())
    if index_name not in available:
        raise ConfigError(
            f"unknown price index {index_name!r} (prices.index in config/config.yaml); available: {available}"
        )
    rows = index_table[index_table["index"] == index_name]
    dup = rows["year"].duplicated()
    if dup.any():
        raise ConfigError(
            f"price index {index_name!r} has several values for {sorted(rows.loc[dup, 'year'])} "
            "(two vintages under one name?)"
        )
    index = rebase(rows.set_index("year")["value"].rename(index_name), base_year)

    needed = values.loc[values["value"].notna(), "year"].unique()
    uncovered = sorted(set(needed) - set(index.index))
    if uncovered:
        raise ConfigError(
            f"price index {index_name!r} does not cover year(s) {uncovered[:5]}"
            f"{' ...' if len(uncovered) > 5 else ''} of the values; it covers {_coverage(index.index)}. "
            "Choose another prices.index in config/config.yaml, or pin a newer release of this "
            "one (README: Adding a new year)"
        )
    return values.assign(
        value_real=values["value"] * 100 / values["year"].map(index), price_base=price_base(index_name, base_year)
    )


def deflate_panel(panel: pd.DataFrame, index_table: pd.DataFrame, index_name: str, base_year: str) -> pd.DataFrame:
    """Every money measure of the long panel with its real value at ``base_year`` prices."""
    real = deflate(panel[panel["measure"].isin(measures.of_kind("money"))], index_table, index_name, base_year)
    return sort_table(real, ["area_level", "area_code", "year", "measure"])
