"""The fetch step: mirror copy, checksum enforcement and the missing-file message."""

import errno
import hashlib
import stat
import subprocess
import sys

import pandas as pd
import pytest

from childspend.errors import ChecksumError, ConfigError, DiskFullError, SourceMissingError
from childspend.sources.fetch import fetch
from childspend.tables import write_csv


@pytest.fixture(autouse=True)
def waits(monkeypatch):
    """Download retries wait (time.sleep): recorded here instead."""
    slept = []
    monkeypatch.setattr("childspend.sources.fetch.time.sleep", slept.append)
    return slept


def pinned(mirror, content=b"LA,value\n201,1\n", path="dfe-x/file.csv", **extra):
    (mirror / path).parent.mkdir(parents=True, exist_ok=True)
    (mirror / path).write_bytes(content)
    return {
        "path": path,
        "sha256": hashlib.sha256(content).hexdigest(),
        "bytes": len(content),
        "source_page": "https://www.gov.uk/example",
        **extra,
    }


def test_copies_from_first_mirror_that_has_the_file_and_makes_it_read_only(tmp_path):
    empty, mirror = tmp_path / "empty", tmp_path / "mirror"
    empty.mkdir()
    entry = pinned(mirror)
    target = tmp_path / "raw" / entry["path"]
    origin = fetch(entry, target, [str(empty), str(mirror)])
    assert origin == str(mirror / entry["path"])
    assert target.read_bytes() == (mirror / entry["path"]).read_bytes()
    assert not target.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def test_refetch_replaces_a_read_only_copy(tmp_path):
    entry = pinned(tmp_path / "mirror")
    target = tmp_path / "raw" / entry["path"]
    fetch(entry, target, [str(tmp_path / "mirror")])
    fetch(entry, target, [str(tmp_path / "mirror")])
    assert target.exists()


def test_one_altered_byte_stops_with_both_hashes(tmp_path):
    mirror = tmp_path / "mirror"
    entry = pinned(mirror)
    data = bytearray((mirror / entry["path"]).read_bytes())
    data[0] ^= 1
    (mirror / entry["path"]).write_bytes(bytes(data))
    target = tmp_path / "raw" / entry["path"]
    with pytest.raises(ChecksumError) as err:
        fetch(entry, target, [str(mirror)])
    message = str(err.value)
    assert entry["path"] in message and entry["sha256"] in message
    assert hashlib.sha256(bytes(data)).hexdigest() in message
    assert not target.exists()


def test_missing_everywhere_names_file_page_hash_and_where_to_put_it(tmp_path):
    entry = pinned(tmp_path / "elsewhere")
    with pytest.raises(SourceMissingError) as err:
        fetch(entry, tmp_path / "raw" / entry["path"], [str(tmp_path / "mirror")])
    message = str(err.value)
    for needed in (entry["path"], entry["source_page"], entry["sha256"], str(tmp_path / "mirror")):
        assert needed in message


def test_download_used_when_no_mirror_has_the_file(tmp_path, monkeypatch):
    content = b"downloaded bytes"
    entry = pinned(tmp_path / "elsewhere", content, url="https://example.org/file.csv")

    class FakeDownloader:
        def __init__(self, **kwargs):
            pass

        def __call__(self, url, output_file, pooch):
            assert url == entry["url"]
            with open(output_file, "wb") as handle:
                handle.write(content)

    monkeypatch.setattr("childspend.sources.fetch.pooch.HTTPDownloader", FakeDownloader)
    target = tmp_path / "raw" / entry["path"]
    assert fetch(entry, target, [str(tmp_path / "mirror")]) == entry["url"]
    assert target.read_bytes() == content


def test_failed_download_reports_missing_file(tmp_path, monkeypatch):
    entry = pinned(tmp_path / "elsewhere", url="https://example.org/file.csv")

    class FailingDownloader:
        def __init__(self, **kwargs):
            pass

        def __call__(self, url, output_file, pooch):
            raise OSError("network unreachable")

    monkeypatch.setattr("childspend.sources.fetch.pooch.HTTPDownloader", FailingDownloader)
    with pytest.raises(SourceMissingError, match="network unreachable"):
        fetch(entry, tmp_path / "raw" / entry["path"], [])


def test_a_path_that_climbs_out_of_raw_is_refused_before_anything_is_touched(tmp_path):
    victim = tmp_path / "victim.csv"
    victim.write_bytes(b"outside the project\n")
    mirror = tmp_path / "project" / "mirror"
    entry = pinned(mirror, path="dfe-x/file.csv")
    entry["path"] = "../../victim.csv"
    raw = tmp_path / "project" / "raw"
    with pytest.raises(ConfigError, match=r"'\.\./\.\./victim\.csv' cannot be used: it has a '\.\.' part"):
        fetch(entry, raw / entry["path"], [str(mirror)])
    assert victim.read_bytes() == b"outside the project\n"


