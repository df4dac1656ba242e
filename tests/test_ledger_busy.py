"""A ledger another process holds (issue 11, #3): the engine never blocks its event loop on it,
never waits past the call's bound, and never loses what it received.

"Another process" is a second SQLite connection in `BEGIN EXCLUSIVE`, taken by the fake
provider at the moment its answer goes out, so the answer arrives while the ledger is held.
Times are real (`time.monotonic`), measured against `call_bound`.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from fakes import LedgerHolder

from seedance_mcp.engine import Service
from seedance_mcp.engine.limits import call_bound
from seedance_mcp.engine.notices import LEDGER_BUSY
from seedance_mcp.ledger import Ledger
from seedance_mcp.models import JobStatus, VideoRequest
from seedance_mcp.settings import Settings

KEY = "sk-fake-LEDGER-BUSY-0001"
WINDOW = 1.0
BOUND = call_bound(0.0, window=WINDOW)
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 200
VIDEO_URL = "https://cdn.example.test/out/clip.mp4"
REQ = VideoRequest(prompt="a lighthouse in a storm, slow dolly in", resolution="720p", duration=4)
TICK = 0.02


class Nano:
    """NanoPhoto as documented; `hold_on` names the answer that goes out while the ledger is held."""

    def __init__(self) -> None:
        self.hold_on: str | None = None
        self.holder: LedgerHolder | None = None
        self.done = False
        self.downloads = 0

    def _maybe_hold(self, what: str) -> None:
        if self.hold_on == what and self.holder is not None:
            self.holder.hold()

    def provider(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/generate"):
            return httpx2.Response(200, json={"status": "processing", "taskId": "task_busy1"})
        self._maybe_hold("status")
        if self.done:
            return httpx2.Response(
                200, json={"status": "completed", "taskId": "task_busy1", "videoUrl": VIDEO_URL}
            )
        return httpx2.Response(200, json={"status": "processing", "taskId": "task_busy1"})

    def cdn(self, request: httpx2.Request) -> httpx2.Response:
        self.downloads += 1
        self._maybe_hold("video")
        return httpx2.Response(200, content=MP4, headers={"Content-Type": "video/mp4"})


def _settings(tmp_path: Path) -> Settings:
    return Settings.from_env(
        {
            "NANOPHOTO_API_KEY": KEY,
            "SEEDANCE_PROVIDER": "nanophoto",
            "SEEDANCE_HOME": str(tmp_path / "home"),
            "SEEDANCE_OUTPUT_DIR": str(tmp_path / "videos"),
            "SEEDANCE_POLL_INITIAL_DELAY": "0",
        }
    )


@pytest.fixture
def nano(tmp_path: Path) -> Any:
    script = Nano()
    svc = Service(
        _settings(tmp_path),
        transport=httpx2.MockTransport(script.provider),
        download_transport=httpx2.MockTransport(script.cdn),
        submit_window=WINDOW,
    )
    script.holder = LedgerHolder(svc.ledger.path)
    yield script, svc
    script.holder.close()
    svc.close()


async def _ticking(call: Any) -> tuple[Any, float, int]:
    """Run `call` beside a ticker on the same event loop: (result, seconds, ticks counted)."""
    ticks = 0
    result: list[Any] = []

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await anyio.sleep(TICK)
            ticks += 1

    start = time.monotonic()
    async with anyio.create_task_group() as tg:
        tg.start_soon(ticker)
        result.append(await call)
        tg.cancel_scope.cancel()
    return result[0], time.monotonic() - start, ticks


@pytest.mark.anyio
async def test_a_status_answer_while_the_ledger_is_held_returns_in_time_and_keeps_the_job(
    nano: tuple[Nano, Service],
) -> None:
    script, svc = nano
    submitted = await svc.generate(REQ, wait_seconds=0)
    assert submitted.provider_task_id == "task_busy1"
    script.done, script.hold_on = True, "status"
    job, elapsed, ticks = await _ticking(svc.status(submitted.job_id))
    assert elapsed < BOUND, f"status took {elapsed:.1f} s, past its bound of {BOUND} s"
    # The event loop kept running the whole time: a blocked loop counts (almost) no ticks.
    assert ticks >= 0.5 * elapsed / TICK, f"{ticks} ticks in {elapsed:.1f} s: the event loop was blocked"
    # The answer was not recorded: the job is as it was, and says why.
    assert job.status is JobStatus.QUEUED and job.provider_task_id == "task_busy1"
    assert job.notice == LEDGER_BUSY and job.video_path is None
    assert script.holder is not None
    script.holder.release()
    recorded = svc.get_job(submitted.job_id)
    assert recorded.status is JobStatus.QUEUED and recorded.provider_task_id == "task_busy1"
    assert recorded.notice is None and recorded.updated_at == submitted.updated_at
    # The next check asks again and finishes the job.
    script.hold_on = None
    done = await svc.status(submitted.job_id)
    assert done.status is JobStatus.SUCCEEDED and done.video_path is not None
    assert Path(done.video_path).read_bytes() == MP4


@pytest.mark.anyio
async def test_a_video_saved_while_the_ledger_is_held_is_never_lost(
    nano: tuple[Nano, Service], tmp_path: Path
) -> None:
    script, svc = nano
    submitted = await svc.generate(REQ, wait_seconds=0)
    script.done, script.hold_on = True, "video"
    job, elapsed, ticks = await _ticking(svc.status(submitted.job_id))
    assert elapsed < BOUND, f"status took {elapsed:.1f} s, past its bound of {BOUND} s"
    assert ticks >= 0.5 * elapsed / TICK, f"{ticks} ticks in {elapsed:.1f} s: the event loop was blocked"
    saved = str((tmp_path / "videos" / f"{submitted.job_id}.mp4").resolve())
    assert job.status is JobStatus.SUCCEEDED and job.video_path == saved
    assert job.notice is not None and saved in job.notice and "pending" in job.notice
    [pending] = list((tmp_path / "home" / "pending").glob("*.json"))
    # Still held: the next look already finds the video, and nothing is fetched twice.
    assert svc.get_job(submitted.job_id).video_path == saved
    script.hold_on = None
    again = await svc.status(submitted.job_id)
    assert again.video_path == saved and script.downloads == 1
    # Once the other process lets go, the next look records the path in the ledger itself.
    assert script.holder is not None
    script.holder.release()
    assert svc.get_job(submitted.job_id).video_path == saved
    assert not pending.exists()
    assert svc.ledger.get(submitted.job_id).video_path == saved
    assert Path(saved).read_bytes() == MP4


def test_two_threads_on_a_fresh_service_build_one_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[Ledger] = []
    real_open = Ledger.open

    def slow_open(home: Path | None) -> Ledger:
        time.sleep(0.2)  # wide enough for the second thread to arrive while the first builds
        ledger = real_open(home)
        built.append(ledger)
        return ledger

    monkeypatch.setattr(Ledger, "open", staticmethod(slow_open))
    svc = Service(_settings(tmp_path))
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def list_jobs() -> None:
        start.wait()
        try:
            assert svc.jobs() == []
        except BaseException as err:  # surfaced below
            errors.append(err)

    threads = [threading.Thread(target=list_jobs) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    svc.close()
    assert not errors, errors
    assert len(built) == 1


def test_the_ledger_is_safe_from_many_threads_at_once(tmp_path: Path) -> None:
    ledger = Ledger.open(tmp_path)
    failures: list[BaseException] = []

    def reserve() -> None:
        try:
            for _ in range(20):
                ledger.reserve_request("b", limit=10_000, window=60.0, now=time.time())
                ledger.recent(5)
        except BaseException as err:  # surfaced below
            failures.append(err)

    threads = [threading.Thread(target=reserve) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    count = ledger.requests_in_window("b", window=60.0, now=time.time() + 1)
    ledger.close()
    assert not failures, failures
    assert count == 80
