"""Replicate's predictions API for the official Seedance models, below `/replicate` (for base
`.../v1`). The models and what each accepts come from `providers.replicate.REPLICATE_MODELS`,
widened to what Replicate's own schemas take (2.0's `-1` duration, the reference lists).

- `POST /models/{owner}/{name}/predictions` with `{"input": {...}}` (plus the documented
  `webhook`, `webhook_completed`, `webhook_events_filter`, `stream`; a webhook is accepted and
  never called). Every input is checked against the model's schema; a refusal is Replicate's
  422 problem details naming each field (`invalid_fields` of `{type, field, description}`).
  Answer 201 with the prediction, `starting`. `Prefer: wait` is not needed and never held:
  the answer comes at once, as when the wait runs out.
- `GET /predictions/{id}`: the prediction (`id`, `model`, `version: "hidden"` as for official
  models, `input`, `output`, `error`, `logs`, `status`, `source: "api"`, `data_removed`,
  `created_at`/`started_at`/`completed_at` in ISO 8601 UTC, `metrics.predict_time` and
  `total_time` once finished, `urls.get`/`cancel`/`web` on the simulator's own origin). The
  status is `starting` (queued), `processing`, `succeeded` (`output`: the video below
  `/files/`), `failed` (`error`: a string), `canceled`.
- Outputs and inputs are deleted an hour after the prediction finished, scaled by `speed`
  (never under `MIN_KEPT` seconds, so that a run at a tiny speed can still save its video):
  the file then answers 404 and the prediction has `output: null`, `input: {}`,
  `data_removed: true`, as Replicate's data-retention page says. At speed 0 (no time is
  simulated) nothing is deleted.
- `POST /predictions/{id}/cancel`: a starting or processing prediction is canceled (never
  billed); a finished one is answered as it is. Answer 200 with the prediction.
- `GET /predictions[?cursor=&created_after=&created_before=]`: the caller's predictions,
  newest first, 100 a page, `{"previous", "next", "results"}` with `next` a whole URL.
- Errors are problem details `{"title", "detail", "status"}`: 401 `Unauthenticated`, 404
  `Not found` (model or prediction), 422 `Input validation failed`; a 429 is only
  `{"detail": "Request was throttled. ..."}` with `Retry-After`, as the rate-limits page
  shows. For the sandbox's faults, the create is a "submit" endpoint, get, list and cancel
  are "status" endpoints.

Choices where the documents are silent:
- an input field the model's schema does not list is refused (422, naming it); so is a
  `last_frame_image` without an `image` (the schema says it "only works" with one) and a 2.0
  duration of 0 to 3 (the schema allows -1 to 15; ByteDance renders -1 or 4 to 15);
- non-empty `reference_images` / `reference_videos` / `reference_audios` are not simulated
  (refused, 422); empty lists are accepted;
- a failed render (the "fail_render" fault) says `Prediction failed (sandbox fault)`, after
  the fault's code when it names one; predictions never abort (no "expire" fault);
- render times are the client's own brackets (`PollAdvice.render_seconds` of the model), a
  tenth of it spent starting;
- Replicate bills money after the fact and has no credit balance: predictions cost 0 credits,
  so the sandbox's shared credit pool is never drawn on.
"""

from __future__ import annotations

import base64
import re
import secrets
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlencode

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..providers.family import FPS
from ..providers.replicate import OUTPUT_TTL, REPLICATE_MODELS
from .common import ProviderSim, Reject, interpolated_render_range
from .config import Fault
from .state import FILES_KEPT, Task
from .uploads import MAX_UPLOAD, MediaProblem, Uploads, check_media

__all__ = ["MIN_KEPT", "PAGE_SIZE", "ReplicateSim", "files_kept"]

