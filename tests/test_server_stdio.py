"""Once through a real `seedance-mcp` process over stdio, the way a client spawns it.

No key is passed (the stdio client forwards only a few safe variables), so the server runs in
sandbox mode on its own loopback simulator, sped up through SEEDANCE_SANDBOX_SPEED.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from mcp.client import Client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp_types import TextContent

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
    "check_film",
    "render_film",
}


def _command() -> tuple[str, list[str]]:
    """The installed console script when there is one, else `python -m seedance_mcp.server`."""
    script = Path(sys.executable).with_name("seedance-mcp")
    if script.exists():
        return str(script), []
    return sys.executable, ["-m", "seedance_mcp.server"]


@pytest.mark.anyio
async def test_stdio_server_renders_in_the_sandbox(tmp_path: Path) -> None:
    command, args = _command()
    params = StdioServerParameters(
        command=command,
        args=[*args, "--log-level", "WARNING"],
        env={
            "SEEDANCE_HOME": str(tmp_path / "home"),
            "SEEDANCE_OUTPUT_DIR": str(tmp_path / "videos"),
            "SEEDANCE_SANDBOX_SPEED": "0.01",
        },
        cwd=tmp_path,
    )
    with (tmp_path / "stderr.log").open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog), read_timeout_seconds=60) as client:
            tools = {tool.name for tool in (await client.list_tools()).tools}
            assert tools == TOOLS

            priced = await client.call_tool(
                "estimate_credits",
                {"provider": "nanophoto", "resolution": "720p", "duration": 8, "audio": True},
            )
            assert priced.structured_content is not None
            assert priced.structured_content["estimates"][0]["credits"] == 16

            started = await client.call_tool(
                "generate_video",
                {"prompt": "a paper boat on a rain puddle", "duration": 4, "wait_seconds": 0},
            )
            assert not started.is_error, started.content
            job = started.structured_content
            assert job is not None and job["status"] in ("queued", "running") and job["sandbox"] is True

            done = await client.call_tool("check_status", {"job_id": job["job_id"], "wait_seconds": 30})
            assert not done.is_error, done.content
            assert done.structured_content is not None
            finished = done.structured_content  # the same shape generate_video returned
            assert set(finished) == set(job) and finished["job_id"] == job["job_id"]
            text = "\n".join(b.text for b in done.content if isinstance(b, TextContent))
    assert finished["status"] == "succeeded"
    video = Path(finished["video_path"])
    assert video.is_file() and video.parent == tmp_path / "videos" and video.stat().st_size > 0
    assert video.read_bytes()[4:8] == b"ftyp"  # an MP4, whole
    assert "SANDBOX MODE" in text
    log = (tmp_path / "stderr.log").read_text()
    assert "Traceback" not in log, log
