"""What an LA profile shows, built from the profile tables for one unit; the profile notebook
(``notebooks/la_profile.ipynb``) displays it.

:func:`load` reads the tables of :mod:`childspend.reports.profiles` for one unit. A
:class:`Profile` writes the CSV behind every chart and table into the profile's folder and returns
the HTML that shows it: a table with a caption and its CSV link, or a figure (an embedded SVG image
with alt text) whose caption says what it draws, names the pinned files its values come from and
links its CSV. Sentences are written from the numbers.
"""

from __future__ import annotations

import base64
import html
import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..config import load_sources
from ..panel.areas import read_areas
from ..tables import write_csv
from . import profile_plots
from .profiles import FLAG_KINDS, read_neighbours, year_spans

# The CSVs every profile writes beside its HTML (in <area>/), one per chart and table.
CSV_FILES = [
    "headline",
    "per_child",
    "neighbours",
    "composition",
    "composition_latest",
    "late_share",
    "s251_and_mhclg",
    "composition_compared",
    "cost_per_looked_after_child",
    "placements",
    "placements_latest",
    "demand",
    "demand_compared",
    "model_decomposition",
    "model_decomposition_table",
    "model_needs",
    "model_projection",
    "flags",
]

# How a family of pinned files is named in a source line.
FAMILY_NAMES = {
    "s251_a1": "DfE S251 outturn, Table A1",
    "lait": "DfE Local Authority Interactive Tool (S251 outturn)",
    "revenue_outturn": "MHCLG revenue outturn",
    "cla": "DfE children looked after",
    "cin": "DfE children in need",
    "population": "ONS mid-year population estimates",
    "deprivation": "deprivation indices",
    "prices": "price index",
    "neighbours": "DfE statistical neighbours",
}


# Tables read once per process (a batch of profiles shares one kernel), keyed by the file's path,
# size and modification time, so a changed file is read again.
_READ: dict[tuple, object] = {}


def _cached(path, read):
    path = Path(path)
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, read)
    if key not in _READ:
        _READ[key] = read(path)
    return _READ[key]


