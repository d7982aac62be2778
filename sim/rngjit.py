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
transcendentals, ``log1p`` and ``cos``, are calls into the platform's C math library,
which is also what numpy calls for float64 on this machine; where numpy uses its own
vectorised versions (e.g. with AVX-512), the last bit may differ. So
:func:`compiled_transcendentals_match` compares the compiled calls with numpy's on a
fixed set of 20,000 arguments once per process, and :mod:`sim.rng` uses the compiled
Box–Muller only when they agree (otherwise the transcendentals are numpy's).

Compiled once per machine and cached beside this file (``cache=True``).
"""

from __future__ import annotations

import functools
import math

import numba as nb
import numpy as np
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


@_inline
def _mix(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@_inline
def _unit(bits: np.uint64) -> float:
    return float(np.int64(bits >> _S11)) * _UNIT


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

    Three passes (the uniforms, then ``sqrt(-2 log1p(-U0))``, then ``* cos(2π U1)``), as
    tight loops around each C call are faster than one loop around both; ``scratch``
    (the shape of ``out``) holds ``U1``.
    """
    fill_pair(keys, word0, word1, elements, out, scratch)
    for r in range(out.shape[0]):
        for e in range(out.shape[1]):
            out[r, e] = math.sqrt(-2.0 * math.log1p(-out[r, e]))
    for r in range(out.shape[0]):
        for e in range(out.shape[1]):
            out[r, e] *= math.cos(_TWO_PI * scratch[r, e])


@_jit
def _transcendentals(u: FloatArray, log1p_out: FloatArray, cos_out: FloatArray) -> None:
    for j in range(u.shape[0]):
        log1p_out[j] = math.log1p(-u[j])
        cos_out[j] = math.cos(_TWO_PI * u[j])


@functools.cache
def compiled_transcendentals_match() -> bool:
    """Whether the compiled ``log1p(-u)`` and ``cos(2π u)`` equal numpy's on 20,000 ``u``.

    The arguments are the uniforms' extremes (0, the smallest, the largest below 1, 1/2,
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
