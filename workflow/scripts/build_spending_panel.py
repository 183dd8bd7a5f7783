import pandas as pd

from childspend import dictionary, logs
from childspend.geography import operating, stable_units
from childspend.panel import ExclusionLog, complete_grid, resolve_la_numbers, spending_rows, to_units, wide, with_totals
from childspend.tables import write_csv, write_table

log = logs.setup(snakemake.log[0], "build_spending_panel")
geo = pd.read_parquet(snakemake.input.geography)
years = snakemake.params.years
units = stable_units(geo, snakemake.params.merged_units)
exclusions = ExclusionLog()

sources = {name: resolve_la_numbers(pd.read_parquet(snakemake.input[name]), geo, exclusions)
           for name in ("s251_a1", "lait", "revenue_outturn")}
rows = spending_rows(sources["s251_a1"], sources["lait"], sources["revenue_outturn"])
outside = ~rows["year"].isin(years)
if outside.any():
    log.info("%d rows outside the configured years %s to %s left out", outside.sum(), years[0], years[-1])
    for (source, year), group in rows[outside].groupby(["source", "year"]):
        exclusions.add("panel", "year outside config years", source, year, rows=len(group))
unit_values = to_units(rows[~outside], units, operating(geo, years), exclusions)
panel = with_totals(complete_grid(unit_values, units, years, exclusions), units)

keys = ["area_level", "area_code", "year", "measure"]
write_table(panel, snakemake.output.long_parquet, snakemake.output.long_csv, keys)
write_table(wide(panel), snakemake.output.wide_parquet, snakemake.output.wide_csv,
            ["area_level", "area_code", "year"])
write_csv(units.sort_values("la_number"), snakemake.output.units)
write_csv(dictionary.build(panel), snakemake.output.dictionary)
write_csv(exclusions.frame().sort_values(["stage", "source", "year", "area", "measure"], kind="mergesort"),
          snakemake.output.exclusions)
log.info("panel: %d rows, %d units, %d years; %d exclusion records",
         len(panel), units["unit_id"].nunique(), len(years), len(exclusions.rows))
