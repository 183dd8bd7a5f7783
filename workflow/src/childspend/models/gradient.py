"""Deprivation gradient: LA units in equal-count groups by a deprivation score, with spending per
child and activity rates pooled per group and year.

Grouping (one per config entry: a score measure, an IoD edition, a number of groups k): the units
with a score in the edition's year are ranked by score, lowest first (a higher IDACI or IMD score
is more deprived, so group 1 is the least deprived), equal scores in area-code order; the unit
ranked i (from 0) of n goes to group floor(i k / n) + 1, so group sizes differ by at most one.
Units without a score are left out of that grouping; they, and equal scores that straddle a group
boundary, are logged and named in the grouping's sample sentence.

Pooling: a group's value is the sum of its units' numerators over the sum of their denominators
(times ``scale``), never a mean of the units' ratios, over the units with both parts that year
(``areas``): fewer than all its units is flagged ``incomplete``, none ``no_data`` (no value). A
unit value's quality flag from the registry (e.g. ``early_census``) is carried to its group. A
change from the base year compares the same units: those with both parts in both years. The ratio
of the most to the least deprived group divides two values in the same year's prices, so it needs
no deflator.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from .. import measures
from ..errors import ConfigError
from ..tables import sort_table
from ..years import fy_label
from .gradient_text import headlines

log = logging.getLogger(__name__)

GRADIENT_COLUMNS = [
    "grouping",
    "group",
    "year",
    "measure",
    "value",
    "unit",
    "areas",
    "flag",
    "price_base",
    "population_vintage",
]
GROUP_COLUMNS = ["grouping", "group", "area_code", "area_name", "score"]
KEY = ["group", "year"]


def equal_groups(scores: pd.DataFrame, groups: int) -> pd.DataFrame:
    """``scores`` (area_code, area_name, score, none missing) with ``group`` 1..groups: ranked by
    score, lowest first, equal scores in area-code order; rank i of n in group floor(i groups / n) + 1."""
    if len(scores) < groups:
        raise ConfigError(f"{len(scores)} units with a score cannot make {groups} groups")
    ranked = scores.sort_values(["score", "area_code"], kind="mergesort").reset_index(drop=True)
    return ranked.assign(group=np.arange(len(ranked)) * groups // len(ranked) + 1)


def split_ties(grouped: pd.DataFrame) -> list[str]:
    """Equal scores whose units fall in more than one group, as 'York (2), Harrow (3) at 0.123'."""
    return [
        f"{', '.join(f'{n} ({g})' for n, g in zip(tied['area_name'], tied['group']))} at {score:g}"
        for score, tied in grouped.groupby("score", sort=True)
        if tied["group"].nunique() > 1
    ]


def group_units(frame: pd.DataFrame, name: str, spec: dict) -> tuple[pd.DataFrame, dict]:
    """One grouping's membership (GROUP_COLUMNS) and its sample: units without a score, split ties."""
    la = frame[frame["area_level"] == "la"]
    year = fy_label(spec["edition"])
    rows = la[(la["measure"] == spec["score"]) & (la["year"] == year)]
    if rows["value"].notna().sum() == 0:
        raise ConfigError(
            f"models.deprivation_gradient.groupings.{name}: the model frame has no {spec['score']} in {year} "
            f"(edition {spec['edition']})"
        )
    units = la[["area_code", "area_name"]].drop_duplicates("area_code")
    scores = units.merge(rows[["area_code", "value"]].rename(columns={"value": "score"}), on="area_code", how="left")
    grouped = equal_groups(scores.dropna(subset=["score"]), spec["groups"]).assign(grouping=name)
    sample = {
        "year": year,
        "unscored": sorted(scores.loc[scores["score"].isna(), "area_name"]),
        "ties": split_ties(grouped),
        "sizes": grouped["group"].value_counts().sort_index(),
    }
    log.info(
        "%s: %d units in %d groups of %s; without a score (left out): %s; equal scores split across groups "
        "(ranked by area code): %s",
        name,
        len(grouped),
        spec["groups"],
        "/".join(map(str, sorted(set(sample["sizes"])))),
        ", ".join(sample["unscored"]) or "none",
        "; ".join(sample["ties"]) or "none",
    )
    return grouped[GROUP_COLUMNS], sample


def _one(values: pd.Series) -> str:
    return "; ".join(sorted(set(values.fillna("")) - {""}))


