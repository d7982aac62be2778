"""Analysis speed on a generated scenario of 100,000 outcomes × 6 parties × 20 red lines.

Run: .venv/bin/python benchmarks/bench_analysis.py [--repeat N]

Two variants of the same space, timed side by side in one run: with every red line
firm the zone is closed, so minimal relaxations (up to 3 lines) do real work; with the
lines made lenient the zone is large, so ranking and the Pareto filter do.
Prints the median and spread of wall time for compile + analyze (target: < 2 s).
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import numpy as np

from sim.analysis import analyze
from sim.scenario import validate_document
from sim.scenario.yamlsource import Document
from sim.space import compile_space


def generated(seed: int, open_zone: bool) -> dict[str, Any]:
    """5 issues × 10 options, 6 parties (3 sign), 20 red lines."""
    rng = np.random.default_rng(seed)
    issues = {
        f"issue_{i}": {
            "options": {f"option_{i}_{k}": f"Option {k} of issue {i}" for k in range(10)}
        }
        for i in range(5)
    }
    parties: dict[str, Any] = {}
    for p in range(6):
        parties[f"party_{p}"] = {
            "signs": p < 3,
            "reservation": 0.3 if open_zone else 0.45,
            "weights": {
                i: float(w) for i, w in zip(issues, rng.integers(1, 5, size=5), strict=True)
            },
            "values": {
                i: {
                    o: round(float(v), 3)
                    for o, v in zip(spec["options"], rng.random(10), strict=True)
                }
                for i, spec in issues.items()
            },
            "red_lines": [],
        }
    names = list(issues)
    for line in range(20):
        party = parties[f"party_{line % 6}"]
        listed = rng.choice(5, size=int(rng.integers(1, 3)), replace=False)
        rule = {
            names[i]: [f"option_{i}_{k}" for k in sorted(rng.choice(10, size=3, replace=False))]
            for i in listed
        }
        kind = "forbid" if open_zone or line % 3 else "require"
        party["red_lines"].append({"id": f"line_{line}", kind: rule})
    return {
        "id": "bench",
        "title": "Benchmark",
        "deadline": 40,
        "protocol": "alternating",
        "issues": issues,
        "parties": parties,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    cases = {
        "closed zone": validate_document(Document(generated(1, open_zone=False))),
        "open zone": validate_document(Document(generated(1, open_zone=True))),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    results = {}
    for _ in range(args.repeat):
        for name, scenario in cases.items():  # interleaved, so noise hits both alike
            start = time.perf_counter()
            space = compile_space(scenario)
            results[name] = analyze(space, max_relax=3)
            times[name].append(time.perf_counter() - start)
    print("analysis of 100,000 outcomes × 6 parties × 20 red lines, relaxations up to 3")
    for name, samples in times.items():
        r = results[name]
        print(
            f"  {name:<12} median {statistics.median(samples):.3f} s"
            f" (min {min(samples):.3f}, max {max(samples):.3f}, n={len(samples)});"
            f" zone {r.feasible.size:,}, Pareto {int(r.pareto.sum()):,},"
            f" minimal relaxations {len(r.relaxations):,}"
        )
    worst = max(statistics.median(s) for s in times.values())
    print(f"  target < 2 s: {'met' if worst < 2 else 'MISSED'} (worst median {worst:.3f} s)")


if __name__ == "__main__":
    main()
