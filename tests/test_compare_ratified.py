"""Issue 13.3: ``negsim compare`` reports the change of the ratified share when both have it."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim.compare
from sim.compare import (
    compare_batches,
    compare_points,
    format_comparison,
    holm,
    mcnemar_p,
    newcombe_interval,
    paired_difference,
)
from sim.plots.data import BatchData, PointData
from tests.test_compare import TINY, scenario

SENATE = {"id": "senate", "label": "Senate", "reservation": 0.5}


def home_point(ratified: list[bool | None], senate: bool = True) -> PointData:
    """A point whose run i ended in a deal (a, c) unless ``ratified[i]`` is None."""
    data = copy.deepcopy(TINY)
    if senate:
        data["parties"]["p"]["ratification"] = [SENATE]
    the = scenario(data)
    rows = pd.DataFrame(
        {
            "scenario": the.id,
            "run": np.arange(len(ratified), dtype=np.uint64),
            "agreement": [r is not None for r in ratified],
            "x": [None if r is None else "a" for r in ratified],
            "y": [None if r is None else "c" for r in ratified],
            "ratified": pd.array(ratified, dtype="boolean"),
        }
    )
    return PointData(the.id, the, {}, rows)


#: Run by run: A ratifies runs 0-39, B runs 20-79 (discordant: 20 only A, 40 only B).
A = [True] * 40 + [False] * 40 + [None] * 20
B = [False] * 20 + [True] * 60 + [None] * 20


def test_paired_runs_give_the_paired_change_of_the_ratified_share():
    pair = compare_points(home_point(A), 7, home_point(B), 7)
    assert pair.paired and pair.ratified is not None
    r = pair.ratified
    assert (r.count_a, r.count_b, r.runs_a, r.runs_b) == (40, 60, 100, 100)
    assert r.discordant == (20, 40)
    assert (r.change, r.low, r.high) == pytest.approx(paired_difference(20, 40, 100))
    assert r.p == pytest.approx(mcnemar_p(20, 40))
    # the deals are compared as before: every run with a deal signed is (a, c)
    assert [d.count_a for d in pair.deals] == [20, 80]


def test_independent_runs_give_newcombes_interval():
    pair = compare_points(home_point(A), 1, home_point(B), 2)
    r = pair.ratified
    assert r is not None and not pair.paired and r.discordant is None
    assert r.change == pytest.approx(0.2)
    assert (r.low, r.high) == pytest.approx(newcombe_interval(60, 100, 40, 100))


def test_no_ratified_row_unless_both_have_ratifiers():
    assert compare_points(home_point(A), 7, home_point(B, senate=False), 7).ratified is None
    assert compare_points(home_point(A, senate=False), 7, home_point(B), 7).ratified is None
    pair = compare_points(home_point(A, senate=False), 7, home_point(B, senate=False), 7)
    assert pair.ratified is None and "ratified" not in format_comparison(
        sim.compare.Comparison("A", "B", (pair,))
    )


def test_the_table_and_json_say_it_and_holm_counts_it(monkeypatch):
    monkeypatch.setattr(sim.compare, "seeds_of", lambda folder: {"tiny": 7})
    a = BatchData(Path("a"), [home_point(A)], {})
    b = BatchData(Path("b"), [home_point(B)], {})
    comparison = compare_batches(a, b)
    (pair,) = comparison.pairs
    assert comparison.tests == len(pair.deals) + 1
    every = [d.p for d in pair.deals] + [pair.ratified.p]
    assert pair.ratified.p_adjusted == pytest.approx(holm(every)[-1])
    text = format_comparison(comparison)
    line = next(line for line in text.splitlines() if "ratified at home" in line)
    assert line.split()[:3] == ["40.0%", "60.0%", "+20.0"]
    data = comparison.to_json()["pairs"][0]["ratified"]
    assert data["a"]["count"] == 40 and data["b"]["count"] == 60
    assert data["discordant"] == {"only_a": 20, "only_b": 40}


def test_the_figure_draws_the_ratified_share_as_its_last_row(monkeypatch):
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_hex

    from sim.plots.compare import RATIFIED_COLOUR, compare_figure

    monkeypatch.setattr(sim.compare, "seeds_of", lambda folder: {"tiny": 7})
    for senate in (True, False):
        a = BatchData(Path("a"), [home_point(A, senate)], {})
        b = BatchData(Path("b"), [home_point(B, senate)], {})
        comparison = compare_batches(a, b)
        (pair,) = comparison.pairs
        figure = compare_figure(comparison)
        ax = figure.axes[0]
        labels = [t.get_text() for t in ax.get_yticklabels()]
        black = [
            line.get_xdata()[0]
            for line in ax.get_lines()
            if line.get_marker() != "None" and to_hex(line.get_markeredgecolor()) == RATIFIED_COLOUR
        ]
        if senate:
            assert labels[-1] == sim.compare.RATIFIED_LABEL
            assert len(labels) == len(pair.deals) + 1
            # A's share (hollow) then B's (filled): 40% and 60% of the runs
            assert black == pytest.approx([0.4, 0.6])
        else:
            assert sim.compare.RATIFIED_LABEL not in labels and not black
            assert len(labels) == len(pair.deals)
        plt.close(figure)
