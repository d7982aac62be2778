"""An analysis as the JSON object of DESIGN.md, and as one screen of text for a reader."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.analysis.analysis import Analysis
from sim.space import OutcomeSpace


def _deal(analysis: Analysis, index: int, product: float, pareto: bool) -> dict[str, Any]:
    space = analysis.space
    return {
        "outcome": space.outcome(index),
        "utilities": {p: float(space.utility[k, index]) for k, p in enumerate(space.parties)},
        "nash_product": float(product),
        "pareto": bool(pareto),
    }


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
    return {
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


def _utilities(space: OutcomeSpace, index: int) -> str:
    return "  ".join(f"{space.utility[p, index]:>{w}.2f}" for p, w in _signer_columns(space))


def _signer_columns(space: OutcomeSpace) -> list[tuple[int, int]]:
    return [
        (p, max(5, len(space.scenario.party_label(space.parties[p]))))
        for p in np.flatnonzero(space.signs).tolist()
    ]


def to_text(analysis: Analysis, top: int = 10) -> str:
    """A one-screen answer: which deals can form, and which red lines block the rest."""
    space = analysis.space
    scenario = space.scenario
    signers = [scenario.party_label(p) for p in scenario.signatories]
    lines = [
        f"{scenario.title} ({scenario.id})",
        f"{_count(space.n_outcomes, 'possible deal')} over {_count(len(space.issues), 'issue')}"
        f" ({', '.join(scenario.issue_label(i) for i in space.issues)});"
        f" every deal is signed by {_join(signers)}, and by others when it needs them.",
        "",
    ]
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
        width = max(len(line.key) for line in space.lines)
        lines.append(
            f"  {'red line':<{width}}  excludes  unlocks  firm   (unlocks: deals that form"
            " if this line alone is dropped)"
        )
        for k, ref in enumerate(space.lines):
            implied = "  implied by the source" if ref.spec.basis == "implied" else ""
            lines.append(
                f"  {ref.key:<{width}}  {analysis.excludes[k]:>8,}"
                f"  {analysis.unlock_counts[k]:>7,}  {ref.spec.credibility:>4.0%}{implied}"
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
