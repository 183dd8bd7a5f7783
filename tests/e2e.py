"""The scratch project the end-to-end and browser tests build once on the real official files."""

from __future__ import annotations

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
