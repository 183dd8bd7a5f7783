"""Exact growth decomposition (LMDI-I): hand-worked examples, simulated areas with known answers,
zero and missing values, and what does and does not add up across areas."""

import copy
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from childspend.codes import ENGLAND_CODE
from childspend.config import check_config, load_config
from childspend.errors import ConfigError
from childspend.models.decomposition import COLUMNS, decompose, log_mean
from childspend.models.frame import COLUMNS as FRAME_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
Y0, Y1 = "2010-11", "2024-25"
REGIONS = {"E12000001": "North East", "E12000002": "North West"}
CLA_SPEND = {
    "quantity": "s251_gross_children_looked_after",
    "unit": "GBP, real terms",
    "scale": 1e-4,
    "factors": {"population": "population_0_17", "rate": "cla_rate_per_10000", "unit_cost": "cla_spend_per_cla"},
}
CLA_NUMBER = {
    "quantity": "cla_at_31_march",
    "unit": "children",
    "scale": 1e-4,
    "factors": {"population": "population_0_17", "rate": "cla_rate_per_10000"},
}
LINES = {
    "quantity": "s251_gross_total",
    "unit": "GBP, real terms",
    "parts": {"early_years": "s251_gross_early_years", "children_looked_after": "s251_gross_children_looked_after"},
}
CASH = {
    "quantity": "s251_gross_total_cash",
    "unit": "GBP, cash",
    "factors": {"real": "s251_gross_total", "price": "s251_gross_total_cash / s251_gross_total"},
}


def frame_of(values: dict, regions: dict[str, str], flags: dict | None = None) -> pd.DataFrame:
    """A model frame in its exact layout from unit values {(unit, year, measure): value}
    (``regions``: unit -> region code), with region and England rows summed from the units."""
    flags = flags or {}
    rows = pd.DataFrame(
        [
            dict(
                area_level="la", area_code=u, area_name=f"Unit {u}", region_code=regions[u], year=y, measure=m, value=v
            )
            | dict(flag=flags.get((u, y, m), ""))
            for (u, y, m), v in values.items()
        ]
    )
    rows["region_name"] = rows["region_code"].map(REGIONS)
    keys = ["year", "measure"]
    region = rows.groupby(["region_code", "region_name", *keys], as_index=False)["value"].sum()
    region = region.assign(area_level="region", area_code=region["region_code"], area_name=region["region_name"])
    england = rows.groupby(keys, as_index=False)["value"].sum()
    england = england.assign(area_level="england", area_code=ENGLAND_CODE, area_name="England")
    frame = pd.concat([rows, region, england], ignore_index=True).fillna({"flag": "", "region_code": ""})
    frame = frame.fillna({"region_name": ""}).assign(unit="u", price_base="2024-25 prices", population_vintage="v")
    return frame[FRAME_COLUMNS]


def cla_values(unit: str, pop: tuple, rate: tuple, cost: tuple) -> dict:
    """A unit's population, children looked after and their spending in Y0 and Y1, from the
    population, rate per 10,000 and spend per child looked after."""
    out = {}
    for i, year in enumerate((Y0, Y1)):
        cla = pop[i] * rate[i] / 1e4
        out |= {(unit, year, "population_0_17"): pop[i], (unit, year, "cla_at_31_march"): cla}
        out[(unit, year, "s251_gross_children_looked_after")] = cla * cost[i]
    return out


def settings(periods=({"from": Y0, "to": Y1},), **identities) -> dict:
    return {"periods": list(periods), "tolerance": 1e-9, "identities": identities}


def parts(table: pd.DataFrame, area: str, quantity: str) -> pd.Series:
    rows = table[(table["area_code"] == area) & (table["quantity"] == quantity)]
    return rows.set_index("component")["value"]


def test_log_mean():
    assert log_mean(3.0, 3.0) == 3.0
    assert log_mean(math.e, 1.0) == pytest.approx(math.e - 1)
    assert log_mean(2.0, 8.0) == log_mean(8.0, 2.0)
    assert math.sqrt(2 * 8) < log_mean(2.0, 8.0) < (2 + 8) / 2


