"""Generated negotiations with ratifiers and blocs, and a brute force of what they mean.

The brute force reads the raw scenario data (not the package's models or tables), in
DESIGN.md's words: a ratifier's utility from its own weights (else the party's) and its
own values issue by issue (else the party's); a ratifier accepts a deal crossing none
of its (firm) red lines and worth at least its reservation; the signers of a deal are
the parties with ``signs: true`` and those an option needs, every member of a bloc when
any member is; a bloc accepts by its rule.
"""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import strategies as st

from tests.scenarios import GRID, negotiation_data

EPS = 1e-9


def _rule(draw: st.DrawFn, data: dict[str, Any]) -> dict[str, list[str]]:
    issues = list(data["issues"])
    listed = draw(st.lists(st.sampled_from(issues), min_size=1, max_size=2, unique=True))
    out = {}
    for issue in listed:
        options = list(data["issues"][issue]["options"])
        out[issue] = draw(
            st.lists(st.sampled_from(options), min_size=1, max_size=len(options), unique=True)
        )
    return out


@st.composite
def two_level_data(
    draw: st.DrawFn,
    uncertain: bool = True,
    rules: tuple[str, ...] = ("unanimous", "majority"),
    blocs: bool = True,
) -> dict[str, Any]:
    """A generated negotiation whose parties have ratifiers, and perhaps a bloc.

    No preference noise (so a row's utilities can be recomputed from the file). With
    ``uncertain=False`` every line is firm, every negotiator informed, nothing sampled.
    """
    data = draw(negotiation_data(uncertain=uncertain))
    if "uncertainty" in data:
        data["uncertainty"]["noise"] = {"weights": 0.0, "values": 0.0}
    parties = list(data["parties"])
    mediator = data.get("mediator")
    issues = list(data["issues"])
    owners = draw(st.lists(st.sampled_from(parties), min_size=1, max_size=2, unique=True))
    for pid in owners:
        party = data["parties"][pid]
        ratifiers = []
        for q in range(draw(st.integers(1, 2))):
            ratifier: dict[str, Any] = {
                "id": f"r{q}",
                "label": f"Ratifier {q} of {pid}",
                "reservation": draw(st.sampled_from(GRID)),
                "informed": 1.0 if not uncertain else draw(st.sampled_from([0.0, 0.5, 1.0])),
            }
            if draw(st.booleans()):
                weights = draw(
                    st.lists(st.integers(0, 3), min_size=len(issues), max_size=len(issues)).filter(
                        any
                    )
                )
                ratifier["weights"] = {i: float(w) for i, w in zip(issues, weights, strict=True)}
            # its own values only on issues its weights (its own, else the party's) list
            listed = list((ratifier.get("weights") or party["weights"]).keys())
            own = draw(st.lists(st.sampled_from(listed), max_size=len(listed), unique=True))
            needed = [
                i
                for i, w in (ratifier.get("weights") or {}).items()
                if w > 0 and i not in party["values"]
            ]
            own = sorted(set(own) | set(needed))
            if own:
                ratifier["values"] = {
                    i: {o: draw(st.sampled_from(GRID)) for o in data["issues"][i]["options"]}
                    for i in own
                }
            lines = []
            for j in range(draw(st.integers(0, 2))):
                kind = draw(st.sampled_from(["forbid", "require"]))
                credibility = 1.0 if not uncertain else draw(st.sampled_from([0.3, 0.7, 1.0]))
                lines.append({"id": f"q{j}", kind: _rule(draw, data), "credibility": credibility})
            ratifier["red_lines"] = lines
            ratifiers.append(ratifier)
        party["ratification"] = ratifiers
    if blocs:
        others = [p for p in parties if p != mediator]
        if len(others) >= 1 and draw(st.booleans()):
            members = draw(
                st.lists(
                    st.sampled_from(others), min_size=1, max_size=min(3, len(others)), unique=True
                )
            )
            data["blocs"] = {
                "bloc": {
                    "label": "The bloc",
                    "members": members,
                    "rule": draw(st.sampled_from(rules)),
                }
            }
    return data


