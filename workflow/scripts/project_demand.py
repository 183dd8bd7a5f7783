import pandas as pd

from childspend import logs
from childspend.models import projection_population, projection_published
from childspend.models.projections import build_projections
from childspend.panel.areas import read_areas, units_from_areas
from childspend.tables import write_csv

log = logs.setup(snakemake.log[0], "project_demand")
frame = pd.read_parquet(snakemake.input.frame)
population, source = projection_population.pinned(
    list(snakemake.input.population_projection),
    snakemake.params.population_projection,
    pd.read_parquet(snakemake.input.geography),
    units_from_areas(read_areas(snakemake.input.areas)),
    snakemake.params.years,
)
publisher = projection_published.publisher_outturns(
    pd.read_parquet(snakemake.input.panel), pd.read_parquet(snakemake.input.revenue_outturn)
)
tables = build_projections(frame, snakemake.params.block, snakemake.params.published, publisher, population, source)
for name, table in tables.items():
    write_csv(table, snakemake.output[name])
    log.info("%s: %d rows", name, len(table))
log.info("population: %s", tables["projections"]["population_vintage"].iloc[0])
