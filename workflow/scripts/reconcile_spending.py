import pandas as pd

from childspend import logs
from childspend.panel.areas import operating
from childspend.panel.exclusions import ExclusionLog
from childspend.panel.reconcile import a1_vs_lait, england_rows
from childspend.panel.units import latest_release, resolve_la_numbers
from childspend.sources.s251_a1 import check_detail_sums
from childspend.tables import sort_table, write_csv

log = logs.setup(snakemake.log[0], "reconcile_spending")
geo = pd.read_parquet(snakemake.input.geography)
ops = operating(geo, snakemake.params.years)
la_region = geo.drop_duplicates("la_number", keep="last").set_index("la_number")["region_name"].to_dict()
tables = {name: pd.read_parquet(snakemake.input[name]) for name in ("s251_a1", "lait", "revenue_outturn")}
# LA-number resolution is logged by build_spending_panel; here it only feeds the comparisons.
la_rows = {name: resolve_la_numbers(table, geo, ExclusionLog()) for name, table in tables.items()}

england = pd.concat(
    [england_rows(tables[n], la_rows[n], ops, la_region, snakemake.params.tolerance) for n in tables], ignore_index=True
)
write_csv(sort_table(england, ["source", "year", "measure", "category"]), snakemake.output.england)
over = england[~england["within_tolerance"] & england["published_england"].notna()]
log.info(
    "England rows: %d compared, %d over tolerance, %d unexplained",
    len(england),
    len(over),
    over["explanation"].str.startswith("unexplained").sum(),
)

comparison = a1_vs_lait(la_rows["s251_a1"], latest_release(la_rows["lait"]), snakemake.params.a1_lait_tolerance)
write_csv(sort_table(comparison, ["level", "year", "category", "la_number"]), snakemake.output.a1_lait)
log.info(
    "A1 vs LAIT England totals:\n%s",
    comparison[(comparison["level"] == "england") & (comparison["category"] == "total")].to_string(index=False),
)

write_csv(check_detail_sums(tables["s251_a1"]), snakemake.output.a1_detail)
