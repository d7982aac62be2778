"""A block's preparation in compiled passes equals the numpy expressions it replaced, bit for bit.

The references below are the plain numpy code the block was built with before
(``sim.simulation.model._preferences``, ``tables.best_within``, ``Params.value_table``
and the noise loop of ``sampling.sample_params`` at 93d72bd): the same scenario, seed
and runs must give the same bytes, signed zeros included.
"""

from __future__ import annotations

import itertools
import math
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim import rngjit
from sim.rng import Streams
from sim.simulation import model, prepare, sampling
from sim.simulation.kernels import utility_rows
from sim.simulation.model import NegotiationModel, config_of
from sim.simulation.sampling import Params, sample_params
from sim.simulation.tables import EXACT_LIMIT, Searches, Tables
from sim.strategies.single_text import SingleText
from tests.scenarios import build, negotiation_data
from tests.simulation.two_level import two_level_data

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def same(a: Any, b: Any) -> bool:
    """The same shape, dtype and bytes (so -0.0 differs from 0.0)."""
    a, b = np.asarray(a), np.asarray(b)
    return bool(
        a.shape == b.shape
        and a.dtype == b.dtype
        and np.ascontiguousarray(a).tobytes() == np.ascontiguousarray(b).tobytes()
    )


# -- the references: the numpy code of 93d72bd ------------------------------------------------
def reference_value_table(weights: Any, values: Any) -> Any:
    total = weights.sum(axis=2, keepdims=True)
    normalised = weights / np.where(total > 0, total, 1.0)
    return normalised[..., None] * values


def reference_best_within(space: Tables, value: Any, party: int, n: int) -> tuple[Any, Any]:
    own = value[:, party]
    valid = np.arange(space.width)[None, None, :] < space.sizes[None, :, None]
    masked = np.where(valid, own, -np.inf)
    text = np.argmax(masked, axis=2).astype(np.intp)
    lines = [int(k) for k in space.stated if space.line_owner[k] == party]
    listed = [table for k in lines if (table := space.line_tables[k]) is not None]
    coupled = sorted({i for table in listed for i in table.issues})
    combos = math.prod(int(space.sizes[i]) for i in coupled)
    if coupled and combos <= EXACT_LIMIT:
        grid = np.array(
            list(itertools.product(*(range(int(space.sizes[i])) for i in coupled))), dtype=np.intp
        )
        full = np.zeros((grid.shape[0], len(space.issues)), dtype=np.intp)
        full[:, coupled] = grid
        ok = np.ones(grid.shape[0], dtype=bool)
        for k in lines:
            ok &= ~space.crosses(k, full)
        if ok.any():
            candidates = grid[ok]
            score = np.zeros((own.shape[0], candidates.shape[0]))
            for j, i in enumerate(coupled):
                score += own[:, i, :][:, candidates[:, j]]
            pick = np.argmax(score, axis=1)
            text[:, coupled] = candidates[pick]
    text = np.broadcast_to(text, (n, len(space.issues))).copy()
    best = np.empty(text[: value.shape[0]].shape[0])
    rows = text[: value.shape[0]]
    utility_rows(value, party, np.arange(rows.shape[0]), np.ascontiguousarray(rows), best)
    return np.broadcast_to(best, (n,)).copy(), text


