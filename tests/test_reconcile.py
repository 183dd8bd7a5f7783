"""Reconciliation tables on small hand-made tables: gaps explained from the data."""

import pandas as pd

from childspend.panel.reconcile import a1_vs_lait, activity_england, england_rows

OPERATING = pd.DataFrame({"la_number": [201, 202, 390], "year": "2020-21"})
REGION = {201: "London", 202: "London", 390: "North East"}


def spending(source, values, level="la", category="total", measure="net_current_expenditure"):
    return pd.DataFrame(
        [
            dict(
                source=source,
                year="2020-21",
                area_level=level if k != "england" else "england",
                la_number=None if k in ("england", "London", "North East") else k,
                area_name=str(k),
                category=category,
                measure=measure,
                value=v,
            )
            for k, v in values.items()
        ]
    )


def reconcile(table):
    la = table[table["area_level"] == "la"].astype({"la_number": "Int64"})
    return england_rows(table, la, OPERATING, REGION, 0.005).iloc[0]


def test_within_tolerance_needs_no_explanation():
    row = reconcile(spending("ro3_2020-21", {201: 100.0, 202: 200.0, 390: 300.0, "england": 600.0}))
    assert row["within_tolerance"] and row["explanation"] == ""


def test_a_suppressed_la_explains_the_gap():
    row = reconcile(spending("ro3_2020-21", {201: 100.0, 202: float("nan"), 390: 300.0, "england": 600.0}))
    assert not row["within_tolerance"]
    assert "1 LA value(s) suppressed or blank" in row["explanation"] and "imputation" in row["explanation"]


def test_an_absent_la_is_named():
    row = reconcile(spending("lait_2026", {201: 100.0, 390: 300.0, "england": 600.0}))
    assert "operating LAs absent from the file: 202" in row["explanation"]


def test_other_bodies_explain_the_gap_when_they_close_it():
    table = pd.concat(
        [
            spending("ro3_2020-21", {201: 100.0, 202: 200.0, 390: 300.0, "england": 620.0}),
            spending("ro3_2020-21", {"GLA": 20.0}, level="other_body").assign(la_number=None),
        ]
    )
    row = reconcile(table)
    assert "authorities without children's services duties" in row["explanation"]


def test_a_region_row_holding_money_no_la_has_is_named():
    table = pd.concat(
        [
            spending("lait_2026", {201: 100.0, 202: 200.0, 390: 300.0, "england": 660.0}),
            spending("lait_2026", {"North East": 360.0, "London": 300.0}, level="region"),
        ]
    )
    row = reconcile(table)
    assert "North East +60" in row["explanation"]


def test_an_unexplained_gap_says_so():
    row = reconcile(spending("lait_2026", {201: 100.0, 202: 200.0, 390: 300.0, "england": 700.0}))
    assert row["explanation"].startswith("unexplained")


def test_a1_and_lait_compared_by_category_and_la():
    a1 = spending("s251_a1_2018-19", {201: 10.0, 202: 20.0}, category="total", measure="gross_expenditure")
    lait = spending("lait_2026", {201: 10.0, 202: 22.0}, category="total", measure="gross_expenditure")
    table = a1_vs_lait(a1.astype({"la_number": "Int64"}), lait.astype({"la_number": "Int64"}), 0.01)
    england = table[table["level"] == "england"].iloc[0]
    assert (england["a1"], england["lait"]) == (30.0, 32.0)
    assert not england["within_tolerance"]
    assert table[(table["level"] == "la") & (table["la_number"] == 201)]["within_tolerance"].all()


def test_activity_rates_agree_within_rounding_and_counts_name_missing_units():
    published = pd.DataFrame(
        [
            dict(
                source="cla_2025",
                area_level="england",
                measure="cla_at_31_march",
                year="2024-25",
                value=100.0,
                unit="count",
            ),
            dict(
                source="cla_2025",
                area_level="england",
                measure="cla_rate_per_10000",
                year="2024-25",
                value=67.0,
                unit="rate_per_10000",
            ),
        ]
    )
    panel = pd.DataFrame(
        [
            dict(
                area_level="la",
                area_name="Camden",
                measure="cla_at_31_march",
                year="2024-25",
                value=90.0,
                flag="",
                source="cla_2025",
            ),
            dict(
                area_level="la",
                area_name="City of London",
                measure="cla_at_31_march",
                year="2024-25",
                value=float("nan"),
                flag="c",
                source="cla_2025",
            ),
            dict(
                area_level="england",
                area_name="England",
                measure="cla_rate_per_10000",
                year="2024-25",
                value=67.4,
                flag="",
                source="derived",
            ),
            dict(
                area_level="la",
                area_name="Camden",
                measure="population_0_17",
                year="2024-25",
                value=1.0,
                flag="",
                source="population_2025",
            ),
        ]
    )
    table = activity_england(published, panel, 0.005).set_index("measure")
    assert table.loc["cla_rate_per_10000", "within_tolerance"]
    count = table.loc["cla_at_31_march"]
    assert not count["within_tolerance"] and "City of London (c)" in count["explanation"]


