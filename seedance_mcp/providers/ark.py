"""ByteDance's own Seedance API: Ark, as BytePlus ModelArk (outside China) and Volcengine Ark.

One mapping, two regions (`BytePlus`, `Volcengine`); they differ in base URL, key variable,
the models' ids (Volcengine's carry `doubao-`) and the currency of the price.

- Create `POST /contents/generations/tasks`: `model`, `content` (a `text` item, then
  `image_url` items with role `first_frame` / `last_frame`, or, for Seedance 2.x references,
  `image_url` / `video_url` / `audio_url` items with role `reference_image` / `reference_video` /
  `reference_audio`; a local image or audio file goes inline as a `data:` URI, as Ark's docs allow
  for those two and not for video; the prompt names them `[Image 1]`, `[图片1]`), and the
  top-level fields `ratio`,
  `resolution`, `duration`, `generate_audio` (models with sound), `seed`, `camera_fixed`
  (1.x), `watermark: false`, `return_last_frame` (when the request asks for the last frame),
  `service_tier` (`flex` for the half-price offline tier). Answer
  `{"id": ...}`. Create is not idempotent: there is no idempotency key.
- Get `GET /contents/generations/tasks/{id}`: `status` is `queued`, `running`, `succeeded`,
  `failed`, `cancelled` or `expired`; `content.video_url` (valid 24 h), `content.last_frame_url`
  (only when the create asked for it with `return_last_frame`);
  `usage.completion_tokens` (what is billed); `error.code` / `error.message`.
- List `GET /contents/generations/tasks?page_num=&page_size=&filter.model=` (the last 7 days):
  used to find a task whose create answer was lost. The list carries no prompt, so a task
  matches on model, creation time and the clip's settings (duration, ratio, resolution, audio,
  tier). Ark allows 1 list call a second per account (20 for get and cancel; BytePlus video
  generation tutorial), so it is for recovery, never for polling.
- Cancel `DELETE /contents/generations/tasks/{id}` acts by the task's state (BytePlus's cancel
  or delete page, as mirrored by docs.powertokens.ai and docs.ai-tokenhub.com): a queued task
  is cancelled; a running or cancelled one is refused; a succeeded, failed or expired task has
  its record deleted, so that it can no longer be read. Cancel only a task last seen queued.
- Errors are `{"error": {"code", "message", "param", "type"}}` with an HTTP status; `SENT_WITH`
  lists the documented codes with the status each comes with, `ARK_ERRORS.overrides` the ones
  whose status does not say what they mean (an overdue balance is a 403).

Wire shapes follow the official SDK (`volcenginesdkarkruntime`, `content_generation.tasks`);
the tests compare our requests with the SDK's own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote

from ..errors import AuthError, ProtocolError, ProviderError, ProviderRejected
from ..models import JobError, JobStatus, TaskState, VideoRequest
from ..references import spell
from .base import (
    Capabilities,
    ErrorFormat,
    LocalRoute,
    ModelSpec,
    PollAdvice,
    Provider,
    References,
    WireRequest,
    first_str,
    has_references,
    json_object,
    provider_text,
    whole_number,
)
from .family import (
    FPS,
    MEDIA_MAX_BYTES,
    PROMPT_MAX,
    RATIOS,
    REFERENCES_2X,
    REFERENCES_25,
    SEED_RANGE,
    poll_1x,
    poll_2x,
)

__all__ = ["ARK_ERRORS", "ARK_MODELS", "MAX_QUEUED", "SENT_WITH", "ArkProvider", "BytePlus", "Volcengine"]

T = TypeVar("T")

MAX_QUEUED = 120
"""At most 120 tasks may wait in the queue per account (running and finished ones do not count)."""

TASKS = "/contents/generations/tasks"
RATIOS_1X = (*RATIOS, "adaptive")
LIST_PAGE = 50
"""How many of the newest tasks one recovery look-up reads (the list allows 1-500)."""

_STATES = {
    "queued": JobStatus.QUEUED,
    "running": JobStatus.RUNNING,
    "succeeded": JobStatus.SUCCEEDED,
    "failed": JobStatus.FAILED,
    "cancelled": JobStatus.CANCELLED,
    "canceled": JobStatus.CANCELLED,
    "expired": JobStatus.EXPIRED,
}

# Render times are not documented. These bracket Seedance 1.x clips by APIXO's measured
# 1.5 Pro times (4 s ~40-60 s, 8 s ~60-90 s, 12 s ~90-120 s), stretched for the longer 2.x
# clips; the flex tier runs when capacity is free, within its expiry (default 48 h).
_POLL_1X = poll_1x("not documented; bracketed by APIXO's measured Seedance 1.5 Pro render times")
_POLL_2X = poll_2x("not documented; Seedance 2.x clips take longer than 1.x (third-party reports, 1-7 min)")
FLEX_POLL = PollAdvice(
    interval=60.0,
    render_seconds={5: (600.0, 7200.0), 12: (900.0, 10800.0)},
    source="not documented; the offline (flex) tier runs when capacity is free, minutes to hours",
)

_NOTES_ARK = (
    "Create is not idempotent: an unanswered submit is never re-sent; the task is looked for in "
    "the account's recent tasks instead.",
    "The video URL is valid for 24 hours; the file is saved at once.",
    f"At most {MAX_QUEUED} tasks may wait in the queue per account.",
    "Real-person faces in start images are refused (InputImageSensitiveContentDetected.PrivacyInformation).",
)


_DATA_URI_SOURCE = (
    "BytePlus ModelArk video generation API: image_url and audio_url take a URL or Base64 data "
    "(data:<type>;base64,...); video_url takes a URL only (PLATFORMS.md sections 1 and 4)"
)
LOCAL_ROUTES: Mapping[str, LocalRoute] = {
    "image": LocalRoute(via="data_uri", max_bytes=MEDIA_MAX_BYTES["image"], source=_DATA_URI_SOURCE),
    "audio": LocalRoute(via="data_uri", max_bytes=MEDIA_MAX_BYTES["audio"], source=_DATA_URI_SOURCE),
}
"""Local files Ark takes inline: images and audio as data URIs; a video must be a URL."""

_ROLES = (("reference_images", "image"), ("reference_videos", "video"), ("reference_audios", "audio"))


def _caps(
    *,
    durations: range,
    resolutions: tuple[str, ...],
    audio: bool,
    fixed_lens: bool,
    flex: bool,
    poll: PollAdvice,
    default_resolution: str = "720p",
    end_image: bool = True,
    audio_always: bool = False,
    references: References | None = None,
    notes: tuple[str, ...] = (),
) -> Capabilities:
    """What one Ark model accepts: what differs per model is named; the rest is Ark's."""
    return Capabilities(
        durations=tuple(durations),
        default_duration=5,
        resolutions=resolutions,
        default_resolution=default_resolution,
        aspect_ratios=RATIOS_1X,
        prompt_min=1,
        prompt_max=PROMPT_MAX,
        start_image=True,
        end_image=end_image,
        seed=True,
        seed_range=SEED_RANGE,
        audio=audio,
        fixed_lens=fixed_lens,
        idempotency=False,
        poll=poll,
        fps=FPS,
        flex=flex,
        flex_poll=FLEX_POLL if flex else None,
        audio_always=audio_always,
        last_frame=True,
        max_queued=MAX_QUEUED,
        references=references,
        local_files=frozenset(LOCAL_ROUTES),
        notes=(*notes, *_NOTES_ARK),
    )


