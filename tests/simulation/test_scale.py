"""Scale (DESIGN.md v2): a round reads per-issue tables, so huge outcome spaces simulate."""

from __future__ import annotations

import tracemalloc
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.simulation import simulate
from sim.simulation.tables import Tables
from sim.space import OutcomeSpaceTooLarge, compile_space
from tests.scenarios import build


def _huge(protocol: str, n_issues: int = 30, n_parties: int = 10) -> dict[str, Any]:
    """2**30 ≈ 10^9 packages, ten parties with red lines over pairs of issues."""
    issues = {f"i{i}": {"options": {"a": {}, "b": {}}} for i in range(n_issues)}
    rng = np.random.default_rng(5)  # only to write the scenario's numbers
    parties: dict[str, Any] = {}
    for p in range(n_parties):
        values = {i: dict(zip("ab", rng.random(2).round(2).tolist(), strict=True)) for i in issues}
        parties[f"p{p}"] = {
            "signs": p < 4,
            "reservation": 0.3,
            "weights": {i: float(rng.integers(1, 4)) for i in issues},
            "values": values,
            "strategy": {"type": "linear"},
            "red_lines": [
                {"id": "l0", "forbid": {f"i{p}": ["a"], f"i{p + 1}": ["b"]}, "credibility": 0.7}
            ],
        }
    data: dict[str, Any] = {
        "id": "huge",
        "title": "A billion packages",
        "deadline": 30,
        "protocol": protocol,
        "issues": issues,
        "parties": parties,
        "uncertainty": {"noise": {"weights": 0.2, "values": 0.1}},
    }
    if protocol == "mediated":
        data["mediator"] = "p9"
        data["parties"]["p9"]["signs"] = False
        data["parties"]["p9"]["strategy"] = {"type": "single_text"}
    return data


@pytest.mark.parametrize("protocol", ["mediated", "alternating"])
def test_a_billion_packages_simulate_in_bounded_memory(protocol):
    scenario = build(_huge(protocol))
    assert Tables.of(scenario).n_outcomes == 2**30
    with pytest.raises(OutcomeSpaceTooLarge):
        compile_space(scenario)  # analysis still refuses to enumerate it
    tracemalloc.start()
    rows = simulate(scenario, seed=1, runs=200, block=100)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 64 * 2**20, f"peak {peak / 2**20:.0f} MiB"
    assert len(rows) == 200 and rows.agreement.any()
    pd.testing.assert_frame_equal(rows, simulate(scenario, seed=1, runs=200, block=37))