PAGE_SIZE = 100
MIN_KEPT = 30.0
"""The fewest seconds a finished prediction's output is kept, whatever the speed."""
BODY_FIELDS = frozenset({"input", "webhook", "webhook_completed", "webhook_events_filter", "stream"})
REFERENCES = ("reference_images", "reference_videos", "reference_audios")
INVALID = "Input validation failed"
NOT_FOUND = "Not found"
STATUS = {
    "queued": "starting",
    "running": "processing",
    "succeeded": "succeeded",
    "failed": "failed",
    "cancelled": "canceled",
    "expired": "aborted",
}
_ID_CHARS = string.ascii_lowercase + string.digits


def files_kept(speed: float) -> float | None:
    """Seconds (on the simulator's clock) a finished prediction's output is kept at `speed`; None
    (kept) at speed 0, where time is not simulated at all."""
    return max(OUTPUT_TTL * speed, MIN_KEPT) if speed > 0 else None


@dataclass(frozen=True)
class _Schema:
    """One model's input schema on Replicate: the values each field takes, and its render times."""

    model: str
    durations: tuple[int, ...]
    resolutions: tuple[str, ...]
    ratios: tuple[str, ...]
    audio: bool
    """Whether the model takes `generate_audio`."""
    fixed_lens: bool
    """Whether the model takes `fps` and `camera_fixed` (Seedance 1.x)."""
    references: tuple[str, ...]
    render: tuple[tuple[int, float, float], ...]

    @property
    def fields(self) -> frozenset[str]:
        names = {"prompt", "image", "last_frame_image", "duration", "resolution", "aspect_ratio", "seed"}
        if self.fixed_lens:
            names |= {"fps", "camera_fixed"}
        if self.audio:
            names.add("generate_audio")
        return frozenset(names | set(self.references))


REFERENCE_KINDS = {
    "reference_images": ("image", 9),
    "reference_videos": ("video", 3),
    "reference_audios": ("audio", 3),
}


def _schemas() -> dict[str, _Schema]:
    schemas = {}
    for name, model, caps, _ in REPLICATE_MODELS:
        two = name.startswith("seedance-2")
        if two:
            durations: tuple[int, ...] = (-1, *caps.durations)
            references: tuple[str, ...] = REFERENCES
        else:
            durations = caps.durations
            references = ("reference_images",) if name == "seedance-1.0-lite" else ()
        points = tuple((s, low, high) for s, (low, high) in sorted(caps.poll.render_seconds.items()))
        schemas[model] = _Schema(
            model=model,
            durations=durations,
            resolutions=caps.resolutions,
            ratios=caps.aspect_ratios,
            audio=caps.audio,
            fixed_lens=caps.fixed_lens,
            references=references,
            render=points,
        )
    return schemas


SCHEMAS = _schemas()


class _Invalid:
    """The invalid fields of one create body, gathered before refusing it."""

    def __init__(self) -> None:
        self.fields: list[dict[str, str]] = []

    def add(self, kind: str, field: str, description: str) -> None:
        self.fields.append({"type": kind, "field": field, "description": description})

    def raise_any(self) -> None:
        if self.fields:
            detail = "".join(f"- {f['field'] or 'body'}: {f['description']}\n" for f in self.fields)
            raise Reject(422, INVALID, detail, extra={"invalid_fields": self.fields})