def test_hand_worked_product():
    """Population 10,000 -> 20,000 (x2), rate 50 -> 200 per 10,000 (x4), GBP 1,000 a child
    throughout: spend 10,000 x 50/10,000 x 1,000 = 50,000 -> 20,000 x 200/10,000 x 1,000 =
    400,000, a change of 350,000. L(400,000, 50,000) = 350,000 / ln 8, so population gets
    350,000 x ln 2 / ln 8 = 350,000 / 3 = 116,666.67, the rate 350,000 x ln 4 / ln 8 = 233,333.33,
    unit cost 0: each factor's share is its log growth over the quantity's."""
    frame = frame_of(cla_values("101", (1e4, 2e4), (50, 200), (1000, 1000)), {"101": "E12000001"})
    out = decompose(frame, settings(cla_spend=CLA_SPEND))["decomposition"]
    got = parts(out, "101", "cla_spend")
    assert got["population"] == pytest.approx(350_000 / 3, rel=1e-12)
    assert got["rate"] == pytest.approx(700_000 / 3, rel=1e-12)
    assert got["unit_cost"] == 0
    assert got["total"] == pytest.approx(350_000, rel=1e-12)
    shares = out[(out["area_code"] == "101")].set_index("component")["share_of_change"]
    assert shares.to_dict() == pytest.approx({"population": 1 / 3, "rate": 2 / 3, "unit_cost": 0, "total": 1})


def test_hand_worked_shift_share_and_cash():
    """Service lines: early years 10 -> 15 (+5), children looked after 20 -> 18 (-2), total
    30 -> 33 (+3); shares 5/3 and -2/3. Cash 50 -> 120 is real 100 -> 120 at prices 0.5 -> 1:
    L(120, 50) = 70 / ln 2.4, so real = 70 ln 1.2 / ln 2.4 = 14.578 and price = 70 ln 2 / ln 2.4
    = 55.422."""
    values = {
        ("101", Y0, "s251_gross_early_years"): 10.0,
        ("101", Y1, "s251_gross_early_years"): 15.0,
        ("101", Y0, "s251_gross_children_looked_after"): 20.0,
        ("101", Y1, "s251_gross_children_looked_after"): 18.0,
        ("101", Y0, "s251_gross_total"): 100.0,
        ("101", Y1, "s251_gross_total"): 120.0,
        ("101", Y0, "s251_gross_total_cash"): 50.0,
        ("101", Y1, "s251_gross_total_cash"): 120.0,
    }
    lines = {**LINES, "quantity": "lines_total"}
    values |= {("101", Y0, "lines_total"): 30.0, ("101", Y1, "lines_total"): 33.0}
    out = decompose(frame_of(values, {"101": "E12000001"}), settings(lines=lines, cash=CASH))["decomposition"]
    shift = out[(out["area_code"] == "101") & (out["quantity"] == "lines")].set_index("component")
    assert shift["value"].to_dict() == pytest.approx({"early_years": 5, "children_looked_after": -2, "total": 3})
    assert shift["share_of_change"].to_dict() == pytest.approx(
        {"early_years": 5 / 3, "children_looked_after": -2 / 3, "total": 1}
    )
    cash = parts(out, "101", "cash")
    assert cash["real"] == pytest.approx(14.578, abs=5e-4)
    assert cash["price"] == pytest.approx(55.422, abs=5e-4)
    assert cash["total"] == pytest.approx(70)


def simulated(n: int = 30, seed: int = 1) -> tuple[pd.DataFrame, tuple[float, float, float]]:
    """Units in two regions whose population, rate and unit cost each grow by the same factor
    everywhere (levels vary): every area's shares are then known, ln g_k / ln (g_p g_r g_c)."""
    rng = np.random.default_rng(seed)
    growth = (1.07, 1.25, 1.4)
    values, regions = {}, {}
    for i in range(n):
        unit = str(100 + i)
        regions[unit] = list(REGIONS)[i % 2]
        pop, rate, cost = rng.uniform(2e4, 3e5), rng.uniform(20, 150), rng.uniform(4e4, 1.2e5)
        values |= cla_values(unit, (pop, pop * growth[0]), (rate, rate * growth[1]), (cost, cost * growth[2]))
    return frame_of(values, regions), growth


def test_simulated_areas_recover_the_known_shares_at_every_level():
    frame, growth = simulated()
    out = decompose(frame, settings(cla_spend=CLA_SPEND))["decomposition"]
    logs = np.log(growth)
    expected = dict(zip(["population", "rate", "unit_cost"], logs / logs.sum(), strict=True))
    assert set(out["area_level"]) == {"la", "region", "england"}
    for _, rows in out.groupby("area_code"):
        shares = rows.set_index("component")["share_of_change"]
        assert shares.drop("total").to_dict() == pytest.approx(expected, rel=1e-12)
    # with the same proportional change everywhere, the LMDI terms also add across areas
    units = out[out["area_level"] == "la"].groupby("component")["value"].sum()
    england = out[out["area_level"] == "england"].set_index("component")["value"]
    pd.testing.assert_series_equal(units.sort_index(), england.sort_index(), rtol=1e-12, check_names=False)


