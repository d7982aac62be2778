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


def signers(s: Scenario, outcome: Outcome) -> set[str]:
    out = {p for p, party in s.parties.items() if party.signs}
    for issue, option in zip(s.issues, outcome, strict=True):
        out |= set(s.issues[issue].options[option].needs)
    return out


def accepts(s: Scenario, party: str, outcome: Outcome, dropped: set[str]) -> bool:
    for line in s.parties[party].red_lines:
        if f"{party}.{line.id}" not in dropped and crosses(s, party, line.id, outcome):
            return False
    return utility(s, party, outcome) >= s.parties[party].reservation - EPS


def zone_of(s: Scenario, outcomes: list[Outcome], dropped: set[str]) -> list[Outcome]:
    return [o for o in outcomes if all(accepts(s, p, o, dropped) for p in signers(s, o))]


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
    relaxations: list[tuple[str, ...]] = []
    for size in range(max_relax + 1):
        for combo in itertools.combinations(keys, size):
            if any(set(r) <= set(combo) for r in relaxations):
                continue
            if zone_of(s, outcomes, set(combo)):
                relaxations.append(combo)
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
    )
