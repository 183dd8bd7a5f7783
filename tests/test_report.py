"""Report rendering: parameters injected, timings stripped, the same HTML twice; the national
report notebook committed clean and written from its tables."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import nbformat

from childspend.reports.notebook import execute, render

ROOT = Path(__file__).resolve().parents[1]


def tiny_notebook(path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell('title = "placeholder"', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("from IPython.display import Markdown, display\ndisplay(Markdown(f'# {title}'))"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_parameters_are_injected_and_timings_removed(tmp_path):
    executed = execute(tiny_notebook(tmp_path / "t.ipynb"), {"title": "Children looked after"}, tmp_path)
    assert "papermill" not in executed.metadata
    assert all("execution" not in cell.metadata and "papermill" not in cell.metadata for cell in executed.cells)
    outputs = [o for cell in executed.cells for o in cell.get("outputs", [])]
    assert any("# Children looked after" in o.get("data", {}).get("text/markdown", "") for o in outputs)


def test_rendering_twice_gives_identical_html(tmp_path):
    notebook = tiny_notebook(tmp_path / "t.ipynb")
    render(notebook, {"title": "Same"}, tmp_path / "a.html", tmp_path)
    render(notebook, {"title": "Same"}, tmp_path / "b.html", tmp_path)
    html = (tmp_path / "a.html").read_text()
    assert "Same" in html and "title = " not in html  # code cells are not shown
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


# The national report notebook itself: committed clean, parameters of literals.

NOTEBOOK = ROOT / "notebooks" / "national_report.ipynb"


def code_cells():
    return [c for c in nbformat.read(NOTEBOOK, as_version=4).cells if c.cell_type == "code"]


def test_notebook_is_committed_without_outputs():
    for cell in code_cells():
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


def test_parameters_cell_holds_literals_only():
    cells = [c for c in code_cells() if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    for statement in ast.parse(cells[0].source).body:
        assert isinstance(statement, ast.Assign) and len(statement.targets) == 1, ast.unparse(statement)
        ast.literal_eval(statement.value)  # raises for anything but a literal


def test_notebook_reads_the_series_as_the_figures_do():
    source = "\n".join(c.source for c in code_cells())
    assert "plots.read_series(series_path)" in source and "read_csv(series_path" not in source
    script = (ROOT / "workflow" / "scripts" / "plot_national.py").read_text()
    assert "plots.read_series(" in script and "read_csv" not in script


def test_figures_and_report_take_the_data_dictionary_as_an_input():
    graph = subprocess.run(
        [sys.executable, "-m", "snakemake", "--rulegraph", "--nolock"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ids = {label: number for number, label in re.findall(r'(\d+)\[label = "(\w+)"', graph)}
    edges = set(re.findall(r"(\d+) -> (\d+)", graph))
    for rule in ("plot_national", "render_national_report"):
        assert (ids["join_panel"], ids[rule]) in edges, rule
