"""The agreement zone and what each red line does to it (DESIGN.md, "Meaning").

A party accepts an outcome when it crosses none of the party's red lines and gives the
party at least its reservation value (Fisher & Ury 1981: nobody takes less than their
BATNA). The zone of possible agreement is the set of outcomes that all of their
signers accept (Raiffa 1982), cut further by the signers' red lines.

Blocs (DESIGN.md v2): when any member of a bloc signs an outcome every member does
(the space's ``signer`` already says so). A ``unanimous`` bloc accepts when every member
does, which is the rule above; a ``majority`` bloc when strictly more than half of its
members do, so its members' red lines and reservations are counted by a :class:`Vote`.

The ratifiable zone (Putnam 1988's win-set) is the same construction over more
obstacles: every ratifier of every signer must accept too (its red lines, numbered
after the parties' in ``space.all_lines``, and its reservation value).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.arrays import BoolArray, IntArray
from sim.space import EPS, OutcomeSpace


@dataclass(frozen=True, eq=False)
class Vote:
    """A majority bloc's vote, over the outcomes its members sign.

    ``lines[j]`` are the rows of the zone's ``blocked`` that belong to member j; the bloc
    accepts o when at least ``need`` members reach their reservation value and cross
    none of their own red lines.
    """

    signs: BoolArray  # O: the bloc's members sign o
    reach: BoolArray  # n × O: member j reaches its reservation value
    lines: tuple[IntArray, ...]  # per member: its line indices
    need: int

    def passes(self, blocked: BoolArray, dropped: BoolArray | None = None) -> BoolArray:
        """O: the bloc accepts (or does not sign) o once the ``dropped`` lines are gone."""
        ayes = np.zeros(self.signs.shape[0], dtype=np.intp)
        for j, rows in enumerate(self.lines):
            kept = rows if dropped is None else rows[~dropped[rows]]
            ayes += self.reach[j] & ~blocked[kept].any(axis=0)
        out: BoolArray = ~self.signs | (ayes >= self.need)
        return out


@dataclass(frozen=True, eq=False)
class Zone:
    """The zone and its parts, over the outcomes of one space.

    ``acceptable``: every signer that answers alone (and, for the ratifiable zone, every
    ratifier of every signer) reaches its reservation value, and every majority bloc
    that signs has enough members who do. ``blocked``: line l is crossed and its owner
    must sign. ``firm``: the line stands alone in the way when crossed (it is no majority
    bloc member's, whose lines count through ``votes``).
    """

    acceptable: BoolArray  # O
    blocked: BoolArray  # L × O: line l is crossed and its owner must sign
    zone: BoolArray  # O: acceptable, blocked by no firm line, and every vote passes
    firm: BoolArray | None = None  # L: None when every line is firm (no majority bloc)
    votes: tuple[Vote, ...] = ()

    @property
    def blockers(self) -> IntArray:
        """How many red lines that stand alone in the way block each outcome."""
        if self.firm is None:
            return self.blocked.sum(axis=0)
        return self.blocked[self.firm].sum(axis=0)

    def without(self, dropped: BoolArray) -> BoolArray:
        """O: the zone once the red lines marked in ``dropped`` (L) are gone."""
        firm = ~dropped if self.firm is None else self.firm & ~dropped
        out: BoolArray = self.acceptable & ~self.blocked[firm].any(axis=0)
        for vote in self.votes:
            out &= vote.passes(self.blocked, dropped)
        return out


def reaches_reservation(space: OutcomeSpace) -> BoolArray:
    """P × O: party p's utility for o reaches its reservation value (with rounding)."""
    return space.utility >= space.reservation[:, None] - EPS


def ratifier_below(space: OutcomeSpace, outcome: int | None = None) -> BoolArray:
    """Q × O (or Q, for one outcome): q's party signs o, which q values below its reservation.

    Utilities are compared with the rounding tolerance of DESIGN.md.
    """
    if outcome is None:
        reach = space.ratifier_utility >= space.ratifier_reservation[:, None] - EPS
        below: BoolArray = ~reach & space.signer[space.ratifier_owner]
        return below
    reach = space.ratifier_utility[:, outcome] >= space.ratifier_reservation - EPS
    one: BoolArray = ~reach & space.signer[space.ratifier_owner, outcome]
    return one


def _zone(space: OutcomeSpace, ratified: bool) -> Zone:
    reach = reaches_reservation(space)
    signer = space.signer
    majority = [b for b in space.blocs if b.need < len(b.members)]
    voting = np.zeros(len(space.parties), dtype=bool)
    for bloc in majority:
        voting[list(bloc.members)] = True
    acceptable = np.all(~signer[~voting] | reach[~voting], axis=0)
    blocked = space.crosses & signer[space.line_owner]
    firm = ~voting[space.line_owner]
    if ratified:
        acceptable &= ~ratifier_below(space).any(axis=0)
        owner = space.ratifier_owner[space.ratifier_line_owner]
        blocked = np.vstack([blocked, space.ratifier_crosses & signer[owner]])
        firm = np.concatenate([firm, np.ones(len(space.ratifier_lines), dtype=bool)])
    votes = []
    for bloc in majority:
        members = list(bloc.members)
        signs = signer[members[0]]
        votes.append(
            Vote(
                signs,
                reach[members],
                tuple(np.flatnonzero(space.line_owner == m) for m in members),
                bloc.need,
            )
        )
        acceptable &= ~signs | (reach[members].sum(axis=0) >= bloc.need)
    if not votes:
        return Zone(acceptable, blocked, acceptable & ~blocked.any(axis=0))
    zone = acceptable & ~blocked[firm].any(axis=0)
    for vote in votes:
        zone &= vote.passes(blocked)
    return Zone(acceptable, blocked, zone, firm, tuple(votes))


def agreement_zone(space: OutcomeSpace) -> Zone:
    """Compute the zone of possible agreement under every red line (over ``space.lines``)."""
    return _zone(space, ratified=False)


def ratifiable_zone(space: OutcomeSpace) -> Zone:
    """The zone outcomes every ratifier of every signer accepts (over ``space.all_lines``)."""
    return _zone(space, ratified=True)


def excludes(space: OutcomeSpace) -> IntArray:
    """L: how many outcomes cross each red line."""
    return space.crosses.sum(axis=1)


def unlocked(zone: Zone) -> BoolArray:
    """L × O: the outcomes that join the zone when line l alone is dropped."""
    if not zone.votes:
        only_one: BoolArray = zone.acceptable & (zone.blockers == 1)
        return zone.blocked & only_one[None, :]
    out = np.zeros_like(zone.blocked)
    dropped = np.zeros(zone.blocked.shape[0], dtype=bool)
    for line in np.flatnonzero(zone.blocked.any(axis=1)):
        dropped[line] = True
        out[line] = zone.without(dropped) & ~zone.zone
        dropped[line] = False
    return out
