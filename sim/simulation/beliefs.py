"""Beliefs about bluffs: how firm the observers think each stated red line is (Fearon 1995).

Fearon ("Rationalist explanations for war", 1995) puts private information at the
heart of failed bargaining: the others cannot tell a real red line from a bluff. In
negsim a stated line is *firm* with probability its credibility ``c``; a line that is
not firm (a bluff) has a threshold ``θ`` drawn uniform on [0, 1) per run, and its owner
gives it up in the first round in which the owner's pressure ``p_t`` (in [0, 1])
reaches the threshold, ``p_t >= θ``. A firm line is never given up. Observers — the
mediator and the other parties — hold a belief ``b`` that the line is firm, starting at
the prior ``c``, and update it by Bayes' rule from what they see.

What the observers see
----------------------
* **The pressure.** The owner's type (firm or not, and its threshold) is private; its
  situation is public: the time left, what the war costs it each round, and how far
  its answers show it has conceded. Observers therefore see the pressure ``p_t`` the
  owner is under — the engine passes the very number it compares with the threshold.
  (Fed a public proxy ``p̂`` instead, the update is Bayes for an observer who takes
  ``p̂`` for ``p``: with ``p̂ <= p`` it underrates firmness, so the mediator tests more;
  with ``p̂ >= p`` it overrates it.)
* **The line held** in round ``t``: the owner defends it that round. If giving a line
  up is public (the owner's stated position changes), every round without a give-up
  shows it held; if not, only a veto on the line (a refusal of a text crossing it that
  names it) shows it held. Either way the engine says which rounds showed it held.
* **The line given up**: the owner is seen not defending it — it says so, or it answers
  a text crossing it without naming any red line (a party names a line it holds
  before anything else, so a refusal naming another of its lines says nothing here).

Derivation
----------
A bluff gives its line up in the first round ``u`` with ``p_u >= θ``, so a line seen
held in round ``s`` has survived every round up to ``s``: ``θ > p_u`` for all
``u <= s``, seen or not. Let ``m`` be the highest pressure the owner has been under up
to the last round in which the line was seen held (``m = 0`` before any): the
pressure the line is known to have *survived*. The owner's pressure path before a
give-up does not depend on the line's type (the same costs, clock and concessions
whatever the line is), so it cancels from the likelihood ratio. Then

* P(seen held whenever it was seen | firm) = 1;
* P(seen held whenever it was seen | bluff) = P(θ > m) = 1 - m (θ uniform on [0, 1)).

Bayes' rule gives the posterior from the prior ``c``::

    b = c / (c + (1 - c) * (1 - m))                       (held, pressure m survived)
    b = 0                                                 (seen given up)

since P(given up | firm) = 0. Only the *highest* pressure survived counts: a bluff
that held at 0.5 has already shown it held at 0.2, so pressures 0.2 then 0.5 give
``c / (c + (1 - c) * 0.5)``, not the product of two one-round updates (which counts
the range [0, 0.2] twice and overrates firmness; the calibration test shows it). And a
line seen held at pressure 0.5 after its owner was under 0.8 in a round nobody saw it
has survived 0.8. One round's update from the last belief ``b`` and the pressure
survived ``m``, seen held after a highest pressure so far ``m' >= m``, multiplies the
odds by ``(1 - m) / (1 - m')``::

    b' = b (1 - m) / (b (1 - m) + (1 - b) (1 - m'))

which equals the closed form above. Consequences: with no evidence (``p = 0``,
nothing given up) ``b`` stays at the prior; while the line holds ``b`` never falls
and rises with the pressure survived; held at ``p = 1`` only a firm line is left
(``b = 1``). When give-ups are public every round shows the line held or given up, so
the pressure survived is simply the highest pressure so far.

A veto carries no more than "held": both a firm line and a bluff below its threshold
veto every text that crosses them, so P(veto | firm, held) = P(veto | bluff, held) and
the veto's likelihood ratio is 1 beyond what "held at pressure p" already says. It is
"weak evidence" (NEGOTIATION.md) exactly in that sense: a bluff vetoes too, until it
gives way, and the veto is worth what surviving that round's pressure is worth.

Every observer sees the same public evidence and starts from the same credibility, so
one belief per run and line serves the mediator and the other parties alike. The
posterior is exact per line under the model above; where the engine draws a party's
lines jointly (its ``resolve``), seeing one of them given up is also evidence about
the others, which this per-line rule leaves out: it conditions on the line's own
history only, and stays calibrated so long as the pressure path before a give-up does
not depend on the line's type.

What the mediator does with it
------------------------------
The mediator *tests* a line it believes to be a bluff: it may draft revisions that
cross a line the owner has vetoed on while its belief is below ``probe``; it avoids
(as in negsim 0.2) every vetoed line it believes firm, belief at or above ``probe``.
Since a held line's belief only rises, a line is tested until it has survived enough
pressure to be believed firm, or until it is seen given up (belief 0, no longer a
line to defend). ``probe`` (a parameter of ``single_text``): default 0.5 — test a
line while it is more likely a bluff than firm; range [0, 1]; 0 never tests (every
vetoed line avoided, the 0.2 behaviour), 1 tests every line not known to be firm.

All functions are elementwise numpy over arrays of any one shape — the engine's
``(L, R)`` (lines, runs) or ``(R, L)`` alike; scalars broadcast.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from sim.arrays import BoolArray, FloatArray

#: Default of ``single_text``'s ``probe``: test a vetoed line while belief < 0.5.
PROBE_DEFAULT = 0.5
#: The range of ``probe`` (inclusive).
PROBE_RANGE = (0.0, 1.0)


def posterior(
    prior: npt.ArrayLike, survived: npt.ArrayLike, given_up: npt.ArrayLike = False
) -> FloatArray:
    """P(firm | pressure ``m`` survived) = c / (c + (1 - c)(1 - m)); 0 if seen given up."""
    c = np.clip(np.asarray(prior, dtype=np.float64), 0.0, 1.0)
    survive = 1.0 - np.clip(np.asarray(survived, dtype=np.float64), 0.0, 1.0)
    denominator = c + (1.0 - c) * survive
    safe = np.where(denominator > 0.0, denominator, 1.0)
    held = np.where(denominator > 0.0, c / safe, c)
    out: FloatArray = np.where(np.asarray(given_up, dtype=bool), 0.0, held)
    return out


def _elementwise(*arrays: npt.ArrayLike) -> tuple[list[Any], tuple[int, ...]]:
    """The arrays broadcast together and flattened (contiguous), and their common shape."""
    shaped = np.broadcast_arrays(*(np.asarray(a) for a in arrays))
    shape = shaped[0].shape if shaped else ()
    return [np.ascontiguousarray(a).reshape(-1) for a in shaped], shape


def update(
    belief: npt.ArrayLike,
    survived: npt.ArrayLike,
    peak: npt.ArrayLike,
    pressure: npt.ArrayLike,
    held: npt.ArrayLike,
    given_up: npt.ArrayLike,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """One round's evidence: ``(belief', survived', peak')``.

    ``peak``: the highest pressure the owner has been under before this round (0 at the
    start); ``survived``: the highest pressure the line is known to have survived (0 at
    the start); ``pressure``: the owner's pressure this round; ``held``: the line was
    seen held this round; ``given_up``: it was seen given up. Neither: nothing was seen
    and only ``peak`` moves. The rule is the one the rounds apply
    (:func:`sim.simulation.kernels.believe_one`), here elementwise.
    """
    from sim.simulation.kernels import believe_rows

    (b, m, top, p, seen, gone), shape = _elementwise(
        np.asarray(belief, dtype=np.float64),
        np.asarray(survived, dtype=np.float64),
        np.asarray(peak, dtype=np.float64),
        np.asarray(pressure, dtype=np.float64),
        np.asarray(held, dtype=bool),
        np.asarray(given_up, dtype=bool),
    )
    out = np.empty((3, b.size))
    believe_rows(b, m, top, p, seen, gone, out[0], out[1], out[2])
    return out[0].reshape(shape), out[1].reshape(shape), out[2].reshape(shape)


def avoided(vetoed: npt.ArrayLike, belief: npt.ArrayLike, probe: float) -> BoolArray:
    """The lines the mediator's drafts avoid: vetoed on and believed firm (``>= probe``).

    The rule of the rounds (:func:`sim.simulation.kernels.avoided_one`), elementwise.
    """
    from sim.simulation.kernels import avoided_rows

    (v, b), shape = _elementwise(np.asarray(vetoed, dtype=bool), np.asarray(belief, np.float64))
    out = np.empty(v.size, dtype=bool)
    avoided_rows(v, b, float(probe), out)
    return out.reshape(shape)


def probed(belief: npt.ArrayLike, probe: float) -> BoolArray:
    """The lines the mediator tests: believed a bluff, belief below ``probe``."""
    out: BoolArray = ~avoided(True, belief, probe)
    return out
