"""A brute-force reference for the analysis, written straight from DESIGN.md's definitions.

Slow on purpose: loops over outcomes and subsets, no numpy, nothing shared with sim/.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from sim.scenario import Scenario

EPS = 1e-9
Outcome = tuple[str, ...]


@dataclass
class Reference:
    """Everything DESIGN.md says the analysis reports."""

    outcomes: list[Outcome]
    utilities: dict[Outcome, dict[str, float]]
    zone: list[Outcome]
    ranked: list[Outcome]
    products: dict[Outcome, float]
    pareto: set[Outcome]
    nash: Outcome | None
    ks: Outcome | None
    excludes: dict[str, int]
    unlocks: dict[str, set[Outcome]]
    relaxations: list[tuple[str, ...]]
    # ratification and blocs (DESIGN.md v2, the contract of issue 13)
    ratifiable: list[Outcome]  # ranked like `ranked`
    ratifiable_pareto: set[Outcome]
    home_obstacles: dict[Outcome, list[str]]  # every zone outcome that fails at home
    ratifier_utilities: dict[Outcome, dict[str, float]]  # by "party.ratifier"
    ratifier_excludes: dict[str, int]  # by "party.ratifier.line"
    ratifier_unlocks: dict[str, set[Outcome]]
    ratifiable_relaxations: list[tuple[str, ...]]


def utility(s: Scenario, party: str, outcome: Outcome) -> float:
    p = s.parties[party]
    total = sum(p.weights.values())
    u = 0.0
    for issue, option in zip(s.issues, outcome, strict=True):
        w = p.weights.get(issue, 0.0) / total
        if w:
            u += w * p.values[issue][option]
    return u


def crosses(s: Scenario, party: str, line_id: str, outcome: Outcome) -> bool:
    line = next(x for x in s.parties[party].red_lines if x.id == line_id)
    chosen = dict(zip(s.issues, outcome, strict=True))
    if line.forbid is not None:
        return all(chosen[i] in opts for i, opts in line.forbid.items())
    assert line.require is not None
    return any(chosen[i] not in opts for i, opts in line.require.items())


def ratifier_utility(s: Scenario, party: str, ratifier: str, outcome: Outcome) -> float:
    """Its own weights when it gives them, else the party's; values issue by issue."""
    p = s.parties[party]
    q = next(x for x in p.ratification if x.id == ratifier)
    weights = q.weights if q.weights is not None else p.weights
    total = sum(weights.values())
    u = 0.0
    for issue, option in zip(s.issues, outcome, strict=True):
        w = weights.get(issue, 0.0) / total
        if w:
            own = q.values or {}
            u += w * (own[issue] if issue in own else p.values[issue])[option]
    return u


def line_crossed(line, s: Scenario, outcome: Outcome) -> bool:
    chosen = dict(zip(s.issues, outcome, strict=True))
    if line.forbid is not None:
        return all(chosen[i] in opts for i, opts in line.forbid.items())
    return any(chosen[i] not in opts for i, opts in line.require.items())


def signers(s: Scenario, outcome: Outcome) -> set[str]:
    out = {p for p, party in s.parties.items() if party.signs}
    for issue, option in zip(s.issues, outcome, strict=True):
        out |= set(s.issues[issue].options[option].needs)
    for bloc in s.blocs.values():  # every member signs when any member does
        if out & set(bloc.members):
            out |= set(bloc.members)
    return out


def accepts(s: Scenario, party: str, outcome: Outcome, dropped: set[str]) -> bool:
    for line in s.parties[party].red_lines:
        if f"{party}.{line.id}" not in dropped and crosses(s, party, line.id, outcome):
            return False
    return utility(s, party, outcome) >= s.parties[party].reservation - EPS


def in_zone(s: Scenario, o: Outcome, dropped: set[str]) -> bool:
    signing = signers(s, o)
    in_bloc = {m for bloc in s.blocs.values() for m in bloc.members}
    if not all(accepts(s, p, o, dropped) for p in signing - in_bloc):
        return False
    for bloc in s.blocs.values():
        if not set(bloc.members) & signing:
            continue
        ayes = sum(accepts(s, m, o, dropped) for m in bloc.members)
        if bloc.rule == "unanimous" and ayes < len(bloc.members):
            return False
        if bloc.rule == "majority" and not 2 * ayes > len(bloc.members):
            return False
    return True


def zone_of(s: Scenario, outcomes: list[Outcome], dropped: set[str]) -> list[Outcome]:
    return [o for o in outcomes if in_zone(s, o, dropped)]


