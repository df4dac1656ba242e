"""The video download: streamed, verified, retried when cut off, never over an existing file."""

from __future__ import annotations

import gzip
import re
import tracemalloc
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx2
import pytest
from fakes import FakeClock

from seedance_mcp import download
from seedance_mcp.download import download_video, safe_stem
from seedance_mcp.errors import DownloadError
from seedance_mcp.retry import RetryPolicy

# A minimal MP4 header (size, "ftyp", brand) followed by a recognisable body.
VIDEO = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + bytes(range(256)) * 400
URL = "https://cdn.example.com/videos/abc.mp4?X-Signature=SIGNED-SECRET"
JOB = "job_0123456789ab"


Handler = Callable[[httpx2.Request], httpx2.Response]


class Server:
    """Answers requests from a script of responses (the last one repeats); counts them."""

    def __init__(self, *responses: Callable[[], httpx2.Response]) -> None:
        self.responses = responses
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return self.responses[min(len(self.requests), len(self.responses)) - 1]()


def ok() -> httpx2.Response:
    return httpx2.Response(200, headers={"Content-Type": "video/mp4"}, content=VIDEO)


def truncated() -> httpx2.Response:
    return httpx2.Response(200, headers={"Content-Length": str(len(VIDEO))}, content=VIDEO[:5000])


def status(code: int, **headers: str) -> Callable[[], httpx2.Response]:
    return lambda: httpx2.Response(code, headers=headers, content=b"<html>nope</html>")


def reset_mid_stream() -> httpx2.Response:
    async def body() -> AsyncIterator[bytes]:
        yield VIDEO[:4096]
        raise httpx2.ReadError("connection reset by peer")

    return httpx2.Response(200, headers={"Content-Length": str(len(VIDEO))}, content=body())


def client_for(server: Server, **kwargs: object) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=httpx2.MockTransport(server), **kwargs)  # type: ignore[arg-type]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.anyio
async def test_happy_path_streams_the_video_under_the_job_id(tmp_path: Path) -> None:
    server, clock = Server(ok), FakeClock()
    out = tmp_path / "videos" / "nested"
    async with client_for(server) as client:
        path = await download_video(client, URL, out, JOB, sleep=clock.sleep, chunk_size=1000)
        assert not client.is_closed  # the caller's client stays open
    assert path == out / f"{JOB}.mp4"
    assert path.read_bytes() == VIDEO
    assert leftovers(out) == [f"{JOB}.mp4"]
    assert clock.delays == []
    assert len(server.requests) == 1
    assert "authorization" not in server.requests[0].headers


@pytest.mark.anyio
async def test_follows_a_redirect_to_the_cdn(tmp_path: Path) -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.host == "api.example.com":
            return httpx2.Response(302, headers={"Location": "https://cdn.example.com/final.mp4"})
        return ok()

    async with httpx2.AsyncClient(transport=httpx2.MockTransport(handler)) as client:
        path = await download_video(
            client, "https://api.example.com/v/1", tmp_path, JOB, sleep=FakeClock().sleep
        )
    assert path.read_bytes() == VIDEO


@pytest.mark.anyio
@pytest.mark.parametrize("cut", [truncated, reset_mid_stream], ids=["short-body", "reset"])
async def test_a_cut_off_download_is_retried(tmp_path: Path, cut: Callable[[], httpx2.Response]) -> None:
    server, clock = Server(cut, ok), FakeClock()
    async with client_for(server) as client:
        path = await download_video(client, URL, tmp_path, JOB, sleep=clock.sleep)
    assert path.read_bytes() == VIDEO
    assert len(server.requests) == 2
    assert len(clock.delays) == 1
    assert clock.delays[0] > 0
    assert leftovers(tmp_path) == [f"{JOB}.mp4"]


@pytest.mark.anyio
async def test_always_cut_off_gives_up_and_leaves_nothing(tmp_path: Path) -> None:
    server, clock = Server(truncated), FakeClock()
    async with client_for(server) as client:
        with pytest.raises(DownloadError, match=r"after 3 attempt\(s\).*got 5000 of") as err:
            await download_video(client, URL, tmp_path / "out", JOB, sleep=clock.sleep)
    assert err.value.retryable
    assert len(server.requests) == 3
    assert len(clock.delays) == 2
    assert 0 < clock.delays[0] < clock.delays[1]  # backoff grows
    assert leftovers(tmp_path / "out") == []


