"""Which inputs the chance of a deal (and of each top deal) depends on.

Outcomes: ``deal`` (a run ends in agreement), ``no_deal``, on a batch whose parties have
ratifiers ``ratified`` (a deal ratified at home) and ``unratified`` (a deal signed and not
ratified: it fails at home), and the most frequent deals, each named ``issue=option,...``;
each is a 0/1 output of every run.

*Uncertain parameters* (the ``param.<path>`` columns that vary, and numeric swept
fields, the column named by the path):

- On any batch, **PAWN** (Pianosi & Wagener 2015; ``SALib.analyze.pawn``), the default:
  the Kolmogorov-Smirnov distance between the outcome's distribution over all runs and
  over the runs whose input lies in one of ``S`` equal-count slices of its range, the
  median over the slices. For a 0/1 outcome that distance is exactly how far the
  chance of the outcome moves when the input is held within a slice, so the index
  reads as a change of probability, on the same scale as the red lines' effects
  below. It was preferred to Borgonovo's delta (``SALib.analyze.delta``), which
  estimates the output's density with a kernel: a 0/1 output has no density, and a
  slice in which every run ends the same way makes that kernel degenerate. Its
  interval is a percentile bootstrap over the runs (``scipy.stats.bootstrap``; BCa
  would need a PAWN analysis per run). An index is a median of distances, never
  negative, and a resample's duplicated runs add noise to the slices, so for an input
  that matters little the interval can lie wholly above the estimate: read it as the
  estimate's spread, and an index within its idle neighbours' range as "no effect".
- On a batch made with ``negsim batch --design sobol``, **Sobol' indices**
  (``SALib.analyze.sobol``, Saltelli et al. 2010): the total-order index (the share of
  the outcome's variance that goes away when the input is known, interactions
  included) or the first-order one, with SALib's bootstrap intervals.

*Red lines* are on/off (a ``firm.<party>.<line>`` column, ``firm.<party>.<ratifier>.<line>``
for a ratifier's), and so is whether a negotiator knew a ratifier's limits (an
``informed.<party>.<ratifier>`` column, treated as a line is: "firm" reads "informed"),
so they are treated exactly,
by conditioning on the rows: the effect of a line's firmness is ``P(outcome | firm) -
P(outcome | not firm)``, with Newcombe's interval for a difference of two independent
proportions (statsmodels ``confint_proportions_2indep``); the interaction of two lines,
named ``firm.a.x:firm.b.y`` (a model formula's interaction term), is the difference of
differences ``(p11 - p10) - (p01 - p00)`` over the four cells of their firmness. That is
the interaction coefficient of the saturated linear probability model ``y ~ a + b +
a:b`` fitted by least squares (statsmodels OLS), whose fitted values are the four cell
shares; its interval is the Wald interval with the HC2 heteroskedasticity-consistent
covariance, which in a saturated model is the sum of the four cells' unbiased variances
over their sizes — the variance of a contrast of four independent proportions, each
cell's own (unequal) variance kept. A cell in which every run ends the same way adds no
variance, so such an interval can be narrower than it should; the runs per cell are
reported with it.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from sim.arrays import BoolArray, FloatArray
from sim.batch.manifest import results_error
from sim.batch.schema import INFORMED

if TYPE_CHECKING:
    from sim.batch.store import Batch

#: Runs a given-data estimate needs at the least (PAWN's slices hold a tenth each).
MIN_RUNS = 200
#: Slices of each input's range (PAWN's ``S``).
SLICES = 10
#: Deals analysed besides ``deal`` and ``no_deal``, unless told otherwise.
TOP_DEALS = 3
#: Bootstrap resamples for the intervals of PAWN and Sobol' indices.
RESAMPLES = 30
#: Confidence level of every interval.
LEVEL = 0.95

type Method = Literal["pawn", "sobol-total", "sobol-first"]
METHODS: tuple[Method, ...] = ("pawn", "sobol-total", "sobol-first")
type Kind = Literal["parameter", "firm", "interaction"]


class SensitivityError(ValueError):
    """The batch cannot answer (no varying input, too few runs, ...)."""


@dataclass(frozen=True)
class Index:
    """One input's index for one outcome, with its interval."""

    column: str
    kind: Kind
    index: float
    low: float
    high: float
    #: For a red line or a pair: the runs in each group compared (firm/not, or 11/10/01/00).
    runs: tuple[int, ...] = ()

    def to_json(self) -> dict[str, float]:
        """The entry of ``--json``: index and interval."""
        return {"index": self.index, "low": self.low, "high": self.high}


