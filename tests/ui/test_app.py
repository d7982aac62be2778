"""The page as the kernel sees it: what a browser can make it open, and what it sends back.

The page is rendered in-process (``solara.render``) and a widget's ``v_model`` is set
with ``set_state``, as the kernel sets it when a browser sends ``{"method": "update",
"state": {"v_model": ...}}``; what the browser could then receive is every live
widget's state.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import ipyvuetify as v
import pytest
import solara
from ipywidgets.widgets import widget

import sim.ui.app as app
from sim.analysis import analyze
from sim.scenario import load_scenario
from sim.space import compile_space

ROOT = Path(__file__).resolve().parents[2]
BASE = load_scenario(ROOT / "scenarios" / "ukraine_2025.yaml")

SECRET = "sekrit_token_key: sekrit_value_42\n"


def _sent_to_browser() -> str:
    """The state of every live widget, as the kernel would send it."""
    return json.dumps(
        [w.get_state() for w in list(widget._instances.values())],
        default=lambda _: "",
        ensure_ascii=False,
    )


@pytest.fixture
def page():
    app.file.set(app.FILES[0])
    _box, rc = solara.render(app.Page(), handle_error=False)
    yield rc
    rc.close()
    app.file.set(app.FILES[0])


def _zone(rc) -> str:
    return rc.find(v.Html, class_="negsim-zone-count").widget.children[0]


def test_a_scenario_outside_the_list_is_never_opened(page, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text(SECRET)
    before = _zone(page)
    select = page.find(v.Select, label="scenario").widget
    for value in (str(secret), str(secret.resolve()), "/etc/passwd", "../scenarios/x.yaml"):
        # what the kernel does with {"method": "update", "state": {"v_model": value}}
        select.set_state({"v_model": value})
        assert app.file.value == app.FILES[0]
    assert "sekrit" not in _sent_to_browser()
    assert _zone(page) == before  # still the first scenario, nothing else loaded


def test_a_listed_scenario_that_is_invalid_shows_a_generic_message(
    page, tmp_path, monkeypatch, capsys
):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SECRET)
    monkeypatch.setattr(app, "FILES", [*app.FILES, str(bad)])
    page.find(v.Select, label="scenario").widget.v_model = str(bad)
    assert app.file.value == str(bad)
    sent = _sent_to_browser()
    assert "sekrit" not in sent  # the file's content stays on this machine
    assert f"{bad} is not a valid scenario" in sent
    assert "sekrit_token_key: unknown field" in capsys.readouterr().err  # the terminal says why


def test_a_strategy_or_seed_the_page_did_not_offer_is_ignored(page):
    select = page.find(v.Select, label="strategy of Russia").widget
    offered = select.items
    select.set_state({"v_model": "not_a_strategy"})
    assert "russia" not in app.strategy.value
    select.v_model = next(s for s in offered if s != select.v_model)
    assert app.strategy.value["russia"] in offered
    app.seed.set(1)
    page.find(v.TextField, label="seed").widget.set_state({"v_model": str(2**64)})
    assert app.seed.value == 1


def _zone_table() -> dict[str, str]:
    """The page's zone table: each deal's words -> its marks cell."""
    pages = [t for t in _templates() if "<table>" in t and "<th" in t and ">deal<" in t]
    rows = re.findall(r"<tr>\s*<td[^>]*>(.*?)</td>\s*<td[^>]*>(.*?)</td>", pages[0], re.S)
    return {words: marks for marks, words in rows}


def _templates() -> list[str]:
    states = [w.get_state() for w in list(widget._instances.values())]
    return [s["template"] for s in states if isinstance(s.get("template"), str)]


def test_controls_name_parties_by_label_and_the_zone_marks_n_and_k(page):
    labels = {x.widget.label for kind in (v.Slider, v.Select, v.Switch) for x in page.find(kind)}
    assert {
        "reservation value of Russia",
        "strategy of Ukraine",
        "Russia: no_nato_troops",
    } <= labels
    named = {label.split(":")[0] for label in labels if label}  # a switch: "Party: line_id"
    assert not any(pid in label for label in named for pid in BASE.parties)
    analysis = analyze(compile_space(BASE))
    space = analysis.space
    table = _zone_table()
    assert len(table) == analysis.feasible.size
    for index in analysis.feasible.tolist():
        marks = table["; ".join(space.describe(index))]
        assert ("N" in marks) == (index == analysis.nash)
        assert ("K" in marks) == (index == analysis.kalai_smorodinsky)
    assert "N = Nash point, K = Kalai–Smorodinsky point" in _sent_to_browser()


def test_settings_the_scenario_cannot_take_show_a_generic_message(page, capsys):
    app.strategy.set({"russia": "single_text"})  # a mediator's policy for a party
    try:
        (notice,) = [
            text
            for w in page.find(v.Html)
            for text in w.widget.children
            if isinstance(text, str) and "valid scenario" in text
        ]
        assert app.FILES[0] in notice
        assert not any(word in notice for word in ("single_text", "error:", "parties."))
        assert "single_text" in capsys.readouterr().err  # the details, in the terminal
    finally:
        app.strategy.set({})
