"""MHCLG revenue outturn parser (RO3, RS, RSX): hand-made fixtures in the official layouts,
plus the real 2017-18 RO3 file from the mirror."""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import pandas as pd
import pytest
from workbooks import write_workbook

from childspend.contracts import SPENDING, SPENDING_COLUMNS
from childspend.errors import LayoutError
from childspend.sources import revenue_outturn

MIRROR = Path(__file__).resolve().parents[2] / "shared" / "data" / "mhclg-revenue-outturn"
NCE, GROSS, INCOME = "net_current_expenditure", "gross_expenditure", "income"
_ = None

# RO3 2008-09 (xls era, reproduced as xlsx): line names on row 4, measure labels spread over
# rows 5-8 ("NET / CURRENT / (Col 3-6)"), key row 9 with E-codes and no ONS codes. Three
# children's lines and no children's total; an adult line and the all-ages TOTAL SOCIAL CARE
# are dropped. Adur (SD) is excluded; the England row and the class totals have no E-code.
RO3_2008_09 = [
    ["Revenue Outturn Summary (RO3): 2008-09 data", _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _, _],
    [_] * 18,
    ["£ thousand", _, _, _]
    + ["Social Care strategy - children"] * 4
    + ["Childrens and famillies services-asylum seekers"] * 4
    + ["Childrens and families services - other"] * 2
    + ["Social care strategy - adults  "] * 2
    + ["TOTAL SOCIAL CARE*"] * 2,
    [_, _, _, _] + ["Employees", "  TOTAL", " TOTAL", "NET"] * 2 + [" TOTAL", "NET"] * 3,
    [_, _, _, _] + [_, "EXPENDITURE", "INCOME", "CURRENT"] * 2 + ["EXPENDITURE", "CURRENT"] * 3,
    [_, _, _, _] + [_, "(Col 1+2)", "(Col 4+5)", "(Col 3-6)"] * 2 + ["(Col 1+2)", "(Col 3-6)"] * 3,
    ["E-code", "Local authority", _, "Class"] + [_] * 14,
    [
        "E0101",
        "Bath & North East Somerset UA",
        _,
        "UA",
        128,
        131,
        0,
        131,
        0,
        0,
        0,
        0,
        16284,
        13366,
        500,
        400,
        20000,
        15000,
    ],
    ["E3831", "Adur", _, "SD", 0, 0, 0, 0, 0, 0, 0, 0, 5, 5, 0, 0, 5, 5],
    ["E5010", "City of London", _, "L", 0, 10, 2, 8, 0, 9, 2, 7, 100, 90, 50, 50, 200, 150],
    [_] * 18,
    [_, "ENGLAND", _, _, 57443, 121592, 881, 110608, 9, 150000, 2159, 147841, 6e6, 5548524, 1e6, 9e5, 8e6, 7e6],
    [_, "SHIRE DISTRICTS", _, "SD", 0, 1, 0, 1, 0, 0, 0, 0, 5, 5, 0, 0, 5, 5],
    ["Source: Communities and Local Government Revenue Outturn (RO) returns 2008-09 - RO3 data"] + [_] * 17,
]

# RO3 2017-18: line row 3, key row 5 with ONS codes and one-row measure labels. Barnsley has a
# blank early-years income cell; North Yorkshire carries the abolished Northumberland county
# code, as in the real RO3 2015-16 and RS 2017-18 files. "Obesity - children" is public health (listed, excluded), the
# adult line is not listed and dropped; Adur (SD) and a police body (O) are excluded.
L_EY = "Children's social care: Sure start children's centres and early years"
L_CLA = "Children's social care - Children Looked After"
L_TOT = "TOTAL CHILDREN SOCIAL CARE"
MEAS_2017 = [
    "Employees\n (C1)",
    "Total Expenditure\n (C3 = C1 + C2)",
    "Total Income\n (C6 = C4 + C5)",
    "Net Current Expenditure\n (C7 = C3 - C6)",
]


