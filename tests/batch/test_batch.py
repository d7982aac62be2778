"""Batches: identical rows everywhere, resumption after a crash, refusal of other batches."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import re
import signal
import subprocess
import threading
import time

import numpy as np
import pandas as pd
import pytest

from sim.batch import load_results, plan_batch, run_batch
from sim.batch.summary import wilson
from sim.cli import main
from sim.scenario import load_scenario
from sim.simulation import simulate
from tests.batch.conftest import BASE, BIN

VETO = "parties.russia.red_lines.no_nato_troops.credibility"
NEGSIM = str(BIN / "negsim")


def _batch(out, *extra, runs=600, seed=3, block=100, quiet=True):
    """`negsim batch` on the baseline into ``out``; extra arguments are appended."""
    args = [
        "batch",
        str(BASE),
        "--runs",
        str(runs),
        "--seed",
        str(seed),
        "--out",
        str(out),
        "--block",
        str(block),
        *(["--quiet"] if quiet else []),
        *extra,
    ]
    return main(args)


def test_rows_are_the_simulation_rows_and_do_not_depend_on_workers_or_block(tmp_path):
    assert _batch(tmp_path / "one", "--workers", "1") == 0
    one = load_results(tmp_path / "one")
    assert len(one) == 600 and one["run"].tolist() == list(range(600))
    expected = simulate(load_scenario(BASE), seed=3, runs=600)
    pd.testing.assert_frame_equal(one, expected, check_categorical=False)
    assert _batch(str(tmp_path / "two"), "--workers", "2", block=250) == 0
    pd.testing.assert_frame_equal(one, load_results(tmp_path / "two"))
    manifest = json.loads((tmp_path / "one" / "manifest.json").read_text())
    assert manifest["total_runs"] == 600 and manifest["package"]["name"] == "negsim"
    assert manifest["scenarios"]["ukraine-2025-08"]["points"][0]["hash"]
    assert len(list((tmp_path / "one" / "runs").glob("*.parquet"))) == 6


def test_sweeps_make_points_with_their_columns(tmp_path):
    rows = run_batch(
        BASE,
        runs=200,
        seed=1,
        out=tmp_path / "s",
        block=100,
        sweeps=[f"{VETO}=0,1", "parties.ukraine.reservation=0.3,0.9"],
        workers=1,
    )
    assert len(rows) == 200 * 4
    points = rows.groupby([VETO, "parties.ukraine.reservation"]).size()
    assert points.to_dict() == {(0, 0.3): 200, (0, 0.9): 200, (1, 0.3): 200, (1, 0.9): 200}
    # Ukraine asking 0.9 leaves a deal only where the battlefield event lowers it again
    high = rows[rows["parties.ukraine.reservation"] == 0.9]
    low = rows[rows["parties.ukraine.reservation"] == 0.3]
    assert high.agreement.mean() < 0.5 < low.agreement.mean()
    # without the event, Ukraine's reservation value falls only by its cost of delay
    # (0.9 - 0.004 t when the run ended in round t; 0.74 at the deadline, round 40)
    calm = high[~high.agreement & ~high["event.battlefield_shift"]]
    rounds = (0.9 - calm.r_ukraine) / 0.004
    assert (
        len(calm)
        and np.allclose(rounds, np.round(rounds))
        and np.round(rounds).between(1, 40).all()
    )
    assert np.allclose(calm.r_ukraine[calm.ended == "deadline"], 0.9 - 0.004 * 40)
    firm = rows[rows[VETO] == 1]["firm.russia.no_nato_troops"]
    assert firm.all() and not rows[rows[VETO] == 0]["firm.russia.no_nato_troops"].any()


def test_batch_section_of_a_file_is_a_study(tmp_path):
    study = tmp_path / "study.yaml"
    study.write_text(
        f"extends: {BASE}\nid: study\nbatch:\n  runs: 150\n  seed: 9\n"
        f"  sweeps:\n    {VETO}: [0.0, 1.0]\n"
    )
    plan = plan_batch([study])
    assert [p.runs for p in plan.points] == [150, 150] and plan.points[0].seed == 9
    assert [p.values for p in plan.points] == [{VETO: 0.0}, {VETO: 1.0}]
    override = plan_batch([study], runs=10, seed=1, sweeps=[f"{VETO}=0.5"])
    assert [(p.runs, p.seed, p.values) for p in override.points] == [(10, 1, {VETO: 0.5})]


def test_a_different_command_into_the_same_folder_is_refused(tmp_path, capsys):
    assert _batch(tmp_path / "b") == 0
    assert _batch(str(tmp_path / "b"), runs=700) == 2
    err = capsys.readouterr().err
    assert "refused" in err and "different batch" in err and "Traceback" not in err
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    assert _batch(tmp_path / "other") == 2
    assert "not empty" in capsys.readouterr().err


def test_same_command_again_runs_nothing_and_keeps_the_rows(tmp_path, capsys):
    assert _batch(tmp_path / "b") == 0
    before = load_results(tmp_path / "b")
    parts = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "b" / "runs").iterdir()}
    assert _batch(str(tmp_path / "b"), quiet=False) == 0
    assert "600 runs were already in" in capsys.readouterr().err
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "b" / "runs").iterdir()} == parts
    pd.testing.assert_frame_equal(before, load_results(tmp_path / "b"))


#: Enough blocks that the batch is still running when the signal comes: after its first
#: parts (workers loading the compiled engine) it plays thousands of runs a second.
RUNS_KILLED = 30_000


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGINT])
def test_a_killed_batch_resumes_without_lost_or_duplicate_rows(tmp_path, how):
    out = tmp_path / "b"
    command = [
        NEGSIM,
        "batch",
        str(BASE),
        "--runs",
        str(RUNS_KILLED),
        "--seed",
        "5",
        "--out",
        str(out),
        "--block",
        "200",
        "--workers",
        "2",
    ]
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        text=True,
        # Ctrl-C as in a terminal: a suite started in the background (`make test &`)
        # passes its children a SIGINT that is ignored, which the batch respects.
        preexec_fn=_default_sigint,
    )
    deadline = time.monotonic() + 60
    while len(list((out / "runs").glob("*.parquet"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    if how == signal.SIGKILL:
        os.killpg(proc.pid, signal.SIGKILL)  # the whole process group, workers too
    else:
        os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if how == signal.SIGINT:
        assert proc.returncode == 130, err
        assert "run the same command again" in err and "Traceback" not in err
    written = len(list((out / "runs").glob("*.parquet")))
    assert 0 < written < RUNS_KILLED // 200, "the batch should have been stopped part way"
    finish = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert finish.returncode == 0, finish.stderr
    rows = load_results(out)
    assert rows["run"].tolist() == list(range(RUNS_KILLED))
    pd.testing.assert_frame_equal(
        rows, simulate(load_scenario(BASE), seed=5, runs=RUNS_KILLED), check_categorical=False
    )
    assert not list((out / "runs").glob(".*.tmp"))


def test_rows_on_a_dask_cluster_are_the_local_rows(tmp_path, dask_cluster):
    local = run_batch(BASE, runs=900, seed=2, out=tmp_path / "local", block=100, workers=1)
    remote = run_batch(
        BASE, runs=900, seed=2, out=tmp_path / "dask", block=100, scheduler=dask_cluster, sweeps=[]
    )
    pd.testing.assert_frame_equal(local, remote)
    assert (
        _batch(str(tmp_path / "dask2"), "--scheduler", dask_cluster, runs=900, seed=2, block=300)
        == 0
    )
    pd.testing.assert_frame_equal(local, load_results(tmp_path / "dask2"))


def test_bad_sweeps_are_clear_errors(tmp_path, capsys):
    assert _batch(tmp_path / "x", "--sweep", "nonsense") == 2
    assert "expected PATH=V1,V2" in capsys.readouterr().err
    assert _batch(tmp_path / "y", "--sweep", f"{VETO}=0.5,2") == 2
    err = capsys.readouterr().err
    assert "sweep" in err and "credibility" in err and "Traceback" not in err
    assert _batch(tmp_path / "z", "--sweep", "parties.nobody.reservation=0.1") == 2
    assert "nobody" in capsys.readouterr().err


def test_summary_names_deals_in_words_with_intervals(tmp_path, capsys):
    assert (
        _batch(str(tmp_path / "b"), "--workers", "1", runs=400, seed=1, block=200, quiet=False) == 0
    )
    out = capsys.readouterr().out
    assert "ukraine-2025-08: 400 runs, median round of a deal" in out
    assert "no deal" in out and "Russian control acknowledged de facto" in out
    assert "%]" in out


def test_wilson_interval_matches_known_values():
    # Newcombe (1998), Statist. Med. 17: 857-872, Table I: 0/10 -> 0 to 0.2775,
    # 1/10 -> 0.0179 to 0.4042, 10/10 -> 0.7225 to 1
    assert [round(x, 4) for x in wilson(0, 10)] == [0.0, 0.2775]
    assert [round(x, 4) for x in wilson(1, 10)] == [0.0179, 0.4042]
    assert [round(x, 4) for x in wilson(10, 10)] == [0.7225, 1.0]


# --- one validation path (issue 9.1) ---------------------------------------------------


@pytest.fixture
def mediator_without_strategy(tmp_path):
    """The baseline with the mediator's `strategy:` line taken out (the README's default)."""
    text = BASE.read_text(encoding="utf-8")
    line = next(t for t in text.splitlines() if "strategy: {type: single_text" in t)
    source = next(t for t in text.splitlines() if t.startswith("source:")).split(":", 1)[1]
    path = tmp_path / "mediated.yaml"
    path.write_text(
        text.replace(line + "\n", "").replace(
            f"source:{source}", f"source: {BASE.parent.parent / source.strip()}"
        ),
        encoding="utf-8",
    )
    return path


def test_a_mediator_without_a_strategy_runs_in_every_command(
    mediator_without_strategy, tmp_path, capsys
):
    file = str(mediator_without_strategy)
    assert "single_text" not in mediator_without_strategy.read_text()
    out = tmp_path / "b"
    for argv in (
        ["validate", file],
        ["analyze", file],
        ["run", file, "--seed", "3", "--json"],
        ["batch", file, "--runs", "40", "--block", "20", "--workers", "2", "--out", str(out)],
        ["batch", file, "--runs", "20", "--sweep", f"{VETO}=0,1", "--out", str(tmp_path / "s")],
    ):
        assert main(argv) == 0, capsys.readouterr().err
    assert "error" not in capsys.readouterr().err
    assert len(load_results(out)) == 40
    assert len(run_batch(file, runs=20, workers=1)) == 20
    # the scenario a worker simulates is the one `negsim run` reads, at every point
    plain = load_scenario(file)
    assert plain.strategy_of(plain.mediator).type == "single_text"
    assert plan_batch([file], runs=5).points[0].scenario() == plain
    for point in plan_batch([file], runs=5, sweeps=[f"{VETO}=0,1"]).points:
        assert point.scenario() == load_scenario(file, [f"{VETO}={point.values[VETO]}"])


# --- errors in workers (issue 14.14) ----------------------------------------------------


def test_a_scenario_error_survives_pickling():
    from sim.scenario import Origin, Problem, ScenarioError

    error = ScenarioError(
        [
            Problem(Origin("x.yaml", 4), ("parties", "a"), "bad"),
            Problem(Origin("y.yaml"), (), "worse"),
        ]
    )
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is ScenarioError and again.lines() == error.lines()


def _spoiled(plan):
    """The plan with its last point's typed scenario dropped and its data made invalid, so
    that a worker validating it raises a ScenarioError (the first point, that the parent
    probes, stays sound)."""
    *sound, last = plan.points
    data = json.loads(json.dumps(last.data))
    data["parties"][data["mediator"]]["strategy"] = {"type": "linear"}
    bad = dataclasses.replace(last, data=data, model=None)
    return dataclasses.replace(plan, points=(*sound, bad))


def test_an_error_in_a_worker_reaches_the_command_as_itself(tmp_path, capsys, monkeypatch):
    import sim.batch

    real = sim.batch.plan_batch
    monkeypatch.setattr(sim.batch, "plan_batch", lambda *a, **k: _spoiled(real(*a, **k)))
    code = _batch(tmp_path / "b", "--workers", "2", "--sweep", f"{VETO}=0,1", runs=200)
    err = capsys.readouterr().err
    assert code == 2, err
    assert "error: " in err and "mediates, so its strategy is a policy" in err
    assert "Traceback" not in err and "BrokenProcessPool" not in err


class Odd(Exception):
    """An error that cannot be pickled (it holds a lock), nor unpickled (its arguments
    are not its args)."""

    def __init__(self, a, b):
        super().__init__(f"{a} and {b}")
        self.lock = threading.Lock()


def test_an_error_that_cannot_be_pickled_crosses_as_a_worker_error(tmp_path, monkeypatch):
    from sim.batch import work

    plan = plan_batch([BASE], runs=10)
    with pytest.raises(TypeError):  # what a process pool would meet
        pickle.dumps(Odd(1, 2))

    def fail(task):
        raise Odd("this", "that")

    monkeypatch.setattr(work, "rows_of", fail)
    with pytest.raises(work.WorkerError) as caught:
        work.run_task(next(plan.tasks()), str(tmp_path))
    again = pickle.loads(pickle.dumps(caught.value))
    assert str(again) == str(caught.value) and "Odd: this and that" in str(again)
    assert next(plan.tasks()).part in str(again)


def test_help_states_every_default(capsys):
    with pytest.raises(SystemExit):
        main(["batch", "--help"])
    described, text = capsys.readouterr().out.split("options:", 1)
    assert "130 after Ctrl-C" in " ".join(described.split())
    assert "143 after SIGTERM" in " ".join(described.split())
    text = " ".join(text.split())
    for option in ("--runs", "--seed", "--workers", "--block", "--top"):
        after = text.split(f"{option} ", 1)[1]
        described = re.split(r" --[a-z]+ [A-Z]", after, maxsplit=1)[0]
        assert "default" in described, (option, described)
    assert "(default: 20,000)" in text and "(default: 3)" in text
