"""The whole `negsim batch` command on one worker: runs/s and peak memory, side by side.

Run: .venv/bin/python benchmarks/bench_batch.py [--runs N] [--pipeline-runs M]
     [--before REF] [--repeat K]

Every case is the command ``negsim batch scenarios/ukraine_2025.yaml --runs N --seed 1
--workers 1 --out DIR`` in a fresh subprocess pinned to one CPU, timed by the wall
clock from process start to exit (start-up, planning, the blocks, the Parquet parts,
the manifest and the printed summary), with its CPU time (user + system: on a machine
shared with other work, the wall clock also counts the time the CPU ran something
else) and the peak resident memory of its process tree (sampled from /proc every
20 ms, and the child's own ``ru_maxrss``):

* ``whole command``: the command as it is, engine included, over ``--runs`` runs;
* ``pipeline, zero-cost engine``: the same command with ``run_block`` replaced by a
  function that returns random outcomes of the right shape at no cost (slices of a
  pool made once), over ``--pipeline-runs`` runs: the ceiling of everything outside
  the engine;
* ``pipeline + sampling``: as above, but the fake engine draws every run's parameters
  (``sample_params``, which the engine does when a block starts): what sampling costs;
* ``start-up``: the imports a batch needs, alone.

``--before REF`` runs the pipeline cases with the code of git revision ``REF`` too (an
export in a temporary folder), in the same run, so a change is measured side by side.

Targets (issue 10, point 6): >= 50,000 runs/s for the whole command on one worker over
1,000,000 runs, peak memory <= 1 GiB per worker; and the pipeline alone (zero-cost
engine) >= 200,000 runs/s over 1,000,000 runs. ``--runs`` defaults to 100,000 so that
the default run ends in a few minutes at today's engine speed (about 4,000 runs/s);
give ``--runs 1000000`` for the target's own figure. The pipeline cases always run
``--pipeline-runs`` (default 1,000,000). The script prints the figures and whether each
target is met; it does not fail on a miss.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "ukraine_2025.yaml"

#: The child: run `negsim batch ARGS` in this process, with the engine as it is
#: ("none"), replaced by a zero-cost fake ("zero"), or by a fake that samples ("sampling").
CHILD = r"""
import sys
fake, argv = sys.argv[1], sys.argv[2:]
if fake != "none":
    import numpy as np
    import sim.batch.work as work
    from sim.simulation.model import Outcomes

    pools = {}

    def pool_of(space, size):
        # Random outcomes of the right shape, made once per scenario: a block takes a slice.
        if id(space) not in pools or pools[id(space)].runs.size < size:
            n, parties, lines = max(1 << 15, size), len(space.parties), len(space.lines)
            g = np.random.default_rng(1)
            agreed = g.random(n) < 0.97
            pools[id(space)] = Outcomes(
                runs=np.arange(n, dtype=np.uint64),
                agreement=agreed,
                round=np.where(agreed, g.integers(1, 40, n), -1),
                choice=np.stack(
                    [np.where(agreed, g.integers(0, len(o), n), -1) for o in space.options],
                    axis=1,
                ),
                utility=g.random((n, parties)),
                reservation=np.repeat(space.reservation[None], n, axis=0),
                firm=g.random((n, lines)) < 0.5,
                ended=np.where(agreed, 0, 1),
                blocker=np.full(n, -1),
                blocked_line=np.full(n, -1),
                blocked_issue=np.full(n, -1),
                fired=np.zeros((n, len(space.scenario.events)), dtype=bool),
                gave_up=np.full((n, lines), -1),
                sampled=g.random((n, len(space.scenario.uncertainty.parameters))),
                ratified=np.where(agreed & bool(space.ratifiers), 1, -1),
                informed=np.ones((n, len(space.ratifiers)), dtype=bool),
            )
        return pools[id(space)]

    def zero_cost(space, seed, runs, trace=False):
        runs = np.asarray(runs, dtype=np.uint64).reshape(-1)
        pool, n = pool_of(space, runs.size), runs.size
        reservation, firm = pool.reservation[:n], pool.firm[:n]
        if fake == "sampling":  # what the engine does when a block starts
            from sim.rng import Streams
            from sim.simulation.sampling import sample_params

            params = sample_params(space, Streams(seed, runs))
            reservation, firm = params.reservation, params.firm
        outcomes = Outcomes(
            runs=runs,
            agreement=pool.agreement[:n],
            round=pool.round[:n],
            choice=pool.choice[:n],
            utility=pool.utility[:n],
            reservation=reservation,
            firm=firm,
            ended=pool.ended[:n],
            blocker=pool.blocker[:n],
            blocked_line=pool.blocked_line[:n],
            blocked_issue=pool.blocked_issue[:n],
            fired=pool.fired[:n],
            gave_up=pool.gave_up[:n],
            sampled=pool.sampled[:n],
            ratified=pool.ratified[:n],
            informed=pool.informed[:n],
        )
        return outcomes, None

    work.run_block = zero_cost
