"""The projections' settings: the ``models.projections`` block, its scenario overlays and checks.

Scenarios live in the block, and any ``config/scenarios/<name>.yaml`` (one scenario, the schema's
``projection_scenario``) adds one more under its file name, so assumptions can be compared
without editing the main config. Cross-field checks name the key and the fix.
"""

from __future__ import annotations

from pathlib import Path

import jsonschema

from ..config import read_yaml, schema
from ..errors import ConfigError
from ..years import fy_label, fy_start

KEY = "models.projections"
# The quantities each scenario's fan chart draws (results/figures/projection_fan_<scenario>_<quantity>.png).
FAN_QUANTITIES = ["cla_at_31_march", "s251_gross_children_looked_after", "csc_net_total"]
RULES = ("rates", "unit_costs", "direct")


def _scenario_schema() -> dict:
    return {"$ref": "#/$defs/projection_scenario", "$defs": schema("config.schema.yaml")["$defs"]}


def overlays(folder: str | Path) -> dict[str, dict]:
    """Every ``<folder>/<name>.yaml`` scenario, checked against the schema, by name."""
    validator = jsonschema.Draft202012Validator(_scenario_schema())
    out = {}
    for path in sorted(Path(folder).glob("*.yaml")):
        data = read_yaml(path)
        problems = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
        if problems:
            lines = [f"  - at '{'.'.join(map(str, e.absolute_path)) or '(top level)'}': {e.message}" for e in problems]
            raise ConfigError(
                f"{path} is not a projection scenario (see projection_scenario in the config schema):\n"
                + "\n".join(lines)
            )
        out[path.stem] = data
    return out


def settings(config: dict, folder: str | Path, published: list[dict]) -> dict:
    """The ``models.projections`` block with the overlays' scenarios added and ``min_years`` in
    every rule that does not set its own, checked against the configured years and the published
    projections' ids."""
    block = config.get("models", {}).get("projections")
    if block is None:
        raise ConfigError(f"config/config.yaml: {KEY} is missing; see README.md for the block")
    extra = overlays(folder)
    clash = sorted(set(extra) & set(block["scenarios"]))
    if clash:
        raise ConfigError(
            f"{folder}: scenario(s) {clash} are also in config/config.yaml {KEY}.scenarios; rename the file"
        )
    block = {**block, "scenarios": {**block["scenarios"], **extra}}
    fill = {"min_years": block["min_years"]}
    block["population"] = {**fill, **block["population"]}
    block["scenarios"] = {
        name: {k: {**fill, **v} if k in RULES else v for k, v in scenario.items()}
        for name, scenario in block["scenarios"].items()
    }
    first, last = (fy_start(config["years"][k]) for k in ("first", "last"))
    origins = block["backtest"]["origins"]
    checks = [
        (
            first <= fy_start(block["history_from"]) < last,
            "history_from",
            f"lie within years ({fy_label(first)} to {fy_label(last)})",
        ),
        (fy_start(block["last_year"]) > last, "last_year", f"come after years.last ({fy_label(last)})"),
        (
            fy_start(block["history_from"]) < fy_start(origins["first"]) < fy_start(origins["last"]) < last,
            "backtest.origins",
            "run from after history_from to before years.last, first before last (each origin's bands "
            "come from the other origins' errors, so there must be at least two)",
        ),
        (block["headline_scenario"] in block["scenarios"], "headline_scenario", "name one of the scenarios"),
    ]
    for ok, key, rule in checks:
        if not ok:
            raise ConfigError(f"config/config.yaml: {KEY}.{key} must {rule}")
    ids = {figure["id"] for figure in published}
    for name, scenario in block["scenarios"].items():
        unknown = sorted(set(scenario.get("reproduces", [])) - ids)
        if unknown:
            raise ConfigError(f"{KEY}.scenarios.{name}.reproduces: {unknown} not in config/published.yaml projections")
    return block
