"""The engine on Ark (byteplus / volcengine) over a mock transport speaking the documented wire:
the money cost recorded from usage, cancel (queued only), a lost create answer found again in
the task list, the 120-queued cap, budgets in money, and where the key comes from."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest

from seedance_mcp.engine import Service
from seedance_mcp.errors import (
    AuthError,
    BudgetExceeded,
    CannotCancel,
    ConfigError,
    InvalidRequest,
    QueueFull,
)
from seedance_mcp.ledger import Ledger, new_job_id
from seedance_mcp.models import Job, JobStatus, Money, VideoRequest
from seedance_mcp.pricing import tokens_for
from seedance_mcp.retry import RetryPolicy
from seedance_mcp.settings import Settings

KEY = "ark-test-key-0123456789abcdef0123"
TASKS = "/api/v3/contents/generations/tasks"
NO_RETRY = RetryPolicy(attempts=1, base_delay=0.0, max_delay=0.0)


class FakeArk:
    """Create, get, list and delete of Ark's content-generation tasks, as documented."""

    def __init__(self, *, created_at: int = 0) -> None:
        self.tasks: dict[str, dict[str, Any]] = {}
        self.requests: list[httpx2.Request] = []
        self.lose_create_answer = False
        self.created_at = created_at
        self.cancel_refusal: tuple[int, str] | None = None

    def add(self, task_id: str, body: dict[str, Any], status: str = "queued") -> dict[str, Any]:
        task = {
            "id": task_id,
            "model": body["model"],
            "status": status,
            "created_at": self.created_at,
            "updated_at": self.created_at,
            "duration": body.get("duration"),
            "ratio": body.get("ratio"),
            "resolution": body.get("resolution"),
            "generate_audio": body.get("generate_audio", False),
            "service_tier": body.get("service_tier", "default"),
            "content": {},
        }
        self.tasks[task_id] = task
        return task

    def succeed(self, task_id: str, tokens: int) -> None:
        self.tasks[task_id].update(
            status="succeeded",
            content={
                "video_url": "https://cdn.example.com/v.mp4",
                "last_frame_url": "https://cdn.example.com/l.png",
            },
            usage={"completion_tokens": tokens, "total_tokens": tokens},
        )

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        assert request.headers["Authorization"] == f"Bearer {KEY}"
        path = request.url.path
        if request.method == "POST" and path == TASKS:
            body = json.loads(request.content)
            task = self.add(f"cgt-{len(self.tasks) + 1}", body)
            if self.lose_create_answer:
                raise httpx2.ReadTimeout("the answer was lost", request=request)
            return httpx2.Response(200, json={"id": task["id"]})
        if request.method == "GET" and path == TASKS:
            model = request.url.params.get("filter.model")
            items = [t for t in reversed(self.tasks.values()) if model in (None, t["model"])]
            return httpx2.Response(200, json={"total": len(items), "items": items})
        task_id = path.rsplit("/", 1)[-1]
        task = self.tasks.get(task_id)
        if task is None:
            return _error(404, "ResourceNotFound", "The specified task is not found.")
        if request.method == "GET":
            return httpx2.Response(200, json=task)
        if request.method == "DELETE":
            if self.cancel_refusal is not None:
                return _error(*self.cancel_refusal, "Only queued tasks can be cancelled.")
            task["status"] = "cancelled"
            return httpx2.Response(200, json={})
        raise AssertionError(f"unexpected {request.method} {path}")


def _error(status: int, code: str, message: str) -> httpx2.Response:
    return httpx2.Response(status, json={"error": {"code": code, "message": message, "type": "BadRequest"}})


NOW = [1_800_000_000.0]
"""The services' clock: a test moves it to when the render is due."""


def _service(tmp_path: Path, ark: Callable[[httpx2.Request], httpx2.Response], **env: str) -> Service:
    settings = Settings.from_env(
        {"BYTEPLUS_API_KEY": KEY, "SEEDANCE_PROVIDER": "byteplus", "SEEDANCE_HOME": str(tmp_path), **env}
    )
    return Service(settings, transport=httpx2.MockTransport(ark), retry=NO_RETRY, clock=lambda: NOW[0])


REQ = VideoRequest(prompt="a kite over the dunes", model="seedance-1.5-pro", duration=5, audio=True)


