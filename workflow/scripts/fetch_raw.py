from childspend import logs
from childspend.sources.fetch import fetch

logs.setup(snakemake.log[0], "fetch_raw")
fetch(snakemake.params.entry, snakemake.output[0], snakemake.params.mirrors)
