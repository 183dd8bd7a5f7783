"""How the panel, model and report-table stages grow with the number of units.

Run after a build has filled results/ (``snakemake --cores 2``):

    python benchmarks/scale.py [--k 1 2 5 10] [--repeat 1]

The panel is replicated to k x its units: every stable unit is copied k - 1 times under synthetic
codes (``<unit>s<copy>``, same region), its values jittered by a few percent (a fixed seed), the
areas table, the neighbour lists (each copy's neighbours are its own copy's units) and the spliced
population with it; region and England rows stay as they are. Then, as library calls on those
tables (the calls the rules' scripts make):

- panel: ``join_panel`` of the two halves, then ``deflate_panel``;
- model: ``model_frame``, every ``models.panel`` model (``fit_panel_model``) and the yearly
  ``cross_section``;
- report: ``build_profiles`` (the profile tables of every unit; the models' unit rows it reads are
  copied with the units, the pipeline's own outputs).

Each k runs in a fresh interpreter (so its peak RSS is its own). Prints wall and CPU seconds per
stage and k (CPU seconds are the steadier figure when other work loads the machine), the peak RSS,
and least-squares lines of seconds against k per stage: slope (seconds per extra copy of the
units), intercept and R-squared. A straight line (R-squared near 1) is linear growth.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from probe import ROOT, load

STAGES = ("panel", "model", "report")


def synthetic(codes: pd.Series, copy: int) -> pd.Series:
    return codes + f"s{copy}"


def replicate(table: pd.DataFrame, k: int, code: str, values=("value",), seed: int = 0) -> pd.DataFrame:
    """``table`` with its unit rows (area_level "la", or every row if it has no area_level)
    repeated k - 1 more times under synthetic codes in column ``code``, the ``values`` columns
    scaled by one factor per row in [0.95, 1.05)."""
    units = table[table["area_level"] == "la"] if "area_level" in table.columns else table
    rng = np.random.default_rng(seed)
    copies = [table]
    for copy in range(1, k):
        rows = units.copy()
        rows[code] = synthetic(rows[code], copy)
        factor = rng.uniform(0.95, 1.05, len(rows))
        for column in values:
            rows[column] = rows[column] * factor
        copies.append(rows)
    return pd.concat(copies, ignore_index=True)


def replicate_neighbours(neighbours: pd.DataFrame, k: int) -> pd.DataFrame:
    """Each copy's neighbour lists name the same copy's units."""
    copies = [neighbours]
    for copy in range(1, k):
        rows = neighbours.copy()
        rows["unit_id"] = synthetic(rows["unit_id"], copy)
        rows["neighbour_id"] = synthetic(rows["neighbour_id"], copy)
        copies.append(rows)
    return pd.concat(copies, ignore_index=True)


def accept_synthetic_codes() -> None:
    """Let the panel's contract (3-digit unit codes) accept the synthetic codes too, keeping every
    other check, so the contract's cost is still part of the panel stage."""
    import pandera.pandas as pa

    from childspend.contracts import PANEL_AREA_CODE
    from childspend.panel import join

    check = pa.Check.str_matches(PANEL_AREA_CODE.replace(r"\d{3}", r"\d{3}(s\d+)?"))
    join.PANEL_LONG = join.PANEL_LONG.update_column("area_code", checks=[check])
    join.PANEL_WIDE = join.PANEL_WIDE.update_column("area_code", checks=[check])


def linear_fit(ks: list[float], seconds: list[float]) -> tuple[float, float, float]:
    """Least-squares line of ``seconds`` against ``ks``: (slope, intercept, R-squared)."""
    x, y = np.asarray(ks, dtype=float), np.asarray(seconds, dtype=float)
    slope, intercept = np.polyfit(x, y, 1)
    residual = float(((y - (slope * x + intercept)) ** 2).sum())
    total = float(((y - y.mean()) ** 2).sum())
    return float(slope), float(intercept), 1.0 - residual / total if total else 1.0


