"""The compiled rules of a round: one implementation of every party's decision (numba).

Every rule a party or the mediator applies to a text is written once here, as a
function of one run (one row of the block), and compiled by numba. The rounds
themselves (:mod:`sim.simulation.kernels`) call these functions run by run; the
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

The rounds
----------
The rounds of a negotiation, compiled: every run of a block played to its end in one loop.

One round of one run is :func:`round_one`, a numba function that applies, in order,
the steps of DESIGN.md ("A round"): the reservation values of the round (costs of
delay), a signatory's walk-out at its own deadline, the end of a run whose zone is
empty, the parties' aspirations (their tactics), the red lines that give way under
pressure, the beliefs about bluffs, the protocol's round (the mediator's revision and
the answers, or an offer and the answers), and the record of an agreement or of who
refused. Every rule a party applies to a text is one function of
this module (above); every tactic's aspiration is :func:`aspire_one`; the
belief update is :func:`believe_one`. Nothing here reads an array over outcomes.

:func:`play` runs rounds ``t0..t1`` of every run of the block, run by run (each run's
whole course stays in cache). Events change a run's parameters, so they are applied
between calls, in Python, by :class:`~sim.simulation.model.NegotiationModel`, which
calls :func:`play` once per stretch of rounds without an event — or once per round
when it keeps the story of a run. The runs do not interact and every random number
is drawn from a run's own stream, so the rows are the same whatever the block, the
order of the loops, or how the rounds are split into calls.

The state of a block is a :class:`State` of arrays with a leading run axis, updated in
place; the scenario's constants are a :class:`Config`.

All of it is in one module because numba's cache of a compiled function is checked
against its own source file only: a rule edited in another file would leave the
compiled rounds stale.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal, NamedTuple, TypeVar, cast

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
    #: (L,) STATED (a party's own line), RATIFIER (a ratifier's red line) or FLOOR (a
    #: ratifier's reservation: crossed by a text worth less than ``bar`` to the ratifier,
    #: whose utilities are row ``floor_row`` of the value table; -1 for other lines).
    kind: IntArray
    floor_row: IntArray  # (L,)
    #: Blocs: party p is in bloc ``bloc_of[p]`` (-1: none); bloc b's members are
    #: ``bloc_member[bloc_ptr[b]:bloc_ptr[b + 1]]``; its rule ``bloc_rule[b]``
    #: (UNANIMOUS or MAJORITY).
    bloc_of: IntArray  # (P,)
    bloc_ptr: IntArray  # (B + 1,)
    bloc_member: IntArray
    bloc_rule: IntArray  # (B,)
    #: Party p's search for its best text within the lines it holds in a run
    #: (:attr:`sim.simulation.tables.Tables.within`, :func:`best_held`): the issues
    #: ``within_issues[within_issue_ptr[p]:within_issue_ptr[p + 1]]`` (J of them) over
    #: the candidates ``within_candidates[within_ptr[p]:within_ptr[p + 1]]`` as (C, J).
    within_issue_ptr: IntArray  # (P + 1,)
    within_issues: IntArray
    within_ptr: IntArray  # (P + 1,)
    within_candidates: IntArray


#: Kinds of lines (:class:`sim.simulation.tables.Line`) and bloc rules.
STATED, RATIFIER, FLOOR = 0, 1, 2
UNANIMOUS, MAJORITY = 0, 1


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
def crossed(
    tb: KernelTables, value: FloatArray, bar: FloatArray, vr: int, line: int, text: IntArray
) -> bool:
    """Whether ``text`` crosses line ``line``: its options' rule, or a ratifier's reservation.

    A FLOOR line is crossed when the text is worth less than ``bar[line]`` (the
    ratifier's reservation in the run) to the ratifier; every other line by
    :func:`crosses`.
    """
    if tb.kind[line] == FLOOR:
        return bool(utility(value, vr, tb.floor_row[line], text) < bar[line] - EPS)
    return crosses(tb, line, text)


@_inline
def read(
    tb: KernelTables,
    value: FloatArray,
    held: BoolArray,
    penalty: FloatArray,
    bar: FloatArray,
    vr: int,
    p: int,
    text: IntArray,
) -> tuple[int, int, float]:
    """What ``text`` is to party ``p`` in a run whose lines' state is ``held``, ``penalty``.

    ``held``, ``penalty`` and ``bar`` are the run's rows, one entry per line (``(L,)``).
    A party's lines include its ratifiers' limits (:func:`crossed`), held only in the
    runs where it knows them.

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
            if crossed(tb, value, bar, vr, line, text):
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


# -- blocs ------------------------------------------------------------------------------------
@_inline
def verdict(tb: KernelTables, asked: BoolArray, accept: BoolArray) -> bool:
    """Whether a text is agreed by the parties asked (``asked``, ``accept``: (P,)).

    Every party asked that is in no bloc accepts it, and every bloc asked accepts it by
    its rule (``UNANIMOUS``: every member does; ``MAJORITY``: more than half of its
    members do).
    """
    for p in range(asked.shape[0]):
        if asked[p] and not accept[p] and tb.bloc_of[p] < 0:
            return False
    for b in range(tb.bloc_rule.shape[0]):
        members = tb.bloc_ptr[b + 1] - tb.bloc_ptr[b]
        n_asked, yes = 0, 0
        for j in range(tb.bloc_ptr[b], tb.bloc_ptr[b + 1]):
            m = tb.bloc_member[j]
            if asked[m]:
                n_asked += 1
                if accept[m]:
                    yes += 1
        if n_asked == 0:
            continue
        if tb.bloc_rule[b] == MAJORITY:
            if 2 * yes <= members:
                return False
        elif yes < members:
            return False
    return True


@_inline
def speak(
    tb: KernelTables, asked: BoolArray, accept: BoolArray, line: IntArray, voiced: BoolArray
) -> None:
    """Whose answer the others hear (``voiced``, (P,)): a bloc answers with one voice.

    A party in no bloc speaks for itself. A bloc's answer is that of one member: when
    the bloc refuses (:func:`verdict`'s rule), its first member refusing on a red
    line, else its first member refusing; when it accepts, its first member accepting
    (so a member outvoted is not heard). A bloc of one member is the party alone.
    """
    for p in range(asked.shape[0]):
        voiced[p] = asked[p] and tb.bloc_of[p] < 0
    for b in range(tb.bloc_rule.shape[0]):
        members = tb.bloc_ptr[b + 1] - tb.bloc_ptr[b]
        yes, first_no, veto, first_yes = 0, -1, -1, -1
        for j in range(tb.bloc_ptr[b], tb.bloc_ptr[b + 1]):
            m = tb.bloc_member[j]
            if not asked[m]:
                continue
            if accept[m]:
                yes += 1
                if first_yes < 0:
                    first_yes = m
            else:
                if first_no < 0:
                    first_no = m
                if veto < 0 and line[m] >= 0:
                    veto = m
        ok = 2 * yes > members if tb.bloc_rule[b] == MAJORITY else yes == members
        speaker = first_yes if ok else (veto if veto >= 0 else first_no)
        if speaker >= 0:
            voiced[speaker] = True


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
    tb: KernelTables, value: FloatArray, top: FloatArray, vr: int, p: int, text: IntArray,
    line: int,
) -> int:  # fmt: skip
    """The issue a refusal names (-1 when it names a red line: ``line >= 0``).

    The issue whose option costs the party most: ``argmax_i best_i - w_i v_i(text_i)``.
    A refusal on a ratifier's reservation (a FLOOR line) names both the line and the
    issue that costs the ratifier most.
    """
    if line >= 0:
        if tb.kind[line] != FLOOR:
            return -1
        p = tb.floor_row[line]
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
    # Issue i is among the ``changes`` largest keys (ties at the cut all are): its key
    # is at least the changes-th largest key, counted with multiplicity (found by
    # ``changes`` passes over the keys, not by comparing every pair).
    cut, seen, above = 0.0, 0, np.inf
    while seen < changes:
        cut, tied = -np.inf, 0
        for h in range(n_issues):
            if scratch[h] < above:
                if scratch[h] > cut:
                    cut, tied = scratch[h], 1
                elif scratch[h] == cut:
                    tied += 1
        seen += tied
        above = cut
        if tied == 0:
            break
    kd = mix(key ^ words[2])
    for i in range(n_issues):
        if scratch[i] >= cut and scratch[i] >= 0.0:
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
    bar: FloatArray,
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
        first, _, u = read(tb, value, held[r], penalty[r], bar[r], vr, p, texts[j])
        accept[j], line[j] = accepts(first, u, aspiration[r]), first
        issue[j] = -1 if accept[j] else objection(tb, value, top, vr, p, texts[j], first)


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
    bar: FloatArray,
    p: int,
    rows: IntArray,
    texts: IntArray,
    out: FloatArray,
) -> None:
    """The worth (:func:`read`) of ``texts[j]`` to party ``p`` in run ``rows[j]``."""
    for j in range(rows.shape[0]):
        r = rows[j]
        vr = 0 if value.shape[0] == 1 else r
        out[j] = read(tb, value, held[r], penalty[r], bar[r], vr, p, texts[j])[2]


