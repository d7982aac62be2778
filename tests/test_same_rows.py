"""benchmarks/same_rows.py: it finds a changed row, and only a changed row."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from tests.benchmark_scripts import load_benchmark

ROOT = Path(__file__).resolve().parents[1]


same = load_benchmark("same_rows")


def test_differ_compares_bit_for_bit_with_nan_equal_to_nan():
    a = pd.DataFrame({"u": [0.1, np.nan, 0.3], "deal": ["x", None, "y"], "only_a": [1, 2, 3]})
    assert same.differ(a, a.drop(columns="only_a").copy()) is None  # a column one side lacks
    ulp = a.copy()
    ulp.loc[2, "u"] = np.nextafter(0.3, 1.0)
    assert same.differ(a, ulp) == "u (row 2)"
    filled = a.copy()
    filled.loc[1, "u"] = 0.0
    assert same.differ(a, filled) == "u (row 1)"
    text = a.copy()
    text.loc[0, "deal"] = "z"
    assert same.differ(a, text) == "deal"
    assert same.differ(a, a.iloc[:2]) == "3 rows against 2"


def test_rows_of_a_tree_are_its_engine_s_rows(tmp_path):
    cases = {
        "baseline-1": {
            "path": str(ROOT / "scenarios" / "ukraine_2025.yaml"),
            "runs": 30,
            "seed": 1,
        },
        "baseline-2": {
            "path": str(ROOT / "scenarios" / "ukraine_2025.yaml"),
            "runs": 30,
            "seed": 2,
        },
    }
    listing = tmp_path / "cases.json"
    listing.write_text(json.dumps(cases))
    same.rows_of(ROOT, listing, tmp_path / "rows")
    one = pd.read_parquet(tmp_path / "rows" / "baseline-1.parquet")
    two = pd.read_parquet(tmp_path / "rows" / "baseline-2.parquet")
    from sim.scenario import load_scenario
    from sim.simulation import simulate

    direct = simulate(load_scenario(ROOT / "scenarios" / "ukraine_2025.yaml"), seed=1, runs=30)
    assert same.differ(direct, one) is None
    assert same.differ(one, two) is not None  # another seed: other rows, and it says so
