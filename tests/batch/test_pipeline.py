"""`negsim batch` outside the engine: rows to Arrow, sampling, pieces, parts, the summary.

The fast paths each have a plain reference they must match exactly: the Arrow table
made from numpy is the one pandas gives; the in-place sampler draws the numbers of the
straightforward one; the summary counted part by part is the one-pass summary.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim.batch.store as store
from sim.batch import load_results, plan_batch
from sim.batch.manifest import read_manifest
from sim.batch.plan import DEFAULT_MEMORY
from sim.batch.schema import Rows, batch_columns, to_table
from sim.batch.store import read_batch, read_parts
from sim.batch.summary import summarise, summarise_batch
from sim.rng import Streams
from sim.scenario import ScenarioError, load_scenario
from sim.simulation import Outcomes, simulate, tables_of
from sim.simulation.results import row_columns, to_frame
from sim.simulation.sampling import Params, draw_id, locate, sample, sample_params
from sim.simulation.tables import Tables
from sim.strategies import build as build_strategy
from tests.batch.conftest import BASE
from tests.batch.folders import VETO, batch, parts, trade_file
from tests.scenarios import build, negotiation_data, negotiations

SLOW = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


def fake_outcomes(space: Tables, runs: int, seed: int) -> Outcomes:
    """Outcomes of the right shape (as the engine returns them), drawn from ``seed``."""
    g = np.random.default_rng(seed)
    agreed = g.random(runs) < 0.7
    parties, lines = len(space.parties), len(space.lines)
    return Outcomes(
        runs=np.arange(runs, dtype=np.uint64) * 3,
        agreement=agreed,
        round=np.where(agreed, g.integers(1, 30, runs), -1),
        choice=np.stack(
            [np.where(agreed, g.integers(0, len(o), runs), -1) for o in space.options], axis=1
        ).reshape(runs, len(space.options)),
        utility=g.random((runs, parties)),
        reservation=g.random((runs, parties)),
        firm=g.random((runs, lines)) < 0.5,
        ended=np.where(agreed, 0, g.integers(1, 4, runs)),
        blocker=np.where(agreed, -1, g.integers(0, parties, runs)),
        blocked_line=np.where(agreed | (lines == 0), -1, g.integers(0, max(lines, 1), runs)),
        blocked_issue=np.full(runs, -1),
        fired=g.random((runs, len(space.scenario.events))) < 0.5,
        gave_up=np.where(g.random((runs, lines)) < 0.3, g.integers(1, 30, (runs, lines)), -1),
        sampled=g.random((runs, len(space.scenario.uncertainty.parameters))),
        ratified=np.where(agreed & bool(space.ratifiers), g.integers(0, 2, runs), -1),
        informed=g.random((runs, len(space.ratifiers))) < 0.5,
    )


sweep_values = st.one_of(
    st.floats(-5, 5, allow_nan=False), st.integers(-3, 3), st.booleans(), st.text(max_size=5)
)


# --- rows: numpy to Arrow without pandas ---------------------------------------------


@SLOW
@given(
    scenario=negotiations,
    runs=st.integers(1, 40),  # a part has rows (pandas cannot type an empty text sweep)
    seed=st.integers(0, 2**32 - 1),
    sweep=st.dictionaries(
        st.sampled_from(["deadline", "parties.a.reservation", "protocol"]),
        st.lists(sweep_values, min_size=1, max_size=3),
        max_size=2,
    ),
)
def test_the_arrow_rows_are_the_rows_pandas_gives(scenario, runs, seed, sweep):
    space = Tables.of(scenario)
    outcomes = fake_outcomes(space, runs, seed)
    rows = Rows(row_columns(space, outcomes), {path: values[0] for path, values in sweep.items()})
    probe = Rows(row_columns(space, fake_outcomes(space, 1, seed)), rows.sweep)
    columns = batch_columns([probe.frame()], sweep)
    direct, through_pandas = rows.table(columns), to_table(rows.frame(), columns)
    assert direct.schema.equals(through_pandas.schema, check_metadata=True)
    assert direct.equals(through_pandas)


@SLOW
@given(scenario=negotiations, runs=st.integers(1, 60), seed=st.integers(0, 2**32 - 1))
def test_row_bytes_bounds_the_arrow_bytes_of_generated_rows(scenario, runs, seed):
    """The row size that sizes row groups and parts (store.row_bytes) is never below what
    Arrow holds for the rows (dictionaries' values aside: a few per text column)."""
    space = Tables.of(scenario)
    rows = Rows(row_columns(space, fake_outcomes(space, runs, seed)))
    columns = batch_columns([Rows(row_columns(space, fake_outcomes(space, 1, seed))).frame()], {})
    table = rows.table(columns)
    held = 0
    for column in table.columns:
        for chunk in column.chunks:
            held += chunk.indices.nbytes if hasattr(chunk, "indices") else chunk.nbytes
    assert held <= runs * store.row_bytes(columns) + 64 * len(columns)  # bitmaps round up


def test_a_column_the_schema_lacks_is_refused():
    space = tables_of(load_scenario(BASE))
    rows = Rows(row_columns(space, fake_outcomes(space, 3, 0)), {"deadline": 12})
    columns = [c for c in batch_columns([rows.frame()], {"deadline": [12]}) if c.name != "u_russia"]
    with pytest.raises(ValueError, match="not in the batch's schema: u_russia"):
        rows.table(columns)


@SLOW
@given(scenario=negotiations, runs=st.integers(0, 30), seed=st.integers(0, 2**32 - 1))
def test_to_frame_has_one_row_per_run_in_the_outcomes_order(scenario, runs, seed):
    space = Tables.of(scenario)
    outcomes = fake_outcomes(space, runs, seed)
    frame = to_frame(space, outcomes)
    assert len(frame) == runs
    assert frame["run"].tolist() == outcomes.runs.astype(int).tolist()
    assert (frame["round"].isna() == ~outcomes.agreement).all()
    for i, issue in enumerate(space.issues):
        agreed = outcomes.agreement
        labels = [space.options[i][k] for k in outcomes.choice[agreed, i]]
        assert frame[issue][agreed].tolist() == labels
        assert frame[issue][~agreed].isna().all()


# --- sampling: the same numbers as the straightforward sampler -----------------------


def reference_params(space: Tables, streams: Streams) -> Params:
    """Every per-run parameter drawn the plain way: stacked columns, repeated arrays."""
    scenario = space.scenario
    n = streams.runs.shape[0]
    n_parties, n_issues = len(space.parties), len(space.issues)
    width = max(len(o) for o in space.options)
    weights = np.zeros((1, n_parties, n_issues))
    values = np.zeros((1, n_parties, n_issues, width))
    for p, party in enumerate(scenario.parties.values()):
        for i, issue in enumerate(space.issues):
            weights[0, p, i] = party.weights.get(issue, 0.0)
            for k, option in enumerate(space.options[i]):
                values[0, p, i, k] = party.values.get(issue, {}).get(option, 0.0)

    def stacked(columns: list[Any]) -> Any:
        return np.stack(columns, axis=1).astype(float) if columns else np.zeros((n, 0))

    exponent = [
        build_strategy(scenario.strategy_of(pid)).default_exponent() for pid in space.parties
    ]
    signatories = [p for p, flag in enumerate(space.signs) if flag]
    params = Params(
        reservation=np.repeat(space.reservation[None], n, axis=0),
        weights=weights,
        values=values,
        credibility=np.repeat(
            np.array([[ref.spec.credibility for ref in space.lines]]).reshape(1, -1), n, axis=0
        ),
        line_draw=stacked([streams.uniform(draw_id(f"firm.{ref.key}")) for ref in space.lines]),
        exponent=np.repeat(np.array([exponent]), n, axis=0),
        fires=stacked(
            [streams.uniform(draw_id(f"event.{e.id}")) < e.probability for e in scenario.events]
        ).astype(bool),
        dropped=np.zeros((n, len(space.lines)), dtype=bool),
        order=np.asarray(signatories)[streams.permutation(draw_id("order"), len(signatories))],
        cost_of_delay=np.repeat(
            np.array([[x.cost_of_delay for x in scenario.parties.values()]]), n, axis=0
        ),
        resolve=np.repeat(np.array([[x.resolve for x in scenario.parties.values()]]), n, axis=0),
        audience_cost=np.repeat(
            np.array([[ref.spec.audience_cost for ref in space.lines]]).reshape(1, -1), n, axis=0
        ),
        # the generated scenarios have no ratifiers (tests/simulation/test_two_level.py)
        ratifier_reservation=np.zeros((n, 0)),
        informed=np.zeros((n, 0)),
        informed_draw=np.zeros((n, 0)),
        own_weights=np.zeros(0, dtype=bool),
        own_values=np.zeros((0, n_issues), dtype=bool),
        ratifier_party=np.zeros(0, dtype=np.intp),
    )
    for path, dist in scenario.uncertainty.parameters.items():
        params.set(
            locate(space, path), slice(None), sample(streams, draw_id(f"param.{path}"), dist)
        )
    # The Gaussian copula of resolve, line by line and run by run.
    from scipy.stats import norm

    for k, ref in enumerate(space.lines):
        z = streams.normal(draw_id(f"resolve.{ref.party}"))
        for r in range(n):
            rho = params.resolve[r, ref.party_index]
            if rho > 0:
                u = params.line_draw[r, k]
                coupled = norm.cdf(np.sqrt(rho) * z[r] + np.sqrt(1 - rho) * norm.ppf(u))
                params.line_draw[r, k] = min(coupled, np.nextafter(1.0, 0.0))
    noise = scenario.uncertainty.noise
    if noise.weights > 0 or noise.values > 0:
        params._own_preferences()
        for p, pid in enumerate(space.parties):
            if noise.weights > 0:
                z = streams.normal(draw_id(f"noise.weights.{pid}"), (n_issues,))
                params.weights[:, p, :] *= np.exp(noise.weights * z)
            if noise.values > 0:
                z = streams.normal(draw_id(f"noise.values.{pid}"), (n_issues, width))
                params.values[:, p, :, :] = np.clip(params.values[:, p] + noise.values * z, 0, 1)
    return params


DISTRIBUTIONS = [
    {"dist": "uniform", "low": 0.1, "high": 0.9},
    {"dist": "normal", "mean": 0.5, "sd": 0.3},
    {"dist": "triangular", "low": 0.0, "mode": 0.2, "high": 1.0},
    {"dist": "beta", "a": 2, "b": 3},
    {"dist": "choice", "values": [0.2, 0.7]},
]


@st.composite
def uncertain_scenarios(draw: st.DrawFn) -> Any:
    """Negotiations whose weights, values and credibilities are sampled too."""
    data = draw(negotiation_data())
    params = data["uncertainty"]["parameters"]
    for pid, party in data["parties"].items():
        for issue in party.get("weights", {}):
            if draw(st.integers(0, 2)) == 0:
                params[f"parties.{pid}.weights.{issue}"] = draw(st.sampled_from(DISTRIBUTIONS))
        for issue, values in party.get("values", {}).items():
            for option in values:
                if draw(st.integers(0, 4)) == 0:
                    params[f"parties.{pid}.values.{issue}.{option}"] = draw(
                        st.sampled_from(DISTRIBUTIONS)
                    )
        for k in range(len(party.get("red_lines", []))):
            if draw(st.booleans()):
                params[f"parties.{pid}.red_lines.{k}.credibility"] = draw(
                    st.sampled_from(DISTRIBUTIONS)
                )
    return build(data)


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    scenario=uncertain_scenarios(),
    seed=st.integers(0, 2**64 - 1),
    runs=st.lists(st.integers(0, 2**63), max_size=30, unique=True),
)
def test_the_sampler_draws_the_numbers_of_the_plain_one(scenario, seed, runs):
    space = Tables.of(scenario)
    streams = Streams(seed, np.array(runs, dtype=np.uint64))
    got, expected = sample_params(space, streams), reference_params(space, streams)
    for field in dataclasses.fields(Params):
        a, b = getattr(got, field.name), getattr(expected, field.name)
        if isinstance(b, np.ndarray):
            assert a.shape == b.shape and a.dtype == b.dtype, field.name
            assert np.array_equal(a.view(np.uint8), b.view(np.uint8)), field.name  # bit for bit
        else:
            assert a == b, field.name