@_jit
def crossed_rows(
    tb: KernelTables,
    value: FloatArray,
    bar: FloatArray,
    line: int,
    rows: IntArray,
    texts: IntArray,
    out: BoolArray,
) -> None:
    """:func:`crossed` of line ``line`` for ``texts[j]`` in run ``rows[j]`` (``bar`` (R, L))."""
    for j in range(rows.shape[0]):
        r = rows[j]
        out[j] = crossed(tb, value, bar[r], 0 if value.shape[0] == 1 else r, line, texts[j])


@_jit
def verdict_rows(tb: KernelTables, asked: BoolArray, accept: BoolArray, out: BoolArray) -> None:
    """:func:`verdict` of each row of ``asked``, ``accept`` ((n, P))."""
    for j in range(out.shape[0]):
        out[j] = verdict(tb, asked[j], accept[j])


@_jit
def speak_rows(
    tb: KernelTables, asked: BoolArray, accept: BoolArray, line: IntArray, out: BoolArray
) -> None:
    """:func:`speak` of each row of ``asked``, ``accept``, ``line`` ((n, P)) into ``out``."""
    for j in range(out.shape[0]):
        speak(tb, asked[j], accept[j], line[j], out[j])


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
    bar: FloatArray,
    texts: IntArray,
    signer: BoolArray,
    fine: BoolArray,
    hints: IntArray,
) -> bool:
    """Whether some text could still be agreed in a run.

    A text of ``texts`` (every outcome, (O, I)) could be when its signers (``signer``,
    (O, P)) accept it by :func:`verdict` (blocs by their rule), a signer accepting a
    text that gives it at least its reservation value (``reservation``, the run's
    (P,)) and crosses none of its lines that hold whatever the pressure (``binding``,
    the run's (L,); its ratifiers' limits it knows, at ``bar``). Stops at the first
    such text. ``fine`` is (P,) work space. ``hints[0]``: the text found last time (runs
    of a block are alike, so it is tried first; the answer does not depend on it), set
    to the text found.
    """
    n_texts = texts.shape[0]
    start = hints[0] if 0 <= hints[0] < n_texts else 0
    for j in range(n_texts + 1):
        o = start if j == 0 else j - 1
        if j > 0 and o == start:
            continue
        text = texts[o]
        ok = True
        for p in range(signer.shape[1]):
            fine[p] = True
            if not signer[o, p]:
                continue
            if utility(value, vr, p, text) < reservation[p] - EPS:
                fine[p] = False
            else:
                for k in range(tb.party_ptr[p], tb.party_ptr[p + 1]):
                    line = tb.party_line[k]
                    if binding[line] and crossed(tb, value, bar, vr, line, text):
                        fine[p] = False
                        break
            if not fine[p] and tb.bloc_of[p] < 0:
                ok = False
                break
        if ok and verdict(tb, signer[o], fine):
            hints[0] = o
            return True
    return False


@_jit
def zone_rows(
    tb: KernelTables,
    value: FloatArray,
    reservation: FloatArray,
    binding: BoolArray,
    bar: FloatArray,
    texts: IntArray,
    signer: BoolArray,
    rows: IntArray,
    out: BoolArray,
) -> None:
    """:func:`zone_open` in run ``rows[j]``.

    ``reservation`` is (R, P); ``binding`` and ``bar`` are (R, L).
    """
    fine = np.empty(signer.shape[1], dtype=np.bool_)
    hints = np.zeros(2, dtype=np.intp)
    for j in range(rows.shape[0]):
        r = rows[j]
        vr = 0 if value.shape[0] == 1 else r
        out[j] = zone_open(
            tb, value, vr, reservation[r], binding[r], bar[r], texts, signer, fine, hints
        )


@_jit
def mix_words(words: U64Array) -> U64Array:
    """:func:`mix` of each word (for the test that it is ``sim.rng._mix``)."""
    out = np.empty_like(words)
    for j in range(words.shape[0]):
        out[j] = mix(words[j])
    return out


# -- the rounds ------------------------------------------------------------------------------
# The rounds allocate nothing (their work arrays come from the caller), so they run
# without numba's reference counting: with it, every array taken from the state costs
# two atomic operations, which made the rounds several times slower. The functions
# called for every round of a run are inlined into the loop (``_bare``): a call passing
# the block's state costs more than most of what a round computes.
_F = TypeVar("_F", bound=Callable[..., Any])


def _no_refcount(inline: Literal["always", "never"]) -> Callable[[_F], _F]:
    """Numba's ``njit`` without reference counting (``_nrt``, not in numba's type stubs)."""
    options: dict[str, Any] = {"cache": True, "nogil": True, "inline": inline, "_nrt": False}
    return cast("Callable[[_F], _F]", nb.njit(**options))


_bare = _no_refcount("always")
_entry = _no_refcount("never")

#: Tactic codes (:func:`aspire_one`), set by each strategy class as ``code``.
TIME_DEPENDENT, HARDLINER, RESOURCE, TIT_FOR_TAT, SINGLE_TEXT = 0, 1, 2, 3, 4
#: Protocol codes.
MEDIATED, ALTERNATING = 0, 1
#: How a run ended (``ENDINGS`` of :mod:`sim.simulation.model`).
AGREEMENT, DEADLINE, NO_ZONE, WALKED_OUT = 0, 1, 2, 3
#: What stopped a run in the round just played (``State.stop``): it played the round
#: (whatever the answers), or it ended before the protocol's round.
PLAYED, STOPPED_WALKED, STOPPED_NO_ZONE = 0, 1, 2


