"""The model frame: the panel's measures the models use, on one population vintage, in real terms.

Long, one row per area (every stable unit, region and England) x year x measure. Unit rows come
from the panel, the real-terms table and the spliced population; region and England rows of
additive measures (counts, population, money) are sums of the unit rows, flagged ``incomplete``
when some units lack a value. A region's or England's ratio (rates, spend per child) is the sum of
its numerator over the sum of its denominator, both over the units that have both parts (as in
the panel), so a partial total is never divided by a full one: an identity such as spend =
population x rate x unit cost holds exactly for every unit, and for a region or England in every
year where no unit lacks a part. Context scores keep the panel's own region and England values
(population-weighted means).
"""

from __future__ import annotations

import pandas as pd

from .. import measures
from ..codes import ENGLAND_CODE
from ..panel.units import PANEL_COLUMNS, pooled_ratio
from ..tables import sort_table

COLUMNS = [*PANEL_COLUMNS[: PANEL_COLUMNS.index("flag") + 1], "unit", "price_base", "population_vintage"]
KEYS = ["area_level", "area_code", "year", "measure"]
POPULATION = "population_0_17"
COUNTS = [
    "cla_at_31_march",
    "cla_started",
    "cin_at_31_march",
    "cpp_at_31_march",
    "cpp_started",
    "section47_enquiries",
    "referrals",
]
CONTEXT = [
    "idaci_average_score",
    "imd_average_score",
    "imd_decile",
    "children_low_income_hmrc_pct",
    "children_absolute_low_income",
    "children_relative_low_income",
]
# derived measure -> (numerator, denominator, scale), on the frame's own sums: the registry's
# rates of these counts, and spending per child in real terms
RATES = {name: parts for name, parts in measures.derived(measures.of_kind("rate")).items() if parts[0] in COUNTS}
RATIOS = {
    **RATES,
    "s251_gross_total_per_child": ("s251_gross_total", POPULATION, 1.0),
    "early_intervention_per_child": ("early_intervention", POPULATION, 1.0),
    "late_intervention_per_child": ("late_intervention", POPULATION, 1.0),
    "safeguarding_per_cin": ("s251_gross_safeguarding", "cin_at_31_march", 1.0),
    "cla_spend_per_cla": ("s251_gross_children_looked_after", "cla_at_31_march", 1.0),
}


def _money(money: pd.DataFrame, intervention: dict[str, list[str]]) -> pd.DataFrame:
    """Unit rows of the S251 categories, MHCLG children's social care and early and late
    intervention, real (``value``) and cash (``<name>_cash``)."""
    names = [f"s251_gross_{c}" for c in measures.categories("s251_gross")] + ["csc_net_total"]
    la = money[(money["area_level"] == "la") & money["measure"].isin(names)]
    rows = [
        la[["area_code", "year", "measure", "value_real", "flag"]].rename(columns={"value_real": "value"}),
        la.assign(measure=la["measure"] + "_cash")[["area_code", "year", "measure", "value", "flag"]],
    ]
    for name, categories in (
        ("early_intervention", intervention["early"]),
        ("late_intervention", intervention["late"]),
    ):
        parts = la[la["measure"].isin([f"s251_gross_{c}" for c in categories])]
        for column, suffix in (("value_real", ""), ("value", "_cash")):
            total = parts.groupby(["area_code", "year"])[column].agg(lambda v: v.sum() if v.notna().all() else None)
            total = total.reindex(pd.MultiIndex.from_frame(parts[["area_code", "year"]].drop_duplicates()))
            out = total.rename("value").reset_index().assign(measure=name + suffix)
            out["flag"] = out["value"].isna().map({True: "category_missing", False: ""})
            rows.append(out)
    return pd.concat(rows, ignore_index=True)


