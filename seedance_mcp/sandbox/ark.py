"""ByteDance's own Ark API, in both regions: BytePlus ModelArk below `/byteplus` and Volcengine
Ark below `/volcengine` (each for base `.../api/v3`). One class holds the contract; the region
classes name their provider, whose `models` (from `providers.ark.ARK_MODELS`) say which ids the
region serves and what each model accepts.

- `POST /contents/generations/tasks`: the body the official SDK sends (it sends every field it
  knows, unset ones as null; null means "not given"). `model` must be one of the region's ids
  (BytePlus ids have no `doubao-` prefix, Volcengine's do; Seedance 1.0 lite has a text and an
  image id); any other id, the other region's included, is refused as Ark refuses it: 404
  `InvalidEndpointOrModel.NotFound`. `content` holds exactly one `text` item and `image_url`
  items with role `first_frame` / `last_frame` (a last frame needs a first frame). Top-level
  `ratio`, `resolution`, `duration`, `generate_audio` (models with sound), `seed`,
  `camera_fixed` (1.x), `watermark`, `return_last_frame`, `service_tier` (`flex` on 1.x),
  `callback_url` (accepted, never called), `execution_expires_after` (3600-259200 s, default
  48 h) and `safety_identifier`. Answer `{"id": "cgt-..."}`.
- `GET /contents/generations/tasks/{id}`: the SDK's `ContentGenerationTask`; `usage` on success
  is `pricing.tokens_for(*pricing.dimensions(model, resolution, ratio), 24, duration)`, the
  client's own formula, so a recorded cost is exact. With `return_last_frame` the last frame is
  a small real PNG below `/files/`.
- `GET /contents/generations/tasks?page_num=&page_size=&filter.status=&filter.model=
  &filter.task_ids=&filter.service_tier=`: `{"total", "items"}`, newest first, last 7 days.
- `DELETE /contents/generations/tasks/{id}`, as documented: a queued task is cancelled (status
  `cancelled`, never billed); a succeeded, failed or expired task's record is deleted (it is
  no longer found); a running or cancelled task cannot be deleted. Answer `{}`.
- Errors: `{"error": {"code", "message", "param", "type"}}`, the codes of Ark's published
  common error list (MissingParameter, InvalidParameter, AuthenticationError,
  InvalidEndpointOrModel.NotFound, RateLimitExceeded, ServerOverloaded, InternalServiceError),
  each message ending in a request id as Ark's do. For the sandbox's faults, the create is a
  "submit" endpoint and get, list and delete are "status" endpoints.

Choices where the documents are silent (none of these codes was found in Ark's documents):
- a create while the account has 120 queued tasks (the documented cap) is refused with 429
  `QuotaExceeded`, the code Ark's error list gives for a reached quota (its description names the
  queue's cap among them); the message says it is the queue;
- deleting a running or cancelled task is refused with 403 `OperationDenied.UnsupportedPhase`,
  the common code Ark publishes for "not supported while the target is in its current phase";
- an unknown task id is 404 `ResourceNotFound`;
- the SDK's fields `priority`, `draft`, `frames`, `tools`, `output_format` and
  `omni_reference_task_type` are not simulated: null is accepted, a value is refused; a
  `draft_task` content item is refused likewise; references (`reference_image` /
  `reference_video` / `reference_audio` items) are checked as Seedance 2.0 documents them (counts,
  a data: URI for images and audio only, no frames beside them); a
  field the SDK does not know is refused (InvalidParameter, naming it);
- a failed render (the "fail_render" fault) reports `InternalServiceError` unless the fault
  names a code; an expired or cancelled task carries no error object;
- an "expire" fault keeps the task it creates queued until its `execution_expires_after`
  (scaled by `speed`) has passed, then it is `expired` and never billed;
- render times are not documented: the client's own brackets (`PollAdvice.render_seconds` of
  the model, `FLEX_POLL` for the flex tier) are the range, a tenth of it spent queued;
- Ark bills money after the fact and has no credit balance: tasks cost 0 credits, so the
  sandbox's shared credit pool is never drawn on; the cost is the tokens in `usage`;
- list filters take exact values; `page_size` defaults to 10.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..pricing import dimensions, tokens_for
from ..providers import ModelSpec
from ..providers.ark import FLEX_POLL, MAX_QUEUED, RATIOS_1X, ArkProvider, BytePlus, Volcengine
from ..providers.family import SEED_RANGE
from .common import ProviderSim, Reject, interpolated_render_range
from .state import LAST_FRAME, QUEUED_SHARE, Task
from .uploads import MediaProblem, Uploads, check_media

__all__ = ["ArkSim", "BytePlusSim", "VolcengineSim"]

TASKS = "/contents/generations/tasks"
INVALID = "InvalidParameter"
MISSING = "MissingParameter"
MODEL_NOT_FOUND = "InvalidEndpointOrModel.NotFound"
QUEUE_FULL = "QuotaExceeded"
WRONG_PHASE = "OperationDenied.UnsupportedPhase"
TASK_NOT_FOUND = "ResourceNotFound"
FAILED_RENDER = "InternalServiceError"

SDK_FIELDS = (
    "model",
    "content",
    "safety_identifier",
    "callback_url",
    "return_last_frame",
    "service_tier",
    "execution_expires_after",
    "priority",
    "generate_audio",
    "draft",
    "camera_fixed",
    "watermark",
    "seed",
    "resolution",
    "ratio",
    "duration",
    "frames",
    "tools",
    "output_format",
    "omni_reference_task_type",
)
NOT_SIMULATED = frozenset(
    {"priority", "draft", "frames", "tools", "output_format", "omni_reference_task_type"}
)
ROLES = ("first_frame", "last_frame")
REFERENCE_ROLES = {
    "image_url": "reference_image",
    "video_url": "reference_video",
    "audio_url": "reference_audio",
}
_ARK_TOKEN = re.compile(r"\[(?:Image|Video|Audio) (\d+)\]|\[(?:图片|视频|音频)(\d+)\]")
TIERS = ("default", "flex")
FLEX_QUEUED_SHARE = 0.8
"""The part of a flex task's render time it waits queued (default-tier tasks: `QUEUED_SHARE`)."""
STATUSES = ("queued", "running", "succeeded", "failed", "cancelled", "expired")
EXPIRES_RANGE = (3600, 259200)
EXPIRES_DEFAULT = 172800
PAGE_RANGE = (1, 500)
PAGE_SIZE_DEFAULT = 10
LIST_DAYS = 7
FPS = 24
TYPES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    429: "TooManyRequests",
    500: "InternalServerError",
    503: "ServiceUnavailable",
}


