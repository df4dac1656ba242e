"""fal.ai's queue API, which serves ByteDance's Seedance models (`fal`).

The wire, as the official client `fal-client` (1.0.3, `fal_client/client.py`) speaks it and
fal's queue documents it (fal.ai/docs/documentation/model-apis/inference/queue, read
2026-12-02); the tests compare our requests with the client's own:

- Submit `POST https://queue.fal.run/{endpoint_id}`, the model's input as the JSON body, with
  `Authorization: Key <FAL_KEY>`. The answer is `{request_id, response_url, status_url,
  cancel_url}` (plus `status`, `queue_position`). One endpoint per model and mode, e.g.
  `fal-ai/bytedance/seedance/v1.5/pro/text-to-video` and `bytedance/seedance-2.0/image-to-video`.
  There is no idempotency key: an unanswered submit is never re-sent.
- Status `GET status_url?logs=false` (what `fal_client` sends): `IN_QUEUE` with `queue_position`,
  `IN_PROGRESS`, `COMPLETED`. A request that failed is still `COMPLETED`, with `error` and
  `error_type` (fal's own CLI reads them so, fal-ai/fal PR #1143); its error also comes back
  on the response URL. A request cancelled while queued is taken to come back the same way,
  with fal's `client_cancelled` error type.
- Result `GET response_url`: `{video: {url, content_type, file_name, file_size}, seed}`.
- Cancel `PUT cancel_url`: `{"status": ...}` with `OK` or `CANCELLATION_REQUESTED` when fal took
  it, `ALREADY_COMPLETED` or `NOT_FOUND` otherwise (fal.ai/docs/inference-api/queue/cancel).
  A queued request is removed and never processed; an in-progress one only gets a signal that
  the model's app may ignore (fal.ai/docs/documentation/development/handle-cancellations), so
  a cancel is sent only to a request last seen queued (`cancellable`).
- Errors: `{"detail": "..."}` (with `error_type` for fal's request errors, a
  `X-Fal-Error-Type`-style word: fal.ai/docs/documentation/model-apis/request-errors), or a
  model's validation error `{"detail": [{"loc": ["body", field], "msg", "type"}]}` with HTTP
  422 (fal.ai/docs/documentation/model-apis/errors). An empty balance is a 403
  `"User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing."`
  (or `Reason: TOP_UP.`), as reported in fal-ai/fal issues #1112, #1147 and #1163 (2026).

The status, response and cancel URLs are kept on the job as fal gave them. Their paths name
the app without the endpoint's sub-path (`/fal-ai/bytedance/requests/{id}/status`); a request
goes to that path below the configured base URL, which in production is fal's own
`https://queue.fal.run` (so the URL is exactly the one fal gave), and in the sandbox is the
simulator of whichever process runs now (a job submitted by an earlier `seedance` process,
whose simulator listened on another port, is still found).

fal keeps no list of a key's requests on its queue host (the Platform API's
`api.fal.ai/v1/models/requests/by-endpoint` lists them, but on another host than the one the
key is sent to), so a submit whose answer was lost settles `unknown`.

Models (the endpoint ids of fal's generated schema in fal-ai/fal-js
`libs/client/src/types/endpoints.ts`, 2026-08-02, and its model pages; read 2026-12-02):
- Seedance 1.0 lite is not served: ByteDance discontinued it on 2026-04-27 (Krea's deprecation
  notice), and fal's schema no longer lists its endpoints.
- Seedance 1.0 Pro is text-to-video only here: fal's schema says its image-to-video endpoint
  "has been redirected to seedance 1.0 pro fast", whose start frame it takes instead.
- Seedance 2.5 is not served: fal lists it only as an image-to-video endpoint, and a model
  that needs a start image cannot be told apart from one that takes it (see `Capabilities`);
  its input schema could not be confirmed either.
- fal's 1.0 text-to-video endpoints take no `auto` ratio (only its image-to-video ones do), so
  the 1.0 models offer no `adaptive` here; 1.5 Pro and the 2.0 family take `auto` in both modes.
- The 2.x endpoints take no seed (fal's schema of 2026-08-02 dropped it) and no fixed-lens switch.

References (Seedance 2.0 and 2.0 Fast): their `reference-to-video` endpoints take `image_urls` (up
to 9), `video_urls` (up to 3, 2-15 s in all), `audio_urls` (up to 3, with an image or a video),
12 files in all, named in the prompt as `@Image1`, `@Video1`, `@Audio1` (fal's r2v `llms.txt`).
A local file goes through fal's storage API first, as `fal_client.upload` does it: `POST
https://rest.fal.ai/storage/upload/initiate?storage_type=gcs` with `{content_type, file_name}`
(and the key) answers `{upload_url, file_url}`; the bytes are `PUT` to the signed `upload_url`
(without the key), and `file_url` is what the request names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from ..errors import (
    AuthError,
    InsufficientCredits,
    ProtocolError,
    ProviderError,
    ProviderRejected,
    TaskNotFound,
)
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
from .family import FPS, MEDIA_MAX_BYTES, PROMPT_MAX, RATIOS, REFERENCES_2X, SEED_RANGE, poll_1x, poll_2x

__all__ = ["FAL_ERRORS", "FAL_MODELS", "REF_KEYS", "Fal", "app_path", "wire_ratio"]

REF_KEYS = ("status_url", "response_url", "cancel_url")
"""The submit answer's URLs, kept on the job as given."""
CANCELLED_TYPES = frozenset({"client_cancelled", "request_cancelled", "cancelled"})
"""`error_type` words of a request that was cancelled rather than failed."""

