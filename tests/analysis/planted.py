"""A generated scenario with planted structure for ``negsim sensitivity`` (issue 12.6).

Two parties, one issue with options ``a`` and ``b``. ``alpha`` values either option at
0.5, so it signs exactly when its reservation value (uniform on [0, 1]) is below 0.5:
that parameter alone decides whether a deal forms. ``beta`` values the options at 1.0
and 0.9 with a reservation of at most 0.3, and the weight of its only issue is
normalised away, so its two sampled parameters change nothing. Each party has a red
line (credibility 0.5): ``alpha`` forbids ``a``, ``beta`` forbids ``b``; with both firm no
text is left (an interaction: each line alone only picks the deal).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from sim.scenario.validate import validate_document
from sim.scenario.yamlsource import Document

PLANTED = "param.parties.alpha.reservation"
IDLE = ("param.parties.beta.reservation", "param.parties.beta.weights.x")
LINES = ("firm.alpha.no_a", "firm.beta.no_b")

DATA: dict[str, Any] = {
    "id": "planted",
    "title": "Only alpha's reservation value decides whether a deal forms",
    "deadline": 10,
    "protocol": "alternating",
    "issues": {"x": {"options": {"a": {"label": "a"}, "b": {"label": "b"}}}},
    "parties": {
        "alpha": {
            "signs": True,
            "reservation": 0.5,
            "weights": {"x": 1.0},
            "values": {"x": {"a": 0.5, "b": 0.5}},
            "red_lines": [{"id": "no_a", "forbid": {"x": ["a"]}, "credibility": 0.5}],
        },
        "beta": {
            "signs": True,
            "reservation": 0.1,
            "weights": {"x": 1.0},
            "values": {"x": {"a": 1.0, "b": 0.9}},
            "red_lines": [{"id": "no_b", "forbid": {"x": ["b"]}, "credibility": 0.5}],
        },
    },
    "uncertainty": {
        "parameters": {
            "parties.alpha.reservation": {"dist": "uniform", "low": 0.0, "high": 1.0},
            "parties.beta.reservation": {"dist": "uniform", "low": 0.0, "high": 0.3},
            "parties.beta.weights.x": {"dist": "uniform", "low": 0.5, "high": 1.0},
        }
    },
}


def write(folder: Path, data: dict[str, Any] | None = None, name: str = "planted.yaml") -> str:
    """Validate the scenario data (as the engine does) and write it as a YAML file."""
    data = copy.deepcopy(DATA if data is None else data)
    validate_document(Document(data), sources=False)
    path = folder / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return str(path)


def variant(**changes: Any) -> dict[str, Any]:
    """The scenario data with top-level fields replaced."""
    data = copy.deepcopy(DATA)
    data.update(copy.deepcopy(changes))
    return data
