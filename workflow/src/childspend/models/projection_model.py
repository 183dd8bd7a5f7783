"""Projections of children looked after and spending, per stable unit and then summed.

The component model, per unit: children looked after = rate per 10,000 x projected children
aged 0-17; spending on children looked after = children looked after x unit cost (S251 children
looked after spending per child looked after at 31 March); the other S251 lines (the S251 total
less children looked after) = their spending per child x population; MHCLG children's social
care (net) = its spending per child x population. Where a unit's unit cost is undefined (no
child looked after at 31 March in its history) its spending follows its own trend. A scenario
says how rates and unit costs move (:mod:`projection_trends`), or (``direct``) extrapolates the
counts and spending lines themselves, as published "current trends" figures do; money is real
at the frame's price base, or cash if the scenario says so. Region and England rows are sums of
the units and their rates and unit costs ratios of those sums, so every level adds up exactly.

Back-tests rerun the same projection from earlier origins on the data up to each origin only
(an origin is the last financial year observed: 2014-15 is the year to 31 March 2015) and set
it against the outturn; their errors give the bands (:mod:`projection_bands`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..codes import ENGLAND_CODE
from ..years import fy_label, fy_start
from . import projection_population, projection_trends

POPULATION = "population_0_17"
# read from the model frame (money in real terms, or ``<name>_cash``)
READ = [POPULATION, "cla_at_31_march", "s251_gross_children_looked_after", "s251_gross_total", "csc_net_total"]
MONEY = ["s251_gross_children_looked_after", "s251_gross_other_lines", "s251_gross_total", "csc_net_total"]
ADDITIVE = [*READ[:3], "s251_gross_other_lines", "s251_gross_total", "csc_net_total"]
RATIOS = {
    "cla_rate_per_10000": ("cla_at_31_march", POPULATION, 1e4),
    "cla_spend_per_cla": ("s251_gross_children_looked_after", "cla_at_31_march", 1.0),
    "s251_other_per_child": ("s251_gross_other_lines", POPULATION, 1.0),
    "csc_net_per_child": ("csc_net_total", POPULATION, 1.0),
}
QUANTITIES = [*ADDITIVE, *RATIOS]
KEYS = ["area_level", "area_code", "year", "quantity"]
LEVELS = ["england", "la", "region"]
QUANTITY_ORDER = sorted(QUANTITIES)


def history(frame: pd.DataFrame, prices: str, first_year: str) -> dict[str, pd.DataFrame]:
    """The frame's unit rows from ``first_year``: units x years per additive quantity."""
    la = frame[(frame["area_level"] == "la") & (frame["year"] >= first_year)]
    units = sorted(la["area_code"].unique())
    years = sorted(la["year"].unique())
    out = {}
    for name in READ:
        measure = f"{name}_cash" if prices == "cash" and name in MONEY else name
        rows = la[la["measure"] == measure]
        out[name] = rows.pivot(index="area_code", columns="year", values="value").reindex(index=units, columns=years)
    out["s251_gross_other_lines"] = out["s251_gross_total"] - out["s251_gross_children_looked_after"]
    return {name: out[name] for name in ADDITIVE}


def ratio(tables: dict[str, pd.DataFrame], name: str) -> pd.DataFrame:
    numerator, denominator, scale = RATIOS[name]
    return tables[numerator] / tables[denominator].where(tables[denominator] != 0) * scale


def _trend(values: pd.DataFrame, rule: dict, future: list[str]) -> pd.DataFrame:
    steps = np.arange(1, len(future) + 1)
    return pd.DataFrame(projection_trends.extend(values.to_numpy(float), rule, steps), values.index, future)


