"""Check a canonical request against one provider's capabilities, before anything is sent.

`resolve_request` fills the provider's defaults for what the caller left out and refuses,
with the field, the value, the allowed values and the providers that would accept it, any
explicit value the provider cannot honour. Nothing is ever silently changed.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import unicodedata
from collections.abc import Callable, Collection, Iterable
from typing import Any
from urllib.parse import urlsplit

from . import media_files
from .errors import InvalidRequest
from .media_files import LocalFile, MediaKind
from .models import VideoRequest
from .plural import an, count
from .providers import PROVIDERS, Capabilities, ModelSpec, Provider, get_model

__all__ = ["MAX_URL_CHARS", "check_media", "check_public_url", "resolve_clip", "resolve_request"]


def _others(accepts: Callable[[Capabilities], bool], current: Provider, spec: ModelSpec) -> str:
    """Where else the refused value is accepted: other models of this provider, then other
    providers (any of their models)."""
    models = [m.name for m in current.models if m.name != spec.name and accepts(m.caps)]
    names = [
        p.id for p in PROVIDERS.values() if p.id != current.id and any(accepts(m.caps) for m in p.models)
    ]
    found = f" {current.id} models that accept it: {', '.join(models)}." if models else ""
    if names:
        return found + f" Providers that accept it: {', '.join(names)}."
    return found or " No provider accepts it."


def _join(values: Iterable[Any]) -> str:
    return ", ".join(str(v) for v in values)


def resolve_request(
    req: VideoRequest, provider: Provider, *, image_hosts: Collection[str] = ()
) -> VideoRequest:
    """The request with the model and the provider's defaults filled in, or `InvalidRequest`.

    `image_hosts`: hosts a start or end frame may come from although loopback (the simulator's
    own files, such as a last frame it handed back, in sandbox mode)."""
    spec = get_model(provider, req.model)
    caps = spec.caps
    pid = _who(provider, spec)

    prompt = req.prompt.strip()
    _check_text(prompt, "prompt")
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
            + _others(lambda c: c.prompt_max >= len(prompt), provider, spec),
            field="prompt",
            value=len(prompt),
            allowed=[f"{caps.prompt_min}-{caps.prompt_max} characters"],
        )

    aspect = req.aspect_ratio or ("16:9" if "16:9" in caps.aspect_ratios else caps.aspect_ratios[0])
    resolution, duration = resolve_clip(
        provider,
        resolution=req.resolution,
        duration=req.duration,
        audio=req.audio,
        model=spec.name,
        aspect_ratio=aspect,
        flex=req.flex,
    )
    _check_switches(provider, spec, last_frame=req.last_frame, fixed_lens=req.fixed_lens)

    if req.image_url is not None:
        if not caps.start_image:
            raise InvalidRequest(
                f"image_url: {pid} does not take a start image."
                + _others(lambda c: c.start_image, provider, spec),
                field="image_url",
                value=req.image_url,
            )
        check_media(req.image_url, "image_url", "image", provider, spec, image_hosts=image_hosts)
    if req.end_image_url is not None:
        if not caps.end_image:
            raise InvalidRequest(
                f"end_image_url: {pid} does not take an end frame."
                + _others(lambda c: c.end_image, provider, spec),
                field="end_image_url",
                value=req.end_image_url,
            )
        if req.image_url is None:
            raise InvalidRequest(
                "end_image_url: an end frame needs a start frame too; pass image_url as well.",
                field="end_image_url",
                value=req.end_image_url,
            )
        check_media(req.end_image_url, "end_image_url", "image", provider, spec, image_hosts=image_hosts)

    _check_references(req, provider, spec)

    if req.seed is not None:
        if not caps.seed or caps.seed_range is None:
            raise InvalidRequest(
                f"seed: {pid} does not take a seed; leave it out."
                + _others(lambda c: c.seed, provider, spec),
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
        update={
            **_absolute_paths(req),
            "prompt": prompt,
            "model": spec.name,
            "audio": req.audio or caps.audio_always,
            "aspect_ratio": aspect,
            "resolution": resolution,
            "duration": duration,
        }
    )


_REFERENCE_FIELDS: tuple[tuple[str, MediaKind], ...] = (
    ("reference_images", "image"),
    ("reference_videos", "video"),
    ("reference_audios", "audio"),
)


def _check_references(req: VideoRequest, provider: Provider, spec: ModelSpec) -> None:
    """References: taken by this (provider, model) at all, within its counts, audio only beside
    an image or a video, never with first/last frames, each a public URL or a local file the
    provider takes."""
    given = {kind: list(getattr(req, name)) for name, kind in _REFERENCE_FIELDS}
    if not any(given.values()):
        return
    limits = spec.caps.references
    who = _who(provider, spec)
    first = next(name for name, kind in _REFERENCE_FIELDS if given[kind])
    if limits is None:
        raise InvalidRequest(
            f"{first}: {who} does not take references."
            + _others(lambda c: c.references is not None, provider, spec),
            field=first,
            value=len(getattr(req, first)),
        )
    for name, kind in _REFERENCE_FIELDS:
        most = {"image": limits.images, "video": limits.videos, "audio": limits.audios}[kind]
        if len(given[kind]) > most:
            raise InvalidRequest(
                f"{name}: {who} takes at most {count(most, 'reference ' + kind)}; got {len(given[kind])}.",
                field=name,
                value=len(given[kind]),
                allowed=[f"0-{most}"],
            )
    total = sum(len(v) for v in given.values())
    if total > limits.total:
        raise InvalidRequest(
            f"{first}: {who} takes at most {limits.total} reference files in all; got {total}.",
            field=first,
            value=total,
            allowed=[f"at most {limits.total} in all"],
        )
    if given["audio"] and not (given["image"] or given["video"] or limits.audio_alone):
        raise InvalidRequest(
            "reference_audios: reference audio needs a reference image or video beside it; add "
            "--ref-image or --ref-video.",
            field="reference_audios",
            value=len(given["audio"]),
        )
    if req.image_url is not None or req.end_image_url is not None:
        frame = "image_url" if req.image_url is not None else "end_image_url"
        raise InvalidRequest(
            f"{frame}: first/last-frame mode and reference mode cannot be combined (Seedance 2.x takes "
            "one or the other). To keep a start image, pass it as a reference image and name it in "
            "the prompt as @image1; or drop the references.",
            field=frame,
            value=getattr(req, frame),
        )
    seconds = 0.0
    for name, kind in _REFERENCE_FIELDS:
        for i, value in enumerate(given[kind], start=1):
            local = check_media(value, f"{name}[{i}]", kind, provider, spec)
            if kind == "video" and local is not None:
                seconds += media_files.duration(local) or 0.0
    if limits.video_seconds is not None and seconds:
        low, high = limits.video_seconds
        if not low <= seconds <= high:
            raise InvalidRequest(
                f"reference_videos: the reference videos last {seconds:.1f} s in all; {who} takes "
                f"{low:g}-{high:g} s in all.",
                field="reference_videos",
                value=round(seconds, 1),
                allowed=[f"{low:g}-{high:g} s in all"],
            )


def check_media(
    value: str,
    field: str,
    kind: MediaKind,
    provider: Provider,
    spec: ModelSpec,
    *,
    image_hosts: Collection[str] = (),
) -> LocalFile | None:
    """One input (a frame or a reference): a public URL this provider can fetch, or a local
    file it takes (`Provider.local_routes`), checked (`media_files.inspect`); the checked file,
    or None for a URL."""
    caps = spec.caps
    if not media_files.is_local(value):
        check_public_url(
            value,
            field,
            https_only=caps.https_images_only,
            provider=_who(provider, spec),
            allowed_hosts=image_hosts,
        )
        return None
    route = provider.local_routes.get(kind)
    if route is None:
        takers = [p.id for p in PROVIDERS.values() if kind in p.local_routes]
        elsewhere = f" Providers that take a local {kind}: {', '.join(takers)}." if takers else ""
        raise InvalidRequest(
            f"{field}: {provider.id} takes {an(kind)} only as a public URL, not a local file "
            f"({value}). Host the file at a public https URL and pass the URL.{elsewhere}",
            field=field,
            value=value,
            allowed=["a public https URL"],
        )
    return media_files.inspect(value, field, kind, max_bytes=route.max_bytes)


def _absolute(value: str) -> str:
    return os.path.abspath(os.path.expanduser(value.strip())) if media_files.is_local(value) else value


def _absolute_paths(req: VideoRequest) -> dict[str, Any]:
    """Local files named by absolute path, so the job finds them from any folder later."""
    changes: dict[str, Any] = {}
    for name in ("image_url", "end_image_url"):
        value = getattr(req, name)
        if value is not None:
            changes[name] = _absolute(value)
    for name, _ in _REFERENCE_FIELDS:
        changes[name] = tuple(_absolute(v) for v in getattr(req, name))
    return changes


_ALLOWED_CONTROLS = frozenset("\n\t")
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"})


def _check_text(text: str, field: str) -> None:
    """Refuse control characters other than newline and tab (NUL, escape codes, a lone CR), and text
    with nothing visible in it (only spaces, zero-width or other format characters)."""
    lines = text.replace("\r\n", "\n")  # a Windows line break is a newline too; a lone CR is not
    bad = next((ch for ch in lines if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS), None)
    if bad is not None:
        raise InvalidRequest(
            f"{field}: contains the control character U+{ord(bad):04X}; only printable text, "
            "newlines and tabs are allowed.",
            field=field,
            value=f"U+{ord(bad):04X}",
            allowed=["printable text, newlines and tabs"],
        )
    if text and not any(unicodedata.category(ch) not in _INVISIBLE for ch in text):
        raise InvalidRequest(
            f"{field}: has no visible characters (only spaces, zero-width or format characters); "
            "write the prompt in words.",
            field=field,
            value=count(len(text), "invisible character"),
            allowed=["text with at least 1 visible character"],
        )


_SWITCHES = {
    "flex": "has no offline (flex) tier; leave it off.",
    "last_frame": "cannot hand back the clip's last frame; leave it off.",
    "fixed_lens": "has no fixed-lens option; leave it off or describe a static camera in the prompt.",
}
"""The on/off options a model may lack, and what its refusal says."""


def _check_switches(provider: Provider, spec: ModelSpec, **asked: bool) -> None:
    """Refuse an option switched on that the model does not have (`_SWITCHES`)."""
    for name, on in asked.items():
        if not on or getattr(spec.caps, name):
            continue

        def has(caps: Capabilities, name: str = name) -> bool:
            return bool(getattr(caps, name))

        raise InvalidRequest(
            f"{name}: {_who(provider, spec)} {_SWITCHES[name]}" + _others(has, provider, spec),
            field=name,
            value=True,
            allowed=[False],
        )


def _who(provider: Provider, spec: ModelSpec) -> str:
    """How a refusal names what refused: the provider, and its model where it serves several."""
    return provider.id if len(provider.models) == 1 else f"{provider.id} {spec.name}"


def resolve_clip(
    provider: Provider,
    *,
    resolution: str | None,
    duration: int | None,
    audio: bool,
    model: str | None = None,
    aspect_ratio: str | None = None,
    flex: bool = False,
) -> tuple[str | None, int]:
    """The priced part of a request (resolution, duration, audio, and where given the frame
    shape and the flex tier) checked against `provider`'s model.

    Returns the resolution (None where the provider picks it) and the duration, defaults
    filled in; raises `InvalidRequest` as `resolve_request` does. Estimates use it directly,
    since a price needs no prompt.
    """
    spec = get_model(provider, model)
    caps = spec.caps
    pid = _who(provider, spec)
    if aspect_ratio is not None and aspect_ratio not in caps.aspect_ratios:
        raise InvalidRequest(
            f"aspect_ratio: {pid} does not offer {aspect_ratio}; allowed: {_join(caps.aspect_ratios)}."
            + _others(lambda c: aspect_ratio in c.aspect_ratios, provider, spec),
            field="aspect_ratio",
            value=aspect_ratio,
            allowed=caps.aspect_ratios,
        )
    _check_switches(provider, spec, flex=flex)
    if not caps.resolutions:
        if resolution is not None:
            raise InvalidRequest(
                f"resolution: {pid} does not let you choose a resolution; leave it out."
                + _others(lambda c: resolution in c.resolutions, provider, spec),
                field="resolution",
                value=resolution,
                allowed=[],
            )
    else:
        resolution = resolution or caps.default_resolution
        if resolution not in caps.resolutions:
            raise InvalidRequest(
                f"resolution: {pid} does not offer {resolution}; allowed: {_join(caps.resolutions)}."
                + _others(lambda c: resolution in c.resolutions, provider, spec),
                field="resolution",
                value=resolution,
                allowed=caps.resolutions,
            )

    if duration is None:
        duration = caps.default_duration
    if duration not in caps.durations:
        raise InvalidRequest(
            f"duration: {pid} does not offer {duration} s; allowed durations for {pid}: "
            f"{_join(caps.durations)} (seconds)."
            + _others(lambda c: duration in c.durations, provider, spec),
            field="duration",
            value=duration,
            allowed=caps.durations,
        )

    if audio and not caps.audio:
        raise InvalidRequest(
            f"audio: {pid} cannot generate sound." + _others(lambda c: c.audio, provider, spec),
            field="audio",
            value=True,
            allowed=[False],
        )
    return resolution, duration


MAX_URL_CHARS = 2048
"""The longest URL accepted for an image (or a video to download): what browsers, CDNs and
providers' own form fields reliably take; a signed CDN link is a few hundred characters."""

