"""Simulated runs as a tidy table: one row per run (DESIGN.md, "Results")."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.simulation.model import ENDINGS, Outcomes
from sim.simulation.tables import Tables


def firm_column(key: str) -> str:
    """The column that says whether red line ``party.id`` was firm in the run."""
    return f"firm.{key}"


def to_frame(space: Tables, outcomes: Outcomes) -> pd.DataFrame:
    """One row per run: agreement, round, the deal issue by issue, utilities, firm lines.

    ``u_<party>`` is the party's utility: the deal's, or its reservation value without
    a deal; ``r_<party>`` its reservation value in the run (sampled, moved by events).
    """
    agreed = outcomes.agreement
    columns: dict[str, object] = {
        "scenario": pd.Categorical([space.scenario.id] * agreed.size),
        "run": outcomes.runs.astype(np.int64),
        "agreement": agreed,
        "round": pd.array(np.where(agreed, outcomes.round, 0), dtype="Int64"),
    }
    columns["round"][~agreed] = pd.NA  # type: ignore[index]
    for i, issue in enumerate(space.issues):
        codes = np.where(agreed, outcomes.choice[:, i], -1)
        columns[issue] = pd.Categorical.from_codes(codes, categories=list(space.options[i]))
    for p, party in enumerate(space.parties):
        columns[f"u_{party}"] = outcomes.utility[:, p]
    for p, party in enumerate(space.parties):
        columns[f"r_{party}"] = outcomes.reservation[:, p]
    for k, line in enumerate(space.lines):
        columns[firm_column(line.key)] = outcomes.firm[:, k]
    columns["ended"] = pd.Categorical.from_codes(outcomes.ended, categories=list(ENDINGS))
    return pd.DataFrame(columns)
