"""``negsim compare`` with many deals: the top deals, "other deals", readable rows."""

from __future__ import annotations

import copy
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.colors import to_hex

from sim.compare import Comparison, compare_points, format_comparison, holm
from sim.plots.colours import NO_DEAL_COLOUR, OTHER_COLOUR, deal_colour
from sim.plots.compare import MAX_PAIRS, compare_figure
from sim.plots.data import PointData
from sim.scenario import Scenario, validate_document
from sim.scenario.yamlsource import Document

# Three issues of four options: 64 deals, like the 66-deal study of the issue.
WIDE: dict[str, Any] = {
    "id": "wide",
    "title": "Wide",
    "deadline": 5,
    "protocol": "alternating",
    "issues": {
        issue: {
            "options": {
                f"{issue}{k}": f"{issue.title()} option number {k}, in rather many words"
                for k in range(4)
            }
        }
        for issue in ("x", "y", "z")
    },
    "parties": {
        p: {
            "signs": True,
            "reservation": 0.2,
            "weights": {"x": 1, "y": 1, "z": 1},
            "values": {i: {f"{i}{k}": v for k in range(4)} for i in ("x", "y", "z")},
        }
        for p, v in (("p", 1), ("q", 0))
    },
}


def wide() -> Scenario:
    return validate_document(Document(copy.deepcopy(WIDE)), sources=False)


def point(deals: list[tuple[str, ...] | None], the: Scenario, name: str = "wide") -> PointData:
    issues = list(the.issues)
    rows = pd.DataFrame(
        {
            "scenario": the.id,
            "run": np.arange(len(deals), dtype=np.uint64),
            "agreement": [d is not None for d in deals],
            **{i: [None if d is None else d[k] for d in deals] for k, i in enumerate(issues)},
        }
    )
    return PointData(name, the, {}, rows, scenario_id=name)


def random_deals(seed: int, n: int, fixed_z: bool = False) -> list[tuple[str, ...] | None]:
    rng = np.random.default_rng(seed)
    out: list[tuple[str, ...] | None] = []
    for _ in range(n):
        if rng.random() < 0.1:
            out.append(None)
        else:
            # skewed: a few deals common, many rare
            x, y, z = (min(3, int(rng.exponential(0.8))) for _ in range(3))
            out.append((f"x{x}", f"y{y}", "z0" if fixed_z else f"z{z}"))
    return out


def compared(top: int, fixed_z: bool = False) -> Comparison:
    the = wide()
    a = point(random_deals(1, 3000, fixed_z), the, "A")
    b = point(random_deals(2, 3000, fixed_z), the, "B")
    pair = compare_points(a, 5, b, 5, top)
    adjusted = iter(holm([d.p for d in pair.deals]))
    from dataclasses import replace

    pair = replace(pair, deals=tuple(replace(d, p_adjusted=next(adjusted)) for d in pair.deals))
    return Comparison("A", "B", (pair,))


def test_top_deals_and_the_rest_rolled_up():
    full = compared(0).pairs[0]
    rolled = compared(12).pairs[0]
    assert len(full.deals) > 40  # many deals
    assert len(rolled.deals) == 1 + 12 + 1
    assert rolled.deals[0].is_no_deal and rolled.deals[-1].rolled_up == len(full.deals) - 13
    # The kept rows are the 12 most frequent deals, unchanged; the last holds the rest.
    assert [d.deal for d in rolled.deals[1:13]] == [d.deal for d in full.deals[1:13]]
    assert [d.count_a for d in rolled.deals[:13]] == [d.count_a for d in full.deals[:13]]
    rest = full.deals[13:]
    other = rolled.deals[-1]
    assert other.count_a == sum(d.count_a for d in rest)
    assert other.count_b == sum(d.count_b for d in rest)
    assert sum(d.count_a for d in rolled.deals) == 3000
    assert other.label == f"{len(rest)} other deals"


