"""libyaml reads a file that parses exactly as the pure-Python reader does: data and lines."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.scenario import yamlsource
from tests.scenarios import negotiation_data


def both(text: str) -> tuple[Any, Any]:
    fast = yamlsource._parse(yamlsource._FastLoader, text, "f.yaml", fast=True)
    slow = yamlsource._parse(yamlsource._Loader, text, "f.yaml", fast=False)
    return fast, slow


@settings(max_examples=60, deadline=None)
@given(negotiation_data(), st.sampled_from([None, True, False]))
def test_libyaml_and_pure_python_agree(data: dict[str, Any], flow: bool | None) -> None:
    text = yaml.safe_dump(data, default_flow_style=flow, sort_keys=False)
    (fast, fast_problems), (slow, slow_problems) = both(text)
    assert fast.data == slow.data == data
    assert fast.origins == slow.origins
    assert fast_problems == slow_problems == []


def test_a_file_that_does_not_parse_is_explained_by_the_pure_python_reader() -> None:
    document, problems = yamlsource.parse_yaml("id: x\ntitle t\n", "f.yaml")
    assert document.data is None
    assert [str(p) for p in problems] == [
        "f.yaml:2: YAML: this line has no colon after its key: write 'key: value'"
    ]
