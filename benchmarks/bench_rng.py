"""Speed of counter-based streams: against one numpy Generator per run, and sampling.

Run: .venv/bin/python benchmarks/bench_rng.py [--repeat N] [--before REF] [--rounds N]

1. For blocks of 1,000 and 10,000 runs, timed side by side in one run: the median wall
   time of ``Streams.uniform(draw, (5,))`` (five uniforms per run), and of creating one
   ``np.random.default_rng([seed, i])`` per run (the approach sim.rng avoids; drawing
   from those generators would cost more on top). The construction of the Streams of a
   block (once per block) is shown too.
2. ``sample_params`` (every per-run parameter of a block) at git revision ``--before``
   (by default the one before the compiled streams, ``sim/rngjit.py``) and in this
   tree, on the baseline (20,000 runs) and on the ``16k+noise`` scenario of
   ``bench_scale.py`` (14 issues, 8 parties, noise on weights and values; its block of
   1,000 runs). Each measurement is a fresh process pinned to one core, old and new
   alternating ``--rounds`` times; a process prints the median of ``--repeat`` calls
   and a digest of every array of the Params it drew, and the table shows the median
   over rounds and whether the digests of old and new are equal (bit for bit).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from sim.rng import Streams

SEED = 20240601
ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent  # synthetic.py, which the children import

#: One timing of sample_params, in a fresh process with the tree to time first on sys.path.
CHILD = r"""
import hashlib, json, os, statistics, sys, time
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
import numpy as np
from sim.rng import Streams
from sim.scenario import load_scenario
from sim.simulation import tables_of
from sim.simulation.sampling import sample_params
case, runs, repeat = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

sys.path.insert(0, sys.argv[-1])  # the benchmarks folder of the running script
from synthetic import synthetic

scenario = load_scenario(sys.argv[4]) if case == "baseline" else synthetic(case, 14, 8, True)
space = tables_of(scenario)
ids = np.arange(runs, dtype=np.uint64)
ids[-1] = 2**64 - 1
streams = Streams(SEED, ids)
params = sample_params(space, streams)  # warm-up (and the numba cache)
times = []
for _ in range(repeat):
    start = time.perf_counter()
    sample_params(space, streams)
    times.append(time.perf_counter() - start)
digest = hashlib.sha256()
for name, value in sorted(vars(params).items()):
    if isinstance(value, np.ndarray):
        digest.update(name.encode() + np.ascontiguousarray(value).tobytes())
print(json.dumps({"seconds": statistics.median(times), "digest": digest.hexdigest()}))
""".replace("SEED", str(SEED))

#: (case, runs): the baseline profiled in issue 10, and 16k+noise at bench_scale's block.
SAMPLING_CASES = (("baseline", 20_000), ("16k+noise", 1_000))


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


def before_compiled_streams() -> str:
    """The revision before the one that added ``sim/rngjit.py`` (numpy-only streams)."""
    added = subprocess.run(
        ["git", "-C", str(ROOT), "log", "--diff-filter=A", "--format=%H", "--", "sim/rngjit.py"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return f"{added[-1]}^" if added else "HEAD"


def export(ref: str, folder: Path) -> Path:
    """The tree of git revision ``ref``, written into ``folder``."""
    archive = folder / "tree.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), ref], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder / "tree", filter="data")
    return folder / "tree"


def time_sampling(tree: Path, case: str, runs: int, repeat: int) -> dict[str, str | float]:
    """One child process timing ``sample_params`` of ``tree`` (see CHILD)."""
    env = {**os.environ, "PYTHONPATH": str(tree), "OMP_NUM_THREADS": "1"}
    scenario = str(tree / "scenarios" / "ukraine_2025.yaml")
    out = subprocess.run(
        [sys.executable, "-c", CHILD, case, str(runs), str(repeat), scenario, str(HERE)],
        env=env,
        cwd=tree,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(f"{case} at {tree} failed:\n{out.stderr}")
    result: dict[str, str | float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def compare_sampling(before: str, repeat: int, rounds: int) -> None:
    """Old and new ``sample_params`` side by side (medians over alternating rounds)."""
    with tempfile.TemporaryDirectory() as tmp:
        old_tree = export(before, Path(tmp))
        print(f"\nsample_params @ {before} (old) and in this tree (new), one core")
        print(
            f"{'case':<10} {'runs':>7} {'old':>10} {'new':>10} {'speed-up':>9}"
            f" {'new µs/run':>11}  identical"
        )
        for case, runs in SAMPLING_CASES:
            old: list[float] = []
            new: list[float] = []
            digests: set[str] = set()
            for _ in range(rounds):
                for tree, times in ((old_tree, old), (ROOT, new)):
                    result = time_sampling(tree, case, runs, repeat)
                    times.append(float(result["seconds"]))
                    digests.add(str(result["digest"]))
            t_old, t_new = statistics.median(old), statistics.median(new)
            print(
                f"{case:<10} {runs:>7,} {t_old * 1e3:>8.1f}ms {t_new * 1e3:>8.1f}ms"
                f" {t_old / t_new:>8.1f}× {t_new / runs * 1e6:>11.2f}  "
                + ("yes" if len(digests) == 1 else "NO")
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21, help="timed calls per median")
    parser.add_argument("--before", metavar="REF", help="the old revision for sample_params")
    parser.add_argument("--rounds", type=int, default=3, help="old/new processes per case")
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
    compare_sampling(args.before or before_compiled_streams(), args.repeat, args.rounds)


if __name__ == "__main__":
    main()
