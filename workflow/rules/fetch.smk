# Copy each pinned official file into raw/ (from a mirror, else its download address).
# update(): Snakemake keeps the existing copy while the job runs and restores it if the job fails,
# so a bad mirror file or a failed download never costs the verified copy already in raw/.
# No code inputs: a copy is checked against its pinned sha256, so editing the fetch code cannot
# change what lands in raw/, and refetching would only rerun everything downstream.
import re

SOURCE_BY_PATH = {entry["path"]: entry for entry in SOURCES.values()}


rule fetch_raw:
    output:
        update("raw/{path}"),
    log:
        "results/logs/fetch_raw/{path}.log",
    wildcard_constraints:
        path="|".join(re.escape(p) for p in sorted(SOURCE_BY_PATH)),
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["small"],
    params:
        entry=lambda wildcards: SOURCE_BY_PATH[wildcards.path],
        mirrors=config["mirrors"],
    script:
        "../scripts/fetch_raw.py"
