"""Load and check config/config.yaml and config/sources.yaml.

Both are validated against the JSON Schemas in childspend/schemas (unknown keys are errors), then
cross-field checks run; any problem is raised as one readable ConfigError. Lists kept in code
(S251 categories in measures.csv, price indices in prices.py) complete the schemas' ``$defs``.
"""

from __future__ import annotations

from pathlib import Path

import jsonschema
import yaml

from . import measures
from .errors import ConfigError
from .prices import INDEX_LABELS
from .years import fy_start

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"


def _read_yaml(path: str | Path) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.safe_load(handle) or {}
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None


def _enums() -> dict[str, list[str]]:
    """The ``$defs`` entries a schema leaves to the code -> their allowed values."""
    return {
        "s251_category": [c for c in measures.categories("s251_gross") if c != "total"],
        "price_index": list(INDEX_LABELS),
    }


def _validate(data: dict, schema_name: str, path: str | Path) -> None:
    schema = _read_yaml(SCHEMA_DIR / schema_name)
    for name, values in _enums().items():
        if name in schema.get("$defs", {}):
            schema["$defs"][name]["enum"] = values
    validator = jsonschema.Draft202012Validator(schema)
    problems = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if problems:
        lines = [
            f"  - at '{'.'.join(str(p) for p in e.absolute_path) or '(top level)'}': {e.message}" for e in problems
        ]
        raise ConfigError(f"{path} does not match {schema_name}:\n" + "\n".join(lines))


def check_config(config: dict, path: str | Path = "config/config.yaml") -> dict:
    """Schema and cross-field checks of an already-loaded config mapping."""
    _validate(config, "config.schema.yaml", path)
    first, last = config["years"]["first"], config["years"]["last"]
    try:
        if fy_start(first) > fy_start(last):
            raise ConfigError(f"{path}: years.first ({first}) is after years.last ({last})")
    except ValueError as exc:
        raise ConfigError(f"{path}: years: {exc}") from None
    base = config["prices"]["base_year"]
    try:
        if not fy_start(first) <= fy_start(base) <= fy_start(last):
            raise ConfigError(f"{path}: prices.base_year ({base}) is outside years {first} to {last}")
    except ValueError as exc:
        raise ConfigError(f"{path}: prices.base_year: {exc}") from None
    both = set(config["intervention"]["early"]) & set(config["intervention"]["late"])
    if both:
        raise ConfigError(f"{path}: intervention: {sorted(both)} counted as both early and late")
    seen: dict[int, str] = {}
    for unit, spec in config["geography"]["merged_units"].items():
        for member in spec["members"]:
            if member in seen:
                raise ConfigError(f"{path}: geography.merged_units: LA {member} is in both {seen[member]} and {unit}")
            seen[member] = unit
        if int(unit) not in spec["members"]:
            raise ConfigError(f"{path}: geography.merged_units.{unit}: the unit id must be one of its members")
    return config


def load_config(path: str | Path) -> dict:
    return check_config(_read_yaml(path), path)


def load_sources(path: str | Path) -> dict[str, dict]:
    """Pinned sources keyed by id."""
    data = _read_yaml(path)
    _validate(data, "sources.schema.yaml", path)
    return data["sources"]


def load_published(path: str | Path) -> dict:
    """Published figures to reproduce, checked against their schema."""
    data = _read_yaml(path)
    _validate(data, "published.schema.yaml", path)
    return data


def check_pinned(source_id: str, family: str, sources: dict[str, dict], key: str) -> None:
    """ConfigError unless ``source_id`` (named by config key ``key``) is a pinned file of ``family``."""
    pinned = sources_of(sources, family)
    if source_id not in pinned:
        raise ConfigError(
            f"config/config.yaml: {key}: {source_id!r} is not a pinned {family} file in config/sources.yaml; "
            f"pinned: {sorted(pinned)}"
        )


def sources_of(sources: dict[str, dict], family: str) -> dict[str, dict]:
    """The pinned sources that one parser family reads, in id order."""
    return {k: v for k, v in sorted(sources.items()) if v["family"] == family}