_1X_SOURCE = (
    "fal's model pages (fal.ai/models/fal-ai/bytedance/seedance/*/llms.txt) and its generated schema "
    "(fal-ai/fal-js libs/client/src/types/endpoints.ts, 2026-08-02); read 2026-12-02"
)
_2X_SOURCE = (
    "fal's Seedance 2.0 pages (fal.ai/models/bytedance/seedance-2.0/*) and its generated schema "
    "(fal-ai/fal-js libs/client/src/types/endpoints.ts, 2026-08-02); read 2026-12-02"
)

# fal publishes no render times. Its Seedance 2.0 guide says a generation takes "tens of seconds
# to a few minutes" (fal-ai/seedance-2.0-api docs/queue.md); fal runs ByteDance's models, so
# these are the brackets used for Ark (providers.ark), from APIXO's measured 1.5 Pro times.
_POLL_1X = poll_1x("not documented by fal; the brackets used for ByteDance's own API (APIXO's 1.5 Pro times)")
_POLL_2X = poll_2x("not documented by fal beyond 'tens of seconds to a few minutes' (its Seedance 2.0 guide)")

_NOTES = (
    "Submit is not idempotent and fal's queue lists no recent requests: an unanswered submit is "
    "never re-sent and settles unknown (look for it in fal's dashboard before submitting again).",
    "Only a queued request can be cancelled: one in progress keeps rendering and is charged.",
)


_UPLOAD_SOURCE = "fal's storage API as fal-client 1.0.3 calls it (fal_client/client.py, upload)"
LOCAL_ROUTES: Mapping[str, LocalRoute] = {
    kind: LocalRoute(via="upload", max_bytes=limit, source=_UPLOAD_SOURCE)
    for kind, limit in MEDIA_MAX_BYTES.items()
}
"""Every local file goes through fal's storage API, within Seedance 2.0's per-file limits."""
STORAGE_BASE = "https://rest.fal.ai"
UPLOAD_PATH = "/storage/upload/initiate"


def _caps(
    *,
    durations: range,
    resolutions: tuple[str, ...],
    default_resolution: str,
    adaptive: bool,
    start_image: bool,
    end_image: bool,
    seed: bool,
    audio: bool,
    fixed_lens: bool,
    poll: PollAdvice,
    references: References | None = None,
    notes: tuple[str, ...] = (),
) -> Capabilities:
    return Capabilities(
        durations=tuple(durations),
        default_duration=5,
        resolutions=resolutions,
        default_resolution=default_resolution,
        aspect_ratios=(*RATIOS, "adaptive") if adaptive else RATIOS,
        prompt_min=1,
        prompt_max=PROMPT_MAX,
        start_image=start_image,
        end_image=end_image,
        seed=seed,
        seed_range=SEED_RANGE if seed else None,
        audio=audio,
        fixed_lens=fixed_lens,
        idempotency=False,
        poll=poll,
        fps=FPS,
        references=references,
        local_files=frozenset(LOCAL_ROUTES),
        notes=(*notes, *_NOTES),
    )