def _invalid(param: str, detail: str) -> Reject:
    return Reject(
        400,
        INVALID,
        f"The parameter `{param}` specified in the request is not valid: {detail}.",
        extra={"param": param},
    )


def _missing(param: str, detail: str) -> Reject:
    return Reject(
        400,
        MISSING,
        f"The request failed because it is missing the required parameter `{param}`: {detail}.",
        extra={"param": param},
    )


def _shown(values: Any) -> str:
    return ", ".join(str(v) for v in values)


def _span(values: tuple[int, ...]) -> str:
    """Whole numbers as `low-high` when they are a run, else listed."""
    if values and list(values) == list(range(values[0], values[-1] + 1)):
        return f"{values[0]}-{values[-1]}"
    return _shown(values)


@dataclass(frozen=True)
class _Model:
    spec: ModelSpec
    id: str
    images: bool | None
    """True: an image-to-video id, False: a text-to-video id, None: either mode."""


@dataclass(frozen=True)
class _Clip:
    """A create body, checked, with every default filled in."""

    model: _Model
    resolution: str
    ratio: str
    duration: int
    audio: bool | None
    seed: int
    service_tier: str
    expires_after: int
    return_last_frame: bool

    def view(self) -> dict[str, Any]:
        """What the task object reports of the request (kept with the task)."""
        width, height = dimensions(self.model.spec.name, self.resolution, self.ratio)
        return {
            "model": self.model.id,
            "resolution": self.resolution,
            "ratio": self.ratio,
            "duration": self.duration,
            "generate_audio": self.audio,
            "seed": self.seed,
            "service_tier": self.service_tier,
            "execution_expires_after": self.expires_after,
            "tokens": tokens_for(width, height, FPS, self.duration),
        }


