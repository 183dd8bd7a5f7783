"""Exact growth decomposition of a change between two years (additive LMDI-I, Ang 2005).

An identity writes a quantity as a product of factors, V = s * x_1 * x_2 * ... (s a constant such
as 1e-4 for a rate per 10,000), or as a sum of parts, V = p_1 + p_2 + ... For a product the change
V_T - V_0 splits into one term per factor, L(V_T, V_0) * ln(x_k,T / x_k,0), with L the logarithmic
mean; for a sum, into each part's own change (shift-share). The terms add up to the change with no
residual.

Identities come from config (``models.decomposition``): a quantity and its factors or parts, each a
model-frame measure or a ratio ``"a / b"`` of two. Every factor resolves to additive measures (a
frame ratio through :data:`childspend.models.frame.RATIOS`), so region and England values are
rebuilt from sums over a matched sample: the units with every measure present, and every factor
positive, in both years. A unit that fails is excluded from that identity and period with its
reason, and left out of its region and England too, so every level compares the same units.

Across areas: changes add (England's is the sum of its units'), and so do shift-share parts. The
LMDI terms of a product add across areas only when every unit's factors change in the same
proportions; otherwise England's term for a factor also carries the shift in the mix of areas (the
national rate rises when children move to higher-rate areas), while the units' terms summed are
another exact split of England's change, without that mix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..codes import ENGLAND_CODE
from ..errors import ConfigError, ContractError
from ..tables import sort_table
from .frame import CONTEXT, RATIOS

COLUMNS = [
    "area_level",
    "area_code",
    "area_name",
    "quantity",
    "from_year",
    "to_year",
    "component",
    "value",
    "unit",
    "share_of_change",
    "population_vintage",
    "price_base",
]
EXCLUSION_COLUMNS = ["area_level", "area_code", "area_name", "quantity", "from_year", "to_year", "status", "reason"]
FACTOR_COLUMNS = [
    "area_level",
    "area_code",
    "area_name",
    "quantity",
    "from_year",
    "to_year",
    "component",
    "measure",
    "unit",
    "from_value",
    "to_value",
    "growth",
]
# what _one returns before names and identity are added
PART_COLUMNS = ["area_level", "area_code", "component", "value", "share_of_change"]
LEVEL_COLUMNS = ["area_level", "area_code", "component", "measure", "from_value", "to_value", "growth"]
TOTAL = "total"
LEVELS = ["england", "region", "la"]
KEY = "models.decomposition"


@dataclass(frozen=True)
class Identity:
    """quantity = scale * product of the components (``additive`` False) or their sum (True);
    ``components`` maps each component's name to its measure."""

    name: str
    quantity: str
    unit: str
    additive: bool
    components: dict[str, str]
    scale: float = 1.0

    def terms(self) -> dict[str, tuple[str, str | None, float]]:
        """component -> (numerator, denominator or None, scale), all additive frame measures."""
        return {c: _term(m) for c, m in self.components.items()}

    def measures(self) -> list[str]:
        names = [self.quantity]
        for numerator, denominator, _ in self.terms().values():
            names += [numerator] + ([denominator] if denominator else [])
        return list(dict.fromkeys(names))


def _term(measure: str) -> tuple[str, str | None, float]:
    if " / " in measure:
        numerator, denominator = measure.split(" / ")
        return numerator, denominator, 1.0
    return RATIOS.get(measure, (measure, None, 1.0))


def identities(config: dict) -> list[Identity]:
    """The configured identities, in config order."""
    out = []
    for name, spec in config["identities"].items():
        additive = "parts" in spec
        components = spec["parts"] if additive else spec["factors"]
        out.append(Identity(name, spec["quantity"], spec["unit"], additive, dict(components), spec.get("scale", 1.0)))
    return out


