"""Scenario files: reading, composing, validating."""

from sim.scenario.compose import Override
from sim.scenario.models import Issue, Party, RedLine, Scenario
from sim.scenario.problems import Origin, Problem, ScenarioError
from sim.scenario.validate import load_scenario, validate_document

__all__ = [
    "Issue",
    "Origin",
    "Override",
    "Party",
    "Problem",
    "RedLine",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "validate_document",
]