class Config(NamedTuple):
    """A scenario's constants for the rounds (arrays indexed by round have T_max + 1 rows)."""

    protocol: int
    mediator: int  # -1 without one
    deadline: int  # the talks' deadline in the file (events may extend it per run)
    code: IntArray  # (P,) each party's tactic (TIME_DEPENDENT, ...)
    endurance: FloatArray  # (P,) resource
    weight: FloatArray  # (P,) tit-for-tat's weight on reciprocity
    absolute: BoolArray  # (P,) tit-for-tat's mode
    memory: IntArray  # (P,) offers remembered (0: none)
    party_deadline: IntArray  # (P,) its last round at the table, -1 for the talks' deadline
    signs: BoolArray  # (P,) signatories
    walk_party: IntArray  # (T+1,) the signatory that walks out in round t, -1 none
    zone_round: BoolArray  # (T+1,) rounds in which an empty zone is looked for
    zone_on: bool  # the outcome space is small enough to look
    zone_texts: IntArray  # (O, I) every outcome (when zone_on)
    zone_signer: BoolArray  # (O, P) its signers
    temperature: float
    logroll: float
    attention: float
    probe: float
    polish: int
    sweeps: int
    draft_words: U64Array  # (T+1, C, 3) mediator.{t}.{k}.{size,issues,options}
    anneal_words: U64Array  # (T+1, P) anneal.{party}.{t}
    settle_words: U64Array  # (T+1, polish, 3) mediator.{t}.settle.{j}.0.*


class State(NamedTuple):
    """A block's state, one row per run (all arrays updated in place)."""

    keys: U64Array  # (R,) each run's stream key
    alive: BoolArray  # (R,)
    deadline_of: IntArray  # (R,) the talks' deadline in the run
    last_event: IntArray  # (R,) the last round in which an event fires in the run, 0 none
    # parameters (copied from the block's Params; refreshed after an event)
    res_base: FloatArray  # (R, P)
    cod: FloatArray  # (R, P) cost of delay
    exponent: FloatArray  # (R, P)
    firm: BoolArray  # (R, L)
    threshold: FloatArray  # (R, L)
    dropped: BoolArray  # (R, L)
    audience: FloatArray  # (R, L)
    known: BoolArray  # (R, L) the negotiator knows the line (True for its own lines)
    bar: FloatArray  # (R, L) a FLOOR line's reservation (the ratifier's), 0 otherwise
    # preferences (refreshed after an event that moves weights or values)
    value: FloatArray  # (R|1, P, I, K) w * v
    issue_best: FloatArray  # (R|1, P, I)
    cdf: FloatArray  # (R|1, I, K) the mediator's cumulative draft weights
    order: IntArray  # (R|1, I, K) the mediator's options, favourite first
    top: FloatArray  # (R, P) best utility within its own lines
    best_text: IntArray  # (R, P, I) and that text
    # stances
    res_now: FloatArray  # (R, P) this round's reservation value
    cost: FloatArray  # (R, P) what delay has cost so far
    best: FloatArray  # (R, P) max(top, res_now)
    asp: FloatArray  # (R, P) aspiration
    reactive: FloatArray  # (R, P) tit-for-tat's level
    #: (R, P, H) worth of the last offers received: party p's first memory[p] entries,
    #: newest last (NaN: none yet); H is the longest memory of any party.
    received: FloatArray
    pressure: FloatArray  # (R, P)
    # red lines and beliefs
    held: BoolArray  # (R, L)
    given: BoolArray  # (R, L)
    pushed: BoolArray  # (R, L)
    penalty: FloatArray  # (R, L)
    belief: FloatArray  # (R, L)
    survived: FloatArray  # (R, L)
    peak: FloatArray  # (R, L)
    # the protocol
    text: IntArray  # (R, I) mediated: the current text; alternating: the last offer
    vetoed: BoolArray  # (R, L)
    #: mediated: each party's reading of the current text (:func:`read`: the first held
    #: line it crosses, how many, its worth), valid where ``memo_ok``; computed when
    #: needed and kept until the text, the party's lines or (at a call of :func:`play`)
    #: the preferences change, so it is the reading itself, not an approximation.
    memo_ok: BoolArray  # (R, P)
    memo_first: IntArray  # (R, P)
    memo_count: IntArray  # (R, P)
    memo_u: FloatArray  # (R, P)
    named: BoolArray  # (R, I)
    seen: BoolArray  # (R,) alternating: an offer is on the table
    #: alternating: each party's best text within the lines it holds (:func:`best_held`),
    #: valid where ``within_ok``; kept until its lines or (at a call of :func:`play`) the
    #: preferences change.
    within_ok: BoolArray  # (R, P)
    within_text: IntArray  # (R, P, I)
    invoked: BoolArray  # (R, L) alternating: lines invoked in answers
    turns: IntArray  # (R, S) alternating: who proposes, in turn
    # results
    choice: IntArray  # (R, I)
    round: IntArray  # (R,)
    utility: FloatArray  # (R, P)
    reservation: FloatArray  # (R, P)
    ended: IntArray  # (R,)
    blocker: IntArray  # (R,)
    blocked_line: IntArray  # (R,)
    blocked_issue: IntArray  # (R,)
    gave_up: IntArray  # (R, L)
    # the last round played (for the story)
    stop: IntArray  # (R,) PLAYED, STOPPED_WALKED or STOPPED_NO_ZONE
    proposer: IntArray  # (R,)
    offer: IntArray  # (R, I) the text put to signature (after post-settlement changes)
    asked: BoolArray  # (R, P)
    accept: BoolArray  # (R, P)
    line: IntArray  # (R, P)
    issue: IntArray  # (R, P)
    voiced: BoolArray  # (R, P) whose answer the others hear (:func:`speak`)
    revision: IntArray  # (R, I)
    base: IntArray  # (R, I) the text the revision revised
    voters: BoolArray  # (R, P)
    votes: BoolArray  # (R, P)
    vote_line: IntArray  # (R, P)
    vote_voiced: BoolArray  # (R, P) whose vote the mediator hears
    adopted: BoolArray  # (R,)
    settled: IntArray  # (R, I) the text signed, before post-settlement changes
    settle_ran: BoolArray  # (R,)
    polished: IntArray  # (R,)


@_inline
def _copy(dst: IntArray, src: IntArray) -> None:
    """``dst[:] = src`` for two texts, element by element (it allocates nothing)."""
    for i in range(dst.shape[0]):
        dst[i] = src[i]