def home_obstacles(s: Scenario, o: Outcome, dropped: set[str]) -> list[str]:
    """What every ratifier of every signer holds against o: crossed lines, reservations."""
    out = []
    for p in s.parties:
        if p not in signers(s, o):
            continue
        for q in s.parties[p].ratification:
            for line in q.red_lines:
                key = f"{p}.{q.id}.{line.id}"
                if key not in dropped and line_crossed(line, s, o):
                    out.append(key)
            if ratifier_utility(s, p, q.id, o) < q.reservation - EPS:
                out.append(f"{p}.{q.id}")
    return out


def ratifiable_of(s: Scenario, outcomes: list[Outcome], dropped: set[str]) -> list[Outcome]:
    return [o for o in zone_of(s, outcomes, dropped) if not home_obstacles(s, o, dropped)]


def reference(s: Scenario, max_relax: int = 3) -> Reference:
    outcomes = list(itertools.product(*(list(i.options) for i in s.issues.values())))
    utilities = {o: {p: utility(s, p, o) for p in s.parties} for o in outcomes}
    zone = zone_of(s, outcomes, set())
    signing = [p for p, party in s.parties.items() if party.signs]
    products = {}
    for o in zone:
        product = 1.0
        for p in signing:
            product *= utilities[o][p] - s.parties[p].reservation
        products[o] = product
    ranked = sorted(zone, key=lambda o: (-products[o], outcomes.index(o)))

    def dominates(a: Outcome, b: Outcome) -> bool:
        ua, ub = utilities[a], utilities[b]
        return all(ua[p] >= ub[p] - EPS for p in signing) and any(
            ua[p] > ub[p] + EPS for p in signing
        )

    pareto = {o for o in zone if not any(dominates(x, o) for x in zone)}

    ks = None
    if zone:
        ideal = {p: max(utilities[o][p] - s.parties[p].reservation for o in zone) for p in signing}

        def share(o: Outcome) -> float:
            return min(
                (utilities[o][p] - s.parties[p].reservation) / ideal[p] if ideal[p] > EPS else 1.0
                for p in signing
            )

        best = max(share(o) for o in zone)
        ks = next(o for o in zone if share(o) == best)

    keys = [f"{p}.{line.id}" for p, party in s.parties.items() for line in party.red_lines]
    excludes = {
        k: sum(crosses(s, k.split(".")[0], k.split(".")[1], o) for o in outcomes) for k in keys
    }
    in_zone = set(zone)
    unlocks = {k: set(zone_of(s, outcomes, {k})) - in_zone for k in keys}
    relaxations = _relax(keys, max_relax, lambda dropped: bool(zone_of(s, outcomes, dropped)))

    home = ratifiable_of(s, outcomes, set())
    home_ranked = [o for o in ranked if o in home]  # same products, same order
    home_pareto = {o for o in home if not any(dominates(x, o) for x in home)}
    obstacles = {o: home_obstacles(s, o, set()) for o in zone if o not in home}
    ratifier_utilities = {
        o: {
            f"{p}.{q.id}": ratifier_utility(s, p, q.id, o)
            for p in s.parties
            for q in s.parties[p].ratification
        }
        for o in outcomes
    }
    home_lines = {
        f"{p}.{q.id}.{line.id}": line
        for p, party in s.parties.items()
        for q in party.ratification
        for line in q.red_lines
    }
    ratifier_excludes = {
        k: sum(line_crossed(x, s, o) for o in outcomes) for k, x in home_lines.items()
    }
    in_home = set(home)
    ratifier_unlocks = {k: set(ratifiable_of(s, outcomes, {k})) - in_home for k in home_lines}
    home_relaxations = _relax(
        keys + list(home_lines),
        max_relax,
        lambda dropped: bool(ratifiable_of(s, outcomes, dropped)),
    )
    return Reference(
        outcomes,
        utilities,
        zone,
        ranked,
        products,
        pareto,
        ranked[0] if ranked else None,
        ks,
        excludes,
        unlocks,
        relaxations,
        home_ranked,
        home_pareto,
        obstacles,
        ratifier_utilities,
        ratifier_excludes,
        ratifier_unlocks,
        home_relaxations,
    )


def _relax(keys: list[str], max_relax: int, opens) -> list[tuple[str, ...]]:
    """Every minimal set of keys, smallest first (then in key order), that opens."""
    found: list[tuple[str, ...]] = []
    for size in range(max_relax + 1):
        for combo in itertools.combinations(keys, size):
            if any(set(r) <= set(combo) for r in found):
                continue
            if opens(set(combo)):
                found.append(combo)
    return found
