"""An image request checked against its model before anything is sent: defaults filled in, and
every refusal an `InvalidRequest` naming the field, the value and what the model allows."""

from __future__ import annotations

from ..errors import InvalidRequest
from ..providers.seedance2ai_images import IMAGE_MODEL_NAMES, image_model
from ..validation import check_public_url
from .models import ImageRequest

__all__ = ["resolve_image_request"]


def resolve_image_request(req: ImageRequest) -> ImageRequest:
    """`req` with the model's defaults filled in, or `InvalidRequest` for the first bad field."""
    spec = image_model(req.model)
    caps = spec.caps
    prompt = req.prompt.strip()
    if not caps.prompt_min <= len(prompt) <= caps.prompt_max:
        raise InvalidRequest(
            f"prompt: {len(prompt)} characters; allowed on {spec.name}: {caps.prompt_min}-{caps.prompt_max}.",
            field="prompt",
            value=f"{len(prompt)} characters",
            allowed=[f"{caps.prompt_min}-{caps.prompt_max} characters"],
        )
    ratio = req.aspect_ratio or caps.default_aspect_ratio
    if ratio not in caps.aspect_ratios:
        raise InvalidRequest(
            f"aspect_ratio: {ratio!r} is not offered by {spec.name}; allowed: "
            f"{', '.join(caps.aspect_ratios)}.",
            field="aspect_ratio",
            value=ratio,
            allowed=list(caps.aspect_ratios),
        )
    resolution = (req.resolution or caps.default_resolution).upper()
    if resolution not in caps.resolutions:
        raise InvalidRequest(
            f"resolution: {req.resolution!r} is not offered by {spec.name}; allowed: "
            f"{', '.join(caps.resolutions)}.",
            field="resolution",
            value=req.resolution,
            allowed=list(caps.resolutions),
        )
    for bad_ratio, bad_resolution, why in caps.not_allowed:
        if (ratio, resolution) == (bad_ratio, bad_resolution):
            fits = [r for r in caps.resolutions if (ratio, r) not in {(a, b) for a, b, _ in caps.not_allowed}]
            raise InvalidRequest(
                f"resolution: {resolution} is not allowed with aspect ratio {ratio} on {spec.name} ({why}); "
                f"allowed with {ratio}: {', '.join(fits)}.",
                field="resolution",
                value=resolution,
                allowed=fits,
            )
    count = req.count
    if isinstance(count, bool) or not 1 <= count <= caps.max_count:
        allowed = "1" if caps.max_count == 1 else f"1-{caps.max_count}"
        raise InvalidRequest(
            f"count: {count!r} pictures; allowed on {spec.name}: {allowed} per job"
            + (
                f" ({', '.join(n for n in IMAGE_MODEL_NAMES if n != spec.name)} for more)."
                if caps.max_count == 1
                else "."
            ),
            field="count",
            value=count,
            allowed=[allowed],
        )
    if len(req.image_urls) > caps.max_input_images:
        raise InvalidRequest(
            f"image_urls: {len(req.image_urls)} input pictures; allowed on {spec.name}: at most "
            f"{caps.max_input_images}.",
            field="image_urls",
            value=len(req.image_urls),
            allowed=[f"0-{caps.max_input_images} https URLs"],
        )
    for url in req.image_urls:
        check_public_url(url, "image_urls", https_only=True, provider="seedance2ai")
    return req.model_copy(
        update={"prompt": prompt, "model": spec.name, "aspect_ratio": ratio, "resolution": resolution}
    )