from sim.cli import main
sys.exit(main(argv))
"""

#: The start-up of a batch alone: the modules `negsim batch` imports before its first block.
IMPORTS = "import sim.cli, sim.batch.run, sim.batch.work, sim.batch.summary"


@dataclass(frozen=True)
class Measure:
    """One timed command."""

    seconds: float  # wall clock
    cpu: float  # user + system seconds of the process and the children it waited for
    peak: int  # bytes: the largest sum of resident memory over the process tree


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


def _one_cpu() -> None:
    """In the child, before exec: one CPU, the highest this process may use.

    Not the lowest: bench_scale.py pins its cases there, and two benchmarks on one CPU
    would each measure half of it.
    """
    os.sched_setaffinity(0, {max(os.sched_getaffinity(0))})


def timed(command: list[str], tree: Path) -> Measure:
    """Run a command pinned to one CPU with ``tree`` first on the path; time and memory."""
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    peak = 0
    start = time.perf_counter()
    proc = subprocess.Popen(
        command,
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=_one_cpu,
    )
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stderr is not None
    errors = proc.stderr.read()  # until the child closes it, i.e. ends
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    stop.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({proc.returncode}):\n{errors.decode()}")
    cpu = usage.ru_utime + usage.ru_stime
    return Measure(elapsed, cpu, max(peak, usage.ru_maxrss * 1024))


def batch(tree: Path, fake: str, runs: int) -> Measure:
    """`negsim batch` of the baseline on one worker, with the code in ``tree``."""
    out = Path(tempfile.mkdtemp(prefix="negsim-bench-")) / "out"
    argv = ["batch", str(SCENARIO), "--runs", str(runs), "--seed", "1", "--workers", "1"]
    try:
        return timed([sys.executable, "-c", CHILD, fake, *argv, "--out", str(out)], tree)
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)


def startup(tree: Path) -> Measure:
    """The imports of a batch, alone."""
    return timed([sys.executable, "-c", IMPORTS], tree)


def export(ref: str, folder: Path) -> Path:
    """The tree of git revision ``ref``, written into ``folder``."""
    archive = folder / "tree.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), ref], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder / "tree", filter="data")
    return folder / "tree"


def main() -> None:
    """Measure every case (interleaved repeats) and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=100_000, help="runs of the whole command (target: 10^6)"
    )
    parser.add_argument(
        "--pipeline-runs", type=int, default=1_000_000, help="runs of the pipeline cases"
    )
    parser.add_argument("--before", metavar="REF", help="also run the pipeline cases at git REF")
    parser.add_argument("--repeat", type=int, default=1, help="repeats of each case (median)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trees = [("", ROOT)]
        if args.before:
            trees.append((f" @ {args.before}", export(args.before, Path(tmp))))
        cases: list[tuple[str, int, object]] = []
        for label, tree in trees:
            cases.append((f"start-up (imports){label}", 0, lambda t=tree: startup(t)))
            for fake, name in (("zero", "zero-cost engine"), ("sampling", "+ sampling")):
                cases.append(
                    (
                        f"pipeline, {name}{label}",
                        args.pipeline_runs,
                        lambda t=tree, f=fake: batch(t, f, args.pipeline_runs),
                    )
                )
        cases.append(("whole command", args.runs, lambda: batch(ROOT, "none", args.runs)))
        found: dict[str, list[Measure]] = {name: [] for name, _, _ in cases}
        for k in range(args.repeat):
            for name, _, run in cases:
                found[name].append(run())  # type: ignore[operator]
                m = found[name][-1]
                print(
                    f"  {k + 1}/{args.repeat} {name}: {m.seconds:.2f} s, {m.peak / 2**20:.0f} MiB",
                    file=sys.stderr,
                    flush=True,
                )
    print(
        f"negsim batch {SCENARIO.relative_to(ROOT)} --workers 1, one CPU (median of {args.repeat}):"
    )
    print(
        f"{'case':<40} {'runs':>10} {'wall s':>7} {'CPU s':>7} {'runs/s':>9} {'peak MiB':>9}"
        "  target (runs/s by the wall clock)"
    )
    results: dict[str, float] = {}
    for name, runs, _ in cases:
        seconds = statistics.median(m.seconds for m in found[name])
        cpu = statistics.median(m.cpu for m in found[name])
        peak = max(m.peak for m in found[name])
        rate = runs / seconds if runs else float("nan")
        results[name] = rate
        targets = []
        if name == "pipeline, zero-cost engine":
            targets.append(f">= 200,000/s over 10^6: {'met' if rate >= 200_000 else 'missed'}")
        elif name == "whole command":
            whole_target = f">= 50,000/s over 10^6: {'met' if rate >= 50_000 else 'missed'}"
            if runs != 1_000_000:
                whole_target += f" (over {runs:,} runs; give --runs 1000000)"
            targets.append(whole_target)
        if runs:
            targets.append(f"<= 1 GiB: {'met' if peak <= 2**30 else 'missed'}")
        shown = f"{rate:>9,.0f}" if runs else f"{'':>9}"
        print(
            f"{name:<40} {runs:>10,} {seconds:>7.2f} {cpu:>7.2f} {shown} {peak / 2**20:>9.0f}"
            f"  {'; '.join(targets)}"
        )
    ceiling = results["pipeline, zero-cost engine"]
    whole = results["whole command"]
    engine = 1 / (1 / whole - 1 / ceiling) if whole < ceiling else float("inf")
    print(
        f"engine alone (whole command less the pipeline): about {engine:,.0f} runs/s;"
        " at 100,000 runs/s in the engine (sampling included) the whole command would run"
        f" at about {1 / (1 / 100_000 + 1 / ceiling):,.0f} runs/s"
    )


if __name__ == "__main__":
    main()
