"""Writing a file safely: into a hidden partial file beside it, renamed into place once whole, and
a full disk named with the fix. Standard library only, so a job that only copies files (fetching
the raw files) starts without pandas.
"""

from __future__ import annotations

import errno
import glob
import os
import shutil
import tempfile
from pathlib import Path

from .errors import DiskFullError

_UMASK = os.umask(0)
os.umask(_UMASK)


def disk_full(exc: BaseException, path: str | os.PathLike) -> DiskFullError | None:
    """A DiskFullError naming ``path``, the space left and what to do, if ``exc`` is a full disk
    or quota (ENOSPC, EDQUOT); else None."""
    if not isinstance(exc, OSError) or exc.errno not in (errno.ENOSPC, errno.EDQUOT):
        return None
    folder = Path(path).parent
    try:
        free = f"{shutil.disk_usage(folder).free / 1e6:,.0f} MB free"
    except OSError:
        free = "free space unknown"
    return DiskFullError(
        f"{path}: the disk is full ({exc.strerror}; {free} in {folder}). Nothing half-written was kept. "
        "Free some space (old copies of results/, .snakemake/ backups, other files on that disk) and "
        "rerun `snakemake`: it redoes only what is missing."
    )


def partial_file(path: Path, suffix: str) -> str:
    """A new hidden file beside ``path`` to write it into before it is renamed into place, after
    removing the ones a killed run left (``.<name>.<8 random characters><suffix>``, mkstemp's
    names: a kill cannot clean up, so the rerun that writes ``path`` again does)."""
    for stale in path.parent.glob(f".{glob.escape(path.name)}.{'?' * 8}{suffix}"):
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    return tmp


def atomic_write(path: str | os.PathLike, write) -> None:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = partial_file(path, ".tmp")
    except OSError as exc:
        raise (disk_full(exc, path) or exc) from None
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; outputs are ordinary files
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        full = disk_full(exc, path)
        if full is not None:
            raise full from None
        raise
