"""Data contracts: every parser's output is validated here before anything downstream sees it."""

from __future__ import annotations

import pandas as pd
import pandera.errors
import pandera.pandas as pa

from .errors import ContractError

# "other_body": authorities without children's services duties (shire districts, police, fire,
# the GLA ...) that some returns list; kept for reconciliation, never part of the panel.
AREA_LEVELS = ["la", "region", "england", "other_body"]
YEAR = pa.Column(str, pa.Check.str_matches(r"^\d{4}-\d{2}$"))
FLAG_OK_WHEN_VALUE = pa.Check(
    lambda df: df["value"].isna() | (df["flag"] == ""),
    name="a value carries no flag",
)
FLAG_REQUIRED_WHEN_MISSING = pa.Check(
    lambda df: df["value"].notna() | (df["flag"] != ""),
    name="a missing value carries a flag",
)

# Which file, which year, which area: the first columns of every parsed table.
WHERE = {
    "source": pa.Column(str),
    "year": YEAR,
    "area_level": pa.Column(str, pa.Check.isin(AREA_LEVELS)),
    "la_number": pa.Column("Int64", pa.Check.in_range(100, 999), nullable=True),
    "ons_code": pa.Column(str, pa.Check.str_matches(r"^(E\d{8})?$")),
    "area_name": pa.Column(str),
}
VALUE = {"value": pa.Column(float, nullable=True)}
FLAG = {"flag": pa.Column(str)}


def _long_table(columns: dict, extra_checks: list | None = None) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        columns,
        checks=[FLAG_OK_WHEN_VALUE, FLAG_REQUIRED_WHEN_MISSING, *(extra_checks or [])],
        strict=True,
        ordered=True,
        coerce=True,
    )


# One row per area x year x line x measure, in the publisher's own units.
SPENDING = _long_table(
    {
        **WHERE,
        "line": pa.Column(str),
        "category": pa.Column(str),
        "measure": pa.Column(str),
        **VALUE,
        "unit": pa.Column(str, pa.Check.isin(["GBP", "GBP thousand"])),
        **FLAG,
    },
    [
        pa.Check(
            lambda df: (df["area_level"] != "la") | df["la_number"].notna() | (df["ons_code"] != ""),
            name="an LA row has an LA number or an ONS code",
        )
    ],
)

# LA reference: every LA, live or terminated, with its codes and region.
GEOGRAPHY = pa.DataFrameSchema(
    {
        "la_number": pa.Column("Int64", pa.Check.in_range(100, 999)),
        "ons_code": pa.Column(str, pa.Check.str_matches(r"^E\d{8}$")),
        "la_name": pa.Column(str),
        "region_code": pa.Column(str, pa.Check.str_matches(r"^E\d{8}$")),
        "region_name": pa.Column(str),
        "date_of_operation": pa.Column("datetime64[ns]", nullable=True),
        "date_of_termination": pa.Column("datetime64[ns]", nullable=True),
    },
    unique=["ons_code"],
    strict=True,
    ordered=True,
    coerce=True,
)

SPENDING_COLUMNS = list(SPENDING.columns)

# Activity and context measures (children looked after, children in need, population,
# deprivation): one row per area x year x measure. ``year`` is the financial year whose end
# (31 March) is the count date, or whose start year is the mid-year population estimate, so
# counts at 31 March 2024 and the mid-2023 population both sit in "2023-24".
ACTIVITY = _long_table(
    {
        **WHERE,
        "measure": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$")),
        **VALUE,
        "unit": pa.Column(str, pa.Check.isin(["count", "rate_per_10000", "percent", "score", "rank", "people"])),
        **FLAG,
    },
)
ACTIVITY_COLUMNS = list(ACTIVITY.columns)

# Price indices by financial year (e.g. a GDP deflator averaged April-March).
PRICE_INDEX = pa.DataFrameSchema(
    {
        "source": pa.Column(str),
        "index": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$")),
        "year": YEAR,
        "value": pa.Column(float, pa.Check.gt(0)),
    },
    unique=["index", "year"],
    strict=True,
    ordered=True,
    coerce=True,
)
PRICE_INDEX_COLUMNS = list(PRICE_INDEX.columns)

