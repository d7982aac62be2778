"""Reading back a batch with thousands of red lines: footer memory and the summary's peak.

Run: .venv/bin/python benchmarks/bench_wide.py [--lines 8000] [--runs 100000] [--block 20000]

A scenario of 20 issues and 4 parties holding ``--lines`` red lines between them has
two columns per line (``firm.*``, ``gave_up.*``): 16,035 columns at 8,000 lines. Its
batch (deadline 3, so that it runs in a few minutes) is written once; then, each in a
fresh subprocess:

* ``batch``: the command itself (one worker), its time and peak resident memory;
* ``footer``: one part's footer parsed (``pyarrow.parquet.ParquetFile``), its resident
  memory against its serialised length: the expansion that
  ``sim.batch.store.FOOTER_EXPANSION`` must bound;
* ``summary``: what ``negsim batch`` prints after the runs (``summarise`` and
  ``summary_text``), its peak resident memory, with the read-ahead bounded by footer
  memory (``READ_AHEAD_BYTES``, as shipped) and unbounded (``2 * READERS`` parts in
  flight whatever their footers: the reader before the bound).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]

FOOTER = r"""
import json, sys
import pyarrow.parquet as pq
def rss(): return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) * 1024
before = rss()
meta = pq.ParquetFile(sys.argv[1]).metadata
print(json.dumps({"parsed": rss() - before, "serialised": meta.serialized_size,
                  "row_groups": meta.num_row_groups, "columns": meta.num_columns}))
"""

SUMMARY = r"""
import json, resource, sys
import sim.batch.store as store
if sys.argv[2] == "unbounded":
    store.READ_AHEAD_BYTES = 1 << 62
from sim.batch import format_summary, summarise
from sim.causes import summary_text
text = format_summary(summarise(sys.argv[1])) + summary_text(sys.argv[1])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"peak": peak, "chars": len(text)}))
"""


def scenario(lines: int) -> dict[str, object]:
    """The wide scenario: 20 issues of 3 options, 4 parties, ``lines`` red lines."""
    rng = np.random.default_rng(3)

    def value() -> float:
        return round(float(rng.random()), 2)

    issues = {f"i{i}": {"options": {"a": "A", "b": "B", "c": "C"}} for i in range(20)}
    parties: dict[str, object] = {}
    for p in range(4):
        red_lines = []
        for k in range(lines // 4):
            a, b = rng.choice(20, 2, replace=False)
            one, two = (str(rng.choice(list("abc"))) for _ in range(2))
            forbid = {f"i{a}": [one], f"i{b}": [two]}
            red_lines.append({"id": f"l{k}", "forbid": forbid, "credibility": 0.9})
        parties[f"p{p}"] = {
            "signs": p > 0,
            "reservation": 0.2,
            "strategy": {"type": "linear" if p else "single_text"},
            "weights": {i: 1 for i in issues},
            "values": {i: {"a": value(), "b": 0.5, "c": value()} for i in issues},
            "red_lines": red_lines,
        }
    return {
        "id": "wide",
        "title": f"{lines} red lines",
        "deadline": 3,
        "protocol": "mediated",
        "mediator": "p0",
        "issues": issues,
        "parties": parties,
    }


def child(code: str, *args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=8000)
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--block", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "wide.yaml"
        path.write_text(yaml.safe_dump(scenario(args.lines), sort_keys=False), encoding="utf-8")
        out = Path(tmp) / "out"
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", "from sim.cli import entry; entry()", "batch", str(path),
             "--runs", str(args.runs), "--block", str(args.block), "--workers", "1",
             "--quiet", "--out", str(out)],
            check=True, cwd=ROOT,
        )  # fmt: skip
        elapsed = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
        print(
            f"batch: {args.runs:,} runs in {elapsed:,.0f} s, peak {peak / 2**20:,.0f} MiB"
            " (one worker, in the batch process: simulation, parts and summary)"
        )
        part = sorted((out / "runs").glob("*.parquet"))[0]
        footer = child(FOOTER, str(part))
        print(
            f"footer: {footer['columns']:,} columns x {footer['row_groups']} row groups,"
            f" {footer['serialised'] / 2**20:,.1f} MiB serialised,"
            f" {footer['parsed'] / 2**20:,.0f} MiB parsed"
            f" (expansion {footer['parsed'] / footer['serialised']:.1f})"
        )
        for mode in ("bounded", "unbounded"):
            summary = child(SUMMARY, str(out), mode)
            print(f"summary, read-ahead {mode:9s}: peak {summary['peak'] / 2**20:,.0f} MiB")


if __name__ == "__main__":
    main()
