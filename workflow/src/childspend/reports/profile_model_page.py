"""The "What the models say" section of an LA profile: which decomposition period a unit shows,
and the sentences written from its model tables (:mod:`childspend.reports.profile_models`)."""

from __future__ import annotations

import pandas as pd

from .profile_page import Profile, fmt, signed_money

# identity (config models.decomposition.identities) -> what it splits, in a profile's words
COMPONENTS = {
    "population": "population aged 0-17",
    "rate": "rate per child",
    "unit_cost": "unit cost",
    "real": "real-terms change",
    "price": "prices",
    "total": "total change",
}
DRIVERS = ["population", "rate", "unit_cost"]  # the factors the chart draws
DECOMPOSITION = "cla_spend"
MODEL_NAMES = {
    "decomposition": "Model: exact growth decomposition (additive LMDI-I), results/models/decomposition.csv "
    "(config/config.yaml: models.decomposition).",
    "needs": "Model: yearly cross-section OLS of log S251 spending per child on needs outside a council's control, "
    "results/models/needs_adjusted.csv (config/config.yaml: models.cross_section).",
    "projection": "Model: component projections with bands from rolling-origin back-tests, "
    "results/models/projections.csv (config/config.yaml: models.projections).",
}


def quantity_label(rows: pd.DataFrame, quantity: str) -> str:
    """The identity's label (config/config.yaml: models.decomposition.identities), from its rows."""
    return rows.loc[rows["quantity"] == quantity, "label"].iloc[0]


def component_label(component: str) -> str:
    return COMPONENTS.get(component, component.replace("_", " "))


def decomposition_period(rows: pd.DataFrame, quantity: str) -> tuple[pd.DataFrame, list[str]]:
    """The unit's decomposition of ``quantity`` over its longest period (latest end, earliest
    start) in which it was decomposed, and why each longer period left it out ("2010-11 to
    2024-25: reason")."""
    own = rows[rows["quantity"] == quantity]
    periods = own[["from_year", "to_year"]].drop_duplicates()
    periods = periods.sort_values(["to_year", "from_year"], ascending=[False, True])
    skipped = []
    for start, end in zip(periods["from_year"], periods["to_year"]):
        chosen = own[(own["from_year"] == start) & (own["to_year"] == end)]
        if (chosen["status"] == "decomposed").all():
            return chosen.reset_index(drop=True), skipped
        skipped.append(f"{start} to {end}: {'; '.join(chosen['reason'])}")
    return own.iloc[0:0], skipped


def spending_parts(profile: Profile) -> dict[str, pd.DataFrame]:
    """The real-terms spending identities split into population, rate and unit cost, each over
    the unit's longest decomposed period (the identities the chart draws)."""
    drawn = {}
    for quantity in dict.fromkeys(profile.model_decomposition["quantity"]):
        rows, _ = decomposition_period(profile.model_decomposition, quantity)
        parts = set(rows["component"]) - {"total"}
        if not rows.empty and parts <= set(DRIVERS) and rows["unit"].iloc[0].startswith("£, "):
            drawn[quantity] = rows
    return drawn


