"""The page and ratification (13.6): a ratifier's red line or reservation value, tweaked,
changes which deals would be ratified at once, beside the zone.

The baseline's Verkhovna Rada holds the line Kyiv's negotiators hold (no de jure
recognition) and has Ukraine's preferences, with its own reservation value.
"""

from __future__ import annotations

from pathlib import Path

import ipyvuetify as v
import pytest
import solara
from hypothesis import given, settings
from hypothesis import strategies as st

import sim.ui.app as app
from sim.scenario import Scenario, load_scenario
from sim.scenario.validate import revalidate
from sim.simulation import simulate
from sim.simulation.story import replay, to_text
from sim.space import EPS, compile_space
from sim.ui.state import (
    Stepper,
    Tweaks,
    batch_bars,
    failed_at_home,
    home_words,
    quick_batch,
    quick_rows,
    tweak,
    zone_view,
)

ROOT = Path(__file__).resolve().parents[2]
BASE = load_scenario(ROOT / "scenarios" / "ukraine_2025.yaml")
BLOC = ROOT / "scenarios" / "ukraine_2025_west_bloc.yaml"
KYIV = "ukraine.no_de_jure_recognition"  # the negotiators' own line
RADA = "ukraine.rada.no_de_jure_recognition"  # the same line, held at home


def test_kyiv_dropping_its_own_line_opens_a_deal_the_rada_would_not_ratify():
    view = zone_view(tweak(BASE, Tweaks(off=frozenset({KYIV}))), BASE)
    assert view.ratification and (view.size, view.new) == (3, 1)
    (new,) = [row for row in view.rows if row.new]
    assert "Annexation recognised de jure" in new.words
    assert new.ratified is False
    assert new.home == ("Verkhovna Rada (Ukraine): no_de_jure_recognition",)
    assert view.ratifiable == 2 and view.newly_ratifiable == 0
    # ... and with the Rada's line switched off too, it would be ratified
    both = zone_view(tweak(BASE, Tweaks(off=frozenset({KYIV, RADA}))), BASE)
    assert (both.size, both.ratifiable, both.newly_ratifiable) == (3, 3, 1)
    assert all(row.ratified and row.home == () for row in both.rows)


def test_a_stricter_rada_ratifies_fewer_deals_and_says_why():
    base = zone_view(BASE, BASE)
    assert base.ratifiable == base.size == 2
    kyiv = {row.index: row.utilities["ukraine"] for row in base.rows}
    bar = (max(kyiv.values()) + min(kyiv.values())) / 2  # between the two deals
    view = zone_view(tweak(BASE, Tweaks(reservation={"ukraine.rada": bar})), BASE)
    assert view.size == 2 and view.ratifiable == 1  # the zone itself does not move
    (kept,) = [row for row in view.rows if row.ratified]
    assert kyiv[kept.index] == max(kyiv.values())
    (lost,) = [row for row in view.rows if not row.ratified]
    assert lost.home == ("below the reservation value of Verkhovna Rada (Ukraine)",)
    # above both deals: none would be ratified; dropping lines opens deals better for Kyiv
    above = max(kyiv.values()) + 0.05
    none = zone_view(tweak(BASE, Tweaks(reservation={"ukraine.rada": above})), BASE)
    assert none.size == 2 and none.ratifiable == 0 and none.ratifiable_relaxations
    for dropped in none.ratifiable_relaxations:
        opened = zone_view(
            tweak(BASE, Tweaks(off=frozenset(dropped), reservation={"ukraine.rada": above})),
            BASE,
        )
        assert opened.ratifiable > 0
    assert zone_view(BASE, BASE).ratifiable_relaxations == []  # only asked when none


LINES = [f"{pid}.{line.id}" for pid, p in BASE.parties.items() for line in p.red_lines]


@settings(max_examples=40, deadline=None)
@given(
    off=st.sets(st.sampled_from([*LINES, RADA])),
    bar=st.floats(0.0, 1.0),
)
def test_ratified_is_the_rada_s_answer_recomputed_from_the_deal(off, bar):
    """Any lines off, any reservation value: the Rada accepts a deal that keeps its line
    (if on) and gives it, with Ukraine's preferences, at least its reservation value."""
    tweaks = Tweaks(off=frozenset(off), reservation={"ukraine.rada": bar})
    scenario = tweak(BASE, tweaks)
    view = zone_view(scenario, BASE)
    space = compile_space(scenario)
    held = RADA not in off
    for row in view.rows:
        crosses = held and space.outcome(row.index)["territory"] == "de_jure"
        below = row.utilities["ukraine"] < bar - EPS
        assert row.ratified == (not crosses and not below)
        words = [home_words(scenario, RADA)] * crosses + [
            home_words(scenario, "ukraine.rada")
        ] * below
        assert list(row.home) == words
    assert view.ratifiable == sum(not row.home for row in view.rows)


