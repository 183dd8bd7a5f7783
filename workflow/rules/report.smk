# Reports: papermill-executed notebooks rendered to HTML.
from childspend.prices import price_base

# The LA profile index, which the national report links to (relative to it).
INDEX_HTML = "results/reports/index.html"


rule render_national_report:
    input:
        notebook="notebooks/national_report.ipynb",
        series=rules.build_national_series.output.series,
        headlines=rules.build_national_series.output.headlines,
        commons=rules.build_national_series.output.commons,
        dfe=rules.build_national_series.output.dfe,
        dictionary=rules.join_panel.output.dictionary,
        model_headlines=rules.write_model_headlines.output[0],
        decomposition=rules.plot_drivers.output.decomposition,
        deprivation_gradient=rules.plot_deprivation_gradient.output.figure,
        coefficients=rules.plot_drivers.output.coefficients,
        projection="results/figures/projection_fan_recent_trend_cla_at_31_march.png",
        backtest=rules.plot_projections.output.coverage,
        sources="config/sources.yaml",
        code=code("render_national_report", notebooks=["notebooks/national_report.ipynb"]),
        template=f"{LIB}/reports/templates/offline.html.j2",
    output:
        html=report(
            "results/reports/national.html",
            caption="../report/national_report.rst",
            category="Reports",
        ),
        sources=report(
            "results/reports/national_sources.csv",
            caption="../report/national_sources.rst",
            category="Reports",
        ),
    log:
        "results/logs/render_national_report.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["medium"],
    params:
        intervention=config["intervention"],
        commons_price_base=PUBLISHED["commons_childrens_social_care"]["price_base"],
        index=INDEX_HTML,
    script:
        "../scripts/render_national_report.py"


# LA profiles: one page per stable unit, executed from notebooks/la_profile.ipynb in batches, each
# sharing one Jupyter kernel (README: Speed); each batch reads its units from the areas table.
# publish_profiles puts every page and its CSVs in results/reports/la.


rule render_profiles:
    input:
        notebook="notebooks/la_profile.ipynb",
        tables=rules.build_profiles.output,
        neighbours=rules.build_neighbours.output[0],
        areas=rules.build_areas.output.areas,
        sources="config/sources.yaml",
        template=f"{LIB}/reports/templates/offline.html.j2",
        code=code("render_profiles", notebooks=["notebooks/la_profile.ipynb"]),
    output:
        temp(directory("results/profiles/pages/{batch}")),
    log:
        "results/logs/render_profiles/{batch}.log",
    wildcard_constraints:
        batch=r"\d+",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["large"],
    params:
        batches=BATCHES,
        years=[YEARS[0], YEARS[-1]],
        price_base=price_base(config["prices"]["index"], config["prices"]["base_year"]),
    script:
        "../scripts/render_profiles.py"


rule publish_profiles:
    input:
        expand(rules.render_profiles.output[0], batch=range(BATCHES)),
    output:
        directory("results/reports/la"),
    log:
        "results/logs/publish_profiles.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["small"],
    params:
        staging="results/reports/.la.partial",
    # copied into a staging folder, then renamed into place: a killed copy never looks complete
    shell:
        "(set -e; rm -rf {params.staging}; mkdir -p {params.staging}; "
        "for batch in {input}; do cp -R $batch/. {params.staging}/; done; "
        "mv -T {params.staging} {output}) 2> {log}"


rule render_profile_index:
    input:
        notebook="notebooks/profile_index.ipynb",
        index=rules.build_profiles.output.index,
        profiles=rules.publish_profiles.output[0],
        template=f"{LIB}/reports/templates/offline.html.j2",
        code=code("render_profile_index", notebooks=["notebooks/profile_index.ipynb"]),
    output:
        html=report(
            INDEX_HTML,
            caption="../report/profile_index.rst",
            category="Reports",
        ),
        csv="results/reports/index.csv",
    log:
        "results/logs/render_profile_index.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["small"],
    params:
        from_year=config["headlines"]["from_year"],
        price_base=price_base(config["prices"]["index"], config["prices"]["base_year"]),
        late=config["intervention"]["late"],
    script:
        "../scripts/render_profile_index.py"
