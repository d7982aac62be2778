"""Helpers for the results-folder tests: small batches into a folder, a second scenario."""

from __future__ import annotations

from pathlib import Path

from sim.cli import main
from tests.batch.conftest import BASE

VETO = "parties.russia.red_lines.no_nato_troops.credibility"

#: A second scenario with other issues and parties than the baseline.
TRADE = """\
id: trade
title: A trade deal
deadline: 12
protocol: alternating
issues:
  tariff:
    options: {zero: No tariff, low: Low tariff, high: High tariff}
  quota:
    options: {none: No quota, some: A quota}
parties:
  north:
    signs: true
    reservation: 0.3
    weights: {tariff: 2, quota: 1}
    values:
      tariff: {zero: 1, low: 0.6, high: 0}
      quota: {none: 1, some: 0.2}
    red_lines:
      - id: no_high
        forbid: {tariff: [high]}
        credibility: 0.5
  south:
    signs: true
    reservation: 0.3
    weights: {tariff: 1, quota: 1}
    values:
      tariff: {zero: 0, low: 0.5, high: 1}
      quota: {none: 0, some: 1}
"""


def trade_file(folder: Path) -> Path:
    """The trade scenario written into ``folder``."""
    path = folder / "trade.yaml"
    path.write_text(TRADE, encoding="utf-8")
    return path


def batch(
    out: Path | str,
    *extra: str,
    files: tuple[Path | str, ...] = (BASE,),
    runs: int = 300,
    seed: int = 3,
    block: int = 100,
) -> int:
    """``negsim batch FILES --runs R --seed S --block B --out OUT --quiet --workers 1 EXTRA``."""
    return main(
        [
            "batch",
            *map(str, files),
            "--runs",
            str(runs),
            "--seed",
            str(seed),
            "--block",
            str(block),
            "--out",
            str(out),
            "--quiet",
            "--workers",
            "1",
            *extra,
        ]
    )


def parts(out: Path) -> list[Path]:
    """The part files of a folder, in name order."""
    return sorted((out / "runs").glob("*.parquet"))