def test_a_block_draws_no_array_that_later_blocks_share():
    space = tables_of(load_scenario(BASE))
    first = sample_params(space, Streams(1, np.arange(4)))
    first.values[...] = -1.0
    first.weights[...] = -1.0
    again = sample_params(space, Streams(1, np.arange(4)))
    assert (again.values >= 0).all() and (again.weights >= 0).all()


# --- blocks, pieces and parts ------------------------------------------------------------


def test_a_million_baseline_runs_make_a_few_dozen_parts_of_engine_sized_pieces():
    import sim.batch.work as work

    plan = plan_batch([BASE], runs=10**6)
    sizes = [task.stop - task.start for task in plan.tasks()]
    assert 20 <= len(sizes) <= 100  # each part about 1 MB: not a thousand tiny files
    space = tables_of(load_scenario(BASE))
    assert 5_000 <= work.piece_of(space, DEFAULT_MEMORY) <= 20_000  # what the engine is fast at
    assert work.piece_of(space, 2**20) < work.piece_of(space, DEFAULT_MEMORY)  # --memory bounds it


def test_a_block_is_simulated_in_engine_sized_pieces_with_the_same_rows(tmp_path, monkeypatch):
    import sim.batch.work as work

    pieces: list[int] = []
    real = work.run_block

    def counting(space, seed, runs, trace=False):
        pieces.append(len(runs))
        return real(space, seed, runs, trace)

    monkeypatch.setattr(work, "run_block", counting)
    monkeypatch.setattr(work, "DEFAULT_BLOCK", 16)
    assert batch(tmp_path / "b", runs=90, block=50) == 0
    assert pieces == [1, 16, 16, 16, 2, 16, 16, 8]  # the probe of one run, then 50 and 40
    got = load_results(tmp_path / "b")
    expected = simulate(load_scenario(BASE), seed=3, runs=90)
    assert got.equals(expected.astype(got.dtypes.to_dict()))


