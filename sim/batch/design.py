"""Sampling designs for a batch: each run gets its design point instead of its random draw.

``negsim batch --design sobol --samples N`` runs, for each scenario (and sweep point),
the Saltelli/Sobol design of SALib (``SALib.sample.sobol.sample``, first- and
total-order, no second order): ``N * (D + 2)`` runs over the ``D`` paths of
``uncertainty.parameters``. The design is drawn in the unit cube and each column is
mapped to its parameter through the parameter's own distribution: a ``uniform`` over
its ``low``/``high`` directly (SALib's bounds), any other distribution through its
inverse CDF from ``scipy.stats`` (``norm``, ``triang``, ``beta``, a discrete
``rv_discrete`` for ``choice``). Run ``i`` of a point takes row ``i`` of the design
(SALib's row order, which ``SALib.analyze.sobol`` reads back).

Everything else a run draws (firm lines, events, noise, the order of proposers) comes
from a stream, as in any batch, but the ``D + 2`` runs of one base sample ``j`` (rows
``j * (D + 2)`` to ``j * (D + 2) + D + 1``: its ``A``, ``AB_1`` ... ``AB_D`` and ``B``
rows) share one stream, stream ``j``: common random numbers. Saltelli's estimators
read the change of the output between ``A_j`` and ``AB_ij``, which differ only in
input ``i``; with a stream per row that change would also hold the other random draws'
noise and give every input, however idle, a large index. With one stream per base
sample an input that changes nothing gets an index of exactly 0, and the indices are
those of the designed inputs given the distribution of everything else. The rows of
``A`` (row ``j * (D + 2)``) are ``N`` independent runs, which is what
``negsim sensitivity`` reads the red lines' effects from on such a batch. Row ``i``
records its row number as ``run``; it is not the run that ``negsim run --run I``
replays (that one draws its parameters at random).

The design depends only on the point's scenario, its seed (the scrambling seed) and
``N``, so the rows do not depend on workers or blocks.

The hook: ``NegotiationModel(..., adjust=...)`` changes a block's sampled parameters
before anything reads them; the design's writes each run's values over the sampled
ones (``Params.set``). What it cannot redo is the coupling of a party's lines by
``resolve`` (drawn before), nor the preference noise laid over a sampled weight or
value, so a design refuses those paths.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from sim.arrays import FloatArray

if TYPE_CHECKING:
    from sim.scenario import Scenario
    from sim.scenario.models import Distribution
    from sim.simulation.model import Outcomes
    from sim.simulation.sampling import Params
    from sim.simulation.tables import Tables

#: The designs ``negsim batch --design`` knows.
DESIGNS = ("sobol",)


class DesignError(ValueError):
    """A design that cannot be made for a scenario (the message says why)."""


@dataclass(frozen=True)
class Design:
    """A sampling design over ``uncertainty.parameters`` (recorded in the manifest)."""

    method: Literal["sobol"]
    samples: int  # N, a power of 2 (the base sample of Saltelli's scheme)

    def runs(self, scenario: Scenario) -> int:
        """The runs the design makes for a scenario: ``N * (D + 2)``."""
        return self.samples * (len(scenario.uncertainty.parameters) + 2)

    def to_json(self) -> dict[str, Any]:
        """The design as the manifest records it."""
        return {"method": self.method, "samples": self.samples, "second_order": False}

    @classmethod
    def from_json(cls, data: Any) -> Design:
        """The design recorded in a manifest."""
        if not isinstance(data, dict) or data.get("method") not in DESIGNS:
            raise ValueError(f"design {data!r}")
        samples = data["samples"]
        if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
            raise ValueError(f"design samples {samples!r}")
        return cls("sobol", samples)


def check_design(design: Design, scenario: Scenario) -> str | None:
    """Why the design cannot be run on the scenario, or None."""
    n = design.samples
    if n < 2 or n & (n - 1):
        return (
            f"--samples {n:,}: Sobol' sequences keep their balance only for a power of 2"
            f" samples (say {1 << max(1, (n - 1).bit_length())})"
        )
    paths = list(scenario.uncertainty.parameters)
    if not paths:
        return (
            f"{scenario.id}: --design sobol needs uncertain parameters"
            " (uncertainty.parameters is empty)"
        )
    noise = scenario.uncertainty.noise
    for path in paths:
        tail = path.split(".")
        if tail[-1] == "resolve":
            return (
                f"{path}: a designed run cannot take its party's resolve from the design"
                " (it couples the firmness draws before the design is laid); sample it"
                " instead, without --design"
            )
        if (tail[2:3] == ["weights"] and noise.weights > 0) or (
            tail[2:3] == ["values"] and noise.values > 0
        ):
            return (
                f"{path}: uncertainty.noise perturbs it after sampling, so a design point"
                " would drop that noise; set the noise to 0 or drop --design"
            )
    return None


def _inverse_cdf(dist: Distribution, u: FloatArray) -> FloatArray:
    """A unit-cube column mapped through the distribution's inverse CDF (scipy.stats)."""
    from scipy import stats

    from sim.scenario.models import Beta, Choice, Normal, Triangular, Uniform

    match dist:
        case Uniform():
            return np.asarray(stats.uniform(dist.low, dist.high - dist.low).ppf(u), dtype=float)
        case Normal():
            return np.asarray(stats.norm(dist.mean, dist.sd).ppf(u), dtype=float)
        case Triangular():
            width = dist.high - dist.low
            mode = (dist.mode - dist.low) / width if width > 0 else 0.5
            return np.asarray(stats.triang(mode, dist.low, width).ppf(u), dtype=float)
        case Beta():
            return np.asarray(stats.beta(dist.a, dist.b).ppf(u), dtype=float)
        case Choice():
            n = len(dist.values)
            weights = np.asarray(dist.weights if dist.weights is not None else [1.0] * n)
            chosen = stats.rv_discrete(values=(np.arange(n), weights / weights.sum())).ppf(u)
            picked: FloatArray = np.asarray(dist.values, dtype=float)[chosen.astype(np.intp)]
            return picked
    raise AssertionError(dist)  # pragma: no cover


