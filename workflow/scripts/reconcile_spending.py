import pandas as pd

from childspend import logs
from childspend.panel.reconcile import reconcile_spending
from childspend.panel.spending import SOURCES
from childspend.tables import write_csv

log = logs.setup(snakemake.log[0], "reconcile_spending")
tables = {name: pd.read_parquet(snakemake.input[name]) for name in SOURCES}
geo = pd.read_parquet(snakemake.input.geography)
params = snakemake.params
out = reconcile_spending(tables, geo, params.years, params.tolerance, params.a1_lait_tolerance)
for name, table in out.items():
    write_csv(table, snakemake.output[name])

england = out["england"]
over = england[~england["within_tolerance"] & england["published_england"].notna()]
log.info(
    "England rows: %d compared, %d over tolerance, %d unexplained",
    len(england),
    len(over),
    over["explanation"].str.startswith("unexplained").sum(),
)
a1_lait = out["a1_lait"]
totals = a1_lait[(a1_lait["level"] == "england") & (a1_lait["category"] == "total")]
log.info("A1 vs LAIT England totals:\n%s", totals.to_string(index=False))
