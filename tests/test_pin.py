"""Pinning official files into config/sources.yaml."""

import csv
import hashlib

import pytest
import yaml

from childspend.config import load_sources
from childspend.sources.pin import main, source_id


def test_ids_sort_by_release():
    assert source_id("cla", "dfe-cla/ees-2025-release/placement_data.rds", "release 2025") == "cla_2025_placement_data"
    assert source_id("revenue_outturn", "mhclg-revenue-outturn/ro3/2024-25/x.ods", "2024-25") == "ro3_2024-25"
    assert source_id("geography", "geography/las.csv", "2025") == "geo_las"
    assert source_id("cla", "dfe-cla/underlying-2019/CLA2019.csv", "2019") < "cla_2025_placement_data"
    # statistical neighbour lists by the month they were computed, not the folder they sit in
    may = source_id("neighbours", "dfe-lait/2026-04-08/sn_may_2025.xlsx", "may_2025")
    assert may == "neighbours_2025-05"
    assert source_id("neighbours", "dfe-lait/2026-04-08/sn_april_2021.xlsx", "april_2021") < may


def test_a_neighbour_list_without_a_month_is_refused():
    with pytest.raises(ValueError, match="is not '<month>_<year>'"):
        source_id("neighbours", "dfe-lait/sn.xlsx", "2025")


def test_pin_writes_a_valid_entry_from_the_file_and_its_manifest_row(tmp_path):
    mirror = tmp_path / "data"
    (mirror / "dfe-cin" / "ees-2026-release").mkdir(parents=True)
    data = b"time_period,geographic_level\n2026,National\n"
    (mirror / "dfe-cin" / "ees-2026-release" / "b1.csv").write_bytes(data)
    with open(mirror / "MANIFEST.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["path", "sha256", "bytes", "publisher", "dataset", "period", "source_page", "licence", "found_in", "note"]
        )
        writer.writerow(
            [
                "dfe-cin/ees-2026-release/b1.csv",
                "ignored",
                "1",
                "DfE",
                "Children in need",
                "release 2026",
                "https://explore-education-statistics.service.gov.uk/x",
                "Open Government Licence v3.0",
                "owner/repo@" + "a" * 40 + ":data/b1.csv",
                "",
            ]
        )
    sources = tmp_path / "sources.yaml"
    main(
        [
            "--manifest",
            str(mirror / "MANIFEST.csv"),
            "--sources",
            str(sources),
            "--family",
            "cin",
            "dfe-cin/ees-2026-release/b1.csv",
        ]
    )
    entry = load_sources(sources)["cin_2026_b1"]
    assert entry["sha256"] == hashlib.sha256(data).hexdigest()  # from the file, not the manifest
    assert entry["bytes"] == len(data)
    assert entry["url"] == "https://raw.githubusercontent.com/owner/repo/" + "a" * 40 + "/data/b1.csv"
    assert yaml.safe_load(sources.read_text())["sources"]["cin_2026_b1"]["family"] == "cin"
