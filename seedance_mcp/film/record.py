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

__all__ = ["FilmRecord", "FilmStatus", "ShotState", "ShotStatus"]

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
