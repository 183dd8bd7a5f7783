import pandas as pd

from childspend import logs
from childspend.panel.activity import SOURCES, build_activity_panel
from childspend.panel.areas import read_areas, units_from_areas
from childspend.tables import write_csv, write_table

log = logs.setup(snakemake.log[0], "build_activity_panel")
tables = {name: pd.read_parquet(snakemake.input[name]) for name in SOURCES}
geo = pd.read_parquet(snakemake.input.geography)
units = units_from_areas(read_areas(snakemake.input.areas))
panel, exclusions = build_activity_panel(tables, geo, units, snakemake.params.years)

write_table(panel, snakemake.output.parquet)
write_csv(exclusions, snakemake.output.exclusions)
log.info(
    "activity panel: %d rows, %d measures; %d exclusion records",
    len(panel),
    panel["measure"].nunique(),
    len(exclusions),
)
