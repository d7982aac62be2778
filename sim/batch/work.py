"""One task of a batch, as a worker runs it: simulate a block, write its part.

Also what a worker process is: it ignores Ctrl-C (the parent stops the batch), it dies
with its parent (the parent's parent too: a worker is forked by the forkserver, which
ends when the batch process ends), and what it raises reaches the parent intact.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from sim.batch.plan import Task
from sim.batch.schema import Rows
from sim.batch.store import write_part
from sim.simulation import DEFAULT_BLOCK, blocks, run_block, runs_within
from sim.simulation.results import row_columns
from sim.simulation.tables import Tables

#: Compiled spaces by scenario hash, so that a worker compiles each point once. A
#: cache of pure results, not state that decisions depend on.
_SPACES: dict[str, Tables] = {}

#: prctl(2) option: the signal a process gets when its parent ends (Linux).
PR_SET_PDEATHSIG = 1

#: Seconds between two looks of a worker's watchdog at its parent.
WATCH_EVERY = 0.5


class WorkerError(Exception):
    """An error raised in a worker that could not cross to the parent as it was."""

    def __init__(self, part: str, message: str) -> None:
        super().__init__(part, message)
        self.part = part
        self.message = message

    def __str__(self) -> str:
        return f"block {self.part} failed in a worker: {self.message}"


def space_of(task: Task) -> Tables:
    """The per-issue tables of the task's point (cached in this process)."""
    key = task.point.hash
    if key not in _SPACES:
        if len(_SPACES) > 64:
            _SPACES.clear()
        _SPACES[key] = Tables.of(task.point.scenario())
    return _SPACES[key]


def piece_of(space: Tables, memory: int) -> int:
    """Runs the engine simulates together: what fits ``memory``, at most its own block.

    The engine's block (:data:`sim.simulation.DEFAULT_BLOCK`) is the size it is fastest
    at; a batch's block (a part) may be larger, and is simulated in such pieces.
    """
    return min(runs_within(space, memory), DEFAULT_BLOCK)


def rows_of(task: Task) -> Iterator[Rows]:
    """Simulate the task's runs piece by piece; one row each, with the sweep's columns.

    A generator: each piece is simulated when the previous one has been taken, so a
    block's rows are never all in memory unless the caller keeps them.
    """
    space = space_of(task)
    runs = np.arange(task.start, task.stop, dtype=np.uint64)
    piece = piece_of(space, task.memory)
    design = task.point.design
    for ids in blocks(runs, piece):
        if design is None:
            outcomes = run_block(space, task.point.seed, ids)[0]
        else:  # each run takes its row of the design (sim.batch.design)
            from sim.batch.design import matrix_of, run_designed

            point = task.point
            values = matrix_of(point.hash, design, point.scenario(), point.seed)
            outcomes = run_designed(space, point.seed, ids, values[ids.astype(np.intp)])
        yield Rows(row_columns(space, outcomes), dict(task.point.values))


def run_task(task: Task, out: str) -> int:
    """Simulate one block and write its Parquet part; return the number of runs.

    An error is raised again as itself when it survives pickling (a ScenarioError, an
    OSError), else as a :class:`WorkerError` that names it: never as an error that the
    parent cannot unpickle (which a process pool reports as a broken pool).
    """
    try:
        write_part(Path(out), task, rows_of(task))
    except Exception as exc:
        if _crosses(exc):
            raise
        failure = WorkerError(task.part, f"{type(exc).__name__}: {exc}")
    else:
        return task.stop - task.start
    raise failure  # outside the handler: no context that could fail to pickle


def _crosses(exc: BaseException) -> bool:
    """Whether the error comes out of pickle as the same kind of error, message included."""
    try:
        again = pickle.loads(pickle.dumps(exc))
    except Exception:
        return False
    return type(again) is type(exc) and str(again) == str(exc)


def start_worker(parent: int) -> None:
    """Worker initialiser: ignore Ctrl-C, and end when the batch ends.

    Ctrl-C reaches every process of the terminal's group; the parent alone stops the
    batch (and ends its workers). A worker must not outlive the batch process, even
    one killed with SIGKILL: on Linux the kernel kills it when its parent (the
    forkserver, which ends with the batch process) ends; a watchdog thread checks the
    same on every system, and the batch process itself.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    ppid = os.getppid()
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != ppid or not _alive(parent):  # it ended before the line above
        os._exit(1)
    threading.Thread(
        target=_watch, args=(ppid, parent), name="negsim-watchdog", daemon=True
    ).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - a pid taken by another user's process
        return False
    return True


def _watch(ppid: int, parent: int) -> None:
    while os.getppid() == ppid and _alive(parent):
        time.sleep(WATCH_EVERY)
    os._exit(1)
