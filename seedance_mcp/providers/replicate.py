"""Replicate: ByteDance's Seedance models as Replicate's official models (`bytedance/...`).

- Create `POST /models/{owner}/{name}/predictions` with `{"input": {...}}` (the official
  client's `models.predictions.create`); no `Prefer: wait`, since the job is polled. The
  input names are each model's schema (its API tab): `prompt`, `duration`, `resolution`,
  `aspect_ratio`, `seed`, `image` (first frame), `last_frame_image` (needs `image`); 1.x adds
  `fps` (24 only) and `camera_fixed`; models with sound take `generate_audio`, sent always
  (1.5 Pro defaults it off, 2.0 on). The answer is the prediction (201 or 202).
- Get `GET /predictions/{id}` (`predictions.get`). Built from the id rather than the answer's
  `urls.get`, which names api.replicate.com even behind a gateway (SEEDANCE_BASE_URL).
  `status` is `starting` (waiting for a worker: queued), `processing`, `succeeded`, `failed`,
  `canceled` or `aborted` (ended by its deadline before it started); `output` is the video's
  URI (a string; a list is read too), `error` a string.
- Outputs are deleted an hour after the prediction (Replicate's data-retention page: inputs,
  outputs and files of API predictions; the get answer then has `output: null` and
  `data_removed: true`). `Capabilities.output_ttl` says so, and such an answer is an
  `expired` job whose error is `output_deleted`.
- Cancel `POST /predictions/{id}/cancel` (`predictions.cancel`) works while the prediction
  is starting or processing; it answers the prediction.
- List `GET /predictions` (`predictions.list`): the account's predictions, newest first, 100 a
  page, each with its `model`, `input` and `created_at`. It finds a prediction whose create
  answer was lost: create keeps no idempotency key, so a lost answer is never re-sent.
- Errors are problem details, `{"title", "detail", "status"}` (the client's `ReplicateError`,
  RFC 7807), a 422 adds `invalid_fields` (`{"type", "field", "description"}`, Replicate
  changelog 2024-05-01), a 429 may carry only `{"detail": "Request was throttled. Expected
  available in 1 second."}` (the rate-limits page). 401 bad token, 402 no credit, 404 no such
  model or prediction, 422 invalid input, 429 throttled, 5xx.

Wire shapes follow the official client (`replicate` 1.0.7 on PyPI); the tests compare our
requests with its own. Sources: replicate.com/docs/reference/http and the HTTP API's OpenAPI
document (status enum with `aborted`, `data_removed`, list filters), read 2026-12-02.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from ..errors import ProtocolError, ProviderError
from ..models import JobError, JobStatus, TaskState, VideoRequest
from ..references import spell
from .base import (
    Capabilities,
    ErrorFormat,
    ErrorReading,
    LocalRoute,
    ModelSpec,
    PollAdvice,
    Provider,
    RateLimit,
    References,
    WireRequest,
    first_str,
    has_references,
    json_object,
    provider_text,
)
from .family import FPS, MEDIA_MAX_BYTES, PROMPT_MAX, RATIOS, REFERENCES_2X, poll_1x, poll_2x

__all__ = ["OUTPUT_TTL", "REPLICATE_ERRORS", "REPLICATE_MODELS", "Replicate", "model_input"]

OUTPUT_TTL = 3600.0
"""Replicate deletes an API prediction's inputs, outputs and files one hour after it is made."""
PREDICTIONS = "/predictions"
SEED_RANGE = (0, 4294967295)
"""The schemas give no bounds; these are ByteDance's (Ark's), without its -1 (random: leave it out)."""
RATIOS_1X = RATIOS
RATIOS_2X = (*RATIOS, "adaptive")

_STATES = {
    "starting": JobStatus.QUEUED,
    "processing": JobStatus.RUNNING,
    "succeeded": JobStatus.SUCCEEDED,
    "failed": JobStatus.FAILED,
    "canceled": JobStatus.CANCELLED,
    "cancelled": JobStatus.CANCELLED,
    "aborted": JobStatus.EXPIRED,
}

