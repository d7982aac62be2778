"""Concession tactics and the mediator's policy, registered by the names used in YAML."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Union

from pydantic import Field

from sim.strategies import resource, single_text, time_dependent, tit_for_tat
from sim.strategies.base import Stance, Strategy, StrategyParams
from sim.strategies.registry import REGISTRY, register

#: Every strategy module, imported so that its classes register.
_MODULES = (time_dependent, tit_for_tat, resource, single_text)

#: The YAML form of any registered strategy: ``{type: NAME, ...}``, a tagged union of
#: the registered parameter models (party tactics first).
if TYPE_CHECKING:
    StrategySpec = StrategyParams
else:
    _ordered = sorted(REGISTRY.values(), key=lambda cls: cls.role != "party")
    StrategySpec = Annotated[
        Union[tuple(cls.Params for cls in _ordered)],  # noqa: UP007
        Field(discriminator="type"),
    ]


def build(params: StrategyParams) -> Strategy:
    """The strategy object for its YAML parameters."""
    return REGISTRY[params.type](params)


__all__ = ["REGISTRY", "Stance", "Strategy", "StrategyParams", "StrategySpec", "build", "register"]
