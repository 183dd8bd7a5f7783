from childspend import logs
from childspend.sources import geography
from childspend.sources.ingest import check_pinned
from childspend.tables import write_parquet

logs.setup(snakemake.log[0], "ingest_geography")
las, regions = (check_pinned(snakemake.input[name], *snakemake.params.entries[name]) for name in ("las", "regions"))
write_parquet(geography.parse(las, regions), snakemake.output[0])
