"""What a batch is: scenarios × sweep points × runs, cut into blocks of runs.

A batch is fixed by its *identity*: the resolved scenarios (after ``extends`` and
``--set``), the sweep grid of each, the seed, the number of runs and the block size.
The identity's hash names the batch in its manifest; running the same command again
finds the same identity and completes what is missing, while a different command into
the same folder is refused.

Every point keeps the typed scenario it was validated as, so a worker simulates exactly
the scenario that ``negsim validate``, ``analyze`` and ``run`` see (no second validation
of dumped data in the worker).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.scenario import Override, Problem, Scenario, ScenarioError, load_scenario
from sim.scenario.compose import apply_overrides, resolve_path
from sim.scenario.problems import DataPath, Origin, dotted
from sim.scenario.validate import revalidate, validate_document
from sim.scenario.yamlsource import Document, parse_scalar

if TYPE_CHECKING:
    from sim.batch.design import Design

#: Bytes a worker may use unless told otherwise (``--memory``): 1 GiB.
DEFAULT_MEMORY = 1 << 30

#: Runs per block unless told otherwise: a block is one task and one Parquet part,
#: simulated in pieces of at most the engine's own block (sim.batch.work.piece_of).
#: 20,000 makes 50 parts of about 1 MB for 10^6 baseline runs: a part's fixed costs
#: (its Parquet footer, fsync, the task) stay small beside its rows.
DEFAULT_BLOCK = 20_000

#: Runs of one scenario at one sweep point, at most (as for a file's ``batch.runs``).
MAX_RUNS = 10**9

#: Seeds are 64-bit unsigned words (the counter-based streams of ``sim.rng``).
SEED_LIMIT = 2**64

#: Sweep points of one scenario, at most: each point is validated, summarised and drawn.
MAX_POINTS = 10_000

#: Blocks of a whole batch, at most: each is one task and one part on disk.
MAX_BLOCKS = 1_000_000

#: Top-level fields a sweep cannot change: they name the scenario (its rows and summary
#: are found by ``id``) or the batch itself, not what a run simulates.
FIXED_FIELDS = ("id", "batch", "extends")

#: Sweeps as ``PATH=V1,V2,...`` strings or as a mapping of path to values.
Sweeps = Sequence[str] | Mapping[str, Sequence[Any]]


def canonical(data: Any) -> str:
    """A scenario's data as canonical JSON (sorted keys), the input of its hash."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(text: str) -> str:
    """A short, stable hash of text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def identity_of(
    block: int,
    points: Iterable[tuple[str, str, str, dict[str, Any], int, int]],
    design: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A batch's identity: the one definition that a plan and a manifest share.

    ``points`` gives each point's key, scenario id, hash, sweep values, runs and seed;
    ``design`` the sampling design (``--design``), if any (absent from the identity
    otherwise, so batches without one keep their hashes).
    """
    identity: dict[str, Any] = {
        "block": block,
        "points": [
            {"key": k, "scenario": s, "hash": h, "sweep": v, "runs": r, "seed": seed}
            for k, s, h, v, r, seed in points
        ],
    }
    if design is not None:
        identity["design"] = design
    return identity


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
    #: The typed scenario validated from ``data`` when the batch was planned.
    model: Scenario | None = field(default=None, compare=False, repr=False)
    #: The ``--set PATH=VALUE`` overrides laid over the file (recorded in the manifest).
    overrides: tuple[str, ...] = ()
    #: The sampling design whose rows the runs take (``--design``), if any.
    design: Design | None = None

    @cached_property
    def hash(self) -> str:
        """The hash of the resolved scenario at this point."""
        return digest(canonical(self.data))

    def scenario(self) -> Scenario:
        """The typed scenario: the one planned, or ``data`` validated (a point built by hand)."""
        if self.model is not None:
            return self.model
        return validate_document(Document(self.data), sources=False)


@dataclass(frozen=True)
class Task:
    """One block: runs ``start`` to ``stop - 1`` of one point."""

    point: Point
    start: int
    stop: int
    #: Bytes a worker may use for it: the block is simulated in pieces that fit (the
    #: rows do not depend on the pieces, so this is not part of the batch's identity).
    memory: int = DEFAULT_MEMORY

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
    memory: int = DEFAULT_MEMORY
    design: Design | None = None

    @property
    def total_runs(self) -> int:
        """Runs over all points."""
        return sum(p.runs for p in self.points)

    def tasks(self) -> Iterator[Task]:
        """Every block, point by point."""
        for point in self.points:
            for start in range(0, point.runs, self.block):
                yield Task(point, start, min(point.runs, start + self.block), self.memory)

    def identity(self) -> dict[str, Any]:
        """What must match for two commands to be the same batch."""
        return identity_of(
            self.block,
            ((p.key, p.scenario_id, p.hash, p.values, p.runs, p.seed) for p in self.points),
            self.design.to_json() if self.design is not None else None,
        )

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


