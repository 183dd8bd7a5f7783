import pandas as pd

from childspend import logs
from childspend.geography import operating, stable_units
from childspend.panel import (ExclusionLog, complete_grid, resolve_la_numbers, spending_rows, to_units,
                              with_totals, within_years)
from childspend.tables import write_csv, write_table

log = logs.setup(snakemake.log[0], "build_spending_panel")
geo = pd.read_parquet(snakemake.input.geography)
years = snakemake.params.years
units = stable_units(geo, snakemake.params.merged_units)
exclusions = ExclusionLog()

sources = {name: resolve_la_numbers(pd.read_parquet(snakemake.input[name]), geo, exclusions)
           for name in ("s251_a1", "lait", "revenue_outturn")}
rows = within_years(spending_rows(sources["s251_a1"], sources["lait"], sources["revenue_outturn"]), years, exclusions)
unit_values = to_units(rows, units, operating(geo, years), exclusions)
panel = with_totals(complete_grid(unit_values, units, years, exclusions), units)

write_table(panel, snakemake.output.parquet, snakemake.output.csv, ["area_level", "area_code", "year", "measure"])
write_csv(units.sort_values("la_number"), snakemake.output.units)
write_csv(exclusions.frame(), snakemake.output.exclusions)
log.info("spending panel: %d rows, %d units, %d years; %d exclusion records",
         len(panel), units["unit_id"].nunique(), len(years), len(exclusions.rows))
