"""LAIT parser: hand-made long tables in the bds_long_0.parquet layout, and the real 2026-04-08 file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from childspend.contracts import SPENDING, SPENDING_COLUMNS
from childspend.errors import LayoutError
from childspend.sources import lait

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "dfe-lait" / "2026-04-08" / "bds_long_0.parquet"

# (LA and Regions, LA Number, Region) as LAIT writes them: aggregates have "NA" as their region.
AREAS = [
    ("Camden", 202.0, "Inner London"),
    ("Barnet", 302.0, "Outer London"),
    ("Cumberland", 942.0, "North West"),
    ("England", 970.0, "NA"),
    ("London", 986.0, "NA"),
]
YEARS = ["2016-17 (OT)", "2017-18 (OT)"]
TITLES = {
    "SureStartFinance": "Sure Start Children's Centres (finance)",
    "TotalLACFinance": "Total Children Looked After (finance)",
    "SafeguardingFinance": "Total  Safeguarding Children and Young Peoples Services (finance)",
    "FamilySupportFinance": "Total Family Support Services (finance)",
    "YoungPeopleFinance": "Total Services for Young People  (finance)",
    "YouthJusticeFinance": "Youth Justice  (finance)",
    "OtherChildren&FamilyFinance": "Other children's and families services (finance)",
    "C&YPExpenditure": "Children and Young People Budget (excluding CERA) - Gross",
    "LeaveCareSupServTotExp": "LAC Leaving care support services - Total Expenditure",
    # Not spend: a weekly unit cost and an unrelated measure; both must be dropped.
    "LACFinance": "Looked after Children Finance",
    "RTA": "Road traffic accidents",
}
# Hand-written values for two items: (year, area) -> cell text. Cumberland did not exist before
# 2023 ("-"); Barnet's 2017-18 Sure Start cell is suppressed ("c").
VALUES = {
    "SureStartFinance": {
        ("2016-17 (OT)", "Camden"): "1500000",
        ("2016-17 (OT)", "Barnet"): "2500000",
        ("2016-17 (OT)", "Cumberland"): "-",
        ("2016-17 (OT)", "England"): "800000000",
        ("2016-17 (OT)", "London"): "90000000",
        ("2017-18 (OT)", "Camden"): "1400000",
        ("2017-18 (OT)", "Barnet"): "c",
        ("2017-18 (OT)", "Cumberland"): "-",
        ("2017-18 (OT)", "England"): "700000000",
        ("2017-18 (OT)", "London"): "80000000",
    },
    "TotalLACFinance": {
        ("2016-17 (OT)", "Camden"): "24000000",
        ("2016-17 (OT)", "Barnet"): "23000000",
        ("2016-17 (OT)", "Cumberland"): "-",
        ("2016-17 (OT)", "England"): "4156704000",
        ("2016-17 (OT)", "London"): "700000000",
        ("2017-18 (OT)", "Camden"): "25000000",
        ("2017-18 (OT)", "Barnet"): "0",
        ("2017-18 (OT)", "Cumberland"): "-",
        ("2017-18 (OT)", "England"): "4536594000",
        ("2017-18 (OT)", "London"): "750000000",
    },
}


def lait_table(codes=TITLES) -> pd.DataFrame:
    """The official long layout; as in the real file, "Data item" is only filled in an item's first year."""
    rows = []
    for code in codes:
        years = [y.replace(" (OT)", "") for y in YEARS] if code == "LeaveCareSupServTotExp" else YEARS
        for i, year in enumerate(years):
            for name, number, region in AREAS:
                value = VALUES.get(code, {}).get((year, name), "1000")
                rows.append((code, TITLES[code] if i == 0 else None, year, name, value, number, region))
    table = pd.DataFrame(rows, columns=lait.COLUMNS)
    return table.astype({c: "str" for c in lait.COLUMNS if c != "LA Number"} | {"LA Number": "float64"})


def write(table: pd.DataFrame, tmp_path: Path) -> Path:
    path = tmp_path / "bds_long_0.parquet"
    table.to_parquet(path, index=False)
    return path


@pytest.fixture
def parsed(tmp_path):
    return lait.parse(write(lait_table(), tmp_path), "lait_test", "2026-04-08")


def test_layout_and_contract(parsed):
    assert list(parsed.columns) == SPENDING_COLUMNS
    SPENDING.validate(parsed)
    assert set(parsed["source"]) == {"lait_test"}
    assert set(parsed["year"]) == {"2016-17", "2017-18"}
    assert set(parsed["measure"]) == {"gross_expenditure"}
    assert set(parsed["unit"]) == {"GBP"}
    assert set(parsed["ons_code"]) == {""}
    # 9 kept items x 2 years x 5 areas; the unit-cost and non-finance items are dropped.
    assert len(parsed) == 9 * 2 * 5
    assert not parsed["line"].str.contains(r"\[(?:LACFinance|RTA)\]").any()


