from childspend import logs
from childspend.reports import model_plots, plots

log = logs.setup(snakemake.log[0], "plot_deprivation_gradient")
params = snakemake.params
figure = model_plots.deprivation_gradient(
    model_plots.read_gradient(snakemake.input.gradient),
    model_plots.read_groups(snakemake.input.groups),
    params.groupings,
    params.measures,
    params.figure,
)
plots.save(figure, snakemake.output.figure)
log.info("%s -> %s", params.figure, snakemake.output.figure)
