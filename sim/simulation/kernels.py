"""The compiled rules of a round: one implementation of every party's decision (numba).

Every rule a party or the mediator applies to a text is written once here, as a
function of one run (one row of the block), and compiled by numba. The rounds
themselves (:mod:`sim.simulation.engine`) call these functions run by run; the
vectorised entry points (``*_rows``) apply the same functions to the rows a caller
gives (the story, the tests). Nothing here reads an array over outcomes: a text is
one option per issue and every rule is a sum of per-issue table entries at the text's
options, compared with a threshold (:class:`KernelTables`).

Random numbers are those of :mod:`sim.rng`, drawn inside the loop: value ``e`` of draw
``d`` in run ``r`` is ``m(m(k_r ^ word(d)) ^ m(e ^ T_ELEMENT))`` with SplitMix64's
finaliser ``m`` (:func:`mix`, the same arithmetic as ``sim.rng._mix``; a test holds them
bit for bit equal), so a run draws the same numbers in any block and a draft is drawn
only when the run needs it.

Compiled once per machine and cached beside this file (``cache=True``); the first
simulation in a fresh install pays the compilation (a few seconds), later ones load it.
Measured in ``benchmarks/bench_scale.py`` (``--before`` a revision without kernels).
"""

from __future__ import annotations

from typing import NamedTuple

import numba as nb
import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.rng import U64Array
from sim.space import EPS

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S11 = np.uint64(11)
_S27 = np.uint64(27)
_S30 = np.uint64(30)
_S31 = np.uint64(31)
_UNIT = 2.0**-53

_jit = nb.njit(cache=True, nogil=True)
_inline = nb.njit(cache=True, nogil=True, inline="always")


class KernelTables(NamedTuple):
    """A scenario's rules as flat tables, built once per :class:`~sim.simulation.tables.Tables`.

    * red line ``l`` is crossed when ``sum_j hit[l, i_j, text[i_j]] >= need[l]`` over
      its listed issues ``i_j = line_issue[line_ptr[l]:line_ptr[l + 1]]``
      (:meth:`sim.space.LineTable.hits`: a ``forbid`` line needs every listed issue at a
      listed option, a ``require`` line one listed issue outside its list);
    * party ``p``'s lines are ``party_line[party_ptr[p]:party_ptr[p + 1]]``, file order;
    * party ``p`` signs a text when ``signs[p]`` or ``needs[p, i, text[i]]`` for one of
      the issues ``need_issue[need_ptr[p]:need_ptr[p + 1]]``.
    """

    hit: BoolArray  # (L, I, K)
    need: IntArray  # (L,)
    line_ptr: IntArray  # (L + 1,)
    line_issue: IntArray
    party_ptr: IntArray  # (P + 1,)
    party_line: IntArray
    signs: BoolArray  # (P,)
    needs: BoolArray  # (P, I, K)
    need_ptr: IntArray  # (P + 1,)
    need_issue: IntArray
    sizes: IntArray  # (I,)
    changeable: BoolArray  # (I,) issues with more than one option
    element: U64Array  # (max(I, 1),) m(e ^ T_ELEMENT) for each element index e
    line_owner: IntArray  # (L,) the party whose red line each line is


# -- random numbers -----------------------------------------------------------------------
@_inline
def mix(z: np.uint64) -> np.uint64:
    """SplitMix64's finaliser (Stafford's Mix13), as ``sim.rng._mix`` on one word."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@_inline
def unit(key: np.uint64, element: np.uint64) -> float:
    """The uniform in [0, 1) of one element of a run's draw (``key`` is its ``k_draw``)."""
    bits = mix(key ^ element)
    return float(np.int64(bits >> _S11)) * _UNIT


# -- reading a text ---------------------------------------------------------------------------
@_inline
def utility(value: FloatArray, vr: int, p: int, text: IntArray) -> float:
    """``u_p(text) = sum_i w_pi v_pi(text_i)``, added in issue order."""
    total = 0.0
    for i in range(text.shape[0]):
        total += value[vr, p, i, text[i]]
    return total


