"""What the Seedance models are whoever serves them: the typical render time of a clip by its
length. No provider documents these for ByteDance's own models; the figures are APIXO's measured
Seedance 1.5 Pro times for 1.x (4 s ~40-60 s, 8 s ~60-90 s, 12 s ~90-120 s), stretched for the
longer 2.x clips (third-party reports of 1-7 minutes). Each provider names its source."""

from __future__ import annotations

from .base import PollAdvice

__all__ = ["RENDER_1X", "RENDER_2X", "poll_1x", "poll_2x"]

RENDER_1X: dict[int, tuple[float, float]] = {4: (40.0, 60.0), 8: (60.0, 90.0), 12: (90.0, 120.0)}
RENDER_2X: dict[int, tuple[float, float]] = {
    5: (60.0, 180.0),
    10: (120.0, 300.0),
    15: (180.0, 420.0),
    30: (360.0, 900.0),
}


def poll_1x(source: str) -> PollAdvice:
    """Seedance 1.x: poll every 5 s within the typical times."""
    return PollAdvice(interval=5.0, render_seconds=RENDER_1X, source=source)


def poll_2x(source: str) -> PollAdvice:
    """Seedance 2.x: poll every 10 s within the (longer) typical times."""
    return PollAdvice(interval=10.0, render_seconds=RENDER_2X, source=source)
