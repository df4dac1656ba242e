"""seedance2ai.io's image endpoints as documented (seed 004), for the seedance2ai simulator.

`POST /image/gpt-image-2` and `POST /image/nano-banana-pro` with an `Idempotency-Key`, each
checked field by field against the documented table; the task is then read from the shared
`GET /tasks/{id}` (`image_task_object`). Choices where the document is silent:

- a finished task answers `output: {"image_urls": [...]}`, one URL per picture;
- a picture takes 5-20 s to render (scaled by the sandbox's speed);
- price: the sandbox's own, 4 credits a picture at 1K, 8 at 2K, 16 at 4K (none is published);
- the pictures are a real 160x90 PNG; `output_format: "jpeg"` is refused, the sandbox has no JPEG;
- the URLs are https URLs on `CDN_HOST`, a name under the reserved `.invalid` domain that never
  resolves, so a URL the sandbox hands out passes every public-URL check (it can be the start
  frame of a sandbox video at once) and is fetched from the simulator only through
  `SandboxCdn`, the download transport of a process that runs the sandbox.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx2
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from .common import ProviderSim, Reject, choice, iso_utc, prompt_text, url_list
from .media import last_frame_png
from .state import InsufficientBalance, SandboxState, Task

__all__ = ["CDN_HOST", "KIND", "SandboxCdn", "image_routes", "image_task_object", "is_image_task"]

CDN_HOST = "cdn.seedance2ai.sandbox.invalid"
KIND = "image_model"
"""`Task.extra` key: the image model of an image task (absent on a video task)."""
COUNT = "image_count"
RENDER = (5.0, 20.0)
PER_PICTURE = {"1K": 4, "2K": 8, "4K": 16}
BAD = "invalid_request"
FILES = "/image-files"

GPT_RATIOS = (
    "auto", "1:1", "5:4", "9:16", "21:9", "16:9", "4:3", "3:2",
    "4:5", "3:4", "2:3", "2:1", "1:2", "3:1", "1:3", "9:21",
)  # fmt: skip
NANO_RATIOS = ("1:1", "9:16", "16:9", "3:4", "4:3", "3:2", "2:3", "5:4", "4:5", "21:9", "auto")
TYPES = ("text-to-image", "image-to-image")
RESOLUTIONS = tuple(PER_PICTURE)
GPT_FIELDS = frozenset({"type", "channel", "prompt", "resolution", "aspectRatio", "batchCount", "imageUrls"})
NANO_FIELDS = frozenset({"type", "prompt", "image_size", "output_format", "resolution", "image_urls"})


def is_image_task(task: Task) -> bool:
    return KIND in task.extra


def image_routes(sim: ProviderSim) -> list[BaseRoute]:
    """The image routes below the seedance2ai simulator's base."""
    return [
        Route("/image/gpt-image-2", sim.endpoint("submit", _submit(sim, "gpt-image-2")), methods=["POST"]),
        Route(
            "/image/nano-banana-pro",
            sim.endpoint("submit", _submit(sim, "nano-banana-pro")),
            methods=["POST"],
        ),
        Route(FILES + "/{name}", _picture(sim.state), methods=["GET"]),
    ]


def image_task_object(state: SandboxState, task: Task, words: Mapping[str, str]) -> dict[str, Any]:
    """The shared task endpoint's answer for an image task (`words`: phase -> status word)."""
    phase = state.observe(task)
    count = int(task.extra.get(COUNT, 1))
    urls = [f"https://{CDN_HOST}/seedance2ai{FILES}/{task.id}-{n}.png" for n in range(1, count + 1)]
    answer: dict[str, Any] = {
        "id": task.id,
        "status": words[phase],
        "model": task.extra[KIND],
        "output": {"image_urls": urls} if phase == "succeeded" else None,
        "credits_used": task.credits,
        "created_at": iso_utc(task.created_wall),
    }
    if phase == "failed":
        answer["error"] = {
            "code": task.fail_code or "generation_failed",
            "message": "Image generation failed (sandbox fault); the credits are refunded",
        }
    return answer


