"""Test-wide settings."""

from __future__ import annotations

from hypothesis import settings

# The first call of a compiled function in a process loads it from numba's cache (a few
# tenths of a second), which hypothesis would count against the example's deadline.
settings.register_profile("negsim", deadline=None)
settings.load_profile("negsim")