def test_parts_add_to_the_total_and_the_layout_is_fixed():
    frame, _ = simulated(seed=7)
    out = decompose(frame, settings(cla_spend=CLA_SPEND, cla_number=CLA_NUMBER))["decomposition"]
    assert list(out.columns) == COLUMNS
    keys = ["area_code", "quantity", "from_year", "to_year"]
    totals = out[out["component"] == "total"].set_index(keys)["value"]
    summed = out[out["component"] != "total"].groupby(keys)["value"].sum()
    assert totals.index.is_unique
    np.testing.assert_allclose(summed.reindex(totals.index), totals, rtol=1e-12)
    assert out["value"].notna().all() and out["share_of_change"].notna().all()
    assert out.equals(decompose(frame, settings(cla_spend=CLA_SPEND, cla_number=CLA_NUMBER))["decomposition"])


def test_the_national_split_carries_the_mix_of_areas():
    """Two units with constant rates: A 1,000 -> 500 children at 100 per 10,000 (10 -> 5 looked
    after), B 1,000 -> 1,500 at 300 (30 -> 45). Each unit's change is all population:
    A L(5, 10) ln 0.5 = -5, B L(45, 30) ln 1.5 = +15. England's population is 2,000 both years
    and its rate 200 -> 250 per 10,000 (40 -> 50 children), so its +10 is all rate: the children
    moved to the higher-rate area. Changes add across areas (-5 + 15 = 10); LMDI terms do not."""
    values = cla_values("201", (1000, 500), (100, 100), (1, 1)) | cla_values("202", (1000, 1500), (300, 300), (1, 1))
    out = decompose(frame_of(values, dict.fromkeys(["201", "202"], "E12000001")), settings(n=CLA_NUMBER))
    out = out["decomposition"]
    assert parts(out, "201", "n").to_dict() == pytest.approx({"population": -5, "rate": 0, "total": -5})
    assert parts(out, "202", "n").to_dict() == pytest.approx({"population": 15, "rate": 0, "total": 15})
    assert parts(out, ENGLAND_CODE, "n").to_dict() == pytest.approx({"population": 0, "rate": 10, "total": 10})


def test_missing_and_zero_values_exclude_the_unit_with_its_reason():
    values = (
        cla_values("101", (1e4, 1.1e4), (50, 60), (5e4, 6e4))
        | cla_values("102", (2e4, 2.1e4), (40, 45), (5e4, 7e4))
        | cla_values("103", (1e4, 1e4), (30, 0), (5e4, 5e4))  # no child looked after in Y1
        | cla_values("104", (1e4, 1e4), (30, 30), (5e4, 0))  # nothing spent in Y1
        | cla_values("105", (1e4, 1e4), (30, 30), (5e4, 5e4))
    )
    values[("105", Y1, "cla_at_31_march")] = float("nan")
    regions = {"101": "E12000001", "102": "E12000001", "103": "E12000001", "104": "E12000001", "105": "E12000002"}
    frame = frame_of(values, regions, flags={("105", Y1, "cla_at_31_march"): "c"})
    tables = decompose(frame, settings(cla_spend=CLA_SPEND))
    out, why = tables["decomposition"], tables["exclusions"].set_index("area_code")
    assert why.loc["105", "reason"] == "cla_at_31_march missing in 2024-25 (flag c)"
    assert why.loc["103", "reason"] == (
        "rate (cla_rate_per_10000) is not positive in 2024-25; "
        "cla_at_31_march is zero in 2024-25, so unit_cost (cla_spend_per_cla) is undefined"
    )
    assert why.loc["104", "reason"] == "unit_cost (cla_spend_per_cla) is not positive in 2024-25"
    assert why.loc["E12000002", ["status", "reason"]].tolist() == [
        "excluded",
        "every unit is excluded from this identity and period",
    ]
    assert why.loc[ENGLAND_CODE, "reason"] == "sum over 2 of 5 units; left out: Unit 103, Unit 104, Unit 105"
    assert set(out["area_code"]) == {"101", "102", "E12000001", ENGLAND_CODE}
    assert out["value"].notna().all()
    # England is the sum over the units kept, in both years
    kept = sum(
        values[(u, y, "s251_gross_children_looked_after")] * s for u in ("101", "102") for y, s in ((Y1, 1), (Y0, -1))
    )
    assert parts(out, ENGLAND_CODE, "cla_spend")["total"] == pytest.approx(kept, rel=1e-12)


