"""Time and peak memory of each ingest family and each panel step, on the real files.

Run after `snakemake --cores 4` has filled raw/ and results/ingest/:

    python benchmarks/steps.py

Prints one row per step: seconds (best of --repeat runs) and peak Python memory (MiB).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from pathlib import Path

import pandas as pd

from childspend.config import load_config, load_sources, sources_of
from childspend.panel.activity import RATES, activity_rows, combine_weighted, derive, weighted_parts
from childspend.panel.areas import stable_units
from childspend.panel.exclusions import ExclusionLog
from childspend.panel.spending import spending_rows
from childspend.panel.units import resolve_la_numbers, unit_panel
from childspend.sources.ingest import SCHEMAS, ingest
from childspend.years import fy_range

ROOT = Path(__file__).resolve().parents[1]


def measure(step, repeat: int) -> tuple[float, float]:
    """Best wall time of ``repeat`` untraced runs, then peak Python allocation in one traced run
    (tracing slows a run several times over, so it is kept out of the timing)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - start)
    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return best, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    config = load_config(ROOT / "config" / "config.yaml")
    sources = load_sources(ROOT / "config" / "sources.yaml")
    years = fy_range(config["years"]["first"], config["years"]["last"])
    geo = pd.read_parquet(ROOT / "results" / "ingest" / "geography.parquet")
    units = stable_units(geo, config["geography"]["merged_units"])

    steps = {}
    for family in SCHEMAS:
        entries = sources_of(sources, family)
        files = [f"raw/{e['path']}" for e in entries.values()]
        steps[f"ingest {family} ({len(files)} files)"] = lambda f=family, fs=files, e=entries: ingest(f, fs, e)

    def table(name: str) -> pd.DataFrame:
        return resolve_la_numbers(pd.read_parquet(ROOT / "results" / "ingest" / f"{name}.parquet"), geo, ExclusionLog())

    def spending_panel() -> None:
        rows = spending_rows(table("s251_a1"), table("lait"), table("revenue_outturn"))
        unit_panel(rows, geo, units, years, ExclusionLog())

    def activity_panel() -> None:
        log = ExclusionLog()
        rows = weighted_parts(activity_rows([table(n) for n in ("cla", "cin", "population", "deprivation")], log))
        derive(combine_weighted(unit_panel(rows, geo, units, years, log)), RATES)

    steps["spending panel"] = spending_panel
    steps["activity panel"] = activity_panel

    print(f"{'step':45} {'seconds':>9} {'peak MiB':>9}")
    for name, step in steps.items():
        seconds, peak = measure(step, args.repeat)
        print(f"{name:45} {seconds:9.2f} {peak:9.1f}")


if __name__ == "__main__":
    import os

    os.chdir(ROOT)
    main()
