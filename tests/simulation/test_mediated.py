"""Three rules of the mediated protocol, each on a negotiation built to show it.

1. After signing, a change is made only if it improves on the signed text for a
   signatory or for the mediator: among texts the signatories value alike, the
   mediator's favourite stays, however few random drafts follow (``polish``).
2. A revision adopted in the deadline round is put to signature at once.
3. A party that only the current text needs has no vote on a revision that does not
   need it.
Each test states the figure of the rule it replaced (measured on the engine before).
"""

from __future__ import annotations

from typing import Any

import pytest

from sim.scenario import Scenario
from sim.simulation import simulate
from sim.simulation.story import replay
from tests.scenarios import build


def _venues(polish: int, bias: float) -> Scenario:
    side = {"signs": True, "reservation": 0.2, "strategy": {"type": "linear"}}
    venue = {"geneva": 0.5, "vienna": 0.5}
    return build(
        {
            "id": "venues",
            "title": "Venues",
            "deadline": 20,
            "protocol": "mediated",
            "mediator": "m",
            "issues": {
                "money": {"options": {"a": {}, "split": {}, "b": {}}},
                "venue": {"options": {"geneva": {}, "vienna": {}}},
            },
            "parties": {
                "x": {
                    **side,
                    "weights": {"money": 3.0, "venue": 1.0},
                    "values": {"money": {"a": 1.0, "split": 0.6, "b": 0.0}, "venue": venue},
                },
                "y": {
                    **side,
                    "weights": {"money": 3.0, "venue": 1.0},
                    "values": {"money": {"a": 0.0, "split": 0.6, "b": 1.0}, "venue": venue},
                },
                "m": {
                    "signs": False,
                    "reservation": 0.0,
                    "weights": {"venue": 1.0},
                    "values": {"venue": {"geneva": 1.0, "vienna": 0.0}},
                    "strategy": {"type": "single_text", "polish": polish, "bias": bias},
                },
            },
        }
    )


@pytest.mark.parametrize("bias", [0.5, 4.0])
def test_after_signing_the_mediators_favourite_stays_among_texts_the_signatories_value_alike(
    bias,
):
    """Before: with one random draft the passes ended on the last option tried, Vienna:
    Geneva in 152 of 395 deals at bias 4 and 87 of 395 at bias 0.5."""
    rows = simulate(_venues(polish=1, bias=bias), seed=11, runs=400, block=400)
    deals = rows[rows.agreement]
    assert len(deals) >= 350
    assert (deals.venue == "geneva").mean() >= 0.95


def test_the_story_counts_only_changes_that_improve_the_signed_text():
    """A text left as signed counts 0 improvements (it was 'after 6 changes'), and a text
    that was improved differs from the one signed (improvements never cycle back)."""
    scenario = _venues(polish=20, bias=4.0)
    settlements = 0
    for seed in range(8):
        story = replay(scenario, seed=seed, run=0)
        for entry in story.trace:
            settled = entry.get("settlement")
            if settled:
                settlements += 1
                unchanged = settled["signed"] == entry["offer"]
                assert (settled["improvements"] == 0) == unchanged
    assert settlements >= 6  # most of the eight runs reach a deal


def _one_issue(tactic: str) -> Scenario:
    """A hardliner and a linear party over one issue; only 'split' is in the zone."""
    party: dict[str, Any] = {"signs": True, "weights": {"money": 1.0}}
    return build(
        {
            "id": "hardliner",
            "title": "Hardliner",
            "deadline": 30,
            "protocol": "mediated",
            "mediator": "m",
            "issues": {"money": {"options": {"a": {}, "split": {}, "b": {}}}},
            "parties": {
                "h": {
                    **party,
                    "reservation": 0.2,
                    "strategy": {"type": tactic},
                    "values": {"money": {"a": 1.0, "split": 0.5, "b": 0.0}},
                },
                "x": {
                    **party,
                    "reservation": 0.3,
                    "strategy": {"type": "linear"},
                    "values": {"money": {"a": 0.0, "split": 0.5, "b": 1.0}},
                },
                "m": {
                    "signs": False,
                    "reservation": 0.0,
                    "weights": {"money": 1.0},
                    "values": {"money": {"a": 1.0, "split": 0.5, "b": 0.0}},
                    "strategy": {"type": "single_text"},
                },
            },
        }
    )


def test_a_revision_adopted_in_the_last_round_is_signed():
    """A hardliner votes for 'split' only in the deadline round. Before: 0 of 1,000 deals."""
    rows = simulate(_one_issue("hardliner"), seed=1, runs=1000, block=1000)
    deals = rows[rows.agreement]
    assert len(deals) >= 100
    assert set(deals.money) == {"split"} and set(deals["round"]) == {30}


def test_a_party_only_the_current_text_needs_has_no_vote_on_a_text_without_it():
    """s must sign venue b (which y forbids) and wants b; before: 0 of 1,000 deals."""
    scenario = build(
        {
            "id": "needs",
            "title": "Needs",
            "deadline": 30,
            "protocol": "mediated",
            "mediator": "m",
            "issues": {
                "venue": {"options": {"a": {}, "b": {"needs": ["s"]}}},
                "money": {"options": {"p": {}, "q": {}}},
            },
            "parties": {
                "x": {
                    "signs": True,
                    "reservation": 0.2,
                    "strategy": {"type": "linear"},
                    "weights": {"venue": 1.0, "money": 1.0},
                    "values": {"venue": {"a": 0.5, "b": 0.5}, "money": {"p": 1.0, "q": 0.4}},
                },
                "y": {
                    "signs": True,
                    "reservation": 0.2,
                    "strategy": {"type": "linear"},
                    "weights": {"venue": 1.0, "money": 1.0},
                    "values": {"venue": {"a": 0.5, "b": 0.5}, "money": {"p": 0.4, "q": 1.0}},
                    "red_lines": [{"id": "nob", "forbid": {"venue": ["b"]}, "credibility": 1.0}],
                },
                "s": {
                    "signs": False,
                    "reservation": 0.5,
                    "strategy": {"type": "linear"},
                    "weights": {"venue": 1.0},
                    "values": {"venue": {"a": 0.0, "b": 1.0}},
                },
                "m": {
                    "signs": False,
                    "reservation": 0.0,
                    "weights": {"venue": 1.0},
                    "values": {"venue": {"a": 0.0, "b": 1.0}},
                    "strategy": {"type": "single_text"},
                },
            },
        }
    )
    rows = simulate(scenario, seed=1, runs=1000, block=1000)
    deals = rows[rows.agreement]
    assert len(deals) >= 700
    assert set(deals.venue) == {"a"}
