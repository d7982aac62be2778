"""Beliefs about bluffs: Bayes' rule for a stated red line (Fearon 1995)."""

from __future__ import annotations

from fractions import Fraction
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.simulation.beliefs import PROBE_DEFAULT, avoided, posterior, probed, update

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
evidence = st.lists(st.tuples(unit, st.booleans(), st.booleans()), min_size=1, max_size=12)


def test_worked_example_prior_0_6_pressures_0_2_then_0_5():
    """Prior c = 3/5; the line is seen held at pressure 1/5, then at 1/2, then at 3/10.

    Held at 1/5:  b = c / (c + (1 - c)(1 - 1/5)) = (3/5) / (3/5 + 2/5 * 4/5)
                    = (15/25) / (15/25 + 8/25) = 15/23.
    Held at 1/2:  peak 1/2, b = (3/5) / (3/5 + 2/5 * 1/2) = (3/5) / (4/5) = 3/4;
                  step by step, odds 15/8 times (1 - 1/5) / (1 - 1/2) = 8/5 gives 3, b = 3/4.
                  (Two one-round updates would give (15/23) / (15/23 + 8/23 * 1/2) = 15/19.)
    Held at 3/10: below the peak, nothing new: b = 3/4.
    Given up:     b = 0, and held at 1 afterwards it stays 0.
    """
    c = Fraction(3, 5)
    held_at_fifth = c / (c + (1 - c) * (1 - Fraction(1, 5)))
    held_at_half = c / (c + (1 - c) * (1 - Fraction(1, 2)))
    assert held_at_fifth == Fraction(15, 23)
    assert held_at_half == Fraction(3, 4)
    b, m, top = np.array([0.6]), np.array([0.0]), np.array([0.0])
    b, m, top = update(b, m, top, [0.2], [True], [False])
    assert b[0] == pytest.approx(15 / 23, abs=1e-12)
    b, m, top = update(b, m, top, [0.5], [True], [False])
    assert b[0] == pytest.approx(3 / 4, abs=1e-12)
    assert b[0] != pytest.approx(15 / 19, abs=1e-3)
    assert m[0] == top[0] == 0.5
    b, m, top = update(b, m, top, [0.3], [True], [False])
    assert b[0] == pytest.approx(3 / 4, abs=1e-12)
    assert posterior(0.6, 0.5)[()] == pytest.approx(3 / 4, abs=1e-12)
    b, m, top = update(b, m, top, [0.6], [False], [True])
    assert b[0] == 0.0
    b, m, top = update(b, m, top, [1.0], [True], [False])
    assert b[0] == 0.0


def test_worked_example_a_round_nobody_saw_still_counts():
    """Prior 3/5; the owner is under pressure 4/5 in a round in which nobody sees the line
    (no text crosses it, give-ups not public), then it is seen held at 1/2.

    Unseen at 4/5: nothing seen, b = 3/5.
    Held at 1/2:   held now means it survived 4/5 too:
                   b = (3/5) / (3/5 + 2/5 * 1/5) = (15/25) / (17/25) = 15/17
                   (not (3/5) / (3/5 + 2/5 * 1/2) = 3/4).
    """
    c = Fraction(3, 5)
    assert c / (c + (1 - c) * (1 - Fraction(4, 5))) == Fraction(15, 17)
    b, m, top = update([0.6], [0.0], [0.0], [0.8], [False], [False])
    assert b[0] == 0.6
    assert (m[0], top[0]) == (0.0, 0.8)
    b, m, top = update(b, m, top, [0.5], [True], [False])
    assert b[0] == pytest.approx(15 / 17, abs=1e-12)
    assert m[0] == 0.8


def _play(prior: float, steps: list[tuple[float, bool, bool]]) -> list[float]:
    b, m, top = np.array([prior]), np.array([0.0]), np.array([0.0])
    out = []
    for p, held, gone in steps:
        b, m, top = update(b, m, top, [p], [held], [gone])
        out.append(float(b[0]))
    return out


@given(unit, evidence)
def test_beliefs_stay_in_the_unit_interval(prior, steps):
    assert all(0.0 <= b <= 1.0 for b in _play(prior, steps))


@given(unit, evidence)
def test_a_line_seen_given_up_has_belief_zero_for_good(prior, steps):
    beliefs = _play(prior, steps)
    first = next((k for k, (_, _, gone) in enumerate(steps) if gone), None)
    if first is not None:
        assert all(b == 0.0 for b in beliefs[first:])


@given(unit, st.lists(st.booleans(), min_size=1, max_size=12))
def test_without_evidence_the_belief_stays_at_the_prior(prior, held):
    """Pressure 0 survived, or nothing seen at all: the prior, exactly."""
    steps = [(0.0, h, False) for h in held]
    assert _play(prior, steps) == [prior] * len(steps)
    assert _play(prior, [(0.7, False, False)]) == [prior]