def periods(config: dict, years: list[str]) -> list[tuple[str, str]]:
    """The configured (from, to) pairs (``latest`` already read as years.last by
    :func:`childspend.config.resolve_latest`), without repeats."""
    out: list[tuple[str, str]] = []
    for i, period in enumerate(config["periods"]):
        start, end = period["from"], period["to"]
        for year in (start, end):
            if year not in years:
                raise ConfigError(
                    f"{KEY}.periods[{i}]: {year} is not a year of the model frame ({min(years)} to {max(years)})"
                )
        if start >= end:
            raise ConfigError(f"{KEY}.periods[{i}]: from ({start}) must be before to ({end})")
        if (start, end) not in out:
            out.append((start, end))
    return out


def _check_measures(identity: Identity, measures: set[str]) -> None:
    """Every measure is in the frame and can be summed over areas (counts, population, money)."""
    where = f"{KEY}.identities.{identity.name}"
    if identity.additive and any(d for _, d, _ in identity.terms().values()):
        raise ConfigError(f"{where}: parts must be additive measures, not ratios")
    for measure in identity.measures():
        if measure in RATIOS or measure in CONTEXT:
            raise ConfigError(f"{where}: {measure} cannot be summed over areas; use it as a factor or its parts")
        if measure not in measures:
            raise ConfigError(f"{where}: {measure} is not a measure of the model frame")


def log_mean(a, b) -> np.ndarray:
    """L(a, b) = (a - b) / (ln a - ln b), and a where a == b (a, b positive)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(a == b, a, (a - b) / (np.log(a) - np.log(b)))


def _factors(identity: Identity, values: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Each component's value per area (rows of summed additive ``values``), and the quantity as
    the components give it."""
    x = pd.DataFrame(index=values.index)
    for component, (numerator, denominator, scale) in identity.terms().items():
        x[component] = values[numerator] * scale / (values[denominator] if denominator else 1.0)
    given = x.sum(axis=1) if identity.additive else x.prod(axis=1) * identity.scale
    return x, given


def _problems(identity: Identity, values: pd.DataFrame, year: str, tolerance: float) -> pd.Series:
    """Per area, why its (complete) values in ``year`` cannot enter the identity ('' if they can)."""
    x, given = _factors(identity, values)
    reasons = pd.Series("", index=values.index)

    def add(mask, text):
        reasons[mask] = (reasons[mask] + "; " + text).str.lstrip("; ")

    if not identity.additive:
        for component, (_, denominator, _) in identity.terms().items():
            measure = identity.components[component]
            zero = values[denominator] == 0 if denominator else pd.Series(False, index=values.index)
            add(zero, f"{denominator} is zero in {year}, so {component} ({measure}) is undefined")
            add(~zero & (x[component] <= 0), f"{component} ({measure}) is not positive in {year}")
    actual = values[identity.quantity]
    gap = (given - actual).abs() / actual.abs()
    gap = gap.where(actual != 0, (given != 0).astype(float) * np.inf)
    broken = gap.index[(gap > tolerance) & (reasons == "")]
    reasons[broken] = [
        f"{identity.quantity} in {year} is {actual[a]:,.2f} but its components give {given[a]:,.2f} "
        f"(relative gap {gap[a]:.2g} above the tolerance {tolerance:g})"
        for a in broken
    ]
    return reasons


def _missing(values: pd.DataFrame, flags: pd.DataFrame, year: str) -> pd.Series:
    """Per area, the measures missing in ``year`` with the frame's flag ('' if none)."""
    reasons = pd.Series("", index=values.index)
    for measure in values.columns:
        for area in values.index[values[measure].isna()]:
            flag = flags.at[area, measure]
            why = f"flag {flag}" if isinstance(flag, str) and flag else "no flag" if isinstance(flag, str) else "no row"
            reasons[area] = "; ".join(filter(None, [reasons[area], f"{measure} missing in {year} ({why})"]))
    return reasons


