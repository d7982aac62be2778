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


def many_lines_file(folder: Path, lines: int) -> Path:
    """A scenario whose two signatories hold ``lines`` red lines between them (two
    columns of rows each: a wide schema), written into ``folder``."""
    issues = {f"i{i}": ["a", "b", "c"] for i in range(6)}
    text = ["id: wide", "title: Many red lines", "deadline: 4", "protocol: alternating", "issues:"]
    for name, options in issues.items():
        text.append(f"  {name}:")
        text.append("    options: {" + ", ".join(f"{o}: {o}" for o in options) + "}")
    text.append("parties:")
    for p in range(2):
        text += [f"  p{p}:", "    signs: true", "    reservation: 0.2"]
        text.append("    weights: {" + ", ".join(f"{i}: 1" for i in issues) + "}")
        text.append("    values:")
        for i, name in enumerate(issues):
            a, c = (i + p) % 3 / 2, (i + 2 * p + 1) % 3 / 2
            text.append(f"      {name}: {{a: {a}, b: 0.5, c: {c}}}")
        text.append("    red_lines:")
        for k in range(p, lines, 2):
            first, second = f"i{k % 6}", f"i{(k // 6 + 1 + k) % 6}"
            if first == second:
                second = f"i{(k + 1) % 6}"
            text.append(f"      - id: l{k}")
            one, two = "abc"[k % 3], "abc"[k // 3 % 3]
            text.append(f"        forbid: {{{first}: [{one}], {second}: [{two}]}}")
            text.append("        credibility: 0.9")
    path = folder / "wide.yaml"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    return path
