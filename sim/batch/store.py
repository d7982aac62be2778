"""A batch on disk: ``DIR/manifest.json`` and ``DIR/runs/*.parquet``, one part per block.

Parts are written to a temporary name and renamed into place, so a part either exists
whole or not at all: a crash, Ctrl-C or ``kill -9`` loses at most the blocks being
written, and running the same command again writes exactly the missing ones.
"""

from __future__ import annotations

import json
import os
import platform
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.batch.plan import Plan, Task
from sim.scenario import Problem, ScenarioError
from sim.scenario.problems import Origin

MANIFEST = "manifest.json"
RUNS = "runs"


def manifest_of(plan: Plan) -> dict[str, Any]:
    """The manifest: the batch's identity, the resolved scenarios and how it was made."""
    from sim import __version__

    scenarios: dict[str, Any] = {}
    for point in plan.points:
        entry = scenarios.setdefault(
            point.scenario_id,
            {"file": point.file, "runs": point.runs, "seed": point.seed, "points": []},
        )
        entry["points"].append(
            {"key": point.key, "sweep": point.values, "hash": point.hash, "scenario": point.data}
        )
    return {
        "format": 1,
        "batch": plan.id,
        "identity": plan.identity(),
        "sweeps": plan.sweeps,
        "block": plan.block,
        "total_runs": plan.total_runs,
        "scenarios": scenarios,
        "package": {"name": "negsim", "version": __version__},
        "python": platform.python_version(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def prepare(out: Path, plan: Plan) -> set[str]:
    """Create the folder, or check that it holds this same batch; return the parts done."""
    manifest = out / MANIFEST
    if manifest.exists():
        try:
            existing = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise _refuse(out, f"its {MANIFEST} cannot be read ({exc})") from None
        if existing.get("batch") != plan.id:
            raise _refuse(
                out,
                "it holds a different batch (other scenarios, sweeps, seed, runs or block"
                " size); choose another --out, or delete it to start again",
            )
    elif out.exists() and any(out.iterdir()):
        raise _refuse(out, "it is not empty and holds no negsim batch")
    else:
        (out / RUNS).mkdir(parents=True, exist_ok=True)
        _write_atomic(manifest, json.dumps(manifest_of(plan), indent=1).encode("utf-8"))
    (out / RUNS).mkdir(exist_ok=True)
    return done_parts(out)


def _refuse(out: Path, why: str) -> ScenarioError:
    return ScenarioError([Problem(Origin(f"--out {out}"), (), f"refused: {why}")])


def done_parts(out: Path) -> set[str]:
    """The parts already written whole (temporary files of an interrupted write are not)."""
    folder = out / RUNS
    if not folder.is_dir():
        return set()
    return {
        p.name for p in folder.iterdir() if p.suffix == ".parquet" and not p.name.startswith(".")
    }


def _write_atomic(path: Path, payload: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "wb") as handle:
        handle.write(payload)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def write_part(out: Path, task: Task, frame: pd.DataFrame) -> None:
    """Write one block's rows as a Parquet part, atomically."""
    path = out / RUNS / task.part
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def clean_temporaries(out: Path) -> None:
    """Remove what interrupted writes left behind."""
    for tmp in (out / RUNS).glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


def load_results(out: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """All rows of a batch as one DataFrame, in scenario, sweep-point and run order."""
    out = Path(out)
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    order = [p["key"] for p in manifest["identity"]["points"]]
    rank = {key: k for k, key in enumerate(order)}
    parts = sorted(
        (out / RUNS).glob("*.parquet"), key=lambda p: (rank.get(p.name.split(".")[0], 0), p.name)
    )
    if not parts:
        return pd.DataFrame(columns=columns or [])
    frames = []
    for part in parts:
        wanted = columns
        if columns is not None:  # scenarios of one batch may have different issues
            present = set(pq.read_schema(part).names)
            wanted = [c for c in columns if c in present]
        frames.append(pq.read_table(part, columns=wanted).to_pandas())
    frame = pd.concat(frames, ignore_index=True)
    categorical = {
        name
        for part in frames
        for name in part.columns
        if isinstance(part[name].dtype, pd.CategoricalDtype)
    }
    for name in categorical:  # categories that differ between parts concatenate as objects
        if not isinstance(frame[name].dtype, pd.CategoricalDtype):
            frame[name] = frame[name].astype("category")
    return frame
