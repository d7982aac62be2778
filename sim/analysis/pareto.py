"""Pareto-optimal points by sort-filter skyline (Chomicki, Godfrey, Gryz & Liang 2003).

A point dominates another when it is at least as good for every party and better for
one, with utilities compared up to the rounding tolerance of DESIGN.md. With a
tolerance, domination is not transitive, so the skyline pass only proposes a front;
a second pass checks every member of it against all points, which makes the result
exactly the set of points that no point dominates.
"""

from __future__ import annotations

import numpy as np

from sim.arrays import BoolArray, FloatArray
from sim.space import EPS

#: Points compared at once; bounds memory to CHUNK × front × parties.
CHUNK = 256


def dominates(a: FloatArray, b: FloatArray) -> BoolArray:
    """len(a) × len(b): a[i] dominates b[j]."""
    ge = np.all(a[:, None, :] >= b[None, :, :] - EPS, axis=2)
    gt = np.any(a[:, None, :] > b[None, :, :] + EPS, axis=2)
    return ge & gt


def pareto_mask(points: FloatArray) -> BoolArray:
    """Which rows of an n × k array of utilities no other row dominates."""
    n = points.shape[0]
    keep = np.zeros(n, dtype=bool)
    if n == 0:
        return keep
    # Sorted by falling sum, a point's dominators (but for near-ties) come before it,
    # so comparing each chunk with the front found so far discards most points.
    order = np.argsort(-points.sum(axis=1), kind="stable")
    front = np.empty(0, dtype=np.intp)
    for start in range(0, n, CHUNK):
        chunk = order[start : start + CHUNK]
        cpts = points[chunk]
        beaten = dominates(cpts, cpts).any(axis=0)
        if front.size:
            beaten |= dominates(points[front], cpts).any(axis=0)
        front = np.concatenate([front, chunk[~beaten]])
    # Exactness: a front member may be dominated by a discarded point or a later one.
    fpts = points[front]
    beaten = np.zeros(front.size, dtype=bool)
    for start in range(0, n, CHUNK):
        beaten |= dominates(points[start : start + CHUNK], fpts).any(axis=0)
    keep[front[~beaten]] = True
    return keep
