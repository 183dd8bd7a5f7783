"""The whole pipeline on the real official files (the mirror in ../shared/data).

Runs the Snakemake DAG once in a scratch copy of the project (the ``project`` fixture of
conftest.py, shared with test_bad_inputs), then checks the acceptance
figures, that a rerun does nothing, and that rebuilding gives byte-identical tables.
"""

import re
import shutil
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from pipeline import MIRROR, ROOT, snakemake
from pipeline import mirror_with_geography as _mirror_with_geography
from pipeline import planned as _planned
from pipeline import scratch_project as _scratch_project

from childspend import measures
from childspend.panel import dictionary
from childspend.panel.areas import read_areas
from childspend.reports import model_plots
from childspend.reports.batches import unit_ids
from childspend.reports.profile_page import CSV_FILES

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not MIRROR.is_dir(), reason="needs the official files in ../shared/data"),
]

# The jobs a change to the panel reruns in the report stage (besides the national report).
PROFILE_RULES = {"build_profiles", "render_profiles", "publish_profiles", "render_profile_index"}
# The same as jobs: the tables, both batches, their publishing and the index.
PROFILE_JOBS = {
    "build_profiles",
    "render_profiles[batch=0]",
    "render_profiles[batch=1]",
    "publish_profiles",
    "render_profile_index",
}


def england(project, measure):
    panel = pd.read_parquet(project / "results" / "panel" / "panel_long.parquet")
    rows = panel[(panel["area_level"] == "england") & (panel["measure"] == measure)]
    return rows.set_index("year")


def test_rerun_with_nothing_changed_does_nothing(project):
    dry = snakemake(project, "--dry-run")
    assert dry.returncode == 0
    assert "Nothing to be done" in dry.stdout + dry.stderr


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


def _dry_run_with(project, name: str, edit):
    """A dry run of the built project with config/``name`` changed by ``edit`` (a function that
    changes the parsed YAML in place), the file put back afterwards."""
    path = project / "config" / name
    original = path.read_text()
    data = yaml.safe_load(original)
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    try:
        return snakemake(project, "--dry-run")
    finally:
        path.write_text(original)


def _planned_jobs(output: str) -> set[str]:
    """Rule names in the 'Job stats' table of a dry run."""
    jobs = set()
    for line in output.split("Job stats:", 1)[1].strip().splitlines()[2:]:
        name = line.split()[0]
        if name == "total":
            return jobs
        jobs.add(name)
    raise AssertionError(f"no job table in:\n{output}")


INGEST = {f"ingest_family[family={f}]" for f in ("cla", "cin", "population", "deprivation", "revenue_outturn")}
# what follows from the activity panel: the joined panel, real terms, national outputs, models
DOWNSTREAM = {
    "deflate_panel",
    "build_national_series",
    "plot_national",
    "render_national_report",
    "build_model_frame",
    "decompose_growth",
    "build_deprivation_gradient",
    "plot_deprivation_gradient",
    "project_demand",
    "plot_projections",
    "plot_drivers",
    "write_model_headlines",
}
# the model rules after the frame, and their jobs (one per panel model id)
MODEL_RULES = {"fit_panel_model", "fit_cross_section", "collect_models"}
PANEL_MODELS = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["models"]["panel"]
MODEL_JOBS = {"fit_cross_section", "collect_models", *(f"fit_panel_model[model_id={m}]" for m in PANEL_MODELS)}
ACTIVITY_DOWNSTREAM = {"join_panel", "summarise_exclusions", "reconcile_activity", *DOWNSTREAM, *MODEL_JOBS, "all"}


@pytest.mark.parametrize("key, value", [("base_year", "2017-18"), ("index", "cpih")])
def test_a_price_setting_reruns_deflation_and_what_follows_only(project, key, value):
    def edit(config):
        config["prices"][key] = value

    dry = _dry_run_with(project, "config.yaml", edit)
    assert dry.returncode == 0, dry.stderr[-2000:]
    assert _planned_jobs(dry.stdout + dry.stderr) == {*DOWNSTREAM, *MODEL_RULES, *PROFILE_RULES, "all"}


def test_editing_the_decomposition_block_reruns_only_the_decomposition(project):
    def edit(config):
        config["models"]["decomposition"]["periods"].append({"from": "2014-15", "to": "latest"})

    dry = _dry_run_with(project, "config.yaml", edit)
    assert dry.returncode == 0, dry.stderr[-2000:]
    # and what reads the decomposition: its figure, the model sentences and every profile
    assert _planned_jobs(dry.stdout + dry.stderr) == {
        "decompose_growth",
        "plot_drivers",
        "write_model_headlines",
        "render_national_report",  # it shows the decomposition's sentences and figure
        *PROFILE_RULES,  # each profile shows its unit's decomposition
        "all",
    }


