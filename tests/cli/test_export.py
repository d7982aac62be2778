"""``negsim export DIR OUT``: a batch's rows as one .csv or .parquet file (9.15)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim import load_results
from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]
BASE = str(ROOT / "scenarios" / "ukraine_2025.yaml")
VARIANT = str(ROOT / "scenarios" / "ukraine_2025_no_nato_veto.yaml")


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Two scenarios × two sweep points × 30 runs, in parts of 20 (so several per point)."""
    out = tmp_path_factory.mktemp("batch") / "b"
    argv = ["batch", BASE, VARIANT, "--runs", "30", "--seed", "4", "--block", "20"]
    argv += ["--sweep", "parties.ukraine.reservation=0.3,0.45", "--out", str(out), "--quiet"]
    assert main(argv) == 0
    return out


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with categories as their values (what a CSV keeps of them)."""
    return frame.apply(
        lambda c: c.astype(object) if isinstance(c.dtype, pd.CategoricalDtype) else c
    )


def test_parquet_export_is_the_rows_of_load_results(batch, tmp_path, capsys):
    out = tmp_path / "rows.parquet"
    assert main(["export", str(batch), str(out)]) == 0
    expected = load_results(batch)
    assert f"{len(expected):,} rows" in capsys.readouterr().out
    assert len(expected) == 2 * 2 * 30
    pd.testing.assert_frame_equal(pd.read_parquet(out), expected)
    assert pq.ParquetFile(out).metadata.num_rows == len(expected)


def test_csv_export_reads_back_as_the_same_rows(batch, tmp_path):
    out = tmp_path / "rows.CSV"  # the suffix in any case
    assert main(["export", str(batch), str(out)]) == 0
    expected = plain(load_results(batch))
    back = pd.read_csv(out)
    assert list(back.columns) == list(expected.columns)
    for name in expected.columns:
        want, got = expected[name], back[name]
        if pd.api.types.is_numeric_dtype(want) and not pd.api.types.is_bool_dtype(want):
            pd.testing.assert_series_equal(got.astype(float), want.astype(float), rtol=1e-12)
        else:  # text, booleans, missing values (empty cells)
            assert got.astype(str).where(got.notna(), "").tolist() == [
                str(v) if pd.notna(v) else "" for v in want
            ], name


@pytest.mark.parametrize("name", ["rows.xlsx", "rows", "rows.json", "rows.parquet.gz"])
def test_an_unknown_format_is_a_clear_error(batch, tmp_path, capsys, name):
    out = tmp_path / name
    assert main(["export", str(batch), str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {out}: cannot tell the format from ")
    assert ".csv or .parquet" in err and "Traceback" not in err
    assert not out.exists()


def test_export_refuses_to_overwrite_unless_forced(batch, tmp_path, capsys):
    out = tmp_path / "rows.csv"
    out.write_text("mine\n", encoding="utf-8")
    assert main(["export", str(batch), str(out)]) == 2
    assert "exists already (--force replaces it)" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "mine\n"
    assert main(["export", str(batch), str(out), "--force"]) == 0
    assert len(pd.read_csv(out)) == len(load_results(batch))
    assert [p.name for p in tmp_path.iterdir()] == ["rows.csv"]  # no temporary file left


def test_export_never_writes_into_the_batch_s_parts(batch, capsys):
    before = sorted(p.name for p in (batch / "runs").iterdir())
    assert main(["export", str(batch), str(batch / "runs" / "all.parquet")]) == 2
    assert "would be read as a part of the batch" in capsys.readouterr().err
    assert sorted(p.name for p in (batch / "runs").iterdir()) == before


def test_a_folder_that_is_not_a_batch_is_a_clear_error(tmp_path, capsys):
    assert main(["export", str(tmp_path), str(tmp_path / "rows.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "Traceback" not in err
    assert not (tmp_path / "rows.csv").exists()
