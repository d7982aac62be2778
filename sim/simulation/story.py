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
from sim.simulation import kernels
from sim.simulation.model import ENDINGS, NegotiationModel, run_block
from sim.simulation.tables import FLOOR, RATIFIER, Tables
from sim.space import OutcomeSpace


def line_words(space: Tables, key: str) -> str:
    """A line named in an answer, in words: a party's own red line, or its ratifier's limit.

    ``red line <id>`` (the party's own); ``<ratifier>'s red line <id>`` (a line of the
    party's ratifier, which it knows and will not sign past); ``what <ratifier> would
    ratify`` (the ratifier's reservation value).
    """
    line = next((x for x in space.lines if x.key == key), None)
    if line is None or line.ratifier is None:
        return "red line " + key.split(".", 1)[-1]
    who = space.scenario.ratifier_label(line.party, line.ratifier)
    if line.kind == RATIFIER:
        return f"{who}'s red line {line.id}"
    return f"what {who} would ratify"


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
        "firm": {
            ref.key: bool(result.firm[0, k])
            for k, ref in enumerate(space.lines)
            if ref.kind != FLOOR
        },
        "informed": {ref.key: bool(result.informed[0, q]) for q, ref in enumerate(space.ratifiers)},
        "ratified": (bool(result.ratified[0]) if agreed and space.ratifiers else None),
        "blocs": {
            name: {"members": [space.parties[m] for m in members], "rule": model.blocs[b].rule}
            for b, (name, members, _) in enumerate(space.blocs)
        },
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
    for key, knows in data["informed"].items():
        party, ratifier = key.split(".", 1)
        who = scenario.ratifier_label(party, ratifier)
        lines.append(
            f"{label(party)} {'knew' if knows else 'did not know'} what {who} would ratify"
            + (" (it refused texts that would fail at home)." if knows else ".")
        )
    for name, bloc in data["blocs"].items():
        members = ", ".join(label(m) for m in bloc["members"])
        lines.append(
            f"{scenario.bloc_label(name)} ({members}) negotiated as one voice ({bloc['rule']})."
        )
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
        if data["ratified"] is not None:
            lines.append(ratification_line(model))
    else:
        last = next((e for e in reversed(data["trace"] or []) if e["responses"]), None)
        blockers = [
            f"{_who(scenario, a)} ({_reason(space, a)})"
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


def _line_of(space: Tables, key: str) -> str:
    """How a belief names a line: ``the red line <id> of <party or ratifier>``, or a reservation."""
    line = next((x for x in space.lines if x.key == key), None)
    scenario = space.scenario
    if line is None or line.ratifier is None:
        party, line_id = key.split(".", 1)
        return f"the red line {line_id} of {scenario.party_label(party)}"
    who = scenario.ratifier_label(line.party, line.ratifier)
    return (
        f"the red line {line.id} of {who}" if line.kind == RATIFIER else f"what {who} would ratify"
    )


def ratification_line(model: NegotiationModel) -> str:
    """Whether the deal of run 0 is ratified at home, and if not, by whom it is refused."""
    space, st = model.space, model.state
    if bool(model.outcomes().ratified[0]):
        return "Ratified at home: every ratifier of every signer accepted the deal."
    deal = np.ascontiguousarray(st.choice[:1])
    signer = space.signers(deal)[0]
    refusals = []
    for k, ref in enumerate(space.lines):
        if ref.ratifier is None or not signer[ref.party_index]:
            continue
        crossed = np.empty(1, dtype=bool)
        kernels.crossed_rows(space.kernel, st.value, st.bar, k, np.zeros(1, np.intp), deal, crossed)
        binds = ref.kind == FLOOR or (bool(st.firm[0, k]) and not bool(st.dropped[0, k]))
        if crossed[0] and binds:
            who = space.scenario.ratifier_label(ref.party, ref.ratifier)
            refusals.append(
                f"{who} rejected it (its red line {ref.id})"
                if ref.kind == RATIFIER
                else f"{who} rejected it (worth less to it than no deal)"
            )
    return "Not ratified: " + "; ".join(refusals) + " — the deal failed at home."


def _who(scenario: Scenario, answer: dict[str, Any]) -> str:
    """A party's name in an answer, with its bloc's when it answers for one."""
    who = scenario.party_label(answer["party"])
    bloc = answer.get("bloc")
    return f"{who} (for {scenario.bloc_label(bloc)})" if bloc else who


def _reason(space: Tables, answer: dict[str, Any]) -> str:
    if answer["red_line"]:
        return line_words(space, str(answer["red_line"]))
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
    space = model.space
    for answer in entry["responses"]:
        who = _who(scenario, answer)
        numbers = f"utility {answer['utility']:.2f}, asked for {answer['aspiration']:.2f}"
        if answer["accept"]:
            lines.append(f"{pad}    {who} accepted ({numbers})")
        elif answer["red_line"]:
            lines.append(f"{pad}    {who} vetoed it: {line_words(space, answer['red_line'])}")
        else:
            issue = scenario.issue_label(answer["issue"])
            lines.append(f"{pad}    {who} rejected it and asked to change: {issue} ({numbers})")
    lines += _bloc_lines(model, entry["responses"], pad, "text")
    revision = entry.get("revision")
    if revision is not None and not entry["agreement"]:
        lines += _revision_lines(model, revision, pad)
    for belief in entry.get("beliefs", []):
        lines.append(
            f"{pad}    Belief that {_line_of(space, belief['red_line'])} is firm:"
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


def _bloc_lines(
    model: NegotiationModel, answers: list[dict[str, Any]], pad: str, what: str
) -> list[str]:
    """How each bloc answered as one: its rule over its members' answers, and its voice."""
    scenario = model.space.scenario
    out = []
    for bloc in model.blocs:
        mine = [a for a in answers if a.get("bloc") == bloc.bloc]
        if not mine:
            continue
        yes = sum(bool(a.get("accept", a.get("agree"))) for a in mine)
        agreed = (
            yes == len(bloc.members) if bloc.rule == "unanimous" else 2 * yes > len(bloc.members)
        )
        heard = next((a for a in mine if a.get("heard")), None)
        voice = f"; {scenario.party_label(heard['party'])} spoke for it" if heard else ""
        out.append(
            f"{pad}    {bloc.label} answered as one ({bloc.rule}, {yes} of"
            f" {len(bloc.members)} for): {'accepted' if agreed else 'refused'} the {what}{voice}"
        )
    return out


def _revision_lines(model: NegotiationModel, revision: dict[str, Any], pad: str) -> list[str]:
    """The mediator's proposed change, who agreed, who objected and why, and the result."""
    scenario = model.space.scenario
    changes = revision["changes"]
    if not changes:
        return [f"{pad}    The mediator proposed no change this round."]
    what = "; ".join(
        f"{scenario.issue_label(issue)} → {scenario.option_label(issue, option)}"
        for issue, option in changes.items()
    )
    out = [f"{pad}    Proposed change: {what}"]
    for vote in revision["votes"]:
        who = _who(scenario, vote)
        if vote["agree"]:
            out.append(f"{pad}      {who} accepted the change")
        elif vote["red_line"]:
            words = line_words(model.space, vote["red_line"])
            out.append(f"{pad}      {who} vetoed the change: {words}")
        else:
            out.append(f"{pad}      {who} rejected the change: worse for it than the current text")
    out += _bloc_lines(model, revision["votes"], pad + "  ", "change")
    out.append(
        f"{pad}      {'Adopted: it is the new text.' if revision['adopted'] else 'Not adopted.'}"
    )
    return out
