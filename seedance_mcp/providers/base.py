"""What a provider is: pure mapping functions over capabilities and error formats held as data.

A provider never opens a socket and keeps no state. What it accepts is data (`Capabilities`,
with its `PollAdvice` and `RateLimit`), and so is the way it writes its errors
(`ErrorFormat`). The rest are pure functions of their arguments:

- `build_submit` / `build_status` return the documented `WireRequest` (method, path, query,
  JSON body, extra headers; never the key);
- `parse_submit` / `parse_status` read a decoded 2xx answer into a task id or a `TaskState`,
  and raise for an error a provider puts inside such an answer;
- `error_for(status, body, retry_after)` builds the exception for an error answer.

The HTTP layer (`client.py`) does the I/O and maps HTTP errors in one place: it raises
`error_for(...)` for every status >= 400 before any `parse_*` sees the answer. Text a
provider wrote reaches an error or a failed job only through `provider_text`, which masks
credentials quoted back in it and caps its length.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, TypeVar

from ..errors import (
    AuthError,
    IdempotencyConflict,
    InsufficientCredits,
    ProtocolError,
    ProviderError,
    ProviderFailure,
    ProviderRejected,
    ProviderUnavailable,
    RateLimited,
    TaskNotFound,
)
from ..models import JobStatus, TaskState, Unit, VideoRequest
from ..redaction import mask_credentials

__all__ = [
    "Capabilities",
    "ErrorFormat",
    "ErrorReading",
    "LocalRoute",
    "ModelSpec",
    "PollAdvice",
    "Provider",
    "RateLimit",
    "References",
    "WireRequest",
    "decode_json_string",
    "error_from_status",
    "first_str",
    "has_references",
    "json_object",
    "provider_text",
    "whole_number",
]

T = TypeVar("T")

MAX_TEXT = 300
"""The most characters of a provider's own text that an error or a failed job shows."""
MAX_CODE = 60
"""Likewise for a provider's own error code."""


@dataclass(frozen=True, kw_only=True)
class PollAdvice:
    """The provider's documented polling advice and typical render times.

    `render_seconds` maps a clip duration to the (low, high) render time in seconds the
    provider documents; durations in between use the nearest documented one.
    """

    interval: float
    render_seconds: Mapping[int, tuple[float, float]]
    source: str = ""

    def typical(self, duration: int) -> tuple[float, float]:
        nearest = min(self.render_seconds, key=lambda d: (abs(d - duration), d))
        return self.render_seconds[nearest]


@dataclass(frozen=True, kw_only=True)
class RateLimit:
    requests: int
    per_seconds: float
    scope: str = "account"


def has_references(req: VideoRequest) -> bool:
    """Whether the request is in reference mode (any reference image, video or audio)."""
    return bool(req.reference_images or req.reference_videos or req.reference_audios)


@dataclass(frozen=True, kw_only=True)
class References:
    """The documented limits on Seedance 2.x references for one model at one provider."""

    images: int = 9
    videos: int = 3
    audios: int = 3
    total: int = 12
    video_seconds: tuple[float, float] | None = (2.0, 15.0)
    """The allowed total length of the reference videos, where it is documented."""
    audio_alone: bool = False
    """Whether reference audio may come without a reference image or video (Seedance 2.5)."""


@dataclass(frozen=True, kw_only=True)
class LocalRoute:
    """How one provider takes a local file of one kind: inline as a data URI in the request, or
    through its own upload API first; `max_bytes` is the documented limit per file."""

    via: Literal["data_uri", "upload"]
    max_bytes: int
    source: str = ""


