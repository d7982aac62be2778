"""Bargaining solutions over the zone: Nash (1950) and Kalai–Smorodinsky (1975)."""

from __future__ import annotations

import numpy as np

from sim.arrays import FloatArray, IntArray
from sim.space import EPS, OutcomeSpace


def gains(space: OutcomeSpace, outcomes: IntArray) -> FloatArray:
    """S × n: each signatory's utility over its reservation value, for the given outcomes."""
    signs = np.flatnonzero(space.signs)
    return space.utility[signs][:, outcomes] - space.reservation[signs, None]


def nash_products(space: OutcomeSpace, outcomes: IntArray) -> FloatArray:
    """The Nash product prod_p (u_p(o) - r_p) over the parties that sign every deal."""
    g = gains(space, outcomes)
    product = np.ones(outcomes.size)
    for row in g:  # left to right, the same rounding as a product written out
        product = product * row
    return product


def kalai_smorodinsky(space: OutcomeSpace, zone: IntArray) -> int | None:
    """The zone outcome that maximises the smallest share of best possible gain.

    Each signatory's gain over its reservation value is divided by its largest gain in
    the zone (its ideal point); the discrete Kalai–Smorodinsky point maximises the
    smallest such share. A party whose ideal gain is zero counts as fully served.
    Ties go to the first outcome in order.
    """
    if zone.size == 0:
        return None
    g = gains(space, zone)
    ideal = g.max(axis=1, keepdims=True)
    safe = np.where(ideal > EPS, ideal, 1.0)
    share = np.where(ideal > EPS, g / safe, 1.0)
    return int(zone[int(np.argmax(share.min(axis=0)))])