def unit_parts(frame: pd.DataFrame, name: str, spec: dict) -> tuple[pd.DataFrame, str, str]:
    """Unit rows of one pooled measure (area_code, year, num, den, quality: the registry quality
    flags on either part), with the numerator's price base (if it is money, unit GBP) and the
    denominator's population vintage."""
    la = frame[frame["area_level"] == "la"]
    sides = {}
    for side in ("numerator", "denominator"):
        rows = la[la["measure"] == spec[side]]
        if rows.empty:
            raise ConfigError(f"models.deprivation_gradient.measures.{name}: {spec[side]} is not in the model frame")
        sides[side] = rows.set_index(["area_code", "year"])
    quality = set(measures.registry()["quality_flag"]) - {""}
    num, den = sides["numerator"], sides["denominator"]
    parts = pd.DataFrame({"num": num["value"], "den": den["value"]})
    flags = pd.DataFrame({"n": num["flag"], "d": den["flag"]}).fillna("")
    parts["quality"] = [";".join(sorted({n, d} & quality)) for n, d in zip(flags["n"], flags["d"])]
    money = num["unit"].fillna("").str.startswith("GBP").all()
    return parts.reset_index(), _one(num["price_base"]) if money else "", _one(den["population_vintage"])


COVERAGE = ["no_data", "incomplete"]


def join_flags(*flags: str) -> str:
    """Flags (each ';'-joined) as one: coverage first (no_data, incomplete), then quality flags sorted."""
    found = set(";".join(flags).split(";")) - {""}
    return ";".join([f for f in COVERAGE if f in found] + sorted(found - set(COVERAGE)))


def _flags(areas: pd.Series, members: pd.Series, quality: pd.Series) -> pd.Series:
    coverage = np.select([areas == 0, areas < members], COVERAGE, "")
    return pd.Series([join_flags(c, q) for c, q in zip(coverage, quality)], index=areas.index)


def _quality(flags: pd.Series) -> str:
    return join_flags(*flags)


def pooled(parts: pd.DataFrame, membership: pd.DataFrame, scale: float) -> pd.DataFrame:
    """Per group and year: value (sum of numerators over sum of denominators, times ``scale``, over
    the units with both), areas, members and flag."""
    data = parts.merge(membership[["area_code", "group"]], on="area_code")
    both = data["num"].notna() & data["den"].notna()
    data = data.assign(num=data["num"].where(both), den=data["den"].where(both), areas=both.astype(int))
    data["quality"] = data["quality"].where(both, "")
    sums = data.groupby(KEY).agg(
        num=("num", "sum"), den=("den", "sum"), areas=("areas", "sum"), quality=("quality", _quality)
    )
    sums["members"] = sums.index.get_level_values("group").map(membership["group"].value_counts())
    sums["value"] = (sums["num"] / sums["den"] * scale).where(sums["areas"] > 0)
    sums["flag"] = _flags(sums["areas"], sums["members"], sums["quality"])
    return sums.reset_index()


def changes(parts: pd.DataFrame, membership: pd.DataFrame, from_year: str) -> pd.DataFrame:
    """Per group and year from ``from_year`` on: percent change of the pooled value since
    ``from_year``, over the units with both parts in both years (areas), flagged with the quality
    flags of either year."""
    data = parts.merge(membership[["area_code", "group"]], on="area_code")
    data["both"] = data["num"].notna() & data["den"].notna()
    base = data[data["year"] == from_year].set_index("area_code")
    base = base[["num", "den", "both", "quality"]].add_suffix("_base")
    data = data[data["year"] >= from_year].join(base, on="area_code")
    ok = data["both"] & data["both_base"].fillna(False).astype(bool)
    for column in ("num", "den", "num_base", "den_base"):
        data[column] = data[column].where(ok)
    data["areas"] = ok.astype(int)
    data["quality"] = (data["quality"] + ";" + data["quality_base"].fillna("")).where(ok, "")
    sums = data.groupby(KEY).agg(
        num=("num", "sum"),
        den=("den", "sum"),
        num_base=("num_base", "sum"),
        den_base=("den_base", "sum"),
        areas=("areas", "sum"),
        quality=("quality", _quality),
    )
    sums["members"] = sums.index.get_level_values("group").map(membership["group"].value_counts())
    ratio = (sums["num"] / sums["den"]) / (sums["num_base"] / sums["den_base"])
    sums["value"] = ((ratio - 1) * 100).where(sums["areas"] > 0)
    sums["flag"] = _flags(sums["areas"], sums["members"], sums["quality"])
    return sums.reset_index()


