"""A batch's manifest, typed: what the batch is, which parts it has, and its schema.

``DIR/manifest.json`` holds the batch's identity (the resolved scenarios and their
hashes, the sweep grid, seed, runs and block size), the name of every part its plan
makes, the schema of the parts, the package version and the creation time
(DESIGN.md, "Results"). It carries two hashes: ``batch``, of the identity (two
commands are the same batch when it matches), and ``digest``, of everything in the
file; both are checked on every read, so an edited manifest (a changed seed, say) is
an error, never a silently different batch.

:meth:`Manifest.read` and :meth:`Manifest.write` (the same as :func:`read_manifest` and
:func:`write_manifest`) are the one way to read and write it: no other module opens the
file (``tests/batch/test_results.py`` checks the package's source).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast, get_args

from sim.batch.plan import Plan, canonical, digest, identity_of
from sim.batch.schema import Column, Kind
from sim.scenario import Problem, Scenario, ScenarioError
from sim.scenario.problems import Origin
from sim.scenario.validate import validate_document
from sim.scenario.yamlsource import Document

MANIFEST = "manifest.json"
RUNS = "runs"
#: The layout of manifest.json that this version writes and reads.
FORMAT = 2
#: The largest manifest read (a batch of 10,000 sweep points writes 15-70 MB).
MAX_MANIFEST = 1 << 30


def results_error(file: str | Path, message: str, line: int | None = None) -> ScenarioError:
    """A problem with a results folder, reported like a scenario's: file, line, message."""
    return ScenarioError([Problem(Origin(str(file), line), (), message)])


@dataclass(frozen=True)
class PointEntry:
    """One scenario at one sweep point, as the manifest records it."""

    key: str
    scenario_id: str
    file: str
    sweep: dict[str, Any]
    hash: str
    data: dict[str, Any]  # the resolved scenario at this point
    runs: int
    seed: int
    #: The ``--set PATH=VALUE`` overrides laid over the file (covered by the digest).
    overrides: tuple[str, ...] = ()

    def scenario(self) -> Scenario:
        """The typed scenario at this point."""
        return validate_document(Document(self.data), sources=False)


@dataclass(frozen=True)
class PartEntry:
    """One part the plan makes: runs ``start`` to ``stop - 1`` of point ``point``."""

    name: str
    point: int  # index into Manifest.points
    start: int
    stop: int

    @property
    def rows(self) -> int:
        """The rows the part holds."""
        return self.stop - self.start


@dataclass(frozen=True)
class Manifest:
    """The typed content of ``DIR/manifest.json``."""

    batch: str
    block: int
    points: tuple[PointEntry, ...]
    parts: tuple[PartEntry, ...]
    sweeps: dict[str, dict[str, list[Any]]]
    columns: tuple[Column, ...]
    version: str
    python: str
    created: str
    #: The sampling design of the runs (``negsim batch --design``), as JSON, if any.
    design: dict[str, Any] | None = None

    @property
    def total_runs(self) -> int:
        """Runs over all points."""
        return sum(p.runs for p in self.points)

    def identity(self) -> dict[str, Any]:
        """What must match for two commands to be the same batch (as :meth:`Plan.identity`)."""
        return identity_of(
            self.block,
            ((p.key, p.scenario_id, p.hash, p.sweep, p.runs, p.seed) for p in self.points),
            self.design,
        )

    def scenario_ids(self) -> list[str]:
        """The scenarios in batch order."""
        return list(dict.fromkeys(p.scenario_id for p in self.points))

    def swept(self) -> dict[str, list[Any]]:
        """Every swept path with its values, over all scenarios."""
        paths: dict[str, list[Any]] = {}
        for grid in self.sweeps.values():
            for path, values in grid.items():
                paths.setdefault(path, list(values))
        return paths

    def seeds(self) -> dict[str, int]:
        """The seed of every point, by point key."""
        return {p.key: p.seed for p in self.points}

    @classmethod
    def read(cls, out: str | Path) -> Manifest:
        """Read and check ``out/manifest.json`` (:func:`read_manifest`)."""
        return read_manifest(out)

    def write(self, out: str | Path) -> None:
        """Write ``out/manifest.json`` atomically (:func:`write_manifest`)."""
        write_manifest(Path(out), self)

    def scenarios(self) -> dict[int, Scenario]:
        """The typed scenario of every point, by point index; validated once per issue list.

        Sweeps move numbers, not the issues and their labels, so points of a scenario
        with the same issues share one validated scenario (for naming deals).
        """
        typed: dict[tuple[str, str], Scenario] = {}
        out: dict[int, Scenario] = {}
        for k, point in enumerate(self.points):
            key = (point.scenario_id, repr(point.data.get("issues")))
            if key not in typed:
                typed[key] = point.scenario()
            out[k] = typed[key]
        return out

    def to_json(self) -> dict[str, Any]:
        """The manifest as JSON data, with its digest."""
        scenarios: dict[str, Any] = {}
        for point in self.points:
            entry = scenarios.setdefault(
                point.scenario_id,
                {"file": point.file, "runs": point.runs, "seed": point.seed, "points": []},
            )
            entry["points"].append(
                {
                    "key": point.key,
                    "sweep": point.sweep,
                    "hash": point.hash,
                    "overrides": list(point.overrides),
                    "scenario": point.data,
                }
            )
        body = {
            "format": FORMAT,
            "batch": self.batch,
            "identity": self.identity(),
            "sweeps": self.sweeps,
            "block": self.block,
            "total_runs": self.total_runs,
            "scenarios": scenarios,
            "parts": [[p.name, p.point, p.start, p.stop] for p in self.parts],
            "columns": [c.to_json() for c in self.columns],
            "package": {"name": "negsim", "version": self.version},
            "python": self.python,
            "created": self.created,
        }
        return {**body, "digest": _digest(body)}


