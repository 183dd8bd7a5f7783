"""What the models say about each unit, as profile tables: its growth decompositions, its
needs-predicted against actual spend per child, and its projection of children looked after.

Read from the model outputs (``results/models/``), for the stable units only, once for every
profile: :func:`model_tables` is called by :func:`childspend.reports.profiles.build_profiles`.
Every row names the pinned files its values come from (``source``: the panel's sources of the
measures the model reads for the unit, and the model population's), and money units are written
in £ with the price base.
"""

from __future__ import annotations

import pandas as pd

from ..models.decomposition import identities
from ..tables import sort_table

SHOWN = "la"
POPULATION = "population_0_17"
DECOMPOSITION_COLUMNS = [
    "area_code",
    "quantity",
    "label",
    "from_year",
    "to_year",
    "component",
    "value",
    "share_of_change",
    "unit",
    "status",
    "reason",
    "source",
]
NEEDS_COLUMNS = ["area_code", "year", "actual", "predicted", "lower", "upper", "position", "unit", "reason", "source"]
BANDS = ["p2_5", "p10", "p50", "p90", "p97_5"]
PROJECTION_COLUMNS = [
    "area_code",
    "scenario",
    "label",
    "headline",
    "year",
    "kind",
    "value",
    *BANDS,
    "bands_n",
    "unit",
    "method",
    "source",
]
PROJECTED = "cla_at_31_march"


def pounds(unit: str, price_base: str) -> str:
    """A model output's unit in a profile's words: £, with the price base for real terms."""
    return (
        unit.replace("GBP, real terms", f"£, {price_base}")
        .replace("GBP, cash", "£ (cash)")
        .replace("GBP (cash)", "£ (cash)")
        .replace("GBP", "£")
    )


def _joined(sources) -> str:
    return ";".join(sorted({part for joined in sources for part in str(joined).split(";") if part}))


def unit_sources(values: pd.DataFrame, population: pd.DataFrame, measures: list[str]) -> pd.DataFrame:
    """Per unit and year, the pinned files of ``measures`` (``values``: the profile's long values
    with ``source``; the child population's from the model ``population`` table, which the models
    divide by): area_code, year, source."""
    rows = values[(values["area_level"] == SHOWN) & values["measure"].isin(set(measures) - {POPULATION})]
    parts = [rows[["area_code", "year", "source"]]]
    if POPULATION in measures:
        parts.append(population[["area_code", "year", "source"]])
    both = pd.concat(parts, ignore_index=True)
    both["source"] = both["source"].fillna("")
    return both.groupby(["area_code", "year"], as_index=False)["source"].agg(_joined)


def _period_sources(sources: pd.DataFrame, units: pd.DataFrame) -> pd.Series:
    """The sources of each (area_code, from_year, to_year) row of ``units``: both years'."""
    by = sources.set_index(["area_code", "year"])["source"]
    return pd.Series(
        [
            _joined([by.get((a, f), ""), by.get((a, t), "")])
            for a, f, t in zip(units["area_code"], units["from_year"], units["to_year"])
        ],
        index=units.index,
        dtype=object,
    )


def decomposition_table(
    decomposition: pd.DataFrame,
    exclusions: pd.DataFrame,
    values: pd.DataFrame,
    population: pd.DataFrame,
    config: dict,
    price_base: str,
) -> pd.DataFrame:
    """Every unit x identity x period: its components (status ``decomposed``), or one ``total``
    row with no value saying why the unit was left out (status ``excluded``, the reason from
    ``decomposition_exclusions.csv``); with the pinned files of the identity's measures in both
    years."""
    kept = decomposition[decomposition["area_level"] == SHOWN].assign(status="decomposed", reason="")
    left = exclusions[exclusions["area_level"] == SHOWN].assign(
        component="total", value=float("nan"), share_of_change=float("nan")
    )
    units = {i.name: i.unit for i in identities(config)}
    left = left.assign(unit=left["quantity"].map(units))
    out = pd.concat([kept, left], ignore_index=True)
    out["unit"] = out["unit"].map(lambda u: pounds(u, price_base))
    out["source"] = ""
    for identity in identities(config):
        mask = out["quantity"] == identity.name
        sources = unit_sources(values, population, identity.measures())
        out.loc[mask, "source"] = _period_sources(sources, out[mask])
    order = {c: n for i in identities(config) for n, c in enumerate(["total", *i.components])}
    out["order"] = out["component"].map(order)
    out["identity"] = out["quantity"].map({i.name: n for n, i in enumerate(identities(config))})
    out = out.sort_values(["area_code", "identity", "from_year", "to_year", "order"], kind="mergesort")
    out["label"] = out["quantity"].map({name: spec["label"] for name, spec in config["identities"].items()})
    return out[DECOMPOSITION_COLUMNS].reset_index(drop=True)


def excluded_from_fit(sample: str, area: str) -> str:
    """Why a cross-section fit left ``area`` out, from its ``sample`` text, or ""."""
    for part in sample.split("; "):
        if part.startswith(f"excluded {area} "):
            return part.split(": ", 1)[1] if ": " in part else part
    return ""


