"""The warning summary of a run: every kind of exclusion or unexplained gap, how often, from which
files, and the largest effect it can have on an England figure; and the strict mode.

A *kind* is an exclusion's stage and reason with its lists of LAs left out ("units: unit
summed over another year's boundaries: LAs [...]"), or a reconciliation row marked unexplained.
Its *effect* is the largest share of an England figure the areas of one entry stand for: their
value that year (or, where it is missing, their value in the nearest year that has one) over the
England value with every unit in it (units without a value at their nearest year's value, unless
England is DfE's published total); for rows dropped before the panel (an LA number the geography does not know, an
area without a DfE number), their share of the file's LA sum. A gap left unexplained by the
reconciliation counts as its relative size.

``summarise_exclusions`` writes the table (results/panel/warnings.csv) and logs it; with
``strict: true`` in config (``--config strict=true``) any kind not in ``exclusions.accepted``
fails the run.
"""

from __future__ import annotations

import re
import sys

import numpy as np
import pandas as pd

from ..codes import ENGLAND_CODE
from ..errors import ChildspendError

WARNING_COLUMNS = [
    "kind",
    "accepted",
    "entries",
    "rows",
    "sources",
    "largest_effect",
    "source",
    "year",
    "measure",
    "area",
]
LISTS = re.compile(r"\[[^\]]*\]")
UNEXPLAINED_SPENDING = "reconciliation: unexplained gap between a file's England row and its LAs"
UNEXPLAINED_ACTIVITY = "reconciliation: unexplained gap to DfE's published England figure"


class StrictModeError(ChildspendError):
    """Strict mode: the run produced a kind of exclusion or warning that config does not accept."""


def kind_of(stage: str, reason: str) -> str:
    """An exclusion's kind: its stage and reason, lists of LAs left out."""
    return f"{stage}: {LISTS.sub('[...]', reason)}"


def _unit_effects(entries: pd.DataFrame, panel: pd.DataFrame, units: pd.DataFrame) -> pd.Series:
    """Effect of entries that name areas (unit ids or LA numbers), year(s) and a panel measure:
    per year, the areas' values over the England value; the largest year counts."""
    effect = pd.Series(np.nan, index=entries.index)
    usable = entries[(entries["area"] != "") & (entries["year"] != "") & (entries["measure"] != "")]
    if usable.empty:
        return effect
    to_unit = dict(zip(units["la_number"].astype(str), units["unit_id"].astype(str)))
    pairs = usable.assign(area_code=usable["area"].str.split(","), year=usable["year"].str.split(","))
    pairs = pairs.explode("area_code").explode("year")[["area_code", "year", "measure"]]
    pairs = pairs.rename_axis("entry").reset_index()
    pairs["area_code"] = pairs["area_code"].map(lambda a: to_unit.get(a, a))
    la = panel[panel["area_level"] == "la"][["area_code", "measure", "year", "value"]]
    pairs["value"] = _estimate(pairs, la, ["area_code", "measure"])
    pairs = pairs.join(_complete_england(panel, la), on=["measure", "year"])
    by_year = pairs.groupby(["entry", "year"]).agg(
        value=("value", lambda v: v.abs().sum(min_count=1)), england=("england", "first")
    )
    share = by_year["value"] / by_year["england"]
    share = share.groupby(level="entry").max().clip(upper=1.0)  # nearest-year estimates can exceed England
    effect.loc[share.index] = share.to_numpy()
    return effect


def _complete_england(panel: pd.DataFrame, la: pd.DataFrame) -> pd.Series:
    """England per (measure, year) as it would be with every unit: the panel's England value plus,
    unless it is DfE's published total (which has DfE's estimates in it), the units without a
    value at their nearest year's value."""
    england = panel[panel["area_code"] == ENGLAND_CODE].set_index(["measure", "year"])
    missing = la[la["value"].isna()][["area_code", "measure", "year"]].reset_index(drop=True)
    missing["value"] = _estimate(missing, la, ["area_code", "measure"]).abs()
    added = missing.groupby(["measure", "year"])["value"].sum()
    published = england["flag"].str.contains("published_total")
    full = england["value"].abs().fillna(0) + added.reindex(england.index).fillna(0).where(~published, 0)
    return full.where(full != 0).rename("england")