def _submit(sim: ProviderSim, model: str) -> Callable[[Request], Awaitable[Response]]:
    async def submit(request: Request) -> Response:
        owner = sim.authorize(request)
        key = request.headers.get("idempotency-key", "").strip()
        if not key:
            raise Reject(
                400, BAD, "Idempotency-Key: missing; every POST needs a unique Idempotency-Key header"
            )
        body = await sim.json_object(request)
        count, resolution = _gpt(body) if model == "gpt-image-2" else _nano(body)
        fingerprint = json.dumps({"model": model, **body}, sort_keys=True, separators=(",", ":"))
        earlier = sim.state.idempotent_task(owner, key, fingerprint)
        if earlier == "conflict":
            raise Reject(409, "idempotency_conflict", "Idempotency-Key: reused with a different body")
        if earlier is None:
            try:
                earlier = sim.state.create_task(
                    provider=sim.id,
                    prefix=sim.task_prefix,
                    body=body,
                    owner=owner,
                    duration=1,
                    credits=PER_PICTURE[resolution] * count,
                    render_range=RENDER,
                    idempotency=(key, fingerprint),
                    extra={KIND: model, COUNT: count},
                )
            except InsufficientBalance as err:
                raise sim.insufficient(err.required, err.available) from None
        words = {"queued": "queued", "running": "processing", "succeeded": "completed", "failed": "failed"}
        return JSONResponse(image_task_object(sim.state, earlier, words))

    return submit


def _common(
    body: Mapping[str, Any], fields: frozenset[str], urls_field: str, most: int, prompt_max: int
) -> None:
    unknown = sorted(set(body) - fields)
    if unknown:
        raise Reject(400, BAD, f"{unknown[0]}: unsupported field; allowed: {', '.join(sorted(fields))}")
    kind = choice(body.get("type"), "type", TYPES, BAD)
    prompt_text(body.get("prompt"), "prompt", 3, prompt_max, BAD)
    if body.get(urls_field) is not None:
        urls = url_list(body[urls_field], urls_field, BAD, most=most, https_only=True)
        if not urls:
            raise Reject(400, BAD, f"{urls_field}: empty; allowed: 1-{most} public https URLs")
    if kind == "image-to-image" and not body.get(urls_field):
        raise Reject(400, BAD, f"{urls_field}: missing; image-to-image needs 1-{most} URLs")


def _gpt(body: Mapping[str, Any]) -> tuple[int, str]:
    _common(body, GPT_FIELDS, "imageUrls", 10, 20_000)
    choice(body.get("channel", "standard"), "channel", ("standard", "economy"), BAD)
    resolution = choice(body.get("resolution"), "resolution", RESOLUTIONS, BAD)
    ratio = choice(body.get("aspectRatio"), "aspectRatio", GPT_RATIOS, BAD)
    if ratio == "auto" and resolution != "1K":
        raise Reject(
            400, BAD, f"resolution: {resolution} with aspectRatio auto; allowed: 1K (auto only supports 1K)"
        )
    if ratio == "1:1" and resolution == "4K" and body.get("channel", "standard") == "standard":
        raise Reject(400, BAD, "resolution: 4K with aspectRatio 1:1 on the standard channel; allowed: 1K, 2K")
    count = body.get("batchCount", 1)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 4:
        raise Reject(400, BAD, f"batchCount: {count!r}; allowed: an integer 1-4")
    return count, resolution


def _nano(body: Mapping[str, Any]) -> tuple[int, str]:
    _common(body, NANO_FIELDS, "image_urls", 8, 10_000)
    choice(body.get("image_size", "auto"), "image_size", NANO_RATIOS, BAD)
    choice(body.get("output_format", "png"), "output_format", ("png",), BAD)  # the sandbox has no JPEG
    return 1, choice(body.get("resolution", "1K"), "resolution", RESOLUTIONS, BAD)


def _picture(state: SandboxState) -> Callable[[Request], Awaitable[Response]]:
    async def picture(request: Request) -> Response:
        name: str = request.path_params["name"]
        stem, _, suffix = name.rpartition(".")
        task_id, _, number = stem.rpartition("-")
        task = state.task_for_file(f"{task_id}.png") if suffix == "png" and number.isdigit() else None
        if (
            task is None
            or not is_image_task(task)
            or not 1 <= int(number) <= int(task.extra.get(COUNT, 1))
            or state.observe(task) != "succeeded"
        ):
            return PlainTextResponse("Not Found", status_code=404)
        return Response(last_frame_png(), media_type="image/png")

    return picture


class SandboxCdn(httpx2.AsyncBaseTransport):
    """A download transport that takes `https://CDN_HOST/...` to the running simulator at
    `root_url` (the same path below it) and every other URL where `inner` takes it."""

    def __init__(self, root_url: str, inner: httpx2.AsyncBaseTransport | None = None) -> None:
        self._root = root_url.rstrip("/")
        self._inner = inner or httpx2.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.host == CDN_HOST:
            url = httpx2.URL(self._root + request.url.raw_path.decode("ascii"))
            headers = [(k, v) for k, v in request.headers.raw if k.lower() != b"host"]
            request = httpx2.Request(
                request.method,
                url,
                headers=[(b"Host", url.netloc), *headers],
                stream=request.stream,
                extensions=request.extensions,
            )
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()