def _same(value: Any) -> str:
    """A key under which values that a sweep column cannot tell apart coincide (1, 1.0)."""
    if isinstance(value, bool):
        return f"bool:{value}"
    if isinstance(value, int | float):
        return f"number:{float(value)!r}"
    return "json:" + canonical(value)


def _shown(value: Any) -> str:
    return canonical(value) if not isinstance(value, str) else value


def _check_values(
    path: str, values: Sequence[Any], origin: Origin, where: DataPath
) -> list[Problem]:
    """Problems with one swept path's values: none given, or one given twice."""
    if not values:
        return [Problem(origin, where, f"sweep of {path}: no values")]
    seen: dict[str, Any] = {}
    problems = []
    for value in values:
        key = _same(value)
        if key in seen:
            twice = (
                f"{_shown(value)} is given twice"
                if canonical(seen[key]) == canonical(value)
                else f"{_shown(seen[key])} and {_shown(value)} are the same value"
            )
            problems.append(
                Problem(origin, where, f"sweep of {path}: {twice}; each point is swept once")
            )
        seen.setdefault(key, value)
    return problems


def _command_sweeps(
    sweeps: Sweeps, problems: list[Problem]
) -> tuple[dict[str, list[Any]], dict[str, str]]:
    """The sweeps of the command (or the API call), checked alone; and each path's text."""
    grid: dict[str, list[Any]] = {}
    given: dict[str, str] = {}
    if isinstance(sweeps, Mapping):
        items = []
        for path, values in sweeps.items():
            text = f"{path}={values!r}"
            if isinstance(values, str | bytes) or not isinstance(values, Sequence):
                problems.append(
                    Problem(Origin(f"sweeps[{path!r}]"), (), "give a list of values to sweep")
                )
                continue
            items.append((str(path).strip(), list(values), text))
    else:
        if isinstance(sweeps, str):
            sweeps = [sweeps]
        items = []
        for text in sweeps:
            try:
                path, values = parse_sweep(text)
            except ValueError as exc:
                problems.append(Problem(Origin(f"--sweep {text}"), (), str(exc)))
                continue
            items.append((path, values, text))
    for path, values, text in items:
        origin = Origin(f"--sweep {text}")
        if path in given:
            problems.append(
                Problem(
                    origin,
                    (),
                    f"{path} is also swept by --sweep {given[path]}; give all its values in"
                    " one --sweep",
                )
            )
            continue
        given[path] = text
        problems += _check_values(path, values, origin, ())
        grid[path] = values
    return grid, given


