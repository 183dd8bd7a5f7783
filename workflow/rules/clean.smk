# Clean: one LA unit x year spending panel on stable geography, with region and England totals.
from childspend.years import fy_range


rule build_spending_panel:
    input:
        geography="results/ingest/geography.parquet",
        s251_a1="results/ingest/s251_a1.parquet",
        lait="results/ingest/lait.parquet",
        revenue_outturn="results/ingest/revenue_outturn.parquet",
        code=lib("panel", "geography", "dictionary", "tables"),
    output:
        long_parquet="results/panel/spending_long.parquet",
        long_csv="results/panel/spending_long.csv",
        wide_parquet="results/panel/spending.parquet",
        wide_csv="results/panel/spending.csv",
        units="results/panel/stable_units.csv",
        dictionary="results/panel/dictionary.csv",
        exclusions="results/panel/exclusions.csv",
    params:
        years=fy_range(config["years"]["first"], config["years"]["last"]),
        merged_units=config["geography"]["merged_units"],
    conda:
        "../envs/childspend.yaml"
    log:
        "results/logs/build_spending_panel.log",
    script:
        "../scripts/build_spending_panel.py"


rule reconcile_spending:
    input:
        geography="results/ingest/geography.parquet",
        s251_a1="results/ingest/s251_a1.parquet",
        lait="results/ingest/lait.parquet",
        revenue_outturn="results/ingest/revenue_outturn.parquet",
        code=lib("reconcile", "panel", "geography", "parsers/s251_a1", "tables"),
    output:
        england="results/reconciliation/england_rows.csv",
        a1_lait="results/reconciliation/s251_a1_vs_lait.csv",
        a1_detail="results/reconciliation/s251_a1_detail_sums.csv",
    params:
        years=fy_range(config["years"]["first"], config["years"]["last"]),
        tolerance=config["spending"]["reconciliation_tolerance"],
        a1_lait_tolerance=config["spending"]["a1_lait_tolerance"],
    conda:
        "../envs/childspend.yaml"
    log:
        "results/logs/reconcile_spending.log",
    script:
        "../scripts/reconcile_spending.py"
