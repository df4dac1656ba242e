"""Hard limits against a hostile provider on loopback (issue 11): every call ends in time.

`tests/hostile.py` trickles an answer one byte at a time, accepts a request and never answers,
or answers garbage. HTTP read timeouts are per read, so none of these trips them; the call's
one end (`engine/limits.py`) must. Each test measures the call with `time.monotonic` against
`call_bound` (the end plus `DEADLINE_MARGIN`), then checks that the job is kept and resumable.
The submit window is shortened to 1 s (`submit_window`) so the cut comes after about a second.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fakes import LedgerHolder
from hostile import Behaviour, Hostile, Request, answer, silent, trickle

from seedance_mcp.engine import Service
from seedance_mcp.engine.limits import call_bound
from seedance_mcp.engine.notices import STATUS_CHECK_CUT_OFF
from seedance_mcp.errors import LedgerBusy
from seedance_mcp.models import Job, JobStatus, VideoRequest
from seedance_mcp.retry import RetryPolicy
from seedance_mcp.settings import Settings

KEY = "sk-fake-LIMITS-TEST-0001"
WINDOW = 1.0
BOUND = call_bound(0.0, window=WINDOW)
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 200
REQ = VideoRequest(prompt="a lighthouse in a storm, slow dolly in", resolution="720p", duration=4)
SLOW = 0.2
"""Seconds between trickled bytes: any answer here takes well past BOUND to arrive whole."""


class Nano:
    """NanoPhoto as documented, each endpoint answering as `modes` says at the time."""

    def __init__(self) -> None:
        self.modes: dict[str, str] = {"submit": "ok", "status": "ok", "video": "ok"}
        self.base_url = ""

    def __call__(self, request: Request) -> Behaviour:
        if request.path.endswith("/generate"):
            return self._shape(self.modes["submit"], {"status": "processing", "taskId": "task_h1"})
        if request.path.endswith("/check-status"):
            done = {"status": "completed", "taskId": "task_h1", "videoUrl": f"{self.base_url}/v/clip.mp4"}
            return self._shape(self.modes["status"], done)
        return self._shape(self.modes["video"], MP4)

    @staticmethod
    def _shape(mode: str, body: Any) -> Behaviour:
        if mode == "trickle":
            return trickle(200, body, every=SLOW)
        if mode == "silent":
            return silent()
        return answer(200, body)


def service(tmp_path: Path, server: Hostile) -> Service:
    settings = Settings.from_env(
        {
            "NANOPHOTO_API_KEY": KEY,
            "SEEDANCE_PROVIDER": "nanophoto",
            "SEEDANCE_BASE_URL": server.base_url,
            "SEEDANCE_HOME": str(tmp_path / "home"),
            "SEEDANCE_OUTPUT_DIR": str(tmp_path / "videos"),
            "SEEDANCE_POLL_INITIAL_DELAY": "0",
            "SEEDANCE_POLL_INTERVAL": "0.1",
        }
    )
    return Service(settings, retry=RetryPolicy(attempts=2, base_delay=0.05, jitter=0.0), submit_window=WINDOW)


async def timed(call: Any) -> tuple[Job, float]:
    start = time.monotonic()
    job = await call
    return job, time.monotonic() - start


@pytest.fixture
def nano() -> Any:
    script = Nano()
    with Hostile(script, lifetime=40.0) as server:
        script.base_url = server.base_url
        yield script, server


@pytest.mark.anyio
async def test_a_trickled_submit_answer_ends_the_call_in_time_and_leaves_the_job_unknown(
    tmp_path: Path, nano: tuple[Nano, Hostile]
) -> None:
    script, server = nano
    script.modes["submit"] = "trickle"
    svc = service(tmp_path, server)
    job, elapsed = await timed(svc.generate(REQ, wait_seconds=0))
    assert elapsed < BOUND, f"generate took {elapsed:.1f} s, past its bound of {BOUND} s"
    # The request left: maybe a paid task, never lost and never re-sent on NanoPhoto.
    assert job.status is JobStatus.UNKNOWN and job.error is not None
    assert job.error.code == "deadline_exceeded"
    assert job.notice is not None and "NOT resent" in job.notice and "within the wait" in job.notice
    again = await svc.status(job.job_id)
    svc.close()
    assert again.status is JobStatus.UNKNOWN
    assert server.paths().count("/api/seedance-1-5-pro/generate") == 1


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["trickle", "silent"])
async def test_a_status_check_that_never_completes_ends_in_time_and_keeps_the_job(
    tmp_path: Path, nano: tuple[Nano, Hostile], mode: str
) -> None:
    script, server = nano
    svc = service(tmp_path, server)
    submitted = await svc.generate(REQ, wait_seconds=0)
    assert submitted.status is JobStatus.QUEUED and submitted.provider_task_id == "task_h1"
    script.modes["status"] = mode
    job, elapsed = await timed(svc.status(submitted.job_id, wait_seconds=0.5))
    assert elapsed < call_bound(0.5, window=WINDOW), f"status took {elapsed:.1f} s"
    assert job.status is JobStatus.QUEUED and job.provider_task_id == "task_h1"
    assert job.notice == STATUS_CHECK_CUT_OFF
    # Resumable: once the provider answers again, the same job finishes.
    script.modes["status"] = "ok"
    done = await svc.status(submitted.job_id)
    svc.close()
    assert done.status is JobStatus.SUCCEEDED and done.video_path is not None
    assert Path(done.video_path).read_bytes() == MP4


@pytest.mark.anyio
async def test_a_trickled_video_ends_the_call_in_time_with_the_download_to_retry(
    tmp_path: Path, nano: tuple[Nano, Hostile]
) -> None:
    script, server = nano
    svc = service(tmp_path, server)
    submitted = await svc.generate(REQ, wait_seconds=0)
    script.modes["video"] = "trickle"
    job, elapsed = await timed(svc.status(submitted.job_id))
    assert elapsed < BOUND, f"status took {elapsed:.1f} s"
    assert job.status is JobStatus.SUCCEEDED and job.video_path is None
    assert job.error is not None and job.error.code == "download_cut_off" and job.error.retryable
    assert not list((tmp_path / "videos").glob("*.part"))  # nothing partial is left behind
    script.modes["video"] = "ok"
    done = await svc.status(submitted.job_id)
    svc.close()
    assert done.video_path is not None and Path(done.video_path).read_bytes() == MP4
    assert done.error is None


# ---- a locked ledger never loses a task id (issue 11, #3) ----------------------------------


def locking_nano(tmp_path: Path, *, release_after: float | None) -> tuple[Service, LedgerHolder]:
    """NanoPhoto on a mock transport whose submit answer arrives while the ledger is held."""
    holder: list[LedgerHolder] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/generate"):
            holder[0].hold()
            if release_after is not None:
                threading.Timer(release_after, holder[0].release).start()
            return httpx2.Response(200, json={"status": "processing", "taskId": "task_locked7"})
        return httpx2.Response(200, json={"status": "processing", "taskId": "task_locked7"})

    settings = Settings.from_env(
        {
            "NANOPHOTO_API_KEY": KEY,
            "SEEDANCE_PROVIDER": "nanophoto",
            "SEEDANCE_HOME": str(tmp_path / "home"),
            "SEEDANCE_OUTPUT_DIR": str(tmp_path / "videos"),
        }
    )
    svc = Service(settings, transport=httpx2.MockTransport(handler), submit_window=WINDOW)
    holder.append(LedgerHolder(svc.ledger.path))
    return svc, holder[0]


@pytest.mark.anyio
async def test_a_ledger_locked_past_the_call_keeps_the_task_id_and_says_it(tmp_path: Path) -> None:
    svc, holder = locking_nano(tmp_path, release_after=None)
    start = time.monotonic()
    try:
        with pytest.raises(LedgerBusy) as caught:
            await svc.generate(REQ, wait_seconds=0)
        elapsed = time.monotonic() - start
    finally:
        holder.release()
    assert elapsed < BOUND, f"generate took {elapsed:.1f} s"
    message = caught.value.message
    [pending] = list((tmp_path / "home" / "pending").glob("*.json"))
    job_id = pending.stem
    assert "task_locked7" in message and job_id in message and str(pending) in message
    # Once the other process lets go, the next look at the job records the task id.
    job = await svc.status(job_id)
    holder.close()
    svc.close()
    assert job.provider_task_id == "task_locked7" and job.status is JobStatus.QUEUED
    assert not list((tmp_path / "home" / "pending").iterdir())


@pytest.mark.anyio
async def test_a_ledger_locked_for_a_moment_records_the_task_id_once_free(tmp_path: Path) -> None:
    svc, holder = locking_nano(tmp_path, release_after=0.5)
    job = await svc.generate(REQ, wait_seconds=0)
    holder.close()
    svc.close()
    assert job.provider_task_id == "task_locked7" and job.status is JobStatus.QUEUED
