"""Check a canonical request against one provider's capabilities, before anything is sent.

`resolve_request` fills the provider's defaults for what the caller left out and refuses,
with the field, the value, the allowed values and the providers that would accept it, any
explicit value the provider cannot honour. Nothing is ever silently changed.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from .errors import InvalidRequest
from .models import VideoRequest
from .plural import count
from .providers import PROVIDERS, Provider

__all__ = ["check_public_url", "resolve_clip", "resolve_request"]


def _others(accepts: Callable[[Provider], bool], current: Provider) -> str:
    names = [p.id for p in PROVIDERS.values() if p.id != current.id and accepts(p)]
    return f" Providers that accept it: {', '.join(names)}." if names else " No provider accepts it."


def _join(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values)


def resolve_request(req: VideoRequest, provider: Provider) -> VideoRequest:
    """The request with the provider's defaults filled in, or `InvalidRequest`."""
    caps = provider.caps
    pid = provider.id

    prompt = req.prompt.strip()
    if len(prompt) < max(caps.prompt_min, 1):
        raise InvalidRequest(
            f"prompt: {pid} needs at least {count(max(caps.prompt_min, 1), 'character')} of prompt; "
            f"got {len(prompt)}.",
            field="prompt",
            value=len(prompt),
            allowed=[f"{max(caps.prompt_min, 1)}-{caps.prompt_max} characters"],
        )
    if len(prompt) > caps.prompt_max:
        raise InvalidRequest(
            f"prompt: {len(prompt)} characters is over {pid}'s limit of {caps.prompt_max}. Shorten it "
            "(`seedance prompt --lint` shows what to cut)."
            + _others(lambda p: p.caps.prompt_max >= len(prompt), provider),
            field="prompt",
            value=len(prompt),
            allowed=[f"{caps.prompt_min}-{caps.prompt_max} characters"],
        )

    aspect = req.aspect_ratio or ("16:9" if "16:9" in caps.aspect_ratios else caps.aspect_ratios[0])
    if aspect not in caps.aspect_ratios:
        raise InvalidRequest(
            f"aspect_ratio: {pid} does not offer {aspect}; allowed: {_join(caps.aspect_ratios)}."
            + _others(lambda p: aspect in p.caps.aspect_ratios, provider),
            field="aspect_ratio",
            value=aspect,
            allowed=caps.aspect_ratios,
        )

    resolution, duration = resolve_clip(
        provider, resolution=req.resolution, duration=req.duration, audio=req.audio
    )
    if req.fixed_lens and not caps.fixed_lens:
        raise InvalidRequest(
            f"fixed_lens: {pid} has no fixed-lens option; leave it off or describe a static camera "
            "in the prompt." + _others(lambda p: p.caps.fixed_lens, provider),
            field="fixed_lens",
            value=True,
            allowed=[False],
        )

    if req.image_url is not None:
        if not caps.start_image:
            raise InvalidRequest(
                f"image_url: {pid} does not take a start image."
                + _others(lambda p: p.caps.start_image, provider),
                field="image_url",
                value=req.image_url,
            )
        check_public_url(req.image_url, "image_url", https_only=caps.https_images_only, provider=pid)
    if req.end_image_url is not None:
        if not caps.end_image:
            raise InvalidRequest(
                f"end_image_url: {pid} does not take an end frame."
                + _others(lambda p: p.caps.end_image, provider),
                field="end_image_url",
                value=req.end_image_url,
            )
        if req.image_url is None:
            raise InvalidRequest(
                "end_image_url: an end frame needs a start frame too; pass image_url as well.",
                field="end_image_url",
                value=req.end_image_url,
            )
        check_public_url(req.end_image_url, "end_image_url", https_only=caps.https_images_only, provider=pid)

    if req.seed is not None:
        if not caps.seed or caps.seed_range is None:
            raise InvalidRequest(
                f"seed: {pid} does not take a seed; leave it out." + _others(lambda p: p.caps.seed, provider),
                field="seed",
                value=req.seed,
            )
        low, high = caps.seed_range
        if not low <= req.seed <= high:
            raise InvalidRequest(
                f"seed: {req.seed} is outside {pid}'s range {low}..{high}.",
                field="seed",
                value=req.seed,
                allowed=[f"{low}..{high}"],
            )

    return req.model_copy(
        update={"prompt": prompt, "aspect_ratio": aspect, "resolution": resolution, "duration": duration}
    )


