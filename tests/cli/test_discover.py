"""``negsim discover DIR [--target T] [--json]`` (issue 12.1): output, JSON, clear errors."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest

from sim.cli import main
from tests.analysis.test_discover import LINE, PARAM, PLANTED, THRESHOLD, planted_batch


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return planted_batch(tmp_path_factory.mktemp("planted-cli"))


def test_discover_prints_the_planted_box_in_words_and_writes_the_figure(batch, capsys, tmp_path):
    assert main(["discover", str(batch), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    first = next(line for line in out.splitlines() if line.startswith("  1. "))
    assert first.startswith("  1. when Seller's red line no_soft_terms is not firm and Seller's")
    assert "reservation value is at most 0.4" in first or "is at most 0.5" in first
    assert "of runs (density), covering" in first and "of all deals (coverage)" in first
    assert "densest on PRIM's peeling trajectory" in out
    assert f"figure: {tmp_path / 'discover.png'}" in out
    assert (tmp_path / "discover.png").stat().st_size > 10_000


def test_json_is_exactly_the_designed_object(batch, capsys, tmp_path):
    assert main(["discover", str(batch), "--json", "--out", str(tmp_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"target", "share", "boxes"}
    assert data["target"] == "deal"
    first = data["boxes"][0]
    assert set(first) == {"conditions", "coverage", "density", "runs"}
    conditions = {c["column"]: c for c in first["conditions"]}
    assert conditions[LINE] == {"column": LINE, "op": "==", "value": False}
    assert conditions[PARAM]["op"] == "<="
    assert abs(conditions[PARAM]["value"] - THRESHOLD) <= 0.05


@pytest.mark.parametrize("target", ["no_deal", "terms=soft", "terms=soft,venue=here"])
def test_every_target_form_is_taken(batch, capsys, tmp_path, target):
    assert main(["discover", str(batch), "--target", target, "--json", "--out", str(tmp_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["target"] == target
    assert 0 < data["share"] < 1


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("terms=firm", "issue 'terms' of planted has no option 'firm' (its options: hard, soft)"),
        ("price=low", "planted has no issue 'price' (its issues: terms, venue)"),
        ("terms", "expected deal, no_deal or issue=option"),
    ],
)
def test_a_bad_target_is_a_clear_error(batch, capsys, target, message):
    assert main(["discover", str(batch), "--target", target]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"error: {batch}: --target")
    assert message in captured.err
    assert "Traceback" not in captured.err


def test_not_a_batch_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["discover", str(tmp_path)]) == 2
    assert "not a batch folder (no manifest.json" in capsys.readouterr().err


def test_a_deal_in_every_run_is_said_and_exits_0(tmp_path, capsys):
    data = copy.deepcopy(PLANTED)
    data["parties"]["seller"]["red_lines"] = []
    data["uncertainty"]["parameters"]["parties.seller.reservation"] = {
        "dist": "uniform",
        "low": 0.1,
        "high": 0.3,
    }
    folder = planted_batch(tmp_path, runs=300, data=data)
    assert main(["discover", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "A deal in every one of the 300 runs: no condition is needed." in out
    assert main(["discover", str(folder), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"target": "deal", "share": 1.0, "boxes": []}
    assert not (folder / "figures" / "discover.png").exists()


def test_too_few_runs_is_an_error_with_exit_2(tmp_path, capsys):
    folder = planted_batch(tmp_path, runs=40)
    assert main(["discover", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {folder}: planted: only ")
    assert "PRIM needs at least 20 of each; run more runs" in err


def test_several_scenarios_one_by_one_or_pooled_with_the_scenario_an_input(tmp_path, capsys):
    import yaml

    from sim.batch import run_batch

    # In planted-b soft terms are worth nothing to the seller: no deal ever forms there.
    other = copy.deepcopy(PLANTED)
    other["id"] = "planted-b"
    other["parties"]["seller"]["values"]["terms"]["soft"] = 0.0
    files = [tmp_path / "a.yaml", tmp_path / "b.yaml"]
    for file, data in zip(files, [PLANTED, other], strict=True):
        file.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "two"
    run_batch(files, runs=1500, seed=2, out=out, workers=1)

    assert main(["discover", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("2 scenarios: each is discovered on its own rows.")
    assert "\nplanted: a deal in" in text
    assert "\nplanted-b: a deal in 0 of 1,500 runs" in text and "no condition gives it" in text
    assert (out / "figures" / "discover-planted.png").exists()
    assert not (out / "figures" / "discover-planted-b.png").exists()  # no box, no figure
    assert main(["discover", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["scenarios"]) == {"planted", "planted-b"}
    assert data["scenarios"]["planted-b"] == {"target": "deal", "share": 0.0, "boxes": []}
    assert main(["discover", str(out), "--json", "--scenario", "planted"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == {"target", "share", "boxes"}

    assert main(["discover", str(out), "--pool", "--json"]) == 0
    pooled = json.loads(capsys.readouterr().out)
    conditions = {c["column"]: c for c in pooled["boxes"][0]["conditions"]}
    assert conditions["scenario"] == {"column": "scenario", "op": "==", "value": "planted"}
    assert conditions[LINE]["value"] is False
    assert abs(conditions[PARAM]["value"] - THRESHOLD) <= 0.05
    assert main(["discover", str(out), "--pool"]) == 0
    text = capsys.readouterr().out
    assert "2 scenarios pooled (planted, planted-b): the scenario is one more input." in text
    assert "when the scenario is planted, " in text
    shutil.rmtree(out)
