"""--memory: a block is simulated in pieces that fit the budget, with the same rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.batch import load_results
from sim.cli import main
from sim.simulation import runs_within
from sim.simulation.tables import Tables
from tests.scenarios import build
from tests.simulation.test_scale import _huge

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