def _seedance_1x(**given: Any) -> Capabilities:
    """Seedance 1.x on fal: a seed, a fixed-lens switch (`camera_fixed`), up to 1080p."""
    given.setdefault("resolutions", ("480p", "720p", "1080p"))
    given.setdefault("start_image", True)
    return _caps(seed=True, fixed_lens=True, poll=_POLL_1X, **given)


def _seedance_2x(resolutions: tuple[str, ...], **given: Any) -> Capabilities:
    """Seedance 2.0 on fal: 4-15 s, sound, start and end frames, `auto`; no seed, no fixed lens."""
    return _caps(
        durations=range(4, 16),
        resolutions=resolutions,
        default_resolution="720p",
        adaptive=True,
        start_image=True,
        end_image=True,
        seed=False,
        audio=True,
        fixed_lens=False,
        poll=_POLL_2X,
        **given,
    )


_V1 = "fal-ai/bytedance/seedance"
_V2 = "bytedance/seedance-2.0"

# (canonical name, text-to-video endpoint, image-to-video endpoint, capabilities, source).
# The first is the default: Seedance 1.5 Pro, the model ByteDance's own API defaults to too
# (sound, start and end frames, a fraction of 2.0's price).
FAL_MODELS: tuple[tuple[str, str, str | None, Capabilities, str], ...] = (
    (
        "seedance-1.5-pro",
        f"{_V1}/v1.5/pro/text-to-video",
        f"{_V1}/v1.5/pro/image-to-video",
        _seedance_1x(
            durations=range(4, 13), default_resolution="720p", adaptive=True, end_image=True, audio=True
        ),
        _1X_SOURCE,
    ),
    (
        "seedance-2.0",
        f"{_V2}/text-to-video",
        f"{_V2}/image-to-video",
        _seedance_2x(("480p", "720p", "1080p"), references=REFERENCES_2X),
        _2X_SOURCE,
    ),
    (
        "seedance-2.0-fast",
        f"{_V2}/fast/text-to-video",
        f"{_V2}/fast/image-to-video",
        _seedance_2x(("480p", "720p"), references=REFERENCES_2X),
        _2X_SOURCE,
    ),
    (
        "seedance-2.0-mini",
        f"{_V2}/mini/text-to-video",
        f"{_V2}/mini/image-to-video",
        _seedance_2x(("480p", "720p")),
        _2X_SOURCE,
    ),
    (
        "seedance-1.0-pro",
        f"{_V1}/v1/pro/text-to-video",
        None,
        _seedance_1x(
            durations=range(2, 13),
            default_resolution="1080p",
            adaptive=False,
            start_image=False,
            end_image=False,
            audio=False,
            notes=(
                "Seedance 1.0 Pro is text-to-video only on fal: its image-to-video endpoint now runs "
                "1.0 Pro Fast; use seedance-1.0-pro-fast for a start frame.",
            ),
        ),
        _1X_SOURCE,
    ),
    (
        "seedance-1.0-pro-fast",
        f"{_V1}/v1/pro/fast/text-to-video",
        f"{_V1}/v1/pro/fast/image-to-video",
        _seedance_1x(
            durations=range(2, 13), default_resolution="1080p", adaptive=False, end_image=False, audio=False
        ),
        _1X_SOURCE,
    ),
)


REFERENCE_ENDPOINTS = {
    "seedance-2.0": f"{_V2}/reference-to-video",
    "seedance-2.0-fast": f"{_V2}/fast/reference-to-video",
}
"""The models that take references, and their reference-to-video endpoints."""


def wire_ratio(ratio: str) -> str:
    """fal's word for a canonical ratio: `adaptive` (the model picks the shape) is `auto`."""
    return "auto" if ratio == "adaptive" else ratio


def app_path(endpoint_id: str) -> str:
    """The path of an endpoint's app, where its requests live: the endpoint id without its
    sub-path (`fal-ai/bytedance/seedance/v1.5/pro/text-to-video` -> `/fal-ai/bytedance`)."""
    owner, alias = endpoint_id.split("/")[:2]
    return f"/{owner}/{alias}"


