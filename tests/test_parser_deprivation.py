"""Deprivation parser: hand-made IoD, Stat-Xplore and HMRC files in the official layouts, and the real ones."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from workbooks import write_workbook

from childspend.contracts import ACTIVITY, ACTIVITY_COLUMNS
from childspend.errors import ConfigError, LayoutError
from childspend.sources import deprivation

MIRROR = Path(__file__).resolve().parents[2] / "shared" / "data" / "deprivation"


def cell(table, code_or_name, measure, year=None):
    found = table[
        ((table["ons_code"] == code_or_name) | (table["area_name"] == code_or_name))
        & (table["measure"] == measure)
        & ((table["year"] == year) if year else True)
    ]
    assert len(found) == 1, found
    return found.iloc[0]


# --- Indices of Deprivation: IoD 2019 spelling (trailing spaces, "Proportion  of") -------------


def iod_sheet(index: str, rows) -> list[list]:
    header = ["Upper Tier Local Authority District code (2019)", "Upper Tier Local Authority District name (2019)"]
    header += [
        f"{index} - {h} " for h in ["Average rank", "Rank of average rank", "Average score", "Rank of average score"]
    ]
    header += [
        f"{index} - Proportion  of LSOAs in most deprived 10% nationally ",
        f"{index} - Rank of proportion of LSOAs in most deprived 10% nationally ",
    ]
    return [header, *rows]


IMD_ROWS = [
    ["E06000002", "Middlesbrough", 24000.5, 5, 40.46, 5, 0.4884, 1],
    # BCP: created April 2019, replacing Bournemouth (E06000028) and Poole (E06000029)
    ["E06000058", "Bournemouth, Christchurch and Poole", 15000.1, 90, 20.1, 91, 0.0515, 60],
    ["E10000021", "Northamptonshire", 14000.2, 100, 18.2, 99, 0.0336, 70],
    [None, None, None, None, None, None, None, None],
    ["Source: English Indices of Deprivation 2019", None, None, None, None, None, None, None],
]
IDACI_ROWS = [
    ["E06000002", "Middlesbrough", 25026, 7, 0.327, 1, 0.4767, 1],
    ["E06000058", "Bournemouth, Christchurch and Poole", 16000, 80, 0.151, 82, 0.0441, 58],
    ["E10000021", "Northamptonshire", 15000, 95, 0.143, 96, 0.0292, 66],
]


def iod_workbook(tmp_path, idaci_rows=IDACI_ROWS, idaci_name="IDACI"):
    return write_workbook(
        tmp_path / "File_11_IoD2019.xlsx",
        {
            "Notes": [["Notes"]],
            "IMD": iod_sheet("IMD", IMD_ROWS),
            "Income": iod_sheet("Income", IDACI_ROWS),
            idaci_name: iod_sheet("IDACI", idaci_rows),
        },
    )


def test_iod(tmp_path):
    table = deprivation.parse(iod_workbook(tmp_path), "iod_2019", "2019")
    assert list(table.columns) == ACTIVITY_COLUMNS
    ACTIVITY.validate(table)
    assert set(table["year"]) == {"2019-20"}  # the edition's publication year
    assert len(table) == 3 * 6 and set(table["area_level"]) == {"la"} and table["la_number"].isna().all()
    assert cell(table, "E06000002", "imd_average_score")[["value", "unit"]].tolist() == [40.46, "score"]
    assert cell(table, "E06000002", "imd_rank_average_score")[["value", "unit"]].tolist() == [5, "rank"]
    share = cell(table, "E06000058", "imd_share_lsoas_most_deprived_10pct")
    assert (share["value"], share["unit"], share["area_name"]) == (
        5.15,
        "percent",
        "Bournemouth, Christchurch and Poole",
    )
    assert cell(table, "E10000021", "idaci_average_score")["value"] == 0.143
    assert cell(table, "E10000021", "idaci_rank_average_score")["value"] == 96
    assert cell(table, "E06000002", "idaci_share_lsoas_most_deprived_10pct")["value"] == 47.67


def test_iod_blank_cell_is_flagged(tmp_path):
    rows = [list(r) for r in IDACI_ROWS]
    rows[1][4] = None
    table = ACTIVITY.validate(deprivation.parse(iod_workbook(tmp_path, rows), "iod", "2019"))
    blank = cell(table, "E06000058", "idaci_average_score")
    assert math.isnan(blank["value"]) and blank["flag"] == "blank"


def test_iod_missing_column(tmp_path):
    rows = [r[:4] for r in IDACI_ROWS]
    path = write_workbook(
        tmp_path / "iod.xlsx", {"IMD": iod_sheet("IMD", IMD_ROWS), "IDACI": [iod_sheet("IDACI", [])[0][:4], *rows]}
    )
    with pytest.raises(LayoutError, match=r"iod\.xlsx.*'IDACI'.*average score"):
        deprivation.parse(path, "iod", "2019")


def test_unknown_workbook(tmp_path):
    path = iod_workbook(tmp_path, idaci_name="Children")
    with pytest.raises(LayoutError, match="sheets are"):
        deprivation.parse(path, "iod", "2019")


# --- DWP Children in Low Income Families: Stat-Xplore exports ---------------------------------

STAT_XPLORE_HEAD = """Stat-Xplore

