"""seedanceapi.org: Seedance 1.5 (seed 001).

Submit `POST /generate`, poll `GET /status?task_id=...`. snake_case body; `duration` is a
string; `image_urls` takes at most one start frame. Answers come wrapped as
`{"code": 200, "message": "success", "data": {...}}`; a bare data object is accepted too,
and a wrapper whose `code` is not 200 is an error even under HTTP 200.

The error body's shape is not documented, so `read_error` accepts the common ones:
`{"code": "INVALID_PROMPT", "message": ...}`, `{"error": {"code": ..., "message": ...}}`,
`{"error": "..."}` and plain text. seedance1-5pro.com answers in the same wrapper and reuses
these helpers.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from ..errors import ProtocolError, ProviderError
from ..models import JobError, JobStatus, TaskState, VideoRequest
from .base import Capabilities, PollAdvice, Provider, WireRequest, error_from_status, first_str

# The documented error codes: HTTP status and what the document says they mean.
ERROR_CODES: dict[str, tuple[int, str]] = {
    "INVALID_PROMPT": (400, "the prompt is invalid or empty"),
    "INVALID_ASPECT_RATIO": (400, "unsupported aspect ratio"),
    "INVALID_RESOLUTION": (400, "resolution must be 480p or 720p"),
    "INVALID_DURATION": (400, "duration must be 4, 8 or 12 seconds"),
    "TOO_MANY_IMAGES": (400, "image_urls allows at most 1 image"),
    "INVALID_API_KEY": (401, "the API key is missing or invalid"),
    "INSUFFICIENT_CREDITS": (402, "not enough credits"),
    "TASK_NOT_FOUND": (404, "task id not found or not owned by your account"),
    "INTERNAL_ERROR": (500, "server error, try again later"),
}

_CODE_WORD = re.compile(r"^[A-Z][A-Z0-9_]{2,}$")
_SECRET = re.compile(
    r"(?i)(\bbearer\s+|\bauthorization\s*[:=]\s*(?:bearer\s+)?|\bapi[_\s-]?key\s*[:=]\s*)[^\s\"',;}]+"
)
_MAX_TEXT = 300


class SeedanceApi(Provider):
    id = "seedanceapi"
    name = "seedanceapi.org"
    base_url = "https://seedanceapi.org/v1"
    docs_url = "https://seedanceapi.org (Seedance 1.5 API docs)"
    key_env = "SEEDANCEAPI_API_KEY"
    seed_file = "001_11cb4f37b314b646.txt"
    caps = Capabilities(
        durations=(4, 8, 12),
        default_duration=8,
        resolutions=("480p", "720p"),
        default_resolution="720p",
        aspect_ratios=("16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "9:21"),
        prompt_min=1,
        prompt_max=2000,
        start_image=True,
        end_image=False,
        seed=False,
        seed_range=None,
        audio=True,
        fixed_lens=True,
        idempotency=False,
        poll=PollAdvice(
            interval=5.0,
            render_seconds={4: (40.0, 60.0), 8: (60.0, 90.0), 12: (90.0, 120.0)},
            source="not documented; Seedance 1.5 Pro render times as APIXO documents them",
        ),
        notes=(
            "The only provider with 9:21; 480p and 720p only.",
            "At most one start image; no end frame.",
            "The document's default ratio is 1:1; the ratio is always sent explicitly.",
            "Not documented: the failure status (FAILED assumed), the error body, polling advice.",
        ),
    )

    def build_submit(self, req: VideoRequest, idempotency_key: str) -> WireRequest:
        assert req.aspect_ratio is not None and req.resolution is not None and req.duration is not None
        body: dict[str, Any] = {"prompt": req.prompt}
        if req.image_url:
            body["image_urls"] = [req.image_url]
        body |= {
            "aspect_ratio": req.aspect_ratio,
            "resolution": req.resolution,
            "duration": str(req.duration),
            # Documented defaults, sent anyway: the request says what it wants.
            "generate_audio": req.audio,
            "fixed_lens": req.fixed_lens,
        }
        return WireRequest("POST", "/generate", json=body)

    def parse_submit(self, status_code: int, body: Any) -> str:
        data = unwrap(self, status_code, body)
        task_id = first_str(data, "task_id", "taskId", "id")
        if task_id is None:
            raise ProtocolError(f"{self.id}: the submit answer has no task_id")
        return task_id

    def build_status(self, task_id: str) -> WireRequest:
        return WireRequest("GET", "/status", params={"task_id": task_id})

    def parse_status(self, status_code: int, body: Any) -> TaskState:
        return parse_task(self.id, unwrap(self, status_code, body))

    def error_for(self, status_code: int, body: Any, retry_after: float | None = None) -> ProviderError:
        return error_with_codes(self.id, ERROR_CODES, status_code, body, retry_after)


def unwrap(provider: Provider, status_code: int, body: Any) -> Mapping[str, Any]:
    """The `data` object of a `{"code", "message", "data"}` answer, or the bare object itself.

    Raises the provider's error for an HTTP error, a wrapper whose `code` is not 200, or a
    bare `error` object; `ProtocolError` for anything that is not a JSON object.
    """
    if status_code >= 400:
        raise provider.error_for(status_code, body)
    if not isinstance(body, Mapping):
        raise ProtocolError(f"{provider.id}: the answer is not a JSON object")
    if body.get("code") is not None and str(body["code"]).strip() != "200":
        raise provider.error_for(status_code, body)
    if body.get("error") and "data" not in body and "status" not in body:
        raise provider.error_for(status_code, body)
    if "data" not in body:
        return body
    data = body["data"]
    if not isinstance(data, Mapping):
        raise ProtocolError(f"{provider.id}: the answer's data is not a JSON object")
    return data


def parse_task(provider_id: str, data: Mapping[str, Any]) -> TaskState:
    """A task record (`task_id`, `status`, `response`, `consumed_credits`, `error_message`)."""
    raw = first_str(data, "status")
    if raw is None:
        raise ProtocolError(f"{provider_id}: the status answer has no status")
    credits = _int_or_none(data.get("consumed_credits"))
    match raw.upper():
        case "SUCCESS":
            url = _first_url(data.get("response"))
            if url is None:
                raise ProtocolError(f"{provider_id}: a SUCCESS task came without a video URL in response")
            return TaskState(status=JobStatus.SUCCEEDED, video_url=url, credits=credits, provider_status=raw)
        case "FAILED":
            text = first_str(data, "error_message", "error", "message") or "video generation failed"
            # Failed jobs are refunded (consumed_credits 0); a missing count means the same.
            credits = credits or 0
            refund = (
                "credits are refunded" if credits == 0 else f"the provider reports {credits} credits consumed"
            )
            err = JobError(
                code="generation_failed", message=f"{provider_id}: {redact(text)[:_MAX_TEXT]} ({refund})"
            )
            return TaskState(status=JobStatus.FAILED, error=err, credits=credits, provider_status=raw)
        case _:
            # IN_PROGRESS and any word the document does not name: still running.
            return TaskState(status=JobStatus.RUNNING, credits=credits, provider_status=raw)


def read_error(body: Any, known: Collection[str] = ()) -> tuple[str | None, int | None, str | None]:
    """(provider code, numeric code from the wrapper, message) from an undocumented error body.

    In plain text, only a code from `known` counts as the provider's code.
    """
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        text = body.strip()
        word = next((w for w in re.findall(r"[A-Z][A-Z0-9_]{2,}", text) if w in known), None)
        return word, None, text or None
    if not isinstance(body, Mapping):
        return None, None, None
    code: str | None = None
    number: int | None = None
    message: str | None = None
    nested = body.get("error")
    if isinstance(nested, Mapping):
        code, number, message = read_error(nested, known)
    elif isinstance(nested, str) and nested.strip():
        if _CODE_WORD.match(nested.strip()):
            code = nested.strip()
        else:
            message = nested.strip()
    for key in ("code", "error_code", "errorCode", "type"):
        value = body.get(key)
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
            number = number or int(value)
        elif isinstance(value, str) and value.strip() and code is None:
            code = value.strip()
    if message is None:
        message = first_str(body, "message", "msg", "error_message", "detail")
    return code, number, message


def error_with_codes(
    provider_id: str,
    codes: Mapping[str, tuple[int, str]],
    status_code: int,
    body: Any,
    retry_after: float | None = None,
    statuses: Mapping[int, str] | None = None,
) -> ProviderError:
    """The exception for an error answer, read tolerantly and mapped by HTTP status and code.

    Under HTTP 200 (an error inside the wrapper) the status is taken from the documented code,
    else from the wrapper's numeric `code`. Bearer tokens and key-like values quoted back in
    the provider's text are masked; request headers are never read.
    """
    code, number, message = read_error(body, codes)
    documented = codes.get(code.upper()) if code else None
    status = status_code
    if status < 400:
        if documented is not None:
            status = documented[0]
        elif number is not None and number >= 400:
            status = number
    if message is None or message.lower() == "success":
        if documented is not None:
            message = documented[1]
        elif statuses and status in statuses:
            message = statuses[status]
    text = redact(message)[:_MAX_TEXT] if message else None
    return error_from_status(
        provider_id,
        status,
        provider_code=redact(code)[:60] if code else None,
        message=text,
        retry_after=retry_after,
    )


def redact(text: str) -> str:
    """Mask a bearer token or key value a provider quoted back in its error text."""
    return _SECRET.sub(r"\1[redacted]", text)


def _first_url(response: Any) -> str | None:
    if isinstance(response, str) and response:
        return response
    if isinstance(response, list | tuple):
        for item in response:
            if isinstance(item, str) and item:
                return item
            if isinstance(item, Mapping):
                url = first_str(item, "url", "video_url")
                if url:
                    return url
    return None


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None
