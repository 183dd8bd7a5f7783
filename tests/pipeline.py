"""Running the pipeline in scratch projects, for the end-to-end and bad-input tests."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
MIRROR = (ROOT.parent / "shared" / "data").resolve()
SNAKEMAKE = [sys.executable, "-m", "snakemake"]


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*SNAKEMAKE, "--cores", "2", *args], cwd=workdir, capture_output=True, text=True)


def scratch_project(work: Path, mirror: Path) -> None:
    """A project folder sharing this checkout's code, with its own config, raw/ and results/."""
    work.mkdir()
    for name in ("Snakefile", "workflow", "notebooks"):
        if (ROOT / name).exists():
            (work / name).symlink_to(ROOT / name)
    shutil.copytree(ROOT / "config", work / "config")
    config = yaml.safe_load((work / "config" / "config.yaml").read_text())
    config["mirrors"] = [str(mirror)]
    (work / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def mirror_with_geography(tmp_path: Path) -> Path:
    """A mirror folder holding copies of the two geography files only."""
    mirror = tmp_path / "mirror"
    (mirror / "geography").mkdir(parents=True)
    for name in ("las.csv", "region_la_hierarchy.csv"):
        shutil.copyfile(MIRROR / "geography" / name, mirror / "geography" / name)
    return mirror


def planned(output: str) -> dict[str, list[str]]:
    """Jobs of a dry run as 'rule[wildcards]' -> their inputs."""
    jobs = {}
    for block in re.split(r"\n(?=rule \w+:)", output):
        rule = re.match(r"rule (\w+):", block)
        if rule:
            wildcards = re.search(r"^    wildcards: (.*)$", block, re.M)
            inputs = re.search(r"^    input: (.*)$", block, re.M)
            name = rule.group(1) + (f"[{wildcards.group(1)}]" if wildcards else "")
            jobs[name] = inputs.group(1).split(", ") if inputs else []
    return jobs
