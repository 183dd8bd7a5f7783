"""Headline figures of the deprivation gradient, each with a sentence written from the numbers
of the gradient table (:mod:`childspend.models.gradient`), never typed in."""

from __future__ import annotations

import pandas as pd

from ..errors import ConfigError

HEADLINE_COLUMNS = ["id", "value", "unit", "years", "sentence"]
GROUP_NAMES = {3: "terciles", 4: "quartiles", 5: "quintiles", 10: "deciles"}


def grouping_label(spec: dict, plural: bool = True) -> str:
    """'IDACI 2019 quintiles' (or 'quintile'), from a grouping's score measure, edition and number
    of groups."""
    noun = GROUP_NAMES.get(spec["groups"], f"{spec['groups']} groups")
    return f"{spec['score'].split('_')[0].upper()} {spec['edition']} {noun if plural else _noun(spec)}"


def size_range(sizes: pd.Series) -> str:
    """Group sizes as '14 to 15' (or '15' when all are equal)."""
    return f"{sizes.min()}" if sizes.min() == sizes.max() else f"{sizes.min()} to {sizes.max()}"


def _noun(spec: dict) -> str:
    return GROUP_NAMES.get(spec["groups"], "groups")[:-1]


def _amount(value: float, money: bool, signed: bool = False) -> str:
    sign = ("-" if value < 0 else "+") if signed else ""
    return f"{sign}£{abs(value):,.0f}" if money else f"{value:+,.1f}" if signed else f"{value:,.1f}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _moved(change: float) -> str:
    return f"rose by {change:.0f}%" if change >= 0 else f"fell by {-change:.0f}%"


class _Reader:
    """Values of the gradient table by grouping, measure, group and year."""

    def __init__(self, gradient: pd.DataFrame):
        self.rows = gradient.set_index(["grouping", "measure", "group", "year"])

    def row(self, grouping: str, measure: str, group, year: str) -> pd.Series:
        return self.rows.loc[(grouping, measure, str(group), year)]

    def last(self, grouping: str, measure: str, groups: list) -> str:
        """The latest year in which every group of ``groups`` has a value of ``measure``."""
        rows = self.rows.loc[(grouping, measure)].dropna(subset=["value"]).reset_index()
        years = rows[rows["group"].isin([str(g) for g in groups])].groupby("year")["group"].nunique()
        if not (years == len(groups)).any():
            raise ConfigError(f"models.deprivation_gradient: {grouping} has no year with {measure} in groups {groups}")
        return years[years == len(groups)].index.max()


def _sample_sentence(grouping: str, spec: dict, sample: dict, gradient: pd.DataFrame) -> dict:
    sizes = sample["sizes"]
    rows = gradient[(gradient["grouping"] == grouping) & ~gradient["measure"].str.endswith(("_change", "_ratio"))]
    incomplete = rows["flag"].str.contains("incomplete")
    return dict(
        id=f"sample_{grouping}",
        value=int(sizes.sum()),
        unit="units",
        years=sample["year"],
        sentence=f"{grouping_label(spec)}: {sizes.sum()} LA units ranked by {spec['score']} of the {spec['edition']} "
        f"edition (year {sample['year']}), {size_range(sizes)} a {_noun(spec)}, 1 the least deprived and "
        f"{spec['groups']} the most; without a score (left out): {', '.join(sample['unscored']) or 'none'}; equal "
        f"scores split across {_noun(spec)}s (ranked by area code): {'; '.join(sample['ties']) or 'none'}. "
        f"{incomplete.sum()} of {len(rows)} group-year values lack some units and are pooled over those with "
        "both parts (flag incomplete).",
    )


def _quality_note(*flags: str) -> str:
    """A note naming the quality flags among ``flags`` (all but the coverage flags)."""
    quality = sorted({f for flag in flags for f in flag.split(";")} - {"", "no_data", "incomplete"})
    return f" Some of these values carry the registry's quality flag {', '.join(quality)}." if quality else ""


def _change_sentence(read: _Reader, grouping: str, spec: dict, name: str, measure: dict, from_year: str) -> dict:
    k = spec["groups"]
    last = read.last(grouping, f"{name}_change", [1, k])
    most, least = (read.row(grouping, f"{name}_change", g, last) for g in (k, 1))
    levels = {g: [read.row(grouping, name, g, y)["value"] for y in (from_year, last)] for g in (k, 1)}
    money = bool(most["price_base"])
    gap = most["value"] - least["value"]
    note = ""
    if "incomplete" in most["flag"] + least["flag"]:
        note = f" Changes compare the units with values in both years ({most['areas']} and {least['areas']})."
    note += _quality_note(most["flag"], least["flag"])
    noun = _noun(spec)
    points = f"{abs(gap):.0f} point{'' if f'{abs(gap):.0f}' == '1' else 's'}"
    return dict(
        id=f"{grouping}_{name}_change_most_vs_least",
        value=round(gap, 1),
        unit="percentage points",
        years=f"{from_year} to {last}",
        sentence=_capital(
            (f"in {most['price_base']}, " if money else "")
            + f"{measure['label']} {_moved(most['value'])} in the most deprived {grouping_label(spec, False)} "
            f"({noun} {k}), from {_amount(levels[k][0], money)} to {_amount(levels[k][1], money)}, and "
            f"{_moved(least['value'])} in the least deprived ({noun} 1), from {_amount(levels[1][0], money)} to "
            f"{_amount(levels[1][1], money)}, between {from_year} and {last}: a change {points} "
            f"{'lower' if gap < 0 else 'higher'} in the most deprived {noun}.{note}"
        ),
    )