def _seedance_1x(*, audio: bool = False, **given: Any) -> Capabilities:
    """Seedance 1.x: 2-12 s (1.5 Pro 4-12 s), a fixed-lens switch and the offline tier."""
    given.setdefault("durations", range(2, 13))
    given.setdefault("resolutions", _ALL)
    return _caps(audio=audio, fixed_lens=True, flex=True, poll=_POLL_1X, **given)


def _seedance_2x(**given: Any) -> Capabilities:
    """Seedance 2.x: 4-15 s (2.5: 4-30 s), sound, references, no fixed-lens switch and no offline
    tier."""
    given.setdefault("durations", range(4, 16))
    given.setdefault("references", REFERENCES_2X)
    return _caps(audio=True, fixed_lens=False, flex=False, poll=_POLL_2X, **given)


_ALL = ("480p", "720p", "1080p")
_LOW = ("480p", "720p")

# (canonical name, BytePlus id for text (and for a start frame, where it has another one),
# capabilities). Volcengine's ids are BytePlus's with `doubao-` in front (in place of
# `dreamina-` for 2.x; `volcengine_id`). The first is the default: Seedance 1.5 Pro is the
# newest model any new key can use at once (2.0 needs a prepaid resource pack bought in the
# console first).
ARK_MODELS: tuple[tuple[str, tuple[str, str | None], Capabilities], ...] = (
    ("seedance-1.5-pro", ("seedance-1-5-pro-251215", None), _seedance_1x(durations=range(4, 13), audio=True)),
    (
        "seedance-2.0",
        ("dreamina-seedance-2-0-260128", None),
        _seedance_2x(
            resolutions=_ALL,
            notes=("Seedance 2.0 needs a prepaid resource pack before the model can be activated.",),
        ),
    ),
    ("seedance-2.0-fast", ("dreamina-seedance-2-0-fast-260128", None), _seedance_2x(resolutions=_LOW)),
    ("seedance-2.0-mini", ("dreamina-seedance-2-0-mini-260615", None), _seedance_2x(resolutions=_LOW)),
    (
        "seedance-2.5",
        ("dreamina-seedance-2-5-260628", None),
        _seedance_2x(
            durations=range(4, 31),
            resolutions=_ALL,
            audio_always=True,
            references=REFERENCES_25,
            notes=(
                "Seedance 2.5 always generates sound; the audio switch does not turn it off.",
                "Seedance 2.5 renders 1080p as 10-bit H.265 (HEVC), which some players cannot show.",
            ),
        ),
    ),
    ("seedance-1.0-pro", ("seedance-1-0-pro-250528", None), _seedance_1x(default_resolution="1080p")),
    (
        "seedance-1.0-pro-fast",
        ("seedance-1-0-pro-fast-251015", None),
        _seedance_1x(default_resolution="1080p", end_image=False),
    ),
    (
        "seedance-1.0-lite",
        ("seedance-1-0-lite-t2v-250428", "seedance-1-0-lite-i2v-250428"),
        _seedance_1x(notes=("Seedance 1.0 lite has one id for text-to-video and one for image-to-video.",)),
    ),
)


