"""The render flow on an injected clock: schedule, bounded waits, unknown submits, budget guard.

A scripted provider (mock transport) finishes a render when the fake clock says so; sleeping
advances the clock, so a 2-minute render takes no real time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from fakes import FakeClock

from seedance_mcp.cli.render import next_step_text
from seedance_mcp.engine import Clip, Progress, Service, notices
from seedance_mcp.engine.notices import next_step
from seedance_mcp.errors import BudgetExceeded, InvalidRequest, ProviderRejected, SeedanceError
from seedance_mcp.models import Job, JobError, JobStatus, NextAction, NextStep, VideoRequest
from seedance_mcp.providers import PROVIDERS, get_provider
from seedance_mcp.retry import RetryPolicy
from seedance_mcp.settings import Settings

KEY = "sk-fake-SERVICE-TEST-0001"
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 200
VIDEO_URL = "https://cdn.example.test/out/clip.mp4"


START = 1_800_000_000.0


class NanoScript:
    """NanoPhoto as documented; the render takes `render` seconds of fake time."""

    def __init__(self, time: FakeClock, render: float, submit_fault: str | None = None) -> None:
        self.time = time
        self.render = render
        self.submit_fault = submit_fault
        self.started: float | None = None
        self.submits = 0
        self.status_calls = 0

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        assert request.headers["Authorization"] == f"Bearer {KEY}"
        if request.url.path.endswith("/generate"):
            self.submits += 1
            self.started = self.time.now
            if self.submit_fault == "reset":
                raise httpx2.RemoteProtocolError("peer closed", request=request)
            if self.submit_fault == "400":
                return httpx2.Response(400, json={"error": "Missing prompt", "errorCode": "PROMPT_REQUIRED"})
            return httpx2.Response(
                200, json={"status": "processing", "taskId": "task_abc123", "creditsUsed": 16}
            )
        assert request.url.path.endswith("/check-status")
        assert json.loads(request.content) == {"taskId": "task_abc123"}
        self.status_calls += 1
        assert self.started is not None
        if self.time.now - self.started >= self.render:
            return httpx2.Response(
                200,
                json={
                    "status": "completed",
                    "taskId": "task_abc123",
                    "videoUrl": VIDEO_URL,
                    "generationTime": 60,
                },
            )
        return httpx2.Response(200, json={"status": "processing", "taskId": "task_abc123"})


def cdn(request: httpx2.Request) -> httpx2.Response:
    assert "Authorization" not in request.headers  # the key never goes to the CDN
    return httpx2.Response(200, content=MP4, headers={"Content-Type": "video/mp4"})


def make_service(
    tmp_path: Path, time: FakeClock, script: Any, retry: RetryPolicy | None = None, **env: str
) -> Service:
    settings = Settings.from_env(
        {
            "NANOPHOTO_API_KEY": KEY,
            "SEEDANCE_HOME": str(tmp_path / "home"),
            "SEEDANCE_OUTPUT_DIR": str(tmp_path / "videos"),
            **env,
        }
    )
    return Service(
        settings,
        transport=httpx2.MockTransport(script),
        download_transport=httpx2.MockTransport(cdn),
        clock=time,
        sleep=time.sleep,
        retry=retry or RetryPolicy(attempts=3, base_delay=1.0, jitter=0.0),
    )


REQ = VideoRequest(prompt="a lighthouse in a storm, slow dolly in", resolution="720p", duration=4, audio=True)


@pytest.mark.anyio
async def test_a_60s_nanophoto_render_costs_one_status_request(tmp_path: Path) -> None:
    time = FakeClock(start=START)
    script = NanoScript(time, render=60.0)
    svc = make_service(tmp_path, time, script)
    events: list[Progress] = []

    async def record(p: Progress) -> None:
        events.append(p)

    job = await svc.generate(REQ, wait_seconds=None, on_progress=record)
    svc.close()
    assert job.status is JobStatus.SUCCEEDED
    assert script.submits == 1
    assert script.status_calls == 1  # a plain 5 s loop would have made 12
    assert job.video_path is not None and Path(job.video_path).read_bytes() == MP4
    assert job.provider_task_id == "task_abc123"
    # progress at least every 10 s of the wait, ending in "done"
    waits = [e.elapsed for e in events if e.phase in ("queued", "rendering")]
    assert waits and max(b - a for a, b in zip([0.0, *waits], waits, strict=False)) <= 10.0
    assert events[-1].phase == "done"


@pytest.mark.anyio
async def test_a_bounded_wait_returns_the_running_job_and_status_finishes_it(tmp_path: Path) -> None:
    time = FakeClock(start=START)
    script = NanoScript(time, render=150.0)
    svc = make_service(tmp_path, time, script)
    job = await svc.generate(REQ, wait_seconds=45)
    assert job.status is JobStatus.QUEUED
    assert script.status_calls == 0  # nothing can be done before the documented 1 minute
    assert f"seedance status {job.job_id} --wait" in (next_step_text(job) or "")
    assert time.now - 1_800_000_000.0 == pytest.approx(45.0)
    # a second process (new Service over the same ledger) resumes it by id
    svc.close()
    svc2 = make_service(tmp_path, time, script)
    listed = svc2.jobs()
    assert [j.job_id for j in listed] == [job.job_id] and listed[0].provider_task_id == "task_abc123"
    done = await svc2.status(job.job_id, wait_seconds=600)
    svc2.close()
    assert done.status is JobStatus.SUCCEEDED and done.video_path
    assert script.submits == 1


@pytest.mark.anyio
async def test_a_lost_submit_answer_becomes_unknown_and_is_never_resent(tmp_path: Path) -> None:
    time = FakeClock(start=START)
    script = NanoScript(time, render=60.0, submit_fault="reset")
    svc = make_service(tmp_path, time, script)
    job = await svc.generate(REQ, wait_seconds=None)
    assert job.status is JobStatus.UNKNOWN
    assert script.submits == 1
    assert job.notice is not None and "NOT resent" in job.notice and "up to 8 credits" in job.notice
    again = await svc.status(job.job_id)
    svc.close()
    assert again.status is JobStatus.UNKNOWN and script.submits == 1


@pytest.mark.anyio
async def test_a_refused_submit_is_recorded_failed_and_raised(tmp_path: Path) -> None:
    time = FakeClock(start=START)
    script = NanoScript(time, render=60.0, submit_fault="400")
    svc = make_service(tmp_path, time, script)
    with pytest.raises(ProviderRejected):
        await svc.generate(REQ)
    [job] = svc.jobs()
    svc.close()
    assert job.status is JobStatus.FAILED and job.error is not None and job.error.code == "provider_rejected"


@pytest.mark.anyio
async def test_budget_guard_refuses_before_anything_is_recorded_or_sent(tmp_path: Path) -> None:
    time = FakeClock(start=START)
    script = NanoScript(time, render=60.0)
    svc = make_service(tmp_path, time, script, SEEDANCE_MAX_CREDITS="10")
    with pytest.raises(BudgetExceeded) as info:
        await svc.generate(REQ.model_copy(update={"duration": 8}))  # 720p 8 s audio: 16 credits
    assert "16 credits" in info.value.message and "SEEDANCE_MAX_CREDITS=10" in info.value.message
    assert script.submits == 0 and svc.jobs() == []
    job = await svc.generate(
        REQ.model_copy(update={"duration": 4, "audio": False}), wait_seconds=0
    )  # 4 credits
    assert job.status is JobStatus.QUEUED and script.submits == 1
    svc.close()


@pytest.mark.anyio
async def test_unpriced_provider_needs_confirmation_under_a_cap(tmp_path: Path) -> None:
    time = FakeClock(start=START)
    svc = make_service(tmp_path, time, NanoScript(time, 60.0), SEEDANCE_MAX_CREDITS="100", APIXO_API_KEY=KEY)
    with pytest.raises(BudgetExceeded) as info:
        await svc.generate(REQ, provider="apixo")
    svc.close()
    assert "publishes no price" in info.value.message and "confirm" in info.value.message


@pytest.mark.anyio
async def test_bad_input_is_refused_before_any_credit_is_spent(tmp_path: Path) -> None:
    time = FakeClock(start=START)
    script = NanoScript(time, render=60.0)
    svc = make_service(tmp_path, time, script)
    with pytest.raises(InvalidRequest) as info:
        await svc.generate(REQ.model_copy(update={"duration": 99}))
    svc.close()
    assert info.value.field == "duration" and info.value.allowed == [4, 8, 12]
    assert script.submits == 0


def test_dry_run_shows_the_documented_request_with_the_key_redacted(tmp_path: Path) -> None:
    time = FakeClock(start=START)
    svc = make_service(tmp_path, time, NanoScript(time, 60.0))
    dry = svc.dry_run(
        VideoRequest(prompt="A golden retriever running on a beach at sunset", duration=8, audio=True)
    )
    svc.close()
    assert dry.url == "https://nanophoto.ai/api/seedance-1-5-pro/generate"
    assert dry.json_body == {
        "prompt": "A golden retriever running on a beach at sunset",
        "mode": "textToVideo",
        "aspectRatio": "landscape",
        "resolution": "720p",
        "duration": "8",
        "generateAudio": True,
        "fixedLens": False,
    }
    assert dry.headers["Authorization"] == "Bearer <redacted: NANOPHOTO_API_KEY>"
    assert dry.estimate.credits == 16
    assert KEY not in dry.model_dump_json()


def test_estimate_compares_all_providers_and_marks_what_is_not_offered(tmp_path: Path) -> None:
    svc = Service(Settings.from_env({"SEEDANCE_HOME": str(tmp_path)}))
    found = svc.estimate(None, clip=Clip(resolution="720p", duration=8, audio=True))
    assert len(found) == sum(len(p.models) for p in PROVIDERS.values())  # every (provider, model)
    rows = {e.provider: e for e in found if e.model == get_provider(e.provider).default_model.name}
    assert rows["byteplus"].unit == "USD" and rows["byteplus"].amount == round(172_800 * 2.4 / 1e6, 4)
    assert rows["volcengine"].amount is None and rows["volcengine"].source == "not published"
    assert rows["nanophoto"].credits == 16
    assert rows["seedanceapi"].credits == 56
    assert rows["seedance15pro"].credits is None and rows["seedance15pro"].source == "not offered"
    assert rows["apixo"].credits is None and rows["apixo"].source == "not published"
    assert len(rows) == len(PROVIDERS)


def test_bad_input_is_named_before_a_missing_key(tmp_path: Path) -> None:
    svc = Service(Settings.from_env({"SEEDANCE_HOME": str(tmp_path)}))
    with pytest.raises(InvalidRequest) as info:
        svc.prepare(VideoRequest(prompt="a kite", duration=99), "nanophoto")
    assert info.value.field == "duration"
    from seedance_mcp.errors import ConfigError

    with pytest.raises(ConfigError) as missing:
        svc.prepare(VideoRequest(prompt="a kite", duration=8), "nanophoto")
    assert "NANOPHOTO_API_KEY" in missing.value.message


@pytest.mark.anyio
async def test_a_failed_status_check_notice_is_cleared_once_the_provider_answers(tmp_path: Path) -> None:
    time = FakeClock(start=START)
    script = NanoScript(time, render=60.0)
    answers = iter([httpx2.Response(500, json={"errorCode": "INTERNAL_ERROR"})])

    def flaky(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/check-status"):
            failure = next(answers, None)
            if failure is not None:
                return failure
        return script(request)

    svc = make_service(tmp_path, time, flaky, retry=RetryPolicy(attempts=1))
    job = await svc.generate(REQ, wait_seconds=0)
    time.now += 61
    from seedance_mcp.errors import ProviderFailure

    with pytest.raises(ProviderFailure):
        await svc.status(job.job_id)
    assert (svc.get_job(job.job_id).notice or "").startswith("Last status check failed")
    done = await svc.status(job.job_id)
    svc.close()
    assert done.status is JobStatus.SUCCEEDED and done.video_path
    assert "Last status check failed" not in (done.notice or "")
    assert svc.get_job(job.job_id).notice is None


def test_not_offered_estimates_name_the_allowed_values(tmp_path: Path) -> None:
    svc = Service(Settings.from_env({"SEEDANCE_HOME": str(tmp_path)}))
    rows = {(e.provider, e.model): e for e in svc.estimate(None, clip=Clip(duration=8))}
    assert rows[("seedance15pro", "seedance-1.5-pro")].note == (
        "seedance15pro does not offer duration 8; allowed: 5, 10."
    )
    assert rows[("byteplus", "seedance-1.0-pro")].amount is not None  # 2-12 s
    rows = {(e.provider, e.model): e for e in svc.estimate(None, clip=Clip(duration=3))}
    assert rows[("byteplus", "seedance-2.0")].note == (
        "byteplus seedance-2.0 does not offer duration 3; allowed: 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15."
    )


def _job_in(status: JobStatus, provider: str = "nanophoto", **fields: Any) -> Job:
    return Job(job_id="job_x", provider=provider, status=status, request=REQ, **fields)


@pytest.mark.parametrize(
    ("job", "action"),
    [
        (_job_in(JobStatus.SUCCEEDED, video_path="/v/job_x.mp4"), NextAction.DONE),
        (
            _job_in(JobStatus.SUCCEEDED, error=JobError(code="download_failed", message="m")),
            NextAction.RETRY_DOWNLOAD,
        ),
        (_job_in(JobStatus.SUCCEEDED, video_url="https://cdn.example.test/v.mp4"), NextAction.SAVE_VIDEO),
        (_job_in(JobStatus.QUEUED), NextAction.CHECK_AGAIN),
        (_job_in(JobStatus.RUNNING), NextAction.CHECK_AGAIN),
        (_job_in(JobStatus.UNKNOWN, provider="seedance2ai"), NextAction.RESEND),  # honours idempotency keys
        (_job_in(JobStatus.UNKNOWN, provider="nanophoto"), NextAction.VERIFY_WITH_PROVIDER),
        (_job_in(JobStatus.FAILED), NextAction.REVISE),
        (_job_in(JobStatus.CANCELLED), NextAction.OVER),
        (_job_in(JobStatus.EXPIRED), NextAction.OVER),
    ],
)
def test_the_next_step_is_a_fact_of_the_recorded_job(job: Job, action: NextAction) -> None:
    assert next_step(job) == NextStep(action=action, job_id="job_x")


# ---- a submit that may have created a task is never "no task was created" (issue 11, #2) ----


def _submit_answers(*answers: httpx2.Response) -> tuple[list[httpx2.Request], Any]:
    """A provider whose submits get `answers` in turn (the last one repeats)."""
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return answers[min(len(seen), len(answers)) - 1]

    return seen, handler


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (httpx2.Response(200, text="<html><body>Welcome</body></html>"), "could not be read"),
        (httpx2.Response(200, json={"ok": True}), "could not be read"),
        (httpx2.Response(302, headers={"Location": "https://elsewhere.example/"}), "could not be read"),
        (httpx2.Response(409, json={"error": "Conflict"}), "still being processed"),
        # An undocumented 4xx (a 422, by contrast, refuses the input like a 400: see CLEAR_REFUSALS).
        (httpx2.Response(418, json={"error": "I'm a teapot"}), "was lost"),
    ],
    ids=["html-200", "wrong-shape-200", "302", "409", "418"],
)
async def test_an_unclear_submit_answer_is_unknown_with_its_cost_never_failed(
    tmp_path: Path, answer: httpx2.Response, said: str
) -> None:
    seen, handler = _submit_answers(answer)
    time = FakeClock(start=START)
    svc = make_service(tmp_path, time, handler)
    job = await svc.generate(REQ, wait_seconds=0)
    again = await svc.status(job.job_id)
    svc.close()
    assert job.status is JobStatus.UNKNOWN, job.notice
    assert job.notice is not None and said in job.notice
    assert "up to 8 credits" in job.notice and "NOT resent" in job.notice and "dashboard" in job.notice
    assert "no task was created" not in job.notice
    assert again.status is JobStatus.UNKNOWN and len(seen) == 1  # NanoPhoto: never re-sent


@pytest.mark.anyio
@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 429, 503])
async def test_only_a_clear_refusal_says_no_task_was_created(tmp_path: Path, status: int) -> None:
    _, handler = _submit_answers(httpx2.Response(status, json={"error": "no"}))
    time = FakeClock(start=START)
    svc = make_service(tmp_path, time, handler)
    with pytest.raises(SeedanceError):
        await svc.generate(REQ, wait_seconds=0)
    [job] = svc.jobs()
    svc.close()
    assert job.status is JobStatus.FAILED
    assert job.notice in (notices.REFUSED, notices.NOTHING_CREATED)


def _seedance2ai(tmp_path: Path, time: FakeClock, handler: Any) -> Service:
    settings = Settings.from_env(
        {
            "SEEDANCE2AI_API_KEY": KEY,
            "SEEDANCE_PROVIDER": "seedance2ai",
            "SEEDANCE_HOME": str(tmp_path / "home"),
            "SEEDANCE_OUTPUT_DIR": str(tmp_path / "videos"),
        }
    )
    return Service(
        settings,
        transport=httpx2.MockTransport(handler),
        clock=time,
        sleep=time.sleep,
        retry=RetryPolicy(attempts=2, base_delay=1.0, jitter=0.0),
    )


@pytest.mark.anyio
async def test_seedance2ai_still_processing_on_the_safe_resend_is_unknown_and_looked_up_later(
    tmp_path: Path,
) -> None:
    """The first answer is lost; the resend with the same key hears 409 "still being processed"
    (the task exists and will be charged); a later `status` re-sends once more and gets it."""
    seen: list[httpx2.Request] = []
    conflict = {"error": {"code": "idempotency_conflict", "message": "still being processed"}}

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        if len(seen) == 1:
            raise httpx2.ReadTimeout("lost", request=request)
        if len(seen) == 2:
            return httpx2.Response(409, json=conflict)
        return httpx2.Response(200, json={"id": "sd2_task9", "status": "queued"})

    time = FakeClock(start=START)
    svc = _seedance2ai(tmp_path, time, handler)
    job = await svc.generate(REQ, wait_seconds=0)
    assert job.status is JobStatus.UNKNOWN and job.error is not None
    assert job.error.code == "idempotency_conflict" and job.error.retryable
    assert job.notice is not None and "still being processed" in job.notice
    assert "re-sends it safely with the same key" in job.notice
    assert next_step(job).action is NextAction.RESEND
    later = await svc.status(job.job_id)
    svc.close()
    assert later.status is JobStatus.QUEUED and later.provider_task_id == "sd2_task9"
    keys = {r.headers["Idempotency-Key"] for r in seen}
    assert len(seen) == 3 and len(keys) == 1  # one key: one task, charged once


@pytest.mark.anyio
@pytest.mark.parametrize(
    "resend",
    [
        lambda request: httpx2.Response(400, json={"error": {"code": "invalid_request", "message": "no"}}),
        lambda request: (_ for _ in ()).throw(httpx2.ConnectError("refused", request=request)),
    ],
    ids=["a 400", "a refused connection"],
)
async def test_a_resend_that_does_not_go_through_leaves_an_unknown_job_unknown(
    tmp_path: Path, resend: Any
) -> None:
    """The first submit's answer was lost, so a task may exist and be charged. A later safe
    re-send that fails settles nothing: the job must stay `unknown`, never "nothing created"."""
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        if len(seen) <= 2:  # the first submit and its retry: both answers lost
            raise httpx2.ReadTimeout("lost", request=request)
        result: httpx2.Response = resend(request)
        return result

    time = FakeClock(start=START)
    svc = _seedance2ai(tmp_path, time, handler)
    job = await svc.generate(REQ, wait_seconds=0)
    assert job.status is JobStatus.UNKNOWN
    later = await svc.status(job.job_id)
    stored = svc.get_job(job.job_id)
    svc.close()
    assert later.status is JobStatus.UNKNOWN and stored.status is JobStatus.UNKNOWN
    assert "no task was created" not in (stored.notice or "").lower()
    assert "did not go through" in (stored.notice or "")


# ---- downloads: a fresh URL after a failure, one download per job (issue 11, #5 and #11) ----

OLD_URL = "https://cdn.example.test/out/old.mp4?sig=expired"
NEW_URL = "https://cdn.example.test/out/new.mp4?sig=fresh"


class Renewing:
    """NanoPhoto whose finished task gives a fresh signed URL on every status answer after the first."""

    def __init__(self) -> None:
        self.status_calls = 0

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/generate"):
            return httpx2.Response(200, json={"status": "processing", "taskId": "task_renew"})
        self.status_calls += 1
        url = OLD_URL if self.status_calls == 1 else NEW_URL
        return httpx2.Response(200, json={"status": "completed", "taskId": "task_renew", "videoUrl": url})


def renewing_service(tmp_path: Path, time: FakeClock, provider: Any, cdn_handler: Any) -> Service:
    settings = Settings.from_env(
        {
            "NANOPHOTO_API_KEY": KEY,
            "SEEDANCE_HOME": str(tmp_path / "home"),
            "SEEDANCE_OUTPUT_DIR": str(tmp_path / "videos"),
            "SEEDANCE_POLL_INITIAL_DELAY": "0",
        }
    )
    return Service(
        settings,
        transport=httpx2.MockTransport(provider),
        download_transport=httpx2.MockTransport(cdn_handler),
        clock=time,
        sleep=time.sleep,
        retry=RetryPolicy(attempts=2, base_delay=1.0, jitter=0.0),
    )


@pytest.mark.anyio
async def test_an_expired_video_url_is_replaced_by_asking_the_task_again(tmp_path: Path) -> None:
    fetched: list[str] = []

    def cdn_handler(request: httpx2.Request) -> httpx2.Response:
        fetched.append(str(request.url))
        if "old.mp4" in request.url.path:
            return httpx2.Response(403, text="Request has expired")
        return httpx2.Response(200, content=MP4, headers={"Content-Type": "video/mp4"})

    time = FakeClock(start=START)
    provider = Renewing()
    svc = renewing_service(tmp_path, time, provider, cdn_handler)
    job = await svc.generate(REQ, wait_seconds=60)
    svc.close()
    assert job.status is JobStatus.SUCCEEDED and job.video_path is not None, job.notice
    assert job.video_url == NEW_URL and job.error is None
    assert [u.split("?")[0].rsplit("/", 1)[1] for u in fetched] == ["old.mp4", "new.mp4"]


@pytest.mark.anyio
async def test_a_later_download_attempt_asks_for_a_fresh_url_first(tmp_path: Path) -> None:
    """A download that failed for any reason (here the CDN was down) is retried later with the
    URL the task gives then, not the recorded one, which may have expired meanwhile."""
    state = {"cdn": "down"}

    def cdn_handler(request: httpx2.Request) -> httpx2.Response:
        if state["cdn"] == "down":
            return httpx2.Response(503)
        if "old.mp4" in request.url.path:
            return httpx2.Response(410)
        return httpx2.Response(200, content=MP4, headers={"Content-Type": "video/mp4"})

    time = FakeClock(start=START)
    provider = Renewing()
    svc = renewing_service(tmp_path, time, provider, cdn_handler)
    first = await svc.generate(REQ, wait_seconds=60)
    assert first.status is JobStatus.SUCCEEDED and first.video_path is None
    assert first.error is not None and first.error.retryable
    assert next_step(first).action is NextAction.RETRY_DOWNLOAD
    state["cdn"] = "up"
    later = await svc.status(first.job_id)
    svc.close()
    assert later.video_path is not None and later.video_url == NEW_URL
    assert Path(later.video_path).read_bytes() == MP4


@pytest.mark.anyio
async def test_one_download_per_job_however_many_processes_ask_at_once(tmp_path: Path) -> None:
    """Five callers (each its own Service and ledger connection, as five processes would be)
    fetch one finished job at once: one video is saved, and all five report that file."""
    downloads: list[str] = []

    async def slow_cdn(request: httpx2.Request) -> httpx2.Response:
        downloads.append(str(request.url))
        await anyio.sleep(0.3)  # long enough for the others to find the download under way
        return httpx2.Response(200, content=MP4, headers={"Content-Type": "video/mp4"})

    time = FakeClock(start=START)
    provider = Renewing()
    svc = renewing_service(tmp_path, time, provider, slow_cdn)
    job = await svc.generate(REQ, wait_seconds=0, download=False)
    svc.close()
    time.advance(120)
    services = [renewing_service(tmp_path, time, provider, slow_cdn) for _ in range(5)]
    results: list[Job] = []

    async def fetch(one: Service) -> None:
        results.append(await one.status(job.job_id))

    async with anyio.create_task_group() as tg:
        for one in services:
            tg.start_soon(fetch, one)
    for one in services:
        one.close()
    assert len(downloads) == 1
    assert [p.name for p in (tmp_path / "videos").iterdir()] == [f"{job.job_id}.mp4"]
    assert {r.video_path for r in results} == {str((tmp_path / "videos" / f"{job.job_id}.mp4").resolve())}
