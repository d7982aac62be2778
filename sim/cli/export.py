"""``negsim export DIR OUT``: a batch's rows as one ``.csv`` or ``.parquet`` file."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.cli.common import add_force

if TYPE_CHECKING:
    import pandas as pd

#: The formats, by the suffix of OUT.
FORMATS = (".csv", ".parquet")


def register(commands: Any) -> None:
    """Add the subcommand."""
    parser = commands.add_parser(
        "export",
        help="a batch's rows as one .csv or .parquet file",
        description="Write every row of a batch (one per run, the columns of its "
        "runs/*.parquet parts, in scenario, sweep-point and run order) to one file, for a "
        "spreadsheet, R or any other tool. The format follows OUT's suffix: .csv (UTF-8, "
        "a header line, empty cells for missing values) or .parquet (the batch's column "
        "types kept).",
    )
    parser.add_argument("folder", metavar="DIR", help="a batch folder (negsim batch --out)")
    parser.add_argument("out", metavar="OUT", help="the file to write: NAME.csv or NAME.parquet")
    add_force(parser, "OUT")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Read the batch and write its rows to OUT."""
    from sim.batch import load_results
    from sim.scenario import Problem, ScenarioError
    from sim.scenario.problems import Origin

    out = Path(args.out)
    suffix = out.suffix.lower()
    problem = None
    if suffix not in FORMATS:
        shown = f"{out.suffix!r}" if out.suffix else "no suffix"
        problem = f"cannot tell the format from {shown}: name a .csv or .parquet file"
    elif out.is_dir():
        problem = "is a folder: name a .csv or .parquet file"
    elif out.exists() and not args.force:
        problem = "exists already (--force replaces it)"
    elif _inside(out, Path(args.folder) / "runs"):
        problem = f"is inside {args.folder}/runs, where it would be read as a part of the batch"
    if problem:
        raise ScenarioError([Problem(Origin(str(out)), (), problem)])
    frame = load_results(args.folder)
    write(frame, out)
    print(f"{len(frame):,} rows, {len(frame.columns)} columns written to {out}")
    return 0


def write(frame: pd.DataFrame, out: Path) -> None:
    """Write ``frame`` whole or not at all: into a temporary file beside OUT, then renamed."""
    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    os.close(handle)
    try:
        if out.suffix.lower() == ".csv":
            frame.to_csv(temporary, index=False, encoding="utf-8")
        else:
            frame.to_parquet(temporary, index=False)
        os.replace(temporary, out)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().parent == folder.resolve()
