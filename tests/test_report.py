"""Report rendering: parameters injected, timings stripped, the same HTML twice; the national
report notebook committed clean and written from its tables."""

import ast
import re
import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pandas as pd
import pytest

from childspend.reports.notebook import execute, render
from childspend.reports.plots import save
from childspend.tables import write_csv

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


# The national report notebook itself: committed clean, parameters of literals, and everything it
# says about years and caveats read from its tables.

NOTEBOOK = ROOT / "notebooks" / "national_report.ipynb"
YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d-\d\d(?!\d)")
BASE = "2024-25 prices (test)"


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


def test_notebook_types_no_year_and_reads_the_series_as_the_figures_do():
    source = "\n".join(c.source for c in code_cells())
    body = "\n".join(c.source for c in code_cells() if "parameters" not in c.metadata.get("tags", []))
    assert not YEAR.findall(body), YEAR.findall(body)  # parameter defaults are replaced by papermill
    assert "plots.read_series(series_path)" in source and "read_csv(series_path" not in source
    script = (ROOT / "workflow" / "scripts" / "plot_national.py").read_text()
    assert "plots.read_series(" in script and "read_csv" not in script


def report_tables(folder):
    """Tables shaped like the pipeline's, whose series starts in 2011-12 and covers every early
    intervention category from 2012-13."""
    rows = []
    years = ["2011-12", "2012-13", "2024-25"]
    for measure in SERIES_MEASURES:
        for n, year in enumerate(years):
            missing = measure in ("early_intervention", "late_intervention") and year == "2011-12"
            rows.append(
                dict(
                    area_level="england",
                    area_code="E92000001",
                    area_name="England",
                    year=year,
                    measure=measure,
                    cash=float("nan") if missing else 1e9 * (n + 1),
                    real=float("nan") if missing else 2e9 * (n + 1),
                    flag="category_missing" if missing else "",
                    price_base="" if measure == "late_intervention_share" else BASE,
                )
            )
    paths = {
        "series": pd.DataFrame(rows),
        "headlines": pd.DataFrame(
            {
                "id": ["x", "y"],
                "basis": ["all_units", "like_for_like"],
                "left_out": ["", "Council B; Council C"],
                "sentence": ["A headline written from the numbers.", "A like-for-like headline."],
            }
        ),
        "commons": pd.DataFrame({"year": ["2012-13"], "pipeline_cash": [1.0]}),
        "dfe": pd.DataFrame(
            {
                "published_text": ["t"],
                "published": [1.0],
                "pipeline": [1.0],
                "difference": [0.0],
                "pipeline_definition": ["d"],
            }
        ),
        "dictionary": pd.DataFrame(
            {
                "column": [
                    "s251_gross_early_years",
                    "s251_gross_children_looked_after",
                    "s251_gross_total",
                    "csc_net_total",
                ],
                "notes": ["a caveat from the registry", "", "", "from 2012-13 a definition break"],
            }
        ),
    }
    parameters = {}
    for name, table in paths.items():
        write_csv(table, folder / f"{name}.csv")
        parameters[f"{name}_path"] = str(folder / f"{name}.csv")
    parameters["intervention"] = {"early": ["early_years"], "late": ["children_looked_after"]}
    parameters["commons_price_base"] = "2012-13"
    sections = ["drivers", "gradient", "models", "projections"]
    lines = pd.DataFrame({"section": sections, "id": sections, "sentence": [f"A {s} sentence." for s in sections]})
    write_csv(lines, folder / "model_headlines.csv")
    parameters["model_headlines_path"] = str(folder / "model_headlines.csv")
    names = ("decomposition", "deprivation_gradient", "coefficients", "projection", "backtest")
    parameters["model_figures"] = {}
    for name in names:  # each as a model rule saves it, with its alt text inside
        png = folder / f"{name}.png"
        save(plt.figure(figsize=(1, 1)), png, alt=f"A chart of the {name}, written by its rule.")
        parameters["model_figures"][name] = str(png)
    parameters["sources_path"] = str(ROOT / "config" / "sources.yaml")
    parameters["sources_href"] = "sources.csv"
    parameters["index_href"] = "index.html"
    return parameters


SERIES_MEASURES = [
    "s251_gross_total",
    "early_intervention",
    "late_intervention",
    "late_intervention_share",
    "s251_gross_total_per_child",
    "s251_gross_children_looked_after_per_cla",
    "csc_net_total",
]


