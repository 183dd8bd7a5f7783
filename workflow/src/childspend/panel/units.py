"""Stable units x financial years: LA rows summed into units, every gap explicit, with region
and England totals.

Every (area, year, measure) in the panel's range has a row: a value, or a missing value with a
flag saying why. Region and England rows are sums over units; a total that lacks units is
flagged ``incomplete`` and its missing units are listed in the exclusions log.
"""

from __future__ import annotations

import pandas as pd

from ..codes import ENGLAND_CODE, name_key, name_to_la_number, ons_to_la_number
from .areas import operating
from .exclusions import ExclusionLog

PANEL_KEYS = ["area_level", "area_code", "year", "measure"]
PANEL_COLUMNS = [
    "area_level",
    "area_code",
    "area_name",
    "region_code",
    "region_name",
    "year",
    "measure",
    "value",
    "flag",
    "source",
    "units_expected",
    "units_reporting",
]


def resolve_la_numbers(table: pd.DataFrame, geo: pd.DataFrame, exclusions: ExclusionLog) -> pd.DataFrame:
    """LA rows only, each with a DfE number: from the file, else its ONS code, else its name."""
    la = table[table["area_level"] == "la"].copy()
    from_ons = la["ons_code"].map(ons_to_la_number(geo)).astype("Int64")
    by_name = name_to_la_number(geo)
    from_name = la["area_name"].map({n: by_name.get(name_key(n)) for n in la["area_name"].unique()}).astype("Int64")
    la["la_number"] = la["la_number"].fillna(from_ons).where(la["ons_code"] != "", la["la_number"].fillna(from_name))
    unresolved = la["la_number"].isna()
    for (source, year, name), group in la[unresolved].groupby(["source", "year", "area_name"]):
        exclusions.add("resolve", "no DfE LA number for this area", source, year, name, rows=len(group))
    return la[~unresolved]


def within_years(rows: pd.DataFrame, years: list[str], exclusions: ExclusionLog) -> pd.DataFrame:
    """Rows in the configured years; the rest are logged and left out."""
    outside = ~rows["year"].isin(years)
    for (source, year), group in rows[outside].groupby(["source", "year"]):
        exclusions.add("panel", "year outside config years", source, year, rows=len(group))
    return rows[~outside]


