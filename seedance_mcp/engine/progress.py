"""What a waiting call reports while a render runs: one `Progress` per step or heartbeat."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

from pydantic import BaseModel, Field

from ..models import Job

__all__ = ["PROGRESS_EVERY", "Phase", "Progress", "ProgressFn", "emit"]

Phase = Literal["submitting", "queued", "rendering", "downloading", "done", "failed", "unknown"]

PROGRESS_EVERY = 5.0
"""While waiting, a progress report goes out at least this often (seconds, before scaling)."""


class Progress(BaseModel):
    job_id: str
    provider: str
    phase: Phase
    elapsed: float = Field(description="Seconds since the job was submitted.")
    expected: float | None = Field(description="Typical seconds a render of this length takes.")
    message: str
    sandbox: bool = False


ProgressFn = Callable[[Progress], Awaitable[None]]


async def emit(
    on_progress: ProgressFn | None,
    job: Job,
    phase: Phase,
    elapsed: float,
    expected: float | None,
    message: str,
) -> None:
    """Report one step of `job` to `on_progress`, if anyone listens."""
    if on_progress is None:
        return
    await on_progress(
        Progress(
            job_id=job.job_id,
            provider=job.provider,
            phase=phase,
            elapsed=round(max(elapsed, 0.0), 1),
            expected=None if expected is None else round(expected, 1),
            message=message,
            sandbox=job.sandbox,
        )
    )