def test_parts_keep_statistics_where_readers_filter_and_dictionaries_for_text(tmp_path):
    assert batch(tmp_path / "b", "--sweep", f"{VETO}=0,1", runs=30, block=30) == 0
    for path in parts(tmp_path / "b"):
        meta = pq.ParquetFile(path).metadata
        names = meta.schema.names
        group = meta.row_group(0)
        stats = {names[k]: group.column(k).is_stats_set for k in range(len(names))}
        encodings = {names[k]: group.column(k).encodings for k in range(len(names))}
        assert stats["run"] and stats["round"] and stats["scenario"] and stats[VETO]
        assert not stats["u_russia"] and not stats["r_ukraine"]
        assert any("DICTIONARY" in e for e in encodings["territory"])
        assert not any("DICTIONARY" in e for e in encodings["u_russia"])


# --- the summary, part by part -------------------------------------------------------------


@pytest.fixture(scope="module")
def two_scenarios(tmp_path_factory):
    """Two scenarios with other issues, two sweep points each, four parts per point."""
    root = tmp_path_factory.mktemp("summary")
    files = (trade_file(root), BASE)
    assert batch(root / "b", "--sweep", "deadline=25,40", files=files, runs=70, block=20) == 0
    assert len(parts(root / "b")) == 16
    return root / "b"


