import pandas as pd

from childspend import logs
from childspend.panel.join import join_panel
from childspend.tables import write_csv, write_table

log = logs.setup(snakemake.log[0], "join_panel")
exclusions = [pd.read_csv(path, dtype=str, keep_default_na=False) for path in snakemake.input.exclusions]
tables = join_panel(pd.read_parquet(snakemake.input.spending), pd.read_parquet(snakemake.input.activity), exclusions)

out = snakemake.output
write_table(tables["long"], out.long_parquet, out.long_csv)
write_table(tables["wide"], out.wide_parquet, out.wide_csv)
for name in ("dictionary", "coverage", "exclusions"):
    write_csv(tables[name], out[name])
panel = tables["long"]
log.info("panel: %d rows, %d measures, %d areas", len(panel), panel["measure"].nunique(), panel["area_code"].nunique())
