"""The agreement zone and what each red line does to it (DESIGN.md, "Meaning").

A party accepts an outcome when it crosses none of the party's red lines and gives the
party at least its reservation value (Fisher & Ury 1981: nobody takes less than their
BATNA). The zone of possible agreement is the set of outcomes that all of their
signers accept (Raiffa 1982), cut further by the signers' red lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.arrays import BoolArray, IntArray
from sim.space import EPS, OutcomeSpace


@dataclass(frozen=True, eq=False)
class Zone:
    """The zone and its parts, over the outcomes of one space."""

    acceptable: BoolArray  # O: every signer reaches its reservation value
    blocked: BoolArray  # L × O: line l is crossed and its owner must sign
    zone: BoolArray  # O: acceptable and blocked by no line

    @property
    def blockers(self) -> IntArray:
        """How many red lines block each outcome."""
        return self.blocked.sum(axis=0)


def reaches_reservation(space: OutcomeSpace) -> BoolArray:
    """P × O: party p's utility for o reaches its reservation value (with rounding)."""
    return space.utility >= space.reservation[:, None] - EPS


def agreement_zone(space: OutcomeSpace) -> Zone:
    """Compute the zone of possible agreement under every red line."""
    acceptable = np.all(~space.signer | reaches_reservation(space), axis=0)
    blocked = space.crosses & space.signer[space.line_owner]
    return Zone(acceptable, blocked, acceptable & ~blocked.any(axis=0))


def excludes(space: OutcomeSpace) -> IntArray:
    """L: how many outcomes cross each red line."""
    return space.crosses.sum(axis=1)


def unlocked(zone: Zone) -> BoolArray:
    """L × O: the outcomes that join the zone when line l alone is dropped."""
    only_one: BoolArray = zone.acceptable & (zone.blockers == 1)
    return zone.blocked & only_one[None, :]
