"""The `{"code", "message", "data"}` task APIs: seedanceapi.org and seedance1-5pro.com.

Both answer a submit with `data.task_id`, are polled with `GET /status?task_id=...`, and
describe a task as `task_id`, `status` (IN_PROGRESS, SUCCESS, FAILED), `response` (video
URLs), `consumed_credits` and `error_message`. A bare data object is accepted too, and a
wrapper whose `code` is not 200 is an error even under HTTP 200. Error bodies are not
documented, so `ERRORS` reads the common shapes: `{"code": "INVALID_PROMPT", "message": ...}`,
`{"error": {"code": ..., "message": ...}}`, `{"error": "INVALID_PROMPT"}`, `{"error": "<text>"}`
and plain text naming a documented code; a numeric `code` is an HTTP status.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import ProtocolError
from ..models import JobError, JobStatus, TaskState
from .base import ErrorFormat, Provider, WireRequest, first_str, json_object, provider_text, whole_number

__all__ = ["ERRORS", "EnvelopeTaskProvider", "parse_task", "unwrap"]

ERRORS = ErrorFormat(
    code_keys=("error", "code", "error_code", "errorCode", "type"),
    message_keys=("error", "message", "msg", "error_message", "detail"),
    code_word=re.compile(r"[A-Z][A-Z0-9_]{2,}"),
)
"""How both providers' errors read; each adds what its document says the codes or statuses mean."""


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
            text = provider_text(first_str(data, "error_message", "error", "message"))
            text = text or "video generation failed"
            # Failed jobs are refunded (consumed_credits 0); a missing count means the same.
            credits = credits or 0
            refund = (
                "credits are refunded" if credits == 0 else f"the provider reports {credits} credits consumed"
            )
            err = JobError(code="generation_failed", message=f"{provider_id}: {text} ({refund})")
            return TaskState(status=JobStatus.FAILED, error=err, credits=credits, provider_status=raw)
        case _:
            # IN_PROGRESS and any word the document does not name: still running.
            return TaskState(status=JobStatus.RUNNING, credits=credits, provider_status=raw)


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
