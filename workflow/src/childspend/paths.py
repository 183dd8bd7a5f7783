"""Paths from config files that must stay inside a folder (raw/, a mirror).

A pinned source's ``path`` is joined to raw/ and to every mirror folder; one that is absolute or
climbs out with ``..`` (or a symlink on the way that points elsewhere) would make the pipeline
read, or replace, a file outside the project.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from .errors import ConfigError


def relative_problem(relative: str) -> str | None:
    """Why ``relative`` cannot be a path under a folder, or None if it can."""
    if not isinstance(relative, str) or not relative.strip():
        return "it is empty"
    if "\\" in relative:
        return "it contains a backslash (use '/' between folders)"
    pure = PurePosixPath(relative)
    if pure.is_absolute():
        return "it is absolute"
    if ".." in pure.parts:
        return "it has a '..' part, which leaves the folder"
    return None


def inside(root: str | Path, relative: str, what: str) -> Path:
    """``root / relative``, checked to stay inside ``root`` once symlinks are resolved.

    ConfigError naming ``what`` (e.g. "config/sources.yaml: sources.x.path") otherwise.
    """
    problem = relative_problem(relative)
    if problem:
        raise ConfigError(
            f"{what}: {relative!r} cannot be used: {problem}. A pinned path is relative to the mirror "
            "folder and to raw/, e.g. 'dfe-cla/underlying-2019/CLA2019.csv'; correct it in config/sources.yaml."
        )
    root = Path(root)
    path = root / relative
    resolved, base = path.resolve(), root.resolve()
    if not resolved.is_relative_to(base):
        raise ConfigError(
            f"{what}: {path} resolves to {resolved}, outside {base} (a symlink on the way points elsewhere). "
            f"Remove the symlink or point the mirror at the real folder."
        )
    return path