def most_to_least(levels: pd.DataFrame, groups: int) -> pd.DataFrame:
    """Per year: the most deprived group's pooled value over the least deprived's, areas of both,
    flagged where either group is."""
    by = levels.set_index(["group", "year"])
    most, least = by.loc[groups], by.loc[1]
    flags = pd.Series([join_flags(a, b) for a, b in zip(most["flag"], least["flag"])])
    return pd.DataFrame(
        {
            "year": most.index,
            "value": (most["value"] / least["value"]).to_numpy(),
            "areas": (most["areas"] + least["areas"]).to_numpy(),
            "flag": flags.to_numpy(),
        }
    )


def _measure_rows(unit_rows, membership, grouping, spec_groups, name, spec, from_year) -> pd.DataFrame:
    """Levels, changes and most-to-least ratios of one measure (its ``unit_parts``) in one grouping."""
    parts, price_base, vintage = unit_rows
    levels = pooled(parts, membership, spec["scale"])
    incomplete = levels[levels["flag"].str.contains("incomplete")]
    if not incomplete.empty:
        log.info(
            "%s, %s: pooled over the units with both parts, flagged incomplete: %s",
            grouping,
            name,
            ", ".join(f"group {g} {y} ({a} of {m})" for g, y, a, m in incomplete[[*KEY, "areas", "members"]].values),
        )
    change = changes(parts, membership, from_year)
    ratio = most_to_least(levels, spec_groups)
    common = {"grouping": grouping, "price_base": price_base, "population_vintage": vintage}
    return pd.concat(
        [
            levels.assign(measure=name, unit=spec["unit"], order=levels["group"], **common),
            change.assign(
                measure=f"{name}_change", unit=f"percent change from {from_year}", order=change["group"], **common
            ),
            ratio.assign(
                group=f"{spec_groups}/1",
                measure=f"{name}_ratio",
                unit=f"ratio of group {spec_groups} (most deprived) to group 1 (least deprived)",
                order=spec_groups + 1,
                **{**common, "price_base": "none needed: both groups in the same year's prices" if price_base else ""},
            ),
        ],
        ignore_index=True,
    )


def gradient_table(frame: pd.DataFrame, groupings: dict, measures_spec: dict, from_year: str) -> dict:
    """The gradient (GRADIENT_COLUMNS), the membership (GROUP_COLUMNS) and each grouping's sample."""
    if from_year not in set(frame["year"]):
        raise ConfigError(f"headlines.from_year {from_year} is not a year of the model frame")
    frame = frame[frame["area_level"] == "la"]  # the groups are of units; regions and England play no part
    units = {name: unit_parts(frame, name, spec) for name, spec in measures_spec.items()}
    members, samples, parts = [], {}, []
    for grouping, spec in groupings.items():
        membership, samples[grouping] = group_units(frame, grouping, spec)
        members.append(membership)
        for name, measure_spec in measures_spec.items():
            parts.append(
                _measure_rows(units[name], membership, grouping, spec["groups"], name, measure_spec, from_year)
            )
    table = sort_table(pd.concat(parts, ignore_index=True), ["grouping", "measure", "order", "year"])
    table["group"] = table["group"].astype(str)
    table["areas"] = table["areas"].astype(int)
    membership = sort_table(pd.concat(members, ignore_index=True), ["grouping", "group", "score", "area_code"])
    return {"gradient": table[GRADIENT_COLUMNS], "groups": membership, "samples": samples}


def check_settings(groupings: dict, measures_spec: dict, settings: dict) -> None:
    """The headline and figure settings name a configured grouping and measure."""
    for key, value, known in (
        ("grouping", settings.get("grouping"), groupings),
        ("sector_measure", settings.get("sector_measure"), measures_spec),
        ("measure", settings.get("measure"), measures_spec),
    ):
        if value is not None and value not in known:
            raise ConfigError(f"models.deprivation_gradient: {key} {value!r} is not one of {sorted(known)}")


def build_deprivation_gradient(
    frame: pd.DataFrame, groupings: dict, measures_spec: dict, settings: dict, from_year: str
) -> dict[str, pd.DataFrame]:
    """The stage: ``gradient`` (GRADIENT_COLUMNS), ``groups`` (GROUP_COLUMNS) and ``headlines``
    (HEADLINE_COLUMNS) from the model frame and the config block's groupings, measures and headline
    settings, changes measured from ``from_year``."""
    check_settings(groupings, measures_spec, settings)
    tables = gradient_table(frame, groupings, measures_spec, from_year)
    return {
        "gradient": tables["gradient"],
        "groups": tables["groups"],
        "headlines": headlines(tables["gradient"], groupings, measures_spec, tables["samples"], settings, from_year),
    }
