# Copy each pinned official file into raw/ (from a mirror, else its download address).
import re

SOURCE_BY_PATH = {entry["path"]: entry for entry in SOURCES.values()}


rule fetch_raw:
    output:
        "raw/{path}",
    wildcard_constraints:
        path="|".join(re.escape(p) for p in sorted(SOURCE_BY_PATH)),
    params:
        entry=lambda wildcards: SOURCE_BY_PATH[wildcards.path],
        mirrors=config["mirrors"],
    conda:
        "../envs/childspend.yaml"
    log:
        "results/logs/fetch_raw/{path}.log",
    script:
        "../scripts/fetch_raw.py"
