from childspend import logs
from childspend.sources import geography
from childspend.tables import write_parquet

logs.setup(snakemake.log[0], "ingest_geography")
write_parquet(geography.parse(snakemake.input.las, snakemake.input.regions), snakemake.output[0])
