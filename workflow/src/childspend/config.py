"""Load and check config/config.yaml, config/sources.yaml and config/published.yaml.

Every YAML file is read by ``read_yaml``: a key repeated in one mapping, or a tag that would build
a Python object, is an error naming the file and line (PyYAML alone keeps the last of two keys).

Both are validated against the JSON Schemas in childspend/schemas (unknown keys are errors), then
cross-field checks run; any problem is raised as one readable ConfigError. Lists kept in code
(S251 categories in measures.csv, price indices in prices.py) complete the schemas' ``$defs``.
"""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import yaml

from . import measures
from .errors import ConfigError
from .paths import relative_problem
from .prices import INDEX_LABELS
from .years import fy_start

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
LATEST = "latest"
BOOLEAN_WORDS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


class _DuplicateKey(yaml.MarkedYAMLError):
    pass


class StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """PyYAML's safe loader (on libyaml's parser where PyYAML has it, several times faster) that
    refuses a key repeated in one mapping (plain YAML keeps the last value, so a copy-pasted block
    silently replaces another). Merge keys (``<<``) may still be overridden. Like the safe
    loader, it builds no Python objects from tags."""

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node.start_mark)
                except TypeError:  # an unhashable key: the safe loader reports it
                    continue
                if first is not key_node.start_mark:
                    raise _DuplicateKey(
                        None,
                        None,
                        f"key {key!r} appears twice in the same block (first on line {first.line + 1})",
                        key_node.start_mark,
                    )
        return super().construct_mapping(node, deep=deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, StrictLoader.construct_mapping)


def read_yaml(path: str | Path) -> dict:
    """A YAML file of plain values, read strictly: a repeated key or any tag that would build an
    object (``!!python/...``) is a ConfigError naming the file, line and key or tag."""
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.load(handle, Loader=StrictLoader) or {}
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except _DuplicateKey as exc:
        raise ConfigError(
            f"{path}, line {exc.problem_mark.line + 1}: {exc.problem}. YAML would keep only the last one and "
            "silently drop the other: remove or rename one of them."
        ) from None
    except yaml.constructor.ConstructorError as exc:
        tag = re.search(r"tag '([^']*)'", exc.problem or "")
        if tag and "could not determine a constructor" in exc.problem:
            line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
            kind = "would run code or build a Python object" if "python/" in tag.group(1) else "is not a plain value"
            raise ConfigError(
                f"{path}, line {line}: the tag {tag.group(1).replace('tag:yaml.org,2002:', '!!')!r} {kind} "
                "when the file is read, and is refused: config files hold plain values (text, numbers, "
                "lists, mappings). Remove the tag."
            ) from None
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None


_read_yaml = read_yaml


def _enums() -> dict[str, list[str]]:
    """The ``$defs`` entries a schema leaves to the code -> their allowed values."""
    return {
        "s251_category": [c for c in measures.categories("s251_gross") if c != "total"],
        "price_index": list(INDEX_LABELS),
    }


def schema(schema_name: str) -> dict:
    """A schema of ``schemas/``, with the enums its ``$defs`` leave to the code filled in."""
    loaded = _read_yaml(SCHEMA_DIR / schema_name)
    for name, values in _enums().items():
        if name in loaded.get("$defs", {}):
            loaded["$defs"][name]["enum"] = values
    return loaded


def _validate(data: dict, schema_name: str, path: str | Path) -> None:
    validator = jsonschema.Draft202012Validator(schema(schema_name))
    problems = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if problems:
        lines = [
            f"  - at '{'.'.join(str(p) for p in e.absolute_path) or '(top level)'}': {e.message}" for e in problems
        ]
        raise ConfigError(f"{path} does not match {schema_name}:\n" + "\n".join(lines))


def check_config(config: dict, path: str | Path = "config/config.yaml") -> dict:
    """Schema and cross-field checks of an already-loaded config mapping."""
    # `snakemake --config strict=true` hands over the text "true"
    if isinstance(config.get("strict"), str) and config["strict"].strip().lower() in BOOLEAN_WORDS:
        config["strict"] = BOOLEAN_WORDS[config["strict"].strip().lower()]
    _validate(config, "config.schema.yaml", path)
    first, last = config["years"]["first"], config["years"]["last"]
    try:
        if fy_start(first) > fy_start(last):
            raise ConfigError(f"{path}: years.first ({first}) is after years.last ({last})")
    except ValueError as exc:
        raise ConfigError(f"{path}: years: {exc}") from None
    resolve_latest(config)
    base = config["prices"]["base_year"]
    try:
        if not fy_start(first) <= fy_start(base) <= fy_start(last):
            raise ConfigError(f"{path}: prices.base_year ({base}) is outside years {first} to {last}")
    except ValueError as exc:
        raise ConfigError(f"{path}: prices.base_year: {exc}") from None
    start = config["headlines"]["from_year"]
    try:
        if not fy_start(first) <= fy_start(start) < fy_start(last):
            raise ConfigError(
                f"{path}: headlines.from_year ({start}) must lie in years {first} to {last} and before "
                f"years.last, the headline year; set it to e.g. 2010-11, the first year S251 Table A1 "
                "covers every category"
            )
    except ValueError as exc:
        raise ConfigError(f"{path}: headlines.from_year: {exc}") from None
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


def resolve_latest(config: dict) -> None:
    """Replace ``latest`` with ``years.last`` in the settings that may say it (the price base year,
    the last year of each model's span and the end of each decomposition period), so a new year
    is set in one place, ``years.last``."""
    last = config["years"]["last"]
    spans = [config["prices"]]
    models = config.get("models", {})
    if "cross_section" in models:
        spans.append(models["cross_section"]["years"])
    spans += [spec["years"] for spec in models.get("panel", {}).values()]
    spans += models.get("decomposition", {}).get("periods", [])
    for block in spans:
        for key in ("base_year", "last", "to"):
            if block.get(key) == LATEST:
                block[key] = last


def load_config(path: str | Path) -> dict:
    return check_config(_read_yaml(path), path)


def load_sources(path: str | Path) -> dict[str, dict]:
    """Pinned sources keyed by id."""
    data = _read_yaml(path)
    # Checked before the schema, for a message that says why: a path that leaves raw/ or the
    # mirror would read, or replace, a file outside the project.
    for source_id, entry in ((data.get("sources") or {}) if isinstance(data, dict) else {}).items():
        problem = relative_problem(entry.get("path")) if isinstance(entry, dict) and "path" in entry else None
        if problem:
            raise ConfigError(
                f"{path}: sources.{source_id}.path {entry['path']!r}: {problem}. Paths are relative to the "
                "mirror folder and to raw/ and must stay inside them, e.g. 'dfe-cla/underlying-2019/CLA2019.csv'."
            )
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
