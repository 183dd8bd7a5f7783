# childspend: English local authority spending on children's services, from official statistics.
# Run everything with `snakemake --cores 4`; see README.md.


include: "workflow/rules/common.smk"
include: "workflow/rules/fetch.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/clean.smk"
include: "workflow/rules/deflate.smk"
include: "workflow/rules/model.smk"
include: "workflow/rules/national.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/profiles.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        rules.build_areas.output,
        rules.join_panel.output,
        rules.reconcile_spending.output,
        rules.reconcile_activity.output,
        rules.build_national_series.output,
        rules.plot_national.output,
        rules.render_national_report.output,
        rules.build_model_frame.output,
        rules.build_neighbours.output,
        rules.build_profiles.output,
        rules.render_profile_index.output,