# -- a party's stance -------------------------------------------------------------------------
@_inline
def aspire_one(
    code: int,
    endurance: float,
    weight: float,
    absolute: bool,
    t: int,
    deadline: int,
    res: float,
    best: float,
    exponent: float,
    cost: float,
    received: FloatArray,
    reactive: float,
) -> tuple[float, float]:
    """A tactic's aspiration in round ``t`` of ``deadline``, and tit-for-tat's new level.

    ``res``: the round's reservation value; ``best``: the most it can get within its own
    lines (never below ``res``); ``cost``: what delay has cost it so far; ``received``:
    the worth of the last offers it received, oldest first (NaN: none yet).

    * time-dependent (Faratin, Sierra & Jennings 1998):
      ``res + (best - res) * (1 - (t / T) ** (1 / e))``;
    * hardliner: ``best`` until the deadline, then ``res``;
    * resource (Faratin et al. 1998): the clock ``t / T`` replaced by the share of its
      endurance used, ``clip(cost / E, 0, 1)``; ``res`` at the deadline;
    * tit-for-tat (Faratin et al. 1998): a level moved by the concession received (the
      newest offer against the oldest remembered: the same utility, ``absolute``, or the
      same share of what remained), blended with the linear clock by
      ``β = weight * (1 - t / T)``;
    * the mediator as a signer: its reservation value.

    The strategy classes of :mod:`sim.strategies` document each one and its parameters.
    """
    if code == TIME_DEPENDENT:
        # x ** (1 / 1) is x exactly: the power is taken only for another exponent.
        clock = t / deadline
        progress = clock if exponent == 1.0 else clock ** (1.0 / exponent)
        return res + (best - res) * (1.0 - progress), reactive
    if code == HARDLINER:
        return (res if t >= deadline else best), reactive
    if code == RESOURCE:
        used = min(max(cost / endurance, 0.0), 1.0)
        conceded = used if exponent == 1.0 else used ** (1.0 / exponent)
        aspiration = best - (best - res) * conceded  # exactly best at s = 0
        aspiration = min(max(aspiration, res), max(best, res))
        return (res if t >= deadline else aspiration), reactive
    if code == TIT_FOR_TAT:
        if t == 1 or math.isnan(reactive):
            level = best
        else:
            new, old = received[received.shape[0] - 1], received[0]
            gain = 0.0 if math.isnan(new) or math.isnan(old) else new - old
            if absolute:
                step = gain
            else:
                room = best - (0.0 if math.isnan(old) else old)
                share = gain / room if room > 1e-12 else 0.0
                step = share * (reactive - res)
            level = min(max(reactive - step, res), best)
        clock = res + (best - res) * (1.0 - t / deadline)
        beta = weight * max(0.0, 1.0 - t / deadline)
        return min(max(beta * level + (1.0 - beta) * clock, res), best), level
    return res, reactive


@_jit
def aspire_rows(
    code: int,
    endurance: float,
    weight: float,
    absolute: bool,
    t: int,
    deadline: IntArray,
    res: FloatArray,
    best: FloatArray,
    exponent: FloatArray,
    cost: FloatArray,
    received: FloatArray,
    reactive: FloatArray,
    aspiration: FloatArray,
) -> None:
    """:func:`aspire_one` for each run (``received`` (n, H)); fills ``aspiration``, ``reactive``."""
    for r in range(res.shape[0]):
        aspiration[r], reactive[r] = aspire_one(
            code, endurance, weight, absolute, t, deadline[r], res[r], best[r], exponent[r],
            cost[r], received[r], reactive[r],
        )  # fmt: skip


@_inline
def pressure_one(
    best: float, res: float, aspiration: float, top: float, base: float, cost: float
) -> float:
    """How hard the talks press on a party: ``1 - (1 - conceded) * (1 - hurt)``, in [0, 1].

    ``conceded`` is how far it has come down from its best toward its reservation value
    (1 when there is no room); ``hurt`` is what delay has cost it (``cost``) as a share
    of its stake, its best less its reservation value at the start (``base``; with no
    stake, 1 once delay costs anything). Either alone can bring it to 1.
    """
    span = best - res
    conceded = min(max((best - aspiration) / span, 0.0), 1.0) if span > 1e-12 else 1.0
    stake = max(top, base) - base
    hurt = min(max(cost / stake, 0.0), 1.0) if stake > 1e-12 else (1.0 if cost > 0 else 0.0)
    return 1.0 - (1.0 - conceded) * (1.0 - hurt)


@_jit
def pressure_rows(
    best: FloatArray,
    res: FloatArray,
    aspiration: FloatArray,
    top: FloatArray,
    base: FloatArray,
    cost: FloatArray,
    out: FloatArray,
) -> None:
    """:func:`pressure_one` elementwise over 1-D arrays."""
    for j in range(out.shape[0]):
        out[j] = pressure_one(best[j], res[j], aspiration[j], top[j], base[j], cost[j])


@_inline
def believe_one(
    belief: float, survived: float, peak: float, pressure: float, held: bool, given_up: bool
) -> tuple[float, float, float]:
    """One round's evidence on a line: ``(belief', survived', peak')``.

    The derivation is in :mod:`sim.simulation.beliefs`: a line seen held has survived
    the highest pressure its owner has been under; the posterior that it is firm is
    ``b (1 - m) / (b (1 - m) + (1 - b)(1 - m'))`` when the pressure survived rises from
    ``m`` to ``m'``; a line seen given up is a bluff (belief 0).
    """
    b = min(max(belief, 0.0), 1.0)
    m = min(max(survived, 0.0), 1.0)
    p = min(max(pressure, 0.0), 1.0)
    top = max(min(max(peak, 0.0), 1.0), p)
    seen = held and not given_up
    new_survived = max(m, top) if seen else m
    firm = b * (1.0 - m)
    denominator = firm + (1.0 - b) * (1.0 - new_survived)
    moved = firm / denominator if denominator > 0.0 else b
    if given_up:
        return 0.0, new_survived, top
    # surviving more pressure only raises the odds; the maximum keeps rounding from lowering b
    return (max(moved, b) if new_survived > m else b), new_survived, top


@_jit
def believe_rows(
    belief: FloatArray,
    survived: FloatArray,
    peak: FloatArray,
    pressure: FloatArray,
    held: BoolArray,
    given_up: BoolArray,
    out_belief: FloatArray,
    out_survived: FloatArray,
    out_peak: FloatArray,
) -> None:
    """:func:`believe_one` elementwise over 1-D arrays."""
    for j in range(belief.shape[0]):
        out_belief[j], out_survived[j], out_peak[j] = believe_one(
            belief[j], survived[j], peak[j], pressure[j], held[j], given_up[j]
        )


@_inline
def avoided_one(vetoed: bool, belief: float, probe: float) -> bool:
    """Whether the mediator's drafts avoid a line: vetoed on and believed firm (>= ``probe``).

    It tests a vetoed line it believes to be a bluff, belief below ``probe``
    (:mod:`sim.simulation.beliefs`).
    """
    return vetoed and not belief < probe


@_jit
def avoided_rows(vetoed: BoolArray, belief: FloatArray, probe: float, out: BoolArray) -> None:
    """:func:`avoided_one` elementwise over 1-D arrays."""
    for j in range(out.shape[0]):
        out[j] = avoided_one(vetoed[j], belief[j], probe)


# -- the mediated round ------------------------------------------------------------------------
@_bare
def _avoids(tb: KernelTables, avoid: BoolArray, text: IntArray) -> bool:
    """Whether ``text`` crosses one of the lines in ``avoid`` (the run's (L,) mask)."""
    for line in range(avoid.shape[0]):  # noqa: SIM110 (numba compiles loops, not any())
        if avoid[line] and crosses(tb, line, text):
            return True
    return False


@_bare
def _answer(tb: KernelTables, st: State, r: int, vr: int, text: IntArray) -> bool:
    """Every signer of ``text`` says whether it would sign it; True when it is agreed.

    Agreed by :func:`verdict` (every signer, a bloc by its rule); whose answers are
    heard is :func:`speak`'s.
    """
    for p in range(st.asked.shape[1]):
        st.asked[r, p] = signs_text(tb, p, text)
        st.accept[r, p], st.line[r, p], st.issue[r, p] = True, -1, -1
        if st.asked[r, p]:
            first, _, u = read(tb, st.value, st.held[r], st.penalty[r], st.bar[r], vr, p, text)
            ok = accepts(first, u, st.asp[r, p])
            st.accept[r, p], st.line[r, p] = ok, first
            if not ok:
                st.issue[r, p] = objection(tb, st.value, st.issue_best, vr, p, text, first)
    speak(tb, st.asked[r], st.accept[r], st.line[r], st.voiced[r])
    return verdict(tb, st.asked[r], st.accept[r])


