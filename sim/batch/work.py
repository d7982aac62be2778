"""One task of a batch, as a worker runs it: simulate a block, write its part."""

from __future__ import annotations

import signal
from pathlib import Path

import numpy as np
import pandas as pd

from sim.batch.plan import Task
from sim.batch.store import write_part
from sim.simulation import run_block, to_frame
from sim.space import OutcomeSpace, compile_space

#: Compiled spaces by scenario hash, so that a worker compiles each point once. A
#: cache of pure results, not state that decisions depend on.
_SPACES: dict[str, OutcomeSpace] = {}


def space_of(task: Task) -> OutcomeSpace:
    """The compiled outcome space of the task's point (cached in this process)."""
    key = task.point.hash
    if key not in _SPACES:
        if len(_SPACES) > 64:
            _SPACES.clear()
        _SPACES[key] = compile_space(task.point.scenario())
    return _SPACES[key]


def rows_of(task: Task) -> pd.DataFrame:
    """Simulate the task's runs; one row each, with the sweep point's columns."""
    space = space_of(task)
    runs = np.arange(task.start, task.stop, dtype=np.uint64)
    outcomes, _ = run_block(space, task.point.seed, runs)
    frame = to_frame(space, outcomes)
    for k, (path, value) in enumerate(task.point.values.items()):
        frame.insert(1 + k, path, value)
    return frame


def run_task(task: Task, out: str) -> int:
    """Simulate one block and write its Parquet part; return the number of runs."""
    write_part(Path(out), task, rows_of(task))
    return task.stop - task.start


def ignore_interrupts() -> None:
    """Worker initialiser: Ctrl-C is the parent's to handle (it stops the pool)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
