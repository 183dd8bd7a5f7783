"""Time and peak memory of every stage, on the real files, with the stages' own library functions
(the same calls the rules' scripts make).

Run after `snakemake --cores 4` has filled raw/ and results/:

    python benchmarks/steps.py [--repeat N] [--only NAME]

Prints one row per step: seconds (best of --repeat runs), peak Python memory (MiB), and the
ratio of the step's time (which includes reading its inputs, as the rule does) to the time it
takes simply to read those inputs (an ingest family's files with the probe's fastest readers,
benchmarks/probe.py; the input tables after).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from pathlib import Path

import pandas as pd
from probe import read_file

from childspend.config import load_config, load_published, load_sources, sources_of
from childspend.models import projection_config, projection_population, projection_published
from childspend.models.cross_section import cross_section
from childspend.models.decomposition import decompose
from childspend.models.gradient import build_deprivation_gradient
from childspend.models.panel_models import collect, fit_panel_model, published_comparison
from childspend.models.projections import build_projections
from childspend.national import build_national
from childspend.panel import activity, spending
from childspend.panel.areas import areas_table, stable_units
from childspend.panel.join import join_panel
from childspend.prices import deflate_panel
from childspend.sources.ingest import SCHEMAS, ingest
from childspend.years import fy_range

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "results"


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


def ingested(name: str) -> pd.DataFrame:
    return pd.read_parquet(RESULTS / "ingest" / f"{name}.parquet")


def panel_long() -> pd.DataFrame:
    return pd.read_parquet(RESULTS / "panel" / "panel_long.parquet")


def money_long() -> pd.DataFrame:
    return pd.read_parquet(RESULTS / "real" / "money_long.parquet")


def model_frame() -> pd.DataFrame:
    return pd.read_parquet(RESULTS / "models" / "frame.parquet")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", default="", help="run only the steps whose name contains this")
    args = parser.parse_args()

    config = load_config(ROOT / "config" / "config.yaml")
    sources = load_sources(ROOT / "config" / "sources.yaml")
    published = load_published(ROOT / "config" / "published.yaml")
    years = fy_range(config["years"]["first"], config["years"]["last"])
    geo = ingested("geography")
    units = stable_units(geo, config["geography"]["merged_units"])

    # (name, step, baseline): the baseline reads the step's inputs and nothing more.
    steps = []
    for family in SCHEMAS:
        entries = sources_of(sources, family)
        files = [f"raw/{e['path']}" for e in entries.values()]
        steps.append(
            (
                f"ingest {family} ({len(files)} files)",
                lambda f=family, fs=files, e=entries: ingest(f, fs, e),
                lambda fs=files: [read_file(Path(p)) for p in fs],
            )
        )
    steps.append(
        ("build_areas", lambda: areas_table(ingested("geography"), units, years), lambda: ingested("geography"))
    )
    for name, stage, build in (
        ("spending", spending, spending.build_spending_panel),
        ("activity", activity, activity.build_activity_panel),
    ):
        steps.append(
            (
                f"build_{name}_panel",
                lambda s=stage, b=build: b({n: ingested(n) for n in s.SOURCES}, geo, units, years),
                lambda s=stage: [ingested(n) for n in s.SOURCES],
            )
        )

    def halves() -> list:
        tables = [pd.read_parquet(RESULTS / "panel" / f"{half}_long.parquet") for half in ("spending", "activity")]
        logs = [
            pd.read_csv(RESULTS / "panel" / f"exclusions_{half}.csv", dtype=str, keep_default_na=False)
            for half in ("spending", "activity")
        ]
        return [*tables, logs]

    steps.append(("join_panel", lambda: join_panel(*halves()), halves))
    prices = config["prices"]
    steps.append(
        (
            "deflate_panel",
            lambda: deflate_panel(panel_long(), ingested("prices"), prices["index"], prices["base_year"]),
            lambda: [panel_long(), ingested("prices")],
        )
    )
    steps.append(
        (
            "build_national_series",
            lambda: build_national(
                money_long(),
                panel_long(),
                ingested("prices"),
                config["intervention"],
                config["headlines"]["from_year"],
                prices["index"],
                published,
            ),
            lambda: [money_long(), panel_long(), ingested("prices")],
        )
    )

    steps.append(("decompose_growth", lambda: decompose(model_frame(), config["models"]["decomposition"]), model_frame))

    panel_models = config["models"]["panel"]

    def fit_all_and_collect() -> None:
        data = model_frame()
        fits = [fit_panel_model(data, model_id, block) for model_id, block in panel_models.items()]
        coefficients, fit = collect([f[0] for f in fits], [f[1] for f in fits])
        cross = cross_section(data, config["models"]["cross_section"])["fit"]
        published_comparison(coefficients, fit, cross, published["models"])

    steps.append((f"fit_panel_model x{len(panel_models)} + collect_models", fit_all_and_collect, model_frame))
    steps.append(
        ("fit_cross_section", lambda: cross_section(model_frame(), config["models"]["cross_section"]), model_frame)
    )
    gradient = config["models"]["deprivation_gradient"]
    steps.append(
        (
            "build_deprivation_gradient",
            lambda: build_deprivation_gradient(
                model_frame(),
                gradient["groupings"],
                gradient["measures"],
                gradient["headlines"],
                config["headlines"]["from_year"],
            ),
            model_frame,
        )
    )

    figures = published.get("projections", [])
    block = projection_config.settings(config, ROOT / "config" / "scenarios", figures)
    pinned = sources_of(sources, projection_population.FAMILY)

    def projection_inputs() -> list:
        return [model_frame(), panel_long(), ingested("revenue_outturn")]

    def project_demand() -> dict:
        frame, panel, revenue = projection_inputs()
        population, source = projection_population.pinned(
            [f"raw/{e['path']}" for e in pinned.values()], pinned, geo, units, fy_range(years[0], block["last_year"])
        )
        publisher = projection_published.publisher_outturns(panel, revenue)
        return build_projections(frame, block, figures, publisher, population, source)

    steps.append((f"project_demand ({len(block['scenarios'])} scenarios)", project_demand, projection_inputs))

    print(f"{'step':40} {'seconds':>9} {'peak MiB':>9} {'read s':>8} {'ratio':>7}")
    for name, step, baseline in (s for s in steps if args.only in s[0]):
        seconds, peak = measure(step, args.repeat)
        read, _ = measure(baseline, args.repeat)
        print(f"{name:40} {seconds:9.2f} {peak:9.1f} {read:8.3f} {seconds / read:7.1f}")


if __name__ == "__main__":
    import os

    os.chdir(ROOT)
    main()
