from childspend import logs
from childspend.reports import driver_plots
from childspend.reports.plots import save

log = logs.setup(snakemake.log[0], "plot_drivers")
decomposition = driver_plots.read_decomposition(snakemake.input.decomposition)
period = snakemake.params.period
to_year = period["to"]
quantity, label = snakemake.params.figure["quantity"], snakemake.params.label
save(
    driver_plots.decomposition_bars(decomposition, quantity, label, period["from"], to_year),
    snakemake.output.decomposition,
    alt=driver_plots.decomposition_alt(decomposition, quantity, label, period["from"], to_year),
)
coefficients = driver_plots.read_coefficients(snakemake.input.coefficients)
term, label = "early_intervention_per_child_gbp100", "early-intervention spend"
save(
    driver_plots.coefficient_plot(coefficients, term, label),
    snakemake.output.coefficients,
    alt=driver_plots.coefficient_alt(coefficients, term, label),
)
log.info(
    "decomposition of %s, %s to %s; coefficients of %d models",
    quantity,
    period["from"],
    to_year,
    coefficients["model_id"].nunique(),
)
