"""The shipped scenarios against their article: quotes, the Rada, the West as a bloc (13.5).

Every quote — a red line's (a party's or a ratifier's), an event's, and any passage a
comment puts in double quotes — stands in the article verbatim (``sim.scenario.quotes``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.analysis import analyze
from sim.scenario import Scenario, load_scenario
from sim.scenario.quotes import Source
from sim.scenario.validate import revalidate
from sim.space import compile_space

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
BASE = ROOT / "scenarios" / "ukraine_2025.yaml"
BLOC = ROOT / "scenarios" / "ukraine_2025_west_bloc.yaml"


def _source(scenario: Scenario) -> Source:
    assert scenario.source is not None
    return Source(scenario.source, (ROOT / scenario.source).read_text(encoding="utf-8"))


def _quotes(scenario: Scenario) -> list[tuple[str, str]]:
    """(where, quote) for every quote the scenario's fields hold."""
    found = []
    for pid, party in scenario.parties.items():
        for line in party.red_lines:
            found.append((f"{pid}.{line.id}", line.quote))
        for ratifier in party.ratification:
            for line in ratifier.red_lines:
                found.append((f"{pid}.{ratifier.id}.{line.id}", line.quote))
    found += [(f"events.{e.id}", e.quote) for e in scenario.events if e.quote]
    return [(where, quote) for where, quote in found if quote is not None]


#: The README's section headings: a comment may name one in quotes (not an article quote).
HEADINGS = {
    line.lstrip("#").strip()
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    if line.startswith("#")
}


def _comment_quotes(path: Path) -> list[tuple[int, str]]:
    """(line, passage) for every passage in double quotes in a block of comment lines.

    A README section named in quotes, ``(README, "Simulating negotiations")``, is not one.
    """
    blocks: list[tuple[int, str]] = []
    start, words = 0, []
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate([*lines, ""], start=1):
        if line.lstrip().startswith("#"):
            if not words:
                start = number
            words.append(line.lstrip()[1:].strip())
        elif words:
            blocks.append((start, " ".join(words)))
            words = []
    return [
        (at, m.group(1))
        for at, text in blocks
        for m in re.finditer(r'"([^"]+)"', text)
        if m.group(1) not in HEADINGS
    ]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_quote_of_a_shipped_scenario_stands_in_its_article(path: Path) -> None:
    scenario = load_scenario(path)
    source = _source(scenario)
    quotes = _quotes(scenario)
    assert quotes
    assert [(where, source.check(q)) for where, q in quotes if source.check(q)] == []
    own = _comment_quotes(path)
    assert [(at, q, source.check(q)) for at, q in own if source.check(q)] == []


def test_a_quote_in_a_comment_that_is_not_in_the_article_is_caught(tmp_path: Path) -> None:
    text = BASE.read_text(encoding="utf-8").replace(
        '"international recognition" Moscow', '"international recognition of annexation" Moscow'
    )
    assert text != BASE.read_text(encoding="utf-8")
    changed = tmp_path / "x.yaml"
    changed.write_text(text, encoding="utf-8")
    source = _source(load_scenario(BASE))
    bad = [q for _, q in _comment_quotes(changed) if source.check(q)]
    assert bad == ["international recognition of annexation"]


def _rada(scenario: Scenario):
    (rada,) = scenario.parties["ukraine"].ratification
    return rada


def test_the_baseline_has_ukraine_s_rada_holding_the_line_on_de_jure_recognition() -> None:
    scenario = load_scenario(BASE)
    ukraine = scenario.parties["ukraine"]
    rada = _rada(scenario)
    assert (rada.id, scenario.ratifier_label("ukraine", "rada")) == ("rada", "Verkhovna Rada")
    (line,) = rada.red_lines
    own = next(x for x in ukraine.red_lines if x.id == "no_de_jure_recognition")
    assert line.rule == own.rule == {"territory": ["de_jure"]} and line.kind == "forbid"
    assert line.basis == "implied" and line.note
    assert line.credibility < own.credibility  # a further inference than the party's own
    assert 0.0 < rada.informed < 1.0  # chosen: sometimes the negotiator misjudges it
    assert scenario.has_ratifiers and not any(
        p.ratification for pid, p in scenario.parties.items() if pid != "ukraine"
    )


def test_the_rada_s_numbers_are_said_to_be_assumptions_in_comments() -> None:
    lines = BASE.read_text(encoding="utf-8").splitlines()
    begin = next(k for k, line in enumerate(lines) if line.strip() == "ratification:")
    for field in ("reservation:", "informed:"):
        at = next(k for k in range(begin, len(lines)) if lines[k].strip().startswith(field))
        above = []
        for k in range(at - 1, begin, -1):  # the comment block just above the field
            if not lines[k].strip().startswith("#"):
                break
            above.append(lines[k])
        assert any("ASSUMPTION" in line for line in above), field


