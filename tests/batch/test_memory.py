"""--memory: a block is simulated in pieces that fit the budget, with the same rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings

from sim.batch import load_results
from sim.cli import main
from sim.simulation import runs_within
from sim.simulation.tables import Tables
from tests.scenarios import build
from tests.simulation.test_scale import _huge
from tests.simulation.two_level import two_level_data

ROOT = Path(__file__).resolve().parents[2]


def test_the_budget_bounds_the_runs_of_a_piece():
    small = Tables.of(build(_huge("mediated", n_issues=12, n_parties=10)))
    large = Tables.of(build(_huge("mediated", n_issues=30, n_parties=10)))
    assert runs_within(large, 2**30) < runs_within(small, 2**30)
    assert runs_within(large, 2**28) < runs_within(large, 2**30)
    assert runs_within(large, 1) == 1


def test_a_small_budget_gives_the_same_rows(tmp_path, monkeypatch):
    import sim.batch.work as work

    pieces: list[int] = []
    real = work.run_block

    def counting(space, seed, runs, trace=False):
        pieces.append(len(runs))
        return real(space, seed, runs, trace)

    file = str(ROOT / "scenarios" / "ukraine_2025.yaml")
    args = ["batch", file, "--runs", "120", "--workers", "1", "--quiet", "--block", "120"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    monkeypatch.setattr(work, "run_block", counting)
    monkeypatch.setattr(work, "runs_within", lambda space, memory: 7)
    assert main([*args, "--memory", "64MiB", "--out", str(tmp_path / "b")]) == 0
    whole, split = load_results(tmp_path / "a"), load_results(tmp_path / "b")
    pd.testing.assert_frame_equal(whole, split)
    assert pieces and max(pieces) == 7


# -- the estimate bounds a block's arrays ---------------------------------------------------------
def _nbytes(obj: object, seen: set[int], depth: int = 0) -> int:
    """Bytes of the numpy arrays reachable from ``obj`` (each buffer once)."""
    import dataclasses

    import numpy as np

    if depth > 4:
        return 0
    if isinstance(obj, np.ndarray):
        base = obj.base if isinstance(obj.base, np.ndarray) else obj
        if id(base) in seen:
            return 0
        seen.add(id(base))
        return int(base.nbytes)
    if isinstance(obj, list | tuple):
        return sum(_nbytes(x, seen, depth + 1) for x in obj)
    if isinstance(obj, dict):
        return sum(_nbytes(x, seen, depth + 1) for x in obj.values())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return sum(_nbytes(getattr(obj, f.name), seen, depth + 1) for f in dataclasses.fields(obj))
    return 0


def _per_run(space: Tables) -> float:
    """A run's share of a block's arrays (state, parameters, tables, outcomes, rows)."""
    import numpy as np

    from sim.simulation.model import NegotiationModel
    from sim.simulation.results import row_columns

    def block(n: int) -> int:
        model = NegotiationModel(space, seed=1, runs=np.arange(n))
        seen: set[int] = set()
        total = sum(_nbytes(v, seen) for k, v in vars(model).items() if k != "space")
        outcomes = model.run()
        return total + _nbytes(outcomes, seen) + _nbytes(row_columns(space, outcomes), seen)

    return (block(40) - block(8)) / 32


def _many_ratifiers(n_ratifiers: int) -> dict:
    """Two parties with ``n_ratifiers`` ratifiers each, of their own preferences, and noise."""
    issues = {
        f"i{i}": {"options": {f"o{i}_{k}": f"option {k}" for k in range(6)}} for i in range(8)
    }

    def prefs(seed: int) -> dict:
        return {
            "weights": {i: 1.0 + (n * seed) % 3 for n, i in enumerate(issues)},
            "values": {
                i: {o: ((k * 7 + seed * n) % 11) / 10 for k, o in enumerate(spec["options"])}
                for n, (i, spec) in enumerate(issues.items())
            },
        }

    parties = {
        f"p{p}": {
            "signs": True,
            "reservation": 0.2,
            **prefs(p + 1),
            "ratification": [
                {"id": f"r{q}", "label": f"R{q}", "reservation": 0.1, **prefs(q + 5)}
                for q in range(n_ratifiers)
            ],
        }
        for p in range(2)
    }
    return {
        "id": "many-ratifiers",
        "title": "Many ratifiers",
        "deadline": 6,
        "protocol": "alternating",
        "issues": issues,
        "parties": parties,
        "uncertainty": {"noise": {"weights": 0.2, "values": 0.1}},
    }


def _within_budget(space: Tables) -> None:
    from sim.simulation import FIXED_MEMORY

    per_run = _per_run(space)
    for memory in (2**30, 384 << 20):
        runs = runs_within(space, memory)
        assert runs * per_run <= memory - FIXED_MEMORY, (memory, runs, per_run)


def test_the_estimate_bounds_a_block_with_many_ratifiers():
    # the utility tables have a row per party and per ratifier: 2 + 2 * 12 here
    for n_ratifiers in (0, 12):
        _within_budget(Tables.of(build(_many_ratifiers(n_ratifiers))))


def _many_lines(n_parties: int, n_lines: int, window: int) -> dict:
    """Parties with ``n_lines`` red lines each, remembering ``window`` offers."""
    issues = {
        f"i{i}": {"options": {f"o{i}_{k}": f"option {k}" for k in range(2)}} for i in range(3)
    }
    parties = {
        f"p{p}": {
            "signs": True,
            "reservation": 0.1,
            "weights": {"i0": 1.0},
            "values": {"i0": {"o0_0": p % 2, "o0_1": 1 - p % 2}},
            "strategy": {"type": "tit_for_tat", "mode": "relative", "window": window},
            "red_lines": [
                {
                    "id": f"l{j}",
                    "forbid": {
                        f"i{j % 3}": [f"o{j % 3}_0"],
                        f"i{(j + 1) % 3}": [f"o{(j + 1) % 3}_1"],
                    },
                    "credibility": 0.5,
                }
                for j in range(n_lines)
            ],
        }
        for p in range(n_parties)
    }
    return {
        "id": "many-lines",
        "title": "Many red lines",
        "deadline": 5,
        "protocol": "alternating",
        "issues": issues,
        "parties": parties,
    }


def test_the_estimate_bounds_a_block_with_many_lines_or_long_memories():
    # per-line and per-offer state dominate here, not the utility tables
    for shape in ((4, 200, 1), (20, 1, 100), (30, 30, 50)):
        _within_budget(Tables.of(build(_many_lines(*shape))))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_level_data())
def test_the_estimate_bounds_a_block_of_generated_negotiations(data):
    data["uncertainty"]["noise"] = {"weights": 0.2, "values": 0.1}  # a table per run
    _within_budget(Tables.of(build(data)))
