"""Minimal relaxations: the smallest sets of red lines whose removal opens the zone.

Dropping a set R of lines brings outcome o into the zone exactly when o is acceptable on
utilities and every line blocking o is in R. So the sets that open the zone are the
supersets of the blocker sets B(o), and the minimal ones are the minimal B(o): they are
found from the outcomes directly, with no search over combinations of lines.
"""

from __future__ import annotations

import numpy as np

from sim.analysis.zone import Zone


def minimal_relaxations(zone: Zone, max_size: int = 3) -> list[tuple[int, ...]]:
    """Every minimal set of at most ``max_size`` red lines (by index) that opens the zone.

    Smallest sets first, then in the order of the lines. When the zone is already open,
    the one minimal relaxation is the empty set.
    """
    blockers = zone.blockers
    if np.any(zone.acceptable & (blockers == 0)):
        return [()]
    candidates = zone.acceptable & (blockers <= max_size)
    if not candidates.any():
        return []
    sets = zone.blocked[:, candidates].T  # m × L
    _, first = np.unique(np.packbits(sets, axis=1), axis=0, return_index=True)
    found = sorted(
        (tuple(int(i) for i in np.flatnonzero(sets[j])) for j in first),
        key=lambda s: (len(s), s),
    )
    minimal: list[tuple[int, ...]] = []
    for candidate in found:
        members = set(candidate)
        if not any(members.issuperset(kept) for kept in minimal):
            minimal.append(candidate)
    return minimal
