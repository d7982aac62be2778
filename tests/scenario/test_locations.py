"""Every error about a file names the file and the line, in every command (issue 9.5)."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from sim.batch.plan import plan_batch
from sim.cli import main
from sim.scenario import ScenarioError
from sim.scenario.validate import revalidate
from sim.space import OutcomeSpaceTooLarge, compile_space
from sim.ui.state import Tweaks, tweak
from tests.scenario.helpers import Files, Written

#: 8 issues of 10 options: 10^8 outcomes, far above the enumeration limit.
HUGE_ISSUES = "".join(
    f"  i{i}:\n    options: {{{', '.join(f'o{k}: Option {k}' for k in range(10))}}}\n"
    for i in range(8)
)


def huge(files: Files) -> Written:
    text = textwrap.dedent(
        """\
        id: huge
        title: Too many outcomes
        deadline: 5
        protocol: alternating
        # the outcome space is the product of the issues below
        issues:
        """
    )
    text += HUGE_ISSUES
    text += textwrap.dedent(
        """\
        parties:
          p:
            signs: true
            reservation: 0.5
            weights: {i0: 1}
            values:
              i0: {o0: 0, o1: 0, o2: 0, o3: 0, o4: 0, o5: 0, o6: 0, o7: 0, o8: 0, o9: 1}
        """
    )
    return files.write(text, "huge.yaml")


def test_the_size_error_names_the_file_and_the_line_of_issues(files: Files) -> None:
    w = huge(files)
    with pytest.raises(OutcomeSpaceTooLarge) as caught:
        compile_space(w.load())
    (problem,) = caught.value.problems
    assert problem.origin.file == str(w.path)
    assert problem.origin.line == w.line("issues:")
    assert "100,000,000 outcomes" in problem.message


@pytest.mark.parametrize(
    "command",
    [
        ["analyze"],
        ["analyze", "--json"],
        ["ui"],
    ],
)
def test_every_command_names_the_file_and_line(
    files: Files,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:
    served: list[object] = []
    monkeypatch.setattr(subprocess, "call", lambda *a, **k: served.append(a) or 0)
    monkeypatch.setattr("sim.ui.server.serve", lambda *a, **k: served.append(a))
    w = huge(files)
    argv = [command[0], str(w.path), *(a.format(out=tmp_path / "out") for a in command[1:])]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err
    assert all(line.startswith(f"error: {w.path}:{w.line('issues:')}: issues: ") for line in err)
    assert "huge:" not in " ".join(err)
    assert served == []  # the page is not served for a scenario it cannot show


def test_run_and_batch_simulate_a_space_analysis_cannot_enumerate(
    files: Files, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A simulation reads per-issue tables (DESIGN.md v2, "Scale"): no outcome limit."""
    w = huge(files)
    assert main(["run", str(w.path), "--seed", "1"]) == 0
    assert "Round  1" in capsys.readouterr().out
    assert len(plan_batch([w.path], runs=5).points) == 1
    out = tmp_path / "out"
    assert main(["batch", str(w.path), "--runs", "5", "--out", str(out), "--quiet"]) == 0


def test_a_tweaked_scenario_keeps_its_file_and_lines(files: Files) -> None:
    w = huge(files)
    tweaked = tweak(w.load(), Tweaks(reservation={"p": 0.1}))
    assert tweaked.parties["p"].reservation == 0.1
    with pytest.raises(OutcomeSpaceTooLarge) as caught:
        compile_space(tweaked)
    assert str(caught.value.problems[0].origin) == f"{w.path}:{w.line('issues:')}"


def test_revalidated_problems_point_into_the_file(files: Files) -> None:
    w = files.scenario()
    scenario = w.load()
    data = scenario.model_dump(mode="json")
    data["parties"]["north"]["reservation"] = 2.0
    with pytest.raises(ScenarioError) as caught:
        revalidate(scenario, data)
    (problem,) = caught.value.problems
    assert str(problem.origin) == f"{w.path}:{w.line('reservation: 0.3')}"


def test_the_page_refuses_a_scenario_too_large_to_show(
    files: Files, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sim.ui.app as app

    w = huge(files)
    monkeypatch.setattr(app, "FILES", [str(w.path)])
    shown = app._load(str(w.path))
    assert isinstance(shown, str)  # a notice on the page, not a crash while drawing
    assert "100,000,000" not in shown  # the details go to the terminal only
    assert f"error: {w.path}:{w.line('issues:')}: issues: " in capsys.readouterr().err
