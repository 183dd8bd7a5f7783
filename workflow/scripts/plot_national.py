import pandas as pd

from childspend import logs
from childspend.reports import plots

log = logs.setup(snakemake.log[0], "plot_national")
series = pd.read_csv(
    snakemake.input.series, dtype={"flag": str, "price_base": str}, keep_default_na=False, na_values=[""]
)
series["flag"] = series["flag"].fillna("")
for name, path in snakemake.output.items():
    plots.save(plots.FIGURES[name](series), path)
    log.info("%s -> %s", name, path)
