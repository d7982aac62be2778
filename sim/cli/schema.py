"""``negsim schema``: the JSON Schema of scenario files, for editors."""

from __future__ import annotations

import argparse
import json
from typing import Any


def register(commands: Any) -> None:
    """Add the subcommand."""
    parser = commands.add_parser(
        "schema",
        help="print the JSON Schema of scenario files",
        description="Print the JSON Schema of scenario files (for editor completion and checks).",
    )
    parser.set_defaults(handler=run)


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file, as an editor should check it."""
    from sim.scenario.models import NAME_RE, Scenario

    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "negsim scenario"
    # An option may be written as its label alone, or left empty.
    options = schema["$defs"]["Issue"]["properties"]["options"]
    options["additionalProperties"] = {
        "anyOf": [{"$ref": "#/$defs/Option"}, {"type": "string", "minLength": 1}, {"type": "null"}]
    }
    # Names are lowercase snake_case wherever they are keys.
    name = {"pattern": NAME_RE.pattern}
    for model, field in [
        ("Scenario", "issues"),
        ("Scenario", "parties"),
        ("Issue", "options"),
        ("Party", "weights"),
        ("Party", "values"),
    ]:
        where = schema if model == "Scenario" else schema["$defs"][model]
        where["properties"][field]["propertyNames"] = name
    # A variant (`extends`) states only what differs: nothing in it is required, any key
    # may be null (to remove it), and named items may carry `remove: true`.
    defs = schema.pop("$defs")
    root = {k: v for k, v in schema.items() if k not in ("$schema", "title")}
    defs["Scenario"] = root
    partial = {f"Partial{name}": _partial(spec, name) for name, spec in defs.items()}
    partial["PartialScenario"]["properties"]["extends"] = {
        "type": "string",
        "description": "a scenario file this one varies; state only what differs",
    }
    return {
        "$schema": schema["$schema"],
        "title": schema["title"],
        "description": root.get("description", ""),
        "$defs": defs | partial,
        "if": {"required": ["extends"]},
        "then": {"$ref": "#/$defs/PartialScenario"},
        "else": {"$ref": "#/$defs/Scenario"},
    }


def _partial(node: Any, name: str | None = None) -> Any:
    """The schema of a variant's version of ``node``: nothing required, null removes."""
    if isinstance(node, list):
        return [_partial(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _partial(v) for k, v in node.items() if k != "required"}
    if isinstance(out.get("$ref"), str):
        out["$ref"] = out["$ref"].replace("#/$defs/", "#/$defs/Partial")
    if "oneOf" in out:  # a partial strategy may match several kinds
        out["anyOf"] = out.pop("oneOf")
        out.pop("discriminator", None)
    if "properties" in node:
        out["properties"] = {
            key: {"anyOf": [_partial(spec), {"type": "null"}]}
            for key, spec in node["properties"].items()
        }
        if name in ("RedLine", "Event"):
            out["properties"]["remove"] = {"type": "boolean"}
    return out


def run(args: argparse.Namespace) -> int:
    """Print the schema."""
    print(json.dumps(scenario_schema(), indent=2))
    return 0