@pytest.mark.anyio
@pytest.mark.parametrize(
    "body", [b"<!DOCTYPE html><html><body>Access denied</body></html>", b"", b"\x00\x00"], ids=repr
)
async def test_something_that_is_not_an_mp4_is_refused(tmp_path: Path, body: bytes) -> None:
    server = Server(lambda: httpx2.Response(200, headers={"Content-Type": "text/html"}, content=body))
    clock = FakeClock()
    async with client_for(server) as client:
        with pytest.raises(DownloadError, match="did not return an MP4") as err:
            await download_video(client, URL, tmp_path, JOB, sleep=clock.sleep)
    assert err.value.code == "not_a_video"
    assert len(server.requests) == 1
    assert leftovers(tmp_path) == []


@pytest.mark.anyio
async def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / f"{JOB}.mp4").write_bytes(b"the user's own file")
    (tmp_path / f"{JOB}-2.mp4").write_bytes(VIDEO)  # even an identical copy is kept as is
    async with client_for(Server(ok)) as client:
        first = await download_video(client, URL, tmp_path, JOB, sleep=FakeClock().sleep)
        second = await download_video(client, URL, tmp_path, JOB, sleep=FakeClock().sleep)
    assert first == tmp_path / f"{JOB}-3.mp4"
    assert second == tmp_path / f"{JOB}-4.mp4"
    assert (tmp_path / f"{JOB}.mp4").read_bytes() == b"the user's own file"
    assert first.read_bytes() == second.read_bytes() == VIDEO
    assert len(leftovers(tmp_path)) == 4


@pytest.mark.anyio
@pytest.mark.parametrize("job_id", ["../../etc/passwd", "a/b", "..", "", "-rf", "/abs/path", "a\\b\x00c"])
async def test_hostile_job_ids_stay_inside_the_output_dir(tmp_path: Path, job_id: str) -> None:
    out = tmp_path / "sandbox" / "out"
    async with client_for(Server(ok)) as client:
        path = await download_video(client, URL, out, job_id, sleep=FakeClock().sleep)
    assert path.parent == out
    assert re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_-]*\.mp4", path.name)
    assert path.read_bytes() == VIDEO
    assert leftovers(out) == [path.name]
    assert leftovers(tmp_path) == ["sandbox"]
    assert leftovers(tmp_path / "sandbox") == ["out"]


def test_safe_stem_keeps_ordinary_job_ids() -> None:
    assert safe_stem(JOB) == JOB
    assert safe_stem("job-A_9") == "job-A_9"
    assert safe_stem("") == "video"
    assert safe_stem("x" * 500) == "x" * 100


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("file:///etc/passwd", "file"),
        ("ftp://cdn.example.com/v.mp4", "ftp"),
        ("javascript:alert(1)", "javascript"),
        ("/relative/v.mp4", "(none)"),
    ],
)
async def test_only_http_urls_are_downloaded(tmp_path: Path, url: str, scheme: str) -> None:
    server = Server(ok)
    async with client_for(server) as client:
        with pytest.raises(DownloadError, match=re.escape(scheme)) as err:
            await download_video(client, url, tmp_path / "out", JOB, sleep=FakeClock().sleep)
    assert not err.value.retryable
    assert server.requests == []
    assert not (tmp_path / "out").exists()


@pytest.mark.anyio
@pytest.mark.parametrize("code", [403, 404, 410])
async def test_an_expired_url_is_not_retried_and_says_what_to_do(tmp_path: Path, code: int) -> None:
    server, clock = Server(status(code)), FakeClock()
    async with client_for(server) as client:
        with pytest.raises(DownloadError, match=rf"HTTP {code}.*expired.*Check job {JOB} again") as err:
            await download_video(client, URL, tmp_path, JOB, sleep=clock.sleep)
    assert err.value.code == "video_url_expired"
    assert not err.value.retryable
    assert JOB in err.value.message
    assert len(server.requests) == 1
    assert clock.delays == []
    assert leftovers(tmp_path) == []


@pytest.mark.anyio
async def test_other_client_errors_are_not_retried(tmp_path: Path) -> None:
    server, clock = Server(status(400)), FakeClock()
    async with client_for(server) as client:
        with pytest.raises(DownloadError, match="HTTP 400"):
            await download_video(client, URL, tmp_path, JOB, sleep=clock.sleep)
    assert len(server.requests) == 1


