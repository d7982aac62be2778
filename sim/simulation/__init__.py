"""Simulated negotiations: parties as Mesa agents, a block of replicate runs at a time."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
import pandas as pd

from sim.scenario import Scenario
from sim.simulation.model import ENDINGS, NegotiationModel, Outcomes, run_block
from sim.simulation.results import to_frame
from sim.simulation.tables import Tables
from sim.space import OutcomeSpace

#: Runs simulated together by default.
#: 5,000 keeps a block's arrays in cache better than 10,000 (about 6% faster here).
DEFAULT_BLOCK = 5_000


def blocks(runs: int | npt.ArrayLike, size: int) -> Iterator[npt.NDArray[np.uint64]]:
    """Split run ids (``range(runs)`` for a number) into blocks of at most ``size``."""
    ids = np.arange(runs, dtype=np.uint64) if isinstance(runs, int) else np.asarray(runs, np.uint64)
    for start in range(0, ids.size, max(1, size)):
        yield ids[start : start + size]


#: Bytes a process needs whatever it simulates (interpreter, libraries, bounded chunks).
FIXED_MEMORY = 256 << 20


def runs_within(space: Tables, memory: int) -> int:
    """How many runs one block may hold to stay within ``memory`` bytes (at least 1).

    An upper estimate, in 8-byte cells, of a run's share of a block: its own utility
    tables when preferences are noisy or moved by events (``(P + Q, I, K)``, a row per
    party and per ratifier, a few copies), its texts and drafts (``(I, K)`` per draft),
    its texts per party (``(P, I)``), the offers each party remembers (``(P, H)``, H the
    longest tit-for-tat window), the state of each party (about 40 arrays of ``(P,)``
    with its parameters, outcomes and row), of each line (about 25 of ``(L,)``, its
    ratifiers' lines included), of each issue, ratifier, event and sampled parameter,
    and its row; nothing in a round grows with the number of outcomes (DESIGN.md,
    "Scale"). ``tests/batch/test_memory.py`` checks it against the arrays of blocks of
    generated and of extreme negotiations.
    """
    from sim.simulation.model import config_of

    spec = space.scenario
    n_parties, n_issues = len(space.parties), len(space.issues)
    n_rows = n_parties + len(space.ratifiers)  # rows of the utility tables
    history = max(int(config_of(space).memory.max(initial=0)), 0) + 1
    cells = 6 * n_rows * n_issues * space.width + 48 * n_issues * space.width
    cells += 4 * n_parties * n_issues + 2 * n_parties * history
    cells += 48 * n_parties + 32 * len(space.lines) + 16 * n_issues
    cells += 4 * (len(space.ratifiers) + len(spec.events) + len(spec.uncertainty.parameters))
    cells += 64
    budget = max(memory - FIXED_MEMORY, memory // 4)
    return max(1, budget // (8 * cells))


def tables_of(scenario: Scenario | OutcomeSpace | Tables) -> Tables:
    """The per-issue tables a simulation reads (an enumerated space gives its scenario's)."""
    if isinstance(scenario, Tables):
        return scenario
    if isinstance(scenario, OutcomeSpace):
        return Tables.of(scenario.scenario)
    return Tables.of(scenario)


def simulate(
    scenario: Scenario | OutcomeSpace | Tables,
    seed: int = 0,
    runs: int | npt.ArrayLike = 1,
    block: int = DEFAULT_BLOCK,
) -> pd.DataFrame:
    """Simulate runs of a scenario; one row per run, identical whatever the block size."""
    space = tables_of(scenario)
    parts = [run_block(space, seed, ids)[0] for ids in blocks(runs, block)]
    if not parts:
        return to_frame(
            space,
            Outcomes.empty(
                len(space.parties),
                len(space.lines),
                len(space.issues),
                len(space.scenario.events),
                len(space.scenario.uncertainty.parameters),
                len(space.ratifiers),
            ),
        )
    return to_frame(space, Outcomes.concat(parts))


__all__ = [
    "DEFAULT_BLOCK",
    "ENDINGS",
    "NegotiationModel",
    "Outcomes",
    "blocks",
    "run_block",
    "runs_within",
    "simulate",
    "tables_of",
    "to_frame",
]
