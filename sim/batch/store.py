"""A batch on disk: ``DIR/manifest.json`` and ``DIR/runs/*.parquet``, one part per block.

Writing. :func:`open_batch` holds ``DIR/.lock`` for the whole batch (a second batch into
the same folder is refused while one runs), checks what the folder holds and writes the
manifest just before the first block starts, so a batch that fails before that leaves
nothing that blocks the corrected command. Parts and the manifest are written to a
temporary name and renamed into place: a file exists whole or not at all, and a crash,
Ctrl-C, ``kill -9`` or a full disk loses at most the blocks being written; running the
same command again writes exactly the missing ones.

Reading. :func:`read_batch` (and :func:`load_results` on top of it) checks the manifest
(its digest) and reads only the parts its plan names, each checked for its batch, row
count, schema and run ids: a results folder never gives wrong rows silently; what is
wrong is a ScenarioError naming the file and how to recover.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import itertools
import math
import os
import uuid
import warnings
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.batch.manifest import (
    MANIFEST,
    REDO,
    RUNS,
    Manifest,
    PartEntry,
    manifest_of,
    read_manifest,
    results_error,
    write_manifest,
)
from sim.batch.plan import Plan, Point, Task
from sim.batch.schema import RUN, Column, Rows, arrow_schema, batch_columns, to_frame
from sim.scenario import Scenario, ScenarioError
from sim.scenario.problems import Origin, Problem

__all__ = [
    "LOCK",
    "MANIFEST",
    "RUNS",
    "Batch",
    "ResultsWarning",
    "clean_temporaries",
    "done_parts",
    "load_results",
    "open_batch",
    "read_batch",
    "read_parts",
    "warn_unread",
    "write_part",
]

LOCK = ".lock"
#: Threads that read parts.
READERS = 4
#: Memory the parts read ahead may take for their footers, at most (beyond one part).
#: Arrow parses a part's whole footer, whichever columns are read: about 1 KB per column
#: and row group, so the footer of a part of 16,000 columns in 6 row groups (a scenario
#: of 8,000 red lines) takes some 140 MB, where the baseline's takes under 1 MB.
READ_AHEAD_BYTES = 256 << 20
#: Memory a parsed footer takes per byte of its serialised form, at most (measured:
#: 9 to 13; ``benchmarks/bench_wide.py`` prints it).
FOOTER_EXPANSION = 16
#: Key-value metadata of a part: which batch and which part it is.
_BATCH_KEY = b"negsim.batch"
_PART_KEY = b"negsim.part"


class ResultsWarning(UserWarning):
    """Something in a results folder that negsim set aside (it reads no wrong rows)."""


# --- writing -------------------------------------------------------------------------


@contextlib.contextmanager
def open_batch(out: Path, plan: Plan) -> Iterator[set[str]]:
    """Lock the folder for this batch, check it, write its manifest; yield the parts done.

    A folder is taken when it is new or empty, when it holds this same batch (its
    finished parts are checked; a bad one is removed so that it runs again), or when
    it holds a manifest (valid or not) but no part. Anything else is refused with a
    ScenarioError that says why and what to do.
    """
    lock = _lock(out)
    try:
        done = _take(out, plan)
        yield done
    finally:
        os.close(lock)


def _lock(out: Path) -> int:
    try:
        out.mkdir(parents=True, exist_ok=True)
        fd = os.open(out / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise results_error(
            exc.filename or out,
            f"cannot write the results folder ({exc.strerror or exc}); choose another --out"
            " or make it writable",
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise _refuse(
            out,
            f"another negsim batch is writing there (it holds {out / LOCK}); wait for it to"
            " finish (then run this command again to check it is complete), or choose"
            " another --out",
        ) from None
    return fd


def _refuse(out: Path, why: str) -> ScenarioError:
    return results_error(f"--out {out}", f"refused: {why}")


def _take(out: Path, plan: Plan) -> set[str]:
    """Decide what the folder is; make it this batch's; return the good parts."""
    runs = out / RUNS
    manifest: Manifest | None = None
    damaged: ScenarioError | None = None
    if (out / MANIFEST).exists():
        try:
            manifest = read_manifest(out)
        except ScenarioError as exc:
            damaged = exc
    if manifest is not None and manifest.batch == plan.id:
        return _resume(out, plan, manifest)
    parquet = [p for p in _part_files(out) if p.suffix == ".parquet"]
    owners = {_owner(p) for p in parquet}
    if manifest is None and plan.id in owners and not owners - {plan.id, None}:
        # The parts prove that this command is their batch: write its manifest again.
        why = (
            "is missing"
            if damaged is None
            else f"was unusable ({damaged.problems[0].message.removesuffix(REDO)})"
        )
        warnings.warn(
            ResultsWarning(
                f"{out / MANIFEST} {why}; the parts in {runs} are this batch's, so it was"
                " written again"
            ),
            stacklevel=4,
        )
        _start(out, plan)
        return _resume(out, plan, read_manifest(out))
    if parquet:
        if damaged is not None:
            raise _refuse(
                out,
                f"{damaged.problems[0]}; its parts cannot be trusted without it (restore"
                f" {MANIFEST}, or delete the folder to start again)",
            )
        if manifest is None:
            raise _refuse(out, f"{runs} holds Parquet files of no manifest; choose another --out")
        raise _refuse(
            out,
            "it holds a different batch (other scenarios, sweeps, seed, runs or block"
            " size); choose another --out, or delete it to start again",
        )
    if manifest is None and damaged is None:
        foreign = [
            p.name
            for p in out.iterdir()
            if p.name != RUNS and not p.name.startswith(".")  # .lock and temporaries
        ]
        if foreign:
            raise _refuse(
                out,
                "it is not empty and holds no negsim batch (no manifest.json, but "
                f"{_some(foreign)}); choose another --out",
            )
    else:
        # No part yet: the manifest (even a damaged one) is of a batch that stopped before
        # its first block, and is replaced.
        warnings.warn(
            ResultsWarning(
                f"{out / MANIFEST} was of a batch that wrote no part; replaced by this one"
            ),
            stacklevel=4,
        )
    _start(out, plan)
    return set()


