"""A film as the ledger keeps it: the storyboard, and where each shot stands.

The record is written before the first submit and after every step of a shot, so a process
killed at any moment leaves the film, its storyboard and every shot's job id in the ledger; the
next `film render` or `film status --wait` picks it up from there.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from ..models import Money, utcnow

__all__ = ["Action", "Chain", "FilmCheck", "FilmRecord", "FilmStatus", "ShotCheck", "ShotState", "ShotStatus"]

Chain = Literal["last_frame", "local_file"]
"""How a chained shot gets its parent's last frame: the provider hands back the frame's URL
(`last_frame`, Ark's return_last_frame), or the frame is taken from the parent's downloaded
clip and passed as a local image file (`local_file`)."""
Action = Literal["reuse", "resume", "render", "retry", "failed", "blocked"]
"""What rendering does with a shot: `reuse` a finished job, `resume` a running one, `render` a
new or changed shot, `retry` a failed one (--retry-failed), leave it `failed`, or leave it
`blocked` behind a failed parent."""
ShotStatus = Literal[
    "pending",
    "waiting",
    "queued",
    "running",
    "succeeded",
    "failed",
    "cancelled",
    "expired",
    "unknown",
    "blocked",
]
"""`pending`: not submitted yet; `waiting`: for its parent's last frame; `blocked`: its parent
failed, so it was not submitted; the rest are the shot's job's status."""
FilmStatus = Literal["rendering", "incomplete", "done"]
"""`rendering`: shots are still running or waiting; `incomplete`: every shot that can go on has
stopped, and some failed, were blocked or are unknown; `done`: stitched."""


class ShotState(BaseModel):
    """Where one shot stands: its request's content hash, its job, its clip, what was found."""

    id: str
    status: ShotStatus = "pending"
    request_hash: str | None = None
    job_id: str | None = None
    reused: bool = Field(default=False, description="A job rendered before (same request) serves this shot.")
    reason: str | None = Field(default=None, description="Why the shot is failed, blocked or waiting.")
    clip: str | None = None
    frame: str | None = Field(default=None, description="The parent's last frame this shot started from.")
    cost: Money | None = None
    estimated_cost: Money | None = None
    measured_duration: float | None = None
    warnings: list[str] = Field(default_factory=list)


class FilmRecord(BaseModel):
    """The film in the ledger: enough to resume it, and to say where it stands."""

    film_id: str
    title: str
    status: FilmStatus = "rendering"
    created: datetime = Field(default_factory=utcnow)
    updated: datetime = Field(default_factory=utcnow)
    storyboard: dict[str, Any] = Field(description="The storyboard as checked (local files made absolute).")
    max_parallel: int
    folder: str = Field(description="The film's folder: its clips, frames and the four outputs.")
    sandbox: bool = False
    shots: list[ShotState]
    film_file: str | None = None
    contact_sheet: str | None = None
    manifest: str | None = None
    review_page: str | None = None
    stitch_method: Literal["copy", "encode"] | None = None
    duration: float | None = None
    total_cost: list[Money] = Field(default_factory=list)
    estimated_total: list[Money] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)

    def shot(self, shot_id: str) -> ShotState:
        return next(s for s in self.shots if s.id == shot_id)


class ShotCheck(BaseModel):
    """One shot as checked: where it renders, what it costs, when it starts, what a render does."""

    id: str
    provider: str
    model: str | None
    duration: int | None
    resolution: str | None
    aspect_ratio: str | None
    audio: bool
    price: Money | None = Field(description="The published price; null when none is published.")
    continue_from: str | None
    chain: Chain | None = Field(
        description="How the parent's last frame reaches it (last_frame or local_file)."
    )
    transition: str
    crossfade: float
    start: float = Field(description="Expected seconds from the film's start until it is submitted.")
    finish: float
    action: Action = Field(
        description="What rendering now does: reuse, resume, render, retry, failed, blocked."
    )
    job_id: str | None = Field(
        default=None, description="The job already serving it (reuse, resume, failed)."
    )
    prompt: str


class FilmCheck(BaseModel):
    """A storyboard checked and priced against its providers, and its render planned; nothing sent."""

    film_id: str
    title: str
    sandbox: bool
    shots: list[ShotCheck]
    total: list[Money] = Field(description="The whole film's price, one amount per unit (never summed).")
    to_spend: list[Money] = Field(
        description="What rendering now would spend: new, changed and retried shots."
    )
    unpriced: list[str] = Field(description="Shots without a published price.")
    waves: list[list[str]] = Field(description="Wave 0 starts at once; each next wave waits for a parent.")
    max_parallel: int
    expected_seconds: float = Field(description="Expected wall time of the render (the critical path).")
    one_shot_seconds: float = Field(description="Expected time of the longest single shot.")
    critical_path: list[str]
    notes: list[str]
