"""Fixtures for batch tests: a small fast scenario and a real Dask cluster on loopback."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "scenarios" / "ukraine_2025.yaml"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def dask_cluster(tmp_path_factory):
    """A real `dask scheduler` and two `dask worker` processes on 127.0.0.1."""
    dask = shutil.which("dask", path=str(BIN)) or shutil.which("dask")
    if dask is None:  # pragma: no cover - distributed is a dependency
        pytest.fail("the dask command is missing")
    port, dashboard = free_port(), free_port()
    address = f"tcp://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("dask")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    logs = contextlib.ExitStack()
    procs = [
        subprocess.Popen(
            [
                dask,
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--dashboard-address",
                f"127.0.0.1:{dashboard}",
                "--no-show",
            ],
            stdout=logs.enter_context(open(log / "scheduler.log", "w")),  # noqa: SIM115
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    ]
    for k in range(2):
        procs.append(
            subprocess.Popen(
                [
                    dask,
                    "worker",
                    address,
                    "--nworkers",
                    "1",
                    "--nthreads",
                    "1",
                    "--host",
                    "127.0.0.1",
                    "--no-dashboard",
                    "--name",
                    f"w{k}",
                ],
                stdout=logs.enter_context(open(log / f"worker{k}.log", "w")),  # noqa: SIM115
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        )
    from distributed import Client

    deadline = time.monotonic() + 60
    while True:
        try:
            with Client(address, timeout=5) as client:
                if len(client.scheduler_info()["workers"]) == 2:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            for p in procs:
                os.killpg(p.pid, signal.SIGKILL)
            pytest.fail("the Dask cluster did not start: " + (log / "scheduler.log").read_text())
        time.sleep(0.5)
    yield address
    for p in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
    logs.close()
