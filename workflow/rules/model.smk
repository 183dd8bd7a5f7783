# Model: what drives demand and spending. Every model reads the model frame: the panel's measures
# on one population vintage, in real terms, with region and England rows summed from units.


rule build_model_frame:
    input:
        panel="results/panel/panel_long.parquet",
        money="results/real/money_long.parquet",
        population="results/ingest/population.parquet",
        geography="results/ingest/geography.parquet",
        areas="results/panel/areas.csv",
        code=code("build_model_frame"),
    output:
        parquet="results/models/frame.parquet",
        csv="results/models/frame.csv",
        population="results/models/population.csv",
    log:
        "results/logs/build_model_frame.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["medium"],
    params:
        years=YEARS,
        intervention=config["intervention"],
    script:
        "../scripts/build_model_frame.py"


# Growth decomposition (LMDI-I): each change in spending and demand split exactly into population,
# rate, unit cost, price and service lines, for England, every region and every stable unit.
# Each identity's label names it in the sentences, the figure and the profiles.
DECOMPOSITION_LABELS = {name: spec["label"] for name, spec in config["models"]["decomposition"]["identities"].items()}


rule decompose_growth:
    input:
        frame=rules.build_model_frame.output.parquet,
        code=code("decompose_growth"),
    output:
        decomposition="results/models/decomposition.csv",
        exclusions="results/models/decomposition_exclusions.csv",
        factors="results/models/decomposition_factors.csv",
    log:
        "results/logs/decompose_growth.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["medium"],
    params:
        decomposition=config["models"]["decomposition"],
    script:
        "../scripts/decompose_growth.py"


# ---- Panel models of demand and the cross-section of spend (config models.panel,
# models.cross_section): one job per panel model id, then one table of them all.
from childspend.config import load_published

PANEL_MODELS = sorted(config.get("models", {}).get("panel", {}))
PUBLISHED_MODELS = load_published("config/published.yaml")["models"]


rule fit_panel_model:
    input:
        frame=rules.build_model_frame.output.parquet,
        code=code("fit_panel_model"),
    output:
        coefficients="results/models/fits/{model_id}/coefficients.csv",
        fit="results/models/fits/{model_id}/fit.csv",
    log:
        "results/logs/fit_panel_model/{model_id}.log",
    wildcard_constraints:
        model_id="|".join(PANEL_MODELS),
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["medium"],
    params:
        model=lambda wildcards: config["models"]["panel"][wildcards.model_id],
    script:
        "../scripts/fit_panel_model.py"


rule fit_cross_section:
    input:
        frame=rules.build_model_frame.output.parquet,
        code=code("fit_cross_section"),
    output:
        fit="results/models/cross_section_fit.csv",
        coefficients="results/models/cross_section_coefficients.csv",
        needs_adjusted="results/models/needs_adjusted.csv",
    log:
        "results/logs/fit_cross_section.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["medium"],
    params:
        spec=config["models"]["cross_section"],
    script:
        "../scripts/fit_cross_section.py"


rule collect_models:
    input:
        coefficients=expand(rules.fit_panel_model.output.coefficients, model_id=PANEL_MODELS),
        fits=expand(rules.fit_panel_model.output.fit, model_id=PANEL_MODELS),
        cross_section=rules.fit_cross_section.output.fit,
        code=code("collect_models"),
    output:
        coefficients=report(
            "results/models/coefficients.csv",
            caption="../report/coefficients.rst",
            category="Models",
        ),
        fit="results/models/fit.csv",
        published=report(
            "results/models/published_comparison.csv",
            caption="../report/published_comparison.rst",
            category="Models",
        ),
    log:
        "results/logs/collect_models.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["small"],
    params:
        published=PUBLISHED_MODELS,
    script:
        "../scripts/collect_models.py"


# Deprivation gradient: LA units in equal-count IDACI/IMD groups, pooled spending per child and
# rates per group and year, changes since headlines.from_year, most to least deprived ratios.
GRADIENT = config["models"]["deprivation_gradient"]


rule build_deprivation_gradient:
    input:
        frame=rules.build_model_frame.output.parquet,
        code=code("build_deprivation_gradient"),
    output:
        gradient="results/models/deprivation_gradient.csv",
        groups="results/models/deprivation_groups.csv",
        headlines="results/models/gradient_headlines.csv",
    log:
        "results/logs/build_deprivation_gradient.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["medium"],
    params:
        groupings=GRADIENT["groupings"],
        measures=GRADIENT["measures"],
        headlines=GRADIENT["headlines"],
        from_year=config["headlines"]["from_year"],
    script:
        "../scripts/build_deprivation_gradient.py"


