"""Downloads against a hostile provider: URLs and redirects to hosts it must not reach, huge
or fake bodies, and a disk that refuses even the clean-up (issue 11, findings 6, 8 and 9).

The redirect checks run against a raw-socket server on loopback, so a refusal is seen to
happen before any connection: a listener on the forbidden address counts what it accepts.
"""

from __future__ import annotations

import errno
import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import anyio
import httpx2
import pytest
from fakes import FakeClock

from seedance_mcp.download import MAX_REDIRECTS, MAX_VIDEO_BYTES, download_video, loopback_hosts
from seedance_mcp.errors import DownloadError
from seedance_mcp.sandbox.media import sample_mp4

JOB = "job_hostile0001"


class RawServer:
    """A loopback HTTP/1.1 server of one canned answer per request path; counts connections."""

    def __init__(self, host: str, answers: dict[str, bytes]) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind((host, 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.host, self.port = self.sock.getsockname()[:2]
        self.answers = answers
        self.connections = 0
        self.paths: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            with conn:
                conn.settimeout(2)
                data = b""
                while b"\r\n\r\n" not in data:
                    piece = conn.recv(4096)
                    if not piece:
                        break
                    data += piece
                path = data.split(b" ", 2)[1].decode() if data.count(b" ") >= 2 else "/"
                self.paths.append(path)
                conn.sendall(self.answers.get(path, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


def redirect(location: str) -> bytes:
    head = f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n"
    return head.encode() + b"\r\n"


def video(body: bytes, **headers: str) -> bytes:
    head = {"Content-Type": "video/mp4", "Content-Length": str(len(body)), "Connection": "close", **headers}
    lines = "".join(f"{k}: {v}\r\n" for k, v in head.items())
    return f"HTTP/1.1 200 OK\r\n{lines}\r\n".encode() + body


@pytest.fixture
def servers() -> Iterator[Callable[[str, dict[str, bytes]], RawServer]]:
    made: list[RawServer] = []

    def make(host: str, answers: dict[str, bytes]) -> RawServer:
        made.append(RawServer(host, answers))
        return made[-1]

    yield make
    for server in made:
        server.close()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.anyio
async def test_the_sandbox_host_named_as_allowed_is_downloaded_from(
    tmp_path: Path, servers: Callable[[str, dict[str, bytes]], RawServer]
) -> None:
    sample = sample_mp4()
    provider = servers("127.0.0.1", {"/v/1": redirect("/files/1.mp4"), "/files/1.mp4": video(sample)})
    async with httpx2.AsyncClient() as client:
        path = await download_video(
            client,
            f"{provider.url}/v/1",
            tmp_path,
            JOB,
            sleep=FakeClock().sleep,
            allowed_hosts=loopback_hosts(f"{provider.url}/nanophoto"),
        )
    assert path.read_bytes() == sample
    assert provider.paths == ["/v/1", "/files/1.mp4"]


@pytest.mark.anyio
async def test_a_loopback_video_url_is_refused_unless_its_host_is_allowed(
    tmp_path: Path, servers: Callable[[str, dict[str, bytes]], RawServer]
) -> None:
    provider = servers("127.0.0.1", {"/files/1.mp4": video(sample_mp4())})
    async with httpx2.AsyncClient() as client:
        with pytest.raises(DownloadError, match="loopback") as err:
            await download_video(
                client, f"{provider.url}/files/1.mp4", tmp_path, JOB, sleep=FakeClock().sleep
            )
    assert err.value.code == "video_url_refused" and not err.value.retryable
    assert provider.connections == 0
    assert leftovers(tmp_path) == []


@pytest.mark.anyio
async def test_a_redirect_to_another_loopback_address_is_refused_before_connecting(
    tmp_path: Path, servers: Callable[[str, dict[str, bytes]], RawServer]
) -> None:
    other = servers("127.0.0.2", {"/steal": video(sample_mp4())})
    provider = servers("127.0.0.1", {"/v/1": redirect(f"{other.url}/steal")})
    async with httpx2.AsyncClient() as client:
        with pytest.raises(DownloadError, match=r"127\.0\.0\.2.*a redirect from") as err:
            await download_video(
                client,
                f"{provider.url}/v/1",
                tmp_path,
                JOB,
                sleep=FakeClock().sleep,
                allowed_hosts=loopback_hosts(provider.url),
            )
    assert err.value.code == "video_url_refused"
    assert provider.paths == ["/v/1"]
    await anyio.sleep(0.3)  # give the other listener time to see a connection, had there been one
    assert other.connections == 0
    assert leftovers(tmp_path) == []


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("location", "why"),
    [
        ("http://10.0.0.1/v.mp4", "loopback, private or reserved"),
        ("http://169.254.169.254/latest/meta-data/", "loopback, private or reserved"),
        ("http://[::1]:8080/v.mp4", "loopback, private or reserved"),
        ("http://localhost./v.mp4", "only reachable from this machine"),
        ("http://0x7f000001/v.mp4", "loopback, private or reserved"),
        ("file:///etc/passwd", "scheme 'file'"),
        ("http://alice:hunter2secret@cdn.example.com/v.mp4", "user name or password"),
        ("http://[::1/v.mp4", "Cannot download"),
    ],
)
async def test_a_redirect_to_a_forbidden_place_is_never_requested(
    tmp_path: Path, location: str, why: str
) -> None:
    asked: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        asked.append(str(request.url))
        if request.url.host == "cdn.example.com" and request.url.path == "/v/1":
            return httpx2.Response(302, headers={"Location": location})
        return httpx2.Response(200, content=sample_mp4())

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(handler)) as client:
        with pytest.raises(DownloadError, match=why) as err:
            await download_video(
                client, "https://cdn.example.com/v/1", tmp_path, JOB, sleep=FakeClock().sleep
            )
    assert err.value.code in ("video_url_refused", "download_failed") and not err.value.retryable
    assert asked == ["https://cdn.example.com/v/1"]
    assert "hunter2secret" not in err.value.message
    assert leftovers(tmp_path) == []


@pytest.mark.anyio
async def test_a_redirect_loop_stops_after_the_limit(tmp_path: Path) -> None:
    asked: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        asked.append(request.url.path)
        return httpx2.Response(302, headers={"Location": f"/hop/{len(asked)}"})

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(handler)) as client:
        with pytest.raises(DownloadError, match=f"more than {MAX_REDIRECTS} times"):
            await download_video(client, "https://cdn.example.com/v", tmp_path, JOB, sleep=FakeClock().sleep)
    assert len(asked) == MAX_REDIRECTS + 1


def test_loopback_hosts_names_only_a_loopback_base_url() -> None:
    assert loopback_hosts("http://127.0.0.1:8765/nanophoto") == {"127.0.0.1"}
    assert loopback_hosts("http://[::1]:9/x") == {"::1"}
    assert loopback_hosts("http://LOCALHOST.:9/x") == {"localhost"}
    assert loopback_hosts("https://api.nanophoto.ai/v1") == frozenset()
    assert loopback_hosts("http://10.0.0.5/v1") == frozenset()
    assert loopback_hosts(None) == frozenset()
    assert loopback_hosts("http://[::1/x") == frozenset()


# ---- sizes and signatures ------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_content_length_over_the_cap_is_refused_before_reading(tmp_path: Path) -> None:
    assert MAX_VIDEO_BYTES == 512 << 20
    read: list[int] = []

    async def zeros() -> AsyncIterator[bytes]:
        read.append(1)
        yield b"\x00\x00\x00\x18ftypisom" + bytes(1 << 16)

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers={"Content-Length": str(2 << 30)}, content=zeros())

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(handler)) as client:
        with pytest.raises(DownloadError, match="larger than 512 MiB") as err:
            await download_video(
                client, "https://cdn.example.com/v.mp4", tmp_path, JOB, sleep=FakeClock().sleep
            )
    assert not err.value.retryable and read == []
    assert leftovers(tmp_path) == []