def run_stages(k: int, repeat: int, results: Path) -> dict:
    """Best-of-``repeat`` seconds of each stage on the panel (in ``results``) replicated k times,
    and the peak RSS."""
    from childspend import measures
    from childspend.config import load_config, load_published
    from childspend.models import projection_config
    from childspend.models.cross_section import cross_section
    from childspend.models.frame import model_frame
    from childspend.models.panel_models import fit_panel_model
    from childspend.models.population import spliced_population
    from childspend.panel.areas import read_areas, units_from_areas
    from childspend.panel.join import join_panel
    from childspend.prices import deflate_panel
    from childspend.reports import profile_models
    from childspend.reports.profiles import build_profiles, read_neighbours
    from childspend.years import fy_range

    accept_synthetic_codes()
    config = load_config(ROOT / "config" / "config.yaml")
    years = fy_range(config["years"]["first"], config["years"]["last"])
    areas = read_areas(results / "panel" / "areas.csv")
    population, vintage = spliced_population(
        pd.read_parquet(results / "ingest" / "population.parquet"),
        pd.read_parquet(results / "ingest" / "geography.parquet"),
        units_from_areas(areas),
        years,
    )
    halves = [
        replicate(pd.read_parquet(results / "panel" / f"{h}_long.parquet"), k, "area_code")
        for h in ("spending", "activity")
    ]
    exclusions = [
        pd.read_csv(results / "panel" / f"exclusions_{h}.csv", dtype=str, keep_default_na=False)
        for h in ("spending", "activity")
    ]
    areas_k = replicate(areas, k, "area_code", values=())
    population_k = replicate(population, k, "area_code")
    neighbours_k = replicate_neighbours(read_neighbours(results / "panel" / "neighbours.csv"), k)
    prices = pd.read_parquet(results / "ingest" / "prices.parquet")
    block, profiles = config["prices"], config["profiles"]
    intervention = config["intervention"]
    categories = [c for c in measures.categories("s251_gross") if c != "total"]
    # the profiles' model tables, as the rule reads them, each unit's rows copied with the units
    # (the cross-section's fit table has one row per year, no units)
    models = results / "models"
    model_tables = {
        name: replicate(
            pd.read_csv(models / file, dtype={"area_code": str}, keep_default_na=False, na_values=[""]),
            k,
            "area_code",
            values=(),
        )
        for name, file in (
            ("population", "population.csv"),
            ("decomposition", "decomposition.csv"),
            ("exclusions", "decomposition_exclusions.csv"),
            ("needs", "needs_adjusted.csv"),
            ("projections", "projections.csv"),
        )
    }
    model_tables["fit"] = pd.read_csv(models / "cross_section_fit.csv", dtype=str, keep_default_na=False)
    projections = projection_config.settings(
        config, ROOT / "config" / "scenarios", load_published(ROOT / "config" / "published.yaml").get("projections", [])
    )
    model_config = profile_models.config_for(config, projections)
    made: dict = {}

    def panel() -> None:
        made["panel"] = join_panel(*halves, exclusions)["long"]
        made["money"] = deflate_panel(made["panel"], prices, block["index"], block["base_year"])

    def model() -> None:
        frame = model_frame(made["panel"], made["money"], population_k, vintage, areas_k, intervention)
        for model_id, spec in config["models"]["panel"].items():
            fit_panel_model(frame, model_id, spec)
        cross_section(frame, config["models"]["cross_section"])

    def report() -> None:
        build_profiles(
            made["panel"],
            made["money"],
            areas_k,
            neighbours_k,
            profiles["neighbours"],
            intervention,
            config["headlines"]["from_year"],
            categories,
            model_tables,
            model_config,
        )

    seconds, cpu = {}, {}
    for name, stage in zip(STAGES, (panel, model, report)):
        seconds[name] = cpu[name] = float("inf")
        for _ in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            stage()
            seconds[name] = min(seconds[name], time.perf_counter() - start)
            cpu[name] = min(cpu[name], time.process_time() - start_cpu)
    panel_rows = made["panel"]
    return {
        "k": k,
        "units": int(panel_rows.loc[panel_rows["area_level"] == "la", "area_code"].nunique()),
        "rows": len(made["panel"]),
        "seconds": seconds,
        "cpu": cpu,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--k", type=int, nargs="+", default=[1, 2, 5, 10])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--results", type=Path, default=ROOT / "results", help="a built results/ folder")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(run_stages(args.child, args.repeat, args.results.resolve())))
        return
    header = " ".join(f"{s + ' s':>9} {'CPU s':>6}" for s in STAGES)
    print(f"{'k':>3} {'units':>6} {'panel rows':>11} {header}  peak MiB  load", flush=True)
    runs = []
    for k in args.k:
        command = [
            sys.executable,
            __file__,
            "--child",
            str(k),
            "--repeat",
            str(args.repeat),
            "--results",
            str(args.results),
        ]
        run = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        if run.returncode != 0:
            raise SystemExit(f"k={k} failed:\n{run.stderr[-3000:]}")
        result = json.loads(run.stdout.strip().splitlines()[-1])
        runs.append(result)
        times = " ".join(f"{result['seconds'][s]:9.2f} {result['cpu'][s]:6.2f}" for s in STAGES)
        print(
            f"{k:3d} {result['units']:6d} {result['rows']:11d} {times} {result['peak_rss_mib']:9.0f}  {load()}",
            flush=True,
        )
    if len(runs) > 1:
        ks = [r["k"] for r in runs]
        for stage in STAGES:
            for kind, name in (("seconds", "wall"), ("cpu", "CPU")):
                slope, intercept, r2 = linear_fit(ks, [r[kind][stage] for r in runs])
                print(
                    f"{stage:7} {name:4} slope {slope:.3f} s per copy of the units, intercept {intercept:.2f} s, "
                    f"R^2 {r2:.3f}"
                )
        slope, intercept, r2 = linear_fit(ks, [r["peak_rss_mib"] for r in runs])
        print(f"peak RSS slope {slope:.1f} MiB per copy, intercept {intercept:.0f} MiB, R^2 {r2:.3f}")


if __name__ == "__main__":
    main()
