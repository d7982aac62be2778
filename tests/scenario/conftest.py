"""Fixtures for the scenario tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.scenario.helpers import Files


@pytest.fixture
def files(tmp_path: Path) -> Files:
    """Scenario files in this test's own folder."""
    return Files(tmp_path)
