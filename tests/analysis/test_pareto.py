"""Pareto filter against the pairwise definition, including near-ties within rounding."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.analysis import pareto
from sim.analysis.pareto import pareto_mask

EPS = 1e-9


def brute_force(points: np.ndarray) -> list[bool]:
    def dom(a, b):
        return all(x >= y - EPS for x, y in zip(a, b, strict=True)) and any(
            x > y + EPS for x, y in zip(a, b, strict=True)
        )

    return [not any(dom(other, p) for other in points) for p in points]


# Coordinates on a coarse grid, nudged by amounts around the tolerance, so that
# near-ties and non-transitive domination occur.
coordinate = st.builds(
    lambda k, nudge: k / 4 + nudge,
    st.integers(0, 4),
    st.sampled_from([0.0, 0.0, 4e-10, -4e-10, 9e-10, -9e-10, 1.5e-9, -1.5e-9]),
)


@pytest.mark.parametrize("chunk", [1, 3, 256])
@given(data=st.data())
@settings(max_examples=120, deadline=None)
def test_pareto_mask_is_the_pairwise_definition(chunk, data):
    k = data.draw(st.integers(1, 4))
    rows = data.draw(st.lists(st.lists(coordinate, min_size=k, max_size=k), max_size=40))
    points = np.array(rows, dtype=float).reshape(len(rows), k)
    original = pareto.CHUNK
    pareto.CHUNK = chunk
    try:
        assert pareto_mask(points).tolist() == brute_force(points)
    finally:
        pareto.CHUNK = original


@pytest.mark.parametrize("chunk", [1, 2, 256])
def test_non_transitive_chain_is_resolved_exactly(chunk, monkeypatch):
    monkeypatch.setattr(pareto, "CHUNK", chunk)
    # b dominates c and a dominates b, but a does not dominate c (tolerance): c is not
    # Pareto-optimal because b dominates it, though b itself is not on the front.
    a = [1.0 + 3.2e-9, 0.0 - 0.9e-9]
    b = [1.0 + 1.6e-9, 0.0]
    c = [1.0, 0.0 + 0.9e-9]
    points = np.array([a, b, c])
    assert brute_force(points) == [True, False, False]
    assert pareto_mask(points).tolist() == [True, False, False]