@_inline
def crosses(tb: KernelTables, line: int, text: IntArray) -> bool:
    """Whether ``text`` crosses red line ``line``."""
    count = 0
    for j in range(tb.line_ptr[line], tb.line_ptr[line + 1]):
        i = tb.line_issue[j]
        if tb.hit[line, i, text[i]]:
            count += 1
    return bool(count >= tb.need[line])


@_inline
def read(
    tb: KernelTables,
    value: FloatArray,
    held: BoolArray,
    penalty: FloatArray,
    vr: int,
    p: int,
    text: IntArray,
) -> tuple[int, int, float]:
    """What ``text`` is to party ``p`` in a run whose lines' state is ``held``, ``penalty``.

    ``held`` and ``penalty`` are the run's rows, one entry per red line (``(L,)``).

    (the first of its held red lines it crosses, -1 for none; how many of its held
    lines it crosses; its worth: its utility less the audience cost ``penalty[l, r]``
    of every line ``l`` it gave up that the text crosses, ``penalty[l]`` — the cost of
    backing down before its audience, Fearon 1994; 0 for a line it holds or an event
    dropped).
    """
    first, count = -1, 0
    worth = utility(value, vr, p, text)
    for j in range(tb.party_ptr[p], tb.party_ptr[p + 1]):
        line = tb.party_line[j]
        if held[line]:
            if crosses(tb, line, text):
                if first < 0:
                    first = int(line)
                count += 1
        elif penalty[line] > 0 and crosses(tb, line, text):
            worth -= penalty[line]
    return first, count, worth


@_inline
def signs_text(tb: KernelTables, p: int, text: IntArray) -> bool:
    """Whether party ``p`` must accept ``text`` (DESIGN.md: the signers of an outcome)."""
    if tb.signs[p]:
        return True
    for j in range(tb.need_ptr[p], tb.need_ptr[p + 1]):
        i = tb.need_issue[j]
        if tb.needs[p, i, text[i]]:
            return True
    return False


# -- a party's decisions ------------------------------------------------------------------------
@_inline
def accepts(line: int, u: float, aspiration: float) -> bool:
    """Whether a party signs a text; ``line``: the first held line it crosses, ``u``: its worth.

    It signs a text within its held red lines (``line`` is -1) worth at least its
    aspiration (Baarslag et al. 2011: accept what is worth at least what one would ask).
    """
    return line < 0 and u >= aspiration - EPS


@_inline
def objection(
    value: FloatArray, top: FloatArray, vr: int, p: int, text: IntArray, line: int
) -> int:
    """The issue a refusal names (-1 when it names a red line: ``line >= 0``).

    The issue whose option costs the party most: ``argmax_i best_i - w_i v_i(text_i)``.
    """
    if line >= 0:
        return -1
    pick, worst = 0, -np.inf
    for i in range(text.shape[0]):
        gap = top[vr, p, i] - value[vr, p, i, text[i]]
        if gap > worst:
            pick, worst = i, gap
    return pick


@_inline
def votes_for(
    line: int,
    now: int,
    then: int,
    new: float,
    old: float,
    aspiration: float,
    reservation: float,
    vetoed: bool,
    anneal: bool,
) -> bool:
    """Whether a party finds a revision at least as good for it as the current text.

    ``line``: the first of its held red lines the revision crosses (-1: none); ``now``,
    ``then``: how many of its held lines the current text and the revision cross;
    ``new``, ``old``: their utilities. It votes for a revision that crosses fewer of its
    held red lines than the current text (it moves toward a text the party could sign),
    and, while the current text crosses one of its held lines, for any revision that
    crosses no more of them (it could sign neither, so it is no worse off: the way out
    of a text crossing several parties' lines may clear them one at a time).
    Otherwise a revision crossing a held line is refused (naming the line); one within
    its held lines gets its vote when its utility is at least the current text's (Klein
    et al. 2003), or at least its aspiration (it would sign it: Baarslag et al. 2011 — a
    party does not block a text it would sign), or when the current text crosses one of
    its held lines, or when a party has vetoed the current text (``vetoed``) and the
    revision is worth at least its reservation value (a vetoed text is worth no deal).
    ``anneal``: Klein's annealer lets it vote for a worse revision.
    """
    enough = min(old, aspiration)
    good = now > 0 or new >= enough - EPS or (vetoed and new >= reservation - EPS) or anneal
    return (line < 0 and good) or (now > 0 and then <= now)