def _flat(body: Any) -> Any:
    """A model's validation error (`detail` as a list) read as one flat error: its first entry's
    `type` as the code and "field: msg" as the text, so that the field is named."""
    if not isinstance(body, Mapping) or not isinstance(body.get("detail"), list):
        return body
    first = next((item for item in body["detail"] if isinstance(item, Mapping)), None)
    if first is None:
        return {}
    loc = first.get("loc")
    where = [str(part) for part in loc if part != "body"] if isinstance(loc, list) else []
    msg = first.get("msg") if isinstance(first.get("msg"), str) else None
    field = ".".join(where)
    text = f"{field}: {msg}" if field and msg else msg or field or None
    return {"error_type": first.get("type"), "detail": text}


FAL_ERRORS = ErrorFormat(
    # `error_type` on fal's request errors; `status` on a refused cancel (`ALREADY_COMPLETED`).
    code_keys=("error_type", "status"),
    message_keys=("detail", "message"),
    nested=False,
    code_word=re.compile(r"[A-Za-z]+(?:_[A-Za-z]+)+"),
    # fal sends its errors with an HTTP status; one inside a 2xx answer is taken as a refusal.
    unknown_code_status=400,
    no_code_status=400,
    status_texts={
        401: "the key was refused",
        403: "the key may not use this model, or the account is locked",
        404: "no such request or endpoint",
        422: "an input was refused",
        429: "too many requests",
    },
)

_BILLING = re.compile(r"exhausted balance|top[ _]?up|insufficient", re.IGNORECASE)
_TOP_UP = "top up the balance at fal.ai/dashboard/billing (a lock can take a while to clear after a top-up)"
_ADMIN_LOCK = "fal locked the account itself: contact support@fal.ai (a new key does not help)"
_POLICY = "reword the prompt or use another image: fal's content checker refused it"


