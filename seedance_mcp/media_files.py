"""Local files given where a URL is expected: a start frame, an end frame, a reference.

`is_local` tells a path (`./cat.png`, `~/clip.mp4`, `/tmp/x.wav`) from a URL. `inspect` checks
a path before anything is sent and reads nothing outside it: the path must exist and be a
regular file (not a directory, a device or a pipe); a symbolic link is followed only while it
stays inside the folder the user named; the file must not be empty, its content (not its
name) must be the kind asked for (image, video or audio) in a format Seedance takes, and its
size within the provider's limit; only its first bytes are read. `load` reads it once for
sending and gives its digest, which the job records (a file changed since is then told apart).

`data_uri` is the inline form (`data:image/png;base64,...`) for the providers whose docs take
one; the others take the file through their own upload API (`providers.base.LocalRoute`).
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

from .errors import InvalidRequest
from .plural import an, size_text

__all__ = ["KINDS", "LocalFile", "MediaKind", "data_uri", "duration", "inspect", "is_local", "load", "sniff"]

MediaKind = Literal["image", "video", "audio"]
KINDS: tuple[MediaKind, ...] = ("image", "video", "audio")

_URL_PREFIXES = ("http://", "https://", "data:", "asset://")
_HEAD = 64


def is_local(value: str) -> bool:
    """Whether `value` names a file on this machine rather than a URL (or a data URI)."""
    text = value.strip()
    if text.lower().startswith(_URL_PREFIXES):
        return False
    return "://" not in text


@dataclass(frozen=True, kw_only=True)
class LocalFile:
    """A checked local file: what the user named, where it is, its kind, type, size and digest."""

    named: str
    path: Path
    kind: MediaKind
    mime: str
    size: int

    @property
    def name(self) -> str:
        return self.path.name


def sniff(head: bytes) -> tuple[MediaKind, str] | None:
    """The kind and MIME type of a file from its first bytes, for the formats Seedance takes
    (images: PNG, JPEG, WebP, GIF, BMP, TIFF; video: MP4, MOV; audio: MP3, WAV, M4A/AAC, OGG,
    FLAC); None for anything else."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image", "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image", "image/jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", "image/webp"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image", "image/gif"
    if head.startswith(b"BM") and len(head) >= 26:
        return "image", "image/bmp"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image", "image/tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio", "audio/wav"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio", "audio/mpeg"
    if head.startswith(b"OggS"):
        return "audio", "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio", "audio/flac"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            return "audio", "audio/mp4"
        if brand == b"qt  ":
            return "video", "video/quicktime"
        return "video", "video/mp4"
    return None


def _refuse(field: str, named: str, message: str, allowed: str) -> InvalidRequest:
    return InvalidRequest(f"{field}: {message}", field=field, value=named, allowed=[allowed])


def inspect(named: str, field: str, kind: MediaKind, *, max_bytes: int) -> LocalFile:
    """Check the local file `named` for `field` (see the module docstring); `InvalidRequest`
    naming the field and what is allowed when it cannot be sent. Reads only its first bytes."""
    text = named.strip()
    path = Path(os.path.abspath(os.path.expanduser(text)))
    wanted = f"a local {kind} file ({_formats(kind)}) of at most {size_text(max_bytes)}"
    try:
        info = path.lstat()
    except FileNotFoundError:
        raise _refuse(field, named, f"no such file: {path}.", wanted) from None
    except OSError as err:
        raise _refuse(field, named, f"{path} cannot be read ({err.strerror or err}).", wanted) from None
    if stat.S_ISLNK(info.st_mode):
        real = Path(os.path.realpath(path))
        folder = path.parent
        if not real.is_relative_to(Path(os.path.realpath(folder))):
            raise _refuse(
                field,
                named,
                f"{path} is a link to {real}, outside the folder it is in ({folder}); name the file "
                "itself instead of a link to it.",
                wanted,
            )
        try:
            info = real.stat()
        except OSError:
            raise _refuse(
                field, named, f"{path} is a link to {real}, which does not exist.", wanted
            ) from None
        path = real
    if stat.S_ISDIR(info.st_mode):
        raise _refuse(field, named, f"{path} is a folder; name one {kind} file in it.", wanted)
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(field, named, f"{path} is not a regular file (a device, pipe or socket).", wanted)
    if info.st_size == 0:
        raise _refuse(field, named, f"{path} is empty (0 bytes).", wanted)
    if info.st_size > max_bytes:
        raise _refuse(
            field,
            named,
            f"{path} is {size_text(info.st_size)}; the limit per {kind} here is {size_text(max_bytes)}. "
            "Make it smaller, or host it at a public https URL and pass the URL.",
            wanted,
        )
    with _open(path, field, named, wanted) as handle:
        head = handle.read(_HEAD)
    found = sniff(head)
    if found is None or found[0] != kind:
        what = "not a known image, video or audio file" if found is None else f"{an(found[0])} ({found[1]})"
        raise _refuse(field, named, f"{path} is {what}, not {an(kind)}; its content is what counts.", wanted)
    return LocalFile(named=text, path=path, kind=kind, mime=found[1], size=info.st_size)


