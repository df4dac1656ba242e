"""The client-side rate budget (NanoPhoto allows 100 requests an hour per key), kept in the
ledger so that every process using the same key draws on the same count. The ledger is reached
through the call's `Records` (off the event loop, bounded by the call's end)."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from ..errors import RateLimited
from ..ledger import Ledger
from ..providers import Provider
from .records import Records

__all__ = ["LedgerBudget"]

LONGEST_SLEEP = 30.0
"""A wait for budget longer than this (before scaling) is refused at once, with the wait."""


class LedgerBudget:
    """`client.RateBudget` over the ledger: reserve a request slot, sleeping briefly if needed."""

    def __init__(
        self,
        records: Records,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        bucket_prefix: str = "",
        scale: float = 1.0,
    ) -> None:
        self._records = records
        self._clock = clock
        self._sleep = sleep
        self._prefix = bucket_prefix
        self._scale = scale

    async def acquire(self, provider: Provider) -> None:
        limit = provider.caps.rate_limit
        if limit is None:
            return
        window = limit.per_seconds * self._scale
        bucket = f"{self._prefix}{provider.id}"
        while True:
            reserve = functools.partial(
                Ledger.reserve_request, bucket=bucket, limit=limit.requests, window=window, now=self._clock()
            )
            wait = await self._records.call(reserve)
            if wait <= 0:
                return
            if wait > LONGEST_SLEEP * max(self._scale, 0.001):
                raise RateLimited(
                    f"{provider.id}: the client-side budget of {limit.requests} requests per "
                    f"{limit.per_seconds / 3600:g} h ({limit.scope}) is used up; the next request is "
                    f"possible in {wait:.0f} s. Try again then (the job is kept).",
                    provider=provider.id,
                    retry_after=wait,
                    code="rate_budget",
                )
            await self._sleep(wait)
