"""Per-run parameters of a block: uncertainty, preference noise, firm red lines, events.

Every random quantity has its own draw id, hashed from its name (a parameter's path, an
event's id, a red line's key). So run ``i`` of a scenario and run ``i`` of a variant of
it draw the same numbers for what they share — common random numbers, which make
side-by-side comparisons of variants far less noisy.

Order, per run: base values from the file; ``uncertainty.parameters`` replace them;
``uncertainty.noise`` then perturbs weights (multiplied by a log-normal factor with
median 1) and values (plus normal noise, clipped to [0, 1]), one draw per party; each
red line draws one uniform ``u`` and is firm while ``u < credibility``; each event
draws one uniform and fires at its round when that is below its probability. A
ratifier's red line draws its firmness like a party's (independently: ``resolve`` is
the party's own); whether the negotiator knows a ratifier's limits is one uniform
(``informed.<party>.<ratifier>``) below ``informed``. A ratifier's preferences that
default to its party's follow them: after noise and after every event that moves
them (:meth:`Params.follow`).
"""

from __future__ import annotations

import weakref
import zlib
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, Literal, Self

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.rng import Streams
from sim.scenario.compose import resolve_path
from sim.scenario.fields import numeric_field
from sim.scenario.models import Beta, Choice, Distribution, Normal, Triangular, Uniform
from sim.strategies import build

if TYPE_CHECKING:
    from sim.simulation.tables import Tables


def draw_id(name: str) -> int:
    """The draw id of a named random quantity (stable across runs, scenarios, versions)."""
    return zlib.crc32(name.encode("utf-8"))


type Kind = Literal[
    "reservation",
    "weight",
    "value",
    "credibility",
    "exponent",
    "cost_of_delay",
    "resolve",
    "audience_cost",
    "ratifier_reservation",
    "informed",
]


@dataclass(frozen=True)
class Target:
    """A numeric field of the scenario, located in the block's parameter arrays."""

    kind: Kind
    party: int = 0
    issue: int = 0
    option: int = 0
    line: int = 0
    ratifier: int = 0
    low: float = 0.0
    high: float = 1.0


#: The targets of the paths located in each compiled scenario, while it is alive: a
#: path is located once per scenario, not once per block (it costs a dump of the scenario).
_LOCATED: weakref.WeakKeyDictionary[Tables, dict[str, Target]] = weakref.WeakKeyDictionary()


def locate(space: Tables, path: str) -> Target:
    """Find the parameter array entry behind a dotted path (validated beforehand)."""
    found = _LOCATED.setdefault(space, {})
    target = found.get(path)
    if target is None:
        target = found[path] = _locate(space, path)
    return target


def _locate(space: Tables, path: str) -> Target:
    data = space.scenario.model_dump()
    concrete = resolve_path(data, path, allow_new=True)
    limits = numeric_field(data, concrete)
    assert limits is not None, path
    p = space.parties.index(str(concrete[1]))
    low, high = limits.low, limits.high
    if concrete[2:3] == ("ratification",):
        return _locate_ratifier(space, p, concrete, low, high)
    match concrete[2:]:
        case ("reservation",):
            return Target("reservation", p, low=low, high=high)
        case ("weights", _) | ("values", _, _):
            return _preference(space, p, concrete[2:], low, high)
        case ("red_lines", int(k), "credibility"):
            line_id = space.scenario.parties[space.parties[p]].red_lines[k].id
            line = next(
                n for n, ref in enumerate(space.lines) if ref.party_index == p and ref.id == line_id
            )
            return Target("credibility", p, line=line, low=low, high=high)
        case ("strategy", "exponent"):
            return Target("exponent", p, low=low, high=high)
        case ("cost_of_delay",):
            return Target("cost_of_delay", p, low=low, high=high)
        case ("resolve",):
            return Target("resolve", p, low=low, high=high)
        case ("red_lines", int(k), "audience_cost"):
            line_id = space.scenario.parties[space.parties[p]].red_lines[k].id
            line = next(
                n for n, ref in enumerate(space.lines) if ref.party_index == p and ref.id == line_id
            )
            return Target("audience_cost", p, line=line, low=low, high=high)
    raise AssertionError(f"not a numeric field: {path}")  # pragma: no cover


