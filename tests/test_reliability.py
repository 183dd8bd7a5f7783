"""Reliability on the real mirror: a killed run resumes to a clean build's bytes, two independent
builds give identical bytes, and adding a year reruns only what the new year's files feed.

A full build costs minutes, so one second build serves all three. A scratch project is set a year
back (config ending 2023-24, the 2024-25 files unpinned) and built to the national report
(everything but the profiles); that run is SIGKILLed mid-ingest and resumed as the README's
troubleshooting section says. Then the year is added as the README's "Adding a new year" says
(pin the new files with the pin tool, move the last year, build everything), and every file under
results/ is compared with the session build (conftest's ``project``), made independently from the
committed config: each file of the drill was written by the drill's own runs.

Selected by ``pytest -m reliability``.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from pipeline import MIRROR, ROOT, SNAKEMAKE, planned, scratch_project, snakemake

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.reliability,
    pytest.mark.skipif(not MIRROR.is_dir(), reason="needs the official files in ../shared/data"),
]

NEW_YEAR, YEAR_BEFORE = "2024-25", "2023-24"
# The new year's files, by family: the only releases that add 2024-25 beside an earlier release
# that ends in 2023-24 (LAIT's 2025-05-28 release, CLA's 2024 release). CIN's 2025 release and
# the 2025 population estimates are the only ones pinned for most of their years (2012-13 on), so
# they are no new year's files: unpinning them would take a decade out of the panel.
NEW_FILES = {
    "revenue_outturn": [
        "mhclg-revenue-outturn/ro3/2024-25/RO3_LA_Data_2024-25_data_by_LA.ods",
        "mhclg-revenue-outturn/rsx/2024-25/RSX_LA_Data_2024-25_data_by_LA.ods",
    ],
    "lait": ["dfe-lait/2026-04-08/bds_long_0.parquet"],
    "cla": [
        "dfe-cla/ees-2025-release/cla_number_and_rate_per_10k_children.csv",
        "dfe-cla/ees-2025-release/combined_cla_31_march_data.rds",
        "dfe-cla/ees-2025-release/placement_data.rds",
    ],
}
# What differs between two builds by design, so is not compared: the logs (each line is stamped
# with its time) and the browser test's screenshots (taken in the session project only).
NOT_COMPARED = ("logs", "screenshots")
PANEL_MODELS = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["models"]["panel"]
# Everything after ingest: a new year's files and a moved last year reach every stage.
AFTER_INGEST = {
    "build_areas",
    "build_neighbours",
    "build_spending_panel",
    "build_activity_panel",
    "reconcile_spending",
    "join_panel",
    "reconcile_activity",
    "summarise_exclusions",
    "deflate_panel",
    "build_national_series",
    "plot_national",
    "build_model_frame",
    "decompose_growth",
    "build_deprivation_gradient",
    "plot_deprivation_gradient",
    "fit_cross_section",
    *(f"fit_panel_model[model_id={m}]" for m in PANEL_MODELS),
    "collect_models",
    "project_demand",
    "plot_projections",
    "plot_drivers",
    "write_model_headlines",
    "render_national_report",
    "build_profiles",
    "render_profiles[batch=0]",
    "render_profiles[batch=1]",
    "publish_profiles",
    "render_profile_index",
    "all",
}


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def _write_yaml(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def move_last_year(project: Path, year: str) -> None:
    """The README's step 3: ``years.last`` moves to ``year``, the one setting that names the last
    year (the base year, the cross-section and the back-test horizons follow it)."""
    path = project / "config" / "config.yaml"
    config = _yaml(path)
    config["years"]["last"] = year
    _write_yaml(path, config)


def _run_killed_mid_ingest(project: Path, *args: str) -> list[str]:
    """Start a build, SIGKILL its whole process group as soon as the children looked after
    ingest has started, and return the ingest logs present then (the jobs running or done).

    That family is the slowest (seconds of parsing after its log opens), so the kill lands in
    the middle of it; a small family can finish within the moment between its log opening and
    the kill."""
    logs = project / "results" / "logs"
    run = subprocess.Popen(
        [*SNAKEMAKE, "--cores", "2", *args],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        while not (logs / "ingest_cla.log").exists():
            assert run.poll() is None, "the build ended before the children looked after ingest started"
            time.sleep(0.1)
    finally:
        os.killpg(run.pid, signal.SIGKILL)
        run.wait()
    return sorted(p.stem.removeprefix("ingest_") for p in logs.glob("ingest_*.log"))


def _results(project: Path) -> dict[str, bytes]:
    """Every file under results/ (hidden ones too) but those of NOT_COMPARED, by relative path."""
    root = project / "results"
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.relative_to(root).parts[0] not in NOT_COMPARED
    }


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    """The year-back project, built (killed mid-ingest and resumed), then brought to the new year."""
    project = tmp_path_factory.mktemp("reliability") / "project"
    scratch_project(project, MIRROR)
    sources_path = project / "config" / "sources.yaml"
    committed = _yaml(project / "config" / "config.yaml")
    pinned = _yaml(sources_path)["sources"]
    new = {p for paths in NEW_FILES.values() for p in paths}
    year_back = {name: entry for name, entry in pinned.items() if entry["path"] not in new}
    assert len(pinned) - len(year_back) == len(new)
    _write_yaml(sources_path, {"sources": year_back})
    move_last_year(project, YEAR_BEFORE)

    record = {"project": project, "committed": committed, "pinned": pinned}
    target = ("--omit-from", "build_profiles")  # the data, model and national-report stages
    record["killed_during"] = _run_killed_mid_ingest(project, *target)
    ingest = project / "results" / "ingest"
    record["ingest_after_kill"] = sorted(p.name for p in ingest.iterdir()) if ingest.is_dir() else []
    record["plain"] = snakemake(project, *target)
    record["unlock"] = snakemake(project, "--unlock")
    # What a writer that is not atomic would leave: the killed job's table, cut short. Snakemake
    # marked it incomplete when the job started, so the next run refuses it.
    killed = next(f for f in record["killed_during"] if f"{f}.parquet" not in record["ingest_after_kill"])
    record["cut_short"] = ingest / f"{killed}.parquet"
    record["cut_short"].write_bytes(b"PAR1")
    record["unlocked"] = snakemake(project, *target)
    record["resumed"] = snakemake(project, "--rerun-incomplete", *target)
    assert record["resumed"].returncode == 0, record["resumed"].stderr[-5000:]

    for family, paths in NEW_FILES.items():
        subprocess.run(
            [sys.executable, "-m", "childspend.sources.pin", "--manifest", str(MIRROR / "MANIFEST.csv")]
            + ["--family", family, *paths],
            cwd=project,
            check=True,
        )
    move_last_year(project, NEW_YEAR)
    record["dry"] = snakemake(project, "--dry-run")
    record["built"] = snakemake(project)
    return record


def test_a_killed_run_is_locked_and_resumes_as_the_readme_says(drill):
    # killed while an ingest job ran: its table was never written under its name; at most the
    # hidden file it was writing is left (.<table>.<random>.tmp), which the rerun removes (the
    # byte-for-byte comparison below finds any file too many)
    assert drill["killed_during"]
    written = {name.removesuffix(".parquet") for name in drill["ingest_after_kill"]}
    assert not all(family in written for family in drill["killed_during"]), drill["ingest_after_kill"]
    partial = re.compile(r"\.\w+\.parquet\.\w{8}\.tmp")
    assert not [n for n in drill["ingest_after_kill"] if not n.endswith(".parquet") and not partial.fullmatch(n)]
    plain = drill["plain"]
    assert plain.returncode != 0
    assert "LockException" in plain.stderr and "Directory cannot be locked" in plain.stderr
    assert "It can be removed with the --unlock argument" in plain.stderr
    assert drill["unlock"].returncode == 0 and "Unlocked working directory" in drill["unlock"].stderr
    # unlocked, a run refuses an output of a killed job, and --rerun-incomplete rebuilds it
    unlocked = drill["unlocked"]
    assert unlocked.returncode != 0
    assert "IncompleteFilesException" in unlocked.stderr and "--rerun-incomplete" in unlocked.stderr
    assert str(drill["cut_short"].relative_to(drill["project"])) in unlocked.stderr
    assert drill["resumed"].returncode == 0
    assert drill["cut_short"].stat().st_size > 4


def test_the_pin_tool_writes_the_committed_entries(drill):
    assert _yaml(drill["project"] / "config" / "sources.yaml")["sources"] == drill["pinned"]
    assert _yaml(drill["project"] / "config" / "config.yaml") == drill["committed"]


def test_a_new_year_reruns_what_its_files_feed_and_not_the_other_families(drill):
    dry = drill["dry"]
    assert dry.returncode == 0, dry.stderr[-3000:]
    assert set(planned(dry.stdout)) == {
        *(f"fetch_raw[path={p}]" for paths in NEW_FILES.values() for p in paths),
        *(f"ingest_family[family={family}]" for family in NEW_FILES),
        *AFTER_INGEST,
    }


def test_the_resumed_new_year_build_equals_the_clean_build_byte_for_byte(drill, project):
    assert drill["built"].returncode == 0, drill["built"].stderr[-5000:]
    ours, clean = _results(drill["project"]), _results(project)
    assert sorted(set(ours) ^ set(clean)) == []
    assert len([p for p in ours if p.startswith("reports/la/") and p.endswith(".html")]) == 148
    assert {"panel/panel.parquet", "models/frame.parquet", "ingest/cin.parquet", "figures/cash_and_real.png"} <= set(
        ours
    )
    assert sorted(p for p in ours if ours[p] != clean[p]) == []