def test_editing_the_gradient_figure_block_reruns_only_the_figure(project):
    def edit(config):
        config["models"]["deprivation_gradient"]["figure"]["grouping"] = "idaci_2019_quintiles"

    dry = _dry_run_with(project, "config.yaml", edit)
    assert dry.returncode == 0, dry.stderr[-2000:]
    # and the national report, which embeds the figure
    assert _planned_jobs(dry.stdout + dry.stderr) == {"plot_deprivation_gradient", "render_national_report", "all"}


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
    assert lines["sentence"].str.contains("%").all() and not lines["sentence"].str.contains("GBP").any()
    for figure in ("cash_and_real", "early_and_late", "per_child_by_region", "cost_per_looked_after_child"):
        assert (project / "results" / "figures" / f"{figure}.png").stat().st_size > 10_000


def test_national_report_shows_the_headlines_and_figures(project):
    reports = project / "results" / "reports"
    html = (reports / "national.html").read_text()
    images = re.findall(r"<img [^>]*>", html)
    assert len(images) == 9  # the four national figures and five of the models
    assert all(re.search(r'alt="[^"]{40,}"', image) for image in images)
    # the model figures' alt text is written by the rules that drew them, from what they drew
    starts = (
        "Stacked bar chart: each part's share of the change",
        "Line chart: early intervention spending per child by",
        "Dot-and-interval chart:",
        "Small multiples: Children looked after at 31 March",
        "Grid of line charts",
    )
    assert [sum(f'alt="{start}' in image for image in images) for start in starts] == [1] * len(starts)
    assert "No description has been provided" not in html
    assert "<title>Children's services spending in England: national report</title>" in html
    assert html.count("<table") == html.count("<caption>")
    headlines = pd.read_csv(project / "results" / "national" / "headlines.csv")
    text = unescape(html)
    assert all(sentence[:60] in text for sentence in headlines["sentence"])
    assert "Traceback" not in html
    for section in ("Headlines", "Caveats", "Methods-and-provenance"):
        assert f'<h2 id="{section}">' in html, section
    assert 'href="index.html"' in html and 'href="national_sources.csv"' in html
    pinned = pd.read_csv(reports / "national_sources.csv")
    sources = yaml.safe_load((project / "config" / "sources.yaml").read_text())["sources"]
    assert sorted(pinned["id"]) == sorted(sources) and (pinned["sha256"].str.len() == 64).all()
    assert pinned["licence"].ne("").all() and pinned["publisher"].ne("").all()


def test_headline_changes_over_incomplete_england_totals_are_like_for_like(project):
    """The 2024-25 S251 total lacks two councils' returns, so its change since 2010-11 is measured
    over the units present in both years, naming the two, with the all-units figure beside it."""
    lines = pd.read_csv(project / "results" / "national" / "headlines.csv", keep_default_na=False).set_index("id")
    money = pd.read_parquet(project / "results" / "real" / "money_long.parquet")
    units = money[(money["area_level"] == "la") & (money["measure"] == "s251_gross_total")]
    wide = units.pivot(index="area_name", columns="year", values="value_real")[["2010-11", "2024-25"]]
    missing = sorted(wide.index[wide.isna().any(axis=1)])
    assert missing == ["Middlesbrough", "Wandsworth"]  # no 2024-25 S251 return
    total = lines.loc["s251_gross_total_real_change"]
    assert total["basis"] == "like_for_like" and sorted(total["left_out"].split("; ")) == missing
    kept = wide.dropna()
    assert total["value"] == round((kept["2024-25"].sum() / kept["2010-11"].sum() - 1) * 100, 1)
    share = wide.loc[missing, "2010-11"].sum() / wide["2010-11"].sum()
    assert total["left_out_share"] == round(share * 100, 2)
    series = pd.read_csv(project / "results" / "national" / "series.csv")
    england = series[(series["area_level"] == "england") & (series["measure"] == "s251_gross_total")]
    real = england.set_index("year")["real"]
    assert total["all_units_value"] == round((real["2024-25"] / real["2010-11"] - 1) * 100, 1)
    assert "Middlesbrough" in total["sentence"] and "over every council reporting each year" in total["sentence"]
    # spending per looked-after child: one unit's count is suppressed in every year
    per_cla = lines.loc["s251_gross_children_looked_after_per_cla_real_change"]
    assert per_cla["basis"] == "like_for_like" and "Isles of Scilly" in per_cla["left_out"].split("; ")