@given(st.lists(st.sampled_from([None, ("a",), ("b",), ("c",), ("d",)]), min_size=2, max_size=40))
@settings(deadline=None, max_examples=40)
def test_other_deals_pair_as_one_indicator(deals):
    # Paired: a run is discordant for "other deals" when it is in one of them under A
    # and in none of them under B (or the other way round).
    data = copy.deepcopy(WIDE)
    data["issues"] = {"x": {"options": {k: k for k in "abcd"}}}
    for party in data["parties"].values():
        party["weights"] = {"x": 1}
        party["values"] = {"x": {k: 0.5 for k in "abcd"}}
    the = validate_document(Document(data), sources=False)
    a = point(deals, the)
    b = point(list(reversed(deals)), the)
    pair = compare_points(a, 1, b, 1, top=1)
    other = [d for d in pair.deals if d.rolled_up]
    if not other:
        return
    kept = {d.deal for d in pair.deals if d.deal is not None}
    in_other_a = [d is not None and d not in kept for d in deals]
    in_other_b = list(reversed(in_other_a))
    only_a = sum(x and not y for x, y in zip(in_other_a, in_other_b, strict=True))
    only_b = sum(y and not x for x, y in zip(in_other_a, in_other_b, strict=True))
    assert other[0].discordant == (only_a, only_b)


def test_the_table_rolls_up_the_rest():
    table = format_comparison(compared(12))
    assert "other deals" in table and "--top" in table
    rows = [line for line in table.splitlines() if "%" in line[:8]]
    assert len(rows) == 14


def _overlap(a: Any, b: Any) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize("top", [6, 12, 20])
def test_the_figure_shows_the_top_deals_without_overlapping_labels(top):
    comparison = compared(top)
    figure = compare_figure(comparison)
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    ax = figure.axes[0]
    ticks = [t for t in ax.get_yticklabels() if t.get_text()]
    assert len(ticks) == len(comparison.pairs[0].deals) == top + 2
    assert ticks[-1].get_text().endswith("other deals")
    boxes = [t.get_window_extent(renderer) for t in ticks]
    assert not any(_overlap(p, q) for k, p in enumerate(boxes) for q in boxes[k + 1 :])
    plt.close(figure)


def test_shared_options_are_said_once():
    figure = compare_figure(compared(12, fixed_z=True))
    ax = figure.axes[0]
    assert "every deal shown: Z option number 0" in ax.get_title(loc="left")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert not any("Z option" in label for label in labels)
    plt.close(figure)


def test_colours_follow_the_deal():
    comparison = compared(12)
    pair = comparison.pairs[0]
    figure = compare_figure(comparison)
    ax = figure.axes[0]
    for k, d in enumerate(pair.deals):
        want = (
            NO_DEAL_COLOUR
            if d.is_no_deal
            else OTHER_COLOUR
            if d.rolled_up
            else deal_colour(dict(zip(pair.issues, d.deal or (), strict=True)))
        )
        dots = [
            line
            for line in ax.get_lines()
            if len(line.get_ydata()) == 1 and abs(float(line.get_ydata()[0]) - k) < 0.5
        ]
        assert dots and {to_hex(line.get_markeredgecolor()) for line in dots} == {want}
    plt.close(figure)


def test_one_rarer_deal_is_singular():
    the = wide()
    many = [("x0", "y0", "z0")] * 30 + [None] * 5
    a = point([*many, *[("x1", "y1", f"z{k % 4}") for k in range(30)], ("x3", "y3", "z3")], the)
    b = point([*many, *[("x1", "y1", f"z{k % 4}") for k in range(30)], ("x3", "y3", "z2")], the)
    pair = compare_points(a, 1, b, 1, top=0)
    from sim.plots import compare as module

    most, module.MAX_ROWS = module.MAX_ROWS, len(pair.deals) - 1
    try:
        figure = compare_figure(Comparison("A", "B", (pair,)))
    finally:
        module.MAX_ROWS = most
    label = figure.axes[0].get_xlabel()
    assert "not drawn: 1 rarer deal (" in label
    plt.close(figure)


def test_many_pairs_of_points_draw_the_largest_changes_only():
    the = wide()
    pairs = []
    for k in range(40):
        a = point(random_deals(k, 200), the, f"A{k}")
        # pair 7 changes a lot (B never agrees), the others only by chance
        b = point([None] * 200 if k == 7 else random_deals(100 + k, 200), the, f"B{k}")
        pairs.append(compare_points(a, 1, b, 2, top=4))
    figure = compare_figure(Comparison("A", "B", tuple(pairs)))
    panels = [ax for ax in figure.axes if ax.get_visible()]
    assert len(panels) == MAX_PAIRS
    assert any("A7" in ax.get_title(loc="left") for ax in panels)
    assert f"{MAX_PAIRS} of 40 pairs of points drawn" in figure.get_suptitle()
    assert figure.get_size_inches()[1] * 130 < 12_000
    plt.close(figure)
