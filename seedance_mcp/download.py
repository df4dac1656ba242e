"""Save a finished video (or picture) to disk: streamed, verified, and never over an existing file.

The URL and every redirect from it are checked before anything connects to them, by the
image-URL rules (`validation.check_public_url`): http(s) only, no loopback, private,
link-local or reserved address, no credentials; redirects are followed here, one hop at a
time, at most `MAX_REDIRECTS`. Only the hosts the caller names in `allowed_hosts` may be
loopback (the provider's own host when its base URL is itself on loopback: the sandbox, a
test's fake; `loopback_hosts` works them out).

The body is streamed to a private `.part` file in the output folder, at most
`MAX_VIDEO_BYTES` (512 MiB; a `Content-Length` above it is refused before a byte is read),
never decompressed (`Accept-Encoding: identity` is asked, and a compressed answer is
refused), its length checked against `Content-Length` and its first box against the MP4
signature (an `ftyp` box of a plausible size with a printable brand), so an HTML error page
served with status 200 is refused. The file is then fsynced and
published under a fresh name with a hard link, which fails rather than replace a file that
is already there: `<job_id>.mp4`, else `<job_id>-2.mp4`, `<job_id>-3.mp4`, ...

A picture (`download_image`) takes the same path with its own checks: at most
`MAX_IMAGE_BYTES`, a PNG or JPEG signature on its first bytes, and once the body is whole, a
header that decodes and a proper end (`images.formats.read_image`); its extension comes
from its content (`.png` or `.jpg`), never from the URL.

The name comes from the job id alone (reduced to `[A-Za-z0-9_-]`), never from the prompt or
the URL, so nothing can write outside the output folder. A cut-off body, a reset, a 429 or a
5xx is retried by the one retry policy (`retry.py`); a 403/404/410 means the provider's link
has expired or gone, and is reported at once with what to do. The caller owns the HTTP
client (one without the provider's key: CDNs need none); this module never closes it.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import logging
import os
import random
import re
import secrets
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import anyio
import anyio.to_thread
import httpx2

from .errors import DownloadError, InvalidRequest
from .images.formats import MAX_IMAGE_BYTES, ImageInfo, read_image
from .retry import DOWNLOAD_RETRY, RetryPolicy, parse_retry_after
from .validation import check_public_url

__all__ = [
    "MAX_REDIRECTS",
    "MAX_VIDEO_BYTES",
    "download_image",
    "download_video",
    "loopback_hosts",
    "safe_stem",
]

log = logging.getLogger(__name__)

MAX_VIDEO_BYTES = 512 << 20
"""Refuse bodies larger than this (512 MiB). A Seedance clip (at most 15 s, 1080p) is tens of
megabytes; a 2K or 4K one is still well under."""
MAX_REDIRECTS = 5
"""Redirects followed from the video URL before giving up (each one checked before it is)."""
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_FTYP_MAX = 4096  # an ftyp box is 16 bytes plus 4 per compatible brand: tens of bytes

_EXPIRED = frozenset({403, 404, 410})
_MAX_NAMES = 10_000


class _Retry(Exception):
    """A failure worth another attempt; `retry_after` is the server's wish, if it said one."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def safe_stem(job_id: str) -> str:
    """The file name stem for a job: only `[A-Za-z0-9_-]`, never empty, never starting with `-`."""
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", job_id)[:100]
    if not stem:
        return "video"
    return "_" + stem[1:] if stem.startswith("-") else stem


def _describe(url: str) -> str:
    """The URL without its query, fragment or credentials (signed links carry tokens there)."""
    try:
        parts = urlsplit(url)
        host = parts.netloc.rpartition("@")[2]
    except ValueError:
        return "(an invalid URL)"
    return f"{parts.scheme}://{host}{parts.path}"[:200]


def loopback_hosts(base_url: str | None) -> frozenset[str]:
    """The host of `base_url` when it is itself on loopback (the sandbox, a test's fake
    provider), else nothing: what a download from that provider may reach on loopback."""
    if not base_url:
        return frozenset()
    try:
        host = (urlsplit(base_url).hostname or "").lower().rstrip(".")
    except ValueError:
        return frozenset()
    return frozenset({host}) if _is_loopback(host) else frozenset()


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_url(
    url: str,
    allowed_hosts: Collection[str],
    *,
    redirected_from: str | None = None,
    media: _Media | None = None,
) -> None:
    """Refuse, before connecting, a URL the download must not reach (`DownloadError`)."""
    try:
        scheme: str | None = urlsplit(url).scheme.lower()
    except ValueError:  # malformed: check_public_url says how
        scheme = None
    came = f" (a redirect from {_describe(redirected_from)})" if redirected_from else ""
    media = media or _VIDEO
    field, noun = media.field, media.noun
    if scheme is not None and scheme not in ("http", "https"):
        raise DownloadError(
            f"{field}: scheme {scheme or '(none)'!r}{came} is not allowed; only http and https URLs are "
            "downloaded.",
            code=media.refused,
            retryable=False,
        )
    try:
        check_public_url(url, field, allowed_hosts=allowed_hosts)
    except InvalidRequest as err:
        reason = err.message.removeprefix(f"{field}: ")
        raise DownloadError(
            f"{field}: refusing to download {_describe(url)}{came}: {reason} A {noun} is only "
            "fetched from a public host.",
            code=media.refused,
            retryable=False,
        ) from None


