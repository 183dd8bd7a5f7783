"""Whole-pipeline timings on the real mirror, each beside the read probe (benchmarks/probe.py).

In a scratch project (this checkout's code, its own config, raw/ and results/):

    python benchmarks/build.py [--work DIR] [--cores 2] [--skip STAGE ...]

- cold: ``snakemake --cores N`` from nothing (fetch from the mirror included);
- probe: every raw file read once with the fastest readers (same run, same machine);
- no-op: the same command again with nothing to do, beside ``--dry-run``, the import of
  snakemake, a bare interpreter start and Snakemake's own floor (a no-op of a workflow of as many
  jobs that each touch one file), to show what a no-op costs;
- base year: ``prices.base_year`` moved back a year in the scratch config, the rerun it causes;
- each stage (a rule file of workflow/rules/): its rules forced and nothing else
  (``--forcerun <its rules> --omit-from <every later stage's rules>``; the stages are in DAG
  order), so each stage's cost is its own. (``--until <its rules>`` cannot do it: Snakemake runs
  nothing downstream of an until rule, not even another until rule, and stops with "Out of jobs
  ready to be started" when one of a stage's rules needs another's output.)
- the data stages (ingest, clean, deflate) forced together in one run, as a build runs them (one
  Snakemake start, the stages' jobs side by side), with what their jobs' interpreter starts cost.

Every row prints wall seconds and their ratio to the probe's read time, CPU seconds of all
processes and their ratio to the probe's read CPU seconds (the steadier ratio when other work
loads the machine), the peak RSS of the largest single process (Snakemake's own or a job's:
getrusage of the children) and its ratio to the probe's, the number of jobs and the load average
before and after (other work shares the machine). ``--work`` keeps the scratch project (e.g. to compare its results/ with another build:
benchmarks/same_results.py).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from probe import ROOT, load, run_probe

from childspend.config import load_config

sys.path.insert(0, str(ROOT / "tests"))
from pipeline import MIRROR, scratch_project  # noqa: E402

RULES = ROOT / "workflow" / "rules"
# Stages in the order the DAG runs them (one rule file each); the "data" stages are also timed
# together.
STAGES = ["fetch", "ingest", "clean", "deflate", "national", "model", "figures", "profiles", "report"]
DATA_STAGES = ["ingest", "clean", "deflate"]

# Runs a command and prints its children's resource use as JSON (a fresh process per command, so
# the peak RSS is that command's own).
TIMER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
run = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - start
use = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall": wall, "cpu": use.ru_utime + use.ru_stime, "max_rss_mib": use.ru_maxrss / 1024,
                  "returncode": run.returncode, "stdout": run.stdout[-20000:], "stderr": run.stderr[-20000:]}))
"""


def stage_rules(stage: str) -> list[str]:
    """The rules defined in ``workflow/rules/<stage>.smk``."""
    text = (RULES / f"{stage}.smk").read_text()
    return re.findall(r"^rule (\w+):", text, flags=re.M)


def forced(stages: list[str]) -> list[str]:
    """Snakemake arguments that rerun every rule of ``stages`` (in DAG order) and nothing after."""
    later = [rule for s in STAGES[STAGES.index(stages[-1]) + 1 :] for rule in stage_rules(s)]
    return ["--forcerun", *(r for s in stages for r in stage_rules(s)), *(["--omit-from", *later] if later else [])]


def jobs_run(log: str) -> int:
    """Jobs a Snakemake run reports as finished ("N of M steps (..%) done")."""
    done = re.findall(r"(\d+) of \d+ steps? \(\d+%\) done", log)
    return int(done[-1]) if done else 0


def timed(command: list[str], cwd: Path) -> dict:
    """Wall and CPU seconds and the peak RSS of ``command`` run in ``cwd``, with the load average."""
    before = load()
    run = subprocess.run([sys.executable, "-c", TIMER, *command], cwd=cwd, capture_output=True, text=True, check=True)
    result = json.loads(run.stdout)
    if result["returncode"] != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{result['stderr'][-3000:]}")
    result["load"] = f"{before} -> {load()}"
    result["jobs"] = jobs_run(result["stdout"] + result["stderr"])
    return result


def dag_size(work: Path) -> int:
    """Jobs in the pipeline's whole DAG (a dry run forcing every job)."""
    dry = subprocess.run(
        [sys.executable, "-m", "snakemake", "--dry-run", "--forceall"], cwd=work, capture_output=True, text=True
    )
    return int(re.search(r"^total\s+(\d+)$", dry.stdout, re.M)[1])


