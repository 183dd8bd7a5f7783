import pandas as pd

from childspend import logs
from childspend.panel.areas import stable_units
from childspend.panel.exclusions import ExclusionLog
from childspend.panel.spending import spending_rows
from childspend.panel.units import resolve_la_numbers, unit_panel
from childspend.tables import write_csv, write_table

log = logs.setup(snakemake.log[0], "build_spending_panel")
geo = pd.read_parquet(snakemake.input.geography)
units = stable_units(geo, snakemake.params.merged_units)
exclusions = ExclusionLog()

tables = [
    resolve_la_numbers(pd.read_parquet(snakemake.input[name]), geo, exclusions)
    for name in ("s251_a1", "lait", "revenue_outturn")
]
panel = unit_panel(spending_rows(*tables), geo, units, snakemake.params.years, exclusions)

write_table(panel, snakemake.output.parquet, snakemake.output.csv, ["area_level", "area_code", "year", "measure"])
write_csv(units.sort_values("la_number"), snakemake.output.units)
write_csv(exclusions.frame(), snakemake.output.exclusions)
log.info(
    "spending panel: %d rows, %d units, %d years; %d exclusion records",
    len(panel),
    units["unit_id"].nunique(),
    panel["year"].nunique(),
    len(exclusions.rows),
)
