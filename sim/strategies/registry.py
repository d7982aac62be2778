"""The strategies by the names used in YAML."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sim.strategies.base import Strategy

REGISTRY: dict[str, type[Strategy]] = {}


def register[S: type[Strategy]](cls: S) -> S:
    """Class decorator: make a strategy available under its ``name``."""
    if cls.name in REGISTRY:
        raise ValueError(f"strategy {cls.name!r} is registered twice")
    REGISTRY[cls.name] = cls
    return cls
