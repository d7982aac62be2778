"""What changed between two batches: each deal's share before and after, beyond chance.

Two batch folders (typically a baseline and a variant) are read with
:func:`sim.plots.data.load_batch`; their points are paired, and for "no deal", for each of the
:data:`TOP` most frequent deals seen in either (an outcome, one option per issue,
compared by its options) and for the other deals taken together (``--top``; every deal
alone with ``top=0``) the change of share from A to B gets a 95% interval and a p-value:

* **Paired runs.** negsim draws every random number of run ``i`` from (seed, ``i``,
  the quantity's name), so when both batches used the same seed and the same run ids,
  run ``i`` of A and run ``i`` of B share their draws (common random numbers). The
  per-run indicators "run ``i`` ended in this deal" are then paired: the change is the
  mean paired difference with its paired standard error, and the p-value is
  McNemar's (1947) test on the discordant pairs — exact binomial below 25 discordant
  pairs, the chi-square form (1 df) otherwise.
* **Independent runs** (different seeds or run ids): the difference of two
  proportions, with Newcombe's (1998) hybrid score interval (his method 10, built
  from the two Wilson intervals) and the two-proportion z-test — or Fisher's (1935)
  exact test when an expected count is below 5, where the z-test is far too liberal.

When both points' parties have ratifiers, the share of runs that end in a ratified deal
(any deal, signed and ratified at home) is compared the same way, as one more change
(:attr:`PairComparison.ratified`).

The p-values of all the deals compared (and of the ratified share) are adjusted with
Holm's (1979) step-down method, which holds the family-wise error rate at 5% whatever
the dependence between the tests (the shares of one batch sum to 1, so they are
dependent); a change is *larger than chance* when its adjusted p-value is below
:data:`ALPHA`.

References: McNemar, Q. (1947) Note on the sampling error of the difference between
correlated proportions or percentages, *Psychometrika* 12, 153–157. Newcombe, R. G.
(1998) Interval estimation for the difference between independent proportions:
comparison of eleven methods, *Statistics in Medicine* 17, 873–890. Holm, S. (1979) A
simple sequentially rejective multiple test procedure, *Scandinavian Journal of
Statistics* 6, 65–70. Fisher, R. A. (1935) The logic of inductive inference, *JRSS*
98, 39–82. Wilson, E. B. (1927) Probable inference, the law of succession,
and statistical inference, *JASA* 22, 209–212.

Each test and interval is a call to scipy.stats or statsmodels (the option chosen is
said in each function). This module does the statistics only; the figure is
:mod:`sim.plots.compare`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.batch.summary import wilson
from sim.scenario import Problem, Scenario, ScenarioError
from sim.scenario.problems import Origin

if TYPE_CHECKING:  # only for types: importing sim.plots at run time loads matplotlib
    from sim.plots.data import BatchData, PointData

#: Family-wise error rate: a change is larger than chance when its Holm-adjusted p < ALPHA.
ALPHA = 0.05
#: Below this many discordant pairs McNemar's test is exact (binomial), above it chi-square.
EXACT_BELOW = 25
#: Below this expected count in a 2×2 table, independent runs get Fisher's exact test.
MIN_EXPECTED = 5
#: The label of the outcome without agreement.
NO_DEAL = "no deal"
#: Deals compared one by one (by the larger of their two shares); the rest are compared
#: together as "other deals" (``negsim compare --top``; 0 compares every deal alone).
TOP = 12

type Deal = tuple[str, ...]


# --- the statistics ---------------------------------------------------------------


def mcnemar_p(only_a: int, only_b: int) -> float:
    """McNemar's (1947) test of paired proportions, from the discordant pairs.

    ``only_a`` runs are in the category under A but not under B, ``only_b`` the other
    way round; concordant pairs carry no information about the change. statsmodels'
    ``mcnemar``: with fewer than :data:`EXACT_BELOW` discordant pairs the exact
    two-sided binomial test (``exact=True``), otherwise the chi-square on 1 degree of
    freedom without continuity correction (``exact=False, correction=False``), as
    negsim computed it by hand before.
    """
    n = only_a + only_b
    if n == 0:
        return 1.0
    from statsmodels.stats.contingency_tables import mcnemar  # slow to import: on use

    exact = n < EXACT_BELOW
    result = mcnemar([[0, only_a], [only_b, 0]], exact=exact, correction=False)
    return min(1.0, float(result.pvalue))


def paired_difference(
    only_a: int, only_b: int, n: int, alpha: float = ALPHA
) -> tuple[float, float, float]:
    """The mean paired difference B − A of 0/1 indicators and its ``1 - alpha`` interval.

    ``d_i = y_i - x_i`` over ``n`` paired runs is −1 in ``only_a`` runs, +1 in ``only_b``
    runs and 0 in the others; the mean and its normal interval are statsmodels'
    ``DescrStatsW(...).zconfint_mean`` on those weighted values (standard error
    ``sd(d) / sqrt(n)``, ``sd`` with ``n - 1`` in the denominator). Returns (difference,
    low, high), the interval clipped to [-1, 1].
    """
    if n == 0:
        return (0.0, -1.0, 1.0)
    mean = (only_b - only_a) / n
    if n < 2:
        return (mean, -1.0, 1.0)
    if only_a + only_b == 0:  # every pair agrees: no spread (statsmodels would warn)
        return (0.0, 0.0, 0.0)
    from statsmodels.stats.weightstats import DescrStatsW  # slow to import: on use

    values = np.array([-1.0, 0.0, 1.0])
    weights = np.array([only_a, n - only_a - only_b, only_b], dtype=float)
    low, high = DescrStatsW(values, weights=weights).zconfint_mean(alpha=alpha)
    return (mean, max(-1.0, float(low)), min(1.0, float(high)))


def newcombe_interval(
    x1: int, n1: int, x2: int, n2: int, alpha: float = ALPHA
) -> tuple[float, float]:
    """Newcombe's (1998) hybrid score interval for ``x1/n1 - x2/n2`` (his method 10).

    statsmodels' ``confint_proportions_2indep(method="newcomb", compare="diff")``: each
    proportion gets its Wilson (1927) score interval and the two are combined; it stays
    inside [-1, 1] and behaves well near 0 and 1, where the Wald interval fails. A
    sample of no runs says nothing: (-1, 1).
    """
    if n1 == 0 or n2 == 0:
        return (-1.0, 1.0)
    from statsmodels.stats.proportion import confint_proportions_2indep  # on use

    low, high = confint_proportions_2indep(
        int(x1), int(n1), int(x2), int(n2), method="newcomb", compare="diff", alpha=alpha
    )
    return (float(low), float(high))


def fisher_p(x1: int, n1: int, x2: int, n2: int) -> float:
    """Fisher's (1935) exact test of ``x1/n1 == x2/n2``, two-sided: scipy's ``fisher_exact``."""
    from scipy.stats import fisher_exact  # slow to import: on use

    table = [[int(x1), int(n1 - x1)], [int(x2), int(n2 - x2)]]
    return min(1.0, float(fisher_exact(table, alternative="two-sided").pvalue))


def two_proportion_p(x1: int, n1: int, x2: int, n2: int) -> float:
    """The two-sided test of ``x1/n1 == x2/n2`` for independent samples.

    The two-proportion z-test with pooled variance (statsmodels' ``proportions_ztest``);
    but when an expected count of the 2×2 table is below :data:`MIN_EXPECTED` the normal
    approximation is poor (2 runs of 2,000 against 0 of 20,000 would give p < 1e-5), so
    Fisher's exact test is used, as McNemar's test goes exact with few discordant pairs.
    """
    if n1 == 0 or n2 == 0:
        return 1.0
    if min(x1 + x2, n1 + n2 - x1 - x2) * min(n1, n2) / (n1 + n2) < MIN_EXPECTED:
        return fisher_p(x1, n1, x2, n2)
    if x1 + x2 in (0, n1 + n2):  # both 0% or both 100%: no evidence of any change
        return 1.0
    from statsmodels.stats.proportion import proportions_ztest  # slow to import: on use

    _, p = proportions_ztest([int(x1), int(x2)], [int(n1), int(n2)])
    return float(p)


def holm(pvalues: Sequence[float]) -> list[float]:
    """Holm's (1979) step-down adjusted p-values, in the order given.

    statsmodels' ``multipletests(method="holm")``: sorted ascending, the ``j``-th
    smallest of ``m`` p-values is multiplied by ``m - j + 1``, capped at 1 and made
    non-decreasing; a hypothesis is rejected at family-wise level ``alpha`` when its
    adjusted p-value is below ``alpha``. Valid under any dependence between the tests.
    """
    if not pvalues:
        return []
    from statsmodels.stats.multitest import multipletests  # slow to import: on use

    adjusted = multipletests(np.asarray(pvalues, dtype=float), method="holm")[1]
    return [float(p) for p in adjusted]


def pairing(
    seed_a: int | None, runs_a: np.ndarray, seed_b: int | None, runs_b: np.ndarray
) -> tuple[bool, str]:
    """Whether two sets of runs are paired by common random numbers, and why (or why not).

    Run ``i`` of a seed draws the same numbers for every quantity two scenarios share,
    so runs are paired exactly when the seeds and the run ids are the same.
    """
    if seed_a is None or seed_b is None:
        return (False, "the seed of a batch is unknown, so its runs are taken as independent")
    if seed_a != seed_b:
        return (False, f"different seeds ({seed_a} and {seed_b}), so the runs are independent")
    same_ids = len(runs_a) == len(runs_b) and bool(np.array_equal(np.sort(runs_a), np.sort(runs_b)))
    if not same_ids:
        return (
            False,
            f"the same seed {seed_a} but different run ids ({_span(runs_a)} and"
            f" {_span(runs_b)}), so the runs are compared as independent",
        )
    return (
        True,
        f"the same seed {seed_a} and run ids {_span(runs_a)}: run i of A and run i of B"
        " share their random draws (common random numbers)",
    )


def _span(runs: np.ndarray) -> str:
    if len(runs) == 0:
        return "none"
    low, high, n = int(runs.min()), int(runs.max()), len(runs)
    if high - low + 1 == n:
        return f"{low:,}–{high:,}"
    return f"{n:,} runs in {low:,}–{high:,}"


# --- the result ---------------------------------------------------------------------


@dataclass(frozen=True)
class DealChange:
    """One deal's share in A and in B, the change B − A and whether it is larger than chance."""

    deal: Deal | None  # options on the compared issues; None for no deal
    label: str  # the deal in words
    count_a: int
    runs_a: int
    count_b: int
    runs_b: int
    change: float  # share_b - share_a
    low: float  # 95% interval of the change
    high: float
    p: float  # unadjusted
    p_adjusted: float  # Holm over every deal compared
    discordant: tuple[int, int] | None = None  # paired: (runs only A, runs only B)
    words: tuple[str, ...] = ()  # the deal's option labels, one per compared issue
    rolled_up: int = 0  # "other deals": how many deals this row holds together

    @property
    def is_no_deal(self) -> bool:
        """Whether this row is the runs without a deal."""
        return self.deal is None and not self.rolled_up

    @property
    def share_a(self) -> float:
        """The share of A's runs that ended in this deal."""
        return self.count_a / self.runs_a if self.runs_a else 0.0

    @property
    def share_b(self) -> float:
        """The share of B's runs that ended in this deal."""
        return self.count_b / self.runs_b if self.runs_b else 0.0

    @property
    def interval_a(self) -> tuple[float, float]:
        """The 95% Wilson interval of A's share."""
        return wilson(self.count_a, self.runs_a)

    @property
    def interval_b(self) -> tuple[float, float]:
        """The 95% Wilson interval of B's share."""
        return wilson(self.count_b, self.runs_b)

    @property
    def larger_than_chance(self) -> bool:
        """Whether the Holm-adjusted p-value is below :data:`ALPHA`."""
        return self.p_adjusted < ALPHA

    def to_json(self) -> dict[str, Any]:
        """As plain JSON data."""
        return {
            "deal": None if self.deal is None else list(self.deal),
            "label": self.label,
            "other_deals": self.rolled_up,
            "a": {
                "count": self.count_a,
                "runs": self.runs_a,
                "share": self.share_a,
                "interval": list(self.interval_a),
            },
            "b": {
                "count": self.count_b,
                "runs": self.runs_b,
                "share": self.share_b,
                "interval": list(self.interval_b),
            },
            "change": self.change,
            "interval": [self.low, self.high],
            "p": self.p,
            "p_adjusted": self.p_adjusted,
            "larger_than_chance": self.larger_than_chance,
            "discordant": None
            if self.discordant is None
            else {"only_a": self.discordant[0], "only_b": self.discordant[1]},
        }


@dataclass(frozen=True)
class PairComparison:
    """One point of A against one point of B, deal by deal."""

    a: str  # scenario id and sweep values
    b: str
    runs_a: int
    runs_b: int
    paired: bool
    why: str  # why the runs are (or are not) paired
    issues: tuple[str, ...]  # the issues deals are compared on
    deals: tuple[DealChange, ...]  # no deal first, then by the larger of the two shares
    notes: tuple[str, ...] = ()
    top: int = 0  # deals compared one by one (0: every deal); the rest are "other deals"
    #: The runs that end in a ratified deal (any deal), when both points have ratifiers.
    ratified: DealChange | None = None

    @property
    def changes(self) -> tuple[DealChange, ...]:
        """Every change tested: the deals, then the ratified share (if compared)."""
        return self.deals + ((self.ratified,) if self.ratified is not None else ())

    @property
    def method(self) -> str:
        """The analysis used, in words."""
        if self.paired:
            return (
                "paired: mean of the per-run differences with its paired standard error;"
                f" McNemar's test (exact below {EXACT_BELOW} discordant pairs)"
            )
        return (
            "independent: Newcombe's hybrid score interval; two-proportion z-test (Fisher's"
            f" exact test when an expected count is below {MIN_EXPECTED})"
        )

    def to_json(self) -> dict[str, Any]:
        """As plain JSON data."""
        return {
            "a": self.a,
            "b": self.b,
            "runs_a": self.runs_a,
            "runs_b": self.runs_b,
            "paired": self.paired,
            "why": self.why,
            "method": self.method,
            "issues": list(self.issues),
            "top": self.top,
            "notes": list(self.notes),
            "deals": [d.to_json() for d in self.deals],
            "ratified": None if self.ratified is None else self.ratified.to_json(),
        }


@dataclass(frozen=True)
class Comparison:
    """Every pair of points of two batch folders."""

    folder_a: str
    folder_b: str
    pairs: tuple[PairComparison, ...]
    notes: tuple[str, ...] = ()

    @property
    def tests(self) -> int:
        """How many changes were tested (the size of Holm's family)."""
        return sum(len(p.changes) for p in self.pairs)

    def to_json(self) -> dict[str, Any]:
        """As plain JSON data (``negsim compare --json``)."""
        return {
            "a": self.folder_a,
            "b": self.folder_b,
            "alpha": ALPHA,
            "correction": f"Holm over {self.tests} changes",
            "notes": list(self.notes),
            "pairs": [p.to_json() for p in self.pairs],
        }


# --- pairing points and deals -----------------------------------------------------


def _refuse(message: str) -> ScenarioError:
    return ScenarioError([Problem(Origin("compare"), (), message)])


def _holdings(name: str, keys: Sequence[str]) -> str:
    shown = ", ".join(keys[:4]) + (", ..." if len(keys) > 4 else "")
    return f"{name} holds {len(keys)} point{'s' if len(keys) != 1 else ''} ({shown})"


def pair_points(keys_a: Sequence[str], keys_b: Sequence[str]) -> tuple[list[tuple[int, int]], str]:
    """Which point of A goes with which point of B (by index), and how they were paired.

    One point each: those two. Otherwise the same point keys; otherwise, with as many
    points on both sides, in order. Anything else raises :class:`ScenarioError`.
    """
    if len(keys_a) == 0 or len(keys_b) == 0:
        raise _refuse(f"nothing to compare: {_holdings('A', keys_a)} and {_holdings('B', keys_b)}")
    if len(keys_a) == 1 and len(keys_b) == 1:
        return ([(0, 0)], "")
    if set(keys_a) == set(keys_b):
        return ([(k, list(keys_b).index(key)) for k, key in enumerate(keys_a)], "")
    if len(keys_a) == len(keys_b):
        return (
            [(k, k) for k in range(len(keys_a))],
            "the point keys differ, so points are paired in order",
        )
    raise _refuse(
        f"cannot pair the points: {_holdings('A', keys_a)} but {_holdings('B', keys_b)};"
        " compare folders with one point each, the same points, or as many points"
    )


def _shared_issues(a: Scenario, b: Scenario) -> tuple[list[str], list[str]]:
    """The issues both scenarios have (in A's order), and notes on what differs."""
    shared = [i for i in a.issues if i in b.issues]
    if not shared:
        raise _refuse(
            f"{a.id} and {b.id} share no issue (A: {', '.join(a.issues)};"
            f" B: {', '.join(b.issues)}), so their deals cannot be compared"
        )
    notes = []
    only_a = [i for i in a.issues if i not in b.issues]
    only_b = [i for i in b.issues if i not in a.issues]
    if only_a or only_b:
        parts = [f"A only: {', '.join(only_a)}"] if only_a else []
        parts += [f"B only: {', '.join(only_b)}"] if only_b else []
        notes.append(
            f"the scenarios have different issues ({'; '.join(parts)}); deals are compared"
            f" on the {len(shared)} they share: {', '.join(shared)}"
        )
    for issue in shared:
        options_a, options_b = list(a.issues[issue].options), list(b.issues[issue].options)
        if options_a != options_b:
            extra_a = [o for o in options_a if o not in options_b]
            extra_b = [o for o in options_b if o not in options_a]
            what = (
                "; ".join(
                    [f"A only: {', '.join(extra_a)}"] * bool(extra_a)
                    + [f"B only: {', '.join(extra_b)}"] * bool(extra_b)
                )
                or "same options in another order"
            )
            notes.append(f"issue {issue} has different options ({what}); deals match by option")
    return shared, notes


def _deal_codes(rows: pd.DataFrame, issues: list[str], index: dict[Deal | None, int]) -> np.ndarray:
    """Each run's deal on ``issues`` as a code into ``index`` (which grows as needed)."""
    from sim.batch.deals import deal_keys

    index.setdefault(None, len(index))
    keys = deal_keys(rows, issues)
    return np.array([index.setdefault(k, len(index)) for k in keys], dtype=np.int64)


def _outcome_rank(
    deal: Deal | None, issues: list[str], a: Scenario, b: Scenario
) -> tuple[int, ...]:
    if deal is None:
        return ()
    rank = []
    for issue, option in zip(issues, deal, strict=True):
        options_a, options_b = list(a.issues[issue].options), list(b.issues[issue].options)
        # A's options in A's order, then the options only B has.
        rank.append(
            options_a.index(option)
            if option in options_a
            else len(options_a) + options_b.index(option)
        )
    return tuple(rank)


def _words(deal: Deal | None, issues: list[str], a: Scenario, b: Scenario) -> tuple[str, ...]:
    if deal is None:
        return ()
    words = []
    for issue, option in zip(issues, deal, strict=True):
        # A's label when A knows the option (it is the baseline), else B's.
        known = a if option in a.issues[issue].options else b
        words.append(known.option_label(issue, option))
    return tuple(words)


def compare_points(
    a: PointData, seed_a: int | None, b: PointData, seed_b: int | None, top: int = 0
) -> PairComparison:
    """Every deal's change from point ``a`` to point ``b`` (p-values not yet adjusted).

    With ``top`` > 0, the ``top`` deals with the largest share (in A or in B) are
    compared one by one and the rest together, as one row "N other deals" (the runs
    that ended in any of them). The returned deals carry ``p_adjusted == p``;
    :func:`compare_batches` adjusts them over the whole family with :func:`holm`.
    """
    issues, notes = _shared_issues(a.scenario, b.scenario)
    rows_a = a.rows.sort_values("run", kind="stable")
    rows_b = b.rows.sort_values("run", kind="stable")
    runs_a, runs_b = rows_a["run"].to_numpy(), rows_b["run"].to_numpy()
    if len(rows_a) == 0 or len(rows_b) == 0:
        empty = a.name if len(rows_a) == 0 else b.name
        raise _refuse(f"{empty} has no runs to compare")
    paired, why = pairing(seed_a, runs_a, seed_b, runs_b)
    index: dict[Deal | None, int] = {}
    codes_a = _deal_codes(rows_a, issues, index)
    codes_b = _deal_codes(rows_b, issues, index)
    n_a, n_b = len(rows_a), len(rows_b)
    seen_a = np.bincount(codes_a, minlength=len(index))
    seen_b = np.bincount(codes_b, minlength=len(index))
    # No deal first, then the more frequent deals; ties in outcome order (file order).
    rank = {deal: _outcome_rank(deal, issues, a.scenario, b.scenario) for deal in index}
    order = sorted(
        (d for d in index if d is not None),
        key=lambda d: (-max(seen_a[index[d]] / n_a, seen_b[index[d]] / n_b), rank[d]),
    )
    kept = order if top <= 0 or len(order) <= top + 1 else order[:top]
    rest = order[len(kept) :]
    # Rows: no deal, each kept deal, then the rest together; each deal code maps to a row.
    row_of = np.zeros(len(index), dtype=np.int64)
    for row, deal in enumerate([None, *kept]):
        row_of[index[deal]] = row
    for deal in rest:
        row_of[index[deal]] = len(kept) + 1
    rows = 1 + len(kept) + bool(rest)
    codes_a, codes_b = row_of[codes_a], row_of[codes_b]
    count_a = np.bincount(codes_a, minlength=rows)
    count_b = np.bincount(codes_b, minlength=rows)
    # Runs in the same row under A and B (only meaningful when paired; sorted by run).
    both = (
        np.bincount(codes_a[codes_a == codes_b], minlength=rows)
        if paired
        else np.zeros(rows, dtype=np.int64)
    )
    changes = []
    for code in range(rows):
        deal = None if code == 0 or code > len(kept) else kept[code - 1]
        xa, xb = int(count_a[code]), int(count_b[code])
        if paired:
            only_a, only_b = xa - int(both[code]), xb - int(both[code])
            change, low, high = paired_difference(only_a, only_b, n_a)
            p = mcnemar_p(only_a, only_b)
            discordant: tuple[int, int] | None = (only_a, only_b)
        else:
            change = xb / n_b - xa / n_a
            low, high = newcombe_interval(xb, n_b, xa, n_a)
            p = two_proportion_p(xb, n_b, xa, n_a)
            discordant = None
        words = _words(deal, issues, a.scenario, b.scenario)
        rolled = len(rest) if code > len(kept) else 0
        label = f"{len(rest):,} other deals" if rolled else "; ".join(words) if words else NO_DEAL
        changes.append(
            DealChange(
                deal, label, xa, n_a, xb, n_b, change, low, high, p, p, discordant, words, rolled
            )
        )
    ratified = None
    home_a, home_b = _ratified_runs(a, rows_a), _ratified_runs(b, rows_b)
    if home_a is not None and home_b is not None:
        ratified = _change(home_a, home_b, paired, RATIFIED_LABEL)
    return PairComparison(
        a.name,
        b.name,
        n_a,
        n_b,
        paired,
        why,
        tuple(issues),
        tuple(changes),
        tuple(notes),
        top if rest else 0,
        ratified,
    )


#: The label of the runs that end in a ratified deal.
RATIFIED_LABEL = "ratified at home (any deal signed and ratified)"


def _ratified_runs(point: PointData, rows: pd.DataFrame) -> np.ndarray | None:
    """Which runs (in the order of ``rows``) end in a ratified deal; None: nobody ratifies."""
    from sim.batch.schema import AGREEMENT, RATIFIED

    if RATIFIED not in rows.columns or not point.scenario.has_ratifiers:
        return None
    agreed = rows[AGREEMENT].astype("boolean").fillna(False).to_numpy(dtype=bool)
    ratified: np.ndarray = agreed & rows[RATIFIED].astype("boolean").fillna(False).to_numpy(
        dtype=bool
    )
    return ratified


def _change(hit_a: np.ndarray, hit_b: np.ndarray, paired: bool, label: str) -> DealChange:
    """The change of the share of runs with ``hit`` from A to B, as a deal's change."""
    n_a, n_b = len(hit_a), len(hit_b)
    xa, xb = int(hit_a.sum()), int(hit_b.sum())
    discordant: tuple[int, int] | None = None
    if paired:  # rows sorted by run, the same run ids on both sides
        both = int((hit_a & hit_b).sum())
        only_a, only_b = xa - both, xb - both
        change, low, high = paired_difference(only_a, only_b, n_a)
        p = mcnemar_p(only_a, only_b)
        discordant = (only_a, only_b)
    else:
        change = xb / n_b - xa / n_a
        low, high = newcombe_interval(xb, n_b, xa, n_a)
        p = two_proportion_p(xb, n_b, xa, n_a)
    return DealChange(None, label, xa, n_a, xb, n_b, change, low, high, p, p, discordant)


def seeds_of(folder: str | Path) -> dict[str, int]:
    """The seed of every point of a batch folder, by point key (from its manifest)."""
    from sim.batch.manifest import Manifest

    return Manifest.read(folder).seeds()


def compare_batches(a: BatchData, b: BatchData, top: int = TOP) -> Comparison:
    """Compare two loaded batches (:func:`sim.plots.data.load_batch`), point by point.

    Points are paired by :func:`pair_points`; within each pair "no deal", the ``top``
    most frequent deals and the other deals together are compared (every deal alone
    when ``top`` is 0; :func:`compare_points`), and the p-values of all of them are
    adjusted together with Holm's method (:func:`holm`).
    """
    pairs, how = pair_points([p.key for p in a.points], [p.key for p in b.points])
    seeds_a, seeds_b = seeds_of(a.folder), seeds_of(b.folder)
    compared = [
        compare_points(
            a.points[i],
            seeds_a.get(a.points[i].key),
            b.points[j],
            seeds_b.get(b.points[j].key),
            top,
        )
        for i, j in pairs
    ]
    adjusted = iter(holm([d.p for pair in compared for d in pair.changes]))
    final = []
    for pair in compared:
        deals = tuple(replace(d, p_adjusted=next(adjusted)) for d in pair.deals)
        ratified = pair.ratified
        if ratified is not None:
            ratified = replace(ratified, p_adjusted=next(adjusted))
        final.append(replace(pair, deals=deals, ratified=ratified))
    notes = (how,) if how else ()
    return Comparison(str(a.folder), str(b.folder), tuple(final), notes)


# --- the table ----------------------------------------------------------------------

#: The width the table is laid out for.
WIDTH = 118


def _pct(share: float) -> str:
    return f"{share:.1%}"


def _points(change: float) -> str:
    # Percentage points, signed; "+0.0" rather than "-0.0" for a rounding to zero.
    text = f"{100 * change:+.1f}"
    return "+0.0" if text == "-0.0" else text


def _p(p: float) -> str:
    return "<0.0001" if p < 1e-4 else f"{p:.4f}"


def wrap_deal(label: str, width: int) -> list[str]:
    """A deal's words in lines of at most ``width``.

    Lines break between options when that costs no extra line, else between words.
    """
    by_option: list[str] = []
    for part in label.split("; "):
        joined = f"{by_option[-1]}; {part}" if by_option else part
        if by_option and len(joined) <= width:
            by_option[-1] = joined
            continue
        if by_option:
            by_option[-1] += ";"
        by_option += textwrap.wrap(part, width) or [""]
    by_word = textwrap.wrap(label, width) or [""]
    return by_option if len(by_option) <= len(by_word) else by_word


def format_comparison(comparison: Comparison, width: int = WIDTH) -> str:
    """The table printed by ``negsim compare``: one row per deal, no deal first."""
    out: list[str] = []
    head = f"{'A':>6}  {'B':>6}  {'change, points [95%]':<23} {'adj. p':>7}    deal"
    label_at = len(head) - 4
    for k, pair in enumerate(comparison.pairs):
        if k:
            out.append("")
        out.append(f"A: {pair.a} ({pair.runs_a:,} runs) → B: {pair.b} ({pair.runs_b:,} runs)")
        runs = "Paired runs" if pair.paired else "Independent runs"
        rolled = [
            f"Deals: the {pair.top} most frequent one by one; the {d.rolled_up:,} others"
            " together as one row (--top; --top 0 lists every deal)."
            for d in pair.deals
            if d.rolled_up
        ]
        for text in (f"{runs}: {pair.why}.", f"Method: {pair.method}.", *rolled, *pair.notes):
            out += textwrap.wrap(text, width, subsequent_indent="  ")
        out.append(head)
        for d in pair.changes:
            interval = f"[{_points(d.low)}, {_points(d.high)}]"
            mark = "*" if d.larger_than_chance else " "
            numbers = (
                f"{_pct(d.share_a):>6}  {_pct(d.share_b):>6}  "
                f"{_points(d.change):>6} {interval:<16} {_p(d.p_adjusted):>7} {mark}  "
            )
            lines = wrap_deal(d.label, max(20, width - label_at))
            out.append(numbers + lines[0])
            out += [" " * label_at + line for line in lines[1:]]
    flagged = sum(d.larger_than_chance for p in comparison.pairs for d in p.changes)
    out.append("")
    out += textwrap.wrap(
        f"* larger than chance: Holm-adjusted p < {ALPHA:g} over the {comparison.tests}"
        f" changes compared ({flagged} flagged). Shares are of all runs; changes are B − A"
        " in percentage points.",
        width,
    )
    out += [f"note: {note}" for note in comparison.notes]
    return "\n".join(out) + "\n"
