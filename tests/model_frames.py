"""Hand-made model frames in the layout of results/models/frame.parquet (childspend.models.frame)."""

from __future__ import annotations

import pandas as pd

from childspend.models.frame import COLUMNS

PRICE_BASE = "2024-25 prices (test deflator)"
VINTAGE = "test population vintage"


def long_frame(wide: pd.DataFrame) -> pd.DataFrame:
    """Unit LA rows from a wide table indexed by (area_code, year), one column per measure, with
    optional area_name and region_code columns."""
    labels = [c for c in ("area_name", "region_code") if c in wide]
    long = wide.drop(columns=labels).stack(future_stack=True).rename("value").reset_index()
    long.columns = ["area_code", "year", "measure", "value"]
    areas = wide.reset_index().drop_duplicates("area_code").set_index("area_code")
    codes = long["area_code"]
    long["area_level"] = "la"
    long["area_name"] = codes.map(areas["area_name"]) if "area_name" in wide else "Area " + codes
    long["region_code"] = codes.map(areas["region_code"]) if "region_code" in wide else "E12000001"
    long["region_name"] = ""
    long["flag"] = ""
    long["unit"] = ""
    long["price_base"] = PRICE_BASE
    long["population_vintage"] = VINTAGE
    return long[COLUMNS]