@_bare
def mediated_one(
    tb: KernelTables,
    cf: Config,
    st: State,
    r: int,
    t: int,
    vr: int,
    n_changeable: int,
    scratch: FloatArray,
    trial: IntArray,
    avoid: BoolArray,
    count_now: IntArray,
    u_now: FloatArray,
    count_then: IntArray,
    u_then: FloatArray,
    signer: BoolArray,
    signed: FloatArray,
    asked: BoolArray,
    fine: BoolArray,
    hints: IntArray,
) -> None:
    """One round of the single negotiating text (Raiffa 1982; Klein et al. 2003) in run ``r``.

    The mediator drafts a revision of the current text (of ``C`` drafts, the first that
    crosses no line it avoids — vetoed on and believed firm, belief at least ``probe`` —
    else the first); every signer of the current text says whether it would sign it
    (:func:`accepts`); every signer of the revision votes on it
    (:func:`votes_for`, with Klein's annealer). A revision the
    voters adopt (:func:`verdict`: all of them, a bloc by its rule) replaces the text
    unless the text is agreed; adopted in the run's
    last round, it is put to signature at once. The mediator learns the vetoed lines and
    the issues named by the answers it hears (a bloc's one voice, :func:`speak`). An
    agreed text then goes through the post-settlement settlement (:func:`settle_one`).
    """
    n_parties = st.asked.shape[1]
    current = st.text[r]
    out = st.revision[r]
    _copy(st.base[r], current)
    cr = 0 if st.cdf.shape[0] == 1 else r
    tau = cf.temperature * max(0.0, 1.0 - t / cf.deadline)
    for line in range(avoid.shape[0]):
        avoid[line] = avoided_one(st.vetoed[r, line], st.belief[r, line], cf.probe)
    words = cf.draft_words[t]
    if n_changeable == 0:
        _copy(out, current)
    else:
        for k in range(words.shape[0]):
            target = out if k == 0 else trial
            draft_one(
                tb, st.keys[r], words[k], current, st.named[r], st.cdf, cr, n_changeable,
                cf.logroll, cf.attention, scratch, target,
            )  # fmt: skip
            if not _avoids(tb, avoid, target):
                if k > 0:
                    _copy(out, trial)
                break
    # The answers on the current text (each party's reading of it kept from round to
    # round while the text and its lines stay: ``memo_*``).
    vetoed_now = False
    for p in range(n_parties):
        st.asked[r, p] = signs_text(tb, p, current)
        st.voters[r, p] = signs_text(tb, p, out)
        st.accept[r, p], st.line[r, p], st.issue[r, p] = True, -1, -1
        if not (st.asked[r, p] or st.voters[r, p]):
            continue
        if not st.memo_ok[r, p]:
            first, count, u = read(
                tb, st.value, st.held[r], st.penalty[r], st.bar[r], vr, p, current
            )
            st.memo_first[r, p], st.memo_count[r, p], st.memo_u[r, p] = first, count, u
            st.memo_ok[r, p] = True
        first, count, u = st.memo_first[r, p], st.memo_count[r, p], st.memo_u[r, p]
        count_now[p], u_now[p] = count, u
        if st.asked[r, p]:
            ok = accepts(first, u, st.asp[r, p])
            st.accept[r, p], st.line[r, p] = ok, first
            if not ok:
                st.issue[r, p] = objection(tb, st.value, st.issue_best, vr, p, current, first)
    speak(tb, st.asked[r], st.accept[r], st.line[r], st.voiced[r])
    agreed = verdict(tb, st.asked[r], st.accept[r])
    for p in range(n_parties):
        vetoed_now = vetoed_now or (st.voiced[r, p] and st.line[r, p] >= 0)
    # The votes on the revision.
    anneal_words = cf.anneal_words[t]
    for p in range(n_parties):
        st.votes[r, p], st.vote_line[r, p] = True, -1
        if not st.voters[r, p]:
            continue
        first, count, u = read(tb, st.value, st.held[r], st.penalty[r], st.bar[r], vr, p, out)
        # kept for the next round, should the revision be adopted
        count_then[p], u_then[p] = count, u
        anneal = False
        if tau > 0:
            chance = unit(mix(st.keys[r] ^ anneal_words[p]), tb.element[0])
            anneal = chance < np.exp(-max(u_now[p] - u, 0.0) / tau)
        st.votes[r, p] = votes_for(
            first, count_now[p], count, u, u_now[p], st.asp[r, p], st.res_now[r, p],
            vetoed_now, anneal,
        )  # fmt: skip
        st.vote_line[r, p] = first
    speak(tb, st.voters[r], st.votes[r], st.vote_line[r], st.vote_voiced[r])
    st.adopted[r] = verdict(tb, st.voters[r], st.votes[r]) and not agreed
    # What the answers reveal (those heard): vetoed lines, and the issues to revise first.
    for p in range(n_parties):
        if st.voiced[r, p] and st.line[r, p] >= 0:
            st.vetoed[r, st.line[r, p]] = True
        if st.vote_voiced[r, p] and st.vote_line[r, p] >= 0:
            st.vetoed[r, st.vote_line[r, p]] = True
    st.named[r, :] = False
    for p in range(n_parties):
        if not st.voiced[r, p]:
            continue
        if st.issue[r, p] >= 0:
            st.named[r, st.issue[r, p]] = True
        if st.line[r, p] >= 0:
            named_line = st.line[r, p]
            for j in range(tb.line_ptr[named_line], tb.line_ptr[named_line + 1]):
                st.named[r, tb.line_issue[j]] = True
    _copy(st.offer[r], current)
    if st.adopted[r]:
        _copy(current, out)
        for p in range(n_parties):
            st.memo_ok[r, p] = st.voters[r, p]
            if st.voters[r, p]:
                st.memo_first[r, p], st.memo_count[r, p] = st.vote_line[r, p], count_then[p]
                st.memo_u[r, p] = u_then[p]
        if t >= st.deadline_of[r]:
            # The last round: the revision just adopted is put to signature at once
            # (a text every signer voted for in the deadline round could otherwise
            # never be signed); its answers replace those on the text it replaced.
            _copy(st.offer[r], current)
            agreed = _answer(tb, st, r, vr, current)
    _observe(tb, cf, st, r, vr, st.offer[r], -1)
    st.settle_ran[r] = False
    st.polished[r] = 0
    if agreed and cf.polish > 0:
        _copy(st.settled[r], st.offer[r])
        st.settle_ran[r] = True
        st.polished[r] = settle_one(
            tb, cf, st, r, t, vr, n_changeable, scratch, trial, signer, signed, asked, fine,
            hints,
        )  # fmt: skip


