import pandas as pd

from childspend import logs
from childspend.panel import dictionary
from childspend.panel.activity import PER_CHILD, coverage, derive
from childspend.panel.units import wide
from childspend.tables import sort_table, write_csv, write_table

log = logs.setup(snakemake.log[0], "join_panel")
panel = derive(
    pd.concat(
        [pd.read_parquet(snakemake.input.spending), pd.read_parquet(snakemake.input.activity)], ignore_index=True
    ),
    PER_CHILD,
)
keys = ["area_level", "area_code", "year", "measure"]
panel = write_table(panel, snakemake.output.long_parquet, snakemake.output.long_csv, keys)
write_table(wide(panel), snakemake.output.wide_parquet, snakemake.output.wide_csv, ["area_level", "area_code", "year"])
write_csv(dictionary.build(panel), snakemake.output.dictionary)
write_csv(coverage(panel), snakemake.output.coverage)
exclusions = pd.concat([pd.read_csv(path, dtype=str, keep_default_na=False) for path in snakemake.input.exclusions])
write_csv(sort_table(exclusions), snakemake.output.exclusions)
log.info("panel: %d rows, %d measures, %d areas", len(panel), panel["measure"].nunique(), panel["area_code"].nunique())
