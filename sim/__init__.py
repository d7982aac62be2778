"""negsim: agent-based simulation of multi-party negotiations in which every party has red lines.

The public API for notebooks and scripts::

    import sim
    scenario = sim.load_scenario("scenarios/ukraine_2025.yaml")
    result = sim.analyze_scenario(scenario)
    rows = sim.simulate(scenario, seed=1, runs=10_000)   # one row per run
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from sim.analysis import Analysis, analyze
from sim.batch import load_results, run_batch
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.simulation import NegotiationModel, simulate
from sim.space import OutcomeSpace, compile_space

try:
    __version__ = version("negsim")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"


def analyze_scenario(scenario: Scenario, max_relax: int = 3) -> Analysis:
    """Compile a scenario's outcome space and analyse it."""
    return analyze(compile_space(scenario), max_relax)


__all__ = [
    "Analysis",
    "NegotiationModel",
    "OutcomeSpace",
    "Scenario",
    "ScenarioError",
    "__version__",
    "analyze",
    "analyze_scenario",
    "compile_space",
    "load_results",
    "load_scenario",
    "run_batch",
    "simulate",
]
