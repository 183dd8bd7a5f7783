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
