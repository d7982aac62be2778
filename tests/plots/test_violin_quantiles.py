"""utilities.png's violins: a density of evenly spaced quantiles, the same median (13.5).

A kernel density costs time linear in the values it is given; with 20,000 runs of six
shipped scenarios it alone took about 14 s of `make run`.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.plots.figures import VIOLIN_QUANTILES, _quantiles


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(1, 3 * VIOLIN_QUANTILES), elements=st.floats(0, 1)))
def test_the_summary_keeps_the_median_and_the_range(values):
    summary = _quantiles(values)
    assert len(summary) == min(len(values), VIOLIN_QUANTILES)
    assert np.isclose(np.median(summary), np.median(values), rtol=0, atol=1e-12)
    assert (summary.min(), summary.max()) == (values.min(), values.max())
    if len(values) <= VIOLIN_QUANTILES:
        assert summary is values  # few values: all of them
