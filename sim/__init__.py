"""negsim: agent-based simulation of multi-party negotiations in which every party has red lines.

The public API for notebooks and scripts::

    import sim
    scenario = sim.load_scenario("scenarios/ukraine_2025.yaml")
    result = sim.analyze_scenario(scenario)
    print(result.summary())          # the deals in words
    result.to_frame()                # one row per feasible deal (a DataFrame)
    rows = sim.simulate(scenario, seed=1, runs=10_000)   # one row per run

The names below are loaded on first use (PEP 562), so that ``import sim`` and the
command line start fast: the simulation (Mesa), the batch store (pandas, pyarrow) and
the figures (matplotlib) are imported only by what needs them.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time see __getattr__
    from sim.analysis import Analysis, analyze
    from sim.analysis.discover import discover, plot_discovery
    from sim.analysis.sensitivity import sensitivity
    from sim.batch import load_results, run_batch
    from sim.scenario import Scenario, ScenarioError, load_scenario
    from sim.simulation import NegotiationModel, simulate
    from sim.space import OutcomeSpace, compile_space

    __version__: str

#: Each public name and the module that defines it.
_LAZY = {
    "Analysis": "sim.analysis",
    "analyze": "sim.analysis",
    "discover": "sim.analysis.discover",
    "plot_discovery": "sim.analysis.discover",
    "sensitivity": "sim.analysis.sensitivity",
    "load_results": "sim.batch",
    "run_batch": "sim.batch",
    "Scenario": "sim.scenario",
    "ScenarioError": "sim.scenario",
    "load_scenario": "sim.scenario",
    "NegotiationModel": "sim.simulation",
    "simulate": "sim.simulation",
    "OutcomeSpace": "sim.space",
    "compile_space": "sim.space",
}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("negsim")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


def __getattr__(name: str) -> Any:
    """Import a public name (or a subpackage: ``sim.plots``) on first use, then keep it."""
    if name == "__version__":
        value: Any = _version()
    elif name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif not name.startswith("_") and importlib.util.find_spec(f"sim.{name}") is not None:
        value = importlib.import_module(f"sim.{name}")
    else:
        raise AttributeError(f"module 'sim' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The module's names, the lazily loaded ones included."""
    return sorted({*globals(), *_LAZY, "__version__"})


def analyze_scenario(scenario: Scenario, max_relax: int = 3) -> Analysis:
    """Compile a scenario's outcome space and analyse it."""
    from sim.analysis import analyze
    from sim.space import compile_space

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
    "discover",
    "load_results",
    "load_scenario",
    "plot_discovery",
    "run_batch",
    "sensitivity",
    "simulate",
]
