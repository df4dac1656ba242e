"""Fetching a finished job's video: one process at a time per job, a fresh signed URL when the
recorded one failed, and the saved path never lost.

`VideoFetcher.download` is the runner's download step. One download per job at a time
(`inflight.DownloadLocks`): a process that finds another one downloading waits for it (until
the call's end) and hands back the job as the other recorded it. A signed video URL may have
expired: after a failed download (this attempt's 403/404/410, or any failure of an earlier
attempt) the task is asked once for a fresh URL before the download is tried. A sandbox job's
URL points at the simulator that answered last, so one from another (now gone) process is
refreshed too.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

import anyio
import httpx2

from ..client import ProviderClient
from ..download import download_video, loopback_hosts
from ..errors import DownloadError, LedgerBusy, SeedanceError
from ..inflight import DownloadLocks
from ..models import Job, JobError, JobStatus, TaskState
from ..providers import get_model
from . import notices
from .records import Records

__all__ = ["DOWNLOAD_LOCK_POLL", "DOWNLOAD_LOCK_WAIT_MAX", "VideoFetcher"]

DOWNLOAD_LOCK_POLL = 0.1
"""How often a process waiting for another's download of the same job looks again (seconds)."""
DOWNLOAD_LOCK_WAIT_MAX = 600.0
"""The longest it waits, even under a longer call (then the job says another process downloads)."""


class VideoFetcher:
    def __init__(
        self,
        *,
        client: ProviderClient,
        records: Records,
        locks: DownloadLocks,
        download_client: Callable[[], httpx2.AsyncClient],
        output_dir: Path,
        sleep: Callable[[float], Awaitable[None]],
        left: Callable[[], float],
    ) -> None:
        self.client = client
        self._records = records
        self._locks = locks
        self._download_client = download_client
        self._output_dir = output_dir
        self._sleep = sleep
        self._left = left
        """Seconds until the call's end: the bound of each exchange."""

    async def download(self, job: Job) -> Job:
        """Save the finished video; a failure is recorded on the job, which stays succeeded."""
        if not job.video_url or job.video_path:
            return job
        waited_until = time.monotonic() + min(self._left(), DOWNLOAD_LOCK_WAIT_MAX)
        while True:
            with self._locks.try_hold(job.job_id) as mine:
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
        return await self._deleted(job)

    async def _deleted(self, job: Job) -> Job:
        """A job whose video the provider has deleted (Replicate keeps files one hour) is over:
        `expired`, saying plainly that the file was not saved in time; it was still charged."""
        ttl = get_model(self.client.provider, job.request.model).caps.output_ttl
        if ttl is None or job.video_path or not job.error or job.error.code != "video_url_expired":
            return job
        error = JobError(
            code="output_deleted",
            message=f"{job.provider} deletes a finished video's file {_span(ttl)} after it is made, and this "
            "one was not saved in time: it cannot be downloaded any more.",
        )
        note = (
            f"The render finished and was charged, but {job.provider} deleted the file before it was "
            "saved. Render it again to have the video."
        )
        return await self._records.update_or_keep(job, status=JobStatus.EXPIRED, error=error, notice=note)

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
                state = await self.client.status(job.provider_task_id, job.provider_refs)
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


def _span(seconds: float) -> str:
    return f"{seconds / 3600:g} hour{'s' if seconds != 3600 else ''}" if seconds >= 3600 else f"{seconds:g} s"


def _origin(url: str) -> str:
    """scheme://host:port of a URL (a sandbox URL's simulator)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
