"""The compiled rules (sim.simulation.kernels) against a brute-force reference.

The reference (tests/analysis/reference.py) reads DESIGN.md's definitions outcome by
outcome in plain Python; the kernels read per-issue tables in compiled loops. They must
agree on generated scenarios: red lines, signers, utilities, acceptance and the zone
check. The kernels' random numbers must be those of sim.rng, bit for bit.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.rng import Streams, _mix, draw_word, element_words
from sim.simulation import kernels
from sim.simulation.tables import Tables
from tests.analysis import reference as ref
from tests.scenarios import build, scenario_data

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=50))
def test_the_kernels_mix_is_splitmix64s_finaliser_as_in_sim_rng(words):
    z = np.array(words, dtype=np.uint64)
    assert np.array_equal(kernels.mix_words(z), _mix(z.copy()))


@FAST
@given(
    seed=st.integers(0, 2**64 - 1),
    runs=st.lists(st.integers(0, 2**40), min_size=1, max_size=20, unique=True),
    draw=st.integers(0, 2**32 - 1),
    n=st.integers(1, 12),
)
def test_a_kernels_draw_is_the_streams_uniform(seed, runs, draw, n):
    """``unit(m(k_run ^ word), m(e ^ T_ELEMENT))`` is ``Streams.uniform(draw, (n,))``."""
    streams = Streams(seed, np.array(runs, dtype=np.uint64))
    word = np.uint64(draw_word(draw))
    keys = kernels.mix_words(streams.keys ^ word)  # k_draw of each run
    bits = kernels.mix_words((keys[:, None] ^ element_words(n)[None, :]).reshape(-1))
    unit = (bits >> np.uint64(11)).astype(np.float64) * 2.0**-53
    assert np.array_equal(unit.reshape(len(runs), n), streams.uniform(draw, (n,)))


def _outcomes(scenario):
    return list(itertools.product(*(list(i.options) for i in scenario.issues.values())))


@FAST
@given(scenario_data())
def test_lines_signers_and_utilities_agree_with_the_reference(data):
    scenario = build(data)
    tables = Tables.of(scenario)
    outcomes = _outcomes(scenario)
    texts = np.array([tables.text_of(dict(zip(tables.issues, o, strict=True))) for o in outcomes])
    signers = tables.signers(texts)
    for o, outcome in enumerate(outcomes):
        names = {tables.parties[p] for p in np.flatnonzero(signers[o])}
        assert names == ref.signers(scenario, outcome)
    for k, line in enumerate(tables.lines):
        out = np.empty(len(outcomes), dtype=bool)
        kernels.crosses_rows(tables.kernel, k, texts, out)
        expected = [ref.crosses(scenario, line.party, line.id, o) for o in outcomes]
        assert out.tolist() == expected
        assert tables.crosses(k, texts).tolist() == expected  # the analysis' reading too
    value = _value(tables)
    for p, party in enumerate(tables.parties):
        out = np.empty(len(outcomes))
        kernels.utility_rows(value, p, np.zeros(len(outcomes), dtype=np.intp), texts, out)
        expected = [ref.utility(scenario, party, o) for o in outcomes]
        assert np.allclose(out, expected, rtol=0, atol=1e-12)


def _value(tables: Tables) -> np.ndarray:
    from sim.rng import Streams
    from sim.simulation.sampling import sample_params

    return sample_params(tables, Streams(0, np.zeros(1, dtype=np.uint64))).value_table()[:1]


@FAST
@given(scenario_data(), st.data())
def test_a_party_signs_exactly_what_the_reference_accepts(data, more):
    """At its reservation value and with some lines given up, ``respond`` is ``accepts``."""
    scenario = build(data)
    tables = Tables.of(scenario)
    outcomes = _outcomes(scenario)
    texts = np.array([tables.text_of(dict(zip(tables.issues, o, strict=True))) for o in outcomes])
    dropped = {line.key for line in tables.lines if more.draw(st.booleans())}
    held = np.array([[line.key not in dropped for line in tables.lines]], dtype=bool)
    held = np.ascontiguousarray(np.repeat(held, len(outcomes), axis=0))  # (runs, lines)
    value = _value(tables)
    top = np.ascontiguousarray(value.max(axis=3))
    rows = np.arange(len(outcomes), dtype=np.intp)
    for p, party in enumerate(tables.parties):
        aspiration = np.full(len(outcomes), tables.reservation[p])
        accept = np.empty(len(outcomes), dtype=bool)
        line = np.empty(len(outcomes), dtype=np.intp)
        issue = np.empty(len(outcomes), dtype=np.intp)
        penalty = np.zeros(held.shape)
        kernels.respond_rows(
            tables.kernel, value, top, held, penalty, np.zeros(held.shape), aspiration, p, rows,
            texts, accept, line, issue,
        )  # fmt: skip
        expected = [ref.accepts(scenario, party, o, dropped) for o in outcomes]
        assert accept.tolist() == expected
        for o, outcome in enumerate(outcomes):
            if line[o] >= 0:  # a refusal on a line names a held line the text crosses
                named = tables.lines[line[o]]
                assert named.party == party and named.key not in dropped
                assert ref.crosses(scenario, party, named.id, outcome)
            else:
                assert accept[o] == (issue[o] < 0)


@FAST
@given(scenario_data())
def test_the_zone_check_finds_a_text_exactly_when_the_reference_zone_is_not_empty(data):
    scenario = build(data)
    tables = Tables.of(scenario)
    texts = np.ascontiguousarray(tables.enumerate())
    firm = np.ones((1, len(tables.lines)), dtype=bool)
    out = np.empty(1, dtype=bool)
    kernels.zone_rows(
        tables.kernel, _value(tables), tables.reservation[None, :].copy(), firm,
        np.zeros(firm.shape), texts, tables.signers(texts), np.zeros(1, dtype=np.intp), out,
    )  # fmt: skip
    assert bool(out[0]) == bool(ref.zone_of(scenario, _outcomes(scenario), set()))