@given(unit, st.lists(st.tuples(unit, st.booleans()), min_size=1, max_size=12))
def test_the_belief_never_falls_while_the_line_holds(prior, steps):
    beliefs = _play(prior, [(p, h, False) for p, h in steps])
    assert all(b >= a for a, b in pairwise([prior, *beliefs]))


@given(unit, unit, unit, unit, unit)
def test_the_belief_rises_with_the_pressure_survived(prior, survived, above, p, q):
    low, high = min(p, q), max(p, q)
    peak = survived + (1 - survived) * above
    b = posterior(prior, survived)
    after_low, _, _ = update(b, survived, peak, low, True, False)
    after_high, _, _ = update(b, survived, peak, high, True, False)
    assert after_low <= after_high + 1e-12


@given(unit, evidence)
def test_step_by_step_equals_the_closed_form_of_the_peak(prior, steps):
    """Only the highest pressure survived counts, whatever the order: the highest
    pressure so far at the last round the line was seen held."""
    beliefs = _play(prior, steps)
    peak, survived, gone = 0.0, 0.0, False
    for (p, held, g), b in zip(steps, beliefs, strict=True):
        gone = gone or g
        peak = max(peak, p)
        if held and not gone:
            survived = peak
        assert b == pytest.approx(posterior(prior, survived, gone)[()], abs=1e-9)


@given(
    arrays(np.float64, (3, 4), elements=unit),
    arrays(np.bool_, (3, 4)),
    st.sampled_from([0.0, PROBE_DEFAULT, 1.0]),
)
def test_the_mediator_tests_bluffs_and_avoids_vetoed_lines_it_believes_firm(belief, vetoed, probe):
    tested, avoid = probed(belief, probe), avoided(vetoed, belief, probe)
    assert avoid.shape == belief.shape
    assert not (avoid & ~vetoed).any(), "only vetoed lines are avoided"
    assert not (avoid & tested).any(), "a tested line is not avoided"
    assert (tested == (belief < probe)).all()
    if probe == 0.0:
        assert (avoid == vetoed).all(), "probe 0: every vetoed line avoided, as in 0.2"


def _calibration(
    rng: np.random.Generator, n: int, rounds: int, rule: str
) -> list[tuple[int, float, float, float]]:
    """Simulate the model; in rounds 2, 5 and the last, per bin of the belief (lines not
    seen given up): the round, the mean belief, the share firm and a 4-standard-error
    tolerance. ``rule``: ``bayes`` (the module), ``naive`` (one-round updates multiplied)
    or ``seen_only`` (counting only the pressures of the rounds the line was seen)."""
    prior = rng.uniform(0.05, 0.95, n)
    firm = rng.random(n) < prior
    threshold = rng.random(n)
    # rising pressure, each line its own concession exponent, with noise (it may fall)
    exponent = rng.uniform(0.3, 3.0, n)
    belief, survived, peak = prior.copy(), np.zeros(n), np.zeros(n)
    gone = np.zeros(n, dtype=bool)
    out = []
    edges = np.linspace(0.0, 1.0, 11)
    for t in range(1, rounds + 1):
        pressure = np.clip((t / rounds) ** (1 / exponent) + rng.normal(0, 0.2, n), 0, 0.98)
        gone |= ~firm & (pressure >= threshold)
        seen = rng.random(n) < 0.5  # a text crossing the line was put to its owner
        if rule == "naive":
            step = belief / (belief + (1 - belief) * (1 - pressure))
            belief = np.where(seen & gone, 0.0, np.where(seen, step, belief))
        else:
            if rule == "seen_only":
                peak = survived
            belief, survived, peak = update(
                belief, survived, peak, pressure, seen & ~gone, seen & gone
            )
        if t not in (2, 5, rounds):
            continue
        for lo, hi in pairwise(edges):
            inside = (belief > 0) & (belief >= lo) & (belief < hi)
            count = int(inside.sum())
            if count < 1000:
                continue
            q = float(belief[inside].mean())
            tolerance = 4 * np.sqrt(q * (1 - q) / count) + 0.005
            out.append((t, q, float(firm[inside].mean()), tolerance))
    return out


def test_the_posterior_is_calibrated_among_lines_believed_firm_with_q_the_share_firm_is_q():
    bins = _calibration(np.random.default_rng(20261201), 100_000, 10, "bayes")
    assert len({round(q, 1) for _, q, _, _ in bins}) >= 6, "beliefs spread over the range"
    for t, q, share, tolerance in bins:
        assert abs(share - q) < tolerance, (t, q, share)


@pytest.mark.parametrize(("rule", "sign"), [("naive", -1.0), ("seen_only", 1.0)])
def test_the_check_has_power_other_rules_are_not_calibrated(rule, sign):
    """Multiplying one-round updates overrates firmness (fewer firm lines than believed);
    forgetting the pressure of rounds nobody saw the line underrates it (more)."""
    bins = _calibration(np.random.default_rng(20261201), 100_000, 10, rule)
    assert any(sign * (share - q) > tolerance for _, q, share, tolerance in bins)