def project_units(
    past: dict[str, pd.DataFrame], scenario: dict, population: pd.DataFrame, future: list[str]
) -> dict[str, pd.DataFrame]:
    """Units x ``future`` years of every additive quantity, from the history to the origin
    (``past``, its last column the origin) and the projected population."""
    if "direct" in scenario:
        rule = scenario["direct"]
        cla = _trend(past["cla_at_31_march"], rule, future)
        spend = _trend(past["s251_gross_children_looked_after"], rule, future)
        other = _trend(past["s251_gross_other_lines"], rule, future)
        social_care = _trend(past["csc_net_total"], rule, future)
    else:
        costs = scenario["unit_costs"]
        cla = _trend(ratio(past, "cla_rate_per_10000"), scenario["rates"], future) * population / 1e4
        cost = _trend(ratio(past, "cla_spend_per_cla"), costs, future)
        own = _trend(past["s251_gross_children_looked_after"], costs, future)
        spend = (cla * cost).where(cost.notna(), own)
        other = _trend(ratio(past, "s251_other_per_child"), costs, future) * population
        social_care = _trend(ratio(past, "csc_net_per_child"), costs, future) * population
    return {
        POPULATION: population,
        "cla_at_31_march": cla,
        "s251_gross_children_looked_after": spend,
        "s251_gross_other_lines": other,
        "s251_gross_total": spend + other,
        "csc_net_total": social_care,
    }


def levels(columns: dict[str, dict[str, pd.DataFrame]], regions: pd.Series, mask: str | None = None) -> pd.DataFrame:
    """Long rows of every level from unit tables (``columns``: column name -> additive quantity
    -> units x years): the units, region and England sums, and every ratio at every level from
    those sums. With ``mask`` (a column name), a unit enters a quantity's sums only in the years
    it has a value in that column, so that two columns are compared over the same units. ``flag``
    says when a sum lacks units; rows with no value in any column are left out."""
    units = regions.index
    codes = sorted(regions.unique())
    every_area = np.array(sorted([*units, *codes, ENGLAND_CODE]), dtype=object)
    # each sum over its units in unit order: the same bytes on any machine (no BLAS threads)
    members = [np.flatnonzero(regions.to_numpy() == code) for code in codes]

    def summed(groups, values):
        return np.stack([values[group].sum(axis=0) for group in groups])

    first = next(iter(columns))
    quantities = list(columns[first])
    years = list(columns[first][quantities[0]].columns)
    out = []
    for level, areas, groups in (
        ("la", list(units), None),
        ("region", codes, members),
        ("england", [ENGLAND_CODE], [np.arange(len(units))]),
    ):
        sums = {c: {} for c in columns}
        flags = {}
        for quantity in quantities:
            arrays = {c: columns[c][quantity].reindex(index=units, columns=years).to_numpy(float) for c in columns}
            present = ~np.isnan(arrays[mask or first])
            for c, values in arrays.items():
                values = np.where(present, values, np.nan)
                if groups is not None:
                    counted = summed(groups, ~np.isnan(values))
                    values = np.where(counted > 0, summed(groups, np.nan_to_num(values)), np.nan)
                sums[c][quantity] = values
            if groups is None:
                flags[quantity] = np.full((len(areas), len(years)), "", dtype=object)
            else:
                reporting = summed(groups, present).astype(int)
                expected = np.broadcast_to(np.array([[len(g)] for g in groups]), reporting.shape)
                text = np.char.add(
                    np.char.add("incomplete: ", reporting.astype(str)), np.char.add(" of ", expected.astype(str))
                )
                flags[quantity] = np.where(reporting < expected, text, "").astype(object)
        for name, (numerator, denominator, scale) in RATIOS.items():
            for c in columns:
                bottom = sums[c][denominator]
                sums[c][name] = sums[c][numerator] / np.where(bottom != 0, bottom, np.nan) * scale
            flags[name] = np.where(flags[numerator] != "", flags[numerator], flags[denominator])
        names = list(sums[first])
        cells = len(areas) * len(years)
        where = np.tile(np.repeat(np.searchsorted(every_area, areas), len(years)), len(names))
        table = pd.DataFrame(
            {
                "area_level": pd.Categorical([level] * cells * len(names), categories=LEVELS),
                "area_code": pd.Categorical.from_codes(where, categories=every_area),
                "year": pd.Categorical.from_codes(np.tile(np.arange(len(years)), len(names) * len(areas)), years),
                "quantity": pd.Categorical.from_codes(
                    np.repeat(np.searchsorted(QUANTITY_ORDER, names), cells), QUANTITY_ORDER
                ),
                **{c: np.stack([sums[c][q] for q in names]).reshape(-1) for c in columns},
                "flag": np.stack([flags[q] for q in names]).reshape(-1),
            }
        )
        out.append(table[table[list(columns)].notna().any(axis=1)])
    return pd.concat(out, ignore_index=True)


