"""Batches of simulated negotiations: scenarios × sweep points × runs, on disk."""

from sim.batch.plan import DEFAULT_BLOCK, Plan, plan_batch
from sim.batch.run import Interrupted, execute, run_batch
from sim.batch.store import load_results
from sim.batch.summary import format_summary, summarise

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
