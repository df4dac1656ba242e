"""The MCP server's hard limits (issue 11): what an unexpected error, a hostile provider's
text, a locked ledger, an oversized argument or a foreign Host header does to a tool call.

Each test builds its own server; nothing reaches beyond loopback.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from mcp.client import Client
from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult, TextContent

from seedance_mcp.engine import Progress, Service
from seedance_mcp.ledger import Ledger
from seedance_mcp.models import Job, JobError, JobStatus, VideoRequest
from seedance_mcp.server import build_server
from seedance_mcp.server.progress import ProgressRelay
from seedance_mcp.settings import Settings

KEY = "np-live-limits-5b1e7c2a9d3f4e60a8c1b2d3"


def _text(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


class _Settings:
    def __init__(self) -> None:
        self.env = {"NANOPHOTO_API_KEY": KEY}


class _CrashingService:
    """A service whose every call fails the way no tool anticipates."""

    def __init__(self) -> None:
        self.settings = _Settings()

    def providers(self) -> Any:
        raise ValueError()  # no message at all: what `urlsplit("https://[::1/a.png")` gave

    async def generate(self, *_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(f"socket said {KEY}\nline two")

    def close(self) -> None:
        pass


def _crashing_server() -> MCPServer:
    return build_server(lambda: _CrashingService())  # type: ignore[arg-type, return-value]


# ---- finding 9: an unexpected exception is a readable, redacted error ------------------------


@pytest.mark.anyio
async def test_an_unexpected_exception_becomes_a_readable_error(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="seedance_mcp.server")
    async with Client(_crashing_server()) as client:
        listed = await client.call_tool("list_providers", {})
        generated = await client.call_tool("generate_video", {"prompt": "a fox", "wait_seconds": 0})
    assert listed.is_error and generated.is_error
    text = _text(listed)
    assert text.startswith("Error executing tool list_providers: ")
    assert "unexpected error (ValueError)" in text and "Nothing was changed" in text
    text = _text(generated)
    assert "unexpected error (RuntimeError: socket said <redacted> line two)" in text
    assert KEY not in text and "Traceback" not in text
    assert "list_jobs" in text and "check_status" in text
    # the traceback is on the server's log, redacted
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Traceback" in logged and "RuntimeError" in logged and KEY not in logged


# ---- finding 12: control characters in text content are shown escaped ------------------------

HOSTILE_ID = "task-\x1b[31mred\x07"
HOSTILE_ERROR = "content policy\x1b]0;owned\x07 \x9b2J rejected"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "SEEDANCE_HOME": str(tmp_path / "home"),
        "SEEDANCE_OUTPUT_DIR": str(tmp_path / "videos"),
        "SEEDANCE_SANDBOX": "1",
        "SEEDANCE_SANDBOX_SPEED": "0.01",
        **extra,
    }


def _server(env: dict[str, str]) -> MCPServer:
    return build_server(lambda: Service(settings=Settings.from_env(env)))


def _hostile_job(tmp_path: Path) -> str:
    job = Job(
        job_id="job_hostile0001",
        provider="nanophoto",
        provider_task_id=HOSTILE_ID,
        status=JobStatus.FAILED,
        error=JobError(code="provider_failed", message=HOSTILE_ERROR),
        request=VideoRequest(prompt="a fox"),
        sandbox=True,
    )
    with Ledger.open(tmp_path / "home") as ledger:
        ledger.create(job, idempotency_key="k-hostile")
    return job.job_id


@pytest.mark.anyio
async def test_text_content_shows_control_characters_escaped(tmp_path: Path) -> None:
    job_id = _hostile_job(tmp_path)
    async with Client(_server(_env(tmp_path))) as client:
        checked = await client.call_tool("check_status", {"job_id": job_id})
        listed = await client.call_tool("list_jobs", {})
    for result in (checked, listed):
        assert not result.is_error, _text(result)
        text = _text(result)
        assert not any(c in text for c in "\x1b\x07\x9b"), text
        # the structured content is data: the provider's values as they came
        assert result.structured_content is not None
    assert "\\x1b]0;owned\\x07 \\x9b2J rejected" in _text(checked)  # the next step quotes the error
    record = json.loads(_text(checked).split("\n\n", 1)[1])  # the record in the text is still JSON
    assert record["provider_task_id"] == HOSTILE_ID and record["error"]["message"] == HOSTILE_ERROR
    assert checked.structured_content is not None
    assert checked.structured_content["provider_task_id"] == HOSTILE_ID


@pytest.mark.anyio
async def test_progress_messages_show_control_characters_escaped() -> None:
    sent: list[str | None] = []

    class _Ctx:
        async def report_progress(self, value: float, total: float | None, message: str | None) -> None:
            sent.append(message)

    relay = ProgressRelay(_Ctx())  # type: ignore[arg-type]
    await relay(
        Progress(
            job_id="job_1", provider="nanophoto", phase="rendering", elapsed=1.0, expected=None,
            message=f"provider says {HOSTILE_ID}",
        )
    )  # fmt: skip
    assert sent == ["rendering: provider says task-\\x1b[31mred\\x07 (1 s elapsed)"]
