"""The MCP server on the model axis (issue 13): `model` and `flex` on the tools, prices in their
own unit, `cancel_job`, and the job shape with the model and the money cost.

Through the SDK's in-memory client. Prices and refusals run in sandbox mode (nothing is sent
for them); renders and cancels on a provider with a cancel endpoint (byteplus) run against a
scripted Ark over a mock transport, with a made-up key.
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
from seedance_mcp.engine.preflight import Clip, compare
from seedance_mcp.errors import QueueFull
from seedance_mcp.models import MODEL_NAMES, Job, JobStatus, Money, VideoRequest
from seedance_mcp.providers import PROVIDER_IDS, PROVIDERS, get_provider, serving
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


# ---- model refusals ---------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_model_the_provider_does_not_serve_names_what_it_serves_and_who_serves_it(
    sandbox_env: dict[str, str],
) -> None:
    async with Client(_server(sandbox_env)) as client:
        generated = await client.call_tool(
            "generate_video",
            {"prompt": "a fox in the snow", "provider": "nanophoto", "model": "seedance-2.0"},
        )
        priced = await client.call_tool(
            "estimate_credits", {"provider": "nanophoto", "model": "seedance-2.0"}
        )
        assert await _jobs(client) == []  # refused before anything was recorded or sent
    serving_2 = serving("seedance-2.0")
    assert set(serving_2) == {"seedance2ai", "byteplus", "volcengine", "replicate", "fal"}
    for result in (generated, priced):
        assert result.is_error
        text = _text(result)
        assert text.split(": ", 1)[1].startswith("model: nanophoto does not serve seedance-2.0"), text
        assert "it serves seedance-1.5-pro" in text
        assert f"Providers that serve seedance-2.0: {', '.join(serving_2)}." in text
        facts = _facts(result)
        assert (facts["code"], facts["field"], facts["allowed"]) == (
            "invalid_request",
            "model",
            ["seedance-1.5-pro"],
        )
    assert "no credits or money were spent" in _text(generated)


@pytest.mark.anyio
async def test_an_unknown_model_is_refused_with_every_model_and_the_nearest_one(
    sandbox_env: dict[str, str],
) -> None:
    async with Client(_server(sandbox_env)) as client:
        typo = await client.call_tool(
            "generate_video", {"prompt": "a fox in the snow", "model": "seedance-1.5-pr"}
        )
        compared = await client.call_tool("estimate_credits", {"model": "seedance-9"})
        listed = await client.call_tool("list_providers", {"model": "veo-3"})
        # a provider's own id is a model too: it resolves to its family
        own_id = await client.call_tool("estimate_credits", {"model": "dreamina-seedance-2-0-260128"})
        assert await _jobs(client) == []
    assert typo.is_error and "model: 'seedance-1.5-pr' is not a Seedance model" in _text(typo)
    assert "Did you mean model=seedance-1.5-pro?" in _text(typo)
    for result in (compared, listed):
        assert result.is_error, _text(result)
        text = _text(result)
        assert "is not a Seedance model; allowed: " + ", ".join(MODEL_NAMES) in text
        assert _facts(result)["field"] == "model" and _facts(result)["allowed"] == list(MODEL_NAMES)
        assert "Did you mean" not in text  # nothing is near enough to suggest
    assert not own_id.is_error, _text(own_id)
    assert own_id.structured_content is not None
    assert {e["model"] for e in own_id.structured_content["estimates"]} == {"seedance-2.0"}


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("generate_video", {"prompt": "a fox", "modle": "seedance-2.0"}, ["modle:", "did you mean model?"]),
        ("generate_video", {"prompt": "a fox", "flx": True}, ["flx:", "did you mean flex?"]),
        ("estimate_credits", {"aspect_ration": "9:16"}, ["aspect_ration:", "did you mean aspect_ratio?"]),
        ("estimate_credits", {"flex": "half"}, ['flex: "half" is not allowed', "true or false"]),
        ("estimate_credits", {"aspect_ratio": "2:1"}, ['aspect_ratio: "2:1"', "9:21, adaptive"]),
        (
            "generate_video",
            {"prompt": "a fox", "model": 15},
            ["model: 15 is not allowed", "text of at most 200"],
        ),
        ("list_providers", {"model": "x" * 201}, ["model:", "text of at most 200 characters"]),
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


@pytest.mark.anyio
async def test_flex_on_a_model_without_the_offline_tier_is_refused_naming_who_has_it(
    sandbox_env: dict[str, str],
) -> None:
    async with Client(_server(sandbox_env)) as client:
        generated = await client.call_tool("generate_video", {"prompt": "a fox in the snow", "flex": True})
        priced = await client.call_tool(
            "estimate_credits", {"provider": "byteplus", "model": "seedance-2.0", "flex": True}
        )
        assert await _jobs(client) == []
    assert generated.is_error and "flex: nanophoto has no offline (flex) tier" in _text(generated)
    assert "byteplus" in _text(generated) and _facts(generated)["field"] == "flex"
    assert priced.is_error and "flex: byteplus seedance-2.0 has no offline (flex) tier" in _text(priced)


# ---- prices in their own unit ------------------------------------------------------------------


@pytest.mark.anyio
async def test_byteplus_seedance_1_0_pro_1080p_5s_is_priced_in_usd_with_its_source(
    sandbox_env: dict[str, str],
) -> None:
    arguments = {"provider": "byteplus", "model": "seedance-1.0-pro", "resolution": "1080p", "duration": 5}
    async with Client(_server(sandbox_env)) as client:
        result = await client.call_tool("estimate_credits", arguments)
        flex = await client.call_tool("estimate_credits", {**arguments, "flex": True})
    assert not result.is_error, _text(result)
    assert result.structured_content is not None and flex.structured_content is not None
    [estimate] = result.structured_content["estimates"]
    expected = pricing.estimate(get_provider("byteplus"), "1080p", 5, False, model="seedance-1.0-pro")
    assert (estimate["provider"], estimate["model"], estimate["unit"]) == (
        "byteplus",
        "seedance-1.0-pro",
        "USD",
    )
    assert estimate["amount"] == expected.amount and estimate["amount"] > 0
    assert estimate["credits"] is None and estimate["tokens"] == expected.tokens
    assert estimate["source"] and "20" in estimate["source"]  # a dated source
    message = result.structured_content["message"]
    price = expected.price
    assert price is not None and price.unit == "USD"
    assert message.startswith(f"byteplus seedance-1.0-pro: {price} (1080p, 16:9, 5 s, no audio, ")
    assert f"source: {estimate['source']}" in message and "The amount is in USD." in message
    assert "credits" not in message  # money is not worded as credits
    [half] = flex.structured_content["estimates"]
    assert half["flex"] is True and half["amount"] == pytest.approx(price.amount / 2, abs=1e-4)
    assert "flex tier" in flex.structured_content["message"]


@pytest.mark.anyio
async def test_token_prices_follow_the_frame_shape(sandbox_env: dict[str, str]) -> None:
    async with Client(_server(sandbox_env)) as client:
        by_ratio = {}
        for ratio in ("16:9", "1:1", "21:9"):
            result = await client.call_tool(
                "estimate_credits",
                {"provider": "byteplus", "model": "seedance-1.5-pro", "duration": 5, "aspect_ratio": ratio},
            )
            assert result.structured_content is not None, _text(result)
            [by_ratio[ratio]] = result.structured_content["estimates"]
    for ratio, e in by_ratio.items():
        expected = pricing.estimate(
            get_provider("byteplus"), "720p", 5, False, model="seedance-1.5-pro", aspect_ratio=ratio
        )
        assert (e["aspect_ratio"], e["tokens"], e["amount"]) == (ratio, expected.tokens, expected.amount)
    assert len({e["tokens"] for e in by_ratio.values()}) > 1  # frame size changes the price


@pytest.mark.anyio
async def test_a_comparison_ranks_providers_and_models_within_each_currency(
    sandbox_env: dict[str, str],
) -> None:
    async with Client(_server(sandbox_env)) as client:
        result = await client.call_tool("estimate_credits", {"resolution": "720p", "duration": 8})
    assert not result.is_error, _text(result)
    data = result.structured_content
    assert data is not None and data["duration_compared"] == 8
    estimates = data["estimates"]
    pairs = {(e["provider"], e["model"]) for e in estimates}
    assert pairs == {(p.id, m.name) for p in PROVIDERS.values() for m in p.models}  # providers x models
    assert len(pairs) == len(estimates)
    units = [e["unit"] for e in estimates if e["amount"] is not None]
    # money first, USD then CNY, then credits: one unit after the other, never interleaved
    assert units == sorted(units, key=["USD", "CNY", "credits"].index)
    assert {"USD", "CNY", "credits"} <= set(units)
    for unit in ("USD", "CNY"):
        amounts = [e["amount"] for e in estimates if e["unit"] == unit]
        assert amounts == sorted(amounts), unit
    message = data["message"]
    head = message.splitlines()[0]
    assert head.startswith(f"Compared every provider and model ({len(pairs)} in all): ")
    for pid in PROVIDER_IDS:
        assert f"{pid} " in head
    for group in (
        "In USD, cheapest first:",
        "In CNY, cheapest first:",
        "In credits (each provider's own unit",
    ):
        assert group in message
    assert message.index("In USD") < message.index("In CNY") < message.index("In credits")
    assert "never added up or compared across units" in message
    assert "nanophoto seedance-1.5-pro: " in message and " nanophoto credits " in message
    usd = [e for e in estimates if e["unit"] == "USD"]
    cheapest = usd[0]
    assert f"- byteplus {cheapest['model']}: {Money(amount=cheapest['amount'], unit='USD')} (" in message
    assert "Source 1: " in message


@pytest.mark.anyio
async def test_a_comparison_without_a_length_marks_what_differs_from_the_clip(
    sandbox_env: dict[str, str],
) -> None:
    async with Client(_server(sandbox_env)) as client:
        result = await client.call_tool("estimate_credits", {"resolution": "720p"})
    assert result.structured_content is not None, _text(result)
    prices = compare(None, None, clip=Clip(resolution="720p"))
    assert result.structured_content["duration_compared"] == prices.duration_compared
    message = result.structured_content["message"]
    assert f"Every model is priced at {prices.duration_compared} s, the length most of them offer" in message
    marked = [e for e in prices.estimates if prices.differs_for(e)]
    assert marked, "a provider without the shared length is priced at its nearest and marked"
    for e in marked:
        assert f"[{'; '.join(prices.differs_for(e))}]" in message, (e.provider, e.model)
    assert "seedance15pro seedance-1.5-pro: " in message and "it offers 5, 10 s" in message


@pytest.mark.anyio
async def test_a_comparison_of_one_model_covers_the_providers_that_serve_it(
    sandbox_env: dict[str, str],
) -> None:
    async with Client(_server(sandbox_env)) as client:
        result = await client.call_tool("estimate_credits", {"model": "seedance-2.0", "duration": 5})
    assert result.structured_content is not None, _text(result)
    estimates = result.structured_content["estimates"]
    assert [e["model"] for e in estimates] == ["seedance-2.0"] * len(serving("seedance-2.0"))
    assert {e["provider"] for e in estimates} == set(serving("seedance-2.0"))
    message = result.structured_content["message"]
    assert message.startswith(
        f"Compared seedance-2.0 on every provider that serves it: {', '.join(serving('seedance-2.0'))}."
    )
    assert "In USD, cheapest first:" in message and "In CNY, cheapest first:" in message


# ---- list_providers: models as sentences --------------------------------------------------------


@pytest.mark.anyio
async def test_list_providers_shows_each_providers_models_and_cancel(sandbox_env: dict[str, str]) -> None:
    async with Client(_server(sandbox_env)) as client:
        everything = await client.call_tool("list_providers", {})
        filtered = await client.call_tool("list_providers", {"model": "seedance-2.0"})
    assert everything.structured_content is not None and filtered.structured_content is not None
    data = everything.structured_content
    assert data["model"] is None
    by_id = {p["id"]: p for p in data["providers"]}
    assert list(by_id) == list(PROVIDER_IDS)
    for pid, info in by_id.items():
        provider = get_provider(pid)
        assert [m["name"] for m in info["models"]] == [m.name for m in provider.models]
        assert [m["name"] for m in info["models"] if m["default"]] == [provider.default_model.name]
        assert info["default_model"] == provider.default_model.name
        assert info["cancel"] is (provider.build_cancel("t") is not None)
    assert by_id["byteplus"]["cancel"] is True and by_id["nanophoto"]["cancel"] is False
    ark_pro = next(m for m in by_id["byteplus"]["models"] if m["name"] == "seedance-1.0-pro")
    assert (ark_pro["price_unit"], ark_pro["flex"], ark_pro["audio"]) == ("USD", True, False)

    message = data["message"]
    assert "nanophoto (NanoPhoto.AI) serves seedance-1.5-pro (the default; 4, 8, 12 s, " in message
    served = len(get_provider("byteplus").models)
    assert (
        f"byteplus (BytePlus ModelArk) serves {served} models: seedance-1.5-pro (the default; 4-12 s, "
        in message
    )
    assert (
        "seedance-1.0-pro (2-12 s, 480p/720p/1080p, start frame, end frame, seed, fixed lens, flex, "
        in message
    )
    assert "priced in USD" in message and "priced in CNY" in message and "priced in credits" in message
    assert "It can cancel a queued job (cancel_job)." in message
    assert "nanophoto" in message.split("It has no way to cancel a job.")[0]
    for sentence in message.split(". "):
        assert sentence[:1].isupper() or sentence.split(" ", 1)[0] in PROVIDER_IDS, sentence

    narrow = filtered.structured_content
    assert narrow["model"] == "seedance-2.0"
    assert [p["id"] for p in narrow["providers"]] == serving("seedance-2.0")
    assert all([m["name"] for m in p["models"]] == ["seedance-2.0"] for p in narrow["providers"])
    assert (
        f"Only the providers that serve seedance-2.0 are listed: {', '.join(serving('seedance-2.0'))}."
        in (narrow["message"])
    )
    assert "The default provider, nanophoto, does not serve seedance-2.0" in narrow["message"]


@pytest.mark.anyio
async def test_seedance_model_chooses_the_model_and_the_answers_say_so(tmp_path: Path) -> None:
    env = _env(tmp_path, SEEDANCE_SANDBOX="1", SEEDANCE_MODEL="seedance-1.0-pro")
    async with Client(_server(env)) as client:
        listed = await client.call_tool("list_providers", {})
        priced = await client.call_tool("estimate_credits", {"duration": 5})
        asked = await client.call_tool("estimate_credits", {"duration": 5, "model": "seedance-2.0"})
    assert listed.structured_content is not None and priced.structured_content is not None
    assert listed.structured_content["model"] == "seedance-1.0-pro"
    assert [p["id"] for p in listed.structured_content["providers"]] == serving("seedance-1.0-pro")
    assert {e["model"] for e in priced.structured_content["estimates"]} == {"seedance-1.0-pro"}
    assert priced.structured_content["message"].startswith(
        "Compared seedance-1.0-pro (SEEDANCE_MODEL chose the model) on every provider that serves it: "
    )
    assert asked.structured_content is not None  # an argument wins over the variable
    assert asked.structured_content["message"].startswith("Compared seedance-2.0 on every provider")


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
        confirmed = await client.call_tool(
            "generate_video",
            {**clip, "provider": "nanophoto", "duration": 4, "confirm_cost": True, "wait_seconds": 0},
        )
        assert not confirmed.is_error, _text(confirmed)
        assert len(await _jobs(client)) == 1
    assert over.is_error and _facts(over)["code"] == "budget_exceeded"
    text = _text(over)
    assert "above SEEDANCE_MAX_COST=0.10 USD" in text and "USD" in text.split("above")[0]
    step = text.split("Next step: ", 1)[1]
    assert "raise SEEDANCE_MAX_COST" in step and "'5 USD'" in step and "estimate_credits" in step
    assert "SEEDANCE_MAX_CREDITS" not in step
    assert "confirm_cost does not lift it" in step  # a price above the cap is not confirmed past it
    # a price in credits cannot be checked against a cap in USD: only a confirmed cost goes ahead
    assert other_unit.is_error and "in another unit" in _text(other_unit)
    other_step = _text(other_unit).split("Next step: ", 1)[1]
    assert "call again with confirm_cost=true" in other_step and "does not lift" not in other_step


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
    assert "cancels only queued tasks" in text and "running" in text
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
