"""Does the answer swing with the mediator's parameters? One parameter at a time.

Run: .venv/bin/python benchmarks/bench_robustness.py [--runs N]

For the baseline (scenarios/ukraine_2025.yaml) as it stands and with every red line
firm (no uncertainty, no events), every ``single_text`` parameter is moved alone across
its documented range, the others at their defaults. For each setting it prints the
share of runs with a deal, the modal deal and its share of the deals, and (with every
line firm) the share of deals that the zone's analysis finds Pareto-dominated. Issue
10, point 2; the figures are in the README.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import Any

from sim.analysis import analyze
from sim.scenario import Scenario, load_scenario
from sim.scenario.validate import validate_document
from sim.scenario.yamlsource import Document
from sim.simulation import simulate
from sim.space import compile_space

ROOT = Path(__file__).resolve().parents[1]

RANGES: dict[str, list[Any]] = {
    "bias": [0.0, 1.0, 4.0, 16.0, 50.0],
    "logroll": [0.0, 0.25, 0.5, 0.75, 0.95],
    "attention": [0.0, 1.0, 4.0, 20.0, 100.0],
    "temperature": [0.0, 0.1, 0.3, 1.0],
    "polish": [0, 5, 20, 100],
}


def variant(base: Scenario, firm: bool, **mediator: Any) -> Scenario:
    """The baseline with the mediator's parameters set (and every line firm if asked)."""
    data = base.model_dump(mode="json", exclude_none=True)
    if firm:
        for party in data["parties"].values():
            for line in party.get("red_lines", []):
                line["credibility"] = 1.0
        data["uncertainty"], data["events"] = {}, []
    data["parties"][data["mediator"]]["strategy"].update(mediator)
    return validate_document(Document(data))


def row(scenario: Scenario, runs: int, firm: bool) -> str:
    """Deal share, modal deal and its share, dominated share (firm only)."""
    rows = simulate(scenario, seed=1, runs=runs)
    deals = [tuple(r[i] for i in scenario.issues) for _, r in rows[rows.agreement].iterrows()]
    if not deals:
        return "no deals"
    ((mode, count),) = Counter(deals).most_common(1)
    words = "/".join(mode)
    out = f"deal {len(deals) / runs:5.1%}  mode {words:<55} {count / len(deals):5.1%}"
    if firm:
        space = compile_space(scenario)
        result = analyze(space, 0)
        pareto = {
            tuple(space.outcome(int(o)).values())
            for o, ok in zip(result.feasible, result.pareto, strict=True)
            if ok
        }
        out += f"  dominated {sum(d not in pareto for d in deals) / len(deals):5.1%}"
    return out


def main() -> None:
    """Print one line per parameter setting."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()
    base = load_scenario(ROOT / "scenarios" / "ukraine_2025.yaml")
    for firm in (False, True):
        print("every line firm" if firm else "the baseline as it stands")
        for name, values in RANGES.items():
            for value in values:
                scenario = variant(base, firm, **{name: value})
                print(f"  {name:<12}{value!s:>6}  {row(scenario, args.runs, firm)}")


if __name__ == "__main__":
    main()