def _content_length(response: httpx2.Response) -> int | None:
    value = response.headers.get("content-length")
    if value is None or not (value.strip().isascii() and value.strip().isdigit()):
        return None
    return int(value)


async def download_video(
    client: httpx2.AsyncClient,
    url: str,
    output_dir: Path,
    job_id: str,
    *,
    retry: RetryPolicy = DOWNLOAD_RETRY,
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    rng: random.Random | None = None,
    chunk_size: int = 1 << 20,
    allowed_hosts: Collection[str] = (),
) -> Path:
    """Download the video at `url` into `output_dir` as `<job_id>.mp4` (or `-2`, `-3`, ...).

    Returns the path of the new file. Raises `DownloadError` (leaving no partial file) when
    the video cannot be saved whole after `retry.attempts` tries, waiting by `retry` between.
    `allowed_hosts` may be reached although loopback or private (see `loopback_hosts`);
    every other such host, as the URL or as a redirect, is refused before connecting.
    """
    path, _ = await _download(
        client,
        url,
        output_dir,
        job_id,
        _VIDEO,
        retry=retry,
        sleep=sleep,
        rng=rng,
        chunk_size=chunk_size,
        allowed_hosts=allowed_hosts,
    )
    return path


async def download_image(
    client: httpx2.AsyncClient,
    url: str,
    output_dir: Path,
    name: str,
    *,
    job_id: str,
    retry: RetryPolicy = DOWNLOAD_RETRY,
    sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    rng: random.Random | None = None,
    chunk_size: int = 1 << 20,
    allowed_hosts: Collection[str] = (),
) -> tuple[Path, ImageInfo]:
    """Download the picture at `url` into `output_dir` as `<name>.png` or `<name>.jpg` (by its
    content; `-2`, `-3`, ... if taken), checked whole (`images.formats.read_image`); returns its
    path and what it is. Otherwise as `download_video`; `job_id` is named in the errors."""
    path, info = await _download(
        client,
        url,
        output_dir,
        name,
        _IMAGE,
        job_id=job_id,
        retry=retry,
        sleep=sleep,
        rng=rng,
        chunk_size=chunk_size,
        allowed_hosts=allowed_hosts,
    )
    assert info is not None
    return path, info


async def _download(
    client: httpx2.AsyncClient,
    url: str,
    output_dir: Path,
    name: str,
    media: _Media,
    *,
    job_id: str | None = None,
    retry: RetryPolicy,
    sleep: Callable[[float], Awaitable[None]],
    rng: random.Random | None,
    chunk_size: int,
    allowed_hosts: Collection[str],
) -> tuple[Path, ImageInfo | None]:
    job_id = job_id or name
    noun = media.noun
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1; got {chunk_size!r}.")
    _check_url(url, allowed_hosts, media=media)

    stem = safe_stem(name)
    try:
        folder = await anyio.to_thread.run_sync(_make_folder, output_dir)
    except OSError as err:
        raise DownloadError(
            f"Cannot create the output folder {output_dir}: {err.strerror or err}. Choose another with "
            "--output-dir or SEEDANCE_OUTPUT_DIR.",
            retryable=False,
        ) from err

    where = _describe(url)
    last = ""
    attempts = retry.attempts
    rng = rng or random.Random()
    for attempt in range(1, attempts + 1):
        part = folder / f"{stem}.{secrets.token_hex(4)}.part"
        try:
            await _fetch(client, url, part, chunk_size, job_id, allowed_hosts, media)
            suffix, info = await anyio.to_thread.run_sync(media.verify, part, where)
            try:
                return await anyio.to_thread.run_sync(_publish, part, folder, stem, suffix), info
            except OSError as err:
                raise DownloadError(
                    f"Cannot save the {noun} in {folder}: {err.strerror or err}. Choose another folder "
                    "with --output-dir or SEEDANCE_OUTPUT_DIR.",
                    retryable=False,
                ) from err
        except _Retry as again:
            last = again.reason
            delay = retry.delay(attempt, rng, again.retry_after)
            if attempt < attempts:
                log.warning(
                    "download of %s failed (%s); attempt %d of %d in %.1f s",
                    where,
                    again.reason,
                    attempt + 1,
                    attempts,
                    delay,
                )
                await sleep(delay)
        finally:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(_remove, part)
    raise DownloadError(
        f"Could not download the {noun} from {where} after {attempts} attempt(s): {last}. "
        f"The render itself is done: check job {job_id} again later to fetch the {noun}.",
        retryable=True,
    )


