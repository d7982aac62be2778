"""The synthetic scenarios of the speed benchmarks (bench_scale.py, bench_rng.py).

``n_issues`` issues of two options, ``n_parties`` parties (the first the mediator, the
next three signatories), one red line each over two neighbouring issues, weights and
values drawn from a fixed generator; ``noise`` puts preference noise on weights and
values, so every run has its own utility tables. The benchmarks' child processes
import this file by its path, so the same scenario is measured in any tree.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def synthetic(title: str, n_issues: int, n_parties: int, noise: bool) -> Any:
    """The validated scenario (``title`` names the case)."""
    from sim.scenario.validate import validate_document
    from sim.scenario.yamlsource import Document

    rng = np.random.default_rng(7)
    issues = {f"i{i}": {"options": {"a": {}, "b": {}}} for i in range(n_issues)}
    parties: dict[str, dict[str, Any]] = {}
    for p in range(n_parties):
        parties[f"p{p}"] = {
            "signs": p < 4,
            "reservation": 0.3,
            "strategy": {"type": "linear"},
            "weights": {i: float(rng.integers(1, 4)) for i in issues},
            "values": {
                i: dict(zip("ab", rng.random(2).round(2).tolist(), strict=True)) for i in issues
            },
            "red_lines": [
                {"id": "l0", "forbid": {f"i{p}": ["a"], f"i{p + 1}": ["b"]}, "credibility": 0.7}
            ],
        }
    parties["p0"]["signs"] = False
    parties["p0"]["strategy"] = {"type": "single_text"}
    data: dict[str, Any] = {
        "id": "scale",
        "title": title,
        "deadline": 40,
        "protocol": "mediated",
        "mediator": "p0",
        "issues": issues,
        "parties": parties,
    }
    if noise:
        data["uncertainty"] = {"noise": {"weights": 0.2, "values": 0.1}}
    return validate_document(Document(data))
