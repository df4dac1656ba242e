"""The one retry policy: exponential backoff with jitter, and `Retry-After` honoured.

Provider calls (`client.py`) and video downloads (`download.py`) both wait by it. What may be
retried is decided where the request is made, from whether it provably did not reach the
provider (or the provider honours idempotency keys); this module only says how long to wait.
"""

from __future__ import annotations

import dataclasses
import email.utils
import random
import time
from dataclasses import dataclass

__all__ = ["DEFAULT_RETRY", "DOWNLOAD_RETRY", "RetryPolicy", "parse_retry_after"]


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    """How many attempts, and how long to wait before each retry.

    The n-th retry waits `base_delay * 2**(n-1)`, capped at `max_delay`, stretched by up to
    `jitter` (0.25: at most 25 % longer, never shorter, so a crowd of clients spreads out
    without any of them retrying early). A server's `Retry-After` wins when it is longer, up
    to `max_retry_after`.
    """

    attempts: int = 5
    base_delay: float = 1.0
    max_delay: float = 30.0
    jitter: float = 0.25
    max_retry_after: float = 120.0

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError(f"attempts must be at least 1; got {self.attempts!r}.")

    def delay(self, attempt: int, rng: random.Random, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `attempt` (1-based)."""
        backoff = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        backoff *= 1 + self.jitter * rng.random()
        if retry_after is not None:
            return max(backoff, min(retry_after, self.max_retry_after))
        return backoff

    def scaled(self, factor: float) -> RetryPolicy:
        """The same policy with its backoff multiplied by `factor` (the sandbox's time scale).

        A server's own `Retry-After` is still honoured as sent.
        """
        return dataclasses.replace(
            self, base_delay=self.base_delay * factor, max_delay=self.max_delay * factor
        )


DEFAULT_RETRY = RetryPolicy()
"""Provider calls: five attempts."""
DOWNLOAD_RETRY = RetryPolicy(attempts=3)
"""Downloads: three attempts (a cut-off body, a reset, a 429 or a 5xx is worth two more)."""


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds from a `Retry-After` header: a number of seconds or an HTTP date; else None."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if seconds == seconds else None  # NaN says nothing
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
