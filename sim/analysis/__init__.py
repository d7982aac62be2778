"""The agreement-space analysis: pure functions over a compiled outcome space."""

from sim.analysis.analysis import Analysis, analyze
from sim.analysis.pareto import pareto_mask
from sim.analysis.relaxations import minimal_relaxations
from sim.analysis.zone import Zone, agreement_zone, ratifiable_zone

__all__ = [
    "Analysis",
    "Zone",
    "agreement_zone",
    "analyze",
    "minimal_relaxations",
    "pareto_mask",
    "ratifiable_zone",
]