@dataclass(frozen=True)
class Outcome:
    """One outcome: its share of runs and every input's index, strongest first."""

    name: str
    count: int
    runs: int
    indices: tuple[Index, ...]

    @property
    def share(self) -> float:
        """The share of runs with the outcome."""
        return self.count / self.runs

    def of(self, kind: Kind) -> list[Index]:
        """The indices of one kind, strongest first."""
        return [i for i in self.indices if i.kind == kind]


@dataclass(frozen=True)
class Sensitivity:
    """What ``negsim sensitivity`` finds."""

    method: Method
    runs: int
    parameters: tuple[str, ...]
    lines: tuple[str, ...]
    outcomes: tuple[Outcome, ...]
    notes: tuple[str, ...] = field(default=())

    def outcome(self, name: str) -> Outcome:
        """The outcome of that name."""
        return next(o for o in self.outcomes if o.name == name)

    def to_json(self) -> dict[str, Any]:
        """``{"outcomes": {NAME: {COLUMN: {"index", "low", "high"}}}, "method"}``."""
        return {
            "outcomes": {o.name: {i.column: i.to_json() for i in o.indices} for o in self.outcomes},
            "method": self.method,
        }


def _strongest(indices: Sequence[Index]) -> tuple[Index, ...]:
    return tuple(sorted(indices, key=lambda i: (-abs(i.index), i.column)))


def outcome_columns(
    rows: pd.DataFrame, issues: Sequence[str], top: int
) -> dict[str, tuple[BoolArray, str]]:
    """Every outcome's 0/1 column: deal, no_deal, ratified, unratified and the top deals.

    ``ratified`` and ``unratified`` when the rows say whether deals were ratified; the
    ``top`` most frequent deals.
    """
    from sim.batch.deals import LABEL, UNKNOWN, agreed_of, deal_counts
    from sim.batch.schema import RATIFIED

    agreed = agreed_of(rows)
    out: dict[str, tuple[BoolArray, str]] = {
        "deal": (agreed, "a deal"),
        "no_deal": (~agreed, "no deal"),
    }
    if RATIFIED in rows.columns and rows[RATIFIED].notna().any():
        ratified = rows[RATIFIED].astype("boolean")
        yes = (ratified == True).fillna(False).to_numpy(dtype=bool)  # noqa: E712
        no = (ratified == False).fillna(False).to_numpy(dtype=bool)  # noqa: E712
        out["ratified"] = (agreed & yes, "a ratified deal")
        out["unratified"] = (agreed & no, "a deal signed and not ratified")
    present = [i for i in issues if i in rows.columns]
    if not present or not agreed.any() or top <= 0:
        return out
    counts = deal_counts(rows, present).head(top)
    labels = rows[present].astype("string").fillna(UNKNOWN)
    for _, row in counts.iterrows():
        name = str(row[LABEL])
        hit = agreed & (labels == row[present].to_numpy()).all(axis=1).to_numpy()
        out[name] = (hit, name)
    return out


def _varying(rows: pd.DataFrame, prefix: str) -> list[str]:
    return [c for c in rows.columns if c.startswith(prefix) and rows[c].dropna().nunique() > 1]