@dataclass
class _Areas:
    """The frame's units with their region, and every area's level and name."""

    units: pd.DataFrame  # index area_code: area_name, region_code
    names: pd.DataFrame  # index (area_level, area_code): area_name

    @classmethod
    def of(cls, units: pd.DataFrame) -> _Areas:
        table = units[["area_code", "area_name", "region_code", "region_name"]].drop_duplicates("area_code")
        table = table.set_index("area_code").sort_index()
        regions = table.drop_duplicates("region_code").set_index("region_code")["region_name"]
        names = pd.concat(
            [
                pd.DataFrame({"area_level": "england", "area_code": [ENGLAND_CODE], "area_name": ["England"]}),
                pd.DataFrame({"area_level": "region", "area_code": regions.index, "area_name": regions.to_numpy()}),
                pd.DataFrame({"area_level": "la", "area_code": table.index, "area_name": table["area_name"]}),
            ]
        )
        return cls(table, names.set_index(["area_level", "area_code"]))


def _summed(areas: _Areas, values: pd.DataFrame) -> pd.DataFrame:
    """Unit rows of ``values`` and their sums by region and for England, indexed by level and code."""
    regions = values.groupby(areas.units.loc[values.index, "region_code"]).sum()
    england = values.sum().to_frame(ENGLAND_CODE).T
    parts = {"england": england, "region": regions, "la": values}
    return pd.concat(parts, names=["area_level", "area_code"])


def _aggregate_notes(identity: Identity, areas: _Areas, kept: pd.Index, period: tuple[str, str]) -> list[dict]:
    """A row per region and England: ``excluded`` when none of its units is kept, ``partial``
    (with the units left out) when some are not."""
    rows = []
    units = areas.units
    groups = [("england", ENGLAND_CODE, units)] + [("region", r, g) for r, g in units.groupby("region_code")]
    for level, code, members in groups:
        out = members.index.difference(kept)
        if out.empty:
            continue
        if len(out) == len(members):
            status, reason = "excluded", "every unit is excluded from this identity and period"
        else:
            left = ", ".join(sorted(members.loc[out, "area_name"]))
            status, reason = "partial", f"sum over {len(members) - len(out)} of {len(members)} units; left out: {left}"
        rows.append(dict(area_level=level, area_code=code, status=status, reason=reason))
    return [dict(row, quantity=identity.name, from_year=period[0], to_year=period[1]) for row in rows]


def _one(identity: Identity, wide: dict[str, pd.DataFrame], areas: _Areas, period: tuple[str, str], tolerance: float):
    """The decomposition, exclusions and factor levels of one identity between two years, from
    the unit rows' ``wide`` values and flags (index year, area_code; a column per measure)."""
    values, flags, reasons = {}, {}, pd.Series("", index=areas.units.index)

    def join(a, b):
        return (a + "; " + b).str.strip("; ")

    for year in period:
        values[year], flags[year] = (
            wide[column].loc[year].reindex(index=areas.units.index, columns=identity.measures())
            for column in ("value", "flag")
        )
        reasons = join(reasons, _missing(values[year], flags[year], year))
    for year in period:
        complete = reasons.index[reasons == ""]
        reasons[complete] = _problems(identity, values[year].loc[complete], year, tolerance)
    kept = reasons.index[reasons == ""]
    excluded = [
        dict(area_level="la", area_code=a, quantity=identity.name, from_year=period[0], to_year=period[1])
        | dict(status="excluded", reason=reasons[a])
        for a in reasons.index[reasons != ""]
    ]
    excluded += _aggregate_notes(identity, areas, kept, period)
    if kept.empty:
        return pd.DataFrame(columns=PART_COLUMNS), excluded, pd.DataFrame(columns=LEVEL_COLUMNS)

    start, end = (_summed(areas, values[year].loc[kept]) for year in period)
    (x0, v0), (x1, v1) = _factors(identity, start), _factors(identity, end)
    if identity.additive:
        parts = x1 - x0
    else:
        parts = np.log(x1 / x0).mul(log_mean(v1, v0), axis=0)
    parts[TOTAL] = v1 - v0
    table = parts.rename_axis(columns="component").stack().rename("value").reset_index()
    totals = parts[TOTAL].reindex(pd.MultiIndex.from_frame(table[["area_level", "area_code"]])).to_numpy()
    table["share_of_change"] = (table["value"] / totals).where(totals != 0)

    levels = [*identity.components.items(), (TOTAL, identity.quantity)]
    x0[TOTAL], x1[TOTAL] = v0, v1
    factor_rows = [
        pd.DataFrame({"component": c, "measure": m, "from_value": x0[c], "to_value": x1[c]}) for c, m in levels
    ]
    factors = pd.concat(factor_rows).reset_index()
    factors["growth"] = (factors["to_value"] / factors["from_value"] - 1).where(factors["from_value"] != 0)
    return table, excluded, factors


