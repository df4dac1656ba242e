"""Every failure the project raises, under one root.

    SeedanceError                      code, retryable, message (says what to do next)
    ├── InvalidRequest                 bad input, refused before anything is sent
    │   └── UnknownProvider            a provider id not in the registry (also a ConfigError)
    ├── ConfigError                    missing key, bad env var
    ├── JobNotFound                    no such job in the local ledger
    ├── LedgerBusy                     the ledger stayed locked; what could not be recorded is kept
    ├── LedgerCorrupt                  the ledger file, or one job's row in it, cannot be read
    ├── BudgetExceeded                 estimate above SEEDANCE_MAX_CREDITS / SEEDANCE_MAX_COST
    ├── QueueFull                      the provider's queue cap for the account is reached
    ├── CannotCancel                   the job cannot be cancelled (final, no task, no endpoint)
    ├── ProviderError                  the provider answered with an error
    │   ├── AuthError                  401: key missing, invalid or revoked
    │   ├── InsufficientCredits        402
    │   ├── RateLimited                429; carries retry_after
    │   ├── ProviderRejected           400: the provider refused the input
    │   ├── TaskNotFound               404 for a task id
    │   ├── IdempotencyConflict        409: same key, other body, or still running
    │   ├── ProviderUnavailable        503: not processed, safe to retry
    │   └── ProviderFailure            5xx: the request may or may not have been processed
    ├── TransportError                 no usable HTTP answer
    │   ├── ConnectFailed              the request never left: safe to retry
    │   └── AnswerLost                 the request left, the answer did not come back (ambiguous)
    ├── DownloadError                  the video could not be saved whole
    ├── ClipUnreadable                 a file is not a video PyAV can read (or PyAV is missing)
    └── ProtocolError                  the provider answered with something we cannot read

No message ever contains an API key: errors are built from status codes and the provider's
own error text, never from request headers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "AnswerLost",
    "AuthError",
    "BudgetExceeded",
    "CannotCancel",
    "ClipUnreadable",
    "ConfigError",
    "ConnectFailed",
    "DownloadError",
    "IdempotencyConflict",
    "InsufficientCredits",
    "InvalidRequest",
    "JobNotFound",
    "LedgerBusy",
    "LedgerCorrupt",
    "ProtocolError",
    "ProviderError",
    "ProviderFailure",
    "ProviderRejected",
    "ProviderUnavailable",
    "QueueFull",
    "RateLimited",
    "SeedanceError",
    "TaskNotFound",
    "TransportError",
    "UnknownProvider",
]


class SeedanceError(Exception):
    """Root of every error this project raises."""

    code: str = "error"
    retryable: bool = False

    def __init__(self, message: str, *, code: str | None = None, retryable: bool | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if retryable is not None:
            self.retryable = retryable

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "retryable": self.retryable}


class InvalidRequest(SeedanceError):
    """An input that cannot be sent. Names the field, the value and what is allowed."""

    code = "invalid_request"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        value: Any = None,
        allowed: Sequence[Any] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.field = field
        self.value = value
        self.allowed = list(allowed) if allowed is not None else None

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        if self.field is not None:
            data["field"] = self.field
        if self.allowed is not None:
            data["allowed"] = self.allowed
        return data


class ConfigError(SeedanceError):
    code = "config_error"


class UnknownProvider(InvalidRequest, ConfigError):
    """A provider id that is not in the registry: bad input (code `invalid_request`) naming the
    field and the allowed ids. It is a `ConfigError` too, because the id may come from the
    environment (SEEDANCE_PROVIDER) as well as from an argument."""


class JobNotFound(SeedanceError):
    code = "job_not_found"


class CannotCancel(SeedanceError):
    """A job that cannot be cancelled: already final, no task id recorded yet, a provider with
    no cancel endpoint, or a task past the point the provider allows (Ark: queued only)."""

    code = "cannot_cancel"


class QueueFull(SeedanceError):
    """The provider's documented cap on queued tasks per account is reached (Ark: 120); refused
    before anything is sent. Retryable once some of the queued jobs have started."""

    code = "queue_full"
    retryable = True


class LedgerBusy(SeedanceError):
    """Another process held the job ledger locked for longer than a call could wait. The
    message names what could not be recorded (a task id, a job id) and where it is kept."""

    code = "ledger_busy"
    retryable = True


class LedgerCorrupt(SeedanceError):
    """The job ledger's file is damaged, or one job's row cannot be read (bad JSON, an unknown
    status). A damaged row is skipped in job lists; the message names the file and what to do."""

    code = "ledger_corrupt"


class BudgetExceeded(SeedanceError):
    """A job refused by a budget cap before anything was sent. `caps` names the variables that
    refused it; `confirmable` says whether the cap could not check the price at all (no
    published price, or one in another unit), which an explicit confirmation lets through,
    rather than the price being above it, which nothing but a higher cap does."""

    code = "budget_exceeded"

    def __init__(
        self, message: str, *, caps: Sequence[str] = (), confirmable: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.caps = tuple(caps)
        self.confirmable = confirmable


class ProviderError(SeedanceError):
    """The provider answered with an error. `provider_code` is its own code, if it sent one;
    `retry_after` the wait it asked for (429 and 503 carry one)."""

    code = "provider_error"

    def __init__(
        self,
        message: str,
        *,
        provider: str | None = None,
        status_code: int | None = None,
        provider_code: str | None = None,
        code: str | None = None,
        retryable: bool | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, code=code, retryable=retryable)
        self.provider = provider
        self.status_code = status_code
        self.provider_code = provider_code
        self.retry_after = retry_after
        """Seconds the provider asked us to wait (`Retry-After`, or a known budget), if any."""

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        if self.provider_code:
            data["provider_code"] = self.provider_code
        if self.status_code is not None:
            data["http_status"] = self.status_code
        return data


class AuthError(ProviderError):
    code = "auth_failed"


class InsufficientCredits(ProviderError):
    code = "insufficient_credits"


class RateLimited(ProviderError):
    code = "rate_limited"
    retryable = True


class ProviderRejected(ProviderError):
    code = "provider_rejected"


class TaskNotFound(ProviderError):
    code = "task_not_found"


class IdempotencyConflict(ProviderError):
    code = "idempotency_conflict"


class ProviderUnavailable(ProviderError):
    code = "provider_unavailable"
    retryable = True


class ProviderFailure(ProviderError):
    code = "provider_failure"
    retryable = True


class TransportError(SeedanceError):
    code = "transport_error"
    retryable = True


class ConnectFailed(TransportError):
    """The request never reached the provider (refused, DNS, connect timeout)."""

    code = "connect_failed"


class AnswerLost(TransportError):
    """The request was sent but no answer came back (read timeout, reset)."""

    code = "answer_lost"


class DownloadError(SeedanceError):
    code = "download_failed"
    retryable = True


class ClipUnreadable(SeedanceError):
    """A file that is not a video the media layer can read (missing, empty, not a container,
    no video stream), or the PyAV library that reads it is not installed. Names the file."""

    code = "clip_unreadable"


class ProtocolError(SeedanceError):
    code = "protocol_error"
