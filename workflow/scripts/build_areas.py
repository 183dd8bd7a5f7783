import pandas as pd

from childspend import logs
from childspend.panel.areas import areas_table, stable_units
from childspend.tables import write_csv

log = logs.setup(snakemake.log[0], "build_areas")
geo = pd.read_parquet(snakemake.input.geography)
units = stable_units(geo, snakemake.params.merged_units)
areas = areas_table(geo, units, snakemake.params.years)
write_csv(areas, snakemake.output.areas)
write_csv(units.sort_values("la_number"), snakemake.output.units)
log.info("%d areas: %s", len(areas), areas["area_level"].value_counts().sort_index().to_dict())
