"""Sentences written from the projection tables (results/models/projection_headlines.csv).

Every number in a sentence is read from the tables; nothing is typed here but the wording.
"""

from __future__ import annotations

import math

import pandas as pd

from . import projection_model, projection_published

COLUMNS = ["id", "scenario", "quantity", "year", "value", "unit", "sentence"]
LEAD = ["cla_at_31_march", "s251_gross_children_looked_after", "s251_gross_total"]
NAMES = {
    "population_0_17": "children aged 0-17",
    "cla_at_31_march": "children looked after",
    "s251_gross_children_looked_after": "S251 spending on children looked after",
    "s251_gross_total": "S251 spending on children's and young people's services",
    "csc_net_total": "MHCLG children's social care spending (net)",
}


def number(value: float, quantity: str, exact: bool = False) -> str:
    """Money in GBP billions; children in millions if a population, else whole numbers, to three
    significant figures unless ``exact`` (an outturn)."""
    if quantity.startswith(("s251_", "csc_")):
        return f"£{value / 1e9:.1f}bn"
    if quantity == "population_0_17":
        return f"{value / 1e6:.2f} million"
    digits = 0 if exact or not value else max(0, int(math.floor(math.log10(abs(value)))) - 2)
    return f"{round(value, -digits):,.0f}"


def units(n: int) -> str:
    return f"{n} unit" if n == 1 else f"{n} units"


def carried(missing: pd.DataFrame, most: int = 12) -> str:
    """Units without an outturn at the origin in words, each with the year its projection starts
    from: "Birmingham from 2021-22, Slough from 2023-24"; at most ``most`` named."""
    named = [
        f"{r.area_name} {'from ' + r.last_year if r.last_year else '(no earlier value: not projected)'}"
        for r in missing.itertuples()
    ]
    more = len(named) - most
    return ", ".join(named[:most]) + (f" and {more} more" if more > 0 else "")


def _england(table: pd.DataFrame, **where) -> pd.DataFrame:
    rows = table[table["area_level"] == "england"]
    for key, value in where.items():
        rows = rows[rows[key] == value]
    return rows


def headlines(
    tables: dict[str, pd.DataFrame], block: dict, runs: dict[str, dict], frame: pd.DataFrame, origin: str
) -> pd.DataFrame:
    """The headline sentences: the population's basis, each scenario's England projection of the
    lead quantities with its bands, how often the headline scenario's past bands held, and each
    published projection beside its outturn and ours from the same origin."""
    projections, coverage, compared = tables["projections"], tables["coverage"], tables["published"]
    last = block["last_year"]
    lead = block["headline_scenario"]
    rows = []
    first = _england(projections, scenario=lead, quantity="population_0_17", year=last).iloc[0]
    rows.append(
        dict(
            id="population",
            scenario=lead,
            quantity="population_0_17",
            year=last,
            value=first["point"],
            unit=first["unit"],
            sentence=(
                f"The child population is {runs[lead]['population']}; so projected, England has "
                f"{number(first['point'], 'population_0_17')} children aged 0-17 in {last}."
            ),
        )
    )
    # the units each lead quantity's England outturn lacks in the origin year
    missing = {quantity: projection_model.without_outturn(frame, quantity, origin) for quantity in LEAD}
    for name, run in runs.items():
        for quantity in LEAD:
            row = _england(projections, scenario=name, quantity=quantity, year=last).iloc[0]
            basis = run["spec"].get("prices", "real") if quantity != "cla_at_31_march" else None
            now, flag = projection_published.outturn(frame, quantity, origin, basis)
            lacking = (
                f" (without {units(len(missing[quantity]))}, which the projection carries from their last "
                f"outturn: {carried(missing[quantity])})"
                if flag and not missing[quantity].empty
                else ""
            )
            rows.append(
                dict(
                    id=f"{name}_{quantity}",
                    scenario=name,
                    quantity=quantity,
                    year=last,
                    value=row["p50"],
                    unit=row["unit"],
                    sentence=(
                        f"{run['spec']['label']} ({run['spec']['description']}): {NAMES[quantity]}, England, "
                        f"from {number(now, quantity, exact=True)} in {origin}{lacking} to {number(row['point'], quantity)} "
                        f"in {last} ({row['unit']}); moved by the median back-test error, {number(row['p50'], quantity)}, "
                        f"80% band {number(row['p10'], quantity)} to {number(row['p90'], quantity)}, "
                        f"95% band {number(row['p2_5'], quantity)} to {number(row['p97_5'], quantity)}."
                    ),
                )
            )
    origins = block["backtest"]["origins"]
    for quantity in LEAD:
        held = _england(coverage, scenario=lead, quantity=quantity, horizon="all")
        if held.empty:
            continue
        held = held.iloc[0]
        reached = _england(coverage, scenario=lead, quantity=quantity)["horizon"]
        furthest = max(int(h) for h in reached if h != "all")
        rows.append(
            dict(
                id=f"coverage_{quantity}",
                scenario=lead,
                quantity=quantity,
                year="",
                value=held["coverage80"],
                unit="share of back-test years",
                sentence=(
                    f"In back-tests from origins {origins['first']} to {origins['last']} (horizons 1 to "
                    f"{furthest} years), England's 80% band for {NAMES[quantity]} "
                    f"({runs[lead]['spec']['label'].lower()}) held in {held['coverage80']:.0%} of {held['n']} "
                    f"cases and the 95% band in {held['coverage95']:.0%}."
                ),
            )
        )
    for figure_id, group in compared.groupby("id", sort=False):
        one = group.iloc[0]
        quantity = one["quantity"]
        basis = f" ({one['basis']})" if one["basis"] else ""
        outturn = one["publisher_outturn"] if not math.isnan(one["publisher_outturn"]) else one["outturn"]
        ours = group.set_index("scenario")
        if math.isnan(outturn):
            result = f"there is no outturn yet (the data end in {origin})"
        else:
            source = one["publisher_source"] or "sum of the units"
            side = "above" if one["published_error"] > 0 else "below"
            result = (
                f"the outturn was {number(outturn, quantity, exact=True)} ({source}): the projection was "
                f"{abs(one['published_error']):.0%} {side} it"
            )
        given = ours[ours["point"].notna()]
        beside = "; ".join(
            f"{runs[s]['spec']['label'].lower()} {number(r['point'], quantity)}"
            + (
                f" (80% band {number(r['lower80'], quantity)} to {number(r['upper80'], quantity)})"
                if r["bands_n"]
                else ""
            )
            for s, r in given.iterrows()
        )
        if len(given) < len(ours):
            beside += " (real-terms scenarios cannot be put in cash beyond the last year of outturn)"
        banded = given[given["bands_n"] > 0]
        if not math.isnan(outturn) and len(banded):
            held = int(banded["outturn_inside80"].sum())
            beside += f"; the outturn fell inside the 80% band of {held} of these {len(banded)}"
        rows.append(
            dict(
                id=figure_id,
                scenario="",
                quantity=quantity,
                year=one["year"],
                value=one["published_value"],
                unit=basis.strip(" ()") or "children",
                sentence=(
                    f"{one['publisher']} ({one['published'][:4]}) projected {number(one['published_value'], quantity)}"
                    f"{basis} for {NAMES[quantity]} in {one['year']}; {result}. From the same origin "
                    f"({one['origin']}, {one['horizon']} years ahead) the scenarios give: {beside}."
                ),
            )
        )
    return pd.DataFrame(rows, columns=COLUMNS)
