# Figures of the national picture, drawn by childspend.reports.plots (the reports use the same
# functions). Captions take their caveats from the panel's data dictionary.


rule plot_national:
    input:
        series=rules.build_national_series.output.series,
        dictionary=rules.join_panel.output.dictionary,
        code=code("plot_national"),
    output:
        cash_and_real="results/figures/cash_and_real.png",
        early_and_late="results/figures/early_and_late.png",
        per_child_by_region="results/figures/per_child_by_region.png",
        cost_per_looked_after_child="results/figures/cost_per_looked_after_child.png",
    log:
        "results/logs/plot_national.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["small"],
    params:
        intervention=config["intervention"],
    script:
        "../scripts/plot_national.py"
