# Clean: LA unit x year panels on stable geography, with region and England totals, joined
# into one panel with per-child measures.
from childspend.years import fy_range

YEARS = fy_range(config["years"]["first"], config["years"]["last"])


rule build_areas:
    input:
        geography="results/ingest/geography.parquet",
        code=code("build_areas"),
    output:
        areas="results/panel/areas.csv",
        units="results/panel/stable_units.csv",
    log:
        "results/logs/build_areas.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["small"],
    params:
        years=YEARS,
        merged_units=config["geography"]["merged_units"],
    script:
        "../scripts/build_areas.py"


rule build_spending_panel:
    input:
        geography="results/ingest/geography.parquet",
        areas=rules.build_areas.output.areas,
        s251_a1="results/ingest/s251_a1.parquet",
        lait="results/ingest/lait.parquet",
        revenue_outturn="results/ingest/revenue_outturn.parquet",
        code=code("build_spending_panel"),
    output:
        parquet="results/panel/spending_long.parquet",
        exclusions="results/panel/exclusions_spending.csv",
    log:
        "results/logs/build_spending_panel.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["medium"],
    params:
        years=YEARS,
    script:
        "../scripts/build_spending_panel.py"


rule build_activity_panel:
    input:
        geography="results/ingest/geography.parquet",
        areas=rules.build_areas.output.areas,
        cla="results/ingest/cla.parquet",
        cin="results/ingest/cin.parquet",
        population="results/ingest/population.parquet",
        deprivation="results/ingest/deprivation.parquet",
        code=code("build_activity_panel"),
    output:
        parquet="results/panel/activity_long.parquet",
        exclusions="results/panel/exclusions_activity.csv",
    log:
        "results/logs/build_activity_panel.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["medium"],
    params:
        years=YEARS,
    script:
        "../scripts/build_activity_panel.py"


rule join_panel:
    input:
        spending=rules.build_spending_panel.output.parquet,
        activity=rules.build_activity_panel.output.parquet,
        exclusions=[rules.build_spending_panel.output.exclusions, rules.build_activity_panel.output.exclusions],
        code=code("join_panel"),
    output:
        long_parquet="results/panel/panel_long.parquet",
        long_csv="results/panel/panel_long.csv",
        wide_parquet="results/panel/panel.parquet",
        wide_csv="results/panel/panel.csv",
        dictionary="results/panel/dictionary.csv",
        coverage="results/panel/coverage.csv",
        exclusions="results/panel/exclusions.csv",
    log:
        "results/logs/join_panel.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["medium"],
    script:
        "../scripts/join_panel.py"


rule reconcile_spending:
    input:
        geography="results/ingest/geography.parquet",
        s251_a1="results/ingest/s251_a1.parquet",
        lait="results/ingest/lait.parquet",
        revenue_outturn="results/ingest/revenue_outturn.parquet",
        code=code("reconcile_spending"),
    output:
        england=report(
            "results/reconciliation/england_rows.csv",
            caption="../report/reconciliation.rst",
            category="Reconciliation",
        ),
        a1_lait="results/reconciliation/s251_a1_vs_lait.csv",
        a1_detail="results/reconciliation/s251_a1_detail_sums.csv",
    log:
        "results/logs/reconcile_spending.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["medium"],
    params:
        years=YEARS,
        tolerance=config["spending"]["reconciliation_tolerance"],
        a1_lait_tolerance=config["spending"]["a1_lait_tolerance"],
    script:
        "../scripts/reconcile_spending.py"


rule reconcile_activity:
    input:
        tables=expand("results/ingest/{family}.parquet", family=["cla", "cin", "population"]),
        panel=rules.build_activity_panel.output.parquet,
        code=code("reconcile_activity"),
    output:
        "results/reconciliation/activity_england.csv",
    log:
        "results/logs/reconcile_activity.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["medium"],
    params:
        tolerance=config["spending"]["reconciliation_tolerance"],
    script:
        "../scripts/reconcile_activity.py"


rule summarise_exclusions:
    input:
        exclusions=rules.join_panel.output.exclusions,
        panel=rules.join_panel.output.long_parquet,
        units=rules.build_areas.output.units,
        tables=expand("results/ingest/{family}.parquet", family=FAMILIES),
        england=rules.reconcile_spending.output.england,
        activity=rules.reconcile_activity.output[0],
        code=code("summarise_exclusions"),
    output:
        "results/panel/warnings.csv",
    log:
        "results/logs/summarise_exclusions.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["large"],
    params:
        strict=config.get("strict", False),
        accepted=config.get("exclusions", {}).get("accepted", []),
    script:
        "../scripts/summarise_exclusions.py"


rule build_neighbours:
    input:
        lists="results/ingest/neighbours.parquet",
        areas=rules.build_areas.output.areas,
        code=code("build_neighbours"),
    output:
        "results/panel/neighbours.csv",
    log:
        "results/logs/build_neighbours.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["small"],
    script:
        "../scripts/build_neighbours.py"
