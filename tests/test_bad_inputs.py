"""Bad input given to the whole pipeline: each run ends in one clear message, or a logged and warned
exclusion, never a silent change and never a file touched outside the project.

The cases run Snakemake in scratch projects (see test_end_to_end) on copies of a few real files.
"""

import hashlib
import re
import shutil

import pandas as pd
import pytest
import yaml
from pipeline import MIRROR, snakemake
from pipeline import mirror_with_geography as _mirror_with_geography
from pipeline import scratch_project as _scratch_project
from test_end_to_end import _planned

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


def _built_copy(project, tmp_path):
    copy = tmp_path / "built"
    shutil.copytree(project, copy)  # follows the code symlinks; keeps modification times
    return copy


@pytest.mark.parametrize(
    "deleted, job",
    [
        ("raw/geography/las.csv", "fetch_raw[path=geography/las.csv]"),
        ("results/ingest/cla.parquet", "ingest_family[family=cla]"),
        ("results/ingest/geography.parquet", "ingest_geography"),
        ("results/panel/spending_long.parquet", "build_spending_panel"),
        ("results/real/money_long.parquet", "deflate_panel"),
    ],
)
def test_a_deleted_intermediate_is_planned_again(project, tmp_path, deleted, job):
    copy = _built_copy(project, tmp_path)
    (copy / deleted).unlink()
    dry = snakemake(copy, "--dry-run")
    assert dry.returncode == 0, dry.stderr[-2000:]
    assert job in _planned(dry.stdout)


def test_a_failed_ingest_fails_again_on_the_next_run(project, tmp_path):
    copy = _built_copy(project, tmp_path)
    raw = copy / "raw" / "dfe-cla" / "underlying-2019" / "CLA2019.csv"
    raw.chmod(0o644)  # what root can do anyway
    with open(raw, "a") as handle:
        handle.write("LA,999,Nowhere\n")
    for attempt in (1, 2):
        run = snakemake(copy)
        assert run.returncode != 0, f"run {attempt}: {run.stdout[-1500:]}"
        assert "Nothing to be done" not in run.stdout + run.stderr
        log = (copy / "results" / "logs" / "ingest_cla.log").read_text()
        assert "CLA2019.csv (cla_2019_cla2019) no longer matches its pin" in log


