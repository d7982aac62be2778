"""The one schema of a batch's Parquet parts: every column's name and type, in one place.

Every part of a batch is written with the same Arrow schema, so that
``pyarrow.dataset``, ``pandas.read_parquet(DIR/runs)``, DuckDB and Polars read the
folder as one table (DESIGN.md, "Results"). The schema is the union of the columns of
every scenario of the batch (a column a scenario lacks is null in its rows); swept and
sampled numbers are float64 whatever values a sweep lists; text is dictionary-encoded.

The columns themselves are what :func:`sim.simulation.to_frame` makes of a run; a batch
finds them by simulating one run of each of its scenarios (see :func:`probe_columns`),
so a column added to the rows needs no change here.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa

if TYPE_CHECKING:
    from sim.simulation.results import RowColumn

#: The fixed columns of every row (DESIGN.md, "Results"), in the order the rows hold them.
SCENARIO = "scenario"
RUN = "run"
AGREEMENT = "agreement"
ROUND = "round"
ENDED = "ended"
#: Who refused the last text of a run without a deal, and the line or issue named.
BLOCKER = "blocker"
BLOCKED_ON = "blocked_on"
#: Whether the deal was ratified (null without agreement; when any party has ratifiers).
RATIFIED = "ratified"

#: Prefixes of the per-party and per-line columns.
UTILITY = "u_"
RESERVATION = "r_"
FIRM = "firm."
PARAMETER = "param."
EVENT = "event."
GAVE_UP = "gave_up."
#: Whether the negotiator knew a ratifier's limits in the run (``informed.<party>.<ratifier>``).
INFORMED = "informed."

type Kind = Literal["float64", "int64", "bool", "text"]

#: A column's kind as Arrow stores it.
ARROW: dict[str, pa.DataType] = {
    "float64": pa.float64(),
    "int64": pa.int64(),
    "bool": pa.bool_(),
    "text": pa.dictionary(pa.int32(), pa.string()),
}


@dataclass(frozen=True)
class Column:
    """One column of a batch: its name, its kind and whether some rows may be null.

    ``nullable`` matters to pandas only: an ``int64`` or ``bool`` column with nulls
    reads back as pandas' ``Int64`` or ``boolean``.
    """

    name: str
    kind: Kind
    nullable: bool = False

    @property
    def arrow(self) -> pa.DataType:
        """The Arrow type."""
        return ARROW[self.kind]

    def pandas_dtype(self) -> Any:
        """The pandas dtype rows of this column get in :func:`sim.batch.load_results`."""
        if self.kind == "int64" and self.nullable:
            return pd.Int64Dtype()
        if self.kind == "bool" and self.nullable:
            return pd.BooleanDtype()
        return None  # Arrow's own conversion: float64, int64, bool, category

    def to_json(self) -> dict[str, Any]:
        """As the manifest stores it."""
        return {"name": self.name, "type": self.kind, "nullable": self.nullable}


def kind_of_dtype(dtype: Any) -> tuple[Kind, bool]:
    """The kind (and nullability) of a pandas column as :func:`to_frame` makes it."""
    if (
        isinstance(dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
    ):
        return "text", True
    if isinstance(dtype, pd.BooleanDtype):
        return "bool", True
    if pd.api.types.is_bool_dtype(dtype):
        return "bool", False
    if isinstance(dtype, pd.api.extensions.ExtensionDtype) and pd.api.types.is_integer_dtype(dtype):
        return "int64", True
    if pd.api.types.is_integer_dtype(dtype):
        return "int64", False
    if pd.api.types.is_float_dtype(dtype):
        return "float64", True
    raise TypeError(f"no Parquet column kind for dtype {dtype}")


def sweep_kind(values: Iterable[Any]) -> Kind:
    """The kind of a swept column: float64 for numbers (0 and 0.35 alike), else bool or text."""
    values = list(values)
    if values and all(isinstance(v, bool) for v in values):
        return "bool"
    if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "float64"
    return "text"


def batch_columns(
    frames: Sequence[pd.DataFrame], sweeps: Mapping[str, Sequence[Any]]
) -> tuple[Column, ...]:
    """The union of the columns of every scenario's rows, one kind each.

    ``frames`` are rows of each scenario (one run is enough); ``sweeps`` every swept
    path of the batch with its values. A column that some scenario lacks is nullable.
    Swept paths follow the scenario column, as the rows hold them.
    """
    order: list[str] = []
    kinds: dict[str, tuple[Kind, bool]] = {}
    seen_in: dict[str, int] = {}
    for frame in frames:
        for name in frame.columns:
            if name in sweeps:
                continue
            kind, nullable = kind_of_dtype(frame[name].dtype)
            if name == ROUND or name.startswith(GAVE_UP):
                nullable = True  # null without agreement / while the line held
            if name in kinds:
                before, was_nullable = kinds[name]
                if before != kind:
                    raise TypeError(
                        f"column {name!r} is {before} in one scenario, {kind} in another"
                    )
                nullable = nullable or was_nullable
            else:
                order.append(name)
            kinds[name] = (kind, nullable)
            seen_in[name] = seen_in.get(name, 0) + 1
    columns = [Column(n, kinds[n][0], kinds[n][1] or seen_in[n] < len(frames)) for n in order]
    swept = [Column(path, sweep_kind(values), True) for path, values in sweeps.items()]
    at = 1 if order and order[0] == SCENARIO else 0
    return tuple(columns[:at] + swept + columns[at:])


def arrow_schema(columns: Sequence[Column]) -> pa.Schema:
    """The Arrow schema every part of the batch is written with.

    It carries pandas' metadata, so that ``pandas.read_parquet(DIR/runs)`` gives the
    dtypes :func:`sim.batch.load_results` gives (``Int64`` rounds, categories).
    """
    return _arrow_schema(tuple(columns))


@functools.lru_cache(maxsize=32)
def _arrow_schema(columns: tuple[Column, ...]) -> pa.Schema:
    schema = pa.schema([pa.field(c.name, c.arrow, nullable=True) for c in columns])
    empty = pd.DataFrame(
        {
            c.name: pd.Series(
                [], dtype="category" if c.kind == "text" else (c.pandas_dtype() or c.kind)
            )
            for c in columns
        }
    )
    pandas = pa.Schema.from_pandas(empty, preserve_index=False).metadata
    return schema.with_metadata(pandas) if pandas else schema


def to_table(frame: pd.DataFrame, columns: Sequence[Column]) -> pa.Table:
    """A block's rows as an Arrow table of the batch's schema (missing columns are null).

    Raises ValueError for a column that the schema does not have or whose values do not
    fit its kind: a part never holds anything but the batch's schema.
    """
    names = {c.name for c in columns}
    extra = [name for name in frame.columns if name not in names]
    if extra:
        raise ValueError(f"columns not in the batch's schema: {', '.join(map(str, extra))}")
    arrays = []
    for column in columns:
        if column.name in frame.columns:
            values = frame[column.name]
            if column.kind == "text" and not isinstance(values.dtype, pd.CategoricalDtype):
                values = values.map(lambda v: v if v is None or v is pd.NA else str(v))
            arrays.append(pa.array(values, type=column.arrow, from_pandas=True))
        else:
            arrays.append(pa.nulls(len(frame), column.arrow))
    return pa.Table.from_arrays(arrays, schema=arrow_schema(columns))


@dataclass(frozen=True)
class Rows:
    """A block's rows as a worker makes them: the simulated columns and the point's sweep.

    The swept paths follow the scenario column, one value for every row of the block.
    """

    columns: list[RowColumn]
    sweep: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.columns[0].values) if self.columns else 0

    def frame(self) -> pd.DataFrame:
        """The rows as pandas (as :func:`sim.simulation.to_frame`, with the sweep's columns)."""
        from sim.simulation.results import frame_of

        frame = frame_of(self.columns)
        for k, (path, value) in enumerate(self.sweep.items()):
            frame.insert(1 + k, path, value)
        return frame

    def table(self, columns: Sequence[Column]) -> pa.Table:
        """The rows as an Arrow table of the batch's schema, straight from numpy.

        The same table as :func:`to_table` of :meth:`frame`, without pandas; raises
        ValueError for a column the schema does not have or of another kind.
        """
        n = len(self)
        given = {c.name: c for c in self.columns}
        names = {c.name for c in columns}
        extra = [name for name in [*self.sweep, *given] if name not in names]
        if extra:
            raise ValueError(f"columns not in the batch's schema: {', '.join(map(str, extra))}")
        arrays = []
        for column in columns:
            if column.name in self.sweep:
                arrays.append(_constant(self.sweep[column.name], n, column))
            elif column.name in given:
                arrays.append(_arrow_array(given[column.name], column))
            else:
                arrays.append(pa.nulls(n, column.arrow))
        return pa.Table.from_arrays(arrays, schema=arrow_schema(columns))


def _arrow_array(rows: RowColumn, column: Column) -> pa.Array:
    if (rows.labels is not None) != (column.kind == "text"):
        raise ValueError(f"column {rows.name!r} does not fit the batch's kind {column.kind}")
    if rows.labels is not None:
        codes = rows.values
        missing = codes < 0
        indices = pa.array(codes.astype(np.int32), mask=missing if missing.any() else None)
        return pa.DictionaryArray.from_arrays(indices, pa.array(rows.labels, pa.string()))
    mask = None if rows.valid is None else ~rows.valid
    try:
        return pa.array(rows.values, type=column.arrow, mask=mask)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise ValueError(
            f"column {rows.name!r} does not fit its kind {column.kind}: {exc}"
        ) from None


def _constant(value: Any, n: int, column: Column) -> pa.Array:
    """A swept value in every row, of the column's kind (text: as :func:`to_table` spells it)."""
    if value is None:
        return pa.nulls(n, column.arrow)
    if column.kind == "text":
        indices = pa.array(np.zeros(n, dtype=np.int32))
        return pa.DictionaryArray.from_arrays(indices, pa.array([str(value)], pa.string()))
    try:
        return pa.array(np.full(n, value), type=column.arrow)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        raise ValueError(f"sweep {column.name!r}: {value!r} does not fit {column.kind}") from None


def to_frame(table: pa.Table, columns: Sequence[Column]) -> pd.DataFrame:
    """An Arrow table of parts as pandas, each column with its batch dtype."""
    kinds = {c.name: c for c in columns}
    data: dict[str, Any] = {}
    for name in table.column_names:
        series = table.column(name).to_pandas()
        dtype = kinds[name].pandas_dtype() if name in kinds else None
        if dtype is not None:
            series = series.astype(dtype)
        data[name] = series
    return pd.DataFrame(data, index=np.arange(table.num_rows)) if data else pd.DataFrame()
