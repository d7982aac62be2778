"""``negsim schema``: a JSON Schema that accepts the shipped files and rejects bad ones."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def schema():
    from sim.cli.schema import scenario_schema

    return scenario_schema()


def test_schema_command_prints_the_schema(capsys):
    assert main(["schema"]) == 0
    printed = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator.check_schema(printed)
    assert printed["$defs"]["Scenario"]["properties"]["parties"]["propertyNames"]["pattern"]


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_scenarios_pass_the_schema(schema, path):
    jsonschema.validate(yaml.safe_load(path.read_text()), schema)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["parties"]["russia"].update(reservation=1.5), "reservation"),
        (lambda d: d["parties"]["russia"].update(signs="yes"), "signs"),
        (lambda d: d["parties"]["russia"].update(reservaton=0.3), "reservaton"),
        (lambda d: d["issues"].update(Bad={"options": {"a": None}}), "Bad"),
        (lambda d: d.pop("title"), "title"),
        (lambda d: d["parties"]["russia"]["strategy"].update(type="boulwar"), "strategy"),
    ],
)
def test_schema_rejects_what_validation_rejects(schema, change, where):
    data = yaml.safe_load((ROOT / "scenarios" / "ukraine_2025.yaml").read_text())
    change(data)
    with pytest.raises(jsonschema.ValidationError) as info:
        jsonschema.validate(data, schema)
    assert where in str(info.value) or where in info.value.json_path


def test_variant_schema_accepts_partial_files_and_still_checks_values(schema):
    variant = {
        "extends": "base.yaml",
        "id": "v",
        "mediator": None,
        "parties": {
            "russia": {"red_lines": [{"id": "x", "remove": True}], "strategy": {"exponent": 0.5}}
        },
    }
    jsonschema.validate(variant, schema)
    variant["parties"]["russia"]["reservation"] = 2
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(variant, schema)
