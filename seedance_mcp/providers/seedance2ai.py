"""seedance2ai.io: Seedance video API (seed 004, Chinese).

Submit `POST /video/seedance` with an `Idempotency-Key` header and a snake_case body; poll
`GET /tasks/{id}`, which answers `{"id", "status", "model", "output": {"video_url"},
"credits_used"}`. Errors carry a documented code (`unauthorized`, `invalid_request`,
`insufficient_credits`, `rate_limited`, `idempotency_conflict`, `service_busy`, `not_found`,
`internal_error`) whose body shape is not documented, so it is read tolerantly.

What the document leaves open, and what we do:
- `generate_audio` defaults to true at the provider and to off in this project, so it is
  always sent; `fixed_lens` is always sent too, so the body says what was asked for.
- `quality_tier: "standard"` is sent, as in the documented example; `channel` is left out,
  which is the documented default `standard` (the channel that accepts a seed).
- The submit answer is not documented: the task id is read from `id`, `task_id` or `taskId`,
  at the top level or under `data`.
- Only `completed` and `failed` are documented; `queued`/`pending` mean queued,
  `cancelled`/`canceled`/`expired` their own final states, any other word still running.
- References: mode `media-to-video` with `media_urls` (at most 12 public https URLs). The list
  does not say which URL is an image, a video or an audio clip, and the document names no
  prompt spelling for them: the images go first, then the videos, then the audio, and the
  prompt keeps the `@image1` / `@video1` / `@audio1` names as written. Per kind, Seedance 2.0's
  own limits apply (9 images, 3 videos, 3 audio clips). Local files are not taken (no upload
  API is documented): they are refused before sending, with what to do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from ..errors import InvalidRequest, ProtocolError
from ..models import JobError, JobStatus, TaskState, VideoRequest
from .base import (
    Capabilities,
    ErrorFormat,
    ModelSpec,
    PollAdvice,
    Provider,
    WireRequest,
    first_str,
    json_object,
    whole_number,
)
from .family import REFERENCES_2X

QUALITY_TIER = "standard"

# The documented error codes and their HTTP statuses (used when an error arrives with HTTP 200).
STATUS_FOR_CODE = {
    "unauthorized": 401,
    "invalid_request": 400,
    "insufficient_credits": 402,
    "rate_limited": 429,
    "idempotency_conflict": 409,
    "service_busy": 503,
    "not_found": 404,
    "internal_error": 500,
}

_STATES = {
    "completed": JobStatus.SUCCEEDED,
    "succeeded": JobStatus.SUCCEEDED,
    "success": JobStatus.SUCCEEDED,
    "failed": JobStatus.FAILED,
    "error": JobStatus.FAILED,
    "queued": JobStatus.QUEUED,
    "pending": JobStatus.QUEUED,
    "cancelled": JobStatus.CANCELLED,
    "canceled": JobStatus.CANCELLED,
    "expired": JobStatus.EXPIRED,
}

# The body of an error is not documented: read tolerantly, with the code as a lower-case word
# under `code` (or `error`, or inside an `error` object); a plain-text body may be a bare code.
ERRORS = ErrorFormat(
    code_keys=("code", "error_code", "errorCode", "error"),
    message_keys=("message", "msg", "detail", "error_message", "reason", "error"),
    code_word=re.compile(r"[a-z][a-z0-9_]*"),
    plain_text="code",
    codes=STATUS_FOR_CODE,
    unknown_code_status=400,
    no_code_status=400,
)
_ID_KEYS = ("id", "task_id", "taskId")


class Seedance2AI(Provider):
    id = "seedance2ai"
    name = "seedance2ai.io"
    base_url = "https://seedance2ai.io/api/v1"
    docs_url = "https://seedance2ai.io (API docs)"
    key_env = "SEEDANCE2AI_API_KEY"
    models = (
        ModelSpec(
            name="seedance-2.0",
            caps=Capabilities(
                durations=tuple(range(4, 16)),
                default_duration=5,
                resolutions=("720p", "1080p"),
                default_resolution="720p",
                aspect_ratios=("1:1", "21:9", "4:3", "3:4", "16:9", "9:16"),
                prompt_min=3,
                prompt_max=10000,
                start_image=True,
                end_image=True,
                seed=True,
                seed_range=(-1, 4294967295),
                audio=True,
                fixed_lens=True,
                idempotency=True,
                https_images_only=True,
                references=REFERENCES_2X,
                poll=PollAdvice(
                    interval=5.0,
                    render_seconds={5: (40.0, 90.0), 10: (60.0, 120.0), 15: (90.0, 150.0)},
                    source="not documented; Seedance 1.5 Pro render times as APIXO documents them",
                ),
                notes=(
                    "Any whole duration from 4 to 15 s; 720p or 1080p.",
                    (
                        "Images must be public https URLs (start frame image_url, "
                        "optional end frame end_image_url)."
                    ),
                    "Submits carry an Idempotency-Key, so a lost answer can be retried without paying twice.",
                    (
                        "Sent with quality_tier=standard and the default channel "
                        "(standard), which accepts a seed."
                    ),
                    (
                        "No published price; each finished task reports credits_used. The "
                        "same credits pay for web use."
                    ),
                ),
            ),
        ),
    )
    errors = ERRORS

    def build_submit(self, req: VideoRequest, idempotency_key: str) -> WireRequest:
        assert req.aspect_ratio is not None and req.resolution is not None and req.duration is not None
        media = [*req.reference_images, *req.reference_videos, *req.reference_audios]
        mode = "media-to-video" if media else "image-to-video" if req.image_url else "text-to-video"
        body: dict[str, Any] = {
            "mode": mode,
            "quality_tier": QUALITY_TIER,
            "prompt": req.prompt,
            "aspect_ratio": req.aspect_ratio,
            "duration": str(req.duration),
            "resolution": req.resolution,
            "generate_audio": req.audio,
            "fixed_lens": req.fixed_lens,
        }
        if req.image_url:
            body["image_url"] = _https("image_url", req.image_url)
            if req.end_image_url:
                body["end_image_url"] = _https("end_image_url", req.end_image_url)
        if media:
            body["media_urls"] = [_https(f"media_urls[{i}]", url) for i, url in enumerate(media, start=1)]
        if req.seed is not None:
            body["seed"] = req.seed
        return WireRequest(
            method="POST", path="/video/seedance", json=body, headers=idempotency_header(idempotency_key)
        )

    def parse_submit(self, status_code: int, body: Any) -> str:
        data = json_object(self.id, body)
        nested = data.get("data")
        for source in (data, nested if isinstance(nested, Mapping) else {}):
            task_id = _task_id(source)
            if task_id is not None:
                return task_id
        if "error" in data:
            raise self.error_for(status_code, data)
        raise ProtocolError("seedance2ai: the submit answer has no task id (id, task_id or taskId)")

    def build_status(self, task_id: str) -> WireRequest:
        return WireRequest(method="GET", path=f"/tasks/{quote(task_id, safe='')}")

    def parse_status(self, status_code: int, body: Any) -> TaskState:
        data, raw, status, credits = read_task(self, status_code, body)
        match status:
            case JobStatus.SUCCEEDED:
                return TaskState(
                    status=status, video_url=_video_url(data), credits=credits, provider_status=raw
                )
            case JobStatus.FAILED | JobStatus.CANCELLED | JobStatus.EXPIRED:
                error = _job_error(data, status)
                return TaskState(status=status, error=error, credits=credits, provider_status=raw)
            case _:
                return TaskState(status=status, credits=credits, provider_status=raw)


def _https(field: str, url: str) -> str:
    if urlsplit(url).scheme.lower() != "https":
        raise InvalidRequest(
            f"{field}: seedance2ai only fetches public https URLs; got {url!r}. Allowed: an https:// URL.",
            field=field,
            value=url,
            allowed=["https URL"],
        )
    return url


def _task_id(data: Mapping[str, Any]) -> str | None:
    for key in _ID_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    return None


def _video_url(data: Mapping[str, Any]) -> str:
    output = data.get("output")
    url = first_str(output, "video_url", "url") if isinstance(output, Mapping) else None
    url = url or first_str(data, "video_url")
    if url is None:
        raise ProtocolError("seedance2ai: a completed task came without output.video_url")
    return url


def _job_error(data: Mapping[str, Any], status: JobStatus, what: str = "Video generation failed") -> JobError:
    reading = ERRORS.read(data)
    code, text = (reading.code.lower() if reading.code else None), reading.text
    if status is JobStatus.FAILED:
        label = f"seedance2ai: {text or what}" + (f" ({code})" if code else "")
        return JobError(
            code=code or "generation_failed",
            message=f"{label}: adjust the prompt or images if the message names them, then generate again",
        )
    word = "cancelled" if status is JobStatus.CANCELLED else "expired"
    label = f"seedance2ai: the task was {word}" + (f": {text}" if text else "")
    return JobError(code=word, message=f"{label}; generate again if you still need the clip")


# Shared with the image endpoints (`seedance2ai_images.py`): the same header and task endpoint.


def idempotency_header(idempotency_key: str) -> dict[str, str]:
    """The `Idempotency-Key` header every POST carries; the key must travel in a header."""
    key = idempotency_key.strip()
    if not key or not key.isascii() or not key.isprintable():
        raise InvalidRequest(
            "idempotency_key: must be non-empty printable ASCII to travel in the Idempotency-Key header.",
            field="idempotency_key",
            value=idempotency_key,
        )
    return {"Idempotency-Key": key}


def read_task(
    provider: Provider, status_code: int, body: Any
) -> tuple[Mapping[str, Any], str, JobStatus, int | None]:
    """A 2xx answer of the shared task endpoint (videos and images alike): the task object (at
    the top level or under `data`), its status word, that word's meaning and `credits_used`."""
    data = json_object(provider.id, body)
    nested = data.get("data")
    if "status" not in data and isinstance(nested, Mapping):
        data = nested
    raw = first_str(data, "status")
    if raw is None:
        if "error" in data:
            raise provider.error_for(status_code, data)
        raise ProtocolError("seedance2ai: the status answer has no status")
    return data, raw, task_state_word(raw), whole_number(data.get("credits_used"))


def task_state_word(raw: str) -> JobStatus:
    """A status word of the shared task endpoint; an undocumented word means still running."""
    return _STATES.get(raw.lower(), JobStatus.RUNNING)
