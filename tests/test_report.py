"""Report rendering: parameters injected, timings stripped, the same HTML twice."""

from pathlib import Path

import nbformat

from childspend.reports.notebook import execute, render

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "national_report.ipynb"


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


def test_notebook_reads_the_series_as_the_figures_do():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    source = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "plots.read_series(series_path)" in source and "read_csv(series_path" not in source
    script = (ROOT / "workflow" / "scripts" / "plot_national.py").read_text()
    assert "plots.read_series(" in script and "read_csv" not in script
