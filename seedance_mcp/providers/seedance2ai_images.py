"""seedance2ai.io's image endpoints (seed 004): GPT Image 2 and Nano Banana Pro.

The same key, the same `Idempotency-Key` header and the same task endpoint as the video API
(`seedance2ai.py`, whose submit and error readers are reused here):

- `POST /image/gpt-image-2`: `type` (text-to-image | image-to-image, required), `prompt`
  (3-20000), `resolution` (1K | 2K | 4K, required; "auto only supports 1K; 1:1 cannot use 4K on
  the standard channel"), `aspectRatio` (required: auto and 15 ratios), `batchCount` (1-4),
  `imageUrls` (1-10 public https URLs, required for image-to-image), `channel` (standard |
  economy; left out, which is standard).
- `POST /image/nano-banana-pro`: `type`, `prompt` (3-10000), `image_size` (the aspect ratio:
  auto and 10 ratios), `output_format` (png | jpeg), `resolution` (1K | 2K | 4K),
  `image_urls` (1-8 public https URLs). One picture per task.
- `GET /tasks/{id}`, shared with the videos.

What the document leaves open, and what we do:
- The image status answer is not shown: the pictures are read from `output.image_urls`,
  `output.images` (strings or objects with `url`), `output.image_url` or `output.url`.
- No image price is published: each finished task reports `credits_used`, recorded as its cost.
- Render times are not documented: polled every 3 s (scaled in the sandbox).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidRequest, ProtocolError
from ..images.models import ImageRequest, ImageTaskState
from ..models import JobStatus
from .base import PollAdvice, WireRequest, first_str
from .seedance2ai import Seedance2AI, idempotency_header, read_task
from .seedance2ai import _job_error as job_error

__all__ = [
    "IMAGE_MODELS",
    "IMAGE_MODEL_NAMES",
    "PROVIDER",
    "ImageCaps",
    "ImageModel",
    "build_image_submit",
    "image_model",
    "parse_image_status",
]

PROVIDER = Seedance2AI()


@dataclass(frozen=True, kw_only=True)
class ImageCaps:
    """What one image model accepts, as the seed documents it."""

    aspect_ratios: tuple[str, ...]
    default_aspect_ratio: str
    resolutions: tuple[str, ...]
    default_resolution: str
    prompt_min: int
    prompt_max: int
    max_count: int
    max_input_images: int
    not_allowed: tuple[tuple[str, str, str], ...] = ()
    """(aspect ratio, resolution, why) pairs the model refuses."""
    poll: PollAdvice


@dataclass(frozen=True, kw_only=True)
class ImageModel:
    name: str
    title: str
    path: str
    caps: ImageCaps


_POLL = PollAdvice(interval=3.0, render_seconds={1: (5.0, 60.0)}, source="not documented; an interval of 3 s")

IMAGE_MODELS: tuple[ImageModel, ...] = (
    ImageModel(
        name="gpt-image-2",
        title="GPT Image 2",
        path="/image/gpt-image-2",
        caps=ImageCaps(
            aspect_ratios=(
                "auto",
                "1:1",
                "5:4",
                "9:16",
                "21:9",
                "16:9",
                "4:3",
                "3:2",
                "4:5",
                "3:4",
                "2:3",
                "2:1",
                "1:2",
                "3:1",
                "1:3",
                "9:21",
            ),
            default_aspect_ratio="1:1",
            resolutions=("1K", "2K", "4K"),
            default_resolution="1K",
            prompt_min=3,
            prompt_max=20_000,
            max_count=4,
            max_input_images=10,
            not_allowed=(
                ("auto", "2K", "auto only supports 1K"),
                ("auto", "4K", "auto only supports 1K"),
                ("1:1", "4K", "1:1 cannot use 4K on the standard channel"),
            ),
            poll=_POLL,
        ),
    ),
    ImageModel(
        name="nano-banana-pro",
        title="Nano Banana Pro",
        path="/image/nano-banana-pro",
        caps=ImageCaps(
            aspect_ratios=("1:1", "9:16", "16:9", "3:4", "4:3", "3:2", "2:3", "5:4", "4:5", "21:9", "auto"),
            default_aspect_ratio="1:1",
            resolutions=("1K", "2K", "4K"),
            default_resolution="1K",
            prompt_min=3,
            prompt_max=10_000,
            max_count=1,
            max_input_images=8,
            poll=_POLL,
        ),
    ),
)
IMAGE_MODEL_NAMES: tuple[str, ...] = tuple(m.name for m in IMAGE_MODELS)


def image_model(name: str | None) -> ImageModel:
    """The image model `name` names (any case; None: the first, gpt-image-2), else `InvalidRequest`."""
    if name is None or not name.strip():
        return IMAGE_MODELS[0]
    wanted = name.strip().lower().replace(" ", "-")
    for spec in IMAGE_MODELS:
        if wanted in (spec.name, spec.title.lower().replace(" ", "-")):
            return spec
    raise InvalidRequest(
        f"model: {name!r} is not an image model of seedance2ai; allowed: {', '.join(IMAGE_MODEL_NAMES)}.",
        field="model",
        value=name,
        allowed=list(IMAGE_MODEL_NAMES),
    )


def build_image_submit(req: ImageRequest, idempotency_key: str) -> WireRequest:
    """The documented submit for a request already resolved by `images.validation`."""
    assert req.model is not None and req.aspect_ratio is not None and req.resolution is not None
    spec = image_model(req.model)
    kind = "image-to-image" if req.image_urls else "text-to-image"
    body: dict[str, Any]
    if spec.name == "gpt-image-2":
        body = {
            "type": kind,
            "prompt": req.prompt,
            "resolution": req.resolution,
            "aspectRatio": req.aspect_ratio,
            "batchCount": req.count,
        }
        if req.image_urls:
            body["imageUrls"] = list(req.image_urls)
    else:
        body = {
            "type": kind,
            "prompt": req.prompt,
            "image_size": req.aspect_ratio,
            "resolution": req.resolution,
            "output_format": "png",
        }
        if req.image_urls:
            body["image_urls"] = list(req.image_urls)
    return WireRequest(method="POST", path=spec.path, json=body, headers=idempotency_header(idempotency_key))


def parse_image_status(status_code: int, body: Any) -> ImageTaskState:
    """A 2xx answer of the shared task endpoint about an image task."""
    data, raw, status, credits = read_task(PROVIDER, status_code, body)
    match status:
        case JobStatus.SUCCEEDED:
            urls = _image_urls(data)
            return ImageTaskState(status=status, image_urls=urls, credits=credits, provider_status=raw)
        case JobStatus.FAILED | JobStatus.CANCELLED | JobStatus.EXPIRED:
            error = job_error(data, status, what="Image generation failed")
            return ImageTaskState(status=status, error=error, credits=credits, provider_status=raw)
        case _:
            return ImageTaskState(status=status, credits=credits, provider_status=raw)


def _image_urls(data: Mapping[str, Any]) -> list[str]:
    output = data.get("output")
    found: list[str] = []
    if isinstance(output, Mapping):
        for key in ("image_urls", "images", "urls"):
            items = output.get(key)
            if isinstance(items, list):
                for item in items:
                    url = item if isinstance(item, str) else None
                    if isinstance(item, Mapping):
                        url = first_str(item, "url", "image_url")
                    if url:
                        found.append(url)
                if found:
                    break
        if not found:
            single = first_str(output, "image_url", "url")
            found = [single] if single else []
    if not found:
        raise ProtocolError("seedance2ai: a completed image task came without output.image_urls")
    return found
