"""Published projections (config/published.yaml ``projections``) beside the pipeline's.

Each published figure is set against its outturn and against every scenario projected from the
same origin on the data to that origin only, with that horizon's bands from the other origins'
back-test errors. Outturns come from the data: the frame's England row (the sum of the units)
and, where the publisher has one, its own England figure (DfE's national count of children
looked after from the panel; MHCLG's England row of children's social care from the revenue
outturn files). A figure given as a change from an earlier year is that year's outturn plus
the change. Money in another basis is converted with the year's price level
(:mod:`projection_prices`), so only years with outturn can be converted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..years import fy_start
from . import projection_bands, projection_model
from .projection_prices import convert, price_level

CSC_LINE = "net_current_expenditure"
# MHCLG files with an England row of children's social care, most detailed first
CSC_FILES = ("ro3_", "rsx_", "rs_")


def publisher_outturns(panel: pd.DataFrame, revenue_outturn: pd.DataFrame) -> pd.DataFrame:
    """The publishers' own England figures: ``quantity, year, value, source`` (money in cash)."""
    cla = panel[(panel["area_level"] == "england") & (panel["measure"] == "cla_at_31_march")]
    cla = cla.dropna(subset=["value"]).assign(quantity="cla_at_31_march")
    england = revenue_outturn[
        (revenue_outturn["area_level"] == "england")
        & (revenue_outturn["category"] == "total")
        & (revenue_outturn["measure"] == CSC_LINE)
    ].dropna(subset=["value"])
    rank = england["source"].map(lambda s: next(i for i, p in enumerate(CSC_FILES) if s.startswith(p)))
    england = england.assign(rank=rank).sort_values(["year", "rank"]).drop_duplicates("year")
    scale = england["unit"].map({"GBP": 1.0, "GBP thousand": 1e3})
    csc = england.assign(value=england["value"] * scale, quantity="csc_net_total")
    return pd.concat([cla, csc], ignore_index=True)[["quantity", "year", "value", "source"]]


def outturn(frame: pd.DataFrame, quantity: str, year: str, basis: str | None) -> tuple[float, str]:
    """The frame's England value (cash if ``basis`` is cash) and its flag, or NaN."""
    measure = f"{quantity}_cash" if basis == "cash" else quantity
    rows = frame[(frame["area_level"] == "england") & (frame["measure"] == measure) & (frame["year"] == year)]
    if rows.empty:
        return float("nan"), "no outturn yet"
    return float(rows["value"].iloc[0]), rows["flag"].iloc[0]


def published_value(figure: dict, frame: pd.DataFrame) -> float:
    if "value" in figure:
        return float(figure["value"])
    return outturn(frame, figure["quantity"], figure["from_year"], figure.get("basis"))[0] + figure["change"]


COMPARISON = [
    "id",
    "label",
    "publisher",
    "published",
    "quantity",
    "basis",
    "origin",
    "year",
    "horizon",
    "published_value",
    "outturn",
    "outturn_flag",
    "publisher_outturn",
    "publisher_source",
    "published_error",
    "scenario",
    "point",
    "lower80",
    "upper80",
    "lower95",
    "upper95",
    "bands_n",
    "scenario_error",
    "published_inside80",
    "outturn_inside80",
    "conversion",
    "source",
]


