"""The `{"code", "message", "data"}` task APIs: seedanceapi.org and seedance1-5pro.com.

Both answer a submit with `data.task_id`, are polled with `GET /status?task_id=...`, and
describe a task as `task_id`, `status` (IN_PROGRESS, SUCCESS, FAILED), `response` (video
URLs), `consumed_credits` and `error_message`. A bare data object is accepted too, and a
wrapper whose `code` is not 200 is an error even under HTTP 200. Error bodies are not
documented, so `read_error` accepts the common shapes: `{"code": "INVALID_PROMPT",
"message": ...}`, `{"error": {"code": ..., "message": ...}}`, `{"error": "..."}` and text.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from ..errors import ProtocolError, ProviderError
from ..models import JobError, JobStatus, TaskState
from ..redaction import mask_credentials
from .base import Provider, WireRequest, error_from_status, first_str, json_object, whole_number

__all__ = ["EnvelopeTaskProvider", "error_with_codes", "parse_task", "read_error", "unwrap"]

_CODE_WORD = re.compile(r"^[A-Z][A-Z0-9_]{2,}$")
_MAX_TEXT = 300


class EnvelopeTaskProvider(Provider):
    """Submit answer, status request and status answer as both providers document them."""

    def parse_submit(self, status_code: int, body: Any) -> str:
        data = unwrap(self, status_code, body)
        task_id = first_str(data, "task_id", "taskId", "id")
        if task_id is None:
            raise ProtocolError(f"{self.id}: the submit answer has no task_id")
        return task_id

    def build_status(self, task_id: str) -> WireRequest:
        return WireRequest(method="GET", path="/status", params={"task_id": task_id})

    def parse_status(self, status_code: int, body: Any) -> TaskState:
        return parse_task(self.id, unwrap(self, status_code, body))


def unwrap(provider: Provider, status_code: int, body: Any) -> Mapping[str, Any]:
    """The `data` object of a `{"code", "message", "data"}` answer, or the bare object itself.

    Raises the provider's error for an error inside an HTTP 2xx answer (a wrapper whose `code`
    is not 200, or a bare `error` object); `ProtocolError` for anything that is not a JSON
    object. HTTP errors never get here: the client maps them with `error_for`.
    """
    answer = json_object(provider.id, body)
    if answer.get("code") is not None and str(answer["code"]).strip() != "200":
        raise provider.error_for(status_code, answer)
    if answer.get("error") and "data" not in answer and "status" not in answer:
        raise provider.error_for(status_code, answer)
    if "data" not in answer:
        return answer
    data = answer["data"]
    if not isinstance(data, Mapping):
        raise ProtocolError(f"{provider.id}: the answer's data is not a JSON object")
    return data


def parse_task(provider_id: str, data: Mapping[str, Any]) -> TaskState:
    """A task record (`task_id`, `status`, `response`, `consumed_credits`, `error_message`)."""
    raw = first_str(data, "status")
    if raw is None:
        raise ProtocolError(f"{provider_id}: the status answer has no status")
    credits = whole_number(data.get("consumed_credits"))
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
                code="generation_failed", message=f"{provider_id}: {mask_credentials(text)[:_MAX_TEXT]} ({refund})"
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
    text = mask_credentials(message)[:_MAX_TEXT] if message else None
    return error_from_status(
        provider_id,
        status,
        provider_code=mask_credentials(code)[:60] if code else None,
        message=text,
        retry_after=retry_after,
    )


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