def _open(path: Path, field: str, named: str, wanted: str) -> BinaryIO:
    try:
        return path.open("rb")
    except OSError as err:
        raise _refuse(field, named, f"{path} cannot be read ({err.strerror or err}).", wanted) from None


def load(local: LocalFile, field: str) -> tuple[bytes, str]:
    """The checked file's bytes for sending and their SHA-256, in one read; refused when its size
    changed since it was checked."""
    wanted = f"the same {local.kind} file as when it was checked"
    with _open(local.path, field, local.named, wanted) as handle:
        data: bytes = handle.read(local.size + 1)
    if len(data) != local.size:
        raise _refuse(
            field,
            local.named,
            f"{local.path} changed while it was being sent; nothing was sent. Run the command again.",
            wanted,
        )
    return data, hashlib.sha256(data).hexdigest()


def data_uri(local: LocalFile, data: bytes) -> str:
    """The file inline: `data:<type>;base64,<content>`."""
    return f"data:{local.mime};base64,{base64.b64encode(data).decode('ascii')}"


def duration(local: LocalFile) -> float | None:
    """Seconds of an MP4/MOV (its `mvhd` box) or a WAV (its `fmt ` and `data` chunks), read from
    the headers alone; None for other formats or a header that cannot be read."""
    try:
        with local.path.open("rb") as handle:
            if local.mime in ("video/mp4", "video/quicktime", "audio/mp4"):
                return _mp4_seconds(handle, local.size)
            if local.mime == "audio/wav":
                return _wav_seconds(handle.read(1 << 16))
    except (OSError, struct.error, ValueError):
        return None
    return None


def _boxes(handle: BinaryIO, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, box end) of the MP4 boxes between `start` and `end`."""
    at = start
    while at + 8 <= end:
        handle.seek(at)
        size, kind = struct.unpack(">I4s", handle.read(8))
        header = 8
        if size == 1:
            size = struct.unpack(">Q", handle.read(8))[0]
            header = 16
        elif size == 0:
            size = end - at
        if size < header:
            return
        yield kind, at + header, min(at + size, end)
        at += size


def _mp4_seconds(handle: BinaryIO, size: int) -> float | None:
    for kind, body, end in _boxes(handle, 0, size):
        if kind != b"moov":
            continue
        for inner, payload, _ in _boxes(handle, body, end):
            if inner == b"mvhd":
                handle.seek(payload)
                version = handle.read(1)[0]
                handle.read(3)
                if version == 1:
                    _, _, scale, length = struct.unpack(">QQIQ", handle.read(28))
                else:
                    _, _, scale, length = struct.unpack(">IIII", handle.read(16))
                return length / scale if scale else None
    return None


def _wav_seconds(head: bytes) -> float | None:
    at, rate = 12, 0
    while at + 8 <= len(head):
        kind, size = struct.unpack("<4sI", head[at : at + 8])
        if kind == b"fmt ":
            rate = struct.unpack("<I", head[at + 16 : at + 20])[0]  # bytes per second
        elif kind == b"data":
            return size / rate if rate else None
        at += 8 + size + (size & 1)
    return None


def _formats(kind: MediaKind) -> str:
    return {
        "image": "PNG, JPEG, WebP, GIF, BMP or TIFF",
        "video": "MP4 or MOV",
        "audio": "MP3, WAV, M4A, OGG or FLAC",
    }[kind]
