"""Validate a scenario document into a typed :class:`Scenario`, reporting every problem."""

from __future__ import annotations

import difflib
import math
import types
import typing
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from sim.scenario.checks import Checker
from sim.scenario.compose import Override, apply_overrides, load_document
from sim.scenario.models import Issue, Party, Scenario
from sim.scenario.problems import DataPath, Origin, Problem, ScenarioError
from sim.scenario.yamlsource import Document


def load_scenario(path: str | Path, overrides: Sequence[str | Override] = ()) -> Scenario:
    """Read, compose, override and validate a scenario file; raise ScenarioError if bad."""
    document, problems = load_document(Path(path))
    if document.data is None and problems:
        raise ScenarioError(problems)
    parsed: list[Override] = []
    for item in overrides:
        try:
            parsed.append(item if isinstance(item, Override) else Override.parse(item))
        except ValueError as exc:
            problems.append(Problem(Origin(f"--set {item}"), (), str(exc)))
    document, override_problems = apply_overrides(document, parsed)
    problems += override_problems
    if override_problems:  # the document is not what the user asked to check
        raise ScenarioError(problems)
    try:
        scenario = validate_document(document)
    except ScenarioError as exc:
        raise ScenarioError([*problems, *exc.problems]) from None
    if problems:
        raise ScenarioError(problems)
    return scenario


def validate_document(document: Document, *, sources: bool = True) -> Scenario:
    """Validate composed data; raise ScenarioError with every problem found.

    With ``sources=False`` the source document and the quotes are not looked up: for
    data resolved and checked before (a batch's worker may not have the source file).
    """
    data = document.data
    if not isinstance(data, dict):
        what = "empty" if data is None else f"a {type(data).__name__}"
        raise ScenarioError([document.problem((), f"a scenario is a mapping, this file is {what}")])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems = [_problem(document, error) for error in exc.errors()]
        scenario = None
    else:
        problems = []
    issues = _parts(data.get("issues"), Issue)
    parties = _parts(data.get("parties"), Party)
    problems += Checker(document, issues, parties, sources=sources).run()
    if problems or scenario is None:
        raise ScenarioError(problems)
    scenario.read_from(document.origins, document.fallback)
    return scenario


def revalidate(scenario: Scenario, data: dict[str, Any]) -> Scenario:
    """Validate changed data of a scenario read before (a tweak, a sweep point).

    Problems, and the scenario returned, keep the original's file and lines.
    """
    located = scenario.located
    fallback = located.fallback or scenario.origin()
    return validate_document(Document(data, dict(located.origins), fallback), sources=False)


def _parts[M: BaseModel](raw: Any, model: type[M]) -> dict[str, M | None]:
    if not isinstance(raw, dict):
        return {}
    out: dict[str, M | None] = {}
    for key, value in raw.items():
        try:
            out[key] = model.model_validate(value)
        except ValidationError:
            out[key] = None
    return out


def _data_path(data: Any, loc: tuple[int | str, ...]) -> tuple[DataPath, str | None]:
    """Map a pydantic error location onto the data; also return the bad key, if any."""
    path: list[str | int] = []
    node = data
    for n, elem in enumerate(loc):
        last = n == len(loc) - 1
        if elem == "[key]":
            return tuple(path[:-1]), str(path[-1]) if path else None
        in_dict = isinstance(node, dict) and elem in node
        if in_dict or (isinstance(node, list) and isinstance(elem, int) and elem < len(node)):
            path.append(elem)
            node = node[elem]
        elif last and not _is_tag(node, elem):
            path.append(elem)
        # anything else is a union tag or validator name that pydantic adds to locations
    return tuple(path), None


def _is_tag(node: Any, elem: int | str) -> bool:
    """Whether ``elem`` is the union tag that pydantic adds for ``node`` (``uniform``)."""
    return isinstance(node, dict) and elem in (node.get("type"), node.get("dist"))


def _model_at(path: DataPath, data: Any) -> type[BaseModel] | None:
    """The model that describes the mapping at ``path`` (for listing its fields)."""
    annotation: Any = Scenario
    node = data
    for elem in path:
        model = _as_model(annotation, node)
        if model is not None:
            field = model.model_fields.get(str(elem))
            if field is None:
                return None
            annotation = field.annotation
        else:
            args = [a for a in typing.get_args(_strip(annotation)) if a is not type(None)]
            if not args:
                return None
            annotation = args[-1]
        if isinstance(node, dict):
            node = node.get(elem)
        elif isinstance(node, list) and isinstance(elem, int) and elem < len(node):
            node = node[elem]
        else:
            node = None
    return _as_model(annotation, node)


def _strip(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _as_model(annotation: Any, node: Any) -> type[BaseModel] | None:
    annotation = _strip(annotation)
    candidates: Iterator[Any]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        candidates = (_strip(a) for a in typing.get_args(annotation))
    else:
        candidates = iter([annotation])
    for candidate in candidates:
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            tag_field = next((f for f in ("type", "dist") if f in candidate.model_fields), None)
            if tag_field is None or not isinstance(node, dict):
                return candidate
            allowed = typing.get_args(_strip(candidate.model_fields[tag_field].annotation))
            if node.get(tag_field) in allowed:
                return candidate
    return None


_TEXT_BOOLS = {"yes", "no", "on", "off", "y", "n"}


def _short(value: Any) -> str:
    """A value as a message quotes it: at most some 60 characters."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**30:
        return (
            f"{'-' if value < 0 else ''}a number of {math.floor(math.log10(abs(value))) + 1} digits"
        )
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _problem(document: Document, error: ErrorDetails) -> Problem:
    path, bad_key = _data_path(document.data, tuple(error["loc"]))
    kind = error["type"]
    value = error.get("input")
    message = error["msg"]
    if kind == "extra_forbidden":
        model = _model_at(path[:-1], document.data)
        known = list(model.model_fields) if model else []
        close = difflib.get_close_matches(str(path[-1]), known, n=1)
        message = f"unknown field (allowed: {', '.join(known)})"
        if close:
            message += f"; did you mean {close[0]!r}?"
    elif kind == "missing":
        message = "missing (required)"
    elif kind.startswith("bool") and isinstance(value, str) and value.lower() in _TEXT_BOOLS:
        message = f"{value!r} is text here, not a boolean: write true or false"
    elif kind == "union_tag_invalid":
        ctx = error.get("ctx", {})
        message = (
            f"unknown {ctx.get('discriminator', 'type').strip(chr(39))} {ctx.get('tag')!r}"
            f" (known: {ctx.get('expected_tags')})"
        )
    elif kind == "union_tag_not_found":
        ctx = error.get("ctx", {})
        message = f"missing {ctx.get('discriminator', 'type').strip(chr(39))}"
    elif kind in ("int_type", "int_from_float") and isinstance(value, float) and value.is_integer():
        message = f"expected a whole number: write {int(value)} (got {value!r})"
    elif kind == "too_long" and isinstance(value, (dict, list)):
        ctx = error.get("ctx", {})
        message = f"at most {ctx.get('max_length'):,} entries here (got {len(value):,})"
    elif kind == "value_error":
        message = message.removeprefix("Value error, ")
    elif kind == "literal_error":
        message = f"{value!r}: {message[0].lower()}{message[1:]}"
    elif isinstance(value, int) and kind in ("float_type", "float_parsing"):
        message = f"{_short(value)} is too large for a number"
    elif value is not None and not isinstance(value, (dict, list)):
        message = f"{message} (got {_short(value)})"
    if bad_key is not None:
        return Problem(document.origin((*path, bad_key)), (*path, bad_key), message)
    return Problem(document.origin(path), path, message)
