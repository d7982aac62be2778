"""Scenario discovery: the conditions under which a batch's runs reach a target.

PRIM, the patient rule induction method (Friedman & Fisher 1999), as used for scenario
discovery by Bryant & Lempert (2010), from EMA Workbench (:mod:`ema_workbench.analysis.prim`;
not written again here). Its inputs are every input column of a batch's rows: the
sampled parameters (``param.<path>``), whether each red line was firm
(``firm.<party>.<line>``, and ``firm.<party>.<ratifier>.<line>`` for a ratifier's, on/off),
whether a negotiator knew a ratifier's limits (``informed.<party>.<ratifier>``, on/off),
whether each event fired (``event.<id>``, on/off) and the swept fields (one column per
swept path). The target is one of

- ``deal`` (the ``agreement`` column),
- ``no_deal``,
- ``ratified`` (a deal that is ratified at home: ``ratified`` is true) and
  ``unratified`` (a deal signed and not ratified: it fails at home), on a batch whose
  parties have ratifiers,
- a given deal, ``issue=option,...`` (some or all of the issues: every run whose
  agreement has these options).

**Which box.** PRIM peels the input space one small slice at a time, leaving a
*peeling trajectory* of ever smaller boxes whose density (the share of the box's runs
that reach the target) rises while their coverage (the share of all target runs the
box holds) falls. As EMA's users do, one box is chosen on that trade-off; the rule here:
*the box of highest density among those that hold at least ``min_coverage`` (default
50%) of the target runs not yet covered by an earlier box; among equal densities, the
one of highest coverage.* Restrictions of the chosen box whose quasi-p value (Bryant &
Lempert's one-sided binomial test, EMA's ``p_values``) is above 0.05 are then dropped
(EMA's ``drop_restriction``): they do not change the density more than chance. Further
boxes are searched among the runs outside the earlier ones (PRIM's covering), up to
``boxes`` of them, stopping early when a box is no denser than the whole batch or
fewer than :data:`MIN_RUNS` target runs remain.

**Where PRIM cannot work.** A target in every run or in none has a plain answer (no
condition is needed, or none exists): the result has no box and says so
(:attr:`Discovery.note`), and the command exits 0. Fewer than :data:`MIN_RUNS` runs with
(or without) the target, or no input that varies, are errors (a ScenarioError, exit 2):
more runs or a batch with uncertainty would answer.

A batch of several scenarios is discovered per scenario (the scenarios' inputs differ),
or, pooled, in one search over all their rows with the scenario one more input (then
only the inputs every scenario has take part).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from sim.batch.schema import AGREEMENT, EVENT, FIRM, INFORMED, PARAMETER, RATIFIED, SCENARIO
from sim.scenario import Problem, Scenario, ScenarioError
from sim.scenario.problems import Origin

if TYPE_CHECKING:
    import pandas as pd

#: Fewest runs with the target, and without it, PRIM is run on.
MIN_RUNS = 20
#: The default share of the (not yet covered) target runs a chosen box must hold.
MIN_COVERAGE = 0.5
#: The default number of boxes searched for.
BOXES = 3
#: Restrictions with a quasi-p value above this are dropped from a chosen box.
SIGNIFICANCE = 0.05

type Op = Literal["<=", ">=", "==", "in"]


@dataclass(frozen=True)
class Target:
    """What the runs are asked to reach."""

    kind: Literal["deal", "no_deal", "ratified", "unratified", "given"]
    #: For a given deal: the issues and options it fixes (file order of the issues).
    options: tuple[tuple[str, str], ...] = ()

    @property
    def text(self) -> str:
        """The target as the command line spells it (``deal``, ``issue=option,...``, ...)."""
        if self.kind == "given":
            return ",".join(f"{issue}={option}" for issue, option in self.options)
        return self.kind

    def reached(self, rows: pd.DataFrame) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Which rows reach the target."""
        agreed: np.ndarray[Any, np.dtype[np.bool_]] = rows[AGREEMENT].to_numpy(dtype=bool)
        if self.kind == "deal":
            return agreed
        if self.kind == "no_deal":
            return ~agreed
        if self.kind in ("ratified", "unratified"):
            ratified = rows[RATIFIED].astype("boolean")
            wanted = self.kind == "ratified"
            home: np.ndarray[Any, np.dtype[np.bool_]] = (
                (ratified == wanted).fillna(False).to_numpy(dtype=bool)
            )
            return agreed & home
        hit = agreed.copy()
        for issue, option in self.options:
            hit &= (rows[issue].astype(object) == option).to_numpy(dtype=bool)
        return hit

    def words(self, scenario: Scenario) -> tuple[str, str]:
        """The target in words: (one run, e.g. "a deal"; all of them, e.g. "all deals")."""
        if self.kind == "deal":
            return "a deal", "all deals"
        if self.kind == "no_deal":
            return "no deal", "all runs without a deal"
        if self.kind == "ratified":
            return "a ratified deal", "all ratified deals"
        if self.kind == "unratified":
            return "a deal that fails at home (signed, not ratified)", "all such deals"
        labels = "; ".join(
            scenario.issues[issue].options[option].label or f"{issue}={option}"
            for issue, option in self.options
        )
        return f"a deal with '{labels}'", "all such deals"


