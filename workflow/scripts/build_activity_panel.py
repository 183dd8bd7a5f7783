import pandas as pd

from childspend import logs
from childspend.panel.activity import (
    RATES,
    activity_rows,
    add_quality_notes,
    combine_weighted,
    derive,
    imd_deciles,
    use_published_england,
    weighted_parts,
)
from childspend.panel.areas import stable_units
from childspend.panel.exclusions import ExclusionLog
from childspend.panel.units import resolve_la_numbers, unit_panel
from childspend.tables import write_csv, write_table

log = logs.setup(snakemake.log[0], "build_activity_panel")
geo = pd.read_parquet(snakemake.input.geography)
units = stable_units(geo, snakemake.params.merged_units)
exclusions = ExclusionLog()

tables = [pd.read_parquet(snakemake.input[name]) for name in ("cla", "cin", "population", "deprivation")]
la_rows = [resolve_la_numbers(table, geo, exclusions) for table in tables]
panel = unit_panel(weighted_parts(activity_rows(la_rows, exclusions)), geo, units, snakemake.params.years, exclusions)
panel = add_quality_notes(derive(imd_deciles(use_published_england(combine_weighted(panel), tables)), RATES))

write_table(panel, snakemake.output.parquet, snakemake.output.csv, ["area_level", "area_code", "year", "measure"])
write_csv(exclusions.frame(), snakemake.output.exclusions)
log.info(
    "activity panel: %d rows, %d measures; %d exclusion records",
    len(panel),
    panel["measure"].nunique(),
    len(exclusions.rows),
)
