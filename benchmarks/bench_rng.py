"""Speed of counter-based streams against one numpy Generator per run.

Run: .venv/bin/python benchmarks/bench_rng.py [--repeat N]

For blocks of 1,000 and 10,000 runs, timed side by side in one run: the median wall
time of ``Streams.uniform(draw, (5,))`` (five uniforms per run), and of creating one
``np.random.default_rng([seed, i])`` per run (the approach sim.rng avoids; drawing
from those generators would cost more on top). The construction of the Streams of a
block (once per block) is shown too.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

from sim.rng import Streams

SEED = 20240601


def median_seconds(f: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``repeat`` calls after one warm-up call."""
    f()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def per_run_generators(runs: int) -> None:
    for i in range(runs):
        np.random.default_rng([SEED, i])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21, help="timed calls per median")
    args = parser.parse_args()
    print(
        f"{'runs':>7} {'Streams()':>11} {'uniform(d, (5,))':>17}"
        f" {'default_rng per run':>20} {'ratio':>8}"
    )
    for runs in (1_000, 10_000):
        ids = np.arange(runs, dtype=np.uint64)
        streams = Streams(SEED, ids)
        build = median_seconds(lambda ids=ids: Streams(SEED, ids), args.repeat)
        draw = median_seconds(lambda s=streams: s.uniform(7, (5,)), args.repeat)
        baseline = median_seconds(
            lambda runs=runs: per_run_generators(runs), max(3, args.repeat // 4)
        )
        print(
            f"{runs:>7} {build * 1e6:>9.1f}µs {draw * 1e6:>15.1f}µs"
            f" {baseline * 1e3:>18.2f}ms {baseline / draw:>7.0f}×"
        )
    print("ratio = default_rng per run / uniform(d, (5,)); per-run generator cost:", end=" ")
    print(f"{baseline / runs * 1e6:.1f}µs")


if __name__ == "__main__":
    main()