def test_ratifier_tweaks_equal_the_same_change_made_in_the_file():
    tweaked = tweak(
        BASE,
        Tweaks(
            reservation={"ukraine.rada": 0.48},
            informed={"ukraine.rada": 0.5},
            credibility={RADA: 0.3},
        ),
    )
    path = "parties.ukraine.ratification.rada"
    written = load_scenario(
        ROOT / "scenarios" / "ukraine_2025.yaml",
        [
            f"{path}.reservation=0.48",
            f"{path}.informed=0.5",
            f"{path}.red_lines.no_de_jure_recognition.credibility=0.3",
        ],
    )
    assert tweaked.model_dump() == written.model_dump()
    dropped = tweak(BASE, Tweaks(off=frozenset({RADA})))
    assert dropped.parties["ukraine"].ratification[0].red_lines == []
    assert dropped.parties["ukraine"].red_lines == BASE.parties["ukraine"].red_lines


def test_a_value_set_on_the_page_is_no_longer_sampled():
    data = BASE.model_dump(mode="json")
    path = "parties.ukraine.ratification.rada"
    sampled = data["uncertainty"]["parameters"]
    sampled[f"{path}.reservation"] = {"dist": "uniform", "low": 0.2, "high": 0.4}
    sampled[f"{path}.informed"] = {"dist": "uniform", "low": 0.5, "high": 1.0}
    sampled[f"{path}.red_lines.no_de_jure_recognition.credibility"] = {
        "dist": "uniform",
        "low": 0.4,
        "high": 0.8,
    }
    uncertain = revalidate(BASE, data)
    tweaked = tweak(
        uncertain,
        Tweaks(reservation={"ukraine.rada": 0.3}, informed={"ukraine.rada": 0.9}),
    )
    left = set(tweaked.uncertainty.parameters)
    assert f"{path}.reservation" not in left and f"{path}.informed" not in left
    assert f"{path}.red_lines.no_de_jure_recognition.credibility" in left  # not set: sampled
    assert tweak(uncertain, Tweaks(off=frozenset({RADA}))).uncertainty.parameters.keys() == {
        k for k in sampled if "no_de_jure_recognition" not in k
    }


def _without_ratifiers() -> Scenario:
    data = BASE.model_dump(mode="json")
    data["parties"]["ukraine"]["ratification"] = []
    return revalidate(BASE, data)


def test_without_ratifiers_the_zone_says_nothing_of_ratification():
    plain = _without_ratifiers()
    view = zone_view(plain, plain)
    assert not view.ratification and view.size == 2
    assert all(row.ratified is None and row.home == () for row in view.rows)


# --- the page, rendered in-process (as tests/ui/test_app.py does) --------------------


@pytest.fixture
def page():
    app.file.set(app.FILES[0])
    app._reset_tweaks()
    _box, rc = solara.render(app.Page(), handle_error=False)
    yield rc
    rc.close()
    app._reset_tweaks()
    app.file.set(app.FILES[0])


def _text(rc, name: str) -> str:
    return rc.find(v.Html, class_=name).widget.children[0]


def _switch(rc, label: str):
    return rc.find(v.Switch, label=label).widget


def test_the_page_toggles_the_rada_s_line_and_the_ratified_count_follows(page):
    assert app.FILES[0].endswith("ukraine_2025.yaml")
    assert _text(page, "negsim-ratifiable-count") == "2 of them would be ratified at home"
    _switch(page, "Ukraine: no_de_jure_recognition").v_model = False
    assert _text(page, "negsim-zone-count") == "3 of 48 deals can form (1 new)"
    assert _text(page, "negsim-ratifiable-count") == "2 of them would be ratified at home"
    _switch(page, "Verkhovna Rada (Ukraine): no_de_jure_recognition").v_model = False
    assert _text(page, "negsim-ratifiable-count") == "3 of them would be ratified at home (1 new)"
    assert RADA in app.off.value and KYIV in app.off.value
    # switched back on, its credibility slider returns and the count with it
    _switch(page, "Verkhovna Rada (Ukraine): no_de_jure_recognition").v_model = True
    assert _text(page, "negsim-ratifiable-count") == "2 of them would be ratified at home"


def test_the_page_moves_the_rada_s_reservation_value(page):
    slider = page.find(v.Slider, label="reservation value of Verkhovna Rada").widget
    assert slider.v_model == BASE.parties["ukraine"].ratification[0].reservation
    slider.v_model = 1.0
    assert app.reservation.value == {"ukraine.rada": 1.0}
    assert _text(page, "negsim-zone-count") == "2 of 48 deals can form"
    assert _text(page, "negsim-ratifiable-count") == "0 of them would be ratified at home"
    notes = [t for w in page.find(v.Html) for t in w.widget.children if isinstance(t, str)]
    assert any(t.startswith("None of them would be ratified at home") for t in notes)
    informed = page.find(v.Slider, label="informed of Verkhovna Rada")
    informed.widget.v_model = 0.25
    assert app.informed.value == {"ukraine.rada": 0.25}


