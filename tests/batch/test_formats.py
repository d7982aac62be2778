"""Every kind of batch reads as one table in pyarrow.dataset, pandas, DuckDB and Polars."""

from __future__ import annotations

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.batch import load_results
from sim.batch.manifest import read_manifest
from sim.batch.schema import arrow_schema, batch_columns, to_frame, to_table
from tests.batch.conftest import ROOT
from tests.batch.folders import VETO, batch, parts, trade_file

CREDIBILITY = (0.0, 0.35, 0.7, 1.0)


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """Three batches: plain, swept over 0,0.35,0.7,1, and two scenarios with other issues."""
    root = tmp_path_factory.mktemp("formats")
    made = {
        "plain": batch(root / "plain", runs=250),
        "swept": batch(root / "swept", "--sweep", f"{VETO}=0,0.35,0.7,1", runs=150, block=40),
        "several": batch(
            root / "several",
            files=(trade_file(root), ROOT / "scenarios" / "ukraine_2025_de_jure.yaml"),
            runs=120,
            block=50,
        ),
    }
    assert made == dict.fromkeys(made, 0)
    return {name: root / name for name in made}


KINDS = ["plain", "swept", "several"]
EXPECTED_RUNS = {"plain": 250, "swept": 600, "several": 240}


@pytest.mark.parametrize("kind", KINDS)
def test_every_part_has_the_batch_schema(folders, kind):
    out = folders[kind]
    expected = arrow_schema(read_manifest(out).columns)
    assert len(parts(out)) > 1
    for part in parts(out):
        assert pq.read_schema(part).remove_metadata().equals(expected), part.name


@pytest.mark.parametrize("kind", KINDS)
def test_pyarrow_dataset_reads_every_row_and_column(folders, kind):
    out = folders[kind]
    table = ds.dataset(out / "runs", format="parquet").to_table()
    assert table.num_rows == EXPECTED_RUNS[kind]
    assert table.column_names == [c.name for c in read_manifest(out).columns]
    assert table.schema.field("run").type == pa.int64()


@pytest.mark.parametrize("kind", KINDS)
def test_pandas_reads_the_runs_folder_as_load_results_does(folders, kind):
    out = folders[kind]
    direct = pd.read_parquet(out / "runs")
    ours = load_results(out)
    assert len(direct) == len(ours) == EXPECTED_RUNS[kind]
    key = ["scenario", "run", *(c for c in ours.columns if c.startswith("parties."))]
    direct = direct.sort_values(key, ignore_index=True)
    ours = ours.sort_values(key, ignore_index=True)
    for column in ours.columns:
        assert direct[column].astype(str).tolist() == ours[column].astype(str).tolist(), column


@pytest.mark.parametrize("kind", KINDS)
def test_duckdb_reads_every_row(folders, kind):
    out = folders[kind]
    glob = str(out / "runs" / "*.parquet")
    key = f'scenario, run, "{VETO}"' if kind == "swept" else "scenario, run"
    count, distinct = duckdb.sql(
        f"select count(*), count(distinct ({key})) from read_parquet('{glob}')"
    ).fetchone()
    assert count == distinct == EXPECTED_RUNS[kind]


@pytest.mark.parametrize("kind", KINDS)
def test_polars_reads_every_row(folders, kind):
    out = folders[kind]
    frame = pl.read_parquet(out / "runs" / "*.parquet")
    assert frame.height == EXPECTED_RUNS[kind]
    assert frame.columns == [c.name for c in read_manifest(out).columns]
    lazy = pl.scan_parquet(out / "runs").select(pl.len()).collect().item()
    assert lazy == EXPECTED_RUNS[kind]


def test_a_swept_number_is_float64_in_every_part_and_reader(folders):
    out = folders["swept"]
    for part in parts(out):
        assert pq.read_schema(part).field(VETO).type == pa.float64()
    values = pd.read_parquet(out / "runs")[VETO]
    assert values.dtype == "float64"
    assert sorted(values.unique()) == list(CREDIBILITY)
    per_value = load_results(out).groupby(VETO).size()
    assert per_value.to_dict() == dict.fromkeys(CREDIBILITY, 150)
    polars = pl.read_parquet(out / "runs" / "*.parquet")
    assert polars.schema[VETO] == pl.Float64


def test_several_scenarios_keep_each_ones_issues(folders):
    out = folders["several"]
    rows = pd.read_parquet(out / "runs")
    trade = rows[rows["scenario"] == "trade"]
    other = rows[rows["scenario"] != "trade"]
    assert len(trade) == len(other) == 120
    # a scenario's own issues are filled where it agreed; the other's issues are null
    assert trade["tariff"].notna().sum() == trade["agreement"].sum() > 0
    assert trade["territory"].isna().all() and other["tariff"].isna().all()
    assert other["u_russia"].notna().all() and trade["u_russia"].isna().all()


numbers = st.one_of(
    st.integers(-(10**6), 10**6), st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
)


@given(values=st.lists(numbers, min_size=1, max_size=6, unique=True))
def test_swept_numbers_are_float64_whatever_mix_of_ints_and_floats(values):
    frames = [
        pd.DataFrame({"scenario": pd.Categorical(["s"]), "x": [value], "run": [0]})
        for value in values  # each part sees one value, as a sweep point's block does
    ]
    columns = batch_columns(frames[:1], {"x": values})
    tables = [to_table(frame, columns) for frame in frames]
    assert {t.schema for t in tables} == {arrow_schema(columns)}
    assert tables[0].schema.field("x").type == pa.float64()
    back = to_frame(pa.concat_tables(tables), columns)
    assert back["x"].tolist() == [float(v) for v in values]