def floor_project(folder: Path, jobs: int) -> Path:
    """A workflow of ``jobs`` jobs (``jobs - 1`` touching a file each, and ``all``), built once:
    its no-op is what Snakemake itself needs to start and plan that many jobs."""
    folder.mkdir()
    (folder / "Snakefile").write_text(
        f'rule all:\n    input: expand("out/{{n}}.txt", n=range({jobs - 1}))\n\n'
        'rule touch:\n    output: "out/{n}.txt"\n    shell: "touch {output}"\n'
    )
    subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2"], cwd=folder, check=True, capture_output=True)
    return folder


def row(name: str, result: dict, probe: dict) -> str:
    return (
        f"{name:28} {result['wall']:8.1f} {result['wall'] / probe['read_s']:7.1f} {result['cpu']:8.1f} "
        f"{result['cpu'] / probe['read_cpu_s']:7.1f} {result['max_rss_mib']:9.0f} "
        f"{result['max_rss_mib'] / probe['peak_rss_mib']:6.1f} {result['jobs']:5d}  {result['load']}"
    )


def set_base_year(work: Path) -> str:
    """Move ``prices.base_year`` in the scratch config back one year; return the new year."""
    path = work / "config" / "config.yaml"
    config = yaml.safe_load(path.read_text())
    start = int(load_config(path)["prices"]["base_year"][:4]) - 1  # the year `latest` stands for
    config["prices"]["base_year"] = f"{start}-{(start + 1) % 100:02d}"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return config["prices"]["base_year"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, help="scratch project folder to create and keep (default: temporary)")
    parser.add_argument("--mirror", type=Path, default=MIRROR, help="folder of the official files")
    parser.add_argument("--cores", default="2")
    parser.add_argument("--skip", nargs="*", default=[], choices=STAGES, help="stages not to time one by one")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # each row as it is measured
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp) / "project"
        scratch_project(work, args.mirror)
        snakemake = [sys.executable, "-m", "snakemake", "--cores", args.cores]
        cold = timed(snakemake, work)
        probe = run_probe(work)
        read_s = probe["read_s"]
        print(
            f"probe: {probe['files']} files ({probe['bytes'] / 2**20:.1f} MiB) read in {read_s:.2f} s "
            f"({probe['read_cpu_s']:.2f} CPU s; +{probe['imports_s']:.2f} s imports), peak RSS "
            f"{probe['peak_rss_mib']:.0f} MiB; {load()}"
        )
        print(
            f"{'run':28} {'wall s':>8} {'x probe':>7} {'CPU s':>8} {'x probe':>7} {'peak MiB':>9} {'x':>6} {'jobs':>5}  load"
        )
        print(row("cold full build", cold, probe))
        print(row("no-op rerun", timed(snakemake, work), probe))
        print(row("  dry run", timed([*snakemake, "--dry-run"], work), probe))
        print(row("  import snakemake", timed([sys.executable, "-c", "import snakemake.cli"], work), probe))
        print(row("  bare interpreter", timed([sys.executable, "-c", "pass"], work), probe))
        jobs = dag_size(work)
        floor = floor_project(Path(tmp) / "floor", jobs)
        print(row(f"  Snakemake floor, {jobs} jobs", timed(snakemake, floor), probe))
        job_start = timed([sys.executable, "-c", "import pandas, pyarrow.parquet, childspend.tables"], work)
        print(row("  job start (pandas import)", job_start, probe))
        year = set_base_year(work)
        print(row(f"base year -> {year}", timed(snakemake, work), probe))
        for stage in STAGES:
            if stage not in args.skip:
                print(row(f"stage {stage}", timed([*snakemake, *forced([stage])], work), probe))
        if not set(DATA_STAGES) & set(args.skip):
            # one run, as a build runs them: one Snakemake start, the stages' jobs side by side
            data = timed([*snakemake, *forced(DATA_STAGES)], work)
            print(row(f"data stages ({', '.join(DATA_STAGES)})", data, probe))
            print(
                f"  of which job starts: {data['jobs']} jobs x {job_start['cpu']:.2f} CPU s = "
                f"{data['jobs'] * job_start['cpu']:.1f} CPU s ({data['jobs'] * job_start['cpu'] / probe['read_cpu_s']:.1f} x probe)"
            )


if __name__ == "__main__":
    main()
