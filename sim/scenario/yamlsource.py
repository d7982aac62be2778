"""Read YAML safely into plain data, remembering the line every value came from.

Differences from a plain ``yaml.safe_load``, all deliberate:

* only ``true`` / ``false`` are booleans (YAML 1.2); an unquoted ``yes``, ``no``, ``on``
  or ``off`` stays text, so an option called ``no`` is not silently turned into ``False``
  and ``signs: yes`` is reported instead of guessed;
* a key given twice in one mapping is an error, not "the last one wins";
* keys must be text; anchors and aliases work, merge keys (``<<``) work, a recursive
  alias (or merge), an alias bomb and absurdly deep nesting are errors;
* numbers are read as YAML 1.2 writes them: ``3e-1`` and ``1e5`` are numbers (YAML 1.1
  wants ``3.0e-1``), and a number too large for a float (``1e400``) is an error, not
  infinity;
* nothing is ever constructed from a tag: only the safe loader's plain types exist, and
  a tag on a list or mapping (``!!python/object/apply:...``, ``!!set``) is an error.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim.scenario.files import Unreadable, read_text
from sim.scenario.problems import DataPath, Origin, Problem
from sim.scenario.yamlerrors import explain

try:
    from yaml import CSafeLoader as _LibYAML
except ImportError:  # PyYAML built without libyaml: the same reading, slower
    from yaml import SafeLoader as _LibYAML  # type: ignore[assignment]

#: Values built from one file at most; far above any real scenario, low enough that an
#: alias bomb ("billion laughs") stops quickly.
MAX_VALUES = 200_000

_BOOL_TAG = "tag:yaml.org,2002:bool"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_PLAIN_COLLECTION_TAGS = {"tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}


class _Loader(yaml.SafeLoader):
    """SafeLoader whose only booleans are true and false."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
# YAML 1.1 (PyYAML) reads `3e-1` and `1.0e5` as text: its floats need a dot and a signed
# exponent. YAML 1.2 floats are what people write; `0.3`, `.5` and `1.0e+5` read as before.
_Loader.add_implicit_resolver(
    _FLOAT_TAG,
    re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)[eE][-+]?[0-9]+$"),
    list("-+.0123456789"),
)


class _FastLoader(_LibYAML):
    """The same reading on libyaml, some 10 times faster on large files.

    Only for text that parses: a syntax error is explained from the pure-Python
    parser's view of it (see yamlerrors), so text that fails here is read again slowly.
    """

    yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


@dataclass
class Document:
    """Plain data (dicts, lists, scalars) and the origin of every path in it."""

    data: Any
    origins: dict[DataPath, Origin] = field(default_factory=dict)
    fallback: Origin = field(default_factory=lambda: Origin("<scenario>"))

    def origin(self, path: DataPath) -> Origin:
        """Where the value at ``path`` (or its nearest recorded ancestor) came from."""
        for end in range(len(path), -1, -1):
            found = self.origins.get(path[:end])
            if found is not None:
                return found
        return self.fallback

    def problem(self, path: DataPath, message: str) -> Problem:
        """A problem at ``path``, located in its source file."""
        return Problem(self.origin(path), path, message)