class ArkSim(ProviderSim):
    """Ark's content-generation tasks in one region; see the module docstring."""

    provider: ClassVar[type[ArkProvider]]
    task_prefix = "cgt-"
    bad_request = INVALID
    missing_key_code = "AuthenticationError"
    invalid_key_code = "AuthenticationError"
    fault_codes: ClassVar[Mapping[str, str]] = {
        "429": "RateLimitExceeded",
        "503": "ServerOverloaded",
        "500": "InternalServiceError",
        "402": "AccountOverdueError",
        "404": TASK_NOT_FOUND,
    }

    def error_body(self, status: int, code: str, message: str, extra: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "error": {
                "code": code,
                "message": f"{message} Request id: {secrets.token_hex(16)}",
                "param": str(extra.get("param", "")),
                "type": TYPES.get(status, "BadRequest" if status < 500 else "InternalServerError"),
            }
        }

    def not_found(self, task_id: str) -> Reject:
        message = f"The specified task {task_id} is not found."
        return Reject(404, TASK_NOT_FOUND, message, extra={"param": "id"})

    def routes(self) -> list[BaseRoute]:
        one = f"{TASKS}/{{task_id}}"
        return [
            Route(TASKS, self.endpoint("submit", self.submit), methods=["POST"]),
            Route(TASKS, self.endpoint("status", self.listing), methods=["GET"]),
            Route(one, self.endpoint("status", self.status), methods=["GET"]),
            Route(one, self.endpoint("status", self.delete), methods=["DELETE"]),
        ]

    # -- the endpoints -------------------------------------------------------------------
    async def submit(self, request: Request) -> Response:
        owner = self.authorize(request)
        body = await self.json_object(request)
        clip = self._check(body)
        tasks = self.state.owner_tasks(self.id, owner)
        queued = sum(1 for task in tasks if self.state.observe(task) == "queued")
        if queued >= MAX_QUEUED:
            raise Reject(
                429,
                QUEUE_FULL,
                f"The account already has {queued} queued tasks, the most allowed ({MAX_QUEUED}); "
                "wait for queued tasks to start, or cancel some, then try again.",
            )
        stamp = datetime.fromtimestamp(time.time(), UTC).strftime("%Y%m%d%H%M%S")
        task = self.state.create_task(
            provider=self.id,
            prefix=f"{self.task_prefix}{stamp}-",
            body=body,
            owner=owner,
            duration=clip.duration,
            credits=0,
            render_range=self._render_range(clip),
            extra={"clip": clip.view(), LAST_FRAME: clip.return_last_frame},
            expiry=float(clip.expires_after),
            # The offline tier waits for spare capacity: most of its time is spent queued
            # (where it can still be cancelled).
            queued_share=FLEX_QUEUED_SHARE if clip.service_tier == "flex" else QUEUED_SHARE,
        )
        return JSONResponse({"id": task.id})

    async def status(self, request: Request) -> Response:
        owner = self.authorize(request)
        task = self.lookup(request.path_params.get("task_id"), owner, INVALID)
        return JSONResponse(self._task_object(task))

    async def delete(self, request: Request) -> Response:
        owner = self.authorize(request)
        task = self.lookup(request.path_params.get("task_id"), owner, INVALID)
        phase = self.state.cancel(task)
        if phase in ("running", "cancelled"):
            raise Reject(
                403,
                WRONG_PHASE,
                f"Operation is denied because operation is not supported while the target is in its "
                f"current phase: task {task.id} is {phase}; only a queued task can be cancelled, and "
                "only a succeeded, failed or expired one deleted.",
                extra={"param": "id"},
            )
        if phase != "queued":
            self.state.forget(task)
        return JSONResponse({})

    async def listing(self, request: Request) -> Response:
        owner = self.authorize(request)
        query = request.query_params
        page_num = _page(query.get("page_num"), "page_num", 1)
        page_size = _page(query.get("page_size"), "page_size", PAGE_SIZE_DEFAULT)
        status = _filter(query.get("filter.status"), "filter.status", STATUSES)
        tier = _filter(query.get("filter.service_tier"), "filter.service_tier", TIERS)
        model = query.get("filter.model") or None
        wanted_ids = set(query.getlist("filter.task_ids"))
        since = time.time() - LIST_DAYS * 86400
        items = []
        for task in reversed(self.state.owner_tasks(self.id, owner)):  # newest first
            if task.created_wall < since or (wanted_ids and task.id not in wanted_ids):
                continue
            answer = self._task_object(task)
            if status is not None and answer["status"] != status:
                continue
            if model is not None and answer["model"] != model:
                continue
            if tier is not None and answer["service_tier"] != tier:
                continue
            items.append(answer)
        start = (page_num - 1) * page_size
        return JSONResponse({"total": len(items), "items": items[start : start + page_size]})

    # -- the task object -----------------------------------------------------------------
    def _task_object(self, task: Task) -> dict[str, Any]:
        phase = self.state.observe(task)
        clip: dict[str, Any] = task.extra["clip"]
        answer: dict[str, Any] = {
            "id": task.id,
            "model": clip["model"],
            "status": phase,
            "error": None,
            "created_at": int(task.created_wall),
            "updated_at": int(task.created_wall + task.changed_after(phase)),
            "seed": clip["seed"],
            "resolution": clip["resolution"],
            "ratio": clip["ratio"],
            "duration": clip["duration"],
            "framespersecond": FPS,
            "service_tier": clip["service_tier"],
            "execution_expires_after": clip["execution_expires_after"],
        }
        if clip["generate_audio"] is not None:
            answer["generate_audio"] = clip["generate_audio"]
        if phase == "succeeded":
            content = {"video_url": self.state.file_url(task)}
            if task.extra.get(LAST_FRAME):
                content["last_frame_url"] = self.state.frame_url(task)
            answer["content"] = content
            answer["usage"] = {"completion_tokens": clip["tokens"], "total_tokens": clip["tokens"]}
        elif phase == "failed":
            answer["error"] = {
                "code": task.fail_code or FAILED_RENDER,
                "message": "The video generation failed (sandbox fault); the task is not billed.",
            }
        return answer

    # -- the create body -----------------------------------------------------------------
    def _models(self) -> dict[str, _Model]:
        models = {}
        for spec in self.provider.models:
            if spec.wire_id is not None:
                images = False if spec.image_wire_id else None
                models[spec.wire_id] = _Model(spec, spec.wire_id, images)
            if spec.image_wire_id is not None:
                models[spec.image_wire_id] = _Model(spec, spec.image_wire_id, True)
        return models

    def _check(self, body: Mapping[str, Any]) -> _Clip:
        unknown = sorted(set(body) - set(SDK_FIELDS))
        if unknown:
            raise _invalid(unknown[0], f"unknown field; allowed: {_shown(SDK_FIELDS)}")
        for name in sorted(NOT_SIMULATED):
            if body.get(name) is not None:
                raise _invalid(name, "not simulated by the sandbox; allowed: null or leave it out")
        model = self._model(body.get("model"))
        caps = model.spec.caps
        first_frame = _content(body.get("content"), model, self.state.uploads)
        resolution = _pick(body, "resolution", caps.resolutions, caps.default_resolution or "720p", model.id)
        ratio = _pick(body, "ratio", RATIOS_1X, "adaptive" if first_frame else "16:9", model.id)
        duration = _whole(body, "duration", caps.durations, caps.default_duration, model.id)
        audio: bool | None = None
        if caps.audio:
            audio = _flag(body, "generate_audio", True)
        elif body.get("generate_audio") is not None:
            raise _invalid("generate_audio", f"{model.id} makes no sound; allowed: null or leave it out")
        if caps.fixed_lens:
            _flag(body, "camera_fixed", False)
        elif body.get("camera_fixed") is not None:
            raise _invalid(
                "camera_fixed",
                f"not supported by {model.id} (Seedance 1.x only); allowed: null or leave it out",
            )
        _flag(body, "watermark", False)
        return_last_frame = _flag(body, "return_last_frame", False)
        tier = _pick(body, "service_tier", TIERS if caps.flex else ("default",), "default", model.id)
        seed = _integer(body, "seed", SEED_RANGE, -1)
        expires = _integer(body, "execution_expires_after", EXPIRES_RANGE, EXPIRES_DEFAULT)
        _url(body.get("callback_url"), "callback_url", data=False)
        identifier = body.get("safety_identifier")
        if identifier is not None and not isinstance(identifier, str):
            raise _invalid("safety_identifier", f"{identifier!r}; allowed: a string")
        return _Clip(
            model=model,
            resolution=resolution,
            ratio=ratio,
            duration=duration,
            audio=audio,
            seed=secrets.randbelow(SEED_RANGE[1] + 1) if seed == -1 else seed,
            service_tier=tier,
            expires_after=expires,
            return_last_frame=return_last_frame,
        )

    def _model(self, value: Any) -> _Model:
        if value is None or value == "":
            raise _missing("model", f"the model id; allowed: {_shown(self._models())}")
        found = self._models().get(value) if isinstance(value, str) else None
        if found is None:
            raise Reject(
                404,
                MODEL_NOT_FOUND,
                f"The model or endpoint {value} does not exist or you do not have access to it.",
                extra={"param": "model"},
            )
        return found

    def _render_range(self, clip: _Clip) -> tuple[float, float]:
        advice = FLEX_POLL if clip.service_tier == "flex" else clip.model.spec.caps.poll
        points = tuple((seconds, low, high) for seconds, (low, high) in sorted(advice.render_seconds.items()))
        return interpolated_render_range(clip.duration, points)


