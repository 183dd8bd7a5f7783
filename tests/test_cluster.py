"""The SLURM profile: it loads the SLURM executor, and every job it would submit asks for its rule's
threads and a memory tier from MEM_MB (workflow/rules/common.smk), never Snakemake's default.
.ci/slurm runs the whole pipeline through it on a real single-node cluster."""

import ast
import re
import subprocess
import sys

from pipeline import ROOT

RULES = ROOT / "workflow" / "rules"
# A job in a dry run's listing: its rule, then its indented details up to the next job.
JOB = re.compile(r"^(?:local)?rule (\w+):\n((?:    .*\n)*)", re.M)


def memory_tiers() -> dict[str, int]:
    text = (RULES / "common.smk").read_text()
    return ast.literal_eval(re.search(r"^MEM_MB = (\{.*\})$", text, re.M)[1])


def test_every_job_the_profile_submits_asks_for_a_memory_tier():
    dry = subprocess.run(
        [sys.executable, "-m", "snakemake", "--profile", "profiles/slurm", "--dry-run", "--forceall"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert dry.returncode == 0, dry.stderr
    assert "Using profile profiles/slurm" in dry.stdout + dry.stderr
    jobs = JOB.findall(dry.stdout)
    assert {rule for rule, _ in jobs} >= {"fetch_raw", "ingest_family", "join_panel", "render_national_report"}
    tiers = set(memory_tiers().values())
    asked = {rule: re.search(r"mem_mb=(\d+)", details) for rule, details in jobs if rule != "all"}
    assert {rule: m and int(m[1]) for rule, m in asked.items() if not m or int(m[1]) not in tiers} == {}


def test_every_rule_declares_threads_and_a_memory_tier():
    tiers = memory_tiers()
    for path in sorted(RULES.glob("*.smk")):
        for name, body in re.findall(r"^rule (\w+):\n((?:    .*\n|\n)*)", path.read_text(), re.M):
            assert re.search(r"^    threads: \d+$", body, re.M), f"{path.name}: {name} declares no threads"
            tier = re.search(r'^        mem_mb=MEM_MB\["(\w+)"\],$', body, re.M)
            assert tier and tier[1] in tiers, f"{path.name}: {name} asks for no memory tier of MEM_MB"
