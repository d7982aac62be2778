"""One contract for every registered strategy (after Axelrod's strategy tests)."""

from __future__ import annotations

import copy
import inspect
import pickle
import re

import pytest

import sim.strategies as strategies
from sim.simulation.story import replay
from sim.space import compile_space
from sim.strategies import REGISTRY, Strategy, build
from tests.scenarios import build as build_scenario

ALL = sorted(REGISTRY)


def _subclasses(cls: type) -> set[type]:
    out = set()
    for sub in cls.__subclasses__():
        out |= {sub} | _subclasses(sub)
    return out


def test_every_concrete_strategy_is_registered_under_its_name():
    concrete = {c for c in _subclasses(Strategy) if not inspect.isabstract(c) and "name" in vars(c)}
    assert concrete == set(REGISTRY.values())
    for name, cls in REGISTRY.items():
        assert cls.name == name
        assert cls.Params.model_fields["type"].annotation.__args__ == (name,)


def _scenario(kind: dict, protocol: str) -> dict:
    """Two signatories over two issues; `p` (the strategy under test) has a forbid and a
    require line and a reservation value; `m` mediates when the protocol is mediated."""
    options = {"a": {}, "b": {}, "c": {}}
    party = {
        "signs": True,
        "reservation": 0.3,
        "weights": {"x": 2.0, "y": 1.0},
        "values": {"x": {"a": 1.0, "b": 0.6, "c": 0.0}, "y": {"a": 0.0, "b": 0.5, "c": 1.0}},
    }
    data = {
        "id": "contract",
        "title": "Contract",
        "deadline": 12,
        "protocol": protocol,
        "issues": {"x": {"options": options}, "y": {"options": options}},
        "parties": {
            "p": {
                **party,
                "strategy": kind,
                "red_lines": [
                    {"id": "no_xa_yc", "forbid": {"x": ["a"], "y": ["c"]}},
                    {"id": "not_xc", "require": {"x": ["a", "b"]}, "credibility": 0.5},
                ],
            },
            "q": {
                **party,
                "values": {
                    "x": {"a": 0.0, "b": 0.5, "c": 1.0},
                    "y": {"a": 1.0, "b": 0.5, "c": 0.0},
                },
                "strategy": {"type": "linear"},
            },
        },
    }
    if protocol == "mediated":
        data["mediator"] = "m"
        data["parties"]["m"] = {
            "reservation": 0.0,
            "weights": {"x": 1.0},
            "values": {"x": {"a": 0.5, "b": 1.0, "c": 0.5}},
            "strategy": {"type": "single_text"},
        }
    return data


def _cases():
    for name in ALL:
        cls = REGISTRY[name]
        kind = {"type": name}
        if cls.role == "mediator":
            yield pytest.param(kind, "mediated", "m", id=f"{name}-mediated")
        else:
            for protocol in ("alternating", "mediated"):
                yield pytest.param(kind, protocol, "p", id=f"{name}-{protocol}")


@pytest.mark.parametrize(("kind", "protocol", "who"), list(_cases()))
def test_strategy_contract(kind, protocol, who):
    data = _scenario(kind if who == "p" else {"type": "linear"}, protocol)
    if who == "m":
        data["parties"]["m"]["strategy"] = kind
    space = compile_space(build_scenario(data))
    strategy = build(space.scenario.strategy_of(who))
    # A docstring that says where the strategy comes from, e.g. "(Faratin ... 1998)".
    assert re.search(r"(1[89]|20)\d\d", inspect.getdoc(type(strategy)) or "")
    # A clone and a pickled copy are the same strategy.
    assert pickle.loads(pickle.dumps(strategy.params)) == strategy.params
    assert copy.deepcopy(strategy).params == strategy.params
    p = space.parties.index("p")
    for seed in (0, 1, 2):
        first = replay(space, seed, 0)
        again = replay(space, seed, 0)
        assert first.trace == again.trace, "same seed, same play"
        firm = first.outcomes().firm[0]
        for entry in first.trace:
            if entry["offer"] is None:
                continue
            index = space.index_of(entry["offer"])
            assert 0 <= index < space.n_outcomes, "offers stay inside the outcome space"
            for answer in entry["responses"]:
                if answer["party"] != "p" or not answer["accept"]:
                    continue
                for k, ref in enumerate(space.lines):
                    if ref.party_index == p and firm[k]:
                        assert not space.crosses[k, index], "accepted across a firm red line"
                assert answer["utility"] >= first.params.reservation[0, p] - 1e-9


def test_registry_is_what_yaml_accepts():
    from sim.scenario.models import Party

    for name in ALL:
        party = Party.model_validate(
            {
                "reservation": 0.1,
                "weights": {"x": 1.0},
                "values": {"x": {"a": 1.0}},
                "strategy": {"type": name},
            }
        )
        assert party.strategy.type == name
    assert strategies.StrategySpec is not None