def _text(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _unit(path: Path, area: str, first: str | None = None, last: str | None = None) -> pd.DataFrame:
    """The unit's rows of a profile table, in the years ``first`` to ``last`` if given."""
    rows = _cached(path, pd.read_parquet)
    rows = rows[rows["area_code"] == area]
    if first is not None:
        rows = rows[(rows["year"] >= first) & (rows["year"] <= last)]
    return rows.reset_index(drop=True)


@dataclass
class Profile:
    area: str
    name: str
    region: str
    members: pd.Series
    facts: dict[str, str]
    indicators: pd.DataFrame
    values: pd.DataFrame
    composition: pd.DataFrame
    placements: pd.DataFrame
    flags: pd.DataFrame
    model_decomposition: pd.DataFrame
    model_needs: pd.DataFrame
    model_projection: pd.DataFrame
    neighbours: pd.DataFrame
    sources: dict[str, dict]
    csv_dir: Path
    csv_href: str
    written: list[str] = field(default_factory=list)

    # --- reading ---------------------------------------------------------------------------

    def meta(self, indicator: str) -> pd.Series:
        return self.indicators.set_index("indicator").loc[indicator]

    def series(self, indicator: str) -> pd.DataFrame:
        """The unit's rows of one indicator, by year."""
        return self.values[self.values["indicator"] == indicator].sort_values("year").reset_index(drop=True)

    def latest(self, indicator: str) -> pd.Series | None:
        """The indicator's row in the latest year it has a value, or None."""
        rows = self.series(indicator).dropna(subset=["value"])
        return rows.iloc[-1] if not rows.empty else None

    def check_written(self) -> None:
        """Every CSV of :data:`CSV_FILES` written once, and no other (the rules copy exactly these)."""
        if sorted(self.written) != sorted(f"{name}.csv" for name in CSV_FILES):
            raise RuntimeError(f"profile {self.area} wrote {sorted(self.written)}, not the CSV_FILES {CSV_FILES}")

    def names(self) -> dict[str, str]:
        return {"unit": self.name, "region": self.region}

    # --- provenance ------------------------------------------------------------------------

    def source_line(self, ids) -> str:
        """'Sources (pinned in config/sources.yaml): family (ids); ...' for the source ids given."""
        found = sorted({i for joined in ids for i in str(joined).split(";") if i})
        by_family: dict[str, list[str]] = {}
        for source_id in found:
            family = self.sources.get(source_id, {}).get("family", "other")
            by_family.setdefault(family, []).append(source_id)
        parts = []
        for family, members in by_family.items():
            listed = members if len(members) <= 3 else [members[0], "…", members[-1]]
            count = f", {len(members)} files" if len(members) > 3 else ""
            parts.append(
                f"{FAMILY_NAMES.get(family, family)} ({' '.join(listed) if len(members) > 3 else '; '.join(listed)}{count})"
            )
        if not parts:
            return "Sources: none (no values)."
        return "Sources, pinned in config/sources.yaml: " + "; ".join(parts) + "."

    # --- output ----------------------------------------------------------------------------

    def _csv(self, name: str, data: pd.DataFrame) -> str:
        path = self.csv_dir / f"{name}.csv"
        write_csv(data, path)
        self.written.append(path.name)
        href = f"{self.csv_href}/{name}.csv"
        return (
            f'<a href="{html.escape(href)}" download>Download the data behind this (CSV, {html.escape(name)}.csv)</a>'
        )

    def table(
        self, name: str, shown: pd.DataFrame, data: pd.DataFrame, caption: str, note: str = "", text: bool = False
    ) -> str:
        """An HTML table of ``shown`` (formatted) with a caption, its CSV (``data``) written and
        linked; ``text`` tables (words, not figures) are aligned left."""
        link = self._csv(name, data)
        classes = "dataframe profile-table" + (" profile-text" if text else "")
        body = shown.to_html(index=False, border=0, classes=classes, escape=True, na_rep="")
        body = body.replace(">", f">\n<caption>{html.escape(caption)}</caption>", 1)
        extra = f"<p>{html.escape(note)}</p>" if note else ""
        return f'<div class="profile-block">{body}{extra}<p class="profile-data">{link}</p></div>'

    def figure(self, name: str, fig, alt: str, caption: str, data: pd.DataFrame) -> str:
        """The figure as an embedded SVG image with alt text, a caption naming its pinned sources,
        and its CSV (``data``, whose ``source`` column gives the ids) written and linked."""
        svg = base64.b64encode(profile_plots.to_svg(fig)).decode("ascii")
        sources = self.source_line(data["source"]) if "source" in data else ""
        link = self._csv(name, data)
        return (
            f'<figure class="profile-figure"><img src="data:image/svg+xml;base64,{svg}" alt="{html.escape(alt)}"/>'
            f"<figcaption>{html.escape(caption)} {html.escape(sources)}<br/>{link}</figcaption></figure>"
        )


def load(
    area: str,
    years: list[str],
    price_base: str,
    profiles_dir: str | Path,
    neighbours_path: str | Path,
    areas_path: str | Path,
    sources_path: str | Path,
    csv_dir: str | Path,
    csv_href: str,
) -> Profile:
    """One unit's profile from the profile tables. ``price_base`` must be the tables' own."""
    folder = Path(profiles_dir)
    facts = dict(_cached(folder / "facts.csv", _text).itertuples(index=False, name=None))
    if facts["price_base"] != price_base:
        raise ValueError(f"the profile tables are in {facts['price_base']}, not {price_base} (the parameter)")
    areas = _cached(areas_path, read_areas).set_index("area_code")
    if area not in areas.index or areas.loc[area, "area_level"] != "la":
        raise KeyError(f"{area} is not a stable unit of {areas_path}")
    row = areas.loc[area]
    first, last = years
    indicators = _cached(folder / "indicators.csv", _text).assign(compared=lambda t: t["compared"] == "True")
    flags = _cached(folder / "flags.csv", _text)
    neighbours = _cached(neighbours_path, read_neighbours)
    group = neighbours[(neighbours["source"] == facts["neighbour_source"]) & (neighbours["unit_id"] == area)]
    members = pd.Series(row["member_names"].split(";"), index=row["members"].split(";"))
    return Profile(
        area=area,
        name=row["area_name"],
        region=row["region_name"],
        members=members,
        facts=facts,
        indicators=indicators,
        values=_unit(folder / "values.parquet", area, first, last),
        composition=_unit(folder / "composition.parquet", area, first, last),
        placements=_unit(folder / "placements.parquet", area, first, last),
        flags=flags[flags["area_code"] == area].reset_index(drop=True),
        model_decomposition=_unit(folder / "model_decomposition.parquet", area),
        model_needs=_unit(folder / "model_needs.parquet", area, first, last),
        model_projection=_unit(folder / "model_projection.parquet", area),
        neighbours=group.sort_values("order").reset_index(drop=True),
        sources=_cached(sources_path, load_sources),
        csv_dir=Path(csv_dir),
        csv_href=csv_href,
    )


# --- formatting ----------------------------------------------------------------------------


def fmt(value, kind: str) -> str:
    """A value as a profile prints it: £ with thousands (£m from £1m, ``millions`` always in £m),
    a % share, or a rate to one decimal."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or pd.isna(value):
        return "–"
    if kind == "millions":
        return f"£{value / 1e6:,.1f}m"
    if kind == "money":
        return f"£{value / 1e6:,.1f}m" if abs(value) >= 1e6 else f"£{value:,.0f}"
    if kind == "share":
        return f"{value:.1%}"
    return f"{value:,.1f}"


def signed_money(value: float) -> str:
    """A change in £ as :func:`fmt` prints money, with its sign."""
    return ("+" if value >= 0 else "-") + fmt(abs(value), "money")


def change(value, kind: str) -> str:
    if value is None or pd.isna(value):
        return "–"
    return f"{value * 100:+.1f} points" if kind == "share" else f"{value:+.1%}"


def rank_text(row: pd.Series) -> str:
    if pd.isna(row.get("rank")):
        return "–"
    return f"{int(row['rank'])} of {int(row['ranked'])}"


def _rise(value: float) -> str:
    return "more" if value >= 0 else "less"


# --- sections ------------------------------------------------------------------------------

HEADLINE = ["s251_total_cash", "s251_total_real", "s251_per_child_cash", "s251_per_child_real"]
COMPARED_COLUMNS = [
    "year",
    "value",
    "change_1y",
    "change_from",
    "rank",
    "ranked",
    "band",
    "neighbour_mean",
    "neighbour_median",
    "neighbours_with_data",
    "neighbour_group",
    "region_value",
    "england_value",
    "flag",
    "source",
]


def comparison_table(profile: Profile, indicators: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(shown, data): each indicator in its latest year with a value, with its changes, rank,
    band, neighbour mean and median, region and England."""
    rows, shown = [], []
    from_year = profile.facts["from_year"]
    for indicator in indicators:
        meta = profile.meta(indicator)
        latest = profile.latest(indicator)
        if latest is None:  # no value in any year shown: a row that says so
            empty = {"year": "–", "band": "", "flag": "", "source": ""}
            empty |= dict.fromkeys(["ranked", "neighbours_with_data", "neighbour_group"], 0)
            latest = pd.Series({c: empty.get(c, math.nan) for c in COMPARED_COLUMNS}, dtype=object)
        kind = meta["kind"]
        rows.append({"indicator": indicator, "label": meta["label"], "unit": meta["unit"], **latest[COMPARED_COLUMNS]})
        compared = bool(meta["compared"])
        shown.append(
            {
                "Measure": meta["label"],
                "Unit": meta["unit"],
                "Year": latest["year"],
                profile.name: fmt(latest["value"], kind),
                "Change from year before": change(latest["change_1y"], kind),
                f"Change since {from_year}": change(latest["change_from"], kind),
                "National rank (1 = highest)": rank_text(latest) if compared else "not ranked (a total)",
                "Band (A = highest quarter)": latest["band"] if compared else "",
                "Neighbour mean": fmt(latest["neighbour_mean"], kind) if compared else "",
                "Neighbour median": fmt(latest["neighbour_median"], kind) if compared else "",
                profile.region: fmt(latest["region_value"], kind),
                "England": fmt(latest["england_value"], kind),
            }
        )
    return pd.DataFrame(shown), pd.DataFrame(rows)


def headline_sentences(profile: Profile) -> list[str]:
    """The headline written from the numbers: spending, its real-terms changes, and per child
    against the neighbours, the region and England."""
    out = []
    from_year = profile.facts["from_year"]
    cash, real = profile.latest("s251_total_cash"), profile.latest("s251_total_real")
    last = profile.facts["last_year"]
    if cash is None:
        return [f"{profile.name} has no S251 children's services spending figure in the years shown."]
    if cash["year"] != last:
        missing = profile.series("s251_total_cash")
        flag = missing.loc[missing["year"] == last, "flag"]
        why = f" ({flag.iloc[0]})" if not flag.empty and flag.iloc[0] else ""
        out.append(f"{profile.name} has no S251 spending figure for {last}{why}; the latest is {cash['year']}.")
    sentence = f"In {cash['year']} {profile.name} spent {fmt(cash['value'], 'money')} (cash) on children's services (S251 gross)"
    changes = []
    if pd.notna(real["change_from"]):
        changes.append(f"{abs(real['change_from']):.1%} {_rise(real['change_from'])} in real terms than in {from_year}")
    if pd.notna(real["change_1y"]):
        changes.append(f"{abs(real['change_1y']):.1%} {_rise(real['change_1y'])} than the year before")
    out.append(sentence + (": " + " and ".join(changes) if changes else "") + ".")
    per_child = profile.latest("s251_per_child_real")
    if per_child is not None:
        meta = profile.meta("s251_per_child_real")
        text = (
            f"Per child aged 0-17 that is {fmt(per_child['value'], 'money')} ({profile.facts['price_base']}), "
            f"rank {rank_text(per_child)} units (band {per_child['band'] or '–'}). {meta['direction']}"
        )
        if per_child["neighbours_with_data"] > 0:
            text += (
                f" Its statistical neighbours' mean is {fmt(per_child['neighbour_mean'], 'money')} "
                f"(the simple mean of the {int(per_child['neighbours_with_data'])} of {int(per_child['neighbour_group'])} "
                f"neighbours with a value, as LAIT averages) and their median {fmt(per_child['neighbour_median'], 'money')};"
            )
        text += (
            f" {profile.region} {fmt(per_child['region_value'], 'money')}; England "
            f"{fmt(per_child['england_value'], 'money')}."
        )
        out.append(text)
    return out


def neighbour_table(profile: Profile) -> tuple[pd.DataFrame, pd.DataFrame]:
    group = profile.neighbours
    merged = len(profile.members) > 1

    def named(members: str) -> str:
        return ", ".join(f"{profile.members.get(n, n)} ({n})" for n in members.split(";"))

    shown = pd.DataFrame(
        {
            "Order": group["order"],
            "Neighbour": group["neighbour_name"],
            "DfE closeness": group["closeness"],
            "Best rank in DfE's list (1 = nearest)": group["best_rank"],
        }
    )
    if merged:
        shown["In the list of"] = group["named_by"].map(named)
    return shown, group


def neighbour_note(profile: Profile) -> str:
    vintage = profile.facts["neighbour_vintage"]
    group = profile.neighbours
    if group.empty:
        return f"DfE's statistical neighbour lists of {vintage} give no list for {profile.name}, so no neighbour figures are shown."
    used = group["lists_used"].iloc[0].split(";")
    if len(profile.members) > 1:
        named = ", ".join(f"{profile.members.get(n, n)} ({n})" for n in used)
        basis = (
            f"the union of the DfE lists of its member LAs {named}, each neighbour counted once at its nearest rank "
            "and the unit's own members left out"
        )
    else:
        basis = "DfE's list for it"
    size = len(group)
    shortfall = " (two of DfE's ten are now parts of one unit)" if size < 10 and len(profile.members) == 1 else ""
    return (
        f"Statistical neighbours: DfE children's services statistical neighbours, list of {vintage} "
        f"({profile.facts['neighbour_source']}): {basis}; {size} units{shortfall}. The lists are not symmetric "
        "and change between vintages."
    )


def composition_table(profile: Profile) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = profile.composition.dropna(subset=["cash"])
    year = rows["year"].max() if not rows.empty else ""
    latest = rows[rows["year"] == year]
    shown = pd.DataFrame(
        {
            "S251 category": latest["category"].str.replace("_", " "),
            "Counted as": latest["group"].map({"early": "early intervention", "late": "late intervention"}).fillna(""),
            f"{year}, cash": latest["cash"].map(lambda v: fmt(v, "millions")),
            f"{year}, real ({profile.facts['price_base']})": latest["real"].map(lambda v: fmt(v, "millions")),
            "Share of S251 spending": latest["share"].map(lambda v: fmt(v, "share")),
        }
    )
    return shown, latest


def flag_table(profile: Profile) -> tuple[pd.DataFrame, pd.DataFrame]:
    flags = profile.flags
    shown = pd.DataFrame(
        {
            "What": flags["kind"].map(FLAG_KINDS),
            "Measure": flags["label"],
            "Year(s)": flags["year"],
            "Detail": flags["detail"],
        }
    )
    return shown, flags


def placement_table(profile: Profile) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = profile.placements.dropna(subset=["cla_at_31_march"])
    year = rows["year"].max() if not rows.empty else ""
    latest = rows[rows["year"] == year]
    shown = pd.DataFrame(
        {
            "Placement at 31 March": latest["placement"],
            "Children": latest["children"].map(lambda v: "suppressed" if pd.isna(v) else f"{v:,.0f}"),
            "Share of children looked after": latest["share"].map(lambda v: fmt(v, "share")),
            "Definition": latest["definition"],
        }
    )
    return shown, latest


def suppressed_placements(profile: Profile) -> str:
    rows = profile.placements[profile.placements["children"].isna() & (profile.placements["flag"] != "")]
    rows = rows[rows["measure"] != "unshown"]
    if rows.empty:
        return ""
    parts = [f"{name}: {year_spans(group['year'])}" for name, group in rows.groupby("placement", sort=False)]
    return "Suppressed or not reported, drawn in the grey remainder: " + "; ".join(parts) + "."


def spans_text(years) -> str:
    return year_spans(years) if len(years) else "none"