def ro3_2017_18():
    """A fresh grid (tests edit it): three children's lines x four measures, then two others."""
    width = 5 + 4 * 3 + 4
    line_row = [_] * 5 + [L_EY, _, _, _, L_CLA, _, _, _, L_TOT, _, _, _]
    line_row += ["Obesity - children", _, "Physical support - adults (18–64)", _]
    values = {  # per LA: (gross, income, net) for each children's line
        "Barnsley": [(100, _, 100), (1000, 100, 900), (1100, 100, 1000)],
        "Bristol": [(50, 10, 40), (500, 0, 500), (550, 10, 540)],
    }

    def row(code, ons, name, cls, vals):
        cells = [code, ons, name, _, cls]
        for gross, income, net in vals:
            cells += [1, gross, income, net]
        return cells + [7, 7, 9, 9]

    return [
        ["Revenue Outturn (RO) 2017-18: Social Care and Public Health (RO3) data (R)"] + [_] * (width - 1),
        ["Net current expenditure (£ thousand)"] + [_] * (width - 1),
        line_row,
        [_] * width,
        ["E-code", "ONS Code", "Local authority", _, "Class"]
        + MEAS_2017 * 3
        + ["Employees (C1)", "Net Current Expenditure (C7 = C3 - C6)"] * 2,
        row("E4401", "E08000016", "Barnsley", "MD", values["Barnsley"]),
        row("E0102", "E06000023", "Bristol UA", "UA", values["Bristol"]),
        row("E2721", "E10000022", "North Yorkshire CC", "SC", values["Bristol"]),
        row("E3831", "E07000223", "Adur", "SD", values["Bristol"]),
        row(
            "E7052", "E23000030", "Hampshire Police and Crime Commissioner and Chief Constable", "O", values["Bristol"]
        ),
        [_, _, "ENGLAND", _, _] + [1, 150, 10, 140, 1, 1500, 100, 1400, 1, 1650, 110, 1540] + [7, 7, 9, 9],
        [_, _, "LONDON BOROUGHS", _, "L"] + [0] * (width - 5),
    ]


# RO3 2024-25 (ods): "<line> - <measure>" in the key row, Notes / Detailed Class /
# Certification columns, "[x]" for a return not received, an England row coded "Eng", then a
# second table (class breakdown) that repeats the header and the GLA row.
def combined(line, measure):
    return f"{line} - {measure}"


RO3_2024_25_HEADER = [
    "E-code",
    "ONS Code",
    "Local authority",
    "Notes",
    "Class",
    "Detailed Class",
    "Certification",
    combined(L_CLA, "Total Expenditure (C3 = C1 + C2)"),
    combined(L_CLA, "Net Current Expenditure (C7 = C3 - C6)"),
    combined(L_CLA + " of which residential care", "Net Current Expenditure (C7 = C3 - C6)"),
    combined(L_TOT, "Total Income (C6 = C4 + C5)"),
    combined(L_TOT, "Net Current Expenditure (C7 = C3 - C6)"),
    combined(L_TOT, "Children's Social Care - agency staff cost memorandum item"),
    combined("Physical support - adults (18–64)", "Net Current Expenditure (C7 = C3 - C6)"),
]
RO3_2024_25 = [
    ["Worksheet 2: Revenue Outturn (RO) 2024-25: Social Care and Public Health (RO3) data"] + [_] * 13,
    ["This worksheet contains two tables. Data are reported in £ thousand."] + [_] * 13,
    [
        "Source: Ministry of Housing, Communities & Local Government Revenue account Outturn (RO) returns 2024-25 - RO3 data"
    ]
    + [_] * 13,
    RO3_2024_25_HEADER,
    ["E3831", "E07000223", "Adur", _, "SD", "SD", "Y", 0, 0, 0, 0, 0, 0, 0],
    ["E4601", "E08000025", "Birmingham", "M", "MD", "MD", "N", "[x]", "[x]", "[x]", "[x]", "[x]", "[x]", "[x]"],
    ["E5010", "E09000001", "City of London", _, "LB", "London", "Y", 3000, 2500, 1000, 50, 2600, 10, 900],
    ["E4001", "E06000053", "Isles of Scilly UA", _, "UA", "UA", "Y", 200, 180, 60, 5, 250, 0, 300],
    ["E6101", "E31000001", "Avon Combined Fire and Rescue Authority", _, "O", "Fire", "Y", 0, 0, 0, 0, 0, 0, 0],
    ["Eng", "E92000001", "ENGLAND", _, "Eng", "Eng", "[Y]", 9e6, 8e6, 3e6, 5e5, 1.5e7, "[n]", 2e7],
    ["E-code", "ONS Code", "Class Breakdown [o]", "Notes", "Class", "Detailed Class", "Certified", _, _, _, _, _, _, _],
    ["[Y]", "E09", "London Boroughs", _, "LB", "London", 32, 1, 1, 1, 1, 1, 1, 1],
    ["E5100", "E12000007", "Greater London Authority", _, "O", "GLA", 0, 0, 0, 0, 0, 0, 0, 0],
]