@_bare
def _try(
    tb: KernelTables,
    st: State,
    r: int,
    vr: int,
    mediator: int,
    text: IntArray,
    revision: IntArray,
    signed: FloatArray,
    signer: BoolArray,
    asked: BoolArray,
    fine: BoolArray,
    hints: IntArray,
) -> bool:
    """Adopt ``revision`` of the signed ``text`` if it is an improvement all accept.

    Every signer of the revision must accept it (:func:`settles`; a bloc by its rule,
    :func:`verdict`; ``asked`` and ``fine`` are (P,) work space),
    and it must improve on the signed text: better for some signatory that signed it, or
    better for the mediator (by its own preferences). A change that is only as good for
    everyone is not made, so the passes end (no cycle: along adopted changes no
    signatory ever loses, and a change none gains by raises the mediator's utility)
    and among texts the signatories value alike the mediator's favourite stays.
    ``signed`` and ``signer`` are each party's worth of ``text`` and whether it must
    sign ``text``; both are brought up to date when the revision is adopted.

    The answer is that of every party; the parties are asked from the one that refused
    the last change (``hints[1]``), so a refusal is found early, and the mediator's
    worth is read only when no signatory gains.
    """
    changed = False
    for i in range(text.shape[0]):
        if revision[i] != text[i]:
            changed = True
            break
    if not changed:
        return False
    held, penalty, bar = st.held[r], st.penalty[r], st.bar[r]
    n_parties = signed.shape[0]
    lead = hints[1] if 0 <= hints[1] < n_parties else 0
    gains = False
    for j in range(n_parties):
        p = (lead + j) % n_parties
        asked[p], fine[p] = signs_text(tb, p, revision), True
        if asked[p]:
            first, _, u = read(tb, st.value, held, penalty, bar, vr, p, revision)
            keeps = tb.signs[p] and signer[p]
            fine[p] = settles(first, u, st.asp[r, p], signed[p], keeps)
            if not fine[p] and tb.bloc_of[p] < 0:
                hints[1] = p
                return False
            gains = gains or (keeps and fine[p] and u > signed[p] + EPS)
    if not gains:
        worth = read(tb, st.value, held, penalty, bar, vr, mediator, revision)[2]
        gains = worth > signed[mediator] + EPS
    if not gains or not verdict(tb, asked, fine):
        return False
    _copy(text, revision)
    _signed(tb, st, r, vr, text, signed, signer)
    return True


@_bare
def _signed(
    tb: KernelTables,
    st: State,
    r: int,
    vr: int,
    text: IntArray,
    signed: FloatArray,
    signer: BoolArray,
) -> None:
    """Each party's worth of ``text`` and whether it must sign it, into ``signed``, ``signer``."""
    for p in range(signed.shape[0]):
        signed[p] = read(tb, st.value, st.held[r], st.penalty[r], st.bar[r], vr, p, text)[2]
        signer[p] = signs_text(tb, p, text)


@_entry
def settle_one(
    tb: KernelTables,
    cf: Config,
    st: State,
    r: int,
    t: int,
    vr: int,
    n_changeable: int,
    scratch: FloatArray,
    trial: IntArray,
    signer: BoolArray,
    signed: FloatArray,
    asked: BoolArray,
    fine: BoolArray,
    hints: IntArray,
) -> int:
    """Post-settlement settlement (Raiffa 1985) of the text signed in run ``r``.

    Up to ``sweeps`` passes over every single-issue change of the text, options in the
    mediator's order of preference (its favourite first), until a pass changes nothing;
    then ``polish`` drafts drawn as in the talks (names ``mediator.{t}.settle.{j}.0.*``).
    A change replaces the text when every signer of the changed text accepts it and it
    improves on the text for a signatory or for the mediator (:func:`_try`). The text
    (``st.offer[r]``) is updated in place; returns how many changes were adopted.
    """
    n_issues = st.offer.shape[1]
    text = st.offer[r]
    mediator = cf.mediator
    orow = 0 if st.order.shape[0] == 1 else r
    cr = 0 if st.cdf.shape[0] == 1 else r
    count = 0
    _signed(tb, st, r, vr, text, signed, signer)
    for _ in range(cf.sweeps):
        before = count
        for i in range(n_issues):
            if not tb.changeable[i]:
                continue
            for k in range(tb.sizes[i]):
                _copy(trial, text)
                trial[i] = st.order[orow, i, k]
                if _try(tb, st, r, vr, mediator, text, trial, signed, signer, asked, fine, hints):
                    count += 1
        if count == before:
            break
    if n_changeable == 0:
        return count
    words = cf.settle_words[t]
    for k in range(words.shape[0]):
        draft_one(
            tb, st.keys[r], words[k], text, st.named[r], st.cdf, cr, n_changeable, cf.logroll,
            cf.attention, scratch, trial,
        )  # fmt: skip
        if _try(tb, st, r, vr, mediator, text, trial, signed, signer, asked, fine, hints):
            count += 1
    return count


# -- alternating offers -------------------------------------------------------------------------
@_bare
def _crossings(tb: KernelTables, st: State, r: int, p: int, text: IntArray) -> int:
    """How many lines of other parties invoked in run ``r`` ``text`` crosses."""
    count = 0
    for line in range(st.invoked.shape[1]):
        if st.invoked[r, line] and tb.line_owner[line] != p and crosses(tb, line, text):
            count += 1
    return count


@_bare
def best_held(
    tb: KernelTables, st: State, r: int, vr: int, p: int, text: IntArray, trial: IntArray
) -> None:
    """Party ``p``'s best text within the lines it holds in run ``r``, into ``text``.

    Its best text within its own red lines (``st.best_text``) when that crosses none of
    the lines it holds — the case of every party without a ratifier whose lines some
    text satisfies. Otherwise (a ratifier's limits hold in the run, or no text is within
    all its own lines) the text of greatest worth to it, first found, among the
    candidates of :attr:`sim.simulation.tables.Tables.within` (the issues its limits
    list, every combination, the other issues as in its best text) that cross none of
    the lines it holds; when there is none, its best text within its own lines. Kept in
    ``st.within_text`` until one of its lines gives way or a call of :func:`play` ends.
    The cost is O(C · L_p) per search, C the candidates (at most EXACT_LIMIT).
    """
    if st.within_ok[r, p]:
        _copy(text, st.within_text[r, p])
        return
    _copy(text, st.best_text[r, p])
    held, penalty, bar = st.held[r], st.penalty[r], st.bar[r]
    i0, i1 = tb.within_issue_ptr[p], tb.within_issue_ptr[p + 1]
    n_searched = i1 - i0
    if n_searched > 0 and read(tb, st.value, held, penalty, bar, vr, p, text)[0] >= 0:
        c0 = tb.within_ptr[p]
        count = (tb.within_ptr[p + 1] - c0) // n_searched
        _copy(trial, text)
        pick, top = -1, -np.inf
        for c in range(count):
            at = c0 + c * n_searched
            for j in range(n_searched):
                trial[tb.within_issues[i0 + j]] = tb.within_candidates[at + j]
            first, _, u = read(tb, st.value, held, penalty, bar, vr, p, trial)
            if first < 0 and u > top:
                pick, top = c, u
        if pick >= 0:
            at = c0 + pick * n_searched
            for j in range(n_searched):
                text[tb.within_issues[i0 + j]] = tb.within_candidates[at + j]
    _copy(st.within_text[r, p], text)
    st.within_ok[r, p] = True


