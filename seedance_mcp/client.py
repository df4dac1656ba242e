"""The one place that does provider HTTP: auth, timeouts, retries, rate budget, error mapping.

What may be retried (the heart of "never paid twice"; how long to wait is `retry.RetryPolicy`):

- a request that provably did not reach the provider (connect failure, 429, 503) is retried
  with exponential backoff, jitter and `Retry-After`;
- a status request (a read) is also retried after a lost answer or a 5xx;
- a paid submit whose answer was lost (read timeout, reset) or that got a 500 is retried
  only when the provider honours an `Idempotency-Key` (the same key every time); otherwise
  the error goes up unchanged and the caller marks the job `unknown`.

Provider code parses the raw answer; everything that leaves the client (task id, task state,
every exception) has the key scrubbed by the one redactor.
"""

from __future__ import annotations

import functools
import json
import logging
import random
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

import anyio
import httpx2
from pydantic import BaseModel

from .errors import (
    AnswerLost,
    AuthError,
    ConnectFailed,
    IdempotencyConflict,
    ProtocolError,
    ProviderError,
    ProviderFailure,
    ProviderUnavailable,
    RateLimited,
    SeedanceError,
    TransportError,
)
from .models import JobStatus, TaskState, VideoRequest
from .providers import Provider, WireRequest
from .redaction import redact, redact_error
from .retry import DEFAULT_RETRY, RetryPolicy, parse_retry_after
from .settings import Secret

__all__ = [
    "CLEAR_REFUSALS",
    "MAX_ANSWER_BYTES",
    "ProviderClient",
    "RateBudget",
    "Timeouts",
    "nothing_created",
]

log = logging.getLogger("seedance_mcp.client")

Sleep = Callable[[float], Awaitable[None]]
T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
USER_AGENT = "seedance-mcp/0.1"
MAX_ANSWER_BYTES = 1 << 20
"""The most a provider's answer body may hold (1 MiB, after any transfer decoding); a submit
or status answer is a few hundred bytes, so more is refused unread (`ProtocolError`)."""


@dataclass(frozen=True, kw_only=True)
class Timeouts:
    connect: float = 10.0
    read: float = 30.0
    write: float = 30.0
    pool: float = 10.0

    def httpx(self) -> httpx2.Timeout:
        return httpx2.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