def reference_preferences(
    space: Tables, params: Params, mediator: int, bias: float, n: int
) -> dict[str, Any]:
    value = np.ascontiguousarray(reference_value_table(params.weights, params.values))
    valid = np.arange(space.width)[None, :] < space.sizes[:, None]
    issue_best = np.ascontiguousarray(np.where(valid, value, -np.inf).max(axis=3))
    found = [reference_best_within(space, value, p, n) for p in range(len(space.parties))]
    out: dict[str, Any] = {
        "value": value,
        "issue_best": issue_best,
        "top": np.ascontiguousarray(np.stack([top for top, _ in found], axis=1)),
        "best_text": np.ascontiguousarray(np.stack([text for _, text in found], axis=1)),
    }
    if mediator >= 0:
        own = np.where(valid[None], value[:, mediator], -np.inf)
        top = own.max(axis=2, keepdims=True)
        ok = np.isfinite(own)
        weight = np.where(ok, np.exp(bias * np.where(ok, own - top, 0.0)), 0.0)
        cdf = np.cumsum(weight, axis=2)
        out["cdf"] = np.ascontiguousarray(cdf / cdf[:, :, -1:])
        out["order"] = np.ascontiguousarray(np.argsort(-own, axis=2, kind="stable"), np.intp)
        out["favourite"] = np.argmax(own, axis=2).astype(np.intp)
    else:
        shape = (1, len(space.issues), space.width)
        out["cdf"] = np.zeros(shape)
        out["order"] = np.zeros(shape, dtype=np.intp)
    return out


def reference_noise(space: Tables, streams: Streams) -> tuple[Any, Any]:
    """The noisy weights and values of the parties' rows, drawn party by party."""
    layout = sampling._layout(space)
    noise = space.scenario.uncertainty.noise
    n, n_issues, width = streams.runs.shape[0], len(space.issues), space.width
    weights, values = [], []
    for p, (weight_draw, value_draw) in enumerate(layout.noise):
        if noise.weights > 0:
            factor = streams.normal(weight_draw, (n_issues,))
            factor *= noise.weights
            np.exp(factor, out=factor)
            weights.append(layout.weights[:, p, :] * factor)
        else:
            weights.append(np.broadcast_to(layout.weights[:, p], (n, n_issues)))
        if noise.values > 0:
            noisy = streams.normal(value_draw, (n_issues, width))
            out = np.empty((n, n_issues, width))
            rngjit.add_clipped(noisy, noise.values, layout.values[:, p], out)
            values.append(out)
    return weights, values


# -- generated scenarios --------------------------------------------------------------------------
@st.composite
def blocks(draw: st.DrawFn) -> tuple[Tables, Streams]:
    """A generated negotiation (perhaps with ratifiers), its noise drawn, and a block of runs."""
    data = draw(two_level_data() if draw(st.booleans()) else negotiation_data())
    data.setdefault("uncertainty", {})["noise"] = {
        "weights": draw(st.sampled_from([0.0, 0.2, 1.5])),
        "values": draw(st.sampled_from([0.0, 0.1, 0.6])),
    }
    runs = draw(st.lists(st.integers(0, 2**40), min_size=1, max_size=12, unique=True))
    seed = draw(st.integers(0, 2**32))
    return Tables.of(build(data)), Streams(seed, np.array(runs, dtype=np.uint64))


def _mediator(space: Tables) -> tuple[int, float]:
    config = config_of(space)
    if config.mediator < 0:
        return -1, 0.0
    from sim.strategies import build as build_strategy

    strategy = build_strategy(space.scenario.strategy_of(space.parties[config.mediator]))
    assert isinstance(strategy, SingleText)
    return config.mediator, strategy.params.bias


@FAST
@given(blocks())
def test_a_blocks_preference_tables_are_the_numpy_expressions_bit_for_bit(block):
    space, streams = block
    params = sample_params(space, streams)
    mediator, bias = _mediator(space)
    n = streams.runs.shape[0]
    got = model._preferences(space, params, mediator, bias, n)
    want = reference_preferences(space, params, mediator, bias, n)
    assert set(got) == set(want)
    for key in want:
        assert same(got[key], want[key]), key
    assert same(params.value_table(), want["value"])


@FAST
@given(blocks())
def test_the_noise_of_a_block_is_drawn_as_party_by_party(block):
    space, streams = block
    params = sample_params(space, streams)
    noise = space.scenario.uncertainty.noise
    weights, values = reference_noise(space, streams)
    for p in range(len(space.parties)):
        if noise.weights > 0 or noise.values > 0:
            assert same(params.weights[:, p], weights[p])
        if noise.values > 0:
            assert same(params.values[:, p], values[p])


