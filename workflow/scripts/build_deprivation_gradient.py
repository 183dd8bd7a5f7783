import pandas as pd

from childspend import logs
from childspend.models.gradient import build_deprivation_gradient
from childspend.tables import write_csv

log = logs.setup(snakemake.log[0], "build_deprivation_gradient")
params = snakemake.params
tables = build_deprivation_gradient(
    pd.read_parquet(snakemake.input.frame), params.groupings, params.measures, params.headlines, params.from_year
)
for name, table in tables.items():
    write_csv(table, snakemake.output[name])
for sentence in tables["headlines"]["sentence"]:
    log.info("%s", sentence)
