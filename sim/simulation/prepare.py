"""A block's preference tables in a few compiled passes (numba), the same floats as numpy's.

What the rounds read of the parties' preferences (:func:`sim.simulation.model._preferences`),
once per block and after an event that moves weights or values:

* the value table ``w_pi / sum_j w_pj * v_pi(k)`` (:func:`value_tables`, also
  :meth:`Params.value_table`), the weights' sum added as numpy adds it
  (:func:`_pairwise`: in order below 8 terms, else 8 partial sums), so that the table
  is numpy's bit for bit;
* each row's best value per issue (numpy's ``max`` over the issue's options, the later
  of equal values; numpy's own ``max`` where a value is ``-0.0``, whose sign its
  vectorised loop picks by lane);
* each party's best text within its own red lines and its utility (:func:`best_within`:
  the issues its lines list searched over the scenario's candidate texts,
  :attr:`sim.simulation.tables.Tables.searches`; every other issue at its first best
  option, numpy's ``argmax``);
* the mediator's drafts (:func:`draft_exponents`, :func:`draft_tables`): its options
  favourite first, its favourite per issue and the cumulative weights
  ``exp(bias (v - best))``; the exponential is numpy's.

Without ``fastmath``, LLVM neither reorders nor fuses these operations, so every value
is the one the numpy expressions they replace give (tests/simulation/test_prepare.py
holds them to it). Compiled once per machine and cached beside this file (``cache=True``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numba as nb
import numpy as np

from sim.arrays import FloatArray, IntArray

if TYPE_CHECKING:
    from sim.simulation.tables import Tables

_jit = nb.njit(cache=True, nogil=True)
_inline = nb.njit(cache=True, nogil=True, inline="always")

#: numpy's pairwise summation splits a sum of more terms than this in two.
_PW_BLOCKSIZE = 128


@nb.njit(cache=True, nogil=True)
def _pairwise(a: FloatArray, lo: int, n: int) -> float:
    """The ``pairwise_sum`` of numpy of ``a[lo:lo + n]`` (``_core/src/umath/loops_utils.h``).

    Below 8 terms, in order from 0; up to 128, eight partial sums over blocks of eight,
    combined as ``((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))``, then the rest in
    order; above 128, the two halves (the first a multiple of 8 terms) summed apart.
    """
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    if n <= _PW_BLOCKSIZE:
        r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
        r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
        i = 8
        end = n - n % 8
        while i < end:
            r0 += a[lo + i]
            r1 += a[lo + i + 1]
            r2 += a[lo + i + 2]
            r3 += a[lo + i + 3]
            r4 += a[lo + i + 4]
            r5 += a[lo + i + 5]
            r6 += a[lo + i + 6]
            r7 += a[lo + i + 7]
            i += 8
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n:
            res += a[lo + i]
            i += 1
        return float(res)
    n2 = n // 2
    n2 -= n2 % 8
    halves: float = _pairwise(a, lo, n2) + _pairwise(a, lo + n2, n - n2)
    return halves


@_jit
def numpy_sum(a: FloatArray) -> FloatArray:
    """``a.sum(axis=-1)`` of a C-contiguous 2-D array, as numpy adds it (for the tests)."""
    out = np.empty(a.shape[0])
    flat = a.reshape(a.size)
    for r in range(a.shape[0]):
        out[r] = 0.0 + _pairwise(flat, r * a.shape[1], a.shape[1])
    return out


@_jit
def value_tables(
    weights: FloatArray,
    values: FloatArray,
    sizes: IntArray,
    value: FloatArray,
    issue_best: FloatArray,
) -> bool:
    """The value table and each row's best value per issue.

    ``weights`` (R, P, I) and ``values`` (R, P, I, K) C-contiguous; writes ``value``
    (R, P, I, K) ``= weights / where(total > 0, total, 1) * values`` with ``total`` the
    weights' sum over issues as numpy adds it; ``issue_best`` (R, P, I) the greatest
    value over the issue's options (numpy's ``max``: of equal values, the last). The
    values are finite (clipped to [0, 1], the weights normalised), so no NaN rule is
    needed, and the ``-inf`` numpy puts beyond an issue's options never wins.

    Returns whether a value of an option is ``-0.0`` (only from a ``-0.0`` in the file):
    then two best values may be zeros of either sign, and numpy's vectorised ``max``
    picks one by its lane order, which the caller leaves to numpy
    (:func:`preference_tables`). Without one, equal values are the same bits.
    """
    negative_zero = False
    n_rows, n_parties, n_issues = weights.shape
    width = values.shape[3]
    flat = weights.reshape(weights.size)
    for r in range(n_rows):
        for p in range(n_parties):
            total = 0.0 + _pairwise(flat, (r * n_parties + p) * n_issues, n_issues)
            divisor = total if total > 0 else 1.0
            for i in range(n_issues):
                normalised = weights[r, p, i] / divisor
                for k in range(width):
                    value[r, p, i, k] = normalised * values[r, p, i, k]
                top = value[r, p, i, 0]
                if top == 0.0 and math.copysign(1.0, top) < 0.0:
                    negative_zero = True
                for k in range(1, sizes[i]):
                    x = value[r, p, i, k]
                    if x == 0.0 and math.copysign(1.0, x) < 0.0:
                        negative_zero = True
                    if not top > x:  # numpy's max keeps the later of equal values
                        top = x
                issue_best[r, p, i] = top
    return negative_zero


@_inline
def first_best(value: FloatArray, r: int, p: int, i: int, size: int) -> int:
    """The first option of greatest value of issue ``i`` (numpy's ``argmax``)."""
    best = value[r, p, i, 0]
    pick = 0
    for k in range(1, size):
        x = value[r, p, i, k]
        if not x <= best:
            best = x
            pick = k
    return pick


@_jit
def best_texts(
    value: FloatArray,
    sizes: IntArray,
    issue_ptr: IntArray,
    issues: IntArray,
    candidate_ptr: IntArray,
    candidates: IntArray,
    top: FloatArray,
    text: IntArray,
) -> None:
    """Each row's best text for each party within its own red lines, and its utility.

    Party ``p`` searches the issues ``issues[issue_ptr[p]:issue_ptr[p + 1]]`` (J of them)
    over its candidate texts, ``candidates[candidate_ptr[p]:candidate_ptr[p + 1]]`` read
    as (C, J); every other issue takes its first best option (:func:`first_best`, as
    numpy's ``argmax`` over the issue's options). The candidates' scores
    are added from 0 in the order of those issues and the first best is kept (numpy's
    ``argmax``); the utility is :func:`sim.simulation.kernels.utility`'s sum, in issue
    order. ``top`` (R, P) and ``text`` (R, P, I) are written for every row of ``value``.
    """
    n_rows, n_parties, n_issues = top.shape[0], top.shape[1], text.shape[2]
    for r in range(n_rows):
        for p in range(n_parties):
            for i in range(n_issues):
                text[r, p, i] = first_best(value, r, p, i, sizes[i])
            i0, i1 = issue_ptr[p], issue_ptr[p + 1]
            n_searched = i1 - i0
            if n_searched > 0:
                c0 = candidate_ptr[p]
                count = (candidate_ptr[p + 1] - c0) // n_searched
                pick = 0
                best = 0.0
                for c in range(count):
                    score = 0.0
                    at = c0 + c * n_searched
                    for j in range(n_searched):
                        score += value[r, p, issues[i0 + j], candidates[at + j]]
                    if c == 0:
                        best = score
                    elif not score <= best:
                        best = score
                        pick = c
                    if math.isnan(best):
                        break
                at = c0 + pick * n_searched
                for j in range(n_searched):
                    text[r, p, issues[i0 + j]] = candidates[at + j]
            total = 0.0
            for i in range(n_issues):
                total += value[r, p, i, text[r, p, i]]
            top[r, p] = total


@_jit
def draft_exponents(
    value: FloatArray, issue_best: FloatArray, sizes: IntArray, mediator: int, bias: float,
    out: FloatArray,
) -> None:  # fmt: skip
    """``bias * (v - best)`` of the mediator's row per (row, issue, option), 0 where invalid.

    The argument of ``exp`` in the draft weights (:func:`draft_tables`); an option beyond
    the issue's count, or of a value that is not finite, gets ``bias * 0``.
    """
    for r in range(value.shape[0]):
        for i in range(value.shape[2]):
            top = issue_best[r, mediator, i]
            for k in range(value.shape[3]):
                x = value[r, mediator, i, k]
                ok = k < sizes[i] and math.isfinite(x)
                out[r, i, k] = bias * ((x - top) if ok else 0.0)


@_jit
def draft_tables(
    value: FloatArray,
    sizes: IntArray,
    mediator: int,
    weight: FloatArray,
    order: IntArray,
    favourite: IntArray,
) -> None:
    """The mediator's cumulative draft weights (in place of ``weight``), order, favourites.

    ``weight`` holds ``exp`` of :func:`draft_exponents`; where an option is invalid (or
    its value not finite) the weight is 0; the cumulative sums, in option order, are
    divided by their last. ``order`` (R, I, K): the options by decreasing value, ties in
    option order, the invalid ones last (numpy's stable ``argsort`` of ``-value``, the
    invalid at ``+inf``). ``favourite`` (R, I): its first best option per issue.
    """
    width = value.shape[3]
    keys = np.empty(width)
    for r in range(value.shape[0]):
        for i in range(value.shape[2]):
            running = 0.0
            for k in range(width):
                x = value[r, mediator, i, k]
                ok = k < sizes[i] and math.isfinite(x)
                w = weight[r, i, k] if ok else 0.0
                running = w if k == 0 else running + w
                weight[r, i, k] = running
                keys[k] = -x if k < sizes[i] else np.inf
            favourite[r, i] = first_best(value, r, mediator, i, sizes[i])
            last = weight[r, i, width - 1]
            for k in range(width):
                weight[r, i, k] = weight[r, i, k] / last
            for k in range(width):  # a stable insertion sort by key
                j = k
                while j > 0 and keys[k] < keys[order[r, i, j - 1]]:
                    order[r, i, j] = order[r, i, j - 1]
                    j -= 1
                order[r, i, j] = k


def preference_tables(
    weights: FloatArray, values: FloatArray, sizes: IntArray
) -> tuple[FloatArray, FloatArray]:
    """(value, issue_best) of :func:`value_tables` for (R|1, P, I[, K]) arrays."""
    rows = max(weights.shape[0], values.shape[0])
    weights = np.ascontiguousarray(np.broadcast_to(weights, (rows, *weights.shape[1:])))
    values = np.ascontiguousarray(np.broadcast_to(values, (rows, *values.shape[1:])))
    value = np.empty(values.shape)
    issue_best = np.empty(weights.shape)
    if value_tables(weights, values, sizes, value, issue_best):
        valid = np.arange(values.shape[3])[None, :] < sizes[:, None]
        issue_best = np.ascontiguousarray(np.where(valid, value, -np.inf).max(axis=3))
    return value, issue_best


def best_within(space: Tables, value: FloatArray, n: int) -> tuple[FloatArray, IntArray]:
    """(n, P) each party's best utility within its own red lines, and (n, P, I) that text.

    Issues that none of its lines lists take their best option each (the first);
    the issues its lines list are searched together, exactly, over the texts within its
    lines (:attr:`sim.simulation.tables.Tables.searches`). Ties: the first option, the
    first text. ``value`` (R|1, P + Q, I, K) is the block's table; rows are broadcast
    to ``n`` runs.
    """
    search = space.searches
    n_parties = len(space.parties)
    rows = value.shape[0]
    top = np.empty((rows, n_parties))
    text = np.empty((rows, n_parties, len(space.issues)), dtype=np.intp)
    best_texts(
        value, space.sizes, search.issue_ptr, search.issues, search.candidate_ptr,
        search.candidates, top, text,
    )  # fmt: skip
    if rows == n:
        return top, text
    return (
        np.broadcast_to(top, (n, n_parties)).copy(),
        np.broadcast_to(text, (n, *text.shape[1:])).copy(),
    )
