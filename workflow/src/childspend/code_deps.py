"""The library files a rule's script runs, computed from its imports.

A rule lists them as inputs, so editing a module reruns exactly the rules whose scripts import
it, directly or through other ``childspend`` modules; hand-written lists drift and leave stale
outputs. A module's data tables are the files beside it named ``<module>.csv`` or
``<module>_*.csv`` (``sources/s251_a1_lines.csv`` belongs to ``sources/s251_a1.py``).
"""

from __future__ import annotations

import ast
import json
import os
from functools import cache
from pathlib import Path

PACKAGE = "childspend"


def _module_file(root: Path, name: str) -> Path | None:
    """The file of a ``childspend`` module or package under ``root`` (the package folder), or
    None for a name that is neither."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    base = root.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _package_of(root: Path, name: str) -> str:
    """The package a module's relative imports start from."""
    path = _module_file(root, name)
    return name if path is not None and path.name == "__init__.py" else name.rpartition(".")[0]


def _imported(tree: ast.AST, package: str) -> set[str]:
    """Names of the modules an AST imports (``from a import b`` counts ``a.b`` when b is a module)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


@cache
def _module_imports(root: Path, module: str) -> frozenset[str]:
    """The modules one ``childspend`` module imports, its file parsed once however many rules'
    closures reach it (planning the DAG asks for 36 rules' closures)."""
    tree = ast.parse(_module_file(root, module).read_text(encoding="utf-8"))
    return frozenset(_imported(tree, _package_of(root, module)))


@cache
def _closure(root: Path, name: str) -> frozenset[str]:
    """``name`` and every ``childspend`` module it imports, transitively (with parent packages)."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        module = todo.pop()
        if module in seen or _module_file(root, module) is None:
            continue
        seen.add(module)
        parts = module.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))  # importing a.b.c runs a and a.b
        todo.extend(_module_imports(root, module))
    return frozenset(seen)


def _data_tables(path: Path) -> list[Path]:
    return sorted([*path.parent.glob(f"{path.stem}.csv"), *path.parent.glob(f"{path.stem}_*.csv")])


@cache
def _script_imports(path: Path) -> frozenset[str]:
    """The modules a script, or a notebook's code cells, imports (each file parsed once: the ingest
    rule asks once per family)."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        cells = json.loads(text)["cells"]
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return frozenset(_imported(ast.parse(text, filename=str(path)), ""))


def code_inputs(
    scripts: list[str | os.PathLike], package_dir: str | os.PathLike, extra_modules: tuple[str, ...] = ()
) -> list[str]:
    """Library files (modules and their data tables) under ``package_dir`` that ``scripts``
    (Python files or notebooks) run, sorted, each as ``package_dir`` joined with its path inside
    the package.

    ``extra_modules`` names modules loaded by name at run time (the ingest step imports
    ``childspend.sources.<family>``), which no import statement shows.
    """
    root = Path(package_dir)
    names = set(extra_modules).union(*(_script_imports(Path(s)) for s in scripts))
    modules: set[str] = set()
    for name in sorted(names):
        modules |= _closure(root, name)
    files = set()
    for module in modules:
        path = _module_file(root, module)
        files.add(path)
        files.update(_data_tables(path))
    return sorted(p.as_posix() for p in files)
