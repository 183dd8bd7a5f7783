# Loaded first: validates the config and pinned sources, and defines the helpers rules use.
from childspend.config import check_config, load_sources, sources_of


configfile: "config/config.yaml"


check_config(config)
SOURCES = load_sources("config/sources.yaml")
LIB = "workflow/src/childspend"


def raw_path(entry):
    return f"raw/{entry['path']}"


def raw_files(family):
    """raw/ copies of one parser family's pinned files, in source-id order."""
    return [raw_path(e) for e in sources_of(SOURCES, family).values()]


def lib(*modules):
    """Library modules a rule runs, listed as inputs so a code change reruns the rule."""
    return [f"{LIB}/{m}.py" for m in modules]
