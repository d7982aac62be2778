"""One negotiation, replayed with its trace: as JSON, and as a story a reader can follow.

The story is told in the past tense: an English verb in the past takes one form for a
party named in the singular and in the plural ("Russia accepted", "European states
accepted"), so a party's label needs no grammatical number, and no guess at one from
its spelling ("United States" is one party, "European states" many).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.scenario import Scenario
from sim.simulation.model import ENDINGS, NegotiationModel, run_block
from sim.simulation.tables import Tables
from sim.space import OutcomeSpace


def replay(space: Scenario | OutcomeSpace | Tables, seed: int, run: int) -> NegotiationModel:
    """Simulate run ``run`` of ``seed`` alone, keeping its trace (it is row ``run`` of a batch)."""
    from sim.simulation import tables_of

    return run_block(tables_of(space), seed, [run], trace=True)[1]


def to_json(model: NegotiationModel) -> dict[str, Any]:
    """The ``negsim run --json`` object."""
    space = model.space
    result = model.outcomes()
    agreed = bool(result.agreement[0])
    params = model.params
    return {
        "scenario": space.scenario.id,
        "seed": model.run_seed,
        "run": int(result.runs[0]),
        "agreement": agreed,
        "outcome": space.outcome(result.choice[0]) if agreed else None,
        "round": int(result.round[0]) if agreed else None,
        "ended": ENDINGS[int(result.ended[0])],
        "utilities": {p: float(result.utility[0, k]) for k, p in enumerate(space.parties)},
        "reservations": {p: float(params.reservation[0, k]) for k, p in enumerate(space.parties)},
        "firm": {ref.key: bool(result.firm[0, k]) for k, ref in enumerate(space.lines)},
        "trace": model.trace,
    }


def to_text(model: NegotiationModel) -> str:
    """The round-by-round story of one negotiation, in words."""
    space = model.space
    scenario = space.scenario
    data = to_json(model)
    label = scenario.party_label

    def deal(offer: dict[str, str]) -> str:
        return "; ".join(scenario.option_label(i, o) for i, o in offer.items())

    how = f"mediated by {label(scenario.mediator)}" if scenario.mediator else "alternating offers"
    lines = [
        f"{scenario.title} ({scenario.id}): run {data['run']} of seed {data['seed']},"
        f" {how}, deadline {scenario.deadline} rounds",
    ]
    firm = [k for k, v in data["firm"].items() if v]
    bluffs = [k for k, v in data["firm"].items() if not v]
    lines.append(f"Firm red lines in this run: {', '.join(firm) or 'none'}.")
    if bluffs:
        lines.append(f"Stated but not firm (given up under pressure): {', '.join(bluffs)}.")
    sampled = ", ".join(f"{label(p)} {r:.2f}" for p, r in model_reservations(model).items())
    lines.append(f"Reservation values: {sampled}.")
    costs = [
        f"{label(p)} {float(model.params.cost_of_delay[0, k]):+.3f}"
        for k, p in enumerate(model.space.parties)
        if float(model.params.cost_of_delay[0, k]) != 0.0
    ]
    if costs:
        lines.append(f"Costs of delay per round (utility lost without a deal): {', '.join(costs)}.")
    lines.append("")
    for entry in data["trace"] or []:
        lines += round_lines(model, entry)
    lines.append("")
    if data["agreement"]:
        utilities = ", ".join(
            f"{label(p)} {u:.2f} (no deal {data['reservations'][p]:.2f})"
            for p, u in data["utilities"].items()
            if p in scenario.signatories
        )
        lines.append(f"Agreement in round {data['round']}: {deal(data['outcome'])}.")
        lines.append(f"Utilities: {utilities}.")
    else:
        last = next((e for e in reversed(data["trace"] or []) if e["responses"]), None)
        blockers = [
            f"{label(a['party'])} ({_reason(a)})"
            for a in (last["responses"] if last else [])
            if not a["accept"]
        ]
        why = {
            "no_zone": "no deal could form any more",
            "walked_out": "a signatory left the table at its own deadline",
        }.get(data["ended"], "the deadline passed")
        lines.append(f"No agreement: {why}.")
        if blockers:
            lines.append(f"The last text was refused by {', '.join(blockers)}.")
    return "\n".join(lines) + "\n"


def model_reservations(model: NegotiationModel) -> dict[str, float]:
    """The signatories' reservation values in the run, after any events."""
    space = model.space
    return {
        p: float(model.params.reservation[0, k])
        for k, p in enumerate(space.parties)
        if bool(np.asarray(space.signs)[k])
    }