def _start(out: Path, plan: Plan) -> None:
    """Write the manifest of a batch whose first block is about to start."""
    columns = probe_columns(plan)
    check_parts_fit(plan, columns)
    for tmp in out.glob(f".{MANIFEST}.*.tmp"):  # of a write that was killed
        tmp.unlink(missing_ok=True)
    try:
        (out / RUNS).mkdir(exist_ok=True)
        write_manifest(out, manifest_of(plan, columns))
    except OSError as exc:
        raise results_error(
            out / MANIFEST,
            f"cannot be written ({exc.strerror or exc}); nothing of the batch is written yet:"
            " free some space (or make the folder writable) and run the same command again",
        ) from None


def probe_columns(plan: Plan) -> tuple[Column, ...]:
    """The batch's columns: the rows of one run of each scenario, and the sweeps."""
    from sim.batch.work import rows_of  # work writes parts with this module

    firsts: dict[str, Point] = {}
    for point in plan.points:
        firsts.setdefault(point.scenario_id, point)
    frames = [next(iter(rows_of(Task(point, 0, 1)))).frame() for point in firsts.values()]
    sweeps: dict[str, list[Any]] = {}
    for grid in plan.sweeps.values():
        for path, values in grid.items():
            sweeps.setdefault(path, []).extend(values)
    return batch_columns(frames, sweeps)


def _resume(out: Path, plan: Plan, manifest: Manifest) -> set[str]:
    """The good parts of this batch; bad ones are reported and removed (they run again)."""
    runs = out / RUNS
    runs.mkdir(exist_ok=True)
    planned = {part.name: part for part in manifest.parts}
    done: set[str] = set()
    bad: list[str] = []
    for path in _part_files(out):
        part = planned.get(path.name)
        if part is None:
            continue
        problem = check_part(path, part, manifest)
        if problem is None:
            done.add(path.name)
        else:
            bad.append(f"{path.name} ({problem})")
            path.unlink()
    if bad:
        warnings.warn(
            ResultsWarning(f"{runs}: bad parts removed and run again: {_some(bad)}"),
            stacklevel=5,
        )
    _warn_foreign(out, manifest, stacklevel=5)
    if len(done) < len(planned):
        check_parts_fit(plan, manifest.columns)  # --memory is not the batch's identity
        current = probe_columns(plan)
        if current != manifest.columns:
            raise _refuse(
                out,
                "its parts have other columns than this version of negsim writes (made by"
                f" negsim {manifest.version}); finish it with that version, or choose"
                " another --out",
            )
    return done


