import pandas as pd

from childspend import logs
from childspend.models.headlines import model_headlines
from childspend.tables import write_csv

log = logs.setup(snakemake.log[0], "write_model_headlines")
table = model_headlines(
    pd.read_csv(snakemake.input.decomposition, dtype={"area_code": str}),
    snakemake.params.labels,
    pd.read_csv(snakemake.input.coefficients),
    {
        name: pd.read_csv(snakemake.input[name], dtype=str, keep_default_na=False)
        for name in ("gradient", "projections")
    },
)
write_csv(table, snakemake.output[0])
for sentence in table["sentence"]:
    log.info("%s", sentence)
