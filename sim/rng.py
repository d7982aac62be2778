"""Counter-based random numbers for a block of replicate runs.

A block simulates R replicate runs at once, with a leading replicate axis on every
array. Every random number of run ``i`` is a pure function of ``(seed, i, draw, sub,
element)``, never of global state nor of which other runs share the block, so a run
gives bit-identical numbers whether it is simulated alone, in a block of 10,000, in
another order, or in a block compacted with :meth:`Streams.take`.

Construction
------------
A counter-based generator (Salmon et al. 2011) hashes a counter instead of stepping
a state. The hash here is a chain of the 64-bit finaliser of SplitMix64 (Steele, Lea
& Flood 2014; the constants are Stafford's 2011 "Mix13")::

    z = (z ^ z >> 30) * 0xbf58476d1ce4e5b9      (all arithmetic mod 2**64)
    z = (z ^ z >> 27) * 0x94d049bb133111eb
    m = z ^ z >> 31

``m`` is a bijection of the 64-bit words (xorshifts and odd multipliers are
invertible) whose every output bit depends on every input bit. Each input passes
through its own full mix, tagged with a distinct constant (the first 64 fractional
bits of √2, √3, √5 and √7, as in SHA-512's initial hash values, FIPS 180-4), and is
folded into the running key by xor and another full mix::

    k_seed    = m(seed ^ T_SEED)                              # once per Streams
    k_run     = m(k_seed ^ m(run ^ T_RUN))                    # once per run, cached
    k_draw    = m(k_run ^ m((draw | sub << 32) ^ T_DRAW))     # R mixes per call
    bits      = m(k_draw ^ m(element ^ T_ELEMENT))            # one mix per value

Every stage is injective in its new input for a fixed key (xor with a constant and
``m`` are bijections): within one seed no two runs share a key, within one run no two
(draw, sub) pairs share a key, and within one (run, draw, sub) no two elements share
a value. Any other two values coincide only by chance, about 2**-64 per pair. The
streams are statistically strong (SplitMix64 passes BigCrush) but not cryptographic.

Addressing
----------
``draw`` is a stream id in ``[0, 2**32)`` that the caller assigns to one random
quantity; ``sub`` is a 32-bit sub-draw counter that the methods use internally. The
element index is the flat (C order) position within ``shape``, so the value of an
element does not depend on the shape around it: ``uniform(d, (3,))[:, 0] ==
uniform(d, (1,))[:, 0] == uniform(d)``, and ``uniform(d, (2, 3))`` is ``uniform(d,
(6,))`` reshaped. The same holds for every method except :meth:`Streams.permutation`,
elementwise when the distribution parameters of that element are the same.

Sub-draws used by each method for draw id ``d`` (element ``e`` uses the same ``e``
in every sub-draw):

* ``bits``, ``uniform``, ``triangular``, ``choice``, ``permutation``: sub 0.
* ``normal``: subs 0 and 1 (Box & Muller 1958).
* ``gamma``: try ``t`` uses subs ``3t, 3t + 1`` (its normal) and ``3t + 2`` (its
  acceptance uniform), for ``t < GAMMA_TRIES``; the boost for ``alpha < 1`` uses sub
  ``3 * GAMMA_TRIES``.
* ``beta``: the gamma of ``a`` at subs as above, that of ``b`` shifted by ``2**16``.

So one draw id used by two methods gives *dependent* numbers (``uniform(d)`` is the
first uniform of ``normal(d)``): give every random quantity its own draw id.

Implementation
--------------
``bits``, ``uniform`` and ``normal`` (and the first gamma try) are computed by the
compiled loops of :mod:`sim.rngjit`, which write each value once into the result; the
arithmetic is the above and numpy's ``sqrt(-2 * log1p(-U0)) * cos(2π * U1)``, bit for
bit. Its ``log1p`` is the C library's; its ``cos`` is correctly rounded where that is
certain and the C library's elsewhere; both are used only where they equal numpy's
(:func:`sim.rngjit.compiled_transcendentals_match`). The ``log1p`` call (about 15 ns)
is now half the time of a normal.

References
----------
* G. E. P. Box, M. E. Muller (1958), A note on the generation of random normal
  deviates. Ann. Math. Statist. 29(2), 610-611.
* G. Marsaglia, W. W. Tsang (2000), A simple method for generating gamma variables.
  ACM TOMS 26(3), 363-372.
* J. K. Salmon, M. A. Moraes, R. O. Dror, D. E. Shaw (2011), Parallel random numbers:
  as easy as 1, 2, 3. SC '11.
* D. Stafford (2011), Better bit mixing - improving on MurmurHash3's 64-bit finalizer.
* G. L. Steele Jr., D. Lea, C. H. Flood (2014), Fast splittable pseudorandom number
  generators. OOPSLA '14 (SplitMix64; reference C code by S. Vigna, splitmix64.c).

"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from sim import rngjit

type U64Array = NDArray[np.uint64]
type FloatArray = NDArray[np.float64]
type IntArray = NDArray[np.intp]

_MASK = (1 << 64) - 1
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_T_SEED = 0x6A09E667F3BCC908  # frac(√2)
_T_RUN = 0xBB67AE8584CAA73B  # frac(√3)
_T_DRAW = 0x3C6EF372FE94F82B  # frac(√5)
_T_ELEMENT = 0xA54FF53A5F1D36F1  # frac(√7)
_U_M1 = np.uint64(_M1)
_U_M2 = np.uint64(_M2)
_U_T_ELEMENT = np.uint64(_T_ELEMENT)
_S11, _S27, _S30, _S31 = (np.uint64(k) for k in (11, 27, 30, 31))

#: Marsaglia–Tsang tries per gamma value before the deterministic fallback. A try is
#: rejected with probability 0.0483 at shape 1 and less at larger shapes (Marsaglia &
#: Tsang 2000; the shape tried is always >= 1), so all 64 tries of a value fail with
#: probability below 0.0484**64 < 1e-84. Then the value is ``d = shape - 1/3`` (the
#: candidate for a normal of 0), times the boost for ``alpha < 1``.
GAMMA_TRIES = 64

#: Sub-draw offset of the second gamma of :meth:`Streams.beta`.
BETA_SECOND = 1 << 16

_DRAW_LIMIT = 1 << 32


def mix64(z: int) -> int:
    """SplitMix64's finaliser on a Python int in ``[0, 2**64)`` (exact, no numpy)."""
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