def resolve_clip(
    provider: Provider, *, resolution: str | None, duration: int | None, audio: bool
) -> tuple[str | None, int]:
    """The priced part of a request (resolution, duration, audio) checked against `provider`.

    Returns the resolution (None where the provider picks it) and the duration, defaults
    filled in; raises `InvalidRequest` as `resolve_request` does. Estimates use it directly,
    since a price needs no prompt.
    """
    caps = provider.caps
    pid = provider.id
    if not caps.resolutions:
        if resolution is not None:
            raise InvalidRequest(
                f"resolution: {pid} does not let you choose a resolution; leave it out."
                + _others(lambda p: resolution in p.caps.resolutions, provider),
                field="resolution",
                value=resolution,
                allowed=[],
            )
    else:
        resolution = resolution or caps.default_resolution
        if resolution not in caps.resolutions:
            raise InvalidRequest(
                f"resolution: {pid} does not offer {resolution}; allowed: {_join(caps.resolutions)}."
                + _others(lambda p: resolution in p.caps.resolutions, provider),
                field="resolution",
                value=resolution,
                allowed=caps.resolutions,
            )

    if duration is None:
        duration = caps.default_duration
    if duration not in caps.durations:
        raise InvalidRequest(
            f"duration: {pid} does not offer {duration} s; allowed durations for {pid}: "
            f"{_join(caps.durations)} (seconds)." + _others(lambda p: duration in p.caps.durations, provider),
            field="duration",
            value=duration,
            allowed=caps.durations,
        )

    if audio and not caps.audio:
        raise InvalidRequest(
            f"audio: {pid} cannot generate sound." + _others(lambda p: p.caps.audio, provider),
            field="audio",
            value=True,
            allowed=[False],
        )
    return resolution, duration


def check_public_url(url: str, field: str, *, https_only: bool = False, provider: str | None = None) -> str:
    """Refuse what a provider cannot fetch: local paths, other schemes, loopback and private hosts."""
    parts = urlsplit(url.strip())
    if https_only and parts.scheme == "http":
        raise InvalidRequest(
            f"{field}: {provider or 'this provider'} only fetches https:// URLs; got an http:// URL.",
            field=field,
            value=url,
            allowed=["https URL"],
        )
    if parts.scheme not in ("http", "https"):
        if not parts.scheme or len(parts.scheme) == 1 or url.startswith(("/", ".", "~")):
            hint = (
                "it looks like a local file; the provider fetches images itself, "
                "so upload it and pass a public URL"
            )
        else:
            hint = f"the scheme {parts.scheme!r} is not fetched by providers"
        raise InvalidRequest(
            f"{field}: {hint}. Allowed: a public http:// or https:// URL.",
            field=field,
            value=url,
            allowed=["http(s) URL"],
        )
    host = (parts.hostname or "").lower()
    if not host:
        raise InvalidRequest(f"{field}: the URL has no host name.", field=field, value=url)
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise InvalidRequest(
            f"{field}: {host} is only reachable from this machine; the provider needs a public URL.",
            field=field,
            value=url,
        )
    address = _ip_literal(host)
    if address is None:
        return url
    if not address.is_global:
        raise InvalidRequest(
            f"{field}: {host} is a loopback, private or reserved address the provider cannot reach; "
            "use a public URL.",
            field=field,
            value=url,
        )
    return url


def _ip_literal(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host literal denotes, including the short and numeric IPv4 forms
    (`127.1`, `2130706433`, `0x7f000001`) that HTTP clients resolve the same way."""
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None
