"""The ingest step checks every file against its pin where it reads it."""

import hashlib

import pytest

from childspend.errors import ChecksumError
from childspend.sources.ingest import check_pinned, ingest


@pytest.fixture
def raw_copy(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    content = b"geog_l,geog_c,geog_n\nNational,921,England\n"
    path = tmp_path / "raw" / "dfe-cla" / "underlying-2019" / "CLA2019.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    entry = {
        "path": "dfe-cla/underlying-2019/CLA2019.csv",
        "sha256": hashlib.sha256(content).hexdigest(),
        "period": "2019",
    }
    return "raw/dfe-cla/underlying-2019/CLA2019.csv", entry


def test_an_unchanged_copy_passes(raw_copy):
    path, entry = raw_copy
    assert check_pinned(path, "cla_2019_cla2019", entry).as_posix() == path


def test_a_copy_edited_after_the_fetch_stops_ingest_with_both_hashes_and_the_fix(raw_copy):
    path, entry = raw_copy
    with open(path, "ab") as handle:
        handle.write(b"LA,999,Somewhere\n")
    actual = hashlib.sha256(open(path, "rb").read()).hexdigest()
    with pytest.raises(ChecksumError) as err:
        ingest("cla", [path], {"cla_2019_cla2019": entry})
    message = str(err.value)
    for needed in (path, "cla_2019_cla2019", entry["sha256"], actual, "rm -f", "no longer matches its pin"):
        assert needed in message


def test_a_file_that_is_not_the_raw_copy_of_its_entry_is_refused(raw_copy):
    _, entry = raw_copy
    with pytest.raises(ValueError, match="is not the raw copy"):
        check_pinned("elsewhere/CLA2019.csv", "cla_2019_cla2019", entry)