def to_units(
    rows: pd.DataFrame, units: pd.DataFrame, operating: pd.DataFrame, exclusions: ExclusionLog
) -> pd.DataFrame:
    """Sum LA rows into stable units.

    A unit's value for a year is the sum over a complete set of its members: the LAs operating
    that year, or else the LAs of another year's boundaries (files on a later geography report
    North and West Northamptonshire for years when Northamptonshire existed; both cover the
    unit). With no complete set the unit is missing (flag ``member_missing``), never a partial sum.
    """
    rows = rows.merge(units[["la_number", "unit_id"]], on="la_number", how="left")
    unknown = rows["unit_id"].isna()
    for (source, number), group in rows[unknown].groupby(["source", "la_number"]):
        exclusions.add("units", "LA number not in the geography reference", source, area=str(number), rows=len(group))
    rows = rows[~unknown]

    # Some files keep a row for every LA number in every year, empty ("-") where the LA did not
    # exist yet or any more: those rows are dropped.
    active = rows.merge(operating, on=["la_number", "year"], how="left", indicator=True)["_merge"].eq("both").to_numpy()
    empty = ~active & rows["value"].isna().to_numpy()
    for (source, year), group in rows[empty].groupby(["source", "year"]):
        exclusions.add(
            "units",
            "empty row for an LA not operating this year dropped",
            source,
            year,
            ",".join(str(n) for n in sorted(group["la_number"].unique())),
            rows=len(group),
        )
    rows = rows[~empty]

    expected = operating.merge(units[["la_number", "unit_id"]], on="la_number")
    needed = expected.groupby(["unit_id", "year"])["la_number"].agg(frozenset)
    boundaries = needed.groupby(level="unit_id").agg(lambda sets: sorted(set(sets), key=sorted)).to_dict()
    needed = needed.to_dict()
    keys = ["unit_id", "year", "measure"]
    merged = units["unit_id"].duplicated(keep=False)
    single = ~rows["unit_id"].isin(set(units.loc[merged, "unit_id"]))
    if not merged.any():
        return sum_groups(rows, keys)
    reported = rows[~single].groupby(keys).agg(got=("la_number", frozenset), source=("source", "first")).reset_index()
    chosen, missing = [], []
    for unit, year, measure, got, source in reported.itertuples(index=False):
        own = needed.get((unit, year), frozenset())
        fits = [own] if own and own <= got else [b for b in boundaries.get(unit, []) if b <= got]
        if len(fits) != 1:
            reason = (
                f"unit incomplete: member LA(s) {sorted(int(n) for n in own - got)} not reported"
                if not fits
                else f"unit reported on several boundaries at once {[sorted(map(int, f)) for f in fits]}"
            )
            exclusions.add("units", reason, source, year, unit, measure)
            missing.append((unit, year, measure, source))
            continue
        chosen.extend((unit, year, measure, int(n)) for n in fits[0])
        if fits[0] != own:
            exclusions.add(
                "units",
                f"unit summed over another year's boundaries: LAs {sorted(map(int, fits[0]))}",
                source,
                year,
                unit,
                measure,
            )
        for extra in sorted(got - fits[0]):
            exclusions.add(
                "units", "LA value not used: the unit is complete without it", source, year, str(extra), measure
            )

    use = pd.DataFrame(chosen, columns=[*keys, "la_number"]).astype({"la_number": rows["la_number"].dtype})
    grouped = sum_groups(pd.concat([rows[single], rows[~single].merge(use, on=[*keys, "la_number"])]), keys)
    missing = pd.DataFrame(missing, columns=[*keys, "source"]).assign(value=float("nan"), flag="member_missing")
    return pd.concat([grouped, missing[grouped.columns]], ignore_index=True)


