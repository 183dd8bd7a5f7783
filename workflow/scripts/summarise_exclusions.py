import pandas as pd

from childspend import logs
from childspend.panel.summary import check_strict, describe, summarise
from childspend.tables import write_csv

log = logs.setup(snakemake.log[0], "summarise_exclusions")
params = snakemake.params
summary = summarise(
    pd.read_csv(snakemake.input.exclusions, dtype=str, keep_default_na=False),
    pd.read_parquet(snakemake.input.panel),
    pd.read_csv(snakemake.input.units, dtype=str, keep_default_na=False),
    {path: pd.read_parquet(path) for path in snakemake.input.tables},
    pd.read_csv(snakemake.input.england, dtype={"explanation": str}),
    pd.read_csv(snakemake.input.activity, dtype={"explanation": str}),
    params.accepted,
)
write_csv(summary, snakemake.output[0])
(log.warning if (~summary["accepted"]).any() else log.info)(
    "exclusions and warnings by kind (results/panel/warnings.csv):\n%s", describe(summary)
)
check_strict(summary, params.strict)
