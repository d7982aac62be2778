"""Stopping a batch: Ctrl-C and SIGTERM stop it fast and tidily; nothing outlives it.

Each test runs ``negsim batch`` with two worker processes in a session of its own,
signals it at a chosen moment, and then looks at what a user would see: the exit code
and its time, the message against the parts on disk, stderr, and the processes left.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.batch.conftest import BASE, BIN

NEGSIM = str(BIN / "negsim")

#: The promise is 2 s from the signal to the exit; the slack is for a loaded CI machine.
STOP_WITHIN = 2.0
SLACK = 0.5


def _command(out: Path) -> list[str]:
    return [
        NEGSIM,
        "batch",
        str(BASE),
        "--runs",
        "20000",
        "--seed",
        "5",
        "--out",
        str(out),
        "--block",
        "200",
        "--workers",
        "2",
    ]


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state) of a process, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return int(fields[1]), fields[0]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def descendants(root: int) -> set[int]:
    """Every process below ``root`` (children, their children, ...), from /proc."""
    parents: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if name.isdigit() and (stat := _stat(int(name))) is not None:
            parents[int(name)] = stat[0]
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, ppid in parents.items() if ppid in frontier} - found
        found |= frontier
    return found


def running(pids: set[int]) -> set[int]:
    """The processes of ``pids`` still running (a zombie has ended)."""
    return {pid for pid in pids if (stat := _stat(pid)) is not None and stat[1] != "Z"}


def wait_for(condition: Callable[[], bool], seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail("the batch never reached the moment to signal it")
        time.sleep(0.005)


def runs_on_disk(out: Path) -> int:
    """Rows of the whole parts in runs/ (temporary files of unfinished writes aside)."""
    return sum(
        pq.ParquetFile(part).metadata.num_rows
        for part in (out / "runs").glob("*.parquet")
        if not part.name.startswith(".")
    )


def workers_starting(proc: subprocess.Popen[bytes], out: Path) -> Callable[[], bool]:
    """The moment both workers (or a forkserver) exist, still starting up (importing).

    A Ctrl-C in the few milliseconds while the batch process starts a worker is
    dropped (the worker must be born with SIGINT ignored), so the moment is taken a
    little after the second worker is born; the workers then still take a second or
    more to start.
    """

    def starting() -> bool:
        born = [
            pid
            for pid in descendants(proc.pid)
            if "spawn_main" in _cmdline(pid) or "forkserver" in _cmdline(pid)
        ]
        if len(born) >= 2 or any("forkserver" in _cmdline(pid) for pid in born):
            time.sleep(0.05)
            return True
        return False

    return starting


def blocks_written(proc: subprocess.Popen[bytes], out: Path) -> Callable[[], bool]:
    """The moment three blocks are on disk: mid-batch, workers busy."""
    return lambda: len(list((out / "runs").glob("*.parquet"))) >= 3


@pytest.mark.parametrize(
    ("moment", "how", "code"),
    [
        (workers_starting, signal.SIGINT, 130),
        (blocks_written, signal.SIGINT, 130),
        (workers_starting, signal.SIGTERM, 143),
        (blocks_written, signal.SIGTERM, 143),
    ],
    ids=["ctrl-c-early", "ctrl-c-mid", "sigterm-early", "sigterm-mid"],
)
def test_a_stop_signal_ends_the_batch_fast_and_counts_what_is_on_disk(tmp_path, moment, how, code):
    out = tmp_path / "b"
    err = tmp_path / "stderr.txt"
    with open(err, "wb") as stderr:
        proc = subprocess.Popen(
            _command(out), stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True
        )
    family: set[int] = set()
    try:
        wait_for(moment(proc, out))
        family = descendants(proc.pid)
        # Ctrl-C reaches the terminal's whole process group; SIGTERM the batch process
        sent = time.monotonic()
        if how == signal.SIGINT:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
        took = time.monotonic() - sent
    finally:
        _end(proc, family)
    assert proc.returncode == code
    assert took < STOP_WITHIN + SLACK, f"exit {took:.2f} s after the signal"
    deadline = time.monotonic() + 5
    while running(family) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(family), "workers or helpers outlived the batch"
    text = err.read_text()
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
    said = re.search(r"interrupted: ([\d,]+) of ([\d,]+) runs are written", text)
    assert said is not None, text
    assert int(said[1].replace(",", "")) == runs_on_disk(out)
    assert int(said[2].replace(",", "")) == 20000
    assert "run the same command again" in text


def test_killing_the_batch_process_alone_ends_its_workers(tmp_path):
    out = tmp_path / "b"
    proc = subprocess.Popen(
        _command(out),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    family: set[int] = set()
    try:
        wait_for(lambda: len(list((out / "runs").glob("*.parquet"))) >= 1)
        family = descendants(proc.pid)
        assert len(running(family)) >= 2, "two workers should be running"
        proc.send_signal(signal.SIGKILL)  # the parent only, as the OOM killer does
        proc.wait(timeout=10)
        deadline = time.monotonic() + 5
        while running(family) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = running(family)
        assert not left, [_cmdline(pid) for pid in left]
    finally:
        _end(proc, family)


def _end(proc: subprocess.Popen[bytes], family: set[int]) -> None:
    """Kill what this test started and is still running (only when a test fails)."""
    for pid in running(family | ({proc.pid} if proc.poll() is None else set())):
        os.kill(pid, signal.SIGKILL)
    if proc.poll() is None:
        proc.wait()