def _preference(space: Tables, row: int, rest: tuple[Any, ...], low: float, high: float) -> Target:
    """A weight (``weights.ISSUE``) or value (``values.ISSUE.OPTION``) of a table row.

    Row ``row`` of the utility tables: a party's, or a ratifier's (rows P + q).
    """
    i = space.issues.index(str(rest[1]))
    if rest[0] == "weights":
        return Target("weight", row, issue=i, low=low, high=high)
    k = space.options[i].index(str(rest[2]))
    return Target("value", row, issue=i, option=k, low=low, high=high)


def _locate_ratifier(
    space: Tables, p: int, concrete: tuple[Any, ...], low: float, high: float
) -> Target:
    """The parameter entry of a ratifier's numeric field (``parties.P.ratification.Q...``)."""
    spec = space.scenario.parties[space.parties[p]].ratification[int(concrete[3])]
    q = next(
        n for n, ref in enumerate(space.ratifiers) if ref.party_index == p and ref.id == spec.id
    )
    row = space.ratifier_row(q)
    match concrete[4:]:
        case ("reservation",):
            return Target("ratifier_reservation", p, ratifier=q, low=low, high=high)
        case ("informed",):
            return Target("informed", p, ratifier=q, low=low, high=high)
        case ("weights", _) | ("values", _, _):
            return _preference(space, row, concrete[4:], low, high)
        case ("red_lines", int(k), "credibility"):
            line_id = spec.red_lines[k].id
            line = next(
                n
                for n, ref in enumerate(space.lines)
                if ref.ratifier_index == q and ref.spec is not None and ref.id == line_id
            )
            return Target("credibility", p, line=line, low=low, high=high)
    raise AssertionError(f"not a numeric field: {concrete}")  # pragma: no cover


def sample(streams: Streams, draw: int, dist: Distribution) -> FloatArray:
    """One value per run from a distribution of the scenario file."""
    match dist:
        case Uniform():
            return dist.low + (dist.high - dist.low) * streams.uniform(draw)
        case Normal():
            return dist.mean + dist.sd * streams.normal(draw)
        case Triangular():
            return streams.triangular(draw, dist.low, dist.mode, dist.high)
        case Beta():
            return streams.beta(draw, dist.a, dist.b)
        case Choice():
            weights = dist.weights if dist.weights is not None else [1.0] * len(dist.values)
            return np.asarray(dist.values, dtype=float)[streams.choice(draw, weights)]
    raise AssertionError(dist)  # pragma: no cover


