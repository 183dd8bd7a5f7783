"""Code inputs computed from imports: a tiny package with relative, absolute and nested imports."""

import json

from childspend.code_deps import code_inputs

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
