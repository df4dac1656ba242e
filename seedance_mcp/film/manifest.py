"""film.json: what a film is made of once rendered (or while it renders).

The manifest is written beside the film's files; every path in it is relative to the film's
folder when the file lives there (so the folder can be moved or zipped whole), else absolute.
Costs stay in their own units: `total_cost` holds one `Money` per unit and never adds credits
to dollars.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from ..models import Money

__all__ = ["FilmManifest", "ShotRecord", "StitchMethod", "Transition"]

Transition = Literal["cut", "crossfade"]
StitchMethod = Literal["copy", "encode"]


class ShotRecord(BaseModel):
    """One shot of the film: what was asked, the job that renders it, and what came back."""

    id: str
    prompt: str
    duration: float = Field(description="The seconds asked for this shot.")
    transition: Transition = "cut"
    crossfade: float = Field(default=0.0, ge=0.0, description="Seconds this shot overlaps the one before.")
    job_id: str | None = None
    status: str = Field(description='A JobStatus value, or "pending" (not submitted) or "reused".')
    cost: Money | None = None
    estimated_cost: Money | None = None
    clip: str | None = Field(
        default=None, description="The downloaded clip: relative to the film folder, or an absolute path."
    )
    measured_duration: float | None = Field(default=None, description="The clip's seconds as probed.")
    warnings: list[str] = Field(default_factory=list, description="Mismatches found by check_clip, etc.")
    continue_from: str | None = None
    characters: list[str] = Field(default_factory=list)


class FilmManifest(BaseModel):
    """The whole film: its settings, its shots in order, and the files made from them."""

    film_id: str
    title: str
    created: datetime
    provider: str
    model: str | None = None
    aspect_ratio: str | None = None
    resolution: str | None = None
    status: str
    shots: list[ShotRecord]
    total_cost: list[Money] = Field(default_factory=list, description="One amount per unit; never summed.")
    duration: float | None = Field(default=None, description="Seconds of the stitched film.")
    film_file: str | None = None
    contact_sheet: str | None = None
    review_page: str | None = None
    stitch_method: StitchMethod | None = None
