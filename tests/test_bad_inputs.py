"""Bad input given to the whole pipeline: each run ends in one clear message, or a logged and warned
exclusion, never a silent change and never a file touched outside the project.

The cases run Snakemake in scratch projects (see test_end_to_end) on copies of a few real files.
"""

import hashlib
import shutil

import pytest
import yaml
from test_end_to_end import MIRROR, _mirror_with_geography, _scratch_project, snakemake

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not MIRROR.is_dir(), reason="needs the official files in ../shared/data"),
]


def _sources(project):
    return yaml.safe_load((project / "config" / "sources.yaml").read_text())


def _write_sources(project, sources):
    (project / "config" / "sources.yaml").write_text(yaml.safe_dump(sources, sort_keys=False))


def test_a_source_path_with_dotdot_stops_the_run_and_touches_nothing_outside(tmp_path):
    victim = tmp_path / "victim.csv"
    victim.write_bytes(b"a file outside the project\n")
    mirror = _mirror_with_geography(tmp_path)
    project = tmp_path / "project"
    _scratch_project(project, mirror)
    sources = _sources(project)
    sources["sources"]["geo_las"]["path"] = "../victim.csv"
    _write_sources(project, sources)
    for args in ([], ["--forcerun", "fetch_raw"]):
        run = snakemake(project, *args, "results/ingest/geography.parquet")
        assert run.returncode != 0
        assert "sources.geo_las.path '../victim.csv': it has a '..' part" in run.stdout + run.stderr
    assert victim.read_bytes() == b"a file outside the project\n"


def test_a_failed_refetch_keeps_the_verified_raw_copy(tmp_path):
    mirror = _mirror_with_geography(tmp_path)
    project = tmp_path / "project"
    _scratch_project(project, mirror)
    target = "raw/geography/las.csv"
    assert snakemake(project, target).returncode == 0
    good = hashlib.sha256((project / target).read_bytes()).hexdigest()
    las = mirror / "geography" / "las.csv"
    data = bytearray(las.read_bytes())
    data[100] ^= 1
    las.write_bytes(bytes(data))
    run = snakemake(project, "--force", target)
    assert run.returncode != 0
    assert (
        "does not match its pin"
        in (project / "results" / "logs" / "fetch_raw" / "geography" / "las.csv.log").read_text()
    )
    assert hashlib.sha256((project / target).read_bytes()).hexdigest() == good
    shutil.rmtree(mirror)
