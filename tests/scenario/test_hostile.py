"""A scenario is data, and so is what it points to (issue 9.19, 14.14).

Every ``extends:`` or ``source:`` that is not a readable text file gets a clear problem
quickly, never a hang or a memory spike; messages quote nothing of a foreign file.
"""

from __future__ import annotations

import os
import threading
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from sim.scenario import Problem, ScenarioError, load_scenario
from sim.scenario.files import MAX_BYTES
from tests.scenario.helpers import Files, Written, where

#: Seconds any of these cases may take: they should take milliseconds.
QUICK = 5.0


def within(seconds: float, call: Callable[[], list[Problem]], unblock: Path | None = None):
    """Run ``call`` in a thread; it must finish in time (a FIFO is unblocked after)."""
    out: list[list[Problem]] = []
    worker = threading.Thread(target=lambda: out.append(call()), daemon=True)
    start = time.perf_counter()
    worker.start()
    worker.join(seconds)
    hung = worker.is_alive()
    if hung and unblock is not None:  # let a reader stuck on a pipe go, so the test ends
        fd = os.open(unblock, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        worker.join(1)
    assert not hung, f"still reading after {seconds} s"
    assert time.perf_counter() - start < seconds
    return out[0]


def problems_of(path: Path) -> list[Problem]:
    try:
        load_scenario(path)
    except ScenarioError as exc:
        return exc.problems
    raise AssertionError("loaded without a problem")


def variant(files: Files, target: str) -> Written:
    files.scenario(name="base.yaml")
    return files.write(f"extends: {target}\nid: variant\n")


def one(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# --- extends: -----------------------------------------------------------------------------


def test_extends_a_fifo_is_an_error_not_a_hang(files: Files) -> None:
    os.mkfifo(files.root / "pipe.yaml")
    w = variant(files, "pipe.yaml")
    problem = one(within(QUICK, lambda: problems_of(w.path), unblock=files.root / "pipe.yaml"))
    assert where(problem) == ("scenario.yaml", 1, "extends")
    assert problem.message == "extends 'pipe.yaml': is a named pipe (FIFO), not a file"


def test_extends_dev_zero_is_an_error_not_an_endless_read(files: Files) -> None:
    (files.root / "zero.yaml").symlink_to("/dev/zero")
    w = variant(files, "zero.yaml")
    problem = one(within(QUICK, lambda: problems_of(w.path)))
    assert problem.message == "extends 'zero.yaml': is a device, not a file"


def test_extends_a_binary_file(files: Files) -> None:
    (files.root / "binary.yaml").write_bytes(b"id: x\n" + bytes(range(256)) * 4)
    w = variant(files, "binary.yaml")
    problem = one(problems_of(w.path))
    assert problem.message == "extends 'binary.yaml': a binary file, not text (line 2)"


def test_extends_a_file_of_hundreds_of_mb_is_refused_without_reading_it(files: Files) -> None:
    huge = files.root / "huge.yaml"
    with huge.open("wb") as out:  # sparse: no disk used
        out.truncate(300 * 1024 * 1024)
    w = variant(files, "huge.yaml")
    tracemalloc.start()
    try:
        problem = one(within(QUICK, lambda: problems_of(w.path)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024
    assert problem.message == (
        "extends 'huge.yaml': is 300.0 MB, more than the limit of 10.0 MB for a file a"
        " scenario reads"
    )


def test_a_scenario_file_of_hundreds_of_mb(files: Files) -> None:
    huge = files.root / "huge.yaml"
    with huge.open("wb") as out:
        out.truncate(300 * 1024 * 1024)
    problem = one(within(QUICK, lambda: problems_of(huge)))
    assert problem.message.startswith("is 300.0 MB, more than the limit of 10.0 MB")


def test_a_file_just_under_the_limit_is_read(files: Files) -> None:
    # a long comment pads a valid scenario to just under the limit
    base = files.scenario()
    padding = MAX_BYTES - len(base.text.encode()) - 10
    files.write(base.text + "#" + "x" * padding + "\n")
    assert load_scenario(base.path).id == "test-talks"


def test_extends_into_a_symlink_loop_is_an_error(files: Files) -> None:
    # 14.14: Path.resolve raised RuntimeError on this loop
    (files.root / "a.yaml").symlink_to("b.yaml")
    (files.root / "b.yaml").symlink_to("a.yaml")
    w = variant(files, "a.yaml")
    problem = one(within(QUICK, lambda: problems_of(w.path)))
    assert where(problem) == ("scenario.yaml", 1, "extends")
    assert problem.message == "extends 'a.yaml': a loop of symbolic links: it leads to no file"


def test_a_scenario_file_that_is_a_symlink_loop(files: Files) -> None:
    loop = files.root / "loop.yaml"
    loop.symlink_to("loop.yaml")
    problem = one(problems_of(loop))
    assert str(problem) == f"{loop}: a loop of symbolic links: it leads to no file"


def test_a_scenario_file_that_is_a_fifo(files: Files) -> None:
    pipe = files.root / "pipe.yaml"
    os.mkfifo(pipe)
    problem = one(within(QUICK, lambda: problems_of(pipe), unblock=pipe))
    assert str(problem) == f"{pipe}: is a named pipe (FIFO), not a scenario file"


def test_extends_names_a_scenario_file_so_no_other_file_is_read(files: Files) -> None:
    (files.root / "secrets.txt").write_text("password: hunter2\n", encoding="utf-8")
    w = variant(files, "secrets.txt")
    problem = one(problems_of(w.path))
    assert problem.message == "extends 'secrets.txt': a scenario file ends in .yaml or .yml"
    assert "hunter2" not in str(problem)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_extends_a_file_that_cannot_be_read(files: Files) -> None:
    locked = files.root / "locked.yaml"
    locked.write_text("id: x\n", encoding="utf-8")
    locked.chmod(0)
    w = variant(files, "locked.yaml")
    assert one(problems_of(w.path)).message == (
        "extends 'locked.yaml': cannot read: permission denied"
    )


# --- source: ------------------------------------------------------------------------------


def with_source(files: Files, source: str) -> Written:
    return files.scenario(
        ("title: Test talks\n", f"title: Test talks\nsource: {source}\n"),
        ("        credibility: 0.9\n", "        credibility: 0.9\n        quote: off the table\n"),
    )


def test_a_source_that_is_a_fifo(files: Files) -> None:
    os.mkfifo(files.root / "article.txt")
    w = with_source(files, "article.txt")
    problem = one(within(QUICK, lambda: problems_of(w.path), unblock=files.root / "article.txt"))
    assert where(problem) == ("scenario.yaml", w.line("source:"), "source")
    assert problem.message == "source file 'article.txt': is a named pipe (FIFO), not a file"


def test_a_source_that_is_dev_zero(files: Files) -> None:
    w = with_source(files, "/dev/zero")
    problem = one(within(QUICK, lambda: problems_of(w.path)))
    assert problem.message == "source file '/dev/zero': is a device, not a file"


def test_a_source_that_is_binary_quotes_none_of_it(files: Files) -> None:
    secret = b"\x89PNG\r\n\x1a\n\x00\x00 off the table SECRET-CONTENT"
    (files.root / "article.txt").write_bytes(secret)
    w = with_source(files, "article.txt")
    problem = one(problems_of(w.path))
    assert problem.message == "source file 'article.txt': a binary file, not text (line 3)"
    assert "SECRET" not in str(problem)


def test_a_source_that_is_not_utf8(files: Files) -> None:
    (files.root / "article.txt").write_bytes(b"North said\nit is off the table, caf\xe9.\n")
    w = with_source(files, "article.txt")
    assert one(problems_of(w.path)).message == "source file 'article.txt': not UTF-8 text (line 2)"


def test_a_source_of_hundreds_of_mb(files: Files) -> None:
    with (files.root / "article.txt").open("wb") as out:
        out.truncate(500 * 1024 * 1024)
    w = with_source(files, "article.txt")
    problem = one(within(QUICK, lambda: problems_of(w.path)))
    assert problem.message.startswith("source file 'article.txt': is 500.0 MB, more than")


def test_a_source_that_is_a_symlink_loop(files: Files) -> None:
    (files.root / "article.txt").symlink_to("article.txt")
    w = with_source(files, "article.txt")
    problem = one(problems_of(w.path))
    assert problem.message == (
        "source file 'article.txt': a loop of symbolic links: it leads to no file"
    )
