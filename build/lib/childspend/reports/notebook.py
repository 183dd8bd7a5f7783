"""Execute a report notebook with papermill and render it to self-contained HTML.

Timing metadata that papermill and nbclient record, and the random id of the cell papermill
injects, are removed before rendering, so the same tables give the same HTML.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import nbformat
import papermill
from nbconvert import HTMLExporter

from ..tables import atomic_write

KERNEL = "python3"


def execute(notebook: str | Path, parameters: dict, cwd: str | Path = ".") -> nbformat.NotebookNode:
    """Run the notebook with ``parameters`` injected; return the executed notebook, timings removed."""
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / Path(notebook).name
        papermill.execute_notebook(
            str(notebook), str(output), parameters=parameters, kernel_name=KERNEL, progress_bar=False, cwd=str(cwd)
        )
        executed = nbformat.read(output, as_version=4)
    executed.metadata.pop("papermill", None)
    for number, cell in enumerate(executed.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        cell.id = f"cell-{number}"
    return executed


def render(notebook: str | Path, parameters: dict, html_path: str | Path, cwd: str | Path = ".") -> None:
    """Execute ``notebook`` and write it as HTML without code (a report to read)."""
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(execute(notebook, parameters, cwd))
    atomic_write(html_path, lambda tmp: Path(tmp).write_text(body, encoding="utf-8"))
