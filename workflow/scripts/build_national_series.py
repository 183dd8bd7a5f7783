import pandas as pd

from childspend import logs
from childspend.national import commons_table, dfe_comparison, headlines, national_series
from childspend.tables import sort_table, write_csv

log = logs.setup(snakemake.log[0], "build_national_series")
money = pd.read_parquet(snakemake.input.money)
prices = pd.read_parquet(snakemake.input.prices)
early, late = snakemake.params.intervention["early"], snakemake.params.intervention["late"]

series = national_series(money, early, late)
write_csv(sort_table(series, ["area_level", "area_code", "measure", "year"]), snakemake.output.series)
lines = headlines(series, snakemake.params.from_year, early, late)
write_csv(lines, snakemake.output.headlines)
for sentence in lines["sentence"]:
    log.info("%s", sentence)

published = snakemake.params.published
commons = commons_table(pd.read_parquet(snakemake.input.panel), prices, published["commons_childrens_social_care"])
write_csv(commons, snakemake.output.commons)
log.info("Commons Library table:\n%s", commons.to_string(index=False))
write_csv(
    dfe_comparison(series, prices, published["dfe_spending"], early, snakemake.params.index), snakemake.output.dfe
)
