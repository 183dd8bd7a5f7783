import pandas as pd

from childspend import logs
from childspend.prices import deflate_panel
from childspend.tables import write_table

log = logs.setup(snakemake.log[0], "deflate_panel")
params = snakemake.params
real = deflate_panel(
    pd.read_parquet(snakemake.input.panel), pd.read_parquet(snakemake.input.prices), params.index, params.base_year
)
write_table(real, snakemake.output.parquet, snakemake.output.csv)
log.info("%d money values deflated to %s", real["value"].notna().sum(), real["price_base"].iloc[0])
