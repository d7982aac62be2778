"""Deals in a batch's rows: each run's deal, and how often each deal forms.

The one way negsim counts deals. :func:`deal_counts` gives the distribution of the
deals in some rows (the summary, the figures, ``negsim sensitivity`` and the page read
it); :func:`deal_keys` each run's deal (the figures and ``negsim compare``, which pair
runs); :func:`count_codes` is the counting itself, over option numbers, which the
summary also uses on Arrow parts it never turns into pandas.

Deals are ordered most frequent first, ties in outcome order: the options in the
scenario's file order (given a scenario), else in the order of their text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.arrays import BoolArray, IntArray
from sim.batch.schema import AGREEMENT
from sim.scenario import Scenario

#: The columns of :func:`deal_counts` besides one per issue.
RUNS = "runs"
SHARE = "share"
LABEL = "deal"
#: An issue with no option in an agreed run (a pooled scenario without that issue).
UNKNOWN = "?"

__all__ = [
    "LABEL",
    "RUNS",
    "SHARE",
    "UNKNOWN",
    "count_codes",
    "deal_counts",
    "deal_keys",
    "deal_label",
    "option_codes",
]


def agreed_of(rows: pd.DataFrame) -> BoolArray:
    """Which rows have an agreement (a null is none)."""
    if AGREEMENT not in rows.columns:
        return np.zeros(len(rows), dtype=bool)
    return np.asarray(rows[AGREEMENT].fillna(False).to_numpy(dtype=bool))


def deal_keys(rows: pd.DataFrame, issues: Sequence[str]) -> pd.Series:
    """Each run's deal as a tuple of its options on ``issues`` (None without a deal)."""
    keys = pd.Series([None] * len(rows), index=rows.index, dtype=object)
    agreed = agreed_of(rows)
    if agreed.any():
        options = rows.loc[agreed, list(issues)].astype(str)
        keys[agreed] = list(options.itertuples(index=False, name=None))
    return keys


def option_codes(column: pd.Series, options: Sequence[str], mask: BoolArray) -> IntArray:
    """Each masked row's option as its number in ``options`` (-1 for none or another).

    A text column read back is categorical: its codes are renumbered through its
    categories, never turned into strings (a million rows in milliseconds).
    """
    options = list(options)
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return np.asarray(pd.Categorical(column.to_numpy()[mask], categories=options).codes)
    number = {option: k for k, option in enumerate(options)}
    renumber = np.array([number.get(c, -1) for c in column.cat.categories] + [-1], dtype=np.intp)
    codes: IntArray = renumber[column.cat.codes.to_numpy()[mask]]
    return codes  # code -1 took the last entry: none


def count_codes(keys: dict[str, IntArray]) -> pd.DataFrame:
    """The distinct rows of some columns of small whole numbers (>= -1), with their counts.

    The columns are packed into one int64 per row (digit by digit) and counted with
    ``numpy.unique``, several times faster than a group-by over the columns; when the
    digits do not fit 62 bits, a pandas group-by does it. The result has the columns
    and ``count``.
    """
    names = list(keys)
    radix = [int(keys[name].max(initial=0)) + 2 for name in names]  # digits -1 .. max
    if math.prod(radix) >= 2**62:
        frame = pd.DataFrame(keys)
        return frame.groupby(names, sort=False).size().rename("count").reset_index()
    packed = np.zeros(len(keys[names[0]]), dtype=np.int64)
    for name, base in zip(names, radix, strict=True):
        packed *= base
        packed += keys[name] + 1
    distinct, counts = np.unique(packed, return_counts=True)
    digits: dict[str, IntArray] = {}
    for name, base in zip(reversed(names), reversed(radix), strict=True):
        digits[name] = distinct % base - 1
        distinct = distinct // base
    return pd.DataFrame({name: digits[name] for name in names} | {"count": counts})


def deal_label(scenario: Scenario, deal: Sequence[str | None]) -> str:
    """A deal in words, as the summary prints it: its option labels joined by ``; ``."""
    options = scenario.issues
    return "; ".join(
        scenario.option_label(issue, option)
        if option is not None and option in options[issue].options
        else UNKNOWN
        for issue, option in zip(options, deal, strict=True)
    )


def deal_counts(rows: pd.DataFrame, space: Scenario | Sequence[str]) -> pd.DataFrame:
    """How often each deal forms in ``rows``: one row per deal, most frequent first.

    ``space`` is the rows' scenario (deals over its issues, labelled in words as the
    summary does, ties in the file order of the options) or only the issue names
    (labelled ``issue=option,...`` as ``--target`` spells a deal, ties in the order of
    the options' text). The columns: one per issue (the option; ``?`` where an agreed
    run has none), ``runs``, ``share`` (of all the rows, deal or not) and ``deal`` (the
    label). Runs without a deal are not listed: they are ``len(rows) - runs.sum()``.
    """
    issues = list(space.issues) if isinstance(space, Scenario) else list(space)
    agreed = agreed_of(rows)
    options: list[list[str]] = []
    codes: dict[str, IntArray] = {}
    for k, issue in enumerate(issues):
        if issue not in rows.columns:
            options.append([UNKNOWN])
            codes[f"i{k}"] = np.zeros(int(agreed.sum()), dtype=np.intp)
            continue
        column = rows[issue]
        if isinstance(space, Scenario):
            known = [str(o) for o in space.issues[issue].options]
            options.append(known)
            codes[f"i{k}"] = option_codes(column, known, agreed)
            continue
        # Only the issue names: the options that occur, in the order of their text ("?"
        # among them where an agreed run has none).
        present = pd.unique(column.to_numpy()[agreed])
        known = sorted({str(o) for o in present if not pd.isna(o)})
        found = option_codes(column, known, agreed)
        if (found < 0).any():
            every = sorted([*known, UNKNOWN])
            renumber = np.array([every.index(o) for o in known] + [every.index(UNKNOWN)])
            found, known = renumber[found], every  # -1 took the last entry: "?"
        options.append(known)
        codes[f"i{k}"] = found
    names = [f"i{k}" for k in range(len(issues))]
    empty = not agreed.any() or not issues
    counts = (
        pd.DataFrame({**{n: np.zeros(0, np.intp) for n in names}, "count": np.zeros(0, np.int64)})
        if empty
        else count_codes(codes)
    )
    counts = counts.sort_values(
        ["count", *names], ascending=[False, *([True] * len(names))], kind="stable"
    ).reset_index(drop=True)
    out = pd.DataFrame(
        {
            issue: pd.Series(
                [options[k][c] if c >= 0 else UNKNOWN for c in counts[f"i{k}"]], dtype=object
            )
            for k, issue in enumerate(issues)
        }
    )
    out[RUNS] = counts["count"].to_numpy(dtype=np.int64)
    out[SHARE] = out[RUNS] / len(rows) if len(rows) else 0.0
    deals = out[issues].itertuples(index=False, name=None) if issues else iter(())
    if isinstance(space, Scenario):
        out[LABEL] = [deal_label(space, deal) for deal in deals]
    else:
        out[LABEL] = [
            ",".join(f"{i}={o}" for i, o in zip(issues, deal, strict=True)) for deal in deals
        ]
    return out