@pytest.mark.anyio
@pytest.mark.parametrize(
    "head",
    [
        bytes(64),  # zeros
        b"\x00\x00\x00\x00ftypisom" + bytes(52),  # an ftyp box of size 0
        b"\x00\x00\x00\x18ftyp\x00\x00\x00\x00" + bytes(52),  # no printable brand
        b"\x7f\xff\xff\xffftypisom" + bytes(52),  # a 2 GiB ftyp box
        b"\x00\x00\x00\x18ftyp",  # cut off after the type
    ],
    ids=["zeros", "size-0", "brand", "huge-box", "short"],
)
async def test_a_body_that_only_looks_like_mp4_is_refused(tmp_path: Path, head: bytes) -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers={"Content-Type": "video/mp4"}, content=head)

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(handler)) as client:
        with pytest.raises(DownloadError, match="did not return an MP4") as err:
            await download_video(
                client, "https://cdn.example.com/v.mp4", tmp_path, JOB, sleep=FakeClock().sleep
            )
    assert err.value.code == "not_a_video"
    assert leftovers(tmp_path) == []


# ---- a disk that refuses ---------------------------------------------------------------------


def _read_only(*args: object, **kwargs: object) -> None:
    raise OSError(errno.EROFS, "Read-only file system")


@pytest.mark.anyio
async def test_a_read_only_output_dir_reports_the_write_not_the_clean_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a read-only mount both the .part file and its removal fail with EROFS; the first
    # error is the one to tell, and it must stay a DownloadError (a JSON error, not a traceback).
    async def no_open(*args: object, **kwargs: object) -> None:
        _read_only()

    monkeypatch.setattr(anyio, "open_file", no_open)
    monkeypatch.setattr(Path, "unlink", _read_only)

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=sample_mp4())

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(handler)) as client:
        with pytest.raises(DownloadError, match=r"Cannot write the video.*Read-only file system") as err:
            await download_video(
                client, "https://cdn.example.com/v.mp4", tmp_path, JOB, sleep=FakeClock().sleep
            )
    assert not err.value.retryable


@pytest.mark.anyio
async def test_a_failing_clean_up_never_replaces_the_download_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Path, "unlink", _read_only)

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(410)

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(handler)) as client:
        with pytest.raises(DownloadError) as err:
            await download_video(
                client, "https://cdn.example.com/v.mp4", tmp_path, JOB, sleep=FakeClock().sleep
            )
    assert err.value.code == "video_url_expired"
