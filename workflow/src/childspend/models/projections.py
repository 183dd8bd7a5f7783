"""Stage: where it is heading. Projections of children looked after and spending to
``last_year`` for every scenario, per stable unit and summed to regions and England
(:mod:`projection_model`), with bands from rolling-origin back-tests (:mod:`projection_bands`),
the published projections set beside them (:mod:`projection_published`) and sentences written
from the numbers (:mod:`projection_headlines`).

The origin of the projections is the frame's last year. The child population follows its own
trend unless a projection is pinned (:mod:`projection_population`); every output says which.
"""

from __future__ import annotations

import pandas as pd

from ..years import fy_range
from . import projection_bands, projection_headlines, projection_model, projection_published, projection_trends
from .projection_model import ADDITIVE, POPULATION

PROJECTION_COLUMNS = [
    "scenario",
    "area_level",
    "area_code",
    "year",
    "quantity",
    "p10",
    "p50",
    "p90",
    "p2_5",
    "p97_5",
    "method",
    "origin",
    "population_vintage",
    # beyond the list: the component projection the quantiles move, the 50% band, ...
    "area_name",
    "horizon",
    "unit",
    "point",
    "p25",
    "p75",
    "bands_n",
    "flag",
]
BACKTEST_COLUMNS = [
    "origin",
    "horizon",
    "year",
    "area_code",
    "quantity",
    "point",
    "lower80",
    "upper80",
    "lower95",
    "upper95",
    "actual",
    "scenario",
    "area_level",
    "lower50",
    "upper50",
    "flag",
]


def unit(quantity: str, prices: str, price_base: str) -> str:
    """A projected quantity's unit."""
    money = "GBP (cash)" if prices == "cash" else f"GBP, {price_base}"
    return {
        POPULATION: "children",
        "cla_at_31_march": "children",
        "cla_rate_per_10000": "per 10,000 children aged 0-17",
        "cla_spend_per_cla": f"{money} per child looked after",
        "s251_other_per_child": f"{money} per child aged 0-17",
        "csc_net_per_child": f"{money} per child aged 0-17",
    }.get(quantity, money)


def method(scenario: dict, quantity: str, level: str, pools: dict) -> str:
    """How a row was projected, and whose errors its bands come from."""
    bands = f"bands from the back-test errors of {' and '.join(pools[level])} rows"
    if level != "la":
        return f"{'sum' if quantity in ADDITIVE else 'ratio of the sums'} of the units; {bands}"
    if quantity == POPULATION:
        how = "see population_vintage"
    elif "direct" in scenario:
        rule = projection_trends.describe(scenario["direct"])
        how = {
            "s251_gross_total": "children looked after spending plus the other S251 lines",
        }.get(quantity, rule if quantity in ADDITIVE else "ratio of the projected lines")
    else:
        rates, costs = (projection_trends.describe(scenario[k]) for k in ("rates", "unit_costs"))
        how = {
            "cla_rate_per_10000": f"rate: {rates}",
            "cla_at_31_march": "rate x projected children aged 0-17",
            "cla_spend_per_cla": f"unit cost: {costs}",
            "s251_gross_children_looked_after": "children looked after x unit cost (own trend where no unit cost)",
            "s251_other_per_child": f"spending per child: {costs}",
            "s251_gross_other_lines": "spending per child x projected children aged 0-17",
            "s251_gross_total": "children looked after spending plus the other S251 lines",
            "csc_net_per_child": f"spending per child: {costs}",
            "csc_net_total": "spending per child x projected children aged 0-17",
        }[quantity]
    return f"{how}; {bands}"