def parse_target(text: str, scenarios: Sequence[Scenario], where: str) -> Target:
    """The target named by ``text``; a ScenarioError (naming ``where``) if it names nothing."""
    text = text.strip()
    if text in ("deal", "no_deal"):
        return Target(text)  # type: ignore[arg-type]
    if text in ("ratified", "unratified"):
        without = [s.id for s in scenarios if not s.has_ratifiers]
        if without:
            raise ScenarioError(
                [
                    Problem(
                        Origin(where),
                        (),
                        f"--target {text}: no party of {', '.join(without)} has ratifiers"
                        " (parties.P.ratification), so no deal is ratified or fails at home",
                    )
                ]
            )
        return Target(text)  # type: ignore[arg-type]
    problems: list[str] = []
    chosen: dict[str, str] = {}
    for piece in text.split(","):
        issue, eq, option = (part.strip() for part in piece.partition("="))
        if not eq or not issue or not option:
            problems.append(
                f"--target {text!r}: expected deal, no_deal or issue=option,... (or ratified,"
                f" unratified on a batch with ratifiers) (got {piece!r})"
            )
            continue
        if issue in chosen:
            problems.append(f"--target {text!r}: issue {issue!r} is named twice")
            continue
        for scenario in scenarios:
            if issue not in scenario.issues:
                known = ", ".join(scenario.issues)
                problems.append(
                    f"--target: {scenario.id} has no issue {issue!r} (its issues: {known})"
                )
            elif option not in scenario.issues[issue].options:
                known = ", ".join(scenario.issues[issue].options)
                problems.append(
                    f"--target: issue {issue!r} of {scenario.id} has no option {option!r}"
                    f" (its options: {known})"
                )
        chosen[issue] = option
    if problems:
        raise ScenarioError([Problem(Origin(where), (), p) for p in dict.fromkeys(problems)])
    order = list(scenarios[0].issues)
    return Target("given", tuple(sorted(chosen.items(), key=lambda kv: order.index(kv[0]))))


@dataclass(frozen=True)
class Condition:
    """One restriction of a box: ``column op value``, and the same in words."""

    column: str
    op: Op
    value: Any
    words: str
    subject: str = ""  # the input in words ("Ukraine's reservation value")
    state: str = ""  # what the box asks of it ("is at most 0.32")

    def to_json(self) -> dict[str, Any]:
        """As ``--json`` prints it."""
        return {"column": self.column, "op": self.op, "value": self.value}


@dataclass(frozen=True)
class Box:
    """A chosen box: its conditions, coverage, density and the runs it holds."""

    conditions: tuple[Condition, ...]
    coverage: float  # share of all target runs inside the box
    density: float  # share of the box's runs that reach the target
    runs: int  # runs inside the box
    hits: int  # target runs inside the box
    step: int  # its place on the peeling trajectory

    def to_json(self) -> dict[str, Any]:
        """As ``--json`` prints it."""
        return {
            "conditions": [c.to_json() for c in self.conditions],
            "coverage": self.coverage,
            "density": self.density,
            "runs": self.runs,
        }


@dataclass(frozen=True)
class Trajectory:
    """One PRIM search's peeling trajectory: coverage, density, restricted inputs per step."""

    coverage: tuple[float, ...]
    density: tuple[float, ...]
    restricted: tuple[int, ...]
    chosen: int  # the step chosen by the rule (before insignificant restrictions dropped)


