"""Pareto-optimal points by sort-filter skyline (Chomicki, Godfrey, Gryz & Liang 2003).

A point dominates another when it is at least as good for every party and better for
one, with utilities compared up to the rounding tolerance of DESIGN.md.
"""

from __future__ import annotations

import numpy as np

from sim.space import EPS, BoolArray, FloatArray

#: Points compared at once against the running front; bounds memory to chunk × front × k.
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
    # A dominator has a larger sum (up to rounding), so most points meet their
    # dominators in earlier chunks; the backward check catches near-ties.
    order = np.argsort(-points.sum(axis=1), kind="stable")
    front = np.empty(0, dtype=np.intp)
    for start in range(0, n, CHUNK):
        chunk = order[start : start + CHUNK]
        cpts = points[chunk]
        beaten = dominates(cpts, cpts).any(axis=0)
        if front.size:
            fpts = points[front]
            beaten |= dominates(fpts, cpts).any(axis=0)
            front = front[~dominates(cpts, fpts).any(axis=0)]
        front = np.concatenate([front, chunk[~beaten]])
    keep[front] = True
    return keep
