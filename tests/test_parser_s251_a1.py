"""S251 outturn Table A1 parser: hand-made fixtures in the official layouts, plus the real mirror."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pandas as pd
import pytest
from workbooks import write_workbook

from childspend.contracts import SPENDING, SPENDING_COLUMNS
from childspend.errors import LayoutError
from childspend.sources import s251_a1

MIRROR = Path(__file__).resolve().parents[2] / "shared" / "data" / "dfe-s251-outturn"
INCL = "TOTAL CHILDREN AND YOUNG PEOPLES SERVICES BUDGET (including CERA)"
EXCL = "TOTAL CHILDREN AND YOUNG PEOPLES SERVICES BUDGET (excluding CERA)"
CERA_0809 = "45 Capital Expenditure from Revenue (CERA) (Childrens and young peoples services"

# 2008-09 (s251ye2009.xls): title rows, header on row 4, line number inside the line text, LA
# names with trailing spaces; Bedfordshire (820) is a pre-April-2009 county. 820 has a
# suppressed income ("x") on line 2 and both LAs a blank gross CERA cell.
A1_2008_09 = [
    ["S52 Outturn 2008-09 - Table A1", None, None, None, None, None, None, None, None],
    [
        "Cash terms figures as reported by local authorities as at 8th December 2009.",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ],
    [None, None, None, None, None, None, None, None, None],
    [
        "LEA Number:",
        "LA Name:",
        "S52 Line Reference:",
        "PRIVATE (x)",
        "VOLUNTARY (y)",
        "PUBLIC (z)",
        "TOTAL EXPENDITURE (k)",
        "INCOME (l)",
        "NET Current Expenditure (m)",
    ],
    [201, "City of London  ", "1 Secure accommodation (youth justice)", 0, 0, 100, 100, 0, 100],
    [201, "City of London  ", "2 Youth offender teams", 0, 0, 250, 250, 50, 200],
    [201, "City of London  ", "4 Total Youth Justice", 0, 0, 350, 350, 50, 300],
    [201, "City of London  ", "34 Adoption services", 0, 1000, 0, 1000, 200, 800],
    [201, "City of London  ", CERA_0809, None, None, None, None, 0, 0],
    [201, "City of London  ", "46 " + EXCL, None, None, None, 1350, 250, 1100],
    [201, "City of London  ", "47 " + INCL, None, None, None, 1350, 250, 1100],
    [820, "Bedfordshire ", "1 Secure accommodation (youth justice)", 0, 0, 10, 10, 0, 10],
    [820, "Bedfordshire ", "2 Youth offender teams", 0, 0, 20.5, 20.5, "x", 20.5],
    [820, "Bedfordshire ", "4 Total Youth Justice", 0, 0, 30.5, 30.5, 0, 30.5],
    [820, "Bedfordshire ", "34 Adoption services", 5, 0, 0, 5, 0, 5],
    [820, "Bedfordshire ", CERA_0809, None, None, None, None, 0, 0],
    [820, "Bedfordshire ", "46 " + EXCL, None, None, None, 35.5, 0, 35.5],
    [820, "Bedfordshire ", "47 " + INCL, None, None, None, 35.5, 0, 35.5],
]

# 2010-11 (s251ye2011.xls): header on row 4, the line number in its own "Line" column, a
# ReturnStatus column; commissioning and social work (39) sits outside every block; the memo
# line 52 has no income or net. A blank row and a footnote follow the data.
A1_2010_11 = [
    [
        "S251 Outturn 2010-11 - Table A1",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ],
    [
        "Cash terms figures as reported by local authorities as at 9th January 2012",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ],
    [None, None, None, None, None, None, None, None, None, None, None, None, None, None, None],
    [
        "LA",
        "LA Name",
        "ReturnStatus",
        "Line",
        "S52 Line Reference",
        "Own Provision (y)",
        "Private (z(i))",
        "Other Public (z(ii))",
        "Voluntary (z(iii))",
        "Total Expenditure (k)",
        "Income (l)",
        "NET Current Expenditure (m)",
        "Govt. Grants Inside AEF (n)",
        "Govt. Grants Outside AEF (o)",
        "LEA NET Revenue Expenditure (p)",
    ],
    [202, "Camden", "Submitted", 31, "Adoption services", 500, 0, 0, 0, 500, 100, 400, 0, 0, 400],
    [202, "Camden", "Submitted", 33, "Other children's and families services", 100, 0, 0, 0, 100, 0, 100, 0, 0, 100],
    [
        202,
        "Camden",
        "Submitted",
        34,
        "Total Other Children's and Families Services",
        600,
        0,
        0,
        0,
        600,
        100,
        500,
        0,
        0,
        500,
    ],
    [202, "Camden", "Submitted", 39, "Commissioning and social work", 2000, 0, 0, 0, 2000, 0, 2000, 0, 0, 2000],
    [
        202,
        "Camden",
        "Submitted",
        48,
        "Capital Expenditure from Revenue (CERA) (Children's and young people's services)",
        None,
        None,
        None,
        None,
        7,
        0,
        7,
        None,
        None,
        None,
    ],
    [
        202,
        "Camden",
        "Submitted",
        49,
        "TOTAL CHILDREN AND YOUNG PEOPLE'S SERVICES BUDGET (including CERA)",
        None,
        None,
        None,
        None,
        2607,
        100,
        2507,
        None,
        None,
        None,
    ],
    [
        202,
        "Camden",
        "Submitted",
        50,
        "TOTAL CHILDREN AND YOUNG PEOPLE'S SERVICES BUDGET (excluding CERA)",
        None,
        None,
        None,
        None,
        2600,
        100,
        2500,
        None,
        None,
        None,
    ],
    [
        202,
        "Camden",
        "Submitted",
        52,
        "Youth work - (memorandum expenditure Included in\xa0lines 41 and 42 above)",
        None,
        None,
        None,
        None,
        300,
        None,
        None,
        None,
        None,
        None,
    ],
    [None, None, None, None, None, None, None, None, None, None, None, None, None, None, None],
    [
        "Source: Section 251 outturn returns",
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
    ],
]

# 2018-19 (S251ye2019.xlsx): header on row 1, an "ident" column first, numbered line text, no
# OrderLine on some total lines; LA 420 has a ".." (not available) social work income.
A1_HEADER_2018_19 = [
    "ident",
    "LA",
    "LA Name",
    "ReportGroup",
    "OrderLine",
    "Description",
    "s251line",
    "OwnProvision",
    "PrivateProvision",
    "OtherPublic",
    "Voluntary",
    "TotalExpenditure",
    "Income",
    "NetCurrentExpenditure",
    "GovGrantsInsideAEF",
    "GovGrantsOutsideAEF",
    "LEANetRevenueExpenditure",
]
A1_2018_19 = [
    A1_HEADER_2018_19,
    [
        1,
        201,
        "City of London",
        "CHILDREN LOOKED AFTER",
        9,
        "3.1.3 Adoption services",
        "3.1.3",
        23797.92,
        0,
        0,
        0,
        23797.92,
        2366,
        21431.92,
        0,
        0,
        21431.92,
    ],
    [
        1,
        201,
        "City of London",
        "CHILDREN LOOKED AFTER",
        17,
        "3.1.11 Total Children Looked After",
        "3.1.11",
        None,
        None,
        None,
        None,
        23797.92,
        2366,
        21431.92,
        None,
        None,
        None,
    ],
    [
        1,
        201,
        "City of London",
        "SAFEGUARDING CHILDREN AND YOUNG PEOPLE'S SERVICES",
        19,
        "3.3.1 Social work (including LA functions in relation to child protection)",
        "3.3.1",
        1000,
        0,
        0,
        0,
        1000,
        0,
        1000,
        0,
        0,
        1000,
    ],
    [
        1,
        201,
        "City of London",
        "YOUTH JUSTICE",
        33,
        "4.0.1 Capital Expenditure from Revenue (CERA) (Children's and young people services)",
        "4.0.1",
        None,
        None,
        None,
        None,
        50,
        0,
        50,
        None,
        None,
        None,
    ],
    [
        1,
        201,
        "City of London",
        "YOUTH JUSTICE",
        34,
        "5.0.2 Total Children and Young People's Services Expenditure (excluding CERA)",
        "5.0.2",
        None,
        None,
        None,
        None,
        24797.92,
        2366,
        22431.92,
        None,
        None,
        None,
    ],
    [
        1,
        201,
        "City of London",
        "YOUTH JUSTICE",
        35,
        "5.0.3 Total Children and Young People's Services Expenditure (including CERA)",
        "5.0.3",
        None,
        None,
        None,
        None,
        24847.92,
        2366,
        22481.92,
        None,
        None,
        None,
    ],
    [
        1,
        201,
        "City of London",
        "SERVICES FOR YOUNG PEOPLE",
        37,
        "8a.2 Teenage pregnancy services (included in 3.5.1 and 3.5.2 above)",
        "8a.2",
        None,
        None,
        None,
        None,
        0,
        None,
        None,
        None,
        None,
        None,
    ],
    [
        1,
        420,
        "Isles of Scilly",
        "CHILDREN LOOKED AFTER",
        9,
        "3.1.3 Adoption services",
        "3.1.3",
        100,
        0,
        0,
        0,
        100,
        0,
        100,
        0,
        0,
        100,
    ],
    [
        1,
        420,
        "Isles of Scilly",
        "SAFEGUARDING CHILDREN AND YOUNG PEOPLE'S SERVICES",
        19,
        "3.3.1 Social work (including LA functions in relation to child protection)",
        "3.3.1",
        400,
        0,
        0,
        0,
        400,
        "..",
        400,
        0,
        0,
        400,
    ],
    [
        1,
        420,
        "Isles of Scilly",
        "YOUTH JUSTICE",
        None,
        "5.0.2 Total Children and Young People's Services Expenditure (excluding CERA)",
        "5.0.2",
        None,
        None,
        None,
        None,
        500,
        0,
        500,
        None,
        None,
        None,
    ],
]


def parse(tmp_path, rows, period, sheet="Table A1", name="x.xlsx"):
    path = write_workbook(tmp_path / name, {sheet: rows})
    table = s251_a1.parse(path, f"s251_a1_{period}", period)
    SPENDING.validate(table)
    return table


def pick(table, line, measure="gross_expenditure", la=None):
    rows = table[(table["line"] == line) & (table["measure"] == measure)]
    if la is not None:
        rows = rows[rows["la_number"] == la]
    assert len(rows) == 1, (line, measure, la, len(rows))
    return rows.iloc[0]


def test_2008_09_layout(tmp_path):
    table = parse(tmp_path, A1_2008_09, "2008/09")
    assert list(table.columns) == SPENDING_COLUMNS
    assert len(table) == 14 * 3
    assert set(table["year"]) == {"2008-09"}
    assert set(table["area_level"]) == {"la"} and set(table["unit"]) == {"GBP"} and set(table["ons_code"]) == {""}
    assert table["la_number"].dtype == "Int64"
    assert dict(zip(table["la_number"], table["area_name"])) == {201: "City of London", 820: "Bedfordshire"}
    categories = dict(zip(table["line"], table["category"]))
    assert categories == {
        "1 Secure accommodation (youth justice)": "youth_justice",
        "2 Youth offender teams": "youth_justice",
        "4 Total Youth Justice": "subtotal",
        "34 Adoption services": "children_looked_after",  # before 2012-13 outside the CLA block
        CERA_0809: "capital",
        "46 " + EXCL: "total",
        "47 " + INCL: "subtotal",
    }
    assert set(table["measure"]) == {"gross_expenditure", "income", "net_expenditure"}
    assert pick(table, "34 Adoption services", "net_expenditure", la=201)["value"] == 800
    suppressed = pick(table, "2 Youth offender teams", "income", la=820)
    assert pd.isna(suppressed["value"]) and suppressed["flag"] == "x"
    blank = pick(table, CERA_0809, la=201)
    assert pd.isna(blank["value"]) and blank["flag"] == "blank"
    assert table.loc[table["flag"] == "", "value"].notna().all()


def test_2010_11_layout_puts_the_line_number_back_and_skips_notes_loudly(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger="childspend.sources.s251_a1"):
        table = parse(tmp_path, A1_2010_11, "2010-11", sheet="Table A1 Detailed Report")
    categories = dict(zip(table["line"], table["category"]))
    assert categories["31 Adoption services"] == "children_looked_after"
    assert categories["39 Commissioning and social work"] == "safeguarding"
    assert categories["34 Total Other Children's and Families Services"] == "subtotal"
    assert (
        categories["48 Capital Expenditure from Revenue (CERA) (Children's and young people's services)"] == "capital"
    )
    assert categories["50 TOTAL CHILDREN AND YOUNG PEOPLE'S SERVICES BUDGET (excluding CERA)"] == "total"
    memo_line = "52 Youth work - (memorandum expenditure Included in\xa0lines 41 and 42 above)"
    assert categories[memo_line] == "memo"
    assert pick(table, memo_line)["value"] == 300
    assert pick(table, memo_line, "income")["flag"] == "blank"
    assert len(table) == 8 * 3
    assert "skipped 1 blank row(s) and 1 footnote row(s)" in caplog.text
    assert "Source: Section 251 outturn returns" in caplog.text


def test_2018_19_layout(tmp_path):
    table = parse(tmp_path, A1_2018_19, "2018-19")
    categories = dict(zip(table["line"], table["category"]))
    assert categories == {
        "3.1.3 Adoption services": "children_looked_after",
        "3.1.11 Total Children Looked After": "subtotal",
        "3.3.1 Social work (including LA functions in relation to child protection)": "safeguarding",
        "4.0.1 Capital Expenditure from Revenue (CERA) (Children's and young people services)": "capital",
        "5.0.2 Total Children and Young People's Services Expenditure (excluding CERA)": "total",
        "5.0.3 Total Children and Young People's Services Expenditure (including CERA)": "subtotal",
        "8a.2 Teenage pregnancy services (included in 3.5.1 and 3.5.2 above)": "memo",
    }
    assert pick(table, "3.1.3 Adoption services", la=201)["value"] == pytest.approx(23797.92)
    not_available = pick(
        table, "3.3.1 Social work (including LA functions in relation to child protection)", "income", la=420
    )
    assert pd.isna(not_available["value"]) and not_available["flag"] == ".."


def test_detail_sums_match_totals_and_catch_a_wrong_total(tmp_path):
    good = pd.concat(
        [parse(tmp_path, A1_2008_09, "2008-09", name="a.xlsx"), parse(tmp_path, A1_2018_19, "2018-19", name="b.xlsx")]
    )
    check = s251_a1.check_detail_sums(good)
    assert len(check) == 4 * 3  # (2 LAs x 2 files) x 3 measures
    assert check["within_tolerance"].all(), check
    missing = check[(check["la_number"] == 820) & (check["measure"] == "income")]
    assert missing["missing_details"].tolist() == [1]  # the suppressed "x" counts as 0 but is counted

    rows = [list(r) for r in A1_2018_19]
    rows[5][11] += 100  # City of London's gross total (5.0.2) now overstates its detail lines
    rows[5][13] += 100  # (and its net total, so gross = income + net still holds)
    check = s251_a1.check_detail_sums(parse(tmp_path, rows, "2018-19", name="c.xlsx"))
    wrong = check[~check["within_tolerance"]]
    assert wrong[["la_number", "measure"]].values.tolist() == [[201, "gross_expenditure"], [201, "net_expenditure"]]
    assert wrong["difference"].tolist() == pytest.approx([-100, -100])


def test_missing_column_is_a_layout_error(tmp_path):
    rows = [["Total" if c == "TotalExpenditure" else c for c in A1_HEADER_2018_19], *A1_2018_19[1:]]
    with pytest.raises(LayoutError) as error:
        parse(tmp_path, rows, "2018-19", name="renamed.xlsx")
    message = str(error.value)
    for expected in ["renamed.xlsx", "'Table A1'", "gross_expenditure", "TotalExpenditure", "'Total'"]:
        assert expected in message


def test_unmapped_line_is_a_layout_error(tmp_path):
    rows = [
        *A1_2018_19,
        [1, 201, "City of London", "NEW", 40, "3.9.9 Brand new service", "3.9.9", 1, 0, 0, 0, 1, 0, 1, 0, 0, 1],
    ]
    with pytest.raises(
        LayoutError, match=re.escape("(new.xlsx, sheet 'Table A1'): line '3.9.9 Brand new service' matches no row")
    ):
        parse(tmp_path, rows, "2018-19", name="new.xlsx")
    # the mapping is per year: a 2008-09 line is not mapped in 2018-19
    with pytest.raises(LayoutError, match=re.escape("line '1 Secure accommodation (youth justice)' matches no row")):
        parse(tmp_path, A1_2008_09, "2018-19", name="old.xlsx")


def test_a_line_without_an_la_number_is_a_layout_error(tmp_path):
    rows = [
        *A1_2018_19,
        [
            1,
            None,
            "England",
            "YOUTH JUSTICE",
            34,
            A1_2018_19[5][5],
            "5.0.2",
            None,
            None,
            None,
            None,
            9,
            0,
            9,
            None,
            None,
            None,
        ],
    ]
    with pytest.raises(LayoutError, match="England"):
        parse(tmp_path, rows, "2018-19")


def test_mapping_encodes_the_2012_13_grouping():
    lines = s251_a1.line_map()
    assert (lines["first"] <= lines["last"]).all()
    covered = set()
    for first, last in zip(lines["first"], lines["last"]):
        covered |= set(range(first, last + 1))
    assert covered == set(range(2008, 2019))
    text = lines["line_pattern"].str.lower()
    assert set(lines.loc[text.str.contains("adoption|special guardianship"), "category"]) == {"children_looked_after"}
    assert set(lines.loc[text.str.contains("social work"), "category"]) == {"safeguarding"}
    assert set(lines.loc[text.str.contains("including cera"), "category"]) == {"subtotal"}
    assert set(lines.loc[text.str.contains("excluding cera"), "category"]) == {"total"}


MIRROR_FILES = sorted(MIRROR.glob("[sS]251ye20??.*")) if MIRROR.is_dir() else []


@pytest.mark.e2e
@pytest.mark.skipif(not MIRROR_FILES, reason=f"official files not in {MIRROR}")
@pytest.mark.parametrize("path", MIRROR_FILES, ids=lambda p: p.name)
def test_real_release_detail_lines_sum_to_totals(path):
    end_year = int(re.search(r"ye(\d{4})", path.name).group(1))
    period = f"{end_year - 1}-{end_year % 100:02d}"
    table = s251_a1.parse(path, f"s251_a1_{period}", period)
    SPENDING.validate(table)
    assert table["la_number"].nunique() >= 150
    check = s251_a1.check_detail_sums(table)
    assert len(check) == 3 * table["la_number"].nunique()
    assert check["within_tolerance"].all(), check[~check["within_tolerance"]]
    england = table[(table["category"] == "total") & (table["measure"] == "gross_expenditure")]["value"].sum()
    assert 5.5e9 < england < 10.5e9


@pytest.mark.parametrize(
    "first, second, problem",
    [
        ("Income", "NetCurrentExpenditure", "income is not smaller than net current expenditure"),
        ("TotalExpenditure", "NetCurrentExpenditure", "the LAs' total lines do not add up"),
        ("TotalExpenditure", "Income", "the LAs' total lines do not add up"),
    ],
)
def test_swapped_columns_stop_the_parser(tmp_path, first, second, problem):
    swap = {first: second, second: first}
    rows = [[swap.get(c, c) for c in A1_HEADER_2018_19], *A1_2018_19[1:]]
    with pytest.raises(LayoutError) as error:
        parse(tmp_path, rows, "2018-19", name="swapped.xlsx")
    message = str(error.value)
    assert "swapped.xlsx" in message and problem in message and "swapped" in message


@pytest.mark.e2e
@pytest.mark.skipif(not MIRROR.exists(), reason="needs the official mirror in ../shared/data")
def test_real_2018_19_with_income_and_net_swapped_stops(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(MIRROR / "S251ye2019.xlsx")
    swapped = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows(max_row=30):
            for cell in row:
                if cell.value in ("Income", "NetCurrentExpenditure"):
                    cell.value = {"Income": "NetCurrentExpenditure", "NetCurrentExpenditure": "Income"}[cell.value]
                    swapped += 1
    assert swapped == 2
    book.save(tmp_path / "S251ye2019.xlsx")
    with pytest.raises(LayoutError, match=r"income is not smaller than net .*GBP 9\.12bn"):
        s251_a1.parse(tmp_path / "S251ye2019.xlsx", "s251_a1_2018-19", "2018-19")
