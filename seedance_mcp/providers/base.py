"""What a provider is: capabilities as data, plus pure mapping functions.

A provider never opens a socket. `build_submit` turns a resolved `VideoRequest` into a
`WireRequest` (method, path, query, JSON body, extra headers; never the key), and the
`parse_*` functions turn a decoded answer back into a task id, a `TaskState` or an
exception from `errors.py`. The HTTP layer (`client.py`) does the I/O.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import (
    AuthError,
    IdempotencyConflict,
    InsufficientCredits,
    ProtocolError,
    ProviderError,
    ProviderFailure,
    ProviderRejected,
    ProviderUnavailable,
    RateLimited,
    TaskNotFound,
)
from ..models import TaskState, VideoRequest

__all__ = ["Capabilities", "PollAdvice", "Provider", "WireRequest", "error_from_status", "first_str"]


@dataclass(frozen=True, kw_only=True)
class PollAdvice:
    """The provider's documented polling advice and typical render times.

    `render_seconds` maps a clip duration to the (low, high) render time in seconds the
    provider documents; durations in between use the nearest documented one.
    """

    interval: float
    render_seconds: Mapping[int, tuple[float, float]]
    source: str = ""

    def typical(self, duration: int) -> tuple[float, float]:
        nearest = min(self.render_seconds, key=lambda d: (abs(d - duration), d))
        return self.render_seconds[nearest]


@dataclass(frozen=True, kw_only=True)
class RateLimit:
    requests: int
    per_seconds: float
    scope: str = "account"


@dataclass(frozen=True, kw_only=True)
class Capabilities:
    durations: tuple[int, ...]
    default_duration: int
    resolutions: tuple[str, ...]
    default_resolution: str | None
    aspect_ratios: tuple[str, ...]
    prompt_min: int
    prompt_max: int
    start_image: bool
    end_image: bool
    seed: bool
    seed_range: tuple[int, int] | None
    audio: bool
    fixed_lens: bool
    idempotency: bool
    poll: PollAdvice
    rate_limit: RateLimit | None = None
    https_images_only: bool = False
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class WireRequest:
    """An HTTP request as the provider documents it, minus the Authorization header."""

    method: str
    path: str
    params: Mapping[str, str] = field(default_factory=dict)
    json: Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def url(self, base_url: str) -> str:
        return base_url.rstrip("/") + self.path


class Provider(ABC):
    """One provider API. Subclasses set the class attributes and implement the mappings."""

    id: str
    name: str
    base_url: str
    docs_url: str
    key_env: str
    caps: Capabilities

    @abstractmethod
    def build_submit(self, req: VideoRequest, idempotency_key: str) -> WireRequest:
        """The documented submit request for a request already resolved by `validation`."""

    @abstractmethod
    def parse_submit(self, status_code: int, body: Any) -> str:
        """The provider task id from a 2xx submit answer, or raise the error carried inside it."""

    @abstractmethod
    def build_status(self, task_id: str) -> WireRequest:
        """The documented status request for a task id."""

    @abstractmethod
    def parse_status(self, status_code: int, body: Any) -> TaskState:
        """A 2xx status answer as a `TaskState`, or raise the error carried inside it."""

    def error_for(self, status_code: int, body: Any, retry_after: float | None = None) -> ProviderError:
        """The exception for an error answer: every HTTP status >= 400, before any `parse_*`
        sees the answer, and an error a provider sends inside a 2xx answer."""
        code, message = _generic_code_and_message(body)
        return error_from_status(
            self.id, status_code, provider_code=code, message=message, retry_after=retry_after
        )


def _generic_code_and_message(body: Any) -> tuple[str | None, str | None]:
    """Read the error code and text from the common JSON error shapes, tolerantly."""
    if not isinstance(body, Mapping):
        return None, (body.strip()[:300] or None) if isinstance(body, str) else None
    nested = body.get("error")
    if isinstance(nested, Mapping):
        return first_str(nested, "code", "type", "errorCode"), first_str(nested, "message", "msg")
    code = first_str(body, "errorCode", "error_code", "code", "failCode")
    message = first_str(body, "error", "message", "error_message", "msg", "detail", "failMsg")
    return code, message


def json_object(provider: str, body: Any) -> Mapping[str, Any]:
    """A decoded answer that must be a JSON object, else `ProtocolError` naming the provider."""
    if isinstance(body, Mapping):
        return body
    raise ProtocolError(f"{provider}: the answer is not a JSON object")


def first_str(data: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, int) and not isinstance(value, bool) and key in ("code",) and value >= 400:
            return str(value)
    return None


_ADVICE = {
    "auth": "check the API key variable for this provider (its value is never shown)",
    "credits": "top up the provider account, or choose a shorter, lower-resolution or silent clip",
    "rate": "wait and try again later; the client already backed off",
    "rejected": "fix the input named in the message and try again",
    "not_found": "check the task id; tasks belong to the key that created them",
    "conflict": "the same idempotency key was used for a different request, or it is still running",
    "busy": "the provider is busy; try again shortly",
    "failure": "the provider had an internal error; check the job's status before submitting again",
}


def error_from_status(
    provider: str,
    status_code: int,
    *,
    provider_code: str | None = None,
    message: str | None = None,
    retry_after: float | None = None,
) -> ProviderError:
    """Map an HTTP status (and the provider's own code) to the project's exception tree."""
    text = message or f"HTTP {status_code}"
    label = f"{provider}: {text}" + (f" ({provider_code})" if provider_code else "")
    common: dict[str, Any] = {
        "provider": provider,
        "status_code": status_code,
        "provider_code": provider_code,
    }
    upper = (provider_code or "").upper()
    if (
        status_code == 401
        or status_code == 403
        or upper in ("INVALID_API_KEY", "LOGIN_REQUIRED", "UNAUTHORIZED")
    ):
        return AuthError(f"{label}: {_ADVICE['auth']}", **common)
    if status_code == 402 or "CREDIT" in upper:
        return InsufficientCredits(f"{label}: {_ADVICE['credits']}", **common)
    if status_code == 429 or "RATE_LIMIT" in upper:
        return RateLimited(f"{label}: {_ADVICE['rate']}", retry_after=retry_after, **common)
    if status_code == 404 or "NOT_FOUND" in upper:
        return TaskNotFound(f"{label}: {_ADVICE['not_found']}", **common)
    if status_code == 409 or "IDEMPOTENCY" in upper:
        return IdempotencyConflict(f"{label}: {_ADVICE['conflict']}", **common)
    if status_code == 503 or upper == "SERVICE_BUSY":
        return ProviderUnavailable(f"{label}: {_ADVICE['busy']}", retry_after=retry_after, **common)
    if 400 <= status_code < 500:
        return ProviderRejected(f"{label}: {_ADVICE['rejected']}", **common)
    if status_code >= 500:
        return ProviderFailure(f"{label}: {_ADVICE['failure']}", **common)
    return ProviderError(f"{label}", **common)


def whole_number(value: Any) -> int | None:
    """An integer from a JSON number (3 or 3.0), else None (booleans are not numbers here)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def decode_json_string(value: Any, *, provider: str, field_name: str) -> Any:
    """Some providers nest JSON as a string (APIXO's resultJson); accept either form."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as err:
            raise ProtocolError(f"{provider}: {field_name} is not valid JSON") from err
    return value
