"""Pin official files into config/sources.yaml.

    python -m childspend.sources.pin --manifest ../shared/data/MANIFEST.csv \
        --family revenue_outturn mhclg-revenue-outturn/ro3/2025-26/RO3_2025-26.ods

Each file's sha256 and size are computed from the file itself (found under the manifest's
folder); publisher, dataset, period, source page and licence come from its manifest row. Where
the manifest records a public repository copy (``owner/repo@commit:path``), that copy's raw
address becomes the download URL. Existing entries are kept; an entry with the same id is
replaced.
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

import yaml

from ..config import read_yaml
from ..years import normalise_fy
from .fetch import sha256_of

_REPO_COPY = re.compile(r"^(?P<repo>[\w.-]+/[\w.-]+)@(?P<commit>[0-9a-f]{40}):(?P<path>.+)$")
ANNUAL = {
    "s251_a1": lambda p: "s251_a1",
    "lait": lambda p: "lait",
    "revenue_outturn": lambda p: p.split("/")[1],
}  # ro3, rs or rsx
# Families with several files per release: id = family, release year, file name. Ids sort by
# release, which is how "the latest release wins" is decided downstream.
RELEASES = ("cla", "cin", "population", "deprivation", "prices", "population_projection")
# Statistical neighbour lists: id = family and the month the list was computed ("may_2025" ->
# neighbours_2025-05), so ids sort by vintage.
VINTAGES = ("neighbours",)
FAMILIES = sorted([*ANNUAL, "geography", *RELEASES, *VINTAGES])
MONTHS = {
    name: number
    for number, name in enumerate(
        "january february march april may june july august september october november december".split(), 1
    )
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def source_id(family: str, path: str, period: str) -> str:
    if family == "geography":
        return "geo_" + _slug(Path(path).stem)
    if family in VINTAGES:
        month = re.fullmatch(r"([a-z]+)[_ ]((?:19|20)\d\d)", period.strip().lower())
        if month is None or month.group(1) not in MONTHS:
            raise ValueError(f"{path}: period {period!r} is not '<month>_<year>', e.g. may_2025")
        return f"{family}_{month.group(2)}-{MONTHS[month.group(1)]:02d}"
    if family in RELEASES:
        year = re.search(r"(?:19|20)\d\d", f"{Path(path).parent.name} {period}")
        return f"{family}_{year.group(0) if year else 'undated'}_{_slug(Path(path).stem)}"
    try:
        return f"{ANNUAL[family](path)}_{normalise_fy(period)}"
    except ValueError:
        return f"{ANNUAL[family](path)}_{period}"


def entry_for(row: dict, family: str, mirror: Path) -> dict:
    path = row["path"]
    file = mirror / path
    entry = {
        "path": path,
        "sha256": sha256_of(file),
        "bytes": file.stat().st_size,
        "publisher": row["publisher"],
        "dataset": row["dataset"],
        "period": row["period"],
        "family": family,
        "source_page": row["source_page"],
        "licence": row["licence"],
    }
    copy = _REPO_COPY.match(row.get("found_in", ""))
    if copy:
        entry["url"] = "https://raw.githubusercontent.com/{repo}/{commit}/{path}".format(**copy.groupdict())
    if row.get("note"):
        entry["note"] = row["note"]
    return entry


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--manifest", required=True, type=Path)
    parser.add_argument("--sources", default=Path("config/sources.yaml"), type=Path)
    parser.add_argument("--family", required=True, choices=FAMILIES)
    parser.add_argument("paths", nargs="+", help="paths as listed in the manifest")
    args = parser.parse_args(argv)

    with open(args.manifest, newline="", encoding="utf-8") as handle:
        manifest = {row["path"]: row for row in csv.DictReader(handle)}
    sources = {}
    if args.sources.exists():
        sources = read_yaml(args.sources).get("sources", {})
    for path in args.paths:
        if path not in manifest:
            raise SystemExit(f"{path} is not listed in {args.manifest}")
        row = manifest[path]
        sources[source_id(args.family, path, row["period"])] = entry_for(row, args.family, args.manifest.parent)
    text = yaml.safe_dump({"sources": dict(sorted(sources.items()))}, sort_keys=False, allow_unicode=True, width=100)
    header = (
        "# Every official file the pipeline uses, pinned by sha256. Written by `python -m childspend.sources.pin`.\n"
    )
    args.sources.write_text(header + text, encoding="utf-8")


if __name__ == "__main__":
    main()