def _check_limits(runs: int | None, seed: int | None, block: int, problems: list[Problem]) -> None:
    """The numbers of the command: whole, positive, within the limits."""
    for name, value, low in (("--runs", runs, 1), ("--seed", seed, 0), ("--block", block, 1)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(Problem(Origin(name), (), f"{value!r} is not a whole number"))
        elif value < low:
            problems.append(Problem(Origin(name), (), f"{value:,} is less than {low}"))
        elif name == "--runs" and value > MAX_RUNS:
            problems.append(
                Problem(
                    Origin(name),
                    (),
                    f"{value:,} is more than the limit of {MAX_RUNS:,} runs per scenario and"
                    " sweep point",
                )
            )
        elif name == "--seed" and value >= SEED_LIMIT:
            problems.append(
                Problem(
                    Origin(name),
                    (),
                    f"{value} is too large: seeds are whole numbers below 2**64, at most"
                    f" {SEED_LIMIT - 1}",
                )
            )


def plan_batch(
    files: Sequence[str | Path],
    *,
    runs: int | None = None,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    sweeps: Sweeps = (),
    block: int = DEFAULT_BLOCK,
    max_points: int = MAX_POINTS,
    memory: int = DEFAULT_MEMORY,
    design: Design | None = None,
) -> Plan:
    """Resolve every scenario and sweep point; raise ScenarioError with every problem.

    Command-line ``runs``, ``seed`` and ``sweeps`` take the place of a file's ``batch``
    section; without either, a scenario gets 1,000 runs with seed 0 and no sweep.
    ``sweeps`` are ``PATH=V1,V2,...`` strings or a mapping of path to a list of values.
    A path is swept once, each of its values once, and never ``id`` (nor ``batch``).
    No limit on the outcome space: a simulation reads per-issue tables and never
    enumerates outcomes (only ``analyze`` does, within its limit).
    With a ``design`` (:mod:`sim.batch.design`) each point makes the design's runs.
    """
    problems: list[Problem] = []
    _check_limits(runs, seed, block, problems)
    if design is not None and runs is not None:
        problems.append(
            Problem(Origin("--runs"), (), "--design makes its own runs (N * (D + 2)); drop --runs")
        )
    cli_sweeps, texts = _command_sweeps(sweeps, problems)
    if problems:
        raise ScenarioError(problems)
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
        data = base.model_dump(mode="json")
        found: list[Problem] = []
        if cli_sweeps:
            grid = cli_sweeps
            places: dict[str, tuple[Origin, DataPath]] = {
                path: (Origin(f"--sweep {texts[path]}"), ()) for path in grid
            }
        else:
            grid = {path: list(values) for path, values in base.batch.sweeps.items()}
            places = {}
            for path, values in grid.items():
                where: DataPath = ("batch", "sweeps", path)
                places[path] = (base.origin(where), where)
                found += _check_values(path, values, *places[path])
        found += _check_grid(data, places)
        count = math.prod(len(values) for values in grid.values())
        if count > max_points:
            found.append(
                Problem(
                    base.origin(("batch", "sweeps")) if not cli_sweeps else Origin("--sweep"),
                    (),
                    f"{base.id}: the sweeps make {count:,} points, more than the limit of"
                    f" {max_points:,}: sweep fewer values, or split the study",
                )
            )
        if found:
            problems += found
            continue
        grids[base.id] = grid
        n_runs = runs if runs is not None else (base.batch.runs or 1_000)
        the_seed = seed if seed is not None else (base.batch.seed or 0)
        names = list(grid)
        by_hash: dict[str, dict[str, Any]] = {}
        for index, combo in enumerate(itertools.product(*(grid[n] for n in names))):
            at = dict(zip(names, combo, strict=True))
            resolved = base if not at else _at_point(base, data, at, problems)
            if resolved is None:
                continue
            key = base.id if not names else f"{base.id}@{index:04d}"
            if design is not None:
                from sim.batch.design import check_design

                why = check_design(design, resolved)
                if why is not None:
                    problems.append(Problem(Origin("--design"), (), why))
                    continue
            point = Point(
                key,
                str(file),
                base.id,
                index,
                at,
                data if not at else resolved.model_dump(mode="json"),
                n_runs if design is None else design.runs(resolved),
                the_seed,
                resolved,
                tuple(overrides),
                design,
            )
            if point.hash in by_hash:
                problems.append(
                    Problem(
                        Origin(f"sweep {file}"),
                        (),
                        f"the sweep points {_point_text(by_hash[point.hash])} and"
                        f" {_point_text(at)} give the same scenario",
                    )
                )
                continue
            by_hash[point.hash] = at
            points.append(point)
    blocks = sum(math.ceil(p.runs / block) for p in points)
    if blocks > MAX_BLOCKS:
        problems.append(
            Problem(
                Origin("--block"),
                (),
                f"the batch would have {blocks:,} blocks, more than the limit of"
                f" {MAX_BLOCKS:,}: give a larger --block or fewer --runs",
            )
        )
    if problems:
        raise ScenarioError(problems)
    return Plan(tuple(points), block, grids, memory, design)


def _point_text(values: dict[str, Any]) -> str:
    return ", ".join(f"{path}={_shown(value)}" for path, value in values.items())


def _check_grid(data: dict[str, Any], places: dict[str, tuple[Origin, DataPath]]) -> list[Problem]:
    """A grid's paths: none of a fixed field, no field swept under two spellings."""
    problems: list[Problem] = []
    fields: dict[DataPath, str] = {}
    for path, (origin, where) in places.items():
        try:
            concrete = resolve_path(data, path, allow_new=True)
        except KeyError:
            continue  # the point reports a path that leads nowhere
        if concrete and concrete[0] in FIXED_FIELDS:
            head = concrete[0]
            why = (
                "it names the scenario: its rows and summary are found by it; run a"
                " copy of the file with another id instead"
                if head == "id"
                else "it is not part of what a run simulates"
            )
            problems.append(Problem(origin, where, f"{path} cannot be swept: {why}"))
        elif concrete in fields:
            problems.append(
                Problem(
                    origin,
                    where,
                    f"{path} and {fields[concrete]} are the same field"
                    f" ({dotted(concrete)}); sweep it once",
                )
            )
        else:
            fields[concrete] = path
    return problems


def _at_point(
    base: Scenario, data: dict[str, Any], values: dict[str, Any], problems: list[Problem]
) -> Scenario | None:
    """The scenario with one sweep point's values set, validated (lines of the file kept)."""
    where = _point_text(values)
    overrides = [Override(path, value, f"{path}={value}") for path, value in values.items()]
    document, found = apply_overrides(Document(data, {}, base.origin()), overrides)
    for problem in found:
        problems.append(Problem(Origin(f"sweep {where}"), problem.path, problem.message))
    if found:
        return None
    try:
        return revalidate(base, document.data)
    except ScenarioError as exc:
        for problem in exc.problems:
            problems.append(
                Problem(problem.origin, problem.path, f"{problem.message} (sweep point {where})")
            )
        return None
