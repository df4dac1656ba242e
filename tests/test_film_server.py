"""check_film, render_film and the storyboard prompt through the MCP SDK's in-memory client."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from mcp.client import Client
from mcp_types import CallToolResult, TextContent

from seedance_mcp.engine import Service
from seedance_mcp.sandbox import SandboxConfig
from seedance_mcp.server.app import build_server
from seedance_mcp.settings import Settings

pytestmark = pytest.mark.anyio

BOARD: dict[str, Any] = {
    "title": "Pier at Noon",
    "provider": "byteplus",
    "resolution": "480p",
    "shots": [
        {"id": "pier", "prompt": "A wooden pier at noon; slow push in", "duration": 4},
        {"id": "gull", "prompt": "A gull lands on a post", "duration": 4, "continue_from": "pier"},
    ],
}


def server(tmp_path: Path) -> Any:
    env = {
        "SEEDANCE_SANDBOX": "1",
        "SEEDANCE_SANDBOX_SPEED": "0.002",
        "SEEDANCE_HOME": str(tmp_path / "home"),
        "SEEDANCE_OUTPUT_DIR": str(tmp_path / "films"),
    }
    config = SandboxConfig(speed=0.002, clips=True, state_path=tmp_path / "home" / "sandbox.sqlite3")
    return build_server(lambda: Service(settings=Settings.from_env(env), sandbox_config=config))


def text(result: CallToolResult) -> str:
    return "\n".join(b.text for b in result.content if isinstance(b, TextContent))


async def test_check_film_prices_and_plans_without_rendering(tmp_path: Path) -> None:
    async with Client(server(tmp_path)) as client:
        result = await client.call_tool("check_film", {"storyboard": BOARD})
    assert not result.is_error, text(result)
    assert result.structured_content is not None
    check = result.structured_content["check"]
    assert [s["id"] for s in check["shots"]] == ["pier", "gull"]
    assert check["waves"] == [["pier"], ["gull"]] and check["total"][0]["unit"] == "USD"
    assert "render_film" in result.structured_content["next_step"]
    assert not (tmp_path / "films").exists()


async def test_check_film_refuses_a_bad_shot_naming_it(tmp_path: Path) -> None:
    bad = {**BOARD, "shots": [*BOARD["shots"], {"id": "long", "prompt": "x", "duration": 99}]}
    async with Client(server(tmp_path)) as client:
        result = await client.call_tool("check_film", {"storyboard": bad})
        neither = await client.call_tool("check_film", {})
    assert result.is_error and "shots[2] (id 'long'): duration" in text(result)
    assert neither.is_error and "storyboard" in text(result) + text(neither)


async def test_render_film_renders_and_a_second_call_reuses_everything(tmp_path: Path) -> None:
    path = tmp_path / "board.json"
    path.write_text(json.dumps(BOARD))
    progress: list[str] = []

    async def heard(value: float, total: float | None, message: str | None) -> None:
        progress.append(message or "")

    async with Client(server(tmp_path)) as client:
        result = await client.call_tool("render_film", {"storyboard": str(path)}, progress_callback=heard)
        assert not result.is_error, text(result)
        assert result.structured_content is not None
        film = result.structured_content["film"]
        again = await client.call_tool("render_film", {"storyboard": BOARD})
    assert film["status"] == "done", film
    assert Path(film["film_file"]).exists() and Path(film["review_page"]).exists()
    assert "Hand the user" in result.structured_content["next_step"]
    assert any("pier" in m for m in progress) and any("gull" in m for m in progress)
    assert again.structured_content is not None
    assert all(s["reused"] for s in again.structured_content["film"]["shots"])


async def test_the_storyboard_prompt_teaches_beats_characters_and_continuity(tmp_path: Path) -> None:
    async with Client(server(tmp_path)) as client:
        prompts = {p.name for p in (await client.list_prompts()).prompts}
        got = await client.get_prompt(
            "storyboard", {"idea": "a lighthouse keeper's last night", "seconds": "40"}
        )
    assert "storyboard" in prompts
    body = " ".join(m.content.text for m in got.messages if isinstance(m.content, TextContent))
    for words in (
        "3-6 seconds",
        "ONE camera move",
        "continue_from",
        "sound",
        "check_film",
        "render_film",
        "40 seconds",
    ):
        assert words in body


@pytest.mark.anyio
async def test_a_storyboard_sent_as_text_is_read_as_yaml_or_json(tmp_path: Path) -> None:
    from seedance_mcp.film.films import read_storyboard

    text = "title: Harbour\nprovider: byteplus\nshots:\n  - {id: a, prompt: A storm, duration: 4}\n"
    assert read_storyboard(text).shots[0].id == "a"
    as_json = '{"title": "Harbour", "shots": [{"id": "a", "prompt": "A storm", "duration": 4}]}'
    assert read_storyboard(as_json).title == "Harbour"
