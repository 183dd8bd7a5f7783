"""The read probe: every pinned raw file read once with the fastest reader for its format.

It is the floor the other benchmarks divide by: no pipeline can be faster than reading its inputs
once. Run alone it prints the probe's wall time, per family and in all, and its peak memory:

    python benchmarks/probe.py [--root PROJECT]

The probe runs in a child process (a fresh interpreter, as a Snakemake job is), so its peak RSS is
its own and the readers' imports are timed apart from the reading. Readers: python-calamine for
xlsx/xls/ods (every sheet to Python values), pyarrow for CSV (the csv module where pyarrow
refuses a file: a title block above the table), pyarrow for parquet, pyreadr for rds/rda.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKBOOKS = {".xlsx", ".xls", ".ods"}


def pinned_files(root: Path) -> dict[str, list[Path]]:
    """Family -> raw/ copies of its pinned files (config/sources.yaml), in source-id order."""
    sources = yaml.safe_load((root / "config" / "sources.yaml").read_text())["sources"]
    families: dict[str, list[Path]] = {}
    for entry in sources.values():
        families.setdefault(entry["family"], []).append(root / "raw" / entry["path"])
    return families


def read_csv(path: Path):
    """pyarrow's reader; the csv module's for a file with a title block above its table (rows of
    different lengths, which pyarrow and pandas' C engine refuse)."""
    import pyarrow
    import pyarrow.csv

    try:
        return pyarrow.csv.read_csv(path)
    except pyarrow.ArrowInvalid:
        with open(path, encoding="latin-1", newline="") as handle:
            return list(csv.reader(handle))


def read_file(path: Path):
    """``path`` read whole with the fastest reader for its format (see the module docstring)."""
    suffix = path.suffix.lower()
    if suffix in WORKBOOKS:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(str(path))
        return [book.get_sheet_by_name(name).to_python() for name in book.sheet_names]
    if suffix == ".csv":
        return read_csv(path)
    if suffix == ".parquet":
        import pyarrow.parquet

        return pyarrow.parquet.read_table(path)
    if suffix in (".rds", ".rda"):
        import pyreadr

        return pyreadr.read_r(str(path))
    raise ValueError(f"{path}: no probe reader for {suffix!r} files")


def peak_rss_mib() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_reads(families: dict[str, list[Path]]) -> dict:
    """Time the readers' imports, then each family's files read once; with the peak RSS."""
    start = time.perf_counter()
    import pandas  # noqa: F401
    import pyarrow.csv  # noqa: F401
    import pyarrow.parquet  # noqa: F401
    import pyreadr  # noqa: F401
    import python_calamine  # noqa: F401

    imports = time.perf_counter() - start
    seconds = {}
    cpu = time.process_time()
    for family, paths in sorted(families.items()):
        start = time.perf_counter()
        for path in paths:
            read_file(path)
        seconds[family] = time.perf_counter() - start
    return {
        "imports_s": imports,
        "read_s": sum(seconds.values()),
        "read_cpu_s": time.process_time() - cpu,
        "family_s": seconds,
        "files": sum(len(p) for p in families.values()),
        "bytes": sum(p.stat().st_size for paths in families.values() for p in paths),
        "peak_rss_mib": peak_rss_mib(),
    }


def run_probe(root: Path = ROOT) -> dict:
    """:func:`measure_reads` on ``root``'s raw/ in a fresh interpreter (its RSS is its own)."""
    run = subprocess.run(
        [sys.executable, __file__, "--child", "--root", str(root)], capture_output=True, text=True, check=False
    )
    if run.returncode != 0:
        raise SystemExit(f"probe failed:\n{run.stderr[-3000:]}")
    return json.loads(run.stdout)


def load() -> str:
    """The 1-minute load average, to print beside every number (other work shares the machine)."""
    return f"load {os.getloadavg()[0]:.1f}/{os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=ROOT, help="project folder whose raw/ is read")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure_reads(pinned_files(args.root))))
        return
    probe = run_probe(args.root)
    print(f"probe: {probe['files']} files, {probe['bytes'] / 2**20:.1f} MiB; {load()}")
    for family, seconds in probe["family_s"].items():
        print(f"  {family:20} {seconds:7.2f} s")
    print(
        f"  {'all':20} {probe['read_s']:7.2f} s read ({probe['read_cpu_s']:.2f} CPU s), {probe['imports_s']:.2f} s imports, "
        f"peak RSS {probe['peak_rss_mib']:.0f} MiB"
    )


if __name__ == "__main__":
    main()