def draw_word(draw: int, sub: int = 0) -> int:
    """The word ``m((draw | sub << 32) ^ T_DRAW)`` that keys (draw, sub) in every run.

    ``k_draw = m(k_run ^ draw_word(draw, sub))``; compiled kernels that draw inside their
    loop (:mod:`sim.simulation.kernels`) take the word and :attr:`Streams.keys`.
    """
    return mix64((_check_draw(draw) | (sub << 32)) ^ _T_DRAW)


def element_words(n: int) -> U64Array:
    """``m(e ^ T_ELEMENT)`` for the element indices ``e = 0..n-1``."""
    return _mix(np.arange(n, dtype=np.uint64) ^ _U_T_ELEMENT)


def _mix(z: U64Array) -> U64Array:
    """SplitMix64's finaliser elementwise, in place on ``z`` (which is returned).

    uint64 array arithmetic wraps modulo 2**64 without warnings. One scratch array is
    reused for the three shifts: on large blocks, touching fresh memory costs more than
    the arithmetic.
    """
    tmp = np.empty_like(z)
    np.right_shift(z, _S30, out=tmp)
    z ^= tmp
    z *= _U_M1
    np.right_shift(z, _S27, out=tmp)
    z ^= tmp
    z *= _U_M2
    np.right_shift(z, _S31, out=tmp)
    z ^= tmp
    return z


def _to_unit(bits: U64Array) -> FloatArray:
    """The top 53 bits as a float in ``[0, 1)``: ``(bits >> 11) * 2**-53``, exact.

    Shifts ``bits`` in place (callers pass arrays of their own).
    """
    bits >>= _S11
    out = np.empty(bits.shape, dtype=np.float64)
    np.multiply(bits.view(np.int64), 2.0**-53, out=out)
    return out


