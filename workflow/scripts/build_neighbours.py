import pandas as pd

from childspend import logs
from childspend.panel.areas import read_areas
from childspend.panel.neighbours import unit_neighbours
from childspend.tables import write_csv

log = logs.setup(snakemake.log[0], "build_neighbours")
table = unit_neighbours(pd.read_parquet(snakemake.input.lists), read_areas(snakemake.input.areas))
write_csv(table, snakemake.output[0])
for source, rows in table.drop_duplicates(["source", "unit_id"]).groupby("source"):
    log.info(
        "%s: %d units; group sizes %s", source, len(rows), rows["group_size"].value_counts().sort_index().to_dict()
    )
