import pandas as pd

from childspend import logs
from childspend.panel.reconcile import reconcile_activity
from childspend.tables import write_csv

log = logs.setup(snakemake.log[0], "reconcile_activity")
published = [pd.read_parquet(path) for path in snakemake.input.tables]
table = reconcile_activity(published, pd.read_parquet(snakemake.input.panel), snakemake.params.tolerance)
write_csv(table, snakemake.output[0])
over = table[~table["within_tolerance"]]
log.info(
    "%d published England figures compared; %d outside tolerance, %d unexplained",
    len(table),
    len(over),
    over["explanation"].str.startswith("unexplained").sum(),
)