@dataclass(frozen=True)
class Discovery:
    """The boxes found for one scenario of a batch."""

    scenario: Scenario
    target: Target
    runs: int
    hits: int
    inputs: tuple[str, ...]
    boxes: tuple[Box, ...]
    trajectories: tuple[Trajectory, ...] = ()
    min_coverage: float = MIN_COVERAGE
    note: str | None = None  # why there is no box, when there is none
    pooled: tuple[str, ...] = ()  # the scenarios pooled, the scenario an input
    ranges: dict[str, tuple[float, float]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The scenario's id, or the pooled scenarios' ids."""
        return "+".join(self.pooled) if self.pooled else self.scenario.id

    @property
    def share(self) -> float:
        """The share of runs that reach the target."""
        return self.hits / self.runs if self.runs else math.nan

    def to_json(self) -> dict[str, Any]:
        """``{"target", "share", "boxes"}`` (DESIGN.md, ``negsim discover``)."""
        return {
            "target": self.target.text,
            "share": self.share,
            "boxes": [box.to_json() for box in self.boxes],
        }


def rule_text(min_coverage: float) -> str:
    """The box-choice rule in words, as the output states it."""
    return (
        f"each box is the densest on PRIM's peeling trajectory that still holds at least"
        f" {min_coverage:.0%} of the target runs not covered by an earlier box; restrictions"
        f" that are not significant (quasi-p > {SIGNIFICANCE:g}) are dropped"
    )


def input_columns(rows: pd.DataFrame, swept: Sequence[str], pooled: bool = False) -> list[str]:
    """The input columns of ``rows`` that vary: sampled, firm, informed, events fired, swept.

    ``pooled`` (the rows of several scenarios): the scenario is an input too, and a
    column only some scenarios have (null in the others' rows) is left out.
    """
    names = [
        name
        for name in rows.columns
        if name.startswith((PARAMETER, FIRM, INFORMED, EVENT))
        or name in set(swept)
        or (pooled and name == SCENARIO)
    ]
    varying = []
    for name in names:
        column = rows[name]
        if column.isna().any():
            continue
        if column.nunique() > 1:
            varying.append(name)
    return varying


def discover(
    folder: str | Path,
    target: str = "deal",
    scenario: str | None = None,
    min_coverage: float = MIN_COVERAGE,
    boxes: int = BOXES,
    pooled: bool = False,
) -> list[Discovery]:
    """PRIM's boxes for ``target`` in every scenario of the batch in ``folder`` (or one).

    ``pooled``: one search over the rows of every scenario, the scenario an input.
    """
    from sim.batch.manifest import Manifest
    from sim.batch.store import read_batch

    folder = Path(folder)
    manifest = Manifest.read(folder)
    ids = manifest.scenario_ids()
    if scenario is not None and scenario not in ids:
        raise ScenarioError(
            [
                Problem(
                    Origin(str(folder)),
                    (),
                    f"--scenario {scenario!r}: not in this batch (its scenarios: {', '.join(ids)})",
                )
            ]
        )
    chosen = [scenario] if scenario is not None else ids
    typed = {sid: _first_point(manifest, sid).scenario() for sid in chosen}
    goal = parse_target(target, list(typed.values()), str(folder))
    # Only what PRIM reads: the target's columns and the inputs (not utilities, rounds...).
    every_swept = {path for grid in manifest.sweeps.values() for path in grid}
    wanted = [
        c.name
        for c in manifest.columns
        if c.name in (SCENARIO, AGREEMENT)
        or (c.name == RATIFIED and goal.kind in ("ratified", "unratified"))
        or c.name in dict(goal.options)
        or c.name in every_swept
        or c.name.startswith((PARAMETER, FIRM, INFORMED, EVENT))
    ]
    batch = read_batch(folder, wanted, manifest=manifest)
    if pooled and len(chosen) > 1:
        swept_all = [path for sid in chosen for path in manifest.sweeps.get(sid, {})]
        rows = batch.rows.reset_index(drop=True)
        return [
            discover_rows(
                rows,
                typed[chosen[0]],
                goal,
                list(dict.fromkeys(swept_all)),
                str(folder),
                min_coverage=min_coverage,
                boxes=boxes,
                pooled=tuple(chosen),
            )
        ]
    found = []
    for sid in chosen:
        keep = np.isin(
            batch.point, [k for k, p in enumerate(manifest.points) if p.scenario_id == sid]
        )
        rows = batch.rows[keep].reset_index(drop=True)
        swept = list(manifest.sweeps.get(sid, {}))
        found.append(
            discover_rows(
                rows, typed[sid], goal, swept, str(folder), min_coverage=min_coverage, boxes=boxes
            )
        )
    return found


def _first_point(manifest: Any, scenario_id: str) -> Any:
    return next(p for p in manifest.points if p.scenario_id == scenario_id)


def discover_rows(
    rows: pd.DataFrame,
    scenario: Scenario,
    target: Target,
    swept: Sequence[str] = (),
    where: str = "<rows>",
    min_coverage: float = MIN_COVERAGE,
    boxes: int = BOXES,
    pooled: tuple[str, ...] = (),
) -> Discovery:
    """PRIM's boxes for ``target`` over the input columns of one scenario's ``rows``.

    ``pooled``: the rows are those of these scenarios (``scenario`` is the one whose
    labels are used), and the scenario is an input.
    """
    import pandas as pd

    y = target.reached(rows)
    runs, hits = len(y), int(y.sum())
    inputs = input_columns(rows, swept, pooled=bool(pooled))
    base = Discovery(
        scenario, target, runs, hits, tuple(inputs), (), min_coverage=min_coverage, pooled=pooled
    )
    one, _ = target.words(scenario)
    name = base.name
    if runs and hits == runs:
        return _replace(
            base, note=f"{_cap(one)} in every one of the {runs:,} runs: no condition is needed"
        )
    if hits == 0:
        return _replace(
            base, note=f"{_cap(one)} in none of the {runs:,} runs: no condition gives it"
        )

    def refuse(message: str) -> ScenarioError:
        return ScenarioError([Problem(Origin(where), (), f"{name}: {message}")])

    if min(hits, runs - hits) < MIN_RUNS:
        fewer = "with" if hits < MIN_RUNS else "without"
        raise refuse(
            f"only {min(hits, runs - hits):,} of {runs:,} runs {fewer} {one}: PRIM needs at"
            f" least {MIN_RUNS} of each; run more runs (negsim batch --runs)"
        )
    if not inputs:
        raise refuse(
            "no input varies across the runs (no sampled parameter, firm line, event or"
            " sweep): give the scenario `uncertainty.parameters`, lines with credibility"
            " below 1, events with a probability, or a --sweep"
        )
    # EMA's Prim drops a column named "scenario" (its own experiments' label).
    x = pd.DataFrame({_PRIM_NAME.get(c, c): _as_input(rows[c]) for c in inputs})
    ranges = {
        name: (float(x[name].min()), float(x[name].max()))
        for name in x.columns
        if x[name].dtype.kind == "f"
    }
    found, trajectories = _run_prim(x, y.astype(int), min_coverage, boxes, hits / runs)
    back = {v: k for k, v in _PRIM_NAME.items()}
    chosen = tuple(
        Box(
            tuple(
                _condition(back.get(column, column), op, value, scenario)
                for column, op, value in limits
            ),
            coverage,
            density,
            n,
            k,
            step,
        )
        for limits, coverage, density, n, k, step in found
    )
    return _replace(base, boxes=chosen, trajectories=trajectories, ranges=ranges)


def _replace(base: Discovery, **changes: Any) -> Discovery:
    import dataclasses

    return dataclasses.replace(base, **changes)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _as_input(column: pd.Series) -> pd.Series:
    """A column as PRIM takes it: floats as float64, on/off as bool, the rest as text."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(column.dtype):
        return column.astype(bool)
    if pd.api.types.is_numeric_dtype(column.dtype):
        return column.astype("float64")
    return column.astype(str)


type Limits = list[tuple[str, Op, Any]]

#: Columns PRIM is given under another name.
_PRIM_NAME = {SCENARIO: "scenario_"}


def _run_prim(
    x: pd.DataFrame, y: np.ndarray[Any, Any], min_coverage: float, most: int, share: float
) -> tuple[list[tuple[Limits, float, float, int, int, int]], tuple[Trajectory, ...]]:
    """Run EMA's PRIM: up to ``most`` boxes chosen by the rule, and their trajectories."""
    import logging

    with warnings.catch_warnings():
        # ema_workbench warns at import about optional extras (ipyparallel, altair).
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim  # type: ignore[import-untyped]
    sdutil = prim.sdutil  # EMA's scenario_discovery_util, as prim itself uses it

    with warnings.catch_warnings():
        # EMA 3.0 calls pandas in ways pandas deprecates; the user can do nothing about it.
        warnings.simplefilter("ignore")
        logging.getLogger("EMA").setLevel(logging.WARNING)
        finder = prim.Prim(x, y)
        found: list[tuple[Limits, float, float, int, int, int]] = []
        trajectories: list[Trajectory] = []
        box_init = finder.box_init
        covered = np.zeros(len(y), dtype=bool)
        for _ in range(most):
            remaining = int(y[~covered].sum())
            if remaining < MIN_RUNS:
                break
            box = finder.find_box()
            if box is None:
                break
            table = box.peeling_trajectory
            coverage = table["coverage"].to_numpy(dtype=float)
            density = table["density"].to_numpy(dtype=float)
            held = table["k"].to_numpy(dtype=float) / max(remaining, 1)
            eligible = np.flatnonzero(held >= min_coverage - 1e-12)
            if eligible.size == 0:
                eligible = np.array([0])
            best = max(eligible, key=lambda i: (round(density[i], 12), coverage[i]))
            trajectory = Trajectory(
                tuple(coverage.tolist()),
                tuple(density.tolist()),
                tuple(int(v) for v in table["res_dim"]),
                int(best),
            )
            box.select(int(best))
            step = _drop_insignificant(box, int(best), sdutil)
            row = box.peeling_trajectory.iloc[step]
            limits = _snapped(_limits(box.box_lims[step], box_init), x)
            if not limits or float(row["density"]) <= share:
                break
            covered[box.yi] = True
            trajectories.append(trajectory)
            found.append(
                (
                    limits,
                    float(row["coverage"]),
                    float(row["density"]),
                    int(row["n"]),
                    int(row["k"]),
                    step,
                )
            )
    return found, tuple(trajectories)


def _drop_insignificant(box: Any, step: int, sdutil: Any) -> int:
    """Drop the bounds of box ``step`` whose quasi-p value is above :data:`SIGNIFICANCE`.

    As EMA's ``PrimBox.drop_restriction``, but bound by bound: a numeric input restricted
    from both sides may keep one side. The box without them is added to the trajectory
    (as EMA does); the step returned is the box's final one.
    """
    limits = box.box_lims[step].copy()
    initial = box.box_lims[0]
    changed = False
    for column, sides in box.p_values[step].items():
        for side, p_value in enumerate(sides):
            if p_value is not None and p_value > SIGNIFICANCE:  # -1: the side is free
                if isinstance(initial[column].iloc[side], set):
                    limits[column] = initial[column]
                else:
                    limits.loc[side, column] = initial.loc[side, column]
                changed = True
    if not changed:
        return step
    prim = box.prim
    inside = sdutil._in_box(prim.x.loc[prim.yi_remaining, :], limits)
    box.update(limits, prim.yi_remaining[inside])
    return len(box.peeling_trajectory) - 1


def _limits(limits: pd.DataFrame, box_init: pd.DataFrame) -> Limits:
    """A box's restrictions, as (column, op, value)."""
    out: Limits = []
    for column in box_init.columns:
        low, high = limits[column].iloc[0], limits[column].iloc[1]
        first, last = box_init[column].iloc[0], box_init[column].iloc[1]
        if isinstance(first, set):
            if set(low) == set(first):
                continue
            allowed = sorted(low, key=str)
            if len(allowed) == 1:
                out.append((column, "==", _plain(allowed[0])))
            else:
                out.append((column, "in", [_plain(v) for v in allowed]))
            continue
        if low > first:
            out.append((column, ">=", float(low)))
        if high < last:
            out.append((column, "<=", float(high)))
    return out


def _snapped(limits: Limits, x: pd.DataFrame) -> Limits:
    """Numeric bounds moved onto the values the runs hold (the same runs inside the box).

    PRIM puts a bound between two values (at a quantile); a swept field holds a few
    values only, and "at most -0.008" says what "at most -0.007" means.
    """
    out: Limits = []
    for column, op, value in limits:
        if op in ("<=", ">="):
            values = x[column].to_numpy(dtype=float)
            inside = values[values <= value] if op == "<=" else values[values >= value]
            if inside.size:
                value = float(inside.max() if op == "<=" else inside.min())
        out.append((column, op, value))
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, np.bool_ | bool):
        return bool(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


# -- words ---------------------------------------------------------------------------


def _party(scenario: Scenario, name: str) -> str:
    party = scenario.parties.get(name)
    return party.label or name if party is not None else name


def _ratifier(scenario: Scenario, party: str, ratifier: str) -> Any:
    owner = scenario.parties.get(party)
    return next((q for q in owner.ratification if q.id == ratifier), None) if owner else None


def _ratifier_label(scenario: Scenario, party: str, ratifier: str) -> str:
    if _ratifier(scenario, party, ratifier) is None:
        return ratifier.replace("_", " ")
    return scenario.ratifier_label(party, ratifier)


def _ratifier_words(scenario: Scenario, party: str, ratifier: str) -> str:
    """A ratifier in words: "Ukraine's Verkhovna Rada"."""
    return f"{_party(scenario, party)}'s {_ratifier_label(scenario, party, ratifier)}"


_FIELDS = {
    "reservation": "reservation value",
    "cost_of_delay": "cost of delay",
    "resolve": "resolve",
    "deadline": "deadline",
}


def path_words(path: str, scenario: Scenario) -> str:
    """A scenario path in words: ``parties.ukraine.reservation`` -> Ukraine's reservation value."""
    parts = path.split(".")
    if len(parts) >= 3 and parts[0] == "parties":
        who = _party(scenario, parts[1])
        rest = parts[2:]
        if len(rest) == 1:
            return f"{who}'s {_FIELDS.get(rest[0], rest[0].replace('_', ' '))}"
        if len(rest) == 3 and rest[0] == "red_lines":
            return f"the {rest[2].replace('_', ' ')} of {who}'s red line {rest[1]}"
        if len(rest) == 3 and rest[0] == "weights":
            return f"{who}'s weight on {_issue(scenario, rest[1])}"
        if len(rest) >= 3 and rest[0] == "ratification":
            ratifier = _ratifier_words(scenario, parts[1], rest[1])
            more = rest[2:]
            if more == ["reservation"]:
                return f"{ratifier}'s reservation value (what it would ratify)"
            if more == ["informed"]:
                label = _ratifier_label(scenario, parts[1], rest[1])
                return f"the chance that {who}'s negotiator knows the {label}'s limits"
            if len(more) == 3 and more[0] == "red_lines":
                return f"the {more[2].replace('_', ' ')} of {ratifier}'s red line {more[1]}"
            if len(more) == 2 and more[0] == "weights":
                return f"{ratifier}'s weight on {_issue(scenario, more[1])}"
    if parts[0] == "deadline" and len(parts) == 1:
        return "the deadline"
    return path


def _issue(scenario: Scenario, name: str) -> str:
    issue = scenario.issues.get(name)
    return (issue.label or name) if issue is not None else name


def _number(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _condition(column: str, op: Op, value: Any, scenario: Scenario) -> Condition:
    if column == SCENARIO:
        subject = "the scenario"
        state = f"is {value}" if op == "==" else f"is one of {', '.join(map(str, value))}"
    elif column.startswith(FIRM):
        who, _, line = column[len(FIRM) :].partition(".")
        ratifier, dot, its_line = line.partition(".")
        if dot and _ratifier(scenario, who, ratifier) is not None:
            subject = f"{_ratifier_words(scenario, who, ratifier)}'s red line {its_line}"
        else:
            subject = f"{_party(scenario, who)}'s red line {line}"
        state = "is firm" if value else "is not firm"
    elif column.startswith(INFORMED):
        who, _, ratifier = column[len(INFORMED) :].partition(".")
        label = _ratifier_label(scenario, who, ratifier)
        subject = f"{_party(scenario, who)}'s negotiator"
        state = f"knows the {label}'s limits" if value else f"does not know the {label}'s limits"
    elif column.startswith(EVENT):
        name = column[len(EVENT) :]
        event = next((e for e in scenario.events if e.id == name), None)
        label = event.label if event is not None and event.label else name
        subject = f"the event '{label}'"
        state = "happened" if value else "did not happen"
    else:
        path = column[len(PARAMETER) :] if column.startswith(PARAMETER) else column
        subject = path_words(path, scenario)
        if op == "<=":
            state = f"is at most {_number(value)}"
        elif op == ">=":
            state = f"is at least {_number(value)}"
        elif op == "==":
            state = f"is {value}"
        else:
            state = f"is one of {', '.join(map(str, value))}"
    return Condition(column, op, value, f"{subject} {state}", subject, state)


def _joined(conditions: Sequence[Condition]) -> str:
    """Conditions in words; the two bounds of one input as 'between'."""
    merged: dict[str, list[Condition]] = {}
    for condition in conditions:
        merged.setdefault(condition.column, []).append(condition)
    words = []
    for parts in merged.values():
        bounds = {c.op: c.value for c in parts}
        if len(parts) == 2 and set(bounds) == {">=", "<="}:
            low, high = _number(bounds[">="]), _number(bounds["<="])
            words.append(f"{parts[0].subject} is between {low} and {high}")
        else:
            words.extend(c.words for c in parts)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def box_words(box: Box, discovery: Discovery) -> str:
    """A box in words: "when ...: a deal in 91% of runs (density), covering ... runs"."""
    one, every = discovery.target.words(discovery.scenario)
    return (
        f"when {_joined(box.conditions)}: {one} in {box.density:.0%} of runs (density),"
        f" covering {box.coverage:.0%} of {every} (coverage), {box.runs:,} runs"
    )


def format_discovery(found: Sequence[Discovery]) -> str:
    """The boxes of every scenario in words, with the rule that chose them."""
    lines: list[str] = []
    if len(found) > 1:
        lines.append(f"{len(found)} scenarios: each is discovered on its own rows.")
    for discovery in found:
        one, _ = discovery.target.words(discovery.scenario)
        if discovery.pooled:
            lines.append(
                f"{len(discovery.pooled)} scenarios pooled ({', '.join(discovery.pooled)}):"
                " the scenario is one more input."
            )
        lines.append(
            f"{discovery.name}: {one} in {discovery.hits:,} of {discovery.runs:,} runs"
            f" ({discovery.share:.1%}); inputs: {len(discovery.inputs)}"
        )
        if discovery.note:
            lines.append(f"  {discovery.note}.")
            continue
        if not discovery.boxes:
            lines.append("  PRIM found no box denser than the whole batch.")
            continue
        for k, box in enumerate(discovery.boxes, 1):
            outside = "outside the box above, " if k == 2 else "outside the boxes above, "
            lines.append(f"  {k}. {outside if k > 1 else ''}{box_words(box, discovery)}")
        lines.append(f"  ({rule_text(discovery.min_coverage)}.)")
    return "\n".join(lines)


# -- figures -------------------------------------------------------------------------


def figure_name(discovery: Discovery, several: bool, fmt: str = "png") -> str:
    """The file name of a scenario's figure: ``discover.png`` (``discover-ID.png`` if several)."""
    return f"discover-{discovery.name}.{fmt}" if several else f"discover.{fmt}"


def plot_discovery(found: Sequence[Discovery], out: str | Path, fmt: str = "png") -> list[Path]:
    """For each scenario with boxes: the peeling trajectories and the chosen boxes, one figure."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for discovery in found:
        if not discovery.boxes:
            continue
        path = out / figure_name(discovery, len(found) > 1, fmt)
        figure = _figure(discovery, plt)
        figure.savefig(path, dpi=150)
        plt.close(figure)
        written.append(path)
    return written


def _figure(discovery: Discovery, plt: Any) -> Any:
    conditions = [(k, c) for k, box in enumerate(discovery.boxes, 1) for c in box.conditions]
    height = max(4.0, 1.2 + 0.45 * (len(conditions) + len(discovery.boxes)))
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(13, height), gridspec_kw={"width_ratios": [1, 1.25]}, layout="constrained"
    )
    one, every = discovery.target.words(discovery.scenario)
    figure.suptitle(
        f"{discovery.name}: which conditions give {one}"
        f" ({discovery.hits:,} of {discovery.runs:,} runs, {discovery.share:.1%})"
    )
    most = max(max(t.restricted) for t in discovery.trajectories) or 1
    colours = plt.get_cmap("viridis", most + 1)
    for k, (trajectory, box) in enumerate(
        zip(discovery.trajectories, discovery.boxes, strict=True), 1
    ):
        marks = left.scatter(
            trajectory.coverage,
            trajectory.density,
            c=trajectory.restricted,
            cmap=colours,
            vmin=-0.5,
            vmax=most + 0.5,
            s=18,
            marker="o" if k == 1 else "s",
            label=f"search {k}",
        )
        # The box itself: the chosen step with its insignificant bounds dropped.
        left.scatter([box.coverage], [box.density], s=60, marker="*", color="red", zorder=3)
        left.scatter([box.coverage], [box.density], s=160, facecolors="none", edgecolors="red")
        left.annotate(
            f"box {k}",
            (box.coverage, box.density),
            xytext=(8, 6),
            textcoords="offset points",
            color="red",
        )
    bar = figure.colorbar(marks, ax=left, label="inputs restricted")
    bar.set_ticks(range(most + 1))
    left.axvline(discovery.min_coverage, color="grey", linestyle=":", linewidth=1)
    left.annotate(
        f"--min-coverage {discovery.min_coverage:g}\n(box 1; later boxes: of\n"
        "the runs not yet covered)",
        (discovery.min_coverage, 0.02),
        xytext=(4, 0),
        textcoords="offset points",
        fontsize=7,
        color="grey",
    )
    left.set_xlim(0, 1.02)
    left.set_ylim(0, 1.1)
    left.set_xlabel(f"coverage: share of {every} inside the box")
    left.set_ylabel("density: share of the box's runs with the target")
    left.set_title("PRIM's peeling trajectory (red stars: the boxes chosen)")
    if len(discovery.trajectories) > 1:
        handles = [
            plt.Line2D(
                [],
                [],
                marker="o" if k == 1 else "s",
                linestyle="",
                color="grey",
                label=f"search {k}",
            )
            for k in range(1, len(discovery.trajectories) + 1)
        ]
        left.legend(handles=handles, loc="upper right", fontsize="small")
    _draw_boxes(right, discovery)
    return figure


def _draw_boxes(axes: Any, discovery: Discovery) -> None:
    """Each chosen box's restrictions: a numeric input's kept range within its whole range."""
    labels: list[str] = []
    y = 0
    for k, box in enumerate(discovery.boxes, 1):
        labels.append(f"box {k}")
        axes.axhspan(y - 0.5, y + 0.5, color="#eeeeee")
        axes.text(
            0.5,
            y,
            f"density {box.density:.0%}, coverage {box.coverage:.0%}, {box.runs:,} runs",
            ha="center",
            va="center",
            fontsize=9,
            weight="bold",
        )
        y += 1
        merged: dict[str, list[Condition]] = {}
        for condition in box.conditions:
            merged.setdefault(condition.column, []).append(condition)
        for column, parts in merged.items():
            labels.append(_shorten(parts[0].subject))
            if parts[0].op in ("<=", ">="):
                low, high = discovery.ranges.get(column, (0.0, 1.0))
                start, stop = low, high
                for part in parts:
                    if part.op == ">=":
                        start = part.value
                    else:
                        stop = part.value
                span = (high - low) or 1.0
                axes.barh(y, 1.0, left=0.0, height=0.4, color="#dddddd")
                axes.barh(
                    y,
                    (stop - start) / span,
                    left=(start - low) / span,
                    height=0.4,
                    color="tab:blue",
                )
                axes.text(0.0, y + 0.22, _number(low), fontsize=7, ha="left", va="top")
                axes.text(1.0, y + 0.22, _number(high), fontsize=7, ha="right", va="top")
                middle = min(max((start + stop - 2 * low) / (2 * span), 0.08), 0.92)
                if stop - start <= 1e-12 * span:  # one value (a swept field, say)
                    axes.plot([(start - low) / span], [y], marker="D", color="tab:blue")
                    kept = f"= {_number(start)}"
                else:
                    kept = f"{_number(start)} to {_number(stop)}"
                axes.text(
                    middle,
                    y - 0.22,
                    kept,
                    fontsize=8,
                    ha="center",
                    va="bottom",
                    color="tab:blue",
                )
            else:
                axes.text(
                    0.5, y, parts[0].state, ha="center", va="center", fontsize=9, color="tab:blue"
                )
            y += 1
    axes.set_yticks(range(len(labels)), labels, fontsize=8)
    axes.set_ylim(len(labels) - 0.5, -0.5)
    axes.set_xlim(-0.02, 1.02)
    axes.set_xticks([0, 0.5, 1], ["lowest", "middle", "highest"])
    axes.set_xlabel("the part of each input's range that the box keeps (blue)")
    axes.set_title("The boxes chosen, restriction by restriction")


def _shorten(text: str, most: int = 60) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"
