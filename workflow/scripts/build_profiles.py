import pandas as pd

from childspend import logs, measures
from childspend.panel.areas import read_areas
from childspend.reports.profiles import build_profiles, read_neighbours
from childspend.tables import write_csv, write_table

log = logs.setup(snakemake.log[0], "build_profiles")
codes = {"area_code": str}
tables = build_profiles(
    pd.read_parquet(snakemake.input.panel),
    pd.read_parquet(snakemake.input.money),
    read_areas(snakemake.input.areas),
    read_neighbours(snakemake.input.neighbours),
    snakemake.params.neighbours,
    snakemake.params.intervention,
    snakemake.params.from_year,
    [c for c in measures.categories("s251_gross") if c != "total"],
    dict(
        population=pd.read_csv(snakemake.input.population, dtype=codes, keep_default_na=False, na_values=[""]),
        decomposition=pd.read_csv(snakemake.input.decomposition, dtype=codes, keep_default_na=False, na_values=[""]),
        exclusions=pd.read_csv(snakemake.input.exclusions, dtype=codes, keep_default_na=False, na_values=[""]),
        needs=pd.read_csv(snakemake.input.needs, dtype=codes, keep_default_na=False, na_values=[""]),
        fit=pd.read_csv(snakemake.input.fit, dtype=str, keep_default_na=False),
        projections=pd.read_csv(snakemake.input.projections, dtype=codes, keep_default_na=False, na_values=[""]),
    ),
    snakemake.params.models,
)
for name, table in tables.items():
    if name in snakemake.output.keys() and f"{name}_csv" in snakemake.output.keys():
        write_table(table, snakemake.output[name], snakemake.output[f"{name}_csv"])
    else:
        write_csv(table, snakemake.output[name])
    log.info("%s: %d rows", name, len(table))
