from childspend import logs
from childspend.reports import model_plots, plots

log = logs.setup(snakemake.log[0], "plot_deprivation_gradient")
params = snakemake.params
gradient = model_plots.read_gradient(snakemake.input.gradient)
plots.save(
    model_plots.deprivation_gradient(
        gradient, model_plots.read_groups(snakemake.input.groups), params.groupings, params.measures, params.figure
    ),
    snakemake.output.figure,
    alt=model_plots.gradient_alt(gradient, params.groupings, params.measures, params.figure),
)
log.info("%s -> %s", params.figure, snakemake.output.figure)
