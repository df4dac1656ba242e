"""fal.ai's queue API, below `/fal` (for base `https://queue.fal.run`), serving the Seedance
endpoints `providers.fal` names.

- `POST /{endpoint_id}` with the model's input as the body and `Authorization: Key <key>`;
  the answer is `{status: IN_QUEUE, request_id, response_url, status_url, cancel_url,
  queue_position, logs, metrics}`, the three URLs on the simulator's own origin and, as fal's
  are, below the endpoint's app only: `/fal/{owner}/{alias}/requests/{id}` (`/status`,
  `/cancel`), the endpoint's sub-path dropped (fal_client's `SyncRequestHandle.from_request_id`).
- `GET .../requests/{id}/status` (`?logs=1` adds log lines): `IN_QUEUE` with a `queue_position`
  that counts down (the earlier queued requests of the same app, plus a backlog of
  `QUEUE_BACKLOG` that drains while it waits), `IN_PROGRESS`, `COMPLETED`; a failed request is
  `COMPLETED` with `error` and `error_type`, a cancelled one likewise with `client_cancelled`.
- `GET .../requests/{id}`: `{video: {url, content_type, file_name, file_size}, seed}`, the video
  served below `/files/`; a failed request's error as fal sends it (422 with a `detail` list for
  `content_policy_violation`, else 500 with `detail` and `error_type`).
- `PUT .../requests/{id}/cancel`: a queued request is removed (never processed, never billed):
  202 `{"status": "CANCELLATION_REQUESTED"}`; one in progress gets the same answer but keeps
  rendering (its app ignores the signal, which fal's docs allow); a finished one 400
  `ALREADY_COMPLETED`; an unknown one 404 `NOT_FOUND`.
- Every input is checked per endpoint as fal's schema types it (fal-ai/fal-js endpoint types,
  2026-08-02): 422 `{"detail": [{"loc": ["body", field], "msg", "type", "url", "input"}]}`
  naming the field, with pydantic's types (`missing`, `literal_error`, `string_type`,
  `bool_type`, `int_type`, `extra_forbidden`, ...).

Choices where fal is silent:
- a missing or non-`Key` Authorization header, or a key `valid_keys` does not list, is 401
  `{"detail": ...}`; unknown endpoints are 404 `{"detail": "Application ... not found"}`;
- an input fal's schema lists but the sandbox does not simulate (`num_frames`) is refused;
  so is a field the schema does not list (fal itself may ignore it);
- `duration: "auto"` renders 5 s; the sandbox's faults: the submit is a "submit" endpoint,
  status, result and cancel are "status" endpoints; a failed render ("fail_render") reports
  `runner_server_error` unless the fault names a code;
- the status and cancel answers' HTTP codes for a cancel (202 for taken, 400 / 404 for the
  others) follow fal's cancel page's words as third-party clients read them;
- render times are the client's own brackets (`PollAdvice.render_seconds` of the model), a
  quarter of them spent queued; fal bills money after the fact, so tasks cost 0 credits.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..providers import ModelSpec
from ..providers.fal import Fal, app_path
from ..providers.family import PROMPT_MAX, RATIOS
from .clips import video
from .common import ProviderSim, Reject, interpolated_render_range, iso_utc
from .state import Phase, Task
from .uploads import MAX_UPLOAD, MediaProblem, Uploads, check_media

__all__ = ["ENDPOINTS", "QUEUED_SHARE", "QUEUE_BACKLOG", "FalSim", "SimEndpoint"]

QUEUED_SHARE = 0.25
"""The part of a request's render time it waits in fal's queue (the sandbox's choice)."""
QUEUE_BACKLOG = 2
"""Requests of other users ahead of a new one: the queue position starts there and drains."""
SEED_RANGE = (-1, 4294967295)
AUTO_SECONDS = 5
DOCS = "https://docs.fal.ai/errors#"
CANCELLED = "client_cancelled"
FAILED_RENDER = "runner_server_error"

_1X_FIELDS = frozenset({"prompt", "aspect_ratio", "resolution", "duration", "camera_fixed", "seed"})
_1X_FIELDS |= {"enable_safety_checker", "num_frames"}
_2X_FIELDS = frozenset({"prompt", "aspect_ratio", "resolution", "duration", "generate_audio", "end_user_id"})
NOT_SIMULATED = frozenset({"num_frames"})
REFERENCE_FIELDS = {"image_urls": ("image", 9), "video_urls": ("video", 3), "audio_urls": ("audio", 3)}
"""The reference-to-video endpoints' lists: kind and most files (12 in all; fal's r2v llms.txt)."""


@dataclass(frozen=True)
class SimEndpoint:
    """One of fal's Seedance endpoints, as its schema types its input."""

    id: str
    spec: ModelSpec
    image: bool
    fields: frozenset[str]
    ratios: tuple[str, ...]
    durations: tuple[str, ...]
    resolutions: tuple[str, ...]
    default_resolution: str
    references: bool = False
    bitrate: bool = False

    @property
    def app(self) -> str:
        return app_path(self.id)


def _endpoints() -> dict[str, SimEndpoint]:
    found: dict[str, SimEndpoint] = {}
    for spec in Fal.models:
        modes = (
            (spec.wire_id, False, False),
            (spec.image_wire_id, True, False),
            (spec.reference_wire_id, False, True),
        )
        for endpoint, image, references in modes:
            if endpoint is None:
                continue
            one_x = spec.name.startswith("seedance-1.")
            fields = set(_1X_FIELDS if one_x else _2X_FIELDS)
            if references:
                fields |= set(REFERENCE_FIELDS)
            if image:
                fields.add("image_url")
            if image and spec.caps.end_image:
                fields.add("end_image_url")
            if spec.name == "seedance-1.5-pro":
                fields.add("generate_audio")
            resolutions = spec.caps.resolutions
            if spec.name == "seedance-2.0":
                resolutions = (*resolutions, "4k")
            bitrate = spec.name in ("seedance-2.0", "seedance-2.0-fast")
            if bitrate:
                fields.add("bitrate_mode")
            # fal's 1.0 text-to-video endpoints alone take no `auto` ratio.
            auto = not (spec.name.startswith("seedance-1.0") and not image)
            durations = tuple(str(s) for s in spec.caps.durations)
            found[endpoint] = SimEndpoint(
                id=endpoint,
                spec=spec,
                image=image,
                references=references,
                fields=frozenset(fields),
                ratios=(*RATIOS, "auto") if auto else RATIOS,
                durations=durations if one_x else ("auto", *durations),
                resolutions=resolutions,
                default_resolution=spec.caps.default_resolution or "720p",
                bitrate=bitrate,
            )
    return found


ENDPOINTS = _endpoints()


def _invalid(field: str, kind: str, message: str, value: Any = None) -> Reject:
    return Reject(422, kind, message, extra={"loc": field, "input": value})


def _literal(field: str, value: Any, allowed: tuple[str, ...]) -> Reject:
    options = ", ".join(f"'{v}'" for v in allowed)
    return _invalid(field, "literal_error", f"Input should be one of {options}", value)


class FalSim(ProviderSim):
    """fal's queue for the Seedance endpoints; see the module docstring."""

    id = "fal"
    task_prefix = ""
    bad_request = "json_invalid"
    missing_key_code = "unauthorized"
    invalid_key_code = "unauthorized"
    fault_codes: ClassVar[Mapping[str, str]] = {
        "429": "rate_limited",
        "503": "runner_scheduling_failure",
        "500": "internal_error",
        "402": "insufficient_balance",
        "404": "not_found",
    }

    def error_body(self, status: int, code: str, message: str, extra: Mapping[str, Any]) -> dict[str, Any]:
        if "loc" in extra:
            field = extra["loc"]
            return {
                "detail": [
                    {
                        "loc": ["body", field] if field else ["body"],
                        "msg": message,
                        "type": code,
                        "url": DOCS + code,
                        "input": extra.get("input"),
                    }
                ]
            }
        if "status" in extra:  # a refused cancel
            return {"status": extra["status"]}
        if code in ("unauthorized", "not_found", "rate_limited"):
            return {"detail": message}
        return {"detail": message, "error_type": code}

    def answer(self, reject: Reject) -> JSONResponse:
        response = super().answer(reject)
        if "loc" not in reject.extra and "status" not in reject.extra and reject.code in self._typed:
            response.headers["X-Fal-Error-Type"] = reject.code
        return response

    _typed = frozenset({"runner_scheduling_failure", "internal_error", FAILED_RENDER, CANCELLED})

    def not_found(self, task_id: str) -> Reject:
        return Reject(404, "not_found", f"Request {task_id} not found")

    def routes(self) -> list[BaseRoute]:
        one = "/{owner}/{alias}/requests/{request_id}"
        return [
            Route("/storage/upload/initiate", self.endpoint("submit", self.initiate), methods=["POST"]),
            Route("/storage/upload/put/{upload_id}", self.put_upload, methods=["PUT"]),
            Route(f"{one}/status", self.endpoint("status", self.status), methods=["GET"]),
            Route(f"{one}/cancel", self.endpoint("status", self.cancel), methods=["PUT"]),
            Route(one, self.endpoint("status", self.result), methods=["GET"]),
            Route("/{endpoint:path}", self.endpoint("submit", self.submit), methods=["POST"]),
        ]

    def authorize(self, request: Request) -> str:
        header = request.headers.get("authorization")
        if header is None:
            raise Reject(401, "unauthorized", "Authentication is required: send Authorization: Key <FAL_KEY>")
        scheme, _, key = header.partition(" ")
        key = key.strip()
        if scheme != "Key" or not key:
            raise Reject(401, "unauthorized", "Invalid authorization header format; expected 'Key <FAL_KEY>'")
        if not self.state.key_accepted(key):
            raise Reject(401, "unauthorized", "No user found for the key")
        return self.state.owner_of(key)

    # -- the endpoints -------------------------------------------------------------------
    async def submit(self, request: Request) -> Response:
        owner = self.authorize(request)
        endpoint_id: str = request.path_params["endpoint"]
        endpoint = ENDPOINTS.get(endpoint_id.strip("/"))
        if endpoint is None:
            raise Reject(404, "not_found", f"Application '{endpoint_id}' not found")
        body = await self.json_object(request)
        seconds = _check(endpoint, body)
        if endpoint.references:
            _check_references(body, self.state.uploads)
        seed = body.get("seed")
        task = self.state.create_task(
            provider=self.id,
            prefix=str(uuid.uuid4())[:24],
            body=body,
            owner=owner,
            duration=seconds,
            credits=0,
            render_range=self._render_range(endpoint.spec, seconds),
            extra={
                "endpoint": endpoint.id,
                "app": endpoint.app,
                "seed": seed if isinstance(seed, int) and seed >= 0 else secrets.randbelow(2**31),
            },
            queued_share=QUEUED_SHARE,
        )
        urls = self._urls(task)
        return JSONResponse(
            {
                "status": "IN_QUEUE",
                "request_id": task.id,
                **urls,
                "queue_position": self._position(task),
                "logs": None,
                "metrics": {},
            }
        )

    async def initiate(self, request: Request) -> Response:
        """fal's storage: a signed URL to PUT the file to, and the URL the file will have."""
        self.authorize(request)
        if request.query_params.get("storage_type") != "gcs":
            raise _invalid(
                "storage_type",
                "literal_error",
                "Input should be 'gcs'",
                request.query_params.get("storage_type"),
            )
        body = await self.json_object(request)
        mime, name = body.get("content_type"), body.get("file_name")
        if not isinstance(mime, str) or "/" not in mime:
            raise _invalid("content_type", "missing", "Field required: the file's MIME type", mime)
        if not isinstance(name, str) or not name:
            raise _invalid("file_name", "missing", "Field required", name)
        upload_id = self.state.uploads.reserve(mime)
        base = f"{self.state.root_url}/{self.id}"
        return JSONResponse(
            {
                "upload_url": f"{base}/storage/upload/put/{upload_id}",
                "file_url": self.state.uploads.url(upload_id),
            }
        )

    async def put_upload(self, request: Request) -> Response:
        """The signed PUT: no key (the URL is the permission); the bytes must be the declared type."""
        if "authorization" in request.headers:
            return JSONResponse(
                {"detail": "a signed upload URL takes no Authorization header"}, status_code=400
            )
        upload_id = request.path_params["upload_id"]
        data = await request.body()
        known = self.state.uploads.get(upload_id)
        if known is None:
            return JSONResponse({"detail": "unknown upload"}, status_code=404)
        if not data or len(data) > MAX_UPLOAD:
            return JSONResponse({"detail": "empty or too large"}, status_code=400)
        if request.headers.get("content-type") != known[0]:
            return JSONResponse({"detail": f"Content-Type must be {known[0]}"}, status_code=400)
        self.state.uploads.fill(upload_id, data)
        return Response(status_code=200)

    async def status(self, request: Request) -> Response:
        task = self._task(request)
        phase = self.state.observe(task)
        logs = request.query_params.get("logs", "").lower() in ("1", "true")
        answer: dict[str, Any] = {"response_url": self._urls(task)["response_url"]}
        if phase == "queued":
            answer.update(status="IN_QUEUE", queue_position=self._position(task))
            return JSONResponse(answer)
        lines = self._logs(task, phase) if logs else None
        if phase == "running":
            answer.update(status="IN_PROGRESS", logs=lines)
            return JSONResponse(answer)
        answer.update(status="COMPLETED", logs=lines, metrics=self._metrics(task, phase))
        if phase == "failed":
            answer.update(error=self._failure(task), error_type=task.fail_code or FAILED_RENDER)
        elif phase == "cancelled":
            answer.update(error="Request was cancelled by the client", error_type=CANCELLED)
        return JSONResponse(answer)

    async def result(self, request: Request) -> Response:
        task = self._task(request)
        phase = self.state.observe(task)
        if phase in ("queued", "running"):
            raise Reject(400, "request_in_progress", "Request is still in progress")
        if phase == "cancelled":
            raise Reject(400, CANCELLED, "Request was cancelled by the client")
        if phase == "failed":
            code = task.fail_code or FAILED_RENDER
            if code == "content_policy_violation":
                raise _invalid("", code, self._failure(task))
            raise Reject(500, code, self._failure(task))
        return JSONResponse(
            {
                "video": {
                    "url": self.state.file_url(task),
                    "content_type": "video/mp4",
                    "file_name": task.file_name,
                    "file_size": len(await video(self.state, task))
                    if self.state.config.clips
                    else self.state.video_size,
                },
                "seed": task.extra["seed"],
            }
        )

    async def cancel(self, request: Request) -> Response:
        task = self._task(request, refused_as_status=True)
        phase = self.state.cancel(task)
        if phase in ("succeeded", "failed", "cancelled", "expired"):
            raise Reject(400, "already_completed", "", extra={"status": "ALREADY_COMPLETED"})
        # queued: removed (state.cancel); running: the signal is sent and ignored
        return JSONResponse({"status": "CANCELLATION_REQUESTED"}, status_code=202)

    # -- helpers -------------------------------------------------------------------------
    def _task(self, request: Request, *, refused_as_status: bool = False) -> Task:
        owner = self.authorize(request)
        request_id = request.path_params["request_id"]
        task = self.state.find_task(self.id, request_id, owner)
        app = f"/{request.path_params['owner']}/{request.path_params['alias']}"
        if task is None or task.extra.get("app") != app:
            if refused_as_status:
                raise Reject(404, "not_found", "", extra={"status": "NOT_FOUND"})
            raise self.not_found(request_id)
        return task

    def _urls(self, task: Task) -> dict[str, str]:
        base = f"{self.state.root_url}/{self.id}{task.extra['app']}/requests/{task.id}"
        return {"response_url": base, "status_url": f"{base}/status", "cancel_url": f"{base}/cancel"}

    def _position(self, task: Task) -> int:
        """Requests ahead: this app's earlier requests still queued, plus a draining backlog."""
        now = self.state.now()
        waited = (now - task.created) / task.queue_seconds if task.queue_seconds > 0 else 1.0
        backlog = round(QUEUE_BACKLOG * max(0.0, 1.0 - waited))
        ahead = sum(
            1
            for other in self._app_tasks(task)
            if other.created < task.created and other.phase_at(now) == "queued"
        )
        return ahead + backlog

    def _app_tasks(self, task: Task) -> list[Task]:
        return [
            t for t in self.state.owner_tasks(self.id, task.owner) if t.extra.get("app") == task.extra["app"]
        ]

    def _render_range(self, spec: ModelSpec, seconds: int) -> tuple[float, float]:
        points = tuple((s, low, high) for s, (low, high) in sorted(spec.caps.poll.render_seconds.items()))
        return interpolated_render_range(seconds, points)

    def _failure(self, task: Task) -> str:
        return "The video generation failed (sandbox fault)."

    def _metrics(self, task: Task, phase: Phase) -> dict[str, Any]:
        if phase != "succeeded":
            return {}
        return {"inference_time": round(task.render_seconds - task.queue_seconds, 3)}

    def _logs(self, task: Task, phase: Phase) -> list[dict[str, Any]]:
        started = iso_utc(task.created_wall + task.queue_seconds)
        lines = [{"message": "Generating video", "level": "INFO", "source": "user", "timestamp": started}]
        if phase != "running":
            ended = iso_utc(task.created_wall + task.changed_after(phase))
            lines.append(
                {"message": f"Request {phase}", "level": "INFO", "source": "user", "timestamp": ended}
            )
        return lines


# -- the input checks --------------------------------------------------------------------------


def _check(endpoint: SimEndpoint, body: Mapping[str, Any]) -> int:
    """Check a submit body against the endpoint's schema; returns the clip's seconds."""
    extra = sorted(set(body) - endpoint.fields)
    if extra:
        raise _invalid(extra[0], "extra_forbidden", "Extra inputs are not permitted", body[extra[0]])
    skipped = sorted(NOT_SIMULATED & set(body))
    if skipped:
        raise _invalid(
            skipped[0], "value_error", "not simulated by the sandbox; leave it out", body[skipped[0]]
        )
    prompt = body.get("prompt")
    if prompt is None:
        raise _invalid("prompt", "missing", "Field required")
    if not isinstance(prompt, str):
        raise _invalid("prompt", "string_type", "Input should be a valid string", prompt)
    if not prompt.strip():
        raise _invalid("prompt", "string_too_short", "String should have at least 1 character", prompt)
    if len(prompt) > PROMPT_MAX:
        raise _invalid("prompt", "string_too_long", f"String should have at most {PROMPT_MAX} characters")
    _choice(body, "aspect_ratio", endpoint.ratios)
    _choice(body, "resolution", endpoint.resolutions)
    duration = _choice(body, "duration", endpoint.durations)
    if endpoint.bitrate:
        _choice(body, "bitrate_mode", ("standard", "high"))
    for name in ("camera_fixed", "enable_safety_checker", "generate_audio"):
        if name in endpoint.fields:
            _flag(body, name)
    if "seed" in endpoint.fields and body.get("seed") is not None:
        seed = body["seed"]
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise _invalid("seed", "int_type", "Input should be a valid integer", seed)
        low, high = SEED_RANGE
        if not low <= seed <= high:
            raise _invalid("seed", "less_than_equal", f"Input should be between {low} and {high}", seed)
    if body.get("end_user_id") is not None and not isinstance(body["end_user_id"], str):
        raise _invalid("end_user_id", "string_type", "Input should be a valid string", body["end_user_id"])
    if endpoint.image:
        _url(body, "image_url", required=True)
    if "end_image_url" in endpoint.fields:
        _url(body, "end_image_url", required=False)
    return AUTO_SECONDS if duration in (None, "auto") else int(duration)


def _check_references(body: Mapping[str, Any], uploads: Uploads) -> None:
    """The reference lists of a reference-to-video body: lists of usable URLs within the counts,
    at least one image or video, audio only beside one, and the prompt naming them `@Image1`
    (a name with no file is the model's business, as at fal)."""
    given: dict[str, int] = {}
    for name, (kind, most) in REFERENCE_FIELDS.items():
        values = body.get(name)
        if values is None:
            given[kind] = 0
            continue
        if not isinstance(values, list):
            raise _invalid(name, "list_type", "Input should be a valid list", values)
        if len(values) > most:
            raise _invalid(name, "too_long", f"List should have at most {most} items", len(values))
        for i, value in enumerate(values):
            try:
                check_media(value, kind, uploads, data_uri=True)
            except MediaProblem as err:
                raise _invalid(f"{name}.{i}", "value_error", str(err), str(value)[:80]) from None
        given[kind] = len(values)
    if sum(given.values()) > 12:
        raise _invalid("image_urls", "value_error", "At most 12 reference files in all")
    if not (given["image"] or given["video"]):
        raise _invalid("image_urls", "value_error", "At least one reference image or video is required")
    prompt = str(body.get("prompt", ""))
    if re.search(r"@(image|video|audio)\d", prompt):
        raise _invalid(
            "prompt", "value_error", "references are named @Image1, @Video1, @Audio1 (capitalised)"
        )


def _choice(body: Mapping[str, Any], name: str, allowed: tuple[str, ...]) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _invalid(name, "string_type", "Input should be a valid string", value)
    if value not in allowed:
        raise _literal(name, value, allowed)
    return value


def _flag(body: Mapping[str, Any], name: str) -> None:
    value = body.get(name)
    if value is not None and not isinstance(value, bool):
        raise _invalid(name, "bool_type", "Input should be a valid boolean", value)


def _url(body: Mapping[str, Any], name: str, *, required: bool) -> None:
    value = body.get(name)
    if value is None:
        if required:
            raise _invalid(name, "missing", "Field required")
        return
    schemes = ("http://", "https://", "data:image/")
    if not isinstance(value, str) or not value.startswith(schemes) or len(value) <= len("https://"):
        raise _invalid(
            name, "url_parsing", "Input should be a valid URL (http(s) or a data:image/ URI)", value
        )
