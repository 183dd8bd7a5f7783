import pandas as pd

from childspend import logs
from childspend.models.cross_section import cross_section
from childspend.tables import write_csv

log = logs.setup(snakemake.log[0], "fit_cross_section")
tables = cross_section(pd.read_parquet(snakemake.input.frame), snakemake.params.spec)
for name, table in tables.items():
    write_csv(table, snakemake.output[name])
log.info("fit by year:\n%s", tables["fit"].drop(columns=["formula", "sample"]).to_string(index=False))