@dataclass
class Params:
    """The per-run parameters of a block; a leading axis of 1 means shared by every run."""

    reservation: FloatArray  # (R, P)
    weights: FloatArray  # (R|1, P, I) raw, as in the file
    #: (R|1, P, I, K); beyond an issue's options (k >= its size) nothing reads it: 0
    #: without value noise, clip(noise, 0, 1) with it (the draws there are discarded)
    values: FloatArray
    credibility: FloatArray  # (R, L)
    line_draw: FloatArray  # (R, L) the uniform behind each line's firmness
    exponent: FloatArray  # (R, P)
    fires: BoolArray  # (R, E) whether each event fires in the run
    dropped: BoolArray  # (R, L) dropped by an event
    order: IntArray  # (R, S) alternating: the order in which the signatories propose
    cost_of_delay: FloatArray  # (R, P) utility lost per round without a deal
    resolve: FloatArray  # (R, P) correlation of the party's lines' firmness draws
    audience_cost: FloatArray  # (R, L) cost of a deal crossing a line given up
    ratifier_reservation: FloatArray  # (R, Q)
    informed: FloatArray  # (R, Q) the chance the negotiator knows the ratifier's limits
    informed_draw: FloatArray  # (R, Q) the uniform behind it
    #: Which parts of each ratifier's preferences are its own: (Q,) its weights, (Q, I)
    #: its values issue by issue; the rest follow its party's (rows P + q of the tables).
    own_weights: BoolArray
    own_values: BoolArray
    ratifier_party: IntArray  # (Q,) the party each ratifier ratifies for
    shared_preferences: bool = field(default=True)

    @property
    def known(self) -> BoolArray:
        """(R, Q) whether the negotiator knows each ratifier's limits in the run."""
        return self.informed_draw < self.informed

    @property
    def firm(self) -> BoolArray:
        """(R, L) the red lines that hold whatever the pressure."""
        return self.line_draw < self.credibility

    @property
    def threshold(self) -> FloatArray:
        """(R, L) the pressure at which a line that is not firm gives way, in [0, 1).

        Given that a line is not firm, ``u`` is uniform on [credibility, 1), so the
        rescaled ``(u - credibility) / (1 - credibility)`` is uniform on [0, 1): one draw
        per line decides both whether it is firm and, if not, when it gives way.
        """
        span = np.where(self.credibility < 1.0, 1.0 - self.credibility, 1.0)
        return np.clip((self.line_draw - self.credibility) / span, 0.0, 1.0)

    def take(self, rows: IntArray) -> Self:
        """The parameters of a subset of runs."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            shared = (
                isinstance(value, np.ndarray)
                and value.shape[0] == 1
                and f.name in ("weights", "values")
            ) or f.name in ("own_weights", "own_values", "ratifier_party")
            out[f.name] = value if not isinstance(value, np.ndarray) or shared else value[rows]
        return type(self)(**out)

    def set(self, target: Target, rows: IntArray | slice, value: Any) -> None:
        """Set a field for some runs (uncertainty, events), clipped to its range."""
        value = np.clip(value, target.low, target.high)
        match target.kind:
            case "reservation":
                self.reservation[rows, target.party] = value
            case "weight":
                self._own_preferences()
                self.weights[rows, target.party, target.issue] = value
            case "value":
                self._own_preferences()
                self.values[rows, target.party, target.issue, target.option] = value
            case "credibility":
                self.credibility[rows, target.line] = value
            case "exponent":
                self.exponent[rows, target.party] = value
            case "cost_of_delay":
                self.cost_of_delay[rows, target.party] = value
            case "resolve":
                self.resolve[rows, target.party] = value
            case "audience_cost":
                self.audience_cost[rows, target.line] = value
            case "ratifier_reservation":
                self.ratifier_reservation[rows, target.ratifier] = value
            case "informed":
                self.informed[rows, target.ratifier] = value

    def get(self, target: Target) -> FloatArray:
        """(R,) the field's value in every run (the inverse of :meth:`set`)."""
        match target.kind:
            case "reservation":
                return self.reservation[:, target.party]
            case "weight":
                out = self.weights[:, target.party, target.issue]
            case "value":
                out = self.values[:, target.party, target.issue, target.option]
            case "credibility":
                return self.credibility[:, target.line]
            case "exponent":
                return self.exponent[:, target.party]
            case "cost_of_delay":
                return self.cost_of_delay[:, target.party]
            case "resolve":
                return self.resolve[:, target.party]
            case "audience_cost":
                return self.audience_cost[:, target.line]
            case "ratifier_reservation":
                return self.ratifier_reservation[:, target.ratifier]
            case "informed":
                return self.informed[:, target.ratifier]
        return np.broadcast_to(out, (self.reservation.shape[0],))

    def _own_preferences(self) -> None:
        if self.shared_preferences:
            n = self.reservation.shape[0]
            self.weights = np.repeat(self.weights, n, axis=0)
            self.values = np.repeat(self.values, n, axis=0)
            self.shared_preferences = False

    def follow(self) -> None:
        """Copy each party's preferences into its ratifiers' rows where they default.

        A ratifier without its own weights takes its party's (as drawn, as moved by
        events); on each issue it gives no values for, its party's values.
        """
        n_parties = self.weights.shape[1] - self.ratifier_party.shape[0]
        for q, p in enumerate(self.ratifier_party):
            row = n_parties + q
            if not self.own_weights[q]:
                self.weights[:, row] = self.weights[:, p]
            follows = ~self.own_values[q]
            if follows.all():  # a slice, not a gather: a block's values are large
                self.values[:, row] = self.values[:, p]
            elif follows.any():
                self.values[:, row, follows] = self.values[:, p, follows]

    def value_table(self) -> FloatArray:
        """(R|1, P + Q, I, K) ``w_pi * v_pi(k)`` with weights normalised to sum 1.

        As numpy's ``w / where(total > 0, total, 1) * v`` with ``total = w.sum(axis=2)``,
        bit for bit (:func:`sim.simulation.prepare.value_tables`).

        Rows P + q are the ratifiers' (:class:`~sim.simulation.tables.Tables`).
        """
        from sim.simulation.prepare import preference_tables

        sizes = np.full(self.values.shape[2], self.values.shape[3], dtype=np.intp)
        return preference_tables(self.weights, self.values, sizes)[0]