class Fal(Provider):
    """fal.ai's queue API; see the module docstring."""

    id = "fal"
    name = "fal.ai"
    base_url = "https://queue.fal.run"
    docs_url = "https://fal.ai/docs/documentation/model-apis/inference/queue"
    key_env = "FAL_KEY"
    auth_scheme = "Key"
    unit = "USD"
    """fal bills the account's balance in US dollars."""
    errors = FAL_ERRORS
    cancellable = frozenset({JobStatus.QUEUED})
    """Only a queued request is sure to be removed (and never billed); see the module docstring."""
    models = tuple(
        ModelSpec(
            name=name,
            caps=caps,
            wire_id=text_id,
            image_wire_id=image_id,
            reference_wire_id=REFERENCE_ENDPOINTS.get(name),
            source=source,
        )
        for name, text_id, image_id, caps, source in FAL_MODELS
    )
    local_routes = LOCAL_ROUTES
    upload_base_url = STORAGE_BASE
    reference_tokens = ("@{Kind}{n}", "@{Kind}{n}")

    # -- submit ---------------------------------------------------------------------------

    def build_submit(self, req: VideoRequest, idempotency_key: str) -> WireRequest:
        # fal keeps no idempotency key: the key is unused, and a lost answer is never re-sent.
        assert req.duration is not None and req.aspect_ratio is not None
        spec = self._spec(req)
        caps = spec.caps
        endpoint = spec.wire_for(req)
        assert endpoint is not None
        references = has_references(req)
        body: dict[str, Any] = {
            "prompt": spell(req.prompt, self.reference_tokens) if references else req.prompt,
            "aspect_ratio": wire_ratio(req.aspect_ratio),
            "duration": str(req.duration),  # fal's durations are strings ("5"), on every model
        }
        if req.resolution is not None:
            body["resolution"] = req.resolution
        if caps.audio:
            body["generate_audio"] = req.audio  # fal's default is on: always say which
        if caps.fixed_lens:
            body["camera_fixed"] = req.fixed_lens
        if req.seed is not None:
            body["seed"] = req.seed
        if req.image_url:
            body["image_url"] = req.image_url
        if req.end_image_url:
            body["end_image_url"] = req.end_image_url
        for name, values in (
            ("image_urls", req.reference_images),
            ("video_urls", req.reference_videos),
            ("audio_urls", req.reference_audios),
        ):
            if values:
                body[name] = list(values)
        return WireRequest(method="POST", path=f"/{endpoint}", json=body)

    # -- local files ----------------------------------------------------------------------

    def build_upload(self, name: str, mime: str, data: bytes) -> WireRequest:
        return WireRequest(
            method="POST",
            path=UPLOAD_PATH,
            params={"storage_type": "gcs"},
            json={"content_type": mime, "file_name": name},
            upload=True,
        )

    def parse_upload(
        self, status_code: int, body: Any, mime: str, data: bytes
    ) -> tuple[str, WireRequest | None]:
        answer = json_object(self.id, body)
        upload_url, file_url = first_str(answer, "upload_url"), first_str(answer, "file_url")
        if upload_url is None or file_url is None or not _is_http(upload_url) or not _is_http(file_url):
            raise ProtocolError(f"{self.id}: the storage answer has no usable upload_url and file_url")
        put = WireRequest(
            method="PUT", path=upload_url, content=data, headers={"Content-Type": mime}, signed=True
        )
        return file_url, put

    def parse_submit(self, status_code: int, body: Any) -> str:
        data = json_object(self.id, body)
        request_id = first_str(data, "request_id")
        if request_id is None:
            if "detail" in data:
                raise self.error_for(status_code, data)
            raise ProtocolError(f"{self.id}: the submit answer has no request_id")
        return request_id

    def submit_refs(self, body: Any) -> dict[str, str]:
        data = json_object(self.id, body)
        refs = {key: data.get(key) for key in REF_KEYS}
        missing = [key for key, url in refs.items() if not isinstance(url, str) or not _is_http(url)]
        if missing:
            raise ProtocolError(
                f"{self.id}: the submit answer for request {data.get('request_id')} has no usable "
                f"{', '.join(missing)}; the request cannot be followed (look for it in fal's dashboard)."
            )
        return {key: str(url) for key, url in refs.items()}

    # -- status, result, cancel -----------------------------------------------------------

    def build_status(self, task_id: str) -> WireRequest:
        raise ProtocolError(
            f"{self.id}: request {task_id} is read at the status URL its submit answer gave, and none "
            "is recorded for it."
        )

    def status_request(self, task_id: str, refs: Mapping[str, str]) -> WireRequest:
        url = refs.get("status_url")
        if not url:
            return self.build_status(task_id)
        return WireRequest(method="GET", path=_below_base(url, task_id), params={"logs": "false"})

    def result_request(self, task_id: str, refs: Mapping[str, str]) -> WireRequest | None:
        url = refs.get("response_url")
        if not url:
            raise ProtocolError(f"{self.id}: no response URL is recorded for request {task_id}.")
        return WireRequest(method="GET", path=_below_base(url, task_id))

    def build_cancel(self, task_id: str) -> WireRequest:
        """A stand-in that says fal can cancel (what `seedance providers` asks): fal's cancel URL
        names the request's app, which only the submit answer's `cancel_url` gives
        (`cancel_request`); this path, sent as it is, would reach no request."""
        return WireRequest(method="PUT", path=f"/requests/{quote(task_id, safe='')}/cancel")

    def cancel_request(self, task_id: str, refs: Mapping[str, str]) -> WireRequest | None:
        url = refs.get("cancel_url")
        if not url:
            return self.build_cancel(task_id)
        return WireRequest(method="PUT", path=_below_base(url, task_id))

    def parse_status(self, status_code: int, body: Any) -> TaskState:
        data = json_object(self.id, body)
        raw = first_str(data, "status")
        if raw is None:
            if "detail" in data:
                raise self.error_for(status_code, data)
            raise ProtocolError(f"{self.id}: the status answer has no status")
        match raw.upper():
            case "IN_QUEUE":
                position = whole_number(data.get("queue_position"))
                return TaskState(
                    status=JobStatus.QUEUED,
                    queue_position=position if position is not None and position >= 0 else None,
                    provider_status=raw,
                )
            case "COMPLETED" | "FAILED" | "CANCELLED" | "CANCELED":
                # Only COMPLETED is documented (a failed request is COMPLETED with an error); the
                # other two words are read as they say, should they come.
                return self._finished(raw, data)
            case _:  # IN_PROGRESS, or a word fal does not document: still running
                return TaskState(status=JobStatus.RUNNING, provider_status=raw)

    def parse_result(self, status_code: int, body: Any) -> TaskState:
        data = json_object(self.id, body)
        video = data.get("video")
        url = first_str(video, "url") if isinstance(video, Mapping) else None
        if url is None:
            if "detail" in data:
                raise self.error_for(status_code, data)
            raise ProtocolError(f"{self.id}: a completed request's result has no video.url")
        return TaskState(status=JobStatus.SUCCEEDED, video_url=url, provider_status="COMPLETED")

    def parse_cancel(self, status_code: int, body: Any) -> None:
        word = first_str(body, "status") if isinstance(body, Mapping) else None
        if word in ("OK", "CANCELLATION_REQUESTED"):
            return  # taken: the status read that follows says how it ended
        common: dict[str, Any] = {"provider": self.id, "status_code": status_code, "provider_code": word}
        if word == "NOT_FOUND":
            raise TaskNotFound(f"{self.id}: the request is not found (NOT_FOUND)", **common)
        if word == "ALREADY_COMPLETED":
            raise ProviderRejected(
                f"{self.id}: the request had already finished (ALREADY_COMPLETED)", **common
            )
        raise ProviderError(
            f"{self.id}: the cancel answer does not say the request was cancelled ({word or 'no status'})",
            **common,
        )

    # -- errors ---------------------------------------------------------------------------

    def error_for(self, status_code: int, body: Any, retry_after: float | None = None) -> ProviderError:
        """The exception for a fal error answer, naming the refused field where fal names it.

        A model's validation error (422) is a refusal of the input (nothing was queued); a
        locked account's 403 means "top up" when its reason is an empty balance, and "ask fal"
        when fal locked it itself.
        """
        reading = self.errors.read(_flat(body))
        text = reading.text or ""
        if status_code in (401, 403) and _BILLING.search(text):
            status_code = 402
        err = self.errors.error_from(self.id, status_code, reading, retry_after)
        step = None
        if isinstance(err, InsufficientCredits):
            step = _TOP_UP
        elif isinstance(err, AuthError) and "admin lock" in text.lower():
            step = _ADMIN_LOCK
        elif reading.code == "content_policy_violation":
            step = _POLICY
        if step is None:
            return err
        shown = reading.text or f"HTTP {status_code}"
        return type(err)(
            f"{self.id}: {shown}" + (f" ({err.provider_code})" if err.provider_code else "") + f": {step}",
            provider=self.id,
            status_code=err.status_code,
            provider_code=err.provider_code,
            retry_after=err.retry_after,
        )

    # -- helpers --------------------------------------------------------------------------

    def _spec(self, req: VideoRequest) -> ModelSpec:
        spec = self.find_model(req.model) if req.model else self.default_model
        if spec is None:
            raise ProtocolError(f"{self.id}: the request names a model it does not serve ({req.model})")
        return spec

    def _finished(self, raw: str, data: Mapping[str, Any]) -> TaskState:
        """A finished request: succeeded (its video is read from the response URL next), or failed
        or cancelled as its `error` / `error_type` say."""
        error = data.get("error")
        kind = first_str(data, "error_type")
        message = provider_text(error if isinstance(error, str) else None)
        upper = raw.upper()
        if kind in CANCELLED_TYPES or upper in ("CANCELLED", "CANCELED"):
            return TaskState(
                status=JobStatus.CANCELLED,
                error=JobError(code="cancelled", message=message or "the request was cancelled"),
                provider_status=raw,
            )
        if kind is None and error is None and upper == "COMPLETED":
            return TaskState(status=JobStatus.SUCCEEDED, provider_status=raw)
        code = provider_text(kind, 60)
        text = message or "the render failed"
        if code == "content_policy_violation":
            text = f"{text}: {_POLICY}"
        return TaskState(
            status=JobStatus.FAILED,
            error=JobError(code=code or "generation_failed", message=text),
            provider_status=raw,
        )


def _is_http(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _below_base(url: str, task_id: str) -> str:
    """The path of a URL fal gave for request `task_id`, from its app on (`/fal-ai/bytedance/
    requests/{id}/status`, query kept), to be sent below the configured base URL; the URL as it
    is where its path does not have that shape."""
    parts = urlsplit(url)
    marker = f"/requests/{task_id}"
    at = parts.path.find(marker)
    rest = parts.path[at + len(marker) :] if at >= 0 else ""
    app = [segment for segment in parts.path[:at].split("/") if segment] if at >= 0 else []
    if len(app) < 2 or rest not in ("", "/status", "/cancel"):
        return url
    path = "/" + "/".join(app[-2:]) + parts.path[at:]
    return path + (f"?{parts.query}" if parts.query else "")
