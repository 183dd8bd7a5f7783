# childspend: English local authority spending on children's services, from official statistics.
# Run everything with `snakemake --cores 4`; see README.md.


report: "workflow/report/workflow.rst"


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


# Every file the DAG makes is a target, intermediates too: a missing or failed one (a deleted raw/
# copy or ingest table, an ingest that failed and was cleaned up) is rebuilt, or fails again,
# instead of being skipped because the outputs it feeds are present.
rule all:
    default_target: True
    input:
        expand("raw/{path}", path=sorted(SOURCE_BY_PATH)),
        rules.ingest_geography.output,
        expand(rules.ingest_family.output, family=FAMILIES),
        rules.build_spending_panel.output,
        rules.build_activity_panel.output,
        rules.deflate_panel.output,
        rules.build_areas.output,
        rules.join_panel.output,
        rules.reconcile_spending.output,
        rules.reconcile_activity.output,
        rules.build_national_series.output,
        rules.plot_national.output,
        rules.render_national_report.output,
        rules.build_model_frame.output,
        rules.project_demand.output,
        rules.plot_projections.output,
        rules.decompose_growth.output,
        rules.collect_models.output,
        rules.fit_cross_section.output,
        rules.build_deprivation_gradient.output,
        rules.plot_deprivation_gradient.output,
        rules.plot_drivers.output,
        rules.write_model_headlines.output,
        rules.summarise_exclusions.output,
        rules.build_neighbours.output,
        rules.build_profiles.output,
        rules.publish_profiles.output,
        rules.render_profile_index.output,


# The warning summary again at the very end, where a user looks.
onsuccess:
    from childspend.panel.summary import print_summary

    print_summary("results/panel/warnings.csv")
