# Figures of the national picture, drawn by childspend.reports.plots (the reports use the same
# functions). Captions take their caveats from the panel's data dictionary.


rule plot_national:
    input:
        series=rules.build_national_series.output.series,
        dictionary=rules.join_panel.output.dictionary,
        code=code("plot_national"),
    output:
        cash_and_real=report(
            "results/figures/cash_and_real.png",
            caption="../report/cash_and_real.rst",
            category="Figures",
        ),
        early_and_late=report(
            "results/figures/early_and_late.png",
            caption="../report/early_and_late.rst",
            category="Figures",
        ),
        per_child_by_region=report(
            "results/figures/per_child_by_region.png",
            caption="../report/per_child_by_region.rst",
            category="Figures",
        ),
        cost_per_looked_after_child=report(
            "results/figures/cost_per_looked_after_child.png",
            caption="../report/cost_per_looked_after_child.rst",
            category="Figures",
        ),
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