@pytest.mark.anyio
async def test_503_is_retried_with_growing_backoff(tmp_path: Path) -> None:
    server, clock = Server(status(503), status(503), ok), FakeClock()
    async with client_for(server) as client:
        path = await download_video(client, URL, tmp_path, JOB, sleep=clock.sleep)
    assert path.read_bytes() == VIDEO
    assert len(server.requests) == 3
    assert len(clock.delays) == 2
    assert 1.0 <= clock.delays[0] <= 1.25
    assert 2.0 <= clock.delays[1] <= 2.5


@pytest.mark.anyio
async def test_429_honours_retry_after(tmp_path: Path) -> None:
    server, clock = Server(status(429, **{"Retry-After": "7"}), ok), FakeClock()
    async with client_for(server) as client:
        await download_video(client, URL, tmp_path, JOB, sleep=clock.sleep)
    assert clock.delays == [7.0]


@pytest.mark.anyio
async def test_errors_never_show_headers_or_signed_query(tmp_path: Path) -> None:
    server = Server(status(500))
    headers = {"Authorization": "Bearer sk-must-not-leak", "X-Trace": "header-secret"}
    async with client_for(server, headers=headers) as client:
        with pytest.raises(DownloadError) as err:
            await download_video(
                client, URL, tmp_path, JOB, retry=RetryPolicy(attempts=2), sleep=FakeClock().sleep
            )
    text = str(err.value) + repr(err.value.to_dict())
    assert "cdn.example.com/videos/abc.mp4" in text
    for secret in ("sk-must-not-leak", "header-secret", "SIGNED-SECRET"):
        assert secret not in text


@pytest.mark.anyio
async def test_too_large_a_body_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(download, "MAX_VIDEO_BYTES", 1000)

    async def unsized() -> AsyncIterator[bytes]:
        yield VIDEO

    for response in (ok, lambda: httpx2.Response(200, content=unsized())):
        server = Server(response)
        async with client_for(server) as client:
            with pytest.raises(DownloadError, match="larger than"):
                await download_video(client, URL, tmp_path, JOB, sleep=FakeClock().sleep)
        assert len(server.requests) == 1
    assert leftovers(tmp_path) == []


@pytest.mark.anyio
async def test_memory_stays_flat_for_a_large_video(tmp_path: Path) -> None:
    chunk = VIDEO[:65536]
    count = 256  # 16 MiB

    async def body() -> AsyncIterator[bytes]:
        for _ in range(count):
            yield chunk

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, headers={"Content-Length": str(len(chunk) * count)}, content=body())

    tracemalloc.start()
    try:
        async with httpx2.AsyncClient(transport=httpx2.MockTransport(handler)) as client:
            path = await download_video(client, URL, tmp_path, JOB, sleep=FakeClock().sleep)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert path.stat().st_size == len(chunk) * count
    assert peak < 4 * 1024 * 1024, f"peak {peak} bytes for a 16 MiB download"


@pytest.mark.anyio
async def test_attempts_must_be_positive(tmp_path: Path) -> None:
    async with client_for(Server(ok)) as client:
        with pytest.raises(ValueError, match="attempts"):
            await download_video(client, URL, tmp_path, JOB, retry=RetryPolicy(attempts=0))


@pytest.mark.anyio
async def test_a_compressed_body_is_refused_never_decompressed(tmp_path: Path) -> None:
    # 215 KB of gzip that would inflate to 200 MB: asked for identity, refused unread.
    packed = gzip.compress(VIDEO[:24] + bytes(200 << 20), compresslevel=1)
    read: list[int] = []

    async def body() -> AsyncIterator[bytes]:
        read.append(1)
        yield packed

    def reply() -> httpx2.Response:
        headers = {"Content-Encoding": "gzip", "Content-Length": str(len(packed))}
        return httpx2.Response(200, headers=headers, content=body())

    server = Server(reply)
    async with client_for(server) as client:
        with pytest.raises(DownloadError, match="compressed body") as err:
            await download_video(client, URL, tmp_path, JOB, sleep=FakeClock().sleep)
    assert err.value.code == "not_a_video" and not err.value.retryable
    assert server.requests[0].headers["accept-encoding"] == "identity"
    assert len(server.requests) == 1 and read == []
    assert leftovers(tmp_path) == []


def test_a_content_length_of_non_ascii_digits_is_not_a_length() -> None:
    # str.isdigit() is true for "²", but int("²") raises: such a header is no length at all.
    response = httpx2.Response(200, headers=[(b"Content-Length", "²".encode("latin-1"))])
    assert download._content_length(response) is None
