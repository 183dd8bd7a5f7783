"""Price-index parser: hand-made fixtures in the ONS generator CSV, HMT workbook and HMT .rda layouts."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pyreadr
import pytest
from workbooks import write_workbook

from childspend.contracts import PRICE_INDEX, PRICE_INDEX_COLUMNS
from childspend.errors import LayoutError
from childspend.sources import prices

MIRROR = Path(__file__).resolve().parents[2] / "shared" / "data" / "prices"
YBGB = MIRROR / "ons-ybgb-2025-06" / "series-ybgb.csv"
HMT_2020 = MIRROR / "hmt-2020-03" / "GDP_Deflators_Budget_March_2020_update.xlsx"
HMT_2019 = MIRROR / "hmt-2019-09" / "gdp_deflator.rda"

# ONS generator CSV: metadata rows, annual rows, then quarterly rows. 2017 Q1-Q4 and 2018 Q1
# make 2017-18; 2018 Q3 is missing, so 2018-19 is not produced; 2016 Q1 alone (the tail of
# 2015-16) and 2019 Q2 (the start of 2019-20) are incomplete years too.
ONS_YBGB = """\
"Title","Gross domestic product at market prices:Implied deflator:SA"
"CDID","YBGB"
"Source dataset ID","UKEA"
"PreUnit","£"
"Unit","m"
"Release date","30-06-2025"
"Next release","30 September 2025"
"Important notes",
"2016","85.2"
"2017","86.7"
"2018","88.4"
"2016 Q1","84.0"
"2017 Q1","86.0"
"2017 Q2","86.4"
"2017 Q3","86.9"
"2017 Q4","87.1"
"2018 Q1","87.6"
"2018 Q2","88.0"
"2018 Q4","89.0"
"2019 Q1","89.2"
"2019 Q2","89.9"
"""

# CPIH: annual, quarterly and monthly rows; the months of 2019-20 complete, 2020-21 lacks MAR 2021.
MONTHS_2019_20 = [
    "2019 APR",
    "2019 MAY",
    "2019 JUN",
    "2019 JUL",
    "2019 AUG",
    "2019 SEP",
    "2019 OCT",
    "2019 NOV",
    "2019 DEC",
    "2020 JAN",
    "2020 FEB",
    "2020 MAR",
]
ONS_CPIH = (
    "\n".join(
        [
            '"Title","CPIH INDEX 00: ALL ITEMS 2015=100"',
            '"CDID","L522"',
            '"Source dataset ID","MM23"',
            '"PreUnit",""',
            '"Unit","Index, base year = 100"',
            '"Release date","16-07-2025"',
            '"Next release","20 August 2025"',
            '"Important notes",',
            '"2019","107.8"',
            '"2019 Q2","107.9"',
        ]
        + [f'"{m}","{100 + i}"' for i, m in enumerate(MONTHS_2019_20)]
        + [f'"{m.replace("2020", "2021").replace("2019", "2020")}","120"' for m in MONTHS_2019_20[:-1]]
    )
    + "\n"
)

# HM Treasury workbook: titles, the financial-year block (index, % change, money GDP) beside a
# calendar-year block, forecast years with "-" as the index and footnote marks, then footnotes.
HMT_GRID = [
    [None, "GDP DEFLATORS AT MARKET PRICES, AND MONEY GDP", None, None, None, None, None, None],
    [None, None, None, None, None, None, None, None],
    [None, "Financial year", None, None, None, None, "Calendar year", None],
    [
        None,
        None,
        "GDP deflator at market prices",
        None,
        "Money GDP (3), (4)",
        None,
        None,
        "GDP deflator at market prices",
    ],
    [
        None,
        "Financial year",
        "2018-19 = 100",
        "per cent change on previous year",
        "Cash £ million",
        None,
        "Calendar year",
        "2019 = 100",
    ],
    [None, "2016-17", 96.0, None, 1_900_000, None, 2016, 94.3],
    [None, "2017-18", 98.0, 2.083333, 1_950_000, None, 2017, 96.1],
    [None, "2018-19", 100, 2.040816, 2_000_000, None, 2018, 98.2],
    [None, "2019-20 (1), (2)", "-", 1.9, 2_050_000, None, 2019, 100],
    [None, "Sources and footnotes:", None, None, None, None, None, None],
    [
        None,
        "(1)",
        "For years 2019-20 ... this presentation only shows percentage changes",
        None,
        None,
        None,
        None,
        None,
    ],
]


def write_text(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "series.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_ons_quarters_to_financial_years(tmp_path, caplog):
    with caplog.at_level(logging.INFO):
        table = prices.parse(write_text(tmp_path, ONS_YBGB), "ons_ybgb_test", "2025-06")
    assert list(table.columns) == PRICE_INDEX_COLUMNS
    PRICE_INDEX.validate(table)
    # Only 2017-18 (Q2 2017 .. Q1 2018) is complete; never a mean of three quarters.
    assert table["year"].tolist() == ["2017-18"]
    assert table["value"].iloc[0] == pytest.approx((86.4 + 86.9 + 87.1 + 87.6) / 4)
    assert table["index"].iloc[0] == "gdp_deflator_ybgb" and table["source"].iloc[0] == "ons_ybgb_test"
    assert "2018-19 not produced: 3 of 4 quarters" in caplog.text
    assert "2015-16 not produced: 1 of 4" in caplog.text and "2019-20 not produced: 1 of 4" in caplog.text


def test_ons_blank_value_is_a_missing_quarter(tmp_path):
    text = ONS_YBGB.replace('"2017 Q3","86.9"', '"2017 Q3",""')
    assert prices.parse(write_text(tmp_path, text), "t", "2025-06").empty


def test_cpih_months_to_financial_years(tmp_path, caplog):
    with caplog.at_level(logging.INFO):
        table = prices.parse(write_text(tmp_path, ONS_CPIH), "ons_cpih_test", "2025-07")
    assert table["year"].tolist() == ["2019-20"] and table["index"].tolist() == ["cpih"]
    assert table["value"].iloc[0] == pytest.approx(105.5)  # mean of 100..111; the Q2 row is ignored
    assert "2020-21 not produced: 11 of 12 months" in caplog.text


def test_ons_unknown_series(tmp_path):
    with pytest.raises(LayoutError, match=r"series\.csv.*CDID 'ABMI'"):
        prices.parse(write_text(tmp_path, ONS_YBGB.replace("YBGB", "ABMI")), "t", "2025-06")


def test_ons_text_among_the_periods(tmp_path):
    with pytest.raises(LayoutError, match=r"series\.csv: row 15 .*not a period"):
        prices.parse(write_text(tmp_path, ONS_YBGB.replace('"2017 Q3"', '"Q3 2017"')), "t", "2025-06")


def test_hmt_workbook(tmp_path, caplog):
    path = write_workbook(tmp_path / "deflators.xlsx", {"11032020 deflator update": HMT_GRID})
    with caplog.at_level(logging.INFO):
        table = prices.parse(path, "hmt_test", "2020-03")
    PRICE_INDEX.validate(table)
    assert table["year"].tolist() == ["2016-17", "2017-18", "2018-19"]  # the forecast year is skipped
    assert table["value"].tolist() == [96.0, 98.0, 100.0]
    assert set(table["index"]) == {"gdp_deflator_hmt_2020_03"}
    assert "forecast year(s) skipped" in caplog.text and "2019-20" in caplog.text


def test_hmt_workbook_text_in_the_index_column(tmp_path):
    grid = [row[:] for row in HMT_GRID]
    grid[6][2] = ".."
    path = write_workbook(tmp_path / "deflators.xlsx", {"Deflators": grid})
    with pytest.raises(
        LayoutError, match=r"deflators\.xlsx \(sheet 'Deflators', column C '2018-19 = 100'\).*2017-18.*'\.\.'"
    ):
        prices.parse(path, "hmt_test", "2020-03")


def test_hmt_workbook_percent_change_disagrees(tmp_path):
    grid = [row[:] for row in HMT_GRID]
    grid[6][3] = 5.0  # the index grows 2.08% in 2017-18
    path = write_workbook(tmp_path / "deflators.xlsx", {"Deflators": grid})
    with pytest.raises(LayoutError, match="per cent change"):
        prices.parse(path, "hmt_test", "2020-03")


def test_hmt_workbook_without_index_header(tmp_path):
    grid = [row[:] for row in HMT_GRID]
    grid[4][2] = "Index"
    path = write_workbook(tmp_path / "deflators.xlsx", {"Deflators": grid})
    with pytest.raises(LayoutError, match=r"deflators\.xlsx: no sheet .*'2018-19 = 100'.*\['Deflators'\]"):
        prices.parse(path, "hmt_test", "2020-03")


def test_hmt_period_must_name_the_vintage(tmp_path):
    path = write_workbook(tmp_path / "deflators.xlsx", {"Deflators": HMT_GRID})
    with pytest.raises(LayoutError, match="period 'March 2020'"):
        prices.parse(path, "hmt_test", "March 2020")


def write_rda(tmp_path: Path, years: list[int], factors: list[float]) -> Path:
    path = tmp_path / "gdp_deflator.rda"
    frame = pd.DataFrame({"financial_year": pd.array(years, dtype="Int32"), "percent_change": factors})
    pyreadr.write_rdata(path, frame, df_name="gdp_deflator")
    return path


def test_hmt_rda_chains_growth_factors(tmp_path):
    # 2017 = 2017-18 grew 2% on 2016-17; 2018-19 grew 5%; 2019-20 grew 1%.
    table = prices.parse(write_rda(tmp_path, [2017, 2018, 2019], [1.02, 1.05, 1.01]), "hmt_rda", "2019-09")
    PRICE_INDEX.validate(table)
    assert table["year"].tolist() == ["2016-17", "2017-18", "2018-19", "2019-20"]
    assert table["value"].tolist() == pytest.approx([100 / 1.05 / 1.02, 100 / 1.05, 100, 101])
    assert set(table["index"]) == {"gdp_deflator_hmt_2019_09"}


def test_hmt_rda_rebases_to_latest_year_without_2018_19(tmp_path):
    table = prices.parse(write_rda(tmp_path, [2010, 2011], [1.02, 1.01]), "hmt_rda", "2019-09")
    assert table.set_index("year")["value"].to_dict() == pytest.approx(
        {"2009-10": 100 / 1.0302, "2010-11": 100 / 1.01, "2011-12": 100}
    )


def test_hmt_rda_percentages_are_refused(tmp_path):
    with pytest.raises(LayoutError, match="'percent_change' is not a growth factor"):
        prices.parse(write_rda(tmp_path, [2017, 2018], [2.0, 1.9]), "hmt_rda", "2019-09")


@pytest.mark.e2e
@pytest.mark.skipif(not YBGB.exists() or not HMT_2020.exists(), reason="needs the official mirror in ../shared/data")
def test_real_ybgb_and_hmt():
    ybgb = prices.parse(YBGB, "ons_ybgb_2025-06", "2025-06").set_index("year")["value"]
    hmt = prices.parse(HMT_2020, "hmt_gdp_deflator_2020-03", "2020-03").set_index("year")["value"]
    assert (ybgb.index[0], ybgb.index[-1], len(ybgb)) == ("1955-56", "2024-25", 70)
    assert ybgb["2018-19"] == pytest.approx((88.1 + 88.6 + 89.3 + 89.3) / 4)  # 2018 Q2 .. 2019 Q1
    assert (hmt.index[0], hmt.index[-1]) == ("1955-56", "2018-19")  # forecasts have no index level
    assert hmt["2018-19"] == 100 and hmt["2010-11"] == pytest.approx(87.043975)
    # Same concept, different vintages (and YBGB rounded to 1 dp): growth within ~1 pp a year.
    growth = lambda s: s.pct_change() * 100  # noqa: E731
    diff = (growth(ybgb) - growth(hmt)).dropna()
    assert len(diff) == 63 and diff.abs().max() < 1.2 and diff.abs().mean() < 0.4
    if HMT_2019.exists():
        hmt19 = prices.parse(HMT_2019, "hmt_gdp_deflator_2019-09", "2019-09").set_index("year")["value"]
        assert hmt19["2018-19"] == pytest.approx(100)
        # The .rda's 1956 factor 1.062732 is ~ the workbook's 6.273373% for 1956-57 (same outturn to ~0.002 pp).
        assert growth(hmt19)["1956-57"] == pytest.approx(6.273373, abs=2e-3)