def _shown(values: Any) -> str:
    return ", ".join(f'"{v}"' if isinstance(v, str) else str(v) for v in values)


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_iso(value: str, name: str) -> float:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Reject(400, "Bad request", f"{name}: {value!r} is not an ISO 8601 date-time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


class ReplicateSim(ProviderSim):
    """Replicate's predictions for the official Seedance models; see the module docstring."""

    id = "replicate"
    task_prefix = ""
    bad_request = "Bad request"
    missing_key_code = "Unauthenticated"
    invalid_key_code = "Unauthenticated"
    fault_codes: ClassVar[Mapping[str, str]] = {
        "429": "",
        "503": "Service unavailable",
        "500": "Internal server error",
        "402": "Insufficient credit",
        "404": NOT_FOUND,
    }

    def error_body(self, status: int, code: str, message: str, extra: Mapping[str, Any]) -> dict[str, Any]:
        if status == 429:
            return {"detail": message}
        body: dict[str, Any] = {"title": code, "detail": message, "status": status}
        if "invalid_fields" in extra:
            body["invalid_fields"] = extra["invalid_fields"]
        return body

    def fault_reject(self, fault: Fault) -> Reject:
        if fault.kind == "429":
            seconds = "second" if fault.retry_after == 1 else "seconds"
            detail = (
                f"Request was throttled. Expected available in {fault.retry_after} {seconds}. (sandbox fault)"
            )
            return Reject(429, "", detail, retry_after=fault.retry_after)
        return super().fault_reject(fault)

    def authorize(self, request: Request) -> str:
        try:
            return super().authorize(request)
        except Reject as reject:
            if reject.status != 401:
                raise
            given = request.headers.get("authorization") is not None
            what = "a valid authentication token" if given else "an authentication token"
            raise Reject(401, "Unauthenticated", f"You did not pass {what}") from None

    def not_found(self, task_id: str) -> Reject:
        return Reject(404, NOT_FOUND, f"The requested resource could not be found (prediction {task_id}).")

    def routes(self) -> list[BaseRoute]:
        one = "/predictions/{task_id}"
        return [
            Route(
                "/models/{owner}/{name}/predictions", self.endpoint("submit", self.submit), methods=["POST"]
            ),
            Route("/predictions", self.endpoint("status", self.listing), methods=["GET"]),
            Route("/files", self.endpoint("submit", self.upload), methods=["POST"]),
            Route(one, self.endpoint("status", self.get), methods=["GET"]),
            Route(one + "/cancel", self.endpoint("status", self.cancel), methods=["POST"]),
        ]

    # -- the endpoints -------------------------------------------------------------------
    async def upload(self, request: Request) -> Response:
        """The files API: a multipart form with the file as `content`; answers the file object."""
        self.authorize(request)
        async with request.form(max_part_size=MAX_UPLOAD) as form:
            content = form.get("content")
            if not isinstance(content, UploadFile):
                raise Reject(
                    400, "Bad request", "content: a file is required (multipart form field `content`)"
                )
            data = await content.read()
            mime = content.content_type or "application/octet-stream"
            filename = content.filename
        if not data:
            raise Reject(400, "Bad request", "content: the file is empty")
        upload_id = self.state.uploads.add(mime, data)
        url = self.state.uploads.url(upload_id)
        return JSONResponse(
            {
                "id": upload_id,
                "name": filename,
                "content_type": mime,
                "size": len(data),
                "urls": {"get": url},
            },
            status_code=201,
        )

    async def submit(self, request: Request) -> Response:
        owner = self.authorize(request)
        model = f"{request.path_params['owner']}/{request.path_params['name']}"
        schema = SCHEMAS.get(model)
        if schema is None:
            raise Reject(404, NOT_FOUND, f"The requested resource could not be found (model {model}).")
        body = await self.json_object(request)
        model_input, duration = _check(schema, body, self.state.uploads)
        extra: dict[str, Any] = {"model": model, "input": model_input}
        kept = files_kept(self.state.config.speed)
        if kept is not None:
            extra[FILES_KEPT] = kept  # kept with the task, so that another process deletes it too
        task = self.state.create_task(
            provider=self.id,
            prefix="".join(secrets.choice(_ID_CHARS) for _ in range(10)),
            body=body,
            owner=owner,
            duration=duration,
            credits=0,
            render_range=interpolated_render_range(duration, schema.render),
            extra=extra,
        )
        return JSONResponse(self._prediction(task), status_code=201)

    async def get(self, request: Request) -> Response:
        owner = self.authorize(request)
        task = self.lookup(request.path_params.get("task_id"), owner, self.bad_request)
        return JSONResponse(self._prediction(task))

    async def cancel(self, request: Request) -> Response:
        owner = self.authorize(request)
        task = self.lookup(request.path_params.get("task_id"), owner, self.bad_request)
        self.state.cancel(task, phases=("queued", "running"))
        return JSONResponse(self._prediction(task))

    async def listing(self, request: Request) -> Response:
        owner = self.authorize(request)
        query = request.query_params
        after = query.get("created_after")
        before = query.get("created_before")
        since = _parse_iso(after, "created_after") if after else None
        until = _parse_iso(before, "created_before") if before else None
        start = _offset(query.get("cursor"))
        tasks = [
            t
            for t in reversed(self.state.owner_tasks(self.id, owner))  # newest first
            if (since is None or t.created_wall >= since) and (until is None or t.created_wall < until)
        ]
        page = tasks[start : start + PAGE_SIZE]
        return JSONResponse(
            {
                "previous": self._page_url(request, start - PAGE_SIZE) if start > 0 else None,
                "next": self._page_url(request, start + PAGE_SIZE)
                if start + PAGE_SIZE < len(tasks)
                else None,
                "results": [self._prediction(t) for t in page],
            }
        )

    # -- the prediction object -----------------------------------------------------------
    def _base(self) -> str:
        return f"{self.state.root_url}/{self.id}"

    def _page_url(self, request: Request, offset: int) -> str:
        cursor = base64.urlsafe_b64encode(f"o={max(offset, 0)}".encode()).decode().rstrip("=")
        params = dict(request.query_params) | {"cursor": cursor}
        return f"{self._base()}/predictions?{urlencode(params)}"

    def _prediction(self, task: Task) -> dict[str, Any]:
        phase = self.state.observe(task)
        status = STATUS[phase]
        base = f"{self._base()}/predictions/{task.id}"
        final = phase in ("succeeded", "failed", "cancelled", "expired")
        kept = task.extra.get(FILES_KEPT)
        removed = (
            final and kept is not None and self.state.now() - task.created >= task.changed_after(phase) + kept
        )
        answer: dict[str, Any] = {
            "id": task.id,
            "model": task.extra["model"],
            "version": "hidden",
            "input": {} if removed else task.extra["input"],
            "logs": "",
            "output": None,
            "error": None,
            "status": status,
            "source": "api",
            "data_removed": removed,
            "created_at": _iso(task.created_wall),
            "urls": {"get": base, "cancel": f"{base}/cancel", "web": f"{self._base()}/p/{task.id}"},
        }
        started = phase in ("running", "succeeded", "failed") or (
            phase == "cancelled" and task.changed_after("cancelled") > task.queue_seconds
        )
        if started:
            answer["started_at"] = _iso(task.created_wall + task.queue_seconds)
        if final:
            ended = task.changed_after(phase)
            answer["completed_at"] = _iso(task.created_wall + ended)
            answer["metrics"] = {"predict_time": round(max(0.0, ended - task.queue_seconds), 3)}
            answer["metrics"]["total_time"] = round(ended, 3)
        if phase == "succeeded" and not removed:
            answer["output"] = self.state.file_url(task)
        elif phase == "failed":
            reason = "Prediction failed (sandbox fault)"
            answer["error"] = f"{task.fail_code}: {reason}" if task.fail_code else reason
        return answer


# -- the create body --------------------------------------------------------------------------


def _check(schema: _Schema, body: Mapping[str, Any], uploads: Uploads) -> tuple[dict[str, Any], int]:
    """The checked `input` (as sent) and the clip's length in seconds, else a 422 naming each
    invalid field."""
    invalid = _Invalid()
    for name in sorted(set(body) - BODY_FIELDS):
        invalid.add("additional_property_not_allowed", "", f"Additional property {name} is not allowed")
    model_input = body.get("input")
    if model_input is None:
        invalid.add("required", "", "input is required")
    elif not isinstance(model_input, dict):
        invalid.add("invalid_type", "input", "Invalid type. Expected: object")
    invalid.raise_any()
    assert isinstance(model_input, dict)
    for name in sorted(set(model_input) - schema.fields):
        invalid.add("additional_property_not_allowed", "input", f"Additional property {name} is not allowed")
    prompt = model_input.get("prompt")
    if prompt is None:
        invalid.add("required", "input", "prompt is required")
    elif not isinstance(prompt, str) or not prompt.strip():
        invalid.add("invalid_type", "input.prompt", "Invalid type. Expected: a non-empty string")
    for name in ("image", "last_frame_image"):
        value = model_input.get(name)
        if value is not None and not (
            isinstance(value, str) and value.startswith(("https://", "http://", "data:")) and len(value) > 8
        ):
            invalid.add("format", f"input.{name}", "Does not match format 'uri'")
    if model_input.get("last_frame_image") is not None and model_input.get("image") is None:
        invalid.add("required", "input.image", "image (the first frame) is required with last_frame_image")
    duration = _integer(model_input, "duration", 5, invalid)
    if duration is not None and duration not in schema.durations:
        low, high = schema.durations[0], schema.durations[-1]
        if duration < low:
            invalid.add("greater_than_equal", "input.duration", f"Must be greater than or equal to {low}")
        elif duration > high:
            invalid.add("less_than_equal", "input.duration", f"Must be less than or equal to {high}")
        else:
            invalid.add("enum", "input.duration", f"Must be -1 or {schema.durations[1]} to {high}")
    _enum(model_input, "resolution", schema.resolutions, invalid)
    _enum(model_input, "aspect_ratio", schema.ratios, invalid)
    if schema.fixed_lens:
        _enum(model_input, "fps", (FPS,), invalid)
        _flag(model_input, "camera_fixed", invalid)
    if schema.audio:
        _flag(model_input, "generate_audio", invalid)
    _integer(model_input, "seed", None, invalid)
    given = {}
    for name in schema.references:
        value = model_input.get(name)
        given[name] = 0
        if value is None:
            continue
        if not isinstance(value, list):
            invalid.add("invalid_type", f"input.{name}", "Invalid type. Expected: array")
            continue
        kind, most = REFERENCE_KINDS[name]
        if schema.model == "bytedance/seedance-1-lite" and value:
            invalid.add("not_simulated", f"input.{name}", "1.0 lite's reference images are not simulated")
        if len(value) > most:
            invalid.add("array_max_items", f"input.{name}", f"Array must have at most {most} items")
        for i, item in enumerate(value):
            try:
                check_media(item, kind, uploads, data_uri=True)
            except MediaProblem as err:
                invalid.add("format", f"input.{name}.{i}", str(err))
        given[name] = len(value)
    if any(given.values()):
        if model_input.get("image") is not None or model_input.get("last_frame_image") is not None:
            invalid.add("invalid", "input.reference_images", "reference inputs cannot be combined with image")
        if given.get("reference_audios") and not (
            given.get("reference_images") or given.get("reference_videos")
        ):
            invalid.add(
                "required", "input.reference_audios", "reference audio needs a reference image or video"
            )
        if isinstance(prompt, str) and re.search(r"@(image|video|audio)\d", prompt, re.IGNORECASE):
            invalid.add("format", "input.prompt", "name references as [Image1], [Video1], [Audio1]")
    invalid.raise_any()
    seconds = duration if duration is not None and duration > 0 else 5  # -1: the model picks; 5 here
    return dict(model_input), seconds


def _integer(data: Mapping[str, Any], name: str, default: int | None, invalid: _Invalid) -> int | None:
    value = data.get(name, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        invalid.add("invalid_type", f"input.{name}", f"Invalid type. Expected: integer, given: {value!r}")
        return None
    return value


def _enum(data: Mapping[str, Any], name: str, allowed: tuple[Any, ...], invalid: _Invalid) -> None:
    value = data.get(name)
    if value is not None and (isinstance(value, bool) or value not in allowed):
        invalid.add("enum", f"input.{name}", f"{name} must be one of the following: {_shown(allowed)}")


def _flag(data: Mapping[str, Any], name: str, invalid: _Invalid) -> None:
    value = data.get(name)
    if value is not None and not isinstance(value, bool):
        invalid.add("invalid_type", f"input.{name}", f"Invalid type. Expected: boolean, given: {value!r}")


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        return max(0, int(text.removeprefix("o=")))
    except (ValueError, UnicodeDecodeError):
        raise Reject(400, "Bad request", f"cursor: {cursor!r} is not a cursor this list handed out") from None
