import pandas as pd

from childspend import logs
from childspend.panel.reconcile import activity_england
from childspend.tables import sort_table, write_csv

log = logs.setup(snakemake.log[0], "reconcile_activity")
published = pd.concat([pd.read_parquet(path) for path in snakemake.input.tables], ignore_index=True)
table = sort_table(
    activity_england(published, pd.read_parquet(snakemake.input.panel), snakemake.params.tolerance), ["measure", "year"]
)
write_csv(table, snakemake.output[0])
over = table[~table["within_tolerance"]]
log.info(
    "%d published England figures compared; %d outside tolerance, %d unexplained",
    len(table),
    len(over),
    over["explanation"].str.startswith("unexplained").sum(),
)
