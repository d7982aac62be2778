"""What a batch is: scenarios × sweep points × runs, cut into blocks of runs.

A batch is fixed by its *identity*: the resolved scenarios (after ``extends`` and
``--set``), the sweep grid of each, the seed, the number of runs and the block size.
The identity's hash names the batch in its manifest; running the same command again
finds the same identity and completes what is missing, while a different command into
the same folder is refused.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.scenario import Override, Problem, Scenario, ScenarioError, load_scenario
from sim.scenario.compose import apply_overrides
from sim.scenario.problems import Origin
from sim.scenario.validate import validate_document
from sim.scenario.yamlsource import Document, parse_scalar
from sim.space import MAX_OUTCOMES, outcome_count

#: Runs per block unless told otherwise: a block is one task and one Parquet part.
DEFAULT_BLOCK = 5_000


def canonical(data: Any) -> str:
    """A scenario's data as canonical JSON (sorted keys), the input of its hash."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(text: str) -> str:
    """A short, stable hash of text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Point:
    """One scenario at one sweep point: the unit whose runs are numbered 0..N-1."""

    key: str  # unique within the batch: "<scenario id>@<point>"
    file: str
    scenario_id: str
    index: int  # position of the point in its scenario's grid
    values: dict[str, Any]  # swept path -> value
    data: dict[str, Any]  # the resolved scenario at this point
    runs: int
    seed: int

    @property
    def hash(self) -> str:
        """The hash of the resolved scenario at this point."""
        return digest(canonical(self.data))

    def scenario(self) -> Scenario:
        """The typed scenario (validated again: a worker may get it from anywhere)."""
        return validate_document(Document(self.data), sources=False)


@dataclass(frozen=True)
class Task:
    """One block: runs ``start`` to ``stop - 1`` of one point."""

    point: Point
    start: int
    stop: int

    @property
    def part(self) -> str:
        """The file name of the block's Parquet part."""
        return f"{self.point.key}.{self.start:012d}.parquet"


@dataclass(frozen=True)
class Plan:
    """Every point and block of a batch, and the identity that names it."""

    points: tuple[Point, ...]
    block: int
    sweeps: dict[str, dict[str, list[Any]]] = field(default_factory=dict)

    @property
    def total_runs(self) -> int:
        """Runs over all points."""
        return sum(p.runs for p in self.points)

    def tasks(self) -> Iterator[Task]:
        """Every block, point by point."""
        for point in self.points:
            for start in range(0, point.runs, self.block):
                yield Task(point, start, min(point.runs, start + self.block))

    def identity(self) -> dict[str, Any]:
        """What must match for two commands to be the same batch."""
        return {
            "block": self.block,
            "points": [
                {
                    "key": p.key,
                    "scenario": p.scenario_id,
                    "hash": p.hash,
                    "sweep": p.values,
                    "runs": p.runs,
                    "seed": p.seed,
                }
                for p in self.points
            ],
        }

    @property
    def id(self) -> str:
        """The hash of the identity."""
        return digest(canonical(self.identity()))


def parse_sweep(text: str) -> tuple[str, list[Any]]:
    """``PATH=V1,V2,...`` into the path and its values (each read as YAML)."""
    name, sep, raw = text.partition("=")
    if not sep or not name.strip() or not raw.strip():
        raise ValueError(f"--sweep {text!r}: expected PATH=V1,V2,...")
    values = [parse_scalar(v.strip()) for v in raw.split(",")]
    return name.strip(), values


def plan_batch(
    files: Sequence[str | Path],
    *,
    runs: int | None = None,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    sweeps: Sequence[str] = (),
    block: int = DEFAULT_BLOCK,
    max_outcomes: int = MAX_OUTCOMES,
) -> Plan:
    """Resolve every scenario and sweep point; raise ScenarioError with every problem.

    Command-line ``runs``, ``seed`` and ``sweeps`` take the place of a file's ``batch``
    section; without either, a scenario gets 1,000 runs with seed 0 and no sweep.
    """
    problems: list[Problem] = []
    cli_sweeps: dict[str, list[Any]] = {}
    for text in sweeps:
        try:
            path, values = parse_sweep(text)
        except ValueError as exc:
            problems.append(Problem(Origin(f"--sweep {text}"), (), str(exc)))
            continue
        cli_sweeps[path] = values
    points: list[Point] = []
    grids: dict[str, dict[str, list[Any]]] = {}
    seen_ids: dict[str, str] = {}
    for file in files:
        try:
            base = load_scenario(file, list(overrides))
        except ScenarioError as exc:
            problems += exc.problems
            continue
        if base.id in seen_ids:
            problems.append(
                Problem(
                    base.origin(("id",)), ("id",), f"id {base.id!r} is also {seen_ids[base.id]}"
                )
            )
            continue
        seen_ids[base.id] = str(file)
        if outcome_count(base) > max_outcomes:
            problems.append(
                Problem(
                    base.origin(("issues",)),
                    ("issues",),
                    f"the outcome space has {outcome_count(base):,} outcomes, more than the"
                    f" limit of {max_outcomes:,}",
                )
            )
            continue
        grid = cli_sweeps or dict(base.batch.sweeps)
        grids[base.id] = grid
        n_runs = runs if runs is not None else (base.batch.runs or 1_000)
        the_seed = seed if seed is not None else (base.batch.seed or 0)
        data = base.model_dump(mode="json")
        names = list(grid)
        for index, combo in enumerate(itertools.product(*(grid[n] for n in names))):
            at = dict(zip(names, combo, strict=True))
            resolved = _at_point(data, at, str(file), problems)
            if resolved is None:
                continue
            key = base.id if not names else f"{base.id}@{index:04d}"
            points.append(Point(key, str(file), base.id, index, at, resolved, n_runs, the_seed))
    if problems:
        raise ScenarioError(problems)
    return Plan(tuple(points), block, grids)


def _at_point(
    data: dict[str, Any], values: dict[str, Any], file: str, problems: list[Problem]
) -> dict[str, Any] | None:
    """The scenario data with one sweep point's values set, validated."""
    if not values:
        return data
    overrides = [Override(path, value, f"{path}={value}") for path, value in values.items()]
    document, found = apply_overrides(Document(data, {}, Origin(file)), overrides)
    for problem in found:
        problems.append(Problem(Origin(f"sweep {file}"), problem.path, problem.message))
    if found:
        return None
    try:
        scenario = validate_document(document, sources=False)
    except ScenarioError as exc:
        where = ", ".join(f"{k}={v}" for k, v in values.items())
        for problem in exc.problems:
            problems.append(
                Problem(Origin(f"{file} (sweep {where})"), problem.path, problem.message)
            )
        return None
    resolved: dict[str, Any] = scenario.model_dump(mode="json")
    return resolved
