"""The ingest step checks every file against its pin where it reads it."""

import hashlib
from pathlib import Path

import pytest
from workbooks import write_workbook

from childspend.errors import ChecksumError, LayoutError
from childspend.sources import s251_a1
from childspend.sources.ingest import check_pinned, ingest
from childspend.tables import read_sheets


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


def _truncated(tmp_path, name, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content[: len(content) // 2])
    return path


@pytest.mark.parametrize("suffix", [".xlsx", ".ods"])
def test_a_truncated_workbook_names_the_file_and_what_to_do(tmp_path, suffix):
    book = write_workbook(tmp_path / f"whole{suffix}", {"Table A1": [["LA", "x"], [201, 1.0]] * 200})
    path = _truncated(tmp_path, f"s251ye2019{suffix}", book.read_bytes())
    with pytest.raises(LayoutError) as err:
        s251_a1.parse(path, "s251_a1_2018-19", "2018-19")
    message = str(err.value)
    assert str(path) in message and "truncated or corrupt" in message and "re-pin" in message


def test_a_file_that_is_not_a_workbook_at_all_is_named(tmp_path):
    path = tmp_path / "RO3_2024-25.ods"
    path.write_bytes(b"<html>Service unavailable</html>")
    with pytest.raises(LayoutError, match=r"RO3_2024-25\.ods: cannot be opened as a workbook"):
        read_sheets(path)


def test_an_error_a_parser_did_not_word_is_reported_with_the_file(raw_copy, monkeypatch):
    path, entry = raw_copy
    entry["source_page"] = "https://www.gov.uk/cla"

    def broken(path, source_id, period):
        raise ValueError("unexpected end of data")

    monkeypatch.setattr("childspend.sources.cla.parse", broken)
    with pytest.raises(LayoutError) as err:
        ingest("cla", [path], {"cla_2019_cla2019": entry})
    message = str(err.value)
    assert message.startswith(f"{path} (cla_2019_cla2019): childspend.sources.cla could not read it: ValueError")
    assert "https://www.gov.uk/cla" in message and "childspend/sources/cla.py" in message


MIRROR = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.mark.e2e
@pytest.mark.skipif(not MIRROR.is_dir(), reason="needs the official files in ../shared/data")
@pytest.mark.parametrize(
    "real, source_id, period",
    [
        ("dfe-s251-outturn/s251ye2009.xls", "s251_a1_2008-09", "2008-09"),
        ("dfe-s251-outturn/S251ye2019.xlsx", "s251_a1_2018-19", "2018-19"),
        ("dfe-s251-outturn/s251ye2014.ods", "s251_a1_2013-14", "2013-14"),
    ],
)
def test_truncated_copies_of_real_workbooks_name_the_file(tmp_path, real, source_id, period):
    path = _truncated(tmp_path, Path(real).name, (MIRROR / real).read_bytes())
    with pytest.raises(LayoutError, match=rf"{path.name}.*(cannot be opened|cannot be read).*truncated or corrupt"):
        s251_a1.parse(path, source_id, period)