def test_categories(parsed):
    by_code = parsed.drop_duplicates("line").set_index("line")["category"]
    assert by_code.to_dict() == {
        "Sure Start Children's Centres (finance) [SureStartFinance]": "early_years",
        "Total Children Looked After (finance) [TotalLACFinance]": "children_looked_after",
        "Total  Safeguarding Children and Young Peoples Services (finance) [SafeguardingFinance]": "safeguarding",
        "Total Family Support Services (finance) [FamilySupportFinance]": "family_support",
        "Total Services for Young People  (finance) [YoungPeopleFinance]": "young_people",
        "Youth Justice  (finance) [YouthJusticeFinance]": "youth_justice",
        "Other children's and families services (finance) [OtherChildren&FamilyFinance]": "other_children_family",
        "Children and Young People Budget (excluding CERA) - Gross [C&YPExpenditure]": "total",
        "LAC Leaving care support services - Total Expenditure [LeaveCareSupServTotExp]": "memo",
    }
    # The title is carried into the second year, where the official file leaves it null.
    assert parsed.groupby("category")["line"].nunique().eq(1).all()


def cell(parsed, year, area, category):
    row = parsed[(parsed["year"] == year) & (parsed["area_name"] == area) & (parsed["category"] == category)]
    assert len(row) == 1
    return row.iloc[0]


def test_values_and_flags(parsed):
    assert cell(parsed, "2016-17", "Camden", "early_years")["value"] == 1_500_000.0
    assert cell(parsed, "2017-18", "England", "children_looked_after")["value"] == 4_536_594_000.0
    zero = cell(parsed, "2017-18", "Barnet", "children_looked_after")
    assert (zero["value"], zero["flag"]) == (0.0, "")
    suppressed = cell(parsed, "2017-18", "Barnet", "early_years")
    assert pd.isna(suppressed["value"]) and suppressed["flag"] == "c"
    not_yet = cell(parsed, "2016-17", "Cumberland", "children_looked_after")
    assert pd.isna(not_yet["value"]) and not_yet["flag"] == "-"
    assert (parsed["flag"] == "").eq(parsed["value"].notna()).all()
    # The leaving-care item's plain "2016-17" is the same year as "2016-17 (OT)".
    assert cell(parsed, "2016-17", "Camden", "memo")["value"] == 1000.0


def test_area_levels(parsed):
    areas = parsed.drop_duplicates("area_name").set_index("area_name")
    assert areas["area_level"].to_dict() == {
        "Camden": "la",
        "Barnet": "la",
        "Cumberland": "la",
        "England": "england",
        "London": "region",
    }
    assert areas.loc["Barnet", "la_number"] == 302
    assert areas.loc[["England", "London"], "la_number"].isna().all()
    assert str(parsed["la_number"].dtype) == "Int64"


def test_missing_column(tmp_path):
    path = write(lait_table().drop(columns="LA Number"), tmp_path)
    with pytest.raises(LayoutError, match=r"bds_long_0\.parquet.*'LA Number'.*found"):
        lait.parse(path, "lait_test", "2026-04-08")


def test_missing_finance_item(tmp_path):
    table = lait_table()
    path = write(table[table["Short Desc"] != "YouthJusticeFinance"], tmp_path)
    with pytest.raises(LayoutError, match=r"bds_long_0\.parquet.*YouthJusticeFinance.*found"):
        lait.parse(path, "lait_test", "2026-04-08")


def test_year_that_is_not_a_financial_year(tmp_path):
    table = lait_table()
    table.loc[table["Short Desc"] == "SureStartFinance", "Years"] = "2017"
    with pytest.raises(LayoutError, match="Years"):
        lait.parse(write(table, tmp_path), "lait_test", "2026-04-08")


@pytest.mark.e2e
@pytest.mark.skipif(not REAL.exists(), reason="needs the official mirror in ../shared/data")
def test_real_2026_04_08():
    table = SPENDING.validate(lait.parse(REAL, "lait_2026-04-08", "2026-04-08"))
    years = [f"{y}-{(y + 1) % 100:02d}" for y in range(2016, 2025)]
    assert sorted(table["year"].unique()) == years
    categories = set(lait.CATEGORIES.values())
    for year, rows in table.groupby("year"):
        england = rows[rows["area_level"] == "england"]
        assert set(england["category"]) == categories and england["value"].notna().all(), year
        las = rows[rows["area_level"] == "la"]
        # Every LA has every category; over 140 of the ~150 live LAs report a number.
        assert las.groupby("category")["area_name"].nunique().eq(158).all(), year
        assert (las.groupby("category")["value"].count() > 140).all(), year
    total = table[(table["category"] == "total") & (table["area_level"] == "england")].set_index("year")["value"]
    assert total["2024-25"] == pytest.approx(16_012.4e6, abs=0.1e6)
    la_sum = table[(table["category"] == "total") & (table["area_level"] == "la")].groupby("year")["value"].sum()
    assert (la_sum / total - 1).abs().max() < 0.01


def test_a_year_missing_a_finance_item_is_named(tmp_path):
    table = lait_table()
    gone = (table["Short Desc"] == "YoungPeopleFinance") & (table["Years"] == "2017-18 (OT)")
    with pytest.raises(
        LayoutError, match=r"year\(s\) without every S251 finance item .*\{'2017-18': \['YoungPeopleFinance'\]\}"
    ):
        lait.parse(write(table[~gone], tmp_path), "lait_test", "2026-04-08")
