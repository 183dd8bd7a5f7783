# Real terms: every money measure of the panel at the configured price base.


rule deflate_panel:
    input:
        panel="results/panel/panel_long.parquet",
        prices="results/ingest/prices.parquet",
        code=code("deflate_panel"),
    output:
        parquet="results/real/money_long.parquet",
        csv="results/real/money_long.csv",
    log:
        "results/logs/deflate_panel.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["small"],
    params:
        index=config["prices"]["index"],
        base_year=config["prices"]["base_year"],
    script:
        "../scripts/deflate_panel.py"