@pytest.mark.anyio
async def test_the_money_cost_is_recorded_from_the_billed_tokens(tmp_path: Path) -> None:
    ark = FakeArk()
    svc = _service(tmp_path, ark)
    try:
        job = await svc.generate(REQ, wait_seconds=0)
        assert job.status is JobStatus.QUEUED and job.provider_task_id == "cgt-1"
        expected = tokens_for(1280, 720, 24, 5)  # 1.5 Pro at 720p 16:9
        assert job.estimated_cost == Money(amount=round(expected * 2.4 / 1e6, 4), unit="USD")
        ark.succeed("cgt-1", tokens=100_000)
        NOW[0] += 120  # past the typical render time, so the check asks the provider
        job = await svc.status(job.job_id, download=False)
    finally:
        svc.close()
    assert job.status is JobStatus.SUCCEEDED and job.tokens == 100_000
    assert job.cost == Money(amount=0.24, unit="USD")  # 100,000 tokens at 2.4 USD per million
    assert job.last_frame_url == "https://cdn.example.com/l.png"


@pytest.mark.anyio
async def test_a_queued_job_is_cancelled_and_costs_nothing(tmp_path: Path) -> None:
    ark = FakeArk()
    svc = _service(tmp_path, ark)
    try:
        job = await svc.generate(REQ, wait_seconds=0)
        job = await svc.cancel(job.job_id)
        again = svc.get_job(job.job_id)
        with pytest.raises(CannotCancel, match="already cancelled"):
            await svc.cancel(job.job_id)
    finally:
        svc.close()
    assert [r.method for r in ark.requests] == ["POST", "GET", "DELETE", "GET"]  # read, then cancel
    assert job.status is JobStatus.CANCELLED and again.status is JobStatus.CANCELLED
    assert job.cost == Money(amount=0.0, unit="USD")
    assert job.notice is not None and "nothing is charged" in job.notice


@pytest.mark.anyio
async def test_a_running_job_is_not_sent_a_cancel_and_says_why(tmp_path: Path) -> None:
    ark = FakeArk()
    svc = _service(tmp_path, ark)
    try:
        job = await svc.generate(REQ, wait_seconds=0)
        ark.tasks["cgt-1"]["status"] = "running"
        with pytest.raises(CannotCancel) as caught:
            await svc.cancel(job.job_id)
        after = svc.get_job(job.job_id)
    finally:
        svc.close()
    assert "byteplus cancels only queued tasks" in caught.value.message
    assert "DELETE" not in [r.method for r in ark.requests]
    assert after.status is JobStatus.RUNNING  # read, recorded, and still billed as usual


@pytest.mark.anyio
async def test_a_job_that_finished_meanwhile_is_never_deleted(tmp_path: Path) -> None:
    """Ark's DELETE of a finished task erases its record (and the video): it is never sent."""
    ark = FakeArk()
    svc = _service(tmp_path, ark)
    try:
        job = await svc.generate(REQ, wait_seconds=0)
        ark.succeed("cgt-1", tokens=108_000)
        with pytest.raises(CannotCancel, match="already succeeded on byteplus; nothing was cancelled"):
            await svc.cancel(job.job_id)
        after = svc.get_job(job.job_id)
    finally:
        svc.close()
    assert [r.method for r in ark.requests] == ["POST", "GET"]
    assert after.status is JobStatus.SUCCEEDED and after.cost == Money(amount=0.2592, unit="USD")


@pytest.mark.anyio
async def test_a_refused_cancel_reads_the_task_again(tmp_path: Path) -> None:
    ark = FakeArk()
    ark.cancel_refusal = (403, "OperationDenied.UnsupportedPhase")
    svc = _service(tmp_path, ark)
    try:
        job = await svc.generate(REQ, wait_seconds=0)
        with pytest.raises(CannotCancel, match=r"\(OperationDenied\.UnsupportedPhase\): it is queued"):
            await svc.cancel(job.job_id)
    finally:
        svc.close()
    assert [r.method for r in ark.requests] == ["POST", "GET", "DELETE", "GET"]


@pytest.mark.anyio
async def test_a_provider_without_cancel_says_it_cannot(tmp_path: Path) -> None:
    def nanophoto(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json={"status": "processing", "taskId": "t-1", "creditsUsed": 8})

    settings = Settings.from_env(
        {"NANOPHOTO_API_KEY": KEY, "SEEDANCE_PROVIDER": "nanophoto", "SEEDANCE_HOME": str(tmp_path)}
    )
    svc = Service(settings, transport=httpx2.MockTransport(nanophoto), retry=NO_RETRY)
    try:
        job = await svc.generate(VideoRequest(prompt="a kite over the dunes"), wait_seconds=0)
        with pytest.raises(CannotCancel, match="nanophoto has no way to cancel"):
            await svc.cancel(job.job_id)
    finally:
        svc.close()


