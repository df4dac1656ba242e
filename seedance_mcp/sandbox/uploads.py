"""Files uploaded to the simulators (fal's storage, Replicate's files API), and the check every
simulator makes of a media input: a public URL, one of these uploads, or a `data:` URI whose
content is what its field asks for.

Uploads are kept in the simulators' shared task store where there is one (so a job whose
upload was made by one `seedance` process can be submitted by the next), else in memory, and
served at `/uploads/{id}`.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from ..media_files import sniff
from .store import TaskStore

__all__ = ["MediaProblem", "Uploads", "check_media", "serve_upload"]

MAX_UPLOAD = 60 * 10**6
"""The most one simulated upload takes (above Seedance's 50 MB per file)."""


class MediaProblem(ValueError):
    """A media input a simulator refuses: the message says why."""


class Uploads:
    """Uploaded files by id: `reserve` (fal's initiate), `fill` (its signed PUT), `add` (one step)."""

    def __init__(self, root_url: str, store: TaskStore | None = None) -> None:
        self.root_url = root_url.rstrip("/")
        self._files: dict[str, tuple[str, bytes | None]] = {}
        self._lock = threading.Lock()
        self._store = store

    def url(self, upload_id: str) -> str:
        return f"{self.root_url}/uploads/{upload_id}"

    def reserve(self, mime: str) -> str:
        upload_id = secrets.token_hex(12)
        with self._lock:
            self._files[upload_id] = (mime, None)
        self._save(upload_id)
        return upload_id

    def fill(self, upload_id: str, data: bytes) -> bool:
        with self._lock:
            known = self._files.get(upload_id) or self._load(upload_id)
            if known is None:
                return False
            self._files[upload_id] = (known[0], data)
        self._save(upload_id)
        return True

    def add(self, mime: str, data: bytes) -> str:
        upload_id = self.reserve(mime)
        self.fill(upload_id, data)
        return upload_id

    def get(self, upload_id: str) -> tuple[str, bytes | None] | None:
        with self._lock:
            return self._files.get(upload_id) or self._load(upload_id)

    def id_of(self, url: str) -> str | None:
        """The upload a URL names, when it is one of ours."""
        prefix = f"{self.root_url}/uploads/"
        return url[len(prefix) :] if url.startswith(prefix) else None

    # The shared store, where the simulators have one.
    def _save(self, upload_id: str) -> None:
        if self._store is not None:
            mime, data = self._files[upload_id]
            self._store.put_upload(upload_id, mime, data)

    def _load(self, upload_id: str) -> tuple[str, bytes | None] | None:
        found = self._store.get_upload(upload_id) if self._store is not None else None
        if found is not None:
            self._files[upload_id] = found
        return found


def check_media(
    value: object, kind: str, uploads: Uploads, *, data_uri: bool, https_only: bool = False
) -> None:
    """Refuse (`MediaProblem`) a media input for a `kind` ("image", "video", "audio") field: not a
    string, not a URL, an unknown upload, an upload or data URI of another kind, a data URI
    where the provider takes none, or an undecodable one."""
    if not isinstance(value, str) or not value:
        raise MediaProblem("expected a URL string")
    if value.startswith("data:"):
        if not data_uri:
            raise MediaProblem(f"a data: URI is not accepted for a {kind}; pass a URL")
        header, sep, payload = value.partition(",")
        if not sep or not header.endswith(";base64"):
            raise MediaProblem("a data: URI must be base64 (data:<type>;base64,...)")
        try:
            content = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise MediaProblem("the data: URI's base64 does not decode") from None
        _same_kind(content, kind, header[5:].split(";")[0])
        return
    upload_id = uploads.id_of(value)
    if upload_id is not None:
        found = uploads.get(upload_id)
        if found is None or found[1] is None:
            raise MediaProblem(f"no uploaded file {upload_id} (upload it first)")
        _same_kind(found[1], kind, found[0])
        return
    if https_only and not value.startswith("https://"):
        raise MediaProblem("must be a public https URL")
    if not value.startswith(("https://", "http://")):
        raise MediaProblem("must be an http(s) URL")


def _same_kind(content: bytes, kind: str, declared: str) -> None:
    found = sniff(content[:64])
    if found is None or found[0] != kind:
        article = "a" if kind == "video" else "an"
        raise MediaProblem(f"the file is not {article} {kind}")
    if declared and declared.split("/")[0] != found[1].split("/")[0]:
        raise MediaProblem(f"declared {declared}, but the content is {found[1]}")


def serve_upload(uploads: Uploads) -> Callable[[Request], Awaitable[Response]]:
    async def serve(request: Request) -> Response:
        found = uploads.get(request.path_params["upload_id"])
        if found is None or found[1] is None:
            return PlainTextResponse("Not Found", status_code=404)
        return Response(found[1], media_type=found[0])

    return serve
