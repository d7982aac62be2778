"""Array type names used across the package."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

type BoolArray = npt.NDArray[np.bool_]
type FloatArray = npt.NDArray[np.float64]
type IntArray = npt.NDArray[np.intp]
type Float32Array = npt.NDArray[np.float32]