def volcengine_id(byteplus_id: str) -> str:
    """Volcengine's id of a model: BytePlus's with `doubao-` in front, in place of `dreamina-`."""
    return "doubao-" + byteplus_id.removeprefix("dreamina-")


_MODEL_SOURCE = (
    "BytePlus ModelArk video generation docs (docs.byteplus.com/api/docs/ModelArk/1366799) and its "
    "Seedance 2.5 page's capability table (ai.byteplus.com/ark/region:ap-southeast-1/docs/ModelArk/"
    "seedance-2-5, which lists 2.0 mini as dreamina-seedance-2-0-mini-260615); Volcengine ids as "
    "listed by its API mirrors; read 2026-12-01"
)


def _specs(region: str) -> tuple[ModelSpec, ...]:
    """Every model as one region (`byteplus` or `volcengine`) names it."""
    specs = []
    for name, (text_id, image_id), caps in ARK_MODELS:
        if region == "volcengine":
            text_id, image_id = volcengine_id(text_id), image_id and volcengine_id(image_id)
        specs.append(
            ModelSpec(name=name, caps=caps, wire_id=text_id, image_wire_id=image_id, source=_MODEL_SOURCE)
        )
    return tuple(specs)


# Ark's error codes and the HTTP status it sends each with: BytePlus ModelArk's error-code page
# (ai.byteplus.com/ark/region:ap-southeast-1/docs/error-codes, as transcribed with its table in
# a third-party survey of the docs; read 2026-12-01), Volcengine Ark's public error codes
# (volcengine.com/docs/82379/1299023, which agree where both list a code) and BytePlus's Free
# Tokens Only Mode page (docs.byteplus.com/docs/ModelArk/1465347). A dotted code
# (`NotFound.TaskId`) is looked up whole, then by its first part.
SENT_WITH: dict[str, int] = {
    "MissingParameter": 400,
    "InvalidParameter": 400,
    "InvalidImageURL": 400,
    "InvalidEndpoint": 400,  # .ClosedEndpoint
    "SensitiveContentDetected": 400,
    "InputTextSensitiveContentDetected": 400,
    "InputImageSensitiveContentDetected": 400,
    "InputVideoSensitiveContentDetected": 400,
    "InputAudioSensitiveContentDetected": 400,
    "OutputTextSensitiveContentDetected": 400,
    "OutputImageSensitiveContentDetected": 400,
    "OutputVideoSensitiveContentDetected": 400,
    "OutputAudioSensitiveContentDetected": 400,
    "InputTextRiskDetection": 400,
    "InputImageRiskDetection": 400,
    "AuthenticationError": 401,
    "InvalidAccountStatus": 401,
    "AccessDenied": 403,
    "AccountOverdueError": 403,
    "OperationDenied": 403,  # .ServiceNotOpen, .ServiceOverdue, ...
    "InvalidEndpoint.NotFound": 404,
    "InvalidEndpointOrModel": 404,  # .NotFound, .ModelIDAccessDisabled
    "ModelNotOpen": 404,
    "NotFound": 404,  # .{Parameter}: e.g. a task id that does not exist
    "RateLimitExceeded": 429,  # .EndpointRPMExceeded, .EndpointTPMExceeded
    "ModelAccountRpmRateLimitExceeded": 429,
    "APIAccountRpmRateLimitExceeded": 429,
    "ModelAccountIpmRateLimitExceeded": 429,
    "AccountRateLimitExceeded": 429,
    "InflightBatchsizeExceeded": 429,
    "QuotaExceeded": 429,
    "SetLimitExceeded": 429,
    "ModelQuotaExhausted": 429,
    "ServerOverloaded": 429,
    "RequestBurstTooFast": 429,
    "InternalServiceError": 500,
}
"""Ark's documented error codes -> the HTTP status it sends each with."""