def needs_sources(values: pd.DataFrame, population: pd.DataFrame, spec: dict) -> pd.DataFrame:
    """Per unit and year, the pinned files of the cross-section (``spec``: ``models.cross_section``):
    the year's outcome and regressor measures (S251 spending for spending per child), and every
    edition of a regressor filled from the nearest edition."""

    def measures(items) -> list[str]:
        names = [m for r in items for m in (r.get("measure"), r.get("per")) if m]
        return ["s251_gross_total" if m == "s251_gross_total_per_child" else m for m in names]

    filled = [r for r in spec["regressors"] if r.get("fill")]
    yearly = unit_sources(
        values, population, measures([spec["outcome"], *(r for r in spec["regressors"] if not r.get("fill"))])
    )
    editions = unit_sources(values, population, measures(filled)).groupby("area_code")["source"].agg(_joined)
    yearly["source"] = [_joined([s, editions.get(a, "")]) for a, s in zip(yearly["area_code"], yearly["source"])]
    return yearly


def needs_table(
    needs: pd.DataFrame, fit: pd.DataFrame, units: list[str], sources: pd.DataFrame, price_base: str
) -> pd.DataFrame:
    """Every unit x fitted year: actual and needs-predicted spend per child with the 95%
    prediction interval and where the actual sits (``position``); a unit the year's fit left out
    has no values and the ``reason``."""
    grid = pd.MultiIndex.from_product([units, sorted(fit["year"])], names=["area_code", "year"]).to_frame(index=False)
    out = grid.merge(needs, on=["area_code", "year"], how="left")
    samples = fit.set_index("year")["sample"]
    out["reason"] = [
        "" if pd.notna(actual) else excluded_from_fit(samples[year], area) or "not in the year's fit (a value missing)"
        for area, year, actual in zip(out["area_code"], out["year"], out["actual"])
    ]
    unit = needs["unit"].dropna().iloc[0] if needs["unit"].notna().any() else f"GBP per child, {price_base}"
    out["unit"] = pounds(unit, price_base)
    out["position"] = out["position"].fillna("")
    out = out.merge(sources, on=["area_code", "year"], how="left")
    out["source"] = out["source"].fillna("")
    return sort_table(out[NEEDS_COLUMNS], ["area_code", "year"])


def projection_table(
    projections: pd.DataFrame,
    values: pd.DataFrame,
    sources: pd.DataFrame,
    history_from: str,
    scenarios: dict[str, str],
    headline: str,
    price_base: str,
) -> pd.DataFrame:
    """Every unit x scenario (``scenarios``: name -> label; ``headline`` the central one):
    children looked after at 31 March, the outturn from ``history_from`` (kind ``outturn``) and
    each scenario's projection (``projection``: the point, the back-test bands p2_5 ... p97_5 and
    how many errors made them); sources of the outturn and the model population over the
    history."""
    rows = projections[(projections["area_level"] == SHOWN) & (projections["quantity"] == PROJECTED)]
    projected = rows.rename(columns={"point": "value"}).assign(kind="projection")
    outturn = values[
        (values["area_level"] == SHOWN)
        & (values["measure"] == PROJECTED)
        & (values["basis"] == "value")
        & (values["year"] >= history_from)
        & (values["year"] <= rows["origin"].max())
    ]
    history = pd.concat(
        [outturn[["area_code", "year", "value"]].assign(scenario=s, kind="outturn") for s in sorted(scenarios)],
        ignore_index=True,
    )
    history["unit"] = "children"
    out = pd.concat([history, projected], ignore_index=True)
    shown = sources[sources["year"] >= history_from]
    source = shown.groupby("area_code")["source"].agg(_joined)
    out["source"] = out["area_code"].map(source).fillna("")
    out["method"] = out["method"].fillna("")
    out["label"] = out["scenario"].map(scenarios)
    out["headline"] = out["scenario"] == headline
    out["unit"] = out["unit"].map(lambda u: pounds(u, price_base))
    return sort_table(out[PROJECTION_COLUMNS], ["area_code", "scenario", "year"])


def config_for(config: dict, projections: dict) -> dict:
    """The settings :func:`model_tables` reads: the ``models.decomposition`` and
    ``models.cross_section`` blocks, and of ``projections`` (the block as
    :func:`childspend.models.projection_config.settings` completes it) ``history_from``, each
    scenario's label and ``headline_scenario``."""
    return dict(
        decomposition=config["models"]["decomposition"],
        cross_section=config["models"]["cross_section"],
        history_from=projections["history_from"],
        scenarios={name: scenario["label"] for name, scenario in projections["scenarios"].items()},
        headline_scenario=projections["headline_scenario"],
    )


def model_tables(
    values: pd.DataFrame,
    population: pd.DataFrame,
    decomposition: pd.DataFrame,
    exclusions: pd.DataFrame,
    needs: pd.DataFrame,
    fit: pd.DataFrame,
    projections: pd.DataFrame,
    config: dict,
    price_base: str,
) -> dict[str, pd.DataFrame]:
    """The profile's model tables (``config``: what :func:`config_for` gives):
    ``model_decomposition``, ``model_needs``, ``model_projection``."""
    units = sorted(values.loc[values["area_level"] == SHOWN, "area_code"].unique())
    looked_after = [PROJECTED, POPULATION]
    return {
        "model_decomposition": decomposition_table(
            decomposition, exclusions, values, population, config["decomposition"], price_base
        ),
        "model_needs": needs_table(
            needs, fit, units, needs_sources(values, population, config["cross_section"]), price_base
        ),
        "model_projection": projection_table(
            projections,
            values,
            unit_sources(values, population, looked_after),
            config["history_from"],
            config["scenarios"],
            config["headline_scenario"],
            price_base,
        ),
    }
