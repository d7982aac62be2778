"""``negsim schema``: the JSON Schema of scenario files, for editors."""

from __future__ import annotations

import argparse
import json
from typing import Any

from sim.scenario.models import Scenario


def register(commands: Any) -> None:
    """Add the subcommand."""
    parser = commands.add_parser(
        "schema",
        help="print the JSON Schema of scenario files",
        description="Print the JSON Schema of scenario files (for editor completion and checks).",
    )
    parser.set_defaults(handler=run)


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["properties"]["extends"] = {
        "type": "string",
        "description": "a scenario file this one varies; state only what differs",
    }
    return schema


def run(args: argparse.Namespace) -> int:
    """Print the schema."""
    print(json.dumps(scenario_schema(), indent=2))
    return 0