def _ratio_sentence(read: _Reader, grouping: str, spec: dict, name: str, measure: dict, from_year: str) -> dict:
    k = spec["groups"]
    group = f"{k}/1"
    last = read.last(grouping, f"{name}_ratio", [group])
    first, latest = (read.row(grouping, f"{name}_ratio", group, y) for y in (from_year, last))
    money = bool(first["price_base"])
    return dict(
        id=f"{grouping}_{name}_ratio_most_to_least",
        value=round(latest["value"], 2),
        unit="ratio",
        years=f"{from_year} and {last}",
        sentence=f"In {last} {measure['label']} in the most deprived {grouping_label(spec, False)} was "
        f"{latest['value']:.2f} times that in the least deprived ({first['value']:.2f} times in {from_year})"
        + ("; a ratio within one year's prices needs no deflator." if money else ".")
        + _quality_note(first["flag"], latest["flag"]),
    )


def _sector_sentence(read: _Reader, groupings: dict, reading: str, name: str, measure: dict, from_year: str) -> dict:
    """The sector's ``reading`` (e.g. 'early intervention fell much more in the most deprived
    areas') tested on ``name`` in every grouping: the most against the least deprived group's
    change, in percent and in the measure's own units (pooled values of each year)."""
    results = []
    for grouping, spec in groupings.items():
        k = spec["groups"]
        last = read.last(grouping, f"{name}_change", [1, k])
        change = {g: read.row(grouping, f"{name}_change", g, last)["value"] for g in (k, 1)}
        amount = {
            g: read.row(grouping, name, g, last)["value"] - read.row(grouping, name, g, from_year)["value"]
            for g in (k, 1)
        }
        money = bool(read.row(grouping, name, k, last)["price_base"])
        results.append((grouping_label(spec), last, change[k], change[1], amount[k], amount[1], money))
    lasts = sorted({r[1] for r in results})
    proportion = sum(r[2] < r[3] for r in results)
    absolute = sum(r[4] < r[5] for r in results)
    each = "; ".join(
        f"{label}: {most:+.0f}% most deprived ({_amount(a_most, money, True)}), {least:+.0f}% least deprived "
        f"({_amount(a_least, money, True)})"
        for label, _, most, least, a_most, a_least, money in results
    )
    unit = "per child" if results[0][6] else ""
    return dict(
        id=f"sector_reading_{name}",
        value=proportion,
        unit=f"of {len(results)} groupings with a lower change in the most deprived group",
        years=f"{from_year} to {'/'.join(lasts)}",
        sentence=f"Tested: the sector's reading that {reading}. "
        f"Change in {measure['label']} from {from_year} to {'/'.join(lasts)}, most against least deprived group, "
        f"in percent and in {'£ ' + unit if unit else 'level'}: {each}. The most deprived group's change was the "
        f"lower (a bigger fall or smaller rise) in {proportion} of {len(results)} groupings in percent and in "
        f"{absolute} of {len(results)} in {'£ ' + unit if unit else 'level'}.",
    )


def headlines(
    gradient: pd.DataFrame, groupings: dict, measures_spec: dict, samples: dict, settings: dict, from_year: str
) -> pd.DataFrame:
    """Headline figures (HEADLINE_COLUMNS), each sentence written from the gradient's numbers: each
    grouping's sample; in ``settings['grouping']``, every measure's change in the most against the
    least deprived group and their ratio; ``settings['sector_reading']`` tested on
    ``settings['sector_measure']``."""
    read = _Reader(gradient)
    grouping, spec = settings["grouping"], groupings[settings["grouping"]]
    rows = [_sample_sentence(g, s, samples[g], gradient) for g, s in groupings.items()]
    for name, measure in measures_spec.items():
        rows.append(_change_sentence(read, grouping, spec, name, measure, from_year))
        rows.append(_ratio_sentence(read, grouping, spec, name, measure, from_year))
    sector = settings["sector_measure"]
    rows.append(_sector_sentence(read, groupings, settings["sector_reading"], sector, measures_spec[sector], from_year))
    return pd.DataFrame(rows, columns=HEADLINE_COLUMNS)
