"""Run a batch: plan it, skip the blocks already on disk, and run the rest somewhere.

The same blocks run on local worker processes (the default) or on a Dask distributed
cluster (``scheduler``); each block writes its own part, so the rows are the same
whatever the executor, the number of workers or the order in which blocks finish.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import multiprocessing.context
import os
import signal
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from multiprocessing import resource_tracker
from pathlib import Path
from types import FrameType
from typing import Any

import pandas as pd

from sim.batch.design import Design
from sim.batch.plan import DEFAULT_BLOCK, Plan, Sweeps, Task, plan_batch
from sim.batch.progress import Progress
from sim.batch.store import clean_temporaries, done_parts, load_results, open_batch
from sim.batch.work import run_task, start_worker
from sim.scenario import ScenarioError

#: The signals that stop a batch as Ctrl-C does.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)

#: Seconds to wait for killed workers to be gone before the batch process goes on.
KILL_WAIT = 1.0


class Interrupted(Exception):
    """The batch was stopped (Ctrl-C or SIGTERM) before every block was written.

    ``done`` counts the runs of the parts on disk (whole parts only), not those the
    progress meter saw.
    """

    def __init__(self, done: int, total: int, signum: int = signal.SIGINT) -> None:
        super().__init__(f"{done:,} of {total:,} runs written")
        self.done = done
        self.total = total
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """128 + the signal's number, as a shell reports it: 130 for Ctrl-C, 143 for SIGTERM."""
        return 128 + self.signum

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.done, self.total, self.signum))


class Stopped(KeyboardInterrupt):
    """Raised in the main thread by a stop signal (SIGINT or SIGTERM)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class _Stops:
    """While a batch runs: the first stop signal raises :class:`Stopped`, later ones wait.

    A handler that is not Python's default (a SIGINT ignored by ``nohup``, a SIGTERM
    handler of the caller's) is left in place.
    """

    def __init__(self) -> None:
        self.signum: int | None = None

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is not None:
            return  # stopping already: let the clean-up finish
        self.signum = signum
        raise Stopped(signum)


@contextlib.contextmanager
def stop_signals() -> Iterator[_Stops]:
    """Make SIGINT and SIGTERM stop the batch cleanly (main thread only; nests)."""
    current = signal.getsignal(signal.SIGINT)
    owner = getattr(current, "__self__", None)
    if isinstance(owner, _Stops):
        yield owner
        return
    stops = _Stops()
    if threading.current_thread() is not threading.main_thread():
        yield stops
        return
    defaults = {signal.SIGINT: signal.default_int_handler, signal.SIGTERM: signal.SIG_DFL}
    previous = {}
    for sig in STOP_SIGNALS:
        if signal.getsignal(sig) is defaults[sig]:
            previous[sig] = signal.signal(sig, stops.handle)
    try:
        yield stops
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """SIGINT ignored for a moment: processes started now inherit SIG_IGN (across exec)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


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


def runs_on_disk(plan: Plan, out: str | Path) -> int:
    """The runs of the plan whose parts are written whole in ``out`` (0 if none can be)."""
    try:
        done = done_parts(Path(out))
    except (ScenarioError, OSError):  # no manifest yet: nothing was written
        return 0
    return sum(task.stop - task.start for task in plan.tasks() if task.part in done)


def execute(
    plan: Plan,
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
) -> Report:
    """Run every block of the plan that ``out`` does not hold yet.

    SIGINT (Ctrl-C) and SIGTERM stop it within a second or two: queued blocks are
    dropped, running ones are killed (their parts are written atomically, so a part is
    whole or absent) and :class:`Interrupted` counts the runs on disk.
    """
    out = Path(out)
    with stop_signals() as stops:
        try:
            with open_batch(out, plan) as done:
                clean_temporaries(out)
                todo = [task for task in plan.tasks() if task.part not in done]
                skipped = plan.total_runs - sum(t.stop - t.start for t in todo)
                meter = Progress(plan.total_runs, skipped, enabled=progress)
                try:
                    width = min(workers or default_workers(), len(todo))
                    if scheduler is not None:
                        _on_dask(todo, str(out), scheduler, meter.update)
                    elif width <= 1:
                        for task in todo:
                            meter.update(run_task(task, str(out)))
                    else:
                        _on_processes(todo, str(out), width, meter.update)
                finally:
                    meter.close()
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt) or stops.signum is not None:
                signum = stops.signum if stops.signum is not None else signal.SIGINT
                raise Interrupted(runs_on_disk(plan, out), plan.total_runs, signum) from None
            raise
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


class _WorkerProcess(multiprocessing.context.SpawnProcess):
    """A spawned worker that ignores SIGINT from its first instruction.

    An ignored signal stays ignored across exec, so the worker cannot be interrupted
    while Python starts and imports (no KeyboardInterrupt traceback of a half-started
    worker); a Ctrl-C in the few milliseconds of the start is dropped.
    """

    def start(self) -> None:
        with _sigint_ignored():
            super().start()


class _WorkerContext(multiprocessing.context.SpawnContext):
    """The spawn start method, with :class:`_WorkerProcess`.

    Every worker is a direct child of the batch process, known by its pid from the
    moment it starts, so a stop kills them all and nothing (no forkserver) outlives it.
    """

    Process = _WorkerProcess


def _on_processes(
    tasks: Sequence[Task], out: str, workers: int, report: Callable[[int], None]
) -> None:
    with _sigint_ignored():  # the resource tracker ignores Ctrl-C from birth
        resource_tracker.ensure_running()
    pool = ProcessPoolExecutor(
        workers, mp_context=_WorkerContext(), initializer=start_worker, initargs=(os.getpid(),)
    )
    try:
        for future in _windowed(
            tasks,
            2 * workers,
            lambda task: pool.submit(run_task, task, out),
            lambda flying: wait(flying, return_when=FIRST_COMPLETED).done,
        ):
            report(future.result())
    except BaseException:
        _kill(pool)
        raise
    pool.shutdown(wait=True)


def _kill(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: drop queued blocks, kill the workers, not waiting for their blocks."""
    processes = list((pool._processes or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.kill()
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            process.join(KILL_WAIT)


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
    sweeps: Sweeps = (),
    block: int = DEFAULT_BLOCK,
    progress: bool = False,
    design: Design | None = None,
) -> pd.DataFrame:
    """Run a batch (as ``negsim batch``) and return its rows as a DataFrame.

    ``sweeps`` are ``PATH=V1,V2,...`` strings, as on the command line, or a mapping of
    path to values (``{"parties.russia.reservation": [0.3, 0.5]}``). Without ``out`` the
    parts go to a temporary folder that is removed afterwards. ``design``
    (``sim.batch.design.Design("sobol", N)``) gives the runs a sampling design, as
    ``--design sobol --samples N`` does.
    """
    names = [files] if isinstance(files, (str, Path)) else list(files)
    plan = plan_batch(
        names,
        runs=runs,
        seed=seed,
        overrides=overrides,
        sweeps=sweeps,
        block=block,
        design=design,
    )
    if out is not None:
        execute(plan, out, workers=workers, scheduler=scheduler, progress=progress)
        return load_results(out)
    with tempfile.TemporaryDirectory(prefix="negsim-") as folder:
        execute(plan, folder, workers=workers, scheduler=scheduler, progress=progress)
        return load_results(folder)