class _Builder:
    def __init__(self, loader: _Loader | _FastLoader, file: str) -> None:
        self.loader = loader
        self.file = file
        self.origins: dict[DataPath, Origin] = {}
        self.problems: list[Problem] = []
        self.count = 0
        self.active: set[int] = set()

    def origin(self, node: Node) -> Origin:
        return Origin(self.file, node.start_mark.line + 1)

    def build(self, node: Node, path: DataPath, where: Node | None = None) -> Any:
        self.origins.setdefault(path, self.origin(where or node))
        self.count += 1
        if self.count > MAX_VALUES:
            raise _TooBig(self.origin(node))
        if id(node) in self.active:
            self.problems.append(Problem(self.origin(node), path, "an alias refers to itself"))
            return None
        if isinstance(node, ScalarNode):
            try:
                value = self.loader.construct_object(node, deep=True)
            except ValueError:  # Python refuses to read an integer of over 4,300 digits
                message = f"a number of {len(node.value):,} characters is too large"
                self.problems.append(Problem(self.origin(node), path, message))
                return None
            if isinstance(value, float) and math.isinf(value) and "inf" not in node.value.lower():
                message = f"{node.value} is too large for a number (it would be infinite)"
                self.problems.append(Problem(self.origin(node), path, message))
                return None
            return value
        if node.tag not in _PLAIN_COLLECTION_TAGS:
            message = f"tag {node.tag!r} is not allowed: plain data only"
            self.problems.append(Problem(self.origin(node), path, message))
            return None
        self.active.add(id(node))
        try:
            if isinstance(node, SequenceNode):
                return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
            if isinstance(node, MappingNode):
                return self.mapping(node, path)
        finally:
            self.active.discard(id(node))
        raise AssertionError(f"unexpected YAML node {node!r}")  # pragma: no cover

    def mapping(self, node: MappingNode, path: DataPath) -> dict[str, Any]:
        out: dict[str, Any] = {}
        merged: list[MappingNode] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged.extend(self.merge_sources(value_node, path))
                continue
            if not isinstance(key_node, ScalarNode):
                self.problems.append(
                    Problem(self.origin(key_node), path, "a key must be a plain name")
                )
                continue
            key = self.loader.construct_object(key_node)
            if not isinstance(key, str):
                self.problems.append(
                    Problem(
                        self.origin(key_node),
                        path,
                        f"key {key_node.value!r} is read as {type(key).__name__}, not a name;"
                        " quote it if it is meant as text",
                    )
                )
                continue
            if key in out:
                first = self.origins.get((*path, key))
                self.problems.append(
                    Problem(
                        self.origin(key_node),
                        (*path, key),
                        f"duplicate key (first given at line {first.line if first else '?'})",
                    )
                )
                continue
            out[key] = self.build(value_node, (*path, key), where=key_node)
        for source in merged:
            if id(source) in self.active:
                self.problems.append(
                    Problem(self.origin(source), path, "a merge key (<<) refers to its own mapping")
                )
                continue
            self.active.add(id(source))
            try:
                for key, value in self.mapping(source, path).items():
                    out.setdefault(key, value)
            finally:
                self.active.discard(id(source))
        return out

    def merge_sources(self, node: Node, path: DataPath) -> list[MappingNode]:
        if isinstance(node, MappingNode):
            return [node]
        if isinstance(node, SequenceNode) and all(isinstance(n, MappingNode) for n in node.value):
            return list(node.value)
        self.problems.append(
            Problem(self.origin(node), path, "a merge key (<<) takes a mapping or a list of them")
        )
        return []


class _TooBig(Exception):
    def __init__(self, origin: Origin) -> None:
        self.origin = origin


def parse_yaml(text: str, file: str) -> tuple[Document, list[Problem]]:
    """Parse one YAML text; return its document and the problems found (never raises)."""
    if "\t" not in text:  # libyaml takes some tabs that PyYAML refuses: one reading only
        try:
            return _parse(_FastLoader, text, file, fast=True)
        except yaml.YAMLError:  # explained from the pure-Python parser's view
            pass
    return _parse(_Loader, text, file, fast=False)


def _parse(
    kind: type[_Loader | _FastLoader], text: str, file: str, *, fast: bool
) -> tuple[Document, list[Problem]]:
    loader: _Loader | _FastLoader | None = None
    try:
        loader = kind(text)  # the pure-Python reader checks the characters first
        root = loader.get_single_node()
        if root is None:
            return Document(None, {(): Origin(file, 1)}, Origin(file, 1)), []
        builder = _Builder(loader, file)
        data = builder.build(root, ())
        return Document(data, builder.origins, Origin(file, 1)), builder.problems
    except _TooBig as big:
        message = f"more than {MAX_VALUES:,} values (an alias bomb?)"
        return Document(None, {}, Origin(file)), [Problem(big.origin, (), message)]
    except RecursionError:
        message = "YAML: nested too deeply"
        return Document(None, {}, Origin(file)), [Problem(Origin(file), (), message)]
    except yaml.YAMLError as exc:
        if fast:
            raise
        return Document(None, {}, Origin(file)), [_syntax_problem(exc, text, file)]
    finally:
        if loader is not None:
            loader.dispose()


def _syntax_problem(exc: yaml.YAMLError, text: str, file: str) -> Problem:
    if isinstance(exc, yaml.reader.ReaderError):
        message = (
            f"YAML: a control character (U+{exc.character:04X}) that YAML does not allow"
            " in a text: remove it"
        )
        return Problem(Origin(file, text[: exc.position].count("\n") + 1), (), message)
    if isinstance(exc, yaml.MarkedYAMLError):
        line, what = explain(exc, text)
        return Problem(Origin(file, line), (), f"YAML: {what}")
    return Problem(Origin(file), (), f"YAML: {exc}")


def parse_scalar(text: str) -> Any:
    """Read a command-line value the way a scenario file would read it."""
    document, problems = parse_yaml(text, "<value>")
    if problems:
        raise ValueError(problems[0].message)
    return document.data


def read_yaml(path: Path, shown_as: str | None = None) -> tuple[Document, list[Problem]]:
    """Read and parse one file; unreadable files become problems."""
    name = shown_as or str(path)
    try:
        text = read_text(path)
    except Unreadable as exc:
        why = exc.why.replace("not a file", "not a scenario file")
        return Document(None), [Problem(Origin(name, exc.line), (), why)]
    return parse_yaml(text, name)