def draw_names(space: Tables) -> list[str]:
    """The name of every random quantity of a scenario (one draw id each)."""
    scenario = space.scenario
    return [
        "order",
        *(f"firm.{ref.key}" for ref in space.lines),
        *(f"informed.{ref.key}" for ref in space.ratifiers),
        *(f"event.{event.id}" for event in scenario.events),
        *(f"param.{path}" for path in scenario.uncertainty.parameters),
        *(f"noise.weights.{pid}" for pid in space.parties),
        *(f"noise.values.{pid}" for pid in space.parties),
        *(f"resolve.{pid}" for pid in space.parties),
    ]


def check_draw_ids(space: Tables) -> None:
    """Refuse a scenario whose random quantities would share a draw id (and so correlate)."""
    seen: dict[int, str] = {}
    for name in draw_names(space):
        other = seen.setdefault(draw_id(name), name)
        if other != name:
            raise ValueError(f"{other!r} and {name!r} hash to the same draw id; rename one of them")


@dataclass(frozen=True)
class _Layout:
    """What every block of a scenario draws from: its base arrays and its draw ids.

    Computed once per compiled scenario (it costs a dump of the scenario per
    uncertain parameter), then only read: each block copies the arrays it changes.
    """

    weights: FloatArray  # (1, P + Q, I)
    values: FloatArray  # (1, P + Q, I, K)
    exponent: FloatArray  # (P,)
    credibility: FloatArray  # (L,)
    signatories: IntArray  # (S,)
    line_draws: tuple[int, ...]
    cost_of_delay: FloatArray  # (P,)
    resolve: FloatArray  # (P,)
    audience_cost: FloatArray  # (L,)
    resolve_draws: tuple[int, ...]
    events: tuple[tuple[int, float], ...]  # draw id and probability of each event
    parameters: tuple[tuple[Target, int, Distribution], ...]
    noise: tuple[tuple[int, int], ...]  # per party: the draw ids of its weight and value noise
    ratifier_reservation: FloatArray  # (Q,)
    informed: FloatArray  # (Q,)
    informed_draws: tuple[int, ...]
    own_weights: BoolArray  # (Q,)
    own_values: BoolArray  # (Q, I)
    ratifier_party: IntArray  # (Q,)


#: The layout of each compiled scenario, while it is alive (a cache of pure results).
_LAYOUTS: weakref.WeakKeyDictionary[Tables, _Layout] = weakref.WeakKeyDictionary()


def _layout(space: Tables) -> _Layout:
    layout = _LAYOUTS.get(space)
    if layout is None:
        layout = _LAYOUTS[space] = _lay_out(space)
    return layout


