"""The MCP server's hard limits (issue 11): what an unexpected error, a hostile provider's
text, a locked ledger, an oversized argument or a foreign Host header does to a tool call.

Each test builds its own server; nothing reaches beyond loopback.
"""

from __future__ import annotations

import json
import logging
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
import uvicorn
from mcp.client import Client
from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult, TextContent

from seedance_mcp.craft import draft
from seedance_mcp.craft.limits import IDEA_MAX_CHARS, MAX_SHOTS, PROMPT_MAX_CHARS
from seedance_mcp.engine import Progress, Service
from seedance_mcp.ledger import LEDGER_FILE, Ledger
from seedance_mcp.models import Job, JobError, JobStatus, VideoRequest
from seedance_mcp.server import build_server, main
from seedance_mcp.server.http import TOKEN_ENV, HostGuard, http_app, normal_host
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

    def providers(self, model: str | None = None) -> Any:
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


# ---- finding 4: DNS rebinding: a loopback bind answers only requests for itself ---------------

_INITIALIZE = json.dumps(
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"},
        },
    }
).encode()


def _free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as s:
        s.bind((host if family == socket.AF_INET6 else socket.gethostbyname(host), 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def _serving(host: str, token: str | None = None) -> Iterator[int]:
    """The real HTTP app on `host` (any spelling), in uvicorn on a thread; yields the port."""
    port = _free_port(host)
    app = http_app(build_server(), host, port, token)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), f"the server on {host} did not start"
        time.sleep(0.02)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(10)


def _post(host: str, port: int, headers: dict[str, str]) -> int:
    """A raw HTTP POST of an MCP initialize to /mcp with exactly `headers`; the status code."""
    lines = [f"{k}: {v}" for k, v in headers.items()]
    head = "\r\n".join(["POST /mcp HTTP/1.1", *lines, f"Content-Length: {len(_INITIALIZE)}", "", ""])
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(head.encode() + _INITIALIZE)
        status_line = conn.makefile("rb").readline().decode()
    return int(status_line.split()[1])


_MCP_HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json, text/event-stream",
    "Connection": "close",
}


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "LOCALHOST", "0:0:0:0:0:0:0:1", "::1"])
def test_a_loopback_bind_refuses_a_foreign_host_or_origin(host: str) -> None:
    own = f"[{normal_host(host)}]" if ":" in host else host.lower()
    with _serving(host) as port:

        def post(**extra: str) -> int:
            return _post(host, port, {**_MCP_HEADERS, **extra})

        assert post(Host="attacker.example") == 421
        assert post(Host=f"attacker.example:{port}") == 421
        assert post(Host=f"{own}:{port + 1}") == 421  # another port is another server
        assert post(Host=f"{own}:{port}", Origin="http://attacker.example") == 403
        assert post(Host=f"{own}:{port}", Origin="null") == 403
        assert post(Host=f"{own}:{port}") == 200
        assert post(Host=f"{host.upper()}:{port}" if ":" not in host else f"[{host}]:{port}") == 200
        assert post(Host=f"localhost:{port}", Origin=f"http://localhost:{port}") == 200


def test_host_guard_reads_every_spelling_of_the_bound_host() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        pass

    guard = HostGuard(app, "0:0:0:0:0:0:0:1", 8000)
    for ok in ("[::1]:8000", "[0:0::1]", "LOCALHOST:8000", "127.0.0.1", "localhost"):
        assert guard.allows_host(ok), ok
    for bad in ("[::1]:8001", "::1", "[::1", "[::1]x", "localhost:", "localhost:99999", "", "evil.test"):
        assert not guard.allows_host(bad), bad
    assert guard.allows_origin("http://[::1]:6274") and guard.allows_origin("https://LOCALHOST")
    for bad in ("null", "http://evil.test", "file://localhost", "http://[::1", "http://localhost:99999"):
        assert not guard.allows_origin(bad), bad


# ---- finding 10 (server side): a weak token is refused at start-up ----------------------------


@pytest.mark.parametrize("token", ["x", "short-but-not-32-characters"])
def test_streamable_http_refuses_a_weak_token(token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, token)
    weak = rf"{TOKEN_ENV}: too weak \({len(token)} characters.*at least 32"
    with pytest.raises(SystemExit, match=weak) as exc:
        main(["--transport", "streamable-http", "--host", "0.0.0.0", "--port", "8765"])
    assert len(token) < 4 or token not in str(exc.value)  # the value itself is never shown


# ---- finding 3 (server side): a locked ledger delays only the calls that need it ---------------