rule plot_deprivation_gradient:
    input:
        gradient=rules.build_deprivation_gradient.output.gradient,
        groups=rules.build_deprivation_gradient.output.groups,
        code=code("plot_deprivation_gradient"),
    output:
        figure=report(
            "results/figures/deprivation_gradient.png",
            caption="../report/deprivation_gradient.rst",
            category="Models",
        ),
    log:
        "results/logs/plot_deprivation_gradient.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["small"],
    params:
        figure=GRADIENT["figure"],
        groupings=GRADIENT["groupings"],
        measures=GRADIENT["measures"],
    script:
        "../scripts/plot_deprivation_gradient.py"


# ---- Projections (issue 10): children looked after and spending to models.projections.last_year,
# per stable unit and summed, with bands from rolling-origin back-tests and the published
# projections beside them. Scenarios come from the config block and config/scenarios/*.yaml.
from pathlib import Path

from childspend.config import load_published
from childspend.models import projection_config
from childspend.years import fy_range

PROJECTION_PUBLISHED = load_published("config/published.yaml").get("projections", [])
PROJECTIONS = projection_config.settings(config, "config/scenarios", PROJECTION_PUBLISHED)
PROJECTION_FANS = {
    f"results/figures/projection_fan_{scenario}_{quantity}.png": [scenario, quantity]
    for scenario in PROJECTIONS["scenarios"]
    for quantity in projection_config.FAN_QUANTITIES
}


rule project_demand:
    input:
        frame=rules.build_model_frame.output.parquet,
        panel="results/panel/panel_long.parquet",
        revenue_outturn="results/ingest/revenue_outturn.parquet",
        geography="results/ingest/geography.parquet",
        areas="results/panel/areas.csv",
        population_projection=raw_files("population_projection"),
        scenarios=sorted(str(p) for p in Path("config/scenarios").glob("*.yaml")),
        code=code("project_demand"),
    output:
        projections="results/models/projections.csv",
        backtest="results/models/backtest.csv",
        coverage="results/models/backtest_coverage.csv",
        bands="results/models/projection_bands.csv",
        published="results/models/projection_published.csv",
        backtest_england="results/models/backtest_england.csv",
        headlines="results/models/projection_headlines.csv",
    log:
        "results/logs/project_demand.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["medium"],
    params:
        block=PROJECTIONS,
        published=PROJECTION_PUBLISHED,
        population_projection=sources_of(SOURCES, "population_projection"),
        years=fy_range(config["years"]["first"], PROJECTIONS["last_year"]),
    script:
        "../scripts/project_demand.py"


rule plot_projections:
    input:
        projections=rules.project_demand.output.projections,
        coverage=rules.project_demand.output.coverage,
        published=rules.project_demand.output.published,
        frame=rules.build_model_frame.output.parquet,
        code=code("plot_projections"),
    output:
        fans=list(PROJECTION_FANS),
        coverage="results/figures/projection_backtest_coverage.png",
    log:
        "results/logs/plot_projections.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["medium"],
    params:
        fans=list(PROJECTION_FANS.values()),
        scenarios={name: s["label"] for name, s in PROJECTIONS["scenarios"].items()},
        pools=PROJECTIONS["backtest"]["pools"],
    script:
        "../scripts/plot_projections.py"


# What drives spending: the decomposition as bars, the panel models' coefficients, and one table
# of sentences from every model.


rule plot_drivers:
    input:
        decomposition=rules.decompose_growth.output.decomposition,
        coefficients=rules.collect_models.output.coefficients,
        code=code("plot_drivers"),
    output:
        decomposition=report(
            "results/figures/decomposition.png",
            caption="../report/decomposition.rst",
            category="Models",
        ),
        coefficients=report(
            "results/figures/coefficients.png",
            caption="../report/coefficients_figure.rst",
            category="Models",
        ),
    log:
        "results/logs/plot_drivers.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["small"],
    params:
        figure=config["models"]["decomposition"]["figure"],
        label=DECOMPOSITION_LABELS[config["models"]["decomposition"]["figure"]["quantity"]],
        period=config["models"]["decomposition"]["periods"][0],
    script:
        "../scripts/plot_drivers.py"


rule write_model_headlines:
    input:
        decomposition=rules.decompose_growth.output.decomposition,
        coefficients=rules.collect_models.output.coefficients,
        gradient=rules.build_deprivation_gradient.output.headlines,
        projections=rules.project_demand.output.headlines,
        code=code("write_model_headlines"),
    output:
        "results/models/headlines.csv",
    log:
        "results/logs/write_model_headlines.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["small"],
    params:
        labels=DECOMPOSITION_LABELS,
    script:
        "../scripts/write_model_headlines.py"