@pytest.mark.parametrize("chunk", [1, 50, 100, 10**6])  # a part, parts cut across, all
def test_the_summary_counted_part_by_part_is_the_one_pass_summary(
    two_scenarios, chunk, monkeypatch
):
    import sim.batch.summary as summary

    monkeypatch.setattr(summary, "CHUNK_ROWS", chunk)
    for top in (0, 2, 50):
        one_pass = summarise_batch(read_batch(two_scenarios), top)
        assert summarise(two_scenarios, top) == one_pass


@pytest.mark.parametrize("budget", [None, 1])  # the default; footers too large for two
def test_parts_are_read_a_few_at_a_time(tmp_path, monkeypatch, budget):
    assert batch(tmp_path / "b", runs=300, block=10) == 0
    if budget is not None:
        monkeypatch.setattr(store, "READ_AHEAD_BYTES", budget)
    most = 2 * store.READERS if budget is None else 1
    assert store.read_ahead(tmp_path / "b", parts(tmp_path / "b")) == most
    read: list[str] = []
    real = store._read_part

    def counting(path: Path, *args: Any) -> Any:
        read.append(path.name)
        return real(path, *args)

    monkeypatch.setattr(store, "_read_part", counting)
    manifest = read_manifest(tmp_path / "b")
    folded = 0
    for part, table in read_parts(tmp_path / "b", manifest, ["agreement"]):
        folded += 1
        assert table.num_rows == part.rows
        assert len(read) <= folded + most  # never the whole folder at once
    assert folded == 30 and sorted(read) == [p.name for p in parts(tmp_path / "b")]


