"""Fill raw/ with the pinned official files, checksum verified.

Each file is copied from the first mirror folder that has it, else downloaded from its pinned
address (with retries that wait longer each time, and a progress bar, via pooch). A file that matches its sha256 is made
read-only in raw/; anything else stops the pipeline before any parser runs.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import stat
import time
from pathlib import Path, PurePosixPath

import pooch

from ..errors import ChecksumError, DiskFullError, SourceMissingError
from ..files import disk_full, partial_file
from ..paths import inside

log = logging.getLogger(__name__)
ATTEMPTS = 4  # downloads: tries in all, waiting BACKOFF_SECONDS, then twice as long each time
BACKOFF_SECONDS = 5.0


def sha256_of(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _verify(path: Path, entry: dict, origin: str) -> None:
    actual = sha256_of(path)
    if actual != entry["sha256"]:
        raise ChecksumError(
            f"{entry['path']} from {origin} does not match its pin in config/sources.yaml:\n"
            f"  expected sha256 {entry['sha256']}\n"
            f"  actual   sha256 {actual}\n"
            "The file was altered or is a different release. Restore the original from "
            f"{entry['source_page']}, or, if the publisher really replaced it, re-pin it "
            "(see README: 'Adding a new year')."
        )


def _download(entry: dict, target: Path) -> None:
    tmp_path = Path(partial_file(target, ".part"))
    try:
        downloader = pooch.HTTPDownloader(progressbar=True, timeout=60)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                downloader(entry["url"], str(tmp_path), None)
                break
            except Exception as exc:  # network errors vary by transport; retry any of them
                full = disk_full(exc, target)
                if full is not None:
                    raise full from None
                if attempt == ATTEMPTS:
                    raise
                wait = BACKOFF_SECONDS * 2 ** (attempt - 1)
                log.warning(
                    "download attempt %d of %d of %s failed: %s; retrying in %.0f s",
                    attempt,
                    ATTEMPTS,
                    entry["url"],
                    exc,
                    wait,
                )
                time.sleep(wait)
        _verify(tmp_path, entry, entry["url"])
        _install(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)


def _raw_root(entry: dict, target: Path) -> Path:
    """The raw/ folder ``target`` is the copy of ``entry`` in (target = <root>/<entry path>)."""
    parts = PurePosixPath(entry["path"]).parts
    if target.parts[-len(parts) :] != parts:
        raise ValueError(f"{target} is not the raw/ copy of {entry['path']}")
    return target.parents[len(parts) - 1]


def fetch(entry: dict, target: str | Path, mirrors: list[str]) -> str:
    """Put the pinned file at ``target`` (read-only); return where it came from.

    Every path is checked to stay inside raw/ and inside its mirror folder, and an existing
    ``target`` is replaced only by a copy that has already matched its sha256: a bad mirror file
    or a failed download leaves the previous copy (and everything outside raw/) untouched.
    """
    target = Path(target)
    inside(_raw_root(entry, target), entry["path"], f"raw/ copy of {entry['path']}")
    target.parent.mkdir(parents=True, exist_ok=True)
    searched = []
    for mirror in mirrors:
        candidate = inside(mirror, entry["path"], f"mirror {mirror}")
        searched.append(str(candidate))
        if candidate.is_file():
            _copy_verified(candidate, target, entry)
            origin = str(candidate)
            break
    else:
        if not entry.get("url"):
            raise SourceMissingError(_missing_message(entry, searched, "it has no download address"))
        try:
            _download(entry, target)
        except (ChecksumError, DiskFullError):
            raise
        except Exception as exc:
            raise SourceMissingError(
                _missing_message(entry, searched, f"downloading {entry['url']} failed: {exc}")
            ) from None
        origin = entry["url"]
    log.info("%s <- %s (sha256 ok)", target, origin)
    return origin


def _copy_verified(source: Path, target: Path, entry: dict) -> None:
    """Copy ``source`` next to ``target``, check the copy's sha256, then swap it in (read-only)."""
    tmp_path = Path(partial_file(target, ".part"))
    try:
        shutil.copyfile(source, tmp_path)
        _verify(tmp_path, entry, str(source))
        _install(tmp_path, target)
    except OSError as exc:
        raise (disk_full(exc, target) or exc) from None
    finally:
        tmp_path.unlink(missing_ok=True)


def _install(verified: Path, target: Path) -> None:
    """Make a verified copy read-only and put it at ``target`` in one rename (replacing any old copy)."""
    verified.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    os.replace(verified, target)


def _missing_message(entry: dict, searched: list[str], why: str) -> str:
    where = "\n".join(f"  - {p}" for p in searched) or "  (no mirror folders configured)"
    return (
        f"Official file {entry['path']} is not in any mirror folder and {why}.\n"
        f"Looked in:\n{where}\n"
        f"Get it from {entry['source_page']} (sha256 {entry['sha256']}) and put it at "
        f"<mirror>/{entry['path']}, or set 'mirrors' in config/config.yaml to a folder that has it."
    )
