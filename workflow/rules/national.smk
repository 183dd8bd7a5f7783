# The national and regional picture: series, headline figures, published comparisons.
from childspend.config import load_published

PUBLISHED = load_published("config/published.yaml")


rule build_national_series:
    input:
        money=rules.deflate_panel.output.parquet,
        panel="results/panel/panel_long.parquet",
        prices="results/ingest/prices.parquet",
        code=code("build_national_series"),
    output:
        series=report(
            "results/national/series.csv",
            caption="../report/series.rst",
            category="National series",
        ),
        headlines=report(
            "results/national/headlines.csv",
            caption="../report/headlines.rst",
            category="National series",
        ),
        commons="results/national/commons_library_table.csv",
        dfe="results/national/dfe_published_figures.csv",
    log:
        "results/logs/build_national_series.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["small"],
    params:
        intervention=config["intervention"],
        from_year=config["headlines"]["from_year"],
        index=config["prices"]["index"],
        published=PUBLISHED,
    script:
        "../scripts/build_national_series.py"