def test_a_sum_above_the_england_row_is_not_explained_by_a_suppressed_la():
    row = reconcile(spending("ro3_2020-21", {201: 100.0, 202: float("nan"), 390: 300.0, "england": 350.0}))
    assert row["explanation"].startswith("unexplained: the sum of LAs is 50 above the England row")
    assert "1 LA value(s) suppressed or blank" in row["explanation"]  # still named as a candidate


def test_a_gap_larger_than_the_missing_la_could_be_is_unexplained():
    # LA 202 is missing; the largest value on the line is 300, so it can add at most 1.5 x 300 = 450
    row = reconcile(spending("ro3_2020-21", {201: 100.0, 202: float("nan"), 390: 300.0, "england": 1400.0}))
    assert row["explanation"].startswith("unexplained: the gap of 1,000 is more than the missing LAs can account for")
    assert "at most 450" in row["explanation"]


def test_a_missing_las_own_earlier_value_bounds_what_it_can_add():
    # 202 reported 900 the year before: it may stand for up to 1.5 x 900 this year
    earlier = spending("ro3_2019-20", {201: 100.0, 202: 900.0, 390: 300.0}).assign(year="2019-20")
    this = spending("ro3_2020-21", {201: 100.0, 202: float("nan"), 390: 300.0, "england": 1400.0})
    table = pd.concat([this, earlier], ignore_index=True)
    la = table[table["area_level"] == "la"].astype({"la_number": "Int64"})
    operating = pd.concat([OPERATING, OPERATING.assign(year="2019-20")])
    out = england_rows(table, la, operating, REGION, 0.005).set_index("source")
    assert out.loc["ro3_2020-21", "explanation"].startswith("1 LA value(s) suppressed or blank")


def test_a_region_row_explains_only_the_amount_it_holds():
    table = pd.concat(
        [
            spending("lait_2026", {201: 100.0, 202: 200.0, 390: 300.0, "england": 760.0}),
            spending("lait_2026", {"North East": 360.0, "London": 300.0}, level="region"),
        ]
    )
    row = reconcile(table)
    assert row["explanation"].startswith("unexplained: the gap of 160 is not closed by them")


def _cla(published: float, camden: float, city: float = float("nan"), earlier_city: float | None = None):
    published_rows = pd.DataFrame(
        [
            dict(
                source="cla_2025",
                area_level="england",
                measure="cla_at_31_march",
                year="2024-25",
                value=published,
                unit="count",
            )
        ]
    )
    rows = [
        ("Camden", "2024-25", camden, ""),
        ("City of London", "2024-25", city, "c" if pd.isna(city) else ""),
    ]
    if earlier_city is not None:
        rows.append(("City of London", "2023-24", earlier_city, ""))
        rows.append(("Camden", "2023-24", camden, ""))
    panel = pd.DataFrame(
        [
            dict(area_level="la", area_name=n, measure="cla_at_31_march", year=y, value=v, flag=f, source="cla_2025")
            for n, y, v, f in rows
        ]
    )
    return activity_england(published_rows, panel, 0.005).iloc[0]


def test_a_cla_sum_that_rises_above_the_published_england_figure_is_unexplained():
    row = _cla(published=100.0, camden=130.0)  # City of London suppressed, Camden edited upwards
    assert not row["within_tolerance"]
    assert row["explanation"].startswith("unexplained: the sum of units is 30 above the published figure")
    assert "City of London (c)" in row["explanation"]


def test_a_suppressed_unit_explains_a_cla_gap_only_up_to_what_it_could_be():
    assert _cla(published=100.0, camden=90.0, earlier_city=8.0)["explanation"].startswith(
        "the published figure includes"
    )
    # Camden is the largest unit (90): City of London can add at most 1.5 x 90 = 135
    row = _cla(published=400.0, camden=90.0, earlier_city=8.0)
    assert row["explanation"].startswith("unexplained: the gap of 310 is more than the units without a value")
    assert "at most 135" in row["explanation"]
