"""The files the sandbox serves: the shipped sample MP4, optionally padded to an exact size,
and a last-frame PNG of the same size.

Padding appends one top-level `free` box (32-bit size, or the 64-bit form past 4 GiB), which
every MP4 reader skips, so the file stays valid and playable. A padded file is produced in
chunks as it is sent and is never held in memory whole.
"""

from __future__ import annotations

import asyncio
import functools
import struct
import zlib
from collections.abc import Callable, Iterator
from importlib import resources

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

__all__ = [
    "CHUNK",
    "VideoResponse",
    "free_box_header",
    "iter_video",
    "last_frame_png",
    "sample_mp4",
    "video_length",
]

CHUNK = 64 * 1024
_FREE_MIN = 8  # the smallest `free` box: its own 8-byte header
_SMALL_BOX_MAX = 2**32 - 1
_ZEROS = bytes(CHUNK)


def sample_mp4() -> bytes:
    """The shipped sample (1 s, 160x90, H.264 + AAC), read from the package each time."""
    return resources.files("seedance_mcp").joinpath("assets", "sample.mp4").read_bytes()


FRAME_SIZE = (160, 90)  # the sample's picture size
FRAME_RGB = (32, 96, 160)


@functools.cache
def last_frame_png() -> bytes:
    """A valid 160x90 RGB PNG in one colour: the last frame of a clip (Ark's `last_frame_url`)."""
    width, height = FRAME_SIZE
    row = b"\x00" + bytes(FRAME_RGB) * width  # filter type 0, then the pixels
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(row * height, 9)),
            _png_chunk(b"IEND", b""),
        )
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def video_length(sample_size: int, video_size: int | None) -> int:
    """The size of the served file; raises `ValueError` if `video_size` cannot hold the sample."""
    if video_size is None or video_size == sample_size:
        return sample_size
    pad = video_size - sample_size
    if pad < _FREE_MIN:
        raise ValueError(
            f"SandboxConfig.video_size: {video_size}; allowed: None, {sample_size} (the sample), "
            f"or at least {sample_size + _FREE_MIN} (the sample plus an 8-byte free box)"
        )
    return video_size


def free_box_header(box_size: int) -> bytes:
    """The header of a `free` box of `box_size` bytes, header included."""
    if box_size <= _SMALL_BOX_MAX:
        return struct.pack(">I4s", box_size, b"free")
    return struct.pack(">I4sQ", 1, b"free", box_size)


def iter_video(sample: bytes, total: int, chunk: int = CHUNK) -> Iterator[bytes]:
    """The bytes of a `total`-byte file: the sample, then a `free` box filling the rest."""
    yield sample
    pad = total - len(sample)
    if pad <= 0:
        return
    header = free_box_header(pad)
    yield header
    left = pad - len(header)
    zeros = _ZEROS if chunk == CHUNK else bytes(chunk)
    while left > 0:
        n = min(left, chunk)
        yield zeros if n == chunk else zeros[:n]
        left -= n


class VideoResponse(Response):
    """`video/mp4` with the full Content-Length, streamed; `cut_at` stops the body there and
    drops the connection (the answer is left incomplete on purpose)."""

    media_type = "video/mp4"

    def __init__(
        self,
        sample: bytes,
        total: int,
        *,
        cut_at: int | None = None,
        on_cut: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(content=None, status_code=200, media_type=self.media_type)
        self.raw_headers = [(k, v) for k, v in self.raw_headers if k != b"content-length"]
        self.raw_headers.append((b"content-length", str(total).encode()))
        self._sample = sample
        self._total = total
        self._cut_at = cut_at
        self._on_cut = on_cut

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        if scope.get("method") == "HEAD" and self._cut_at is None:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        gone = asyncio.Event()
        watcher = asyncio.create_task(_watch_disconnect(receive, gone))
        try:
            await self._send_body(send, gone)
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)

    async def _send_body(self, send: Send, gone: asyncio.Event) -> None:
        limit = self._total if self._cut_at is None else self._cut_at
        sent = 0
        for piece in iter_video(self._sample, self._total):
            if gone.is_set():
                return  # the client went away: stop producing bytes nobody reads
            if sent + len(piece) > limit:
                piece = piece[: limit - sent]
            if piece:
                await send({"type": "http.response.body", "body": piece, "more_body": True})
                sent += len(piece)
            if sent >= limit:
                break
            await asyncio.sleep(0)  # let the disconnect watcher and other requests run
        if self._cut_at is None:
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        elif self._on_cut is not None and not gone.is_set():
            # Returning without the final body message makes the server close the connection.
            self._on_cut()


async def _watch_disconnect(receive: Receive, gone: asyncio.Event) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
    gone.set()