def _part_files(out: Path) -> list[Path]:
    """The finished files in runs/ (temporaries and hidden files are not)."""
    folder = out / RUNS
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


def _part_names(out: Path) -> set[str]:
    """The names of the finished files in runs/ (as :func:`_part_files`, without sorting)."""
    try:
        with os.scandir(out / RUNS) as entries:
            return {e.name for e in entries if e.is_file() and not e.name.startswith(".")}
    except (FileNotFoundError, NotADirectoryError):
        return set()


def _owner(path: Path) -> str | None:
    """The batch a part says it belongs to (None if it is not a readable negsim part)."""
    try:
        meta = pq.read_metadata(path).metadata or {}
    except (OSError, pa.ArrowException):
        return None
    owner = meta.get(_BATCH_KEY)
    return owner.decode("utf-8", "replace") if owner is not None else None


def done_parts(out: Path) -> set[str]:
    """The parts of the folder's batch that are written whole and check out."""
    manifest = read_manifest(out)
    planned = {part.name: part for part in manifest.parts}
    return {
        p.name
        for p in _part_files(out)
        if p.name in planned and check_part(p, planned[p.name], manifest) is None
    }


def _some(names: Sequence[str], most: int = 3) -> str:
    shown = ", ".join(names[:most])
    return shown + (f" and {len(names) - most} more" if len(names) > most else "")


#: What the manifest of a batch folder says parts are (batch id, columns), by (folder,
#: manifest inode, mtime, size): a worker reads a folder's manifest once, not per part.
_WRITTEN_AS: dict[tuple[str, int, int, int], tuple[str, tuple[Column, ...]]] = {}


def _written_as(out: Path) -> tuple[str, tuple[Column, ...]]:
    stat = (out / MANIFEST).stat()
    key = (str(out.resolve()), stat.st_ino, stat.st_mtime_ns, stat.st_size)
    if key not in _WRITTEN_AS:
        if len(_WRITTEN_AS) > 16:
            _WRITTEN_AS.clear()
        manifest = read_manifest(out)
        _WRITTEN_AS[key] = (manifest.batch, manifest.columns)
    return _WRITTEN_AS[key]


#: Bytes of rows gathered into one row group of a part of few columns, at most (beyond
#: one piece; :func:`group_bytes` for many): a block of any size is written within a
#: bounded memory. 20,000 baseline rows are
#: about 4 MB, so a baseline part is one row group.
ROW_GROUP_BYTES = 64 << 20


#: Memory a part's footer takes per column chunk (one column of one row group), at most.
#: The writer keeps the footer in memory as it writes the row groups and serialises it
#: at the end (measured: 1.7 KB per chunk at that peak); a reader parses it whole,
#: whichever columns it reads (1.1 KB; ``benchmarks/bench_wide.py``). Negligible for a
#: batch of 40 columns; hundreds of MB for 16,000 columns (8,000 red lines).
FOOTER_CHUNK_BYTES = 2048

#: Arrow bytes of one cell of a row group, by kind, at most (values and validity bits).
CELL_BYTES: dict[str, float] = {"bool": 0.25, "int64": 8.125, "float64": 8.125, "text": 4.125}


def row_bytes(columns: Sequence[Column]) -> float:
    """Arrow bytes of one row of the batch's schema, at most (dictionaries aside)."""
    return sum(CELL_BYTES[c.kind] for c in columns)


