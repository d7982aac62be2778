"""Compile the rounds once, ahead of the first simulation: ``python -m sim.simulation.warm``.

The rounds (:mod:`sim.simulation.kernels`) are compiled by numba on first use and cached
beside the source, so a fresh install pays the compilation once (about a minute on
one core) and every later process loads it in a fraction of a second. ``make`` runs
this module right after installing, so that ``make run`` and the test workers do not
each compile on their own. It simulates two small negotiations, one per protocol,
which exercises every compiled function the engine calls.
"""

from __future__ import annotations

import sys
import time

from sim.scenario.validate import validate_document
from sim.scenario.yamlsource import Document


def _party(signs: bool, strategy: str, values: dict[str, dict[str, float]]) -> dict[str, object]:
    return {
        "signs": signs,
        "reservation": 0.2,
        "strategy": {"type": strategy},
        "weights": {"a": 1.0, "b": 1.0},
        "values": values,
    }


def _scenario(protocol: str) -> dict[str, object]:
    """A two-issue negotiation with a red line, costs of delay and a reactive tactic."""
    issues: dict[str, object] = {
        "a": {"options": {"x": {}, "y": {}}},
        "b": {"options": {"x": {}, "y": {}}},
    }
    ours = {"a": {"x": 1.0, "y": 0.0}, "b": {"x": 0.0, "y": 1.0}}
    theirs = {"a": {"x": 0.0, "y": 1.0}, "b": {"x": 1.0, "y": 0.0}}
    parties: dict[str, dict[str, object]] = {
        "p": _party(True, "tit_for_tat", ours),
        "q": _party(True, "resource", theirs),
    }
    parties["p"]["red_lines"] = [
        {"id": "l", "forbid": {"a": ["y"], "b": ["x"]}, "credibility": 0.5}
    ]
    parties["q"]["cost_of_delay"] = 0.01
    data: dict[str, object] = {
        "id": "warm",
        "title": "warm-up",
        "deadline": 6,
        "protocol": protocol,
        "issues": issues,
        "parties": parties,
    }
    if protocol == "mediated":
        parties["m"] = _party(False, "single_text", ours)
        data["mediator"] = "m"
    return data


def main() -> int:
    """Compile (or load) the rounds; print how long it took."""
    from sim.simulation import simulate

    start = time.perf_counter()
    for protocol in ("mediated", "alternating"):
        scenario = validate_document(Document(_scenario(protocol)), sources=False)
        simulate(scenario, seed=0, runs=4)
    print(f"negsim: the engine is compiled ({time.perf_counter() - start:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