# -- the brute force ---------------------------------------------------------------------------
def _utility(
    weights: dict[str, float], values: dict[str, dict[str, float]], deal: dict[str, str]
) -> float:
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(w / total * values.get(i, {}).get(deal[i], 0.0) for i, w in weights.items())


def _crosses(line: dict[str, Any], deal: dict[str, str]) -> bool:
    if "forbid" in line:
        return all(deal[i] in allowed for i, allowed in line["forbid"].items())
    return any(deal[i] not in allowed for i, allowed in line["require"].items())


def ratifier_utility(
    data: dict[str, Any], pid: str, ratifier: dict[str, Any], deal: dict[str, str]
) -> float:
    """``u_q(deal)``: the ratifier's weights (else the party's), values issue by issue."""
    party = data["parties"][pid]
    weights = ratifier.get("weights") or party["weights"]
    values = {**party["values"], **(ratifier.get("values") or {})}
    return _utility(weights, values, deal)


def ratifier_accepts(
    data: dict[str, Any],
    pid: str,
    ratifier: dict[str, Any],
    deal: dict[str, str],
    firm: dict[str, bool] | None = None,
) -> bool:
    """Whether the ratifier accepts the deal (``firm``: which of its lines are firm; all)."""
    for line in ratifier.get("red_lines", []):
        if (firm is None or firm[line["id"]]) and _crosses(line, deal):
            return False
    return ratifier_utility(data, pid, ratifier, deal) >= ratifier["reservation"] - EPS


def signers(data: dict[str, Any], deal: dict[str, str]) -> set[str]:
    """The parties that must accept the deal (blocs: every member when any member must)."""
    out = {pid for pid, party in data["parties"].items() if party.get("signs")}
    for issue, option in deal.items():
        spec = data["issues"][issue]["options"][option]  # a mapping, or a bare label
        out |= set((spec.get("needs") if isinstance(spec, dict) else None) or [])
    for bloc in (data.get("blocs") or {}).values():
        if out & set(bloc["members"]):
            out |= set(bloc["members"])
    return out


def party_accepts(data: dict[str, Any], pid: str, deal: dict[str, str]) -> bool:
    """A party's acceptance with every line firm, at its reservation value."""
    party = data["parties"][pid]
    if any(_crosses(line, deal) for line in party.get("red_lines", [])):
        return False
    return _utility(party["weights"], party["values"], deal) >= party["reservation"] - EPS


def in_zone(data: dict[str, Any], deal: dict[str, str]) -> bool:
    """The agreement zone with blocs (every line firm)."""
    who = signers(data, deal)
    blocs = data.get("blocs") or {}
    in_bloc = {m for b in blocs.values() for m in b["members"]}
    if any(not party_accepts(data, p, deal) for p in who - in_bloc):
        return False
    for bloc in blocs.values():
        members = bloc["members"]
        if not set(members) & who:
            continue
        yes = sum(party_accepts(data, m, deal) for m in members)
        if bloc["rule"] == "unanimous" and yes < len(members):
            return False
        if bloc["rule"] == "majority" and 2 * yes <= len(members):
            return False
    return True


def ratifiable(data: dict[str, Any], deal: dict[str, str]) -> bool:
    """In the zone, and every ratifier of every signer accepts it (every line firm)."""
    if not in_zone(data, deal):
        return False
    return all(
        ratifier_accepts(data, p, q, deal)
        for p in signers(data, deal)
        for q in data["parties"][p].get("ratification", [])
    )


def outcomes(data: dict[str, Any]) -> list[dict[str, str]]:
    """Every deal, as {issue: option}."""
    issues = list(data["issues"])
    grids = [list(data["issues"][i]["options"]) for i in issues]
    return [dict(zip(issues, combo, strict=True)) for combo in itertools.product(*grids)]
