"""The suite's one fake clock: time that moves only when a test (or an injected sleep) moves it."""

from __future__ import annotations


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
