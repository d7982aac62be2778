"""Reading the files a scenario names, with care: regular UTF-8 text of a bounded size.

A scenario is data, and so is what it points to (``extends:``, ``source:``). Whatever
path a file gives, reading it never blocks (a named pipe, a terminal), never reads
without end (``/dev/zero``) and never takes more memory than ``MAX_BYTES``; what is not a
readable text file is a clear problem, in words that quote nothing of its content.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

#: The largest file read: far above any scenario or source document (the text of a long
#: book is about 2 MB), small enough to read at once.
MAX_BYTES = 10 * 1024 * 1024


class Unreadable(Exception):
    """A file that cannot be read as text, and why (``line`` for a bad byte)."""

    def __init__(self, why: str, line: int | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.line = line

    def __reduce__(self) -> tuple[type[Unreadable], tuple[str, int | None]]:
        return (type(self), (self.why, self.line))


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, in words (None for a regular file)."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory, not a file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a file"
    return "is not a regular file"


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def _check(info: os.stat_result) -> None:
    kind = _kind(info.st_mode)
    if kind is not None:
        raise Unreadable(kind)
    if info.st_size > MAX_BYTES:
        raise Unreadable(
            f"is {_size(info.st_size)}, more than the limit of {_size(MAX_BYTES)} for a file"
            " a scenario reads"
        )


def _os_error(exc: OSError) -> Unreadable:
    if isinstance(exc, FileNotFoundError):
        return Unreadable("file not found")
    if exc.errno == errno.ELOOP:
        return Unreadable("a loop of symbolic links: it leads to no file")
    if isinstance(exc, PermissionError):
        return Unreadable("cannot read: permission denied")
    return Unreadable(f"cannot read: {exc.strerror or exc}")


def read_text(path: Path) -> str:
    """The text of a regular UTF-8 file of at most MAX_BYTES; raise Unreadable if not."""
    try:
        _check(os.stat(path))
        # O_NONBLOCK: should the file become a pipe between stat and open, open and
        # read return at once instead of waiting for a writer
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
        fd = os.open(path, flags)
        try:
            _check(os.fstat(fd))  # what was opened, not what was looked at
            chunks: list[bytes] = []
            left = MAX_BYTES + 1
            while left > 0:
                chunk = os.read(fd, min(left, 1024 * 1024))
                if not chunk:
                    break
                chunks.append(chunk)
                left -= len(chunk)
        finally:
            os.close(fd)
    except OSError as exc:
        raise _os_error(exc) from None
    raw = b"".join(chunks)
    if len(raw) > MAX_BYTES:  # it grew while being read
        raise Unreadable(
            f"is more than the limit of {_size(MAX_BYTES)} for a file a scenario reads"
        )
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise Unreadable("a binary file, not text", line)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise Unreadable("not UTF-8 text", line) from None
