"""Figures of a batch's outcome distribution (matplotlib, no display needed).

Importing :mod:`sim.plots` (or :mod:`sim.plots.colours`) loads no matplotlib: the
figure functions are loaded when first used.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.plots.colours import deal_colour

if TYPE_CHECKING:
    from sim.plots.data import BatchData, load_batch
    from sim.plots.figures import FIGURES

FORMATS = ("png", "svg", "pdf")


def plot_batch(
    folder: str | Path, out: str | Path | None = None, fmt: str = "png", top: int | None = None
) -> list[Path]:
    """Write every figure of a batch; return the files written."""
    import matplotlib.pyplot as plt

    from sim.plots.data import TOP_DEALS, load_batch
    from sim.plots.figures import FIGURES

    data = load_batch(folder, top=TOP_DEALS if top is None else top)
    target = Path(out) if out is not None else Path(folder) / "figures"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in FIGURES.items():
        figure = draw(data)
        if figure is None:
            continue
        path = target / f"{name}.{fmt}"
        try:
            figure.savefig(path, dpi=130, bbox_inches="tight")
        finally:
            plt.close(figure)
        written.append(path)
    return written


def __getattr__(name: str) -> Any:
    # PEP 562: the figure modules load matplotlib, so they are imported on first use.
    if name in ("BatchData", "load_batch"):
        from sim.plots import data

        return getattr(data, name)
    if name == "FIGURES":
        from sim.plots import figures

        return figures.FIGURES
    raise AttributeError(f"module 'sim.plots' has no attribute {name!r}")


__all__ = ["FIGURES", "FORMATS", "BatchData", "deal_colour", "load_batch", "plot_batch"]
