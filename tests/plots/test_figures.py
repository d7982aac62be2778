"""Figures: every one is drawn, titled with scenario and runs, in consistent colours."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import matplotlib.text
import numpy as np
import pandas as pd
import PIL.Image
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from matplotlib.colors import to_hex

from sim.batch import run_batch
from sim.cli import main
from sim.compare import newcombe_interval
from sim.plots import FIGURES, load_batch, plot_batch
from sim.plots.colours import deal_colour
from sim.plots.data import NO_DEAL, NO_DEAL_COLOUR, BatchData, PointData
from sim.plots.figures import MAX_PANELS, MAX_RED_LINE_POINTS, line_effects, percent_ticks
from sim.scenario import validate_document
from sim.scenario.yamlsource import Document

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "scenarios" / "ukraine_2025.yaml"
VARIANT = ROOT / "scenarios" / "ukraine_2025_recognition_demand.yaml"
VETO = "parties.russia.red_lines.no_nato_troops.credibility"
ISSUES = ("ceasefire", "territory", "security", "leaders_meeting")


@pytest.fixture(scope="module")
def two(tmp_path_factory):
    out = tmp_path_factory.mktemp("two") / "b"
    run_batch([BASE, VARIANT], runs=600, seed=1, out=out, block=300, workers=1)
    return out


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    out = tmp_path_factory.mktemp("swept") / "b"
    run_batch(BASE, runs=300, seed=1, out=out, block=300, workers=1, sweeps=[f"{VETO}=0,1"])
    return out


PNG = b"\x89PNG\r\n\x1a\n"


def test_plot_writes_every_figure(two, tmp_path, capsys):
    assert main(["plot", str(two), "--out", str(tmp_path / "f")]) == 0
    names = sorted(p.name for p in (tmp_path / "f").iterdir())
    # no sweep in this batch: no sweep figure; no causes figure while rows lack blocker
    missing = {"sweeps"} | ({"causes"} if "blocker" not in load_batch(two).all_rows() else set())
    assert names == sorted(f"{n}.png" for n in FIGURES if n not in missing)
    for path in (tmp_path / "f").iterdir():
        assert path.read_bytes()[:8] == PNG
    assert f"{len(names)} figures in" in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_other_formats(two, tmp_path, fmt):
    written = plot_batch(two, tmp_path / fmt, fmt)
    assert written and all(p.suffix == f".{fmt}" and p.stat().st_size > 1000 for p in written)


def test_titles_name_the_scenario_and_the_runs(two):
    data = load_batch(two)
    for name, draw in FIGURES.items():
        figure = draw(data)
        if figure is None:
            assert name == "sweeps" or (name == "causes" and "blocker" not in data.all_rows())
            continue
        text = figure.get_suptitle() + " ".join(
            ax.get_title()
            + ax.get_title(loc="left")
            + " ".join(t.get_text() for t in ax.get_xticklabels())
            for ax in figure.axes
        )
        assert "1,200 runs" in text or "600 runs" in text, name
        assert "ukraine-2025-08" in text, name
        plt.close(figure)


def test_colours_are_fixed_per_deal_and_party(two):
    data = load_batch(two)
    colours = [data.deal_colour(d) for d in data.top_deals]
    # The most frequent deals differ in colour (further down, a palette of hashed
    # colours repeats: the baseline's 4th and 6th deals share the 2nd's orange).
    assert len(set(colours[:3])) == 3
    assert colours == [deal_colour(dict(zip(ISSUES, d, strict=True))) for d in data.top_deals]
    assert data.deal_colour(NO_DEAL) == NO_DEAL_COLOUR
    again = load_batch(two)
    assert [again.deal_colour(d) for d in again.top_deals] == colours
    assert data.party_colour("russia") != data.party_colour("ukraine")
    figure = FIGURES["deals"](data)
    bars = figure.axes[0].patches
    shown = 2 + len(colours)  # no deal, the top deals, other deals
    # bar 0 is no deal, then the top deals in order; the baseline's deals must be
    # ratified, so each is its signed share outlined and hatched in the deal's colour,
    # with its ratified part drawn solid in that colour after them
    assert to_hex(bars[0].get_facecolor()) == NO_DEAL_COLOUR
    signed, solid = bars[1 : 1 + len(colours)], bars[shown : shown + len(colours)]
    assert [to_hex(b.get_edgecolor()) for b in signed] == colours
    assert all(b.get_hatch() == "////" for b in signed)
    assert [to_hex(b.get_facecolor()) for b in solid] == colours
    # a repeated colour is told apart by a hatch, never by a new colour
    seen: set[str] = set()
    for bar, colour in zip(solid, colours, strict=True):
        assert bool(bar.get_hatch()) == (colour in seen)
        seen.add(colour)
    plt.close(figure)


def test_sweep_figure_and_deal_shares(swept):
    data = load_batch(swept)
    assert list(data.sweeps) == [VETO]
    figure = FIGURES["sweeps"](data)
    assert figure is not None and VETO.split(".")[-1] in figure.axes[0].get_xlabel()
    lines = figure.axes[0].get_lines()
    any_deal = next(line for line in lines if line.get_label() == "any deal")
    expected = [p.rows["agreement"].mean() for p in data.points]
    assert list(any_deal.get_ydata()) == pytest.approx(expected)
    plt.close(figure)


def test_plot_refuses_a_folder_that_is_not_a_batch(tmp_path, capsys):
    assert main(["plot", str(tmp_path)]) == 2
    assert "not a batch folder" in capsys.readouterr().err


# --- 9.9: a deal's colour follows from the deal, in every batch ------------------------


def test_a_deal_has_the_same_colour_in_every_batch(two, swept):
    first, second = load_batch(two, top=12), load_batch(swept, top=12)
    shared = [d for d in first.top_deals if d in second.top_deals]
    assert shared
    for deal in shared:
        mapping = dict(zip(first.deal_issues[deal], deal, strict=True))
        assert first.deal_colour(deal) == second.deal_colour(deal) == deal_colour(mapping)
    # The batches rank their deals differently, yet the colours do not follow the rank.
    for data in (first, second):
        figure = FIGURES["deals"](data)
        bars = figure.axes[0].patches
        want = [deal_colour(dict(zip(data.deal_issues[d], d, strict=True))) for d in data.top_deals]
        # (a deal that must be ratified: its signed bar is outlined in its colour)
        drawn = [
            to_hex(b.get_edgecolor() if b.get_hatch() == "////" else b.get_facecolor())
            for b in bars[1 : 1 + len(want)]
        ]
        assert drawn == want
        plt.close(figure)


# --- 9.8: the red-lines figure ---------------------------------------------------------


@given(
    st.floats(-1, 1, allow_nan=False),
    st.floats(1e-4, 2, allow_nan=False),
    st.booleans(),
)
def test_tick_labels_are_distinct_whatever_the_range(low, span, signed):
    ticks, labels = percent_ticks(low, low + span, signed)
    assert len(ticks) >= 2
    assert len(set(labels)) == len(labels), labels
    assert all(low - 1e-9 <= t <= low + span + 1e-9 for t in ticks)
    for tick, label in zip(ticks, labels, strict=True):  # each label says its tick
        assert float(label.rstrip("%")) == pytest.approx(100 * tick, abs=50 * span / 2)


def test_a_sub_percent_range_is_not_all_zero_percent():
    _, labels = percent_ticks(-0.004, 0.003)
    assert "0%" in labels and len(set(labels)) == len(labels) >= 3
    assert any("." in label for label in labels)


LINES: dict[str, Any] = {
    "id": "lines",
    "title": "Lines",
    "deadline": 5,
    "protocol": "alternating",
    "issues": {
        "x": {"options": {"a": "Option A", "b": "Option B"}},
        "y": {"options": {"c": "Option C", "d": "Option D"}},
    },
    "parties": {
        "p": {
            "signs": True,
            "reservation": 0.2,
            "weights": {"x": 1, "y": 1},
            "values": {"x": {"a": 1, "b": 0}, "y": {"c": 1, "d": 0}},
            "red_lines": [{"id": "keep_a", "forbid": {"x": ["b"]}, "credibility": 0.5}],
        },
        "q": {
            "signs": True,
            "reservation": 0.2,
            "weights": {"x": 1, "y": 1},
            "values": {"x": {"a": 0, "b": 1}, "y": {"c": 0, "d": 1}},
        },
    },
}


def lines_point(firm: list[bool], deals: list[tuple[str, str] | None]) -> PointData:
    the = validate_document(Document(copy.deepcopy(LINES)), sources=False)
    rows = pd.DataFrame(
        {
            "scenario": "lines",
            "run": np.arange(len(deals), dtype=np.uint64),
            "agreement": [d is not None for d in deals],
            "round": [1.0 if d else None for d in deals],
            "x": [d[0] if d else None for d in deals],
            "y": [d[1] if d else None for d in deals],
            "firm.p.keep_a": firm,
            "u_p": 0.5,
            "u_q": 0.5,
            "r_p": 0.2,
            "r_q": 0.2,
        }
    )
    return PointData("lines", the, {}, rows)


def test_the_deal_a_line_moves_most_worked_by_hand():
    # Firm in 10 runs: 8 end in (a, c), 2 in (a, d). Not firm in 10: 2 in (a, c),
    # 4 in (b, d), 4 without a deal. Any deal: 10/10 - 6/10 = +40 points.
    # (a, c): 8/10 - 2/10 = +60 points, the largest change; (b, d): 0 - 4/10 = -40.
    deals = [("a", "c")] * 8 + [("a", "d")] * 2 + [("a", "c")] * 2 + [("b", "d")] * 4
    point = lines_point([True] * 10 + [False] * 10, [*deals, None, None, None, None])
    ((name, party, change, low, high, moved),) = line_effects(point)
    assert (name, party) == ("keep_a", "p")
    assert change == pytest.approx(0.4) and low < 0.4 < high
    assert moved is not None
    deal, deal_change, deal_low, deal_high = moved
    assert deal == ("a", "c") and deal_change == pytest.approx(0.6)
    assert (deal_low, deal_high) == pytest.approx(newcombe_interval(8, 10, 2, 10))


def test_red_lines_figure_says_what_it_shows(two):
    data = load_batch(two)
    figure = FIGURES["red_lines"](data)
    assert figure is not None
    title = figure.get_suptitle()
    assert "firmness changes the chance of a deal" in title and "block" not in title
    # per point: the chance of any deal (left) and the deal moved most (right)
    assert len(figure.axes) == 2 * len(data.points)
    figure.canvas.draw()
    for ax in figure.axes:
        labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
        assert len(set(labels)) == len(labels) >= 2
    right = figure.axes[1]
    assert "changes most" in right.get_title(loc="left")
    assert all(t.get_text() for t in right.get_yticklabels())  # a deal for every line
    plt.close(figure)


# --- 14.14: parties without red lines --------------------------------------------------


def test_plot_a_batch_whose_parties_have_no_red_line(tmp_path, capsys):
    data = copy.deepcopy(LINES)
    del data["parties"]["p"]["red_lines"]
    file = tmp_path / "plain.yaml"
    file.write_text(yaml.safe_dump(data), encoding="utf-8")
    run_batch(file, runs=50, seed=1, out=tmp_path / "b", workers=1)
    assert main(["plot", str(tmp_path / "b"), "--out", str(tmp_path / "f")]) == 0
    out = capsys.readouterr().out
    assert "no red_lines.png: no party has a red line" in out
    assert (tmp_path / "f" / "deals.png").exists()
    assert not (tmp_path / "f" / "red_lines.png").exists()


# --- 9.10: smaller defects -------------------------------------------------------------


def _boxes_overlap(a: Any, b: Any) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_the_main_title_clears_the_panel_titles(swept, two):
    for data, name in ((load_batch(swept), "sweeps"), (load_batch(two), "deals")):
        figure = FIGURES[name](data)
        assert figure is not None
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
        top = figure._suptitle.get_window_extent(renderer)  # type: ignore[union-attr]
        for ax in figure.axes:
            for title in (ax.title, ax._left_title):
                if title.get_text():
                    assert not _boxes_overlap(top, title.get_window_extent(renderer)), name
        plt.close(figure)


def test_rounds_start_near_the_first_deal(two):
    data = load_batch(two)
    figure = FIGURES["rounds"](data)
    first = min(p.rows.loc[p.rows["agreement"], "round"].min() for p in data.points)
    assert first > 10  # the shipped talks: every deal late
    low, _ = figure.axes[0].get_xlim()
    assert 0 < low <= first
    plt.close(figure)


def test_option_headers_break_between_words(two):
    data = load_batch(two)
    figure = FIGURES["options"](data)
    headers = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    for header, point in zip(headers, data.points, strict=True):
        assert header.replace("\n", " ").replace("- ", "-") == point.name
        for line in header.splitlines()[:-1]:  # a line ends where a word may break
            assert line[-1] in " -.=/,]", header
    plt.close(figure)


def five_points(data: BatchData) -> BatchData:
    (point,) = data.points[:1]
    points = [
        PointData(f"s{k}", point.scenario, {}, point.rows, scenario_id=f"scenario-number-{k}")
        for k in range(5)
    ]
    return BatchData(data.folder, points, {}, data.top_deals, data.labels, data.deal_issues)


def test_five_scenarios_wrap_into_rows(two):
    figure = FIGURES["deals"](five_points(load_batch(two)))
    width, _ = figure.get_size_inches() * 130
    rows = {round(ax.get_position().y0, 3) for ax in figure.axes if ax.get_visible()}
    assert len(rows) >= 2 and width < 2400
    for ax in figure.axes:
        assert all(t.get_fontsize() >= 8 for t in ax.get_yticklabels())
    plt.close(figure)


# --- 9.17: words ------------------------------------------------------------------------


def test_plot_help_has_no_doubled_percent(capsys):
    with pytest.raises(SystemExit):
        main(["plot", "--help"])
    text = capsys.readouterr().out
    assert "%%" not in text and "95% intervals" in text


# --- 14.13: large grids and huge labels ------------------------------------------------


def test_many_points_draw_a_bounded_figure_quickly(two, monkeypatch):
    data = load_batch(two)
    point = data.points[0]
    validated = []

    def scenario() -> Any:
        validated.append(1)
        return point.scenario

    # 10,000 points of 4 runs each, as load_batch gives them: slices of one frame.
    rows = pd.concat([point.rows.head(4)] * 10_000, ignore_index=True)
    rows[VETO] = np.repeat(np.arange(10_000) % 100, 4).astype(float)
    points = [
        PointData(
            f"p{k}",
            scenario,
            {VETO: float(k % 100)},
            rows.iloc[4 * k : 4 * k + 4],
            scenario_id=point.scenario_id,
            issues=point.issues,
        )
        for k in range(10_000)
    ]
    big = BatchData(data.folder, points, {VETO: [float(v) for v in range(100)]}, rows=rows)
    big.top_deals, big.labels, big.deal_issues = data.top_deals, data.labels, data.deal_issues
    for name, draw in FIGURES.items():
        figure = draw(big)
        if name == "causes" and figure is None:  # these runs are deals (test_causes_plot.py)
            continue
        assert figure is not None
        visible = [ax for ax in figure.axes if ax.get_visible()]
        assert len(visible) <= 2 * max(MAX_PANELS, MAX_RED_LINE_POINTS), name
        if name != "sweeps":
            assert "of 10,000 points drawn" in figure.get_suptitle(), name
        width, height = figure.get_size_inches()
        assert width * 130 < 5000 and height * 130 < 8000, name
        plt.close(figure)
    # Only the points drawn are validated (one scenario each), never all 10,000.
    assert len(validated) <= 2 * max(MAX_PANELS, MAX_RED_LINE_POINTS)


def test_a_megabyte_label_is_capped_where_drawn(two, tmp_path):
    data = load_batch(two)
    point = data.points[0]
    raw = point.scenario.model_dump(mode="json")
    issue = next(iter(raw["issues"]))
    option = next(iter(raw["issues"][issue]["options"]))
    raw["issues"][issue]["options"][option]["label"] = "word " * 200_000  # 1 MB
    raw["issues"][issue]["label"] = "issue " * 100_000
    the = validate_document(Document(raw), sources=False)
    huge = BatchData(
        data.folder,
        [PointData(point.key, the, {}, point.rows)],
        {},
        data.top_deals,
        {},
        data.deal_issues,
    )
    for name, draw in FIGURES.items():
        figure = draw(huge)
        if figure is None:
            continue
        texts = [t.get_text() for t in figure.findobj(matplotlib.text.Text)]
        assert max(len(t) for t in texts) < 1000, name
        path = tmp_path / f"{name}.png"
        figure.savefig(path, dpi=130, bbox_inches="tight")
        plt.close(figure)
        width, height = PIL.Image.open(path).size
        assert width < 5000 and height < 8000, name


def test_a_point_is_named_by_what_was_set_beyond_its_sweep(tmp_path):
    line = "parties.russia.red_lines.no_temporary_truce.credibility"
    run_batch(
        BASE,
        runs=20,
        seed=1,
        out=tmp_path / "b",
        workers=1,
        overrides=[f"{line}=0.9", "parties.ukraine.reservation=0.25"],
        sweeps=[f"{VETO}=0,1"],
    )
    data = load_batch(tmp_path / "b")
    for point in data.points:
        assert point.changed == ((line, 0.9), ("parties.ukraine.reservation", 0.25))
        want = "with no_temporary_truce.credibility=0.9, ukraine.reservation=0.25 ["
        assert want in point.name and "no_nato_troops.credibility" in point.name
    assert load_batch(two_path(tmp_path)).points[0].changed == ()


def two_path(tmp_path: Path) -> Path:
    run_batch(BASE, runs=10, seed=1, out=tmp_path / "plain", workers=1)
    return tmp_path / "plain"


def test_what_was_set_comes_from_the_manifest_not_the_file_as_it_is_now(tmp_path):
    # The manifest records the --set overrides: editing the scenario file after the
    # batch must not change how its points are named.
    scenario = tmp_path / "s.yaml"
    scenario.write_text(Path(BASE).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "seeds").mkdir()
    for source in (Path(BASE).parent.parent / "seeds").iterdir():
        (tmp_path / "seeds" / source.name).write_bytes(source.read_bytes())
    run_batch(
        scenario,
        runs=20,
        seed=1,
        out=tmp_path / "b",
        workers=1,
        overrides=["parties.ukraine.reservation=0.25"],
    )
    text = scenario.read_text(encoding="utf-8").replace("deadline: 40", "deadline: 41")
    assert "deadline: 41" in text
    scenario.write_text(text, encoding="utf-8")
    (point,) = load_batch(tmp_path / "b").points
    assert point.changed == (("parties.ukraine.reservation", 0.25),)


# --- issue 13: deals signed and deals ratified ------------------------------------------


def ratified_data(ratified: list[bool | None], deals: list[tuple[str, str] | None], senate=True):
    """One point of the LINES scenario whose party p has a Senate (when ``senate``)."""
    raw = copy.deepcopy(LINES)
    if senate:
        raw["parties"]["p"]["ratification"] = [
            {"id": "senate", "label": "Senate", "reservation": 0.5}
        ]
    the = validate_document(Document(raw), sources=False)
    point = lines_point([True] * len(deals), deals)
    rows = point.rows.assign(ratified=pd.array(ratified, dtype="boolean"))
    point = PointData("lines", the, {}, rows)
    tops = [d for d in dict.fromkeys(deals) if d is not None]
    return BatchData(
        Path("."),
        [point],
        {},
        tops,
        {d: " · ".join(d) for d in tops},
        {d: ("x", "y") for d in tops},
    )


def _bars(figure) -> list[Any]:
    (ax,) = [a for a in figure.axes if a.get_visible()]
    return [p for p in ax.patches]


def test_deals_figure_draws_signed_and_ratified_parts():
    # (a, c): 6 signed, 4 ratified; (b, d): 3 signed, 0 ratified; 1 run without a deal.
    deals = [("a", "c")] * 6 + [("b", "d")] * 3 + [None]
    ratified = [True] * 4 + [False] * 2 + [False] * 3 + [None]
    figure = FIGURES["deals"](ratified_data(ratified, deals))
    bars = _bars(figure)
    widths = sorted(round(b.get_width(), 6) for b in bars)
    # no deal 0.1, other deals 0 (signed 0, ratified 0), (a, c) 0.6 and 0.4, (b, d) 0.3 and 0
    assert widths == sorted([0.1, 0.0, 0.0, 0.6, 0.4, 0.3, 0.0])
    hatched = [b for b in bars if b.get_hatch() == "////"]
    assert sorted(round(b.get_width(), 6) for b in hatched) == [0.0, 0.3, 0.6]  # signed parts
    colour = deal_colour({"x": "a", "y": "c"})
    solid = [b for b in bars if round(b.get_width(), 6) == 0.4]
    assert to_hex(solid[0].get_facecolor()) == colour  # the ratified part in the deal's colour
    texts = [t.get_text() for ax in figure.axes for t in ax.texts]
    assert "60.0% / 40.0%" in texts and "30.0% / 0.0%" in texts
    (ax,) = [a for a in figure.axes if a.get_visible()]
    assert "signed / ratified" in ax.get_xlabel()
    legend = [t.get_text() for leg in figure.legends for t in leg.get_texts()]
    assert "signed, not ratified (fails at home)" in legend and "signed and ratified" in legend
    plt.close(figure)


def test_deals_figure_without_ratifiers_is_as_before():
    deals = [("a", "c")] * 6 + [("b", "d")] * 3 + [None]
    figure = FIGURES["deals"](ratified_data([None] * 10, deals, senate=False))
    bars = _bars(figure)
    assert sorted(round(b.get_width(), 6) for b in bars) == [0.0, 0.1, 0.3, 0.6]
    assert not [b for b in bars if b.get_hatch() == "////"] and not figure.legends
    texts = [t.get_text() for ax in figure.axes for t in ax.texts]
    assert "60.0%" in texts and not any("ratified" in t for t in texts)
    plt.close(figure)


def test_a_ratifiers_line_is_drawn_among_the_red_lines():
    raw = copy.deepcopy(LINES)
    raw["parties"]["q"]["ratification"] = [
        {
            "id": "senate",
            "reservation": 0.1,
            "red_lines": [{"id": "no_b", "forbid": {"x": ["b"]}, "credibility": 0.5}],
        }
    ]
    the = validate_document(Document(raw), sources=False)
    # The Senate's line firm in 10 runs: 9 deals; not firm in 10: 5 deals (+40 points).
    deals = [("a", "c")] * 9 + [None] + [("b", "d")] * 5 + [None] * 5
    rows = lines_point([True] * 20, deals).rows
    rows["firm.q.senate.no_b"] = [True] * 10 + [False] * 10
    effects = line_effects(PointData("lines", the, {}, rows))
    ratifier = [e for e in effects if e[0] == "senate.no_b"]
    assert len(ratifier) == 1 and ratifier[0][1] == "q"
    assert ratifier[0][2] == pytest.approx(0.4)
    assert (ratifier[0][3], ratifier[0][4]) == pytest.approx(newcombe_interval(9, 10, 5, 10))
