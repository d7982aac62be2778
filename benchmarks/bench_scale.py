"""Runs per second and peak memory at four scales, side by side in one run, one core.

Run: .venv/bin/python benchmarks/bench_scale.py [--quick] [--before REF] [--repeat K]

Cases (issue 10, point 6), each simulated with ``sim.simulate`` (the engine, rows as a
DataFrame) in a fresh subprocess pinned to one CPU with one BLAS thread, so that its
peak resident memory (``ru_maxrss``) is its own:

* ``baseline``: scenarios/ukraine_2025.yaml (48 outcomes, 5 parties);
* ``16k+noise``: 2^14 outcomes (14 issues of 2 options), 8 parties, noise on weights
  and values (every run has its own utility tables);
* ``10^6``: 2^20 outcomes, 8 parties;
* ``10^9``: 2^30 outcomes, 10 parties.

``--before REF`` measures every case in the code of git revision ``REF`` too (an export
of it kept in ``.bench/``, compiled there on first use), the two trees interleaved
``--repeat`` times (default 3), and prints the medians and their ratio: a speed-up or
slow-down measured side by side on a shared machine. Without it each case is measured
``--repeat`` times and the median printed (of the speeds and of the peaks: a process
that compiles the engine has a higher peak).
Targets in issue 10: baseline >= 100,000 runs/s, 16k >= 25,000, 10^6 >= 10,000, peak
memory <= 1 GiB. The script prints the figures and whether each target is met; it does
not fail on a miss.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent  # synthetic.py, which the children import

CHILD = r"""
import json, os, resource, sys, time
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
import numpy as np
from sim.scenario import load_scenario
from sim.simulation import simulate
case, runs, block = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

sys.path.insert(0, sys.argv[-1])  # the benchmarks folder of the running script
from synthetic import synthetic

if case == "baseline":
    scenario = load_scenario(sys.argv[4])
else:
    sizes = {"16k+noise": (14, 8, True), "10^6": (20, 8, False), "10^9": (30, 10, False)}
    scenario = synthetic(case, *sizes[case])
simulate(scenario, seed=0, runs=min(runs, 50), block=min(runs, 50))  # warm-up
start = time.perf_counter()
rows = simulate(scenario, seed=1, runs=runs, block=block)
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
deals = float(rows.agreement.mean())
print(json.dumps({"runs_per_s": runs / elapsed, "peak": peak, "deals": deals}))
"""

TARGETS = {"baseline": 100_000, "16k+noise": 25_000, "10^6": 10_000, "10^9": None}


def measure(case: str, runs: int, block: int, path: Path) -> dict[str, float]:
    """One case in a fresh single-threaded subprocess with ``path`` first on sys.path."""
    env = {
        **os.environ,
        "PYTHONPATH": str(path),
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    scenario = str(path / "scenarios" / "ukraine_2025.yaml")
    out = subprocess.run(
        [sys.executable, "-c", CHILD, case, str(runs), str(block), scenario, str(HERE)],
        env=env,
        cwd=path,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(f"{case} at {path} failed:\n{out.stderr}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def export(ref: str) -> Path:
    """The tree of git revision ``ref``, in ``.bench/<commit>`` (kept: compiled once)."""
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--verify", f"{ref}^{{commit}}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    tree = ROOT / ".bench" / commit
    if not (tree / "sim").is_dir():
        tree.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            archive = Path(tmp) / "tree.tar"
            subprocess.run(
                ["git", "-C", str(ROOT), "archive", "-o", str(archive), commit], check=True
            )
            with tarfile.open(archive) as tar:
                tar.extractall(tree, filter="data")
    return tree


def main() -> None:
    """Measure every case (in both trees with ``--before``) and print a table of medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs per case")
    parser.add_argument("--before", metavar="REF", help="also measure every case at git REF")
    parser.add_argument("--repeat", type=int, default=3, help="measurements per case and tree")
    args = parser.parse_args()
    scale = 1 if args.quick else 5
    cases = [
        ("baseline", 4000 * scale, 5000),
        ("16k+noise", 1000 * scale, 1000),
        ("10^6", 500 * scale, 1000),
        ("10^9", 200 * scale, 1000),
    ]
    trees = {"now": ROOT}
    if args.before:
        trees = {f"@ {args.before}": export(args.before), "now": ROOT}
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    for _ in range(max(args.repeat, 1)):
        for case, runs, block in cases:
            for name, path in trees.items():
                results.setdefault((case, name), []).append(measure(case, runs, block, path))
    print(f"{'case':<22} {'runs/s':>10} {'peak MiB':>9} {'deals':>6}  target")
    for case, _, _ in cases:
        speeds = {}
        for name in trees:
            got = results[(case, name)]
            speed = statistics.median(r["runs_per_s"] for r in got)
            peak = statistics.median(r["peak"] for r in got)
            speeds[name] = speed
            target = TARGETS[case] if name == "now" else None
            met = "" if target is None else ("met" if speed >= target else f"missed ({target:,}/s)")
            mem = "met" if peak <= 2**30 else "missed (1 GiB)"
            label = case if len(trees) == 1 else f"{case} {name}"
            print(
                f"{label:<22} {speed:>10,.0f} {peak / 2**20:>9.0f} {got[0]['deals']:>6.2f}"
                f"  {met} {mem}"
            )
        if len(trees) > 1:
            first = next(iter(trees))
            print(f"{'':<22} {speeds['now'] / speeds[first]:>9.2f}x  (now / {first[2:]})")


if __name__ == "__main__":
    main()
