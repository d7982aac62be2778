"""Simulated runs as a tidy table: one row per run (DESIGN.md, "Results").

:func:`row_columns` is the one definition of the rows: each column as a numpy array
(with the rows that have a value, and a text column's labels). :func:`to_frame` makes
pandas of it; a batch makes its Arrow parts of the same columns without pandas
(:func:`sim.batch.schema.table_of`), so the rows on disk and in memory cannot differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from sim.arrays import BoolArray
from sim.simulation.model import ENDINGS, Outcomes
from sim.simulation.tables import FLOOR, Tables


def firm_column(key: str) -> str:
    """The column that says whether red line ``party.id`` was firm in the run."""
    return f"firm.{key}"


@dataclass(frozen=True)
class RowColumn:
    """One column of the rows, as numpy.

    ``values`` are float64, int64 or bool, or, for a text column (``labels`` given),
    codes into ``labels`` with -1 for none. ``valid`` marks the rows that have a value
    (None: all do); the others are null.
    """

    name: str
    values: npt.NDArray[Any]
    valid: BoolArray | None = None
    labels: tuple[str, ...] | None = None

    def to_pandas(self) -> Any:
        """The column as pandas holds it: a Categorical, an ``Int64`` array or numpy."""
        if self.labels is not None:
            return pd.Categorical.from_codes(self.values, categories=list(self.labels))
        if self.valid is not None and self.values.dtype == np.bool_:
            return pd.arrays.BooleanArray(self.values, ~self.valid)
        if self.valid is not None:
            return pd.arrays.IntegerArray(self.values.astype(np.int64), ~self.valid)
        return self.values


def row_columns(space: Tables, outcomes: Outcomes) -> list[RowColumn]:
    """Every column of the rows of ``outcomes``, in order (see :func:`to_frame`)."""
    agreed = outcomes.agreement
    n = agreed.size
    columns = [
        RowColumn("scenario", np.zeros(n, dtype=np.int8), labels=(space.scenario.id,)),
        RowColumn("run", outcomes.runs.astype(np.int64)),
        RowColumn("agreement", agreed),
        RowColumn("round", np.where(agreed, outcomes.round, 0).astype(np.int64), valid=agreed),
    ]
    for i, issue in enumerate(space.issues):
        codes = np.where(agreed, outcomes.choice[:, i], -1)
        columns.append(RowColumn(issue, codes, labels=tuple(space.options[i])))
    utility = np.ascontiguousarray(outcomes.utility.T, dtype=np.float64)
    for p, party in enumerate(space.parties):
        columns.append(RowColumn(f"u_{party}", utility[p]))
    reservation = np.ascontiguousarray(outcomes.reservation.T, dtype=np.float64)
    for p, party in enumerate(space.parties):
        columns.append(RowColumn(f"r_{party}", reservation[p]))
    firm = np.ascontiguousarray(outcomes.firm.T, dtype=bool)
    for k, line in enumerate(space.lines):
        if line.kind != FLOOR:  # a ratifier's reservation always binds at home
            columns.append(RowColumn(firm_column(line.key), firm[k]))
    columns.append(RowColumn("ended", outcomes.ended, labels=ENDINGS))
    for k, path in enumerate(space.scenario.uncertainty.parameters):
        columns.append(RowColumn(f"param.{path}", np.ascontiguousarray(outcomes.sampled[:, k])))
    for k, event in enumerate(space.scenario.events):
        columns.append(RowColumn(f"event.{event.id}", np.ascontiguousarray(outcomes.fired[:, k])))
    for k in space.stated:  # null where the line held (a firm one always)
        line = space.lines[k]
        rounds = np.ascontiguousarray(outcomes.gave_up[:, k]).astype(np.int64)
        columns.append(RowColumn(f"gave_up.{line.key}", rounds, valid=rounds >= 0))
    blocked = outcomes.blocker >= 0
    columns.append(RowColumn("blocker", outcomes.blocker, labels=space.parties))
    names = (*(line.key for line in space.lines), *space.issues)
    on = np.where(
        outcomes.blocked_line >= 0,
        outcomes.blocked_line,
        np.where(outcomes.blocked_issue >= 0, len(space.lines) + outcomes.blocked_issue, -1),
    )
    columns.append(RowColumn("blocked_on", np.where(blocked, on, -1), labels=names))
    if space.ratifiers:
        ratified = outcomes.ratified
        columns.append(RowColumn("ratified", ratified > 0, valid=ratified >= 0))
        informed = np.ascontiguousarray(outcomes.informed.T, dtype=bool)
        for q, ref in enumerate(space.ratifiers):
            columns.append(RowColumn(f"informed.{ref.key}", informed[q]))
    return columns


def frame_of(columns: list[RowColumn]) -> pd.DataFrame:
    """The columns as a DataFrame (one row per run)."""
    return pd.DataFrame({column.name: column.to_pandas() for column in columns})


def to_frame(space: Tables, outcomes: Outcomes) -> pd.DataFrame:
    """One row per run: agreement, round, the deal issue by issue, utilities, firm lines.

    ``u_<party>`` is the party's utility: the deal's, or its reservation value without
    a deal; ``r_<party>`` its reservation value in the run (sampled, moved by events).
    """
    return frame_of(row_columns(space, outcomes))