# RS 2011-12 (xls era): one measure per sheet, named in the title; sheet (2) is capital charges.
RS_HEADER = [
    "E-code",
    "Local authority",
    _,
    "Class",
    _,
    "Education services",
    "Children Social Care",
    "Adult Social Care",
    "TOTAL SERVICE EXPENDITURE (TOTAL OF LINES 190 TO 698)",
]


def rs_sheet(title, factor):
    return [
        ["Revenue Outturn Summary (RS): 2011-12 data", _, _, _, _, _, _, _, _],
        [_] * 9,
        [title, _, _, _, _, _, _, _, _],
        [_] * 9,
        [_] * 9,
        RS_HEADER,
        [_] * 9,
        ["E0101", "Bath & North East Somerset UA", _, "UA", _, 108673, 20000 * factor, 40000, 168673],
        ["E5100", "Greater London Authority", _, "O", _, 436, 0, 0, 1746917],
        ["E1031", "Amber Valley", _, "SD", _, 0, 3, 0, 9000],
        ["E5030", "Barking & Dagenham", _, "L", _, 90000, "..", 60000, 150000],
        [_, "ENGLAND", _, _, _, 40219115, 6422000 * factor, 14000000, 54641115],
    ]


# RSX 2021-22 (csv): seven measures per service in "<service> - <measure>" columns, hidden
# Row_no / Col_no rows, "1,234" numbers and an England row.
RSX_2021_22 = [
    [
        "Worksheet 2: Revenue Outturn (RO) 2021-22 Final: Service Expenditure Summary (RSX) data",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],
    ["Data is reported in £ thousand. ", "", "", "", "", "", "", "", ""],
    ["Hide ", "", "", "", "", "Row_no", 190, 330, 330],
    ["", "", "", "", "", "Col_no", 7, 3, 7],
    [
        "E-code",
        "ONS Code",
        "Local authority",
        "Notes",
        "Class",
        "Detailed Class",
        "Education services- Net Current Expenditure\n (C7 = C3 - C6)",
        "Children Social Care -  Total Expenditure\n (C3 = C1 + C2)",
        "Children Social Care -  Net Current Expenditure\n (C7 = C3 - C6)",
    ],
    ["E3831", "E07000223", "Adur", "", "SD", "SD", "0", "0", "104"],
    ["E0101", "E06000022", "Bath & North East Somerset", "", "UA", "UA", "100,101", "40,000", "35,123"],
    ["E5100", "E12000007", "Greater London Authority", "", "O", "GLA", "2,785", "14,385", "14,385"],
    ["E4201", "E08000001", "Bolton", "", "MD", "MD", "150,000", "x", "x"],
    ["Eng", "E92000001", "ENGLAND", "", "Eng", "Eng", "20,680,786", "12,000,000", "11,270,191"],
    ["", "", "", "", "", "", "", "", ""],
]