@_bare
def propose_one(
    tb: KernelTables, st: State, r: int, vr: int, p: int, text: IntArray, trial: IntArray,
    choice: IntArray,
) -> None:  # fmt: skip
    """Party ``p``'s offer in run ``r``, into ``text`` (which holds the last offer).

    The similarity trade-off of Faratin, Sierra & Jennings (2002) — among the texts
    worth at least its aspiration, the one most like the last offer on the table —
    found greedily instead of by scanning every outcome: the party starts from the
    last offer and, while that text crosses one of its held red lines or is worth
    less than its aspiration, changes the one issue whose change helps most: any
    option of any issue, so a compromise neither side has offered is reachable.
    A change is judged first by whether the text then crosses none of its held
    lines and reaches its aspiration — and among those by asking the least above
    it, so that it concedes no more of the last offer than it must — then by how
    many of the lines others have invoked it crosses (half a point each), then by its
    own worth. When one change per issue does not reach its aspiration within its
    lines, it offers its best text within the lines it holds (:func:`best_held`: its
    ratifiers' limits included where it knows them). Without a last offer it offers
    that text too. The cost is O(I · sum of options · L) per run.
    """
    held, penalty, bar = st.held[r], st.penalty[r], st.bar[r]
    aspiration = st.asp[r, p]
    if not st.seen[r]:
        best_held(tb, st, r, vr, p, text, trial)
        return
    first, _, u = read(tb, st.value, held, penalty, bar, vr, p, text)
    done = accepts(first, u, aspiration)
    for _ in range(text.shape[0]):
        if done:
            break
        top = -np.inf
        _copy(choice, text)
        for i in range(text.shape[0]):
            for k in range(tb.sizes[i]):
                _copy(trial, text)
                trial[i] = k
                first, _, u = read(tb, st.value, held, penalty, bar, vr, p, trial)
                enough = accepts(first, u, aspiration)
                avoid = 0.5 * _crossings(tb, st, r, p, trial)
                if enough:
                    score = 10.0 - u - avoid
                else:
                    score = u - avoid - 4.0 * (1.0 if first >= 0 else 0.0)
                if score > top:
                    top = score
                    _copy(choice, trial)
        _copy(text, choice)
        first, _, u = read(tb, st.value, held, penalty, bar, vr, p, text)
        done = accepts(first, u, aspiration)
    if not done:
        best_held(tb, st, r, vr, p, text, trial)


@_entry
def alternating_one(
    tb: KernelTables, cf: Config, st: State, r: int, t: int, vr: int, trial: IntArray,
    choice: IntArray,
) -> bool:  # fmt: skip
    """One round of alternating offers in run ``r``; True when every signer accepted.

    The signatory whose turn it is (an order drawn per run) offers; every signer of the
    offer answers. Every answer is heard by all: a red line one party invokes is avoided
    by the others' later offers (:func:`propose_one`).
    """
    turns = st.turns.shape[1]
    p = st.turns[r, (t - 1) % turns]
    st.proposer[r] = p
    text = st.offer[r]
    _copy(text, st.text[r])
    propose_one(tb, st, r, vr, p, text, trial, choice)
    agreed = _answer(tb, st, r, vr, text)
    for q in range(st.line.shape[1]):
        if st.voiced[r, q] and st.line[r, q] >= 0:
            st.invoked[r, st.line[r, q]] = True
    _observe(tb, cf, st, r, vr, text, p)
    _copy(st.text[r], text)
    st.seen[r] = True
    st.voters[r, :], st.votes[r, :], st.vote_line[r, :], st.adopted[r] = False, True, -1, False
    st.vote_voiced[r, :] = False
    st.settle_ran[r] = False
    st.polished[r] = 0
    return agreed


@_bare
def _observe(
    tb: KernelTables, cf: Config, st: State, r: int, vr: int, text: IntArray, proposer: int
) -> None:
    """Every party that remembers offers (but the proposer) records ``text``'s worth."""
    for p in range(cf.memory.shape[0]):
        h = cf.memory[p]
        if h == 0 or p == proposer:
            continue
        for j in range(h - 1):
            st.received[r, p, j] = st.received[r, p, j + 1]
        st.received[r, p, h - 1] = read(
            tb, st.value, st.held[r], st.penalty[r], st.bar[r], vr, p, text
        )[2]


# -- a round ------------------------------------------------------------------------------------
@_bare
def _end(st: State, r: int, how: int) -> None:
    """End run ``r`` without agreement: its utilities are its reservation values now."""
    for p in range(st.res_now.shape[1]):
        st.utility[r, p] = st.res_now[r, p]
        st.reservation[r, p] = st.res_now[r, p]
    st.ended[r] = how
    st.alive[r] = False