def test_a_symlink_out_of_raw_or_a_mirror_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "file.csv").write_bytes(b"not yours\n")
    mirror = tmp_path / "mirror"
    entry = pinned(mirror)
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "dfe-x").symlink_to(outside)
    with pytest.raises(ConfigError, match="outside"):
        fetch(entry, raw / entry["path"], [str(mirror)])
    assert (outside / "file.csv").read_bytes() == b"not yours\n"

    linked = tmp_path / "linked-mirror"
    linked.mkdir()
    (linked / "dfe-x").symlink_to(outside)
    with pytest.raises(ConfigError, match="resolves to .*outside"):
        fetch(entry, tmp_path / "raw2" / entry["path"], [str(linked)])


def test_a_bad_mirror_copy_or_failed_download_leaves_the_verified_copy_in_place(tmp_path, monkeypatch):
    mirror = tmp_path / "mirror"
    entry = pinned(mirror, url="https://example.org/file.csv")
    target = tmp_path / "raw" / entry["path"]
    fetch(entry, target, [str(mirror)])
    good = target.read_bytes()
    (mirror / entry["path"]).write_bytes(b"LA,value\n201,9\n")  # altered in the mirror
    with pytest.raises(ChecksumError):
        fetch(entry, target, [str(mirror)])
    assert target.read_bytes() == good

    class FailingDownloader:
        def __init__(self, **kwargs):
            pass

        def __call__(self, url, output_file, pooch):
            raise OSError("network unreachable")

    monkeypatch.setattr("childspend.sources.fetch.pooch.HTTPDownloader", FailingDownloader)
    with pytest.raises(SourceMissingError):
        fetch(entry, target, [str(tmp_path / "empty")])
    assert target.read_bytes() == good
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no partial copies left


def test_downloads_are_retried_with_growing_waits(tmp_path, monkeypatch, waits):
    content = b"downloaded bytes"
    entry = pinned(tmp_path / "elsewhere", content, url="https://example.org/file.csv")
    calls = []

    class FlakyDownloader:
        def __init__(self, **kwargs):
            pass

        def __call__(self, url, output_file, pooch):
            calls.append(url)
            if len(calls) < 3:
                raise ConnectionError("connection reset by peer")
            with open(output_file, "wb") as handle:
                handle.write(content)

    monkeypatch.setattr("childspend.sources.fetch.pooch.HTTPDownloader", FlakyDownloader)
    target = tmp_path / "raw" / entry["path"]
    assert fetch(entry, target, []) == entry["url"]
    assert len(calls) == 3 and waits == [5.0, 10.0]
    assert target.read_bytes() == content


def test_a_full_disk_is_named_with_the_file_and_what_to_do(tmp_path, monkeypatch):
    entry = pinned(tmp_path / "mirror")
    target = tmp_path / "raw" / entry["path"]

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("childspend.sources.fetch.shutil.copyfile", full)
    with pytest.raises(DiskFullError) as err:
        fetch(entry, target, [str(tmp_path / "mirror")])
    message = str(err.value)
    assert str(target) in message and "the disk is full (No space left on device" in message and "MB free" in message
    assert not target.exists() and list(target.parent.iterdir()) == []

    monkeypatch.setattr(pd.DataFrame, "to_csv", full)
    out = tmp_path / "results" / "table.csv"
    with pytest.raises(DiskFullError, match=r"table\.csv: the disk is full"):
        write_csv(pd.DataFrame({"a": [1]}), out)
    assert list(out.parent.iterdir()) == []  # no temporary file left behind


def test_a_rerun_removes_the_partial_files_a_killed_run_left(tmp_path):
    # a SIGKILL leaves the hidden file a writer or a copy was filling; the next write of the same
    # target removes it, and only its own (another target's partial file is not touched)
    out = tmp_path / "results" / "table.csv"
    out.parent.mkdir(parents=True)
    (out.parent / ".table.csv.k1ll3d_x.tmp").write_text("a\n1")
    (out.parent / ".table.csv.gz.k1ll3d_x.tmp").write_text("other")
    write_csv(pd.DataFrame({"a": [1]}), out)
    assert sorted(p.name for p in out.parent.iterdir()) == [".table.csv.gz.k1ll3d_x.tmp", "table.csv"]

    entry = pinned(tmp_path / "mirror")
    target = tmp_path / "raw" / entry["path"]
    target.parent.mkdir(parents=True)
    (target.parent / f".{target.name}.k1ll3d_x.part").write_bytes(b"half a file")
    fetch(entry, target, [str(tmp_path / "mirror")])
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def test_a_fetch_job_starts_without_pandas():
    # 97 fetch jobs each start an interpreter: importing pandas would cost each a third of a second
    code = "import sys, childspend.sources.fetch; print('pandas' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "False"
