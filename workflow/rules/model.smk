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
    params:
        years=YEARS,
        intervention=config["intervention"],
    script:
        "../scripts/build_model_frame.py"


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
        figure="results/figures/deprivation_gradient.png",
    log:
        "results/logs/plot_deprivation_gradient.log",
    conda:
        "../envs/childspend.yaml"
    params:
        figure=GRADIENT["figure"],
        groupings=GRADIENT["groupings"],
        measures=GRADIENT["measures"],
    script:
        "../scripts/plot_deprivation_gradient.py"
