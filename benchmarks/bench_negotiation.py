"""Negotiations per second: NegMAS against negsim's own engine, side by side in one run.

Run: .venv/bin/python benchmarks/bench_negotiation.py [--quick] [--repeat N] [--help]

Both engines negotiate the baseline scenario (scenarios/ukraine_2025.yaml) on one core:
the process is pinned to its first allowed CPU and the BLAS/OpenMP thread pools are set
to one thread before numpy is imported. Each measurement is a batch of complete
negotiations timed with a wall clock; its figure is runs per second. The measurements
are interleaved, and every other repeat runs them in reverse order (ABC, CBA, ...), so
that machine noise and drift hit all of them alike. The table gives the median over the
repeats with the min-max range, then the speed ratios negsim / NegMAS.

(a) NegMAS (the `bench` extra; skipped with a note when it is not installed). The
scenario is rebuilt in NegMAS: the same issues and options as a discrete outcome space
(NegMAS enumerates it in negsim's order), and for each signatory (Russia and Ukraine)
a table utility function (`MappingUtilityFunction`) over the enumerated outcomes, taken
from negsim's compiled `space.utility` row (linear-additive, normalised weights), with
the party's reservation value as NegMAS's reserved value. Red lines are hard
constraints: in every run each line is firm with probability `credibility` (as in
negsim's simulation), and an outcome that crosses a firm line of a negotiator gets
utility -1, below any reservation value, so that negotiator never accepts it. Outcomes
that need a co-signer who is not at the table (Europe and the UK, via `needs`) and that
this co-signer would refuse (a firm red line or below its reservation value) get -1 for
both negotiators too. The two negotiate with `SAOMechanism` (stacked alternating offers,
n_steps = the scenario's deadline). Strategies map to NegMAS negotiators: boulware or
conceder with exponent e -> `TimeBasedConcedingNegotiator` with NegMAS exponent 1/e
(NegMAS's curve 1 - t**x is Faratin's 1 - t**(1/e); `BoulwareTBNegotiator` is the same
with x = 4), linear -> `LinearTBNegotiator`, hardliner -> the "hardheaded" curve,
tit_for_tat -> `NaiveTitForTatNegotiator` (setting "scenario strategies") or
`LinearTBNegotiator` (setting "time-based only"; skipped when nobody at the table
uses tit_for_tat, as the two settings then coincide). One run = draw the firm lines, build
the utility functions, the negotiators and the mechanism, run it to the end, as a user
would in a Monte Carlo batch; the outcome space is built once. The mediator, the
`uncertainty` block and the `events` are not modelled on this side, so a NegMAS run
does less work than a negsim run.

(b) negsim: `sim.simulate(scenario, seed=, runs=, block=)` returning a pandas DataFrame
with one row per run. Measured with
blocks of 1,000 and of 10,000 runs, and as single runs (block=1, a Mesa model per run,
without a trace), each as one call per measurement; a run is one row. A warm-up call
estimates the speed, and a default run count that would take more than 8 s per repeat
is cut down, with a note, to keep the whole run near 3 minutes.

Agreement rates are printed so that a reader can see that both negotiate something.
For NegMAS the script also checks every agreement against the scenario's meaning and
counts those that a signer should not have accepted (crossing one of its firm red
lines or below its reservation value). Seen with NegMAS 0.16: red lines hold, but
`NaiveTitForTatNegotiator` sometimes offers, late in the talks, a deal below its own
reservation value, and an offer counts as its acceptance.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
)


def pin_to_one_core() -> int | None:
    """One thread per pool, and this process on its first allowed CPU (None if unsupported)."""
    for variable in THREAD_VARIABLES:
        os.environ[variable] = "1"
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


# Before numpy is imported, so that its thread pools start with one thread on one core.
PINNED_CPU = pin_to_one_core()

import numpy as np  # noqa: E402

import sim  # noqa: E402
from sim.scenario import Scenario  # noqa: E402
from sim.space import EPS, OutcomeSpace, compile_space  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "ukraine_2025.yaml"

#: Utility of an outcome that crosses a firm red line: below every reservation value.
VETOED = -1.0

#: (repeats, NegMAS runs, negsim runs per block measurement, negsim single runs)
PRESETS = {"default": (5, 200, 100_000, 2_000), "quick": (3, 40, 20_000, 200)}

#: Longest a negsim measurement may take by default (keeps the default run near 3 minutes).
SECONDS_PER_BATCH = 8.0


@dataclass
class Measurement:
    """One timed setting: `go()` runs `runs` negotiations and returns their agreement rate."""

    engine: str
    setting: str
    runs: int
    go: Callable[[], float | None]
    rates: list[float] = field(default_factory=list)
    agreement: list[float] = field(default_factory=list)

    def time_once(self) -> None:
        """Run the batch once and record runs per second and the agreement rate."""
        start = time.perf_counter()
        agreement = self.go()
        elapsed = time.perf_counter() - start
        self.rates.append(self.runs / elapsed)
        if agreement is not None:
            self.agreement.append(agreement)

    @property
    def median(self) -> float:
        """Median runs per second over the repeats."""
        return statistics.median(self.rates)


# --- (a) NegMAS -----------------------------------------------------------------------


def negmas_factory(strategy: Any, time_based_only: bool) -> tuple[str, Callable[..., Any]]:
    """The NegMAS negotiator for a negsim strategy: its description and a constructor."""
    from negmas.sao.negotiators import (
        LinearTBNegotiator,
        NaiveTitForTatNegotiator,
        TimeBasedConcedingNegotiator,
    )

    kind = strategy.type
    if kind in ("boulware", "conceder"):
        exponent = 1.0 / strategy.exponent  # NegMAS 1 - t**x is Faratin's 1 - t**(1/e)
        return (
            f"TimeBasedConcedingNegotiator(offering_curve={exponent:.3g})  # {kind}, e ="
            f" {strategy.exponent:g}",
            partial(TimeBasedConcedingNegotiator, offering_curve=exponent, stochastic=False),
        )
    if kind == "hardliner":
        return (
            "TimeBasedConcedingNegotiator(offering_curve='hardheaded')",
            partial(TimeBasedConcedingNegotiator, offering_curve="hardheaded", stochastic=False),
        )
    if kind == "tit_for_tat" and not time_based_only:
        return "NaiveTitForTatNegotiator()  # tit_for_tat", NaiveTitForTatNegotiator
    if kind == "linear":
        return "LinearTBNegotiator()  # linear", LinearTBNegotiator
    return f"LinearTBNegotiator()  # stands in for {kind}", LinearTBNegotiator


class NegmasModel:
    """The scenario in NegMAS: its outcome space once, and one negotiation per `run_once`."""

    def __init__(self, space: OutcomeSpace, time_based_only: bool) -> None:
        from negmas import SAOMechanism, make_issue, make_os
        from negmas.preferences import MappingUtilityFunction

        self.space = space
        self.mechanism_type = SAOMechanism
        self.ufun_type = MappingUtilityFunction
        self.outcome_space = make_os(
            [
                make_issue(list(opts), name=issue)
                for issue, opts in zip(space.issues, space.options, strict=True)
            ]
        )
        self.outcomes = [tuple(space.outcome(o).values()) for o in range(space.n_outcomes)]
        if list(self.outcome_space.enumerate()) != self.outcomes:
            raise RuntimeError("NegMAS enumerates the outcomes in another order than negsim")
        self.index = {outcome: o for o, outcome in enumerate(self.outcomes)}
        self.at_table = [int(p) for p in np.flatnonzero(space.signs)]
        self.absent_signer = space.signer.copy()
        self.absent_signer[self.at_table] = False
        self.credibility = np.array([line.spec.credibility for line in space.lines])
        self.deadline = space.scenario.deadline
        self.negotiators = [
            negmas_factory(space.scenario.parties[space.parties[p]].strategy, time_based_only)
            for p in self.at_table
        ]
        self.crossing = 0  # agreements crossing a firm red line of a signer
        self.below = 0  # agreements below a signer's reservation value

    def run_once(self, rng: np.random.Generator) -> bool:
        """Draw the firm lines, build and run one mechanism; True when it agrees."""
        space = self.space
        firm = rng.random(self.credibility.size) < self.credibility
        crossed = np.zeros(space.utility.shape, dtype=bool)  # party × outcome: crosses a firm line
        np.logical_or.at(crossed, space.line_owner[firm], space.crosses[firm])
        accepts = ~crossed & (space.utility >= space.reservation[:, None] - EPS)
        refused_elsewhere = (self.absent_signer & ~accepts).any(axis=0)
        mechanism = self.mechanism_type(outcome_space=self.outcome_space, n_steps=self.deadline)
        for p, (_, make) in zip(self.at_table, self.negotiators, strict=True):
            utility = np.where(crossed[p] | refused_elsewhere, VETOED, space.utility[p])
            ufun = self.ufun_type(
                dict(zip(self.outcomes, utility.tolist(), strict=True)),
                reserved_value=float(space.reservation[p]),
                outcome_space=self.outcome_space,
            )
            mechanism.add(make(ufun=ufun, name=space.parties[p]))
        agreement = mechanism.run().agreement
        if agreement is None:
            return False
        o = self.index[tuple(agreement)]
        signers = space.signer[:, o]
        self.crossing += bool(crossed[signers, o].any())
        self.below += bool((space.utility[signers, o] < space.reservation[signers] - EPS).any())
        return True


def negmas_measurements(
    space: OutcomeSpace, runs: int, seed: int, settings: Sequence[str]
) -> list[tuple[Measurement, NegmasModel]]:
    """The NegMAS settings to time, or none (with a note) when NegMAS is not installed."""
    try:
        import negmas
    except ImportError:
        print("NegMAS: not installed, skipped (install the `bench` extra: pip install -e .[bench])")
        return []
    print(f"NegMAS {negmas.__version__}: SAOMechanism(n_steps={space.scenario.deadline}) between")
    found: list[tuple[Measurement, NegmasModel]] = []
    seen: dict[tuple[str, ...], str] = {}
    for setting in settings:
        model = NegmasModel(space, time_based_only=setting == "time-based only")
        descriptions = tuple(description for description, _ in model.negotiators)
        if descriptions in seen:  # no tit-for-tat at the table: the settings coincide
            print(f"  [{setting}] the same negotiators as [{seen[descriptions]}], not repeated")
            continue
        seen[descriptions] = setting
        for p, (description, _) in zip(model.at_table, model.negotiators, strict=True):
            print(f"  [{setting}] {space.parties[p]}: {description}")

        def go(model: NegmasModel = model) -> float:
            model.crossing = model.below = 0  # every repeat runs the same `runs` runs
            rng = np.random.default_rng(seed)
            return sum(model.run_once(rng) for _ in range(runs)) / runs

        for _ in range(3):  # warm-up: first-call costs stay out of the timings
            model.run_once(np.random.default_rng(seed))
        found.append((Measurement("NegMAS", setting, runs, go), model))
    return found


# --- (b) negsim -----------------------------------------------------------------------


def negsim_measurements(
    scenario: Scenario, block_runs: int | None, single_runs: int | None, seed: int, quick: bool
) -> list[Measurement]:
    """The negsim settings to time, or none (with a note) while `sim.simulate` is missing.

    Run counts not given on the command line come from the preset, cut down (with a note)
    when the warm-up shows that one measurement would take more than `SECONDS_PER_BATCH`.
    """
    simulate = getattr(sim, "simulate", None)
    if simulate is None:
        print("negsim: sim.simulate does not exist yet, skipped")
        return []

    def go(runs: int, block: int) -> float | None:
        frame = simulate(scenario, seed=seed, runs=runs, block=block)
        if len(frame) != runs:
            raise RuntimeError(f"sim.simulate returned {len(frame)} rows for {runs} runs")
        return float(frame["agreement"].mean()) if "agreement" in frame else None

    _, _, preset_block_runs, preset_single_runs = PRESETS["quick" if quick else "default"]
    settings = []
    name = {10_000: "block 10,000", 1_000: "block 1,000", 1: "single (block 1)"}
    for block, runs, preset in (
        (10_000, block_runs, preset_block_runs),
        (1_000, block_runs, preset_block_runs),
        (1, single_runs, preset_single_runs),
    ):
        probe = min(block * 2, 10_000) if block > 1 else 20
        start = time.perf_counter()
        go(probe, block)  # warm-up, and an estimate of the speed
        rate = probe / (time.perf_counter() - start)
        if runs is None:
            runs = min(preset, max(block, int(rate * SECONDS_PER_BATCH)))
            if runs < preset:
                print(
                    f"negsim {name[block]}: {preset:,} runs would take about"
                    f" {preset / rate:.0f} s per repeat; measuring {runs:,}"
                )
        settings.append((block, runs))
    print(f"negsim {sim.__version__}: sim.simulate(scenario, seed={seed}, runs=N, block=B)")
    return [
        Measurement("negsim", name[block], runs, partial(go, runs, block))
        for block, runs in settings
    ]


# --- the run --------------------------------------------------------------------------


def interleave(first: list[Measurement], second: list[Measurement]) -> list[Measurement]:
    """A B A B ...: the two engines' settings taken in turn."""
    order: list[Measurement] = []
    for i in range(max(len(first), len(second))):
        order += first[i : i + 1] + second[i : i + 1]
    return order


