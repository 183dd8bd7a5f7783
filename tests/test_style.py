"""Lint and format in the loop: ruff (lint, format), snakefmt, `snakemake --lint` and the
notebook-output guard, each on the real tree and each shown to fail on a broken copy of it.

Fix what these report with `ruff check --fix`, `ruff format` and `snakefmt Snakefile
workflow/rules` (README, Development); notebooks are committed with outputs stripped."""

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sysconfig.get_path("scripts"))  # the tools of this environment, activated or not
PYTHON_DIRS = ["workflow", "tests", "benchmarks", "notebooks"]
SNAKE_FILES = ["Snakefile", "workflow/rules"]
# Copied for the broken-copy checks: everything the four checks read.
TREE = ["pyproject.toml", "Snakefile", "config", *PYTHON_DIRS]
IGNORE = shutil.ignore_patterns("__pycache__", "*.egg-info", ".snakemake", ".ipynb_checkpoints")

pytestmark = pytest.mark.style


def run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)


def ruff_check(root: Path) -> subprocess.CompletedProcess:
    return run([str(BIN / "ruff"), "check", "--no-cache", *PYTHON_DIRS], root)


def ruff_format_check(root: Path) -> subprocess.CompletedProcess:
    return run([str(BIN / "ruff"), "format", "--check", "--no-cache", *PYTHON_DIRS], root)


def snakefmt_check(root: Path) -> subprocess.CompletedProcess:
    return run([str(BIN / "snakefmt"), "--check", "--compact-diff", *SNAKE_FILES], root)


def snakemake_lint(root: Path) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "snakemake", "--lint"], root)


# Jupyter and papermill write these when a notebook runs; a committed notebook has none.
RUN_METADATA = {"papermill", "execution", "ExecuteTime"}


def notebook_problems(path: Path) -> list[str]:
    """What running left in a notebook: outputs, execution counts, papermill/execution metadata."""
    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    problems = [f"{path.name}: notebook metadata '{key}'" for key in sorted(RUN_METADATA & set(nb.metadata))]
    for i, cell in enumerate(nb.cells):
        if cell.get("outputs"):
            problems.append(f"{path.name} cell {i}: outputs")
        if cell.get("execution_count") is not None:
            problems.append(f"{path.name} cell {i}: execution count")
        problems += [f"{path.name} cell {i}: metadata '{key}'" for key in sorted(RUN_METADATA & set(cell.metadata))]
    return problems


def report(proc: subprocess.CompletedProcess) -> str:
    return (proc.stdout + proc.stderr)[-4000:]


@pytest.fixture
def tree(tmp_path):
    """A scratch copy of the tree the checks read; break it, then check it."""
    copy = tmp_path / "project"
    copy.mkdir()
    for name in TREE:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=IGNORE)
        else:
            shutil.copy2(source, copy / name)
    return copy


# --- the real tree is clean --------------------------------------------------------------------


def test_ruff_check_is_clean():
    proc = ruff_check(ROOT)
    assert proc.returncode == 0, f"fix with `ruff check --fix`:\n{report(proc)}"


def test_ruff_format_is_clean():
    proc = ruff_format_check(ROOT)
    assert proc.returncode == 0, f"fix with `ruff format`:\n{report(proc)}"


def test_snakefmt_is_clean():
    proc = snakefmt_check(ROOT)
    assert proc.returncode == 0, f"fix with `snakefmt Snakefile workflow/rules`:\n{report(proc)}"


def test_snakemake_lint_is_clean():
    proc = snakemake_lint(ROOT)
    assert proc.returncode == 0, report(proc)


def test_notebooks_are_committed_without_outputs():
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks, "no notebooks found: the guard would check nothing"
    problems = [p for nb in notebooks for p in notebook_problems(nb)]
    assert problems == [], "strip outputs and run metadata before committing:\n" + "\n".join(problems)


# --- each check fails on a broken copy -------------------------------------------------------


def test_the_scratch_copy_passes_every_check(tree):
    """So that a failure below is the break, not the copy."""
    for check in (ruff_check, ruff_format_check, snakefmt_check, snakemake_lint):
        proc = check(tree)
        assert proc.returncode == 0, f"{check.__name__}:\n{report(proc)}"


def test_ruff_check_catches_a_lint_error(tree):
    module = tree / "workflow" / "src" / "childspend" / "years.py"
    module.write_text(module.read_text() + "\n\ndef _unused():\n    import os\n")
    proc = ruff_check(tree)
    assert proc.returncode != 0
    assert "F401" in proc.stdout and "years.py" in proc.stdout


def test_ruff_check_catches_a_lint_error_in_a_notebook(tree):
    path = next((tree / "notebooks").glob("*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("import os"))
    nbformat.write(nb, path)
    proc = ruff_check(tree)
    assert proc.returncode != 0
    assert "F401" in proc.stdout and path.name in proc.stdout


def test_ruff_format_catches_unformatted_code(tree):
    test_file = tree / "tests" / "test_config.py"
    test_file.write_text(test_file.read_text() + "\nUNFORMATTED = {  'a':1,'b' :2 }\n")
    proc = ruff_format_check(tree)
    assert proc.returncode != 0
    assert "test_config.py" in report(proc)


def test_snakefmt_catches_an_unformatted_rule(tree):
    rules = tree / "workflow" / "rules" / "figures.smk"
    rules.write_text(rules.read_text() + "\nrule   unformatted:\n    output: 'x.txt'\n    shell:   'touch {output}'\n")
    proc = snakefmt_check(tree)
    assert proc.returncode != 0
    assert "figures.smk" in report(proc)


def test_snakemake_lint_catches_a_rule_without_log(tree):
    (tree / "Snakefile").write_text(
        (tree / "Snakefile").read_text()
        + '\n\nrule lint_bait:\n    output:\n        "results/x.txt"\n    shell:\n        "touch {output}"\n'
    )
    proc = snakemake_lint(tree)
    assert proc.returncode != 0
    assert "lint_bait" in report(proc) and "No log directive" in report(proc)


# What running a notebook leaves behind, one kind at a time (cell 1 is the first after parameters).
RUN_TRACES = {
    "outputs": lambda nb: nb.cells[1].outputs.append(nbformat.v4.new_output("stream", text="hi\n")),
    "execution count": lambda nb: nb.cells[1].update(execution_count=3),
    "cell papermill metadata": lambda nb: nb.cells[1].metadata.update(papermill={"duration": 0.5}),
    "cell execution metadata": lambda nb: nb.cells[1].metadata.update(execution={"iopub.execute_input": "2026"}),
    "notebook papermill metadata": lambda nb: nb.metadata.update(papermill={"parameters": {}}),
}


@pytest.mark.parametrize("kind", RUN_TRACES)
def test_notebook_guard_catches_what_running_leaves(tree, kind):
    path = next((tree / "notebooks").glob("*.ipynb"))
    nb = nbformat.read(path, as_version=4)
    RUN_TRACES[kind](nb)
    nbformat.write(nb, path)
    assert len(notebook_problems(path)) == 1, notebook_problems(path)