@dataclass(frozen=True, kw_only=True)
class Capabilities:
    durations: tuple[int, ...]
    default_duration: int
    resolutions: tuple[str, ...]
    default_resolution: str | None
    aspect_ratios: tuple[str, ...]
    prompt_min: int
    prompt_max: int
    start_image: bool
    end_image: bool
    seed: bool
    seed_range: tuple[int, int] | None
    audio: bool
    fixed_lens: bool
    idempotency: bool
    poll: PollAdvice
    rate_limit: RateLimit | None = None
    https_images_only: bool = False
    fps: int | None = None
    """Frames per second of the output, where the provider documents it."""
    flex: bool = False
    """Whether the half-price offline tier (Ark's `service_tier: flex`) exists for this model."""
    flex_poll: PollAdvice | None = None
    """The polling advice and typical times of that offline tier (slower: minutes to hours)."""
    audio_always: bool = False
    """The model always makes sound (Seedance 2.5): a request is resolved with audio on."""
    last_frame: bool = False
    """The provider can hand back the clip's last frame as an image URL (Ark's return_last_frame)."""
    output_ttl: float | None = None
    """Seconds the provider keeps a finished video's file (Replicate: one hour); None: long enough
    (Ark's 24 h, APIXO's 15 days) or not documented."""
    max_queued: int | None = None
    """The documented cap on tasks waiting in the provider's queue per account (None: none)."""
    references: References | None = None
    """How many reference images, videos and audio clips the model takes (None: none)."""
    local_files: frozenset[str] = frozenset()
    """The kinds of input ("image", "video", "audio") the provider takes as a local file, inline as
    a data URI or through its own upload API; anything else must be a public URL."""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ModelSpec:
    """One Seedance model as one provider serves it: the canonical name (`models.MODEL_NAMES`),
    the provider's own id for it, and what it accepts there.

    `wire_id` is what the submit sends (None where the provider's path or product already fixes
    the model); `image_wire_id` replaces it when a start frame is given (Seedance 1.0 lite has
    one id per mode). `aliases` are further ids of the provider's that resolve to this model
    (e.g. an older dated version).
    """

    name: str
    caps: Capabilities
    wire_id: str | None = None
    image_wire_id: str | None = None
    reference_wire_id: str | None = None
    """The provider's id for reference mode, where it has one of its own (fal's reference-to-video)."""
    aliases: tuple[str, ...] = ()
    source: str = ""
    """Where the provider documents this model (and its id), for the catalog."""

    def wire_for(self, req: VideoRequest) -> str | None:
        """The provider's id for this model in the mode `req` asks for."""
        if self.reference_wire_id and has_references(req):
            return self.reference_wire_id
        if req.image_url and self.image_wire_id:
            return self.image_wire_id
        return self.wire_id

    def ids(self) -> tuple[str, ...]:
        """Every id of the provider's that names this model."""
        found = (self.wire_id, self.image_wire_id, *self.aliases)
        return tuple(i for i in found if i)


@dataclass(frozen=True, kw_only=True)
class WireRequest:
    """An HTTP request as the provider documents it, minus the Authorization header."""

    method: str
    path: str
    params: Mapping[str, str] = field(default_factory=dict)
    json: Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes | None = None
    """A raw body (a file's bytes put to a signed upload URL)."""
    files: Mapping[str, tuple[str, bytes, str]] | None = None
    """A multipart form body: field name -> (file name, bytes, content type)."""
    signed: bool = False
    """A whole URL the provider handed back for an upload (a signed storage URL): sent without
    the Authorization header, to https only."""
    upload: bool = False
    """Sent to the provider's upload host (`Provider.upload_base_url`) rather than `base_url`."""

    def url(self, base_url: str) -> str:
        """The request's URL: `path` below `base_url`, or `path` itself where it is a whole URL
        the provider handed back (the client sends those only to the base URL's own host)."""
        if self.absolute:
            return self.path
        return base_url.rstrip("/") + self.path

    @property
    def absolute(self) -> bool:
        return self.path.startswith(("https://", "http://"))


@dataclass(frozen=True, kw_only=True)
class ErrorReading:
    """What an error answer says: the provider's code word, an HTTP status written in the
    body (`{"code": 429}`), and its text. Code and text are fit to show (`provider_text`)."""

    code: str | None = None
    status: int | None = None
    text: str | None = None


