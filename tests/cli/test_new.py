"""``negsim new FILE``: a small, valid, commented scenario and its source text (9.11)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.cli.new import scenario_id, source_path
from sim.scenario import load_scenario
from sim.scenario.models import SCENARIO_ID_RE


@pytest.fixture
def written(tmp_path, capsys):
    file = tmp_path / "pay talks.yaml"
    assert main(["new", str(file)]) == 0
    capsys.readouterr()
    return file


def test_new_writes_a_scenario_that_validates_with_every_quote_found(written, capsys):
    source = written.with_name("pay talks.source.txt")
    assert source.is_file() and source_path(written) == source
    assert main(["validate", str(written)]) == 0
    assert capsys.readouterr().out.startswith(f"ok: {written}: pay-talks: ")
    scenario = load_scenario(written)
    quotes = [line.quote for p in scenario.parties.values() for line in p.red_lines if line.quote]
    assert len(quotes) >= 3 and scenario.source == source.name
    # the quotes really are checked against that text: without it, validation fails
    source.write_text("Nothing was said.\n", encoding="utf-8")
    assert main(["validate", str(written)]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == len(quotes) and all(".quote: " in line for line in errors)


def test_new_scenario_shows_what_a_scenario_can_hold(written):
    scenario = load_scenario(written)
    lines = [line for p in scenario.parties.values() for line in p.red_lines]
    assert {line.kind for line in lines} == {"forbid", "require"}
    assert any(line.quote and "..." in line.quote for line in lines)  # an omission
    assert any(o.needs for i in scenario.issues.values() for o in i.options.values())
    assert scenario.protocol == "mediated" and scenario.mediator in scenario.parties
    assert sum(p.signs for p in scenario.parties.values()) >= 2
    text = written.read_text(encoding="utf-8")
    assert text.count("#") > 30  # commented, field by field
    for optional in ("uncertainty:", "events:", "sweeps:"):
        assert f"# {optional}" in text or f"#   {optional}" in text


def test_new_scenario_analyzes_with_an_open_zone_that_red_lines_narrow(written, capsys):
    assert main(["analyze", str(written), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert 0 < len(out["feasible"]) < out["outcomes"]
    assert any(line["unlocks"] > 0 for line in out["red_lines"])
    assert main(["analyze", str(written)]) == 0
    assert "can form" in capsys.readouterr().out


def test_new_scenario_runs_and_batches(written, tmp_path, capsys):
    assert main(["run", str(written), "--seed", "3"]) == 0
    assert "Round  1" in capsys.readouterr().out
    out = tmp_path / "results"
    assert main(["batch", str(written), "--runs", "40", "--out", str(out), "--quiet"]) == 0


def test_new_refuses_to_overwrite_without_force(written, capsys):
    before = written.read_text(encoding="utf-8")
    written.write_text(before + "# my edits\n", encoding="utf-8")
    assert main(["new", str(written)]) == 2
    err = capsys.readouterr().err
    assert f"error: {written}: exists already (--force replaces it)" in err
    assert "Traceback" not in err
    assert written.read_text(encoding="utf-8").endswith("# my edits\n")
    assert main(["new", str(written), "--force"]) == 0
    assert written.read_text(encoding="utf-8") == before


def test_new_refuses_when_only_the_source_text_exists(tmp_path, capsys):
    file = tmp_path / "talks.yaml"
    source_path(file).write_text("my own notes", encoding="utf-8")
    assert main(["new", str(file)]) == 2
    assert "talks.source.txt: exists already" in capsys.readouterr().err
    assert not file.exists() and source_path(file).read_text(encoding="utf-8") == "my own notes"


def test_new_makes_missing_folders(tmp_path, capsys):
    file = tmp_path / "a" / "b" / "talks.yml"
    assert main(["new", str(file)]) == 0
    assert main(["validate", str(file)]) == 0


@settings(deadline=None)
@given(st.text(min_size=0, max_size=30).filter(lambda t: "/" not in t and "\x00" not in t))
def test_the_id_from_any_file_name_is_a_valid_id(stem):
    from pathlib import Path

    assert SCENARIO_ID_RE.fullmatch(scenario_id(Path(f"{stem}.yaml")))