"{counting} Low Income (I II III IV V VI)"
"National - Regional - LA - OAs by Year"
"Counting: {counting} Low Income"

Filters:
"Default Summation","{counting} Low Income"

"""
STAT_XPLORE_FOOT = '''

"INFO","Statistical disclosure control has been applied to this table to avoid the release of confidential data.  Totals may not sum due to the disclosure control applied."


Symbol,Description
"I",""".."" denotes a nil or negligible number of children."
"p","Figures marked ""p"" are provisional. These figures will be subject to revision in subsequent releases."


Source: Department for Work and Pensions
'''

# Wide, by code (the 2015-22 relative file): years across, each followed by an annotation column.
CILIF_WIDE = (
    STAT_XPLORE_HEAD.format(counting="Relative")
    + """\
"Year","2020/21","2020/21 - Annotations","2021/22 (p)","2021/22 - Annotations",
"National - Regional - LA - OAs",
"E06000047",31657,,27178,,
"E06000053",..,,12,,
"E06000061",9000,,9500,,
"W06000015",15000,,14000,,
"S12000033",6000,,5800,,
"ZZXXXXXXX",..,,..,,
"Total",2919783,,3042543,,"""
    + STAT_XPLORE_FOOT
)

# Long, by name only (the 2015-21 absolute file).
CILIF_LONG = (
    STAT_XPLORE_HEAD.format(counting="Absolute")
    + """\
"Counting","National - Regional - LA - OAs","Year","Count","Annotations",
"Absolute Low Income","County Durham","2019/20",24195,
"Absolute Low Income","County Durham","2020/21 (p)",29293,
"Absolute Low Income","Isles of Scilly","2019/20",..,
"Absolute Low Income","Isles of Scilly","2020/21 (p)",10,
"Absolute Low Income","Cardiff / Caerdydd","2019/20",14000,
"Absolute Low Income","Cardiff / Caerdydd","2020/21 (p)",15000,
"Absolute Low Income","Highland","2019/20",3000,
"Absolute Low Income","Highland","2020/21 (p)",3100,
"Absolute Low Income","Unknown","2019/20",..,
"Absolute Low Income","Unknown","2020/21 (p)",..,
"Absolute Low Income","Total","2019/20",2436413,
"Absolute Low Income","Total","2020/21 (p)",2370081,"""
    + STAT_XPLORE_FOOT
)


def write_text(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_cilif_wide_by_code(tmp_path):
    path = write_text(tmp_path, "children-relative-low-income-0-19-2015-22-code.csv", CILIF_WIDE)
    table = ACTIVITY.validate(deprivation.parse(path, "cilif_rel", "2022"))
    assert set(table["measure"]) == {"children_relative_low_income"} and set(table["unit"]) == {"count"}
    # England's LAs only: Wales, Scotland, the unknown area and the UK total are dropped.
    assert set(table["ons_code"]) == {"E06000047", "E06000053", "E06000061"}
    assert sorted(table["year"].unique()) == ["2020-21", "2021-22"]  # "(p)" is dropped from the year
    assert cell(table, "E06000047", "children_relative_low_income", "2021-22")["value"] == 27178
    nil = cell(table, "E06000053", "children_relative_low_income", "2020-21")
    assert math.isnan(nil["value"]) and nil["flag"] == ".."


def test_cilif_long_by_name(tmp_path):
    path = write_text(tmp_path, "children-abs-low-inc-utla-2015-21.csv", CILIF_LONG)
    table = ACTIVITY.validate(deprivation.parse(path, "cilif_abs", "2021"))
    assert set(table["measure"]) == {"children_absolute_low_income"}
    # Names only: England's rows are those before the first bilingual (Welsh) name.
    assert set(table["area_name"]) == {"County Durham", "Isles of Scilly"}
    assert set(table["ons_code"]) == {""} and set(table["area_level"]) == {"la"}
    assert cell(table, "County Durham", "children_absolute_low_income", "2020-21")["value"] == 29293
    nil = cell(table, "Isles of Scilly", "children_absolute_low_income", "2019-20")
    assert math.isnan(nil["value"]) and nil["flag"] == ".."


def test_cilif_names_without_a_welsh_row(tmp_path):
    text = CILIF_LONG.replace("Cardiff / Caerdydd", "Cardiff")
    with pytest.raises(LayoutError, match="Welsh"):
        deprivation.parse(write_text(tmp_path, "abs.csv", text), "cilif_abs", "2021")


def test_cilif_bad_year_header(tmp_path):
    text = CILIF_WIDE.replace('"2021/22 - Annotations"', '"Notes"')
    with pytest.raises(LayoutError, match="Annotations"):
        deprivation.parse(write_text(tmp_path, "rel.csv", text), "cilif_rel", "2022")


# --- HMRC children in low-income families local measure -----------------------------------

GROUPS = [
    "Children in IS/JSA families",
    "Children in families receiving WTC and CTC, and income <60% median income",
    "Children in families receiving CTC only, and income <60% median income",
    "Children in families in receipt of CTC (<60% median income) or IS/JSA ",
    "Children in Child Benefit families",
]


def hmrc_2011_layout(pct_header="% of Children in low-income families1"):
    """2011-2014: code in column A, old ONS code beside the name; England's name in column B."""
    header = ["Local Authority Code", "Local Authority", None, None]
    for g in GROUPS:
        header += [g, None, None]
    header += [pct_header, None]
    sub = [None] * 4 + ["Under 16", "All Children", None] * 5 + ["Under 16", "All Children"]

    def data(code, old, name, *numbers):  # numbers: 5 groups x (under 16, all), then 2 percentages
        cells = [code, old, name, None]
        for k in range(5):
            cells += [numbers[2 * k], numbers[2 * k + 1], None]
        return cells + list(numbers[10:])

    return [
        header,
        sub,
        [None] * 21,
        data(
            "E92000001",
            "England",
            None,
            1620865,
            1825090,
            139415,
            180505,
            266185,
            313855,
            2026465,
            2319450,
            9855830,
            11537505,
            0.206,
            0.201,
        ),
        [None] * 21,
        data("E09000001", "00AA", "City of London", 75, 85, 15, 15, 5, 10, 95, 110, 690, 775, 0.139, 0.143),
        # Isles of Scilly: footnote 2 says its percentage is suppressed, yet the cells hold 0.
        data("E06000053", "00HF", "Isles of Scilly2", 0, 0, 0, 0, 0, 0, 0, 0, 320, 375, 0, 0),
        data(
            "E10000002", "11", "Buckinghamshire", 5000, 5600, 500, 650, 900, 1000, 6400, 7250, 70000, 81000, "-", 0.09
        ),
        [None] * 21,
        ["1 These percentages are based on unrounded totals."] + [None] * 20,
        [
            "2 The percentage of children in low-income families within the Isles of Scilly has been "
            "suppressed to prevent disclosure."
        ]
        + [None] * 20,
    ]


def test_hmrc_2011_layout(tmp_path):
    path = write_workbook(tmp_path / "low-income-2011.xlsx", {"Notes": [["Notes:"]], "Summary": hmrc_2011_layout()})
    table = deprivation.parse(path, "hmrc_2011", "2011")
    assert list(table.columns) == ACTIVITY_COLUMNS
    ACTIVITY.validate(table)
    assert set(table["year"]) == {"2011-12"}  # snapshot 31 August 2011
    england = table[table["area_level"] == "england"].set_index("measure")
    assert england.loc["children_low_income_hmrc", "value"] == 2_319_450
    assert england.loc["children_low_income_hmrc_under_16", "value"] == 2_026_465
    assert england.loc["children_low_income_hmrc_pct", ["value", "unit"]].tolist() == [20.1, "percent"]
    assert england.loc["children_low_income_hmrc_pct", "area_name"] == "England"
    city = cell(table, "E09000001", "children_low_income_hmrc")
    assert (city["value"], city["area_name"], city["area_level"]) == (110, "City of London", "la")
    # Suppressed by footnote: a missing value flagged "c", not 0; the name loses its footnote mark.
    scilly = cell(table, "E06000053", "children_low_income_hmrc_pct")
    assert math.isnan(scilly["value"]) and scilly["flag"] == "c" and scilly["area_name"] == "Isles of Scilly"
    assert cell(table, "E06000053", "children_low_income_hmrc")["value"] == 0
    dash = cell(table, "E10000002", "children_low_income_hmrc_under_16_pct")
    assert math.isnan(dash["value"]) and dash["flag"] == "-"
    assert cell(table, "E10000002", "children_low_income_hmrc_pct")["value"] == 9


def test_hmrc_2016_layout(tmp_path):
    """2016: code in column B, UK/GB/country rows, lower-tier districts instead of counties."""
    header = [None, "Local Authority Code", "Local Authority Name"]
    for g in GROUPS[:4]:
        header += [g, None, None]
    header += [None, None, None, None, None, None, "Alternative child population estimate1"]
    top = [None] * 15 + [
        "Children in families registered for Child Benefit",
        None,
        None,
        "% of Children in low-income families*",
        None,
        None,
        None,
        None,
        None,
        None,
        "% of Children in low-income families* using alternative child population estimate",
        None,
    ]
    sub = [None] * 3 + ["Under 16", "All Children", None] * 6 + [None, None, None, None, "Under 16", "All Children"]

    def data(code, name, count_u16, count_all, pct_u16, pct_all):
        return (
            [None, code, name]
            + [1, 2, None] * 3
            + [count_u16, count_all, None, 9, 9, None, pct_u16, pct_all, None, None, None, None, None, 0.5, 0.5]
        )

    grid = [
        [None] * 27,
        [None] * 27,
        top,
        header + [None] * (27 - len(header)),
        [None] * 27,
        [None] * 27,
        sub + [None] * (27 - len(sub)),
        [None] * 27,
        data("K02000001", "United Kingdom", 2045775, 2363760, 0.173, 0.173),
        data("E92000001", "England", 1707835, 1974035, 0.17, 0.17),
        data("E06000001", "Hartlepool", 5000, 5600, 0.25, 0.245),
        data("E07000004", "Aylesbury Vale", 2000, 2300, 0.1, 0.1),
        data("W06000015", "Cardiff", 15000, 17000, 0.2, 0.2),
        [None] * 27,
        [None, "* Percentages are based on unrounded totals. "] + [None] * 25,
    ]
    path = write_workbook(tmp_path / "low-income-2016.xlsx", {"Notes": [["Notes:"]], "Summary": grid})
    table = ACTIVITY.validate(deprivation.parse(path, "hmrc_2016", "2016"))
    assert set(table["year"]) == {"2016-17"}
    assert set(table["ons_code"]) == {"E92000001", "E06000001"}  # district, Wales and UK dropped
    assert cell(table, "E06000001", "children_low_income_hmrc")["value"] == 5600
    # The main percentage, not the "alternative child population estimate" one.
    assert cell(table, "E06000001", "children_low_income_hmrc_pct")["value"] == 24.5
    assert cell(table, "Hartlepool", "children_low_income_hmrc_under_16_pct")["value"] == 25


def test_hmrc_missing_percentage_column(tmp_path):
    grid = hmrc_2011_layout(pct_header="Share of children")
    path = write_workbook(tmp_path / "low-income-2011.xlsx", {"Summary": grid})
    with pytest.raises(LayoutError, match=r"low-income-2011\.xlsx.*'Summary'.*% of children in low-income families"):
        deprivation.parse(path, "hmrc", "2011")


def test_period_without_a_year(tmp_path):
    path = write_workbook(tmp_path / "low-income-2011.xlsx", {"Summary": hmrc_2011_layout()})
    with pytest.raises(ConfigError, match="period"):
        deprivation.parse(path, "hmrc", "latest")


@pytest.mark.e2e
@pytest.mark.skipif(not MIRROR.exists(), reason=f"official files not in {MIRROR}")
def test_real_files():
    iod15 = ACTIVITY.validate(
        deprivation.parse(
            MIRROR / "iod2015" / "File_11_ID_2015_Upper-tier_Local_Authority_Summaries.xlsx", "iod2015", "2015"
        )
    )
    iod19 = ACTIVITY.validate(
        deprivation.parse(
            MIRROR / "iod2019" / "File_11_IoD2019_Local_Authority_District_Summaries__upper-tier_.xlsx",
            "iod2019",
            "2019",
        )
    )
    for table, n, year in [(iod15, 152, "2015-16"), (iod19, 151, "2019-20")]:
        assert set(table["year"]) == {year}
        assert table.groupby("measure")["ons_code"].nunique().eq(n).all() and len(table) == 6 * n
        ranks = table[table["measure"] == "imd_rank_average_score"]["value"]
        assert sorted(ranks) == list(range(1, n + 1))
    assert {"E06000028", "E06000029", "E10000009"} <= set(iod15["ons_code"])  # Bournemouth, Poole, old Dorset
    assert {"E06000058", "E06000059", "E10000021"} <= set(iod19["ons_code"])  # BCP, new Dorset, Northants

    cilif = MIRROR / "cilif"
    rel = ACTIVITY.validate(
        deprivation.parse(cilif / "children-relative-low-income-0-19-2015-22-code.csv", "rel", "2022")
    )
    rel_names = ACTIVITY.validate(deprivation.parse(cilif / "children-rel-low-inc-utla-2015-21.csv", "reln", "2021"))
    absolute = ACTIVITY.validate(deprivation.parse(cilif / "children-abs-low-inc-utla-2015-21.csv", "abs", "2021"))
    assert rel.groupby("year")["ons_code"].nunique().eq(152).all() and len(rel) == 152 * 8
    assert len(rel_names) == len(absolute) == 152 * 7
    england = rel.groupby("year")["value"].sum()
    assert england["2021-22"] == pytest.approx(2_575_839) and england["2014-15"] == pytest.approx(1_980_603)
    assert (rel_names.groupby("year")["value"].sum() / england - 1).abs().max() < 0.001

    hmrc = MIRROR / "hmrc-low-income"
    for year, name, las in [
        (2011, "low-income-2011.xls", 152),
        (2014, "low-income-2014.xlsx", 152),
        (2016, "low-income-2016.xlsx", 125),
    ]:
        table = ACTIVITY.validate(deprivation.parse(hmrc / name, f"hmrc_{year}", str(year)))
        count = table[table["measure"] == "children_low_income_hmrc"]
        assert (count["area_level"] == "la").sum() == las
        if las == 152:  # all LAs: they add up to the England row (rounded to 5s)
            total = count.loc[count["area_level"] == "england", "value"].item()
            assert count.loc[count["area_level"] == "la", "value"].sum() == pytest.approx(total, abs=100)
