"""The live progress line `seedance` draws on stderr while it waits for a render."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TYPE_CHECKING

from ..printable import printable

if TYPE_CHECKING:
    from ..engine import Progress

__all__ = ["ProgressBar"]

BAR_WIDTH = 24
"""Characters of the bar itself."""
PLAIN_EVERY_SECONDS = 10.0
"""Without a TTY, how often a line is printed while nothing changes phase."""


class ProgressBar:
    """One line on stderr: phase, elapsed and expected time. Plain lines when not a TTY.

    Used as a context manager around a wait, it ends its line when the wait ends, however it
    ends. One bar serves one invocation: `job_id` is the job it last reported on (None before
    a job exists), for the answer to a Ctrl-C.
    """

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.job_id: str | None = None
        self.tty = sys.stderr.isatty()
        self._last_plain = 0.0
        self._drawn = False

    async def __call__(self, p: Progress) -> None:
        self.job_id = p.job_id
        if not self.enabled:
            return
        expected = f" / ~{p.expected:.0f}s" if p.expected else ""
        frac = min(p.elapsed / p.expected, 0.99) if p.expected else 0.0
        if p.phase == "done":
            frac = 1.0
        filled = int(frac * BAR_WIDTH)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        line = printable(f"[{bar}] {p.phase:<11} {p.elapsed:5.0f}s{expected}  {p.job_id}")
        if self.tty:
            sys.stderr.write("\r" + line[:120].ljust(80))
            self._drawn = True
            if p.phase in ("done", "failed"):
                sys.stderr.write("\n")
                self._drawn = False
            sys.stderr.flush()
        else:
            now = time.monotonic()
            if (
                p.phase in ("submitting", "downloading", "done", "failed")
                or now - self._last_plain >= PLAIN_EVERY_SECONDS
            ):
                self._last_plain = now
                print(line, file=sys.stderr)

    def close(self) -> None:
        if self._drawn:
            sys.stderr.write("\n")
            self._drawn = False

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