def comparison(
    published: list[dict],
    runs: dict[str, dict],
    frame: pd.DataFrame,
    publisher: pd.DataFrame,
    block: dict,
    regions: pd.Series,
) -> pd.DataFrame:
    """One row per published figure and scenario (``runs``: scenario -> its spec, history and
    back-test). Errors are against the publisher's own outturn where there is one, else the
    frame's; ``published_inside80`` and ``outturn_inside80`` say whether the published figure and
    the outturn fell inside the scenario's 80% band from the same origin."""
    prices = price_level(frame)
    official = publisher.set_index(["quantity", "year"])
    pools = block["backtest"]["pools"]
    points, bands = {}, {}
    for name, run in runs.items():
        for origin in sorted({f["origin"] for f in published}):
            last = max(f["year"] for f in published if f["origin"] == origin)
            future = projection_model.future_years(origin, last)
            table, _ = projection_model.project(run["hist"], origin, future, run["spec"], block["population"], regions)
            points[name, origin] = table[table["area_level"] == "england"].set_index(["quantity", "year"])["point"]
            bands[name, origin] = projection_bands.quantiles(
                run["backtest"][run["backtest"]["origin"] != origin], pools
            )
    rows = []
    for figure in published:
        basis = figure.get("basis")
        value = published_value(figure, frame)
        actual, flag = outturn(frame, figure["quantity"], figure["year"], basis)
        key = (figure["quantity"], figure["year"])
        own = official.loc[key] if key in official.index else None
        own_value = (
            np.nan if own is None else convert(float(own["value"]), figure["year"], basis and "cash", basis, prices)
        )
        reference = actual if np.isnan(own_value) else own_value
        horizon = fy_start(figure["year"]) - fy_start(figure["origin"])
        for name, run in runs.items():
            scenario_basis = basis and run["spec"].get("prices", "real")
            point = float(points[name, figure["origin"]].get(key, np.nan))
            row = pd.DataFrame(
                [dict(scenario=name, area_level="england", quantity=figure["quantity"], horizon=horizon, point=point)]
            )
            banded = projection_bands.apply(row, bands[name, figure["origin"]]).iloc[0]
            out = {
                c: convert(banded[q], figure["year"], scenario_basis, basis, prices)
                for c, q in (
                    ("point", "point"),
                    ("lower80", "p10"),
                    ("upper80", "p90"),
                    ("lower95", "p2_5"),
                    ("upper95", "p97_5"),
                )
            }
            rows.append(
                {
                    **{
                        k: figure[k]
                        for k in ("id", "label", "publisher", "published", "quantity", "origin", "year", "source")
                    },
                    "basis": basis or "",
                    "horizon": horizon,
                    "published_value": value,
                    "outturn": actual,
                    "outturn_flag": flag,
                    "publisher_outturn": own_value,
                    "publisher_source": "" if own is None else own["source"],
                    "published_error": value / reference - 1,
                    "scenario": name,
                    **out,
                    "bands_n": int(banded["n"]),
                    "scenario_error": out["point"] / reference - 1,
                    "published_inside80": out["lower80"] <= value <= out["upper80"],
                    "outturn_inside80": out["lower80"] <= reference <= out["upper80"],
                    "conversion": _conversion(scenario_basis, basis, figure["year"], prices),
                }
            )
    return pd.DataFrame(rows, columns=COMPARISON)


def _conversion(source: str | None, target: str | None, year: str, prices: pd.Series) -> str:
    if source is None or target is None or source == target:
        return ""
    if year not in prices.index:
        return f"none: no {year} price level (the data end in {prices.index.max()})"
    return f"{source} to {target} at the {year} price level of the outturn ({prices[year]:.4f})"


def beside(
    england: pd.DataFrame, banded: pd.DataFrame, published: list[dict], frame: pd.DataFrame, prices_of: dict[str, str]
) -> pd.DataFrame:
    """The England back-test from every origin to the last outturn (``england``: back-test rows
    at every horizon), with the cross-validated bands where the horizon has them (``banded``)
    and each published projection for the same quantity and target year beside it
    (``published_id``, ``published_value`` in the scenario's basis, ``published_origin``)."""
    prices = price_level(frame)
    keys = ["scenario", "origin", "year", "quantity"]
    bands = [f"{side}{level}" for level in (50, 80, 95) for side in ("lower", "upper")]
    england = england[england["area_level"] == "england"].drop(columns="area_level")
    rows = banded[banded["area_level"] == "england"][[*keys, *bands]]
    out = england.astype({k: str for k in keys}).merge(rows.astype({k: str for k in keys}), on=keys, how="left")
    figures = pd.DataFrame(
        [
            {
                "quantity": f["quantity"],
                "year": f["year"],
                "published_id": f["id"],
                "published_origin": f["origin"],
                "published_basis": f.get("basis", ""),
                "published_raw": published_value(f, frame),
            }
            for f in published
        ]
    )
    out = out.merge(figures, on=["quantity", "year"], how="left")
    out["published_value"] = [
        convert(v, y, b or None, b and prices_of[s], prices) if isinstance(i, str) else np.nan
        for v, y, b, s, i in zip(
            out["published_raw"], out["year"], out["published_basis"], out["scenario"], out["published_id"]
        )
    ]
    out["published_id"] = out["published_id"].fillna("")
    out["published_origin"] = out["published_origin"].fillna("")
    return out.drop(columns=["published_raw", "published_basis"])
