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
    "MODEL_NAMES",
    "RESOLUTIONS",
    "UNITS",
    "Accepts",
    "CreditEstimate",
    "Job",
    "JobError",
    "JobStatus",
    "LocalInput",
    "ModelInfo",
    "Money",
    "NextAction",
    "NextStep",
    "ProviderInfo",
    "TaskState",
    "VideoRequest",
    "utcnow",
]

ASPECT_RATIOS: tuple[str, ...] = ("16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "9:21", "adaptive")
"""`adaptive` lets the model pick the frame shape (from the start image where one is given)."""
RESOLUTIONS: tuple[str, ...] = ("480p", "720p", "1080p")
MODEL_NAMES: tuple[str, ...] = (
    "seedance-1.0-lite",
    "seedance-1.0-pro",
    "seedance-1.0-pro-fast",
    "seedance-1.5-pro",
    "seedance-2.0",
    "seedance-2.0-fast",
    "seedance-2.0-mini",
    "seedance-2.5",
)
"""The canonical Seedance model names, oldest first; each provider maps them to its own ids."""
UNITS: tuple[str, ...] = ("credits", "USD", "CNY")
"""The units a price comes in. Amounts in different units are never added or ranked together."""

AspectRatio = Literal["16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "9:21", "adaptive"]
Resolution = Literal["480p", "720p", "1080p"]
Unit = Literal["credits", "USD", "CNY"]


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
    model: str | None = Field(
        default=None,
        description="Seedance model, e.g. seedance-1.5-pro or seedance-2.0 (or the provider's own id).",
    )
    aspect_ratio: AspectRatio | None = Field(default=None, description="Frame shape, e.g. 16:9 or 9:16.")
    resolution: Resolution | None = Field(default=None, description="480p, 720p or 1080p.")
    duration: int | None = Field(default=None, description="Length in whole seconds.")
    audio: bool = Field(default=False, description="Generate sound with the picture (doubles the price).")
    fixed_lens: bool = Field(default=False, description="Ask the model to keep the camera still.")
    image_url: str | None = Field(default=None, description="Public http(s) URL of the start frame.")
    end_image_url: str | None = Field(default=None, description="Public http(s) URL of the end frame.")
    seed: int | None = Field(default=None, description="Random seed, where the provider supports one.")
    flex: bool = Field(
        default=False,
        description="Ark's offline tier: half the price, slower (byteplus and volcengine only).",
    )
    last_frame: bool = Field(
        default=False,
        description="Also hand back the clip's last frame as an image URL, e.g. to start the next "
        "shot from it (byteplus and volcengine).",
    )
    reference_images: tuple[str, ...] = Field(
        default=(),
        description="Seedance 2.x reference images (a face, a product, a style): URLs or local files, "
        "named in the prompt as @image1, @image2...",
    )
    reference_videos: tuple[str, ...] = Field(
        default=(),
        description="Seedance 2.x reference videos (a camera move, a motion): URLs or local files, "
        "named as @video1...",
    )
    reference_audios: tuple[str, ...] = Field(
        default=(),
        description="Seedance 2.x reference audio (a voice, a music bed): URLs or local files, named as "
        "@audio1...; needs a reference image or video too.",
    )


class Money(BaseModel):
    """An amount in one unit: provider credits, or money in US dollars or Chinese yuan."""

    model_config = ConfigDict(frozen=True)

    amount: float
    unit: Unit

    def __str__(self) -> str:
        if self.unit == "credits":
            return f"{self.amount:g} credits"
        whole, frac = f"{self.amount:.4f}".split(".")
        return f"{whole}.{frac.rstrip('0').ljust(2, '0')} {self.unit}"


class JobError(BaseModel):
    code: str
    message: str
    retryable: bool = False


class TaskState(BaseModel):
    """What one status answer from a provider says, in provider-neutral terms."""

    status: JobStatus
    video_url: str | None = None
    credits: int | None = None
    tokens: int | None = Field(default=None, description="Tokens billed, where the provider bills tokens.")
    last_frame_url: str | None = None
    queue_position: int | None = Field(default=None, description="Place in the provider's queue, if told.")
    error: JobError | None = None
    provider_status: str | None = Field(default=None, description="The status word as the provider sent it.")


class LocalInput(BaseModel):
    """A local file the request names, as it was sent: inline (`data_uri`) or uploaded first
    (`upload`, with the URL the provider gave, reused by a retry so nothing is uploaded twice)."""

    model_config = ConfigDict(frozen=True)

    field: str = Field(description="Where the request names it, e.g. reference_images[1] or image_url.")
    path: str = Field(description="The file, as resolved on this machine.")
    sha256: str
    bytes: int
    mime: str
    via: Literal["data_uri", "upload"]
    url: str | None = Field(default=None, description="The uploaded file's URL (uploads only).")


class Job(BaseModel):
    """A render job as the ledger stores it and every output shows it."""

    job_id: str
    provider: str
    provider_task_id: str | None = None
    provider_refs: dict[str, str] = Field(
        default_factory=dict,
        description="Further references the provider gave for the task (fal's status, response and "
        "cancel URLs), used as given.",
    )
    status: JobStatus = JobStatus.QUEUED
    video_url: str | None = None
    video_path: str | None = None
    credits: int | None = None
    estimated_credits: int | None = None
    cost: Money | None = Field(
        default=None, description="What the finished job cost, in its unit, as the provider reported it."
    )
    estimated_cost: Money | None = Field(default=None, description="The estimate made before the submit.")
    tokens: int | None = Field(default=None, description="Tokens billed, where the provider bills tokens.")
    last_frame_url: str | None = None
    error: JobError | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    request: VideoRequest
    local_inputs: list[LocalInput] = Field(
        default_factory=list, description="Local files the request names, and how each was sent."
    )
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
    """The published price of one clip on one (provider, model): an amount in its unit."""

    provider: str
    model: str | None = None
    credits: int | None = Field(
        description="Credits the job will cost (credit-priced providers); null otherwise or when unpublished."
    )
    amount: float | None = Field(default=None, description="The price in `unit`; null when not published.")
    unit: Unit | None = Field(default=None, description="credits, USD or CNY; never mixed with another unit.")
    tokens: int | None = Field(default=None, description="Billed tokens the price assumes (token-priced).")
    resolution: str | None
    aspect_ratio: str | None = None
    duration: int
    audio: bool
    flex: bool = False
    source: str = Field(description="Where the number comes from, with its date.")
    note: str | None = None

    @property
    def price(self) -> Money | None:
        if self.amount is None or self.unit is None:
            return None
        return Money(amount=self.amount, unit=self.unit)


class Accepts(BaseModel):
    """What a model accepts on one provider (`ModelInfo`; `ProviderInfo` for its default model)."""

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
    references: dict[str, int] | None = Field(
        default=None,
        description="How many reference images, videos and audio clips it takes (and in all); null: none.",
    )
    local_files: list[str] = Field(
        default_factory=list,
        description="Inputs taken as local files (image, video, audio); others must be public URLs.",
    )
    notes: list[str] = Field(default_factory=list)


class ModelInfo(Accepts):
    """One model as one provider serves it."""

    name: str
    provider_model_id: str | None = Field(
        description="The provider's own id for it (null: fixed by the API)."
    )
    default: bool
    flex: bool
    fps: int | None
    price_unit: Unit | None = Field(description="The unit its price is in; null when unpublished.")


class ProviderInfo(Accepts):
    """A provider, with what its default model accepts at the top level and every model it serves."""

    id: str
    name: str
    base_url: str
    docs: str
    key_env: str
    key_set: bool = Field(
        description="Whether a key for this provider is configured (its value is never shown)."
    )
    idempotency: bool
    priced: bool
    cancel: bool = Field(description="Whether a job on this provider can be cancelled.")
    cancel_while: list[str] = Field(
        default_factory=list, description="The job states in which a cancel is sent (queued, running)."
    )
    unit: Unit = Field(description="What the account is charged in: credits, USD or CNY.")
    default_model: str
    models: list[ModelInfo]