class BytePlusSim(ArkSim):
    id = "byteplus"
    provider = BytePlus


class VolcengineSim(ArkSim):
    id = "volcengine"
    provider = Volcengine


# -- field checks ----------------------------------------------------------------------------


def _content(value: Any, model: _Model, uploads: Uploads) -> bool:
    """Check `content`; whether it has a first frame."""
    shape = "a list with one text item and optional image_url / video_url / audio_url items"
    if value is None:
        raise _missing("content", shape)
    if not isinstance(value, list) or not value:
        raise _invalid("content", f"{value!r}; allowed: {shape}")
    caps = model.spec.caps
    texts, roles = 0, []
    refs = {"reference_image": 0, "reference_video": 0, "reference_audio": 0}
    images = sum(1 for item in value if isinstance(item, Mapping) and item.get("type") == "image_url")
    prompt = ""
    for i, item in enumerate(value):
        where = f"content[{i}]"
        if not isinstance(item, Mapping):
            raise _invalid("content", f"{where} is {item!r}; allowed: an object with a type")
        kind = item.get("type")
        if kind == "text":
            texts += 1
            text = item.get("text")
            if not isinstance(text, str) or not text.strip():
                raise _invalid("content", f"{where}.text is {text!r}; allowed: the prompt, non-empty")
            if not caps.prompt_min <= len(text) <= caps.prompt_max:
                raise _invalid(
                    "content",
                    f"{where}.text has {len(text)} characters; allowed: {caps.prompt_min}-{caps.prompt_max}",
                )
            prompt = text
        elif kind in REFERENCE_ROLES and item.get("role") in refs:
            role = item["role"]
            if REFERENCE_ROLES[kind] != role:
                raise _invalid("content", f"{where}.role {role} does not go with type {kind}")
            if caps.references is None:
                raise _invalid("content", f"{model.id} takes no reference {role.split('_')[1]}s")
            media = item.get(kind)
            url = media.get("url") if isinstance(media, Mapping) else None
            what = role.split("_")[1]
            try:
                check_media(url, what, uploads, data_uri=what != "video")
            except MediaProblem as err:
                raise _invalid("content", f"{where}.{kind}.url: {err}") from None
            refs[role] += 1
        elif kind == "image_url":
            image = item.get("image_url")
            url = image.get("url") if isinstance(image, Mapping) else None
            _url(url, f"{where}.image_url.url", data=True, param="content")
            role = item.get("role")
            if role is None and images == 1:
                role = "first_frame"  # a single image without a role is the first frame
            if role not in ROLES:
                raise _invalid("content", f"{where}.role is {role!r}; allowed: {_shown(ROLES)}")
            if role in roles:
                raise _invalid("content", f"{where}.role: a second {role} image; allowed: one of each")
            roles.append(role)
        else:
            raise _invalid(
                "content", f"{where}.type is {kind!r}; allowed: text, image_url, video_url, audio_url"
            )
    if texts != 1:
        if texts == 0:
            raise _missing("content", "no text item; allowed: exactly one text item (the prompt)")
        raise _invalid("content", f"{texts} text items; allowed: exactly one text item (the prompt)")
    if any(refs.values()):
        _check_references(refs, roles, prompt, model)
    first, last = "first_frame" in roles, "last_frame" in roles
    if last and not first:
        raise _invalid(
            "content", "a last_frame image without a first_frame image; allowed: add a first frame"
        )
    if last and not caps.end_image:
        raise _invalid("content", f"{model.id} takes no last_frame image; allowed: a first_frame image only")
    if model.images is True and not first:
        raise _invalid("content", f"{model.id} is image-to-video and needs a first_frame image")
    if model.images is False and first:
        raise _invalid(
            "content", f"{model.id} is text-to-video and takes no images; use the image-to-video id"
        )
    return first


