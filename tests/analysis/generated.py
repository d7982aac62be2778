"""Generated scenarios with ratifiers and blocs (DESIGN.md v2), for the analysis tests.

Built on :func:`tests.scenarios.scenario_data`: each party may get ratifiers (with their
own weights or the party's, their own values on some issues or none, red lines of both
kinds), and some parties may form blocs under either rule.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.scenarios import GRID, scenario_data


@st.composite
def two_level_data(draw: st.DrawFn, max_ratifier_lines: int = 4) -> dict[str, Any]:
    """A valid scenario document with ratifiers and (maybe) blocs."""
    data = draw(scenario_data(max_parties=5, max_issues=3, max_options=3, max_lines=5))
    issues: dict[str, Any] = data["issues"]
    names = list(issues)
    budget = max_ratifier_lines
    for party in data["parties"].values():
        ratifiers = []
        for k in range(draw(st.integers(0, 2))):
            ratifier: dict[str, Any] = {
                "id": f"q{k}",
                "reservation": draw(st.sampled_from(GRID)),
            }
            if draw(st.booleans()):
                weights = draw(
                    st.lists(st.integers(0, 3), min_size=len(names), max_size=len(names)).filter(
                        any
                    )
                )
                ratifier["weights"] = {i: float(w) for i, w in zip(names, weights, strict=True)}
            weighed = ratifier.get("weights") or party["weights"]
            own = [i for i in weighed if draw(st.booleans())]
            # an issue it weighs and the party gives no values for needs its own values
            own += [i for i in names if weighed.get(i, 0) > 0 and i not in party["values"]]
            if own:
                ratifier["values"] = {
                    i: {o: draw(st.sampled_from(GRID)) for o in issues[i]["options"]}
                    for i in dict.fromkeys(own)
                }
            lines = []
            for j in range(draw(st.integers(0, min(2, budget)))):
                budget -= 1
                listed = draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
                rule = {
                    i: draw(
                        st.lists(
                            st.sampled_from(list(issues[i]["options"])),
                            min_size=1,
                            max_size=len(issues[i]["options"]),
                            unique=True,
                        )
                    )
                    for i in listed
                }
                lines.append({"id": f"r{j}", draw(st.sampled_from(["forbid", "require"])): rule})
            ratifier["red_lines"] = lines
            ratifiers.append(ratifier)
        party["ratification"] = ratifiers
    parties = list(data["parties"])
    free = list(parties)
    blocs: dict[str, Any] = {}
    for b in range(draw(st.integers(0, 2))):
        if not free:
            break
        # blocs of three or more are the ones where a majority differs from unanimity
        size = draw(st.sampled_from([1, 2, 3, 3, 4, 5]))
        members = draw(
            st.lists(
                st.sampled_from(free),
                min_size=min(size, len(free)),
                max_size=min(size, len(free)),
                unique=True,
            )
        )
        free = [p for p in free if p not in members]
        blocs[f"b{b}"] = {
            "members": members,
            "rule": draw(st.sampled_from(["unanimous", "majority", "majority"])),
        }
    if blocs:
        data["blocs"] = blocs
    return data