@pytest.mark.anyio
async def test_a_lost_create_answer_is_found_in_the_task_list_and_never_resent(tmp_path: Path) -> None:
    ark = FakeArk()
    ark.lose_create_answer = True
    svc = _service(tmp_path, ark)
    ark.created_at = int(svc.clock())
    try:
        job = await svc.generate(REQ, wait_seconds=0)
    finally:
        svc.close()
    assert [r.method for r in ark.requests] == ["POST", "GET"]  # one create, then the list
    listed = ark.requests[1].url.params
    assert listed["filter.model"] == "seedance-1-5-pro-251215" and listed["page_size"] == "50"
    assert job.status is JobStatus.QUEUED and job.provider_task_id == "cgt-1"
    assert job.notice is not None and "exactly one task" in job.notice


@pytest.mark.anyio
async def test_two_matching_tasks_leave_the_job_unknown_with_its_possible_cost(tmp_path: Path) -> None:
    ark = FakeArk()
    svc = _service(tmp_path, ark)
    ark.created_at = int(svc.clock())
    wire = {"model": "seedance-1-5-pro-251215", "duration": 5, "ratio": "16:9", "resolution": "720p"}
    ark.add("cgt-other", {**wire, "generate_audio": True})  # the same clip, made elsewhere
    ark.lose_create_answer = True
    try:
        job = await svc.generate(REQ, wait_seconds=0)
        checked = await svc.status(job.job_id)
    finally:
        svc.close()
    assert sum(r.method == "POST" for r in ark.requests) == 1  # never re-sent
    assert job.status is JobStatus.UNKNOWN and job.provider_task_id is None
    assert job.notice is not None and "2 tasks match this job" in job.notice and "USD" in job.notice
    assert checked.status is JobStatus.UNKNOWN  # a later check looks again, and still cannot tell


@pytest.mark.anyio
async def test_a_task_made_long_after_the_lost_submit_is_not_taken_for_it(tmp_path: Path) -> None:
    ark = FakeArk()
    ark.lose_create_answer = True
    svc = _service(tmp_path, ark)
    ark.created_at = int(svc.clock()) + 3600  # the lost create's task shows up an hour later: not it
    try:
        job = await svc.generate(REQ, wait_seconds=0)
    finally:
        svc.close()
    assert job.status is JobStatus.UNKNOWN and job.provider_task_id is None
    assert job.notice is not None and "no task matches this job" in job.notice


@pytest.mark.anyio
async def test_the_queued_cap_refuses_before_anything_is_sent(tmp_path: Path) -> None:
    ark = FakeArk()
    with Ledger.open(tmp_path) as ledger:
        for _ in range(120):
            ledger.create(
                Job(job_id=new_job_id(), provider="byteplus", provider_task_id="t", request=REQ),
                idempotency_key="k",
            )
    svc = _service(tmp_path, ark)
    try:
        with pytest.raises(QueueFull, match="at most 120 queued tasks"):
            await svc.generate(REQ, wait_seconds=0)
    finally:
        svc.close()
    assert ark.requests == []


@pytest.mark.anyio
async def test_budgets_are_checked_in_the_estimates_own_unit(tmp_path: Path) -> None:
    ark = FakeArk()
    over = _service(tmp_path, ark, SEEDANCE_MAX_COST="0.10 USD")
    other_unit = _service(tmp_path, ark, SEEDANCE_MAX_CREDITS="50")
    fits = _service(tmp_path, ark, SEEDANCE_MAX_COST="1 USD")
    try:
        with pytest.raises(BudgetExceeded, match=r"0\.2592 USD .*above SEEDANCE_MAX_COST=0\.10 USD") as above:
            await over.generate(REQ, wait_seconds=0)
        with pytest.raises(BudgetExceeded, match=re.escape("SEEDANCE_MAX_COST='... USD'")) as unchecked:
            await other_unit.generate(REQ, wait_seconds=0)
        # Facts a front end words without reading the message: which cap, and whether a
        # confirmation can let the job through (only when the cap cannot check the price).
        assert above.value.caps == ("SEEDANCE_MAX_COST",) and not above.value.confirmable
        assert unchecked.value.caps == ("SEEDANCE_MAX_CREDITS",) and unchecked.value.confirmable
        assert ark.requests == []
        confirmed = await other_unit.generate(REQ, wait_seconds=0, confirm_unpriced=True)
        fitted = await fits.generate(REQ, wait_seconds=0)
    finally:
        for svc in (over, other_unit, fits):
            svc.close()
    assert confirmed.provider_task_id and fitted.provider_task_id