async def _fetch(
    client: httpx2.AsyncClient,
    url: str,
    part: Path,
    chunk_size: int,
    job_id: str,
    allowed_hosts: Collection[str],
    media: _Media,
) -> None:
    """One attempt: stream `url` into `part`, verified and fsynced. `_Retry` if worth retrying.

    Redirects are followed here, each target checked by `_check_url` before it is asked."""
    current = url
    for _ in range(MAX_REDIRECTS + 1):
        target = await _get(client, current, part, chunk_size, job_id, media)
        if target is None:
            return
        _check_url(target, allowed_hosts, redirected_from=current, media=media)
        current = target
    raise DownloadError(
        f"The {media.noun} URL {_describe(url)} redirected more than {MAX_REDIRECTS} times; giving up.",
        retryable=False,
    )


async def _get(
    client: httpx2.AsyncClient, url: str, part: Path, chunk_size: int, job_id: str, media: _Media
) -> str | None:
    """One request: the redirect's target, or None once the body is saved in `part`."""
    where = _describe(url)
    noun = media.noun
    try:
        async with client.stream("GET", url, headers=_HEADERS, follow_redirects=False) as response:
            status = response.status_code
            if status in _REDIRECTS and response.headers.get("location"):
                return str(response.url.join(response.headers["location"]))
            if status in _EXPIRED:
                raise DownloadError(
                    f"The {noun} URL answered HTTP {status}: the provider's URL may have expired or "
                    f"been removed. Check job {job_id} again to get a fresh URL, where the provider gives "
                    f"one; otherwise render the {noun} again.",
                    code=media.expired,
                    retryable=False,
                )
            if status == 429 or status >= 500:
                raise _Retry(f"HTTP {status}", parse_retry_after(response.headers.get("retry-after")))
            if not 200 <= status < 300:
                raise DownloadError(
                    f"The {noun} URL {where} answered HTTP {status}; expected 200 with {media.expected}.",
                    retryable=False,
                )
            expected = _content_length(response)
            if expected is not None and expected > media.max_bytes():
                raise _too_big(where, media)
            encoding = response.headers.get("content-encoding", "identity").strip().lower()
            if encoding not in ("", "identity"):
                raise DownloadError(
                    f"The {noun} URL {where} sent a compressed body (Content-Encoding: "
                    f"{encoding[:40]}) although an uncompressed one was asked for; a {noun} is never "
                    "decompressed on the way in. Check the job again later.",
                    code=media.not_it,
                    retryable=False,
                )
            received = await _stream_to(response, part, chunk_size, where, media)
            if expected is not None and received != expected:
                raise _Retry(f"got {received} of {expected} bytes")
            return None
    except (httpx2.UnsupportedProtocol, httpx2.InvalidURL) as err:
        raise DownloadError(f"Cannot download {where}: {_shorten(err, url, where)}", retryable=False) from err
    except httpx2.TransportError as err:
        raise _Retry(f"{type(err).__name__}: {_shorten(err, url, where)}") from err
    except httpx2.HTTPError as err:  # e.g. too many redirects: not transient
        raise DownloadError(
            f"Could not download {where}: {type(err).__name__}: {_shorten(err, url, where)}", retryable=False
        ) from err


async def _stream_to(
    response: httpx2.Response, part: Path, chunk_size: int, where: str, media: _Media
) -> int:
    """Write the body to `part` (new file), checking the signature on the way; returns its size."""
    head = b""
    total = 0
    try:
        async with await anyio.open_file(part, "xb") as out:
            # Content-Encoding was checked to be identity: these are the bytes as sent.
            async for chunk in response.aiter_bytes(chunk_size):
                if len(head) < media.head:
                    head += chunk[: media.head - len(head)]
                    if len(head) == media.head:
                        media.check_head(head, response, where)
                total += len(chunk)
                if total > media.max_bytes():
                    raise _too_big(where, media)
                await out.write(chunk)
            if len(head) < media.head:
                media.check_head(head, response, where)
            await out.flush()
            await anyio.to_thread.run_sync(os.fsync, out.wrapped.fileno())
        return total
    except OSError as err:
        raise DownloadError(
            f"Cannot write the {media.noun} to {part.parent}: {err.strerror or err}. Free some space or "
            "choose another folder with --output-dir or SEEDANCE_OUTPUT_DIR.",
            retryable=False,
        ) from err


_HEAD = 12  # the ftyp box's size, type and major brand
_HEADERS = {"Accept-Encoding": "identity"}


