"""The numeric fields that ``uncertainty`` may sample and ``events`` may change."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sim.scenario.problems import DataPath


@dataclass(frozen=True)
class FieldRange:
    """The closed range a numeric field allows, and what to call it in messages."""

    what: str
    low: float
    high: float

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the range."""
        return self.low <= value <= self.high

    def __str__(self) -> str:
        high = "∞" if math.isinf(self.high) else f"{self.high:g}"
        return f"{self.what} in [{self.low:g}, {high}]"


_EXPONENT = {
    "boulware": (1e-3, 1.0 - 1e-3),
    "conceder": (1.0 + 1e-3, 100.0),
}

SAMPLEABLE = (
    "parties.P.reservation, parties.P.weights.ISSUE, parties.P.values.ISSUE.OPTION, "
    "parties.P.red_lines.LINE.credibility, parties.P.red_lines.LINE.audience_cost, "
    "parties.P.cost_of_delay, parties.P.resolve, parties.P.strategy.exponent "
    "(boulware and conceder), parties.P.ratification.Q.reservation, "
    "parties.P.ratification.Q.informed, parties.P.ratification.Q.red_lines.LINE.credibility, "
    "parties.P.ratification.Q.weights.ISSUE and parties.P.ratification.Q.values.ISSUE.OPTION "
    "(where the ratifier gives its own)"
)

#: Numeric fields that a file may leave out (they have defaults) and that can still change.
DEFAULTED = frozenset(
    {"credibility", "exponent", "audience_cost", "cost_of_delay", "resolve", "informed"}
)


def numeric_field(data: Any, path: DataPath) -> FieldRange | None:
    """The range of the numeric field at ``path`` in raw scenario data, or None if not one."""
    match path:
        case ("parties", str(), "reservation"):
            return FieldRange("a reservation value", 0.0, 1.0)
        case ("parties", str(), "weights", str()):
            return FieldRange("a weight", 0.0, math.inf)
        case ("parties", str(), "values", str(), str()):
            return FieldRange("a value", 0.0, 1.0)
        case ("parties", str(), "red_lines", int(), "credibility"):
            return FieldRange("a credibility", 0.0, 1.0)
        case ("parties", str(), "red_lines", int(), "audience_cost"):
            return FieldRange("an audience cost", 0.0, 1.0)
        case ("parties", str(), "cost_of_delay"):
            return FieldRange("a cost of delay", -1.0, 1.0)
        case ("parties", str(), "resolve"):
            return FieldRange("a resolve", 0.0, 1.0)
        case ("parties", str(), "ratification", int(), "reservation"):
            return FieldRange("a ratifier's reservation value", 0.0, 1.0)
        case ("parties", str(), "ratification", int(), "informed"):
            return FieldRange("a probability of being informed", 0.0, 1.0)
        case ("parties", str(), "ratification", int(), "red_lines", int(), "credibility"):
            return FieldRange("a credibility", 0.0, 1.0)
        case ("parties", str(), "ratification", int(), "weights", str()):
            return FieldRange("a weight", 0.0, math.inf)
        case ("parties", str(), "ratification", int(), "values", str(), str()):
            return FieldRange("a value", 0.0, 1.0)
        case ("parties", str() as party, "strategy", "exponent"):
            strategy = data["parties"][party].get("strategy")
            kind = strategy.get("type") if isinstance(strategy, dict) else None
            if kind in _EXPONENT:
                low, high = _EXPONENT[kind]
                return FieldRange(f"a {kind} exponent", low, high)
    return None
