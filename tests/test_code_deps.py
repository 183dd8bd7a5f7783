"""Code inputs computed from imports: a tiny package with relative, absolute and nested imports."""

import json

from childspend.code_deps import ImportCache, code_inputs

PACKAGE = {
    "__init__.py": "",
    "ground.py": "import re\n",
    "ground_lines.csv": "a,b\n",
    "unused.py": "",
    "unused_lines.csv": "a,b\n",
    "stage/__init__.py": "",
    "stage/step.py": "from ..ground import x\nfrom . import helper\n",
    "stage/helper.py": "import pandas as pd\n\ndef f():\n    from childspend.late import y\n",
    "late.py": "",
    "loaded.py": "from .ground import z\n",
}


def tree(tmp_path):
    root = tmp_path / "src" / "childspend"
    for name, text in PACKAGE.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_closure_of_a_script_follows_relative_nested_and_function_level_imports(tmp_path):
    root = tree(tmp_path)
    script = tmp_path / "script.py"
    script.write_text("import pandas as pd\nfrom childspend.stage import step\n\nstep.run()\n")
    found = code_inputs([script], root)
    assert [f.removeprefix(f"{root.as_posix()}/") for f in found] == [
        "__init__.py",
        "ground.py",
        "ground_lines.csv",  # a module's data table comes with it
        "late.py",  # imported inside a function
        "stage/__init__.py",
        "stage/helper.py",
        "stage/step.py",
    ]


def test_modules_loaded_by_name_and_notebook_imports_count(tmp_path):
    root = tree(tmp_path)
    notebook = tmp_path / "report.ipynb"
    cells = [
        {"cell_type": "markdown", "source": ["from childspend import unused"], "metadata": {}},
        {"cell_type": "code", "source": ["from childspend import late\n"], "metadata": {}, "outputs": []},
    ]
    notebook.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    found = code_inputs([notebook], root, ("childspend.loaded",))
    names = {f.removeprefix(f"{root.as_posix()}/") for f in found}
    assert names == {"__init__.py", "late.py", "loaded.py", "ground.py", "ground_lines.csv"}


def test_imports_are_kept_between_runs_by_content_and_a_bad_cache_is_rebuilt(tmp_path):
    root = tree(tmp_path)
    script = tmp_path / "script.py"
    script.write_text("from childspend.stage import step\n")
    cache_file = tmp_path / ".snakemake" / "childspend" / "code_imports.json"
    first = code_inputs([script], root, cache_file=cache_file)
    entries = json.loads(cache_file.read_text())
    assert entries[f"{script.as_posix()}:"][1] == ["childspend.stage", "childspend.stage.step"]

    # A later run takes a file's imports from the cache while its bytes are unchanged ...
    entries[f"{(root / 'late.py').as_posix()}:childspend"][1] = ["childspend.unused"]
    cache_file.write_text(json.dumps(entries))
    later = ImportCache(cache_file)
    assert later.imports(root / "late.py", "childspend") == {"childspend.unused"}
    # ... and parses it again once they change.
    (root / "late.py").write_text("import os\n")
    assert ImportCache(cache_file).imports(root / "late.py", "childspend") == {"os"}

    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert code_inputs([script], root, cache_file=broken) == first
    assert json.loads(broken.read_text())[f"{script.as_posix()}:"][1] == ["childspend.stage", "childspend.stage.step"]
