"""The whole pipeline on the real official files (the mirror in ../shared/data).

Runs the Snakemake DAG once in a scratch copy of the project (the ``project`` fixture of
conftest.py, shared with test_bad_inputs), then checks the acceptance
figures, that a rerun does nothing, and that rebuilding gives byte-identical tables.
"""

import re
import shutil

import pandas as pd
import pytest
import yaml
from pipeline import MIRROR, snakemake
from pipeline import mirror_with_geography as _mirror_with_geography
from pipeline import scratch_project as _scratch_project

from childspend import measures
from childspend.panel import dictionary

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not MIRROR.is_dir(), reason="needs the official files in ../shared/data"),
]


def england(project, measure):
    panel = pd.read_parquet(project / "results" / "panel" / "panel_long.parquet")
    rows = panel[(panel["area_level"] == "england") & (panel["measure"] == measure)]
    return rows.set_index("year")


def test_rerun_with_nothing_changed_does_nothing(project):
    dry = snakemake(project, "--dry-run")
    assert dry.returncode == 0
    assert "Nothing to be done" in dry.stdout + dry.stderr


def test_rebuild_gives_identical_bytes(project):
    outputs = sorted(
        path
        for folder in ("panel", "reconciliation", "real", "national", "figures", "reports")
        for path in (project / "results" / folder).glob("*")
    )
    before = {p: p.read_bytes() for p in outputs}
    run = snakemake(
        project,
        "--forcerun",
        "build_spending_panel",
        "build_activity_panel",
        "join_panel",
        "reconcile_spending",
        "reconcile_activity",
        "deflate_panel",
        "build_national_series",
        "plot_national",
        "render_national_report",
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert {p: p.read_bytes() for p in outputs} == before


def test_s251_gross_total_present_every_year(project):
    gross = england(project, "s251_gross_total")
    years = [f"{y}-{(y + 1) % 100:02d}" for y in range(2008, 2025)]
    assert gross.loc[years, "value"].notna().all()
    # GBP 6.0bn in 2008-09 (Table A1 then had no Sure Start or young people's blocks) to 16.0bn
    assert gross.loc[years, "value"].between(5e9, 20e9).all()
    assert gross.loc["2010-11":, "value"].gt(8e9).all()


def test_mhclg_childrens_social_care_2017_18_matches_published(project):
    net = england(project, "csc_net_total").loc["2017-18", "value"]
    assert abs(net / 8.84e9 - 1) < 0.01


def test_a1_and_lait_agree_in_overlap_years(project):
    table = pd.read_csv(project / "results" / "reconciliation" / "s251_a1_vs_lait.csv")
    totals = table[(table["level"] == "england") & (table["category"] == "total")]
    assert set(totals["year"]) >= {"2015-16", "2016-17", "2017-18", "2018-19"} - {"2015-16"}
    assert (totals["relative_difference"].abs() < 0.01).all(), totals.to_string()


def test_every_gap_over_tolerance_is_explained(project):
    table = pd.read_csv(project / "results" / "reconciliation" / "england_rows.csv", dtype={"explanation": str})
    over = table[table["within_tolerance"].eq(False)]
    assert over["explanation"].notna().all()
    assert not over["explanation"].str.startswith("unexplained").any(), over.to_string()
    # the acceptance figure: every RO3/RS/RSX year has a published England row to compare with
    revenue = table[table["source"].str.match(r"(ro3|rs|rsx)_") & (table["category"] == "total")]
    assert revenue["published_england"].notna().all()


def test_la_units_sum_to_england_for_spending(project):
    panel = pd.read_parquet(project / "results" / "panel" / "spending_long.parquet")
    la = panel[panel["area_level"] == "la"].groupby(["year", "measure"])["value"].sum()
    eng = panel[panel["area_level"] == "england"].set_index(["year", "measure"])["value"]
    regions = panel[panel["area_level"] == "region"].groupby(["year", "measure"])["value"].sum(min_count=1)
    both = pd.concat([la.rename("la"), regions.rename("regions"), eng.rename("england")], axis=1).dropna()
    assert ((both["la"] - both["england"]).abs() <= 1e-6 * both["england"].abs() + 1).all()
    assert ((both["regions"] - both["england"]).abs() <= 1e-6 * both["england"].abs() + 1).all()


def test_pipeline_stops_on_an_altered_byte_before_parsing(tmp_path):
    mirror = _mirror_with_geography(tmp_path)
    las = mirror / "geography" / "las.csv"
    data = bytearray(las.read_bytes())
    data[100] ^= 1
    las.write_bytes(bytes(data))
    _scratch_project(tmp_path / "project", mirror)
    run = snakemake(tmp_path / "project", "results/ingest/geography.parquet")
    assert run.returncode != 0
    log = (tmp_path / "project" / "results" / "logs" / "fetch_raw" / "geography" / "las.csv.log").read_text()
    assert "does not match its pin" in log and "expected sha256" in log and "actual   sha256" in log
    assert not (tmp_path / "project" / "results" / "ingest" / "geography.parquet").exists()


def test_pipeline_names_a_file_missing_from_every_mirror(tmp_path):
    mirror = _mirror_with_geography(tmp_path)
    (mirror / "geography" / "region_la_hierarchy.csv").unlink()
    _scratch_project(tmp_path / "project", mirror)
    sources = yaml.safe_load((tmp_path / "project" / "config" / "sources.yaml").read_text())
    sources["sources"]["geo_region_la_hierarchy"].pop("url")  # no download either
    (tmp_path / "project" / "config" / "sources.yaml").write_text(yaml.safe_dump(sources, sort_keys=False))
    run = snakemake(tmp_path / "project", "results/ingest/geography.parquet")
    assert run.returncode != 0
    log = (
        tmp_path / "project" / "results" / "logs" / "fetch_raw" / "geography" / "region_la_hierarchy.csv.log"
    ).read_text()
    assert "geography/region_la_hierarchy.csv is not in any mirror folder" in log
    assert sources["sources"]["geo_region_la_hierarchy"]["sha256"] in log


def test_children_looked_after_reproduce_the_national_series(project):
    cla = england(project, "cla_at_31_march")["value"]
    for year, published in {"2012-13": 68_060, "2017-18": 75_360, "2024-25": 81_770}.items():
        assert abs(cla[year] / published - 1) < 0.005, year
    assert abs(england(project, "cla_rate_per_10000").loc["2024-25", "value"] - 67) < 1
    table = pd.read_csv(project / "results" / "reconciliation" / "activity_england.csv")
    sums = table[table["measure"] == "cla_at_31_march"].set_index("year")
    assert len(sums) == 16 and (sums["relative_difference"].abs() < 0.005).all()  # LA units add up


def test_children_in_need_reproduce_the_2025_national_rows(project):
    table = pd.read_csv(project / "results" / "reconciliation" / "activity_england.csv")
    for measure in ("cin_at_31_march", "section47_enquiries", "cpp_at_31_march"):
        published = table[(table["measure"] == measure) & (table["year"] >= "2012-13")].set_index("year")
        assert published["source"].str.startswith("cin_2025_").all()
        panel = england(project, measure).loc[published.index, "value"]
        assert ((panel / published["published_england"] - 1).abs() < 0.005).all(), measure
    explained = table["within_tolerance"] | table["explanation"].fillna("").ne("")
    assert explained.all() and not table["explanation"].fillna("").str.startswith("unexplained").any()


def test_every_unit_has_a_value_or_a_flag_and_coverage_is_written(project):
    panel = pd.read_parquet(project / "results" / "panel" / "panel_long.parquet")
    la = panel[panel["area_level"] == "la"]
    assert (la["value"].notna() | (la["flag"] != "")).all()
    assert not (la["value"] == 0).groupby(la["measure"]).all().any()  # no measure silently zero
    coverage = pd.read_csv(project / "results" / "panel" / "coverage.csv")
    assert {"population_0_17", "cin_at_31_march", "imd_decile"} <= set(coverage["measure"])
    units = la["area_code"].nunique()
    assert (coverage["units"] == units).all()


def test_panel_measures_are_the_available_rows_of_the_registry(project):
    panel = pd.read_parquet(project / "results" / "panel" / "panel.parquet")
    columns = set(panel.columns) - {column for column, *_ in dictionary.META}
    status = measures.registry().set_index("measure")["status"]
    assert columns <= set(status.index), sorted(columns - set(status.index))
    assert set(status[status == "available"].index) <= columns
    assert not columns & set(status[status == "not_yet_available"].index)
    money = pd.read_parquet(project / "results" / "real" / "money_long.parquet")
    assert set(money["measure"]) == columns & set(measures.of_kind("money"))


def _planned_jobs(output: str) -> set[str]:
    """Rule names in the 'Job stats' table of a dry run."""
    jobs = set()
    for line in output.split("Job stats:", 1)[1].strip().splitlines()[2:]:
        name = line.split()[0]
        if name == "total":
            return jobs
        jobs.add(name)
    raise AssertionError(f"no job table in:\n{output}")


@pytest.mark.parametrize("key, value", [("base_year", "2017-18"), ("index", "cpih")])
def test_a_price_setting_reruns_deflation_and_what_follows_only(project, key, value):
    path = project / "config" / "config.yaml"
    original = path.read_text()
    config = yaml.safe_load(original)
    config["prices"][key] = value
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    try:
        dry = snakemake(project, "--dry-run")
    finally:
        path.write_text(original)
    assert dry.returncode == 0, dry.stderr[-2000:]
    assert _planned_jobs(dry.stdout + dry.stderr) == {
        "deflate_panel",
        "build_national_series",
        "plot_national",
        "render_national_report",
        "all",
    }


def test_an_index_that_does_not_cover_the_panel_is_a_clear_error(project, tmp_path):
    path = project / "config" / "config.yaml"
    original = path.read_text()
    config = yaml.safe_load(original)
    config["prices"]["index"] = "gdp_deflator_hmt_2020_03"  # ends in 2018-19
    config["prices"]["base_year"] = "2017-18"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    try:
        run = snakemake(project, "results/real/money_long.parquet")
        log = (project / "results" / "logs" / "deflate_panel.log").read_text()
    finally:
        path.write_text(original)
        snakemake(project)  # put the outputs back for the other tests
    assert run.returncode != 0
    assert "'gdp_deflator_hmt_2020_03' does not cover year(s) ['2019-20'" in log
    assert "it covers 1955-56 to 2018-19" in log


def test_commons_library_table_is_reproduced(project):
    table = pd.read_csv(project / "results" / "national" / "commons_library_table.csv")
    assert len(table) == 8
    assert (table["cash_difference"].abs() < 0.01).all(), table.to_string()
    assert (table["real_difference"].abs() < 0.015).all(), table.to_string()


def test_dfe_figures_and_headlines_are_written(project):
    dfe = pd.read_csv(project / "results" / "national" / "dfe_published_figures.csv").set_index("id")
    assert abs(dfe.loc["cyp_services_2021_22", "difference"]) < 0.01
    assert abs(dfe.loc["cyp_services_2022_23", "difference"]) < 0.01
    assert abs(dfe.loc["cla_share_2022_23", "pipeline"] - 0.53) < 0.01
    lines = pd.read_csv(project / "results" / "national" / "headlines.csv").set_index("id")
    assert {"early_intervention_real_change", "late_intervention_share", "cla_share"} <= set(lines.index)
    assert lines["sentence"].str.contains("GBP|%").all()
    for figure in ("cash_and_real", "early_and_late", "per_child_by_region", "cost_per_looked_after_child"):
        assert (project / "results" / "figures" / f"{figure}.png").stat().st_size > 10_000


def test_national_report_shows_the_headlines_and_figures(project):
    html = (project / "results" / "reports" / "national.html").read_text()
    assert html.count("<img") == 4
    headlines = pd.read_csv(project / "results" / "national" / "headlines.csv")
    assert headlines["sentence"].iloc[0].split(",")[0] in html
    assert "Traceback" not in html


def _planned(output: str) -> dict[str, list[str]]:
    """Jobs of a dry run as 'rule[wildcards]' -> their inputs."""
    jobs = {}
    for block in re.split(r"\n(?=rule \w+:)", output):
        rule = re.match(r"rule (\w+):", block)
        if rule:
            wildcards = re.search(r"^    wildcards: (.*)$", block, re.M)
            inputs = re.search(r"^    input: (.*)$", block, re.M)
            name = rule.group(1) + (f"[{wildcards.group(1)}]" if wildcards else "")
            jobs[name] = inputs.group(1).split(", ") if inputs else []
    return jobs


INGEST = {f"ingest_family[family={f}]" for f in ("cla", "cin", "population", "deprivation", "revenue_outturn")}
ACTIVITY_DOWNSTREAM = {
    "join_panel",
    "summarise_exclusions",
    "reconcile_activity",
    "deflate_panel",
    "build_national_series",
    "plot_national",
    "render_national_report",
    "all",
}


@pytest.mark.parametrize(
    "module, importers, planned",
    [
        # a parser helper: the three families whose parsers import it, and what reads their tables
        (
            "sources/ees.py",
            {"ingest_family[family=cla]", "ingest_family[family=cin]", "ingest_family[family=population]"},
            {
                "ingest_family[family=cla]",
                "ingest_family[family=cin]",
                "ingest_family[family=population]",
                "build_activity_panel",
                *ACTIVITY_DOWNSTREAM,
            },
        ),
        # a shared module: the parsers and panel steps that import it, and what follows them;
        # not the other parsers, the geography reference, deflation or the national stage
        (
            "codes.py",
            {
                *INGEST - {"ingest_family[family=population]"},
                "build_areas",
                "build_spending_panel",
                "build_activity_panel",
                "join_panel",
                "reconcile_spending",
                "reconcile_activity",
                "summarise_exclusions",
            },
            {
                *INGEST - {"ingest_family[family=population]"},
                "build_areas",
                "build_spending_panel",
                "build_activity_panel",
                "reconcile_spending",
                *ACTIVITY_DOWNSTREAM,
            },
        ),
    ],
)
def test_a_library_edit_reruns_exactly_the_rules_that_import_it(project, tmp_path, module, importers, planned):
    copy = tmp_path / "built"
    shutil.copytree(project, copy)  # follows the code symlinks; keeps modification times
    assert "Nothing to be done" in snakemake(copy, "--dry-run").stdout
    # an edit, not a touch: Snakemake compares checksums of inputs that are newer than outputs
    with open(copy / "workflow" / "src" / "childspend" / module, "a") as handle:
        handle.write("# an edit\n")
    dry = snakemake(copy, "--dry-run")
    assert dry.returncode == 0, dry.stderr[-2000:]
    jobs = _planned(dry.stdout)
    assert set(jobs) == planned
    assert {job for job, inputs in jobs.items() if f"workflow/src/childspend/{module}" in inputs} == importers


def test_model_frame_has_one_population_vintage_and_units_add_up(project):
    frame = pd.read_parquet(project / "results" / "models" / "frame.parquet")
    population = frame[frame["measure"] == "population_0_17"]
    units = population[population["area_level"] == "la"]
    # every unit has a population from mid-2009 (the first estimate) on
    assert units.loc[units["year"] >= "2009-10", "value"].notna().all()
    # one vintage: the Census 2021-based release wherever it gives a value, spliced elsewhere
    spliced = units[units["flag"].str.startswith("spliced:")]
    assert set(spliced["year"]) <= {f"{y}-{(y + 1) % 100:02d}" for y in range(2009, 2019)}
    assert frame["population_vintage"].nunique() == 1
    # England rows are sums of the units
    summed = units.groupby("year")["value"].sum(min_count=1)
    england = population[population["area_level"] == "england"].set_index("year")["value"]
    pd.testing.assert_series_equal(england, summed, check_names=False)
