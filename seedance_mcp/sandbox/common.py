"""What every simulated provider shares: the request pipeline (faults, auth, rate limit,
body parsing, task creation), the `Reject` exception, field checks and render times.

A provider module subclasses `ProviderSim`, gives its error shape (`error_body`), its routes
and its validation; the pipeline turns `Reject` into that shape.
"""

from __future__ import annotations

import itertools
import json
import math
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Collection, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute
from starlette.types import Receive, Scope, Send

from ..pricing import PRICE_TABLES
from .config import Fault
from .state import InsufficientBalance, SandboxState, Task

__all__ = [
    "AbortedResponse",
    "ProviderSim",
    "Reject",
    "choice",
    "flag",
    "interpolated_render_range",
    "iso_utc",
    "published_price",
    "url_list",
]

Handler = Callable[[Request], Awaitable[Response]]
ANSWER_FAULTS = frozenset({"429", "503", "500", "reset"})

# APIXO's documented render times (clip seconds -> low, high); the other providers document
# none beyond NanoPhoto's "1-3 minutes", so they use these, interpolated linearly between
# the documented durations and extended along the same slope past 12 s.
APIXO_RENDER: tuple[tuple[int, float, float], ...] = ((4, 40.0, 60.0), (8, 60.0, 90.0), (12, 90.0, 120.0))


class Reject(Exception):
    """An error answer: HTTP status, the provider's code, a message naming field and value."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        extra: Mapping[str, Any] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = dict(extra or {})
        self.retry_after = retry_after


class AbortedResponse(Response):
    """Sends the head of `head` (status, headers, Content-Length) and then drops the connection."""

    def __init__(self, head: Response, on_abort: Callable[[], None]) -> None:
        super().__init__(content=None, status_code=head.status_code)
        self.raw_headers = list(head.raw_headers)
        self._on_abort = on_abort

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        # No body message: the server closes the connection without a complete answer.
        self._on_abort()


def interpolated_render_range(
    duration: int, points: tuple[tuple[int, float, float], ...] = APIXO_RENDER
) -> tuple[float, float]:
    """(low, high) render seconds for a `duration`-second clip, from `points` of (clip seconds,
    low, high) sorted by clip seconds (at least two)."""
    if duration <= points[0][0]:
        lo_pt, hi_pt = points[0], points[1]
    elif duration >= points[-1][0]:
        lo_pt, hi_pt = points[-2], points[-1]
    else:
        lo_pt, hi_pt = next((a, b) for a, b in itertools.pairwise(points) if a[0] <= duration <= b[0])
    share = (duration - lo_pt[0]) / (hi_pt[0] - lo_pt[0])
    low = lo_pt[1] + share * (hi_pt[1] - lo_pt[1])
    high = lo_pt[2] + share * (hi_pt[2] - lo_pt[2])
    return max(1.0, low), max(1.0, high)


def published_price(provider: str, resolution: str | None, seconds: int, audio: bool) -> int:
    """The provider's published price for one clip (`seedance_mcp.pricing`)."""
    return PRICE_TABLES[provider].cells[(resolution, seconds, audio)]