def _by_code(table: Mapping[str, T], code: str | None) -> T | None:
    """`table`'s entry for a code, looked up whole and then by its first dotted part."""
    if not code:
        return None
    found = table.get(code)
    return found if found is not None else table.get(code.split(".", 1)[0])


ARK_ERRORS = ErrorFormat(
    code_keys=("code",),
    message_keys=("message",),
    code_word=re.compile(r"[A-Z][A-Za-z]+(?:\.[A-Za-z]+)*"),
    codes=SENT_WITH,
    # Where the status a code comes with does not say what it means (SENT_WITH has the status):
    overrides={
        # An overdue balance (403) and used-up quotas and limits (429) mean "pay or raise the
        # limit" (402), not "bad key" and not "wait a moment": retrying does not help.
        "AccountOverdueError": 402,
        "OperationDenied.ServiceOverdue": 402,
        "QuotaExceeded": 402,
        "SetLimitExceeded": 402,
        "ModelQuotaExhausted": 402,
        # Burst protection (429): not processed, try again shortly.
        "ServerOverloaded": 503,
        # A model the account cannot use here (404, 403) is a refused request, not a missing
        # task and not a bad key: activate the model, or choose another one.
        "InvalidEndpointOrModel": 400,
        "ModelNotOpen": 400,
        "OperationDenied.ServiceNotOpen": 400,
        # A cancel of a task past the queue (403 in the simulator's reading of the common code):
        # refused for this task, not a key problem.
        "OperationDenied.UnsupportedPhase": 400,
    },
    code_texts={
        "AccountOverdueError": "the account has an overdue balance",
        "QuotaExceeded": "a quota of the account was reached",
        "SetLimitExceeded": "the inference limit set on this model in the console was reached",
        "ModelQuotaExhausted": "the free token quota is used up (Free Tokens Only Mode)",
        "ModelNotOpen": "this model is not activated for the account",
        "ServerOverloaded": "the service is overloaded",
        "OperationDenied.UnsupportedPhase": "the task is past the phase in which this is allowed",
    },
)