def _xlsx(tmp_path: Path, sheets: dict, name: str = "ro.xlsx") -> Path:
    return write_workbook(tmp_path / name, sheets)


def _value(df, area, line, measure):
    hit = df[(df.area_name == area) & (df.line == line) & (df.measure == measure)]
    assert len(hit) == 1, (area, line, measure, len(hit))
    return hit.iloc[0]


def test_ro3_2008_09_stacked_multirow_header(tmp_path, caplog):
    path = _xlsx(tmp_path, {"RO3 LA Data 2008-09": RO3_2008_09, "Col refs": [["x"]]})
    with caplog.at_level(logging.INFO, logger="childspend.sources.revenue_outturn"):
        df = revenue_outturn.parse(path, "ro3_2008-09", "2008-09")
    assert list(df.columns) == SPENDING_COLUMNS
    assert set(df.area_name) == {"Bath & North East Somerset", "City of London", "England", "Adur"}  # " UA" dropped
    assert set(df.loc[df.area_level == "other_body", "area_name"]) == {"Adur"}  # a shire district
    assert set(df.line) == {
        "Social Care strategy - children",
        "Childrens and famillies services-asylum seekers",
        "Childrens and families services - other",
    }
    # the file has E-codes only: ONS codes come from revenue_outturn_ecodes.csv
    codes = df[df.area_level == "la"].drop_duplicates("area_name").set_index("area_name")["ons_code"]
    assert codes.to_dict() == {"Bath & North East Somerset": "E06000022", "City of London": "E09000001"}
    assert df.la_number.isna().all()
    assert _value(df, "England", "Childrens and families services - other", NCE).ons_code == "E92000001"
    # "NET / CURRENT / (Col 3-6)" spread over three rows is net current expenditure
    assert _value(df, "Bath & North East Somerset", "Childrens and families services - other", NCE).value == 13366
    asylum = _value(df, "City of London", "Childrens and famillies services-asylum seekers", INCOME)
    assert (asylum.value, asylum.category) == (2, "asylum_seekers")
    # the "other" line has no income column in this fixture: only the measures that exist
    other = df[df.line == "Childrens and families services - other"]
    assert set(other.measure) == {GROSS, NCE}
    assert set(df.category) == {"other_children_family", "asylum_seekers"}  # no total line before 2011-12
    assert "1 authorities of class SD kept as other_body" in caplog.text
    assert "dropped 2 service line(s), not children's social care (not listed" in caplog.text


def test_ro3_2017_18_categories_measures_and_exclusions(tmp_path, caplog):
    path = _xlsx(tmp_path, {"Front Page": [["RO3"]], "RO3 LA Data 2017-18": ro3_2017_18()})
    with caplog.at_level(logging.INFO, logger="childspend.sources.revenue_outturn"):
        df = revenue_outturn.parse(path, "ro3_2017-18", "2017-18")
    SPENDING.validate(df)
    kept = df[df.area_level != "other_body"]
    assert set(kept.area_name) == {"Barnsley", "Bristol", "North Yorkshire", "England"}
    assert set(df.loc[df.area_level == "other_body", "area_name"]) == {
        "Adur",
        "Hampshire Police and Crime Commissioner and Chief Constable",
    }
    assert set(df.measure) == {GROSS, INCOME, NCE}  # employees columns are not kept
    assert dict(zip(df.line, df.category)) == {L_EY: "early_years", L_CLA: "children_looked_after", L_TOT: "total"}
    bristol = _value(df, "Bristol", L_TOT, NCE)
    assert (bristol.ons_code, bristol.value, bristol.flag, bristol.unit) == ("E06000023", 540, "", "GBP thousand")
    blank = _value(df, "Barnsley", L_EY, INCOME)
    assert pd.isna(blank.value) and blank.flag == "blank"  # missing, never zero
    assert (df.year == "2017-18").all() and (df.source == "ro3_2017-18").all()
    assert "1 authorities of class SD kept as other_body" in caplog.text
    assert "1 authorities of class O kept as other_body" in caplog.text
    assert "(exclude: public health)" in caplog.text  # "Obesity - children" is not social care
    assert _value(df, "North Yorkshire", L_TOT, NCE).ons_code == "E10000023"  # publisher erratum fixed