def sum_groups(rows: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Sum ``value`` per group: missing if any member is, with the members' flags joined."""
    grouped = (
        rows.assign(gap=rows["value"].isna())
        .groupby(keys, as_index=False)
        .agg(value=("value", "sum"), gap=("gap", "any"), source=("source", "first"))
    )
    grouped["value"] = grouped["value"].where(~grouped["gap"])
    flagged = rows[rows["flag"] != ""].groupby(keys)["flag"].agg(lambda f: ";".join(sorted(set(f))))
    flagged = flagged.to_dict()
    grouped["flag"] = [flagged.get(key, "") for key in zip(*(grouped[k] for k in keys))]
    return grouped.drop(columns="gap")


def complete_grid(
    unit_values: pd.DataFrame, units: pd.DataFrame, years: list[str], exclusions: ExclusionLog
) -> pd.DataFrame:
    """Every unit x year x measure, missing where the source has no row (flag not_reported /
    no_data), so gaps are explicit."""
    unit_ids = units[["unit_id"]].drop_duplicates()
    measures = unit_values[["measure"]].drop_duplicates()
    grid = unit_ids.merge(pd.DataFrame({"year": years}), how="cross").merge(measures, how="cross")
    out = grid.merge(unit_values, on=["unit_id", "year", "measure"], how="left")
    covered = unit_values[["measure", "year"]].drop_duplicates().assign(in_source=True)
    absent = out["value"].isna() & out["flag"].isna()
    in_source = out[["measure", "year"]].merge(covered, how="left")["in_source"].fillna(False).to_numpy(dtype=bool)
    out.loc[absent & in_source, "flag"] = "not_reported"
    out.loc[absent & ~in_source, "flag"] = "no_data"
    for (year, measure), group in out[absent & in_source].groupby(["year", "measure"]):
        exclusions.add(
            "panel",
            "unit absent from the source in this year",
            year=year,
            measure=measure,
            area=",".join(sorted(group["unit_id"])),
            rows=len(group),
        )
    out["source"] = out["source"].fillna("")
    out["flag"] = out["flag"].fillna("")
    suppressed = out["value"].isna() & ~absent
    for (source, year, measure, flag), group in out[suppressed].groupby(["source", "year", "measure", "flag"]):
        exclusions.add(
            "panel",
            f"unit value missing in the source (flag {flag})",
            source,
            year,
            ",".join(sorted(group["unit_id"])),
            measure,
            rows=len(group),
        )
    return out


def with_totals(unit_panel: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """Add region and England rows: sums of units, flagged incomplete where units are missing."""
    names = units.drop_duplicates("unit_id")[["unit_id", "unit_name", "region_code", "region_name"]]
    la = unit_panel.merge(names, on="unit_id")
    la = la.rename(columns={"unit_id": "area_code", "unit_name": "area_name"})
    la["area_level"], la["units_expected"] = "la", 1
    la["units_reporting"] = la["value"].notna().astype(int)

    def total(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        group = keys + ["year", "measure"]
        sums = frame.groupby(group, as_index=False).agg(
            value=("value", "sum"), units_expected=("value", "size"), units_reporting=("value", "count")
        )
        # the distinct non-empty sources of each group, sorted, joined with ";"
        named = frame.loc[frame["source"] != "", [*group, "source"]].drop_duplicates()
        sources = named.sort_values("source", kind="mergesort").groupby(group)["source"].agg(";".join)
        return sums.join(sources, on=group).fillna({"source": ""})

    region = total(la, ["region_code", "region_name"])
    region["area_level"], region["area_code"], region["area_name"] = (
        "region",
        region["region_code"],
        region["region_name"],
    )
    england = total(la, [])
    england["area_level"], england["area_code"], england["area_name"] = "england", ENGLAND_CODE, "England"
    england["region_code"], england["region_name"] = "", ""
    totals = pd.concat([region, england], ignore_index=True)
    none = totals["units_reporting"] == 0
    totals.loc[none, "value"] = float("nan")
    totals["flag"] = "incomplete"
    totals.loc[totals["units_reporting"] == totals["units_expected"], "flag"] = ""
    totals.loc[none, "flag"] = "no_data"
    return pd.concat([la[PANEL_COLUMNS], totals[PANEL_COLUMNS]], ignore_index=True)


def pooled_ratio(parts: pd.DataFrame, keys: list[str], scale: float) -> pd.DataFrame:
    """A region's or England's ratio from its units' parts: per ``keys`` and year, the sum of
    ``n`` over the sum of ``d`` x ``scale`` over the units where ``ok`` (both parts present, ``n``
    and ``d`` already missing elsewhere), with ``units_expected``, ``units_reporting`` and ``flag``
    (``incomplete`` where some units are not ok, ``no_data`` where none is)."""
    out = parts.groupby(keys + ["year"], as_index=False).agg(
        n=("n", "sum"), d=("d", "sum"), units_expected=("ok", "size"), units_reporting=("ok", "sum")
    )
    out["value"] = (out["n"] / out["d"].where(out["d"] != 0) * scale).where(out["units_reporting"] > 0)
    out["flag"] = "incomplete"
    out.loc[out["units_reporting"] == out["units_expected"], "flag"] = ""
    out.loc[out["units_reporting"] == 0, "flag"] = "no_data"
    return out


def wide(panel: pd.DataFrame) -> pd.DataFrame:
    """One row per area and year, one column per measure (values only; flags stay in the long panel)."""
    keys = ["area_level", "area_code", "area_name", "region_code", "region_name", "year"]
    table = panel.pivot(index=keys, columns="measure", values="value")
    table = table.reindex(columns=sorted(panel["measure"].unique()))
    table.columns.name = None
    return table.reset_index()


def unit_panel(
    rows: pd.DataFrame, geo: pd.DataFrame, units: pd.DataFrame, years: list[str], exclusions: ExclusionLog
) -> pd.DataFrame:
    """LA rows -> every unit x year x measure, with region and England totals."""
    rows = within_years(rows, years, exclusions)
    values = to_units(rows, units, operating(geo, years), exclusions)
    return with_totals(complete_grid(values, units, years, exclusions), units)
