"""Peak memory and time of every rule's jobs in a full build, against the memory each rule asks a
cluster for (``resources: mem_mb``, from ``MEM_MB`` in workflow/rules/common.smk).

    python benchmarks/memory.py [--cores 2] [--keep]

Copies the workflow into a scratch project (its config pointing at this checkout's mirror), gives
every rule a ``benchmark:`` file beside its log (Snakemake samples the job's whole process tree:
resident memory, CPU seconds), builds everything with ``snakemake --cores N``, and prints one row
per rule: jobs, the largest peak resident memory of its jobs (MiB), the slowest job (s), the
memory the rule asks for and the ratio. The checkout's own results/ is not touched.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
MIRROR = (ROOT.parent / "shared" / "data").resolve()
LOG = re.compile(r'^(    log:\n        "results/logs/(.+)\.log",\n)', re.M)
RULE = re.compile(r"^rule (\w+):", re.M)


def with_benchmarks(text: str) -> str:
    """A rules file with ``benchmark: results/benchmarks/<rule>/<log name>.tsv`` after each log."""
    starts = [(m.start(), m[1]) for m in RULE.finditer(text)]

    def add(match: re.Match) -> str:
        rule = [name for start, name in starts if start < match.start()][-1]
        return f'{match[1]}    benchmark:\n        "results/benchmarks/{rule}/{match[2]}.tsv",\n'

    return LOG.sub(add, text)


def scratch(work: Path) -> None:
    shutil.copytree(ROOT / "workflow", work / "workflow", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("Snakefile", "notebooks", "config"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copyfile)(ROOT / name, work / name)
    for rules in (work / "workflow" / "rules").glob("*.smk"):
        rules.write_text(with_benchmarks(rules.read_text()))
    config = yaml.safe_load((work / "config" / "config.yaml").read_text())
    config["mirrors"] = [str(MIRROR)]
    (work / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))


def declared_memory(work: Path) -> dict[str, int]:
    """Each rule's ``mem_mb`` as Snakemake resolves it, from the job listing of a dry run forcing
    every job after the build."""
    dry = subprocess.run(
        [sys.executable, "-m", "snakemake", "--dry-run", "--forceall"], cwd=work, capture_output=True, text=True
    )
    jobs = re.findall(r"^(?:local)?rule (\w+):\n(?:    .*\n)*?    resources: .*?mem_mb=(\d+)", dry.stdout, re.M)
    return {rule: int(mem) for rule, mem in jobs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the scratch project and print where it is")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="childspend-memory-"))
    try:
        scratch(work)
        subprocess.run([sys.executable, "-m", "snakemake", "--cores", str(args.cores), "--quiet"], cwd=work, check=True)
        rows = [
            pd.read_csv(tsv, sep="\t").assign(rule=tsv.relative_to(work / "results" / "benchmarks").parts[0])
            for tsv in sorted((work / "results" / "benchmarks").rglob("*.tsv"))
        ]
        jobs = (
            pd.concat(rows).groupby("rule").agg(jobs=("s", "size"), max_rss_mib=("max_rss", "max"), max_s=("s", "max"))
        )
        jobs["mem_mb"] = pd.Series(declared_memory(work))
        jobs["mem_mb_over_peak"] = (jobs["mem_mb"] / jobs["max_rss_mib"]).round(1)
        print(jobs.sort_values("max_rss_mib", ascending=False).round(1).to_string())
    finally:
        if args.keep:
            print(f"scratch project: {work}")
        else:
            shutil.rmtree(work)


if __name__ == "__main__":
    main()
