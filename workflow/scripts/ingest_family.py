from childspend import logs
from childspend.sources.ingest import ingest
from childspend.tables import write_table

logs.setup(snakemake.log[0], "ingest_family")
write_table(
    ingest(snakemake.wildcards.family, list(snakemake.input.files), snakemake.params.entries), snakemake.output[0]
)