def iso_utc(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _allowed(values: Collection[object]) -> str:
    return ", ".join(str(v) for v in values)


def choice(value: Any, name: str, allowed: Collection[str], code: str, *, status: int = 400) -> str:
    """`value` if it is one of the allowed strings, else a `Reject` naming all of them."""
    if isinstance(value, str) and value in allowed:
        return value
    shown = "missing" if value is None else repr(value)
    raise Reject(status, code, f"{name}: {shown} is not allowed; allowed: {_allowed(allowed)}")


def prompt_text(value: Any, name: str, low: int, high: int, code: str) -> str:
    """`value` if it is a prompt of `low` to `high` characters, else a `Reject` saying so."""
    if isinstance(value, str) and len(value.strip()) >= low and len(value) <= high:
        return value
    shown = f"{len(value)} characters" if isinstance(value, str) and value.strip() else repr(value)
    raise Reject(400, code, f"{name}: {shown}; allowed: {low}-{high} characters")


def flag(body: Mapping[str, Any], name: str, default: bool, code: str, *, required: bool = False) -> bool:
    value = body.get(name)
    if value is None:
        if required:
            raise Reject(400, code, f"{name}: missing; allowed: true, false (required)")
        return default
    if not isinstance(value, bool):
        raise Reject(400, code, f"{name}: {value!r} is not a boolean; allowed: true, false")
    return value


def url_list(
    value: Any, name: str, code: str, *, most: int | None = None, https_only: bool = False
) -> list[str]:
    """A list of public http(s) URLs; `most` caps the count."""
    schemes = ("https://",) if https_only else ("http://", "https://")
    if not isinstance(value, list):
        raise Reject(400, code, f'{name}: {value!r} is not a list of URLs; allowed: ["https://..."]')
    for item in value:
        if not isinstance(item, str) or not item.startswith(schemes) or len(item) <= len("https://"):
            raise Reject(
                400, code, f"{name}: {item!r} is not a public URL; allowed: {' or '.join(schemes)} URLs"
            )
    if most is not None and len(value) > most:
        raise Reject(400, code, f"{name}: {len(value)} URLs; allowed: at most {most}")
    return list(value)


def bearer_key(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer":
        return ""
    return key.strip()


class EnvelopeErrors:
    """Errors as plain HTTP statuses in `{"code", "message", "data": null}` (APIXO, seedance1-5pro.com)."""

    fault_codes: ClassVar[Mapping[str, str]] = {code: code for code in ("429", "503", "500", "402", "404")}

    def error_body(self, status: int, code: str, message: str, extra: Mapping[str, Any]) -> dict[str, Any]:
        return {"code": status, "message": message, "data": None}


class ProviderSim(ABC):
    """One simulated provider, mounted below `/<id>`."""

    id: ClassVar[str]
    task_prefix: ClassVar[str]
    bad_request: ClassVar[str]  # the code for a malformed body or an invalid field
    fault_codes: ClassVar[Mapping[str, str]]  # "429" / "503" / "500" -> the provider's code
    missing_key_code: ClassVar[str]
    invalid_key_code: ClassVar[str]
    rate_limit: ClassVar[tuple[int, float] | None] = None  # (requests, per seconds) per key

    def __init__(self, state: SandboxState) -> None:
        self.state = state

    # -- what a provider module supplies -------------------------------------------------
    @abstractmethod
    def error_body(self, status: int, code: str, message: str, extra: Mapping[str, Any]) -> dict[str, Any]:
        """The provider's error answer."""

    @abstractmethod
    def routes(self) -> list[BaseRoute]:
        """Routes relative to the provider's base URL."""

    def render_range(self, duration: int) -> tuple[float, float]:
        return interpolated_render_range(duration)

    def insufficient(self, required: int, available: int) -> Reject:
        return Reject(
            402, self.fault_codes["402"], f"Insufficient credits: {required} required, {available} left"
        )

    def not_found(self, task_id: str) -> Reject:
        return Reject(404, self.fault_codes["404"], f"Task not found: {task_id!r}")

    # -- the pipeline --------------------------------------------------------------------
    def answer(self, reject: Reject) -> JSONResponse:
        headers = {"Retry-After": str(reject.retry_after)} if reject.retry_after is not None else None
        body = self.error_body(reject.status, reject.code, reject.message, reject.extra)
        return JSONResponse(body, status_code=reject.status, headers=headers)

    def fault_reject(self, fault: Fault) -> Reject:
        match fault.kind:
            case "429":
                return Reject(
                    429,
                    self.fault_codes["429"],
                    "Too many requests (sandbox fault)",
                    retry_after=fault.retry_after,
                )
            case "503":
                return Reject(503, self.fault_codes["503"], "Service temporarily unavailable (sandbox fault)")
            case _:
                return Reject(500, self.fault_codes["500"], "Internal server error (sandbox fault)")

    def endpoint(self, on: str, handler: Handler) -> Handler:
        """Wrap a handler with the answer faults for its endpoint type and `Reject` handling.

        429 and 503 answer before anything is processed; 500 and reset answer after the
        handler has done its work (a submit has created and charged its task).
        """

        async def run(request: Request) -> Response:
            fault = self.state.take_fault(self.id, on, ANSWER_FAULTS)
            if fault is not None and fault.kind in ("429", "503"):
                return self.answer(self.fault_reject(fault))
            try:
                response = await handler(request)
            except Reject as reject:
                response = self.answer(reject)
            if fault is None:
                return response
            if fault.kind == "reset":
                return AbortedResponse(response, self.state.note_abort)
            return self.answer(self.fault_reject(fault))

        return run

    def authorize(self, request: Request) -> str:
        """The caller's owner digest; raises the provider's 401 or rate-limit answer."""
        key = bearer_key(request)
        if not key:
            code = self.missing_key_code if key is None else self.invalid_key_code
            raise Reject(401, code, "Authorization: Bearer API key is missing")
        if not self.state.key_accepted(key):
            raise Reject(401, self.invalid_key_code, "Invalid or expired API key")
        owner = self.state.owner_of(key)
        if self.rate_limit is not None:
            limit, window = self.rate_limit
            wait = self.state.rate_limited(self.id, owner, limit, window)
            if wait is not None:
                raise Reject(
                    429,
                    self.fault_codes["429"],
                    f"Rate limit exceeded: {limit} requests per {_window(window)} for this API key",
                    retry_after=wait,
                )
        return owner

    async def json_object(self, request: Request) -> dict[str, Any]:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            raise Reject(400, self.bad_request, "body: not valid JSON; allowed: a JSON object") from None
        if not isinstance(body, dict):
            raise Reject(400, self.bad_request, "body: not a JSON object; allowed: a JSON object")
        return body

    def create(
        self,
        owner: str,
        body: dict[str, Any],
        duration: int,
        credits: int,
        *,
        idempotency: tuple[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> Task:
        try:
            return self.state.create_task(
                provider=self.id,
                prefix=self.task_prefix,
                body=body,
                owner=owner,
                duration=duration,
                credits=credits,
                render_range=self.render_range(duration),
                idempotency=idempotency,
                extra=extra,
            )
        except InsufficientBalance as err:
            raise self.insufficient(err.required, err.available) from None

    def lookup(self, task_id: Any, owner: str, missing_code: str) -> Task:
        if not isinstance(task_id, str) or not task_id:
            raise Reject(400, missing_code, "task id: missing; allowed: the id the submit answer returned")
        task = self.state.find_task(self.id, task_id, owner)
        if task is None:
            raise self.not_found(task_id)
        return task


def _window(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        hours = int(seconds // 3600)
        return "hour" if hours == 1 else f"{hours} hours"
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return "minute" if minutes == 1 else f"{minutes} minutes"
    return f"{math.ceil(seconds)} s"
