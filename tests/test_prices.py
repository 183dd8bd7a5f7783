"""Rebasing and deflating with a financial-year price index."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from childspend.errors import ConfigError
from childspend.prices import deflate, rebase
from childspend.sources.prices import financial_year_mean

INDEX_TABLE = pd.DataFrame(
    {
        "source": "test",
        "index": ["gdp_deflator_test"] * 3 + ["cpih"] * 2,
        "year": ["2016-17", "2017-18", "2018-19", "2017-18", "2018-19"],
        "value": [80.0, 90.0, 100.0, 104.0, 106.0],
    }
)


def test_rebase():
    index = pd.Series([80.0, 90.0, 100.0], index=["2016-17", "2017-18", "2018-19"], name="x")
    assert rebase(index, "2017-18").tolist() == pytest.approx([800 / 9, 100, 1000 / 9])


def test_rebase_outside_the_index():
    index = pd.Series([80.0, 90.0], index=["2016-17", "2017-18"], name="gdp_deflator_test")
    with pytest.raises(
        ConfigError, match=r"'gdp_deflator_test' has no value for base year '2024-25'.*2016-17 to 2017-18"
    ):
        rebase(index, "2024-25")


def test_deflate():
    values = pd.DataFrame(
        {"la": ["A", "A", "B"], "year": ["2016-17", "2018-19", "2016-17"], "value": [40.0, 55.0, 8.0]}
    )
    out = deflate(values, INDEX_TABLE, "gdp_deflator_test", "2018-19")
    assert out["value_real"].tolist() == pytest.approx([50.0, 55.0, 10.0])
    assert list(out.columns) == ["la", "year", "value", "value_real", "price_base"]
    assert set(out["price_base"]) == {"2018-19 prices (gdp_deflator_test)"}
    assert values.columns.tolist() == ["la", "year", "value"]  # the input is untouched


def test_deflate_missing_value_in_an_uncovered_year_is_fine():
    values = pd.DataFrame({"year": ["2015-16", "2017-18"], "value": [np.nan, 90.0]})
    out = deflate(values, INDEX_TABLE, "gdp_deflator_test", "2017-18")
    assert np.isnan(out["value_real"].iloc[0]) and out["value_real"].iloc[1] == pytest.approx(90.0)


def test_deflate_year_not_covered():
    values = pd.DataFrame({"year": ["2015-16", "2017-18", "2019-20"], "value": [1.0, 2.0, 3.0]})
    with pytest.raises(
        ConfigError, match=r"'gdp_deflator_test' does not cover year\(s\) \['2015-16', '2019-20'\].*2016-17 to 2018-19"
    ):
        deflate(values, INDEX_TABLE, "gdp_deflator_test", "2017-18")


def test_deflate_base_year_not_covered():
    values = pd.DataFrame({"year": ["2017-18"], "value": [1.0]})
    with pytest.raises(ConfigError, match=r"'cpih' has no value for base year '2016-17'.*2017-18 to 2018-19"):
        deflate(values, INDEX_TABLE, "cpih", "2016-17")


def test_deflate_unknown_index():
    values = pd.DataFrame({"year": ["2017-18"], "value": [1.0]})
    with pytest.raises(
        ConfigError,
        match=r"unknown price index 'rpi' \(prices.index in config/config.yaml\); available: \['cpih', 'gdp_deflator_test'\]",
    ):
        deflate(values, INDEX_TABLE, "rpi", "2017-18")


def test_financial_year_mean_of_quarters():
    # Q2-Q4 of 2020 and Q1 2021 make 2020-21; 2021-22 lacks Q4 2021 and is not produced.
    periods = pd.DataFrame(
        {
            "year": [2020, 2020, 2020, 2021, 2021, 2021, 2022],
            "quarter": [2, 3, 4, 1, 2, 3, 1],
            "value": [1.0, 2.0, 3.0, 6.0, 7.0, 8.0, 9.0],
        }
    )
    mean = financial_year_mean(periods, "quarter", 4, "test")
    assert mean.to_dict() == {2020: 3.0}


def test_financial_year_mean_of_months():
    periods = pd.DataFrame(
        {"year": [2019] * 9 + [2020] * 3, "month": list(range(4, 13)) + [1, 2, 3], "value": np.arange(12, dtype=float)}
    )
    assert financial_year_mean(periods, "month", 12, "test").to_dict() == {2019: 5.5}