@_inline
def settles(line: int, u: float, aspiration: float, signed: float, keeps: bool) -> bool:
    """After signing: whether a party accepts a revision of the signed text.

    ``line`` and ``u``: the first held red line the revision crosses and its utility;
    ``signed``: the signed text's utility; ``keeps``: the party is a signatory
    (``signs: true``) that signed the signed text — it accepts a revision at least as
    good for it. Any other party that must sign the revision (a newly needed
    signatory, or a party an option ``needs``: its consent is required, but its gains
    are not what the signatories bargain over — DESIGN.md judges efficiency over the
    signatories) accepts one it would sign: at least its aspiration (Baarslag et al.
    2011). Either way the revision must cross none of its held red lines (Raiffa 1985).
    """
    return line < 0 and u >= (signed if keeps else aspiration) - EPS


# -- the mediator's drafts -------------------------------------------------------------------
@_inline
def draft_one(
    tb: KernelTables,
    key: np.uint64,
    words: U64Array,
    text: IntArray,
    named: BoolArray,
    cdf: FloatArray,
    cr: int,
    n_changeable: int,
    logroll: float,
    attention: float,
    scratch: FloatArray,
    out: IntArray,
) -> None:
    """One draft (how many issues, which, which option on each) of ``text`` into ``out``.

    ``words`` are the draw words of its ``size``, ``issues`` and ``options`` draws
    (:class:`~sim.strategies.single_text.SingleText` states the rules). The number of
    issues is ``1 +`` the leading run of ``size`` uniforms below ``logroll``, at most the
    changeable issues; issues are drawn without replacement by the keys ``u ** (1 / w)``
    (Efraimidis & Spirakis 2006), the ``m`` largest; an option by the inverse of the
    mediator's cumulative weights ``cdf`` (drawing the current option leaves it).
    """
    n_issues = text.shape[0]
    kd = mix(key ^ words[0])
    more = 0
    for e in range(n_issues - 1):
        if unit(kd, tb.element[e]) < logroll:
            more += 1
        else:
            break
    changes = min(1 + more, max(n_changeable, 1))
    kd = mix(key ^ words[1])
    for i in range(n_issues):
        u = unit(kd, tb.element[i])
        if tb.changeable[i]:
            # u ** (1 / 1) is u exactly: the power is taken only for a named issue.
            scratch[i] = u ** (1.0 / (1.0 + attention)) if named[i] and attention > 0 else u
        else:
            scratch[i] = -1.0
    kd = mix(key ^ words[2])
    for i in range(n_issues):
        # Issue i is among the ``changes`` largest keys (ties at the cut all are).
        above = 0
        for h in range(n_issues):
            if scratch[h] > scratch[i]:
                above += 1
        if above < changes and scratch[i] >= 0.0:
            v = unit(kd, tb.element[i])
            option = 0
            for k in range(cdf.shape[2]):
                if cdf[cr, i, k] < v:
                    option += 1
            out[i] = min(option, tb.sizes[i] - 1)
        else:
            out[i] = text[i]


@_inline
def changeable_count(tb: KernelTables) -> int:
    """How many issues have more than one option (a draft can change only those)."""
    count = 0
    for i in range(tb.changeable.shape[0]):
        if tb.changeable[i]:
            count += 1
    return count


# -- the same rules on given rows (alternating offers, the story, the tests) -----------------------
@_jit
def respond_rows(
    tb: KernelTables,
    value: FloatArray,
    top: FloatArray,
    held: BoolArray,
    penalty: FloatArray,
    aspiration: FloatArray,
    p: int,
    rows: IntArray,
    texts: IntArray,
    accept: BoolArray,
    line: IntArray,
    issue: IntArray,
) -> None:
    """:func:`accepts` and :func:`objection` of party ``p``: ``texts[j]`` in run ``rows[j]``."""
    for j in range(rows.shape[0]):
        r = rows[j]
        vr = 0 if value.shape[0] == 1 else r
        first, _, u = read(tb, value, held[r], penalty[r], vr, p, texts[j])
        accept[j], line[j] = accepts(first, u, aspiration[r]), first
        issue[j] = -1 if accept[j] else objection(value, top, vr, p, texts[j], first)


