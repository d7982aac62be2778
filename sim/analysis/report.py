"""An analysis as the JSON object of DESIGN.md, and as one screen of text for a reader."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.analysis.analysis import Analysis
from sim.scenario.models import RedLine
from sim.space import OutcomeSpace


def _deal(analysis: Analysis, index: int, product: float, pareto: bool) -> dict[str, Any]:
    space = analysis.space
    return {
        "outcome": space.outcome(index),
        "utilities": {p: float(space.utility[k, index]) for k, p in enumerate(space.parties)},
        "nash_product": float(product),
        "pareto": bool(pareto),
    }


def _home_deal(analysis: Analysis, index: int, product: float, pareto: bool) -> dict[str, Any]:
    space = analysis.space
    deal = _deal(analysis, index, product, pareto)
    deal["ratifier_utilities"] = {
        q.key: float(space.ratifier_utility[k, index]) for k, q in enumerate(space.ratifiers)
    }
    return deal


def _point(analysis: Analysis, index: int | None) -> dict[str, Any] | None:
    if index is None:
        return None
    k = int(np.flatnonzero(analysis.feasible == index)[0])
    return _deal(analysis, index, analysis.nash_product[k], analysis.pareto[k])


def opened_by(analysis: Analysis, dropped: tuple[int, ...]) -> int:
    """How many outcomes are in the zone once the given red lines are dropped."""
    mask = np.zeros(len(analysis.space.lines), dtype=bool)
    mask[list(dropped)] = True
    return int(np.count_nonzero(analysis.zone.without(mask)))


def to_json(analysis: Analysis) -> dict[str, Any]:
    """The ``negsim analyze --json`` object."""
    space = analysis.space
    scenario = space.scenario
    out: dict[str, Any] = {
        "scenario": scenario.id,
        "title": scenario.title,
        "parties": list(space.parties),
        "signatories": scenario.signatories,
        "issues": {
            issue: list(opts) for issue, opts in zip(space.issues, space.options, strict=True)
        },
        "outcomes": space.n_outcomes,
        "feasible": [
            _deal(analysis, int(o), p, q)
            for o, p, q in zip(
                analysis.feasible, analysis.nash_product, analysis.pareto, strict=True
            )
        ],
        "nash": _point(analysis, analysis.nash),
        "kalai_smorodinsky": _point(analysis, analysis.kalai_smorodinsky),
        "red_lines": [
            {
                "party": line.party,
                "id": line.id,
                "excludes": int(analysis.excludes[k]),
                "unlocks": int(analysis.unlock_counts[k]),
                "unlocked": [space.outcome(int(o)) for o in np.flatnonzero(analysis.unlocks[k])],
            }
            for k, line in enumerate(space.lines)
        ],
        "max_relax": analysis.max_relax,
        "minimal_relaxations": [
            [space.lines[k].key for k in relaxation] for relaxation in analysis.relaxations
        ],
    }
    if space.blocs:
        out["blocs"] = {
            bloc.id: {"members": [space.parties[m] for m in bloc.members], "rule": bloc.rule}
            for bloc in space.blocs
        }
    if space.ratifiers:
        out |= _ratification_json(analysis)
    return out


def _ratification_json(analysis: Analysis) -> dict[str, Any]:
    """The keys ``analyze --json`` adds when any party has ratifiers (README, analyze)."""
    space = analysis.space
    return {
        "ratifiers": [
            {"party": q.party, "id": q.id, "key": q.key, "reservation": q.spec.reservation}
            for q in space.ratifiers
        ],
        "ratifiable": [
            _home_deal(analysis, int(o), p, q)
            for o, p, q in zip(
                analysis.ratifiable,
                analysis.ratifiable_nash_product,
                analysis.ratifiable_pareto,
                strict=True,
            )
        ],
        "not_ratifiable": [
            {"outcome": space.outcome(int(o)), "excluded_by": analysis.home_obstacles(int(o))}
            for o in analysis.failing_at_home
        ],
        "ratifier_red_lines": [
            {
                "party": line.party,
                "ratifier": line.ratifier,
                "id": line.id,
                "key": line.key,
                "excludes": int(analysis.ratifier_excludes[m]),
                "unlocks": int(analysis.ratifier_unlock_counts[m]),
                "unlocked": [
                    space.outcome(int(o)) for o in np.flatnonzero(analysis.ratifier_unlocks[m])
                ],
            }
            for m, line in enumerate(space.ratifier_lines)
        ],
        "ratifiable_relaxations": [
            [analysis.line_key(k) for k in relaxation]
            for relaxation in analysis.ratifiable_relaxations
        ],
    }


def _utilities(space: OutcomeSpace, index: int) -> str:
    return "  ".join(f"{space.utility[p, index]:>{w}.2f}" for p, w in _signer_columns(space))


def _signer_columns(space: OutcomeSpace) -> list[tuple[int, int]]:
    return [
        (p, max(5, len(space.scenario.party_label(space.parties[p]))))
        for p in np.flatnonzero(space.signs).tolist()
    ]


def to_text(analysis: Analysis, top: int = 10) -> str:
    """A one-screen answer: which deals can form, and which red lines block the rest.

    With ratifiers, the ratifiable zone follows: how many of the deals would be
    ratified, the best of them, why the others fail at home, the ratifiers' red lines
    and, when none would be ratified, the relaxations that change that.
    """
    text = _zone_text(analysis, top)
    if not analysis.space.ratifiers:
        return text
    return text + "\n" + _home_text(analysis, top)


def _zone_text(analysis: Analysis, top: int) -> str:
    space = analysis.space
    scenario = space.scenario
    signers = [scenario.party_label(p) for p in scenario.signatories]
    lines = [
        f"{scenario.title} ({scenario.id})",
        f"{_count(space.n_outcomes, 'possible deal')} over {_count(len(space.issues), 'issue')}"
        f" ({', '.join(scenario.issue_label(i) for i in space.issues)});"
        f" every deal is signed by {_join(signers)}, and by others when it needs them.",
    ]
    for bloc in space.blocs:
        members = _join([scenario.party_label(space.parties[m]) for m in bloc.members])
        rule = "all of them do" if bloc.rule == "unanimous" else "more than half of them do"
        named = f" ({bloc.id})" if scenario.blocs[bloc.id].label else ""
        lines.append(
            f"Bloc {scenario.bloc_label(bloc.id)}{named}: {members} sign together; it"
            f" accepts a deal when {rule} ({bloc.rule})."
        )
    lines.append("")
    n_zone = analysis.feasible.size
    if n_zone:
        lines.append(
            f"{_count(n_zone, 'deal')} can form, best Nash product first"
            " (N = Nash point, K = Kalai–Smorodinsky point, P = Pareto-optimal):"
        )
        header = "  ".join(
            f"{scenario.party_label(space.parties[p]):>{w}}" for p, w in _signer_columns(space)
        )
        lines.append(f"{'':11}{header}  deal")
        for rank, index in enumerate(analysis.feasible[:top].tolist()):
            marks = (
                ("N" if index == analysis.nash else " ")
                + ("K" if index == analysis.kalai_smorodinsky else " ")
                + ("P" if analysis.pareto[rank] else " ")
            )
            extra = [
                scenario.party_label(space.parties[p])
                for p in np.flatnonzero(space.signer[:, index] & ~space.signs)
            ]
            needs = f"  (also signed by {_join(extra)})" if extra else ""
            lines.append(
                f"{rank + 1:>4}. {marks}  {_utilities(space, index)}"
                f"  {'; '.join(space.describe(index))}{needs}"
            )
        if n_zone > top:
            lines.append(f"{'':6}… and {n_zone - top:,} more (--top N shows more, --json all)")
        reserve = "  ".join(f"{space.reservation[p]:>{w}.2f}" for p, w in _signer_columns(space))
        lines.append(f"{'  no deal':<11}{reserve}  (reservation values)")
        lines.append("")
    lines.append(_why_not(analysis))
    if space.lines:
        lines += _line_table(
            "red line",
            "deals that form if this line alone is dropped",
            [(ref.key, ref.spec) for ref in space.lines],
            analysis.excludes,
            analysis.unlock_counts,
        )
    if n_zone:
        return "\n".join(lines) + "\n"
    lines.append("")
    if analysis.relaxations:
        lines.append(
            "Drop one of these sets of red lines and deals can form"
            f" (up to {analysis.max_relax} lines):"
        )
        for relaxation in analysis.relaxations[:top]:
            names = " + ".join(space.lines[k].key for k in relaxation)
            count = opened_by(analysis, relaxation)
            lines.append(f"  {names}  → {_count(count, 'deal')}")
        if len(analysis.relaxations) > top:
            lines.append(f"  … and {len(analysis.relaxations) - top} more (--json lists all)")
    else:
        lines.append(
            f"Dropping up to {analysis.max_relax} red lines opens no deal: reservation values or"
            " more lines stand in the way (try --max-relax)."
        )
    return "\n".join(lines).rstrip() + "\n"


def _home_text(analysis: Analysis, top: int) -> str:
    """The ratifiable zone (the win-set at home), beside the zone."""
    space = analysis.space
    scenario = space.scenario
    who = _join(
        [
            f"{scenario.party_label(q.party)}'s {scenario.ratifier_label(q.party, q.id)}"
            for q in space.ratifiers
        ]
    )
    n_zone, n_home = analysis.feasible.size, analysis.ratifiable.size
    lines = [
        f"Ratification: a deal stands only when every ratifier of its signers accepts it ({who})."
    ]
    if n_home and n_home == n_zone:
        every = {1: "The one deal", 2: "Both deals"}.get(n_zone, f"All {n_zone:,} deals")
        lines.append(f"{every} that can form would be ratified.")
    elif n_home:
        lines.append(
            f"{n_home:,} of the {n_zone:,} deals that can form would be ratified, best Nash"
            " product first (P = Pareto-optimal among them):"
        )
        header = "  ".join(
            f"{scenario.party_label(space.parties[p]):>{w}}" for p, w in _signer_columns(space)
        )
        lines.append(f"{'':11}{header}  deal")
        for rank, index in enumerate(analysis.ratifiable[:top].tolist()):
            mark = "P" if analysis.ratifiable_pareto[rank] else " "
            lines.append(
                f"{rank + 1:>4}.   {mark}  {_utilities(space, index)}"
                f"  {'; '.join(space.describe(index))}"
            )
        if n_home > top:
            lines.append(f"{'':6}… and {n_home - top:,} more (--top N shows more, --json all)")
    elif n_zone:
        lines.append(f"None of the {_count(n_zone, 'deal')} that can form would be ratified.")
    else:
        lines.append("With no deal in the zone, none can be ratified.")
    failing = analysis.failing_at_home
    if failing.size:
        verb = "fails" if failing.size == 1 else "fail"
        lines.append(
            f"Why {_count(int(failing.size), 'deal')} that can form {verb} at home"
            " (numbered as among the deals that can form):"
        )
        ranks = {int(o): k + 1 for k, o in enumerate(analysis.feasible.tolist())}
        for index in failing[:top].tolist():
            lines.append(f"{ranks[index]:>4}.  {'; '.join(space.describe(index))}")
            lines.append(f"{'':7}→ {_obstacles(analysis, analysis.home_obstacles(index))}")
        if failing.size > top:
            lines.append(f"{'':6}… and {failing.size - top:,} more (--json lists all)")
    if space.ratifier_lines:
        lines += _line_table(
            "ratifier red line",
            "deals ratified if this line alone is dropped",
            [(ref.key, ref.spec) for ref in space.ratifier_lines],
            analysis.ratifier_excludes,
            analysis.ratifier_unlock_counts,
        )
    if not n_home:
        lines.append("")
        if analysis.ratifiable_relaxations:
            lines.append(
                "Drop one of these sets of red lines (the parties' and the ratifiers') and a"
                f" deal can form and be ratified (up to {analysis.max_relax} lines):"
            )
            for relaxation in analysis.ratifiable_relaxations[:top]:
                names = " + ".join(analysis.line_key(k) for k in relaxation)
                count = ratified_when_dropped(analysis, relaxation)
                lines.append(f"  {names}  → {_count(count, 'deal')}")
            if len(analysis.ratifiable_relaxations) > top:
                more = len(analysis.ratifiable_relaxations) - top
                lines.append(f"  … and {more} more (--json lists all)")
        else:
            lines.append(
                f"Dropping up to {analysis.max_relax} red lines, the parties' or the ratifiers',"
                " gets no deal ratified: reservation values or more lines stand in the way"
                " (try --max-relax)."
            )
    return "\n".join(lines).rstrip() + "\n"


def _obstacles(analysis: Analysis, keys: list[str]) -> str:
    """Keys of what excludes a deal at home, in words."""
    scenario = analysis.space.scenario
    words = []
    for key in keys:
        party, ratifier, *line = key.split(".")
        name = scenario.ratifier_label(party, ratifier)
        if line:
            words.append(f"crosses {name}'s red line {key}")
        else:
            words.append(f"is below {name}'s reservation value ({key})")
    return "; ".join(words)


def ratified_when_dropped(analysis: Analysis, dropped: tuple[int, ...]) -> int:
    """How many outcomes are ratifiable once the given lines (of ``all_lines``) are dropped."""
    mask = np.zeros(len(analysis.space.all_lines), dtype=bool)
    mask[list(dropped)] = True
    return int(np.count_nonzero(analysis.ratifiable_zone.without(mask)))


def _why_not(analysis: Analysis) -> str:
    """Why the outcomes outside the zone cannot form, counted by their first obstacle."""
    n_outcomes, n_zone = analysis.space.n_outcomes, analysis.feasible.size
    below = int(np.count_nonzero(~analysis.zone.acceptable))
    blocked = int(np.count_nonzero(analysis.zone.acceptable & ~analysis.zone.zone))
    if n_zone == n_outcomes:
        if n_outcomes == 1:
            return "The only possible deal can form."
        return f"All {n_outcomes:,} possible deals can form."
    if n_outcomes - n_zone == 1:  # one deal: "it leaves", not "1 leaves"
        head = "The only possible deal" if n_outcomes == 1 else "Why the other deal"
        why = (
            "leaves a signer below its reservation value"
            if below
            else "crosses a signer's red line"
        )
        return f"{head} cannot form: it {why}."
    if n_zone == 0:
        head = f"None of the {n_outcomes:,} possible deals can form"
    else:
        head = f"Why the other {n_outcomes - n_zone:,} cannot form"
    reasons = []
    if below:
        verb = "leaves" if below == 1 else "leave"
        reasons.append(f"{below:,} {verb} a signer below its reservation value")
    if blocked:
        verb = "crosses" if blocked == 1 else "cross"
        more = " more" if below else ""
        reasons.append(f"{blocked:,}{more} {verb} a signer's red line")
    return f"{head}: {'; '.join(reasons)}."


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _join(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _line_table(
    head: str, unlocks: str, refs: list[tuple[str, RedLine]], excludes: Any, unlocked: Any
) -> list[str]:
    """A table of red lines: what each excludes and unlocks, and its credibility."""
    width = max(len(key) for key, _ in refs)
    out = [f"  {head:<{width}}  excludes  unlocks  firm   (unlocks: {unlocks})"]
    for k, (key, spec) in enumerate(refs):
        implied = "  implied by the source" if spec.basis == "implied" else ""
        out.append(
            f"  {key:<{width}}  {excludes[k]:>8,}  {unlocked[k]:>7,}"
            f"  {spec.credibility:>4.0%}{implied}"
        )
    return out
