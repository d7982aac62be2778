"""The life of a results folder: when it is written, locked, refused, and a full disk."""

from __future__ import annotations

import fcntl
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import sim.batch.run
import sim.batch.work
from sim.batch import load_results
from sim.batch.manifest import MANIFEST, read_manifest
from sim.batch.store import LOCK, ResultsWarning, done_parts
from sim.scenario import load_scenario
from sim.simulation import simulate
from tests.batch.conftest import BASE, BIN
from tests.batch.folders import batch, parts

NEGSIM = str(BIN / "negsim")


def expected(runs: int, seed: int = 3) -> pd.DataFrame:
    return simulate(load_scenario(BASE), seed=seed, runs=runs)


# --- nothing is written before the batch starts (9.2) -------------------------------


def test_a_batch_failing_before_its_first_block_writes_no_manifest(tmp_path, monkeypatch):
    def broken(task):
        raise RuntimeError("the scenario cannot be simulated")

    monkeypatch.setattr(sim.batch.work, "rows_of", broken)
    with pytest.raises(RuntimeError, match="cannot be simulated"):
        batch(tmp_path / "b", runs=300)
    assert not (tmp_path / "b" / MANIFEST).exists()
    monkeypatch.undo()
    assert batch(tmp_path / "b", runs=200) == 0  # the corrected command, another batch
    pd.testing.assert_frame_equal(
        load_results(tmp_path / "b"), expected(200), check_categorical=False
    )


def test_a_manifest_without_any_part_is_replaced_by_the_next_command(tmp_path, monkeypatch, capsys):
    def broken(task, out):
        raise RuntimeError("the first block failed")

    monkeypatch.setattr(sim.batch.run, "run_task", broken)
    with pytest.raises(RuntimeError, match="first block failed"):
        batch(tmp_path / "b", runs=300)
    assert (tmp_path / "b" / MANIFEST).exists() and not parts(tmp_path / "b")
    monkeypatch.undo()
    capsys.readouterr()
    assert batch(tmp_path / "b", runs=200, seed=5) == 0  # a different batch: taken
    assert "warning: " in (err := capsys.readouterr().err) and "wrote no part; replaced" in err
    assert read_manifest(tmp_path / "b").total_runs == 200
    pd.testing.assert_frame_equal(
        load_results(tmp_path / "b"), expected(200, seed=5), check_categorical=False
    )


@pytest.mark.parametrize("manifest", ["{}", "[]", '{"format": 2, "digest": "x"', ""])
def test_a_damaged_manifest_without_parts_is_replaced(tmp_path, manifest):
    out = tmp_path / "b"
    (out / "runs").mkdir(parents=True)
    (out / MANIFEST).write_text(manifest)
    assert batch(out, runs=200) == 0
    pd.testing.assert_frame_equal(load_results(out), expected(200), check_categorical=False)


def test_a_lost_manifest_is_written_again_beside_other_files(tmp_path, capsys):
    out = tmp_path / "b"
    assert batch(out, runs=200) == 0
    (out / MANIFEST).unlink()
    (out / "figures").mkdir()  # as `negsim plot` leaves them
    capsys.readouterr()
    assert batch(out, runs=200) == 0
    assert "manifest.json is missing; the parts in" in capsys.readouterr().err
    pd.testing.assert_frame_equal(load_results(out), expected(200), check_categorical=False)


def test_a_folder_with_parts_of_another_batch_is_still_refused(tmp_path, capsys):
    assert batch(tmp_path / "b", runs=200) == 0
    assert batch(tmp_path / "b", runs=300) == 2
    err = capsys.readouterr().err
    assert "refused: it holds a different batch" in err and "choose another --out" in err


# --- one batch at a time (14.12) ----------------------------------------------------


def test_a_second_batch_into_a_locked_folder_is_refused(tmp_path, capsys):
    out = tmp_path / "b"
    out.mkdir()
    held = os.open(out / LOCK, os.O_RDWR | os.O_CREAT)
    fcntl.flock(held, fcntl.LOCK_EX)  # as a running batch holds it
    try:
        assert batch(out, runs=200) == 2
        err = capsys.readouterr().err
        assert "another negsim batch is writing there" in err and "Traceback" not in err
        assert not (out / MANIFEST).exists()
    finally:
        os.close(held)
    assert batch(out, runs=200) == 0


def test_two_identical_batches_at_once_write_every_run_exactly_once(tmp_path):
    out = tmp_path / "b"
    command = [
        NEGSIM,
        "batch",
        str(BASE),
        "--runs",
        "2000",
        "--seed",
        "3",
        "--block",
        "100",
        "--workers",
        "1",
        "--quiet",
        "--out",
        str(out),
    ]
    procs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    results = [(p.wait(timeout=300), p.stderr.read() if p.stderr else "") for p in procs]
    codes = sorted(code for code, _ in results)
    for code, err in results:
        assert "Traceback" not in err, err
        if code == 2:
            assert "another negsim batch is writing there" in err, err
    assert codes in ([0, 0], [0, 2]), results
    rows = load_results(out)
    assert rows["run"].tolist() == list(range(2000))
    pd.testing.assert_frame_equal(rows, expected(2000), check_categorical=False)


# --- unwritable folders and full disks (9.20, 14.10) ---------------------------------


def test_an_unwritable_folder_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "file").write_text("in the way")
    assert batch(tmp_path / "file" / "b", runs=100) == 2
    err = capsys.readouterr().err
    assert "cannot write the results folder" in err and "Traceback" not in err


@pytest.fixture
def small_disk(tmp_path):
    """A tmpfs of 192 KiB (root only; skipped where mounting is not allowed)."""
    disk = tmp_path / "disk"
    disk.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=192k", "tmpfs", str(disk)],
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {made.stderr.strip() or made.returncode}")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def _resize(disk: Path, size: str) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(disk)], check=True)


def test_a_full_disk_mid_batch_keeps_every_finished_part(small_disk, capsys):
    out = small_disk / "b"
    assert batch(out, runs=2000) == 2
    err = capsys.readouterr().err
    assert "no space left" in err.lower() and "run the same command again" in err, err
    assert "Traceback" not in err
    written = parts(out)
    assert 0 < len(written) < 20, "the disk should fill part way"
    assert not list((out / "runs").glob(".*.tmp")), "no temporary file is left behind"
    assert done_parts(out) == {p.name for p in written}, "every part on disk is whole"
    with pytest.warns(ResultsWarning, match="not written yet"):
        rows = load_results(out)
    assert len(rows) == 100 * len(written)
    _resize(small_disk, "8m")
    assert batch(out, runs=2000) == 0
    pd.testing.assert_frame_equal(load_results(out), expected(2000), check_categorical=False)


def test_a_full_disk_while_the_manifest_is_written_leaves_a_reusable_folder(small_disk, capsys):
    _resize(small_disk, "8k")  # less than the manifest
    out = small_disk / "b"
    assert batch(out, runs=200) == 2
    err = capsys.readouterr().err
    assert f"error: {out / MANIFEST}: cannot be written" in err and "Traceback" not in err
    assert "run the same command again" in err
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]
    _resize(small_disk, "8m")
    assert batch(out, runs=200) == 0
    pd.testing.assert_frame_equal(load_results(out), expected(200), check_categorical=False)


def test_a_finished_batch_reads_from_a_read_only_folder(small_disk):
    _resize(small_disk, "8m")
    out = small_disk / "b"
    assert batch(out, runs=200) == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    pd.testing.assert_frame_equal(load_results(out), expected(200), check_categorical=False)