def test_national_report_takes_years_and_caveats_from_its_tables(tmp_path):
    executed = execute(NOTEBOOK, report_tables(tmp_path), tmp_path)
    outputs = [o for cell in executed.cells for o in cell.get("outputs", [])]
    markdown = "\n".join(o.get("data", {}).get("text/markdown", "") for o in outputs)
    shown = "\n".join(o.get("data", {}).get("text/html", "") for o in outputs)
    errors = [o for o in outputs if o.get("output_type") == "error"]
    assert not errors
    assert "# Spending on children's services in England, 2011-12 to 2024-25" in markdown
    assert "Before 2012-13 Table A1 had no Sure Start" in shown  # the figure's caption, read from the series
    assert "Early years: a caveat from the registry." in markdown
    assert "MHCLG children's social care: from 2012-13 a definition break." in markdown
    # every image has alt text written from the data, every table a caption
    images = re.findall(r"<img [^>]*>", shown)
    assert len(images) == 9 and all(re.search(r'alt="[^"]{20,}"', i) for i in images)
    assert "£2.0bn in 2011-12 to £6.0bn in 2024-25" in shown  # the total's real values, in the alt text
    assert 'alt="A chart of the backtest, written by its rule."' in shown  # a model figure's, from its PNG
    assert shown.count("<table") == shown.count("<caption>") >= 4
    # the like-for-like note, the councils it leaves out, the provenance and the profiles' index
    assert "measured like for like" in markdown and "Council B, Council C" in markdown
    assert "## Methods and provenance" in markdown and '<a href="sources.csv">' in markdown
    assert "Open Government Licence v3.0" in shown and "[LA profiles](index.html)" in markdown
    assert "real terms in 2012-13 prices" in markdown
    assert "## What drove the rise\n\n- A drivers sentence." in markdown
    assert "## Where it is heading\n\n- A projections sentence." in markdown
    assert "2008-09" not in markdown and "2010-11" not in markdown and "2017-18" not in markdown


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


# --- many runs in one kernel -------------------------------------------------------------------


def stateful_notebook(path):
    """A notebook that fails if a name from an earlier run is still defined."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell('title = "placeholder"', metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "assert 'leftover' not in globals(), 'a name from an earlier run'\n"
            "import pandas as pd\n"
            "from IPython.display import Markdown, display\n"
            "display(Markdown(f'# {title}'))\n"
            "leftover = title\n"
            "pd.DataFrame({'title': [title]})"
        ),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)
    return path


def test_many_runs_in_one_kernel_give_each_run_the_html_of_a_fresh_kernel(tmp_path):
    from childspend.reports.notebook import render_many

    notebook = stateful_notebook(tmp_path / "s.ipynb")
    render(notebook, {"title": "Alone"}, tmp_path / "fresh.html", tmp_path, title="Page")
    render_many(
        notebook,
        [({"title": t}, tmp_path / f"{t}.html", "Page") for t in ("First", "Second", "Alone")],
        tmp_path,
    )
    assert (tmp_path / "fresh.html").read_bytes() == (tmp_path / "Alone.html").read_bytes()
    html = (tmp_path / "Second.html").read_text()
    assert "Second" in html and "First" not in html and "<title>Page</title>" in html


def test_reports_load_nothing_from_a_network(tmp_path):
    render(tiny_notebook(tmp_path / "t.ipynb"), {"title": "Offline"}, tmp_path / "a.html", tmp_path)
    html = (tmp_path / "a.html").read_text()
    assert not re.findall(r'<script[^>]+src="https?://', html)
    assert "mathjax" not in html.lower()


# --- the profile and index notebooks ------------------------------------------------------------

PROFILE_NOTEBOOKS = [ROOT / "notebooks" / "la_profile.ipynb", ROOT / "notebooks" / "profile_index.ipynb"]


@pytest.mark.parametrize("path", PROFILE_NOTEBOOKS, ids=lambda p: p.name)
def test_profile_notebooks_hold_literal_parameters_and_type_no_year(path):
    cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]
    parameters = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert len(parameters) == 1 and cells[0] is parameters[0]
    names = set()
    for statement in ast.parse(parameters[0].source).body:
        assert isinstance(statement, ast.Assign) and len(statement.targets) == 1, ast.unparse(statement)
        ast.literal_eval(statement.value)
        names.add(statement.targets[0].id)
    body = "\n".join(c.source for c in cells[1:])
    assert not YEAR.findall(body), YEAR.findall(body)
    assert all(c.outputs == [] and c.execution_count is None for c in cells)
    if path.name == "la_profile.ipynb":
        assert {"area", "years", "price_base", "profiles_dir", "csv_dir"} <= names
