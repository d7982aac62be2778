"""Minimal relaxations: the smallest sets of red lines whose removal opens the zone.

Dropping a set R of lines brings outcome o into the zone exactly when o is acceptable on
utilities and every line blocking o is in R. So the sets that open the zone are the
supersets of the blocker sets B(o), and the minimal ones are the minimal B(o): they are
found from the outcomes directly, with no search over combinations of lines.

A majority bloc (DESIGN.md v2) gives an outcome several minimal sets instead of one: it
needs enough members whose own lines are all dropped, so each way of choosing those
members is a candidate. Outcomes with the same obstacles give the same candidates, so
they are worked out once per distinct pattern of obstacles.
"""

from __future__ import annotations

import itertools

import numpy as np

from sim.analysis.zone import Vote, Zone


def minimal_relaxations(zone: Zone, max_size: int = 3) -> list[tuple[int, ...]]:
    """Every minimal set of at most ``max_size`` red lines (by index) that opens the zone.

    Smallest sets first, then in the order of the lines. When the zone is already open,
    the one minimal relaxation is the empty set.
    """
    if zone.zone.any():
        return [()]
    blockers = zone.blockers
    candidates = zone.acceptable & (blockers <= max_size)
    if not candidates.any():
        return []
    if zone.votes:
        found = _with_votes(zone, candidates, max_size)
    else:
        sets = zone.blocked[:, candidates].T  # m × L
        _, first = np.unique(np.packbits(sets, axis=1), axis=0, return_index=True)
        found = {tuple(int(i) for i in np.flatnonzero(sets[j])) for j in first}
    minimal: list[tuple[int, ...]] = []
    for candidate in sorted(found, key=lambda s: (len(s), s)):
        members = set(candidate)
        if not any(members.issuperset(kept) for kept in minimal):
            minimal.append(candidate)
    return minimal


def _with_votes(zone: Zone, candidates: np.ndarray, max_size: int) -> set[tuple[int, ...]]:
    assert zone.firm is not None
    rows = [zone.blocked[:, candidates]]
    for vote in zone.votes:
        rows += [vote.reach[:, candidates], vote.signs[None, candidates]]
    patterns = np.vstack(rows).T
    _, first = np.unique(np.packbits(patterns, axis=1), axis=0, return_index=True)
    columns = np.flatnonzero(candidates)[first]
    found: set[tuple[int, ...]] = set()
    for o in columns.tolist():
        base = frozenset(int(i) for i in np.flatnonzero(zone.blocked[:, o] & zone.firm))
        options = [base]
        for vote in zone.votes:
            if not vote.signs[o]:
                continue
            options = [
                s | extra
                for s in options
                for extra in _vote_sets(vote, zone, o, max_size - len(s))
                if len(s | extra) <= max_size
            ]
        found.update(tuple(sorted(s)) for s in options)
    return found


def _vote_sets(vote: Vote, zone: Zone, o: int, budget: int) -> list[frozenset[int]]:
    """The minimal sets of a bloc's member lines that let its vote pass on outcome o."""
    own = [
        frozenset(int(line) for line in rows[zone.blocked[rows, o]])
        for j, rows in enumerate(vote.lines)
        if vote.reach[j, o]
    ]
    free = sum(1 for lines in own if not lines)
    if free >= vote.need:
        return [frozenset()]
    short = vote.need - free
    crossing = [lines for lines in own if lines and len(lines) <= budget]
    return [
        frozenset().union(*chosen)
        for chosen in itertools.combinations(crossing, short)
        if sum(len(lines) for lines in chosen) <= budget
    ]
