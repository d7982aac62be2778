"""Variants (``extends``), overrides (``--set PATH=VALUE``) and dotted paths into a scenario.

A variant file states only what differs from the file it extends. Its document is laid
over the base, like a JSON merge patch with one addition for lists of named items:

* mappings merge key by key, recursively; ``key: null`` removes the key; a mapping whose
  kind changes (a new ``type`` of strategy, a new ``dist`` of distribution) replaces the
  base mapping whole, since the old parameters belong to the old kind;
* a list of mappings that all carry an ``id`` (red lines, events) merges by id: an item
  with a known id is merged into that item, ``remove: true`` removes it, new ids are
  appended in order;
* anything else given in the variant replaces the base value.

A dotted path such as ``parties.russia.red_lines.no_nato_troops.credibility`` names a
value: mapping keys by name, list items by ``id`` (or by position).
"""

from __future__ import annotations

import copy
import difflib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.scenario.files import Unreadable, read_text
from sim.scenario.problems import DataPath, Origin, Problem, dotted, listing, shown
from sim.scenario.yamlsource import Document, parse_scalar, parse_yaml, read_yaml

#: The merge directive for lists of named items.
REMOVE_KEY = "remove"

#: What the name of a file that ``extends`` names ends in.
SCENARIO_SUFFIXES = (".yaml", ".yml")

#: Keys that say what kind of mapping this is; a variant that changes one replaces it.
TAGS = ("type", "dist")


def load_document(path: Path) -> tuple[Document, list[Problem]]:
    """Read a scenario file and everything it extends into one document.

    When a problem leaves nothing to validate (a file that does not parse, an
    ``extends`` that cannot be followed), the document's data is None; other problems
    come with a usable document, so that validation can report its own in the same go.
    """
    return _load(Path(path), ())


def _fatal(document: Document, problems: list[Problem]) -> tuple[Document, list[Problem]]:
    return Document(None, {}, document.fallback), problems


def _load(
    path: Path, chain: tuple[Path, ...], text: str | None = None
) -> tuple[Document, list[Problem]]:
    document, problems = read_yaml(path) if text is None else parse_yaml(text, str(path))
    if problems:
        return _fatal(document, problems)
    if not isinstance(document.data, dict) or "extends" not in document.data:
        return document, problems
    parent_name = document.data["extends"]
    where = document.origin(("extends",))
    if not isinstance(parent_name, str) or not parent_name:
        return _fatal(
            document, [Problem(where, ("extends",), "expected the path of a scenario file")]
        )
    if "id" not in document.data:
        problems.append(document.problem((), "a variant needs an id of its own"))
    # shown as the user would write it from here; compared resolved, to catch loops
    # (realpath, unlike Path.resolve, gives an answer for a loop of symbolic links too)
    parent = Path(os.path.normpath(path.parent / parent_name))
    if os.path.realpath(parent) in {os.path.realpath(p) for p in (*chain, path)}:
        loop = " -> ".join(str(p) for p in (*chain, path, Path(parent_name)))
        return _fatal(document, [*problems, Problem(where, ("extends",), f"extends loops: {loop}")])
    if parent.suffix.lower() not in SCENARIO_SUFFIXES:
        message = f"extends {parent_name!r}: a scenario file ends in .yaml or .yml"
        return _fatal(document, [*problems, Problem(where, ("extends",), message)])
    if not os.path.lexists(parent):
        message = f"extends {parent_name!r}: no such file ({os.path.realpath(parent)})"
        return _fatal(document, [*problems, Problem(where, ("extends",), message)])
    try:
        parent_text = read_text(parent)
    except Unreadable as exc:
        why = exc.why if exc.line is None else f"{exc.why} (line {exc.line})"
        message = f"extends {parent_name!r}: {why}"
        return _fatal(document, [*problems, Problem(where, ("extends",), message)])
    base, base_problems = _load(parent, (*chain, path), parent_text)
    if base.data is None:
        return _fatal(document, [*problems, *base_problems])
    del document.data["extends"]
    merged, merge_problems = merge_documents(base, document)
    return merged, [*problems, *base_problems, *merge_problems]


def merge_documents(base: Document, over: Document) -> tuple[Document, list[Problem]]:
    """Lay ``over`` on ``base`` (see the module docstring); origins follow the values."""
    origins: dict[DataPath, Origin] = {}
    problems: list[Problem] = []
    data = _merge(base, (), over, (), (), origins, problems)
    return Document(data, origins, over.fallback), problems


def _is_named_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) and "id" in item for item in value)
    )


def _retyped(base: dict[str, Any], over: dict[str, Any]) -> bool:
    """A tagged mapping (a strategy, a distribution) whose tag changes is replaced whole."""
    return any(tag in over and over[tag] != base.get(tag) for tag in TAGS)


def _copy(doc: Document, src: DataPath, dst: DataPath, out: dict[DataPath, Origin]) -> Any:
    value = _get(doc.data, src)
    out[dst] = doc.origin(src)
    if isinstance(value, dict):
        return {k: _copy(doc, (*src, k), (*dst, k), out) for k in value}
    if isinstance(value, list):
        return [_copy(doc, (*src, i), (*dst, i), out) for i in range(len(value))]
    return value


def _get(data: Any, path: DataPath) -> Any:
    for elem in path:
        data = data[elem]
    return data


