"""Feedback while a batch runs: a progress bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.5))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


class Progress:
    """Counts finished runs; redraws a bar on a terminal, else prints a line now and then."""

    def __init__(
        self, total: int, done: int = 0, stream: TextIO | None = None, enabled: bool = True
    ) -> None:
        self.total = total
        self.start_done = done
        self.done = done
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = self.stream.isatty()
        self.started = time.monotonic()
        self.last = 0.0

    def line(self) -> str:
        """The current state in one line: share, counts, rate, time left."""
        elapsed = time.monotonic() - self.started
        rate = (self.done - self.start_done) / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else float("nan")
        share = self.done / self.total if self.total else 1.0
        eta = _clock(left) if left == left else "?"
        return (
            f"{share:6.1%}  {self.done:,}/{self.total:,} runs  {rate:,.0f} runs/s"
            f"  {_clock(elapsed)} elapsed, {eta} left"
        )

    def update(self, runs: int) -> None:
        """Count finished runs and show progress."""
        self.done += runs
        if not self.enabled:
            return
        now = time.monotonic()
        if self.tty:
            if now - self.last > 0.1 or self.done >= self.total:
                width = 30
                filled = int(width * self.done / self.total) if self.total else width
                bar = "#" * filled + "-" * (width - filled)
                self.stream.write(f"\r[{bar}] {self.line()}\033[K")
                self.stream.flush()
                self.last = now
        elif now - self.last > 10.0 or self.done >= self.total:
            self.stream.write(self.line() + "\n")
            self.stream.flush()
            self.last = now

    def close(self) -> None:
        """End the bar's line."""
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()
