"""The whole pipeline on the real official files (the mirror in ../shared/data).

Runs the Snakemake DAG once in a scratch copy of the project, then checks the acceptance
figures, that a rerun does nothing, and that rebuilding gives byte-identical tables.
"""

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from e2e import MIRROR, scratch_project, snakemake

from childspend import measures
from childspend.panel import dictionary
from childspend.panel.areas import read_areas
from childspend.reports.batches import unit_ids
from childspend.reports.profile_page import CSV_FILES

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not MIRROR.is_dir(), reason="needs the official files in ../shared/data"),
]

# The jobs a change to the panel reruns in the report stage (besides the national report).
PROFILE_RULES = {"build_profiles", "render_profiles", "publish_profile", "render_profile_index"}


def profile_jobs(project) -> set[str]:
    """Every profile job of a dry run that can see the units (build_areas up to date)."""
    units = unit_ids(read_areas(project / "results" / "panel" / "areas.csv"))
    return {
        "build_profiles",
        "render_profile_index",
        *(f"render_profiles[batch={n}]" for n in range(2)),
        *(f"publish_profile[area={unit}]" for unit in units),
    }


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
        for folder in ("panel", "reconciliation", "real", "national", "figures", "profiles", "reports")
        for path in (project / "results" / folder).rglob("*")
        if path.is_file()
    )
    assert len([p for p in outputs if p.parent.name == "la" and p.suffix == ".html"]) == 148
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
        "build_neighbours",
        "build_profiles",
        "render_profiles",
        "render_profile_index",
    )
    assert run.returncode == 0, run.stderr[-3000:]
    after = {p: p.read_bytes() for p in outputs}
    assert [p for p in outputs if after[p] != before[p]] == []


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


def _mirror_with_geography(tmp_path):
    mirror = tmp_path / "mirror"
    (mirror / "geography").mkdir(parents=True)
    for name in ("las.csv", "region_la_hierarchy.csv"):
        shutil.copyfile(MIRROR / "geography" / name, mirror / "geography" / name)
    return mirror


def test_pipeline_stops_on_an_altered_byte_before_parsing(tmp_path):
    mirror = _mirror_with_geography(tmp_path)
    las = mirror / "geography" / "las.csv"
    data = bytearray(las.read_bytes())
    data[100] ^= 1
    las.write_bytes(bytes(data))
    scratch_project(tmp_path / "project", mirror)
    run = snakemake(tmp_path / "project", "results/ingest/geography.parquet")
    assert run.returncode != 0
    log = (tmp_path / "project" / "results" / "logs" / "fetch_raw" / "geography" / "las.csv.log").read_text()
    assert "does not match its pin" in log and "expected sha256" in log and "actual   sha256" in log
    assert not (tmp_path / "project" / "results" / "ingest" / "geography.parquet").exists()


def test_pipeline_names_a_file_missing_from_every_mirror(tmp_path):
    mirror = _mirror_with_geography(tmp_path)
    (mirror / "geography" / "region_la_hierarchy.csv").unlink()
    scratch_project(tmp_path / "project", mirror)
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
        "build_model_frame",
        *PROFILE_RULES,
        "all",
    }


def test_an_index_that_does_not_cover_the_panel_is_a_clear_error(project, tmp_path):
    copy = tmp_path / "built"  # a copy: the failed step removes its outputs, which the other tests read
    results = project / "results"

    def reports(folder, names):  # not copied: the reports are not needed here
        return [n for n in names if Path(folder) == results and n in {"reports", "profiles", "figures"}]

    shutil.copytree(project, copy, ignore=reports)
    path = copy / "config" / "config.yaml"
    config = yaml.safe_load(path.read_text())
    config["prices"]["index"] = "gdp_deflator_hmt_2020_03"  # ends in 2018-19
    config["prices"]["base_year"] = "2017-18"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    run = snakemake(copy, "results/real/money_long.parquet")
    log = (copy / "results" / "logs" / "deflate_panel.log").read_text()
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
    for block in re.split(r"\n(?=(?:rule|checkpoint) \w+:)", output):
        rule = re.match(r"(?:rule|checkpoint) (\w+):", block)
        if rule:
            wildcards = re.search(r"^    wildcards: (.*)$", block, re.M)
            inputs = re.search(r"^    input: (.*)$", block, re.M)
            name = rule.group(1) + (f"[{wildcards.group(1)}]" if wildcards else "")
            jobs[name] = inputs.group(1).split(", ") if inputs else []
    return jobs