_ACTIVATE = (
    "activate the model on the console's Model activation page for this region (activation is per "
    "region; Seedance 2.0 needs a prepaid resource pack first), or choose another model"
)
_NEXT_STEPS = {
    "AccountOverdueError": "top up the account in the console's billing center; calls resume once it is paid",
    "OperationDenied.ServiceOverdue": "pay the overdue bill in the console's billing center",
    "QuotaExceeded": (
        "one of three quotas ran out: the model's free trial quota (enable paid use on the console's "
        "Model activation page), the queue's 120 waiting tasks (wait for some to start) or a usage "
        "quota (it resets at the time the message names)"
    ),
    "SetLimitExceeded": (
        "raise the limit or turn off Safe Experience Mode for this model on the console's Model "
        "activation page"
    ),
    "ModelQuotaExhausted": (
        "turn off Free Tokens Only Mode on the console's Model activation page to pay for use"
    ),
    "ModelNotOpen": _ACTIVATE,
    "OperationDenied.ServiceNotOpen": _ACTIVATE,
    "InvalidEndpointOrModel": f"this account cannot use the model in this region: {_ACTIVATE}",
    "AccessDenied": (
        "the key has no access to this model: allow it for the key in the console's API Key "
        "Management (a key may be limited to some models or IP addresses)"
    ),
}

_SENSITIVE = {
    "SensitiveContentDetected": "reword the prompt: moderation refused the text",
    "InputTextSensitiveContentDetected": "reword the prompt: moderation refused the text",
    "InputTextSensitiveContentDetected.PolicyViolation": (
        "reword the prompt without copyrighted characters, works, brands or artists"
    ),
    "InputTextRiskDetection": "reword the prompt: risk detection refused the text",
    "InputImageSensitiveContentDetected": "use another start or end image: moderation refused this one",
    "InputImageSensitiveContentDetected.PrivacyInformation": (
        "use an image without a real person: a real face is refused (an illustrated or generated "
        "face works, or none)"
    ),
    "InputImageSensitiveContentDetected.PolicyViolation": (
        "use an image without copyrighted characters, logos or artwork"
    ),
    "InputImageRiskDetection": "use another start or end image: risk detection refused this one",
    "InputVideoSensitiveContentDetected": "use another reference video: moderation refused this one",
    "InputAudioSensitiveContentDetected": "use another reference audio: moderation refused this one",
    "OutputVideoSensitiveContentDetected": "reword the prompt: moderation refused the rendered video",
    "OutputVideoSensitiveContentDetected.PolicyViolation": (
        "reword the prompt without copyrighted characters, works or brands: the video may infringe copyright"
    ),
    "OutputAudioSensitiveContentDetected": (
        "turn audio off or reword the spoken lines and sounds: moderation refused the sound"
    ),
    "OutputAudioSensitiveContentDetected.PolicyViolation": (
        "turn audio off, or ask for no music or an original tune: the sound may infringe copyright"
    ),
    "OutputImageSensitiveContentDetected": "reword the prompt: moderation refused a rendered frame",
    "OutputTextSensitiveContentDetected": "reword the prompt: moderation refused the rewritten prompt",
}
"""What to change when moderation refuses the input or the output (whole code, then first part)."""