def test_at_the_start_only_the_rada_s_line_binds_not_its_reservation() -> None:
    """As its comment says: its reservation is under the government's, at the start."""
    scenario = load_scenario(BASE)
    rada = _rada(scenario)
    assert rada.reservation < scenario.parties["ukraine"].reservation
    analysis = analyze(compile_space(scenario))
    assert analysis.ratifiable.tolist() == analysis.feasible.tolist()  # nothing fails at home
    # Kyiv's own line given up: the de jure deal joins the zone, and the Rada's line alone
    # keeps it from being ratified
    looser = analyze(compile_space(_without_kyivs_line(scenario)))
    (failing,) = looser.failing_at_home.tolist()
    assert space_deal(looser, failing)["territory"] == "de_jure"
    assert looser.home_obstacles(failing) == ["ukraine.rada.no_de_jure_recognition"]
    # and its preferences are the government's (the article gives it none of its own)
    assert rada.weights is None and rada.values is None
    weights, values = scenario.parties["ukraine"].ratifier_preferences(rada)
    assert (weights, values) == (
        dict(scenario.parties["ukraine"].weights),
        {i: dict(v) for i, v in scenario.parties["ukraine"].values.items()},
    )


def test_the_west_bloc_variant_differs_from_the_baseline_only_by_its_bloc() -> None:
    base, bloc = load_scenario(BASE), load_scenario(BLOC)
    assert bloc.blocs.keys() == {"west"}
    west = bloc.blocs["west"]
    assert (west.members, west.rule) == (["europe", "united_kingdom"], "unanimous")
    assert bloc.bloc_of("europe") == bloc.bloc_of("united_kingdom") == "west"
    assert bloc.bloc_of("russia") is None and not base.blocs
    ignore = {"id", "title", "blocs"}
    assert bloc.model_dump(exclude=ignore) == base.model_dump(exclude=ignore)
    header = BLOC.read_text(encoding="utf-8").split("extends:")[0]
    assert "Why unanimous" in header  # the comment says why the rule is unanimous


def test_the_bloc_leaves_the_zone_as_it_was() -> None:
    """As the variant's comment says: both members already sign every deal needing either."""
    base, bloc = (analyze(compile_space(load_scenario(p))) for p in (BASE, BLOC))
    assert bloc.feasible.tolist() == base.feasible.tolist()
    space = base.space
    for k in range(space.n_outcomes):
        needs = {p for option in space.outcome(k).items() for p in _needs(space.scenario, option)}
        assert needs in (set(), {"europe", "united_kingdom"})


def _needs(scenario: Scenario, option: tuple[str, str]) -> list[str]:
    issue, name = option
    return scenario.issues[issue].options[name].needs


def _without_kyivs_line(scenario: Scenario) -> Scenario:
    data = scenario.model_dump(mode="json")
    ukraine = data["parties"]["ukraine"]
    ukraine["red_lines"] = [x for x in ukraine["red_lines"] if x["id"] != "no_de_jure_recognition"]
    return revalidate(scenario, data)


def space_deal(analysis, index: int) -> dict[str, str]:
    return analysis.space.outcome(int(index))


def test_in_the_de_jure_variant_the_rada_refuses_what_kyiv_concedes(tmp_path: Path) -> None:
    """As its comment says; and the comment's recipe lets the Rada accept as well."""
    path = ROOT / "scenarios" / "ukraine_2025_de_jure.yaml"
    analysis = analyze(compile_space(load_scenario(path)))
    base = analyze(compile_space(load_scenario(BASE)))
    opened = sorted(set(analysis.feasible.tolist()) - set(base.feasible.tolist()))
    assert opened and sorted(analysis.failing_at_home.tolist()) == opened
    assert all(
        analysis.home_obstacles(k) == ["ukraine.rada.no_de_jure_recognition"] for k in opened
    )
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(k for k, line in enumerate(lines) if line.startswith("#   parties:"))
    recipe = [line[4:] for line in lines[at:] if line.startswith("#   ")]
    variant = tmp_path / "both.yaml"
    variant.write_text(f"extends: {path}\nid: both\n" + "\n".join(recipe) + "\n")
    both = analyze(compile_space(load_scenario(variant)))
    assert both.ratifiable.tolist() == both.feasible.tolist() == analysis.feasible.tolist()