def _reason(answer: dict[str, Any]) -> str:
    if answer["red_line"]:
        return "red line " + str(answer["red_line"]).split(".", 1)[1]
    return "not enough for it"


def round_lines(model: NegotiationModel, entry: dict[str, Any]) -> list[str]:
    """One round of a trace in words: events, red lines given up, the offer, the answers."""
    scenario = model.space.scenario
    label = scenario.party_label
    lines: list[str] = []
    head = f"Round {entry['round']:>2}"

    def deal(offer: dict[str, str]) -> str:
        return "; ".join(scenario.option_label(i, o) for i, o in offer.items())

    for event in entry["events"]:
        spec = next(e for e in scenario.events if e.id == event)
        lines.append(f"{head}  Event: {spec.label or spec.id}.")
        head = " " * len(head)
    why = {g["red_line"]: g for g in entry.get("gave_way", [])}
    for key in entry["given_up"]:
        party, line_id = key.split(".", 1)
        because = ""
        if key in why:
            because = (
                f" (a text crossed it and the pressure of the talks, {why[key]['pressure']:.2f},"
                f" reached the line's threshold, {why[key]['threshold']:.2f})"
            )
        lines.append(f"{head}  {label(party)} gave up the stated red line {line_id}{because}.")
        head = " " * len(head)
    if entry.get("walked_out"):
        gone = ", ".join(label(p) for p in entry["walked_out"])
        lines.append(f"{head}  {gone} left the table (its own deadline passed). The talks ended.")
        return lines
    if entry.get("no_zone") is not None:
        lines.append(
            f"{head}  No deal can form any more: every deal crosses a firm red line"
            " or leaves a signer below its reservation value. The talks ended."
        )
        return lines
    pad = " " * len(head)
    settlement = entry.get("settlement")
    lines.append(f"{head}  {label(entry['proposer'])} proposed: {deal(entry['offer'])}")
    for answer in entry["responses"]:
        who = label(answer["party"])
        numbers = f"utility {answer['utility']:.2f}, asked for {answer['aspiration']:.2f}"
        if answer["accept"]:
            lines.append(f"{pad}    {who} accepted ({numbers})")
        elif answer["red_line"]:
            line_id = answer["red_line"].split(".", 1)[1]
            lines.append(f"{pad}    {who} vetoed it: red line {line_id}")
        else:
            issue = scenario.issue_label(answer["issue"])
            lines.append(f"{pad}    {who} rejected it and asked to change: {issue} ({numbers})")
    revision = entry.get("revision")
    if revision is not None and not entry["agreement"]:
        lines += _revision_lines(scenario, revision, pad)
    for belief in entry.get("beliefs", []):
        party, line_id = belief["red_line"].split(".", 1)
        lines.append(
            f"{pad}    Belief that the red line {line_id} of {label(party)} is firm:"
            f" {belief['before']:.2f} → {belief['after']:.2f}."
        )
    if entry["agreement"]:
        lines.append(f"{pad}    Agreement: every signer would sign this text.")
        for key in entry.get("crosses_given_up", []):
            party, line_id = key.split(".", 1)
            lines.append(f"{pad}    It crosses the red line {line_id} that {label(party)} gave up.")
        if settlement and settlement["improvements"]:
            lines.append(
                f"{pad}    This is the text first agreed, {deal(settlement['signed'])}, after"
                f" {settlement['improvements']} change(s) every signer accepted"
                " (post-settlement settlement)."
            )
    return lines


def _revision_lines(scenario: Any, revision: dict[str, Any], pad: str) -> list[str]:
    """The mediator's proposed change, who agreed, who objected and why, and the result."""
    label = scenario.party_label
    changes = revision["changes"]
    if not changes:
        return [f"{pad}    The mediator proposed no change this round."]
    what = "; ".join(
        f"{scenario.issue_label(issue)} → {scenario.option_label(issue, option)}"
        for issue, option in changes.items()
    )
    out = [f"{pad}    Proposed change: {what}"]
    for vote in revision["votes"]:
        who = label(vote["party"])
        if vote["agree"]:
            out.append(f"{pad}      {who} accepted the change")
        elif vote["red_line"]:
            line_id = vote["red_line"].split(".", 1)[1]
            out.append(f"{pad}      {who} vetoed the change: red line {line_id}")
        else:
            out.append(f"{pad}      {who} rejected the change: worse for it than the current text")
    out.append(
        f"{pad}      {'Adopted: it is the new text.' if revision['adopted'] else 'Not adopted.'}"
    )
    return out