@pytest.mark.anyio
async def test_a_locked_ledger_does_not_freeze_the_other_tools(tmp_path: Path) -> None:
    env = _env(tmp_path)
    (tmp_path / "home").mkdir()
    # another process holds the ledger: every read and write of it waits (busy timeout 30 s)
    holder = sqlite3.connect(tmp_path / "home" / LEDGER_FILE, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    async with Client(_server(env)) as client:
        listed: list[CallToolResult] = []
        try:
            async with anyio.create_task_group() as tg:

                async def blocked() -> None:
                    listed.append(await client.call_tool("list_jobs", {}))

                tg.start_soon(blocked)
                await anyio.sleep(0.2)  # list_jobs is now waiting on the lock
                for name, args in (("list_providers", {}), ("estimate_credits", {"provider": "nanophoto"})):
                    with anyio.fail_after(2):  # well inside the ledger's 30 s busy timeout
                        result = await client.call_tool(name, args)
                    assert not result.is_error, _text(result)
                assert listed == []  # still waiting: the lock is real
                holder.execute("ROLLBACK")
        finally:
            holder.close()
    assert len(listed) == 1 and not listed[0].is_error


# ---- finding 8 (server side): capped inputs, drafting off the event loop ----------------------


@pytest.mark.anyio
async def test_every_text_input_is_capped_in_the_schema(tmp_path: Path) -> None:
    async with Client(_server(_env(tmp_path))) as client:
        tools = {tool.name: tool.input_schema["properties"] for tool in (await client.list_tools()).tools}

    def cap(prop: dict[str, Any]) -> dict[str, Any]:
        return next(arm for arm in prop.get("anyOf", [prop]) if arm.get("type") != "null")

    for tool, props in tools.items():
        for name, prop in props.items():
            arm = cap(prop)
            if arm.get("type") == "string" and "enum" not in arm:
                assert arm.get("maxLength"), f"{tool}.{name} has no cap"
                assert f"{arm['maxLength']} characters" in prop["description"], f"{tool}.{name}"
            if arm.get("type") == "array":
                assert arm.get("maxItems") and arm["items"].get("maxLength"), f"{tool}.{name}"
    assert cap(tools["write_cinematic_prompt"]["idea"])["maxLength"] == IDEA_MAX_CHARS
    assert cap(tools["generate_video"]["prompt"])["maxLength"] == PROMPT_MAX_CHARS
    assert cap(tools["write_cinematic_prompt"]["shots"])["maxItems"] == MAX_SHOTS


@pytest.mark.anyio
async def test_an_oversized_idea_is_refused_at_once_naming_the_field_and_the_cap(tmp_path: Path) -> None:
    async with Client(_server(_env(tmp_path))) as client:
        for size in (IDEA_MAX_CHARS + 1, 4_000_000):
            started = time.monotonic()
            result = await client.call_tool(
                "write_cinematic_prompt", {"idea": "a fox runs " * (size // 11 + 1)}
            )
            assert time.monotonic() - started < 2
            assert result.is_error
            text = _text(result)
            assert "idea: " in text and f"text of at most {IDEA_MAX_CHARS} characters" in text, text
            assert len(text) < 1000  # the value is quoted shortened, not echoed whole
        shots = await client.call_tool("write_cinematic_prompt", {"idea": "a fox", "shots": ["a"] * 21})
        assert shots.is_error and f"at most {MAX_SHOTS} entries" in _text(shots)
        prompt = await client.call_tool("generate_video", {"prompt": "x" * (PROMPT_MAX_CHARS + 1)})
        assert prompt.is_error and "Nothing was run or submitted" in _text(prompt)
        assert "prompt: " in _text(prompt) and f"{PROMPT_MAX_CHARS} characters" in _text(prompt)


@pytest.mark.anyio
async def test_drafting_does_not_block_other_tool_calls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = draft.write_cinematic_prompt

    def slow(*args: Any, **kwargs: Any) -> Any:  # a large idea's CPU time, made certain
        time.sleep(1.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(draft, "write_cinematic_prompt", slow)
    done: list[CallToolResult] = []
    async with Client(_server(_env(tmp_path))) as client, anyio.create_task_group() as tg:

        async def drafting() -> None:
            done.append(
                await client.call_tool(
                    "write_cinematic_prompt", {"idea": "a fox crossing a snowy road at dawn " * 20}
                )
            )

        tg.start_soon(drafting)
        await anyio.sleep(0.2)
        with anyio.fail_after(1):
            listed = await client.call_tool("list_providers", {})
        assert not listed.is_error and done == []
    assert len(done) == 1 and not done[0].is_error, _text(done[0])


@pytest.mark.anyio
async def test_a_blank_lint_text_is_refused_under_the_argument_name_lint() -> None:
    async with Client(build_server()) as client:
        result = await client.call_tool("write_cinematic_prompt", {"lint": "   "})
    assert result.is_error and "write_cinematic_prompt: lint: there is no prompt" in _text(result)
    assert '"field": "lint"' in _text(result)
