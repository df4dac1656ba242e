"""APIXO: Seedance 1.5 Pro (seed 002, Russian; details marked * in PROVIDERS.md come from the
English page of the same provider).

Submit `POST /generateTask/seedance-1-5-pro` with `{"request_type": "async", "provider": "auto",
"input": {...}}`; poll `GET /statusTask/seedance-1-5-pro?taskId=...`. Answers are wrapped as
`{"code": 200, "message": "success", "data": {...}}`. The status `data` holds `state`
(`pending` | `processing` | `success` | `failed`), `resultJson` (a JSON *string* holding
`resultUrls`), and on failure `failCode` / `failMsg`.

Routing: the document lists `provider` values `auto`, `value` and `official` but names no
default. We send `auto` explicitly: it is a documented value, it lets APIXO pick whichever route
is available, and the request then does not depend on an unstated default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import ProtocolError
from ..models import JobError, JobStatus, TaskState, VideoRequest
from .base import (
    MAX_CODE,
    Capabilities,
    ErrorFormat,
    ModelSpec,
    PollAdvice,
    Provider,
    RateLimit,
    WireRequest,
    decode_json_string,
    first_str,
    json_object,
    provider_text,
)

MODEL_PATH = "seedance-1-5-pro"
ROUTING = "auto"

_STATES = {
    "pending": JobStatus.QUEUED,
    "processing": JobStatus.RUNNING,
    "success": JobStatus.SUCCEEDED,
    "failed": JobStatus.FAILED,
}

# failCode -> what the user should change before trying again.
_FAIL_ADVICE = {
    "CONTENT_VIOLATION": (
        "the prompt or image breaks APIXO's content rules; "
        "reword the prompt (or use another image) and try again"
    ),
    "INVALID_IMAGE_URL": (
        "APIXO could not fetch the image; pass a public URL that opens without a login "
        "(JPG, PNG or WebP, at most 10 MB)"
    ),
}


class Apixo(Provider):
    id = "apixo"
    name = "APIXO"
    base_url = "https://api.apixo.ai/api/v1"
    docs_url = "https://apixo.ai (Seedance 1.5 Pro API docs)"
    key_env = "APIXO_API_KEY"
    models = (
        ModelSpec(
            name="seedance-1.5-pro",
            caps=Capabilities(
                durations=tuple(range(4, 13)),
                default_duration=8,
                resolutions=("480p", "720p"),
                default_resolution="720p",
                aspect_ratios=("1:1", "3:4", "4:3", "9:16", "16:9", "21:9"),
                prompt_min=3,
                prompt_max=2500,
                start_image=True,
                end_image=True,
                seed=False,
                seed_range=None,
                audio=True,
                fixed_lens=True,
                idempotency=False,
                poll=PollAdvice(
                    interval=5.0,
                    render_seconds={4: (40.0, 60.0), 8: (60.0, 90.0), 12: (90.0, 120.0)},
                    source=(
                        "4 s ~40-60 s, 8 s ~60-90 s, 12 s ~90-120 s; submit, wait 50 s, then poll every 5 s"
                    ),
                ),
                rate_limit=RateLimit(requests=10000, per_seconds=60.0, scope="account"),
                notes=(
                    "Any whole duration from 4 to 12 s (4, 8 and 12 recommended); billed per second.",
                    "The end frame is sent as the second entry of image_urls (image-to-video only).",
                    "Images: JPG, PNG or WebP, at most 10 MB each, at a public URL.",
                    "Result URLs are valid for 15 days; download promptly.",
                    "Requests are routed with provider=auto (APIXO picks the route).",
                    "At most 1,000 concurrent tasks and 10,000 requests per minute.",
                ),
            ),
        ),
    )
    # Documented: `{"code": <HTTP status>, "message": ...}`. Tolerated: a string code under
    # errorCode, error_code, failCode or code, an `{"error": {...}}` object, and plain text.
    errors = ErrorFormat(
        code_keys=("errorCode", "error_code", "failCode", "code"),
        message_keys=("message", "msg", "error", "detail"),
    )

    def build_submit(self, req: VideoRequest, idempotency_key: str) -> WireRequest:
        # APIXO documents no idempotency key: `idempotency_key` is not sent.
        assert req.aspect_ratio is not None and req.resolution is not None and req.duration is not None
        model_input: dict[str, Any] = {
            "mode": "image-to-video" if req.image_url else "text-to-video",
            "prompt": req.prompt,
            "resolution": req.resolution,
            "duration": req.duration,
            "sound": req.audio,
            "aspect_ratio": req.aspect_ratio,
            "fixed_lens": req.fixed_lens,
        }
        if req.image_url:
            frames = [req.image_url]
            if req.end_image_url:
                frames.append(req.end_image_url)
            model_input["image_urls"] = frames
        body = {"request_type": "async", "provider": ROUTING, "input": model_input}
        return WireRequest(method="POST", path=f"/generateTask/{MODEL_PATH}", json=body)

    def parse_submit(self, status_code: int, body: Any) -> str:
        data = self._payload(status_code, body)
        task_id = first_str(data, "taskId", "task_id", "id")
        if task_id is None:
            raise ProtocolError("apixo: the submit answer has no data.taskId")
        return task_id

    def build_status(self, task_id: str) -> WireRequest:
        return WireRequest(method="GET", path=f"/statusTask/{MODEL_PATH}", params={"taskId": task_id})

    def parse_status(self, status_code: int, body: Any) -> TaskState:
        data = self._payload(status_code, body)
        raw = first_str(data, "state", "status")
        if raw is None:
            raise ProtocolError("apixo: the status answer has no data.state")
        status = _STATES.get(raw.lower(), JobStatus.RUNNING)  # an unnamed state: still running
        if status is JobStatus.SUCCEEDED:
            return TaskState(status=status, video_url=_result_url(data), provider_status=raw)
        if status is JobStatus.FAILED:
            return TaskState(status=status, error=_job_error(data), provider_status=raw)
        return TaskState(status=status, provider_status=raw)

    def _payload(self, status_code: int, body: Any) -> Mapping[str, Any]:
        """The `data` object of a 2xx answer, or raise the error the envelope carries inside it."""
        answer = json_object(self.id, body)
        envelope = answer.get("code")
        if isinstance(envelope, int) and not isinstance(envelope, bool) and envelope >= 400:
            raise self.error_for(status_code, answer)
        data = answer.get("data")
        if isinstance(data, Mapping):
            return data
        if data is None and any(k in answer for k in ("taskId", "state")):
            return answer  # tolerate an answer without the envelope
        raise ProtocolError("apixo: the answer has no data object")


def _result_url(data: Mapping[str, Any]) -> str:
    raw = data.get("resultJson")
    if raw is None:
        raise ProtocolError("apixo: a successful task came without resultJson")
    result = decode_json_string(raw, provider="apixo", field_name="resultJson")
    urls = result.get("resultUrls") if isinstance(result, Mapping) else None
    if not isinstance(urls, list) or not urls or not all(isinstance(u, str) and u for u in urls):
        raise ProtocolError("apixo: resultJson holds no resultUrls list of URLs")
    first: str = urls[0]
    return first


def _job_error(data: Mapping[str, Any]) -> JobError:
    code = provider_text(first_str(data, "failCode"), MAX_CODE)
    text = provider_text(first_str(data, "failMsg")) or "Video generation failed"
    advice = _FAIL_ADVICE.get((code or "").upper())
    label = f"apixo: {text}" + (f" ({code})" if code else "")
    if advice:
        message = f"{label}: {advice}"
    else:
        message = (
            f"{label}; failed tasks are refunded: adjust the prompt or images if the message "
            "names them, then generate again"
        )
    return JobError(code=code.lower() if code else "generation_failed", message=message)
