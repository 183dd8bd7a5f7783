"""The fetch step: mirror copy, checksum enforcement and the missing-file message."""

import hashlib
import stat

import pytest

from childspend.errors import ChecksumError, SourceMissingError
from childspend.sources.fetch import fetch


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