@_bare
def round_one(
    tb: KernelTables,
    cf: Config,
    st: State,
    r: int,
    t: int,
    n_changeable: int,
    scratch: FloatArray,
    trial: IntArray,
    choice: IntArray,
    avoid: BoolArray,
    before: BoolArray,
    count_now: IntArray,
    u_now: FloatArray,
    count_then: IntArray,
    u_then: FloatArray,
    signer: BoolArray,
    signed: FloatArray,
    floor: FloatArray,
    binding: BoolArray,
    asked: BoolArray,
    fine: BoolArray,
    hints: IntArray,
) -> None:
    """Round ``t`` of run ``r`` (alive at its start; its events of round t applied)."""
    n_parties = st.res_now.shape[1]
    n_lines = st.held.shape[1]
    vr = 0 if st.value.shape[0] == 1 else r
    st.stop[r] = PLAYED
    # The round's reservation values: costs of delay (Zartman 1985).
    for p in range(n_parties):
        base = st.res_base[r, p]
        now = min(max(base - st.cod[r, p] * t, 0.0), 1.0)
        st.res_now[r, p] = now
        st.cost[r, p] = base - now
        st.best[r, p] = max(st.top[r, p], now)
    # A signatory past its own deadline leaves the table: the run ends.
    gone = cf.walk_party[t]
    if gone >= 0:
        _end(st, r, WALKED_OUT)
        st.blocker[r], st.blocked_line[r], st.blocked_issue[r] = gone, -1, -1
        st.stop[r] = STOPPED_WALKED
        return
    # No deal can form any more: the zone at the lowest reservation values still to come
    # and the lines that hold whatever the pressure is empty (once no event is to come).
    if cf.zone_on and cf.zone_round[t] and st.last_event[r] <= t:
        for p in range(n_parties):
            c = st.cod[r, p]
            horizon = st.deadline_of[r] if c > 0 else t
            floor[p] = min(max(st.res_base[r, p] - c * horizon, 0.0), 1.0)
        for line in range(n_lines):
            binding[line] = st.firm[r, line] and not st.dropped[r, line] and st.known[r, line]
        if not zone_open(
            tb, st.value, vr, floor, binding, st.bar[r], cf.zone_texts, cf.zone_signer, fine,
            hints,
        ):  # fmt: skip
            _end(st, r, NO_ZONE)
            st.stop[r] = STOPPED_NO_ZONE
            return
    # Aspirations.
    deadline = st.deadline_of[r]
    for p in range(n_parties):
        st.asp[r, p], st.reactive[r, p] = aspire_one(
            cf.code[p], cf.endurance[p], cf.weight[p], cf.absolute[p], t, deadline,
            st.res_now[r, p], st.best[r, p], st.exponent[r, p], st.cost[r, p],
            st.received[r, p, : cf.memory[p]], st.reactive[r, p],
        )  # fmt: skip
        if cf.party_deadline[p] >= 0 and t > cf.party_deadline[p]:
            st.asp[r, p] = np.inf  # it has left the table: it refuses every text
        st.pressure[r, p] = pressure_one(
            st.best[r, p], st.res_now[r, p], st.asp[r, p], st.top[r, p], st.res_base[r, p],
            st.cost[r, p],
        )  # fmt: skip
    # Red lines under pressure: a stated line pushed on last round gives way once its
    # owner's pressure reaches the line's threshold; beliefs learn from what is seen.
    # A ratifier's line or reservation never gives way: it binds the negotiator in the
    # runs where it knows it (``known``) and, for a line, where the line is firm.
    for line in range(n_lines):
        before[line] = st.held[r, line]
        owner = tb.line_owner[line]
        if tb.kind[line] != STATED:
            st.held[r, line] = st.known[r, line] and st.firm[r, line] and not st.dropped[r, line]
            st.penalty[r, line] = 0.0
            continue
        if (
            st.held[r, line]
            and not st.firm[r, line]
            and st.pushed[r, line]
            and st.pressure[r, owner] >= st.threshold[r, line]
        ):
            st.given[r, line] = True
            st.gave_up[r, line] = t
        st.held[r, line] = not st.dropped[r, line] and not st.given[r, line]
        st.penalty[r, line] = st.audience[r, line] if st.given[r, line] else 0.0
    for line in range(n_lines):
        if st.held[r, line] != before[line]:
            st.memo_ok[r, tb.line_owner[line]] = False  # its reading of the text changes
            st.within_ok[r, tb.line_owner[line]] = False  # and its best text within them
        given_up = (
            before[line]
            and not st.held[r, line]
            and not st.dropped[r, line]
            and tb.kind[line] == STATED
        )
        st.belief[r, line], st.survived[r, line], st.peak[r, line] = believe_one(
            st.belief[r, line], st.survived[r, line], st.peak[r, line],
            st.pressure[r, tb.line_owner[line]], st.held[r, line], given_up,
        )  # fmt: skip
    # The protocol's round.
    if cf.protocol == MEDIATED:
        st.proposer[r] = cf.mediator
        mediated_one(
            tb, cf, st, r, t, vr, n_changeable, scratch, trial, avoid, count_now, u_now,
            count_then, u_then, signer, signed, asked, fine, hints,
        )  # fmt: skip
    else:
        alternating_one(tb, cf, st, r, t, vr, trial, choice)
    # Who refused, and why: a veto on a red line before an objection, then file order
    # (of the answers heard: a bloc's one voice).
    agreed = verdict(tb, st.asked[r], st.accept[r])
    who, veto = -1, -1
    for p in range(n_parties):
        if st.asked[r, p] and not st.accept[r, p] and st.voiced[r, p]:
            if who < 0:
                who = p
            if veto < 0 and st.line[r, p] >= 0:
                veto = p
    if not agreed and who >= 0:
        party = veto if veto >= 0 else who
        st.blocker[r] = party
        st.blocked_line[r] = st.line[r, party]
        st.blocked_issue[r] = -1 if st.line[r, party] >= 0 else st.issue[r, party]
    # The lines their owners named this round are pushed on in the next.
    for line in range(n_lines):
        st.pushed[r, line] = False
    for p in range(n_parties):
        if st.voiced[r, p] and st.line[r, p] >= 0:
            st.pushed[r, st.line[r, p]] = True
        if st.vote_voiced[r, p] and st.vote_line[r, p] >= 0:
            st.pushed[r, st.vote_line[r, p]] = True
    if agreed:
        text = st.offer[r]
        _copy(st.choice[r], text)
        st.round[r] = t
        for p in range(n_parties):
            st.utility[r, p] = read(
                tb, st.value, st.held[r], st.penalty[r], st.bar[r], vr, p, text
            )[2]
            st.reservation[r, p] = st.res_now[r, p]
        st.ended[r] = AGREEMENT
        st.blocker[r], st.blocked_line[r], st.blocked_issue[r] = -1, -1, -1
        st.alive[r] = False
    elif t >= st.deadline_of[r]:
        _end(st, r, DEADLINE)


def compiled() -> bool:
    """Whether this install's cache holds the compiled rounds (False: the next call compiles)."""
    try:
        return bool(play._cache._cache_file._load_index())  # type: ignore[attr-defined]
    except Exception:  # a private numba API: if it moves, assume compiled
        return True


class Work(NamedTuple):
    """Work arrays of the rounds, reused from run to run (:func:`work`)."""

    scratch: FloatArray  # (max(I, 1),)
    trial: IntArray  # (I,)
    choice: IntArray  # (I,)
    avoid: BoolArray  # (L,)
    before: BoolArray  # (L,)
    binding: BoolArray  # (L,)
    count_now: IntArray  # (P,)
    u_now: FloatArray  # (P,)
    count_then: IntArray  # (P,)
    u_then: FloatArray  # (P,)
    signer: BoolArray  # (P,)
    signed: FloatArray  # (P,)
    floor: FloatArray  # (P,)
    asked: BoolArray  # (P,)
    fine: BoolArray  # (P,)
    #: (2,) where to look first (the answers do not depend on it): the text
    #: :func:`zone_open` found last, the party that refused the last change in
    #: :func:`_try`
    hints: IntArray


def work(n_parties: int, n_issues: int, n_lines: int) -> Work:
    """Fresh work arrays for :func:`play`."""
    return Work(
        scratch=np.empty(max(n_issues, 1)),
        trial=np.empty(n_issues, dtype=np.intp),
        choice=np.empty(n_issues, dtype=np.intp),
        avoid=np.empty(n_lines, dtype=np.bool_),
        before=np.empty(n_lines, dtype=np.bool_),
        binding=np.empty(n_lines, dtype=np.bool_),
        count_now=np.empty(n_parties, dtype=np.intp),
        u_now=np.empty(n_parties),
        count_then=np.empty(n_parties, dtype=np.intp),
        u_then=np.empty(n_parties),
        signer=np.empty(n_parties, dtype=np.bool_),
        signed=np.empty(n_parties),
        floor=np.empty(n_parties),
        asked=np.empty(n_parties, dtype=np.bool_),
        fine=np.empty(n_parties, dtype=np.bool_),
        hints=np.zeros(2, dtype=np.intp),
    )


@_entry
def play(tb: KernelTables, cf: Config, st: State, wk: Work, t0: int, t1: int) -> None:
    """Rounds ``t0..t1`` of every run of the block still negotiating, run by run.

    The parties' readings of the current text are read afresh at each call (events,
    applied between calls, may have changed the preferences and the lines).
    """
    n_changeable = changeable_count(tb)
    for r in range(st.alive.shape[0]):
        for p in range(st.memo_ok.shape[1]):
            st.memo_ok[r, p] = False
            st.within_ok[r, p] = False
        for t in range(t0, t1 + 1):
            if not st.alive[r]:
                break
            round_one(
                tb, cf, st, r, t, n_changeable, wk.scratch, wk.trial, wk.choice, wk.avoid,
                wk.before, wk.count_now, wk.u_now, wk.count_then, wk.u_then, wk.signer,
                wk.signed, wk.floor, wk.binding, wk.asked, wk.fine, wk.hints,
            )  # fmt: skip


__all__ = [
    "ALTERNATING",
    "MEDIATED",
    "Config",
    "KernelTables",
    "State",
    "Work",
    "aspire_one",
    "aspire_rows",
    "avoided_rows",
    "believe_rows",
    "compiled",
    "crossed_rows",
    "crosses_rows",
    "mix_words",
    "play",
    "pressure_rows",
    "respond_rows",
    "signers_rows",
    "speak_rows",
    "utility_rows",
    "verdict_rows",
    "work",
    "worth_rows",
    "zone_open",
    "zone_rows",
]
