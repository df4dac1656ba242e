"""A job's request as it is sent: every local file in it replaced by what the provider takes.

A request keeps the local paths the user named (`./face.png`); just before each submit, each
one is checked again (`media_files.inspect`: still a regular file inside what was named, of
its kind and within the limit) and read, then put inline as a data URI or uploaded through
the provider's own upload API (`Provider.local_routes`). What was sent is recorded on the job
(`Job.local_inputs`: path, digest, size, how it went, the upload's URL) before the submit, so
a re-sent submit reuses an upload instead of uploading the file again, and a file changed
since the first submit is refused instead of silently sending other content.
"""

from __future__ import annotations

from collections.abc import Iterator

import anyio

from .. import media_files
from ..client import ProviderClient
from ..errors import InvalidRequest
from ..media_files import LocalFile, MediaKind
from ..models import Job, LocalInput, VideoRequest
from ..providers import Provider
from .records import Records

__all__ = ["as_sent", "local_fields", "previewed", "stage"]

_FRAMES: tuple[tuple[str, MediaKind], ...] = (("image_url", "image"), ("end_image_url", "image"))
_REFERENCES: tuple[tuple[str, MediaKind], ...] = (
    ("reference_images", "image"),
    ("reference_videos", "video"),
    ("reference_audios", "audio"),
)


def local_fields(req: VideoRequest) -> Iterator[tuple[str, MediaKind, str]]:
    """(field, kind, path) of every local file the request names; a reference's field carries
    its 1-based position (`reference_images[2]`)."""
    for name, kind in _FRAMES:
        value = getattr(req, name)
        if value and media_files.is_local(value):
            yield name, kind, value
    for name, kind in _REFERENCES:
        for i, value in enumerate(getattr(req, name), start=1):
            if media_files.is_local(value):
                yield f"{name}[{i}]", kind, value


def _replaced(req: VideoRequest, field: str, sent: str) -> VideoRequest:
    if "[" not in field:
        return req.model_copy(update={field: sent})
    name, index = field[:-1].split("[")
    values = list(getattr(req, name))
    values[int(index) - 1] = sent
    return req.model_copy(update={name: tuple(values)})


def _check_and_load(value: str, field: str, kind: MediaKind, max_bytes: int) -> tuple[LocalFile, bytes, str]:
    local = media_files.inspect(value, field, kind, max_bytes=max_bytes)
    return local, *media_files.load(local, field)


async def stage(
    job: Job, provider: Provider, client: ProviderClient, records: Records
) -> tuple[VideoRequest, Job]:
    """The request to send for `job`, and the job with `local_inputs` recorded (see the module
    docstring). Raises `InvalidRequest` (nothing sent) for a file that is gone, changed or no
    longer acceptable."""
    req = job.request
    wanted = list(local_fields(req))
    if not wanted:
        return req, job
    before = {item.field: item for item in job.local_inputs}
    inputs: list[LocalInput] = []
    for field, kind, value in wanted:
        route = provider.local_routes.get(kind)
        if route is None:
            raise InvalidRequest(
                f"{field}: {provider.id} takes this {kind} only as a public URL, not a local file.",
                field=field,
                value=value,
                allowed=["a public https URL"],
            )
        local, data, digest = await anyio.to_thread.run_sync(
            _check_and_load, value, field, kind, route.max_bytes
        )
        prior = before.get(field)
        if prior is not None and prior.sha256 != digest:
            raise InvalidRequest(
                f"{field}: {local.path} changed after job {job.job_id} was first sent (its content "
                "differs); nothing was sent again. Make a new job for the new file.",
                field=field,
                value=value,
            )
        url: str | None = None
        if route.via == "data_uri":
            sent = media_files.data_uri(local, data)
        elif prior is not None and prior.url:
            sent = url = prior.url
        else:
            sent = url = await client.upload(local.name, local.mime, data)
        inputs.append(
            LocalInput(
                field=field,
                path=str(local.path),
                sha256=digest,
                bytes=local.size,
                mime=local.mime,
                via=route.via,
                url=url,
            )
        )
        req = _replaced(req, field, sent)
        if url is not None and (prior is None or prior.url != url):
            # An upload is recorded at once: a crash before the submit must not upload it again.
            job, _ = await records.record(job, label="uploads", local_inputs=[*inputs, *_rest(job, inputs)])
    if job.local_inputs != inputs:
        job, _ = await records.record(job, label="uploads", local_inputs=inputs)
    return req, job


def previewed(req: VideoRequest, provider: Provider) -> VideoRequest:
    """The request with each local file shown as what will be sent in its place (for a dry run:
    nothing is read or uploaded)."""
    for field, kind, value in local_fields(req):
        route = provider.local_routes.get(kind)
        how = "uploaded first" if route is not None and route.via == "upload" else "inline as a data: URI"
        req = _replaced(req, field, f"<{value}, {how}>")
    return req


async def as_sent(job: Job) -> VideoRequest:
    """The request as its last submit sent it, from what `stage` recorded (no upload is made):
    how a task whose submit answer was lost is recognised in the provider's list."""
    req = job.request
    for item in job.local_inputs:
        if item.url is not None:
            req = _replaced(req, item.field, item.url)
            continue
        kind = next(k for name, k in (*_FRAMES, *_REFERENCES) if item.field.split("[")[0] == name)
        try:
            local, data, digest = await anyio.to_thread.run_sync(
                _check_and_load, item.path, item.field, kind, item.bytes
            )
        except InvalidRequest:
            continue  # gone or changed: the task cannot be recognised by it
        if digest != item.sha256:
            continue
        req = _replaced(req, item.field, media_files.data_uri(local, data))
    return req


def _rest(job: Job, done: list[LocalInput]) -> list[LocalInput]:
    """The job's recorded inputs not yet staged this time (kept until they are)."""
    fields = {item.field for item in done}
    return [item for item in job.local_inputs if item.field not in fields]
