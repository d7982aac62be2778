"""The compiled outcome space: order, arrays, and the enumeration limit."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import given, settings

from sim.cli import main
from sim.space import OutcomeSpaceTooLarge, compile_space, outcome_count
from tests.scenarios import build, scenarios


@given(scenarios)
@settings(max_examples=50, deadline=None)
def test_outcomes_in_file_order_last_issue_fastest(scenario):
    space = compile_space(scenario)
    assert space.n_outcomes == outcome_count(scenario)
    sizes = [len(o) for o in space.options]
    expected = np.array(np.unravel_index(np.arange(space.n_outcomes), sizes)).T
    assert np.array_equal(space.choice, expected)
    for index in range(0, space.n_outcomes, max(1, space.n_outcomes // 7)):
        assert space.index_of(space.outcome(index)) == index
    assert space.utility.shape == (len(space.parties), space.n_outcomes)
    assert space.crosses.shape == (len(space.lines), space.n_outcomes)
    # every party signs where it signs always; signer rows only ever add parties
    assert np.all(space.signer[space.signs])


def _huge(n_issues: int, n_options: int) -> dict:
    options = {f"o{k}": {} for k in range(n_options)}
    return {
        "id": "huge",
        "title": "Huge",
        "deadline": 5,
        "protocol": "alternating",
        "issues": {f"i{i}": {"options": options} for i in range(n_issues)},
        "parties": {
            "p": {
                "signs": True,
                "reservation": 0.5,
                "weights": {"i0": 1.0},
                "values": {"i0": {o: 0.5 for o in options}},
            },
        },
    }


def test_too_large_outcome_space_is_a_clear_error_not_a_hang():
    scenario = build(_huge(30, 10))  # 10**30 outcomes
    start = time.perf_counter()
    with pytest.raises(OutcomeSpaceTooLarge) as info:
        compile_space(scenario)
    assert time.perf_counter() - start < 1.0
    message = str(info.value)
    assert "1,000,000,000,000,000,000,000,000,000,000 outcomes" in message
    assert "limit of 2,000,000" in message


def test_limit_is_adjustable_and_exact():
    scenario = build(_huge(3, 10))
    assert compile_space(scenario, max_outcomes=1000).n_outcomes == 1000
    with pytest.raises(OutcomeSpaceTooLarge, match=r"1,000 outcomes.*limit of 999"):
        compile_space(scenario, max_outcomes=999)


def test_cli_reports_too_large_space_with_exit_2(tmp_path, capsys):
    import yaml

    path = tmp_path / "huge.yaml"
    path.write_text(yaml.safe_dump(_huge(8, 10)))
    assert main(["analyze", str(path)]) == 2
    err = capsys.readouterr().err
    assert "100,000,000 outcomes" in err and "Traceback" not in err
    assert main(["analyze", str(path), "--max-outcomes", "10"]) == 2
