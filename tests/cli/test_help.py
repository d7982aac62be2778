"""Every command's --help states every default, in one format (9.17)."""

from __future__ import annotations

import argparse
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.cli import COMMANDS, build_parser, main
from sim.cli.common import HelpFormatter, Parser


def command_parser(name: str) -> argparse.ArgumentParser:
    """The parser of one command, built as `negsim NAME ...` builds it."""
    (action,) = [a for a in build_parser([name])._actions if a.dest == "command"]
    return action.choices[name]


def option_block(help_text: str, option: str) -> str:
    """The help of one option: its line and the lines that continue it, joined."""
    lines = help_text.splitlines()
    start = next(
        k for k, line in enumerate(lines) if re.match(rf"\s+{option}[ ,=]|\s+{option}$", line)
    )
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if re.match(r"\s+-", line) or not line.startswith(" "):
            break
        block.append(line)
    return " ".join(part.strip() for part in block)


def shown(value: object) -> list[str]:
    """The ways a default may be written: as is, or with thousands separators."""
    if isinstance(value, int) and not isinstance(value, bool):
        return [str(value), f"{value:,}"]
    return [str(value)]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_default_is_in_the_help(name, capsys):
    parser = command_parser(name)
    with pytest.raises(SystemExit) as stop:
        main([name, "--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith(f"usage: negsim {name}")
    for action in parser._actions:
        default = action.default
        if not action.option_strings or action.nargs == 0:
            continue  # positionals and flags (--json, --force) have nothing to state
        block = option_block(text, action.option_strings[-1])
        if default is None:
            # nothing fixed: the help says what happens instead ("default: cores")
            assert "default" in block or action.required, block
        elif default != []:
            assert "default" in block, block
            assert any(form.lower() in block.lower() for form in shown(default)), block


def test_the_defaults_of_analyze_and_run_are_stated(capsys):
    for argv in (["analyze", "--help"], ["run", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
    text = capsys.readouterr().out
    assert "(default: 3)" in option_block(text, "--max-relax")
    assert "(default: 2,000,000)" in option_block(text, "--max-outcomes")
    assert "(default: 0)" in option_block(text, "--seed")


@settings(deadline=None)
@given(st.one_of(st.integers(0, 10**12), st.text(min_size=1, max_size=20)))
def test_a_default_with_percent_signs_or_any_number_is_shown_as_given(default):
    parser = Parser(prog="x")
    parser.add_argument("--value", default=default, help="the value, 50%% or so")
    block = option_block(parser.format_help(), "--value")
    assert "50% or so" in block
    if not any(c.isspace() for c in str(default)):  # help text wraps at white space
        assert any(f"(default: {form})" in block for form in shown(default)), block


def test_the_formatter_leaves_a_help_that_states_its_default_alone():
    parser = Parser(prog="x", formatter_class=HelpFormatter)
    parser.add_argument("--workers", help="processes (default: the cores)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    text = parser.format_help()
    assert "(default: the cores)" in text and text.count("default") == 1