@FAST
@given(blocks())
def test_a_model_built_in_one_block_or_run_by_run_has_the_same_tables(block):
    space, streams = block
    runs = streams.runs
    whole = NegotiationModel(space, seed=3, runs=runs).state
    for r, run in enumerate(runs):
        alone = NegotiationModel(space, seed=3, runs=[run]).state
        for name in ("top", "best_text", "text"):
            assert same(getattr(alone, name)[0], getattr(whole, name)[r]), name
        for name in ("value", "issue_best", "cdf", "order"):
            mine = getattr(whole, name)
            row = mine[0] if mine.shape[0] == 1 else mine[r]
            assert same(getattr(alone, name)[0], row), name


# -- the compiled passes against numpy on arrays, signed zeros and ties included --------------
@FAST
@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(1, 4), st.integers(0, 300)),
        elements=st.floats(0.0, 1e6, allow_subnormal=True) | st.sampled_from([0.0, -0.0, 1e-300]),
    )
)
def test_the_sum_of_weights_is_numpys_pairwise_sum(a):
    assert same(prepare.numpy_sum(a), a.sum(axis=-1))


@st.composite
def tables(draw: st.DrawFn) -> tuple[Any, Any, Any]:
    rows, parties = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    issues, width = draw(st.integers(1, 12)), draw(st.integers(1, 20))
    sizes = np.array(
        draw(st.lists(st.integers(1, width), min_size=issues, max_size=issues)), dtype=np.intp
    )
    sizes[draw(st.integers(0, issues - 1))] = width
    weight = st.sampled_from([0.0, 0.0, -0.0, 1.0, 2.0, 3.0]) | st.floats(0.0, 10.0)
    value = st.sampled_from([0.0, -0.0, 0.25, 0.5, 1.0]) | st.floats(0.0, 1.0)
    weights = draw(hnp.arrays(np.float64, (rows, parties, issues), elements=weight))
    values = draw(hnp.arrays(np.float64, (rows, parties, issues, width), elements=value))
    return weights, values, sizes


@FAST
@given(tables())
def test_value_tables_and_best_options_are_numpys_on_ties_and_signed_zeros(case):
    weights, values, sizes = case
    value, issue_best = prepare.preference_tables(weights, values, sizes)
    want = reference_value_table(weights, values)
    valid = np.arange(values.shape[3])[None, :] < sizes[:, None]
    masked = np.where(valid, want, -np.inf)
    assert same(value, want)
    assert same(issue_best, masked.max(axis=3))
    n_parties = weights.shape[1]
    space = SimpleNamespace(
        parties=range(n_parties),
        issues=range(weights.shape[2]),
        sizes=sizes,
        searches=Searches(
            issue_ptr=np.zeros(n_parties + 1, np.intp),
            issues=np.zeros(0, np.intp),
            candidate_ptr=np.zeros(n_parties + 1, np.intp),
            candidates=np.zeros(0, np.intp),
        ),
    )
    _, text = prepare.best_within(space, value, value.shape[0])  # no search: each issue's best
    assert same(text, np.argmax(masked, axis=3).astype(np.intp)[:, :n_parties])