def regions_of(frame: pd.DataFrame) -> pd.Series:
    la = frame[frame["area_level"] == "la"].drop_duplicates("area_code")
    return la.set_index("area_code")["region_code"].sort_index()


def without_outturn(frame: pd.DataFrame, measure: str, year: str) -> pd.DataFrame:
    """The units with no value of ``measure`` in ``year`` (an origin), in code order: name,
    region and ``last_year``, the last year before with a value, which every trend rule starts the
    unit's projection from ('' if none: the unit is not projected). A region's or England's
    projection includes these units; its outturn in ``year`` cannot."""
    la = frame[(frame["area_level"] == "la") & (frame["measure"] == measure)]
    seen = la[la["value"].notna() & (la["year"].astype(str) <= year)]
    last = seen.groupby("area_code", observed=True)["year"].max().astype(str)
    missing = la[(la["year"].astype(str) == year) & la["value"].isna()].sort_values("area_code")
    return pd.DataFrame(
        {
            "area_code": missing["area_code"].astype(str).to_numpy(),
            "area_name": missing["area_name"].astype(str).to_numpy(),
            "region_code": missing["region_code"].astype(str).to_numpy(),
            "last_year": missing["area_code"].map(last).fillna("").to_numpy(),
        }
    )


def future_years(origin: str, last: str) -> list[str]:
    return [fy_label(y) for y in range(fy_start(origin) + 1, fy_start(last) + 1)]


def _unit_points(
    hist: dict[str, pd.DataFrame],
    origin: str,
    future: list[str],
    scenario: dict,
    population_rule: dict,
    pinned: pd.DataFrame | None = None,
    source: str = "",
) -> tuple[dict[str, pd.DataFrame], str]:
    years = list(hist[POPULATION].columns)
    past = {name: table[years[: years.index(origin) + 1]] for name, table in hist.items()}
    population, how = projection_population.project(past[POPULATION], population_rule, future, pinned, source)
    return project_units(past, scenario, population, future), how


def project(
    hist: dict[str, pd.DataFrame],
    origin: str,
    future: list[str],
    scenario: dict,
    population_rule: dict,
    regions: pd.Series,
    pinned: pd.DataFrame | None = None,
    source: str = "",
) -> tuple[pd.DataFrame, str]:
    """Every level's projection (``point``) of every quantity for ``future`` years from the
    history up to ``origin`` only; and how the population was projected."""
    points, how = _unit_points(hist, origin, future, scenario, population_rule, pinned, source)
    return levels({"point": points}, regions), how


def backtest(
    hist: dict[str, pd.DataFrame],
    scenario: dict,
    population_rule: dict,
    regions: pd.Series,
    origins: list[str],
    horizons: int,
) -> pd.DataFrame:
    """From each origin, the projection for up to ``horizons`` observed years beside the outturn
    (``actual``), at every level over the units with an outturn (``flag`` when some lack one)."""
    years = list(hist[POPULATION].columns)
    out = []
    for origin in origins:
        at = years.index(origin)
        future = years[at + 1 : at + 1 + horizons]
        point, _ = _unit_points(hist, origin, future, scenario, population_rule)
        actual = {name: hist[name][future] for name in ADDITIVE}
        table = levels({"point": point, "actual": actual}, regions, "actual")
        table["origin"] = origin
        table["horizon"] = table["year"].astype(str).map(years.index) - at
        out.append(table)
    # categories keep the many filters and groupings of the bands fast
    return pd.concat(out, ignore_index=True).astype({c: "category" for c in [*KEYS, "origin", "flag"]})
