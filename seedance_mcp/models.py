"""Provider-neutral data types shared by the CLI, the MCP server and the job ledger.

Nothing above the provider layer knows a provider's field names: everything speaks in
these types. A `VideoRequest` is the canonical request (validated against the chosen
provider's capabilities in `validation.py`); a `Job` is what the ledger stores and what
every output shows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ASPECT_RATIOS",
    "RESOLUTIONS",
    "CreditEstimate",
    "Job",
    "JobError",
    "JobStatus",
    "NextAction",
    "NextStep",
    "ProviderInfo",
    "TaskState",
    "VideoRequest",
    "utcnow",
]

ASPECT_RATIOS: tuple[str, ...] = ("16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "9:21")
RESOLUTIONS: tuple[str, ...] = ("480p", "720p", "1080p")

AspectRatio = Literal["16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "9:21"]
Resolution = Literal["480p", "720p", "1080p"]


def utcnow() -> datetime:
    return datetime.now(UTC)


class JobStatus(StrEnum):
    """Where a job stands.

    `unknown` means we cannot tell whether the provider accepted the submit (the answer was
    lost after the request left): the job may exist and may have cost credits.
    """

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    UNKNOWN = "unknown"

    @property
    def is_final(self) -> bool:
        return self in (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.EXPIRED)


class VideoRequest(BaseModel):
    """The canonical, provider-neutral request.

    `None` means "use the provider's default" (resolved by `validation.resolve_request`);
    after resolution every field that the provider supports holds a concrete value.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    prompt: str = Field(description="What the clip shows and sounds like.")
    aspect_ratio: AspectRatio | None = Field(default=None, description="Frame shape, e.g. 16:9 or 9:16.")
    resolution: Resolution | None = Field(default=None, description="480p, 720p or 1080p.")
    duration: int | None = Field(default=None, description="Length in whole seconds.")
    audio: bool = Field(default=False, description="Generate sound with the picture (doubles the price).")
    fixed_lens: bool = Field(default=False, description="Ask the model to keep the camera still.")
    image_url: str | None = Field(default=None, description="Public http(s) URL of the start frame.")
    end_image_url: str | None = Field(default=None, description="Public http(s) URL of the end frame.")
    seed: int | None = Field(default=None, description="Random seed, where the provider supports one.")


class JobError(BaseModel):
    code: str
    message: str
    retryable: bool = False


class TaskState(BaseModel):
    """What one status answer from a provider says, in provider-neutral terms."""

    status: JobStatus
    video_url: str | None = None
    credits: int | None = None
    error: JobError | None = None
    provider_status: str | None = Field(default=None, description="The status word as the provider sent it.")


class Job(BaseModel):
    """A render job as the ledger stores it and every output shows it."""

    job_id: str
    provider: str
    provider_task_id: str | None = None
    status: JobStatus = JobStatus.QUEUED
    video_url: str | None = None
    video_path: str | None = None
    credits: int | None = None
    estimated_credits: int | None = None
    error: JobError | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    request: VideoRequest
    sandbox: bool = False
    notice: str | None = Field(default=None, description="What the reader should know or do next.")


class NextAction(StrEnum):
    """What to do next with a job, as a fact the front ends word (a command line, a tool call)."""

    DONE = "done"
    """The video is saved; nothing is left to do."""
    CHECK_AGAIN = "check_again"
    """Still rendering: check the job again (a bounded wait is fine); never submit it again."""
    RETRY_DOWNLOAD = "retry_download"
    """The render is done but saving the video failed: check the job again to fetch it."""
    SAVE_VIDEO = "save_video"
    """The render is done and was not downloaded (by request): check the job with download on."""
    RESEND = "resend"
    """The submit's answer was lost; the provider honours idempotency keys, so checking the job
    re-sends it safely with the same key."""
    VERIFY_WITH_PROVIDER = "verify_with_provider"
    """The submit may have created a paid task that we cannot see: look in the provider's
    dashboard before submitting again; it is never re-sent automatically."""
    REVISE = "revise"
    """The render failed (and is refunded): change the prompt or settings before trying again."""
    OVER = "over"
    """Cancelled or expired: the job cannot be resumed."""


class NextStep(BaseModel):
    """The next step for one job: an action and the job it applies to."""

    model_config = ConfigDict(frozen=True)

    action: NextAction
    job_id: str


class CreditEstimate(BaseModel):
    provider: str
    credits: int | None = Field(
        description="Credits the job will cost; null when the provider publishes no price."
    )
    resolution: str | None
    duration: int
    audio: bool
    source: str = Field(description="Where the number comes from, with its date.")
    note: str | None = None


class ProviderInfo(BaseModel):
    id: str
    name: str
    base_url: str
    docs: str
    key_env: str
    key_set: bool = Field(
        description="Whether a key for this provider is configured (its value is never shown)."
    )
    durations: list[int]
    default_duration: int
    resolutions: list[str]
    default_resolution: str | None
    aspect_ratios: list[str]
    prompt_max_chars: int
    start_image: bool
    end_image: bool
    seed: bool
    audio: bool
    fixed_lens: bool
    idempotency: bool
    priced: bool
    notes: list[str] = Field(default_factory=list)
