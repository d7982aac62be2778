"""One scenario's agreement space, analysed: the result object behind ``negsim analyze``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.analysis.pareto import pareto_mask
from sim.analysis.relaxations import minimal_relaxations
from sim.analysis.solutions import kalai_smorodinsky, nash_products
from sim.analysis.zone import (
    Zone,
    agreement_zone,
    excludes,
    ratifiable_zone,
    ratifier_below,
    unlocked,
)
from sim.arrays import BoolArray, FloatArray, IntArray
from sim.space import OutcomeSpace

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, eq=False)
class Analysis:
    """Which agreements can form in a space, and which red lines stand in the way.

    Ratification (DESIGN.md v2, Putnam 1988): ``ratifiable`` are the zone outcomes that
    every ratifier of every signer accepts, best Nash product first (ties in outcome
    order), with ``ratifiable_nash_product`` and ``ratifiable_pareto`` (Pareto judged
    among the ratifiable outcomes, over the ``signs: true`` parties) beside it, as
    ``feasible`` has; ``ratifiable_zone`` is its :class:`Zone`, over
    ``space.all_lines`` (the parties' red lines, then the ratifiers'). For a zone deal
    that fails at home, :meth:`home_obstacles` names what excludes it (``P.Q.LINE`` for
    a ratifier's red line, ``P.Q`` for its reservation value), and ``failing_at_home``
    lists those deals in ``feasible`` order. ``ratifier_excludes`` (M) counts the
    outcomes crossing each ratifier line (``space.ratifier_lines``) and
    ``ratifier_unlocks`` (M × O) marks the outcomes that join the ratifiable zone when
    that line alone is dropped; ``ratifiable_relaxations`` are the minimal sets of lines
    (indices into ``space.all_lines``, keys by :meth:`line_key`) whose removal opens the
    ratifiable zone, smallest first, up to ``max_relax``. Without ratifiers the
    ratifiable zone is the zone.
    """

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
    ratifiable_zone: Zone
    ratifiable: IntArray  # ratifiable outcomes, best Nash product first (ties in order)
    ratifiable_nash_product: FloatArray  # per ratifiable outcome
    ratifiable_pareto: BoolArray  # per ratifiable outcome, among the ratifiable ones
    ratifier_excludes: IntArray  # M: outcomes crossing each ratifier line
    ratifier_unlocks: BoolArray  # M × O: outcomes that line alone keeps out (ratifiable)
    ratifiable_relaxations: list[tuple[int, ...]]  # indices into space.all_lines

    @property
    def ratifier_unlock_counts(self) -> IntArray:
        """M: how many outcomes each ratifier line alone keeps out of the ratifiable zone."""
        return self.ratifier_unlocks.sum(axis=1)

    @property
    def failing_at_home(self) -> IntArray:
        """The zone outcomes some ratifier rejects, in ``feasible`` order."""
        keep: IntArray = self.feasible[~self.ratifiable_zone.zone[self.feasible]]
        return keep

    def line_key(self, index: int) -> str:
        """The key of line ``index`` of ``space.all_lines``: ``P.LINE`` or ``P.Q.LINE``."""
        return self.space.all_lines[index].key

    def home_obstacles(self, outcome: int) -> list[str]:
        """What excludes an outcome at home, for the ratifiers of its signers.

        ``P.Q.LINE`` for a ratifier's red line it crosses, ``P.Q`` when it is below the
        ratifier's reservation value; ratifier by ratifier in file order (its lines,
        then its reservation). Empty for an outcome every ratifier accepts.
        """
        space = self.space
        first = len(space.lines)
        crossed = self.ratifiable_zone.blocked[first:, outcome]
        below = ratifier_below(space, outcome)
        out: list[str] = []
        for q, ratifier in enumerate(space.ratifiers):
            out += [
                ref.key
                for m, ref in enumerate(space.ratifier_lines)
                if ref.ratifier_index == q and crossed[m]
            ]
            if below[q]:
                out.append(ratifier.key)
        return out

    @property
    def unlock_counts(self) -> IntArray:
        """L: how many outcomes each line alone keeps out of the zone."""
        return self.unlocks.sum(axis=1)

    def to_frame(self) -> pd.DataFrame:
        """The deals that can form, one row each, best Nash product first, in words.

        Indexed by ``outcome`` (the deal's number in the outcome space); columns: one per
        issue (the option's label), ``u_<party>`` for every party, ``nash_product``,
        ``pareto``, ``nash`` and ``kalai_smorodinsky`` (the deal is that point); when any
        party has ratifiers, ``ratified`` (every ratifier of every signer accepts it).
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
        if space.ratifiers:
            columns["ratified"] = self.ratifiable_zone.zone[self.feasible]
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
    feasible, products, pareto = _ranked(space, zone)
    home = ratifiable_zone(space) if space.ratifiers else zone
    if np.array_equal(home.zone, zone.zone):  # the same deals: no second Pareto pass
        ratifiable, home_products, home_pareto = feasible, products, pareto
    else:
        ratifiable, home_products, home_pareto = _ranked(space, home)
    first = len(space.lines)
    return Analysis(
        space=space,
        zone=zone,
        feasible=feasible,
        nash_product=products,
        pareto=pareto,
        nash=int(feasible[0]) if feasible.size else None,
        kalai_smorodinsky=kalai_smorodinsky(space, np.flatnonzero(zone.zone)),
        excludes=excludes(space),
        unlocks=unlocked(zone),
        relaxations=minimal_relaxations(zone, max_relax),
        max_relax=max_relax,
        ratifiable_zone=home,
        ratifiable=ratifiable,
        ratifiable_nash_product=home_products,
        ratifiable_pareto=home_pareto,
        ratifier_excludes=space.ratifier_crosses.sum(axis=1),
        ratifier_unlocks=unlocked(home)[first:],
        ratifiable_relaxations=minimal_relaxations(home, max_relax),
    )


def _ranked(space: OutcomeSpace, zone: Zone) -> tuple[IntArray, FloatArray, BoolArray]:
    """A zone's outcomes best Nash product first, their products and Pareto flags."""
    members = np.flatnonzero(zone.zone)
    products = nash_products(space, members)
    order = np.argsort(-products, kind="stable")
    signatories = space.utility[space.signs]
    pareto = pareto_mask(signatories[:, members].T)[order]
    return members[order], products[order], pareto
