"""causes.png: why runs end without a deal, per point, with Wilson whiskers."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.container import BarContainer

from sim.cli import main
from sim.plots import FIGURES, load_batch, plot_batch
from sim.plots.causes import PANELS, TOP_CAUSES, causes_figure
from sim.plots.colours import OTHER_COLOUR
from sim.plots.data import BatchData, PointData
from sim.scenario import load_scenario
from tests.test_causes import BASE, scipy_wilson, write_batch

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("causes_plot") / "b"
    return out, write_batch(out)


def visible(figure):
    return [ax for ax in figure.axes if ax.get_visible()]


def bars_of(ax):
    """Each bar's label, width, colour and whisker ends, top to bottom."""
    (container,) = [c for c in ax.containers if isinstance(c, BarContainer)]
    segments = container.errorbar.lines[2][0].get_segments()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    return [
        (label, bar.get_width(), to_hex(bar.get_facecolor()), (s[0][0], s[1][0]))
        for label, bar, s in zip(labels, container.patches, segments, strict=True)
    ]


def test_registered_for_negsim_plot():
    assert FIGURES["causes"] is causes_figure


def test_three_panels_per_point_with_the_planted_causes(folder):
    out, plant = folder
    data = load_batch(out)
    figure = causes_figure(data)
    try:
        axes = visible(figure)
        assert len(axes) == 3 * len(data.points) == 6
        assert "Why runs end without a deal" in figure.get_suptitle()
        assert "800 runs" in figure.get_suptitle()
        for row, veto, (party, label) in zip(
            (axes[:3], axes[3:]),
            (0, 1),
            (("russia", "Russia"), ("ukraine", "Ukraine")),
            strict=True,
        ):
            titles = [ax.get_title(loc="left") for ax in row]
            for title, panel in zip(titles, PANELS, strict=True):
                assert panel in title
            lost = plant[(plant["veto"] == veto) & ~plant["agreement"]]
            assert f"{len(lost):,} of 400 runs without a deal" in titles[0]
            blockers = bars_of(row[0])
            top = lost["who"].value_counts()
            assert blockers[0][0] == label
            assert blockers[0][1] == pytest.approx(top.iloc[0] / len(lost))
            assert blockers[0][2] == to_hex(data.party_colour(party))
            for (_, width, _, ends), count in zip(blockers, top, strict=True):
                assert width == pytest.approx(count / len(lost))
                assert ends == pytest.approx(scipy_wilson(int(count), len(lost)), abs=1e-9)
            lines = bars_of(row[1])
            assert [w for _, w, _, _ in lines] == pytest.approx(
                list(lost["what"].value_counts() / len(lost))
            )
            ended = bars_of(row[2])
            assert [(lab, w) for lab, w, _, _ in ended] == [("the deadline passed", 1.0)]
        # the red line in its owner's colour, the issue in grey
        first = dict((lab, colour) for lab, _, colour, _ in bars_of(axes[1]))
        assert first["Russia: red line\nno_nato_troops"] == to_hex(data.party_colour("russia"))
        assert any(lab.startswith("issue: ") and c == "#8c8c8c" for lab, c in first.items())
    finally:
        plt.close(figure)


def synthetic(named: list[str], deals: int = 0) -> BatchData:
    """One baseline point whose no-deal runs each name the next of ``named``."""
    scenario = load_scenario(str(BASE))
    n = deals + len(named)
    rows = pd.DataFrame(
        {
            "scenario": pd.Categorical([scenario.id] * n),
            "run": np.arange(n),
            "agreement": [True] * deals + [False] * len(named),
            "ended": pd.Categorical(["agreement"] * deals + ["deadline"] * len(named)),
            "blocker": pd.Categorical([None] * deals + ["ukraine"] * len(named)),
            "blocked_on": pd.Categorical([None] * deals + named),
        }
    )
    for issue in scenario.issues:
        rows[issue] = pd.Categorical(
            [next(iter(scenario.issues[issue].options))] * deals + [None] * len(named)
        )
    point = PointData(
        f"{scenario.id}@0",
        scenario,
        {},
        rows,
        scenario_id=scenario.id,
        issues=tuple(scenario.issues),
    )
    return BatchData(BASE.parent, [point], {}, rows=rows)


def test_top_causes_then_the_others_together():
    # cause k named k + 1 times: 10 causes, the 4 rarest drawn as one bar
    named = [f"issue{k}" for k in range(10) for _ in range(k + 1)]
    figure = causes_figure(synthetic(named))
    try:
        lines = bars_of(visible(figure)[1])
        assert len(lines) == TOP_CAUSES + 1
        assert [lab for lab, *_ in lines[:TOP_CAUSES]] == [
            f"issue: issue{k}" for k in range(9, 9 - TOP_CAUSES, -1)
        ]
        label, width, colour, ends = lines[-1]
        rest = sum(k + 1 for k in range(10 - TOP_CAUSES))
        assert label == f"{10 - TOP_CAUSES} other causes"
        assert width == pytest.approx(rest / len(named))
        assert ends == pytest.approx(scipy_wilson(rest, len(named)), abs=1e-9)
        assert colour == OTHER_COLOUR
    finally:
        plt.close(figure)


def test_every_run_a_deal_draws_nothing():
    assert causes_figure(synthetic([], deals=20)) is None


def test_plot_command_writes_causes_png(folder, tmp_path, capsys):
    out, _ = folder
    assert main(["plot", str(out), "--out", str(tmp_path / "f")]) == 0
    path = tmp_path / "f" / "causes.png"
    assert path.read_bytes()[:8] == PNG
    assert "causes.png" in capsys.readouterr().out
    assert plot_batch(out, tmp_path / "svg", "svg")[-1].name == "causes.svg"


def test_an_older_batch_says_why_there_is_no_figure(tmp_path, capsys):
    out = tmp_path / "old"
    write_batch(out, runs=200, block=200, causes=False)
    assert causes_figure(load_batch(out)) is None
    assert main(["plot", str(out), "--out", str(tmp_path / "f")]) == 0
    printed = capsys.readouterr().out
    assert "no causes.png: the rows do not record who refused the last text" in printed
    assert not (tmp_path / "f" / "causes.png").exists()


def test_many_points_draw_a_bounded_figure_quickly():
    import time

    one = synthetic(["russia.no_nato_troops", "territory", "russia.no_nato_troops"], deals=1)
    (point,) = one.points
    validated = []

    def scenario():
        validated.append(1)
        return point.scenario

    points = [
        PointData(
            f"p{k}",
            scenario,
            {"x": float(k)},
            point.rows,
            scenario_id=point.scenario_id,
            issues=point.issues,
        )
        for k in range(10_000)
    ]
    rows = pd.concat([point.rows] * 10_000, ignore_index=True)
    big = BatchData(one.folder, points, {"x": [float(k) for k in range(10_000)]}, rows=rows)
    start = time.process_time()
    figure = causes_figure(big)
    try:
        assert time.process_time() - start < 20
        assert len(visible(figure)) == 3 * 6
        assert "6 of 10,000 points drawn" in figure.get_suptitle()
        width, height = figure.get_size_inches()
        assert width * 130 < 5000 and height * 130 < 8000
    finally:
        plt.close(figure)
    assert len(validated) <= 6