@dataclass(frozen=True, kw_only=True)
class ErrorFormat:
    """How one provider writes its error answers, and what its documented codes mean.

    One tolerant reader serves every provider: plain text, `{"error": {...}}`,
    `{"error": "<code word or text>"}` and flat objects. Where the providers differ (which
    keys hold the code and the text, what a code word looks like, what the document says a
    code or a status means) is this data.
    """

    code_keys: tuple[str, ...]
    """Keys whose string is the provider's code, the first found winning; a number there is an
    HTTP status. An `error` string counts only if it looks like `code_word` (else it is text)."""
    message_keys: tuple[str, ...]
    """Keys whose string is the provider's text, the one to prefer first; may name `error`."""
    nested: bool = True
    """Whether an `{"error": {...}}` object is read: like the top level (which fills in what
    it leaves out), with `type` as a last code key. False where `error` is always text."""
    code_word: re.Pattern[str] | None = None
    """The look of the provider's code words: an `error` string matching it whole is a code,
    and a plain-text body is searched for documented codes among its matches."""
    plain_text: Literal["text", "code", "ignored"] = "text"
    """A plain-text body is the message ("text"), the code when it is exactly a documented
    one and else the message ("code"), or not read at all ("ignored")."""
    codes: Mapping[str, int] = field(default_factory=dict)
    """Documented code (any letter case) -> its HTTP status, for errors inside a 2xx answer."""
    code_texts: Mapping[str, str] = field(default_factory=dict)
    """Documented code -> what it means, shown when the body carries no text of its own."""
    status_texts: Mapping[int, str] = field(default_factory=dict)
    """HTTP status -> what the document says it means, likewise."""
    unknown_code_status: int | None = None
    """The status of an error inside a 2xx answer whose code `codes` does not list
    (None: the answer's own status, which maps to a plain `ProviderError`)."""
    no_code_status: int | None = None
    """Likewise for an error inside a 2xx answer with neither a code word nor a status."""
    overrides: Mapping[str, int] = field(default_factory=dict)
    """Documented code -> the status whose meaning it has, whatever HTTP status it came with
    (Ark sends an overdue balance as 403, which means "top up", not "bad key"). A dotted code
    (`RateLimitExceeded.EndpointRPMExceeded`) is also looked up by its first part."""

    def read(self, body: Any) -> ErrorReading:
        """The code, status and text of an error answer, whatever shape it came in."""
        code, status, text = self._read(body)
        return ErrorReading(code=provider_text(code, MAX_CODE), status=status, text=provider_text(text))

    def error_from(
        self, provider: str, status_code: int, reading: ErrorReading, retry_after: float | None = None
    ) -> ProviderError:
        """The exception for an error answer with HTTP `status_code`, as `reading` reads it.

        Under a 2xx status (an error inside the answer) the status comes from the documented
        code, else from the body's own number, else from `unknown_code_status` /
        `no_code_status`. A body without text (or with just "success") gets the documented
        meaning of its code or status.
        """
        code, text = reading.code, reading.text
        status = status_code
        meant = _lookup(self.overrides, code)
        if meant is None and code and "." in code:
            meant = _lookup(self.overrides, code.split(".", 1)[0])
        if meant is not None:
            status = meant
        elif status < 400:
            documented = _lookup(self.codes, code)
            if documented is not None:
                status = documented
            elif reading.status is not None and reading.status >= 400:
                status = reading.status
            else:
                fallback = self.unknown_code_status if code else self.no_code_status
                status = fallback or status
        if text is None or text.lower() == "success":
            text = _lookup(self.code_texts, code) or self.status_texts.get(status) or text
        return error_from_status(provider, status, provider_code=code, message=text, retry_after=retry_after)

    def _read(self, body: Any, code_keys: tuple[str, ...] = ()) -> tuple[str | None, int | None, str | None]:
        if isinstance(body, str):
            return self._read_text(body.strip())
        if not isinstance(body, Mapping):
            return None, None, None
        nested = body.get("error")
        inner = self.nested and isinstance(nested, Mapping)
        # Inside an error object, `type` names the code when nothing else does (OpenAI style).
        code, status, text = self._read(nested, ("type",)) if inner else (None, None, None)
        used = None  # the key whose string became the code, so that it is not the text too
        for key in (*self.code_keys, *code_keys):
            value = body.get(key)
            if key == "error":  # a code only when it looks like one; else it is text
                if code is None and isinstance(value, str) and self._is_code_word(value.strip()):
                    code, used = value.strip(), key
            elif isinstance(value, int) and not isinstance(value, bool):
                status = status or value
            elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
                status = status or int(value)
            elif isinstance(value, str) and value.strip() and code is None:
                code, used = value.strip(), key
        for key in self.message_keys:
            value = body.get(key)
            if text is None and key != used and isinstance(value, str) and value.strip():
                text = value.strip()
        return code, status, text

    def _is_code_word(self, word: str) -> bool:
        return bool(word and self.code_word and self.code_word.fullmatch(word))

    def _read_text(self, text: str) -> tuple[str | None, int | None, str | None]:
        if self.plain_text == "ignored":
            return None, None, None
        if self.plain_text == "code":
            return (text, None, None) if _lookup(self.codes, text) is not None else (None, None, text or None)
        words = self.code_word.findall(text) if self.code_word else []
        return next((w for w in words if _lookup(self.codes, w) is not None), None), None, text or None


def _lookup(table: Mapping[str, T], code: str | None) -> T | None:
    """`table[code]` with the documented code in any letter case, else None."""
    if not code:
        return None
    for key in (code, code.upper(), code.lower()):
        if key in table:
            return table[key]
    return None


