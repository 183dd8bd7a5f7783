"""The warning summary of a run and the strict mode, on hand-made tables."""

import pandas as pd
import pytest

from childspend.panel.exclusions import EXCLUSION_COLUMNS
from childspend.panel.summary import StrictModeError, check_strict, describe, kind_of, summarise

UNITS = pd.DataFrame({"la_number": ["201", "202", "330"], "unit_id": ["201", "202", "330"]})


def panel():
    rows = []
    for year, values in {"2023-24": (10.0, 90.0, 900.0), "2024-25": (float("nan"), 95.0, 905.0)}.items():
        for code, value in zip(["201", "202", "330"], values):
            rows.append(
                dict(area_level="la", area_code=code, measure="cla_at_31_march", year=year, value=value, flag="")
            )
        total = sum(v for v in values if v == v)
        rows.append(
            dict(
                area_level="england", area_code="E92000001", measure="cla_at_31_march", year=year, value=total, flag=""
            )
        )
    return pd.DataFrame(rows)


def exclusions(*rows):
    return pd.DataFrame([dict(zip(EXCLUSION_COLUMNS, map(str, r))) for r in rows], columns=EXCLUSION_COLUMNS)


NO_GAPS = pd.DataFrame(columns=["source", "year", "measure", "category", "explanation", "relative_difference"])


def test_kinds_leave_out_the_lists_of_las():
    assert kind_of("units", "unit summed over another year's boundaries: LAs [838, 839]") == (
        "units: unit summed over another year's boundaries: LAs [...]"
    )


def test_a_missing_unit_counts_at_its_nearest_years_value_against_a_complete_england():
    table = exclusions(
        ("panel", "cla_2025", "2024-25", "201", "cla_at_31_march", "unit value missing in the source (flag c)", 1)
    )
    summary = summarise(table, panel(), UNITS, {}, NO_GAPS, NO_GAPS, accepted=[])
    row = summary.iloc[0]
    assert row["kind"] == "panel: unit value missing in the source (flag c)" and not row["accepted"]
    assert row["largest_effect"] == pytest.approx(10 / (1000 + 10))  # City's 2023-24 value, England with it


def test_an_unknown_la_code_fails_strict_mode_with_its_file_and_effect():
    dropped = pd.DataFrame(
        dict(
            source="cla_2025",
            year="2024-25",
            area_level="la",
            la_number=[999, 202, 330],
            area_name="x",
            measure="cla_at_31_march",
            value=[300.0, 95.0, 605.0],
        )
    )
    table = exclusions(
        ("units", "cla_2025", "", "999", "", "LA number not in the geography reference", 1),
        ("panel", "cla_2025", "2024-25", "201", "cla_at_31_march", "unit value missing in the source (flag c)", 1),
    )
    accepted = ["panel: unit value missing in the source (flag c)"]
    summary = summarise(table, panel(), UNITS, {"cla": dropped}, NO_GAPS, NO_GAPS, accepted).set_index("kind")
    unknown = summary.loc["units: LA number not in the geography reference"]
    assert unknown["largest_effect"] == pytest.approx(0.3) and unknown["source"] == "cla_2025"
    check_strict(summary.reset_index(), strict=False)  # only reported
    with pytest.raises(StrictModeError) as err:
        check_strict(summary.reset_index(), strict=True)
    message = str(err.value)
    assert "units: LA number not in the geography reference: 1 entries" in message
    assert "largest effect 30.00% of the England figure" in message and "exclusions.accepted" in message
    assert "flag c" not in message  # accepted kinds are not listed


def test_an_unexplained_reconciliation_gap_is_a_kind_of_its_own():
    gaps = pd.DataFrame(
        [
            dict(
                source="cla_2025",
                year="2024-25",
                measure="cla_at_31_march",
                explanation="unexplained: the sum of units is 996 above",
                relative_difference=0.012,
            )
        ]
    )
    summary = summarise(exclusions(), panel(), UNITS, {}, NO_GAPS, gaps, accepted=[])
    assert summary["kind"].tolist() == ["reconciliation: unexplained gap to DfE's published England figure"]
    assert "largest effect 1.20%" in describe(summary)
