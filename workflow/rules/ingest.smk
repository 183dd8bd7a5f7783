# One parser per publication family: official layout -> tidy validated table.
FAMILIES = sorted({entry["family"] for entry in SOURCES.values()} - {"geography"})


rule ingest_geography:
    input:
        las=raw_path(SOURCES["geo_las"]),
        regions=raw_path(SOURCES["geo_region_la_hierarchy"]),
        code=code("ingest_geography"),
    output:
        "results/ingest/geography.parquet",
    log:
        "results/logs/ingest_geography.log",
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["small"],
    params:
        entries={name: (id, SOURCES[id]) for name, id in [("las", "geo_las"), ("regions", "geo_region_la_hierarchy")]},
    script:
        "../scripts/ingest_geography.py"


rule ingest_family:
    input:
        files=lambda wildcards: raw_files(wildcards.family),
        code=lambda wildcards: code("ingest_family", f"childspend.sources.{wildcards.family}"),
    output:
        "results/ingest/{family}.parquet",
    log:
        "results/logs/ingest_{family}.log",
    wildcard_constraints:
        family="|".join(FAMILIES),
    conda:
        "../envs/childspend.yaml"
    threads: 1
    resources:
        mem_mb=MEM_MB["medium"],
    params:
        entries=lambda wildcards: sources_of(SOURCES, wildcards.family),
    script:
        "../scripts/ingest_family.py"
