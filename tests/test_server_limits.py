"""The MCP server's hard limits (issue 11): what an unexpected error, a hostile provider's
text, a locked ledger, an oversized argument or a foreign Host header does to a tool call.

Each test builds its own server; nothing reaches beyond loopback.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from mcp.client import Client
from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult, TextContent

from seedance_mcp.server import build_server

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
