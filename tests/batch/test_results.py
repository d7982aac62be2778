"""Typed batch results (issue 12, point 3): one manifest reader/writer, one deal count.

- the manifest round-trips through :meth:`Manifest.write` / :meth:`Manifest.read`, and a
  manifest with a key missing or unknown is an error that names the file and the key;
- :func:`sim.batch.deals.deal_counts` against a direct count of generated rows, and
  against the summary of a real batch;
- no module but ``sim/batch/manifest.py`` reads ``manifest.json``;
- the column names of :mod:`sim.batch.schema` are those the rows have.
"""

from __future__ import annotations

import ast
import json
from collections import Counter
from pathlib import Path

import hypothesis.strategies as st
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from sim.batch import schema
from sim.batch.deals import LABEL, RUNS, SHARE, UNKNOWN, deal_counts, deal_label
from sim.batch.manifest import MANIFEST, Manifest, _digest
from sim.batch.store import Batch
from sim.batch.summary import summarise
from sim.scenario import ScenarioError, load_scenario
from sim.simulation import simulate
from tests.batch.conftest import BASE, ROOT
from tests.batch.folders import batch

SCENARIO = load_scenario(BASE)
ISSUES = list(SCENARIO.issues)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("results") / "b"
    assert batch(out, runs=400) == 0
    return out


# --- the manifest ---------------------------------------------------------------------


def test_a_manifest_written_then_read_is_the_same_object(folder, tmp_path):
    manifest = Manifest.read(folder)
    manifest.write(tmp_path)
    again = Manifest.read(tmp_path)
    assert again == manifest
    assert again.to_json() == json.loads((folder / MANIFEST).read_text("utf-8"))


def _rewrite(folder: Path, out: Path, change) -> Path:
    """A copy of the folder's manifest with ``change`` made and its digest made to match."""
    data = json.loads((folder / MANIFEST).read_text("utf-8"))
    change(data)
    body = {k: v for k, v in data.items() if k != "digest"}
    data["digest"] = _digest(body)  # so that the check is the layout, not the digest
    out.mkdir(exist_ok=True)
    (out / MANIFEST).write_text(json.dumps(data), "utf-8")
    return out / MANIFEST


@pytest.mark.parametrize("key", ["total_runs", "block", "sweeps", "created"])
def test_a_manifest_missing_a_key_is_an_error_naming_the_file_and_key(folder, tmp_path, key):
    path = _rewrite(folder, tmp_path / "m", lambda d: d.pop(key))
    with pytest.raises(ScenarioError) as caught:
        Manifest.read(path.parent)
    problem = caught.value.problems[0]
    assert problem.origin.file == str(path)
    assert f"no {key!r}" in problem.message


def test_a_manifest_with_an_unknown_key_is_an_error_naming_the_file_and_key(folder, tmp_path):
    path = _rewrite(folder, tmp_path / "m", lambda d: d.update(seeds={"x": 1}))
    with pytest.raises(ScenarioError) as caught:
        Manifest.read(path.parent)
    problem = caught.value.problems[0]
    assert problem.origin.file == str(path)
    assert "unknown key 'seeds'" in problem.message


def test_the_batch_reader_gives_the_manifest_its_scenarios_and_the_columns_asked(folder):
    opened = Batch.open(folder, [schema.AGREEMENT, *ISSUES])
    assert opened.manifest == Manifest.read(folder)
    assert list(opened.rows.columns) == [schema.AGREEMENT, *ISSUES]
    assert [s.id for s in opened.scenarios().values()] == [SCENARIO.id]


# --- one deal count -------------------------------------------------------------------


@st.composite
def rows_of(draw: st.DrawFn, nulls: bool = False) -> pd.DataFrame:
    """Rows over the baseline's issues: an agreement, and each agreed run's options."""
    n = draw(st.integers(0, 60))
    agreed = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    data: dict[str, object] = {schema.AGREEMENT: np.array(agreed, dtype=bool)}
    for issue in ISSUES:
        options = [*SCENARIO.issues[issue].options, *([None] if nulls else [])]
        # few options in play, so that deals repeat and tie
        chosen = draw(st.lists(st.sampled_from(options[:3]), min_size=n, max_size=n))
        values = [o if a else None for o, a in zip(chosen, agreed, strict=True)]
        data[issue] = pd.Categorical(values, categories=list(SCENARIO.issues[issue].options))
    return pd.DataFrame(data)


def _direct(rows: pd.DataFrame) -> Counter[tuple[str, ...]]:
    deals: Counter[tuple[str, ...]] = Counter()
    for _, row in rows.iterrows():
        if row[schema.AGREEMENT]:
            deals[tuple(UNKNOWN if pd.isna(row[i]) else str(row[i]) for i in ISSUES)] += 1
    return deals