def _pawn(
    x: FloatArray, y: FloatArray, names: list[str], resamples: int, seed: int
) -> list[tuple[float, float, float]]:
    """PAWN's median index of each column of ``x``, with a percentile bootstrap interval."""
    from SALib.analyze import pawn  # type: ignore[import-untyped]
    from scipy import stats

    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}

    def median(rows: Any) -> FloatArray:
        at = np.asarray(rows, dtype=np.intp)
        result: FloatArray = np.asarray(
            pawn.analyze(problem, x[at], y[at], S=SLICES, seed=seed)["median"], dtype=float
        )
        return result

    whole = median(np.arange(len(y)))
    if resamples <= 0:
        return [(float(v), float(v), float(v)) for v in whole]
    boot = stats.bootstrap(
        (np.arange(len(y)),),
        median,
        vectorized=False,
        n_resamples=resamples,
        confidence_level=LEVEL,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    low, high = (
        np.atleast_1d(boot.confidence_interval.low),
        np.atleast_1d(boot.confidence_interval.high),
    )
    return [(float(v), float(lo), float(hi)) for v, lo, hi in zip(whole, low, high, strict=True)]


def _sobol(
    problem: dict[str, Any], y: FloatArray, method: Method, resamples: int, seed: int
) -> list[tuple[float, float, float]]:
    """SALib's first- or total-order Sobol' indices, with their bootstrap intervals."""
    from SALib.analyze import sobol

    found = sobol.analyze(
        problem,
        y,
        calc_second_order=False,
        num_resamples=max(resamples, 10),
        conf_level=LEVEL,
        seed=seed,
    )
    key = "ST" if method == "sobol-total" else "S1"
    return [
        (float(v), float(v - c), float(v + c))
        for v, c in zip(found[key], found[f"{key}_conf"], strict=True)
    ]


def firm_effect(column: str, firm: BoolArray, y: BoolArray) -> Index:
    """``P(y | firm) - P(y | not firm)`` with Newcombe's interval (statsmodels)."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    n1, n0 = int(firm.sum()), int((~firm).sum())
    k1, k0 = int(y[firm].sum()), int(y[~firm].sum())
    low, high = confint_proportions_2indep(
        k1, n1, k0, n0, method="newcomb", compare="diff", alpha=1 - LEVEL
    )
    return Index(column, "firm", k1 / n1 - k0 / n0, float(low), float(high), (n1, n0))


def interaction(name: str, a: BoolArray, b: BoolArray, y: BoolArray) -> Index | None:
    """The difference of differences of two lines' firmness, from the saturated OLS fit.

    ``None`` when a cell of the 2×2 table has fewer than two runs: with none the
    interaction is not defined, with one its cell's variance (and HC2's, whose leverage
    is then 1) is not.
    """
    import statsmodels.api as sm

    cells = tuple(
        int(((a == i) & (b == j)).sum())
        for i, j in ((True, True), (True, False), (False, True), (False, False))
    )
    if min(cells) < 2:
        return None
    fa, fb = a.astype(float), b.astype(float)
    design = np.column_stack([np.ones_like(fa), fa, fb, fa * fb])
    fit = sm.OLS(y.astype(float), design).fit(cov_type="HC2")
    low, high = fit.conf_int(alpha=1 - LEVEL)[3]
    return Index(name, "interaction", float(fit.params[3]), float(low), float(high), cells)


def _independent(batch: Batch) -> BoolArray:
    """The rows of a designed batch that are independent runs: the rows of matrix A."""
    width = np.array([len(p.scenario().uncertainty.parameters) + 2 for p in batch.manifest.points])
    runs = batch.rows["run"].to_numpy(dtype=np.int64)
    keep: BoolArray = runs % width[batch.point] == 0
    return keep


def sensitivity(
    out: str | Path,
    *,
    method: Method | None = None,
    top: int = TOP_DEALS,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> Sensitivity:
    """Rank the inputs of a batch by how much each outcome's chance depends on them.

    ``method``: ``pawn`` on any batch; ``sobol-total`` (the default on a batch made with
    ``--design sobol``) or ``sobol-first`` on a designed batch. Raises
    :class:`sim.scenario.ScenarioError` (exit 2) where the batch cannot answer.
    """
    from sim.batch.store import Batch

    batch = Batch.open(out)
    manifest, every_row = batch.manifest, batch.rows
    designed = manifest.design is not None
    # On a designed batch the D + 2 rows of a base sample share their random draws
    # (sim.batch.design); the rows of its matrix A are the independent runs.
    used = _independent(batch) if designed else np.ones(len(every_row), dtype=bool)
    rows = every_row[used]
    chosen: Method = method if method is not None else ("sobol-total" if designed else "pawn")
    where = Path(out)
    if chosen != "pawn" and not designed:
        raise results_error(
            where,
            f"--method {chosen} needs a batch made with a sampling design (`negsim batch"
            " --design sobol --samples N`); this one drew its parameters at random: use"
            " --method pawn",
        )
    runs = len(rows)
    if chosen == "pawn" and runs < MIN_RUNS:
        raise results_error(
            where,
            f"{runs:,} runs are too few for a sensitivity analysis (at least {MIN_RUNS:,}):"
            " run the batch with more --runs",
        )
    parameters = _varying(rows, "param.")
    # A swept field is an input too (a random batch over several sweep points): its
    # values are the column named by its path (numeric ones only: PAWN slices a range).
    swept = sorted({path for grid in manifest.sweeps.values() for path in grid})
    parameters += [
        path
        for path in swept
        if path in rows.columns
        and pd.api.types.is_numeric_dtype(rows[path])
        and rows[path].dropna().nunique() > 1
    ]
    lines = _varying(rows, "firm.") + _varying(rows, INFORMED)
    if not parameters and not lines:
        raise results_error(
            where,
            "no input varies across the runs (no uncertain parameter in"
            " uncertainty.parameters, and every red line firm in every run or in none), so"
            " nothing can explain the outcomes",
        )
    issues: list[str] = []
    for point in manifest.points:
        issues += [i for i in point.data.get("issues", {}) if i not in issues]
    # every outcome over all rows (the top deals of the whole batch), then on the rows used
    every_outcome = outcome_columns(every_row, issues, top)
    outcomes = {name: (y[used], words) for name, (y, words) in every_outcome.items()}
    notes: list[str] = []
    for name in list(outcomes):
        y = outcomes[name][0]
        if y.all() or not y.any():
            del outcomes[name]
            if name != "no_deal":
                every = "every" if y.all() else "no"
                notes.append(
                    f"{name} happens in {every} run: no input changes its chance, so it is left out"
                )
    if not outcomes:
        raise results_error(where, "no run ends in a deal, so no input changes the chance of one")
    parameter_indices: dict[str, list[tuple[float, float, float]]] = {}
    if chosen == "pawn" and parameters:
        x = rows[parameters].to_numpy(dtype=float)
        for name, (y, _) in outcomes.items():
            if name == "no_deal" and "deal" in parameter_indices:  # |ΔP| is the same
                parameter_indices[name] = parameter_indices["deal"]
                continue
            parameter_indices[name] = _pawn(x, y.astype(float), parameters, resamples, seed)
    elif chosen != "pawn":
        from sim.batch.design import problem_of

        if len(manifest.points) != 1:
            raise results_error(
                where,
                f"Sobol' indices are computed on one design; this batch has"
                f" {len(manifest.points)} scenarios or sweep points: run one scenario per"
                " batch, or use --method pawn",
            )
        if batch.missing:
            raise results_error(
                where,
                f"the batch is unfinished ({batch.missing:,} runs missing) and Sobol'"
                " indices need every run of the design: run the same `negsim batch`"
                " command again to finish it",
            )
        problem = problem_of(manifest.points[0].scenario())
        order = np.argsort(every_row["run"].to_numpy(), kind="stable")  # SALib's row order
        parameters = list(problem["names"])
        for name in outcomes:
            y = every_outcome[name][0][order]
            parameter_indices[name] = _sobol(problem, y.astype(float), chosen, resamples, seed)
    results = []
    firm = {c: rows[c].fillna(False).to_numpy(dtype=bool) for c in lines}
    for name, (y, _) in outcomes.items():
        found: list[Index] = [
            Index(column, "parameter", *values)
            for column, values in zip(parameters, parameter_indices.get(name, []), strict=False)
        ]
        found += [firm_effect(c, firm[c], y) for c in lines]
        for a, b in itertools.combinations(lines, 2):
            pair = interaction(f"{a}:{b}", firm[a], firm[b], y)
            if pair is not None:
                found.append(pair)
        results.append(Outcome(name, int(y.sum()), runs, _strongest(found)))
    if any(math.isnan(i.index) for o in results for i in o.indices):
        notes.append("some indices are undefined (NaN): too few runs in a slice or cell")
    return Sensitivity(
        chosen, len(every_row), tuple(parameters), tuple(lines), tuple(results), tuple(notes)
    )
