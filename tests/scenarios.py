"""Hypothesis strategies that generate valid scenario documents (raw YAML-like data)."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st

from sim.scenario import Scenario, validate_document
from sim.scenario.yamlsource import Document

GRID = [k / 10 for k in range(11)]


@st.composite
def scenario_data(
    draw: st.DrawFn,
    max_parties: int = 6,
    max_issues: int = 5,
    max_options: int = 4,
    max_outcomes: int = 240,
    max_lines: int = 8,
) -> dict[str, Any]:
    """A random valid scenario: parties, issues, needs, forbid and require lines, ties."""
    n_issues = draw(st.integers(1, max_issues))
    sizes = draw(
        st.lists(st.integers(1, max_options), min_size=n_issues, max_size=n_issues).filter(
            lambda s: math.prod(s) <= max_outcomes
        )
    )
    n_parties = draw(st.integers(2, max_parties))
    parties = [f"p{k}" for k in range(n_parties)]
    issues: dict[str, Any] = {}
    for i, size in enumerate(sizes):
        options: dict[str, Any] = {}
        for k in range(size):
            needs = (
                draw(st.lists(st.sampled_from(parties), max_size=2, unique=True))
                if draw(st.integers(0, 4)) == 0
                else []
            )
            options[f"o{i}_{k}"] = {"label": f"option {k} of issue {i}", "needs": needs}
        issues[f"i{i}"] = {"options": options}
    signs = draw(st.lists(st.booleans(), min_size=n_parties, max_size=n_parties))
    if not any(signs):
        signs[draw(st.integers(0, n_parties - 1))] = True
    budget = draw(st.integers(0, max_lines))
    party_data: dict[str, Any] = {}
    for k, pid in enumerate(parties):
        weights = draw(
            st.lists(st.integers(0, 3), min_size=n_issues, max_size=n_issues).filter(any)
        )
        values = {
            f"i{i}": {opt: draw(st.sampled_from(GRID)) for opt in issues[f"i{i}"]["options"]}
            for i, w in enumerate(weights)
            if w > 0 or draw(st.booleans())
        }
        lines = []
        for j in range(draw(st.integers(0, min(2, budget)))):
            budget -= 1
            listed = draw(
                st.lists(st.integers(0, n_issues - 1), min_size=1, max_size=2, unique=True)
            )
            rule = {
                f"i{i}": draw(
                    st.lists(
                        st.sampled_from(list(issues[f"i{i}"]["options"])),
                        min_size=1,
                        max_size=sizes[i],
                        unique=True,
                    )
                )
                for i in listed
            }
            kind = draw(st.sampled_from(["forbid", "require"]))
            lines.append({"id": f"l{j}", kind: rule, "credibility": draw(st.sampled_from(GRID))})
        party_data[pid] = {
            "signs": signs[k],
            "reservation": draw(st.sampled_from(GRID)),
            "weights": {f"i{i}": float(w) for i, w in enumerate(weights) if f"i{i}" in values},
            "values": values,
            "red_lines": lines,
        }
    return {
        "id": "generated",
        "title": "Generated scenario",
        "deadline": 10,
        "protocol": "alternating",
        "issues": issues,
        "parties": party_data,
    }


def build(data: dict[str, Any]) -> Scenario:
    """Validate generated data through the real validator."""
    return validate_document(Document(data))


scenarios = scenario_data().map(build)
