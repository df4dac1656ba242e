"""The provider-neutral shapes of an image job: what is asked (`ImageRequest`), what the ledger
keeps (`ImageJob`, with one `ImageFile` per picture) and what one status answer says
(`ImageTaskState`).

An image job is not a video `Job`: it has no clip length, sound or frames, and makes up to four
files. It shares the job's status words (`JobStatus`), its error shape (`JobError`) and its
amounts (`Money`), so the front ends word it the same way.
"""

from __future__ import annotations

from datetime import datetime
from typing import assert_never

from pydantic import BaseModel, ConfigDict, Field

from ..models import JobError, JobStatus, Money, NextAction, NextStep, utcnow

__all__ = ["IMAGE_JOB_PREFIX", "ImageFile", "ImageJob", "ImageRequest", "ImageTaskState", "image_next_step"]

IMAGE_JOB_PREFIX = "img_"
"""Image job ids are `img_` and 12 hex characters, so `seedance status` tells them from videos."""


class ImageRequest(BaseModel):
    """The canonical image request; `None` means the model's default (`images.validation`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: str = Field(description="What the picture shows.")
    model: str | None = Field(default=None, description="gpt-image-2 (default) or nano-banana-pro.")
    aspect_ratio: str | None = Field(default=None, description="Frame shape, e.g. 1:1, 16:9 or 9:16.")
    resolution: str | None = Field(default=None, description="1K, 2K or 4K.")
    count: int = Field(default=1, description="How many pictures (gpt-image-2: 1-4; nano-banana-pro: 1).")
    image_urls: tuple[str, ...] = Field(
        default=(), description="Public https URLs of input pictures (image-to-image)."
    )


class ImageFile(BaseModel):
    """One picture of a finished job: where the provider serves it, and once saved, where it is."""

    url: str
    path: str | None = None
    format: str | None = Field(default=None, description="png or jpeg, read from the file itself.")
    width: int | None = None
    height: int | None = None
    bytes: int | None = None


class ImageTaskState(BaseModel):
    """What one status answer says about an image task."""

    status: JobStatus
    image_urls: list[str] = Field(default_factory=list)
    credits: int | None = None
    error: JobError | None = None
    provider_status: str | None = None


class ImageJob(BaseModel):
    """An image job as the ledger stores it and every output shows it."""

    job_id: str
    provider: str
    provider_task_id: str | None = None
    status: JobStatus = JobStatus.QUEUED
    request: ImageRequest
    images: list[ImageFile] = Field(default_factory=list)
    credits: int | None = None
    cost: Money | None = Field(default=None, description="What the finished job cost, as reported.")
    estimated_cost: Money | None = Field(default=None, description="The estimate made before the submit.")
    error: JobError | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    sandbox: bool = False
    notice: str | None = Field(default=None, description="What the reader should know or do next.")

    @property
    def saved(self) -> bool:
        """Every picture of a succeeded job is on disk."""
        return self.status is JobStatus.SUCCEEDED and bool(self.images) and all(i.path for i in self.images)


def image_next_step(job: ImageJob) -> NextStep:
    """What to do next with an image job, as a fact the front ends word."""
    match job.status:
        case JobStatus.SUCCEEDED:
            if job.saved:
                action = NextAction.DONE
            else:
                action = NextAction.RETRY_DOWNLOAD if job.error is not None else NextAction.SAVE_VIDEO
        case JobStatus.QUEUED | JobStatus.RUNNING:
            action = NextAction.CHECK_AGAIN if job.provider_task_id else NextAction.RESEND
        case JobStatus.UNKNOWN:
            action = NextAction.RESEND  # the image endpoints honour idempotency keys
        case JobStatus.FAILED:
            action = NextAction.REVISE
        case JobStatus.CANCELLED | JobStatus.EXPIRED:
            action = NextAction.OVER
        case _:
            assert_never(job.status)
    return NextStep(action=action, job_id=job.job_id)
