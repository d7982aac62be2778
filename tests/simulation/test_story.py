"""The story of a mediated run tells each revision (issue 10, point 7)."""

from __future__ import annotations

from pathlib import Path

from sim.scenario import load_scenario
from sim.simulation.story import replay, to_text

ROOT = Path(__file__).resolve().parents[2]


def test_each_revision_is_told_with_its_votes_and_the_signed_text():
    model = replay(load_scenario(ROOT / "scenarios" / "ukraine_2025.yaml"), 3, 0)
    text = to_text(model)
    told = [e for e in model.trace if e["revision"] and e["revision"]["changes"]]
    assert told, "the mediator proposed changes"
    assert text.count("Proposed change:") == len([e for e in told if not e["agreement"]])
    for entry in told:
        for vote in entry["revision"]["votes"]:
            assert (
                vote["agree"] or vote["red_line"] is None or vote["red_line"].count(".") in (1, 2)
            )
    assert "accepted the change" in text
    assert "vetoed the change: red line" in text or "rejected the change" in text
    assert ("Adopted: it is the new text." in text) == any(e["revision"]["adopted"] for e in told)
    last = model.trace[-1]
    ending = text.rstrip().splitlines()
    assert last["agreement"] and ending[-3].startswith("Agreement in round")
    assert ending[-2].startswith("Utilities:")
    # the baseline's Ukraine has a ratifier: the story ends on whether the deal passes
    assert ending[-1].startswith(("Ratified at home", "Not ratified"))
    assert (ending[-1].startswith("Ratified")) == bool(model.outcomes().ratified[0])
