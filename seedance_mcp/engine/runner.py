"""The job runner: one job on one provider client, from submit to a saved video.

The state machine, each step a small method that records its outcome in the ledger before
returning: `submit` (the ledger row already exists, so a crash mid-submit is visible),
`settle` (a submit whose process died), `poll` + `apply` (one status answer), `wait` (poll on
the provider's schedule until done or the deadline), `download` (verified, never over a file),
and `resume`, which picks the next step for a job found in the ledger.

Every ledger read and write goes through `Records`: off the event loop, and bounded by the
call's end. A ledger another process keeps locked never loses what must not be lost (a
submit's outcome, a saved video's path: kept in the pending file) and leaves a status answer
unrecorded, with a notice (the next check asks again).

Who may re-send a submit is decided by whether the provider honours idempotency keys: an
answer lost on a provider that does not is never re-sent (that could charge twice); the job
becomes `unknown` with its possible cost.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import anyio
import httpx2

from ..client import ProviderClient
from ..download import download_video, loopback_hosts
from ..errors import (
    AnswerLost,
    ConnectFailed,
    DownloadError,
    InvalidRequest,
    LedgerBusy,
    ProtocolError,
    ProviderError,
    ProviderFailure,
    ProviderUnavailable,
    RateLimited,
    SeedanceError,
    TaskNotFound,
)
from ..inflight import DownloadLocks, SubmitLocks
from ..models import Job, JobError, JobStatus, TaskState
from ..polling import PollSchedule
from . import notices
from .progress import PROGRESS_EVERY, Phase, ProgressFn, emit
from .records import Records

__all__ = ["Delivery", "JobRunner"]

log = logging.getLogger("seedance_mcp.engine")

DOWNLOAD_LOCK_POLL = 0.1
"""How often a process waiting for another's download of the same job looks again (seconds)."""
DOWNLOAD_LOCK_WAIT_MAX = 600.0
"""The longest it waits, even under a longer call (then the job says another process downloads)."""

_POLL_FAILURES = (RateLimited, ProviderUnavailable, ProviderFailure, AnswerLost, ConnectFailed, ProtocolError)
"""Status-check failures a wait shrugs off: it tries again on schedule."""


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """What a caller wants at the end of a wait, and who hears about progress on the way."""

    download: bool = True
    output_dir: Path | None = None
    """Where to save the video; None: the configured output folder."""
    on_progress: ProgressFn | None = None


