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


STRATEGIES = [
    {"type": "boulware", "exponent": 0.3},
    {"type": "linear"},
    {"type": "conceder", "exponent": 2.0},
    {"type": "hardliner"},
    {"type": "tit_for_tat", "mode": "relative", "window": 1},
    {"type": "tit_for_tat", "mode": "absolute", "window": 2},
    {"type": "resource", "endurance": 0.1},
]


@st.composite
def negotiation_data(draw: st.DrawFn, uncertain: bool = True) -> dict[str, Any]:
    """A scenario to simulate: strategies, either protocol, and (optionally) uncertainty.

    With ``uncertain=False`` every red line is firm and nothing is sampled, so the
    simulation must stay inside the analytic zone.
    """
    data = draw(scenario_data(max_outcomes=120))
    parties = list(data["parties"])
    data["deadline"] = draw(st.integers(1, 25))
    for pid in parties:
        data["parties"][pid]["strategy"] = draw(st.sampled_from(STRATEGIES))
    if draw(st.booleans()):
        data["protocol"] = "mediated"
        mediator = draw(st.sampled_from(parties))
        data["mediator"] = mediator
        data["parties"][mediator]["strategy"] = {
            "type": "single_text",
            "bias": draw(st.sampled_from([0.0, 4.0, 20.0])),
            "logroll": draw(st.sampled_from([0.0, 0.5, 0.9])),
            "attention": draw(st.sampled_from([0.0, 4.0])),
            "temperature": draw(st.sampled_from([0.0, 0.0, 0.2])),
            "polish": draw(st.sampled_from([0, 20])),
        }
    lines = [(pid, k) for pid in parties for k in range(len(data["parties"][pid]["red_lines"]))]
    if not uncertain:
        for pid, k in lines:
            data["parties"][pid]["red_lines"][k]["credibility"] = 1.0
        return data
    # v2: costs of delay, private deadlines, resolve, audience costs, the mediator's probe.
    for pid in parties:
        party = data["parties"][pid]
        party["cost_of_delay"] = draw(st.sampled_from([0.0, 0.0, 0.01, -0.01, 0.05]))
        if draw(st.integers(0, 4)) == 0:
            party["deadline"] = draw(st.integers(1, data["deadline"]))
        party["resolve"] = draw(st.sampled_from([0.0, 0.0, 0.5, 1.0]))
        for line in party["red_lines"]:
            line["audience_cost"] = draw(st.sampled_from([0.0, 0.0, 0.1]))
    if data.get("protocol") == "mediated":
        mediator = data["parties"][data["mediator"]]
        mediator["strategy"]["probe"] = draw(st.sampled_from([0.0, 0.5, 1.0]))
    params: dict[str, Any] = {}
    for pid in draw(st.lists(st.sampled_from(parties), max_size=2, unique=True)):
        params[f"parties.{pid}.reservation"] = {"dist": "uniform", "low": 0.1, "high": 0.6}
    if draw(st.booleans()):
        pid = draw(st.sampled_from(parties))
        params[f"parties.{pid}.cost_of_delay"] = {"dist": "uniform", "low": -0.01, "high": 0.03}
    data["uncertainty"] = {
        "parameters": params,
        "noise": {
            "weights": draw(st.sampled_from([0.0, 0.2])),
            "values": draw(st.sampled_from([0.0, 0.1])),
        },
    }
    events = []
    for n in range(draw(st.integers(0, 2))):
        event: dict[str, Any] = {
            "id": f"e{n}",
            "round": draw(st.integers(1, data["deadline"])),
            "probability": draw(st.sampled_from([0.3, 1.0])),
            "set": {f"parties.{draw(st.sampled_from(parties))}.reservation": 0.2},
        }
        if lines and draw(st.booleans()):
            pid, k = draw(st.sampled_from(lines))
            event["drop_red_lines"] = [f"{pid}.{data['parties'][pid]['red_lines'][k]['id']}"]
        if draw(st.booleans()):
            event["extend_deadline"] = draw(st.integers(1, 5))
        events.append(event)
    data["events"] = events
    return data


negotiations = negotiation_data().map(build)
certain_negotiations = negotiation_data(uncertain=False).map(build)
