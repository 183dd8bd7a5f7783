import pandas as pd

from childspend import logs
from childspend.models.frame import model_frame
from childspend.models.population import spliced_population
from childspend.panel.areas import read_areas, units_from_areas
from childspend.tables import sort_table, write_csv, write_table

log = logs.setup(snakemake.log[0], "build_model_frame")
areas = read_areas(snakemake.input.areas)
geo = pd.read_parquet(snakemake.input.geography)
population, vintage = spliced_population(
    pd.read_parquet(snakemake.input.population), geo, units_from_areas(areas), snakemake.params.years
)
frame = model_frame(
    pd.read_parquet(snakemake.input.panel),
    pd.read_parquet(snakemake.input.money),
    population,
    vintage,
    areas,
    snakemake.params.intervention,
)
write_table(frame, snakemake.output.parquet, snakemake.output.csv)
write_csv(sort_table(population, ["area_code", "year"]), snakemake.output.population)
log.info("population: %s", vintage)
log.info("spliced unit-years: %s", population["flag"].value_counts().sort_index().to_dict())
log.info("model frame: %d rows, %d measures", len(frame), frame["measure"].nunique())
