"""The ledger as the engine's async code reaches it: off the event loop, and never past the call.

Every read and write runs in a worker thread (the SQLite ledger blocks while another process
holds it, and the event loop must keep serving every other tool meanwhile). Each one waits for
another process's lock at most until `RECORD_WINDOW` past the call's end (`limits`): in short
tries (at most `TRY_SECONDS` each, so a cancelled call lets go promptly) with backoff between
them, the way a received task id has always been recorded. A lock held longer is `LedgerBusy`,
and the caller decides what that means:

- an answer that must never be lost (a submit's outcome, a saved video's path) goes to the
  pending file beside the ledger (`record`), which the next look at the ledger records;
- a status answer leaves the job as it was, with a notice (`update_or_keep`): the next check
  asks the provider again.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread

from ..errors import LedgerBusy
from ..ledger import BUSY_TIMEOUT_SECONDS, Ledger
from ..models import Job
from . import notices
from .limits import RECORD_WINDOW

__all__ = ["TRY_SECONDS", "Records"]

T = TypeVar("T")

TRY_SECONDS = 1.0
"""The longest one try waits for another process's lock before the next (seconds)."""
_FIRST_PAUSE = 0.05
_LONGEST_PAUSE = 0.5


class Records:
    """`ledger` for one call ending at `until` on `clock` (None: no end; each wait is then the
    ledger's own `BUSY_TIMEOUT_SECONDS`)."""

    def __init__(
        self,
        ledger: Ledger,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        until: float | None,
    ) -> None:
        self.ledger = ledger
        self._clock = clock
        self._sleep = sleep
        self._until = until

    @property
    def path(self) -> Path:
        return self.ledger.path

    def _last_moment(self) -> float:
        if self._until is None:
            return self._clock() + BUSY_TIMEOUT_SECONDS
        return self._until + RECORD_WINDOW

    async def call(self, work: Callable[[Ledger], T]) -> T:
        """`work(ledger)` in a worker thread, tried again while another process holds the
        ledger, until `RECORD_WINDOW` past the call's end; then `LedgerBusy`."""
        until = self._last_moment()
        pause = _FIRST_PAUSE
        while True:
            wait = max(_FIRST_PAUSE, min(until - self._clock(), TRY_SECONDS))
            try:
                return await anyio.to_thread.run_sync(self._patiently, work, wait)
            except LedgerBusy:
                if self._clock() + pause >= until:
                    raise
            await self._sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE)

    def _patiently(self, work: Callable[[Ledger], T], wait: float) -> T:
        with self.ledger.patience(wait):
            return work(self.ledger)

    # ---- reads: a job as it is, stashed changes included ------------------------------------

    async def get(self, job_id: str) -> Job:
        return await self.call(lambda ledger: ledger.with_pending(ledger.get(job_id)))

    async def find(self, ref: str) -> Job:
        return await self.call(lambda ledger: ledger.with_pending(ledger.find(ref)))

    async def idempotency_key(self, job_id: str) -> str:
        return await self.call(lambda ledger: ledger.idempotency_key(job_id))

    async def apply_stashed(self) -> None:
        """Record what a locked ledger could not take earlier; what it still cannot stays kept."""
        await self.call(lambda ledger: ledger.apply_stashed())

    # ---- writes -----------------------------------------------------------------------------

    async def create(self, job: Job, *, idempotency_key: str) -> Job:
        return await self.call(lambda ledger: ledger.create(job, idempotency_key=idempotency_key))

    async def update(self, job_id: str, **changes: Any) -> Job:
        """Change some fields of a job; `LedgerBusy` if the ledger stays locked."""
        return await self.call(functools.partial(_update, job_id=job_id, changes=changes))

    async def update_or_keep(self, job: Job, **changes: Any) -> Job:
        """Record a change that can be had again (a status answer): while the ledger stays
        locked, `job` as it was, its notice saying so (the next check asks again)."""
        try:
            return await self.update(job.job_id, **changes)
        except LedgerBusy:
            return job.model_copy(update={"notice": notices.LEDGER_BUSY})

    async def record(self, job: Job, *, label: str = "", **changes: Any) -> tuple[Job, Path | OSError | None]:
        """Record a change that must never be lost: while the ledger stays locked, it is kept
        in the pending file (`Ledger.stash`, one per job and `label`) that the next look
        records. Returns the job with the change, and where it went if not into the ledger:
        the pending file, or the error that kept it from being written too."""
        try:
            return await self.update(job.job_id, **changes), None
        except LedgerBusy:
            stash = functools.partial(self.ledger.stash, job.job_id, label=label, **changes)
            kept: Path | OSError
            try:
                kept = await anyio.to_thread.run_sync(stash)
            except OSError as err:
                kept = err
            return Job.model_validate({**dict(job), **changes}), kept


def _update(ledger: Ledger, *, job_id: str, changes: dict[str, Any]) -> Job:
    return ledger.update(job_id, **changes)