def _finish(table: pd.DataFrame, names: pd.DataFrame, order: dict[str, list[str]], columns: list[str]) -> pd.DataFrame:
    """Names added, rows sorted by identity (config order), years, level, area and component."""
    if table.empty:
        return pd.DataFrame(columns=columns)
    table = table.join(names, on=["area_level", "area_code"])
    ranks = {
        "q": table["quantity"].map({q: i for i, q in enumerate(order)}),
        "l": table["area_level"].map({level: i for i, level in enumerate(LEVELS)}),
    }
    if "component" in table:
        ranks["c"] = [order[q].index(c) for q, c in zip(table["quantity"], table["component"], strict=True)]
    table = table.assign(**{f"_{k}": v for k, v in ranks.items()})
    keys = ["_q", "from_year", "to_year", "_l", "area_code"] + (["_c"] if "component" in table else [])
    return sort_table(table, keys)[columns]


def _one_value(frame: pd.DataFrame, column: str) -> str:
    values = frame[column].dropna().unique()
    if len(values) != 1:
        raise ContractError(f"the model frame has {len(values)} values of {column}, expected one: {list(values)}")
    return values[0]


def decompose(frame: pd.DataFrame, config: dict) -> dict[str, pd.DataFrame]:
    """Every configured identity decomposed for every area and period, from the model frame's
    unit rows (see the module docstring).

    Returns ``decomposition`` (component values, a ``total`` row each, and shares of the change,
    empty where the change is zero), ``exclusions`` (areas left out of an identity and period, and
    region and England sums over fewer units, with the reasons) and ``factors`` (each component's
    value in both years and its growth, empty where the first is zero).
    """
    units = frame[frame["area_level"] == "la"]
    areas = _Areas.of(units)
    wide = {c: units.pivot(index=["year", "area_code"], columns="measure", values=c) for c in ("value", "flag")}
    spans = periods(config, sorted(frame["year"].unique()))
    units_of = frame.drop_duplicates("measure").set_index("measure")["unit"]
    tables, excluded, factors, order = [], [], [], {}
    for identity in identities(config):
        _check_measures(identity, set(units_of.index))
        order[identity.name] = [*identity.components, TOTAL]
        for period in spans:
            table, out, levels = _one(identity, wide, areas, period, config["tolerance"])
            meta = dict(quantity=identity.name, from_year=period[0], to_year=period[1])
            tables.append(table.assign(unit=identity.unit, **meta))
            factors.append(levels.assign(**meta))
            excluded += out
    factors = pd.concat(factors)
    factors["unit"] = factors["measure"].map(lambda m: units_of.get(m, m))  # "a / b" names itself
    decomposition = _finish(pd.concat(tables), areas.names, order, COLUMNS[:-2])
    decomposition["population_vintage"] = _one_value(frame, "population_vintage")
    decomposition["price_base"] = _one_value(frame, "price_base")
    return {
        "decomposition": decomposition,
        "exclusions": _finish(pd.DataFrame(excluded), areas.names, order, EXCLUSION_COLUMNS),
        "factors": _finish(factors, areas.names, order, FACTOR_COLUMNS),
    }
