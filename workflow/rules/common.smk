# Loaded first: validates the config and pinned sources, and defines the helpers rules use.
from childspend.code_deps import code_inputs
from childspend.config import check_config, load_sources, read_yaml, sources_of

# Read strictly before Snakemake's own reader does: a repeated key or an object-building tag is
# named with its line (Snakemake would keep the last key, or blame tabs and whitespace).
read_yaml("config/config.yaml")


configfile: "config/config.yaml"


check_config(config)
SOURCES = load_sources("config/sources.yaml")
LIB = "workflow/src/childspend"


def raw_path(entry):
    return f"raw/{entry['path']}"


def raw_files(family):
    """raw/ copies of one parser family's pinned files, in source-id order."""
    return [raw_path(e) for e in sources_of(SOURCES, family).values()]


def code(script, *modules, notebooks=()):
    """The library files workflow/scripts/<script>.py and ``notebooks`` run (computed from their
    imports, plus ``modules`` loaded by name), as inputs: a library edit reruns exactly the rules
    that use it."""
    return code_inputs([f"workflow/scripts/{script}.py", *notebooks], LIB, modules)