def group_bytes(columns: Sequence[Column], rows: int, memory: int) -> int:
    """Bytes of rows gathered into one row group of a part of ``rows`` rows.

    :data:`ROW_GROUP_BYTES` (an eighth of ``memory`` if that is less), or more for a
    part of many columns: writing a part holds one row group and the footer, whose size
    grows with the number of row groups times the columns; the sum is least for groups
    of ``sqrt(FOOTER_CHUNK_BYTES * columns * part bytes)``, which is the larger only
    beyond a few thousand columns (at the default block).
    """
    size = rows * row_bytes(columns)
    least = int(math.sqrt(FOOTER_CHUNK_BYTES * len(columns) * size))
    return max(min(ROW_GROUP_BYTES, memory // 8), least, 1)


def part_overhead(columns: Sequence[Column], rows: int, memory: int) -> int:
    """Memory writing (or reading back) a part of ``rows`` rows takes beyond its pieces.

    The row group it gathers (:func:`group_bytes`, or the whole part if smaller) and its
    footer: :data:`FOOTER_CHUNK_BYTES` per column and row group.
    """
    size = rows * row_bytes(columns)
    gathered = group_bytes(columns, rows, memory)
    groups = max(1, math.ceil(size / gathered))
    return int(min(size, gathered)) + FOOTER_CHUNK_BYTES * len(columns) * groups


def check_parts_fit(plan: Plan, columns: Sequence[Column]) -> None:
    """A ScenarioError (on ``--block``) if writing a part would take over half of ``--memory``.

    The cost of a part beyond its pieces grows with its rows times its columns
    (:func:`part_overhead`): a scenario of thousands of red lines with a large block
    would exhaust a worker's memory however small its pieces, and so would reading its
    parts back. The message gives the largest block that fits.
    """
    largest = max((point.runs for point in plan.points), default=1)
    rows, limit = min(plan.block, largest), plan.memory // 2

    def fits(n: int) -> bool:
        return part_overhead(columns, n, plan.memory) <= limit

    if fits(rows):
        return
    low, high = 1, rows  # part_overhead grows with the rows
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if fits(mid) else (low, mid - 1)
    need = part_overhead(columns, rows, plan.memory)
    advice = (
        f"give --block {low:,} or less (the rows are the same whatever the block), or more --memory"
        if fits(low)
        else "give more --memory"
    )
    raise ScenarioError(
        [
            Problem(
                Origin("--block"),
                (),
                f"a part of {rows:,} runs of this batch's {len(columns):,} columns would"
                f" need about {need / 2**20:,.0f} MiB to write and to read back (its row"
                f" group and its Parquet footer), more than half of --memory"
                f" ({plan.memory / 2**20:,.0f} MiB): {advice}",
            )
        ]
    )


def write_part(out: Path, task: Task, pieces: Iterable[Rows]) -> None:
    """Write one block's rows as a Parquet part of the batch's schema, atomically.

    ``pieces`` are the block's rows in order, as the worker simulates them; they are
    written as they come, in row groups of at most :func:`group_bytes` (or one piece),
    so the part's rows are never all in memory. A full disk (or any error)
    removes the unfinished file and keeps every finished part. Text columns are
    dictionary-encoded (their values repeat); numbers are stored plain, with min/max
    statistics on the columns that a reader filters on (run, round, text, booleans,
    sweeps), not on the utilities, where they cost a third of the write.
    """
    path = out / RUNS / task.part
    batch, columns = _written_as(out)
    schema = arrow_schema(columns)
    schema = schema.with_metadata(
        {**(schema.metadata or {}), _BATCH_KEY: batch.encode(), _PART_KEY: task.part.encode()}
    )
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    text, filtered = _encodings(columns, task.point.values)
    try:
        with pq.ParquetWriter(
            tmp,
            schema,
            write_page_checksum=True,
            use_dictionary=text,
            write_statistics=filtered,
        ) as writer:
            group: list[pa.Table] = []
            gathered = group_bytes(columns, task.stop - task.start, task.memory)
            for rows in pieces:
                group.append(rows.table(columns))
                if sum(t.nbytes for t in group) >= gathered:
                    writer.write_table(pa.concat_tables(group))
                    group = []
            if group:
                writer.write_table(pa.concat_tables(group))
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise OSError(
                exc.errno,
                "no space left on the device; every part written before this one is kept:"
                " free some space and run the same command again to finish the batch",
                str(path),
            ) from None
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _encodings(columns: Sequence[Column], swept: Iterable[str]) -> tuple[list[str], list[str]]:
    """The columns written with a dictionary, and those written with statistics."""
    text = [c.name for c in columns if c.kind == "text"]
    filtered = [c.name for c in columns if c.kind != "float64" or c.name in set(swept)]
    return text, filtered


def clean_temporaries(out: Path) -> None:
    """Remove what interrupted writes left behind."""
    for tmp in (out / RUNS).glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


# --- checking and reading ------------------------------------------------------------


def check_part(path: Path, part: PartEntry, manifest: Manifest) -> str | None:
    """What is wrong with a part file (None if nothing): readable, batch, rows, schema, runs."""
    try:
        _read_part(path, part, manifest.batch, arrow_schema(manifest.columns), [RUN])
    except _BadPart as bad:
        return str(bad)
    return None


class _BadPart(Exception):
    """A part that is not what the plan says it is."""


def _read_part(
    path: Path, part: PartEntry, batch: str, expected: pa.Schema, columns: Sequence[str]
) -> pa.Table:
    try:
        handle = pq.ParquetFile(path, page_checksum_verification=True)
        meta = handle.metadata
        owner = (meta.metadata or {}).get(_BATCH_KEY)
        if owner is None:
            raise _BadPart("not a negsim part (no batch in its metadata)")
        if owner.decode("utf-8", "replace") != batch:
            raise _BadPart("a part of another batch")
        if (meta.metadata or {}).get(_PART_KEY) != part.name.encode():
            raise _BadPart("a copy of another part of this batch")
        if meta.num_rows != part.rows:
            raise _BadPart(f"{meta.num_rows:,} rows, not the {part.rows:,} of its block")
        if not handle.schema_arrow.equals(expected):  # metadata is not compared
            raise _BadPart("its columns are not the batch's schema")
        wanted = list(dict.fromkeys([*columns, RUN]))
        table = handle.read(columns=wanted, use_threads=False)
        # A damaged footer can give a column whose dictionary indices point nowhere,
        # which only a full validation sees (page checksums cover the pages alone).
        table.validate(full=True)
    except (OSError, pa.ArrowException, UnicodeDecodeError) as exc:  # a damaged name, too
        raise _BadPart(f"not a readable Parquet file: cut short or damaged ({exc})") from None
    runs = table.column(RUN).to_numpy()
    if not np.array_equal(runs, np.arange(part.start, part.stop)):
        raise _BadPart(f"its run ids are not {part.start:,} to {part.stop - 1:,}")
    table = table.replace_schema_metadata(None)
    return table if RUN in columns else table.select(list(dict.fromkeys(columns)))


@dataclass(frozen=True)
class Batch:
    """A batch folder read back: its manifest, its rows, and each row's point."""

    manifest: Manifest
    rows: pd.DataFrame
    point: np.ndarray[Any, np.dtype[np.int64]]  # index into manifest.points, per row
    missing: int  # runs the plan has that no part holds yet (an unfinished batch)

    def rows_of(self, k: int) -> pd.DataFrame:
        """The rows of point ``k`` (in run order)."""
        return self.rows[self.point == k]

    @classmethod
    def open(
        cls, out: str | Path, columns: Sequence[str] | None = None, manifest: Manifest | None = None
    ) -> Batch:
        """Read a batch folder, checked, with only ``columns`` (:func:`read_batch`)."""
        return read_batch(out, columns, manifest)

    def scenarios(self) -> dict[int, Scenario]:
        """The typed scenario of every point (:meth:`Manifest.scenarios`)."""
        return self.manifest.scenarios()


def read_batch(
    out: str | Path, columns: Sequence[str] | None = None, manifest: Manifest | None = None
) -> Batch:
    """Read a batch folder, checked (see the module's docstring); ScenarioError if not sound.

    ``columns`` limits what is read (``None``: every column). A part the plan does not
    name is not read (a ResultsWarning says so); a part that fails its checks is an
    error that names it. ``manifest``: the folder's, if the caller has read it already.
    """
    out = Path(out)
    manifest = manifest if manifest is not None else read_manifest(out)
    wanted = _wanted(manifest, columns)
    found: list[PartEntry] = []
    tables: list[pa.Table] = []
    for part, table in read_parts(out, manifest, wanted):
        found.append(part)
        tables.append(table)
    missing = warn_unread(out, manifest, stacklevel=3)
    schema = arrow_schema([c for c in manifest.columns if c.name in set(wanted)])
    table = pa.concat_tables(tables) if tables else schema.empty_table()
    frame = to_frame(table, manifest.columns)
    point = np.repeat(
        np.array([part.point for part in found], dtype=np.int64),
        np.array([part.rows for part in found], dtype=np.int64),
    )
    return Batch(manifest, frame, point, missing)


def _wanted(manifest: Manifest, columns: Sequence[str] | None) -> list[str]:
    names = [c.name for c in manifest.columns]
    return names if columns is None else [c for c in names if c in set(columns)]


def read_parts(
    out: Path, manifest: Manifest, columns: Sequence[str] | None = None
) -> Iterator[tuple[PartEntry, pa.Table]]:
    """Each part of the plan that is on disk, checked, as Arrow, one at a time in plan order.

    A few parts are read ahead (at most ``2 * READERS`` in memory, fewer when their
    footers are large: :func:`read_ahead`), so a reader that folds the parts one by
    one, as the summary does, holds a bounded share of the rows however many runs the
    batch has, and a bounded number of footers however many columns it has. A bad part
    is a ScenarioError that names it; the first in plan order is the one reported. The
    caller gives the warnings of :func:`warn_unread` once it has read what it wanted.
    """
    wanted = _wanted(manifest, columns)
    present = _part_names(out)
    found = [part for part in manifest.parts if part.name in present]
    expected = arrow_schema(manifest.columns)

    def read(part: PartEntry) -> pa.Table:
        path = out / RUNS / part.name
        try:
            return _read_part(path, part, manifest.batch, expected, wanted)
        except _BadPart as bad:
            raise results_error(
                path,
                f"a bad part: {bad}; run the same `negsim batch` command again to replace"
                " it (it is checked and run again)",
            ) from None

    # Parts are small files: a few threads hide the cost of opening each (Arrow releases
    # the GIL).
    most = read_ahead(out, found)
    if most == 1:
        # Parts with large footers: read in this thread, one after the other. A reading
        # thread's freed footers stay in its own malloc arena, and the pool's threads are
        # new at each call: read there, two large reads in a process (the summary, then
        # why talks fail) took half as much memory again as one.
        for part in found:
            yield part, read(part)
        return
    with ThreadPoolExecutor(min(READERS, most)) as pool:
        ahead: deque[tuple[PartEntry, Future[pa.Table]]] = deque()
        queue = iter(found)
        for part in itertools.islice(queue, most):
            ahead.append((part, pool.submit(read, part)))
        while ahead:
            part, future = ahead.popleft()
            following = next(queue, None)
            if following is not None:
                ahead.append((following, pool.submit(read, following)))
            try:
                table = future.result()
            except BaseException:
                for _, other in ahead:
                    other.cancel()
                raise
            yield part, table


def footer_bytes(path: Path) -> int:
    """The length of a Parquet file's serialised footer (its last 8 bytes); 0 if unreadable."""
    try:
        with open(path, "rb") as handle:
            handle.seek(-8, os.SEEK_END)
            tail = handle.read(8)
    except OSError:
        return 0
    if len(tail) != 8 or tail[4:] != b"PAR1":
        return 0  # not Parquet: the read reports it
    return int.from_bytes(tail[:4], "little")


def read_ahead(out: Path, parts: Sequence[PartEntry]) -> int:
    """How many parts :func:`read_parts` keeps in flight: ``2 * READERS``, or fewer.

    Fewer when the parsed footers of that many parts would take more than
    :data:`READ_AHEAD_BYTES` (estimated at :data:`FOOTER_EXPANSION` times the largest
    serialised footer among the first parts: every part has the batch's columns); at
    least one.
    """
    sample = [footer_bytes(out / RUNS / part.name) for part in parts[: 2 * READERS]]
    footer = FOOTER_EXPANSION * max(sample, default=0)
    return max(1, min(2 * READERS, READ_AHEAD_BYTES // max(footer, 1)))


def warn_unread(out: Path, manifest: Manifest, stacklevel: int = 2) -> int:
    """Warn about files not read (foreign parts, runs not written yet); return the latter."""
    present = _part_names(out)
    missing = sum(part.rows for part in manifest.parts if part.name not in present)
    _warn_foreign(out, manifest, stacklevel=stacklevel + 1)
    if missing:
        warnings.warn(
            ResultsWarning(
                f"{out}: {missing:,} of {manifest.total_runs:,} runs are not written yet (the"
                " batch was stopped); run the same `negsim batch` command again to finish it"
            ),
            stacklevel=stacklevel + 1,
        )
    return missing


def _warn_foreign(out: Path, manifest: Manifest, stacklevel: int) -> None:
    planned = {part.name for part in manifest.parts}
    foreign = sorted(_part_names(out) - planned)
    if foreign:
        warnings.warn(
            ResultsWarning(
                f"{out / RUNS}: not parts of this batch, so not read: {_some(foreign)}; move"
                " them out of the folder"
            ),
            stacklevel=stacklevel,
        )


def load_results(out: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """All rows of a batch as one DataFrame, in scenario, sweep-point and run order.

    The folder is checked first (:func:`read_batch`); a column a scenario lacks is null
    in its rows.
    """
    return read_batch(out, columns).rows