@given(rows_of())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_deal_counts_of_a_scenario_are_a_direct_count_most_frequent_first(rows):
    counted = deal_counts(rows, SCENARIO)
    deals = list(counted[ISSUES].itertuples(index=False, name=None))
    assert dict(zip(deals, counted[RUNS], strict=True)) == _direct(rows)
    assert np.allclose(counted[SHARE], counted[RUNS] / max(len(rows), 1))
    assert list(counted[LABEL]) == [
        "; ".join(SCENARIO.option_label(i, o) for i, o in zip(ISSUES, d, strict=True))
        for d in deals
    ]
    # most frequent first, ties in the file order of the options
    place = [
        tuple(list(SCENARIO.issues[i].options).index(o) for i, o in zip(ISSUES, d, strict=True))
        for d in deals
    ]
    order = [(-n, p) for n, p in zip(counted[RUNS], place, strict=True)]
    assert order == sorted(order)


@given(rows_of(nulls=True))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_deal_counts_of_issue_names_count_a_missing_option_as_unknown(rows):
    counted = deal_counts(rows, ISSUES)
    deals = list(counted[ISSUES].itertuples(index=False, name=None))
    assert dict(zip(deals, counted[RUNS], strict=True)) == _direct(rows)
    assert list(counted[LABEL]) == [
        ",".join(f"{i}={o}" for i, o in zip(ISSUES, d, strict=True)) for d in deals
    ]
    order = [(-n, d) for n, d in zip(counted[RUNS], deals, strict=True)]
    assert order == sorted(order)  # ties in the order of the options' text


def test_the_summary_lists_the_deals_deal_counts_gives(folder):
    (point,) = summarise(folder, top=4)
    rows = Batch.open(folder).rows
    counted = deal_counts(rows, SCENARIO).head(4)
    assert [(d.label, d.count) for d in point.deals] == list(
        zip(counted[LABEL], counted[RUNS], strict=True)
    )
    assert point.no_deal.count == len(rows) - int(deal_counts(rows, SCENARIO)[RUNS].sum())
    assert deal_label(SCENARIO, [None] * len(ISSUES)) == "; ".join([UNKNOWN] * len(ISSUES))


# --- one reader of manifest.json ------------------------------------------------------

READS = {"open", "load", "loads", "read_text", "read_bytes", "read_json"}


def manifest_reads(source: str) -> list[int]:
    """Lines of calls that read a file with the manifest's path in their arguments."""
    tree = ast.parse(source)
    # names bound to a path to the manifest (``path = Path(out) / MANIFEST``)
    paths = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and "manifest" in ast.unparse(node.value).lower()
        for target in node.targets
        if isinstance(target, ast.Name)
    }

    def mentions(node: ast.AST) -> bool:
        return "manifest" in ast.unparse(node).lower() or any(
            isinstance(n, ast.Name) and n.id in paths for n in ast.walk(node)
        )

    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name not in READS:
            continue
        # read_text / read_bytes take the path as their receiver
        parts = [*node.args, *(k.value for k in node.keywords)]
        if isinstance(func, ast.Attribute):
            parts.append(func.value)
        if any(mentions(p) for p in parts):
            found.append(node.lineno)
    return found


def test_the_checker_finds_a_module_reading_the_manifest():
    reader = (
        "import json\n"
        "def seeds(out):\n"
        "    return json.loads((out / MANIFEST).read_text())['seed']\n"
        "def other(out):\n"
        "    with open(out / 'manifest.json') as f:\n"
        "        return f.read()\n"
    )
    assert sorted(manifest_reads(reader)) == [3, 3, 5]
    assert manifest_reads("def ok(out):\n    return (out / MANIFEST).is_file()\n") == []


def test_no_module_but_the_manifest_module_reads_manifest_json():
    package = ROOT / "sim"
    owner = package / "batch" / "manifest.py"
    assert manifest_reads(owner.read_text("utf-8"))  # the one reader is seen as one
    others = {
        str(path.relative_to(ROOT)): lines
        for path in sorted(package.rglob("*.py"))
        if path != owner and (lines := manifest_reads(path.read_text("utf-8")))
    }
    assert others == {}


# --- column names in one place --------------------------------------------------------


def test_the_schema_names_are_the_columns_of_the_rows():
    rows = simulate(SCENARIO, seed=1, runs=3)
    columns = list(rows.columns)
    assert columns[:4] == [schema.SCENARIO, schema.RUN, schema.AGREEMENT, schema.ROUND]
    fixed = {schema.ENDED, schema.BLOCKER, schema.BLOCKED_ON, schema.RATIFIED}
    assert {schema.ENDED, schema.BLOCKER, schema.BLOCKED_ON} <= set(columns)
    prefixes = (
        schema.UTILITY,
        schema.RESERVATION,
        schema.FIRM,
        schema.PARAMETER,
        schema.EVENT,
        schema.GAVE_UP,
        schema.INFORMED,
    )
    rest = [c for c in columns[4:] if c not in fixed and c not in ISSUES]
    assert rest and all(c.startswith(prefixes) for c in rest)
    lines = [f"{p}.{line.id}" for p, party in SCENARIO.parties.items() for line in party.red_lines]
    lines += [  # a ratifier's lines follow every party's own (its reservation has no column)
        f"{p}.{q.id}.{line.id}"
        for p, party in SCENARIO.parties.items()
        for q in party.ratification
        for line in q.red_lines
    ]
    assert [c for c in columns if c.startswith(schema.FIRM)] == [schema.FIRM + k for k in lines]
    assert [c for c in columns if c.startswith(schema.UTILITY)] == [
        schema.UTILITY + p for p in SCENARIO.parties
    ]
