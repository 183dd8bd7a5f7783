"""Execute a report notebook with papermill and render it to self-contained HTML.

The HTML is self-contained: figures are embedded as PNG, and nothing is loaded from a network
(reports/templates/offline.html.j2). Timing metadata that papermill and nbclient record, and the random id of the cell papermill
injects, are removed before rendering, and execution counts are numbered from 1, so the same
tables give the same HTML.

A :class:`Kernel` lets many executions share one Jupyter kernel: papermill still injects each
run's parameters and executes every cell, but the kernel start and the notebook's imports
(pandas, matplotlib: most of a cold run's time) are paid once. Before each run the kernel's
namespace is reset, so a run sees only its own parameters, exactly as in a fresh kernel.
"""

from __future__ import annotations

import queue
import tempfile
from pathlib import Path

import nbformat
import papermill
from jupyter_client.manager import KernelManager
from nbconvert import HTMLExporter
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines

from ..files import atomic_write

KERNEL = "python3"
# The lab template less what it would load from a CDN (reports/templates/offline.html.j2).
TEMPLATES = Path(__file__).with_name("templates")
TEMPLATE = TEMPLATES / "offline.html.j2"
ENGINE = "childspend_shared_kernel"
# Run in the kernel: remember the names a fresh kernel has, and later delete every other name and
# the output cache (``%reset -f`` does the same but also collects garbage and rewrites the
# history database, a quarter of a second each time).
BASELINE = "_childspend_fresh = set(get_ipython().user_ns) | {'_childspend_fresh'}"
RESET = (
    "(lambda ns, keep: [ns.pop(n) for n in list(ns) if n not in keep])(get_ipython().user_ns, _childspend_fresh)\n"
    "get_ipython().user_ns['Out'].clear()\n"
    "get_ipython().user_ns.update(_='', __='', ___='')"
)


class Kernel:
    """One started kernel (and client) for many executions; use as a context manager."""

    def __init__(self, cwd: str | Path = "."):
        self.cwd = str(cwd)
        self.km: KernelManager | None = None
        self.kc = None

    def __enter__(self) -> Kernel:
        self.km = KernelManager(kernel_name=KERNEL)
        self.km.start_kernel(cwd=self.cwd)
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=60)
        self._run(BASELINE)
        return self

    def __exit__(self, *exc) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)

    def _run(self, code: str) -> None:
        reply = self.kc.execute_interactive(code, silent=True, store_history=False, timeout=60)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the shared kernel failed to run {code!r}: {reply['content']}")
        while True:  # anything left on iopub (execute_interactive reads up to the idle status)
            try:
                self.kc.get_iopub_msg(timeout=0)
            except queue.Empty:
                return

    def reset(self) -> None:
        """Delete every name a run made (imported modules stay loaded) and the output cache."""
        self._run(RESET)


class SharedKernelEngine(NBClientEngine):
    """papermill's nbclient engine on a :class:`Kernel` that outlives the execution."""

    @classmethod
    def execute_managed_notebook(
        cls, nb_man, kernel_name, log_output=False, start_timeout=60, execution_timeout=None, kernel=None, **kwargs
    ):
        client = PapermillNotebookClient(
            nb_man,
            km=kernel.km,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log_output=log_output,
        )
        client.kc = kernel.kc  # nbclient starts a client only when it has none
        return client.execute(cleanup_kc=False)


papermill_engines.register(ENGINE, SharedKernelEngine)


def _clean(executed: nbformat.NotebookNode) -> nbformat.NotebookNode:
    executed.metadata.pop("papermill", None)
    count = 0
    for number, cell in enumerate(executed.cells):
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        cell.id = f"cell-{number}"
        if cell.cell_type == "code" and cell.get("execution_count") is not None:
            count += 1
            cell.execution_count = count
            for output in cell.outputs:
                if "execution_count" in output:
                    output.execution_count = count
    return executed


def execute(
    notebook: str | Path, parameters: dict, cwd: str | Path = ".", kernel: Kernel | None = None
) -> nbformat.NotebookNode:
    """Run the notebook with ``parameters`` injected (in ``kernel`` if given, reset first, else in a
    new kernel); return the executed notebook, timings removed."""
    if kernel is None:
        with tempfile.TemporaryDirectory() as tmp:
            output = Path(tmp) / Path(notebook).name
            papermill.execute_notebook(
                str(notebook), str(output), parameters=parameters, kernel_name=KERNEL, progress_bar=False, cwd=str(cwd)
            )
            executed = nbformat.read(output, as_version=4)
        return _clean(executed)
    kernel.reset()
    executed = papermill.execute_notebook(
        str(notebook),
        None,
        parameters=parameters,
        kernel_name=KERNEL,
        engine_name=ENGINE,
        progress_bar=False,
        request_save_on_cell_execute=False,
        kernel=kernel,
    )
    return _clean(nbformat.from_dict(executed))


def exporter() -> HTMLExporter:
    """The HTML exporter of every report: no code, no prompts, nothing fetched from a network
    (the lab template's require.js and MathJax script tags are left out)."""
    return HTMLExporter(
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        template_file=TEMPLATE.name,
        extra_template_paths=[str(TEMPLATES)],
    )


def write_html(
    executed: nbformat.NotebookNode, html_path: str | Path, html: HTMLExporter | None = None, title: str | None = None
) -> None:
    """The executed notebook as HTML; ``title`` (if given) is the page's title."""
    if title is not None:
        executed.metadata["title"] = title
    body, _ = (html or exporter()).from_notebook_node(executed)
    atomic_write(html_path, lambda tmp: Path(tmp).write_text(body, encoding="utf-8"))


def render(
    notebook: str | Path,
    parameters: dict,
    html_path: str | Path,
    cwd: str | Path = ".",
    kernel: Kernel | None = None,
    title: str | None = None,
) -> None:
    """Execute ``notebook`` and write it as HTML without code (a report to read)."""
    write_html(execute(notebook, parameters, cwd, kernel), html_path, title=title)


def render_many(
    notebook: str | Path, runs: list[tuple[dict, str | Path, str | None]], cwd: str | Path = ".", log=None
) -> None:
    """Execute ``notebook`` once per (parameters, html_path, title) in ``runs``, all in one kernel,
    and write each as HTML: the same HTML as :func:`render` gives for each run alone."""
    html = exporter()
    with Kernel(cwd) as kernel:
        for parameters, html_path, title in runs:
            write_html(execute(notebook, parameters, cwd, kernel), html_path, html, title)
            if log is not None:
                log.info("%s", html_path)
