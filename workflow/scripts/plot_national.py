from childspend import logs
from childspend.reports import plots

log = logs.setup(snakemake.log[0], "plot_national")
series = plots.read_series(snakemake.input.series)
for name, path in snakemake.output.items():
    plots.save(plots.FIGURES[name](series), path)
    log.info("%s -> %s", name, path)
