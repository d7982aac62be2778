"""Compiled loops behind :class:`sim.rng.Streams` (numba): the same numbers, fewer passes.

Each loop computes, for every row ``r`` and element ``e`` of a draw, exactly the chain
of :mod:`sim.rng` (``m(m(k_r ^ word) ^ element_word[e])``, then the top 53 bits as a
float) and, for normals, Box–Muller's ``sqrt(-2 ln(1 - U0)) cos(2π U1)`` with the
operations in the order numpy applies them in ``sim.rng._box_muller``, writing into
arrays the caller allocated (the result, and for normals one scratch array) instead of
numpy's chain of temporaries.

Integer hashing, the conversion to a float, negation, ``* 2.0``, ``sqrt`` (correctly
rounded by IEEE 754), ``*`` and ``+`` give the same bits in any implementation (LLVM
does not fuse a multiply and an add here: numba compiles without ``fastmath``). The two
transcendentals are numpy's only if they are the same functions:

* ``log1p`` is a call into the platform's C math library, which is what numpy calls
  for float64 on this machine (glibc's ``log1p`` is not correctly rounded, so nothing
  but the same function gives its bits);
* ``cos(x)`` (``0 <= x < 2π``) is computed here, correctly rounded, wherever Ziv's
  rounding test proves the correct rounding (:func:`_cos_or_flag`, about 91% of
  arguments), and is the C library's call elsewhere. The two agree wherever the C
  library's cosine errs by less than 0.534 ulp; glibc's states at most 0.518 ulp
  (``sysdeps/ieee754/dbl-64/s_sin.c``), and the compiled value takes about 7 ns
  instead of the call's 24 ns.

Where numpy uses other versions (its own vectorised ones, e.g. with AVX-512, or another
C library), the last bit may differ. So :func:`compiled_transcendentals_match` compares
the compiled ``log1p`` and ``cos`` with numpy's on a fixed set of 20,000 arguments once
per process, and :mod:`sim.rng` uses the compiled Box–Muller only when they agree
(otherwise the transcendentals are numpy's).

Compiled once per machine and cached beside this file (``cache=True``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from fractions import Fraction
from typing import cast

import numba as nb
import numpy as np
from llvmlite import ir  # type: ignore[import-untyped]
from numba.core import types
from numba.extending import intrinsic
from numpy.typing import NDArray

from sim.arrays import FloatArray

type U64Array = NDArray[np.uint64]

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S11 = np.uint64(11)
_S27 = np.uint64(27)
_S30 = np.uint64(30)
_S31 = np.uint64(31)
_UNIT = 2.0**-53
_TWO_PI = 2.0 * np.pi  # the constant numpy multiplies by in sim.rng._box_muller

_jit = nb.njit(cache=True, nogil=True)
_inline = nb.njit(cache=True, nogil=True, inline="always")


# A copy of sim.simulation.kernels.mix on purpose: numba checks a cached function against
# its own source file only, so calling kernels' would leave these loops stale after an
# edit there. The tests hold both to sim.rng's arithmetic, bit for bit.
@_inline
def _mix(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@_inline
def _unit(bits: np.uint64) -> float:
    return float(np.int64(bits >> _S11)) * _UNIT


# -- cos(x) for 0 <= x < 2π: correctly rounded, or flagged for the C library ------------------
# π to 100 decimals; π/2 = P0 + P1 + P2 to about 2**-160 (P0 is ``math.pi / 2``).
_PI = Fraction(
    "3.14159265358979323846264338327950288419716939937510"
    "58209749445923078164062862089986280348253421170679"
)


def _split(value: Fraction) -> tuple[float, float]:
    """``value`` as a double-double ``hi + lo`` (``hi`` the nearest double)."""
    hi = float(value)
    return hi, float(value - Fraction(hi))


def _cos_term(k: int) -> Fraction:
    return Fraction((-1) ** k, math.factorial(2 * k))


def _sin_term(k: int) -> Fraction:
    return Fraction((-1) ** k, math.factorial(2 * k + 1))


_P0 = float(_PI / 2)
_P1, _P2 = _split(_PI / 2 - Fraction(_P0))
_TWO_OVER_PI = float(2 / _PI)
# cos r = 1 - z/2 + z**2 (C2 + z T_c(z)) and sin r = r + r z (S1 + z T_s(z)), z = r**2:
# C2 and S1 in double-double, the tails T (nine Taylor terms each: C3..C11, S2..S10)
# in double.
_C2H, _C2L = _split(_cos_term(2))
_S1H, _S1L = _split(_sin_term(1))
_TC0, _TC1, _TC2, _TC3, _TC4, _TC5, _TC6, _TC7, _TC8 = (float(_cos_term(k)) for k in range(3, 12))
_TS0, _TS1, _TS2, _TS3, _TS4, _TS5, _TS6, _TS7, _TS8 = (float(_sin_term(k)) for k in range(2, 11))
#: ``hi + lo`` is taken to round to ``hi`` when ``hi + ZIV * lo == hi``: when ``|lo|`` is
#: below ``0.5 / ZIV = 0.4545`` of the spacing next to ``hi`` (Ziv's rounding test).
_ZIV = 1.1


@intrinsic
def _fma_intrinsic(typingctx: object, a: object, b: object, c: object) -> object:
    """``a * b + c`` rounded once (LLVM's ``llvm.fma.f64``)."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context: object, builder: ir.IRBuilder, signature: object, args: object) -> object:
        double = ir.DoubleType()
        fnty = ir.FunctionType(double, [double, double, double])
        return builder.call(builder.module.declare_intrinsic("llvm.fma", [double], fnty), args)

    return sig, codegen


_fma = cast(Callable[[float, float, float], float], _fma_intrinsic)


@_inline
def _two_sum(a: float, b: float) -> tuple[float, float]:
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


@_inline
def _fast_two_sum(a: float, b: float) -> tuple[float, float]:
    s = a + b  # |a| >= |b|
    return s, b - (s - a)


@_inline
def _cos_or_flag(x: float) -> tuple[float, bool]:
    """``cos(x)`` correctly rounded for ``0 <= x < 2π``, and whether that is certain.

    ``x = n π/2 + r`` with ``|r| <= π/4``, ``r`` in double-double (relative error about
    2**-100); then ``cos r`` (``n`` even) or ``sin r`` (``n`` odd) from their Taylor
    series to ``z**11`` and ``z**10`` (``z = r**2``; truncation below 2**-75), the
    leading terms in double-double: the value ``hi + lo`` errs by less than 2**-59
    relative (0.011 ulp). It is *certain* when Ziv's test passes (``|lo|`` < 0.4545
    ulp), so that the exact cosine is more than 0.534 ulp from the other neighbours of
    ``hi``; about 9% of arguments fail the test. Branch-free, so the loop vectorises.
    """
    n = np.floor(x * _TWO_OVER_PI + 0.5)
    ph = n * _P0
    pe = _fma(n, _P0, -ph)
    a = x - ph  # exact (Sterbenz: x and n·P0 are within a factor of 2 when n >= 1)
    qh = n * _P1
    ql = _fma(n, _P1, -qh)
    th, tl = _two_sum(-pe, -qh)
    tl = tl - (ql + n * _P2)
    rh, e = _two_sum(a, th)
    rh, rl = _fast_two_sum(rh, e + tl)
    zh = rh * rh
    zl = _fma(rh, rh, -zh) + 2.0 * rh * rl
    zh, zl = _fast_two_sum(zh, zl)
    quadrant = n - 4.0 * np.floor(0.25 * n)
    odd = (quadrant == 1.0) | (quadrant == 3.0)
    t = _TS8 if odd else _TC8
    t = _fma(t, zh, _TS7 if odd else _TC7)
    t = _fma(t, zh, _TS6 if odd else _TC6)
    t = _fma(t, zh, _TS5 if odd else _TC5)
    t = _fma(t, zh, _TS4 if odd else _TC4)
    t = _fma(t, zh, _TS3 if odd else _TC3)
    t = _fma(t, zh, _TS2 if odd else _TC2)
    t = _fma(t, zh, _TS1 if odd else _TC1)
    t = _fma(t, zh, _TS0 if odd else _TC0)
    fh = _S1H if odd else _C2H  # F = S1 + z T_s or C2 + z T_c, in double-double
    fl = _fma(zh, t, _S1L if odd else _C2L)
    mh = zh * fh  # M = z F
    ml = _fma(zh, fh, -mh) + (zh * fl + zl * fh)
    one_h, one_l = _fast_two_sum(1.0, -0.5 * zh)
    ah = rh if odd else one_h  # the leading part: r, or 1 - z/2
    al = rl if odd else one_l - 0.5 * zl
    wh = rh if odd else zh  # the factor of M: r, or z
    wl = rl if odd else zl
    bh = wh * mh
    bl = _fma(wh, mh, -bh) + (wh * ml + wl * mh)
    s, e = _fast_two_sum(ah, bh)
    hi, lo = _fast_two_sum(s, e + (al + bl))
    certain = hi + _ZIV * lo == hi
    negative = (quadrant == 1.0) | (quadrant == 2.0)
    return (-hi if negative else hi), certain


@_inline
def _cos(x: float) -> float:
    """``math.cos(x)`` for ``0 <= x < 2π``: the fast value where certain, else the call."""
    value, certain = _cos_or_flag(x)
    return value if certain else math.cos(x)


@_jit
def cos_or_flag(x: FloatArray, out: FloatArray, certain: NDArray[np.bool_]) -> None:
    """:func:`_cos_or_flag` of each ``x`` (for the tests)."""
    for j in range(x.shape[0]):
        out[j], certain[j] = _cos_or_flag(x[j])


@_jit
def fill_bits(keys: U64Array, word: np.uint64, elements: U64Array, out: U64Array) -> None:
    """``out[r, e]`` = the bits of element ``e`` of the draw keyed by ``word`` in row ``r``."""
    for r in range(keys.shape[0]):
        key = _mix(keys[r] ^ word)
        for e in range(elements.shape[0]):
            out[r, e] = _mix(key ^ elements[e])


@_jit
def fill_unit(keys: U64Array, word: np.uint64, elements: U64Array, out: FloatArray) -> None:
    """``out[r, e]`` = the uniform in [0, 1) of those bits."""
    for r in range(keys.shape[0]):
        key = _mix(keys[r] ^ word)
        for e in range(elements.shape[0]):
            out[r, e] = _unit(_mix(key ^ elements[e]))


@_jit
def fill_pair(
    keys: U64Array,
    word0: np.uint64,
    word1: np.uint64,
    elements: U64Array,
    u0: FloatArray,
    u1: FloatArray,
) -> None:
    """``u0[r, e]``, ``u1[r, e]`` = the uniforms of sub-draws 0 and 1 (words 0 and 1)."""
    for r in range(keys.shape[0]):
        key0 = _mix(keys[r] ^ word0)
        key1 = _mix(keys[r] ^ word1)
        for e in range(elements.shape[0]):
            u0[r, e] = _unit(_mix(key0 ^ elements[e]))
            u1[r, e] = _unit(_mix(key1 ^ elements[e]))


@_jit
def fill_normal(
    keys: U64Array,
    word0: np.uint64,
    word1: np.uint64,
    elements: U64Array,
    out: FloatArray,
    scratch: FloatArray,
) -> None:
    """``out[r, e]`` = Box–Muller of the uniforms of sub-draws 0 and 1 (words 0 and 1).

    In three passes over C-contiguous ``out`` and ``scratch`` (its shape): the uniforms
    ``U0`` into ``out`` and ``U1`` into ``scratch``; ``cos(2π U1)`` where
    :func:`_cos_or_flag` is certain (a vectorised loop); then ``sqrt(-2 log1p(-U0))``
    times that cosine, or times the C library's where it was not certain.
    """
    fill_pair(keys, word0, word1, elements, out, scratch)
    u0, u1 = out.reshape(out.size), scratch.reshape(scratch.size)
    ask = np.empty(u1.size, dtype=np.bool_)
    for j in range(u1.size):
        value, certain = _cos_or_flag(_TWO_PI * u1[j])
        u1[j] = value if certain else u1[j]
        ask[j] = not certain
    for j in range(u0.size):
        cosine = math.cos(_TWO_PI * u1[j]) if ask[j] else u1[j]
        u0[j] = math.sqrt(-2.0 * math.log1p(-u0[j])) * cosine


#: Rows of a block whose normals :func:`fill_normals` computes together (its passes run
#: over buffers of this many rows, which stay in cache and are reused).
CHUNK = 64


@_inline
def _normals_of(
    keys: U64Array,
    words0: U64Array,
    words1: U64Array,
    elements: U64Array,
    rows: int,
    u0: FloatArray,
    u1: FloatArray,
    ask: NDArray[np.bool_],
) -> None:
    """:func:`fill_normal`'s three passes for rows ``rows:rows + CHUNK`` into ``u0``.

    Draw ``d`` keyed by ``words0[d]`` and ``words1[d]``; ``u0[(r * D + d) * n + e]`` for
    the ``r``-th row of the chunk. Each pass runs over the whole chunk, so the cosines'
    pass vectorises as in :func:`fill_normal`.
    """
    n_draws, m = words0.shape[0], elements.shape[0]
    stop = min(rows + CHUNK, keys.shape[0])
    j = 0
    for r in range(rows, stop):
        for d in range(n_draws):
            key0 = _mix(keys[r] ^ words0[d])
            key1 = _mix(keys[r] ^ words1[d])
            for e in range(m):
                u0[j + e] = _unit(_mix(key0 ^ elements[e]))
                u1[j + e] = _unit(_mix(key1 ^ elements[e]))
            j += m
    for i in range(j):
        value, certain = _cos_or_flag(_TWO_PI * u1[i])
        u1[i] = value if certain else u1[i]
        ask[i] = not certain
    for i in range(j):
        cosine = math.cos(_TWO_PI * u1[i]) if ask[i] else u1[i]
        u0[i] = math.sqrt(-2.0 * math.log1p(-u0[i])) * cosine


@_jit
def fill_normals(
    keys: U64Array, words0: U64Array, words1: U64Array, elements: U64Array, out: FloatArray
) -> None:
    """``out[r, d, e]`` = :func:`fill_normal`'s value of element ``e`` of draw ``d``.

    Draw ``d`` is keyed by ``words0[d]`` and ``words1[d]`` (its sub-draws 0 and 1): the
    arithmetic of :func:`fill_normal`, for several draws in one call, into ``out``
    (R, D, n), which may be a strided view (the parties' rows of a block's weights).
    """
    n_draws, m = words0.shape[0], elements.shape[0]
    size = CHUNK * n_draws * m
    u0, u1, ask = np.empty(size), np.empty(size), np.empty(size, dtype=np.bool_)
    for rows in range(0, keys.shape[0], CHUNK):
        _normals_of(keys, words0, words1, elements, rows, u0, u1, ask)
        j = 0
        for r in range(rows, min(rows + CHUNK, keys.shape[0])):
            for d in range(n_draws):
                for e in range(m):
                    out[r, d, e] = u0[j + e]
                j += m


@_jit
def fill_clipped_normals(
    keys: U64Array,
    words0: U64Array,
    words1: U64Array,
    elements: U64Array,
    scale: float,
    base: FloatArray,
    out: FloatArray,
) -> None:
    """``out[r, d] = clip(z * scale + base[r|0, d], 0, 1)``, ``z`` :func:`fill_normals`'s.

    ``base`` and ``out`` are (R|1, D', I, K) and (R, D', I, K) with ``D' >= D`` draws and
    ``I * K`` elements; rows ``d >= D`` of ``out`` are left alone. As :func:`add_clipped`
    of the normals.
    """
    n_draws, m, width = words0.shape[0], elements.shape[0], out.shape[3]
    size = CHUNK * n_draws * m
    u0, u1, ask = np.empty(size), np.empty(size), np.empty(size, dtype=np.bool_)
    shared = base.shape[0] == 1
    for rows in range(0, keys.shape[0], CHUNK):
        _normals_of(keys, words0, words1, elements, rows, u0, u1, ask)
        j = 0
        for r in range(rows, min(rows + CHUNK, keys.shape[0])):
            b = 0 if shared else r
            for d in range(n_draws):
                for i in range(out.shape[2]):
                    for k in range(width):
                        value = u0[j + i * width + k] * scale + base[b, d, i, k]
                        if value < 0.0:
                            value = 0.0
                        if value > 1.0:
                            value = 1.0
                        out[r, d, i, k] = value
                j += m


@_jit
def _transcendentals(u: FloatArray, log1p_out: FloatArray, cos_out: FloatArray) -> None:
    for j in range(u.shape[0]):
        log1p_out[j] = math.log1p(-u[j])
        cos_out[j] = _cos(_TWO_PI * u[j])


@functools.cache
def compiled_transcendentals_match() -> bool:
    """Whether the compiled ``log1p(-u)`` and ``cos(2π u)`` equal numpy's on 20,000 ``u``.

    The cosine is :func:`_cos` (the fast value where certain, else the C library's). The
    arguments are the uniforms' extremes (0, the smallest, the largest below 1, 1/2,
    1/4, 3/4) and 19,994 uniforms spread over [0, 1) by a fixed hash.
    """
    bits = np.empty((1, 19_994), dtype=np.uint64)
    fill_bits(
        np.array([0x5DEECE66D], dtype=np.uint64),
        np.uint64(0x9E3779B97F4A7C15),
        np.arange(19_994, dtype=np.uint64),
        bits,
    )
    spread = (bits[0] >> _S11).view(np.int64) * _UNIT
    edges = np.array([0.0, _UNIT, 1.0 - _UNIT, 0.5, 0.25, 0.75])
    u = np.concatenate([edges, spread])
    log1p_c, cos_c = np.empty_like(u), np.empty_like(u)
    _transcendentals(u, log1p_c, cos_c)
    return bool(
        np.array_equal(log1p_c, np.log1p(-u)) and np.array_equal(cos_c, np.cos(_TWO_PI * u))
    )


@_jit
def add_clipped(noise: FloatArray, scale: float, base: FloatArray, out: FloatArray) -> None:
    """``out = clip(noise * scale + base, 0, 1)`` elementwise, as numpy computes it.

    ``noise`` and ``out`` are (R, I, K), ``base`` (R|1, I, K); ``-0.0`` is kept, as by
    :func:`numpy.clip`.
    """
    shared = base.shape[0] == 1
    for r in range(noise.shape[0]):
        b = 0 if shared else r
        for i in range(noise.shape[1]):
            for k in range(noise.shape[2]):
                value = noise[r, i, k] * scale + base[b, i, k]
                if value < 0.0:
                    value = 0.0
                if value > 1.0:
                    value = 1.0
                out[r, i, k] = value