def _digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()


def manifest_of(plan: Plan, columns: tuple[Column, ...]) -> Manifest:
    """The manifest of a planned batch whose parts have these columns."""
    from sim import __version__

    index = {p.key: k for k, p in enumerate(plan.points)}
    return Manifest(
        batch=plan.id,
        block=plan.block,
        points=tuple(
            PointEntry(
                p.key,
                p.scenario_id,
                p.file,
                p.values,
                p.hash,
                p.data,
                p.runs,
                p.seed,
                p.overrides,
            )
            for p in plan.points
        ),
        parts=tuple(PartEntry(t.part, index[t.point.key], t.start, t.stop) for t in plan.tasks()),
        sweeps=plan.sweeps,
        columns=columns,
        version=__version__,
        python=platform.python_version(),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        design=plan.design.to_json() if plan.design is not None else None,
    )


def write_atomic(path: Path, payload: bytes) -> None:
    """Write a file whole or not at all (a temporary file, fsync, rename).

    On any error (a full disk, say) the temporary file is removed and the old file, if
    any, is left as it was.
    """
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_manifest(out: Path, manifest: Manifest) -> None:
    """Write ``out/manifest.json`` atomically."""
    payload = json.dumps(manifest.to_json(), indent=1, ensure_ascii=False, allow_nan=False)
    write_atomic(out / MANIFEST, payload.encode("utf-8"))


def read_manifest(out: str | Path) -> Manifest:
    """Read and check ``out/manifest.json``; a ScenarioError (exit 2) names what is wrong."""
    path = Path(out) / MANIFEST
    if not path.is_file():
        if not Path(out).is_dir():
            raise results_error(
                out, "no such batch folder (make one with `negsim batch ... --out DIR`)"
            )
        raise results_error(
            out, f"not a batch folder (no {MANIFEST}; make one with `negsim batch ... --out DIR`)"
        )
    try:
        with open(path, "rb") as handle:  # bounded: a manifest is data, not anything
            raw = handle.read(MAX_MANIFEST + 1)
        if len(raw) > MAX_MANIFEST:
            raise results_error(path, f"not a negsim manifest (larger than {MAX_MANIFEST:,} bytes)")
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise results_error(path, "not a negsim manifest (not UTF-8 text)" + REDO) from None
    except OSError as exc:
        raise results_error(path, f"cannot be read ({exc.strerror or exc})") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        why = getattr(exc, "msg", str(exc))
        raise results_error(
            path, f"not valid JSON ({why}): the file is damaged or cut short" + REDO, line
        ) from None
    return parse_manifest(data, path)


#: The keys of a manifest of this format (all of them are written; ``design`` is in
#: ``identity``).
KEYS = frozenset(
    {
        "format",
        "batch",
        "identity",
        "sweeps",
        "block",
        "total_runs",
        "scenarios",
        "parts",
        "columns",
        "package",
        "python",
        "created",
        "digest",
    }
)

#: How to recover from a damaged manifest (the tail of those errors).
REDO = (
    "; run the same `negsim batch` command again to rewrite it (the parts already written"
    " are kept if they are this batch's), or delete the folder to start again"
)


