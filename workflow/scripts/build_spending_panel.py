import pandas as pd

from childspend import logs
from childspend.panel.areas import read_areas, units_from_areas
from childspend.panel.spending import SOURCES, build_spending_panel
from childspend.tables import write_csv, write_table

log = logs.setup(snakemake.log[0], "build_spending_panel")
tables = {name: pd.read_parquet(snakemake.input[name]) for name in SOURCES}
geo = pd.read_parquet(snakemake.input.geography)
units = units_from_areas(read_areas(snakemake.input.areas))
panel, exclusions = build_spending_panel(tables, geo, units, snakemake.params.years)

write_table(panel, snakemake.output.parquet)
write_csv(exclusions, snakemake.output.exclusions)
log.info(
    "spending panel: %d rows, %d units, %d years; %d exclusion records",
    len(panel),
    units["unit_id"].nunique(),
    panel["year"].nunique(),
    len(exclusions),
)
