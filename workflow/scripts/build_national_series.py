import pandas as pd

from childspend import logs
from childspend.national import build_national
from childspend.tables import write_csv

log = logs.setup(snakemake.log[0], "build_national_series")
params = snakemake.params
tables = build_national(
    pd.read_parquet(snakemake.input.money),
    pd.read_parquet(snakemake.input.panel),
    pd.read_parquet(snakemake.input.prices),
    params.intervention,
    params.from_year,
    params.index,
    params.published,
)
for name, table in tables.items():
    write_csv(table, snakemake.output[name])
for sentence in tables["headlines"]["sentence"]:
    log.info("%s", sentence)
log.info("Commons Library table:\n%s", tables["commons"].to_string(index=False))
