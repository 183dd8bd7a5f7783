import pandas as pd

from childspend import logs, measures
from childspend.prices import deflate
from childspend.tables import write_table

log = logs.setup(snakemake.log[0], "deflate_panel")
panel = pd.read_parquet(snakemake.input.panel)
money = panel[panel["measure"].isin(measures.of_kind("money"))]
real = deflate(money, pd.read_parquet(snakemake.input.prices), snakemake.params.index, snakemake.params.base_year)
write_table(real, snakemake.output.parquet, snakemake.output.csv, ["area_level", "area_code", "year", "measure"])
log.info("%d money values deflated to %s", real["value"].notna().sum(), real["price_base"].iloc[0])