def build_projections(
    frame: pd.DataFrame,
    block: dict,
    published: list[dict],
    publisher: pd.DataFrame,
    pinned: pd.DataFrame | None = None,
    pinned_source: str = "",
) -> dict[str, pd.DataFrame]:
    """Every table of the stage from the model frame, the ``models.projections`` block (with
    its overlay scenarios), the published projections, the publishers' own England outturns
    (:func:`projection_published.publisher_outturns`) and, if pinned, a population projection
    (units x years, :func:`projection_population.unit_projection`)."""
    regions = projection_model.regions_of(frame)
    origin = frame["year"].max()
    future = projection_model.future_years(origin, block["last_year"])
    test = block["backtest"]
    origins = fy_range(test["origins"]["first"], test["origins"]["last"])
    price_base = frame["price_base"].iloc[0]
    estimates = frame["population_vintage"].iloc[0].split(";")[0]
    names = frame.drop_duplicates(["area_level", "area_code"]).set_index("area_code")["area_name"]
    runs, projected, backtests, longer = {}, [], [], []
    every = len(projection_model.future_years(test["origins"]["first"], origin))
    for name, scenario in block["scenarios"].items():
        prices = scenario.get("prices", "real")
        hist = projection_model.history(frame, prices, block["history_from"])
        # from every origin to the last outturn: England's rows go beside published target years
        full = projection_model.backtest(hist, scenario, block["population"], regions, origins, every)
        full["scenario"] = name
        # the horizons the projection reaches: a year's band is the back-tests' error at its horizon
        backtest = full[full["horizon"] <= len(future)]
        table, how = projection_model.project(
            hist, origin, future, scenario, block["population"], regions, pinned, pinned_source
        )
        table = table.assign(scenario=name, origin=origin, horizon=table["year"].astype(str).map(future.index) + 1)
        table = projection_bands.apply(table, projection_bands.quantiles(backtest, test["pools"]))
        table["bands_n"] = table.pop("n")
        table["method"] = [
            method(scenario, q, lv, test["pools"]) for q, lv in zip(table["quantity"], table["area_level"])
        ]
        table["unit"] = table["quantity"].map(lambda q, p=prices: unit(q, p, price_base))
        table["population_vintage"] = f"{estimates}; {how}"
        runs[name] = {"spec": scenario, "hist": hist, "backtest": backtest, "population": how}
        longer.append(full[full["area_level"] == "england"])
        projected.append(table)
        backtests.append(backtest)
    backtest = pd.concat(backtests, ignore_index=True).astype({"scenario": "category"})
    banded = projection_bands.cross_validated(backtest, test["pools"])
    projections = pd.concat(projected, ignore_index=True).assign(area_name=lambda t: t["area_code"].map(names))
    compared = projection_published.comparison(published, runs, frame, publisher, block, regions)
    tables = {
        "projections": _sorted(
            projections, PROJECTION_COLUMNS, ["scenario", "area_level", "area_code", "quantity", "year"]
        ),
        "backtest": _sorted(
            banded, BACKTEST_COLUMNS, ["scenario", "area_level", "area_code", "quantity", "origin", "year"]
        ),
        "coverage": _sorted(projection_bands.coverage(banded), None, projection_bands.GROUP),
        "bands": _sorted(projection_bands.quantiles(backtest, test["pools"]), None, projection_bands.GROUP),
        "published": compared,
        "backtest_england": projection_published.beside(
            pd.concat(longer, ignore_index=True),
            banded,
            published,
            frame,
            {name: run["spec"].get("prices", "real") for name, run in runs.items()},
        )[[c for c in BACKTEST_COLUMNS if c != "area_level"] + ["published_id", "published_origin", "published_value"]]
        .sort_values(["scenario", "quantity", "origin", "year", "published_id"], kind="mergesort")
        .reset_index(drop=True),
    }
    tables["headlines"] = projection_headlines.headlines(tables, block, runs, frame, origin)
    return tables


def _sorted(table: pd.DataFrame, columns: list[str] | None, keys: list[str]) -> pd.DataFrame:
    table = table[columns] if columns else table
    return table.sort_values(keys, kind="mergesort").reset_index(drop=True)
