"""The library files a rule's script runs, computed from its imports.

A rule lists them as inputs, so editing a module reruns exactly the rules whose scripts import
it, directly or through other ``childspend`` modules; hand-written lists drift and leave stale
outputs. A module's data tables are the files beside it named ``<module>.csv`` or
``<module>_*.csv`` (``sources/s251_a1_lines.csv`` belongs to ``sources/s251_a1.py``).

Every run plans the DAG, and parsing the ~110 scripts and modules is most of what the pipeline
adds to a no-op: each file's imports are kept in a cache file, keyed by the sha256 of its bytes,
and a file is parsed again only when its bytes change.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import tempfile
from functools import cache
from pathlib import Path

PACKAGE = "childspend"


@cache
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


class ImportCache:
    """{file: [sha256 of its bytes, the names it imports]}, read from and written back to ``path``
    (None: kept in memory only). A missing or unreadable cache file is an empty cache; one that
    cannot be written is skipped (planning is only slower)."""

    def __init__(self, path: str | os.PathLike | None):
        self.path = None if path is None else Path(path)
        self.entries: dict[str, list] = {}
        if self.path is not None:
            try:
                self.entries = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                pass
        self.changed = False
        self.read: dict[str, frozenset[str]] = {}  # files already read in this process

    def imports(self, path: Path, package: str) -> frozenset[str]:
        """The modules ``path`` (a module, a script or a notebook's code cells) imports, relative
        imports taken from ``package``."""
        key = f"{path.as_posix()}:{package}"
        if key not in self.read:
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            entry = self.entries.get(key)
            if entry is None or entry[0] != digest:
                text = data.decode("utf-8")
                if path.suffix == ".ipynb":
                    cells = json.loads(text)["cells"]
                    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
                names = sorted(_imported(ast.parse(text, filename=str(path)), package))
                entry = self.entries[key] = [digest, names]
                self.changed = True
            self.read[key] = frozenset(entry[1])
        return self.read[key]

    def save(self) -> None:
        """Write the cache back if it changed: into a new file beside it, renamed into place, so
        concurrent planners (cluster jobs each plan the workflow) never read half a file. Not
        ``files.atomic_write``: it removes other writers' partial files, which here are live."""
        if self.path is None or not self.changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.")
        except OSError:
            return
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(self.entries, f, sort_keys=True)
            os.replace(tmp, self.path)
            self.changed = False
        except OSError:
            Path(tmp).unlink(missing_ok=True)


@cache
def _cache(path: str | None) -> ImportCache:
    return ImportCache(path)


@cache
def _closure(root: Path, name: str, imports: ImportCache) -> frozenset[str]:
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
        todo.extend(imports.imports(_module_file(root, module), _package_of(root, module)))
    return frozenset(seen)


def _data_tables(path: Path) -> list[Path]:
    return sorted([*path.parent.glob(f"{path.stem}.csv"), *path.parent.glob(f"{path.stem}_*.csv")])


def code_inputs(
    scripts: list[str | os.PathLike],
    package_dir: str | os.PathLike,
    extra_modules: tuple[str, ...] = (),
    cache_file: str | os.PathLike | None = None,
) -> list[str]:
    """Library files (modules and their data tables) under ``package_dir`` that ``scripts``
    (Python files or notebooks) run, sorted, each as ``package_dir`` joined with its path inside
    the package.

    ``extra_modules`` names modules loaded by name at run time (the ingest step imports
    ``childspend.sources.<family>``), which no import statement shows. ``cache_file`` keeps each
    file's imports between runs (see the module's docstring).
    """
    root = Path(package_dir)
    imports = _cache(None if cache_file is None else str(cache_file))
    names = set(extra_modules).union(*(imports.imports(Path(s), "") for s in scripts))
    modules: set[str] = set()
    for name in sorted(names):
        modules |= _closure(root, name, imports)
    imports.save()
    files = set()
    for module in modules:
        path = _module_file(root, module)
        files.add(path)
        files.update(_data_tables(path))
    return sorted(p.as_posix() for p in files)
