"""The command line starts fast: it imports only what the chosen command needs (9.14)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import COMMANDS, build_parser

ROOT = Path(__file__).resolve().parents[2]
BASE = str(ROOT / "scenarios" / "ukraine_2025.yaml")

#: Libraries that take a second or more to import and that validate and analyze never use.
HEAVY = ("mesa", "matplotlib", "dask", "distributed", "pandas", "pyarrow", "scipy", "solara")


def loaded_after(code: str) -> list[str]:
    """The heavy top-level modules imported by a fresh Python running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(list(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT
    )
    modules = {name.split(".")[0] for name in json.loads(done.stdout.splitlines()[-1])}
    return [name for name in HEAVY if name in modules]


def test_import_sim_cli_loads_no_heavy_library():
    assert loaded_after("import sim.cli") == []


def test_import_sim_loads_no_heavy_library_until_a_name_is_used():
    assert loaded_after("import sim; sim.__version__; sim.load_scenario") == []
    assert "mesa" in loaded_after("import sim; sim.simulate")


@pytest.mark.parametrize(
    "argv",
    [["validate", BASE], ["analyze", BASE], ["analyze", BASE, "--json"], ["schema"]],
    ids=lambda argv: " ".join(a for a in argv if a != BASE),
)
def test_light_commands_load_no_heavy_library(argv):
    code = (
        "import contextlib, io\n"
        "from sim.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main({argv!r}) == 0\n"
    )
    assert loaded_after(code) == []


def test_help_loads_no_heavy_library():
    code = "from sim.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    assert loaded_after(code) == []


def test_the_command_table_gives_each_module_s_own_summary():
    full = build_parser()
    (action,) = [a for a in full._actions if a.dest == "command"]
    summaries = {choice.dest: choice.help for choice in action._choices_actions}
    assert summaries == {name: summary for name, (_, summary) in COMMANDS.items()}
    assert list(action.choices) == list(COMMANDS)


def test_a_command_is_built_alone_and_the_others_are_listed():
    parser = build_parser(["validate"])
    (action,) = [a for a in parser._actions if a.dest == "command"]
    assert list(action.choices) == list(COMMANDS)
    assert any(a.dest == "overrides" for a in action.choices["validate"]._actions)
    assert not any(a.dest == "sweeps" for a in action.choices["batch"]._actions)


def test_batch_help_loads_no_heavy_library():
    # sim.batch loads its names on first use: the plan (for --help's limits) needs none.
    code = (
        "from sim.cli import main\n"
        "try:\n    main(['batch', '--help'])\nexcept SystemExit:\n    pass"
    )
    assert loaded_after(code) == []
    assert "pandas" in loaded_after("import sim.batch; sim.batch.load_results")
