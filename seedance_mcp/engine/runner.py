"""The job runner: one job on one provider client, from submit to a saved video.

The state machine, each step a small method that records its outcome in the ledger before
returning: `submit` (the ledger row already exists, so a crash mid-submit is visible),
`settle` (a submit whose process died), `poll` + `apply` (one status answer), `wait` (poll on
the provider's schedule until done or the deadline), `download` (`fetching.VideoFetcher`:
one process per job, a fresh URL when needed, verified, never over a file),
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

import contextlib
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx2

from ..client import ProviderClient, nothing_created
from ..errors import (
    AnswerLost,
    CannotCancel,
    ConnectFailed,
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
from ..ledger import Ledger
from ..models import Job, JobError, JobStatus, Money, TaskState
from ..polling import PollSchedule
from ..pricing import actual_cost
from ..providers import Provider
from . import notices
from .fetching import VideoFetcher
from .progress import PROGRESS_EVERY, Phase, ProgressFn, emit
from .records import Records
from .staging import as_sent, stage

__all__ = ["Delivery", "JobRunner"]

log = logging.getLogger("seedance_mcp.engine")

LOST_TASK_SLACK = 120.0
"""Seconds either side of a submit within which a listed task may be the one it created (the
clocks of this machine and the provider's may differ a little)."""
SUBMIT_SPAN = 300.0
"""How long after a job is recorded its (one, never repeated) paid submit can still create the
task: the exchange is bounded by the HTTP timeouts, well within this. A task created later is
not that submit's, whatever it looks like."""


def _cut_off(provider: Provider, job: Job, what: str) -> SeedanceError:
    return SeedanceError(
        f"{provider.id}: no answer to {what} of job {job.job_id} within the wait; check the job to see "
        "where it stands.",
        code="deadline_exceeded",
        retryable=True,
    )


def _known(provider: str, task_id: str) -> Callable[[Ledger], bool]:
    return lambda ledger: ledger.task_known(provider, task_id)


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
        self._schedule = schedule
        self._download_client = download_client
        self._output_dir = delivery.output_dir or output_dir
        self._clock = clock
        self._sleep = sleep
        self._beat = PROGRESS_EVERY * min(1.0, max(scale, 0.01))
        self._delivery = delivery
        self._until = until
        """The call's end on `clock` (`limits`): no exchange runs past it; None: no end."""
        self._queue_position: int | None = None
        """Where the last status answer put the job in the provider's queue, if it said."""
        self._videos = VideoFetcher(
            client=client,
            records=records,
            locks=DownloadLocks(locks.folder),
            download_client=download_client,
            output_dir=self._output_dir,
            sleep=sleep,
            left=self._left,
        )

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
                req, job = await stage(job, provider, self.client, self._records)
                task_id = await self.client.submit(req, key)
        except SeedanceError as err:
            if self.client.submit_in_doubt:
                return await self._unclear(job, err, notices.unclear_what(provider, err))
            if job.status is JobStatus.UNKNOWN:
                # A re-send that did not go through settles nothing: the first submit may
                # still have created (and be charging for) a task.
                return await self._unclear(job, err, notices.resend_failed_what(provider, err))
            cleanly_refused = isinstance(err, InvalidRequest) or (
                nothing_created(err)
                and not isinstance(err, ConnectFailed | RateLimited | ProviderUnavailable)
            )
            await self._fail(job, err, notices.REFUSED if cleanly_refused else notices.NOTHING_CREATED)
            raise
        if task_id is None:  # cut off by the deadline
            cut = SeedanceError(
                f"{provider.id}: no answer to the submit within the wait.",
                code="deadline_exceeded",
                retryable=True,
            )
            if job.status is JobStatus.UNKNOWN:
                return await self._unclear(job, cut, notices.resend_failed_what(provider, cut))
            if not self.client.submit_in_doubt:
                await self._fail(job, cut, notices.NOTHING_CREATED)
                raise cut
            what = f"The submit reached {provider.id} but its answer did not arrive within the wait"
            return await self._unclear(job, cut, what)
        return await self._record_task(job, task_id, self.client.submit_refs)

    async def _record_task(self, job: Job, task_id: str, refs: dict[str, str] | None = None) -> Job:
        """Record a task id the provider gave: an answer received is never lost.

        Another process may hold the ledger: the write is tried again with backoff (off the
        event loop) until `RECORD_WINDOW` past the call's end (`Records`); if the ledger is
        still locked, the change goes to the fallback file the next look at the ledger records
        (`Ledger.stash`), and `LedgerBusy` names the task id and the job id.
        """
        changes: dict[str, Any] = {
            "provider_task_id": task_id,
            "provider_refs": refs or {},
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
            return job.model_copy(update={"notice": f"{note} {notices.kept_note(kept)}"})
        if not provider.caps.idempotency:
            job = await self._find_lost_task(job)
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
                state = await self.client.status(job.provider_task_id, job.provider_refs)
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
        self._queue_position = state.queue_position
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
        if state.tokens is not None and state.tokens != job.tokens:
            changes["tokens"] = state.tokens
        if state.last_frame_url and state.last_frame_url != job.last_frame_url:
            changes["last_frame_url"] = state.last_frame_url
        cost = self._cost(job, state)
        if cost is not None and cost != job.cost:
            changes["cost"] = cost
        if state.error is not None:
            changes["error"] = state.error
        if state.status is JobStatus.FAILED:
            changes["notice"] = notices.RENDER_FAILED
        elif job.notice and job.notice.startswith(notices.STATUS_CHECK_FAILED):
            changes["notice"] = None  # the provider answered again: the old failure is history
        if not changes:
            return job
        return await self._records.update_or_keep(job, **changes)

    def _cost(self, job: Job, state: TaskState) -> Money | None:
        """What the job cost once final: as the provider reports it (credits, or billed tokens at
        the model's price); nothing for a task that was cancelled, expired or failed and reports
        no charge (every provider here bills successful renders only)."""
        if not state.status.is_final:
            return None
        reported = actual_cost(self.provider, job.request, state)
        if reported is not None:
            return reported
        unit = job.estimated_cost.unit if job.estimated_cost is not None else None
        rendered = state.error is not None and state.error.code == "output_deleted"  # charged, then lost
        if state.status is not JobStatus.SUCCEEDED and unit is not None and not rendered:
            return Money(amount=0.0, unit=unit)
        return None

    # ---- cancel -------------------------------------------------------------------------

    async def cancel(self, job: Job) -> Job:
        """Cancel the job's task where the provider allows it, and record the outcome.

        `CannotCancel` when it cannot be: already final, no task id recorded yet, a provider
        with no cancel endpoint, or a task past the point the provider allows (Ark: queued only).
        """
        provider = self.provider
        if job.status.is_final:
            raise CannotCancel(f"job {job.job_id} is already {job.status.value}; there is nothing to cancel.")
        if provider.cancel_request(job.provider_task_id or "task", job.provider_refs) is None:
            raise CannotCancel(
                f"{provider.id} has no way to cancel a task (its API documents none): job {job.job_id} keeps "
                "rendering and is charged as usual. Check it with its id; never submit it again."
            )
        task_id = job.provider_task_id
        if task_id is None:
            raise CannotCancel(
                f"job {job.job_id} has no task id recorded yet ({job.status.value}), so there is nothing to "
                f"cancel on {provider.id}; check the job first."
            )
        # Read the task first: only a task the provider may cancel is sent a cancel (Ark's DELETE
        # of a finished task erases its record, and with it the video).
        job = await self.apply(job, await self._read_task(task_id, job))
        if job.status.is_final:
            raise CannotCancel(
                f"job {job.job_id} was already {job.status.value} on {provider.id}; nothing was cancelled."
                + (" Check it to save the video." if job.status is JobStatus.SUCCEEDED else "")
            )
        if job.status not in provider.cancellable:
            allowed = " or ".join(sorted(s.value for s in provider.cancellable))
            raise CannotCancel(
                f"{provider.id} cancels only {allowed} tasks, and job {job.job_id} is {job.status.value}: it "
                "keeps rendering and is charged as usual. Check it with its id; never submit it again."
            )
        answered = False
        try:
            with anyio.move_on_after(self._left()):
                await self.client.cancel(task_id, job.provider_refs)
                answered = True
        except ProviderError as err:
            # Refused: read the task to say why (it may have started, or finished, meanwhile).
            job = await self.apply(job, await self._read_task(task_id, job))
            if job.status.is_final:
                return job
            answer = err.provider_code or f"HTTP {err.status_code}"
            raise CannotCancel(
                f"{provider.id} would not cancel job {job.job_id} ({answer}): it is {job.status.value}. It "
                "keeps rendering and is charged as usual; check it with its id.",
            ) from err
        if not answered:
            raise _cut_off(provider, job, "the cancel")
        state = TaskState(status=JobStatus.CANCELLED, provider_status="cancelled")
        with anyio.move_on_after(self._left()):
            with contextlib.suppress(TaskNotFound):  # a cancelled task's record may be gone
                state = await self.client.status(task_id, job.provider_refs)
        if state.status is JobStatus.RUNNING:
            # The task started before the cancel reached it: it renders, and is charged, as usual.
            job = await self.apply(job, state)
            raise CannotCancel(
                f"job {job.job_id} started rendering on {provider.id} before the cancel reached it: it "
                "keeps rendering and is charged as usual. Check it with its id; never submit it again."
            )
        if not state.status.is_final:  # still listed as queued: the provider took the cancel
            state = TaskState(status=JobStatus.CANCELLED, provider_status=state.provider_status)
        return await self._records.update(
            job.job_id, **self._changes(job, state), notice=notices.cancelled_note(job, state)
        )

    async def _read_task(self, task_id: str, job: Job) -> TaskState:
        """The task's state now, within the call's end (else a `deadline_exceeded` error)."""
        with anyio.move_on_after(self._left()):
            return await self.client.status(task_id, job.provider_refs)
        raise _cut_off(self.provider, job, "the status check")

    def _changes(self, job: Job, state: TaskState) -> dict[str, Any]:
        changes: dict[str, Any] = {"status": state.status}
        cost = self._cost(job, state)
        if cost is not None:
            changes["cost"] = cost
        if state.error is not None:
            changes["error"] = state.error
        return changes

    # ---- recover a submit whose answer was lost -----------------------------------------

    async def _find_lost_task(self, job: Job) -> Job:
        """For a provider that lists its tasks but keeps no idempotency key: look for the task a
        lost submit may have created (same model, same clip settings, created since the job
        was), and adopt it when exactly one unknown task matches. Otherwise the job stays
        `unknown`, its notice saying how many matched."""
        created = job.created_at.timestamp()
        try:
            with anyio.move_on_after(self._left()):
                found = await self.client.recent(
                    await as_sent(job),
                    since=created - LOST_TASK_SLACK,
                    until=created + SUBMIT_SPAN + LOST_TASK_SLACK,
                )
                if found is None:
                    return job
                fresh = [t for t in found if not await self._records.call(_known(self.provider.id, t))]
                if len(fresh) == 1:
                    job = await self._record_task(job, fresh[0])
                    return await self._records.update_or_keep(job, notice=notices.recovered_note(fresh[0]))
                note = notices.not_recovered_note(self.provider, job, len(fresh))
                return await self._records.update_or_keep(job, notice=note)
        except (ProviderError, ConnectFailed, AnswerLost, ProtocolError) as err:
            log.info("looking for a lost task failed: %s", err.code)
        return job

    # ---- wait ---------------------------------------------------------------------------

    async def wait(self, job: Job, deadline: float, *, polls: int = 0) -> Job:
        """Poll on the provider's schedule until the job is final or `deadline` (on the clock),
        and never past the call's end, whenever the wait began."""
        if self._until is not None:
            deadline = min(deadline, self._until)
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
            doing = "is rendering"
            if job.status is JobStatus.QUEUED and self._queue_position is not None:
                doing = f"has it queued, position {self._queue_position}"
            await self._emit(job, phase, elapsed, expected, f"{self.provider.id} {doing}; {typical}")
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
        """Save the finished video (see `fetching.VideoFetcher`); the job stays succeeded."""
        return await self._videos.download(job)

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
        elif job.status is JobStatus.UNKNOWN and job.provider_task_id is None:
            job = await self._find_lost_task(job)
        return job

    async def _emit(
        self, job: Job, phase: Phase, elapsed: float, expected: float | None, message: str
    ) -> None:
        await emit(self._delivery.on_progress, job, phase, elapsed, expected, message)