def problem_of(scenario: Scenario) -> dict[str, Any]:
    """SALib's problem: one variable per uncertain path (``param.<path>``).

    A uniform parameter's bounds are its own; any other is designed in [0, 1] and
    mapped by :func:`design_matrix`.
    """
    from sim.scenario.models import Uniform

    names, bounds = [], []
    for path, dist in scenario.uncertainty.parameters.items():
        names.append(f"param.{path}")
        bounds.append([dist.low, dist.high] if isinstance(dist, Uniform) else [0.0, 1.0])
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def design_matrix(design: Design, scenario: Scenario, seed: int) -> FloatArray:
    """(N * (D + 2), D) every run's values of the uncertain parameters, in run order."""
    from SALib.sample import sobol  # type: ignore[import-untyped]

    from sim.scenario.models import Uniform

    problem = problem_of(scenario)
    unit = sobol.sample(
        problem, design.samples, calc_second_order=False, scramble=True, seed=seed % 2**63
    )
    out = np.array(unit, dtype=float)
    for k, dist in enumerate(scenario.uncertainty.parameters.values()):
        if not isinstance(dist, Uniform):
            out[:, k] = _inverse_cdf(dist, unit[:, k])
    return out


#: Design matrices by (scenario hash, seed, design), so a worker draws each once.
_MATRICES: dict[tuple[str, int, Design], FloatArray] = {}


def matrix_of(key: str, design: Design, scenario: Scenario, seed: int) -> FloatArray:
    """The design matrix of a point (cached in this process)."""
    at = (key, seed, design)
    if at not in _MATRICES:
        if len(_MATRICES) > 16:
            _MATRICES.clear()
        _MATRICES[at] = design_matrix(design, scenario, seed)
    return _MATRICES[at]


def stream_of(rows: npt.NDArray[np.uint64], parameters: int) -> npt.NDArray[np.uint64]:
    """The stream of each designed row: its base sample (``row // (D + 2)``)."""
    return rows // np.uint64(parameters + 2)


def run_designed(
    space: Tables, seed: int, rows: npt.NDArray[np.uint64], values: FloatArray
) -> Outcomes:
    """Simulate designed rows: uncertain parameters from ``values`` (R, D), streams shared."""
    from sim.simulation.sampling import locate

    paths = list(space.scenario.uncertainty.parameters)
    targets = [locate(space, path) for path in paths]
    streams = stream_of(rows, len(paths))
    from sim.simulation.model import NegotiationModel

    model = NegotiationModel(space, seed=seed, runs=streams, adjust=_lay(targets, values))
    outcomes: Outcomes = model.run()
    model.release()
    return replace(outcomes, runs=np.asarray(rows, dtype=np.uint64))


def _lay(targets: list[Any], values: FloatArray) -> Callable[[Params], None]:
    """Write each run's design values over its sampled ones (``Params.set``)."""

    def adjust(params: Params) -> None:
        for k, target in enumerate(targets):
            params.set(target, slice(None), values[:, k])

    return adjust
