"""A picture recognised by its content, never by its name: PNG or JPEG, with a header that
decodes (size, colour layout) and a file that ends where the format says it ends.

`read_image` is pure (bytes in, facts or `DownloadError` out); the download step runs it on a
finished `.part` file before the file gets its name, so an error page, a truncated body or a
file of another kind is never saved as a picture.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from typing import Literal

from ..errors import DownloadError

__all__ = ["MAX_IMAGE_BYTES", "MAX_SIDE", "ImageInfo", "read_image"]

MAX_IMAGE_BYTES = 64 << 20
"""The largest picture saved (64 MiB): a 4K PNG is a few tens of megabytes at most."""
MAX_SIDE = 16_384
"""The widest or tallest picture accepted, in pixels (4K output is 4096 on its long side)."""

_PNG = b"\x89PNG\r\n\x1a\n"
_PNG_DEPTHS = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
_PNG_END = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
# Start-of-frame markers carry the picture's size; C4 (DHT), C8 (JPG) and CC (DAC) do not.
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})


@dataclass(frozen=True)
class ImageInfo:
    format: Literal["png", "jpeg"]
    width: int
    height: int

    @property
    def extension(self) -> str:
        return ".png" if self.format == "png" else ".jpg"


def read_image(data: bytes, where: str = "the image") -> ImageInfo:
    """The format and size of a whole PNG or JPEG file, else `DownloadError` (`not_an_image`)."""
    if len(data) > MAX_IMAGE_BYTES:
        raise _refused(where, f"{len(data)} bytes, more than the {MAX_IMAGE_BYTES >> 20} MiB allowed")
    if data.startswith(_PNG):
        info = _png(data, where)
    elif data.startswith(b"\xff\xd8\xff"):
        info = _jpeg(data, where)
    else:
        kind = "an empty body" if not data else "neither a PNG nor a JPEG signature"
        raise _refused(where, kind)
    if not (0 < info.width <= MAX_SIDE and 0 < info.height <= MAX_SIDE):
        raise _refused(where, f"a {info.width}x{info.height} picture; each side must be 1-{MAX_SIDE} pixels")
    return info


def _png(data: bytes, where: str) -> ImageInfo:
    # The first chunk is IHDR: length 13, the type, 13 bytes of header, and its CRC.
    if len(data) < 8 + 25 + len(_PNG_END):
        raise _refused(where, "a PNG too short to hold its header")
    length, kind = struct.unpack(">I4s", data[8:16])
    header, crc = data[16:29], struct.unpack(">I", data[29:33])[0]
    if length != 13 or kind != b"IHDR" or zlib.crc32(kind + header) != crc:
        raise _refused(where, "a PNG whose IHDR header does not decode")
    width, height, depth, colour, compression, filtering, interlace = struct.unpack(">IIBBBBB", header)
    if depth not in _PNG_DEPTHS.get(colour, ()) or compression or filtering or interlace > 1:
        raise _refused(where, f"a PNG with an invalid colour layout (type {colour}, depth {depth})")
    if not data.endswith(_PNG_END):
        raise _refused(where, "a PNG cut short (no IEND chunk at its end)")
    return ImageInfo("png", width, height)


def _jpeg(data: bytes, where: str) -> ImageInfo:
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            raise _refused(where, "a JPEG whose segments do not decode")
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in _STANDALONE:
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if length < 2 or at + 2 + length > len(data):
            raise _refused(where, "a JPEG cut short inside a segment")
        if marker in _SOF:
            if length < 8:
                raise _refused(where, "a JPEG whose frame header does not decode")
            height, width, parts = struct.unpack(">HHB", data[at + 5 : at + 10])
            if parts not in (1, 3, 4):
                raise _refused(where, f"a JPEG with {parts} colour components")
            if not data.rstrip(b"\x00").endswith(b"\xff\xd9"):
                raise _refused(where, "a JPEG cut short (no end-of-image marker)")
            return ImageInfo("jpeg", width, height)
        if marker == 0xDA:  # the scan starts before any frame header
            break
        at += 2 + length
    raise _refused(where, "a JPEG without a frame header")


def _refused(where: str, what: str) -> DownloadError:
    return DownloadError(
        f"{where} is not a whole PNG or JPEG picture (got {what}). The provider may be serving an "
        "error page; check the job again later.",
        code="not_an_image",
        retryable=False,
    )