# Render times are not on the model pages read. The same ByteDance models render them as on
# Ark, so these are Ark's brackets (APIXO's measured Seedance 1.5 Pro times for 1.x, stretched
# for the longer 2.x clips); official models are always on (no cold start: the OpenAPI
# document's `is_official`).
_POLL_1X = poll_1x("not documented; bracketed by APIXO's measured Seedance 1.5 Pro render times")
_POLL_2X = poll_2x("not documented; Seedance 2.x clips take longer than 1.x (third-party reports, 1-7 min)")

_NOTES = (
    "Replicate deletes every output one hour after the prediction: a wait saves the video as soon as "
    "it is done; a job first checked after the hour ends expired (output_deleted), still charged.",
    "Create is not idempotent: an unanswered submit is never re-sent; the prediction is looked for "
    "in the account's recent predictions instead.",
    "At most 600 predictions a minute may be created; running low on credit brings stricter limits.",
)

_SCHEMA_1X = (
    "replicate.com/bytedance/seedance-1-pro/versions/a5fd5508.../api, seedance-1-lite/versions/"
    "f22bbc7d.../api and seedance-1.5-pro/versions/78c1986f.../api (as transcribed in the project's "
    "platform notes); read 2026-12-02"
)
_SCHEMA_2X = (
    "replicate.com/bytedance/seedance-2.0/versions/"
    "d456b64a60da3903c3692f7128d491004d021bbc2e1e19c63bccb117d3f4ab7b/api and seedance-2.0-fast/versions/"
    "90388a62748fab7edda739f1df78e8cbc66cc9275cfe232888ce53dea3d5e7b5/api; read 2026-12-02"
)


_FILES_SOURCE = (
    "Replicate's files API (POST /v1/files, multipart field `content`), as the official client "
    "replicate 1.0.7 sends it (replicate/file.py); the file's `urls.get` is the input"
)
LOCAL_ROUTES: Mapping[str, LocalRoute] = {
    kind: LocalRoute(via="upload", max_bytes=limit, source=_FILES_SOURCE)
    for kind, limit in MEDIA_MAX_BYTES.items()
}
"""Every local file goes through Replicate's files API, within Seedance 2.0's per-file limits."""


def _caps(
    *,
    durations: range,
    resolutions: tuple[str, ...],
    default_resolution: str,
    ratios: tuple[str, ...],
    audio: bool,
    fixed_lens: bool,
    poll: PollAdvice,
    references: References | None = None,
    notes: tuple[str, ...] = (),
) -> Capabilities:
    """What one Replicate model accepts: what differs per model is named; the rest is Replicate's."""
    return Capabilities(
        durations=tuple(durations),
        default_duration=5,
        resolutions=resolutions,
        default_resolution=default_resolution,
        aspect_ratios=ratios,
        prompt_min=1,
        prompt_max=PROMPT_MAX,
        start_image=True,
        end_image=True,
        seed=True,
        seed_range=SEED_RANGE,
        audio=audio,
        fixed_lens=fixed_lens,
        idempotency=False,
        poll=poll,
        rate_limit=RateLimit(requests=600, per_seconds=60.0, scope="account"),
        fps=FPS,
        output_ttl=OUTPUT_TTL,
        references=references,
        local_files=frozenset(LOCAL_ROUTES),
        notes=(*notes, *_NOTES),
    )


def _seedance_1x(**given: Any) -> Capabilities:
    """Seedance 1.x on Replicate: 2-12 s, 480p to 1080p, six ratios (ignored with an image), 24 fps
    and `camera_fixed`."""
    return _caps(
        durations=range(2, 13),
        resolutions=("480p", "720p", "1080p"),
        ratios=RATIOS_1X,
        fixed_lens=True,
        poll=_POLL_1X,
        **given,
    )