def _estimate(pairs: pd.DataFrame, values: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Per row of ``pairs`` (keys, year): the value of ``values`` that year, else the nearest year's."""
    known = values.dropna(subset=["value"])
    known = known.assign(start=known["year"].str[:4].astype(int))
    merged = pairs[[*keys, "year"]].reset_index().merge(known[[*keys, "start", "value"]], on=keys, how="left")
    merged["distance"] = (merged["start"] - merged["year"].str[:4].astype(int)).abs()
    best = merged.sort_values(["index", "distance", "start"]).drop_duplicates("index").set_index("index")
    return best["value"].reindex(pairs.index)


def _dropped_effects(entries: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> pd.Series:
    """Effect of entries for rows dropped before the panel (no year or measure in the panel):
    the dropped rows' largest share of their file's LA sum, by year, measure and category."""
    effect = pd.Series(np.nan, index=entries.index)
    if not tables:
        return effect
    every = pd.concat([t.assign(category=t.get("category", "")) for t in tables.values()], ignore_index=True)
    la = every[every["area_level"] == "la"]
    keys = ["source", "year", "measure", "category"]
    totals = la.groupby(keys)["value"].apply(lambda v: v.abs().sum())
    by_source = dict(tuple(la.groupby("source")))
    for i, entry in entries.iterrows():
        rows = by_source.get(entry["source"], la.iloc[:0])
        if entry["year"]:
            rows = rows[rows["year"] == entry["year"]]
        by_number = rows["la_number"].astype("string") == entry["area"]
        rows = rows[by_number | (rows["area_name"] == entry["area"])]
        if rows.empty:
            continue
        share = rows.groupby(keys)["value"].apply(lambda v: v.abs().sum()) / totals.reindex(
            rows.groupby(keys).size().index
        )
        effect[i] = share.max()
    return effect


def summarise(
    exclusions: pd.DataFrame,
    panel: pd.DataFrame,
    units: pd.DataFrame,
    tables: dict[str, pd.DataFrame],
    england_rows: pd.DataFrame,
    activity_rows: pd.DataFrame,
    accepted: list[str],
) -> pd.DataFrame:
    """One row per kind (WARNING_COLUMNS), with the entry of largest effect."""
    entries = exclusions.copy()
    entries["rows"] = pd.to_numeric(entries["rows"]).astype(int)
    entries["kind"] = [kind_of(s, r) for s, r in zip(entries["stage"], entries["reason"])]
    entries["effect"] = _unit_effects(entries, panel, units)
    dropped = entries["effect"].isna() & entries["source"].ne("") & entries["area"].ne("")
    entries.loc[dropped, "effect"] = _dropped_effects(entries[dropped], tables)

    gaps = []
    for table, kind in ((england_rows, UNEXPLAINED_SPENDING), (activity_rows, UNEXPLAINED_ACTIVITY)):
        bad = table[table["explanation"].fillna("").str.startswith("unexplained")]
        measure = bad["measure"] + (("/" + bad["category"]) if "category" in bad else "")
        gaps.append(
            pd.DataFrame(
                {
                    "kind": kind,
                    "source": bad["source"],
                    "year": bad["year"],
                    "measure": measure,
                    "area": "England",
                    "rows": 1,
                    "effect": bad["relative_difference"].abs(),
                }
            )
        )
    entries = pd.concat([entries, *gaps], ignore_index=True)

    out = []
    for kind, group in entries.groupby("kind", sort=True):
        top = group.sort_values("effect", ascending=False, na_position="last").iloc[0]
        out.append(
            dict(
                kind=kind,
                accepted=kind in accepted,
                entries=len(group),
                rows=int(group["rows"].sum()),
                sources=group["source"].replace("", np.nan).nunique(),
                largest_effect=top["effect"],
                source=top["source"],
                year=top["year"],
                measure=top["measure"],
                area=_short(top["area"]),
            )
        )
    return pd.DataFrame(out, columns=WARNING_COLUMNS)


def _short(areas: str, keep: int = 6) -> str:
    """A comma list of areas, cut to its first ``keep`` with the number left out."""
    parts = [a for a in str(areas).split(",") if a]
    return ",".join(parts[:keep]) + (f" (+{len(parts) - keep} more)" if len(parts) > keep else "")


def describe(summary: pd.DataFrame) -> str:
    """The summary as lines of text for the log and the end of the run."""
    if summary.empty:
        return "no exclusions or unexplained gaps"
    lines = []
    for row in summary.itertuples(index=False):
        effect = (
            f"largest effect {row.largest_effect:.2%} of the England figure ({row.measure} {row.year}, "
            f"area {row.area}, {row.source or 'no single file'})"
            if pd.notna(row.largest_effect)
            else f"no effect on a panel figure measured (e.g. {row.source or 'no single file'} {row.measure})"
        )
        mark = "" if row.accepted else "  [NOT ACCEPTED]"
        lines.append(
            f"- {row.kind}: {row.entries} entries, {row.rows} rows, from {row.sources} file(s); {effect}{mark}"
        )
    return "\n".join(lines)


def print_summary(path) -> None:
    """Print results/panel/warnings.csv as ``describe`` does (Snakemake's onsuccess handler)."""
    try:
        summary = pd.read_csv(path, dtype={"source": str, "year": str, "measure": str, "area": str})
    except FileNotFoundError:
        return
    summary = summary.fillna({"source": "", "year": "", "measure": "", "area": ""})
    print(f"Exclusions and warnings by kind ({path}):\n{describe(summary)}", file=sys.stderr)


def check_strict(summary: pd.DataFrame, strict: bool) -> None:
    """StrictModeError listing the kinds config does not accept, when ``strict``."""
    new = summary[~summary["accepted"].astype(bool)]
    if strict and len(new):
        raise StrictModeError(
            "strict mode (config strict: true): the run produced kind(s) of exclusion or warning that "
            "config/config.yaml's exclusions.accepted does not list:\n"
            + describe(new)
            + "\nSee results/panel/exclusions.csv and the reconciliation tables; if the exclusions are "
            "expected, add the kind(s) to exclusions.accepted, else fix the input."
        )
