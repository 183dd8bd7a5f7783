"""The benchmark scripts' helpers on tiny inputs (the benchmarks themselves print timings; no test
checks a timing)."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import build  # noqa: E402
import probe  # noqa: E402
import same_results  # noqa: E402
import scale  # noqa: E402


def test_linear_fit_recovers_a_line_and_scores_a_curve_lower():
    slope, intercept, r2 = scale.linear_fit([1, 2, 5, 10], [3.0, 5.0, 11.0, 21.0])
    assert (slope, intercept, r2) == pytest.approx((2.0, 1.0, 1.0))
    assert scale.linear_fit([1, 2, 5, 10], [1.0, 4.0, 25.0, 100.0])[2] < 0.99


def test_replicate_copies_unit_rows_only_under_new_codes_with_jitter():
    table = pd.DataFrame(
        {
            "area_level": ["england", "la", "la"],
            "area_code": ["E92000001", "201", "202"],
            "value": [10.0, 1.0, np.nan],
        }
    )
    out = scale.replicate(table, 3, "area_code")
    assert list(out["area_code"]) == ["E92000001", "201", "202", "201s1", "202s1", "201s2", "202s2"]
    copies = out[out["area_code"].str.startswith("201")]["value"]
    assert copies.between(0.95, 1.05).all() and copies.nunique() == 3
    assert out.loc[out["area_code"].str.startswith("202"), "value"].isna().all()
    pd.testing.assert_frame_equal(scale.replicate(table, 1, "area_code"), table)


def test_replicated_neighbours_stay_within_their_copy():
    neighbours = pd.DataFrame({"unit_id": ["201", "201"], "neighbour_id": ["202", "203"]})
    out = scale.replicate_neighbours(neighbours, 2)
    assert list(zip(out["unit_id"], out["neighbour_id"])) == [
        ("201", "202"),
        ("201", "203"),
        ("201s1", "202s1"),
        ("201s1", "203s1"),
    ]


def _results(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "results" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_same_results_names_changed_and_missing_files_and_ignores_logs(tmp_path):
    a = _results(tmp_path / "a", {"panel/x.csv": "1", "panel/y.csv": "2", "logs/run.log": "took 3 s"})
    b = _results(tmp_path / "b", {"panel/x.csv": "1", "panel/y.csv": "2", "logs/run.log": "took 4 s"})
    assert same_results.differences(a, b) == []
    (b / "results" / "panel" / "y.csv").write_text("3")
    (b / "results" / "panel" / "z.csv").write_text("")
    assert same_results.differences(a, b) == [f"only in {b}: panel/z.csv", "differs: panel/y.csv"]


def test_stage_rules_are_read_from_the_rule_files():
    assert build.stage_rules("ingest") == ["ingest_geography", "ingest_family"]
    assert "build_areas" in build.stage_rules("clean")
    assert set(build.STAGES) == {path.stem for path in build.RULES.glob("*.smk")} - {"common"}


def test_forced_stages_rerun_their_rules_and_omit_every_later_stage():
    args = build.forced(build.DATA_STAGES)
    forced, omitted = args[1 : args.index("--omit-from")], args[args.index("--omit-from") + 1 :]
    assert args[0] == "--forcerun" and forced[:2] == ["ingest_geography", "ingest_family"]
    assert "build_areas" in forced and "deflate_panel" in forced and "build_national_series" in omitted
    assert not set(forced) & set(omitted)
    assert "--omit-from" not in build.forced(["report"])


def test_jobs_run_reads_snakemakes_progress_lines():
    log = "3 of 5 steps (60%) done\n...\n5 of 5 steps (100%) done\n"
    assert build.jobs_run(log) == 5
    assert build.jobs_run("Nothing to be done (all requested files are present and up to date).") == 0


def test_the_floor_workflow_has_the_asked_number_of_jobs_and_then_nothing_to_do(tmp_path):
    folder = build.floor_project(tmp_path / "floor", 12)
    assert len(list((folder / "out").glob("*.txt"))) == 11  # and `all`
    dry = subprocess.run([sys.executable, "-m", "snakemake", "--dry-run"], cwd=folder, capture_output=True, text=True)
    assert "Nothing to be done" in dry.stdout


def test_probe_reads_each_pinned_file_by_its_format(tmp_path):
    (tmp_path / "config").mkdir()
    (tmp_path / "raw" / "a").mkdir(parents=True)
    pd.DataFrame({"x": [1, 2]}).to_csv(tmp_path / "raw" / "a" / "one.csv", index=False)
    (tmp_path / "raw" / "a" / "latin.csv").write_bytes("Title\nname,x\nCaf\xe9,1\n".encode("latin-1"))
    pd.DataFrame({"x": [1.5]}).to_excel(tmp_path / "raw" / "a" / "two.xlsx", index=False)
    sources = {
        "one": {"path": "a/one.csv", "family": "f"},
        "latin": {"path": "a/latin.csv", "family": "f"},
        "two": {"path": "a/two.xlsx", "family": "g"},
    }
    (tmp_path / "config" / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}, sort_keys=False))
    families = probe.pinned_files(tmp_path)
    assert {f: [p.name for p in paths] for f, paths in families.items()} == {
        "f": ["one.csv", "latin.csv"],
        "g": ["two.xlsx"],
    }
    assert [len(probe.read_file(path)) for path in families["f"]] == [2, 3]  # a title row: csv module
    assert probe.read_file(families["g"][0]) == [[["x"], [1.5]]]
    measured = probe.measure_reads(families)
    assert measured["files"] == 3 and set(measured["family_s"]) == {"f", "g"}
    with pytest.raises(ValueError, match="no probe reader"):
        probe.read_file(tmp_path / "config" / "sources.yaml")