_LABEL = re.compile(r"[a-z0-9_-]{1,63}")


def check_public_url(
    url: str,
    field: str,
    *,
    https_only: bool = False,
    provider: str | None = None,
    allowed_hosts: Collection[str] = (),
) -> str:
    """Refuse what a provider cannot fetch, or should not: local paths, other schemes, loopback,
    private and link-local hosts (also spelt `localhost.` or `127.0.0.1.`), ports outside
    1-65535, credentials (`user:password@`), control characters, a space in the host, and URLs
    longer than `MAX_URL_CHARS`. Every refusal is an `InvalidRequest` naming `field`.

    `allowed_hosts` are hosts let through although loopback or private (the sandbox's own
    host, for a download); they are compared after normalising case and a trailing dot.
    """
    text = url.strip()
    if len(text) > MAX_URL_CHARS:
        raise InvalidRequest(
            f"{field}: the URL is {len(text)} characters long; at most {MAX_URL_CHARS} are allowed.",
            field=field,
            value=f"{len(text)} characters",
            allowed=[f"a URL of at most {MAX_URL_CHARS} characters"],
        )
    if not text.isprintable():
        raise InvalidRequest(
            f"{field}: the URL contains a line break, tab or other control character; "
            "percent-encode it or remove it.",
            field=field,
            value=_shown(text),
            allowed=["a URL without control characters"],
        )
    try:
        parts = urlsplit(text)
        port = parts.port
        raw_host = parts.hostname
    except ValueError as err:
        raise InvalidRequest(
            f"{field}: not a valid URL ({err or 'malformed'}); expected http(s)://host[:port]/path "
            "with a port of 1-65535.",
            field=field,
            value=_shown(text),
            allowed=["http(s) URL"],
        ) from None
    if https_only and parts.scheme == "http":
        raise InvalidRequest(
            f"{field}: {provider or 'this provider'} only fetches https:// URLs; got an http:// URL.",
            field=field,
            value=_shown(text),
            allowed=["https URL"],
        )
    if parts.scheme not in ("http", "https"):
        if not parts.scheme or len(parts.scheme) == 1 or text.startswith(("/", ".", "~")):
            hint = (
                "it looks like a local file; the provider fetches images itself, "
                "so upload it and pass a public URL"
            )
        else:
            hint = f"the scheme {parts.scheme!r} is not fetched by providers"
        raise InvalidRequest(
            f"{field}: {hint}. Allowed: a public http:// or https:// URL.",
            field=field,
            value=_shown(text),
            allowed=["http(s) URL"],
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidRequest(
            f"{field}: the URL carries a user name or password (user:password@host); credentials "
            "are never sent, stored or shown. Use a URL that needs none, such as a signed link.",
            field=field,
            value=_shown(text),
            allowed=["a URL without credentials"],
        )
    if port is not None and port == 0:
        raise InvalidRequest(
            f"{field}: port 0 is not a port a server listens on; allowed: 1-65535.",
            field=field,
            value=_shown(text),
            allowed=["port 1-65535"],
        )
    # Every check runs on the ASCII form: IDNA folds full-width and circled letters and digits
    # ("１２７．０．０．１", "ⓛⓞⓒⓐⓛⓗⓞⓢⓣ") into the host an HTTP client would reach.
    host = _host(_ascii_host(_host(raw_host or "")))
    if not host:
        raise InvalidRequest(f"{field}: the URL has no host name.", field=field, value=_shown(text))
    if host in {_host(h) for h in allowed_hosts}:
        return url
    address = _ip_literal(host)
    if address is None and not all(_LABEL.fullmatch(label) for label in _ascii_host(host).split(".")):
        raise InvalidRequest(
            f"{field}: {host!r} is not a valid host name; allowed: letters, digits and hyphens "
            "between dots, or an IP address.",
            field=field,
            value=_shown(text),
            allowed=["a public host name or IP address"],
        )
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        raise InvalidRequest(
            f"{field}: {host} is only reachable from this machine; the provider needs a public URL.",
            field=field,
            value=_shown(text),
        )
    if address is None:
        return url
    if not address.is_global:
        raise InvalidRequest(
            f"{field}: {host} is a loopback, private or reserved address (link-local included) the "
            "provider cannot reach; use a public URL.",
            field=field,
            value=_shown(text),
        )
    return url


def _host(host: str) -> str:
    """A host as compared: lower case, without the trailing dot of a fully qualified name."""
    return host.strip().lower().rstrip(".")


def _ascii_host(host: str) -> str:
    """`host` in its ASCII (IDNA) form; unchanged when it cannot be encoded (then refused)."""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def _shown(url: str) -> str:
    """The URL as an error may show it: credentials masked, cut to a readable length."""
    shown = re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@", r"\1<redacted>@", url)
    shown = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in shown)
    return shown if len(shown) <= 200 else shown[:200] + "..."


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