class ArkProvider(Provider):
    """Ark's content-generation tasks in one region; see the module docstring."""

    other_region: ClassVar[str]
    """The other region's provider id, named when this region refuses a key."""
    errors = ARK_ERRORS
    cancellable = frozenset({JobStatus.QUEUED})
    """Only a queued task can be cancelled; a DELETE of a finished one erases its record."""
    local_routes = LOCAL_ROUTES
    reference_tokens = ("[{Kind} {n}]", "[{word}{n}]")
    """BytePlus's Seedance 2.0 prompting guide names references "Image 1", "Video 2" (图片1, 视频2
    in Chinese); the brackets keep the name apart from the sentence around it."""

    def build_submit(self, req: VideoRequest, idempotency_key: str) -> WireRequest:
        # Ark keeps no idempotency key: the key is unused, and a lost answer is never re-sent.
        assert req.duration is not None and req.aspect_ratio is not None
        spec = self._spec(req)
        model_id = spec.wire_for(req)
        prompt = spell(req.prompt, self.reference_tokens) if has_references(req) else req.prompt
        content: list[dict[str, Any]] = [{"type": "text", "text": prompt}]
        for field_name, kind in _ROLES:
            for url in getattr(req, field_name):
                item = f"{kind}_url"
                content.append({"type": item, item: {"url": url}, "role": f"reference_{kind}"})
        if req.image_url:
            content.append({"type": "image_url", "image_url": {"url": req.image_url}, "role": "first_frame"})
        if req.end_image_url:
            content.append(
                {"type": "image_url", "image_url": {"url": req.end_image_url}, "role": "last_frame"}
            )
        body: dict[str, Any] = {"model": model_id, "content": content, "ratio": req.aspect_ratio}
        if req.resolution is not None:
            body["resolution"] = req.resolution
        body["duration"] = req.duration
        if spec.caps.audio:
            body["generate_audio"] = req.audio
        if req.seed is not None:
            body["seed"] = req.seed
        if spec.caps.fixed_lens:
            body["camera_fixed"] = req.fixed_lens
        body["watermark"] = False
        if req.last_frame:
            body["return_last_frame"] = True
        if req.flex:
            body["service_tier"] = "flex"
        return WireRequest(method="POST", path=TASKS, json=body)

    def parse_submit(self, status_code: int, body: Any) -> str:
        data = json_object(self.id, body)
        task_id = first_str(data, "id")
        if task_id is None:
            if "error" in data:
                raise self.error_for(status_code, data)
            raise ProtocolError(f"{self.id}: the create answer has no task id (id)")
        return task_id

    def build_status(self, task_id: str) -> WireRequest:
        return WireRequest(method="GET", path=f"{TASKS}/{quote(task_id, safe='')}")

    def parse_status(self, status_code: int, body: Any) -> TaskState:
        data = json_object(self.id, body)
        raw = first_str(data, "status")
        if raw is None:
            if "error" in data:
                raise self.error_for(status_code, data)
            raise ProtocolError(f"{self.id}: the task answer has no status")
        status = _STATES.get(raw.lower(), JobStatus.RUNNING)  # an undocumented word: still running
        content = data.get("content")
        content = content if isinstance(content, Mapping) else {}
        usage = data.get("usage")
        tokens = whole_number(usage.get("completion_tokens")) if isinstance(usage, Mapping) else None
        match status:
            case JobStatus.SUCCEEDED:
                url = first_str(content, "video_url")
                if url is None:
                    raise ProtocolError(f"{self.id}: a succeeded task came without content.video_url")
                return TaskState(
                    status=status,
                    video_url=url,
                    last_frame_url=first_str(content, "last_frame_url"),
                    tokens=tokens,
                    provider_status=raw,
                )
            case JobStatus.FAILED | JobStatus.CANCELLED | JobStatus.EXPIRED:
                return TaskState(status=status, error=self._job_error(data, status), provider_status=raw)
            case _:
                return TaskState(status=status, provider_status=raw)

    def build_cancel(self, task_id: str) -> WireRequest:
        return WireRequest(method="DELETE", path=f"{TASKS}/{quote(task_id, safe='')}")

    def build_recent(self, req: VideoRequest) -> WireRequest:
        params = {"page_num": "1", "page_size": str(LIST_PAGE)}
        model_id = self._spec(req).wire_for(req)
        if model_id:
            params["filter.model"] = model_id
        return WireRequest(method="GET", path=TASKS, params=params)

    def find_recent(self, body: Any, req: VideoRequest, *, since: float, until: float) -> list[str]:
        data = json_object(self.id, body)
        items = data.get("items")
        if items is None and whole_number(data.get("total")) == 0:
            items = []  # an empty list may leave `items` out
        if not isinstance(items, list):
            raise ProtocolError(f"{self.id}: the task list has no items")
        model_id = self._spec(req).wire_for(req)
        found = []
        for item in items:
            if not isinstance(item, Mapping):
                continue
            task_id = first_str(item, "id")
            created = whole_number(item.get("created_at"))
            if task_id is None or created is None or not since - 1 <= created <= until + 1:
                continue
            if model_id and item.get("model") not in (None, model_id):
                continue
            if not self._same_clip(item, req):
                continue
            found.append(task_id)
        return found

    def error_for(self, status_code: int, body: Any, retry_after: float | None = None) -> ProviderError:
        """The exception for an Ark error answer, with what to do next for the codes that say.

        An error inside a 2xx answer takes the status Ark sends its code with. Moderation
        refusals are `ProviderRejected` naming what to change; account and activation codes
        say where in the console to fix them; a refused key also names the other region.
        """
        reading = self.errors.read(body)
        if status_code < 400:
            status_code = _by_code(SENT_WITH, reading.code) or status_code
        err = self.errors.error_from(self.id, status_code, reading, retry_after)
        code = err.provider_code
        sensitive = _by_code(_SENSITIVE, code)
        step = sensitive or _by_code(_NEXT_STEPS, code)
        if isinstance(err, AuthError):
            region = f"SEEDANCE_PROVIDER={self.other_region} if the key was made in that region's console"
            if step is None:
                return AuthError(
                    f"{err.message}; or set {region}.",
                    provider=self.id,
                    status_code=err.status_code,
                    provider_code=code,
                )
            step = f"{step}; or set {region}"
        if step is None:
            return err
        text = reading.text
        if text is None or text.lower() == "success":
            text = _by_code(self.errors.code_texts, code) or text or f"HTTP {status_code}"
        kind = ProviderRejected if sensitive else type(err)
        return kind(
            f"{self.id}: {text}" + (f" ({code})" if code else "") + f": {step}",
            provider=self.id,
            status_code=err.status_code,
            provider_code=code,
            retry_after=err.retry_after,
        )

    # -- helpers ---------------------------------------------------------------------------

    def _spec(self, req: VideoRequest) -> ModelSpec:
        spec = self.find_model(req.model) if req.model else self.default_model
        if spec is None:
            raise ProtocolError(f"{self.id}: the request names a model it does not serve ({req.model})")
        return spec

    def _same_clip(self, item: Mapping[str, Any], req: VideoRequest) -> bool:
        """Whether a listed task has the clip settings `req` asked for (fields it leaves out match)."""
        wanted = {
            "duration": req.duration,
            # `adaptive` lets the model pick the shape, and the task may list the one it picked.
            "ratio": None if req.aspect_ratio == "adaptive" else req.aspect_ratio,
            "resolution": req.resolution,
            "service_tier": "flex" if req.flex else "default",
        }
        for key, value in wanted.items():
            got = item.get(key)
            if got is not None and value is not None and got != value:
                return False
        audio = item.get("generate_audio")
        return not (isinstance(audio, bool) and self._spec(req).caps.audio and audio != req.audio)

    def _job_error(self, data: Mapping[str, Any], status: JobStatus) -> JobError:
        error = data.get("error")
        error = error if isinstance(error, Mapping) else {}
        code = provider_text(first_str(error, "code"), 60)
        message = provider_text(first_str(error, "message"))
        if status is JobStatus.EXPIRED:
            return JobError(
                code=code or "expired",
                message=message or "the task waited longer than its expiry and was not rendered (not billed)",
            )
        if status is JobStatus.CANCELLED:
            return JobError(
                code=code or "cancelled", message=message or "the task was cancelled (not billed)"
            )
        advice = _by_code(_SENSITIVE, code)
        text = message or "the render failed (not billed)"
        return JobError(code=code or "generation_failed", message=f"{text}: {advice}" if advice else text)


class BytePlus(ArkProvider):
    id = "byteplus"
    name = "BytePlus ModelArk"
    base_url = "https://ark.ap-southeast.bytepluses.com/api/v3"
    docs_url = "https://docs.byteplus.com/en/docs/ModelArk/1366799"
    key_env = "BYTEPLUS_API_KEY"
    key_envs = ("ARK_API_KEY",)
    unit = "USD"
    other_region = "volcengine"
    models = _specs("byteplus")


class Volcengine(ArkProvider):
    id = "volcengine"
    name = "Volcengine Ark"
    base_url = "https://ark.cn-beijing.volces.com/api/v3"
    docs_url = "https://www.volcengine.com/docs/82379/1520757"
    key_env = "VOLCENGINE_API_KEY"
    key_envs = ("ARK_API_KEY",)
    unit = "CNY"
    other_region = "byteplus"
    models = _specs("volcengine")