# DfE statistical neighbours: one row per list vintage x list (current, or old: LAs since
# abolished) x LA x rank (1 = nearest). A placeholder row (an LA created after the list was
# computed) has no neighbour and carries the marker as its flag.
CLOSENESS = ["extremely close", "very close", "close", "somewhat close", "not close"]
NEIGHBOURS = pa.DataFrameSchema(
    {
        "source": pa.Column(str),
        "vintage": pa.Column(str, pa.Check.str_length(min_value=1)),
        "list": pa.Column(str, pa.Check.isin(["current", "old"])),
        "la_number": pa.Column("Int64", pa.Check.in_range(100, 999)),
        "la_name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "region_name": pa.Column(str),
        "rank": pa.Column(int, pa.Check.in_range(1, 10)),
        "neighbour_la_number": pa.Column("Int64", pa.Check.in_range(100, 999), nullable=True),
        "closeness": pa.Column(str, pa.Check.isin([*CLOSENESS, ""])),
        "flag": pa.Column(str),
    },
    checks=[
        pa.Check(
            lambda df: df["neighbour_la_number"].isna() == (df["flag"] != ""),
            name="a neighbour is missing exactly when the row carries a flag",
        ),
        pa.Check(
            lambda df: (df["closeness"] == "") == (df["flag"] != ""),
            name="a neighbour has a closeness label",
        ),
        pa.Check(
            lambda df: (df["neighbour_la_number"] != df["la_number"]).fillna(True),
            name="an LA is not its own neighbour",
        ),
        pa.Check(
            lambda df: df.groupby(["source", "list", "la_number"])["rank"].transform("size") == 10,
            name="ten neighbours per LA and list",
        ),
    ],
    unique=["source", "list", "la_number", "rank"],
    strict=True,
    ordered=True,
    coerce=True,
)
NEIGHBOUR_COLUMNS = list(NEIGHBOURS.columns)


# The joined panel, long: one row per area x financial year x measure, every combination present
# (a missing value carries a flag saying why). This is the table the models and reports read.
PANEL_AREA_CODE = r"^(\d{3}|E12\d{6}|E92000001)$"


def _complete_grid(df: pd.DataFrame) -> bool:
    return len(df) == df["area_code"].nunique() * df["year"].nunique() * df["measure"].nunique()


PANEL_LONG = pa.DataFrameSchema(
    {
        "area_level": pa.Column(str, pa.Check.isin(["la", "region", "england"])),
        "area_code": pa.Column(str, pa.Check.str_matches(PANEL_AREA_CODE)),
        "area_name": pa.Column(str, pa.Check.str_length(min_value=1)),
        "region_code": pa.Column(str, pa.Check.str_matches(r"^(E12\d{6})?$")),
        "region_name": pa.Column(str),
        "year": YEAR,
        "measure": pa.Column(str, pa.Check.str_matches(r"^[a-z0-9_]+$")),
        "value": pa.Column(float, nullable=True),
        "flag": pa.Column(str),
        "source": pa.Column(str),
        "units_expected": pa.Column(int, pa.Check.ge(1)),
        "units_reporting": pa.Column(int, pa.Check.ge(0)),
    },
    checks=[
        FLAG_REQUIRED_WHEN_MISSING,
        pa.Check(lambda df: df["units_reporting"] <= df["units_expected"], name="units reporting <= units expected"),
        pa.Check(lambda df: (df["area_level"] != "la") | (df["region_code"] != ""), name="a unit has a region"),
        pa.Check(lambda df: (df["area_level"] != "la") | (df["units_expected"] == 1), name="a unit is one unit"),
        pa.Check(_complete_grid, element_wise=False, name="every area x year x measure present"),
    ],
    unique=["area_level", "area_code", "year", "measure"],
    strict=True,
    ordered=True,
)

# The joined panel, wide: one row per area and year, one float column per measure.
PANEL_WIDE = pa.DataFrameSchema(
    {
        **{name: PANEL_LONG.columns[name] for name in ["area_level", "area_code", "area_name", "region_code"]},
        "region_name": pa.Column(str),
        "year": YEAR,
        r"^(?!area_|region_|year$)[a-z0-9_]+$": pa.Column(float, nullable=True, regex=True),
    },
    unique=["area_level", "area_code", "year"],
    strict=True,
    ordered=True,
)


def check_contract(schema: pa.DataFrameSchema, table: pd.DataFrame, what: str, error=ContractError) -> pd.DataFrame:
    """``table`` validated against ``schema`` (every failure collected), else ``error`` listing the
    first failures."""
    try:
        return schema.validate(table, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        raise error(f"{what} breaks its data contract:\n{exc.failure_cases.head(20).to_string()}") from None
