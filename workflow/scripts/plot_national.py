from childspend import logs
from childspend.reports import plots

log = logs.setup(snakemake.log[0], "plot_national")
series = plots.read_series(snakemake.input.series)
dictionary = plots.read_dictionary(snakemake.input.dictionary)
for name, path in snakemake.output.items():
    plots.save(plots.FIGURES[name](series, dictionary, snakemake.params.intervention), path)
    log.info("%s -> %s", name, path)
