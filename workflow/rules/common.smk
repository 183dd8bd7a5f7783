# Loaded first: validates the config and pinned sources, and defines the helpers rules use.
from pathlib import Path

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
    """Library modules a rule runs, with their data tables (e.g. parsers/s251_a1_lines.csv),
    listed as inputs so a code or mapping change reruns the rule."""
    return sorted(f"{LIB}/{m}.py" for m in modules) + sorted(
        str(table) for m in modules for table in Path(LIB).glob(f"{m}_*.csv")
    )
