"""Test doubles shared by the suite: the one fake clock, and another process's hold on a ledger."""

from __future__ import annotations

import sqlite3
from pathlib import Path


class FakeClock:
    """Call it to read the time; `sleep` moves the time on and records each wait in `delays`.

    Hand `clock` and `clock.sleep` to whatever takes an injected clock and sleep, so a two-minute
    render takes no real time and every wait it made can be checked afterwards.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.delays: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        assert seconds >= 0, f"a negative sleep ({seconds}) means a schedule went wrong"
        self.delays.append(seconds)
        self.now += seconds


class LedgerHolder:
    """Another process's hold on a job ledger: `BEGIN EXCLUSIVE` on a connection of its own,
    taken and let go when the test says."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.held = False

    def hold(self) -> None:
        if not self.held:
            self.conn.execute("BEGIN EXCLUSIVE")
            self.held = True

    def release(self) -> None:
        if self.held:
            self.conn.execute("ROLLBACK")
            self.held = False

    def close(self) -> None:
        self.release()
        self.conn.close()
