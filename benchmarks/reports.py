"""Time of the report stage: the national report, every LA profile and the index.

Run after `snakemake --cores 4` has filled raw/ and results/:

    python benchmarks/reports.py [--cold 3] [--warm 20] [--no-stage]

Prints, with the load average (other work on the machine slows every number):

- cold: one profile executed by papermill in a new kernel (kernel start, imports, the profile),
  as a one-rule-per-profile design would pay it 148 times;
- warm: profiles executed one after another in one kernel (:func:`render_many`, as each
  ``render_profiles`` batch does), seconds per profile;
- stage: the whole report stage as the rules run it (``snakemake --cores 2 --forcerun
  render_national_report render_profiles render_profile_index``, which also reruns
  ``publish_profiles``), wall seconds and the CPU seconds of all its processes.

The cold and warm runs write to a scratch folder; the stage run rewrites results/reports/ (with
the same bytes).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from childspend.config import load_config
from childspend.panel.areas import read_areas
from childspend.prices import price_base
from childspend.reports.batches import unit_ids
from childspend.reports.notebook import render, render_many
from childspend.years import fy_range

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "notebooks/la_profile.ipynb"


def parameters(area: str, folder: Path, config: dict) -> dict:
    years = fy_range(config["years"]["first"], config["years"]["last"])
    return dict(
        area=area,
        years=[years[0], years[-1]],
        price_base=price_base(config["prices"]["index"], config["prices"]["base_year"]),
        profiles_dir="results/profiles",
        neighbours_path="results/panel/neighbours.csv",
        areas_path="results/panel/areas.csv",
        sources_path="config/sources.yaml",
        csv_dir=str(folder / area),
        csv_href=area,
    )


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load() -> str:
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cold", type=int, default=3, help="profiles run each in a new kernel")
    parser.add_argument("--warm", type=int, default=20, help="profiles run in one kernel")
    parser.add_argument("--no-stage", action="store_true", help="skip the whole-stage run")
    args = parser.parse_args()
    config = load_config(ROOT / "config" / "config.yaml")
    units = unit_ids(read_areas(ROOT / "results" / "panel" / "areas.csv"))
    print(f"{len(units)} profiles; {load()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cold = []
        for area in units[: args.cold]:
            start = time.perf_counter()
            render(NOTEBOOK, parameters(area, folder, config), folder / f"{area}.html")
            cold.append(time.perf_counter() - start)
        if cold:
            mean = sum(cold) / len(cold)
            print(
                f"cold: {mean:.2f} s per profile in a new kernel (x {len(units)} / 2 cores = {mean * len(units) / 2:.0f} s)"
            )
        if args.warm:
            start = time.perf_counter()
            runs = [(parameters(a, folder, config), folder / f"{a}.html", None) for a in units[: args.warm]]
            render_many(NOTEBOOK, runs)
            total = time.perf_counter() - start
            print(
                f"warm: {total:.1f} s for {args.warm} profiles in one kernel, kernel start included ({total / args.warm:.2f} s each)"
            )
    if not args.no_stage:
        before = cpu_of_children()
        start = time.perf_counter()
        command = [
            sys.executable,
            "-m",
            "snakemake",
            "--cores",
            "2",
            "--forcerun",
            "render_national_report",
            "render_profiles",
            "render_profile_index",
        ]
        run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if run.returncode != 0:
            raise SystemExit(run.stderr[-3000:])
        print(
            f"stage: {wall:.0f} s wall, {cpu_of_children() - before:.0f} CPU s (national report, {len(units)} profiles "
            f"in {config['profiles']['batches']} batches, publishing them, the index); {load()}"
        )


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