def provider_text(value: str | None, limit: int = MAX_TEXT) -> str | None:
    """Text a provider wrote, fit to show: stripped, with any credential it quotes back masked
    (`redaction.mask_credentials`), and at most `limit` characters; None when empty."""
    if value is None:
        return None
    return mask_credentials(value.strip())[:limit] or None


class Provider(ABC):
    """One provider API: who it is, `models` (what it serves, each with what it accepts) and
    `errors` (how it writes its errors) as class attributes, and the pure mappings to and from
    its documented wire.

    The first entry of `models` is the provider's default model. What is the same for every
    model of a provider (idempotency, the rate limit) is read from `caps`, the default model's
    capabilities; anything that differs per model comes from `spec(model).caps`.
    """

    id: str
    name: str
    base_url: str
    docs_url: str
    key_env: str
    models: tuple[ModelSpec, ...]
    errors: ErrorFormat
    key_envs: tuple[str, ...] = ()
    """Further variables that hold a key for this provider, read in order after `key_env`."""
    cancellable: frozenset[JobStatus] = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})
    """The states in which `build_cancel`'s request may be sent (where there is one)."""
    unit: Unit = "credits"
    """What the account is charged in: the provider's credits, or money (`USD`, `CNY`), whether
    or not a price is published."""
    auth_scheme: str = "Bearer"
    """The Authorization header's scheme: `Bearer <key>` for most, `Key <key>` for fal."""
    local_routes: Mapping[str, LocalRoute] = MappingProxyType({})
    """How a local file of each kind ("image", "video", "audio") reaches the provider; a kind not
    here must be a public URL. Every model's `caps.local_files` names the same kinds."""
    upload_base_url: str | None = None
    """Where `build_upload` requests go when it is not `base_url` (fal's storage API)."""
    reference_tokens: tuple[str, str] = ("@{Kind}{n}", "@{Kind}{n}")
    """How the provider's docs name the n-th reference in a prompt: (in most languages, in a
    Chinese or Japanese prompt), with `{kind}` / `{Kind}` / `{n}` filled in."""

    @property
    def default_model(self) -> ModelSpec:
        return self.models[0]

    @property
    def caps(self) -> Capabilities:
        """The default model's capabilities (for what every model of the provider shares)."""
        return self.models[0].caps

    def find_model(self, name: str) -> ModelSpec | None:
        """The model a canonical name or one of the provider's own ids names (any case), else None."""
        wanted = name.strip().lower()
        for spec in self.models:
            if wanted == spec.name or wanted in (i.lower() for i in spec.ids()):
                return spec
        return None

    def build_cancel(self, task_id: str) -> WireRequest | None:
        """The documented cancel request, or None where the provider has no way to cancel."""
        return None

    def build_upload(self, name: str, mime: str, data: bytes) -> WireRequest:
        """The request that uploads (or starts uploading) a local file, where `local_routes`
        sends a kind through the provider's upload API."""
        raise ProtocolError(f"{self.id}: has no upload API")

    def parse_upload(
        self, status_code: int, body: Any, mime: str, data: bytes
    ) -> tuple[str, WireRequest | None]:
        """The uploaded file's URL for the request, and the request that still has to send the
        bytes (a signed PUT), if the upload is two steps."""
        raise ProtocolError(f"{self.id}: has no upload API")

    # What a provider whose submit answer names further URLs for the task (fal: status_url,
    # response_url, cancel_url, to be used as given) overrides: the references kept on the job,
    # and the requests built from them. The others build from the task id alone.

    def submit_refs(self, body: Any) -> dict[str, str]:
        """References to keep on the job from a 2xx submit answer (besides its task id)."""
        return {}

    def status_request(self, task_id: str, refs: Mapping[str, str]) -> WireRequest:
        return self.build_status(task_id)

    def cancel_request(self, task_id: str, refs: Mapping[str, str]) -> WireRequest | None:
        return self.build_cancel(task_id)

    def result_request(self, task_id: str, refs: Mapping[str, str]) -> WireRequest | None:
        """Where a finished task's result is read when its status answer does not carry it
        (fal: the response URL); None where the status answer does."""
        return None

    def parse_result(self, status_code: int, body: Any) -> TaskState:
        """A 2xx result answer (`result_request`) as a succeeded `TaskState`."""
        raise ProtocolError(f"{self.id}: has no result request")

    def parse_cancel(self, status_code: int, body: Any) -> None:
        """Raise the error a 2xx cancel answer carries, if any (most carry none)."""
        return None

    def build_recent(self, req: VideoRequest) -> WireRequest | None:
        """A request that lists the account's recent tasks for `req`'s model, used to find a task
        whose submit answer was lost; None where the provider cannot list tasks."""
        return None

    def find_recent(self, body: Any, req: VideoRequest, *, since: float, until: float) -> list[str]:
        """The task ids in a `build_recent` answer that match `req` (model and prompt) and were
        created between `since` and `until` (Unix seconds)."""
        return []

    @abstractmethod
    def build_submit(self, req: VideoRequest, idempotency_key: str) -> WireRequest:
        """The documented submit request for a request already resolved by `validation`."""

    @abstractmethod
    def parse_submit(self, status_code: int, body: Any) -> str:
        """The provider task id from a 2xx submit answer, or raise the error carried inside it."""

    @abstractmethod
    def build_status(self, task_id: str) -> WireRequest:
        """The documented status request for a task id."""

    @abstractmethod
    def parse_status(self, status_code: int, body: Any) -> TaskState:
        """A 2xx status answer as a `TaskState`, or raise the error carried inside it."""

    def error_for(self, status_code: int, body: Any, retry_after: float | None = None) -> ProviderError:
        """The exception for an error answer: every HTTP status >= 400, before any `parse_*`
        sees the answer, and an error a provider sends inside a 2xx answer."""
        return self.errors.error_from(self.id, status_code, self.errors.read(body), retry_after)