def test_footer_bytes_is_the_length_pyarrow_reads(tmp_path):
    """Every part's footer length from its tail is the one Arrow parses, and a file that
    is not Parquet reads as 0 (its read then says what is wrong)."""
    assert batch(tmp_path / "b", runs=40, block=10) == 0
    for path in parts(tmp_path / "b"):
        assert store.footer_bytes(path) == pq.read_metadata(path).serialized_size > 0
    (tmp_path / "junk").write_bytes(b"not a parquet file at all")
    (tmp_path / "short").write_bytes(b"PAR1")
    assert store.footer_bytes(tmp_path / "junk") == store.footer_bytes(tmp_path / "short") == 0
    assert store.footer_bytes(tmp_path / "missing") == 0


def test_wide_parts_are_read_one_at_a_time(tmp_path, monkeypatch):
    """The read-ahead follows the footers' size: parts of a batch with many red lines
    (two columns each) are read fewer at a time, down to one, never none."""
    from tests.batch.folders import many_lines_file

    assert batch(tmp_path / "b", files=(many_lines_file(tmp_path, 300),), runs=20, block=10) == 0
    found = parts(tmp_path / "b")
    footer = max(store.footer_bytes(p) for p in found)
    for budget in (1, footer * store.FOOTER_EXPANSION * 3, 10**12):
        monkeypatch.setattr(store, "READ_AHEAD_BYTES", budget)
        expected = max(1, min(2 * store.READERS, budget // (footer * store.FOOTER_EXPANSION)))
        assert store.read_ahead(tmp_path / "b", found) == expected
    assert expected == 2 * store.READERS


def test_a_wide_part_is_written_in_fewer_larger_row_groups(tmp_path, monkeypatch):
    """Row groups grow past ROW_GROUP_BYTES when the footer of many columns would cost
    more than the group (store.group_bytes), and part_overhead bounds what a part needs."""
    import sim.batch.work as work
    from tests.batch.folders import many_lines_file

    chunk = store.FOOTER_CHUNK_BYTES
    monkeypatch.setattr(work, "DEFAULT_BLOCK", 10)  # pieces of 10 rows
    monkeypatch.setattr(store, "ROW_GROUP_BYTES", 1)
    monkeypatch.setattr(store, "FOOTER_CHUNK_BYTES", 16)  # groups of a few pieces, not one
    wide = many_lines_file(tmp_path, 300)
    assert batch(tmp_path / "b", files=(wide,), runs=200, block=200) == 0
    (path,) = parts(tmp_path / "b")
    columns = read_manifest(tmp_path / "b").columns
    assert len(columns) > 600
    meta = pq.ParquetFile(path).metadata
    gathered = store.group_bytes(columns, 200, DEFAULT_MEMORY)
    assert gathered == int(np.sqrt(16 * len(columns) * 200 * store.row_bytes(columns)))
    rows = [meta.row_group(k).num_rows for k in range(meta.num_row_groups)]
    # each group gathers whole pieces until it holds `gathered` bytes: 1 < groups < 20
    assert 1 < len(rows) < 20 and all(n % 10 == 0 for n in rows[:-1]) and sum(rows) == 200
    assert len(rows) <= np.ceil(200 * store.row_bytes(columns) / gathered)
    assert store.part_overhead(columns, 200, DEFAULT_MEMORY) >= 16 * len(columns) * len(rows)
    # the footer as written is within what FOOTER_CHUNK_BYTES reserves per column chunk
    assert meta.serialized_size <= chunk * len(columns) * len(rows)


def test_a_block_whose_parts_would_not_fit_memory_is_refused(tmp_path, capsys):
    """A part whose row group and footer would need over half of --memory is refused
    before anything is written (exit 2, on --block), with the largest block that fits;
    that block runs."""
    from tests.batch.folders import many_lines_file

    wide = many_lines_file(tmp_path, 2000)
    code = batch(tmp_path / "b", "--memory", "64MiB", files=(wide,), runs=500_000, block=500_000)
    err = capsys.readouterr().err
    assert code == 2 and "--block" in err and "Traceback" not in err
    assert not (tmp_path / "b" / "manifest.json").exists()
    suggested = int(err.split("give --block ")[1].split(" or less")[0].replace(",", ""))
    columns = store.probe_columns(
        plan_batch([wide], runs=500_000, block=suggested, memory=64 << 20)
    )
    assert store.part_overhead(columns, suggested, 64 << 20) <= 32 << 20
    assert store.part_overhead(columns, suggested + 1, 64 << 20) > 32 << 20
    assert batch(tmp_path / "c", "--memory", "64MiB", files=(wide,), runs=20, block=suggested) == 0


def test_a_batch_resumed_with_less_memory_than_its_parts_need_is_refused(tmp_path, capsys):
    """--memory is not a batch's identity: resuming with too little for its parts is
    refused (exit 2) and leaves its parts; with enough it finishes; a finished batch
    run again with little memory writes nothing and is not refused."""
    from tests.batch.folders import many_lines_file

    wide = many_lines_file(tmp_path, 2000)
    out = tmp_path / "b"
    assert batch(out, files=(wide,), runs=200, block=100) == 0
    (first, second) = parts(out)
    columns = read_manifest(out).columns
    small = 64 << 20
    while store.part_overhead(columns, 100, small) <= small // 2:
        small //= 2  # below what parts of 100 rows need (the 64MiB floor is on the CLI)
    plan = plan_batch([wide], runs=200, seed=3, block=100, memory=small)
    with store.open_batch(out, plan) as done:  # finished: nothing to write, not refused
        assert done == {first.name, second.name}
    second.unlink()
    with (
        pytest.raises(ScenarioError, match="more than half of --memory"),
        store.open_batch(out, plan),
    ):
        pass
    assert parts(out) == [first]
    assert batch(out, files=(wide,), runs=200, block=100) == 0
    assert [p.name for p in parts(out)] == [first.name, second.name]


def test_a_part_is_written_piece_by_piece_in_bounded_row_groups(tmp_path, monkeypatch):
    import sim.batch.work as work

    assert batch(tmp_path / "whole", runs=90, block=90) == 0
    monkeypatch.setattr(work, "DEFAULT_BLOCK", 20)
    monkeypatch.setattr(store, "ROW_GROUP_BYTES", 1)  # every piece its own row group
    monkeypatch.setattr(store, "FOOTER_CHUNK_BYTES", 0)
    made: list[int] = []
    real = work.rows_of

    def watched(task):
        for rows in real(task):
            made.append(len(rows))
            yield rows

    monkeypatch.setattr(work, "rows_of", watched)
    assert batch(tmp_path / "pieces", runs=90, block=90) == 0
    (path,) = parts(tmp_path / "pieces")
    groups = pq.ParquetFile(path).metadata
    assert [groups.row_group(k).num_rows for k in range(groups.num_row_groups)] == made[1:]
    assert made[1:] == [20, 20, 20, 20, 10]
    whole = pq.ParquetFile(parts(tmp_path / "whole")[0]).metadata
    assert whole.num_row_groups == 1  # 90 baseline rows are far below the bound
    assert load_results(tmp_path / "pieces").equals(load_results(tmp_path / "whole"))
