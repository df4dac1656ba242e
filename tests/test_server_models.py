"""The MCP server on the model axis (issue 13): `model` and `flex` on generate_video,
`cancel_job`, and the job shape with the model and the money cost.

Through the SDK's in-memory client. Refusals run in sandbox mode (nothing is sent for them);
renders and cancels on a provider with a cancel endpoint (byteplus) run against a scripted Ark
over a mock transport, with a made-up key.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp.client import Client
from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult, TextContent

from seedance_mcp import pricing
from seedance_mcp.engine import Service
from seedance_mcp.errors import QueueFull
from seedance_mcp.models import Job, JobStatus, Money, VideoRequest
from seedance_mcp.providers import get_provider
from seedance_mcp.server import build_server
from seedance_mcp.server.models import JobResult
from seedance_mcp.server.results import job_call_result, job_line, tool_error
from seedance_mcp.server.runtime import Runtime
from seedance_mcp.settings import Settings

ARK_KEY = "ark-test-5f0c2b7e9a1d4c83b6e2f0a9c7d1e3b5"
VIDEO_URL = "https://cdn.example.test/ark/clip.mp4"
LAST_FRAME_URL = "https://cdn.example.test/ark/last.png"
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 200


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "SEEDANCE_HOME": str(tmp_path / "home"),
        "SEEDANCE_OUTPUT_DIR": str(tmp_path / "videos"),
        "SEEDANCE_SANDBOX_SPEED": "0.01",
        **extra,
    }


def _server(env: dict[str, str], **parts: Any) -> MCPServer:
    return build_server(lambda: Service(settings=Settings.from_env(env), **parts))


@pytest.fixture
def sandbox_env(tmp_path: Path) -> dict[str, str]:
    return _env(tmp_path, SEEDANCE_SANDBOX="1")


def _text(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def _facts(result: CallToolResult) -> dict[str, Any]:
    facts: dict[str, Any] = json.loads(_text(result).rsplit("Details: ", 1)[1])
    return facts


async def _jobs(client: Client) -> list[dict[str, Any]]:
    listed = await client.call_tool("list_jobs", {})
    assert listed.structured_content is not None, _text(listed)
    jobs: list[dict[str, Any]] = listed.structured_content["jobs"]
    return jobs


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("generate_video", {"prompt": "a fox", "modle": "seedance-2.0"}, ["modle:", "did you mean model?"]),
        ("generate_video", {"prompt": "a fox", "flx": True}, ["flx:", "did you mean flex?"]),
        (
            "generate_video",
            {"prompt": "a fox", "model": 15},
            ["model: 15 is not allowed", "text of at most 200"],
        ),
        ("cancel_job", {}, ["job_id: required"]),
        ("cancel_job", {"job": "job_1"}, ["job: cancel_job has no such argument; did you mean job_id?"]),
        ("cancel_job", {"job_id": "   "}, ["job_id: give the job_id of the job to cancel", "list_jobs"]),
    ],
)
async def test_the_new_arguments_are_checked_by_name_and_value(
    sandbox_env: dict[str, str], tool: str, arguments: dict[str, Any], expected: list[str]
) -> None:
    async with Client(_server(sandbox_env)) as client:
        result = await client.call_tool(tool, arguments)
        assert await _jobs(client) == []
    assert result.is_error
    text = _text(result)
    assert text.startswith(f"Error executing tool {tool}: ")
    for word in expected:
        assert word in text, f"{word!r} missing from: {text}"
    assert "pydantic" not in text and "validation error" not in text


# ---- budgets in money ---------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_money_cap_refuses_a_dearer_job_and_says_what_to_do(tmp_path: Path) -> None:
    env = _env(tmp_path, SEEDANCE_SANDBOX="1", SEEDANCE_MAX_COST="0.10 USD")
    clip = {"prompt": "a fox in the snow", "resolution": "1080p", "duration": 5}
    async with Client(_server(env)) as client:
        over = await client.call_tool(
            "generate_video", {**clip, "provider": "byteplus", "model": "seedance-1.0-pro"}
        )
        other_unit = await client.call_tool(
            "generate_video", {**clip, "provider": "nanophoto", "duration": 4}
        )
        assert await _jobs(client) == []
    assert over.is_error and _facts(over)["code"] == "budget_exceeded"
    text = _text(over)
    assert "above SEEDANCE_MAX_COST=0.10 USD" in text and "USD" in text.split("above")[0]
    step = text.split("Next step: ", 1)[1]
    assert "confirm_cost=true" in step and "raise SEEDANCE_MAX_COST" in step and "'5 USD'" in step
    assert "SEEDANCE_MAX_CREDITS" not in step and "estimate_credits" in step
    # a price in credits cannot be checked against a cap in USD: only a confirmed cost goes ahead
    assert other_unit.is_error and "in another unit" in _text(other_unit)
    assert "confirm_cost=true" in _text(other_unit)


# ---- the job shape: model, money, last frame, next steps -----------------------------------------


def _ark_job(status: JobStatus, **fields: Any) -> Job:
    return Job(
        job_id="job_eeeeeeeeeeee",
        provider="byteplus",
        provider_task_id="cgt-20261130-abc",
        status=status,
        request=VideoRequest(prompt="a fox", model="seedance-1.0-pro", resolution="1080p", duration=5),
        **fields,
    )


def test_a_job_shows_its_model_and_its_cost_in_its_unit() -> None:
    runtime = Runtime(None)
    estimated = _ark_job(JobStatus.QUEUED, estimated_cost=Money(amount=0.612, unit="USD"))
    done = _ark_job(
        JobStatus.SUCCEEDED,
        estimated_cost=Money(amount=0.612, unit="USD"),
        cost=Money(amount=0.6, unit="USD"),
        tokens=240000,
        video_path="/v/job_eeeeeeeeeeee.mp4",
        last_frame_url=LAST_FRAME_URL,
    )
    queued = JobResult.model_validate(job_call_result(estimated, runtime).structured_content)
    assert queued.message == "Job job_eeeeeeeeeeee on byteplus seedance-1.0-pro: queued, estimated 0.612 USD."
    assert "cancel_job" in queued.next_step and "check_status" in queued.next_step
    assert queued.estimated_cost == Money(amount=0.612, unit="USD")
    finished = JobResult.model_validate(job_call_result(done, runtime).structured_content)
    assert finished.message == (
        "Job job_eeeeeeeeeeee on byteplus seedance-1.0-pro: succeeded, cost 0.60 USD (240000 tokens)."
    )
    assert finished.last_frame_url == LAST_FRAME_URL and "last_frame_url" in finished.next_step
    assert "image_url" in finished.next_step
    assert job_line(done) == "- job_eeeeeeeeeeee byteplus seedance-1.0-pro succeeded /v/job_eeeeeeeeeeee.mp4"
    # credits stay credits, beside no money; a provider without cancel is not offered it
    credit_job = Job(
        job_id="job_ffffffffffff",
        provider="nanophoto",
        status=JobStatus.QUEUED,
        estimated_credits=8,
        estimated_cost=Money(amount=8, unit="credits"),
        request=VideoRequest(prompt="a fox", model="seedance-1.5-pro"),
    )
    view = JobResult.model_validate(job_call_result(credit_job, runtime).structured_content)
    assert view.message == "Job job_ffffffffffff on nanophoto seedance-1.5-pro: queued, estimated 8 credits."
    assert "cancel_job" not in view.next_step


def test_a_full_queue_is_worded_as_next_steps() -> None:
    err = QueueFull(
        "byteplus takes at most 120 queued tasks per account, and 120 jobs are recorded as queued."
    )
    text = str(tool_error(err, Runtime(None)))
    step = text.split("Next step: ", 1)[1]
    assert "Nothing was sent" in step and "cancel_job" in step and "list_jobs" in step
    assert '"code": "queue_full"' in text and '"retryable": true' in text


# ---- cancel_job ---------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_cancel_on_a_provider_without_cancel_says_so_and_leaves_the_job(
    sandbox_env: dict[str, str],
) -> None:
    async with Client(_server(sandbox_env)) as client:
        started = await client.call_tool(
            "generate_video", {"prompt": "a fox in the snow", "duration": 4, "wait_seconds": 0}
        )
        assert started.structured_content is not None, _text(started)
        job_id = started.structured_content["job_id"]
        refused = await client.call_tool("cancel_job", {"job_id": job_id})
        [still] = await _jobs(client)
        done = await client.call_tool("check_status", {"job_id": job_id, "wait_seconds": 30})
        assert done.structured_content is not None and done.structured_content["status"] == "succeeded"
        finished = await client.call_tool("cancel_job", {"job_id": job_id})
        unknown = await client.call_tool("cancel_job", {"job_id": "job_000000000000"})
    assert refused.is_error and _facts(refused)["code"] == "cannot_cancel"
    text = _text(refused)
    assert "nanophoto has no way to cancel a task" in text and "charged as usual" in text
    assert f"check_status with job_id={job_id!r}" in text and "never submit it again" in text
    assert still["job_id"] == job_id and still["status"] in ("queued", "running")
    assert finished.is_error and _facts(finished)["code"] == "cannot_cancel"
    assert f"job {job_id} is already succeeded" in _text(finished)
    assert "Nothing was changed" in _text(finished)
    assert unknown.is_error and _facts(unknown)["code"] == "job_not_found" and "list_jobs" in _text(unknown)


class _Ark:
    """BytePlus ModelArk's task API as its docs describe it, scripted: a task stays `queued`
    until `start` is called, then `running` until `finish`; DELETE cancels a queued task only."""

    def __init__(self) -> None:
        self.tasks: dict[str, dict[str, Any]] = {}
        self.requests: list[tuple[str, str]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        assert request.headers["Authorization"] == f"Bearer {ARK_KEY}"
        path = request.url.path.removeprefix("/api/v3/contents/generations/tasks")
        self.requests.append((request.method, path))
        if request.method == "POST" and path == "":
            body = json.loads(request.content)
            task_id = f"cgt-{len(self.tasks) + 1:04d}"
            self.tasks[task_id] = {"id": task_id, "model": body["model"], "status": "queued"}
            return httpx2.Response(200, json={"id": task_id})
        task = self.tasks.get(path.removeprefix("/"))
        if task is None:
            return httpx2.Response(
                404, json={"error": {"code": "ResourceNotFound", "message": "no such task"}}
            )
        if request.method == "DELETE":
            if task["status"] != "queued":
                return httpx2.Response(
                    400,
                    json={
                        "error": {
                            "code": "InvalidParameter",
                            "message": "the task status does not allow it",
                        }
                    },
                )
            task["status"] = "cancelled"
            return httpx2.Response(200, json={})
        return httpx2.Response(200, json=task)

    def start(self, task_id: str) -> None:
        self.tasks[task_id]["status"] = "running"

    def finish(self, task_id: str, tokens: int) -> None:
        self.tasks[task_id].update(
            status="succeeded",
            content={"video_url": VIDEO_URL, "last_frame_url": LAST_FRAME_URL},
            usage={"completion_tokens": tokens, "total_tokens": tokens},
        )


def _cdn(request: httpx2.Request) -> httpx2.Response:
    assert "Authorization" not in request.headers
    return httpx2.Response(200, content=MP4, headers={"Content-Type": "video/mp4"})


def _ark_server(tmp_path: Path, ark: _Ark) -> MCPServer:
    env = _env(
        tmp_path, BYTEPLUS_API_KEY=ARK_KEY, SEEDANCE_POLL_INITIAL_DELAY="0", SEEDANCE_POLL_INTERVAL="0.1"
    )
    return _server(env, transport=httpx2.MockTransport(ark), download_transport=httpx2.MockTransport(_cdn))


@pytest.mark.anyio
async def test_cancel_job_cancels_a_queued_ark_job_and_refuses_a_running_one(tmp_path: Path) -> None:
    ark = _Ark()
    clip = {
        "prompt": "a fox in the snow",
        "provider": "byteplus",
        "model": "seedance-1.0-pro",
        "wait_seconds": 0,
    }
    async with Client(_ark_server(tmp_path, ark)) as client:
        queued = await client.call_tool("generate_video", {**clip, "duration": 5})
        assert queued.structured_content is not None, _text(queued)
        job = queued.structured_content
        assert (job["status"], job["provider"], job["sandbox"]) == ("queued", "byteplus", False)
        assert job["request"]["model"] == "seedance-1.0-pro" and job["estimated_cost"]["unit"] == "USD"
        assert "cancel_job" in job["next_step"]
        cancelled = await client.call_tool("cancel_job", {"job_id": job["job_id"]})

        running = await client.call_tool("generate_video", {**clip, "duration": 6})
        assert running.structured_content is not None, _text(running)
        ark.start(running.structured_content["provider_task_id"])
        refused = await client.call_tool("cancel_job", {"job_id": running.structured_content["job_id"]})
        jobs = {j["job_id"]: j for j in await _jobs(client)}
    assert not cancelled.is_error, _text(cancelled)
    gone = cancelled.structured_content
    assert gone is not None and set(gone) == set(JobResult.model_fields)  # the one job shape
    assert gone["job_id"] == job["job_id"] and gone["status"] == "cancelled"
    assert gone["cost"] == {"amount": 0.0, "unit": "USD"}  # a cancelled job costs nothing, in its unit
    assert gone["message"] == f"Job {job['job_id']} on byteplus seedance-1.0-pro: cancelled, cost 0.00 USD."
    assert "nothing is charged" in (gone["notice"] or "") and "cannot be resumed" in gone["next_step"]
    assert ark.tasks[job["provider_task_id"]]["status"] == "cancelled"
    assert ("DELETE", f"/{job['provider_task_id']}") in ark.requests

    assert refused.is_error and _facts(refused)["code"] == "cannot_cancel"
    text = _text(refused)
    assert "only a queued task can be cancelled" in text and "running" in text
    assert "check_status" in text.split("Next step: ", 1)[1]
    assert jobs[job["job_id"]]["status"] == "cancelled"
    assert jobs[running.structured_content["job_id"]]["status"] == "running"
    assert ARK_KEY not in json.dumps(jobs) and ARK_KEY not in text


@pytest.mark.anyio
async def test_a_finished_ark_job_shows_its_money_cost_and_last_frame(tmp_path: Path) -> None:
    ark = _Ark()
    async with Client(_ark_server(tmp_path, ark)) as client:
        started = await client.call_tool(
            "generate_video",
            {
                "prompt": "a fox in the snow",
                "provider": "byteplus",
                "model": "seedance-1.0-pro",
                "resolution": "1080p",
                "duration": 5,
                "wait_seconds": 0,
            },
        )
        assert started.structured_content is not None, _text(started)
        ark.finish(started.structured_content["provider_task_id"], tokens=244800)
        done = await client.call_tool("check_status", {"job_id": started.structured_content["job_id"]})
    assert done.structured_content is not None, _text(done)
    job = done.structured_content
    expected = pricing.estimate(get_provider("byteplus"), "1080p", 5, False, model="seedance-1.0-pro")
    assert job["status"] == "succeeded" and Path(job["video_path"]).read_bytes() == MP4
    assert job["tokens"] == 244800 and job["cost"] == {"amount": expected.amount, "unit": "USD"}
    assert job["last_frame_url"] == LAST_FRAME_URL and "last_frame_url" in job["next_step"]
    cost = expected.price
    assert cost is not None
    assert job["message"] == (
        f"Job {job['job_id']} on byteplus seedance-1.0-pro: succeeded, cost {cost} (244800 tokens)."
    )
    assert _text(done).startswith(job["message"])
