"""NanoPhoto.AI: Seedance 1.5 Pro (seed 000).

Submit `POST /api/seedance-1-5-pro/generate`, poll `POST /api/seedance-1-5-pro/check-status`
with `{"taskId": ...}`. camelCase body; `aspectRatio` is `landscape` (16:9) or `portrait`
(9:16); `duration` is a string. Errors are `{"error", "errorCode", "requiredCredits"?}`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..errors import ProtocolError, ProviderError
from ..models import JobError, JobStatus, TaskState, VideoRequest
from .base import (
    Capabilities,
    ErrorFormat,
    ModelSpec,
    PollAdvice,
    Provider,
    RateLimit,
    WireRequest,
    first_str,
    json_object,
    provider_text,
)

ASPECT_WIRE = {"16:9": "landscape", "9:16": "portrait"}

# The documented HTTP status of each errorCode, for an error that arrives under HTTP 200.
_STATUS_FOR_CODE = {
    "LOGIN_REQUIRED": 401,
    "INVALID_API_KEY": 401,
    "API_KEY_RATE_LIMIT_EXCEEDED": 429,
    "INSUFFICIENT_CREDITS": 402,
    "PROMPT_REQUIRED": 400,
    "PROMPT_LENGTH_INVALID": 400,
    "IMAGE_REQUIRED": 400,
    "IMAGE_URLS_REQUIRED": 400,
    "GENERATION_FAILED": 500,
    "TASK_ID_REQUIRED": 400,
    "TASK_NOT_FOUND": 404,
    "INTERNAL_ERROR": 500,
}


class NanoPhoto(Provider):
    id = "nanophoto"
    name = "NanoPhoto.AI"
    base_url = "https://nanophoto.ai"
    docs_url = "https://nanophoto.ai/docs (SeeDance 1.5 Pro Video Generation API)"
    key_env = "NANOPHOTO_API_KEY"
    models = (
        ModelSpec(
            name="seedance-1.5-pro",
            caps=Capabilities(
                durations=(4, 8, 12),
                default_duration=8,
                resolutions=("480p", "720p", "1080p"),
                default_resolution="720p",
                aspect_ratios=("16:9", "9:16"),
                prompt_min=1,
                prompt_max=1000,
                start_image=True,
                end_image=False,
                seed=False,
                seed_range=None,
                audio=True,
                fixed_lens=True,
                idempotency=False,
                poll=PollAdvice(
                    interval=8.0,
                    render_seconds={4: (60.0, 120.0), 8: (60.0, 180.0), 12: (90.0, 180.0)},
                    source="poll every 5-10 s; typical generation 1-3 minutes",
                ),
                rate_limit=RateLimit(requests=100, per_seconds=3600.0, scope="API key"),
                notes=(
                    "Only 16:9 (landscape) and 9:16 (portrait).",
                    "API calls cost twice the web price; audio doubles it again.",
                    "100 API requests per hour per key, status checks included.",
                ),
            ),
        ),
    )
    # Documented: `{"error": "<text>", "errorCode": "<CODE>", "requiredCredits"?}`, as JSON only.
    errors = ErrorFormat(
        code_keys=("errorCode",),
        message_keys=("error", "message"),
        nested=False,
        plain_text="ignored",
        codes=_STATUS_FOR_CODE,
        unknown_code_status=400,
    )

    def build_submit(self, req: VideoRequest, idempotency_key: str) -> WireRequest:
        assert req.aspect_ratio is not None and req.resolution is not None and req.duration is not None
        body: dict[str, Any] = {
            "prompt": req.prompt,
            "mode": "imageToVideo" if req.image_url else "textToVideo",
        }
        if req.image_url:
            body["imageUrls"] = [req.image_url]
        body |= {
            "aspectRatio": ASPECT_WIRE[req.aspect_ratio],
            "resolution": req.resolution,
            "duration": str(req.duration),
            "generateAudio": req.audio,
            "fixedLens": req.fixed_lens,
        }
        return WireRequest(method="POST", path="/api/seedance-1-5-pro/generate", json=body)

    def parse_submit(self, status_code: int, body: Any) -> str:
        data = json_object(self.id, body)
        if "errorCode" in data or ("error" in data and "taskId" not in data):
            raise self.error_for(status_code, data)
        task_id = first_str(data, "taskId", "task_id", "id")
        if task_id is None:
            raise ProtocolError("nanophoto: the submit answer has no taskId")
        return task_id

    def build_status(self, task_id: str) -> WireRequest:
        return WireRequest(method="POST", path="/api/seedance-1-5-pro/check-status", json={"taskId": task_id})

    def parse_status(self, status_code: int, body: Any) -> TaskState:
        data = json_object(self.id, body)
        if "errorCode" in data or ("error" in data and "status" not in data):
            raise self.error_for(status_code, data)
        raw = str(data.get("status") or "")
        credits = data.get("creditsUsed")
        credits = credits if isinstance(credits, int) and not isinstance(credits, bool) else None
        match raw.lower():
            case "completed":
                url = first_str(data, "videoUrl", "video_url")
                if url is None:
                    raise ProtocolError("nanophoto: a completed task came without videoUrl")
                return TaskState(
                    status=JobStatus.SUCCEEDED, video_url=url, credits=credits, provider_status=raw
                )
            case "failed":
                message = provider_text(first_str(data, "error", "message")) or "Video generation failed"
                err = JobError(
                    code="generation_failed", message=f"nanophoto: {message} (credits are refunded)"
                )
                return TaskState(status=JobStatus.FAILED, error=err, credits=0, provider_status=raw)
            case _:
                # "processing" and any state the document does not name: still running.
                return TaskState(status=JobStatus.RUNNING, credits=credits, provider_status=raw or None)

    def error_for(self, status_code: int, body: Any, retry_after: float | None = None) -> ProviderError:
        reading = self.errors.read(body)
        if reading.code and isinstance(body, Mapping) and "requiredCredits" in body:
            needed = (
                f"{reading.text or 'Insufficient credits'}; this job needs {body['requiredCredits']} credits"
            )
            reading = replace(reading, text=needed)
        return self.errors.error_from(self.id, status_code, reading, retry_after)