def _lay_out(space: Tables) -> _Layout:
    scenario = space.scenario
    n_parties, n_issues = len(space.parties), len(space.issues)
    n_rows = n_parties + len(space.ratifiers)
    width = max(len(o) for o in space.options)
    weights = np.zeros((1, n_rows, n_issues))
    values = np.zeros((1, n_rows, n_issues, width))
    preferences = [(party.weights, party.values) for party in scenario.parties.values()]
    for ref in space.ratifiers:
        preferences.append(scenario.parties[ref.party].ratifier_preferences(ref.spec))
    for p, (raw, table) in enumerate(preferences):
        for i, issue in enumerate(space.issues):
            weights[0, p, i] = raw.get(issue, 0.0)
            for k, option in enumerate(space.options[i]):
                values[0, p, i, k] = table.get(issue, {}).get(option, 0.0)
    own_values = np.array(
        [[issue in (ref.spec.values or {}) for issue in space.issues] for ref in space.ratifiers],
        dtype=bool,
    ).reshape(len(space.ratifiers), n_issues)
    exponent = [build(scenario.strategy_of(pid)).default_exponent() for pid in space.parties]
    return _Layout(
        weights=weights,
        values=values,
        exponent=np.array(exponent, dtype=float).reshape(n_parties),
        credibility=np.array([ref.credibility for ref in space.lines], dtype=float),
        cost_of_delay=np.array([x.cost_of_delay for x in scenario.parties.values()], dtype=float),
        resolve=np.array([x.resolve for x in scenario.parties.values()], dtype=float),
        audience_cost=np.array([ref.audience_cost for ref in space.lines], dtype=float),
        resolve_draws=tuple(draw_id(f"resolve.{pid}") for pid in space.parties),
        signatories=np.array([p for p, flag in enumerate(space.signs) if flag], dtype=np.intp),
        line_draws=tuple(draw_id(f"firm.{ref.key}") for ref in space.lines),
        events=tuple((draw_id(f"event.{e.id}"), e.probability) for e in scenario.events),
        parameters=tuple(
            (locate(space, path), draw_id(f"param.{path}"), dist)
            for path, dist in scenario.uncertainty.parameters.items()
        ),
        noise=tuple(
            (draw_id(f"noise.weights.{pid}"), draw_id(f"noise.values.{pid}"))
            for pid in space.parties
        ),
        ratifier_reservation=np.array([r.spec.reservation for r in space.ratifiers], dtype=float),
        informed=np.array([r.spec.informed for r in space.ratifiers], dtype=float),
        informed_draws=tuple(draw_id(f"informed.{r.key}") for r in space.ratifiers),
        own_weights=np.array([r.spec.weights is not None for r in space.ratifiers], dtype=bool),
        own_values=own_values,
        ratifier_party=np.array([r.party_index for r in space.ratifiers], dtype=np.intp),
    )


def _rows_of(n: int, row: FloatArray) -> FloatArray:
    """(n, *row.shape): ``row`` in every run, in a new array."""
    out = np.empty((n, *row.shape))
    out[...] = row
    return out


def sampled_values(space: Tables, params: Params) -> FloatArray:
    """(R, S) the value each run drew for each ``uncertainty.parameters`` path, in order."""
    layout = _layout(space)
    n = params.reservation.shape[0]
    out = np.empty((n, len(layout.parameters)))
    for k, (target, _, _) in enumerate(layout.parameters):
        out[:, k] = params.get(target)
    return out


def _correlate(space: Tables, streams: Streams, layout: _Layout, params: Params) -> None:
    """Couple each party's firmness draws by its ``resolve`` ρ (a Gaussian copula).

    Line ``l`` of party ``p`` is firm when ``u_l < credibility_l``, with
    ``u_l = Φ(√ρ · Z_p + √(1 - ρ) · Φ⁻¹(U_l))``: ``U_l`` is the line's own uniform
    (``firm.<party>.<line>``) and ``Z_p`` a standard normal shared by the party's lines
    (``resolve.<party>``). Each ``u_l`` is still uniform, so each line is firm with
    probability ``credibility`` whatever ρ; the normal scores of two lines of one party
    have correlation ρ, so with ρ = 1 every line of the party takes the same ``u``
    (lines of equal credibility are all firm or none), and with ρ = 0 the draws are the
    independent uniforms (the ``u`` of v0.1, exactly). The same ``u`` also gives a line
    that is not firm its threshold (:attr:`Params.threshold`), so a party of high
    resolve that gives way on one line is likelier to give way on the others soon.
    """
    if not np.any(params.resolve > 0) or not space.lines:
        return
    from scipy.special import ndtr, ndtri

    stated = space.line_kind == 0  # a ratifier's lines are not the party's resolve
    for p in np.unique(space.line_owner[stated]):
        rho = params.resolve[:, p]
        if not np.any(rho > 0):
            continue
        z = streams.normal(layout.resolve_draws[p])
        lines = np.flatnonzero((space.line_owner == p) & stated)
        u = params.line_draw[:, lines]
        # Φ⁻¹ of a uniform in [0, 1): 0 maps to -inf and back to 0, so no value is lost.
        scores = np.sqrt(rho)[:, None] * z[:, None] + np.sqrt(1.0 - rho)[:, None] * ndtri(u)
        coupled = np.minimum(ndtr(scores), np.nextafter(1.0, 0.0))
        params.line_draw[:, lines] = np.where(rho[:, None] > 0, coupled, u)


