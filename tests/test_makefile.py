"""`make run`'s install step prints no packaging banner, and hides no real warning (9.18)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def test_the_licence_is_an_spdx_string_for_a_setuptools_that_reads_it():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert isinstance(project["project"]["license"], str)  # a table prints a deprecation
    assert "setuptools>=77" in project["build-system"]["requires"]


def test_every_editable_install_filters_the_editable_notice():
    installs = [line for line in MAKEFILE.splitlines() if re.search(r"pip install .*-e ", line)]
    assert installs
    assert all(line.strip().startswith("$(QUIET_EDITABLE) ") for line in installs), installs


def _filter() -> str:
    """PYTHONWARNINGS as the Makefile's shell sets it (no PYTHONWARNINGS before)."""
    value = re.search(r'^QUIET_EDITABLE := PYTHONWARNINGS="(.*)"$', MAKEFILE, re.M)
    assert value
    return re.sub(r"\$\$\{PYTHONWARNINGS:\+[^}]*\}", "", value.group(1))


def _stderr_of(message: str) -> str:
    code = f"import warnings; warnings.warn({message!r}, UserWarning)"
    env = {"PYTHONWARNINGS": _filter(), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    return done.stderr


def test_the_filter_hides_the_editable_notice_only():
    assert _stderr_of("Editable installation.\n\nPlease be careful with folders ...") == ""
    assert "deprecated" in _stderr_of("`project.license` as a TOML table is deprecated")