def json_object(provider: str, body: Any) -> Mapping[str, Any]:
    """A decoded answer that must be a JSON object, else `ProtocolError` naming the provider."""
    if isinstance(body, Mapping):
        return body
    raise ProtocolError(f"{provider}: the answer is not a JSON object")


def first_str(data: Mapping[str, Any], *keys: str) -> str | None:
    """The first non-empty string among `keys` of `data`, else None."""
    for key in keys:
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    return None


_ADVICE = {
    "auth": "check the API key variable for this provider (its value is never shown)",
    "credits": "top up the provider account, or choose a shorter, lower-resolution or silent clip",
    "rate": "wait and try again later; the client already backed off",
    "rejected": "fix the input named in the message and try again",
    "not_found": "check the task id; tasks belong to the key that created them",
    "conflict": "the same idempotency key was used for a different request, or it is still running",
    "busy": "the provider is busy; try again shortly",
    "failure": "the provider had an internal error; check the job's status before submitting again",
}


def error_from_status(
    provider: str,
    status_code: int,
    *,
    provider_code: str | None = None,
    message: str | None = None,
    retry_after: float | None = None,
) -> ProviderError:
    """Map an HTTP status (and the provider's own code) to the project's exception tree."""
    text = message or f"HTTP {status_code}"
    label = f"{provider}: {text}" + (f" ({provider_code})" if provider_code else "")
    common: dict[str, Any] = {
        "provider": provider,
        "status_code": status_code,
        "provider_code": provider_code,
    }
    upper = (provider_code or "").upper()
    if (
        status_code == 401
        or status_code == 403
        or upper in ("INVALID_API_KEY", "LOGIN_REQUIRED", "UNAUTHORIZED")
    ):
        return AuthError(f"{label}: {_ADVICE['auth']}", **common)
    if status_code == 402 or "CREDIT" in upper:
        return InsufficientCredits(f"{label}: {_ADVICE['credits']}", **common)
    if status_code == 429 or "RATE_LIMIT" in upper:
        return RateLimited(f"{label}: {_ADVICE['rate']}", retry_after=retry_after, **common)
    if status_code == 404 or "NOT_FOUND" in upper:
        return TaskNotFound(f"{label}: {_ADVICE['not_found']}", **common)
    if status_code == 409 or "IDEMPOTENCY" in upper:
        return IdempotencyConflict(f"{label}: {_ADVICE['conflict']}", **common)
    if status_code == 503 or upper == "SERVICE_BUSY":
        return ProviderUnavailable(f"{label}: {_ADVICE['busy']}", retry_after=retry_after, **common)
    if 400 <= status_code < 500:
        return ProviderRejected(f"{label}: {_ADVICE['rejected']}", **common)
    if status_code >= 500:
        return ProviderFailure(f"{label}: {_ADVICE['failure']}", **common)
    return ProviderError(f"{label}", **common)


def whole_number(value: Any) -> int | None:
    """An integer from a JSON number (3 or 3.0), else None (booleans are not numbers here)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def decode_json_string(value: Any, *, provider: str, field_name: str) -> Any:
    """Some providers nest JSON as a string (APIXO's resultJson); accept either form."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as err:
            raise ProtocolError(f"{provider}: {field_name} is not valid JSON") from err
    return value