def test_the_zone_table_says_what_rejects_a_deal_at_home(page):
    _switch(page, "Ukraine: no_de_jure_recognition").v_model = False
    tables = [t for t in _templates() if "<table>" in t and ">deal<" in t]
    assert tables and "at home" in tables[0]
    assert "not ratified: Verkhovna Rada (Ukraine): no_de_jure_recognition" in tables[0]


def _templates() -> list[str]:
    from ipywidgets.widgets import widget

    states = [w.get_state() for w in list(widget._instances.values())]
    return [s["template"] for s in states if isinstance(s.get("template"), str)]


def test_the_bloc_variant_names_the_bloc_of_its_members(page, monkeypatch):
    monkeypatch.setattr(app, "FILES", [*app.FILES, str(BLOC)])
    page.find(v.Select, label="scenario").widget.v_model = str(BLOC)
    assert app.file.value == str(BLOC)
    shown = [t for t in _templates() if "in the bloc" in t]
    assert len(shown) == 2  # Europe and the UK, each named with the bloc and its rule
    assert all("in the bloc European states and the UK (unanimous)" in t for t in shown)


def test_a_party_line_switched_off_takes_its_sampled_credibility_with_it():
    data = BASE.model_dump(mode="json")
    path = "parties.russia.red_lines.no_temporary_truce.credibility"
    data["uncertainty"]["parameters"][path] = {"dist": "beta", "a": 8, "b": 2}
    uncertain = revalidate(BASE, data)
    tweaked = tweak(uncertain, Tweaks(off=frozenset({"russia.no_temporary_truce"})))
    assert path not in tweaked.uncertainty.parameters
    assert [x.id for x in tweaked.parties["russia"].red_lines] == [
        "no_nato_troops",
        "no_european_force",
    ]


def test_an_event_keeps_what_it_does_that_a_switched_off_line_does_not_touch():
    data = BASE.model_dump(mode="json")
    line = "parties.ukraine.ratification.rada.red_lines.no_de_jure_recognition.credibility"
    (summit,) = [e for e in data["events"] if e["id"] == "leaders_summit"]
    summit["set"][line] = 0.2  # the summit would soften the Rada's line ...
    summit["extend_deadline"] = 5  # ... and give the talks more time
    data["events"].append({**summit, "id": "more_time", "set": {line: 0.1}})
    uncertain = revalidate(BASE, data)
    events = {e.id: e for e in tweak(uncertain, Tweaks(off=frozenset({RADA}))).events}
    assert events["leaders_summit"].set == {"parties.russia.reservation": 0.4}
    assert events["leaders_summit"].extend_deadline == 5
    assert events["more_time"].set == {} and events["more_time"].extend_deadline == 5


# --- the negotiation and the quick batch, with ratification --------------------------

DE_JURE = load_scenario(ROOT / "scenarios" / "ukraine_2025_de_jure.yaml")


def test_a_quick_batch_counts_each_deal_signed_and_ratified():
    rows = quick_rows(DE_JURE, runs=400, seed=3)
    bars = batch_bars(rows, DE_JURE)
    assert bars[0].deal is None and bars[0].share.ratified is None
    issues = list(DE_JURE.issues)
    fails = 0
    for bar in bars[1:]:
        assert bar.deal is not None
        same = rows["agreement"].astype(bool)
        for issue in issues:
            same &= rows[issue] == bar.deal[issue]
        assert bar.share.count == int(same.sum())
        assert bar.share.ratified == int((same & (rows["ratified"] == True)).sum())  # noqa: E712
        fails += bar.share.count - bar.share.ratified
    assert fails > 0  # some de jure deals signed by Kyiv failed in the Rada
    words = failed_at_home(rows, DE_JURE)
    signed = int(rows["agreement"].sum())
    failed = int((rows["agreement"].astype(bool) & (rows["ratified"] == False)).sum())  # noqa: E712
    assert words.startswith(f"{failed:,} of the {signed:,} deals signed failed at home")
    assert failed >= fails
    plain = _without_ratifiers()
    assert all(b.share.ratified is None for b in quick_batch(plain, runs=100, seed=3))
    assert failed_at_home(quick_rows(plain, runs=100, seed=3), plain) == ""


def test_the_stepped_negotiation_ends_saying_whether_home_ratified_it():
    rows = simulate(DE_JURE, seed=1, runs=1)
    assert bool(rows["agreement"].iloc[0]) and rows["ratified"].iloc[0] == False  # noqa: E712
    stepper = Stepper(DE_JURE, seed=1, run=0)
    stepper.play()
    ending = stepper.ending()
    first, second = ending.split("\n")
    assert first.startswith("Agreement in round") and "Annexation recognised de jure" in first
    assert second.startswith("Not ratified: Verkhovna Rada rejected it")
    assert second in to_text(replay(DE_JURE, 1, 0))  # the story's own words
    kept = Stepper(BASE, seed=1, run=0)
    kept.play()
    assert kept.ending().endswith(
        "Ratified at home: every ratifier of every signer accepted the deal."
    )