def _seedance_2x() -> Capabilities:
    """Seedance 2.0 (and fast) on Replicate: 4-15 s, 480p or 720p, `adaptive` among the ratios,
    sound on unless turned off; no fixed-lens switch."""
    return _caps(
        durations=range(4, 16),
        resolutions=("480p", "720p"),
        default_resolution="720p",
        ratios=RATIOS_2X,
        audio=True,
        fixed_lens=False,
        poll=_POLL_2X,
        references=REFERENCES_2X,
        notes=(
            "Replicate's schema also takes -1 (the model picks the length); durations here are whole "
            "seconds from 4 to 15.",
        ),
    )


# (canonical name, Replicate model `owner/name`, capabilities, schema source). The first is the
# default: Seedance 2.0 is the newest model Replicate serves, usable with any token at once.
# Not listed: Seedance 1.0 Pro Fast, 2.0 mini and 2.5, whose Replicate schemas were not found
# in the documents read (third-party code calls `bytedance/seedance-1-pro-fast`).
REPLICATE_MODELS: tuple[tuple[str, str, Capabilities, str], ...] = (
    ("seedance-2.0", "bytedance/seedance-2.0", _seedance_2x(), _SCHEMA_2X),
    ("seedance-2.0-fast", "bytedance/seedance-2.0-fast", _seedance_2x(), _SCHEMA_2X),
    (
        "seedance-1.5-pro",
        "bytedance/seedance-1.5-pro",
        _seedance_1x(default_resolution="720p", audio=True),
        _SCHEMA_1X,
    ),
    (
        "seedance-1.0-pro",
        "bytedance/seedance-1-pro",
        _seedance_1x(default_resolution="1080p", audio=False),
        _SCHEMA_1X,
    ),
    (
        "seedance-1.0-lite",
        "bytedance/seedance-1-lite",
        _seedance_1x(default_resolution="720p", audio=False),
        _SCHEMA_1X,
    ),
)


REFERENCE_TOKENS = ("[{Kind}{n}]", "[{Kind}{n}]")
"""Replicate's Seedance 2.0 schema names references in the prompt as [Image1], [Video1], [Audio1]."""


def model_input(spec: ModelSpec, req: VideoRequest) -> dict[str, Any]:
    """The prediction's `input` for a request already resolved against `spec` (the exact object a
    lost create is recognised by in the prediction list)."""
    assert req.duration is not None and req.aspect_ratio is not None and req.resolution is not None
    caps = spec.caps
    data: dict[str, Any] = {
        "prompt": req.prompt,
        "duration": req.duration,
        "resolution": req.resolution,
        "aspect_ratio": req.aspect_ratio,
    }
    if has_references(req):
        data["prompt"] = spell(req.prompt, REFERENCE_TOKENS)
    if req.image_url:
        data["image"] = req.image_url
    if req.end_image_url:
        data["last_frame_image"] = req.end_image_url
    for name in ("reference_images", "reference_videos", "reference_audios"):
        if getattr(req, name):
            data[name] = list(getattr(req, name))
    if caps.fixed_lens:  # Seedance 1.x: the fps field and the fixed-lens switch
        data["fps"] = FPS
        data["camera_fixed"] = req.fixed_lens
    if caps.audio:  # sent always: the models differ in their default
        data["generate_audio"] = req.audio
    if req.seed is not None:
        data["seed"] = req.seed
    return data


# Problem details: the text is `detail` (else `title`); the body's own `status` is read as the
# HTTP status. Replicate has no code words.
REPLICATE_ERRORS = ErrorFormat(
    code_keys=("status",),
    message_keys=("detail", "title"),
    nested=False,
    status_texts={
        401: "the API token is missing or invalid",
        402: "the account has insufficient credit",
        404: "the model or prediction was not found",
        422: "the input is invalid",
        429: "request was throttled",
    },
)