def test_ro3_unknown_childrens_line_raises(tmp_path):
    grid = ro3_2017_18()
    grid[2][5] = "Children's social care - Kinship care"
    with pytest.raises(LayoutError, match="Kinship care.*revenue_outturn_lines.csv"):
        revenue_outturn.parse(_xlsx(tmp_path, {"RO3 LA Data 2017-18": grid}), "ro3_2017-18", "2017-18")


def test_ro3_missing_net_current_expenditure_raises(tmp_path):
    grid = ro3_2017_18()
    grid[4][5 + 4 * 2 + 3] = "Net Total Cost (C9 = C7 + C8)"  # the total's net column is gone
    with pytest.raises(LayoutError, match="total children social care.*no Net Current Expenditure"):
        revenue_outturn.parse(_xlsx(tmp_path, {"RO3 LA Data 2017-18": grid}), "ro3_2017-18", "2017-18")


def test_missing_class_column_or_header_raises(tmp_path):
    grid = ro3_2017_18()
    grid[4][4] = "Type"
    with pytest.raises(LayoutError, match="no 'class' column"):
        revenue_outturn.parse(_xlsx(tmp_path, {"RO3 LA Data 2017-18": grid}), "ro3_2017-18", "2017-18")
    grid[4][2] = "Authority"
    with pytest.raises(LayoutError, match="no header row with a 'Local authority' column"):
        revenue_outturn.parse(_xlsx(tmp_path, {"RO3 LA Data 2017-18": grid}, "b.xlsx"), "ro3_2017-18", "2017-18")


def test_wrong_year_raises(tmp_path):
    path = _xlsx(tmp_path, {"RO3 LA Data 2017-18": ro3_2017_18()})
    with pytest.raises(LayoutError, match="source is for 2018-19"):
        revenue_outturn.parse(path, "ro3_2018-19", "2018-19")


def test_ro3_2024_25_combined_header_markers_and_second_table(tmp_path):
    path = write_workbook(tmp_path / "ro3.ods", {"Front_Page": [["RO3"]], "RO3_LA_Data_202425": RO3_2024_25})
    df = revenue_outturn.parse(path, "ro3_2024-25", "2024-25")
    SPENDING.validate(df)
    assert set(df.loc[df.area_level != "other_body", "area_name"]) == {
        "Birmingham",
        "City of London",
        "Isles of Scilly",
        "England",
    }
    assert set(df.area_level) == {"la", "england", "other_body"}  # the class breakdown table is not read
    assert set(zip(df.line, df.measure)) == {
        (L_CLA, GROSS),
        (L_CLA, NCE),
        (L_CLA + " of which residential care", NCE),
        (L_TOT, INCOME),
        (L_TOT, NCE),
    }  # memo column skipped
    assert _value(df, "City of London", L_CLA + " of which residential care", NCE).category == "subtotal"
    birmingham = df[df.area_name == "Birmingham"]
    assert birmingham.value.isna().all() and (birmingham.flag == "x").all()  # "[x]": not received
    scilly = _value(df, "Isles of Scilly", L_TOT, NCE)
    assert (scilly.ons_code, scilly.value) == ("E06000053", 250)
    assert _value(df, "England", L_TOT, NCE).ons_code == "E92000001"


