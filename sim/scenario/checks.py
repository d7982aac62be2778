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
from sim.scenario.models import Bloc, Distribution, Event, Issue, Party, Ratifier, RedLine
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
            *self.blocs(),
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
        yield from self._weights(base, party.weights)
        yield from self._values(base, party.weights, party.values, "weights does not list")
        yield from self._covered(base, pid, party.weights, party.values, party.values)
        seen: set[str] = set()
        for k, line in enumerate(party.red_lines):
            yield from self.red_line((*base, "red_lines", k), line, seen)
        ratifiers: set[str] = set()
        for k, ratifier in enumerate(party.ratification):
            path: DataPath = (*base, "ratification", k)
            if ratifier.id in ratifiers:
                yield self.problem((*path, "id"), f"ratifier id {ratifier.id!r} is used twice")
            elif ratifier.id in seen:
                yield self.problem(
                    (*path, "id"),
                    f"ratifier id {ratifier.id!r} is also a red line of {pid}: both would be"
                    f" named {pid}.{ratifier.id} (rename one)",
                )
            ratifiers.add(ratifier.id)
            yield from self.ratifier(path, pid, party, ratifier)

    def ratifier(
        self, path: DataPath, pid: str, party: Party, ratifier: Ratifier
    ) -> Iterator[Problem]:
        """A ratifier's own weights and values, and its red lines, name real issues and options.

        Its weights default to the party's, its values issue by issue (the model's
        ``Party.ratifier_preferences``), so what must be complete is what it ends up with.
        """
        weights, values = party.ratifier_preferences(ratifier)
        if ratifier.weights is not None:
            yield from self._weights(path, ratifier.weights)
            unlisted = "its weights do not list"
        else:
            unlisted = f"the weights it takes from {pid} do not list"
        yield from self._values(path, weights, ratifier.values or {}, unlisted)
        own = ratifier.values or {}
        yield from self._covered(path, f"{pid}.{ratifier.id}", weights, values, own)
        seen: set[str] = set()
        for k, line in enumerate(ratifier.red_lines):
            line_path: DataPath = (*path, "red_lines", k)
            yield from self.red_line(line_path, line, seen)
            if line.audience_cost != 0:
                yield self.problem(
                    (*line_path, "audience_cost"),
                    "a ratifier does not back down: its red lines have no audience cost"
                    " (give audience_cost to a party's red line)",
                )

    def _weights(self, base: DataPath, weights: dict[str, float]) -> Iterator[Problem]:
        """Weights name real issues, and their sum is a positive number."""
        for issue in weights:
            yield from self._issue_options((*base, "weights", issue), issue, None)
        if weights and sum(weights.values()) <= 0:
            yield self.problem((*base, "weights"), "weights must not all be zero")
        elif not math.isfinite(sum(weights.values())):
            yield self.problem(
                (*base, "weights"),
                "weights too large: their sum is not a finite number (weights are relative:"
                " use smaller ones)",
            )

    def _values(
        self,
        base: DataPath,
        weights: dict[str, float],
        values: dict[str, dict[str, float]],
        unlisted: str,
    ) -> Iterator[Problem]:
        """Values name real issues and options, and only issues the weights list."""
        for issue, options in values.items():
            path = (*base, "values", issue)
            if issue not in weights and issue in self.issues:
                yield self.problem(path, f"values for {issue!r}, which {unlisted}")
            yield from self._issue_options(path, issue, None)
            known_issue = self.issues.get(issue)
            for option in options:
                if known_issue is not None and option not in known_issue.options:
                    yield self.problem(
                        (*path, option), _known(option, list(known_issue.options), "option")
                    )

    def _covered(
        self,
        base: DataPath,
        who: str,
        weights: dict[str, float],
        values: dict[str, dict[str, float]],
        given: dict[str, dict[str, float]],
    ) -> Iterator[Problem]:
        """Every issue weighed above zero has a value for each of its options.

        ``values`` are the values used, ``given`` those written at ``base`` (a ratifier
        uses its party's on the issues it does not list): the problem points at the
        issue's values written there, else at ``values`` or, for a ratifier that lists
        none, at its weight for the issue.
        """
        for issue, weight in weights.items():
            known_issue = self.issues.get(issue)
            if weight <= 0 or known_issue is None:
                continue
            missing = [o for o in known_issue.options if o not in values.get(issue, {})]
            if missing:
                if issue in given:
                    path = (*base, "values", issue)
                elif given or values is given:
                    path = (*base, "values")
                else:
                    path = (*base, "weights", issue)
                yield self.problem(
                    path, f"{who} weighs {issue!r} but gives no value for: {', '.join(missing)}"
                )

    def red_line(self, path: DataPath, line: RedLine, seen: set[str]) -> Iterator[Problem]:
        """A red line's id is unique in its party and it names real issues and options."""
        if line.id in seen:
            yield self.problem((*path, "id"), f"red line id {line.id!r} is used twice")
        seen.add(line.id)
        for issue, options in line.rule.items():
            yield from self._issue_options((*path, line.kind, issue), issue, options)

    def blocs(self) -> Iterator[Problem]:
        """Bloc members are known parties, each in one bloc, none the mediator; names differ."""
        raw = self.data.get("blocs")
        if not isinstance(raw, dict):
            return
        mediator = self.data.get("mediator") if self.data.get("protocol") == "mediated" else None
        member_of: dict[str, str] = {}
        for name, item in raw.items():
            try:
                bloc = Bloc.model_validate(item)
            except ValueError:
                continue  # reported by structural validation
            path: DataPath = ("blocs", name)
            if name in self.parties:
                yield self.problem(
                    path, f"bloc {name!r} has the name of a party: give the bloc another name"
                )
            for k, member in enumerate(bloc.members):
                where = (*path, "members", k)
                if member not in self.parties:
                    yield self.problem(where, _known(member, list(self.parties), "party"))
                elif member in bloc.members[:k]:
                    yield self.problem(where, f"party {member!r} is listed twice")
                elif member in member_of:
                    yield self.problem(
                        where,
                        f"{member} is already in bloc {member_of[member]!r}:"
                        " a party is in at most one bloc",
                    )
                elif member == mediator:
                    yield self.problem(where, f"{member} mediates, and the mediator is in no bloc")
                else:
                    member_of[member] = name

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
                return f"{target!r}: {self._borrowed(target) or exc.args[0]}"
        kind = numeric_field(self.data, concrete)
        if kind is None:
            return f"{target!r} is not a numeric field that can change (can: {SAMPLEABLE})"
        return concrete, kind

    def _borrowed(self, target: str) -> str | None:
        """Why a ratifier's weight or value cannot change when it takes its party's."""
        match target.split("."):
            case ["parties", pid, "ratification", qid, "weights", issue]:
                pass
            case ["parties", pid, "ratification", qid, "values", issue, _]:
                pass
            case _:
                return None
        party = self.parties.get(pid)
        ratifier = next((q for q in party.ratification if q.id == qid), None) if party else None
        if ratifier is None:
            return None
        field = target.split(".")[4]
        if field == "weights" and ratifier.weights is None:
            return (
                f"{pid}.{qid} has no weights of its own (it takes {pid}'s): change"
                f" parties.{pid}.weights.{issue}, or give the ratifier its own weights"
            )
        if field == "values" and issue not in (ratifier.values or {}):
            return (
                f"{pid}.{qid} has no values of its own for {issue!r} (it takes {pid}'s):"
                f" change parties.{pid}.values.{issue}..., or give the ratifier its own"
                f" values for {issue!r}"
            )
        return None

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
            return f"{ref!r}: name a red line as party.line_id (or party.ratifier.line_id)"
        if pid not in self.parties:
            return _known(pid, list(self.parties), "party")
        party = self.parties[pid]
        if party is None:
            return None
        qid, dot, qline = lid.partition(".")
        if dot:
            ratifiers = {q.id: q for q in party.ratification}
            if qid not in ratifiers:
                return _known(qid, list(ratifiers), f"ratifier of {pid}")
            known = [line.id for line in ratifiers[qid].red_lines]
            if qline not in known:
                return _known(qline, known, f"red line of {pid}.{qid}")
            return None
        if lid not in {line.id for line in party.red_lines}:
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
            for j, ratifier in enumerate(party.ratification if party else []):
                for k, line in enumerate(ratifier.red_lines):
                    message = text.check(line.quote) if line.quote else None
                    if message:
                        path = ("parties", pid, "ratification", j, "red_lines", k, "quote")
                        yield self.problem(path, message)
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
