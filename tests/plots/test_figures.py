"""Figures: every one is drawn, titled with scenario and runs, in consistent colours."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from sim.batch import run_batch
from sim.cli import main
from sim.plots import FIGURES, load_batch, plot_batch
from sim.plots.data import NO_DEAL, NO_DEAL_COLOUR

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "scenarios" / "ukraine_2025.yaml"
VARIANT = ROOT / "scenarios" / "ukraine_2025_recognition_demand.yaml"
VETO = "parties.russia.red_lines.no_nato_troops.credibility"


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
    # no sweep in this batch: no sweep figure
    assert names == sorted(f"{n}.png" for n in FIGURES if n != "sweeps")
    for path in (tmp_path / "f").iterdir():
        assert path.read_bytes()[:8] == PNG
    assert "5 figures in" in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_other_formats(two, tmp_path, fmt):
    written = plot_batch(two, tmp_path / fmt, fmt)
    assert written and all(p.suffix == f".{fmt}" and p.stat().st_size > 1000 for p in written)


def test_titles_name_the_scenario_and_the_runs(two):
    data = load_batch(two)
    for name, draw in FIGURES.items():
        figure = draw(data)
        if figure is None:
            assert name == "sweeps"
            continue
        text = figure.get_suptitle() + " ".join(
            ax.get_title() + " ".join(t.get_text() for t in ax.get_xticklabels())
            for ax in figure.axes
        )
        assert "1,200 runs" in text or "600 runs" in text, name
        assert "ukraine-2025-08" in text, name
        plt.close(figure)


def test_colours_are_fixed_per_deal_and_party(two):
    data = load_batch(two)
    colours = [data.deal_colour(d) for d in data.top_deals]
    assert len(set(colours)) == len(colours)
    assert data.deal_colour(NO_DEAL) == NO_DEAL_COLOUR
    again = load_batch(two)
    assert [again.deal_colour(d) for d in again.top_deals] == colours
    assert data.party_colour("russia") != data.party_colour("ukraine")
    figure = FIGURES["deals"](data)
    bars = figure.axes[0].patches
    # bar 0 is no deal, then the top deals in order, each in its own colour
    from matplotlib.colors import to_hex

    assert to_hex(bars[0].get_facecolor()) == NO_DEAL_COLOUR
    assert [to_hex(b.get_facecolor()) for b in bars[1 : 1 + len(colours)]] == colours
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
