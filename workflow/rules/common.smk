# Loaded first: validates the config and pinned sources, and defines the helpers rules use.
from childspend.code_deps import code_inputs
from childspend.config import check_config, check_pinned, load_sources, read_yaml, sources_of

# Read strictly before Snakemake's own reader does: a repeated key or an object-building tag is
# named with its line (Snakemake would keep the last key, or blame tabs and whitespace).
read_yaml("config/config.yaml")


configfile: "config/config.yaml"


check_config(config)
SOURCES = load_sources("config/sources.yaml")
check_pinned(config["profiles"]["neighbours"], "neighbours", SOURCES, "profiles.neighbours")
LIB = "workflow/src/childspend"
# Each script's and module's imports, kept between runs (childspend.code_deps).
CODE_IMPORTS_CACHE = ".snakemake/childspend/code_imports.json"


def raw_path(entry):
    return f"raw/{entry['path']}"


def raw_files(family):
    """raw/ copies of one parser family's pinned files, in source-id order."""
    return [raw_path(e) for e in sources_of(SOURCES, family).values()]


def code(script, *modules, notebooks=()):
    """The library files workflow/scripts/<script>.py and ``notebooks`` run (computed from their
    imports, plus ``modules`` loaded by name), as inputs: a library edit reruns exactly the rules
    that use it."""
    return code_inputs([f"workflow/scripts/{script}.py", *notebooks], LIB, modules, CODE_IMPORTS_CACHE)


# The LA profiles are executed in this many batches (Snakemake jobs), each running its units in
# one Jupyter kernel; each batch reads its units from the areas table.
BATCHES = config["profiles"]["batches"]


# What each job asks a cluster for (profiles/slurm; README: Running on a SLURM cluster). Every rule
# runs one single-threaded process (threads: 1) and asks for the memory tier (MB) of its heaviest
# job. Peak resident memory, measured with `python benchmarks/memory.py` (benchmarks/README.md):
# small up to 250 MiB, medium up to 420, large up to 550 (the exclusion summary; a profile batch
# 450). Each tier is at least twice its largest peak: the sampler looks every 0.5 s for 15 s, then
# every 30 s, so a short peak can be missed.
MEM_MB = {"small": 500, "medium": 1000, "large": 1500}


# On a cluster these run where Snakemake runs, not as jobs: `all` has no action; fetch_raw copies a
# file from the mirror or downloads it (login nodes have the network access compute nodes often
# lack), 97 jobs of a second each; publish_profiles copies the profile batches' pages into place.
localrules:
    all,
    fetch_raw,
    publish_profiles,
