import pandas as pd

from childspend import logs
from childspend.reports import plots, projection_plots

log = logs.setup(snakemake.log[0], "plot_projections")
projections = projection_plots.read_table(snakemake.input.projections)
compared = projection_plots.read_table(snakemake.input.published)
frame = pd.read_parquet(snakemake.input.frame)
labels = snakemake.params.scenarios
for path, (scenario, quantity) in zip(snakemake.output.fans, snakemake.params.fans):
    plots.save(
        projection_plots.fan(projections, frame, compared, scenario, labels[scenario], quantity),
        path,
        alt=projection_plots.fan_alt(projections, frame, scenario, labels[scenario], quantity),
    )
    log.info("%s %s -> %s", scenario, quantity, path)
coverage = projection_plots.read_table(snakemake.input.coverage)
plots.save(
    projection_plots.coverage_chart(coverage, labels, snakemake.params.pools),
    snakemake.output.coverage,
    alt=projection_plots.coverage_alt(coverage, labels),
)
