"""The MCP server through the SDK's in-memory client, against the built-in simulator.

Every test builds its own server over a temporary ledger and output folder. Renders run on
the sandbox at a small speed factor, so a "two-minute" render takes about a second.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, get_args

import pytest
from mcp.client import Client
from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult, ResourceLink, TextContent

from seedance_mcp.craft import draft, library
from seedance_mcp.craft import models as craft_models
from seedance_mcp.engine import Progress, Service
from seedance_mcp.engine.notices import finish
from seedance_mcp.engine.preflight import Clip, PriceList
from seedance_mcp.errors import ConfigError, JobNotFound
from seedance_mcp.models import (
    ASPECT_RATIOS,
    MODEL_NAMES,
    CreditEstimate,
    Job,
    JobStatus,
    ProviderInfo,
    VideoRequest,
)
from seedance_mcp.providers import PROVIDER_IDS
from seedance_mcp.sandbox import Fault, Sandbox, SandboxConfig
from seedance_mcp.server import build_server, craft_tools, job_tools, main
from seedance_mcp.server.http import TOKEN_ENV, BearerGuard
from seedance_mcp.server.models import JobList, JobResult, ProviderId
from seedance_mcp.server.progress import ProgressRelay
from seedance_mcp.server.results import job_call_result
from seedance_mcp.server.runtime import Runtime, RuntimeContext
from seedance_mcp.settings import Settings

TOOLS = {
    "write_cinematic_prompt",
    "estimate_credits",
    "generate_video",
    "check_status",
    "cancel_job",
    "list_jobs",
    "list_providers",
    "generate_image",
    "check_image",
    # films (tests/test_film_server.py)
    "check_film",
    "render_film",
}
FAKE_KEY = "np-live-7f3c9a51e2b84d06b9aa41c2d5e8f017"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        "SEEDANCE_HOME": str(tmp_path / "home"),
        "SEEDANCE_OUTPUT_DIR": str(tmp_path / "videos"),
        "SEEDANCE_SANDBOX_SPEED": "0.01",
    }
    env.update(extra)
    return env


def _server(env: dict[str, str]) -> MCPServer:
    return build_server(lambda: Service(settings=Settings.from_env(env)))


@pytest.fixture
def sandbox_env(tmp_path: Path) -> dict[str, str]:
    """Sandbox mode asked for explicitly, so any provider can be chosen without a key."""
    return _env(tmp_path, SEEDANCE_SANDBOX="1")


def _text(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


async def _recent(client: Client) -> list[dict[str, Any]]:
    result = await client.call_tool("list_jobs", {})
    assert not result.is_error, _text(result)
    assert result.structured_content is not None
    recent: list[dict[str, Any]] = result.structured_content["jobs"]
    return recent


# ---- discovery --------------------------------------------------------------------------


@pytest.mark.anyio
async def test_tools_have_schemas_descriptions_and_annotations(sandbox_env: dict[str, str]) -> None:
    async with Client(_server(sandbox_env)) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(tools) == TOOLS
    for tool in tools.values():
        assert tool.output_schema is not None and tool.output_schema["type"] == "object", tool.name
        assert tool.description and len(tool.description) > 80, tool.name
        # only cancel_job destroys something: a cancelled render cannot be resumed
        destructive = tool.name == "cancel_job"
        assert tool.annotations is not None and tool.annotations.destructive_hint is destructive, tool.name
        for name, prop in tool.input_schema["properties"].items():
            assert name == name.lower() and " " not in name, name
            assert prop.get("description"), f"{tool.name}.{name} has no description"

    generate = tools["generate_video"]
    assert set(generate.input_schema["properties"]) == {
        "prompt", "provider", "model", "aspect_ratio", "resolution", "duration", "audio", "fixed_lens",
        "image_url", "end_image_url", "reference_images", "reference_videos", "reference_audios", "seed",
        "flex", "last_frame", "wait_seconds", "confirm_cost", "download",
    }  # fmt: skip
    assert generate.input_schema["required"] == ["prompt"]
    assert "ctx" not in generate.input_schema["properties"]
    wait = generate.input_schema["properties"]["wait_seconds"]
    assert wait["default"] == 45 and wait["maximum"] == 50
    assert generate.input_schema["properties"]["duration"]["anyOf"][0]["type"] == "integer"
    description = generate.description or ""
    assert "SPENDS CREDITS OR MONEY" in description and "estimate_credits" in description
    assert "doubles the price" in description and "check_status" in description
    assert "cancel_job" in description and "USD" in description
    # model takes a canonical name or a provider's own id: text, capped, its values described
    for name in ("generate_video", "estimate_credits", "list_providers"):
        model = tools[name].input_schema["properties"]["model"]
        assert model["anyOf"][0]["type"] == "string" and model["anyOf"][0]["maxLength"] == 200, name
        assert all(m in model["description"] for m in MODEL_NAMES), name
        assert "provider's own id" in model["description"], name
    for name in ("generate_video", "estimate_credits"):
        flex = tools[name].input_schema["properties"]["flex"]
        assert flex["type"] == "boolean" and flex["default"] is False and "half" in flex["description"]
    ratios = generate.input_schema["properties"]["aspect_ratio"]["anyOf"][0]["enum"]
    assert ratios == list(ASPECT_RATIOS) and "adaptive" in ratios
    assert {"job_id", "status", "video_path", "sandbox", "resource_uri", "next_step"} <= set(
        generate.output_schema["properties"]  # type: ignore[index]
    )
    assert set(tools["check_status"].input_schema["properties"]) == {"job_id", "wait_seconds", "download"}
    assert set(tools["list_jobs"].input_schema["properties"]) == {"limit"}
    cancel = tools["cancel_job"]
    assert set(cancel.input_schema["properties"]) == {"job_id"}
    assert cancel.input_schema["required"] == ["job_id"]
    assert "queued" in (cancel.description or "") and "cancel=true" in (cancel.description or "")
    # one job shape: check_status and cancel_job publish generate_video's output schema; list_jobs lists it
    assert tools["check_status"].output_schema == generate.output_schema
    assert cancel.output_schema == generate.output_schema
    assert "message" in generate.output_schema["properties"]  # type: ignore[index]
    assert set(tools["list_jobs"].output_schema["properties"]) == {"jobs", "message"}  # type: ignore[index]
    for tool in tools.values():  # the docstrings' layout does not reach the agent
        assert "\n    " not in (tool.description or ""), tool.name
    assert set(tools["estimate_credits"].input_schema["properties"]) == {
        "provider",
        "model",
        "resolution",
        "duration",
        "audio",
        "aspect_ratio",
        "flex",
    }
    assert set(tools["list_providers"].input_schema["properties"]) == {"model"}
    assert "lint" in tools["write_cinematic_prompt"].input_schema["properties"]

    for name in ("write_cinematic_prompt", "estimate_credits", "list_jobs", "list_providers"):
        hints = tools[name].annotations
        assert hints is not None and hints.read_only_hint is True and hints.idempotent_hint is True, name
    hints = generate.annotations
    assert hints is not None
    assert (hints.read_only_hint, hints.idempotent_hint, hints.open_world_hint) == (False, False, True)
    hints = tools["check_status"].annotations
    assert hints is not None
    assert (hints.read_only_hint, hints.idempotent_hint, hints.open_world_hint) == (False, True, True)
    hints = cancel.annotations
    assert hints is not None
    assert (hints.read_only_hint, hints.idempotent_hint, hints.open_world_hint) == (False, True, True)


def test_provider_choices_match_the_registry() -> None:
    assert get_args(ProviderId) == PROVIDER_IDS


@pytest.mark.anyio
async def test_published_draft_is_prompting_draft(sandbox_env: dict[str, str]) -> None:
    # The tool publishes prompting's own models, so its schema and content cannot drift from them.
    idea = "a lighthouse keeper climbs the stairs during a storm"
    async with Client(_server(sandbox_env)) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        result = await client.call_tool("write_cinematic_prompt", {"idea": idea, "provider": "seedanceapi"})
    assert result.structured_content is not None, _text(result)
    published = craft_models.PromptDraft.model_validate(result.structured_content["draft"])
    assert published == draft.write_cinematic_prompt(idea, provider="seedanceapi")
    schema = tools["write_cinematic_prompt"].output_schema
    assert schema is not None
    for model in (craft_models.PromptDraft, craft_models.SuggestedSettings, craft_models.LintWarning):
        assert list(schema["$defs"][model.__name__]["properties"]) == list(model.model_fields), model


def test_importing_and_building_the_server_stays_light() -> None:
    # (httpx2 and uvicorn are not listed: the MCP SDK itself imports them)
    code = (
        "import sys, seedance_mcp.server as s; s.build_server(); "
        "heavy = ['jinja2', 'sqlite3', 'platformdirs', 'seedance_mcp.engine', 'seedance_mcp.sandbox', "
        "'seedance_mcp.craft.draft', 'seedance_mcp.craft.library', 'seedance_mcp.ledger', "
        "'seedance_mcp.client', "
        "'seedance_mcp.download']; "
        "print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


# ---- read-only tools ----------------------------------------------------------------------


@pytest.mark.anyio
async def test_estimate_one_provider(sandbox_env: dict[str, str]) -> None:
    async with Client(_server(sandbox_env)) as client:
        result = await client.call_tool(
            "estimate_credits", {"provider": "nanophoto", "resolution": "720p", "duration": 8, "audio": True}
        )
    assert not result.is_error, _text(result)
    assert result.structured_content is not None
    [estimate] = result.structured_content["estimates"]
    assert (estimate["provider"], estimate["credits"], estimate["audio"]) == ("nanophoto", 16, True)
    assert (estimate["model"], estimate["amount"], estimate["unit"]) == ("seedance-1.5-pro", 16, "credits")
    message = result.structured_content["message"]
    assert "nanophoto seedance-1.5-pro: 16 nanophoto credits (720p, 8 s, with audio; source: " in message
    assert "nanophoto's own unit, not money" in message


@pytest.mark.anyio
async def test_estimate_compares_every_provider(sandbox_env: dict[str, str]) -> None:
    async with Client(_server(sandbox_env)) as client:
        result = await client.call_tool("estimate_credits", {"resolution": "720p", "duration": 4})
    assert result.structured_content is not None
    by_provider = {e["provider"]: e for e in result.structured_content["estimates"]}
    assert set(by_provider) == set(PROVIDER_IDS)
    assert by_provider["nanophoto"]["credits"] == 4
    assert by_provider["seedanceapi"]["credits"] == 14
    assert by_provider["seedance15pro"]["source"] == "not offered"  # no resolution choice, no 4 s
    assert by_provider["apixo"]["credits"] is None
    assert "own unit" in result.structured_content["message"]


@pytest.mark.anyio
async def test_list_providers_in_sandbox_mode(tmp_path: Path) -> None:
    async with Client(_server(_env(tmp_path))) as client:
        result = await client.call_tool("list_providers", {})
    assert not result.is_error
    data = result.structured_content
    assert data is not None
    assert data["sandbox"] is True and data["default_provider"] == "nanophoto"
    assert [p["id"] for p in data["providers"]] == list(PROVIDER_IDS)
    assert not any(p["key_set"] for p in data["providers"])
    nanophoto = data["providers"][0]
    assert nanophoto["durations"] == [4, 8, 12] and nanophoto["key_env"] == "NANOPHOTO_API_KEY"
    assert "placeholder" in data["message"]


@pytest.mark.anyio
async def test_write_cinematic_prompt_and_lint(sandbox_env: dict[str, str]) -> None:
    async with Client(_server(sandbox_env)) as client:
        drafted = await client.call_tool(
            "write_cinematic_prompt",
            {
                "idea": "a red fox crossing a snowy road at dawn",
                "provider": "nanophoto",
                "camera_move": "orbit",
            },
        )
        linted = await client.call_tool(
            "write_cinematic_prompt", {"lint": "x " * 600, "provider": "nanophoto"}
        )
        neither = await client.call_tool("write_cinematic_prompt", {})
        bad = await client.call_tool("write_cinematic_prompt", {"idea": "a fox", "template": "western"})
    assert not drafted.is_error, _text(drafted)
    assert drafted.structured_content is not None
    draft = drafted.structured_content["draft"]
    assert "fox" in draft["prompt"].lower() and draft["provider"] == "nanophoto"
    assert draft["characters"] == len(draft["prompt"]) <= draft["limit"] == 1000
    assert "estimate_credits" in drafted.structured_content["next_step"]

    assert linted.structured_content is not None and linted.structured_content["draft"] is None
    rules = {w["rule"] for w in linted.structured_content["lint_warnings"]}
    assert rules, "a 1200-character prompt of filler must draw warnings"
    assert "Fix the issues" in linted.structured_content["next_step"]

    assert neither.is_error and "idea" in _text(neither) and "lint" in _text(neither)
    assert bad.is_error and "template" in _text(bad) and "cinematic" in _text(bad)


# ---- bad input: readable, and nothing submitted -----------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (
            {"provider": "nanophoto", "duration": 99},
            ["duration", "4, 8, 12", "no credits or money were spent"],
        ),
        ({"provider": "pixelmagic"}, ["provider", "nanophoto", "seedanceapi", "seedance2ai"]),
        ({"provider": "seedanceapi", "resolution": "1080p"}, ["resolution", "480p, 720p", "nanophoto"]),
        ({"provider": "nanophoto", "wait_seconds": 120}, ["wait_seconds", "50"]),
        ({"provider": "nanophoto", "image_url": "/home/me/cat.png"}, ["image_url", "public"]),
        # refused by the input schema: the field, the value and the allowed values, no pydantic text
        ({"resolution": "4k"}, ['resolution: "4k" is not allowed', "480p, 720p, 1080p"]),
        ({"duration": "five"}, ['duration: "five"', "a whole number"]),
        ({"audio": "loud", "seed": 1.5}, ["audio:", "true or false", "seed: 1.5", "whole number"]),
        # misspelt names are refused, with the near match and the accepted names
        ({"resolutoin": "720p"}, ["resolutoin:", "did you mean resolution?", "takes: prompt, provider"]),
        ({"durration": 4, "api_key": "x"}, ["durration:", "did you mean duration?", "api_key:"]),
    ],
)
async def test_bad_input_is_a_readable_error_and_submits_nothing(
    sandbox_env: dict[str, str], arguments: dict[str, Any], expected: list[str]
) -> None:
    async with Client(_server(sandbox_env)) as client:
        result = await client.call_tool("generate_video", {"prompt": "a fox in the snow", **arguments})
        assert result.is_error
        text = _text(result)
        for word in expected:
            assert word in text, f"{word!r} missing from: {text}"
        assert "pydantic" not in text and "validation error" not in text, text
        assert await _recent(client) == []


@pytest.mark.anyio
async def test_budget_guard_needs_confirm_cost_for_unpriced_provider(tmp_path: Path) -> None:
    env = _env(tmp_path, SEEDANCE_SANDBOX="1", SEEDANCE_MAX_CREDITS="10")
    async with Client(_server(env)) as client:
        over = await client.call_tool(
            "generate_video", {"prompt": "a fox", "provider": "nanophoto", "resolution": "1080p"}
        )
        unpriced = await client.call_tool(
            "generate_video", {"prompt": "a fox in the snow", "provider": "apixo"}
        )
        assert await _recent(client) == []
        confirmed = await client.call_tool(
            "generate_video",
            {"prompt": "a fox in the snow", "provider": "apixo", "confirm_cost": True, "wait_seconds": 0},
        )
        assert len(await _recent(client)) == 1
    assert over.is_error and "SEEDANCE_MAX_CREDITS" in _text(over) and "budget_exceeded" in _text(over)
    assert unpriced.is_error and "confirm_cost" in _text(unpriced)
    assert not confirmed.is_error, _text(confirmed)


@pytest.mark.anyio
async def test_chosen_provider_without_key_names_the_variable(tmp_path: Path) -> None:
    async with Client(_server(_env(tmp_path))) as client:
        result = await client.call_tool("generate_video", {"prompt": "a fox", "provider": "apixo"})
    assert result.is_error
    assert "APIXO_API_KEY" in _text(result) and "Never paste a key" in _text(result)


@pytest.mark.anyio
async def test_rate_limit_says_when_to_try_again(tmp_path: Path) -> None:
    async def no_wait(seconds: float) -> None:
        return None

    env = _env(tmp_path, SEEDANCE_SANDBOX="1")
    config = SandboxConfig(speed=0.01, faults=[Fault("429", "submit", times=50, retry_after=7)])
    server = build_server(
        lambda: Service(settings=Settings.from_env(env), sandbox_config=config, sleep=no_wait)
    )
    async with Client(server) as client:
        result = await client.call_tool("generate_video", {"prompt": "a fox in the snow", "duration": 4})
        recent = await _recent(client)
    assert result.is_error
    text = _text(result)
    assert "Wait about 7 s, then repeat the call" in text
    facts = json.loads(text.split("Details: ", 1)[1])
    assert (
        facts["code"] == "rate_limited" and facts["retryable"] is True and facts["retry_after_seconds"] == 7
    )
    assert [j["status"] for j in recent] == ["failed"]  # recorded, refused, nothing charged


# ---- rendering ----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_generate_finishes_within_the_wait_with_progress(sandbox_env: dict[str, str]) -> None:
    notes: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        notes.append((progress, total, message))

    async with Client(_server(sandbox_env)) as client:
        result = await client.call_tool(
            "generate_video",
            {"prompt": "a red fox crossing a snowy road at dawn", "duration": 4, "wait_seconds": 30},
            progress_callback=on_progress,
        )
    assert not result.is_error, _text(result)
    job = result.structured_content
    assert job is not None
    assert job["status"] == "succeeded" and job["sandbox"] is True and job["provider"] == "nanophoto"
    assert Path(job["video_path"]).is_file() and Path(job["video_path"]).stat().st_size > 0
    assert job["resource_uri"] == f"seedance://jobs/{job['job_id']}"
    assert "saved at" in job["next_step"]
    text = _text(result)
    assert text.startswith("SANDBOX MODE") and "placeholder" in text and job["job_id"] in text
    links = [block for block in result.content if isinstance(block, ResourceLink)]
    assert [str(link.uri) for link in links] == [job["resource_uri"]]

    assert len(notes) >= 3
    values = [value for value, _, _ in notes]
    assert values == sorted(values) and len(set(values)) == len(values), values
    messages = [message or "" for _, _, message in notes]
    assert messages[0].startswith("submitting") and messages[-1].startswith("done")
    assert any(m.startswith("rendering") for m in messages) and all("[sandbox]" in m for m in messages)


@pytest.mark.anyio
async def test_long_render_returns_running_and_check_status_finishes_it(sandbox_env: dict[str, str]) -> None:
    async with Client(_server(sandbox_env)) as client:
        started = await client.call_tool(
            "generate_video", {"prompt": "a lighthouse in a storm at night", "wait_seconds": 0}
        )
        assert not started.is_error, _text(started)
        job = started.structured_content
        assert job is not None and job["status"] in ("queued", "running")
        assert job["video_path"] is None
        assert "check_status" in job["next_step"] and "Do not call generate_video again" in job["next_step"]
        assert "Still rendering" in _text(started)

        done = await client.call_tool("check_status", {"job_id": job["job_id"], "wait_seconds": 30})
        assert not done.is_error, _text(done)
        finished = done.structured_content
        assert finished is not None
        assert finished["job_id"] == job["job_id"] and finished["status"] == "succeeded"
        assert Path(finished["video_path"]).is_file()

        again = await client.call_tool("check_status", {"job_id": job["provider_task_id"]})
        assert again.structured_content is not None
        assert again.structured_content["job_id"] == job["job_id"]

        recent = await _recent(client)
        assert [j["job_id"] for j in recent] == [job["job_id"]]

        resource = await client.read_resource(f"seedance://jobs/{job['job_id']}")
        [content] = resource.contents
        assert content.mime_type == "application/json"
        stored = json.loads(content.text)  # type: ignore[union-attr]
        assert stored["status"] == "succeeded" and stored["video_path"] == finished["video_path"]


@pytest.mark.anyio
async def test_unknown_job_points_to_the_job_list(sandbox_env: dict[str, str]) -> None:
    async with Client(_server(sandbox_env)) as client:
        result = await client.call_tool("check_status", {"job_id": "job_000000000000"})
        with pytest.raises(MCPError, match="job_000000000000"):
            await client.read_resource("seedance://jobs/job_000000000000")
    assert result.is_error
    assert "list_jobs" in _text(result) and "job_not_found" in _text(result)


# ---- prompts ------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_prompts_follow_the_templates(sandbox_env: dict[str, str]) -> None:
    async with Client(_server(sandbox_env)) as client:
        listed = {p.name: p for p in (await client.list_prompts()).prompts}
        shot = await client.get_prompt(
            "cinematic", {"idea": "a heron fishing in a misty lake", "light": "blue hour"}
        )
        scene = await client.get_prompt(
            "dialogue",
            {
                "idea": "two fishermen on a pier",
                "dialogue": "the man in the yellow coat: Any luck?\nthe old man: Not yet.",
                "language": "English",
            },
        )
        with pytest.raises(MCPError, match="idea"):
            await client.get_prompt("product", {"idea": "  "})
    assert set(listed) == {*library.template_names(), "storyboard"}  # storyboard: tests/test_film_server.py
    assert {a.name for a in listed["dialogue"].arguments or []} >= {"idea", "dialogue", "language"}
    required = {a.name for a in listed["multi-shot"].arguments or [] if a.required}
    assert required == {"idea", "shots"}
    text = shot.messages[0].content.text  # type: ignore[union-attr]
    assert "heron" in text.lower() and "blue hour" in text and "generate_video" in text
    dialogue = scene.messages[0].content.text  # type: ignore[union-attr]
    assert '"Any luck?"' in dialogue and '"Not yet."' in dialogue


# ---- keys never leave the server -------------------------------------------------------------------


@pytest.fixture
def keyed_sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxConfig(speed=0.01, valid_keys=[FAKE_KEY])) as sb:
        yield sb


def _keyed_env(tmp_path: Path, sb: Sandbox, key: str) -> dict[str, str]:
    return _env(
        tmp_path,
        NANOPHOTO_API_KEY=key,
        SEEDANCE_BASE_URL=sb.base_url("nanophoto"),
        SEEDANCE_POLL_INITIAL_DELAY="0",
        SEEDANCE_POLL_INTERVAL="0.1",
    )


def _dump(result: Any) -> str:
    return result.model_dump_json() if hasattr(result, "model_dump_json") else json.dumps(result)


@pytest.mark.anyio
async def test_the_key_never_appears_in_any_result(tmp_path: Path, keyed_sandbox: Sandbox) -> None:
    seen: list[str] = []
    async with Client(_server(_keyed_env(tmp_path, keyed_sandbox, FAKE_KEY))) as client:
        seen.append(_dump(await client.list_tools()))
        providers = await client.call_tool("list_providers", {})
        seen.append(_dump(providers))
        seen.append(_dump(await client.call_tool("estimate_credits", {"duration": 4})))
        seen.append(_dump(await client.call_tool("write_cinematic_prompt", {"idea": "a fox at dawn"})))
        made = await client.call_tool(
            "generate_video", {"prompt": "a fox at dawn", "duration": 4, "wait_seconds": 30}
        )
        seen.append(_dump(made))
        assert made.structured_content is not None
        job_id = made.structured_content["job_id"]
        seen.append(_dump(await client.call_tool("check_status", {"job_id": job_id})))
        seen.append(_dump(await client.call_tool("check_status", {})))
        seen.append(_dump(await client.read_resource(f"seedance://jobs/{job_id}")))
        seen.append(_dump(await client.get_prompt("cinematic", {"idea": "a fox at dawn"})))
        # even a key pasted into a prompt does not come back out
        pasted = await client.call_tool(
            "generate_video", {"prompt": f"a fox at dawn, key {FAKE_KEY}", "duration": 4, "wait_seconds": 0}
        )
        seen.append(_dump(pasted))
    assert "key <redacted>" in _text(pasted)
    assert not made.is_error, _text(made)
    job = made.structured_content
    assert job["sandbox"] is False and job["status"] == "succeeded" and Path(job["video_path"]).is_file()
    assert providers.structured_content is not None
    assert providers.structured_content["providers"][0]["key_set"] is True
    assert providers.structured_content["sandbox"] is False
    # the simulator accepts only FAKE_KEY, so every answer being 200 shows the key was sent
    assert keyed_sandbox.requests and all(r.status_code == 200 for r in keyed_sandbox.requests)
    assert len(keyed_sandbox.tasks("nanophoto")) == 2
    for text in seen:
        assert FAKE_KEY not in text
        assert FAKE_KEY[8:24] not in text


@pytest.mark.anyio
async def test_a_refused_key_is_reported_without_the_key(tmp_path: Path, keyed_sandbox: Sandbox) -> None:
    wrong = "np-live-0000aaaa1111bbbb2222cccc3333dddd"
    async with Client(_server(_keyed_env(tmp_path, keyed_sandbox, wrong))) as client:
        result = await client.call_tool("generate_video", {"prompt": "a fox at dawn", "duration": 4})
        recent = await _recent(client)
    assert result.is_error
    text = _text(result)
    assert "auth_failed" in text and "key" in text
    assert wrong not in text and wrong not in json.dumps(recent)
    assert [j["status"] for j in recent] == ["failed"]


# ---- progress heartbeat -----------------------------------------------------------------------------


class _Ctx:
    def __init__(self) -> None:
        self.sent: list[tuple[float, float | None, str | None]] = []

    async def report_progress(
        self, progress: float, total: float | None = None, message: str | None = None
    ) -> None:
        self.sent.append((progress, total, message))


@pytest.mark.anyio
async def test_heartbeat_repeats_the_last_progress_when_the_service_is_quiet() -> None:
    import anyio

    ctx = _Ctx()
    relay = ProgressRelay(ctx, quiet=0.05, tick=0.01)  # type: ignore[arg-type]
    first = Progress(
        job_id="job_1",
        provider="nanophoto",
        phase="submitting",
        elapsed=0.0,
        expected=90.0,
        message="submitting",
    )
    async with anyio.create_task_group() as tg:
        tg.start_soon(relay.heartbeat)
        await relay(first)
        with anyio.fail_after(5):
            while len(ctx.sent) < 3:
                await anyio.sleep(0.01)
        tg.cancel_scope.cancel()
    values = [value for value, _, _ in ctx.sent]
    assert values == sorted(values) and len(set(values)) == len(values)
    assert all(message and message.startswith("submitting") for _, _, message in ctx.sent)
    assert all(total == 90.0 for _, total, _ in ctx.sent)


# ---- HTTP transport guard -------------------------------------------------------------------------


@pytest.mark.anyio
async def test_bearer_guard_refuses_requests_without_the_token() -> None:
    reached: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope["type"])

    guard = BearerGuard(app, "s3cret-token-value")

    async def call(headers: list[tuple[bytes, bytes]], kind: str = "http") -> list[dict[str, Any]]:
        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b""}

        await guard({"type": kind, "headers": headers}, receive, send)
        return sent

    for headers in (
        [],
        [(b"authorization", b"Bearer wrong")],
        [(b"authorization", b"Basic s3cret-token-value")],
    ):
        sent = await call(headers)
        assert sent[0]["status"] == 401 and b"SEEDANCE_MCP_TOKEN" in sent[1]["body"]
    assert reached == []
    assert await call([(b"authorization", b"Bearer s3cret-token-value")]) == []
    assert await call([], kind="lifespan") == []
    assert reached == ["http", "lifespan"]


def test_public_host_needs_a_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    with pytest.raises(SystemExit, match=TOKEN_ENV):
        main(["--transport", "streamable-http", "--host", "0.0.0.0", "--port", "8765"])


# ---- each tool alone: a module-level function called with a context over a runtime ----------------


class _Session:
    """The part of a server session the tools use: progress notifications."""

    def __init__(self) -> None:
        self.progress: list[tuple[float, float | None, str | None]] = []

    async def report_progress(
        self, progress: float, total: float | None = None, message: str | None = None
    ) -> None:
        self.progress.append((progress, total, message))


def _context(runtime: Runtime, session: _Session | None = None) -> RuntimeContext:
    request = ServerRequestContext(
        session=session or _Session(),  # type: ignore[arg-type]
        lifespan_context=runtime,
        protocol_version="2025-11-25",
        method="tools/call",
    )
    return Context(request_context=request)


class _FakeSettings:
    def __init__(self, env: dict[str, str], target_error: ConfigError | None = None) -> None:
        self.env = env
        self._target_error = target_error
        self.default_model: str | None = None

    def target(self) -> Any:
        if self._target_error is not None:
            raise self._target_error
        raise AssertionError("the test gives a target error")


class _FakeService:
    """A stand-in `Service` that answers from what the test put in it and records what it was asked."""

    def __init__(self, *, env: dict[str, str] | None = None, target_error: ConfigError | None = None) -> None:
        self.settings = _FakeSettings(env or {}, target_error)
        self.estimates: list[CreditEstimate] = []
        self.differs: dict[tuple[str, str | None], list[str]] = {}
        self.infos: list[ProviderInfo] = []
        self.recent: list[Job] = []
        self.asked: list[tuple[str, Any]] = []
        self.closed = False

    def compare(self, provider: str | None, model: str | None = None, *, clip: Clip) -> PriceList:
        self.asked.append(("estimate", (provider, model, clip)))
        compared = clip.duration if provider is None else None
        return PriceList(
            estimates=self.estimates,
            resolution=clip.resolution,
            duration=clip.duration,
            audio=clip.audio,
            duration_compared=compared,
            differs=self.differs,
        )

    def providers(self, model: str | None = None) -> list[ProviderInfo]:
        self.asked.append(("providers", model))
        return self.infos

    def jobs(self, limit: int, *, within: float | None = None) -> list[Job]:
        self.asked.append(("jobs", limit))
        return [finish(job) for job in self.recent[:limit]]  # as the real Service hands them back

    def get_job(self, ref: str) -> Job:
        for job in self.recent:
            if job.job_id == ref:
                return finish(job)
        raise JobNotFound(f"No job {ref!r} in the local ledger.")

    def close(self) -> None:
        self.closed = True


def _runtime(service: _FakeService) -> Runtime:
    return Runtime(lambda: service)  # type: ignore[arg-type, return-value]


def _job(job_id: str, provider: str, status: JobStatus, **fields: Any) -> Job:
    return Job(
        job_id=job_id, provider=provider, status=status, request=VideoRequest(prompt="a fox"), **fields
    )


@pytest.mark.anyio
async def test_estimate_credits_alone_words_each_price_in_its_unit_grouped_by_unit() -> None:
    def priced(
        provider: str, model: str, amount: float, unit: Any, source: str, **more: Any
    ) -> CreditEstimate:
        return CreditEstimate(
            provider=provider,
            model=model,
            credits=round(amount) if unit == "credits" else None,
            amount=amount,
            unit=unit,
            resolution="720p",
            duration=8,
            audio=True,
            source=source,
            **more,
        )

    service = _FakeService()
    service.estimates = [  # as the engine ranks them: USD, then CNY, then credits, unpriced, not offered
        priced("byteplus", "seedance-1.5-pro", 0.2074, "USD", "fal", aspect_ratio="16:9", tokens=172800),
        priced("byteplus", "seedance-2.0", 1.2096, "USD", "vercel", aspect_ratio="16:9", tokens=172800),
        priced("volcengine", "seedance-2.0", 7.9488, "CNY", "volc", aspect_ratio="16:9", flex=True),
        priced("nanophoto", "seedance-1.5-pro", 16, "credits", "price list", note="audio doubles the price"),
        CreditEstimate(
            provider="apixo",
            model="seedance-1.5-pro",
            credits=None,
            resolution="720p",
            duration=8,
            audio=True,
            source="not published",
            note="APIXO publishes no credit table.",
        ),
        CreditEstimate(
            provider="seedance15pro",
            model="seedance-1.5-pro",
            credits=None,
            resolution="720p",
            duration=8,
            audio=True,
            source="not offered",
            note="seedance15pro does not offer duration 8; allowed: 5, 10.",
        ),
    ]
    service.differs = {("byteplus", "seedance-2.0"): ["1080p, not 720p"]}
    report = await job_tools.estimate_credits(
        _context(_runtime(service)), resolution="720p", duration=8, audio=True
    )
    clip = Clip(resolution="720p", duration=8, audio=True)
    assert service.asked == [("estimate", (None, None, clip))]
    assert report.estimates == service.estimates and report.duration_compared == 8
    assert report.message == (
        "Compared every provider and model (6 in all): nanophoto seedance-1.5-pro; apixo seedance-1.5-pro; "
        "seedance15pro seedance-1.5-pro; byteplus seedance-1.5-pro, seedance-2.0; volcengine seedance-2.0.\n"
        "In USD, cheapest first:\n"
        "- byteplus seedance-1.5-pro: 0.2074 USD (720p, 16:9, 8 s, with audio, 172800 tokens; source 1).\n"
        "- byteplus seedance-2.0: 1.2096 USD (720p, 16:9, 8 s, with audio, 172800 tokens; source 2) "
        "[1080p, not 720p].\n"
        "In CNY, cheapest first:\n"
        "- volcengine seedance-2.0: 7.9488 CNY (720p, 16:9, 8 s, with audio, flex tier; source 3).\n"
        "In credits (each provider's own unit, never ranked against another's):\n"
        "- nanophoto seedance-1.5-pro: 16 nanophoto credits (720p, 8 s, with audio; source 4). "
        "Audio doubles the price.\n"
        "No published price:\n"
        "- apixo seedance-1.5-pro (720p, 8 s, with audio): APIXO publishes no credit table.\n"
        "Cannot make this clip:\n"
        "- seedance15pro seedance-1.5-pro: seedance15pro does not offer duration 8; allowed: 5, 10.\n"
        "Source 1: fal\nSource 2: vercel\nSource 3: volc\nSource 4: price list\n"
        "Amounts are ranked cheapest first within each currency and never added up or compared across "
        "units: USD, CNY and each provider's own credits are different units. "
        "Confirm the price, in its unit, with the user before generate_video."
    )
    # one (provider, model): its price in its unit with its source, nothing ranked
    service.estimates = service.estimates[:1]
    service.asked.clear()
    one = await job_tools.estimate_credits(
        _context(_runtime(service)),
        provider="byteplus",
        model="seedance-1.5-pro",
        aspect_ratio="16:9",
        flex=True,
    )
    assert service.asked == [
        ("estimate", ("byteplus", "seedance-1.5-pro", Clip(aspect_ratio="16:9", flex=True)))
    ]
    assert one.duration_compared is None
    assert one.message == (
        "byteplus seedance-1.5-pro: 0.2074 USD (720p, 16:9, 8 s, with audio, 172800 tokens; source: fal).\n"
        "The amount is in USD. Confirm the price with the user before generate_video."
    )


@pytest.mark.anyio
async def test_list_providers_alone_gives_the_configuration_error_as_its_note() -> None:
    service = _FakeService(target_error=ConfigError("SEEDANCE_PROVIDER: 'pixelmagic' is not a provider."))
    report = await job_tools.list_providers(_context(_runtime(service)))
    assert (report.providers, report.default_provider, report.sandbox) == ([], None, False)
    assert report.message == (
        "No provider key is set (each provider's key_env names the variable to set). "
        "SEEDANCE_PROVIDER: 'pixelmagic' is not a provider."
    )


@pytest.mark.anyio
async def test_list_jobs_alone_lists_recent_jobs_one_line_each() -> None:
    service = _FakeService()
    service.recent = [
        _job("job_aaaaaaaaaaaa", "nanophoto", JobStatus.SUCCEEDED, sandbox=True, video_path="/v/a.mp4"),
        _job("job_bbbbbbbbbbbb", "apixo", JobStatus.RUNNING),
    ]
    result = await job_tools.list_jobs(_context(_runtime(service)), limit=5)
    assert service.asked == [("jobs", 5)]
    assert _text(result) == (
        "2 recent job(s), newest first:\n"
        "- job_aaaaaaaaaaaa nanophoto succeeded [sandbox] /v/a.mp4\n"
        "- job_bbbbbbbbbbbb apixo running"
    )
    report = JobList.model_validate(result.structured_content)
    assert report.message == _text(result)
    assert [(j.job_id, j.resource_uri) for j in report.jobs] == [
        ("job_aaaaaaaaaaaa", "seedance://jobs/job_aaaaaaaaaaaa"),
        ("job_bbbbbbbbbbbb", "seedance://jobs/job_bbbbbbbbbbbb"),
    ]
    assert report.jobs[1].message == "Job job_bbbbbbbbbbbb on apixo: running."
    assert report.jobs[0].notice and report.jobs[0].notice.startswith("SANDBOX MODE")  # as handed back

    empty = await job_tools.list_jobs(_context(_runtime(_FakeService())))
    assert _text(empty) == "No jobs yet; generate_video creates one."
    assert empty.structured_content == {"jobs": [], "message": _text(empty)}


@pytest.mark.anyio
async def test_check_status_without_a_job_id_and_no_jobs_names_generate_video() -> None:
    with pytest.raises(ToolError, match="generate_video"):
        await job_tools.check_status(_context(_runtime(_FakeService())), job_id="  ")


@pytest.mark.anyio
async def test_job_resource_alone_serves_the_record_or_not_found() -> None:
    service = _FakeService()
    service.recent = [_job("job_cccccccccccc", "nanophoto", JobStatus.QUEUED, estimated_credits=8)]
    runtime = _runtime(service)
    stored = json.loads(await job_tools.job_resource("job_cccccccccccc", _context(runtime)))
    assert stored["status"] == "queued" and stored["resource_uri"] == "seedance://jobs/job_cccccccccccc"
    assert "check_status" in stored["next_step"]
    with pytest.raises(ResourceNotFoundError, match="No job 'job_000000000000'"):
        await job_tools.job_resource("job_000000000000", _context(runtime))


def test_a_job_result_is_the_job_with_its_headline_redacted() -> None:
    service = _FakeService(env={"NANOPHOTO_API_KEY": FAKE_KEY})
    runtime = _runtime(service)
    runtime.service()  # built, so its key is known to the redaction
    job = Job(
        job_id="job_dddddddddddd",
        provider="nanophoto",
        status=JobStatus.RUNNING,
        estimated_credits=8,
        request=VideoRequest(prompt=f"a fox, key {FAKE_KEY}"),
    )
    made = job_call_result(job, runtime)
    assert made.structured_content is not None
    view = JobResult.model_validate(made.structured_content)
    assert view.message == "Job job_dddddddddddd on nanophoto: running, estimated 8 credits."
    assert made.structured_content["request"]["prompt"] == "a fox, key <redacted>"
    assert _text(made).startswith(
        "Job job_dddddddddddd on nanophoto: running, estimated 8 credits.\nNext step: "
    )
    led = job_call_result(job, runtime, lead="The most recent job.")
    assert led.structured_content is not None
    assert led.structured_content["message"] == "The most recent job.\n" + view.message
    assert FAKE_KEY not in _text(made) and FAKE_KEY not in json.dumps(made.structured_content)


@pytest.mark.anyio
async def test_write_cinematic_prompt_alone_drafts_lints_or_refuses() -> None:
    ctx = _context(_runtime(_FakeService()))
    with pytest.raises(ToolError, match="give an idea"):
        await craft_tools.write_cinematic_prompt(ctx)
    drafted = await craft_tools.write_cinematic_prompt(
        ctx, idea="a heron fishing at dawn", provider="nanophoto"
    )
    assert drafted.draft == draft.write_cinematic_prompt("a heron fishing at dawn", provider="nanophoto")
    assert drafted.lint_warnings == [] and "estimate_credits" in drafted.next_step
    linted = await craft_tools.write_cinematic_prompt(ctx, lint="x " * 600, provider="nanophoto")
    assert linted.draft is None and linted.lint_warnings
    assert linted.next_step == "Fix the issues listed in lint_warnings, then estimate_credits."


@pytest.mark.anyio
async def test_generate_video_alone_relays_progress_to_the_session(sandbox_env: dict[str, str]) -> None:
    runtime = Runtime(lambda: Service(settings=Settings.from_env(sandbox_env)))
    session = _Session()
    try:
        result = await job_tools.generate_video(
            "a paper boat on a rain puddle", _context(runtime, session), duration=4, wait_seconds=30
        )
    finally:
        runtime.close()
    assert not result.is_error and result.structured_content is not None, _text(result)
    assert result.structured_content["status"] == "succeeded" and result.structured_content["sandbox"] is True
    messages = [message or "" for _, _, message in session.progress]
    assert messages[0].startswith("submitting") and messages[-1].startswith("done")


@pytest.mark.anyio
async def test_the_runtime_is_the_lifespan_value_and_its_service_closes_with_the_server() -> None:
    service = _FakeService(target_error=ConfigError("no provider"))
    async with Client(build_server(lambda: service)) as client:  # type: ignore[arg-type, return-value]
        result = await client.call_tool("list_providers", {})
        assert not result.is_error and not service.closed
    assert service.closed


# ---- one job shape --------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_every_tool_shows_one_job_in_one_shape_with_one_notice(sandbox_env: dict[str, str]) -> None:
    async with Client(_server(sandbox_env)) as client:
        none_yet = await client.call_tool("check_status", {})
        made = await client.call_tool(  # finished, so the job's facts no longer move between the calls
            "generate_video", {"prompt": "a fox at dawn", "duration": 4, "wait_seconds": 30}
        )
        assert made.structured_content is not None, _text(made)
        job_id = made.structured_content["job_id"]
        checked = await client.call_tool("check_status", {"job_id": job_id})
        latest = await client.call_tool("check_status", {})
        listed = await client.call_tool("list_jobs", {"limit": 1})
        resource = await client.read_resource(f"seedance://jobs/{job_id}")
    assert none_yet.is_error and "generate_video" in _text(none_yet) and "job_id" in _text(none_yet)
    assert listed.structured_content is not None and latest.structured_content is not None
    [entry] = listed.structured_content["jobs"]
    stored = json.loads(resource.contents[0].text)  # type: ignore[union-attr]
    shapes = [made.structured_content, checked.structured_content, latest.structured_content, entry, stored]
    for shape in shapes:
        assert shape is not None and set(shape) == set(JobResult.model_fields), shape
        assert shape["job_id"] == job_id and shape["message"] and shape["next_step"]
    notices = {shape["notice"] for shape in shapes if shape is not None}
    assert len(notices) == 1 and notices.pop().startswith("SANDBOX MODE")
    assert latest.structured_content["message"].startswith("No job_id given")
    assert "list_jobs" in latest.structured_content["message"]
    assert latest.structured_content["message"].endswith(checked.structured_content["message"])  # type: ignore[index]
    assert _text(latest).startswith(latest.structured_content["message"])


@pytest.mark.anyio
async def test_list_jobs_refuses_a_limit_out_of_range(sandbox_env: dict[str, str]) -> None:
    async with Client(_server(sandbox_env)) as client:
        result = await client.call_tool("list_jobs", {"limit": 500})
        stale = await client.call_tool("check_status", {"limit": 5})  # the old way to list
    assert result.is_error and "limit: 500" in _text(result) and "from 1 to 100" in _text(result)
    assert stale.is_error and "limit:" in _text(stale) and "check_status takes: job_id" in _text(stale)


@pytest.mark.anyio
async def test_list_providers_says_one_thing_about_keys_then_the_sandbox(tmp_path: Path) -> None:
    async with Client(_server(_env(tmp_path))) as client:
        result = await client.call_tool("list_providers", {})
    assert result.structured_content is not None
    message = result.structured_content["message"]
    assert message.startswith("No provider key is set (each provider's key_env names the variable to set). ")
    second = message.split(". ", 1)[1]
    assert second[0].isupper() and "sandbox mode" in second, message
    assert ". no " not in message and message.endswith(".")


# ---- redaction: every answer, from the first call ----------------------------------------------


class _LeakyService(_FakeService):
    """A service whose answers carry the key, and whose settings know it."""

    def compare(self, provider: str | None, model: str | None = None, *, clip: Clip) -> PriceList:
        leaky = CreditEstimate(
            provider="nanophoto",
            credits=None,
            resolution=None,
            duration=4,
            audio=False,
            source="x",
            note=f"see {FAKE_KEY}",
        )
        return PriceList(
            estimates=[leaky], resolution=None, duration=4, audio=False, duration_compared=4, differs={}
        )

    def get_job(self, ref: str) -> Job:
        raise JobNotFound(f"No job {ref!r} in the local ledger.")

    async def status(self, ref: str, **options: Any) -> Job:
        return _job(f"job_{ref}", "nanophoto", JobStatus.RUNNING)  # its message names the job id


@pytest.mark.anyio
async def test_every_tool_prompt_and_resource_answer_is_redacted(
    monkeypatch: pytest.MonkeyPatch, secret_scan: Any
) -> None:
    monkeypatch.setenv("NANOPHOTO_API_KEY", FAKE_KEY)
    service = _LeakyService(
        env={}, target_error=ConfigError(f"SEEDANCE_PROVIDER: {FAKE_KEY!r} is not a provider.")
    )
    seen: list[str] = []
    async with Client(build_server(lambda: service)) as client:  # type: ignore[arg-type, return-value]
        drafted = await client.call_tool("write_cinematic_prompt", {"idea": f"a fox, key {FAKE_KEY}"})
        linted = await client.call_tool("write_cinematic_prompt", {"lint": f"a fox, key {FAKE_KEY}"})
        typo = await client.call_tool("write_cinematic_prompt", {"idea": "a fox", FAKE_KEY: 1})
        bad = await client.call_tool("generate_video", {"prompt": "a fox", "resolution": FAKE_KEY})
        priced = await client.call_tool("estimate_credits", {})
        providers = await client.call_tool("list_providers", {})
        prompt = await client.get_prompt("cinematic", {"idea": f"a fox, key {FAKE_KEY}"})
        with pytest.raises(MCPError) as missing:
            await client.read_resource(f"seedance://jobs/{FAKE_KEY}")
        checked = await client.call_tool("check_status", {"job_id": FAKE_KEY})
        for answer in (drafted, linted, typo, bad, priced, providers, prompt, checked):
            seen.append(answer.model_dump_json())
        seen.append(str(missing.value))
    assert "key <redacted>" in json.dumps(drafted.structured_content)
    assert "<redacted>" in seen[2] and "<redacted>" in seen[3] and "see <redacted>" in seen[4]
    assert "<redacted>" in seen[5] and "key <redacted>" in seen[6] and "<redacted>" in seen[8]
    assert checked.structured_content is not None
    assert checked.structured_content["message"] == "Job job_<redacted> on nanophoto: running."
    for text in seen:
        assert FAKE_KEY not in text, text


@pytest.mark.anyio
async def test_an_error_before_the_service_is_built_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SEEDANCE_API_KEY", FAKE_KEY)

    def broken() -> Service:
        raise ConfigError(f"SEEDANCE_BASE_URL: {FAKE_KEY!r} is not a URL.")

    async with Client(build_server(broken)) as client:
        result = await client.call_tool("list_providers", {})
    assert result.is_error and "<redacted>" in _text(result) and FAKE_KEY not in _text(result)


# ---- the command line ------------------------------------------------------------------------


def test_version_and_program_name(capsys: pytest.CaptureFixture[str]) -> None:
    from seedance_mcp import __version__

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out == f"seedance-mcp {__version__}\n"
    with pytest.raises(SystemExit):
        main(["--help"], prog="seedance serve")
    out = capsys.readouterr().out
    assert out.startswith("usage: seedance serve") and "streamable-http" in out