def parse_manifest(data: Any, path: str | Path) -> Manifest:
    """Check manifest JSON data (digest, identity hash, layout) and type it."""
    if not isinstance(data, dict):
        names = {list: "list", str: "string", int: "number", float: "number", bool: "boolean"}
        got = names.get(type(data), "null")
        raise results_error(path, f"not a negsim manifest (a JSON {got}, not an object)" + REDO)
    if "format" not in data or "digest" not in data:
        missing = "format" if "format" not in data else "digest"
        raise results_error(path, f"not a negsim manifest (no {missing!r})" + REDO)
    if data["format"] != FORMAT:
        raise results_error(
            path,
            f"written by another version of negsim (manifest format {data['format']!r}; this"
            f" one reads {FORMAT}): run the batch again into a new folder",
        )
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise results_error(
            path,
            f"not a negsim manifest of format {FORMAT} (unknown key"
            f"{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))})" + REDO,
        )
    absent = sorted(KEYS - set(data))
    if absent:
        raise results_error(
            path, f"not a negsim manifest (no {', '.join(map(repr, absent))})" + REDO
        )
    body = {k: v for k, v in data.items() if k != "digest"}
    if _digest(body) != data["digest"]:
        raise results_error(
            path,
            "was changed after negsim wrote it (its content does not match its digest), so"
            " its rows cannot be trusted; restore the original file, or run the same"
            " `negsim batch` command again to rewrite it",
        )
    try:
        manifest = _typed(data)
    except KeyError as exc:
        raise results_error(path, f"not a negsim manifest (no {exc.args[0]!r})" + REDO) from None
    except (TypeError, ValueError, IndexError, AttributeError) as exc:
        raise results_error(path, f"not a negsim manifest (malformed: {exc})" + REDO) from None
    if digest(canonical(manifest.identity())) != manifest.batch:
        raise results_error(path, "its batch hash does not match its identity" + REDO)
    return manifest


def _typed(data: dict[str, Any]) -> Manifest:
    scenarios = data["scenarios"]
    stored_points = {
        (sid, p["key"]): p for sid, entry in scenarios.items() for p in entry["points"]
    }
    points = []
    for entry in data["identity"]["points"]:
        sid = str(entry["scenario"])
        where = scenarios[sid]
        stored = stored_points[(sid, entry["key"])]
        if stored["hash"] != entry["hash"]:  # the file's digest covers the scenarios
            raise ValueError(f"hash of point {entry['key']}")
        points.append(
            PointEntry(
                key=str(entry["key"]),
                scenario_id=sid,
                file=str(where["file"]),
                sweep=dict(entry["sweep"]),
                hash=str(entry["hash"]),
                data=dict(stored["scenario"]),
                runs=_whole(entry["runs"]),
                seed=_whole(entry["seed"]),
                overrides=tuple(str(o) for o in stored.get("overrides", [])),
            )
        )
    parts = tuple(
        PartEntry(str(name), _whole(point), _whole(start), _whole(stop))
        for name, point, start, stop in data["parts"]
    )
    _check_tiling(parts, points)
    kinds = get_args(Kind.__value__)
    columns = []
    for c in data["columns"]:
        if c["type"] not in kinds:
            raise ValueError(f"column type {c['type']}")
        columns.append(Column(str(c["name"]), cast(Kind, c["type"]), bool(c["nullable"])))
    return Manifest(
        batch=str(data["batch"]),
        block=_whole(data["identity"]["block"]),
        points=tuple(points),
        parts=parts,
        sweeps={str(k): dict(v) for k, v in data["sweeps"].items()},
        columns=tuple(columns),
        version=str(data["package"]["version"]),
        python=str(data["python"]),
        created=str(data["created"]),
        design=_design(data["identity"].get("design")),
    )


def _design(data: Any) -> dict[str, Any] | None:
    """The recorded design, checked (None for a batch without one)."""
    if data is None:
        return None
    from sim.batch.design import Design

    return Design.from_json(data).to_json()


def _check_tiling(parts: tuple[PartEntry, ...], points: list[PointEntry]) -> None:
    """Each point's parts cover its runs 0..N-1 once each: no run id twice, none left out."""
    if len({p.name for p in parts}) != len(parts):
        raise ValueError("parts: a part named twice")
    ranges: dict[int, list[tuple[int, int]]] = {k: [] for k in range(len(points))}
    for part in parts:
        if part.point >= len(points) or part.stop <= part.start:
            raise ValueError(f"parts: {part.name}")
        ranges[part.point].append((part.start, part.stop))
    for k, spans in ranges.items():
        at = 0
        for start, stop in sorted(spans):
            if start != at:
                raise ValueError(f"parts of point {points[k].key}: run {at} twice or never")
            at = stop
        if at != points[k].runs:
            raise ValueError(f"parts of point {points[k].key}: {at} runs, not {points[k].runs}")


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(value)
    return value


def iter_parts(manifest: Manifest) -> Iterator[tuple[PartEntry, PointEntry]]:
    """Every part with its point, in plan order."""
    for part in manifest.parts:
        yield part, manifest.points[part.point]