def _check_references(refs: Mapping[str, int], roles: list[str], prompt: str, model: _Model) -> None:
    limits = model.spec.caps.references
    assert limits is not None
    if roles:
        raise _invalid("content", "first/last frame images cannot be combined with reference items")
    for role, most in (
        ("reference_image", limits.images),
        ("reference_video", limits.videos),
        ("reference_audio", limits.audios),
    ):
        if refs[role] > most:
            raise _invalid("content", f"{refs[role]} {role} items; allowed: at most {most}")
    if sum(refs.values()) > limits.total:
        raise _invalid("content", f"{sum(refs.values())} reference items; allowed: at most {limits.total}")
    if refs["reference_audio"] and not (
        refs["reference_image"] or refs["reference_video"] or limits.audio_alone
    ):
        raise _invalid("content", "reference_audio needs a reference_image or reference_video beside it")
    if re.search(r"@(?:image|video|audio)\d", prompt, re.IGNORECASE):
        raise _invalid("content", "the prompt names references as @image1; Ark's prompts say [Image 1]")
    for match in _ARK_TOKEN.finditer(prompt):
        n = int(match.group(1) or match.group(2))
        if n < 1:
            raise _invalid("content", f"the prompt names reference {n}; numbering starts at 1")


def _pick(body: Mapping[str, Any], name: str, allowed: tuple[str, ...], default: str, model: str) -> str:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, str) and value in allowed:
        return value
    raise _invalid(name, f"{value!r} for {model}; allowed: {_shown(allowed)}")