def test_snakemake_report_holds_the_figures_and_their_captions(project, tmp_path):
    out = tmp_path / "report.html"
    run = snakemake(project, "--report", str(out))
    assert run.returncode == 0, run.stderr[-3000:]
    html = out.read_text()
    # the captions sit in the report's data as rendered HTML in JSON strings: compare the words
    text = " ".join(unescape(re.sub(r"<[^>]+>", "", html.replace("\\n", " "))).split())
    captions = sorted((ROOT / "workflow" / "report").glob("*.rst"))
    assert len(captions) > 10
    for caption in captions:  # each caption's first words appear in the report
        words = " ".join(caption.read_text().replace("**", "").replace("``", "").split()[:6])
        assert words in text, (caption.name, words)
    for figure in ("cash_and_real.png", "early_and_late.png", "national.html", "headlines.csv", "index.html"):
        assert figure in html, figure


@pytest.mark.parametrize(
    "module, importers, planned",
    [
        # a parser helper: the three families whose parsers import it, and what reads their tables
        # (every profile among them)
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
        ),
        # the profiles' model tables: the stage that builds them and the batches whose notebook
        # imports them through the page; then every profile, and nothing else
        (
            "reports/profile_models.py",
            {"build_profiles", "render_profiles[batch=0]", "render_profiles[batch=1]"},
            {"all"},
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
                "build_model_frame",
                "decompose_growth",
                "project_demand",
                "summarise_exclusions",
                "build_neighbours",
                "plot_projections",
                "build_profiles",
                "render_profiles[batch=0]",
                "render_profiles[batch=1]",
            },
            {
                *INGEST - {"ingest_family[family=population]"},
                "build_areas",
                "build_spending_panel",
                "build_activity_panel",
                "reconcile_spending",
                "build_neighbours",
                "build_model_frame",
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
    assert set(jobs) == planned | PROFILE_JOBS
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


def decomposition(project, name="decomposition"):
    return pd.read_csv(project / "results" / "models" / f"{name}.csv", dtype={"area_code": str}, keep_default_na=False)


PERIOD = ["quantity", "from_year", "to_year"]


def test_decomposition_parts_add_up_for_england_and_every_unit(project):
    table = decomposition(project).replace("", float("nan"))
    keys = ["area_level", "area_code", *PERIOD]
    totals = table[table["component"] == "total"].set_index(keys)["value"]
    summed = table[table["component"] != "total"].groupby(keys)["value"].sum().reindex(totals.index)
    assert totals.index.is_unique
    assert ((summed - totals).abs() <= 1e-9 * totals.abs() + 1e-6).all()  # 1e-6: changes that are zero
    # every area is decomposed or excluded with a reason, in every identity and period
    frame = pd.read_parquet(project / "results" / "models" / "frame.parquet")
    areas = set(frame["area_code"])
    out = decomposition(project, "decomposition_exclusions")
    assert (out["reason"] != "").all()
    excluded = out[out["status"] == "excluded"].groupby(PERIOD)["area_code"].agg(set)
    for period, codes in table.groupby(PERIOD)["area_code"].agg(set).items():
        assert codes | excluded.get(period, set()) == areas and not codes & excluded.get(period, set())
    assert (excluded.map(len) < 0.05 * len(areas)).all()  # a few units, never most of an identity
    config = yaml.safe_load((project / "config" / "config.yaml").read_text())["models"]["decomposition"]
    england = table[(table["area_level"] == "england") & (table["component"] == "total")]
    assert len(england) == len(config["identities"]) * len(config["periods"])


def test_decomposition_aggregates_over_the_units_it_keeps(project):
    table = decomposition(project)
    by = [*PERIOD, "component"]
    units = table[table["area_level"] == "la"].groupby(by)["value"].sum()
    england = table[table["area_level"] == "england"].set_index(by)["value"].reindex(units.index)
    # changes add across areas, and so do the service lines of the shift-share; LMDI terms do not
    total = units.index.get_level_values("component") == "total"
    lines = units.index.get_level_values("quantity") == "total_spend_by_service_line"
    pd.testing.assert_series_equal(units[total | lines], england[total | lines], rtol=1e-9, check_names=False)
    # a region with every unit kept has the frame's own values of each factor, and so does a unit
    factors = decomposition(project, "decomposition_factors")
    notes = decomposition(project, "decomposition_exclusions")
    partial = set(notes[["area_code", *PERIOD]].itertuples(index=False, name=None))
    factors = factors[[(a, *p) not in partial for a, *p in factors[["area_code", *PERIOD]].itertuples(index=False)]]
    frame = pd.read_parquet(project / "results" / "models" / "frame.parquet").set_index(
        ["area_code", "year", "measure"]
    )
    checked = factors[factors["measure"].isin(frame.index.get_level_values("measure"))]
    assert {"la", "region"} <= set(checked["area_level"])
    # within 1e-9 and the CSV's 6 decimals, the service lines' sum against S251's total within the tolerance
    rtol = checked["component"].eq("total").map({True: 1e-5, False: 1e-9}).to_numpy()
    for side in ("from", "to"):
        keys = pd.MultiIndex.from_arrays([checked["area_code"], checked[f"{side}_year"], checked["measure"]])
        expected = frame["value"].reindex(keys).to_numpy()
        assert (abs(checked[f"{side}_value"].astype(float).to_numpy() - expected) <= rtol * abs(expected) + 1e-6).all()


def test_decomposition_population_does_not_explain_the_rise_in_cla_spending(project):
    """The seeds' reading (seed 000): a 7% rise in children does not account for the rise in spending."""
    table = decomposition(project)
    england = table[
        (table["area_level"] == "england") & (table["quantity"] == "cla_spend") & (table["from_year"] == "2010-11")
    ]
    shares = england.set_index(["to_year", "component"])["share_of_change"].astype(float)
    assert (shares.xs("population", level="component") < 0.25).all()
    assert (shares.xs("total", level="component") == 1).all()


def _config(project):
    return yaml.safe_load((project / "config" / "config.yaml").read_text())


def test_every_configured_panel_model_is_fitted_on_unit_las(project):
    from childspend.models.panel_models import COEFFICIENTS, FIT

    models = project / "results" / "models"
    ids = sorted(_config(project)["models"]["panel"])
    fit = pd.read_csv(models / "fit.csv")
    coefficients = pd.read_csv(models / "coefficients.csv")
    assert list(fit.columns) == FIT and list(coefficients.columns) == COEFFICIENTS
    assert sorted(fit["model_id"]) == ids == sorted(coefficients["model_id"].unique())
    assert all((models / "fits" / i / "coefficients.csv").is_file() for i in ids)
    assert fit["converged"].all()
    # the two councils with under 5,000 children are left out, with their reason
    assert fit["exclusions"].str.contains("201 City of London: mean child population").all()
    assert fit["exclusions"].str.contains("420 Isles of Scilly").all()
    assert fit["n_areas"].between(140, 146).all()
    twfe = coefficients[coefficients["model_id"] == "twfe_cla_rate"]
    assert twfe["term"].tolist() == [
        "early_intervention_per_child_gbp100_lag1",
        "child_poverty_pct",
        "log_population_0_17",
    ]
    assert twfe["years"].iloc[0] == "2014-15 to 2021-22" and twfe["formula"].str.contains(r"C\(year\)").all()
    assert (
        twfe["sample"].str.contains("2024-25 prices").all() and twfe["sample"].str.contains("Census 2021-based").all()
    )


def test_year_effects_decide_the_preventative_spend_estimate(project):
    """What these data say about Webb (2024): without year effects the within-between estimate of
    two years of preventative spend is large and negative; with them it is several times smaller
    and indistinguishable from zero, as is the two-way fixed-effects estimate."""
    table = pd.read_csv(project / "results" / "models" / "published_comparison.csv")
    webb = table[table["comparison_id"] == "webb_2024_preventative_spend_cla"].set_index("model_id")
    none = webb.loc["hybrid_cla_rate_spend_two_years_no_year_effects"]
    years = webb.loc["hybrid_cla_rate_spend_two_years_year_effects"]
    twfe = webb.loc["twfe_cla_rate_spend_two_years"]
    assert none["ci_high"] < 0 and none["published_estimate"] == -3.5
    assert abs(none["estimate"]) > 3 * abs(years["estimate"])
    assert years["ci_low"] < 0 < years["ci_high"] and twfe["ci_low"] < 0 < twfe["ci_high"]
    assert twfe["time_control"].startswith("year effects") and none["time_control"].startswith("none")


def test_bennett_closest_specification_sits_beside_the_published_interval(project):
    table = pd.read_csv(project / "results" / "models" / "published_comparison.csv")
    bennett = table[table["comparison_id"] == "bennett_2022_poverty_care_entries"].set_index("model_id")
    ours = bennett.loc["hybrid_cla_started_rate_poverty_2015_2020_year_effects"]
    assert ours["years"] == "2014-15 to 2019-20" and ours["factor"] == 10
    assert ours["ci_low"] < ours["published_ci_high"] and ours["published_ci_low"] < ours["ci_high"]
    assert "under-16" in ours["faithful_replication"] and ours["source"].startswith("Bennett")


def test_cross_section_of_spend_per_child(project):
    models = project / "results" / "models"
    fit = pd.read_csv(models / "cross_section_fit.csv")
    spec = _config(project)["models"]["cross_section"]
    assert fit["year"].tolist() == [f"{y}-{(y + 1) % 100:02d}" for y in range(2010, 2025)]
    assert (fit["loo_r_squared"] < fit["adj_r_squared"]).all() and (fit["adj_r_squared"] < fit["r_squared"]).all()
    assert fit["r_squared"].between(0.5, 0.85).all()
    needs = pd.read_csv(models / "needs_adjusted.csv", dtype={"area_code": str})
    assert len(needs) == fit["n_obs"].sum()
    assert ((needs["lower"] < needs["predicted"]) & (needs["predicted"] < needs["upper"])).all()
    assert 0.9 < (needs["position"] == "within").mean() < 0.99
    # inner London is DfE's list: the LA code list's "Inner London" region
    codes = pd.read_excel(MIRROR / "geography" / "la_code_list.xlsx", engine="calamine")
    inner = codes.loc[codes["Region"] == "Inner London", "LA Number"].astype(str)
    assert sorted(spec["area_sets"]["inner_london"]["areas"]) == sorted(inner)


def test_editing_one_model_block_reruns_only_that_model(project):
    def edit(config):
        config["models"]["panel"]["twfe_cin_rate"]["min_child_population"] = 6000

    dry = _dry_run_with(project, "config.yaml", edit)
    assert dry.returncode == 0, dry.stderr[-2000:]
    assert set(_planned(dry.stdout)) == {
        "fit_panel_model[model_id=twfe_cin_rate]",
        "collect_models",
        "plot_drivers",
        "write_model_headlines",
        "render_national_report",
        "all",
    }


def test_model_refits_give_identical_bytes(project):
    outputs = sorted(
        p for p in (project / "results" / "models").rglob("*.csv") if p.name not in {"frame.csv", "population.csv"}
    )
    before = {p: p.read_bytes() for p in outputs}
    run = snakemake(project, "--forcerun", "fit_panel_model", "fit_cross_section", "collect_models")
    assert run.returncode == 0, run.stderr[-3000:]
    assert {p: p.read_bytes() for p in outputs} == before


def _gradient_inputs(project):
    models = project / "results" / "models"
    config = yaml.safe_load((project / "config" / "config.yaml").read_text())["models"]["deprivation_gradient"]
    gradient = model_plots.read_gradient(models / "deprivation_gradient.csv")
    groups = model_plots.read_groups(models / "deprivation_groups.csv")
    return config, gradient, groups, pd.read_parquet(models / "frame.parquet")


def test_deprivation_groups_hold_every_unit_once_in_equal_counts(project):
    config, _, groups, frame = _gradient_inputs(project)
    units = set(frame.loc[frame["area_level"] == "la", "area_code"])
    assert len(units) == 148
    for name, spec in config["groupings"].items():
        members = groups[groups["grouping"] == name]
        # every unit has a score in both editions, so every unit is in exactly one group
        assert members["area_code"].is_unique and set(members["area_code"]) == units, name
        sizes = members["group"].value_counts()
        assert set(sizes.index) == set(range(1, spec["groups"] + 1))
        assert sizes.max() - sizes.min() <= 1
        bounds = members.groupby("group")["score"].agg(["min", "max"]).sort_index()
        assert (bounds["max"].to_numpy()[:-1] <= bounds["min"].to_numpy()[1:]).all(), name  # 1 = least deprived


def test_gradient_pools_the_units_and_all_groups_pool_to_england(project):
    config, gradient, groups, frame = _gradient_inputs(project)
    la = frame[frame["area_level"] == "la"].set_index(["area_code", "year", "measure"])["value"].unstack("measure")
    england = frame[frame["area_level"] == "england"].set_index(["measure", "year"])
    levels = gradient.set_index(["grouping", "measure", "group", "year"])["value"]
    for name, spec in config["measures"].items():
        parts = la[[spec["numerator"], spec["denominator"]]].dropna().reset_index()
        parts.columns = ["area_code", "year", "num", "den"]
        # the England value of the same measure is the pooled value over all units where no unit lacks a part
        complete = england.loc[name]
        complete = complete[~complete["flag"].str.contains("incomplete")].dropna(subset=["value"])
        for grouping in config["groupings"]:
            members = parts.merge(groups[groups["grouping"] == grouping], on="area_code")
            sums = members.groupby(["group", "year"])[["num", "den"]].sum()
            mine = levels.loc[(grouping, name)]
            for (group, year), row in sums.iterrows():
                assert mine.loc[(str(group), year)] == pytest.approx(row["num"] / row["den"] * spec["scale"], rel=1e-6)
            total = members.groupby("year")[["num", "den"]].sum()
            pooled = total["num"] / total["den"] * spec["scale"]
            years = complete.index
            assert len(years) >= 5, name  # CIN: 7 years in which every unit reports
            np.testing.assert_allclose(pooled.loc[years], complete["value"], rtol=1e-9, err_msg=f"{grouping} {name}")


def test_gradient_headlines_test_the_sector_reading_with_numbers(project):
    lines = pd.read_csv(project / "results" / "models" / "gradient_headlines.csv").set_index("id")
    sector = lines.loc["sector_reading_early_intervention_per_child", "sentence"]
    assert "most deprived" in sector and "%" in sector and "£" in sector
    change = lines.loc["idaci_2019_quintiles_early_intervention_per_child_change_most_vs_least"]
    assert change["years"] == "2010-11 to 2024-25" and "2024-25 prices" in change["sentence"]
    assert (project / "results" / "figures" / "deprivation_gradient.png").stat().st_size > 10_000


def projection_table(project, name):
    """A projection output with codes, years and horizons as text and numbers as numbers."""
    text = {c: str for c in ("area_code", "origin", "year", "horizon", "flag", "published_id", "published_origin")}
    path = project / "results" / "models" / f"{name}.csv"
    table = pd.read_csv(path, dtype=text, keep_default_na=False, na_values=[""])
    return table.fillna({c: "" for c in text if c in table})


SCENARIOS = {"recent_trend", "long_run_trend", "flat", "current_trends", "unit_costs_held"}
FUTURE = [f"{y}-{(y + 1) % 100:02d}" for y in range(2025, 2031)]
ORIGINS = [f"{y}-{(y + 1) % 100:02d}" for y in range(2014, 2021)]


def test_projections_cover_every_scenario_area_and_year_and_units_add_up_to_england(project):
    table = projection_table(project, "projections")
    assert list(table.columns[:13]) == [
        "scenario", "area_level", "area_code", "year", "quantity", "p10", "p50", "p90", "p2_5", "p97_5",
        "method", "origin", "population_vintage",
    ]  # fmt: skip
    assert set(table["scenario"]) == SCENARIOS and sorted(set(table["year"])) == FUTURE
    assert (table["origin"] == "2024-25").all()
    assert table["population_vintage"].str.contains("no ONS population projection is pinned").all()
    areas = pd.read_csv(project / "results" / "panel" / "areas.csv", dtype=str)
    sizes = table.groupby(["scenario", "quantity", "year"])["area_code"].nunique()
    assert (sizes == len(areas)).drop(["cla_spend_per_cla"], level="quantity").all()  # every unit, region, England
    assert (
        sizes.xs("cla_spend_per_cla", level="quantity") == len(areas) - 1
    ).all()  # Isles of Scilly: no child looked after
    assert (table["flag"] == "").all() and table["point"].notna().all()
    additive = table[
        table["quantity"].isin(["population_0_17", "cla_at_31_march", "s251_gross_total", "csc_net_total"])
    ]
    keys = ["scenario", "quantity", "year"]
    units = additive[additive["area_level"] == "la"].groupby(keys)["point"].sum()
    england = additive[additive["area_level"] == "england"].set_index(keys)["point"]
    pd.testing.assert_series_equal(units, england.reindex(units.index), rtol=1e-9, check_names=False)
    banded = table.dropna(subset=["p10"])
    assert len(banded) == len(table)  # every horizon to 2030-31 has back-test errors behind it
    order = ["p2_5", "p10", "p25", "p50", "p75", "p90", "p97_5"]
    assert (banded[order].diff(axis=1).iloc[:, 1:] >= -1e-6).all().all()


def test_backtests_run_from_2014_15_to_2020_21_and_stop_at_the_last_outturn(project):
    table = projection_table(project, "backtest")
    assert sorted(set(table["origin"])) == ORIGINS
    assert set(table["horizon"]) == {str(h) for h in range(1, 7)}
    assert (table["year"] > table["origin"]).all() and (table["year"] <= "2024-25").all()
    frame = pd.read_parquet(project / "results" / "models" / "frame.parquet")
    cla = frame[(frame["area_level"] == "england") & (frame["measure"] == "cla_at_31_march")].set_index("year")
    england = table[(table["area_level"] == "england") & (table["quantity"] == "cla_at_31_march")]
    complete = england[england["flag"] == ""]
    assert (complete["actual"] == complete["year"].map(cla["value"])).all()
    coverage = projection_table(project, "backtest_coverage")
    units = coverage[(coverage["area_level"] == "la") & (coverage["horizon"] == "all")]
    assert units["coverage80"].between(0.7, 0.9).all() and units["coverage95"].between(0.88, 1).all()


def test_published_projections_sit_beside_outturns_from_the_data_and_ours_from_the_same_origin(project):
    table = projection_table(project, "projection_published").set_index(["id", "scenario"])
    ccn = table.loc["ccn_2021_children_looked_after"]
    assert (ccn["publisher_outturn"] == 81_770).all() and (ccn["published_value"] == 95_000).all()
    assert (ccn["origin"] == "2019-20").all()
    # the CCN method from CCN's origin gives CCN's number: the current-trends scenario reproduces it
    assert abs(ccn.loc["current_trends", "point"] / 95_000 - 1) < 0.02
    spend = table.loc["ccn_2021_children_in_care_spending"]
    assert (abs(spend["published_value"] / 7.4e9 - 1) < 0.01).all()  # the 2014-15 outturn plus GBP 3.6bn
    lga = table.loc["lga_2021_2024_25"]
    assert (abs(lga["publisher_outturn"] / 15.5e9 - 1) < 0.01).all() and (
        lga["publisher_source"] == "ro3_2024-25"
    ).all()
    beside = projection_table(project, "backtest_england")
    lga_rows = beside[beside["published_id"].str.startswith("lga_2021")]
    assert set(lga_rows["origin"]) == set(ORIGINS) and lga_rows["published_value"].notna().all()
    # every origin's projection for CCN's 2024-25, with bands where it is within six years
    ccn_rows = beside[beside["published_id"] == "ccn_2021_children_looked_after"]
    assert set(ccn_rows["origin"]) == set(ORIGINS) and ccn_rows["published_value"].notna().all()
    assert set(ccn_rows.dropna(subset=["lower80"])["origin"]) == set(ORIGINS[4:])


def test_projection_headlines_are_written_from_the_numbers(project):
    headlines = projection_table(project, "projection_headlines").set_index("id")
    assert "no ONS population projection is pinned" in headlines.loc["population", "sentence"]
    assert "81,770 (cla_2025_" in headlines.loc["ccn_2021_children_looked_after", "sentence"]
    projections = projection_table(project, "projections")
    row = projections[
        (projections["scenario"] == "recent_trend")
        & (projections["area_level"] == "england")
        & (projections["quantity"] == "cla_at_31_march")
        & (projections["year"] == "2030-31")
    ].iloc[0]
    assert f"{round(row['point'], -2):,.0f}" in headlines.loc["recent_trend_cla_at_31_march", "sentence"]
    # the two councils whose 2024-25 count is suppressed are named, with the year they are carried from
    assert (
        "in 2024-25 (without 2 units, which the projection carries from their last outturn: City of London "
        "from 2023-24, Isles of Scilly from 2023-24)" in headlines.loc["recent_trend_cla_at_31_march", "sentence"]
    )


def test_editing_the_projections_or_adding_a_scenario_reruns_only_the_projections(project):
    def edit(config):
        config["models"]["projections"]["scenarios"]["flat"]["label"] = "Held flat"

    edited = _dry_run_with(project, "config.yaml", edit)
    overlay = project / "config" / "scenarios" / "rates_held.yaml"
    overlay.write_text(yaml.safe_dump({"label": "Rates held", "description": "d", "rates": {"method": "flat"},
                                       "unit_costs": {"method": "log_linear", "window": 5}}))  # fmt: skip
    try:
        added = snakemake(project, "--dry-run")
    finally:
        overlay.unlink()
    for dry in (edited, added):
        assert dry.returncode == 0, dry.stderr[-2000:]
        assert _planned_jobs(dry.stdout + dry.stderr) == {
            "project_demand",
            "plot_projections",
            "write_model_headlines",
            "render_national_report",
            *PROFILE_RULES,  # each profile draws its unit's projection fan
            "all",
        }
    assert "projection_fan_rates_held_cla_at_31_march.png" in added.stdout


def test_a_pinned_population_projection_is_used_with_no_code_change(project):
    def edit(sources):
        sources["sources"]["population_projection_2025_snpp_2022_based"] = {
            "path": "ons-snpp/2022-based/snpp_2022_population_persons.csv",
            "sha256": "0" * 64,
            "bytes": 1,
            "publisher": "Office for National Statistics",
            "dataset": "Subnational population projections for England, 2022-based",
            "period": "2022-based",
            "family": "population_projection",
            "source_page": "https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationprojections",
            "licence": "Open Government Licence v3.0",
        }

    dry = _dry_run_with(project, "sources.yaml", edit)
    assert dry.returncode == 0, dry.stderr[-2000:]
    jobs = _planned(dry.stdout)
    raw = "ons-snpp/2022-based/snpp_2022_population_persons.csv"
    assert f"raw/{raw}" in jobs["project_demand"]
    # the new file is fetched and ingested (every ingest table is a target, and the warning
    # summary reads them all), then the projections and what shows them
    assert set(jobs) == {
        f"fetch_raw[path={raw}]",
        "ingest_family[family=population_projection]",
        "summarise_exclusions",
        "project_demand",
        "plot_projections",
        "write_model_headlines",
        "render_national_report",
        *PROFILE_JOBS,
        "all",
    }


# --- profiles and the index ------------------------------------------------------------------


def test_every_stable_unit_has_a_profile_with_its_csvs(project):
    units = unit_ids(read_areas(project / "results" / "panel" / "areas.csv"))
    assert len(units) == 148
    la = project / "results" / "reports" / "la"
    assert sorted(p.stem for p in la.glob("*.html")) == units
    for unit in units:
        assert sorted(p.stem for p in (la / unit).glob("*.csv")) == sorted(CSV_FILES), unit
        html = (la / f"{unit}.html").read_text()
        assert ">What the models say<" in html, unit
        for name in ("model_decomposition", "model_decomposition_table", "model_needs", "model_projection"):
            assert f'href="{unit}/{name}.csv"' in html, (unit, name)
    index = (project / "results" / "reports" / "index.html").read_text()
    linked = set(re.findall(r"la/(\d{3})\.html", index))
    assert linked == set(units)


def test_profiles_render_their_figures_with_alt_text_and_name_the_vintage(project):
    for unit, name in [("330", "Birmingham"), ("909", "Cumbria"), ("201", "City of London")]:
        html = (project / "results" / "reports" / "la" / f"{unit}.html").read_text()
        assert f"<title>{name}" in html
        images = re.findall(r"<img [^>]*>", html)
        assert len(images) == 10
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


def test_profile_models_agree_with_the_model_outputs(project):
    models = project / "results" / "models"
    la = project / "results" / "reports" / "la"
    decomposition = pd.read_csv(models / "decomposition.csv", dtype={"area_code": str})
    own = decomposition[(decomposition["area_code"] == "330") & (decomposition["quantity"] == "cla_spend")]
    longest = own[own["to_year"] == own["to_year"].max()].set_index("component")["value"]
    shown = pd.read_csv(la / "330" / "model_decomposition.csv", dtype={"area_code": str})
    drawn = shown[shown["quantity"] == "cla_spend"].set_index("component")["value"]
    assert (drawn - longest).abs().max() < 1e-3
    html = (la / "330.html").read_text()
    assert f"£{longest['total'] / 1e6:,.1f}m rise in children looked after spending in Birmingham" in html
    needs = pd.read_csv(models / "needs_adjusted.csv", dtype={"area_code": str})
    assert (
        len(pd.read_csv(la / "330" / "model_needs.csv").dropna(subset=["actual"]))
        == (needs["area_code"] == "330").sum()
    )
    city = (la / "201.html").read_text()  # too few children for the cross-section: says why
    assert "City of London is not in the cross-section of spending per child (mean child population" in city
    projections = pd.read_csv(models / "projections.csv", dtype={"area_code": str})
    central = projections[
        (projections["area_code"] == "330")
        & (projections["scenario"] == "recent_trend")
        & (projections["quantity"] == "cla_at_31_march")
    ]
    end = central.loc[central["year"].idxmax()]
    assert f"{end['point']:,.0f} children looked after at 31 March in {end['year']}" in html
    assert "GBP" not in html
