"""A deal's colour follows from the deal alone: the same in every figure, batch and the page."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.plots.colours import (
    DEAL_PALETTE,
    NO_DEAL_COLOUR,
    OTHER_COLOUR,
    deal_colour,
    deal_key,
    repeats,
)

names = st.text(st.characters(codec="utf-8", exclude_characters="=,"), min_size=1, max_size=12)
deals = st.dictionaries(names, names, min_size=1, max_size=6)


@given(deals, st.randoms())
def test_a_deal_has_one_colour_whatever_the_order_of_its_issues(deal, random):
    items = list(deal.items())
    random.shuffle(items)
    assert deal_colour(dict(items)) == deal_colour(deal)
    assert deal_colour(deal) in DEAL_PALETTE
    assert deal_colour(deal) not in (NO_DEAL_COLOUR, OTHER_COLOUR)


def test_the_colour_does_not_depend_on_the_process():
    # Python's hash() of a str changes with PYTHONHASHSEED; the colour must not.
    deal = {"territory": "frozen_line", "security": "european_force"}
    code = (
        "from sim.plots.colours import deal_colour;"
        "print(deal_colour({'security': 'european_force', 'territory': 'frozen_line'}))"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed},
        ).stdout.strip()
        for seed in ("1", "2", "3")
    }
    assert seen == {deal_colour(deal)}


def test_colours_spread_over_the_palette():
    # 2 x 3 x 4 x 5 deals of a space: every palette colour is used, none by most of them.
    colours = [
        deal_colour({"a": f"a{i}", "b": f"b{j}", "c": f"c{k}", "d": f"d{m}"})
        for i in range(2)
        for j in range(3)
        for k in range(4)
        for m in range(5)
    ]
    assert set(colours) == set(DEAL_PALETTE)
    assert max(colours.count(c) for c in DEAL_PALETTE) < len(colours) / 5


def test_deal_key_and_repeats():
    assert deal_key({"y": "d", "x": "a"}) == "x=a,y=d"
    with pytest.raises(ValueError, match="at least one issue"):
        deal_key({})
    assert repeats(["#1", "#2", "#1", "#1", "#3"]) == [0, 0, 1, 2, 0]


def test_importing_the_colours_loads_no_matplotlib():
    code = "import sys, sim.plots.colours, sim.plots; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