_THROTTLED = re.compile(
    r"(?:available|resets)\s+in\s+~?\s*(\d+(?:\.\d+)?)\s*(?:s\b|sec|second)", re.IGNORECASE
)
_BILLING = "add credit at https://replicate.com/account/billing (it may take a few minutes to apply)"


class Replicate(Provider):
    """Replicate's predictions for ByteDance's official Seedance models; see the module docstring."""

    id = "replicate"
    name = "Replicate"
    base_url = "https://api.replicate.com/v1"
    docs_url = "https://replicate.com/docs/reference/http"
    key_env = "REPLICATE_API_TOKEN"
    unit = "USD"
    errors = REPLICATE_ERRORS
    local_routes = LOCAL_ROUTES
    reference_tokens = REFERENCE_TOKENS
    cancellable = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})
    """A starting or processing prediction can be cancelled; a finished one is left as it is."""
    models = tuple(
        ModelSpec(name=name, caps=caps, wire_id=wire_id, source=source)
        for name, wire_id, caps, source in REPLICATE_MODELS
    )

    def build_submit(self, req: VideoRequest, idempotency_key: str) -> WireRequest:
        # Replicate keeps no idempotency key: the key is unused, and a lost answer is never re-sent.
        spec = self._spec(req)
        return WireRequest(
            method="POST", path=f"/models/{spec.wire_id}/predictions", json={"input": model_input(spec, req)}
        )

    def parse_submit(self, status_code: int, body: Any) -> str:
        data = json_object(self.id, body)
        prediction_id = first_str(data, "id")
        if prediction_id is None:
            if "detail" in data or "title" in data:
                raise self.error_for(status_code, data)
            raise ProtocolError(f"{self.id}: the create answer has no prediction id (id)")
        return prediction_id

    def build_upload(self, name: str, mime: str, data: bytes) -> WireRequest:
        return WireRequest(method="POST", path="/files", files={"content": (name, data, mime)})

    def parse_upload(
        self, status_code: int, body: Any, mime: str, data: bytes
    ) -> tuple[str, WireRequest | None]:
        answer = json_object(self.id, body)
        urls = answer.get("urls")
        url = first_str(urls, "get") if isinstance(urls, Mapping) else None
        if url is None or not url.startswith(("https://", "http://")):
            raise ProtocolError(f"{self.id}: the files answer has no usable urls.get")
        return url, None

    def build_status(self, task_id: str) -> WireRequest:
        return WireRequest(method="GET", path=f"{PREDICTIONS}/{quote(task_id, safe='')}")

    def parse_status(self, status_code: int, body: Any) -> TaskState:
        data = json_object(self.id, body)
        raw = first_str(data, "status")
        if raw is None:
            if "detail" in data or "title" in data:
                raise self.error_for(status_code, data)
            raise ProtocolError(f"{self.id}: the prediction has no status")
        status = _STATES.get(raw.lower(), JobStatus.RUNNING)  # an undocumented word: still running
        match status:
            case JobStatus.SUCCEEDED:
                url = _output_url(data.get("output"))
                if url is not None:
                    return TaskState(status=status, video_url=url, provider_status=raw)
                if data.get("data_removed") is True:
                    return TaskState(status=JobStatus.EXPIRED, error=_deleted(), provider_status=raw)
                raise ProtocolError(f"{self.id}: a succeeded prediction came without an output URL")
            case JobStatus.FAILED:
                message = provider_text(first_str(data, "error")) or "the prediction failed"
                return TaskState(
                    status=status,
                    error=JobError(code="generation_failed", message=message),
                    provider_status=raw,
                )
            case JobStatus.CANCELLED:
                error = JobError(code="cancelled", message="the prediction was cancelled")
                return TaskState(status=status, error=error, provider_status=raw)
            case JobStatus.EXPIRED:
                error = JobError(
                    code="expired",
                    message=provider_text(first_str(data, "error"))
                    or "the prediction reached its deadline before it started, and was not run",
                )
                return TaskState(status=status, error=error, provider_status=raw)
            case _:
                return TaskState(status=status, provider_status=raw)

    def build_cancel(self, task_id: str) -> WireRequest:
        return WireRequest(method="POST", path=f"{PREDICTIONS}/{quote(task_id, safe='')}/cancel")

    def build_recent(self, req: VideoRequest) -> WireRequest:
        # The first page (the newest 100) is the client's `predictions.list()`; a lost create is
        # looked for within minutes of it. (The list also takes `created_after`/`created_before`,
        # but `build_recent` is not told the window.)
        return WireRequest(method="GET", path=PREDICTIONS)

    def find_recent(self, body: Any, req: VideoRequest, *, since: float, until: float) -> list[str]:
        """The listed predictions of `req`'s model, made through the API between `since` and
        `until`, whose `input` is exactly the one `build_submit` sends for `req`."""
        data = json_object(self.id, body)
        results = data.get("results")
        if not isinstance(results, list):
            raise ProtocolError(f"{self.id}: the prediction list has no results")
        spec = self._spec(req)
        wanted = model_input(spec, req)
        found = []
        for item in results:
            if not isinstance(item, Mapping):
                continue
            prediction_id = first_str(item, "id")
            created = _timestamp(item.get("created_at"))
            if prediction_id is None or created is None or not since <= created <= until:
                continue
            if item.get("model") != spec.wire_id or item.get("source") not in (None, "api"):
                continue
            if item.get("input") != wanted:
                continue
            found.append(prediction_id)
        return found

    def error_for(self, status_code: int, body: Any, retry_after: float | None = None) -> ProviderError:
        """The exception for a problem-details answer: a 422 names every invalid field, a 429
        without `Retry-After` waits as long as its text says, a 402 says where to add credit."""
        reading = self.errors.read(body)
        if status_code < 400 and reading.status is not None and reading.status >= 400:
            status_code = reading.status
        text = reading.text
        fields = _invalid_fields(body)
        if fields:
            missing = [f for f in fields if f.split(":", 1)[0] not in (text or "")]
            if missing:
                text = "; ".join(filter(None, [text, *missing]))
        if status_code == 402:
            text = f"{text or self.errors.status_texts[402]}: {_BILLING}"
        if retry_after is None and status_code == 429 and text:
            throttled = _THROTTLED.search(text)
            retry_after = float(throttled.group(1)) if throttled else None
        reading = ErrorReading(code=reading.code, status=reading.status, text=provider_text(text))
        return self.errors.error_from(self.id, status_code, reading, retry_after)

    # -- helpers ---------------------------------------------------------------------------

    def _spec(self, req: VideoRequest) -> ModelSpec:
        spec = self.find_model(req.model) if req.model else self.default_model
        if spec is None:
            raise ProtocolError(f"{self.id}: the request names a model it does not serve ({req.model})")
        return spec


def _output_url(output: Any) -> str | None:
    """The video's URI: the output itself, or the first URI of a list of them."""
    if isinstance(output, list):
        output = next((item for item in output if isinstance(item, str) and item), None)
    return output if isinstance(output, str) and output else None


def _deleted() -> JobError:
    return JobError(
        code="output_deleted",
        message="Replicate deletes a prediction's output one hour after it is made, and this video was "
        "not saved in time: it cannot be downloaded any more (the render was charged).",
    )


def _timestamp(value: Any) -> float | None:
    """Unix seconds from an ISO 8601 time (`2026-12-02T10:15:00.123456Z`), else None."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo is not None else None


def _invalid_fields(body: Any) -> list[str]:
    """`field: description` for each entry of a 422's `invalid_fields`."""
    entries = body.get("invalid_fields") if isinstance(body, Mapping) else None
    if not isinstance(entries, list):
        return []
    shown = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        where = first_str(entry, "field") or "body"
        what = first_str(entry, "description", "type") or "invalid"
        shown.append(f"{where}: {what}")
    return shown