class JobRunner:
    def __init__(
        self,
        *,
        client: ProviderClient,
        records: Records,
        locks: SubmitLocks,
        schedule: Callable[[Job], PollSchedule],
        download_client: Callable[[], httpx2.AsyncClient],
        output_dir: Path,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        scale: float,
        delivery: Delivery,
        until: float | None = None,
    ) -> None:
        self.client = client
        self.provider = client.provider
        self._records = records
        self._locks = locks
        self._download_locks = DownloadLocks(locks.folder)
        self._schedule = schedule
        self._download_client = download_client
        self._output_dir = delivery.output_dir or output_dir
        self._clock = clock
        self._sleep = sleep
        self._beat = PROGRESS_EVERY * min(1.0, max(scale, 0.01))
        self._delivery = delivery
        self._until = until
        """The call's end on `clock` (`limits`): no exchange runs past it; None: no end."""

    def _left(self) -> float:
        """Seconds until the call's end: the bound of the exchange about to start."""
        if self._until is None:
            return math.inf
        return max(0.0, self._until - self._clock())

    # ---- submit -------------------------------------------------------------------------

    async def start(self, job: Job, idempotency_key: str) -> Job:
        """Record `job`, then submit it. The submit is marked under way until its answer is recorded,
        so another process can tell it from one whose process died in between."""
        with self._locks.hold(job.job_id):
            try:
                job = await self._records.create(job, idempotency_key=idempotency_key)
            except LedgerBusy as err:
                raise LedgerBusy(f"{err.message} Nothing was sent to {self.provider.id}.") from err
            await self._emit(job, "submitting", 0.0, None, "submitting to " + self.provider.id)
            return await self.submit(job, idempotency_key)

    async def submit(self, job: Job, key: str | None = None) -> Job:
        """Send the job's submit (with its recorded idempotency key) and record the outcome.

        Only a clear refusal (`CLEAR_REFUSALS`, or an error before anything was sent) marks the
        job failed with nothing created; a submit that may have reached the provider and did
        not come back with a readable task id (an answer lost, cut off by the deadline,
        unreadable, a redirect, a 5xx, "still being processed") is `unknown`, with its possible
        cost and, where the provider honours idempotency keys, a safe re-send with the same key.
        """
        if key is None:
            key = await self._records.idempotency_key(job.job_id)
        provider = self.provider
        task_id: str | None = None
        try:
            with anyio.move_on_after(self._left()):
                task_id = await self.client.submit(job.request, key)
        except SeedanceError as err:
            if self.client.submit_in_doubt:
                return await self._unclear(job, err, notices.unclear_what(provider, err))
            cleanly_refused = isinstance(err, ProviderError | InvalidRequest) and not isinstance(
                err, RateLimited | ProviderUnavailable
            )
            await self._fail(job, err, notices.REFUSED if cleanly_refused else notices.NOTHING_CREATED)
            raise
        if task_id is None:  # cut off by the deadline
            cut = SeedanceError(
                f"{provider.id}: no answer to the submit within the wait.",
                code="deadline_exceeded",
                retryable=True,
            )
            if not self.client.submit_in_doubt:
                await self._fail(job, cut, notices.NOTHING_CREATED)
                raise cut
            what = f"The submit reached {provider.id} but its answer did not arrive within the wait"
            return await self._unclear(job, cut, what)
        return await self._record_task(job, task_id)

    async def _record_task(self, job: Job, task_id: str) -> Job:
        """Record a task id the provider gave: an answer received is never lost.

        Another process may hold the ledger: the write is tried again with backoff (off the
        event loop) until `RECORD_WINDOW` past the call's end (`Records`); if the ledger is
        still locked, the change goes to the fallback file the next look at the ledger records
        (`Ledger.stash`), and `LedgerBusy` names the task id and the job id.
        """
        changes: dict[str, Any] = {
            "provider_task_id": task_id,
            "status": JobStatus.QUEUED,
            "error": None,
            "notice": None,
        }
        job, kept = await self._records.record(job, **changes)
        if kept is None:
            return job
        log.warning("the ledger stayed locked; could not record task %s", task_id)
        if isinstance(kept, OSError):
            where = f"it could not be kept beside the ledger either ({kept.strerror or kept}), so note it;"
        else:
            where = f"it is kept in {kept}, and"
        raise LedgerBusy(
            f"{self.provider.id} accepted job {job.job_id} as task {task_id}, but another process held the "
            f"job ledger ({self._records.path}) locked, so the task id could not be recorded: {where} "
            f"checking job {job.job_id} again records it. Do not submit it again: the task exists "
            "and may be charged."
        )

    async def _unclear(self, job: Job, err: SeedanceError, what: str) -> Job:
        """A submit that may have created a (paid) task: `unknown`, never lost."""
        provider = self.provider
        if isinstance(err, AnswerLost | ProviderFailure) and provider.caps.idempotency:
            note = notices.resend_note(provider, job, err.code)
        else:
            note = notices.unclear_note(provider, job, what)
        error = notices.job_error(err).model_copy(update={"retryable": provider.caps.idempotency})
        job, kept = await self._records.record(job, status=JobStatus.UNKNOWN, error=error, notice=note)
        if kept is not None:
            job = job.model_copy(update={"notice": f"{note} {notices.kept_note(kept)}"})
        return job

    async def _fail(self, job: Job, err: SeedanceError, note: str) -> None:
        _, kept = await self._records.record(
            job, status=JobStatus.FAILED, error=notices.job_error(err), notice=note
        )
        if kept is not None:
            log.warning("the ledger stayed locked; job %s's failure: %s", job.job_id, notices.kept_note(kept))

    async def settle(self, job: Job) -> Job:
        """A queued job without a task id: its submit is under way elsewhere, or its process died."""
        if self._locks.state(job.job_id) == "under_way":
            return job.model_copy(update={"notice": notices.OTHER_PROCESS_SUBMITTING})
        job = await self._records.get(job.job_id)  # the submit may have been recorded meanwhile
        if job.provider_task_id is not None or job.status.is_final:
            return job
        provider = self.provider
        error = JobError(
            code="submit_interrupted",
            message="The process that submitted this job stopped before the provider's answer was recorded.",
            retryable=provider.caps.idempotency,
        )
        if provider.caps.idempotency:
            note = (
                f"The submitting process stopped before {provider.id}'s answer was recorded; {provider.id} "
                "honours idempotency keys, so the submit is re-sent safely with the same key."
            )
        else:
            note = notices.unknown_note(
                provider, job, "The submitting process stopped before the provider's answer was recorded"
            )
        try:
            job = await self._records.update(job.job_id, status=JobStatus.UNKNOWN, error=error, notice=note)
        except LedgerBusy:
            return job.model_copy(update={"notice": notices.LEDGER_BUSY})  # settled by the next look
        self._locks.clear(job.job_id)
        return job

    # ---- poll ---------------------------------------------------------------------------

    async def poll(self, job: Job) -> Job:
        """Ask the provider once and record what it says."""
        assert job.provider_task_id is not None
        state: TaskState | None = None
        try:
            with anyio.move_on_after(self._left()):
                state = await self.client.status(job.provider_task_id)
        except TaskNotFound as err:
            if job.sandbox:
                return await self._records.update_or_keep(
                    job,
                    status=JobStatus.EXPIRED,
                    error=notices.job_error(err),
                    notice=notices.SANDBOX_EXPIRED,
                )
            raise
        except (ProviderError, ConnectFailed, AnswerLost, ProtocolError) as err:
            # Still unknown after retries: keep the job as it was, say what happened.
            await self._records.update_or_keep(job, notice=f"{notices.STATUS_CHECK_FAILED}{err.message}")
            raise
        if state is None:  # cut off by the call's end: the job is as it was
            return await self._records.update_or_keep(job, notice=notices.STATUS_CHECK_CUT_OFF)
        return await self.apply(job, state)

    async def apply(self, job: Job, state: TaskState) -> Job:
        """Record a status answer: only what changed is written (while the ledger stays locked,
        nothing is, and the job comes back as it was with a notice)."""
        changes: dict[str, Any] = {}
        if state.status is not job.status:
            changes["status"] = state.status
        if state.video_url and state.video_url != job.video_url:
            changes["video_url"] = state.video_url
        if state.credits is not None and state.credits != job.credits:
            changes["credits"] = state.credits
        if state.error is not None:
            changes["error"] = state.error
        if state.status is JobStatus.FAILED:
            changes["notice"] = notices.RENDER_FAILED
        elif job.notice and job.notice.startswith(notices.STATUS_CHECK_FAILED):
            changes["notice"] = None  # the provider answered again: the old failure is history
        if not changes:
            return job
        return await self._records.update_or_keep(job, **changes)

    # ---- wait ---------------------------------------------------------------------------

    async def wait(self, job: Job, deadline: float, *, polls: int = 0) -> Job:
        """Poll on the provider's schedule until the job is final or `deadline` (on the clock)."""
        schedule = self._schedule(job)
        created = job.created_at.timestamp()
        expected = schedule.expected_seconds()
        elapsed = self._clock() - created
        next_at = schedule.next_poll_at(elapsed, polls)
        typical = f"typical {schedule.expected_low:.0f}-{schedule.expected_high:.0f} s"
        while not job.status.is_final:
            elapsed = self._clock() - created
            if elapsed >= next_at:
                try:
                    job = await self.poll(job)
                except _POLL_FAILURES as err:
                    log.info("status check failed, will retry on schedule: %s", err.code)
                polls += 1
                if job.status.is_final:
                    break
                next_at = schedule.next_poll_at(self._clock() - created, polls)
            remaining = deadline - self._clock()
            if remaining <= 0:
                break
            phase: Phase = "queued" if job.status is JobStatus.QUEUED else "rendering"
            await self._emit(job, phase, elapsed, expected, f"{self.provider.id} is rendering; {typical}")
            await self._sleep(min(max(next_at - (self._clock() - created), 0.0), self._beat, remaining))
        if job.status is JobStatus.SUCCEEDED and self._delivery.download:
            await self._emit(job, "downloading", self._clock() - created, expected, "downloading the video")
            job = await self.download(job)
        final_phase: Phase = "rendering"
        final_message = job.status.value
        if job.status.is_final:
            final_phase = "done" if job.status is JobStatus.SUCCEEDED else "failed"
        else:
            final_message = f"still {job.status.value} on {self.provider.id}; the job is saved"
        await self._emit(job, final_phase, self._clock() - created, expected, final_message)
        return job

    # ---- download -----------------------------------------------------------------------

    async def download(self, job: Job) -> Job:
        """Save the finished video; a failure is recorded on the job, which stays succeeded.

        One download per job at a time (`DownloadLocks`): a process that finds another one
        downloading waits for it (until the call's end) and hands back the job as the other
        recorded it. A signed video URL may have expired: after a failed download (this
        attempt's 403/404/410, or any failure of an earlier attempt) the task is asked once
        for a fresh URL before the download is tried. A sandbox job's URL points at the
        simulator that answered last, so one from another (now gone) process is refreshed too.
        """
        if not job.video_url or job.video_path:
            return job
        waited_until = time.monotonic() + min(self._left(), DOWNLOAD_LOCK_WAIT_MAX)
        while True:
            with self._download_locks.try_hold(job.job_id) as mine:
                if mine:
                    return await self._download_held(await self._records.get(job.job_id))
            recorded = await self._records.get(job.job_id)
            if recorded.video_path:
                return recorded  # the other process saved it
            if time.monotonic() >= waited_until:
                return recorded.model_copy(update={"notice": notices.OTHER_PROCESS_DOWNLOADING})
            await anyio.sleep(DOWNLOAD_LOCK_POLL)

    async def _download_held(self, job: Job) -> Job:
        if not job.video_url or job.video_path:
            return job  # saved by another process meanwhile
        failed_before = job.error is not None
        stale_sandbox = job.sandbox and _origin(job.video_url) != _origin(self.client.base_url)
        if failed_before or stale_sandbox:
            job = await self._fresh_url(job) or job
        job = await self._fetch(job)
        if (
            job.video_path is None
            and not failed_before
            and job.error
            and job.error.code == "video_url_expired"
        ):
            fresh = await self._fresh_url(job)
            if fresh is not None:
                job = await self._fetch(fresh)
        return job

    async def _fetch(self, job: Job) -> Job:
        """One download of the job's recorded URL, its outcome recorded."""
        assert job.video_url is not None
        path: Path | None = None
        try:
            with anyio.move_on_after(self._left()):
                async with self._download_client() as http:
                    path = await download_video(
                        http,
                        job.video_url,
                        self._output_dir,
                        job.job_id,
                        sleep=self._sleep,
                        # Only a provider that is itself on loopback (the sandbox) may hand out
                        # loopback video URLs; every other hop must be a public address.
                        allowed_hosts=loopback_hosts(self.client.base_url),
                    )
        except DownloadError as err:
            return await self._records.update_or_keep(
                job,
                error=notices.job_error(err),
                notice=notices.download_failed_note(err.message),
            )
        if path is None:  # cut off by the call's end; nothing partial is left behind
            cut = DownloadError(notices.DOWNLOAD_CUT_OFF, code="download_cut_off", retryable=True)
            return await self._records.update_or_keep(
                job, error=notices.job_error(cut), notice=notices.download_failed_note(cut.message)
            )
        # The file is saved: its path must never be lost, locked ledger or not.
        saved = str(path.resolve())
        job, kept = await self._records.record(job, label="video", video_path=saved, error=None, notice=None)
        if kept is not None:
            job = job.model_copy(update={"notice": notices.video_kept_note(saved, kept)})
        return job

    async def _fresh_url(self, job: Job) -> Job | None:
        """The job with the video URL its task gives now, if that differs from the recorded one."""
        if job.provider_task_id is None:
            return None
        state: TaskState | None = None
        try:
            with anyio.move_on_after(self._left()):
                state = await self.client.status(job.provider_task_id)
        except SeedanceError:
            return None  # the download of the recorded URL fails and says so
        if (
            state is None
            or state.status is not JobStatus.SUCCEEDED
            or not state.video_url
            or state.video_url == job.video_url
        ):
            return None
        try:
            return await self._records.update(job.job_id, video_url=state.video_url)
        except LedgerBusy:
            return job.model_copy(update={"video_url": state.video_url})  # asked for again next time

    # ---- resume -------------------------------------------------------------------------

    async def resume(self, job: Job, wait_seconds: float) -> Job:
        """The next step for a recorded job that is not done: settle, re-send, poll, wait, fetch."""
        job = await self._recover_submit(job)
        if job.provider_task_id is None or job.status is JobStatus.UNKNOWN:
            return job  # nothing can be asked of the provider: the notice says why
        if job.status is JobStatus.SUCCEEDED:
            return await self.download(job)
        schedule = self._schedule(job)
        elapsed = self._clock() - job.created_at.timestamp()
        if elapsed < schedule.initial_delay and wait_seconds <= 0:
            # Too early for the render to be done: asking now would only spend the
            # provider's request budget (NanoPhoto: 100 an hour, status checks included).
            early = notices.early_note(
                job,
                low=schedule.expected_low,
                high=schedule.expected_high,
                elapsed=elapsed,
                first_poll=schedule.initial_delay,
            )
            return job.model_copy(update={"notice": early})
        polls = 0
        if elapsed >= schedule.initial_delay:
            job = await self.poll(job)
            polls = 1
        if not job.status.is_final and wait_seconds > 0:
            return await self.wait(job, self._clock() + wait_seconds, polls=polls)
        if job.status is JobStatus.SUCCEEDED and self._delivery.download:
            job = await self.download(job)
        return job

    async def _recover_submit(self, job: Job) -> Job:
        """A job whose submit never got a recorded answer: settle it, and re-send where safe."""
        if job.provider_task_id is None and not job.status.is_final and job.status is not JobStatus.UNKNOWN:
            job = await self.settle(job)
        if job.status is JobStatus.UNKNOWN and self.provider.caps.idempotency:
            with self._locks.hold(job.job_id):
                job = await self.submit(job)  # safe: the same idempotency key as the first time
        return job

    async def _emit(
        self, job: Job, phase: Phase, elapsed: float, expected: float | None, message: str
    ) -> None:
        await emit(self._delivery.on_progress, job, phase, elapsed, expected, message)


def _origin(url: str) -> str:
    """scheme://host:port of a URL (a sandbox URL's simulator)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