class RateBudget(Protocol):
    """A client-side request budget (NanoPhoto allows 100 requests an hour per key)."""

    async def acquire(self, provider: Provider) -> None: ...


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One TLS context for every client in the process: loading the CA bundle costs
    ~17 ms of CPU and ~1 MB per context, and a render opens two clients."""
    return httpx2.create_ssl_context()


def _decode(response: httpx2.Response, raw: bytes) -> Any:
    text = raw.decode(response.charset_encoding or "utf-8", errors="replace")
    if not text.strip():
        return {}
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


CLEAR_REFUSALS = frozenset({400, 401, 402, 403, 404, 422, 429, 503})
"""HTTP statuses (or a documented code inside a 2xx answer that maps to one) after which a
submit certainly created no task: input rejected (400, or 422 where the platform validates the
input that way: fal, Replicate), key refused, no credits, no such endpoint,
rate limited, busy ("not processed, retry"). Anything else that answered may have created
one: a 409 "still being processed", another 4xx, a 5xx, a 3xx, an unreadable 2xx."""


def nothing_created(err: SeedanceError) -> bool:
    """Whether a submit attempt that ended in `err` certainly created no task."""
    if isinstance(err, ConnectFailed | RateLimited | ProviderUnavailable):
        return True  # never left, or the provider said "not processed"
    return (
        isinstance(err, ProviderError)
        and not isinstance(err, IdempotencyConflict)
        and err.status_code in CLEAR_REFUSALS
    )


class ProviderClient:
    """Async HTTP client for one provider. Pass `transport` (tests) or `http` (shared client)."""

    def __init__(
        self,
        provider: Provider,
        *,
        key: Secret | None,
        base_url: str | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
        http: httpx2.AsyncClient | None = None,
        timeouts: Timeouts = Timeouts(),
        retry: RetryPolicy = DEFAULT_RETRY,
        sleep: Sleep = anyio.sleep,
        rng: random.Random | None = None,
        budget: RateBudget | None = None,
        clock: Callable[[], float] = time.time,
        key_env: str | None = None,
        deadline: float | None = None,
    ) -> None:
        self.provider = provider
        self.base_url = (base_url or provider.base_url).rstrip("/")
        self._key = key
        self._own_http = http is None
        self._http = http or httpx2.AsyncClient(
            transport=transport,
            timeout=timeouts.httpx(),
            follow_redirects=False,
            verify=shared_ssl_context(),
        )
        self.retry = retry
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._budget = budget
        self._clock = clock
        self._key_env = key_env
        self.deadline = deadline
        """No retry sleeps past this moment (on `clock`); None: no limit."""
        self.submit_in_doubt = False
        """Whether the last `submit` may have created a task: an attempt reached the provider
        and did not come back as a clear "not created" (see `nothing_created`). The caller
        reads it after an error, or after cutting the submit off at its deadline."""
        self.submit_refs: dict[str, str] = {}
        """What the last successful submit's answer gave besides the task id (`Provider.submit_refs`)."""
        self._doubt_before = False

    def __repr__(self) -> str:
        return f"ProviderClient(provider={self.provider.id!r}, base_url={self.base_url!r})"

    async def aclose(self) -> None:
        if self._own_http:
            await self._http.aclose()

    async def __aenter__(self) -> ProviderClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def headers(self, wire: WireRequest) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT, **wire.headers}
        if wire.json is not None:
            headers["Content-Type"] = "application/json"
        if self._key is not None and not wire.signed:
            headers["Authorization"] = f"{self.provider.auth_scheme} {self._key.reveal()}"
        return headers

    async def send(self, wire: WireRequest, *, paid: bool = False) -> tuple[int, Any, float | None]:
        """One HTTP exchange: (status, decoded body, Retry-After seconds). Maps transport errors.

        `paid`: a submit; from the moment it may leave, `submit_in_doubt` is set."""
        if self._budget is not None:
            await self._budget.acquire(self.provider)
        if paid:
            self._doubt_before, self.submit_in_doubt = self.submit_in_doubt, True
        url = wire.url(self.upload_base_url if wire.upload else self.base_url)
        if wire.signed:
            # A signed storage URL the provider handed back: the key never goes with it (see
            # `headers`), and a file's bytes go there only over https (or to the provider's own
            # host, as the sandbox serves it).
            if not url.startswith("https://") and _origin(url) != _origin(self.base_url):
                raise ProtocolError(
                    f"{self.provider.id}: the upload URL it handed back is not https; refused unsent.",
                    code="foreign_url",
                )
        elif wire.absolute and _origin(url) != _origin(self.base_url):
            # A URL the provider handed back goes only where the key already goes.
            raise ProtocolError(
                f"{self.provider.id}: a URL it handed back for the task is on another host "
                f"({urlsplit(url).hostname}) than {self.base_url}; refused unsent.",
                code="foreign_url",
            )
        content = wire.content if wire.json is None else json.dumps(wire.json, ensure_ascii=False).encode()
        try:
            async with self._http.stream(
                wire.method,
                url,
                params=dict(wire.params) or None,
                content=content,
                files=dict(wire.files) if wire.files else None,
                headers=self.headers(wire),
            ) as response:
                raw = await self._read_capped(response)
        except (httpx2.ConnectError, httpx2.ConnectTimeout, httpx2.PoolTimeout) as err:
            if paid:
                self.submit_in_doubt = self._doubt_before
            raise ConnectFailed(
                f"{self.provider.id}: could not connect to {self.base_url} ({type(err).__name__}); "
                "nothing was sent. Check the network or SEEDANCE_BASE_URL."
            ) from None
        except httpx2.UnsupportedProtocol:
            if paid:
                self.submit_in_doubt = self._doubt_before
            raise ConnectFailed(
                f"{self.provider.id}: {self.base_url} is not an http(s) URL.", retryable=False
            ) from None
        except (httpx2.TimeoutException, httpx2.NetworkError, httpx2.RemoteProtocolError) as err:
            raise AnswerLost(
                f"{self.provider.id}: the request was sent but no complete answer came back "
                f"({type(err).__name__})."
            ) from None
        except httpx2.DecodingError as err:
            raise ProtocolError(
                f"{self.provider.id}: the answer could not be decoded ({type(err).__name__}).",
                code="unreadable_answer",
            ) from None
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        shown = "(a signed upload URL)" if wire.signed else wire.path
        log.debug("%s %s %s -> %s", self.provider.id, wire.method, shown, response.status_code)
        # The raw answer: provider code parses it as sent. What comes out of this client is
        # scrubbed instead (`_scrubbed`), so a short key that occurs in a field name
        # cannot break parsing.
        return response.status_code, _decode(response, raw), retry_after

    async def _read_capped(self, response: httpx2.Response) -> bytes:
        """The answer's body, refused (`ProtocolError`) once it passes `MAX_ANSWER_BYTES`."""
        declared = response.headers.get("content-length", "").strip()
        if declared.isascii() and declared.isdigit() and int(declared) > MAX_ANSWER_BYTES:
            raise self._too_large(f"{int(declared)} bytes declared")
        chunks: list[bytes] = []
        total = 0
        async for chunk in response.aiter_bytes():
            total += len(chunk)
            if total > MAX_ANSWER_BYTES:
                raise self._too_large("more than that sent")
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, what: str) -> ProtocolError:
        return ProtocolError(
            f"{self.provider.id}: the answer is larger than {MAX_ANSWER_BYTES >> 10} KiB ({what}); "
            "refused unread. A provider's answer is a few hundred bytes: check SEEDANCE_BASE_URL.",
            code="answer_too_large",
        )

    def _scrubbed(self, value: T) -> T:
        """`value` without the key: a provider that quotes it back ("Invalid API key sk-...")
        must not get it into a task id, a job's fields, an error, a log line or the ledger."""
        return value if self._key is None else redact(value, [self._key.reveal()])

    async def _exchange(self, wire: WireRequest, *, paid: bool = False) -> tuple[int, Any]:
        status, body, retry_after = await self.send(wire, paid=paid)
        if status >= 400:
            err = self.provider.error_for(status, body, retry_after)
            if isinstance(err, AuthError) and self._key_env:
                err.message += f" (The key in use comes from {self._key_env}.)"
                err.args = (err.message,)
            raise err
        if status >= 300:
            # Redirects are not followed (the key would travel with them), and a provider's API
            # documents none: the request reached someone, who did not say what became of it.
            raise ProtocolError(
                f"{self.provider.id}: answered HTTP {status} (a redirect) instead of an answer; "
                "check SEEDANCE_BASE_URL.",
                code="unexpected_redirect",
            )
        return status, body

    async def submit(self, req: VideoRequest, idempotency_key: str) -> str:
        """Create the task; returns the provider's task id. Retries only what is safe to retry."""
        return await self.submit_request(self.provider.build_submit(req, idempotency_key))

    async def submit_request(self, wire: WireRequest, parse: Callable[[int, Any], str] | None = None) -> str:
        """Send a paid submit built elsewhere (`submit`; the image endpoints of the same key) under the
        same retry rule; `parse` reads its task id (default: the provider's `parse_submit`)."""
        self.submit_in_doubt = self._doubt_before = False
        safe_to_resend = self.provider.caps.idempotency
        read_id = parse or self.provider.parse_submit

        self.submit_refs = {}

        async def attempt() -> str:
            try:
                status, body = await self._exchange(wire, paid=True)
                task_id = self._scrubbed(read_id(status, body))
                self.submit_refs = self._scrubbed(self.provider.submit_refs(body))
                return task_id
            except SeedanceError as err:
                if nothing_created(err):
                    self.submit_in_doubt = self._doubt_before
                raise

        def retryable(err: SeedanceError) -> bool:
            if isinstance(err, ConnectFailed):
                return err.retryable
            if isinstance(err, RateLimited | ProviderUnavailable):
                return True
            return safe_to_resend and isinstance(err, AnswerLost | ProviderFailure)

        return await self._with_retries(attempt, retryable, what="submit")

    async def status(self, task_id: str, refs: Mapping[str, str] | None = None) -> TaskState:
        """Read the task's state (and, where the status answer does not carry it, a finished
        task's result); reads are always safe to retry."""
        refs = refs or {}
        wire = self.provider.status_request(task_id, refs)

        async def attempt() -> TaskState:
            status, body = await self._exchange(wire)
            state = self.provider.parse_status(status, body)
            result = self.provider.result_request(task_id, refs)
            if state.status is JobStatus.SUCCEEDED and not state.video_url and result is not None:
                state = self.provider.parse_result(*await self._exchange(result))
            error = state.error
            if error is not None:
                error = error.model_copy(
                    update={"code": self._scrubbed(error.code), "message": self._scrubbed(error.message)}
                )
            shown = {
                "video_url": state.video_url,
                "last_frame_url": state.last_frame_url,
                "provider_status": state.provider_status,
            }
            return state.model_copy(update={**self._scrubbed(shown), "error": error})

        return await self._with_retries(attempt, self._read_retryable, what="status")

    async def read(self, wire: WireRequest, parse: Callable[[int, Any], M]) -> M:
        """A documented read other than `status` (an image task's status), retried like it; the
        parsed answer comes back without the key, like every other."""

        async def attempt() -> M:
            status, body = await self._exchange(wire)
            answer = parse(status, body)
            return type(answer).model_validate(self._scrubbed(answer.model_dump(mode="json")))

        return await self._with_retries(attempt, self._read_retryable, what="status")

    async def cancel(self, task_id: str, refs: Mapping[str, str] | None = None) -> None:
        """Ask the provider to cancel the task (`Provider.cancel_request`). Cancelling is idempotent,
        so transport failures and busy answers are retried; a refusal is raised as it came."""
        wire = self.provider.cancel_request(task_id, refs or {})
        if wire is None:
            raise ProtocolError(f"{self.provider.id}: has no cancel endpoint", code="cannot_cancel")

        async def attempt() -> None:
            status, body = await self._exchange(wire)
            self.provider.parse_cancel(status, body)

        return await self._with_retries(attempt, self._read_retryable, what="cancel")

    @property
    def upload_base_url(self) -> str:
        """Where the provider's upload API is: its own upload host (`Provider.upload_base_url`),
        unless the base URL was overridden (the sandbox, a test), which then serves it too."""
        own = self.provider.base_url.rstrip("/")
        if self.base_url != own or self.provider.upload_base_url is None:
            return self.base_url
        return self.provider.upload_base_url.rstrip("/")

    async def upload(self, name: str, mime: str, data: bytes) -> str:
        """Upload a local file through the provider's upload API (`Provider.build_upload`); the URL
        the request then names. Uploads cost nothing, so every step is retried like a read."""
        wire = self.provider.build_upload(name, mime, data)

        async def attempt() -> str:
            status, body = await self._exchange(wire)
            url, put = self.provider.parse_upload(status, body, mime, data)
            if put is not None:
                await self._exchange(put)
            return url

        return await self._with_retries(attempt, self._read_retryable, what="upload")

    async def recent(self, req: VideoRequest, *, since: float, until: float) -> list[str] | None:
        """The ids of the account's recent tasks that match `req` and were created between `since`
        and `until` (Unix seconds), or None where the provider cannot list its tasks."""
        wire = self.provider.build_recent(req)
        if wire is None:
            return None

        async def attempt() -> list[str]:
            _, body = await self._exchange(wire)
            found = self.provider.find_recent(body, req, since=since, until=until)
            return [self._scrubbed(task_id) for task_id in found]

        return await self._with_retries(attempt, self._read_retryable, what="task list")

    @staticmethod
    def _read_retryable(err: SeedanceError) -> bool:
        return isinstance(err, TransportError | RateLimited | ProviderUnavailable | ProviderFailure) and (
            err.retryable
        )

    async def _with_retries(
        self,
        attempt: Callable[[], Awaitable[T]],
        retryable: Callable[[SeedanceError], bool],
        *,
        what: str,
    ) -> T:
        for number in range(1, self.retry.attempts + 1):
            try:
                return await attempt()
            except SeedanceError as err:
                if self._key is not None:
                    redact_error(err, [self._key.reveal()])
                # The client-side budget (no HTTP status) is not retried here: its wait is
                # known and long, and the caller decides whether to spend it.
                local_budget = isinstance(err, RateLimited) and err.status_code is None
                if number == self.retry.attempts or local_budget or not retryable(err):
                    raise
                delay = self.retry.delay(number, self._rng, getattr(err, "retry_after", None))
                if self.deadline is not None and self._clock() + delay > self.deadline:
                    raise
                log.info(
                    "%s %s: %s; retry %d/%d in %.1fs",
                    self.provider.id,
                    what,
                    err.code,
                    number,
                    self.retry.attempts - 1,
                    delay,
                )
                await self._sleep(delay)
        raise AssertionError("unreachable")


def _origin(url: str) -> tuple[str, str | None, int | None]:
    """The scheme, host and port a URL goes to (the port spelt out or implied)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return (
        scheme,
        (parts.hostname or "").lower() or None,
        parts.port or {"https": 443, "http": 80}.get(scheme),
    )