def _totals(units: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Region and England rows: sums of the unit rows, ``incomplete`` where some lack a value."""
    la = units.merge(areas[["area_code", "region_code"]], on="area_code")
    out = []
    for level, keys in (("region", ["region_code"]), ("england", [])):
        summed = la.groupby([*keys, "year", "measure"], as_index=False).agg(
            value=("value", "sum"), reporting=("value", "count"), expected=("value", "size")
        )
        summed["area_level"] = level
        summed["area_code"] = summed["region_code"] if keys else ENGLAND_CODE
        summed.loc[summed["reporting"] == 0, "value"] = float("nan")
        summed["flag"] = "incomplete"
        summed.loc[summed["reporting"] == summed["expected"], "flag"] = ""
        summed.loc[summed["reporting"] == 0, "flag"] = "no_data"
        out.append(summed[["area_level", "area_code", "year", "measure", "value", "flag"]])
    return pd.concat(out, ignore_index=True)


def _ratios(units: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Every ratio at every level. A unit's is its own parts'; a region's and England's is the sum
    of the numerator over the sum of the denominator, both over the units that have both parts
    (:func:`childspend.panel.units.pooled_ratio`, as the panel's derived rates are), flagged
    ``incomplete`` where some units lack one: a total that lacks some units is never divided by a
    denominator that includes them."""
    wide = units.pivot(index=["area_code", "year"], columns="measure", values="value")
    flags = units.pivot(index=["area_code", "year"], columns="measure", values="flag")
    region_of = areas.loc[areas["area_level"] == "la"].set_index("area_code")["region_code"]
    out = []
    for name, (numerator, denominator, scale) in RATIOS.items():
        if numerator not in wide or denominator not in wide:
            continue
        d = wide[denominator].where(wide[denominator] != 0)
        value = wide[numerator] / d * scale
        parts = flags[[numerator, denominator]].agg(lambda f: ";".join(sorted({x for x in f if x})), axis=1)
        # a present ratio keeps only the notes that still apply to it: partial totals, spliced population
        kept = parts.map(lambda f: ";".join(x for x in f.split(";") if x == "incomplete" or x.startswith("spliced")))
        flag = parts.where(value.isna(), kept)
        flag = flag.where(~(value.isna() & (flag == "")), "zero_denominator")
        out.append(pd.DataFrame({"value": value, "flag": flag, "measure": name}).reset_index().assign(area_level="la"))
        ok = value.notna()  # the unit has both parts and a non-zero denominator, as in the panel
        parts = pd.DataFrame({"n": wide[numerator].where(ok), "d": wide[denominator].where(ok), "ok": ok}).reset_index()
        parts["region_code"] = parts["area_code"].map(region_of)
        for level, keys in (("region", ["region_code"]), ("england", [])):
            sums = pooled_ratio(parts, keys, scale)
            sums["area_level"] = level
            sums["area_code"] = sums["region_code"] if keys else ENGLAND_CODE
            out.append(sums.assign(measure=name)[["area_level", "area_code", "year", "value", "flag", "measure"]])
    return pd.concat(out, ignore_index=True)


def _units(frame: pd.DataFrame, price_base: str) -> pd.Series:
    registry = measures.registry().set_index("measure")["unit"]
    money = f"GBP, {price_base}"
    fixed = {POPULATION: "children", **dict.fromkeys(RATES, "per 10,000 children aged 0-17")}

    def unit(measure: str) -> str:
        if measure in fixed:
            return fixed[measure]
        if measure.endswith("_cash"):
            return "GBP (cash)"
        if measure in RATIOS:
            per = {"cin_at_31_march": "child in need", "cla_at_31_march": "child looked after"}
            return f"GBP per {per.get(RATIOS[measure][1], 'child')}, {price_base}"
        if measure.startswith(("s251_gross_", "csc_net_")) or measure.endswith("_intervention"):
            return money
        return registry[measure]

    return frame["measure"].map({m: unit(m) for m in frame["measure"].unique()})


def model_frame(
    panel: pd.DataFrame,
    money: pd.DataFrame,
    population: pd.DataFrame,
    vintage: str,
    areas: pd.DataFrame,
    intervention: dict[str, list[str]],
) -> pd.DataFrame:
    """The frame (see the module docstring) from the long panel, the real-terms money table, the
    spliced population (:func:`childspend.models.population.spliced_population`) and the areas table."""
    la = panel[(panel["area_level"] == "la") & panel["measure"].isin(COUNTS)]
    units = pd.concat(
        [
            la[["area_code", "year", "measure", "value", "flag"]],
            population.assign(measure=POPULATION)[["area_code", "year", "measure", "value", "flag"]],
            _money(money, intervention),
        ],
        ignore_index=True,
    )
    additive = pd.concat([units.assign(area_level="la"), _totals(units, areas)], ignore_index=True)
    context = panel[panel["measure"].isin(CONTEXT)][["area_level", "area_code", "year", "measure", "value", "flag"]]
    frame = pd.concat([additive, _ratios(units, areas), context], ignore_index=True)
    names = areas[["area_level", "area_code", "area_name", "region_code", "region_name"]]
    frame = frame.merge(names, on=["area_level", "area_code"], how="left")
    price_base = money["price_base"].iloc[0]
    frame["unit"] = _units(frame, price_base)
    frame["price_base"] = price_base
    frame["population_vintage"] = vintage
    return sort_table(frame[COLUMNS], KEYS)
