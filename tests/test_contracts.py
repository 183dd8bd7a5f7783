"""The joined panel's data contract: what the models and reports may rely on."""

import pandas as pd
import pytest

from childspend.contracts import PANEL_LONG, PANEL_WIDE, check_contract
from childspend.errors import ContractError
from childspend.panel.units import wide


def panel():
    """Two units, their region and England, two years, one measure: a complete grid."""
    rows = []
    for year in ("2022-23", "2023-24"):
        for code, level, region in (
            ("201", "la", "E12000007"),
            ("202", "la", "E12000007"),
            ("E12000007", "region", "E12000007"),
            ("E92000001", "england", ""),
        ):
            units = 1 if level == "la" else 2
            rows.append(
                dict(
                    area_level=level,
                    area_code=code,
                    area_name=f"area {code}",
                    region_code=region,
                    region_name="London" if region else "",
                    year=year,
                    measure="cla_at_31_march",
                    value=1.0,
                    flag="",
                    source="cla_2025",
                    units_expected=units,
                    units_reporting=units,
                )
            )
    return pd.DataFrame(rows)


def test_a_complete_panel_meets_the_contract_long_and_wide():
    long = check_contract(PANEL_LONG, panel(), "test panel")
    check_contract(PANEL_WIDE, wide(long), "test panel")


@pytest.mark.parametrize(
    "break_it, check",
    [
        (lambda p: p.assign(value=p["value"].where(p.index != 0)), "a missing value carries a flag"),
        (lambda p: p.drop(index=3), "every area x year x measure present"),
        (lambda p: p.assign(units_reporting=p["units_expected"] + 1), "units reporting <= units expected"),
        (lambda p: p.assign(area_code=p["area_code"].replace("201", "E06000001")), "str_matches"),
        (lambda p: p.assign(year=p["year"].replace("2023-24", "2023/24")), "str_matches"),
        (lambda p: p.assign(area_level=p["area_level"].replace("england", "other_body")), "isin"),
    ],
)
def test_a_broken_panel_is_refused_naming_the_check(break_it, check):
    with pytest.raises(ContractError, match="test panel breaks its data contract") as error:
        check_contract(PANEL_LONG, break_it(panel()), "test panel")
    assert check in str(error.value)


def test_the_wide_panel_needs_one_row_per_area_and_year():
    table = wide(panel())
    with pytest.raises(ContractError, match="breaks its data contract"):
        check_contract(PANEL_WIDE, pd.concat([table, table.iloc[:1]], ignore_index=True), "test panel")