def report(measurements: list[Measurement], negmas_models: list[NegmasModel]) -> None:
    """The table of medians, then the ratios negsim / NegMAS."""
    print()
    print(
        f"{'engine':<8} {'setting':<21} {'runs/s median':>14} {'(min-max)':>22} {'n':>3}"
        f" {'agreement':>10}"
    )
    for m in measurements:
        spread = f"({min(m.rates):,.0f}-{max(m.rates):,.0f})"
        agreement = f"{statistics.mean(m.agreement):.1%}" if m.agreement else "-"
        print(
            f"{m.engine:<8} {m.setting:<21} {m.median:>14,.0f} {spread:>22} {len(m.rates):>3}"
            f" {agreement:>10}"
        )
    for m, model in zip(
        [m for m in measurements if m.engine == "NegMAS"], negmas_models, strict=True
    ):
        print(
            f"NegMAS [{m.setting}]: of {m.runs:,} runs, {model.crossing} agreed on a deal that"
            f" crosses a signer's firm red line, {model.below} on one below a signer's"
            " reservation value"
        )
    print()
    negmas = [m for m in measurements if m.engine == "NegMAS"]
    negsim = {m.setting: m for m in measurements if m.engine == "negsim"}
    if not negmas or not negsim:
        print("ratio: needs both engines")
        return
    for ours in ("block 10,000", "single (block 1)"):
        for theirs in negmas:
            print(
                f"ratio negsim({ours}) / NegMAS({theirs.setting}):"
                f" {negsim[ours].median / theirs.median:,.1f}x"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scenario", type=Path, default=BASELINE, help="scenario YAML")
    parser.add_argument("--quick", action="store_true", help="a short run (fewer, smaller)")
    parser.add_argument("--repeat", type=int, help="repeats of every measurement (5; quick 3)")
    parser.add_argument("--negmas-runs", type=int, help="NegMAS runs per repeat (200; quick 40)")
    parser.add_argument(
        "--negsim-runs", type=int, help="negsim runs per block measurement (100,000; quick 20,000)"
    )
    parser.add_argument(
        "--single-runs", type=int, help="negsim single runs per repeat (2,000; quick 200)"
    )
    parser.add_argument(
        "--negmas-strategies",
        choices=["scenario", "time-based", "both"],
        default="both",
        help="NegMAS negotiators: the scenario's (tit-for-tat included), time-based only, or both",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of both engines' runs")
    args = parser.parse_args()
    repeat, negmas_runs, _, _ = PRESETS["quick" if args.quick else "default"]
    repeat = args.repeat or repeat
    negmas_runs = args.negmas_runs or negmas_runs

    try:
        scenario = sim.load_scenario(args.scenario)
    except sim.ScenarioError as error:
        parser.exit(2, "\n".join(error.lines()) + "\n")
    space = compile_space(scenario)
    signatories = ", ".join(p for p, signs in zip(space.parties, space.signs, strict=True) if signs)
    print(
        f"{scenario.id}: {space.n_outcomes} outcomes, deadline {scenario.deadline},"
        f" signatories {signatories}, {len(space.lines)} red lines;"
        f" pinned to CPU {PINNED_CPU}, Python {sys.version.split()[0]}, numpy {np.__version__}"
    )
    settings = {
        "scenario": ["scenario strategies"],
        "time-based": ["time-based only"],
        "both": ["scenario strategies", "time-based only"],
    }[args.negmas_strategies]
    negmas = negmas_measurements(space, negmas_runs, args.seed, settings)
    negsim = negsim_measurements(
        scenario, args.negsim_runs, args.single_runs, args.seed, args.quick
    )
    order = interleave([m for m, _ in negmas], negsim)
    if not order:
        print("nothing to measure")
        return
    sys.stdout.flush()  # the progress lines go to stderr
    start = time.perf_counter()
    for r in range(repeat):
        for m in order if r % 2 == 0 else order[::-1]:
            m.time_once()
        print(
            f"  repeat {r + 1}/{repeat} done ({time.perf_counter() - start:.0f} s)", file=sys.stderr
        )
    report(order, [model for _, model in negmas])


if __name__ == "__main__":
    main()
