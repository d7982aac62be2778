"""``negsim run``: one negotiation told round by round, and its JSON."""

from __future__ import annotations

import json
from pathlib import Path

from sim.cli import main
from sim.scenario import load_scenario
from sim.simulation import simulate

ROOT = Path(__file__).resolve().parents[2]
BASE = str(ROOT / "scenarios" / "ukraine_2025.yaml")


def test_run_tells_a_story(capsys):
    assert main(["run", BASE, "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "run 0 of seed 1, mediated by United States" in out
    assert "Round  1  United States proposes:" in out
    assert "Firm red lines in this run:" in out
    assert ("Agreement in round" in out) or ("No agreement" in out)
    assert "vetoes: red line" in out  # the baseline's first texts cross red lines


def test_run_json_is_the_batch_row(capsys):
    assert main(["run", BASE, "--seed", "3", "--run", "5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"agreement", "outcome", "round", "utilities", "trace"} <= set(data)
    row = simulate(load_scenario(BASE), seed=3, runs=6).iloc[5]
    assert data["agreement"] == bool(row.agreement)
    if data["agreement"]:
        assert data["outcome"] == {i: row[i] for i in data["outcome"]}
        assert data["round"] == int(row["round"]) == len(data["trace"])
    assert data["utilities"]["russia"] == row["u_russia"]
    for entry in data["trace"]:
        assert {"round", "proposer", "offer", "responses"} <= set(entry)


def test_run_with_override_and_bad_input(capsys, tmp_path):
    assert main(["run", BASE, "--set", "parties.ukraine.reservation=0.99", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["agreement"] is False
    assert main(["run", BASE, "--set", "parties.ukraine.reservation=2"]) == 2
    err = capsys.readouterr().err
    assert "error: --set parties.ukraine.reservation=2" in err
    assert "Traceback" not in err


def test_an_unwritable_out_folder_is_a_clear_error(tmp_path, capsys):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    assert main(["batch", BASE, "--runs", "10", "--out", str(blocked / "sub"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err


def test_every_command_has_help(capsys):
    import pytest

    for command in ("validate", "analyze", "run", "batch", "compare", "plot", "ui", "schema"):
        with pytest.raises(SystemExit) as stop:
            main([command, "--help"])
        assert stop.value.code == 0
        assert "usage: negsim " + command in capsys.readouterr().out
