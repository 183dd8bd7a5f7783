import pandas as pd

from childspend import logs
from childspend.models.decomposition import decompose
from childspend.tables import write_csv

log = logs.setup(snakemake.log[0], "decompose_growth")
tables = decompose(pd.read_parquet(snakemake.input.frame), snakemake.params.decomposition)
for name, table in tables.items():
    write_csv(table, snakemake.output[name])
for row in tables["exclusions"].itertuples():
    log.info("%s: %s, %s %s to %s: %s", row.status, row.area_name, row.quantity, row.from_year, row.to_year, row.reason)
england = tables["decomposition"][tables["decomposition"]["area_level"] == "england"]
for (quantity, start, end), rows in england.groupby(["quantity", "from_year", "to_year"], sort=False):
    parts = ", ".join(f"{r.component} {r.value:,.0f} ({r.share_of_change:.1%})" for r in rows.itertuples())
    log.info("England %s, %s to %s: %s", quantity, start, end, parts)