def part_labels(drawn: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Each drawn identity's label with its period: "children looked after spending, 2010-11 to
    2024-25"."""
    return {q: f"{quantity_label(r, q)}, {r['from_year'].iloc[0]} to {r['to_year'].iloc[0]}" for q, r in drawn.items()}


def _pounds(value: float) -> str:
    return fmt(abs(value), "money")


def decomposition_sentences(profile: Profile, quantity: str = DECOMPOSITION) -> list[str]:
    """What the decomposition of ``quantity`` says, written from the numbers; or why the unit
    has none."""
    rows, skipped = decomposition_period(profile.model_decomposition, quantity)
    label = quantity_label(profile.model_decomposition, quantity)
    out = [f"{profile.name} is left out of the decomposition of {label} over {s}." for s in skipped]
    if rows.empty:
        return out or [f"{profile.name} has no decomposition of {label}."]
    parts = rows.set_index("component")
    total = parts.loc["total"]
    start, end = total["from_year"], total["to_year"]
    change = "rise" if total["value"] >= 0 else "fall"
    shares = ", ".join(
        f"{component_label(c)} {signed_money(parts.loc[c, 'value'])} ({share(parts.loc[c, 'share_of_change'])} of the change)"
        for c in parts.index
        if c != "total"
    )
    out.append(
        f"Of the {_pounds(total['value'])} {change} in {label} in {profile.name} from {start} to {end} "
        f"({_basis(total['unit'])}), the parts are: {shares}. The parts add up to the change exactly."
    )
    return out


def share(value: float) -> str:
    """A part's share of the change, or "–" where there was no change to share."""
    return "–" if pd.isna(value) else f"{value:.0%}"


def _basis(unit: str) -> str:
    """A money unit as a sentence says it: "£, 2024-25 prices" -> "real terms, 2024-25 prices"."""
    return "real terms, " + unit.removeprefix("£, ") if unit.startswith("£, ") else unit


def decomposition_rows(profile: Profile) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(shown, data): every identity over the unit's longest decomposed period, its total change
    and each component's part and share; an identity the unit has no period for says why."""
    shown, data = [], []
    for quantity in dict.fromkeys(profile.model_decomposition["quantity"]):
        rows, skipped = decomposition_period(profile.model_decomposition, quantity)
        if rows.empty:
            shown.append({"What changed": quantity_label(profile.model_decomposition, quantity), "Years": "–", "Part": "left out",
                          "Change": "–", "Share of the change": "–", "Unit": "", "Note": "; ".join(skipped)})  # fmt: skip
            data.append(profile.model_decomposition[profile.model_decomposition["quantity"] == quantity])
            continue
        data.append(rows)
        money = rows["unit"].iloc[0].startswith("£")
        for row in rows.itertuples():
            shown.append(
                {
                    "What changed": quantity_label(profile.model_decomposition, quantity),
                    "Years": f"{row.from_year} to {row.to_year}",
                    "Part": component_label(row.component),
                    "Change": signed_money(row.value) if money else f"{row.value:+,.0f}",
                    "Share of the change": share(row.share_of_change),
                    "Unit": row.unit,
                    "Note": "; ".join(skipped) if row.component == "total" else "",
                }
            )
    return pd.DataFrame(shown), pd.concat(data, ignore_index=True) if data else profile.model_decomposition


def needs_sentences(profile: Profile) -> list[str]:
    """Where the unit's actual spending per child sat against its needs-predicted spending and the
    95% prediction interval, in the last year with a value (and how many years above, below)."""
    rows = profile.model_needs
    fitted = rows.dropna(subset=["actual"])
    if fitted.empty:
        reasons = sorted(set(rows["reason"]) - {""})
        why = f" ({'; '.join(reasons)})" if reasons else ""
        return [f"{profile.name} is not in the cross-section of spending per child{why}, so no prediction is shown."]
    last = fitted.iloc[-1]
    where = {
        "above": "above the 95% prediction interval",
        "below": "below the 95% prediction interval",
        "within": "within the 95% prediction interval",
    }[last["position"]]
    gap = last["actual"] / last["predicted"] - 1
    counts = fitted["position"].value_counts()
    text = (
        f"In {last['year']} {profile.name} spent {fmt(last['actual'], 'money')} per child aged 0-17 "
        f"({last['unit'].removeprefix('£ per child, ')}), {abs(gap):.0%} {'more' if gap >= 0 else 'less'} than "
        f"the {fmt(last['predicted'], 'money')} its needs predict: {where} "
        f"({fmt(last['lower'], 'money')} to {fmt(last['upper'], 'money')})."
    )
    if len(fitted) == 1:
        return [text + f" {last['year']} is the only year it is fitted in."]
    text += (
        f" Over the {len(fitted)} years fitted ({fitted['year'].iloc[0]} to {last['year']}) it was above the interval in "
        f"{counts.get('above', 0)}, below in {counts.get('below', 0)} and within in {counts.get('within', 0)}."
    )
    return [text]


def projection_rows(profile: Profile) -> pd.DataFrame:
    """The central (headline) scenario's outturn and projection of children looked after."""
    rows = profile.model_projection
    return rows[rows["headline"]].reset_index(drop=True)


def projection_sentences(profile: Profile) -> list[str]:
    """The central scenario's projection of children looked after in the last year, with its 80%
    and 95% bands, against the last outturn, and the other scenarios' points."""
    rows = profile.model_projection
    central = projection_rows(profile)
    projected = central[central["kind"] == "projection"].dropna(subset=["value"])
    outturn = central[central["kind"] == "outturn"].dropna(subset=["value"])
    if projected.empty:
        return [f"{profile.name} has no projection of children looked after."]
    end = projected.iloc[-1]
    label = end["label"]
    text = f"On the {label.lower()} scenario, {profile.name} would have {end['value']:,.0f} children looked after at 31 March in {end['year']}"
    if not outturn.empty:
        text += f", against {outturn.iloc[-1]['value']:,.0f} in {outturn.iloc[-1]['year']}"
    text += "."
    if pd.notna(end["p10"]):
        text += (
            f" Had the method's errors been as in its back-tests on every unit ({int(end['bands_n'])} errors at this "
            f"horizon), the outturn would fall between {end['p10']:,.0f} and {end['p90']:,.0f} four times in five, and "
            f"between {end['p2_5']:,.0f} and {end['p97_5']:,.0f} 19 times in 20."
        )
    others = rows[(~rows["headline"]) & (rows["kind"] == "projection") & (rows["year"] == end["year"])]
    if not others.empty:
        text += " Other scenarios: " + "; ".join(f"{r.label} {r.value:,.0f}" for r in others.itertuples()) + "."
    return [text]
