"""Run a batch: plan it, skip the blocks already on disk, and run the rest somewhere.

The same blocks run on local worker processes (the default) or on a Dask distributed
cluster (``scheduler``); each block writes its own part, so the rows are the same
whatever the executor, the number of workers or the order in which blocks finish.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.batch.plan import DEFAULT_BLOCK, Plan, Task, plan_batch
from sim.batch.progress import Progress
from sim.batch.store import clean_temporaries, load_results, prepare
from sim.batch.work import ignore_interrupts, run_task
from sim.space import MAX_OUTCOMES


class Interrupted(Exception):
    """The batch was stopped (Ctrl-C) before every block was written."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__(f"{done:,} of {total:,} runs written")
        self.done = done
        self.total = total


@dataclass(frozen=True)
class Report:
    """What a call to :func:`execute` did."""

    plan: Plan
    out: Path
    skipped_runs: int
    ran_runs: int


def default_workers() -> int:
    """Worker processes by default: the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def execute(
    plan: Plan,
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
) -> Report:
    """Run every block of the plan that ``out`` does not hold yet."""
    out = Path(out)
    done = prepare(out, plan)
    clean_temporaries(out)
    todo = [task for task in plan.tasks() if task.part not in done]
    skipped = plan.total_runs - sum(t.stop - t.start for t in todo)
    meter = Progress(plan.total_runs, skipped, enabled=progress)
    try:
        if scheduler is not None:
            _on_dask(todo, str(out), scheduler, meter.update)
        elif (workers or default_workers()) <= 1 or len(todo) <= 1:
            for task in todo:
                meter.update(run_task(task, str(out)))
        else:
            _on_processes(todo, str(out), workers or default_workers(), meter.update)
    except KeyboardInterrupt:
        meter.close()
        raise Interrupted(meter.done, plan.total_runs) from None
    meter.close()
    return Report(plan, out, skipped, plan.total_runs - skipped)


def _windowed(
    tasks: Sequence[Task],
    width: int,
    submit: Callable[[Task], Any],
    drain: Callable[[Any], Iterable[Any]],
) -> Iterator[Any]:
    """Keep at most ``width`` tasks in flight; yield finished futures as they come."""
    pending = iter(tasks)
    flying: set[Any] = set()
    for task in pending:
        flying.add(submit(task))
        if len(flying) >= width:
            break
    while flying:
        finished = list(drain(flying))
        for future in finished:
            flying.discard(future)
            yield future
        for task in pending:
            flying.add(submit(task))
            if len(flying) >= width:
                break


def _on_processes(
    tasks: Sequence[Task], out: str, workers: int, report: Callable[[int], None]
) -> None:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["sim.batch.work"])
    with ProcessPoolExecutor(workers, mp_context=context, initializer=ignore_interrupts) as pool:
        try:
            for future in _windowed(
                tasks,
                2 * workers,
                lambda task: pool.submit(run_task, task, out),
                lambda flying: wait(flying, return_when=FIRST_COMPLETED).done,
            ):
                report(future.result())
        except BaseException:
            # Queued blocks are dropped; the ones running finish and are kept.
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def _on_dask(
    tasks: Sequence[Task], out: str, scheduler: str, report: Callable[[int], None]
) -> None:
    from distributed import Client, as_completed

    with Client(scheduler) as client:  # as_completed finds it as the default client
        width = 2 * max(1, len(client.scheduler_info().get("workers", {})))
        pending = iter(tasks)
        submitted: list[Any] = []

        def submit(task: Task) -> Any:
            future = client.submit(run_task, task, out, pure=False, key=f"negsim-{task.part}")
            submitted.append(future)
            return future

        first = [submit(task) for task in itertools.islice(pending, width)]
        if not first:
            return
        try:
            queue = as_completed(first)
            for future in queue:
                report(future.result())
                following = next(pending, None)
                if following is not None:
                    queue.add(submit(following))
        except BaseException:
            client.cancel(submitted)
            raise


def run_batch(
    files: str | Path | Sequence[str | Path],
    *,
    runs: int | None = None,
    seed: int | None = None,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    overrides: Sequence[str] = (),
    sweeps: Sequence[str] = (),
    block: int = DEFAULT_BLOCK,
    max_outcomes: int = MAX_OUTCOMES,
    progress: bool = False,
) -> pd.DataFrame:
    """Run a batch (as ``negsim batch``) and return its rows as a DataFrame.

    Without ``out`` the parts go to a temporary folder that is removed afterwards.
    """
    names = [files] if isinstance(files, (str, Path)) else list(files)
    plan = plan_batch(
        names,
        runs=runs,
        seed=seed,
        overrides=overrides,
        sweeps=sweeps,
        block=block,
        max_outcomes=max_outcomes,
    )
    if out is not None:
        execute(plan, out, workers=workers, scheduler=scheduler, progress=progress)
        return load_results(out)
    with tempfile.TemporaryDirectory(prefix="negsim-") as folder:
        execute(plan, folder, workers=workers, scheduler=scheduler, progress=progress)
        return load_results(folder)
