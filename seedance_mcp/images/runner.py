"""One image job on the seedance2ai client, from submit to saved, verified files.

The same state machine as a video job (`engine.runner`), smaller because the image endpoints
honour `Idempotency-Key`: every step records its outcome in the ledger (`ImageStore`, through
`Records`: off the event loop, never past the call's end) before it returns.

- `start`: the row is written before the submit leaves, and the submit is marked under way
  (`SubmitLocks`) until its answer is recorded;
- `submit`: a clear refusal fails the job (nothing was created); an answer that may have
  created a task and did not come back is `unknown`, and the next look re-sends it with the
  same key, which the provider answers with the same task: never paid twice;
- `resume`: a job without a task id whose process died (kill -9 mid-submit) is re-sent the
  same way; a job with one is polled; a finished one is downloaded;
- `download`: each picture streamed to a private file, checked by content (PNG or JPEG that
  decodes, `images.formats`), published under a fresh name, and its path recorded at once, so
  a crash between two pictures keeps the first.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import anyio
import httpx2

from ..client import ProviderClient, nothing_created
from ..download import download_image, loopback_hosts
from ..engine.fetching import DOWNLOAD_LOCK_POLL, DOWNLOAD_LOCK_WAIT_MAX
from ..engine.progress import Phase, Progress, ProgressFn
from ..engine.records import Records
from ..errors import (
    AnswerLost,
    ConnectFailed,
    DownloadError,
    InvalidRequest,
    LedgerBusy,
    ProtocolError,
    ProviderError,
    SeedanceError,
)
from ..inflight import DownloadLocks, SubmitLocks
from ..models import JobError, JobStatus, Money
from ..providers.base import WireRequest
from ..providers.seedance2ai_images import build_image_submit, image_model, parse_image_status
from .models import ImageFile, ImageJob, ImageTaskState
from .store import ImageStore

__all__ = ["ImageDelivery", "ImageRunner"]

T = TypeVar("T")

_POLL_FAILURES = (ProviderError, AnswerLost, ConnectFailed, ProtocolError)

RESEND = (
    "The submit's answer did not arrive; seedance2ai honours idempotency keys, so checking the job "
    "re-sends it with the same key, which cannot start (or charge) a second task."
)
INTERRUPTED = (
    "The process that submitted this job stopped before the answer was recorded; checking the job "
    "re-sends the submit with the same key, which cannot start (or charge) a second task."
)
UNDER_WAY = "Another process is submitting this job right now; check it again in a moment."
DOWNLOADING = "Another process is saving this job's pictures; check it again in a moment."
REFUSED = "seedance2ai refused the request; nothing was created or charged."
NOTHING_CREATED = "The submit did not reach seedance2ai; nothing was created or charged. Try again."
FAILED = "The render failed and is refunded; change the prompt or settings before trying again."
SAVE_FAILED = "The pictures are made but not all are saved: check the job again to fetch them ({})."


@dataclass(frozen=True, kw_only=True)
class ImageDelivery:
    download: bool = True
    output_dir: Path | None = None
    on_progress: ProgressFn | None = None


class ImageRunner:
    def __init__(
        self,
        *,
        client: ProviderClient,
        records: Records,
        locks: SubmitLocks,
        download_client: Callable[[], httpx2.AsyncClient],
        output_dir: Path,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        scale: float,
        delivery: ImageDelivery,
        interval: float | None = None,
        until: float | None = None,
    ) -> None:
        self.client = client
        self._records = records
        self._locks = locks
        self._downloads = DownloadLocks(locks.folder)
        self._download_client = download_client
        self._output_dir = delivery.output_dir or output_dir
        self._clock = clock
        self._sleep = sleep
        self._scale = scale
        self._delivery = delivery
        self._interval = interval
        self._until = until

    def _left(self) -> float:
        return math.inf if self._until is None else max(0.0, self._until - self._clock())

    async def _store(self, work: Callable[[ImageStore], T]) -> T:
        return await self._records.call(lambda ledger: work(ImageStore(ledger)))

    async def _update(self, job: ImageJob, **changes: Any) -> ImageJob:
        return await self._store(lambda store: store.update(job.job_id, **changes))

    async def _emit(self, job: ImageJob, phase: Phase, message: str) -> None:
        if self._delivery.on_progress is None:
            return
        elapsed = max(0.0, self._clock() - job.created_at.timestamp())
        await self._delivery.on_progress(
            Progress(
                job_id=job.job_id,
                provider=job.provider,
                phase=phase,
                elapsed=round(elapsed, 1),
                expected=None,
                message=message,
                sandbox=job.sandbox,
            )
        )

    # ---- submit -------------------------------------------------------------------------

    async def start(self, job: ImageJob, idempotency_key: str) -> ImageJob:
        """Record `job`, then submit it, marked under way until the answer is recorded."""
        with self._locks.hold(job.job_id):
            try:
                job = await self._store(lambda store: store.create(job, idempotency_key=idempotency_key))
            except LedgerBusy as err:
                raise LedgerBusy(f"{err.message} Nothing was sent to seedance2ai.") from err
            await self._emit(job, "submitting", "submitting to seedance2ai")
            return await self.submit(job, idempotency_key)

    async def submit(self, job: ImageJob, key: str | None = None) -> ImageJob:
        """Send the job's submit with its recorded key and record the outcome."""
        if key is None:
            key = await self._store(lambda store: store.idempotency_key(job.job_id))
        wire: WireRequest = build_image_submit(job.request, key)
        task_id: str | None = None
        try:
            with anyio.move_on_after(self._left()):
                task_id = await self.client.submit_request(wire)
        except SeedanceError as err:
            error = JobError(code=err.code, message=err.message, retryable=err.retryable)
            if self.client.submit_in_doubt:
                return await self._update(
                    job,
                    status=JobStatus.UNKNOWN,
                    error=error.model_copy(update={"retryable": True}),
                    notice=RESEND,
                )
            refused = isinstance(err, InvalidRequest) or (
                nothing_created(err) and isinstance(err, ProviderError) and err.status_code not in (429, 503)
            )
            if job.status is not JobStatus.UNKNOWN:  # an unknown job stays so: its first submit may stand
                await self._update(
                    job, status=JobStatus.FAILED, error=error, notice=REFUSED if refused else NOTHING_CREATED
                )
            raise
        if task_id is None:  # cut off by the call's end
            if self.client.submit_in_doubt or job.status is JobStatus.UNKNOWN:
                return await self._update(job, status=JobStatus.UNKNOWN, notice=RESEND)
            await self._update(job, status=JobStatus.FAILED, notice=NOTHING_CREATED)
            raise SeedanceError(
                "seedance2ai: no answer to the submit within the wait.", code="deadline_exceeded"
            )
        return await self._update(
            job, provider_task_id=task_id, status=JobStatus.QUEUED, error=None, notice=None
        )

    # ---- poll ---------------------------------------------------------------------------

    async def poll(self, job: ImageJob) -> ImageJob:
        """Ask the task endpoint once and record what changed."""
        assert job.provider_task_id is not None
        state: ImageTaskState | None = None
        with anyio.move_on_after(self._left()):
            state = await self.client.read(
                self.client.provider.build_status(job.provider_task_id), parse_image_status
            )
        if state is None:
            return job
        return await self.apply(job, state)

    async def apply(self, job: ImageJob, state: ImageTaskState) -> ImageJob:
        changes: dict[str, Any] = {}
        if state.status is not job.status:
            changes["status"] = state.status
        if state.image_urls and [i.url for i in job.images] != state.image_urls:
            # By position: a picture already saved stays saved, one not saved takes the new
            # (re-signed) URL.
            old = job.images
            changes["images"] = [
                old[n] if n < len(old) and old[n].path else ImageFile(url=url)
                for n, url in enumerate(state.image_urls)
            ]
        if state.credits is not None and state.credits != job.credits:
            changes["credits"] = state.credits
        if state.status.is_final:
            billed = state.credits if state.status is JobStatus.SUCCEEDED else 0
            if billed is not None:
                changes["cost"] = Money(amount=float(billed), unit="credits")
        if state.error is not None:
            changes["error"] = state.error
        if state.status is JobStatus.FAILED:
            changes["notice"] = FAILED
        return await self._update(job, **changes) if changes else job

    # ---- wait ---------------------------------------------------------------------------

    def _step(self) -> float:
        if self._interval is not None:
            return self._interval
        return image_model(None).caps.poll.interval * self._scale

    async def wait(self, job: ImageJob, deadline: float) -> ImageJob:
        """Poll until the job is final or `deadline` (never past the call's end), then download."""
        if self._until is not None:
            deadline = min(deadline, self._until)
        while not job.status.is_final and job.provider_task_id is not None:
            with contextlib.suppress(*_POLL_FAILURES):  # asked again on schedule; the job stays as recorded
                job = await self.poll(job)
            remaining = deadline - self._clock()
            if job.status.is_final or remaining <= 0:
                break
            await self._emit(job, "queued" if job.status is JobStatus.QUEUED else "rendering", "rendering")
            await self._sleep(min(self._step(), remaining))
        if job.status is JobStatus.SUCCEEDED and self._delivery.download:
            await self._emit(job, "downloading", "saving the pictures")
            job = await self.download(job)
        return job

    # ---- resume -------------------------------------------------------------------------

    async def resume(self, job: ImageJob, wait_seconds: float) -> ImageJob:
        """The next step of a recorded job: re-send a submit whose answer is missing, poll, wait, save."""
        if job.provider_task_id is None and not job.status.is_final:
            if self._locks.state(job.job_id) == "under_way":
                return job.model_copy(update={"notice": UNDER_WAY})
            if job.status is JobStatus.QUEUED:  # its process died before the answer was recorded
                job = await self._update(job, status=JobStatus.UNKNOWN, notice=INTERRUPTED)
            with self._locks.hold(job.job_id):
                # Another process may have recorded the answer since this job was read.
                job = await self._store(lambda store: store.get(job.job_id))
                if job.provider_task_id is None and not job.status.is_final:
                    job = await self.submit(job)  # the same key: the same task, charged once
            if job.provider_task_id is None:
                return job
        if job.status is JobStatus.SUCCEEDED:
            if job.error is not None and not job.saved and self._delivery.download:
                # A save that failed (an expired or refused URL): ask the task again for fresh URLs.
                with contextlib.suppress(*_POLL_FAILURES):
                    job = await self.poll(job)
            return await self.download(job) if self._delivery.download else job
        if job.status.is_final:
            return job
        return await self.wait(job, self._clock() + wait_seconds)

    # ---- download -----------------------------------------------------------------------

    async def download(self, job: ImageJob) -> ImageJob:
        """Save every picture not saved yet, one process per job at a time."""
        if job.saved:
            return job
        give_up = time.monotonic() + min(self._left(), DOWNLOAD_LOCK_WAIT_MAX)
        while True:
            with self._downloads.try_hold(job.job_id) as mine:
                if mine:
                    return await self._save_all(await self._store(lambda store: store.get(job.job_id)))
            recorded = await self._store(lambda store: store.get(job.job_id))
            if recorded.saved or time.monotonic() >= give_up:
                return recorded if recorded.saved else recorded.model_copy(update={"notice": DOWNLOADING})
            await anyio.sleep(DOWNLOAD_LOCK_POLL)

    async def _save_all(self, job: ImageJob) -> ImageJob:
        for number, image in enumerate(job.images, 1):
            if image.path:
                continue
            try:
                saved = await self._save(job, number, image)
            except DownloadError as err:
                error = JobError(code=err.code, message=err.message, retryable=err.retryable)
                return await self._update(job, error=error, notice=SAVE_FAILED.format(err.message))
            images = [saved if n == number else i for n, i in enumerate(job.images, 1)]
            # Recorded at once: a saved file's path is never lost, whatever happens next.
            job = await self._update(job, images=images)
        if job.error is not None or job.notice is not None:
            job = await self._update(job, error=None, notice=None)
        return job

    async def _save(self, job: ImageJob, number: int, image: ImageFile) -> ImageFile:
        found: tuple[Path, Any] | None = None
        with anyio.move_on_after(self._left()):
            async with self._download_client() as http:
                found = await download_image(
                    http,
                    image.url,
                    self._output_dir,
                    f"{job.job_id}-{number}",
                    job_id=job.job_id,
                    sleep=self._sleep,
                    allowed_hosts=loopback_hosts(self.client.base_url),
                )
        if found is None:
            raise DownloadError(
                "The download was cut off by the end of the wait; nothing partial was kept.",
                code="download_cut_off",
                retryable=True,
            )
        path, info = found
        return image.model_copy(
            update={
                "path": str(path.resolve()),
                "format": info.format,
                "width": info.width,
                "height": info.height,
                "bytes": path.stat().st_size,
            }
        )
