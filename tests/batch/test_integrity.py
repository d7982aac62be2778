"""A results folder is checked before it is trusted: no wrong rows, ever, and a way back.

Each case spoils a sound batch folder in one way (its manifest, one of its parts, a
stray file) and checks that every reader says what is wrong (the file, exit 2, no
traceback) and that running the same `negsim batch` command again repairs it.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.batch import load_results
from sim.batch.manifest import MANIFEST, read_manifest
from sim.batch.store import ResultsWarning, read_batch
from sim.batch.summary import summarise
from sim.cli import main
from sim.scenario import ScenarioError, load_scenario
from sim.simulation import simulate
from tests.batch.conftest import BASE
from tests.batch.folders import batch, parts

RUNS, SEED = 300, 3


@pytest.fixture(scope="module")
def sound(tmp_path_factory):
    """One finished batch folder (3 parts of 100 runs) and its expected rows."""
    out = tmp_path_factory.mktemp("sound") / "b"
    assert batch(out, runs=RUNS, seed=SEED) == 0
    return out


@pytest.fixture(scope="module")
def expected():
    return simulate(load_scenario(BASE), seed=SEED, runs=RUNS)


@pytest.fixture
def folder(sound, tmp_path):
    """A fresh copy of the sound folder, to spoil."""
    copy = tmp_path / "b"
    shutil.copytree(sound, copy)
    (copy / ".lock").unlink(missing_ok=True)
    return copy


def error_lines(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


def readers_refuse(out: Path, capsys, *, needle: str, file: Path) -> None:
    """load_results, summarise and `negsim export` each name ``file`` and say ``needle``."""
    for read in (load_results, summarise, read_batch):
        with pytest.raises(ScenarioError) as caught:
            read(out)
        line = caught.value.lines()[0]
        assert line.startswith(f"error: {file}"), line
        assert needle in line, line
    assert main(["export", str(out), str(out.parent / "rows.csv")]) == 2
    err = error_lines(capsys)
    assert f"error: {file}" in err and needle in err
    assert not (out.parent / "rows.csv").exists()


def rerun_repairs(out: Path, expected: pd.DataFrame, capsys, warning: str | None) -> None:
    """The same command again: exit 0, says ``warning``, the rows as the simulation gives."""
    capsys.readouterr()
    assert batch(out, runs=RUNS, seed=SEED) == 0
    err = error_lines(capsys)
    if warning is None:
        assert "warning:" not in err, err
    else:
        assert re.search(f"^warning: .*{warning}", err, re.MULTILINE), err
    rows = load_results(out)
    pd.testing.assert_frame_equal(rows, expected, check_categorical=False)
    read_manifest(out)  # sound again


# --- the manifest -------------------------------------------------------------------


def _edit_json(out: Path, change) -> None:
    path = out / MANIFEST
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=1))


SPOILED_MANIFESTS = {
    "truncated": (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "JSON"),
    "empty list": (lambda p: p.write_text("[]"), "a JSON list"),
    "empty object": (lambda p: p.write_text("{}"), "not a negsim manifest"),
    "empty file": (lambda p: p.write_text(""), "not valid JSON"),
    "binary": (lambda p: p.write_bytes(b"\xff\xfe\x00garbage"), "not UTF-8"),
    "edited seed": (
        lambda p: p.write_text(
            p.read_text().replace('"seed": 3', '"seed": 4', 2), encoding="utf-8"
        ),
        "was changed after negsim wrote it",
    ),
}


@pytest.mark.parametrize("case", list(SPOILED_MANIFESTS))
def test_a_spoiled_manifest_is_a_clear_error_for_every_reader(folder, capsys, case):
    spoil, needle = SPOILED_MANIFESTS[case]
    spoil(folder / MANIFEST)
    readers_refuse(folder, capsys, needle=needle, file=folder / MANIFEST)


@pytest.mark.parametrize("case", list(SPOILED_MANIFESTS))
def test_plot_and_compare_refuse_a_spoiled_manifest(folder, sound, tmp_path, capsys, case):
    spoil, needle = SPOILED_MANIFESTS[case]
    spoil(folder / MANIFEST)
    assert main(["plot", str(folder), "--out", str(tmp_path / "figures")]) == 2
    assert needle in error_lines(capsys)
    assert main(["compare", str(sound), str(folder), "--out", str(tmp_path / "c")]) == 2
    err = error_lines(capsys)
    assert f"error: {folder / MANIFEST}" in err and needle in err


def test_an_edited_seed_is_caught_even_when_the_json_stays_valid(folder):
    _edit_json(folder, lambda d: d["identity"]["points"][0].update(seed=99))
    with pytest.raises(ScenarioError, match="changed after negsim wrote it"):
        read_manifest(folder)
    # recomputing the digest does not help: the batch hash names the identity
    data = json.loads((folder / MANIFEST).read_text())
    from sim.batch.manifest import _digest

    data["digest"] = _digest({k: v for k, v in data.items() if k != "digest"})
    (folder / MANIFEST).write_text(json.dumps(data))
    with pytest.raises(ScenarioError, match="batch hash does not match"):
        read_manifest(folder)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_one_byte_edit_of_the_manifest_is_caught_or_harmless(sound, tmp_path_factory, data):
    original = (sound / MANIFEST).read_bytes()
    at = data.draw(st.integers(0, len(original) - 1), label="at")
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != original[at]), label="byte")
    out = tmp_path_factory.mktemp("edit")
    (out / "runs").mkdir()
    (out / MANIFEST).write_bytes(original[:at] + bytes([byte]) + original[at + 1 :])
    outcome: object
    try:
        outcome = read_manifest(out)
    except ScenarioError as exc:
        outcome = exc.lines()[0]
    if isinstance(outcome, str):
        assert outcome.startswith(f"error: {out / MANIFEST}"), outcome
    else:  # only an edit that JSON does not see (white space) may pass
        assert outcome == read_manifest(sound)


@pytest.mark.parametrize("case", ["truncated", "empty list", "empty object", "edited seed"])
def test_the_same_command_rewrites_a_spoiled_manifest_from_its_parts(
    folder, expected, capsys, case
):
    SPOILED_MANIFESTS[case][0](folder / MANIFEST)
    rerun_repairs(folder, expected, capsys, warning="this batch's, so it was written again")


def test_a_spoiled_manifest_of_another_batch_is_not_overwritten(folder, capsys):
    SPOILED_MANIFESTS["edited seed"][0](folder / MANIFEST)
    before = (folder / MANIFEST).read_bytes()
    assert batch(folder, runs=RUNS, seed=SEED + 1) == 2
    err = error_lines(capsys)
    assert "refused" in err and "changed after negsim wrote it" in err
    assert (folder / MANIFEST).read_bytes() == before


def test_a_missing_manifest_is_written_again_from_this_batchs_parts(folder, expected, capsys):
    (folder / MANIFEST).unlink()
    with pytest.raises(ScenarioError, match="not a batch folder"):
        load_results(folder)
    rerun_repairs(folder, expected, capsys, warning="is missing")


def test_a_manifest_whose_parts_repeat_run_ids_is_refused(folder):
    from sim.batch.manifest import _digest

    data = json.loads((folder / MANIFEST).read_text())
    data["parts"][1][2] = 0  # the second part would hold runs 0..199 again
    data["digest"] = _digest({k: v for k, v in data.items() if k != "digest"})
    (folder / MANIFEST).write_text(json.dumps(data))
    with pytest.raises(ScenarioError, match="twice or never"):
        load_results(folder)


# --- the parts ----------------------------------------------------------------------


def _rewrite(path: Path, change) -> None:
    """Rewrite a part as negsim would, with its metadata, after ``change`` to its table."""
    table = pq.read_table(path)
    pq.write_table(change(table).replace_schema_metadata(table.schema.metadata), path)


def _from_other_batch(path: Path, tmp: Path) -> None:
    other = tmp / "other"
    assert batch(other, runs=RUNS, seed=SEED + 1) == 0
    shutil.copy(other / "runs" / path.name, path)


SPOILED_PARTS = {
    "truncated": (lambda p, _: p.write_bytes(p.read_bytes()[:-300]), "cut short or damaged"),
    "garbage": (lambda p, _: p.write_bytes(b"PAR1" + b"\x00" * 500), "cut short or damaged"),
    "empty": (lambda p, _: p.write_bytes(b""), "cut short or damaged"),
    "of another batch": (_from_other_batch, "a part of another batch"),
    "a copy of another part": (
        lambda p, _: shutil.copy(p.parent / parts(p.parent.parent)[0].name, p),
        "a copy of another part",
    ),
    "rows cut": (lambda p, _: _rewrite(p, lambda t: t.slice(0, 60)), "60 rows, not the 100"),
    "run ids moved": (
        lambda p, _: _rewrite(
            p,
            lambda t: t.set_column(
                t.schema.get_field_index("run"),
                "run",
                pa.array(t.column("run").to_numpy() + 1),
            ),
        ),
        "run ids are not 100 to 199",
    ),
    "other schema": (
        lambda p, _: _rewrite(
            p,
            lambda t: t.set_column(
                t.schema.get_field_index("u_russia"),
                "u_russia",
                pa.array(t.column("u_russia").to_numpy().astype("float32")),
            ),
        ),
        "not the batch's schema",
    ),
    "not a negsim part": (
        lambda p, _: pq.write_table(pq.read_table(p).replace_schema_metadata(None), p),
        "not a negsim part",
    ),
}


@pytest.mark.parametrize("case", list(SPOILED_PARTS))
def test_a_bad_part_is_named_by_every_reader_and_run_again_by_batch(
    folder, expected, tmp_path, capsys, case
):
    spoil, needle = SPOILED_PARTS[case]
    part = parts(folder)[1]
    spoil(part, tmp_path)
    readers_refuse(folder, capsys, needle=needle, file=part)
    rerun_repairs(folder, expected, capsys, warning=f"bad parts removed and run again: {part.name}")


@pytest.mark.parametrize("case", ["truncated", "of another batch"])
def test_plot_and_compare_name_a_bad_part(folder, sound, tmp_path, capsys, case):
    spoil, needle = SPOILED_PARTS[case]
    part = parts(folder)[0]
    spoil(part, tmp_path)
    assert main(["plot", str(folder), "--out", str(tmp_path / "figures")]) == 2
    err = error_lines(capsys)
    assert f"error: {part}" in err and needle in err
    assert main(["compare", str(sound), str(folder), "--out", str(tmp_path / "c")]) == 2
    assert f"error: {part}" in error_lines(capsys)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_any_one_byte_edit_of_a_part_is_caught_or_harmless(sound, expected, tmp_path_factory, data):
    out = tmp_path_factory.mktemp("flip") / "b"
    shutil.copytree(sound, out)
    part = parts(out)[1]
    original = part.read_bytes()
    at = data.draw(st.integers(0, len(original) - 1), label="at")
    flip = data.draw(st.integers(1, 255), label="xor")
    part.write_bytes(original[:at] + bytes([original[at] ^ flip]) + original[at + 1 :])
    outcome: object
    try:
        outcome = load_results(out)
    except ScenarioError as exc:
        outcome = exc.lines()[0]
    if isinstance(outcome, str):
        assert outcome.startswith(f"error: {part}"), outcome
    else:  # an edit in bytes no reader uses (statistics, say): the very same rows
        pd.testing.assert_frame_equal(outcome, expected, check_categorical=False)


def test_a_manifest_too_large_to_be_one_is_refused_without_reading_it(folder, monkeypatch):
    import sim.batch.manifest

    monkeypatch.setattr(sim.batch.manifest, "MAX_MANIFEST", 1000)
    with pytest.raises(ScenarioError, match="larger than 1,000 bytes"):
        read_manifest(folder)


def test_a_stray_copy_of_a_part_is_not_read(folder, expected, capsys):
    shutil.copy(parts(folder)[0], folder / "runs" / f"{parts(folder)[0].stem} (copy).parquet")
    (folder / "runs" / "notes.txt").write_text("mine")
    with pytest.warns(ResultsWarning, match=r"not parts of this batch, so not read: .*\(copy\)"):
        rows = load_results(folder)
    assert len(rows) == RUNS and rows["run"].is_unique
    pd.testing.assert_frame_equal(rows, expected, check_categorical=False)
    capsys.readouterr()
    assert batch(folder, runs=RUNS, seed=SEED) == 0
    err = error_lines(capsys)
    assert re.search(r"^warning: .*not parts of this batch, so not read: .*notes\.txt", err, re.M)


def test_an_unfinished_batch_reads_what_is_written_and_says_what_is_missing(
    folder, expected, capsys
):
    parts(folder)[2].unlink()
    with pytest.warns(ResultsWarning, match="100 of 300 runs are not written yet"):
        rows = load_results(folder)
    pd.testing.assert_frame_equal(rows, expected.iloc[:200], check_categorical=False)
    rerun_repairs(folder, expected, capsys, warning=None)
