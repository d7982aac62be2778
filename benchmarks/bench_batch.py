"""The whole `negsim batch` command at scale: 1,000,000 baseline runs on 2 workers.

Run: .venv/bin/python benchmarks/bench_batch.py [--runs N] [--workers W] [--repeat K]

Measures, side by side in one run (interleaved repeats):
- the wall time of the whole command (process start, planning, workers, Parquet parts,
  summary) and its runs per second, per worker too;
- the peak memory of the command and all its worker processes together (the sum of
  their resident sets, sampled every 50 ms from /proc);
- the single-process engine on the same scenario (`sim.simulate`, blocks of 5,000 as the batch,
  in this process), so the cost of the batch machinery shows.
Targets: 1,000,000 runs in under 30 s, peak memory under 1 GB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "ukraine_2025.yaml"
NEGSIM = Path(sys.executable).parent / "negsim"


def _tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as children:
                    stack.extend(int(c) for c in children.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def batch_once(runs: int, workers: int) -> tuple[float, int]:
    """Wall seconds and peak tree memory of one whole batch command."""
    out = Path(tempfile.mkdtemp(prefix="negsim-bench-"))
    shutil.rmtree(out)
    command = [
        str(NEGSIM),
        "batch",
        str(SCENARIO),
        "--runs",
        str(runs),
        "--seed",
        "1",
        "--out",
        str(out),
        "--workers",
        str(workers),
    ]
    peak = 0
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    elapsed = time.perf_counter() - start
    stop.set()
    sampler.join()
    shutil.rmtree(out, ignore_errors=True)
    if code != 0:
        raise SystemExit(f"negsim batch failed with exit code {code}")
    return elapsed, peak


def engine_once(runs: int) -> float:
    """Runs per second of the single-process engine, blocks of 5,000 (as the batch)."""
    import sim

    space = sim.compile_space(sim.load_scenario(SCENARIO))
    start = time.perf_counter()
    sim.simulate(space, seed=1, runs=runs, block=5_000)
    return runs / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engine-runs", type=int, default=100_000)
    args = parser.parse_args()
    walls, peaks, engine = [], [], []
    for k in range(args.repeat):
        wall, peak = batch_once(args.runs, args.workers)
        walls.append(wall)
        peaks.append(peak)
        engine.append(engine_once(args.engine_runs))
        print(
            f"  repeat {k + 1}/{args.repeat}: {wall:.1f} s, peak {peak / 2**20:,.0f} MiB,"
            f" engine {engine[-1]:,.0f} runs/s",
            flush=True,
        )
    wall = statistics.median(walls)
    rate = args.runs / wall
    print(
        f"negsim batch, {args.runs:,} runs of {SCENARIO.name}, {args.workers} workers"
        f" (median of {args.repeat}):"
    )
    print(
        f"  whole command    {wall:6.1f} s  (min {min(walls):.1f}, max {max(walls):.1f});"
        f" target < 30 s: {'met' if wall < 30 else 'MISSED'}"
    )
    print(
        f"  peak memory      {max(peaks) / 2**20:6,.0f} MiB (all processes, the largest of"
        f" the repeats); target < 1024 MiB: {'met' if max(peaks) < 2**30 else 'MISSED'}"
    )
    print(f"  runs/s           {rate:8,.0f} in all, {rate / args.workers:8,.0f} per worker")
    single = statistics.median(engine)
    print(
        f"  engine alone     {single:8,.0f} runs/s in one process (sim.simulate, blocks of"
        f" 5,000); batch per worker / engine = {rate / args.workers / single:.2f}"
    )


if __name__ == "__main__":
    main()
