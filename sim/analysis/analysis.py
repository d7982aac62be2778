"""One scenario's agreement space, analysed: the result object behind ``negsim analyze``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.analysis.pareto import pareto_mask
from sim.analysis.relaxations import minimal_relaxations
from sim.analysis.solutions import kalai_smorodinsky, nash_products
from sim.analysis.zone import Zone, agreement_zone, excludes, unlocked
from sim.arrays import BoolArray, FloatArray, IntArray
from sim.space import OutcomeSpace


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
