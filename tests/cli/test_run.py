"""``negsim run``: one negotiation told round by round, and its JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sim.cli import COMMANDS, main
from sim.scenario import load_scenario
from sim.simulation import simulate

ROOT = Path(__file__).resolve().parents[2]
BASE = str(ROOT / "scenarios" / "ukraine_2025.yaml")


def test_run_tells_a_story(capsys):
    assert main(["run", BASE, "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "run 0 of seed 1, mediated by United States" in out
    assert "Round  1  United States proposed:" in out
    assert "Firm red lines in this run:" in out
    assert ("Agreement in round" in out) or ("No agreement" in out)
    assert "vetoed it: red line" in out  # the baseline's first texts cross red lines


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
    for command in COMMANDS:
        with pytest.raises(SystemExit) as stop:
            main([command, "--help"])
        assert stop.value.code == 0
        assert "usage: negsim " + command in capsys.readouterr().out


#: Present-tense verbs agree in number with their subject ("Russia rejects", "European
#: states reject"); the story avoids them, so that no label needs a grammatical number.
PRESENT = re.compile(r"\b(accepts|rejects|vetoes|proposes|gives up|wants|asks)\b")


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("file", ["ukraine_2025.yaml", "ukraine_2025_alternating.yaml"])
def test_the_story_reads_right_for_plural_parties(file, seed, capsys):
    assert main(["run", str(ROOT / "scenarios" / file), "--seed", str(seed)]) == 0
    out = capsys.readouterr().out
    assert "European states" in out  # a party whose label is plural answers
    assert not PRESENT.findall(out)
    for line in out.splitlines():
        if "European states" in line and "Round" not in line:
            pattern = r"European states (accepted|rejected|vetoed|gave up)|of European states is"
            assert re.search(pattern, line), line


@pytest.mark.parametrize("option", ["--seed", "--run"])
@pytest.mark.parametrize(
    "value", [2**64, 2**64 + 1, 10**30, 10**4000], ids=["2**64", "2**64+1", "10**30", "10**4000"]
)
def test_seeds_and_run_ids_of_2_64_or_more_are_clear_errors(option, value, capsys):
    with pytest.raises(SystemExit) as stop:
        main(["run", BASE, option, str(value)])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}:" in err and "below 2**64" in err
    assert "Traceback" not in err and len(err) < 400


def test_the_largest_seed_and_run_id_replay(capsys):
    top = str(2**64 - 1)
    assert main(["run", BASE, "--seed", top, "--run", top, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["seed"] == data["run"] == 2**64 - 1