def _check_draw(draw: int) -> int:
    value = operator.index(draw)
    if not 0 <= value < _DRAW_LIMIT:
        raise ValueError(f"draw must be in [0, 2**32), got {value}")
    return value


def _check_shape(shape: tuple[int, ...]) -> tuple[int, ...]:
    dims = tuple(operator.index(n) for n in shape)
    if any(n < 0 for n in dims):
        raise ValueError(f"shape must not be negative, got {shape}")
    return dims


@functools.lru_cache(maxsize=4096)
def _word(draw: int, sub: int) -> np.uint64:
    """``draw_word(draw, sub)`` as a numpy word (cached: blocks reuse the same draws)."""
    return np.uint64(mix64((draw | (sub << 32)) ^ _T_DRAW))


@functools.lru_cache(maxsize=256)
def _elements(n: int) -> U64Array:
    """:func:`element_words` of ``n`` (cached, read-only)."""
    words = element_words(n)
    words.flags.writeable = False
    return words


def _box_muller(u1: FloatArray, u2: FloatArray) -> FloatArray:
    """One standard normal from two uniforms in ``[0, 1)``: |z| <= sqrt(106 ln 2) ≈ 8.57."""
    return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos((2.0 * np.pi) * u2)


class Streams:
    """Random numbers for a block of replicate runs; draw k of run i depends only on (seed, i, k).

    Every method returns an array of shape ``(R, *shape)`` whose row ``r`` belongs to
    run ``runs[r]``. Distribution parameters are broadcast against ``(R, *shape)`` by
    numpy's rules (so a per-run parameter has shape ``(R, 1, ...)``). See the module
    docstring for how draws, sub-draws and elements are addressed.
    """

    __slots__ = ("_keys", "_runs", "_seed")

    _seed: int
    _runs: U64Array
    _keys: U64Array

    def __init__(self, seed: int, runs: npt.ArrayLike) -> None:
        seed = operator.index(seed)
        if not 0 <= seed <= _MASK:
            raise ValueError(f"seed must be in [0, 2**64), got {seed}")
        ids = np.asarray(runs)
        if ids.ndim != 1:
            raise ValueError(f"runs must be 1-D, got shape {ids.shape}")
        if ids.size and ids.dtype.kind not in "iu":
            raise TypeError(
                f"runs must be integers, got dtype {ids.dtype} (numpy makes a list that mixes"
                " ids >= 2**63 with smaller ones float64: pass an array of dtype uint64)"
            )
        if ids.size and ids.dtype.kind == "i" and int(ids.min()) < 0:
            raise ValueError("runs must be non-negative")
        run_ids = ids.astype(np.uint64)
        k_seed = np.uint64(mix64(seed ^ _T_SEED))
        keys = _mix(_mix(run_ids ^ np.uint64(_T_RUN)) ^ k_seed)
        self._init(seed, run_ids, keys)

    def _init(self, seed: int, runs: U64Array, keys: U64Array) -> None:
        runs.flags.writeable = False
        keys.flags.writeable = False
        self._seed = seed
        self._runs = runs
        self._keys = keys

    @property
    def runs(self) -> U64Array:
        """The replicate id of each row (read-only)."""
        return self._runs

    @property
    def keys(self) -> U64Array:
        """``k_run`` of each row (read-only): with :func:`draw_word`, every draw of the row."""
        return self._keys

    def take(self, rows: IntArray) -> Streams:
        """The streams of rows ``rows`` of this block, in that order (for compacting)."""
        out = Streams.__new__(Streams)
        out._init(self._seed, self._runs[rows], self._keys[rows])
        return out

    # -- raw bits ---------------------------------------------------------------

    def _bits(self, draw: int, sub: int, n: int) -> U64Array:
        """(R, n) values of elements ``0..n-1`` of (draw, sub)."""
        out = np.empty((len(self._keys), n), dtype=np.uint64)
        rngjit.fill_bits(self._keys, _word(draw, sub), _elements(n), out)
        return out

    def _bits_at(self, draw: int, sub: int, rows: IntArray, elements: IntArray) -> U64Array:
        """The values of (draw, sub) at rows ``rows`` and elements ``elements`` (1-D)."""
        word = np.uint64(mix64((draw | (sub << 32)) ^ _T_DRAW))
        keys = _mix(self._keys[rows] ^ word)
        return _mix(keys ^ _mix(elements.astype(np.uint64) ^ _U_T_ELEMENT))

    def _unit(self, draw: int, sub: int, n: int) -> FloatArray:
        """Flat (R * n) uniforms of elements ``0..n-1`` of (draw, sub), row by row."""
        out = np.empty((len(self._keys), n))
        rngjit.fill_unit(self._keys, _word(draw, sub), _elements(n), out)
        return out.reshape(-1)

    def _normal(self, draw: int, sub: int, n: int) -> FloatArray:
        """(R, n) Box–Muller normals of subs ``sub`` and ``sub + 1``, in one pass.

        Compiled throughout when the compiled ``log1p`` and ``cos`` are numpy's bit for
        bit (:func:`sim.rngjit.compiled_transcendentals_match`), else with numpy's.
        """
        shape, words = (len(self._keys), n), (_word(draw, sub), _word(draw, sub + 1))
        out, u2 = np.empty(shape), np.empty(shape)
        if rngjit.compiled_transcendentals_match():
            rngjit.fill_normal(self._keys, *words, _elements(n), out, u2)
            return out
        rngjit.fill_pair(self._keys, *words, _elements(n), out, u2)
        return _box_muller(out, u2)

    def _words(self, draws: Sequence[int], sub: int) -> U64Array:
        return np.array([_word(_check_draw(d), sub) for d in draws], dtype=np.uint64)

    def normals(
        self, draws: Sequence[int], shape: tuple[int, ...] = (), out: FloatArray | None = None
    ) -> FloatArray:
        """(R, D, *shape): ``normal(draws[d], shape)`` at ``[:, d]``, for D draws at once.

        Written into ``out`` when given (of that shape; it may be a strided view).
        """
        dims = _check_shape(shape)
        n = math.prod(dims)
        if out is None:
            out = np.empty((len(self._keys), len(draws), *dims))
        flat = out.reshape(len(self._keys), len(draws), n)
        if flat.size and not np.may_share_memory(flat, out):
            raise ValueError("normals: out must reshape to (R, D, n) without a copy")
        if not rngjit.compiled_transcendentals_match():
            for d, draw in enumerate(draws):
                flat[:, d] = self._normal(_check_draw(draw), 0, n)
            return out
        rngjit.fill_normals(self._keys, self._words(draws, 0), self._words(draws, 1),
                            _elements(n), flat)  # fmt: skip
        return out

    def clipped_normals(
        self, draws: Sequence[int], scale: float, base: FloatArray, out: FloatArray
    ) -> None:
        """``out[:, d] = clip(normal(draws[d], shape) * scale + base[:, d], 0, 1)``.

        ``base`` (R|1, D', *shape) and ``out`` (R, D', *shape), ``shape`` of two axes,
        ``D' >= D``; ``out[:, d]`` for ``d >= D`` is left alone. ``-0.0`` is kept, as by
        :func:`numpy.clip`.
        """
        n = math.prod(out.shape[2:])
        if not rngjit.compiled_transcendentals_match():
            for d, draw in enumerate(draws):
                noisy = self.normal(draw, out.shape[2:])
                rngjit.add_clipped(noisy, scale, base[:, d], out[:, d])
            return
        rngjit.fill_clipped_normals(
            self._keys, self._words(draws, 0), self._words(draws, 1), _elements(n), scale,
            base, out,
        )  # fmt: skip

    def bits(self, draw: int, shape: tuple[int, ...] = ()) -> U64Array:
        """(R, *shape) raw 64-bit values of draw id ``draw``."""
        dims = _check_shape(shape)
        return self._bits(_check_draw(draw), 0, math.prod(dims)).reshape(len(self._keys), *dims)

    # -- continuous ---------------------------------------------------------------

    def uniform(self, draw: int, shape: tuple[int, ...] = ()) -> FloatArray:
        """(R, *shape) uniforms in ``[0, 1)`` on the grid of multiples of 2**-53."""
        dims = _check_shape(shape)
        return self._unit(_check_draw(draw), 0, math.prod(dims)).reshape(len(self._keys), *dims)

    def normal(self, draw: int, shape: tuple[int, ...] = ()) -> FloatArray:
        """(R, *shape) standard normals by Box–Muller: ``sqrt(-2 ln(1-U0)) cos(2π U1)``.

        ``U0`` and ``U1`` are sub-draws 0 and 1 of ``draw`` at the same element; only the
        cosine branch is used, so one normal costs two uniforms. ``|z| <= 8.57``.
        """
        dims = _check_shape(shape)
        return self._normal(_check_draw(draw), 0, math.prod(dims)).reshape(len(self._keys), *dims)

    def _log_gamma(
        self, draw: int, base: int, alpha: npt.ArrayLike, dims: tuple[int, ...]
    ) -> tuple[FloatArray, FloatArray]:
        """Gamma(alpha) variates as ``(y, log_boost)``, the value being ``y * exp(log_boost)``.

        Marsaglia & Tsang (2000) for shape ``a' = alpha`` (``alpha + 1`` when ``alpha <
        1``): with ``d = a' - 1/3``, ``c = 1/sqrt(9d)``, try ``t`` takes a normal ``x``
        and a uniform ``u``, sets ``v = (1 + cx)**3`` and accepts ``y = dv`` when ``v > 0``
        and (``u < 1 - 0.0331 x**4`` or ``ln u < x**2/2 + d(1 - v + ln v)``). Each element
        keeps its first accepted try, so its value depends on its own sub-draws only.
        The boost for ``alpha < 1`` is ``ln(U) / alpha`` with ``U`` in ``(0, 1]``.
        """
        out_shape = (len(self._keys), *dims)
        a = np.broadcast_to(np.asarray(alpha, dtype=np.float64), out_shape).reshape(-1)
        if not np.all(np.isfinite(a) & (a > 0)):
            raise ValueError("gamma shape parameters must be finite and > 0")
        n = math.prod(dims)
        small = a < 1.0
        d = np.where(small, a + 1.0, a) - 1.0 / 3.0
        c = 1.0 / np.sqrt(9.0 * d)
        y = d.copy()  # the fallback where every try is rejected
        pending = np.arange(a.size, dtype=np.intp)
        for t in range(GAMMA_TRIES):
            if pending.size == 0:
                break
            sub = base + 3 * t
            if t == 0:  # every element: the broadcast form is faster than gathering
                x = self._normal(draw, sub, n).reshape(-1)
                u = self._unit(draw, sub + 2, n)
            else:
                rows, elements = np.divmod(pending, n)
                x = _box_muller(
                    _to_unit(self._bits_at(draw, sub, rows, elements)),
                    _to_unit(self._bits_at(draw, sub + 1, rows, elements)),
                )
                u = _to_unit(self._bits_at(draw, sub + 2, rows, elements))
            dp = d[pending]
            w = 1.0 + c[pending] * x
            v = w * w * w  # not ** 3: numpy's general power is ~100x slower
            positive = v > 0.0
            with np.errstate(divide="ignore", invalid="ignore"):
                x2 = x * x
                squeeze = u < 1.0 - 0.0331 * (x2 * x2)
                full = np.log(u) < 0.5 * x2 + dp * (1.0 - v + np.log(v))
            accept = positive & (squeeze | full)
            y[pending[accept]] = (dp * v)[accept]
            pending = pending[~accept]
        boost = 1.0 - self._unit(draw, base + 3 * GAMMA_TRIES, n)
        log_boost = np.where(small, np.log(boost) / a, 0.0)
        return y.reshape(out_shape), log_boost.reshape(out_shape)

    def gamma(self, draw: int, alpha: npt.ArrayLike, shape: tuple[int, ...] = ()) -> FloatArray:
        """(R, *shape) Gamma(alpha, scale 1) variates (Marsaglia & Tsang 2000, vectorised).

        ``alpha > 0`` broadcasts against ``(R, *shape)``. Shapes below 1 use the boost
        ``Gamma(a) = Gamma(a + 1) * U**(1/a)``. Tries are capped at ``GAMMA_TRIES``; see
        its note for the fallback and its (astronomically small) probability.
        """
        dims = _check_shape(shape)
        y, log_boost = self._log_gamma(_check_draw(draw), 0, alpha, dims)
        return y * np.exp(log_boost)

    def beta(
        self, draw: int, a: npt.ArrayLike, b: npt.ArrayLike, shape: tuple[int, ...] = ()
    ) -> FloatArray:
        """(R, *shape) Beta(a, b) variates as ``X / (X + Y)``, X ~ Gamma(a), Y ~ Gamma(b).

        X uses the gamma sub-draws of ``draw``, Y the same shifted by ``BETA_SECOND``.
        The ratio is formed from logarithms, so tiny ``a`` and ``b`` (where both gammas
        underflow to 0) still give values in ``[0, 1]``.
        """
        dims = _check_shape(shape)
        d = _check_draw(draw)
        yx, bx = self._log_gamma(d, 0, a, dims)
        yy, by = self._log_gamma(d, BETA_SECOND, b, dims)
        log_x, log_y = np.log(yx) + bx, np.log(yy) + by
        return np.exp(log_x - np.logaddexp(log_x, log_y))

    def triangular(
        self,
        draw: int,
        low: npt.ArrayLike,
        mode: npt.ArrayLike,
        high: npt.ArrayLike,
        shape: tuple[int, ...] = (),
    ) -> FloatArray:
        """(R, *shape) triangular variates on ``[low, high]`` by the inverse CDF of one uniform.

        Requires finite ``low <= mode <= high``; ``low == high`` gives ``low`` (a point
        mass). Uses the uniform of ``draw`` (sub-draw 0) and no division.
        """
        dims = _check_shape(shape)
        u = self.uniform(draw, dims)
        lo, md, hi = (
            np.broadcast_to(np.asarray(p, dtype=np.float64), u.shape) for p in (low, mode, high)
        )
        if not np.all(np.isfinite(lo) & np.isfinite(hi) & (lo <= md) & (md <= hi)):
            raise ValueError("triangular needs finite low <= mode <= high")
        width = hi - lo
        left = lo + np.sqrt(u * width * (md - lo))
        right = hi - np.sqrt((1.0 - u) * width * (hi - md))
        return np.clip(np.where(u * width < md - lo, left, right), lo, hi)

    # -- discrete -----------------------------------------------------------------

    def choice(self, draw: int, weights: npt.ArrayLike, shape: tuple[int, ...] = ()) -> IntArray:
        """(R, *shape) indices drawn with probability proportional to ``weights``.

        The last axis of ``weights`` lists the categories; its other axes broadcast
        against ``(R, *shape)``. Weights must be finite, >= 0, with a positive sum;
        a category of weight 0 is never drawn. The index is the number of normalised
        cumulative weights ``<= U`` for the uniform ``U`` of the element.
        """
        dims = _check_shape(shape)
        w = np.asarray(weights, dtype=np.float64)
        if w.ndim == 0 or w.shape[-1] == 0:
            raise ValueError("weights need a non-empty last axis of categories")
        if not np.all(np.isfinite(w) & (w >= 0)):
            raise ValueError("weights must be finite and >= 0")
        cumulative = np.cumsum(w, axis=-1)
        total = cumulative[..., -1:]
        if not np.all(total > 0):
            raise ValueError("weights must have a positive sum")
        # x / x == 1 exactly, so the last positive category and all after it reach 1.0
        cdf = cumulative / total
        u = self.uniform(draw, dims)
        if cdf.ndim == 1:
            return np.searchsorted(cdf, u, side="right").astype(np.intp)
        cdf_b = np.broadcast_to(cdf, (*u.shape, cdf.shape[-1]))
        return np.asarray(np.count_nonzero(cdf_b <= u[..., None], axis=-1), dtype=np.intp)

    def permutation(self, draw: int, n: int) -> IntArray:
        """(R, n) a uniformly random permutation of ``0..n-1`` per run.

        The stable argsort of ``uniform(draw, (n,))``: ties (of probability about
        ``n**2 / 2**54``) keep index order, so the result stays deterministic.
        """
        u = self.uniform(draw, (operator.index(n),))
        return np.argsort(u, axis=1, kind="stable").astype(np.intp)