def _merge(
    base: Document,
    bpath: DataPath,
    over: Document,
    opath: DataPath,
    dst: DataPath,
    out: dict[DataPath, Origin],
    problems: list[Problem],
) -> Any:
    b = _get(base.data, bpath)
    o = _get(over.data, opath)
    if isinstance(b, dict) and isinstance(o, dict) and not _retyped(b, o):
        out[dst] = over.origin(opath)
        merged: dict[str, Any] = {}
        for key in b:
            if key not in o:
                merged[key] = _copy(base, (*bpath, key), (*dst, key), out)
            elif o[key] is not None:
                merged[key] = _merge(
                    base, (*bpath, key), over, (*opath, key), (*dst, key), out, problems
                )
            else:  # removed: a problem about its absence points at the `key: null` line
                out[(*dst, key)] = over.origin((*opath, key))
        for key in o:
            if key not in b and o[key] is not None:
                merged[key] = _copy(over, (*opath, key), (*dst, key), out)
        return merged
    if _is_named_list(b) and _is_named_list(o):
        out[dst] = over.origin(opath)
        by_id = {item["id"]: i for i, item in enumerate(o)}
        items: list[Any] = []
        for i, item in enumerate(b):
            j = by_id.pop(item["id"], None)
            if j is None:
                items.append(_copy(base, (*bpath, i), (*dst, len(items)), out))
            elif o[j].get(REMOVE_KEY) is not True:
                patch = Document({k: v for k, v in o[j].items() if k != REMOVE_KEY}, {})
                patch.origins = {
                    p[len(opath) + 1 :]: org
                    for p, org in over.origins.items()
                    if p[: len(opath) + 1] == (*opath, j)
                }
                patch.fallback = over.origin((*opath, j))
                items.append(
                    _merge(base, (*bpath, i), patch, (), (*dst, len(items)), out, problems)
                )
        for j in sorted(by_id.values()):
            if o[j].get(REMOVE_KEY) is True:
                known = ", ".join(str(item["id"]) for item in b)
                problems.append(
                    over.problem(
                        (*opath, j, REMOVE_KEY),
                        f"nothing to remove: the file extended has no item {o[j]['id']!r}"
                        f" here (has: {known})",
                    )
                )
                continue
            items.append(_copy(over, (*opath, j), (*dst, len(items)), out))
        return items
    return _copy(over, opath, dst, out)


@dataclass(frozen=True)
class Override:
    """One ``--set PATH=VALUE`` given on the command line."""

    path: str
    value: Any
    text: str

    @classmethod
    def parse(cls, text: str) -> Override:
        """Split ``PATH=VALUE``; the value is read as a YAML scalar or flow collection."""
        name, sep, raw = text.partition("=")
        if not sep or not name.strip():
            raise ValueError("expected PATH=VALUE")
        value = parse_scalar(raw)
        return cls(name.strip(), value, text)


def resolve_path(data: Any, path: str, *, allow_new: bool = False) -> DataPath:
    """Turn ``a.b.some_id.c`` into a concrete data path (list items by id or position).

    With ``allow_new`` the last key may be absent from its mapping. Raises ``KeyError``
    with a readable message when a step does not exist.
    """
    steps = path.split(".")
    if not all(steps):
        raise KeyError(f"{path!r} is not a dotted path")
    concrete: list[str | int] = []
    node = data
    for n, step in enumerate(steps):
        last = n == len(steps) - 1
        if isinstance(node, dict):
            if step not in node and not (last and allow_new):
                known = listing(node) or "nothing"
                where = dotted(concrete) or "the scenario"
                raise KeyError(f"{where} has no {shown(step)} (has: {known}){_hint(step, node)}")
            concrete.append(step)
            node = node.get(step)
        elif isinstance(node, list):
            ids = [item.get("id") if isinstance(item, dict) else None for item in node]
            if step in ids:
                index = ids.index(step)
            elif step.isdigit() and int(step) < len(node):
                index = int(step)
            else:
                named = [str(i) for i in ids if i is not None]
                known = listing(named) or "no ids"
                raise KeyError(
                    f"{dotted(concrete)} has no item {shown(step)} (has: {known})"
                    f"{_hint(step, named)}"
                )
            concrete.append(index)
            node = node[index]
        else:
            raise KeyError(f"{dotted(concrete)} is a value, it has no {step!r}")
    return tuple(concrete)


def _hint(step: str, known: Iterable[Any]) -> str:
    close = difflib.get_close_matches(step, [str(k) for k in known], n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def apply_overrides(
    document: Document, overrides: list[Override]
) -> tuple[Document, list[Problem]]:
    """Apply ``--set`` overrides to a copy of the document.

    Setting a field that ``uncertainty.parameters`` samples fixes it: the distribution is
    dropped, so the value set is the value every run uses. A document that is not a
    mapping is returned as it is: validation reports that, and overrides could only add
    confusing messages about paths into nothing.
    """
    if not isinstance(document.data, dict):
        return document, []
    data = copy.deepcopy(document.data)
    origins = dict(document.origins)
    problems: list[Problem] = []
    for override in overrides:
        origin = Origin(f"--set {override.text}")
        try:
            path = resolve_path(data, override.path, allow_new=True)
        except KeyError as exc:
            problems.append(Problem(origin, (), str(exc.args[0])))
            continue
        parent = _get(data, path[:-1])
        parent[path[-1]] = override.value
        for key in [p for p in origins if p[: len(path)] == path]:
            del origins[key]
        origins[path] = origin
        _unsample(data, path)
    return Document(data, origins, document.fallback), problems


def _unsample(data: dict[str, Any], path: DataPath) -> None:
    """Drop the distribution of a field that has just been set to one value."""
    sampled = data.get("uncertainty", {})
    sampled = sampled.get("parameters") if isinstance(sampled, dict) else None
    if not isinstance(sampled, dict):
        return
    for key in list(sampled):
        try:
            same = resolve_path(data, key, allow_new=True) == path
        except KeyError:
            continue  # validation reports a path that leads nowhere
        if same:
            del sampled[key]
