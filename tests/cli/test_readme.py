"""The README's "Your first scenario" holds: its commands run as written, its defaults
are the parsers' defaults, and `source:` is found where it says (9.12)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from sim.cli import build_parser, main
from sim.cli.new import SOURCE

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    start = README.index(f"\n## {title}\n")
    end = README.find("\n## ", start + 1)
    return README[start:end]


FIRST = section("Your first scenario")


def test_the_first_scenario_commands_run_as_written(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    block = re.search(r"```sh\n(.*?)```", FIRST, re.S)
    assert block
    commands = [line for line in block.group(1).splitlines() if line.startswith("negsim ")]
    assert [shlex.split(c)[1] for c in commands][:3] == ["new", "validate", "analyze"]
    for line in commands:
        command, _, said = line.partition("#")
        argv = shlex.split(command)[1:]
        if argv[0] == "batch":
            argv += ["--quiet"]
        assert main(argv) == 0, line
        out = capsys.readouterr().out
        if argv[0] in ("validate", "analyze"):  # the comment shows what it prints
            shown = said.strip().rstrip(".").rstrip()
            assert out.startswith(shown) or shown in out, (shown, out[:200])


def _default(command: str, option: str) -> object:
    (action,) = [a for a in build_parser([command])._actions if a.dest == "command"]
    (found,) = [a for a in action.choices[command]._actions if option in a.option_strings]
    return found.default


def test_the_defaults_table_states_the_parsers_defaults():
    rows = re.findall(r"^\| `([a-z]+)`[^|]*\| (.*?) \| (.*?) \|$", FIRST, re.M)
    assert len(rows) >= 8
    checked = 0
    for command, options, defaults in rows:
        names = re.findall(r"`(--[a-z-]+)", options)
        cells = [cell.strip() for cell in defaults.split(" / ")]
        assert len(cells) == len(names), (command, names, cells)
        for name, cell in zip(names, cells, strict=True):
            default = _default(command, name)
            if isinstance(default, int) and not isinstance(default, bool):
                assert cell in (str(default), f"{default:,}"), (command, name, cell)
                checked += 1
            elif isinstance(default, str):
                assert default in cell, (command, name, cell)
                checked += 1
    assert checked >= 10


def test_source_is_found_in_a_folder_above_as_described(tmp_path, capsys):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "scenarios").mkdir()
    assert main(["new", str(tmp_path / "scenarios" / "talks.yaml")]) == 0
    file = tmp_path / "scenarios" / "talks.yaml"
    (tmp_path / "scenarios" / "talks.source.txt").unlink()
    (tmp_path / "seeds" / "article.txt").write_text(SOURCE, encoding="utf-8")
    text = file.read_text(encoding="utf-8").replace("talks.source.txt", "seeds/article.txt")
    file.write_text(text, encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", str(file)]) == 0  # found under the folder above
    (tmp_path / "seeds" / "article.txt").unlink()
    assert main(["validate", str(file)]) == 2
    err = capsys.readouterr().err
    line = next(k for k, t in enumerate(text.splitlines(), 1) if t.startswith("source:"))
    assert err.startswith(f"error: {file}:{line}: source: source file 'seeds/article.txt'")
    assert f"not found (looked in {file.parent.resolve()} and the folders above it)" in err
    assert "(looked in" in FIRST and "and the folders above it)" in FIRST


@pytest.mark.parametrize("ignored", ["`credibility`", "`uncertainty`", "`events`"])
def test_the_readme_says_what_analyze_ignores(ignored):
    why = FIRST[FIRST.index("**Why `analyze` and `batch` can disagree.**") :]
    first_sentence = why[: why.index(": it says")]
    assert "takes every red line as firm" in first_sentence and ignored in first_sentence