@pytest.mark.parametrize("raw", ["2.5", "USD 2", "two USD", "-1 USD", "3 EUR", "inf USD"])
def test_a_money_cap_without_a_known_unit_is_refused(raw: str) -> None:
    with pytest.raises(ConfigError, match=r"SEEDANCE_MAX_COST.*allowed units: USD, CNY"):
        Settings.from_env({"SEEDANCE_MAX_COST": raw})


def test_ark_api_key_alone_serves_byteplus_and_names_where_it_came_from() -> None:
    settings = Settings.from_env({"ARK_API_KEY": KEY})
    target = settings.target()
    assert target.provider.id == "byteplus" and target.key_env == "ARK_API_KEY"
    volcengine = settings.target("volcengine")
    assert volcengine.key_env == "ARK_API_KEY"
    with pytest.raises(ConfigError, match=r"VOLCENGINE_API_KEY \(or ARK_API_KEY, or SEEDANCE_API_KEY\)"):
        Settings.from_env({"NANOPHOTO_API_KEY": KEY}).target("volcengine")


@pytest.mark.anyio
async def test_an_ark_auth_failure_points_at_the_other_region(tmp_path: Path) -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        return _error(401, "AuthenticationError", "The API key in the request is missing or invalid.")

    settings = Settings.from_env({"ARK_API_KEY": KEY, "SEEDANCE_HOME": str(tmp_path)})
    svc = Service(settings, transport=httpx2.MockTransport(refuse), retry=NO_RETRY)
    try:
        with pytest.raises(AuthError) as caught:
            await svc.generate(REQ, wait_seconds=0)
    finally:
        svc.close()
    assert "SEEDANCE_PROVIDER=volcengine" in caught.value.message
    assert "ARK_API_KEY" in caught.value.message and KEY not in caught.value.message


def test_seedance_model_is_the_default_model_and_an_unknown_one_is_refused(tmp_path: Path) -> None:
    svc = _service(tmp_path, FakeArk(), SEEDANCE_MODEL="Seedance 2.0 Fast")
    try:
        prepared = svc.prepare(VideoRequest(prompt="a kite"))
    finally:
        svc.close()
    assert prepared.request.model == "seedance-2.0-fast" and prepared.estimate.unit == "USD"
    with pytest.raises(ConfigError, match="SEEDANCE_MODEL: 'seedance-9'"):
        Settings.from_env({"SEEDANCE_MODEL": "seedance-9"})


def test_the_last_frame_is_asked_for_only_where_it_can_be_handed_back(tmp_path: Path) -> None:
    svc = _service(tmp_path, FakeArk())
    try:
        dry = svc.dry_run(REQ.model_copy(update={"last_frame": True}))
        plain = svc.dry_run(REQ)
        with pytest.raises(InvalidRequest) as caught:
            svc.dry_run(VideoRequest(prompt="a kite", last_frame=True), "nanophoto")
    finally:
        svc.close()
    assert dry.json_body is not None and dry.json_body["return_last_frame"] is True
    assert plain.json_body is not None and "return_last_frame" not in plain.json_body
    assert caught.value.field == "last_frame" and "byteplus, volcengine" in caught.value.message


def test_a_model_that_always_makes_sound_is_resolved_with_audio_on(tmp_path: Path) -> None:
    svc = _service(tmp_path, FakeArk())
    try:
        prepared = svc.prepare(VideoRequest(prompt="a kite", model="seedance-2.5", duration=20))
    finally:
        svc.close()
    assert prepared.request.audio is True  # what the clip will have, shown as it will be sent


@pytest.mark.anyio
async def test_a_cancel_that_arrives_after_the_render_started_is_not_recorded_as_cancelled(
    tmp_path: Path,
) -> None:
    class Racing(FakeArk):
        """The task starts between the read and the cancel: the cancel is taken, the task runs."""

        def __call__(self, request: httpx2.Request) -> httpx2.Response:
            if request.method == "DELETE":
                self.requests.append(request)
                self.tasks["cgt-1"]["status"] = "running"
                return httpx2.Response(200, json={})
            return super().__call__(request)

    ark = Racing()
    svc = _service(tmp_path, ark)
    try:
        job = await svc.generate(REQ, wait_seconds=0)
        with pytest.raises(CannotCancel, match="started rendering on byteplus before the cancel reached it"):
            await svc.cancel(job.job_id)
        after = svc.get_job(job.job_id)
    finally:
        svc.close()
    assert after.status is JobStatus.RUNNING and after.cost is None
