"""One scenario's agreement space, analysed: the result object behind ``negsim analyze``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.analysis.pareto import pareto_mask
from sim.analysis.relaxations import minimal_relaxations
from sim.analysis.solutions import kalai_smorodinsky, nash_products
from sim.analysis.zone import Zone, agreement_zone, excludes, unlocked
from sim.arrays import BoolArray, FloatArray, IntArray
from sim.space import OutcomeSpace

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, eq=False)
class Analysis:
    """Which agreements can form in a space, and which red lines stand in the way."""

    space: OutcomeSpace
    zone: Zone
    feasible: IntArray  # zone outcomes, best Nash product first (ties in outcome order)
    nash_product: FloatArray  # per feasible outcome
    pareto: BoolArray  # per feasible outcome
    nash: int | None
    kalai_smorodinsky: int | None
    excludes: IntArray  # L: outcomes crossing each line
    unlocks: BoolArray  # L × O: outcomes each line alone keeps out
    relaxations: list[tuple[int, ...]]
    max_relax: int

    @property
    def unlock_counts(self) -> IntArray:
        """L: how many outcomes each line alone keeps out of the zone."""
        return self.unlocks.sum(axis=1)

    def to_frame(self) -> pd.DataFrame:
        """The deals that can form, one row each, best Nash product first, in words.

        Indexed by ``outcome`` (the deal's number in the outcome space); columns: one per
        issue (the option's label), ``u_<party>`` for every party, ``nash_product``,
        ``pareto``, ``nash`` and ``kalai_smorodinsky`` (the deal is that point).
        """
        import pandas as pd

        space = self.space
        scenario = space.scenario
        outcomes = self.feasible.tolist()
        columns: dict[str, object] = {}
        for i, issue in enumerate(space.issues):
            labels = [scenario.option_label(issue, option) for option in space.options[i]]
            columns[issue] = [labels[int(space.choice[o, i])] for o in outcomes]
        for p, party in enumerate(space.parties):
            columns[f"u_{party}"] = space.utility[p, self.feasible]
        columns["nash_product"] = self.nash_product
        columns["pareto"] = self.pareto
        columns["nash"] = [o == self.nash for o in outcomes]
        columns["kalai_smorodinsky"] = [o == self.kalai_smorodinsky for o in outcomes]
        return pd.DataFrame(columns, index=pd.Index(outcomes, name="outcome", dtype="int64"))

    def summary(self, top: int = 10) -> str:
        """The one-screen answer of ``negsim analyze``: the deals in words, the red lines."""
        from sim.analysis.report import to_text

        return to_text(self, top)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        scenario = self.space.scenario
        n_zone = self.feasible.size
        head = (
            f"<Analysis of {scenario.id!r}: {n_zone:,} of {self.space.n_outcomes:,} deals can form"
        )
        if self.nash is None:
            return head + " (.summary() says why; .relaxations opens the zone)>"
        nash = "; ".join(self.space.describe(self.nash))
        return head + f"; Nash point: {nash} (.summary() and .to_frame() show them all)>"


def analyze(space: OutcomeSpace, max_relax: int = 3) -> Analysis:
    """Analyse the agreement space: zone, Pareto set, Nash and K–S points, red lines."""
    zone = agreement_zone(space)
    members = np.flatnonzero(zone.zone)
    products = nash_products(space, members)
    order = np.argsort(-products, kind="stable")
    feasible = members[order]
    signatories = space.utility[space.signs]
    pareto = pareto_mask(signatories[:, members].T)[order]
    return Analysis(
        space=space,
        zone=zone,
        feasible=feasible,
        nash_product=products[order],
        pareto=pareto,
        nash=int(feasible[0]) if feasible.size else None,
        kalai_smorodinsky=kalai_smorodinsky(space, members),
        excludes=excludes(space),
        unlocks=unlocked(zone),
        relaxations=minimal_relaxations(zone, max_relax),
        max_relax=max_relax,
    )