def sample_params(space: Tables, streams: Streams) -> Params:
    """Draw every per-run parameter of a block.

    Each random quantity is drawn as ``Streams`` defines it and written into the block's
    arrays in place (no stacking, repeating or temporaries the size of the block).
    """
    layout = _layout(space)
    scenario = space.scenario
    n = streams.runs.shape[0]
    n_issues = len(space.issues)
    width = layout.values.shape[3]
    line_draw = np.empty((n, len(layout.line_draws)))
    for k, draw in enumerate(layout.line_draws):
        line_draw[:, k] = streams.uniform(draw)
    informed_draw = np.empty((n, len(layout.informed_draws)))
    for k, draw in enumerate(layout.informed_draws):
        informed_draw[:, k] = streams.uniform(draw)
    fires = np.empty((n, len(layout.events)), dtype=bool)
    for k, (draw, probability) in enumerate(layout.events):
        np.less(streams.uniform(draw), probability, out=fires[:, k])
    signatories = layout.signatories
    params = Params(
        reservation=_rows_of(n, space.reservation),
        weights=layout.weights.copy(),
        values=layout.values.copy(),
        credibility=_rows_of(n, layout.credibility),
        line_draw=line_draw,
        exponent=_rows_of(n, layout.exponent),
        fires=fires,
        dropped=np.zeros((n, len(space.lines)), dtype=bool),
        order=signatories[streams.permutation(draw_id("order"), signatories.size)],
        cost_of_delay=_rows_of(n, layout.cost_of_delay),
        resolve=_rows_of(n, layout.resolve),
        audience_cost=_rows_of(n, layout.audience_cost),
        ratifier_reservation=_rows_of(n, layout.ratifier_reservation),
        informed=_rows_of(n, layout.informed),
        informed_draw=informed_draw,
        own_weights=layout.own_weights,
        own_values=layout.own_values,
        ratifier_party=layout.ratifier_party,
    )
    for target, draw, dist in layout.parameters:
        params.set(target, slice(None), sample(streams, draw, dist))
    _correlate(space, streams, layout, params)
    noise = scenario.uncertainty.noise
    if noise.weights > 0 or noise.values > 0:
        # Per-run preferences: the noisy arrays are written whole, party by party, from
        # the (shared or per-run) arrays so far; the others are copied once.
        base_weights, base_values = params.weights, params.values
        n_parties = base_weights.shape[1]
        weights = np.empty((n, n_parties, n_issues))
        values = np.empty((n, n_parties, n_issues, width))
        if noise.weights <= 0:
            weights[...] = base_weights
        else:
            weights[:, len(layout.noise) :] = base_weights[:, len(layout.noise) :]
        if noise.values <= 0:
            values[...] = base_values
        else:
            values[:, len(layout.noise) :] = base_values[:, len(layout.noise) :]
        n_noisy = len(layout.noise)
        if noise.weights > 0:
            # base * exp(sd * z), in the block's own array (no temporaries of its size)
            factor = streams.normals(
                [w for w, _ in layout.noise], (n_issues,), weights[:, :n_noisy]
            )
            factor *= noise.weights
            np.exp(factor, out=factor)
            factor *= base_weights[:, :n_noisy, :]
        if noise.values > 0:
            # clip(noise * sd + base, 0, 1), in one compiled pass into the strided out
            streams.clipped_normals([v for _, v in layout.noise], noise.values, base_values, values)
        params.weights, params.values = weights, values
        params.shared_preferences = False
    if space.ratifiers:
        params.follow()
    return params
