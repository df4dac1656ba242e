"""Hostile job ids, video URLs and output folders never write outside the output folder and
never overwrite a file; every refusal is a clear error.

The file name of a video comes from the job id alone; the URL a provider returns decides only
what is fetched, never where it goes. Every test snapshots the whole temporary tree before and
after, so a stray write anywhere in it is caught.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from cli_harness import run_cli, simulator_env
from mcp.client import Client
from mcp.shared.exceptions import MCPError
from mcp_types import TextContent

from seedance_mcp import cli
from seedance_mcp.cli.render import next_step_text
from seedance_mcp.download import download_video
from seedance_mcp.engine import Service
from seedance_mcp.errors import DownloadError
from seedance_mcp.models import Job, JobStatus, VideoRequest
from seedance_mcp.sandbox import Sandbox, SandboxConfig
from seedance_mcp.sandbox.media import sample_mp4
from seedance_mcp.server import build_server
from seedance_mcp.settings import Settings

KEY = "sk-paths-FAKE-KEY-4a0e61"
SAMPLE = sample_mp4()
SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*(-[0-9]+)?\.mp4$")
HOSTILE_REFS = [
    "../../x",
    "/etc/passwd",
    "a\x00b",
    "x" * 5000,
    "..",
    ".",
    "job_../../../etc/passwd",
    "..%2F..%2Fx",
    "%",
    "job_%",
    "*",
    "' OR '1'='1",
    "line\nbreak",
    "C:\\Windows\\system32",
]


def tree(root: Path) -> dict[str, bytes | str]:
    """Every file and link under `root`, with its bytes (or where the link points)."""
    found: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            found[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            found[rel] = path.read_bytes()
    return found


def new_files(before: dict[str, bytes | str], after: dict[str, bytes | str]) -> dict[str, bytes | str]:
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    gone = set(before) - set(after)
    assert not gone, f"files disappeared: {sorted(gone)}"
    return changed


def not_ledger(files: dict[str, Any]) -> set[str]:
    return {name for name in files if not name.startswith("home/")}


# ---- hostile job references -------------------------------------------------------------------------


@pytest.fixture
def sandbox_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith("SEEDANCE") or name.endswith("_API_KEY"):
            monkeypatch.delenv(name)
    for name, value in {
        "SEEDANCE_SANDBOX": "1",
        "SEEDANCE_SANDBOX_SPEED": "0.0005",
        "SEEDANCE_HOME": str(tmp_path / "home"),
        "SEEDANCE_OUTPUT_DIR": str(tmp_path / "videos"),
        "SEEDANCE_POLL_INITIAL_DELAY": "0",
        "SEEDANCE_POLL_INTERVAL": "0.1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_hostile_job_references_are_clear_errors_that_touch_nothing(
    sandbox_cli: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["generate", "a kite over the dunes", "--no-wait", "--json"]) == 0
    real = json.loads(capsys.readouterr().out)
    before = tree(sandbox_cli)
    for ref in HOSTILE_REFS:
        for extra in ([], ["--wait", "--timeout", "1"]):
            code = cli.main(["status", ref, *extra, "--json"])
            out, err = capsys.readouterr()
            assert code == 2, (ref, out, err)
            error = json.loads(out)["error"]
            assert error["code"] == "job_not_found" and "seedance jobs" in error["message"]
            [line] = err.strip().splitlines()  # one line, even for a reference with a line break
            assert line.startswith("seedance: No job ") and "\x00" not in line
            assert "Traceback" not in err
    assert cli.main(["jobs", "--json"]) == 0
    assert [j["job_id"] for j in json.loads(capsys.readouterr().out)["jobs"]] == [real["job_id"]]
    assert not_ledger(new_files(before, tree(sandbox_cli))) == set()


@pytest.mark.anyio
async def test_hostile_job_references_over_mcp(tmp_path: Path) -> None:
    env = {
        "SEEDANCE_SANDBOX": "1",
        "SEEDANCE_HOME": str(tmp_path / "home"),
        "SEEDANCE_OUTPUT_DIR": str(tmp_path / "v"),
    }
    before = tree(tmp_path)
    async with Client(build_server(lambda: Service(Settings.from_env(env)))) as client:
        for ref in HOSTILE_REFS:
            result = await client.call_tool("check_status", {"job_id": ref, "wait_seconds": 1})
            text = "\n".join(b.text for b in result.content if isinstance(b, TextContent))
            assert result.is_error and "job_not_found" in text and "list_jobs" in text, ref
            with pytest.raises(MCPError) as refused:
                await client.read_resource(f"seedance://jobs/{ref}")
            assert str(refused.value).strip()
    assert not_ledger(new_files(before, tree(tmp_path))) == set()


# ---- hostile job ids in the file name ------------------------------------------------------------


def cdn() -> httpx2.MockTransport:
    """A CDN that serves the sample MP4 at any URL."""
    return httpx2.MockTransport(
        lambda request: httpx2.Response(200, content=SAMPLE, headers={"Content-Type": "video/mp4"})
    )


@pytest.mark.anyio
@pytest.mark.parametrize(
    "job_id",
    [
        "../../evil",
        "/etc/passwd",
        "a\x00b",
        "..",
        "",
        "-rf",
        "x" * 300,
        "ü/..\\..\\win",
        "job_1.mp4/../../x",
        "CON",
    ],
)
async def test_a_hostile_job_id_still_names_a_file_inside_the_folder(job_id: str, tmp_path: Path) -> None:
    folder = tmp_path / "deep" / "videos"
    before = tree(tmp_path)
    async with httpx2.AsyncClient(transport=cdn()) as http:
        first = await download_video(http, "https://cdn.example.com/v.mp4", folder, job_id)
        second = await download_video(http, "https://cdn.example.com/v.mp4", folder, job_id)
    assert first.parent == second.parent == folder and first != second
    for path in (first, second):
        assert SAFE_NAME.match(path.name), path.name
        assert path.read_bytes() == SAMPLE
    assert set(new_files(before, tree(tmp_path))) == {
        f"deep/videos/{first.name}",
        f"deep/videos/{second.name}",
    }


# ---- hostile video URLs from the provider ----------------------------------------------------------


class _Cdn(http.server.BaseHTTPRequestHandler):
    """Serves the sample MP4 at any path, except `/redirect?to=...`, which redirects there."""

    seen: list[str]

    def do_GET(self) -> None:
        self.seen.append(self.path)
        if self.path.startswith("/redirect?to="):
            self.send_response(302)
            self.send_header("Location", self.path.split("=", 1)[1])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(len(SAMPLE)))
        self.end_headers()
        self.wfile.write(SAMPLE)

    def log_message(self, format: str, *args: Any) -> None:
        return None


@pytest.fixture
def cdn_server() -> Iterator[tuple[str, list[str]]]:
    """A real HTTP server on loopback: (its URL, the request paths it saw)."""
    seen: list[str] = []
    handler = type("Cdn", (_Cdn,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def provider_api(video_url: str) -> httpx2.MockTransport:
    """NanoPhoto's API, answering every status check with a finished task at `video_url`."""

    def answer(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("/generate"):
            return httpx2.Response(200, json={"status": "processing", "taskId": "task_1", "creditsUsed": 8})
        return httpx2.Response(200, json={"status": "completed", "taskId": "task_1", "videoUrl": video_url})

    return httpx2.MockTransport(answer)


async def render_with(video_url: str, tmp_path: Path, *, base_url: str | None = None) -> Job:
    """A whole job through the Service: NanoPhoto (simulated) hands back `video_url`, and the
    download goes over real HTTP. `base_url` is where the provider claims to be: a loopback
    one makes its own host (the CDN fake's) reachable for the download, as the sandbox's is."""
    env = {
        "NANOPHOTO_API_KEY": KEY,
        "SEEDANCE_HOME": str(tmp_path / "home"),
        "SEEDANCE_OUTPUT_DIR": str(tmp_path / "a" / "b" / "videos"),
        "SEEDANCE_POLL_INITIAL_DELAY": "0",
        "SEEDANCE_POLL_INTERVAL": "0.1",
    }
    if base_url is not None:
        env["SEEDANCE_BASE_URL"] = base_url
    svc = Service(
        Settings.from_env(env),
        transport=provider_api(video_url),
        download_transport=httpx2.AsyncHTTPTransport(),
        sleep=_no_wait,
    )
    try:
        return await svc.generate(VideoRequest(prompt="../../evil.mp4"), wait_seconds=10)
    finally:
        svc.close()


async def _no_wait(seconds: float) -> None:
    return None


@pytest.mark.anyio
@pytest.mark.parametrize(
    "path",
    [
        "/files/../../evil.mp4",
        "/files/..%2F..%2Fevil.mp4",
        "/v.mp4?name=../../evil.mp4",
        "/a/b/../../../../../../evil.mp4#../../evil.mp4",
        "/redirect?to=/../../evil.mp4",
        "/redirect?to=../../../../evil.mp4",
    ],
)
async def test_a_video_url_never_chooses_where_the_file_goes(
    path: str, tmp_path: Path, cdn_server: tuple[str, list[str]]
) -> None:
    url, seen = cdn_server
    before = tree(tmp_path)
    job = await render_with(url + path, tmp_path, base_url=url)
    assert job.status is JobStatus.SUCCEEDED and job.video_path is not None, job
    video = Path(job.video_path)
    assert video == tmp_path / "a" / "b" / "videos" / f"{job.job_id}.mp4"
    assert video.read_bytes() == SAMPLE
    assert seen  # it really was fetched
    assert not_ledger(new_files(before, tree(tmp_path))) == {f"a/b/videos/{job.job_id}.mp4"}


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("video_url", "fetched", "needle"),
    [
        ("file:///etc/passwd", False, "scheme 'file' is not allowed"),
        ("javascript:alert(1)", False, "scheme 'javascript' is not allowed"),
        ("data:video/mp4;base64,AAAAIGZ0eXA=", False, "scheme 'data' is not allowed"),
        ("ftp://cdn.example.com/v.mp4", False, "scheme 'ftp' is not allowed"),
        ("http:///evil.mp4", False, "has no host name"),
        # Redirects are followed by the download itself, each target checked before it is asked.
        ("{cdn}/redirect?to=file:///etc/passwd", True, "scheme 'file' (a redirect from"),
        ("{cdn}/redirect?to=javascript:alert(1)", True, "scheme 'javascript' (a redirect from"),
    ],
)
async def test_a_video_url_that_is_not_http_is_refused_and_writes_nothing(
    video_url: str, fetched: bool, needle: str, tmp_path: Path, cdn_server: tuple[str, list[str]]
) -> None:
    url, seen = cdn_server
    before = tree(tmp_path)
    job = await render_with(video_url.format(cdn=url), tmp_path, base_url=url)
    assert job.status is JobStatus.SUCCEEDED and job.video_path is None
    assert job.error is not None and job.error.code == "video_url_refused", job
    assert needle in job.error.message
    assert f"seedance status {job.job_id}" in (next_step_text(job) or "")
    assert bool(seen) == fetched
    assert not_ledger(new_files(before, tree(tmp_path))) == set()


