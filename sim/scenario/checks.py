"""Checks that relate one part of a scenario to another.

They run on the parts that passed structural validation (so that one bad party does
not hide the problems of another) and on the raw names of the rest.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from sim.scenario.compose import resolve_path
from sim.scenario.fields import DEFAULTED, SAMPLEABLE, FieldRange, numeric_field
from sim.scenario.files import Unreadable, read_text
from sim.scenario.models import Distribution, Event, Issue, Party, RedLine
from sim.scenario.problems import DataPath, Problem, listing, shown
from sim.scenario.quotes import Source, find_source
from sim.scenario.yamlsource import Document
from sim.strategies import REGISTRY

_DISTRIBUTION: TypeAdapter[Distribution] = TypeAdapter(Distribution)


def _known(name: str, known: list[str], what: str) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown {what} {shown(name)} (known: {listing(known) or 'none'}){hint}"


class Checker:
    """Cross-reference checks over one scenario document."""

    def __init__(
        self,
        document: Document,
        issues: dict[str, Issue | None],
        parties: dict[str, Party | None],
        *,
        sources: bool = True,
    ) -> None:
        self.sources = sources
        self.doc = document
        self.data: dict[str, Any] = document.data
        self.issues = issues
        self.parties = parties

    def problem(self, path: DataPath, message: str) -> Problem:
        """A problem at a path of this document."""
        return self.doc.problem(path, message)

    def run(self) -> list[Problem]:
        """Every cross-reference problem found."""
        return [
            *self.protocol(),
            *self.needs(),
            *(p for pid, party in self.parties.items() if party for p in self.party(pid, party)),
            *self.events(),
            *self.uncertainty(),
            *(self.quotes() if self.sources else ()),
            *self.sweeps(),
        ]

    def protocol(self) -> Iterator[Problem]:
        """Mediator and signatories."""
        protocol, mediator = self.data.get("protocol"), self.data.get("mediator")
        if protocol == "mediated" and mediator is None:
            yield self.problem(("protocol",), "protocol mediated needs a mediator (a party id)")
        if protocol == "alternating" and mediator is not None:
            yield self.problem(("mediator",), "only protocol mediated has a mediator")
        if isinstance(mediator, str) and mediator not in self.parties:
            yield self.problem(("mediator",), _known(mediator, list(self.parties), "party"))
        if self.parties and all(p is not None and not p.signs for p in self.parties.values()):
            yield self.problem(("parties",), "no party signs: give at least one party signs: true")
        yield from self.roles(mediator if protocol == "mediated" else None)

    def roles(self, mediator: object) -> Iterator[Problem]:
        """The mediator follows a mediator's policy; the other parties negotiate."""
        for pid, party in self.parties.items():
            if party is None or "strategy" not in party.model_fields_set:
                continue  # the default fits the role
            kind = party.strategy.type
            role = REGISTRY[kind].role
            path = ("parties", pid, "strategy", "type")
            if pid == mediator and role != "mediator":
                allowed = ", ".join(n for n, c in REGISTRY.items() if c.role == "mediator")
                yield self.problem(path, f"{pid} mediates, so its strategy is a policy ({allowed})")
            elif pid != mediator and role == "mediator":
                allowed = ", ".join(n for n, c in REGISTRY.items() if c.role == "party")
                yield self.problem(
                    path,
                    f"{kind} is a mediator's policy and {pid} does not mediate (use {allowed})",
                )

    def needs(self) -> Iterator[Problem]:
        """Parties named by options' needs exist."""
        for iid, issue in self.issues.items():
            for oid, option in (issue.options if issue else {}).items():
                for k, party in enumerate(option.needs):
                    path = ("issues", iid, "options", oid, "needs", k)
                    if party not in self.parties:
                        yield self.problem(path, _known(party, list(self.parties), "party"))
                    elif party in option.needs[:k]:
                        yield self.problem(path, f"party {party!r} is listed twice")

    def _issue_options(
        self, path: DataPath, issue: str, options: list[str] | None
    ) -> Iterator[Problem]:
        if issue not in self.issues:
            yield self.problem(path, _known(issue, list(self.issues), "issue"))
            return
        known_issue = self.issues[issue]
        if known_issue is None or options is None:
            return
        known = list(known_issue.options)
        for k, option in enumerate(options):
            if option not in known:
                yield self.problem((*path, k), _known(option, known, "option"))
            elif option in options[:k]:
                yield self.problem((*path, k), f"option {option!r} is listed twice")

    def party(self, pid: str, party: Party) -> Iterator[Problem]:
        """A party's weights, values and red lines name real issues and options."""
        base: DataPath = ("parties", pid)
        for issue in party.weights:
            yield from self._issue_options((*base, "weights", issue), issue, None)
        if party.weights and sum(party.weights.values()) <= 0:
            yield self.problem((*base, "weights"), "weights must not all be zero")
        elif not math.isfinite(sum(party.weights.values())):
            yield self.problem(
                (*base, "weights"),
                "weights too large: their sum is not a finite number (weights are relative:"
                " use smaller ones)",
            )
        for issue, values in party.values.items():
            path = (*base, "values", issue)
            if issue not in party.weights and issue in self.issues:
                yield self.problem(path, f"values for {issue!r}, which weights does not list")
            yield from self._issue_options(path, issue, None)
            known_issue = self.issues.get(issue)
            for option in values:
                if known_issue is not None and option not in known_issue.options:
                    yield self.problem(
                        (*path, option), _known(option, list(known_issue.options), "option")
                    )
        for issue, weight in party.weights.items():
            known_issue = self.issues.get(issue)
            if weight <= 0 or known_issue is None:
                continue
            missing = [o for o in known_issue.options if o not in party.values.get(issue, {})]
            if missing:
                path = (*base, "values", issue) if issue in party.values else (*base, "values")
                yield self.problem(
                    path, f"{pid} weighs {issue!r} but gives no value for: {', '.join(missing)}"
                )
        seen: set[str] = set()
        for k, line in enumerate(party.red_lines):
            yield from self.red_line((*base, "red_lines", k), line, seen)

    def red_line(self, path: DataPath, line: RedLine, seen: set[str]) -> Iterator[Problem]:
        """A red line's id is unique in its party and it names real issues and options."""
        if line.id in seen:
            yield self.problem((*path, "id"), f"red line id {line.id!r} is used twice")
        seen.add(line.id)
        for issue, options in line.rule.items():
            yield from self._issue_options((*path, line.kind, issue), issue, options)

    def _numeric_path(self, path: DataPath, target: str) -> tuple[DataPath, FieldRange] | str:
        try:
            concrete = resolve_path(self.data, target)
        except KeyError as exc:
            # a field left at its default (a red line's credibility) can change all the same
            try:
                concrete = resolve_path(self.data, target, allow_new=True)
            except KeyError:
                concrete = ()
            if not concrete or concrete[-1] not in DEFAULTED:
                return f"{target!r}: {exc.args[0]}"
        kind = numeric_field(self.data, concrete)
        if kind is None:
            return f"{target!r} is not a numeric field that can change (can: {SAMPLEABLE})"
        return concrete, kind

    def uncertainty(self) -> Iterator[Problem]:
        """Sampled paths exist, are numeric, and their distributions stay in range."""
        raw = self.data.get("uncertainty")
        if not isinstance(raw, dict) or not isinstance(raw.get("parameters"), dict):
            return
        # one parameter at a time, so that one bad distribution hides no other problem
        for target, item in raw["parameters"].items():
            path = ("uncertainty", "parameters", target)
            found = self._numeric_path(path, target)
            if isinstance(found, str):
                yield self.problem(path, found)
                continue
            try:
                dist = _DISTRIBUTION.validate_python(item)
            except ValueError:
                continue  # reported by structural validation
            low, high = _support(dist)
            kind = found[1]
            if not (kind.contains(low) and kind.contains(high)) and dist.dist != "normal":
                yield self.problem(path, f"{dist.dist} reaches [{low:g}, {high:g}], outside {kind}")

    def events(self) -> Iterator[Problem]:
        """Events fire within the deadline and change fields and red lines that exist."""
        raw = self.data.get("events")
        if not isinstance(raw, list):
            return
        deadline = self.data.get("deadline")
        seen: set[str] = set()
        for k, item in enumerate(raw):
            try:
                event = Event.model_validate(item)
            except ValueError:
                continue  # reported by structural validation
            path: DataPath = ("events", k)
            if event.id in seen:
                yield self.problem((*path, "id"), f"event id {event.id!r} is used twice")
            seen.add(event.id)
            if isinstance(deadline, int) and event.round > deadline:
                yield self.problem(
                    (*path, "round"), f"round {event.round} is after the deadline ({deadline})"
                )
            for target, value in event.set.items():
                found = self._numeric_path((*path, "set", target), target)
                if isinstance(found, str):
                    yield self.problem((*path, "set", target), found)
                elif not found[1].contains(value):
                    yield self.problem((*path, "set", target), f"{value:g} is outside {found[1]}")
            for j, ref in enumerate(event.drop_red_lines):
                message = self._red_line_ref(ref)
                if message:
                    yield self.problem((*path, "drop_red_lines", j), message)

    def _red_line_ref(self, ref: str) -> str | None:
        pid, dot, lid = ref.partition(".")
        if not dot:
            return f"{ref!r}: name a red line as party.line_id"
        if pid not in self.parties:
            return _known(pid, list(self.parties), "party")
        party = self.parties[pid]
        if party is not None and lid not in {line.id for line in party.red_lines}:
            return _known(lid, [line.id for line in party.red_lines], f"red line of {pid}")
        return None

    def sweeps(self) -> Iterator[Problem]:
        """Every swept path names a field of the scenario."""
        batch = self.data.get("batch")
        sweeps = batch.get("sweeps") if isinstance(batch, dict) else None
        for target in sweeps if isinstance(sweeps, dict) else {}:
            if target.split(".", 1)[0] == "batch":
                yield self.problem(("batch", "sweeps", target), "a sweep cannot change batch")
                continue
            try:
                resolve_path(self.data, target, allow_new=True)
            except KeyError as exc:
                yield self.problem(("batch", "sweeps", target), f"{target!r}: {exc.args[0]}")

    def quotes(self) -> Iterator[Problem]:
        """The source exists and is text, and every quote stands in it (see quotes.py)."""
        source = self.data.get("source")
        if not isinstance(source, str):
            return
        folder = Path(self.doc.origin(("source",)).file).parent
        found = find_source(source, folder)
        if found is None:
            yield self.problem(
                ("source",),
                f"source file {source!r} not found (looked in {folder.resolve()}"
                " and the folders above it)",
            )
            return
        try:
            text = Source(source, read_text(found))
        except Unreadable as exc:
            where = "" if exc.line is None else f" (line {exc.line})"
            yield self.problem(("source",), f"source file {source!r}: {exc.why}{where}")
            return
        for pid, party in self.parties.items():
            for k, line in enumerate(party.red_lines if party else []):
                message = text.check(line.quote) if line.quote else None
                if message:
                    yield self.problem(("parties", pid, "red_lines", k, "quote"), message)
        events = self.data.get("events")
        for k, item in enumerate(events if isinstance(events, list) else []):
            quote = item.get("quote") if isinstance(item, dict) else None
            message = text.check(quote) if isinstance(quote, str) and quote else None
            if message:
                yield self.problem(("events", k, "quote"), message)


def _support(dist: Distribution) -> tuple[float, float]:
    match dist.dist:
        case "uniform" | "triangular":
            return dist.low, dist.high
        case "beta":
            return 0.0, 1.0
        case "choice":
            return min(dist.values), max(dist.values)
    return -math.inf, math.inf