def _edit_and_repin(copy, source_id, old: bytes, new: bytes):
    """Put an edited copy of a pinned file in a mirror searched first, and re-pin it in the copy's
    sources.yaml: a release that is wrong but consistent with its pin, which only the data checks
    can catch."""
    sources = _sources(copy)
    entry = sources["sources"][source_id]
    data = (MIRROR / entry["path"]).read_bytes()
    assert data.count(old) >= 1, old
    data = data.replace(old, new)
    edited = copy / "edited-mirror" / entry["path"]
    edited.parent.mkdir(parents=True)
    edited.write_bytes(data)
    entry["sha256"], entry["bytes"] = hashlib.sha256(data).hexdigest(), len(data)
    _write_sources(copy, sources)
    config = yaml.safe_load((copy / "config" / "config.yaml").read_text())
    config["mirrors"] = [str(copy / "edited-mirror"), *config["mirrors"]]
    (copy / "config" / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return edited


def test_a_cla_release_whose_la_sum_rises_above_england_is_unexplained(project, tmp_path):
    copy = _built_copy(project, tmp_path)
    _edit_and_repin(
        copy,
        "cla_2025_cla_number_and_rate_per_10k_children",
        b"Birmingham,E08000025,Children looked after on 31 March each year,292859,2317,79",
        b"Birmingham,E08000025,Children looked after on 31 March each year,292859,3317,79",
    )
    run = snakemake(copy, "results/reconciliation/activity_england.csv")
    assert run.returncode == 0, run.stderr[-3000:]
    table = pd.read_csv(copy / "results" / "reconciliation" / "activity_england.csv").set_index(["measure", "year"])
    row = table.loc[("cla_at_31_march", "2024-25")]
    assert row["explanation"].startswith("unexplained: the sum of units is 996 above the published figure")
    assert "above the published figure" in row["explanation"] and "City of London (c)" in row["explanation"]


@pytest.mark.parametrize(
    "extra, message",
    [
        (
            'prices:\n  index: cpih\n  base_year: "2024-25"\n',
            r"line \d+: key 'prices' appears twice in the same block \(first on line \d+\)",
        ),
        (
            "note: !!python/object/apply:os.system ['touch owned']\n",
            r"line \d+: the tag '!!python/object/apply:os.system' would run code",
        ),
    ],
)
def test_a_repeated_key_or_executable_tag_in_config_yaml_is_named(tmp_path, extra, message):
    project = tmp_path / "project"
    _scratch_project(project, _mirror_with_geography(tmp_path))
    config = project / "config" / "config.yaml"
    config.write_text(config.read_text() + extra)
    run = snakemake(project, "--dry-run")
    output = run.stdout + run.stderr
    assert run.returncode != 0
    assert re.search(f"config/config.yaml, {message}", output), output[-2000:]
    assert "whitespace" not in output and not (project / "owned").exists()


def _set_config(project, section, key, value):
    path = project / "config" / "config.yaml"
    config = yaml.safe_load(path.read_text())
    config[section][key] = value
    path.write_text(yaml.safe_dump(config, sort_keys=False))


def test_a_headline_year_before_the_scope_break_stops_with_the_year_read_from_the_data(project, tmp_path):
    copy = _built_copy(project, tmp_path)
    _set_config(copy, "headlines", "from_year", "2008-09")
    run = snakemake(copy, "results/national/headlines.csv")
    assert run.returncode != 0
    log = (copy / "results" / "logs" / "build_national_series.log").read_text()
    assert "headlines.from_year (2008-09) is before 2010-11, the first year S251 Table A1 covers every" in log
    assert "Traceback" not in log and "nan" not in log.split("ERROR", 1)[1]


def test_a_headline_year_outside_the_panel_stops_before_any_job(tmp_path):
    project = tmp_path / "project"
    _scratch_project(project, _mirror_with_geography(tmp_path))
    _set_config(project, "headlines", "from_year", "2030-31")
    run = snakemake(project, "--dry-run")
    assert run.returncode != 0
    assert "headlines.from_year (2030-31) must lie in years 2008-09 to 2024-25" in run.stdout + run.stderr


def test_an_unknown_la_code_is_warned_at_the_end_and_fails_strict_mode(project, tmp_path):
    copy = _built_copy(project, tmp_path)
    _edit_and_repin(copy, "cla_2025_cla_number_and_rate_per_10k_children", b",330,Birmingham,", b",399,Birmingham,")
    run = snakemake(copy)
    assert run.returncode == 0, run.stderr[-3000:]
    end = (run.stdout + run.stderr).rsplit("Exclusions and warnings by kind", 1)[1]
    line = next(x for x in end.splitlines() if x.startswith("- units: LA number not in the geography reference"))
    assert "cla_2025_cla_number_and_rate_per_10k_children" in line and line.endswith("[NOT ACCEPTED]")
    warnings = pd.read_csv(copy / "results" / "panel" / "warnings.csv").set_index("kind")
    assert warnings.loc["units: LA number not in the geography reference", "largest_effect"] > 0.02  # Birmingham

    strict = snakemake(copy, "--config", "strict=true")
    assert strict.returncode != 0
    log = (copy / "results" / "logs" / "summarise_exclusions.log").read_text()
    assert "strict mode (config strict: true)" in log and "units: LA number not in the geography reference" in log
    assert "Traceback" not in log


def test_years_beyond_every_source_are_warned_not_padded_silently(project, tmp_path):
    copy = _built_copy(project, tmp_path)
    _set_config(copy, "years", "last", "2025-26")
    run = snakemake(copy, "results/panel/warnings.csv")
    assert run.returncode == 0, run.stderr[-3000:]
    log = (copy / "results" / "logs" / "join_panel.log").read_text()
    assert "years ['2025-26'] are in config years but no pinned source has a value for them" in log
    warnings = pd.read_csv(copy / "results" / "panel" / "warnings.csv").set_index("kind")
    padded = warnings.loc["panel: year in config years that no source covers: padded with no_data"]
    assert not padded["accepted"] and padded["year"] == "2025-26"
