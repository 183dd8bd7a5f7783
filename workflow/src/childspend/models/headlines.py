"""Sentences on what drives spending and demand, written from the model outputs (never typed in),
with the gradient's and the projections' own sentences, in one table."""

from __future__ import annotations

import pandas as pd

COLUMNS = ["section", "id", "value", "unit", "years", "sentence"]
OUTCOMES = {"cla_rate_per_10000": "children looked after per 10,000 children"}
LABELS = {"population": "the child population", "rate": "the rate", "unit_cost": "the cost per child"}


def _bn(value: float) -> str:
    return f"£{value / 1e9:.1f}bn"


def decomposition_sentences(decomposition: pd.DataFrame, labels: dict[str, str]) -> list[dict]:
    """England: each product identity's change and the share of each factor (``labels``: each
    identity's label, models.decomposition.identities)."""
    england = decomposition[decomposition["area_level"] == "england"]
    rows = []
    for (quantity, start, end), parts in england.groupby(["quantity", "from_year", "to_year"], sort=True):
        parts = parts.set_index("component")
        factors = [c for c in ("population", "rate", "unit_cost") if c in parts.index]
        if len(factors) < 2 or not parts.loc["total", "unit"].startswith("GBP"):
            continue
        total = float(parts.loc["total", "value"])
        shares = ", ".join(f"{LABELS[c]} {float(parts.loc[c, 'share_of_change']):.0%}" for c in factors)
        name = labels[quantity]
        rows.append(
            dict(
                id=f"decomposition_{quantity}_{start}_{end}",
                value=round(total / 1e9, 3),
                unit="GBP bn",
                years=f"{start} to {end}",
                sentence=f"From {start} to {end}, real {name} in England {'rose' if total >= 0 else 'fell'} by "
                f"{_bn(abs(total))}; of that change, {shares}.",
            )
        )
    return rows


def model_sentences(coefficients: pd.DataFrame, term: str, outcome: str) -> list[dict]:
    """The spend term of every model of ``outcome``: estimate and interval, by model."""
    rows = coefficients[(coefficients["outcome"] == outcome) & coefficients["term"].isin([term, f"{term}_within"])]
    out = []
    for r in rows.sort_values("model_id").itertuples():
        out.append(
            dict(
                id=f"{r.model_id}_{r.term}",
                value=round(r.coef, 3),
                unit="per 10,000 children per GBP 100",
                years=r.years,
                sentence=f"{r.model_id}: a £100 higher early-intervention spend per child in the year before goes "
                f"with {r.coef:+.2f} {OUTCOMES.get(outcome, outcome)} (95% interval {r.ci_low:+.2f} to "
                f"{r.ci_high:+.2f}), {r.years}.",
            )
        )
    return out


def model_headlines(
    decomposition: pd.DataFrame, labels: dict[str, str], coefficients: pd.DataFrame, others: dict[str, pd.DataFrame]
) -> pd.DataFrame:
    """One table, by ``section``: the decomposition's (``drivers``, its identities named by
    ``labels``) and the panel models' (``models``) sentences, then ``others`` ({section: a
    headline table with ``id, value, unit, sentence``}, such as the gradient's and the
    projections')."""
    drivers = pd.DataFrame(decomposition_sentences(decomposition, labels)).assign(section="drivers")
    models = pd.DataFrame(
        model_sentences(coefficients, "early_intervention_per_child_gbp100_lag1", "cla_rate_per_10000")
    ).assign(section="models")
    extra = [
        t.assign(section=name, years=t["years"] if "years" in t else t.get("year", "")) for name, t in others.items()
    ]
    return pd.concat([drivers, models, *extra], ignore_index=True).reindex(columns=COLUMNS)
