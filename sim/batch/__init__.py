"""Batches of simulated negotiations: scenarios × sweep points × runs, on disk.

The names are loaded on first use (PEP 562), so that ``negsim batch --help`` and the
modules that only need the plan do not import pandas, pyarrow or Mesa.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.batch.plan import DEFAULT_BLOCK, Plan, plan_batch
    from sim.batch.run import Interrupted, execute, run_batch
    from sim.batch.store import load_results
    from sim.batch.summary import format_summary, summarise

#: Each public name and the module that defines it.
_LAZY = {
    "DEFAULT_BLOCK": "sim.batch.plan",
    "Plan": "sim.batch.plan",
    "plan_batch": "sim.batch.plan",
    "Interrupted": "sim.batch.run",
    "execute": "sim.batch.run",
    "run_batch": "sim.batch.run",
    "load_results": "sim.batch.store",
    "format_summary": "sim.batch.summary",
    "summarise": "sim.batch.summary",
}


def __getattr__(name: str) -> Any:
    """Import a public name on first use, then keep it."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sim.batch' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_BLOCK",
    "Interrupted",
    "Plan",
    "execute",
    "format_summary",
    "load_results",
    "plan_batch",
    "run_batch",
    "summarise",
]
