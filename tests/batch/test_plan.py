"""Planning a batch: what a sweep may be, the limits of a batch, sweeps as a mapping."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.batch import plan_batch, run_batch, summarise
from sim.batch.plan import MAX_BLOCKS, MAX_POINTS, MAX_RUNS
from sim.cli import main
from sim.scenario import ScenarioError
from tests.batch.conftest import BASE

VETO = "parties.russia.red_lines.no_nato_troops.credibility"
UKRAINE = "parties.ukraine.reservation"


def _batch(out, *extra):
    return main(
        [
            "batch",
            str(BASE),
            "--runs",
            "40",
            "--block",
            "40",
            "--workers",
            "1",
            "--quiet",
            "--out",
            str(out),
            *extra,
        ]
    )


def _problems(**kwargs) -> str:
    with pytest.raises(ScenarioError) as caught:
        plan_batch([BASE], **kwargs)
    return "\n".join(caught.value.lines())


@pytest.mark.parametrize(
    ("sweeps", "says"),
    [
        ([f"{VETO}=0.2,0.2"], "0.2 is given twice"),
        ([f"{VETO}=1,1.0"], "1 and 1.0 are the same value"),
        ([f"{VETO}=0,1", f"{VETO}=0.5"], f"{VETO} is also swept by --sweep {VETO}=0,1"),
        (
            [f"{VETO}=0,1", "parties.russia.red_lines.0.credibility=0.5"],
            "are the same field",
        ),
        (["id=a,b"], "id cannot be swept: it names the scenario"),
        (["batch.runs=10,20"], "batch.runs cannot be swept"),
    ],
    ids=["twice", "same-number", "path-twice", "path-aliased", "id", "batch"],
)
def test_a_sweep_that_would_merge_or_lose_points_is_a_clear_error(tmp_path, capsys, sweeps, says):
    out = tmp_path / "b"
    args = [arg for sweep in sweeps for arg in ("--sweep", sweep)]
    assert _batch(out, *args) == 2
    err = capsys.readouterr().err
    assert says in err and err.startswith("error: --sweep") and "Traceback" not in err
    assert not list(out.glob("runs/*.parquet"))


def test_a_files_sweep_is_held_to_the_same_rules_and_named_by_its_line(tmp_path, capsys):
    study = tmp_path / "study.yaml"
    study.write_text(
        f"extends: {BASE}\nid: study\nbatch:\n  sweeps:\n    {VETO}: [0.5, 0.5]\n    id: [x, y]\n"
    )
    with pytest.raises(ScenarioError) as caught:
        plan_batch([study])
    lines = caught.value.lines()
    assert any(f"{study}:5:" in line and "0.5 is given twice" in line for line in lines), lines
    assert any(f"{study}:6:" in line and "id cannot be swept" in line for line in lines), lines


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from([0, 0.0, 0.25, 0.5, 1, 1.0, 0.75]), min_size=1, max_size=5))
def test_each_value_makes_one_point_and_a_repeated_value_is_refused(values):
    distinct = len({float(v) for v in values}) == len(values)
    text = f"{VETO}=" + ",".join(str(v) for v in values)
    if distinct:
        plan = plan_batch([BASE], runs=10, sweeps=[text])
        assert [p.values[VETO] for p in plan.points] == values
        assert len({p.hash for p in plan.points}) == len(values)
        assert len({p.key for p in plan.points}) == len(values)
    else:
        with pytest.raises(ScenarioError, match="each point is swept once"):
            plan_batch([BASE], runs=10, sweeps=[text])


def test_the_summary_is_one_per_point_with_its_own_runs(tmp_path):
    out = tmp_path / "b"
    run_batch(BASE, runs=50, seed=2, out=out, block=50, workers=1, sweeps=[f"{VETO}=0.25,0.75"])
    summaries = summarise(out)
    assert [(s.sweep, s.runs) for s in summaries] == [({VETO: 0.25}, 50), ({VETO: 0.75}, 50)]


def test_sweeps_may_be_a_mapping_of_path_to_values(tmp_path):
    as_text = run_batch(
        BASE, runs=60, seed=4, block=60, workers=1, sweeps=[f"{VETO}=0,1", f"{UKRAINE}=0.3,0.5"]
    )
    as_mapping = run_batch(
        BASE, runs=60, seed=4, block=60, workers=1, sweeps={VETO: [0, 1], UKRAINE: (0.3, 0.5)}
    )
    assert len(as_mapping) == 4 * 60
    pd.testing.assert_frame_equal(as_text, as_mapping)
    assert "give a list of values" in _problems(sweeps={VETO: "0,1"})
    assert "0.5 is given twice" in _problems(sweeps={VETO: [0.5, 0.5]})


def test_runs_and_seeds_beyond_their_limits_are_clear_errors(tmp_path, capsys):
    for args, says in [
        (["--runs", "10000000000000"], f"more than the limit of {MAX_RUNS:,} runs"),
        (["--seed", str(2**64)], "below 2**64"),
        (["--seed", "-1"], "negative"),
    ]:
        with pytest.raises(SystemExit) as stop:
            main(["batch", str(BASE), "--out", str(tmp_path / "b"), *args])
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert says in err and "Traceback" not in err
    assert f"limit of {MAX_RUNS:,}" in _problems(runs=10**13)
    assert "below 2**64" in _problems(seed=2**64)
    assert "not a whole number" in _problems(runs=1.5)
    assert plan_batch([BASE], runs=MAX_RUNS, seed=2**64 - 1, block=MAX_RUNS).points[0].seed == (
        2**64 - 1
    )


def _values(n: int, scale: float) -> str:
    return ",".join(f"{scale * (k + 1) / n:.6f}" for k in range(n))


@pytest.mark.parametrize("grid", [(101, 100), (100, 100, 100)], ids=["10100", "million"])
def test_a_grid_beyond_the_limit_of_points_is_refused_at_once(grid):
    paths = [UKRAINE, "parties.russia.reservation", VETO]
    sweeps = [f"{path}={_values(n, 0.9)}" for path, n in zip(paths, grid, strict=False)]
    started = time.monotonic()
    said = _problems(runs=10, sweeps=sweeps)
    assert time.monotonic() - started < 5
    count = 1
    for n in grid:
        count *= n
    assert f"make {count:,} points, more than the limit of {MAX_POINTS:,}" in said


def test_a_batch_of_too_many_blocks_is_refused_at_once():
    started = time.monotonic()
    said = _problems(runs=MAX_RUNS, block=1)
    assert time.monotonic() - started < 5
    assert f"{MAX_RUNS:,} blocks, more than the limit of {MAX_BLOCKS:,}" in said