@_jit
def utility_rows(
    value: FloatArray, p: int, rows: IntArray, texts: IntArray, out: FloatArray
) -> None:
    """:func:`utility` of party ``p`` for ``texts[j]`` in run ``rows[j]``."""
    for j in range(rows.shape[0]):
        out[j] = utility(value, 0 if value.shape[0] == 1 else rows[j], p, texts[j])


@_jit
def worth_rows(
    tb: KernelTables,
    value: FloatArray,
    held: BoolArray,
    penalty: FloatArray,
    p: int,
    rows: IntArray,
    texts: IntArray,
    out: FloatArray,
) -> None:
    """The worth (:func:`read`) of ``texts[j]`` to party ``p`` in run ``rows[j]``."""
    for j in range(rows.shape[0]):
        r = rows[j]
        vr = 0 if value.shape[0] == 1 else r
        out[j] = read(tb, value, held[r], penalty[r], vr, p, texts[j])[2]


@_jit
def crosses_rows(tb: KernelTables, line: int, texts: IntArray, out: BoolArray) -> None:
    """:func:`crosses` of red line ``line`` for each text."""
    for j in range(texts.shape[0]):
        out[j] = crosses(tb, line, texts[j])


@_jit
def signers_rows(tb: KernelTables, texts: IntArray, out: BoolArray) -> None:
    """:func:`signs_text` of every party for each text: ``out`` is (n, P)."""
    for j in range(texts.shape[0]):
        for p in range(out.shape[1]):
            out[j, p] = signs_text(tb, p, texts[j])


@_inline
def zone_open(
    tb: KernelTables,
    value: FloatArray,
    vr: int,
    reservation: FloatArray,
    binding: BoolArray,
    texts: IntArray,
    signer: BoolArray,
) -> bool:
    """Whether some text could still be agreed in a run.

    A text of ``texts`` (every outcome, (O, I)) could be when each of its signers
    (``signer``, (O, P)) gets at least its reservation value (``reservation``, the run's
    (P,)) from it and it crosses none of the signer's lines that hold whatever the
    pressure (``binding``, the run's (L,)). Stops at the first such text.
    """
    for o in range(texts.shape[0]):
        text = texts[o]
        ok = True
        for p in range(signer.shape[1]):
            if not signer[o, p]:
                continue
            if utility(value, vr, p, text) < reservation[p] - EPS:
                ok = False
                break
            for k in range(tb.party_ptr[p], tb.party_ptr[p + 1]):
                line = tb.party_line[k]
                if binding[line] and crosses(tb, line, text):
                    ok = False
                    break
            if not ok:
                break
        if ok:
            return True
    return False


@_jit
def zone_rows(
    tb: KernelTables,
    value: FloatArray,
    reservation: FloatArray,
    binding: BoolArray,
    texts: IntArray,
    signer: BoolArray,
    rows: IntArray,
    out: BoolArray,
) -> None:
    """:func:`zone_open` in run ``rows[j]`` (``reservation`` (R, P), ``binding`` (R, L))."""
    for j in range(rows.shape[0]):
        r = rows[j]
        vr = 0 if value.shape[0] == 1 else r
        out[j] = zone_open(tb, value, vr, reservation[r], binding[r], texts, signer)


@_jit
def mix_words(words: U64Array) -> U64Array:
    """:func:`mix` of each word (for the test that it is ``sim.rng._mix``)."""
    out = np.empty_like(words)
    for j in range(words.shape[0]):
        out[j] = mix(words[j])
    return out


__all__ = [
    "KernelTables",
    "crosses_rows",
    "mix_words",
    "respond_rows",
    "signers_rows",
    "utility_rows",
    "worth_rows",
    "zone_open",
    "zone_rows",
]
