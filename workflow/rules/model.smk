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


# Growth decomposition (LMDI-I): each change in spending and demand split exactly into population,
# rate, unit cost, price and service lines, for England, every region and every stable unit.


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
    params:
        decomposition=config["models"]["decomposition"],
    script:
        "../scripts/decompose_growth.py"
