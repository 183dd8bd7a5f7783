# Reports: papermill-executed notebooks rendered to HTML.


rule render_national_report:
    input:
        notebook="notebooks/national_report.ipynb",
        series=rules.build_national_series.output.series,
        headlines=rules.build_national_series.output.headlines,
        commons=rules.build_national_series.output.commons,
        dfe=rules.build_national_series.output.dfe,
        dictionary=rules.join_panel.output.dictionary,
        code=code("render_national_report", notebooks=["notebooks/national_report.ipynb"]),
        template=f"{LIB}/reports/templates/offline.html.j2",
    output:
        "results/reports/national.html",
    log:
        "results/logs/render_national_report.log",
    conda:
        "../envs/childspend.yaml"
    params:
        intervention=config["intervention"],
        commons_price_base=PUBLISHED["commons_childrens_social_care"]["price_base"],
    script:
        "../scripts/render_national_report.py"