def _check_signature(head: bytes, response: httpx2.Response, where: str) -> None:
    """The body starts with an `ftyp` box: a plausible size (16 bytes plus 4 per compatible
    brand) and a printable major brand (`isom`, `mp42`, `qt  `, ...)."""
    if len(head) == _HEAD and head[4:8] == b"ftyp":
        size = int.from_bytes(head[:4], "big")
        if 16 <= size <= _FTYP_MAX and size % 4 == 0 and all(0x20 <= b < 0x7F for b in head[8:12]):
            return
    kind = response.headers.get("content-type", "no content type")
    raise DownloadError(
        f"The video URL {where} did not return an MP4 video (got {kind}, "
        f"{'an empty body' if not head else 'no ftyp signature'}). The provider may be serving an "
        "error page; check the job again later.",
        code="not_a_video",
        retryable=False,
    )


def _check_image_head(head: bytes, response: httpx2.Response, where: str) -> None:
    """The body starts like a PNG or a JPEG (the whole file is checked once it is in)."""
    if head.startswith((b"\x89PN", b"\xff\xd8\xff")):
        return
    kind = response.headers.get("content-type", "no content type")
    raise DownloadError(
        f"The image URL {where} did not return a PNG or JPEG picture (got {kind}, "
        f"{'an empty body' if not head else 'neither signature'}). The provider may be serving an "
        "error page; check the job again later.",
        code="not_an_image",
        retryable=False,
    )


def _verify_image(part: Path, where: str) -> tuple[str, ImageInfo | None]:
    info = read_image(part.read_bytes(), f"The image at {where}")
    return info.extension, info


def _verify_video(part: Path, where: str) -> tuple[str, ImageInfo | None]:
    return ".mp4", None  # its signature was checked on the way in


@dataclass(frozen=True, kw_only=True)
class _Media:
    """What is being saved, and how it is checked."""

    noun: str
    expected: str
    """What a good answer holds, in words."""
    not_it: str
    """The error code for a body that is not one."""
    field: str
    """What the URL is called in messages."""
    refused: str
    """The error code for a URL that is not fetched."""
    expired: str
    """The error code for a URL that answered 403, 404 or 410."""
    max_bytes: Callable[[], int]
    """The most it may hold (read when checked, so a test can lower the module's figure)."""
    head: int
    """How many first bytes `check_head` needs."""
    check_head: Callable[[bytes, httpx2.Response, str], None]
    verify: Callable[[Path, str], tuple[str, ImageInfo | None]]
    """The whole file checked: its extension, and what it is (pictures)."""


_VIDEO = _Media(
    noun="video",
    expected="an MP4 video",
    not_it="not_a_video",
    field="video_url",
    refused="video_url_refused",
    expired="video_url_expired",
    max_bytes=lambda: MAX_VIDEO_BYTES,
    head=_HEAD,
    check_head=_check_signature,
    verify=_verify_video,
)
_IMAGE = _Media(
    noun="image",
    expected="a PNG or JPEG picture",
    not_it="not_an_image",
    field="image_url",
    refused="image_url_refused",
    expired="image_url_expired",
    max_bytes=lambda: MAX_IMAGE_BYTES,
    head=3,
    check_head=_check_image_head,
    verify=_verify_image,
)


def _shorten(err: Exception, url: str, where: str) -> str:
    """An HTTP library message, with the full URL (and its signed query) cut back to `where`."""
    return str(err).replace(url, where)


def _too_big(where: str, media: _Media) -> DownloadError:
    return DownloadError(
        f"The {media.noun} at {where} is larger than {media.max_bytes() >> 20} MiB, the most a "
        f"{media.noun} is allowed to be; refusing to save it.",
        retryable=False,
    )


def _make_folder(output_dir: Path) -> Path:
    folder = Path(os.path.abspath(output_dir))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _publish(part: Path, folder: Path, stem: str, suffix: str = ".mp4") -> Path:
    """Give the finished `.part` file its final name without ever replacing an existing file."""
    for n in range(1, _MAX_NAMES + 1):
        final = folder / (f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}")
        try:
            os.link(part, final)
        except FileExistsError:
            continue
        except OSError as err:
            if err.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.EXDEV):
                raise
            # No hard links here (some network or FAT file systems): claim the name
            # exclusively, then move the finished file onto our own empty placeholder.
            try:
                os.close(os.open(final, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
            except FileExistsError:
                continue
            os.replace(part, final)
        _fsync_dir(folder)
        return final
    raise DownloadError(
        f"{folder} already holds {_MAX_NAMES} files named after job {stem}; move some away.",
        retryable=False,
    )


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _remove(path: Path) -> None:
    """Remove a `.part` file; a failure (a read-only disk) is logged, never raised, so it can
    never hide the error that made the download stop."""
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as err:
        log.warning("could not remove the partial download %s: %s", path, err.strerror or err)