@pytest.mark.anyio
async def test_a_public_provider_cannot_send_the_download_to_loopback(
    tmp_path: Path, cdn_server: tuple[str, list[str]]
) -> None:
    # The provider is at its documented (public) address; a video URL on this machine's
    # loopback is refused before anything connects to it.
    url, seen = cdn_server
    job = await render_with(url + "/v.mp4", tmp_path)
    assert job.status is JobStatus.SUCCEEDED and job.video_path is None
    assert job.error is not None and job.error.code == "video_url_refused", job
    assert "loopback" in job.error.message and seen == []


# ---- the output folder --------------------------------------------------------------------------------


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxConfig(speed=0.001, valid_keys={KEY})) as sb:
        yield sb


def keyed_env(sb: Sandbox, tmp_path: Path, output: Path) -> dict[str, str]:
    return simulator_env(sb, "apixo", tmp_path, KEY, SEEDANCE_OUTPUT_DIR=str(output))


def run_json(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: dict[str, str], *argv: str
) -> tuple[int, Any, str]:
    code, out, err = run_cli(monkeypatch, capsys, env, *argv)
    assert "Traceback" not in err
    return code, json.loads(out), err


@pytest.mark.parametrize("where", ["a file", "below a file"])
def test_an_output_folder_that_is_a_file_is_refused_clearly_and_left_alone(
    where: str,
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    blocker = tmp_path / "videos"
    blocker.write_bytes(b"my notes, not a folder")
    output = blocker if where == "a file" else blocker / "sub"
    before = tree(tmp_path)
    env = keyed_env(sandbox, tmp_path, output)
    code, job, _ = run_json(monkeypatch, capsys, env, "generate", "a kite over the dunes", "--json")
    assert job["status"] == "succeeded" and job["video_path"] is None, job
    assert job["error"]["code"] == "download_failed"
    assert f"Cannot create the output folder {output}" in job["error"]["message"]
    assert "SEEDANCE_OUTPUT_DIR" in job["error"]["message"]
    assert f"seedance status {job['job_id']}" in job["next_step"]
    assert code == 0  # the render itself is done; the error and the notice carry the rest
    assert not_ledger(new_files(before, tree(tmp_path))) == set()

    # pointed at a real folder, `status` fetches the same render (no second task)
    env["SEEDANCE_OUTPUT_DIR"] = str(tmp_path / "fixed")
    code, done, _ = run_json(monkeypatch, capsys, env, "status", job["job_id"], "--json")
    assert code == 0 and done["video_path"] == str(tmp_path / "fixed" / f"{job['job_id']}.mp4")
    assert Path(done["video_path"]).read_bytes()[4:8] == b"ftyp" and done["error"] is None
    assert len(sandbox.tasks("apixo")) == 1
    assert blocker.read_bytes() == b"my notes, not a folder"


def test_files_and_links_already_named_after_the_job_are_never_overwritten_or_followed(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    videos = tmp_path / "videos"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"do not touch")
    env = keyed_env(sandbox, tmp_path, videos)
    code, job, _ = run_json(
        monkeypatch, capsys, env, "generate", "a kite over the dunes", "--no-download", "--json"
    )
    assert code == 0 and job["status"] == "succeeded" and job["video_path"] is None
    stem = job["job_id"]
    videos.mkdir()
    (videos / f"{stem}.mp4").write_bytes(b"precious earlier render")
    (videos / f"{stem}-2.mp4").symlink_to(outside / "secret.txt")
    (videos / f"{stem}-3.mp4").symlink_to(outside / "not-there.mp4")  # dangling
    (videos / f"{stem}-4.mp4").mkdir()
    before = tree(tmp_path)

    code, done, _ = run_json(monkeypatch, capsys, env, "status", stem, "--json")
    assert code == 0 and done["video_path"] == str(videos / f"{stem}-5.mp4")
    assert new_files(before, tree(tmp_path)).keys() - {"home/jobs.sqlite3", "home/jobs.sqlite3-wal"} == {
        f"videos/{stem}-5.mp4"
    }
    assert (videos / f"{stem}.mp4").read_bytes() == b"precious earlier render"
    assert (outside / "secret.txt").read_bytes() == b"do not touch"
    assert not (outside / "not-there.mp4").exists()
    assert (videos / f"{stem}-5.mp4").read_bytes()[4:8] == b"ftyp"


def test_no_tool_lets_an_agent_choose_a_path() -> None:
    import anyio

    async def schemas() -> dict[str, Any]:
        async with Client(build_server()) as client:
            return {tool.name: tool.input_schema for tool in (await client.list_tools()).tools}

    for name, schema in anyio.run(schemas).items():
        for arg in schema.get("properties", {}):
            assert not re.search(r"path|dir|folder|file|name", arg), f"{name}.{arg} could steer a write"


@pytest.mark.anyio
async def test_an_output_dir_smuggled_into_a_tool_call_goes_nowhere(tmp_path: Path) -> None:
    env = {
        "SEEDANCE_SANDBOX": "1",
        "SEEDANCE_SANDBOX_SPEED": "0.0005",
        "SEEDANCE_HOME": str(tmp_path / "home"),
        "SEEDANCE_OUTPUT_DIR": str(tmp_path / "videos"),
        "SEEDANCE_POLL_INITIAL_DELAY": "0",
    }
    before = tree(tmp_path)
    call = {"prompt": "../../elsewhere/evil.mp4", "duration": 4, "wait_seconds": 20}
    async with Client(build_server(lambda: Service(Settings.from_env(env)))) as client:
        smuggled = await client.call_tool(
            "generate_video",
            {
                **call,
                "output_dir": str(tmp_path / "elsewhere"),
                "video_path": str(tmp_path / "elsewhere" / "evil.mp4"),
            },
        )
        refused = tree(tmp_path)
        result = await client.call_tool("generate_video", call)
    # an argument the tool does not take is refused by name, before anything is written
    text = "\n".join(b.text for b in smuggled.content if isinstance(b, TextContent))
    assert smuggled.is_error and "output_dir:" in text and "video_path:" in text
    assert not_ledger(new_files(before, refused)) == set()
    assert not result.is_error
    job = result.structured_content
    assert job is not None and job["status"] == "succeeded"
    assert not_ledger(new_files(before, tree(tmp_path))) == {f"videos/{job['job_id']}.mp4"}
    with pytest.raises(DownloadError):  # and the module itself refuses what is not http(s)
        async with httpx2.AsyncClient(transport=cdn()) as http:
            await download_video(http, "file:///etc/passwd", tmp_path / "videos", "job_x")
