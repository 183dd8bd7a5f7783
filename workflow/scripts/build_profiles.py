import pandas as pd

from childspend import logs, measures
from childspend.panel.areas import read_areas
from childspend.reports.profiles import build_profiles, read_neighbours
from childspend.tables import write_csv, write_table

log = logs.setup(snakemake.log[0], "build_profiles")
tables = build_profiles(
    pd.read_parquet(snakemake.input.panel),
    pd.read_parquet(snakemake.input.money),
    read_areas(snakemake.input.areas),
    read_neighbours(snakemake.input.neighbours),
    snakemake.params.neighbours,
    snakemake.params.intervention,
    snakemake.params.from_year,
    [c for c in measures.categories("s251_gross") if c != "total"],
)
for name, table in tables.items():
    if name in snakemake.output.keys() and f"{name}_csv" in snakemake.output.keys():
        write_table(table, snakemake.output[name], snakemake.output[f"{name}_csv"])
    else:
        write_csv(table, snakemake.output[name])
    log.info("%s: %d rows", name, len(table))
