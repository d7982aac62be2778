"""The compiled rules of a round: one implementation of every party's decision (numba).

Every rule a party or the mediator applies to a text is written once here, as a
function of one run (one row of the block), and compiled by numba. The mediated round
(:func:`mediated_round`) and the post-settlement search (:func:`settle_rows`) loop over
the block's rows in compiled code; the vectorised entry points (``*_rows``) apply the
same functions to the rows a caller gives (the alternating protocol, the story, the
tests). Nothing here reads an array over outcomes: a text is one option per issue and
every rule is a sum of per-issue table entries at the text's options, compared with a
threshold (:class:`KernelTables`).

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
    r: int,
    vr: int,
    p: int,
    text: IntArray,
) -> tuple[int, int, float]:
    """What ``text`` is to party ``p`` in run ``r``.

    (the first of its held red lines it crosses, -1 for none; how many of its held
    lines it crosses; its worth: its utility less the audience cost ``penalty[l, r]``
    of every line ``l`` it gave up that the text crosses — the cost of backing down
    before its audience, Fearon 1994; 0 for a line it holds or an event dropped).
    """
    first, count = -1, 0
    worth = utility(value, vr, p, text)
    for j in range(tb.party_ptr[p], tb.party_ptr[p + 1]):
        line = tb.party_line[j]
        if held[line, r]:
            if crosses(tb, line, text):
                if first < 0:
                    first = int(line)
                count += 1
        elif penalty[line, r] > 0 and crosses(tb, line, text):
            worth -= penalty[line, r]
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


@_inline
def crosses_vetoed(tb: KernelTables, vetoed: BoolArray, r: int, text: IntArray) -> bool:
    """Whether ``text`` crosses a red line some party has vetoed a text on in run ``r``."""
    for line in range(vetoed.shape[1]):  # noqa: SIM110 (numba compiles loops, not any())
        if vetoed[r, line] and crosses(tb, line, text):
            return True
    return False


# -- a mediated round, and the post-settlement settlement ---------------------------------------
@_jit
def mediated_round(
    tb: KernelTables,
    value: FloatArray,
    top: FloatArray,
    cdf: FloatArray,
    held: BoolArray,
    penalty: FloatArray,
    aspiration: FloatArray,
    reservation: FloatArray,
    alive: BoolArray,
    keys: U64Array,
    draft_words: U64Array,
    anneal_words: U64Array,
    tau: float,
    logroll: float,
    attention: float,
    text: IntArray,
    vetoed: BoolArray,
    avoid: BoolArray,
    named: BoolArray,
    revision: IntArray,
    asked: BoolArray,
    accept: BoolArray,
    line: IntArray,
    issue: IntArray,
    voters: BoolArray,
    votes: BoolArray,
    vote_line: IntArray,
    adopted: BoolArray,
) -> None:
    """One mediated round in every run of the block (:class:`~sim.simulation.protocols.Mediated`).

    In each run ``r``: the mediator drafts a revision of the current text ``text[r]``
    (up to ``draft_words.shape[0]`` drafts, the first that crosses no line it avoids,
    ``avoid[r]`` — the lines vetoed in the run that it does not believe to be bluffs —
    else the first); every signer of the current text answers whether it would
    sign it (:func:`accepts`); every signer of the revision votes on it
    (:func:`votes_for`) — a party only the current text needs has no say on a text that
    does not need it, as after signing (:func:`_try`). A revision every voter votes for
    replaces the text unless the text is agreed. The mediator learns the vetoed lines
    (``vetoed``) and the issues the answers named (``named``: an objection's issue, a
    vetoed line's issues). Fills the answers into the output arrays and updates
    ``text``, ``vetoed`` and ``named`` in place. Runs that have ended (``alive`` false)
    are skipped: nobody is asked in them.
    """
    n, n_issues = text.shape
    n_parties = asked.shape[1]
    shared_value = value.shape[0] == 1
    shared_cdf = cdf.shape[0] == 1
    n_changeable = changeable_count(tb)
    scratch = np.empty(max(n_issues, 1))
    trial = np.empty(n_issues, dtype=np.intp)
    count_now = np.empty(n_parties, dtype=np.intp)
    u_now = np.empty(n_parties)
    for r in range(n):
        current = text[r]
        out = revision[r]
        if not alive[r]:  # an ended run: nobody is asked, nothing changes
            out[:] = current
            asked[r, :], accept[r, :], line[r, :], issue[r, :] = False, True, -1, -1
            voters[r, :], votes[r, :], vote_line[r, :], adopted[r] = False, True, -1, False
            continue
        vr = 0 if shared_value else r
        cr = 0 if shared_cdf else r
        if n_changeable == 0:
            out[:] = current
        else:
            for k in range(draft_words.shape[0]):
                if k == 0:
                    draft_one(
                        tb, keys[r], draft_words[0], current, named[r], cdf, cr,
                        n_changeable, logroll, attention, scratch, out,
                    )  # fmt: skip
                    if not crosses_vetoed(tb, avoid, r, out):
                        break
                else:
                    draft_one(
                        tb, keys[r], draft_words[k], current, named[r], cdf, cr,
                        n_changeable, logroll, attention, scratch, trial,
                    )  # fmt: skip
                    if not crosses_vetoed(tb, avoid, r, trial):
                        out[:] = trial
                        break
        agreed = True
        vetoed_now = False
        for p in range(n_parties):
            first, count, u = read(tb, value, held, penalty, r, vr, p, current)
            count_now[p], u_now[p] = count, u
            asked[r, p] = signs_text(tb, p, current)
            accept[r, p], line[r, p], issue[r, p] = True, -1, -1
            if asked[r, p]:
                ok = accepts(first, u, aspiration[p, r])
                accept[r, p], line[r, p] = ok, first
                if not ok:
                    issue[r, p] = objection(value, top, vr, p, current, first)
                agreed = agreed and ok
                vetoed_now = vetoed_now or first >= 0
        all_votes = True
        for p in range(n_parties):
            voters[r, p] = signs_text(tb, p, out)
            votes[r, p], vote_line[r, p] = True, -1
            if not voters[r, p]:
                continue
            first, count, u = read(tb, value, held, penalty, r, vr, p, out)
            anneal = False
            if tau > 0:
                chance = unit(mix(keys[r] ^ anneal_words[p]), tb.element[0])
                anneal = chance < np.exp(-max(u_now[p] - u, 0.0) / tau)
            votes[r, p] = votes_for(
                first, count_now[p], count, u, u_now[p], aspiration[p, r], reservation[p, r],
                vetoed_now, anneal,
            )  # fmt: skip
            vote_line[r, p] = first
            all_votes = all_votes and votes[r, p]
        adopted[r] = all_votes and not agreed
        # What the answers reveal: vetoed lines, and the issues to revise first.
        for p in range(n_parties):
            if line[r, p] >= 0:
                vetoed[r, line[r, p]] = True
            if vote_line[r, p] >= 0:
                vetoed[r, vote_line[r, p]] = True
        named[r, :] = False
        for p in range(n_parties):
            if issue[r, p] >= 0:
                named[r, issue[r, p]] = True
            if line[r, p] >= 0:
                named_line = line[r, p]
                for j in range(tb.line_ptr[named_line], tb.line_ptr[named_line + 1]):
                    named[r, tb.line_issue[j]] = True
        if adopted[r]:
            current[:] = out


@_inline
def _try(
    tb: KernelTables,
    value: FloatArray,
    held: BoolArray,
    penalty: FloatArray,
    aspiration: FloatArray,
    r: int,
    vr: int,
    text: IntArray,
    revision: IntArray,
    signed: FloatArray,
    signer: BoolArray,
    mediator: int,
) -> bool:
    """Adopt ``revision`` of the signed ``text`` if it is an improvement all accept.

    Every signer of the revision must accept it (:func:`settles`), and it must improve
    on the signed text: better for some signatory that signed it, or better for the
    mediator (``mediator``, by its own preferences). A change that is only as good for
    everyone is not made, so the passes end (no cycle: along adopted changes no
    signatory ever loses, and a change none gains by raises the mediator's utility)
    and among texts the signatories value alike the mediator's favourite stays.
    ``signed`` and ``signer`` are each party's utility of ``text`` and whether it must
    sign ``text``; both are brought up to date when the revision is adopted.
    """
    changed = False
    for i in range(text.shape[0]):
        if revision[i] != text[i]:
            changed = True
            break
    if not changed:
        return False
    gains = read(tb, value, held, penalty, r, vr, mediator, revision)[2] > signed[mediator] + EPS
    for p in range(aspiration.shape[0]):
        if signs_text(tb, p, revision):
            first, _, u = read(tb, value, held, penalty, r, vr, p, revision)
            keeps = tb.signs[p] and signer[p]
            if not settles(first, u, aspiration[p, r], signed[p], keeps):
                return False
            gains = gains or (keeps and u > signed[p] + EPS)
    if not gains:
        return False
    text[:] = revision
    _signed(tb, value, held, penalty, r, vr, text, signed, signer)
    return True


@_inline
def _signed(
    tb: KernelTables,
    value: FloatArray,
    held: BoolArray,
    penalty: FloatArray,
    r: int,
    vr: int,
    text: IntArray,
    signed: FloatArray,
    signer: BoolArray,
) -> None:
    """Each party's worth of ``text`` and whether it must sign it, into ``signed``, ``signer``."""
    for p in range(signed.shape[0]):
        signed[p] = read(tb, value, held, penalty, r, vr, p, text)[2]
        signer[p] = signs_text(tb, p, text)


@_jit
def settle_rows(
    tb: KernelTables,
    value: FloatArray,
    cdf: FloatArray,
    order: IntArray,
    held: BoolArray,
    penalty: FloatArray,
    aspiration: FloatArray,
    keys: U64Array,
    named: BoolArray,
    rows: IntArray,
    polish_words: U64Array,
    sweeps: int,
    logroll: float,
    attention: float,
    mediator: int,
    texts: IntArray,
    count: IntArray,
) -> None:
    """Post-settlement settlement (Raiffa 1985) of the signed ``texts`` of runs ``rows``.

    In each run: up to ``sweeps`` passes over every single-issue change of the text,
    options in the mediator's order of preference ``order`` (its favourite first),
    until a pass changes nothing; then one draft per ``polish_words`` entry. A change
    replaces the text when every signer of the changed text accepts it and it improves
    on the text for a signatory or for the mediator (:func:`_try`).
    ``count`` gets how many changes each run adopted. The text is updated in place.
    """
    n_issues = texts.shape[1]
    shared_value = value.shape[0] == 1
    n_changeable = changeable_count(tb)
    scratch = np.empty(max(n_issues, 1))
    trial = np.empty(n_issues, dtype=np.intp)
    n_parties = aspiration.shape[0]
    signed = np.empty(n_parties)
    signer = np.empty(n_parties, dtype=np.bool_)
    for j in range(rows.shape[0]):
        r = rows[j]
        vr = 0 if shared_value else r
        cr = 0 if cdf.shape[0] == 1 else r
        orow = 0 if order.shape[0] == 1 else r
        text = texts[j]
        _signed(tb, value, held, penalty, r, vr, text, signed, signer)
        for _ in range(sweeps):
            before = count[j]
            for i in range(n_issues):
                if not tb.changeable[i]:
                    continue
                for k in range(tb.sizes[i]):
                    trial[:] = text
                    trial[i] = order[orow, i, k]
                    if _try(
                        tb, value, held, penalty, aspiration, r, vr, text, trial, signed, signer,
                        mediator,
                    ):  # fmt: skip
                        count[j] += 1
            if count[j] == before:
                break
        if n_changeable == 0:
            continue
        for k in range(polish_words.shape[0]):
            draft_one(
                tb, keys[r], polish_words[k], text, named[r], cdf, cr,
                n_changeable, logroll, attention, scratch, trial,
            )  # fmt: skip
            if _try(
                tb, value, held, penalty, aspiration, r, vr, text, trial, signed, signer, mediator
            ):
                count[j] += 1


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
        first, _, u = read(tb, value, held, penalty, r, vr, p, texts[j])
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
        out[j] = read(tb, value, held, penalty, r, 0 if value.shape[0] == 1 else r, p, texts[j])[2]


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
    """Whether some text could still be agreed in run ``rows[j]``, into ``out[j]``.

    A text of ``texts`` (every outcome, (O, I)) could be when each of its signers
    (``signer``, (O, P)) gets at least its reservation value (``reservation``, (R, P))
    from it and it crosses none of the signer's lines that hold whatever the pressure
    (``binding``, (R, L)). Stops at the first such text.
    """
    for j in range(rows.shape[0]):
        r = rows[j]
        vr = 0 if value.shape[0] == 1 else r
        found = False
        for o in range(texts.shape[0]):
            text = texts[o]
            ok = True
            for p in range(signer.shape[1]):
                if not signer[o, p]:
                    continue
                if utility(value, vr, p, text) < reservation[r, p] - EPS:
                    ok = False
                    break
                for k in range(tb.party_ptr[p], tb.party_ptr[p + 1]):
                    line = tb.party_line[k]
                    if binding[r, line] and crosses(tb, line, text):
                        ok = False
                        break
                if not ok:
                    break
            if ok:
                found = True
                break
        out[j] = found


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
    "mediated_round",
    "mix_words",
    "respond_rows",
    "settle_rows",
    "signers_rows",
    "utility_rows",
    "worth_rows",
    "zone_rows",
]