def test_rs_uses_the_net_current_expenditure_sheet(tmp_path):
    path = _xlsx(
        tmp_path,
        {
            "RS LA Data 2011-12 (1)": rs_sheet("Net current expenditure (£ thousand)", 1),
            "RS LA Data 2011-12 (2)": rs_sheet("Capital charges (£ thousand)", 100),
        },
    )
    df = revenue_outturn.parse(path, "rs_2011-12", "2011-12")
    assert set(df.line) == {"Children Social Care"} and set(df.category) == {"total"} and set(df.measure) == {NCE}
    assert set(df.loc[df.area_level != "other_body", "area_name"]) == {
        "Bath & North East Somerset",
        "Barking & Dagenham",
        "England",
    }
    assert _value(df, "Bath & North East Somerset", "Children Social Care", NCE).value == 20000  # not sheet (2)
    suppressed = _value(df, "Barking & Dagenham", "Children Social Care", NCE)
    assert pd.isna(suppressed.value) and suppressed.flag == ".."
    assert _value(df, "England", "Children Social Care", NCE).value == 6422000


def test_rs_2010_11_has_no_childrens_line(tmp_path, caplog):
    grid = rs_sheet("Net current expenditure (£ thousand)", 1)
    grid[0][0] = "Revenue Outturn Summary (RS): 2010-11 data"
    grid[5] = [*RS_HEADER[:6], "Social care", *RS_HEADER[7:]]
    grid[5][7] = "Central services"
    path = _xlsx(tmp_path, {"RS LA Data 2010-11 (1)": grid})
    with caplog.at_level(logging.WARNING, logger="childspend.sources.revenue_outturn"):
        df = revenue_outturn.parse(path, "rs_2010-11", "2010-11")
    assert df.empty and list(df.columns) == SPENDING_COLUMNS
    assert "no children's social care line" in caplog.text


def test_rsx_csv(tmp_path):
    path = tmp_path / "RSX_2021-22_data_by_LA_Live.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        csv.writer(handle).writerows(RSX_2021_22)
    df = revenue_outturn.parse(path, "rsx_2021-22", "2021-22")
    SPENDING.validate(df)
    assert set(df.measure) == {NCE}  # RSX: net current expenditure only
    las = df[df.area_level != "other_body"]
    assert set(las.area_name) == {"Bath & North East Somerset", "Bolton", "England"}  # SD and GLA are other bodies
    assert _value(df, "Bath & North East Somerset", "Children Social Care", NCE).value == 35123  # "35,123"
    assert _value(df, "Bolton", "Children Social Care", NCE).flag == "x"
    assert _value(df, "England", "Children Social Care", NCE).value == 11270191


def test_unknown_form_raises(tmp_path):
    with pytest.raises(LayoutError, match="unknown revenue outturn form 'ro1'"):
        revenue_outturn.parse(_xlsx(tmp_path, {"RO3 LA Data 2017-18": ro3_2017_18()}), "ro1_2017-18", "2017-18")


def test_e_code_without_ons_code_or_crosswalk_entry_raises(tmp_path):
    grid = [row[:] for row in RO3_2008_09]
    bath = next(i for i, row in enumerate(grid) if row[0] == "E0101")
    grid[bath][0] = "E0199"
    path = _xlsx(tmp_path, {"RO3 LA Data 2008-09": grid})
    with pytest.raises(LayoutError, match=r"E0199.*revenue_outturn_ecodes.csv"):
        revenue_outturn.parse(path, "ro3_2008-09", "2008-09")


def _printed_codes(path: Path) -> dict[str, str]:
    """E-code -> ONS code as printed side by side in a file's data sheets."""
    pairs = {}
    for name, grid in revenue_outturn._read(path, revenue_outturn.FORMS["ro3"].sheets).items():
        key = revenue_outturn._key_row(grid, name)
        header = [revenue_outturn.norm(c) for c in grid.iloc[key]]
        e_col, ons_col = header.index("e-code"), header.index("ons code")
        for e_code, ons in zip(grid.iloc[key + 1 :, e_col], grid.iloc[key + 1 :, ons_col]):
            if isinstance(e_code, str) and isinstance(ons, str) and ons.startswith("E"):
                pairs[e_code.strip()] = ons.strip()
    return pairs


