"""How long each ``negsim`` command takes to start, against a bare Python start.

Run: .venv/bin/python benchmarks/bench_startup.py [--repeat N]

Each command runs as its own process (as a user types it), N times in turn with the
others, so that a busy machine slows every command alike; the table gives the median
wall time, its spread (min–max), and the ratio to ``python -c pass``. ``validate`` and
``analyze`` of the baseline scenario do their whole work; the other commands print
their ``--help`` (what they cost before they read anything). Target: ``validate``
and ``analyze`` under 0.5 s (issue 9.14). On a shared machine, read the ratio and the
CPU time (user + system, less sensitive to other load) beside the wall time; the last
line gives the load average. Exits 1 when a target is missed or a command fails.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from sim.cli import COMMANDS as CLI_COMMANDS

ROOT = Path(__file__).resolve().parents[1]
BASE = str(ROOT / "scenarios" / "ukraine_2025.yaml")
#: The console script beside this Python (the venv's), else the module's entry point.
SCRIPT = Path(sys.executable).with_name("negsim")
NEGSIM = (
    [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-c", "import sim.cli as c; c.entry()"]
)
#: The commands whose start must stay under this many seconds.
TARGET = {"validate FILE": 0.5, "analyze FILE": 0.5}

COMMANDS: dict[str, list[str]] = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "--version": [*NEGSIM, "--version"],
    "--help": [*NEGSIM, "--help"],
    "validate FILE": [*NEGSIM, "validate", BASE],
    "analyze FILE": [*NEGSIM, "analyze", BASE],
    **{f"{name} --help": [*NEGSIM, name, "--help"] for name in CLI_COMMANDS},
}


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU time (user + system) of one run of ``command``; NaN when it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        last = (done.stderr.decode(errors="replace").strip().splitlines() or ["?"])[-1]
        print(f"failed: {' '.join(command[1:])}: {last}", file=sys.stderr)
        return math.nan, math.nan
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def main() -> None:
    """Time every command, interleaved, and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs of each command")
    args = parser.parse_args()
    walls: dict[str, list[float]] = {name: [] for name in COMMANDS}
    cpus: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for command in COMMANDS.values():  # warm the file cache first
        timed(command)
    for _ in range(args.repeat):
        for name, command in COMMANDS.items():
            wall, cpu = timed(command)
            walls[name].append(wall)
            cpus[name].append(cpu)
    bare = statistics.median(walls["python -c pass"])
    print(f"{'command':<26} {'median':>8} {'min-max':>12} {'× python':>9} {'cpu':>7}")
    slow = []
    for name, values in walls.items():
        label = name if name.startswith("python") else f"negsim {name}"
        if any(math.isnan(v) for v in values):
            print(f"{label:<26}   failed (its error is printed above)")
            slow.append(name)
            continue
        median = statistics.median(values)
        spread = f"{min(values):.3f}-{max(values):.3f}"
        cpu = statistics.median(cpus[name])
        target = TARGET.get(name)
        verdict = "" if target is None else (" ok" if median < target else f" over {target} s")
        if target is not None and median >= target:
            slow.append(name)
        print(
            f"{label:<26} {median:>7.3f}s {spread:>12} {median / bare:>8.1f}× {cpu:>6.3f}s"
            + verdict
        )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"({args.repeat} runs each, medians of wall time, and of CPU time in cpu;"
        f" python {sys.version.split()[0]}; load average {load} on {os.cpu_count()} cores)"
    )
    sys.exit(1 if slow else 0)


if __name__ == "__main__":
    main()