def test_an_identity_no_unit_can_enter_gives_only_exclusions():
    frame = frame_of(cla_values("101", (1e4, 1e4), (30, 30), (5e4, 0)), {"101": "E12000001"})
    tables = decompose(frame, settings(cla_spend=CLA_SPEND))
    assert tables["decomposition"].empty and list(tables["decomposition"].columns) == COLUMNS
    assert tables["factors"].empty
    assert tables["exclusions"]["status"].tolist() == ["excluded"] * 3  # England, the region, the unit


def test_a_zero_part_is_fine_and_a_broken_identity_is_excluded():
    values = {
        ("101", Y0, "s251_gross_early_years"): 0.0,
        ("101", Y1, "s251_gross_early_years"): 4.0,
        ("101", Y0, "s251_gross_children_looked_after"): 10.0,
        ("101", Y1, "s251_gross_children_looked_after"): 10.0,
        ("101", Y0, "s251_gross_total"): 10.0,
        ("101", Y1, "s251_gross_total"): 14.0,
        ("102", Y0, "s251_gross_early_years"): 1.0,
        ("102", Y1, "s251_gross_early_years"): 1.0,
        ("102", Y0, "s251_gross_children_looked_after"): 1.0,
        ("102", Y1, "s251_gross_children_looked_after"): 1.0,
        ("102", Y0, "s251_gross_total"): 2.0,
        ("102", Y1, "s251_gross_total"): 3.0,  # the lines give 2
    }
    tables = decompose(frame_of(values, dict.fromkeys(["101", "102"], "E12000001")), settings(lines=LINES))
    assert parts(tables["decomposition"], "101", "lines").to_dict() == {
        "early_years": 4,
        "children_looked_after": 0,
        "total": 4,
    }
    reason = tables["exclusions"].set_index("area_code").loc["102", "reason"]
    assert (
        reason
        == "s251_gross_total in 2024-25 is 3.00 but its components give 2.00 (relative gap 0.33 above the tolerance 1e-09)"
    )
    factors = tables["factors"].set_index(["area_code", "component"])
    assert np.isnan(factors.loc[("101", "early_years"), "growth"])
    assert factors.loc[("101", "total"), ["from_value", "to_value"]].tolist() == [10, 14]


def test_periods_and_measures_are_checked():
    frame = frame_of(cla_values("101", (1, 2), (1, 2), (1, 2)), {"101": "E12000001"})
    twice = settings([{"from": Y0, "to": Y1}, {"from": Y0, "to": Y1}], n=CLA_NUMBER)
    assert decompose(frame, twice)["decomposition"][["from_year", "to_year"]].drop_duplicates().shape == (1, 2)
    with pytest.raises(ConfigError, match=r"periods\[0\]: 2009-10 is not a year of the model frame"):
        decompose(frame, settings([{"from": "2009-10", "to": Y1}], n=CLA_NUMBER))
    with pytest.raises(ConfigError, match="must be before"):
        decompose(frame, settings([{"from": Y1, "to": Y0}], n=CLA_NUMBER))
    with pytest.raises(ConfigError, match="identities.n: cin_at_31_march is not a measure of the model frame"):
        decompose(frame, settings(n={**CLA_NUMBER, "quantity": "cin_at_31_march"}))
    with pytest.raises(ConfigError, match="cla_rate_per_10000 cannot be summed"):
        decompose(frame, settings(n={**CLA_NUMBER, "quantity": "cla_rate_per_10000"}))
    with pytest.raises(ConfigError, match="parts must be additive"):
        decompose(frame, settings(n={**LINES, "parts": {"rate": "cla_rate_per_10000"}}))


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda i: i.update(scale=2.0), "is not valid under any of the given schemas"),
        (lambda i: i["parts"].update(total="s251_gross_total"), "'total' should not be valid"),
        (lambda i: i.update(factors={"population": "population_0_17"}), "is valid under each of"),
    ],
)
def test_config_schema_rejects_malformed_identities(edit, message):
    config = copy.deepcopy(load_config(ROOT / "config" / "config.yaml"))
    edit(config["models"]["decomposition"]["identities"]["total_spend_by_service_line"])
    with pytest.raises(ConfigError, match=message):
        check_config(config)