INGEST = {f"ingest_family[family={f}]" for f in ("cla", "cin", "population", "deprivation", "revenue_outturn")}
ACTIVITY_DOWNSTREAM = {
    "join_panel",
    "reconcile_activity",
    "deflate_panel",
    "build_national_series",
    "plot_national",
    "render_national_report",
    "all",
}


@pytest.mark.parametrize(
    "module, importers, planned, profiles",
    [
        # a parser helper: the three families whose parsers import it, and what reads their tables
        # (every profile: the areas table is up to date, so the profile jobs are planned in full)
        (
            "sources/ees.py",
            {"ingest_family[family=cla]", "ingest_family[family=cin]", "ingest_family[family=population]"},
            {
                "ingest_family[family=cla]",
                "ingest_family[family=cin]",
                "ingest_family[family=population]",
                "build_activity_panel",
                "build_model_frame",
                *ACTIVITY_DOWNSTREAM,
            },
            "all",
        ),
        # a shared module: the parsers and panel steps that import it, and what follows them;
        # not the other parsers, the geography reference, deflation or the national stage. It
        # reruns the build_areas checkpoint, so the per-unit profile jobs are not planned yet
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
                "build_neighbours",
                "build_model_frame",
                "build_profiles",
            },
            {
                *INGEST - {"ingest_family[family=population]"},
                "build_areas",
                "build_spending_panel",
                "build_activity_panel",
                "reconcile_spending",
                "build_neighbours",
                "build_model_frame",
                "build_profiles",
                "render_profile_index",
                *ACTIVITY_DOWNSTREAM,
            },
            "pending",
        ),
    ],
)
def test_a_library_edit_reruns_exactly_the_rules_that_import_it(
    project, tmp_path, module, importers, planned, profiles
):
    copy = tmp_path / "built"
    shutil.copytree(project, copy)  # follows the code symlinks; keeps modification times
    assert "Nothing to be done" in snakemake(copy, "--dry-run").stdout
    # an edit, not a touch: Snakemake compares checksums of inputs that are newer than outputs
    with open(copy / "workflow" / "src" / "childspend" / module, "a") as handle:
        handle.write("# an edit\n")
    dry = snakemake(copy, "--dry-run")
    assert dry.returncode == 0, dry.stderr[-2000:]
    jobs = _planned(dry.stdout)
    assert set(jobs) == planned | (profile_jobs(project) if profiles == "all" else set())
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


# --- profiles and the index ------------------------------------------------------------------


def test_every_stable_unit_has_a_profile_with_its_csvs(project):
    units = unit_ids(read_areas(project / "results" / "panel" / "areas.csv"))
    assert len(units) == 148
    la = project / "results" / "reports" / "la"
    assert sorted(p.stem for p in la.glob("*.html")) == units
    for unit in units:
        assert sorted(p.stem for p in (la / unit).glob("*.csv")) == sorted(CSV_FILES), unit
    index = (project / "results" / "reports" / "index.html").read_text()
    linked = set(re.findall(r"la/(\d{3})\.html", index))
    assert linked == set(units)


def test_profiles_render_their_figures_with_alt_text_and_name_the_vintage(project):
    for unit, name in [("330", "Birmingham"), ("909", "Cumbria"), ("201", "City of London")]:
        html = (project / "results" / "reports" / "la" / f"{unit}.html").read_text()
        assert f"<title>{name}" in html
        images = re.findall(r"<img [^>]*>", html)
        assert len(images) == 7
        assert all('alt="' in i and "No description" not in i for i in images)
        assert "data:image/svg+xml;base64," in html
        assert "DfE&#x27;s list of May 2025" in html or "DfE's list of May 2025" in html
        assert 'data-mime-type="application/vnd.jupyter.stderr"' not in html  # no error or warning output
        assert not re.search(r'(?:src|href)="https?://', html)  # nothing fetched, nothing linked outside
    merged = (project / "results" / "reports" / "la" / "909.html").read_text()
    assert "union of the DfE lists of its member LAs" in merged


def test_profile_numbers_agree_with_the_panel(project):
    panel = pd.read_parquet(project / "results" / "real" / "money_long.parquet")
    row = panel[
        (panel["area_code"] == "330")
        & (panel["measure"] == "s251_gross_total_per_child")
        & (panel["year"] == "2024-25")
    ].iloc[0]
    headline = pd.read_csv(project / "results" / "reports" / "la" / "330" / "headline.csv")
    per_child = headline.set_index("indicator").loc["s251_per_child_real"]
    assert abs(per_child["value"] - row["value_real"]) < 1e-6
    assert per_child["year"] == "2024-25"