def _whole(body: Mapping[str, Any], name: str, allowed: tuple[int, ...], default: int, model: str) -> int:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, int) and not isinstance(value, bool) and value in allowed:
        return value
    raise _invalid(name, f"{value!r} for {model}; allowed: whole seconds {_span(allowed)}")


def _integer(body: Mapping[str, Any], name: str, bounds: tuple[int, int], default: int) -> int:
    value = body.get(name)
    if value is None:
        return default
    low, high = bounds
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    raise _invalid(name, f"{value!r}; allowed: an integer {low} to {high}")


def _flag(body: Mapping[str, Any], name: str, default: bool) -> bool:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    raise _invalid(name, f"{value!r}; allowed: true, false")


def _url(value: Any, name: str, *, data: bool, param: str | None = None) -> None:
    """None, or an http(s) URL (or, where `data`, a base64 `data:image/` URL)."""
    if value is None and not data:
        return
    schemes = ("http://", "https://", "data:image/") if data else ("http://", "https://")
    if isinstance(value, str) and value.startswith(schemes) and len(value) > len("https://"):
        return
    allowed = "an http(s) URL or a data:image/...;base64 URL" if data else "an http(s) URL"
    raise _invalid(param or name, f"{name} is {value!r}; allowed: {allowed}")


def _page(value: str | None, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    low, high = PAGE_RANGE
    if value.isdigit() and low <= int(value) <= high:
        return int(value)
    raise _invalid(name, f"{value!r}; allowed: an integer {low} to {high}")


def _filter(value: str | None, name: str, allowed: tuple[str, ...]) -> str | None:
    if value is None or value == "":
        return None
    if value in allowed:
        return value
    raise _invalid(name, f"{value!r}; allowed: {_shown(allowed)}")
