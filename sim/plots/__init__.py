"""Figures of a batch's outcome distribution (matplotlib, no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt

from sim.plots.data import BatchData, load_batch
from sim.plots.figures import FIGURES

FORMATS = ("png", "svg", "pdf")


def plot_batch(folder: str | Path, out: str | Path | None = None, fmt: str = "png") -> list[Path]:
    """Write every figure of a batch; return the files written."""
    data = load_batch(folder)
    target = Path(out) if out is not None else Path(folder) / "figures"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in FIGURES.items():
        figure = draw(data)
        if figure is None:
            continue
        path = target / f"{name}.{fmt}"
        figure.savefig(path, dpi=130, bbox_inches="tight")
        plt.close(figure)
        written.append(path)
    return written


__all__ = ["FIGURES", "FORMATS", "BatchData", "load_batch", "plot_batch"]