@pytest.mark.e2e
@pytest.mark.skipif(not (MIRROR / "ro3" / "2017-18").is_dir(), reason="needs the official mirror in ../shared/data")
def test_e_code_crosswalk_agrees_with_files_that_print_both_codes():
    """Every E-code printed beside an ONS code in RO3 2014-15 to 2017-18 maps to that code,
    except North Yorkshire's misprint in 2015-16, whose printed code is another council's."""
    crosswalk = revenue_outturn.load_ecodes()
    owners = {ons: e_code for e_code, ons in crosswalk.items()}
    misprints = []
    for year in ("2014-15", "2015-16", "2016-17", "2017-18"):
        path = next((MIRROR / "ro3" / year).glob("RO3_*"))
        df = revenue_outturn.parse(path, f"ro3_{year}", year)
        for e_code, ons in _printed_codes(path).items():
            if e_code in crosswalk and crosswalk[e_code] != ons:
                assert owners.get(ons) not in (None, e_code), (year, e_code, ons)
                misprints.append((year, e_code, ons))
        assert set(df.loc[df.area_level == "la", "ons_code"]) <= set(crosswalk.values())
    assert misprints == [("2015-16", "E2721", "E10000022")]


@pytest.mark.e2e
@pytest.mark.skipif(not (MIRROR / "ro3" / "2017-18").is_dir(), reason="needs the official mirror in ../shared/data")
def test_real_ro3_2017_18_england_total():
    path = next((MIRROR / "ro3" / "2017-18").glob("RO3_2017-18*"))
    df = revenue_outturn.parse(path, "ro3_2017-18", "2017-18")
    SPENDING.validate(df)
    total = df[(df.category == "total") & (df.measure == NCE)]
    la = total[total.area_level == "la"]
    assert la.ons_code.nunique() == 152
    assert la.value.sum() == pytest.approx(8_840_000, rel=0.01)  # published GBP 8.84bn
    assert total[total.area_level == "england"].value.iloc[0] == pytest.approx(8_840_000, rel=0.01)


def _parsed(categories, measures=(GROSS, INCOME, NCE)):
    return pd.DataFrame([dict(category=c, measure=m) for c in categories for m in measures])


def test_ingest_stops_on_a_file_without_a_category_its_year_has():
    every = [c for c, _ in revenue_outturn.RO3_CATEGORIES_FROM]
    revenue_outturn.check_complete(_parsed(every), Path("RO3.ods"), "ro3_2014-15", "2014-15")
    # before 2014-15 there are no early years or young people's lines to find
    early = [c for c, first in revenue_outturn.RO3_CATEGORIES_FROM if first < 2014]
    revenue_outturn.check_complete(_parsed(early), Path("RO3.xls"), "ro3_2013-14", "2013-14")
    renamed = _parsed([c for c in every if c != "young_people"])  # its line fell out of the lines table
    with pytest.raises(LayoutError, match=r"RO3.ods \(ro3_2014-15\): no line for categor\(ies\) .*'young_people'"):
        revenue_outturn.check_complete(renamed, Path("RO3.ods"), "ro3_2014-15", "2014-15")
    with pytest.raises(LayoutError, match=r"'income': \['total'\]"):
        revenue_outturn.check_complete(
            pd.concat([_parsed(every, (GROSS, NCE)), _parsed(set(every) - {"total"}, (INCOME,))]),
            Path("RO3.ods"),
            "ro3_2014-15",
            "2014-15",
        )
    with pytest.raises(
        LayoutError, match=r"rs_2012-13\): no line for categor\(ies\) \{'net_current_expenditure': \['total'\]\}"
    ):
        revenue_outturn.check_complete(_parsed(["subtotal"], (NCE,)), Path("RS.xls"), "rs_2012-13", "2012-13")
