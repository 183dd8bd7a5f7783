# Profiles: every stable unit against its statistical neighbours, its region and England, as
# tables the profile notebook draws (childspend.reports.profiles), with what the models say about
# each unit (childspend.reports.profile_models).
from childspend.reports import profile_models

PROFILE_TABLES = ["values", "composition", "placements", "model_decomposition", "model_needs", "model_projection"]


rule build_profiles:
    input:
        panel="results/panel/panel_long.parquet",
        money=rules.deflate_panel.output.parquet,
        areas=rules.build_areas.output.areas,
        neighbours=rules.build_neighbours.output[0],
        population=rules.build_model_frame.output.population,
        decomposition=rules.decompose_growth.output.decomposition,
        exclusions=rules.decompose_growth.output.exclusions,
        needs=rules.fit_cross_section.output.needs_adjusted,
        fit=rules.fit_cross_section.output.fit,
        projections=rules.project_demand.output.projections,
        code=code("build_profiles"),
    output:
        **{name: f"results/profiles/{name}.parquet" for name in PROFILE_TABLES},
        **{f"{name}_csv": f"results/profiles/{name}.csv" for name in PROFILE_TABLES},
        indicators="results/profiles/indicators.csv",
        flags="results/profiles/flags.csv",
        index="results/profiles/index.csv",
        facts="results/profiles/facts.csv",
    log:
        "results/logs/build_profiles.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["medium"],
    params:
        neighbours=config["profiles"]["neighbours"],
        intervention=config["intervention"],
        from_year=config["headlines"]["from_year"],
        models=profile_models.config_for(config, PROJECTIONS),
    script:
        "../scripts/build_profiles.py"