@FAST
@given(tables(), st.sampled_from([0.0, 1.0, 4.0, 20.0, -3.0]))
def test_the_mediators_draft_tables_are_numpys(case, bias):
    weights, values, sizes = case
    value, issue_best = prepare.preference_tables(weights, values, sizes)
    rows, _, issues, width = value.shape
    cdf = np.empty((rows, issues, width))
    prepare.draft_exponents(value, issue_best, sizes, 0, bias, cdf)
    np.exp(cdf, out=cdf)
    order = np.empty((rows, issues, width), dtype=np.intp)
    favourite = np.empty((rows, issues), dtype=np.intp)
    prepare.draft_tables(value, sizes, 0, cdf, order, favourite)
    valid = np.arange(width)[None, :] < sizes[:, None]
    own = np.where(valid[None], value[:, 0], -np.inf)
    ok = np.isfinite(own)
    weight = np.where(ok, np.exp(bias * np.where(ok, own - own.max(axis=2, keepdims=True), 0.0)), 0)
    total = np.cumsum(weight, axis=2)
    assert same(cdf, total / total[:, :, -1:])
    assert same(order, np.argsort(-own, axis=2, kind="stable").astype(np.intp))
    assert same(favourite, np.argmax(own, axis=2).astype(np.intp))


# -- the random numbers ---------------------------------------------------------------------------
@pytest.fixture(params=[True, False], ids=["compiled", "numpy"])
def transcendentals(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Both paths: the compiled Box–Muller, and numpy's where the two would differ."""
    if not request.param:
        monkeypatch.setattr(rngjit, "compiled_transcendentals_match", lambda: False)
    return bool(request.param)


@settings(
    FAST,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    seed=st.integers(0, 2**64 - 1),
    runs=st.lists(st.integers(0, 2**63), min_size=0, max_size=6, unique=True),
    draws=st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=4),
    shape=st.tuples(st.integers(0, 4), st.integers(1, 5)),
    scale=st.sampled_from([0.0, 0.1, 2.0]),
    shared=st.booleans(),
)
def test_normals_of_several_draws_at_once_are_each_draws_normals(
    transcendentals, seed, runs, draws, shape, scale, shared
):
    streams = Streams(seed, np.array(runs, dtype=np.uint64))
    n = len(runs)
    together = streams.normals(draws, shape)
    assert together.shape == (n, len(draws), *shape)
    for d, draw in enumerate(draws):
        assert same(together[:, d], streams.normal(draw, shape))
    wider = np.full((n, len(draws) + 1, *shape), 5.0)  # into a strided view of a block's array
    streams.normals(draws, shape, wider[:, : len(draws)])
    assert same(wider[:, : len(draws)], together)
    assert np.all(wider[:, len(draws)] == 5.0)
    rng = np.random.default_rng(seed % 1000)
    base = np.round(rng.random((1 if shared else n, len(draws) + 1, *shape)), 1)
    out = np.full((n, len(draws) + 1, *shape), 7.0)
    streams.clipped_normals(draws, scale, base, out)
    for d, draw in enumerate(draws):
        want = np.clip(streams.normal(draw, shape) * scale + base[:, d], 0.0, 1.0)
        assert same(out[:, d], np.broadcast_to(want, (n, *shape)))
    assert np.all(out[:, len(draws)] == 7.0)  # the rows after the draws are left alone


# -- once per scenario, not once per block ---------------------------------------------------------
def test_an_events_targets_are_located_once_per_scenario_not_once_per_block(monkeypatch):
    data = {
        "id": "located",
        "title": "Events located once",
        "deadline": 5,
        "protocol": "alternating",
        "issues": {"a": {"options": {"x": {}, "y": {}}}},
        "parties": {
            p: {
                "signs": True,
                "weights": {"a": 1.0},
                "values": {"a": {"x": v, "y": 1 - v}},
                "reservation": 0.1,
            }
            for p, v in (("p", 0.2), ("q", 0.7))
        },
        "events": [
            {"id": "e", "round": 2, "probability": 0.5, "set": {"parties.p.reservation": 0.3}}
        ],
    }
    space = Tables.of(build(data))
    dumps = []
    kind = type(space.scenario)
    real = kind.model_dump
    monkeypatch.setattr(kind, "model_dump", lambda self, **kw: dumps.append(1) or real(self, **kw))
    for k in range(4):
        NegotiationModel(space, seed=1, runs=range(k * 10, k * 10 + 10)).run()
    assert len(dumps) == 1
