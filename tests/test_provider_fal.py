"""Contract tests for fal.ai (`fal`).

The official client `fal_client` (a test-only dependency) is the oracle for the wire: each of
its calls runs over a mock transport (its own `BackupDomainTransport`, handed an
`httpx.MockTransport`) and the request it sends is compared with ours: method, URL (query
included), the Authorization header as our client writes it, and the JSON body. The body is
the input a user of `fal_client` would write from fal's schema for that endpoint, written out
here by hand (fal-ai/fal-js `libs/client/src/types/endpoints.ts`, 2026-08-02), not imported.
Answers are fed to `fal_client` too, so the shapes read here are the shapes it reads.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import fal_client
import httpx
import httpx2
import pytest
from fal_client import client as fal_module
from provider_harness import exchange

from seedance_mcp.client import ProviderClient, nothing_created
from seedance_mcp.engine import Service
from seedance_mcp.errors import (
    AuthError,
    CannotCancel,
    InsufficientCredits,
    InvalidRequest,
    ProtocolError,
    ProviderError,
    ProviderFailure,
    ProviderRejected,
    ProviderUnavailable,
    RateLimited,
    TaskNotFound,
)
from seedance_mcp.models import JobStatus, Money, VideoRequest
from seedance_mcp.pricing import TOKEN_PRICES, estimate
from seedance_mcp.providers import PROVIDERS, ModelSpec, WireRequest, canonical_model, get_model
from seedance_mcp.providers.fal import Fal
from seedance_mcp.retry import RetryPolicy
from seedance_mcp.settings import Secret, Settings
from seedance_mcp.validation import resolve_request

KEY = "fal-test-key-0000-not-a-real-fal-key"
P = PROVIDERS["fal"]
QUEUE = "https://queue.fal.run"
START = "https://cdn.example.com/frames/start.png"
END = "https://cdn.example.com/frames/end.png"
PROMPT = "a paper boat drifts down a rain gutter, close-up, soft morning light"
REQUEST_ID = "764cabcf-b745-4b3e-ae38-1200304cf45b"

# fal's endpoint ids per model: (text-to-video, image-to-video), from fal's schema and pages.
ENDPOINTS: dict[str, tuple[str, str | None]] = {
    "seedance-1.5-pro": (
        "fal-ai/bytedance/seedance/v1.5/pro/text-to-video",
        "fal-ai/bytedance/seedance/v1.5/pro/image-to-video",
    ),
    "seedance-2.0": ("bytedance/seedance-2.0/text-to-video", "bytedance/seedance-2.0/image-to-video"),
    "seedance-2.0-fast": (
        "bytedance/seedance-2.0/fast/text-to-video",
        "bytedance/seedance-2.0/fast/image-to-video",
    ),
    "seedance-2.0-mini": (
        "bytedance/seedance-2.0/mini/text-to-video",
        "bytedance/seedance-2.0/mini/image-to-video",
    ),
    # The 1.0 Pro image-to-video endpoint now runs 1.0 Pro Fast (fal's schema): not used.
    "seedance-1.0-pro": ("fal-ai/bytedance/seedance/v1/pro/text-to-video", None),
    "seedance-1.0-pro-fast": (
        "fal-ai/bytedance/seedance/v1/pro/fast/text-to-video",
        "fal-ai/bytedance/seedance/v1/pro/fast/image-to-video",
    ),
}
# The app each endpoint's requests live under (its id without the sub-path).
APPS = {"fal-ai": "/fal-ai/bytedance", "bytedance": "/bytedance/seedance-2.0"}


# --- fal_client as an oracle ----------------------------------------------------------------------


@pytest.fixture
def oracle(monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[list[httpx.Request], Any]]:
    """Run `call(client)` on a `fal_client.SyncClient` whose requests meet `answers` (one
    `(status, json)` per request, the last one repeated); returns the requests and the result."""
    real = fal_module.BackupDomainTransport
    monkeypatch.setattr(fal_module, "MAX_ATTEMPTS", 1)  # no retries: one request per call

    def run(call: Callable[[Any], Any], *answers: tuple[int, Any]) -> tuple[list[httpx.Request], Any]:
        seen: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            status, body = answers[min(len(seen), len(answers)) - 1]
            return httpx.Response(status, json=body)

        mock = httpx.MockTransport(handler)
        monkeypatch.setattr(fal_module, "BackupDomainTransport", lambda: real(transport=mock))
        client = fal_client.SyncClient(key=KEY)
        try:
            return seen, call(client)
        finally:
            client._client.close()

    return run


def submit_answer(endpoint: str, request_id: str = REQUEST_ID) -> dict[str, Any]:
    """fal's documented submit answer: the three URLs below the endpoint's app."""
    base = f"{QUEUE}{APPS[endpoint.split('/')[0]]}/requests/{request_id}"
    return {
        "status": "IN_QUEUE",
        "request_id": request_id,
        "response_url": base,
        "status_url": f"{base}/status",
        "cancel_url": f"{base}/cancel",
        "queue_position": 0,
    }


def our_url(wire: WireRequest) -> httpx.URL:
    return httpx.URL(wire.url(P.base_url), params=dict(wire.params))


def our_authorization(wire: WireRequest) -> dict[str, str]:
    client = ProviderClient(P, key=Secret(KEY))
    try:
        return client.headers(wire)
    finally:
        anyio.run(client.aclose)


def assert_same_request(sent: httpx.Request, wire: WireRequest) -> None:
    assert wire.method == sent.method
    assert our_url(wire) == sent.url
    ours = our_authorization(wire)
    assert ours["Authorization"] == sent.headers["Authorization"] == f"Key {KEY}"
    if wire.json is None:
        assert sent.content == b"" and "Content-Type" not in ours
    else:
        assert ours["Content-Type"] == sent.headers["Content-Type"] == "application/json"
        assert json.loads(json.dumps(wire.json)) == json.loads(sent.content)


def documented_input(spec: ModelSpec, req: VideoRequest) -> dict[str, Any]:
    """The input a fal_client user writes for `req` from the endpoint's schema."""
    ratio = "auto" if req.aspect_ratio == "adaptive" else req.aspect_ratio
    body: dict[str, Any] = {"prompt": req.prompt, "aspect_ratio": ratio, "duration": str(req.duration)}
    body["resolution"] = req.resolution
    if spec.name in ("seedance-1.5-pro", "seedance-2.0", "seedance-2.0-fast", "seedance-2.0-mini"):
        body["generate_audio"] = req.audio  # defaults to true at fal
    if spec.name.startswith("seedance-1."):
        body["camera_fixed"] = req.fixed_lens
        if req.seed is not None:
            body["seed"] = req.seed
    if req.image_url:
        body["image_url"] = req.image_url
    if req.end_image_url:
        body["end_image_url"] = req.end_image_url
    return body


def modes(spec: ModelSpec) -> Iterator[tuple[str, dict[str, Any]]]:
    caps = spec.caps
    yield "text", {}
    everything: dict[str, Any] = {
        "resolution": caps.resolutions[0],
        "aspect_ratio": "9:16",
        "duration": caps.durations[-1],
    }
    if caps.start_image:
        yield "first_frame", {"image_url": START}
        everything["image_url"] = START
    if caps.end_image:
        yield "first_last_frame", {"image_url": START, "end_image_url": END}
        everything["end_image_url"] = END
    if caps.audio:
        yield "audio_on", {"audio": True}
        yield "audio_off", {"audio": False}
        everything["audio"] = True
    if caps.seed:
        yield "seed", {"seed": 4294967295}
        yield "seed_random", {"seed": -1}
        everything["seed"] = 42
    if caps.fixed_lens:
        yield "fixed_lens", {"fixed_lens": True}
        everything["fixed_lens"] = True
    if "adaptive" in caps.aspect_ratios:
        yield "adaptive", {"aspect_ratio": "adaptive"}
        if caps.start_image:
            yield "adaptive_with_image", {"aspect_ratio": "adaptive", "image_url": START}
    yield "everything", everything


CASES = [
    pytest.param(spec, fields, id=f"{spec.name}-{mode}") for spec in P.models for mode, fields in modes(spec)
]


# --- registry and endpoints -----------------------------------------------------------------------


def test_fal_is_registered_with_its_key_scheme_and_queue_host() -> None:
    assert isinstance(P, Fal)
    assert (P.id, P.name, P.base_url, P.key_env, P.key_envs) == ("fal", "fal.ai", QUEUE, "FAL_KEY", ())
    assert (P.auth_scheme, P.unit) == ("Key", "USD")
    assert P.default_model.name == "seedance-1.5-pro"
    assert P.cancellable == frozenset({JobStatus.QUEUED})
    assert not P.caps.idempotency and all(not m.caps.idempotency for m in P.models)


def test_endpoints_are_the_documented_ones() -> None:
    assert {m.name: (m.wire_id, m.image_wire_id) for m in P.models} == ENDPOINTS


def test_the_models_fal_does_not_serve_name_who_does() -> None:
    for model in ("seedance-1.0-lite", "seedance-2.5"):
        with pytest.raises(InvalidRequest) as info:
            get_model(P, model)
        assert f"fal does not serve {model}" in info.value.message
        assert "byteplus" in info.value.message


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("bytedance/seedance-2.0/fast/image-to-video", "seedance-2.0-fast"),
        ("fal-ai/bytedance/seedance/v1.5/pro/text-to-video", "seedance-1.5-pro"),
        ("FAL-AI/BYTEDANCE/SEEDANCE/V1/PRO/FAST/TEXT-TO-VIDEO", "seedance-1.0-pro-fast"),
    ],
)
def test_an_endpoint_id_names_its_model(name: str, canonical: str) -> None:
    assert canonical_model(name) == canonical
    req = resolve_request(VideoRequest(prompt=PROMPT, model=name), P)
    assert req.model == canonical


# --- submit: our request is fal_client's ---------------------------------------------------------


@pytest.mark.parametrize(("spec", "fields"), CASES)
def test_submit_is_fal_clients_request(
    spec: ModelSpec, fields: dict[str, Any], oracle: Callable[..., tuple[list[httpx.Request], Any]]
) -> None:
    req = resolve_request(VideoRequest(prompt=PROMPT, model=spec.name, **fields), P)
    wire = P.build_submit(req, "k")
    text_id, image_id = ENDPOINTS[spec.name]
    endpoint = image_id if req.image_url else text_id
    assert endpoint is not None
    seen, handle = oracle(
        lambda c: c.submit(endpoint, arguments=documented_input(spec, req)), (200, submit_answer(endpoint))
    )
    [sent] = seen
    assert_same_request(sent, wire)
    assert dict(wire.headers) == {}  # no idempotency header: fal has none
    assert P.parse_submit(200, submit_answer(endpoint)) == handle.request_id == REQUEST_ID
    refs = P.submit_refs(submit_answer(endpoint))
    assert refs == {
        "status_url": handle.status_url,
        "response_url": handle.response_url,
        "cancel_url": handle.cancel_url,
    }


def test_duration_is_a_string_and_sound_is_always_said() -> None:
    for model in ("seedance-1.5-pro", "seedance-2.0"):
        body = P.build_submit(resolve_request(VideoRequest(prompt=PROMPT, model=model), P), "k").json
        assert body is not None and body["duration"] == "5" and body["generate_audio"] is False
    silent = P.build_submit(resolve_request(VideoRequest(prompt=PROMPT, model="seedance-1.0-pro"), P), "k")
    assert silent.json is not None and "generate_audio" not in silent.json


def test_submit_carries_no_idempotency_key() -> None:
    req = resolve_request(VideoRequest(prompt=PROMPT), P)
    assert P.build_submit(req, "job-1") == P.build_submit(req, "job-2")


def test_a_submit_answer_without_a_request_id_or_its_urls_is_refused() -> None:
    with pytest.raises(ProtocolError, match="no request_id"):
        P.parse_submit(200, {"status": "IN_QUEUE"})
    answer = submit_answer("bytedance/seedance-2.0/text-to-video")
    del answer["cancel_url"]
    with pytest.raises(ProtocolError, match=f"request {REQUEST_ID} has no usable cancel_url"):
        P.submit_refs(answer)
    with pytest.raises(ProtocolError, match="status_url"):
        P.submit_refs({**submit_answer("bytedance/seedance-2.0/text-to-video"), "status_url": "/x"})


# --- status, result, cancel: the URLs of the submit answer, as fal_client uses them --------------


@pytest.mark.parametrize("endpoint", sorted({e for pair in ENDPOINTS.values() for e in pair if e}))
def test_status_result_and_cancel_are_fal_clients_requests(
    endpoint: str, oracle: Callable[..., tuple[list[httpx.Request], Any]]
) -> None:
    answer = submit_answer(endpoint)
    refs = P.submit_refs(answer)
    done = {"status": "COMPLETED", "logs": None, "metrics": {}}
    result = {"video": {"url": "https://v3.fal.media/files/b/v.mp4"}, "seed": 7}

    seen, _ = oracle(
        lambda c: c.submit(endpoint, arguments={"prompt": PROMPT}).status(), (200, answer), (200, done)
    )
    assert_same_request(seen[1], P.status_request(REQUEST_ID, refs))
    assert str(seen[1].url) == f"{answer['status_url']}?logs=false"  # the URL as given

    seen, got = oracle(
        lambda c: c.submit(endpoint, arguments={"prompt": PROMPT}).get(),
        (200, answer),
        (200, done),
        (200, result),
    )
    wire = P.result_request(REQUEST_ID, refs)
    assert wire is not None
    assert_same_request(seen[-1], wire)
    assert str(seen[-1].url) == answer["response_url"]
    assert P.parse_result(200, got).video_url == got["video"]["url"]

    seen, _ = oracle(
        lambda c: c.submit(endpoint, arguments={"prompt": PROMPT}).cancel(),
        (200, answer),
        (202, {"status": "CANCELLATION_REQUESTED"}),
    )
    wire = P.cancel_request(REQUEST_ID, refs)
    assert wire is not None
    assert_same_request(seen[1], wire)
    assert str(seen[1].url) == answer["cancel_url"]


@pytest.mark.parametrize(
    "endpoint", ["fal-ai/bytedance/seedance/v1.5/pro/text-to-video", "bytedance/seedance-2.0/text-to-video"]
)
def test_the_urls_match_fal_clients_own_for_a_request_id(endpoint: str) -> None:
    # What fal_client builds from an endpoint and a request id (get_handle) is what fal hands back.
    handle = fal_client.SyncClient(key=KEY).get_handle(endpoint, REQUEST_ID)
    refs = P.submit_refs(submit_answer(endpoint))
    assert (handle.status_url, handle.response_url, handle.cancel_url) == (
        refs["status_url"],
        refs["response_url"],
        refs["cancel_url"],
    )


def test_the_urls_are_sent_below_the_configured_base() -> None:
    """fal's URLs name the app; the request goes to that path below the base URL in use, which
    for queue.fal.run is the URL as given, and for the sandbox of a later process its new port."""
    refs = P.submit_refs(submit_answer("bytedance/seedance-2.0/image-to-video"))
    wire = P.status_request(REQUEST_ID, refs)
    assert wire.path == f"/bytedance/seedance-2.0/requests/{REQUEST_ID}/status"
    assert wire.url(QUEUE) == refs["status_url"]
    assert wire.url("http://127.0.0.1:5001/fal") == (
        f"http://127.0.0.1:5001/fal/bytedance/seedance-2.0/requests/{REQUEST_ID}/status"
    )
    old = {k: v.replace(QUEUE, "http://127.0.0.1:4000/fal") for k, v in refs.items()}
    cancel = P.cancel_request(REQUEST_ID, old)
    assert cancel is not None and cancel.url("http://127.0.0.1:5001/fal").endswith(
        f"5001/fal/bytedance/seedance-2.0/requests/{REQUEST_ID}/cancel"
    )
    # A URL of another shape is kept whole: the client sends it only to the base URL's host.
    odd = {"status_url": "https://queue.fal.run/elsewhere/status"}
    assert P.status_request(REQUEST_ID, odd).path == "https://queue.fal.run/elsewhere/status"


def test_without_recorded_urls_nothing_is_guessed() -> None:
    with pytest.raises(ProtocolError, match="none is recorded"):
        P.status_request(REQUEST_ID, {})
    with pytest.raises(ProtocolError, match="no response URL"):
        P.result_request(REQUEST_ID, {})
    # `seedance providers` asks build_cancel whether fal can cancel: it can (a stand-in request).
    assert P.build_cancel("task") is not None


# --- answers, as fal_client reads them ------------------------------------------------------------


def read_by_fal_client(oracle: Callable[..., tuple[list[httpx.Request], Any]], status: dict[str, Any]) -> Any:
    endpoint = "bytedance/seedance-2.0/text-to-video"
    _, read = oracle(
        lambda c: c.submit(endpoint, arguments={"prompt": PROMPT}).status(),
        (200, submit_answer(endpoint)),
        (200, status),
    )
    return read


def test_in_queue_carries_the_queue_position(oracle: Callable[..., tuple[list[httpx.Request], Any]]) -> None:
    answer = {"status": "IN_QUEUE", "queue_position": 3, "response_url": "u"}
    read = read_by_fal_client(oracle, answer)
    state = P.parse_status(200, answer)
    assert isinstance(read, fal_client.Queued) and read.position == 3
    assert (state.status, state.queue_position, state.provider_status) == (JobStatus.QUEUED, 3, "IN_QUEUE")


def test_in_progress_is_running(oracle: Callable[..., tuple[list[httpx.Request], Any]]) -> None:
    answer = {"status": "IN_PROGRESS", "logs": None, "response_url": "u"}
    assert isinstance(read_by_fal_client(oracle, answer), fal_client.InProgress)
    state = P.parse_status(200, answer)
    assert (state.status, state.queue_position, state.error) == (JobStatus.RUNNING, None, None)


def test_completed_is_succeeded_and_the_video_comes_from_the_result(
    oracle: Callable[..., tuple[list[httpx.Request], Any]],
) -> None:
    answer = {"status": "COMPLETED", "logs": None, "metrics": {"inference_time": 41.5}, "response_url": "u"}
    read = read_by_fal_client(oracle, answer)
    assert isinstance(read, fal_client.Completed) and read.error is None
    state = P.parse_status(200, answer)
    assert state.status is JobStatus.SUCCEEDED and state.video_url is None  # the client reads the result
    result = {
        "video": {"url": "https://v3.fal.media/files/b/x.mp4", "content_type": "video/mp4", "file_size": 9},
        "seed": 42,
    }
    done = P.parse_result(200, result)
    assert (done.status, done.video_url) == (JobStatus.SUCCEEDED, "https://v3.fal.media/files/b/x.mp4")
    with pytest.raises(ProtocolError, match=r"video\.url"):
        P.parse_result(200, {"seed": 42})
    with pytest.raises(ProviderRejected, match="prompt"):
        P.parse_result(200, {"detail": [{"loc": ["body", "prompt"], "msg": "refused", "type": "x_y"}]})


@pytest.mark.parametrize(
    ("error", "kind", "status", "code"),
    [
        ("Internal Server Error", "runner_server_error", JobStatus.FAILED, "runner_server_error"),
        (
            "The content may violate our policy",
            "content_policy_violation",
            JobStatus.FAILED,
            "content_policy_violation",
        ),
        ("Request timed out", None, JobStatus.FAILED, "generation_failed"),
        ("Request was cancelled by the client", "client_cancelled", JobStatus.CANCELLED, "cancelled"),
    ],
)
def test_a_completed_request_with_an_error_failed_or_was_cancelled(
    error: str,
    kind: str | None,
    status: JobStatus,
    code: str,
    oracle: Callable[..., tuple[list[httpx.Request], Any]],
) -> None:
    answer = {"status": "COMPLETED", "logs": None, "metrics": {}, "error": error, "error_type": kind}
    read = read_by_fal_client(oracle, answer)
    assert isinstance(read, fal_client.Completed) and (read.error, read.error_type) == (error, kind)
    state = P.parse_status(200, answer)
    assert state.status is status and state.error is not None
    assert state.error.code == code and state.error.message.startswith(error)
    if kind == "content_policy_violation":
        assert "reword the prompt" in state.error.message


def test_status_words_fal_does_not_document() -> None:
    assert P.parse_status(200, {"status": "STARTING"}).status is JobStatus.RUNNING
    assert P.parse_status(200, {"status": "FAILED"}).status is JobStatus.FAILED
    with pytest.raises(ProtocolError, match="no status"):
        P.parse_status(200, {"request_id": REQUEST_ID})
    with pytest.raises(TaskNotFound):
        P.parse_status(200, {"detail": "Request not found", "error_type": "not_found_error"})


@pytest.mark.parametrize("word", ["OK", "CANCELLATION_REQUESTED"])
def test_a_cancel_fal_took(word: str) -> None:
    assert P.parse_cancel(202, {"status": word}) is None


def test_a_cancel_fal_did_not_take() -> None:
    with pytest.raises(ProviderRejected, match="ALREADY_COMPLETED"):
        P.parse_cancel(200, {"status": "ALREADY_COMPLETED"})
    with pytest.raises(TaskNotFound):
        P.parse_cancel(200, {"status": "NOT_FOUND"})
    with pytest.raises(ProviderError, match="does not say"):
        P.parse_cancel(200, {})
    assert isinstance(P.error_for(400, {"status": "ALREADY_COMPLETED"}), ProviderRejected)
    assert isinstance(P.error_for(404, {"status": "NOT_FOUND"}), TaskNotFound)


# --- errors ---------------------------------------------------------------------------------------

LOCKED = "User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing."
ERRORS: list[tuple[int, dict[str, Any], type[ProviderError], str]] = [
    (401, {"detail": "No user found for Key ID and Secret"}, AuthError, "check the API key"),
    (
        403,
        {"detail": LOCKED},
        InsufficientCredits,
        "fal.ai/dashboard/billing",
    ),
    (403, {"detail": "User is locked. Reason: TOP_UP."}, InsufficientCredits, "top up the balance"),
    (
        403,
        {"detail": "User is locked. Reason: Admin lock. Please contact support@fal.ai"},
        AuthError,
        "a new key",
    ),
    (404, {"detail": "Application 'bytedance/seedance-9' not found"}, TaskNotFound, "check the task id"),
    (
        422,
        {
            "detail": [
                {
                    "loc": ["body", "duration"],
                    "msg": "Input should be '4', '5', '6', '7', '8', '9', '10', '11' or '12'",
                    "type": "literal_error",
                    "url": "https://docs.fal.ai/errors#literal_error",
                }
            ]
        },
        ProviderRejected,
        "duration: Input should be '4'",
    ),
    (
        422,
        {"detail": [{"loc": ["body", "prompt"], "msg": "flagged", "type": "content_policy_violation"}]},
        ProviderRejected,
        "reword the prompt",
    ),
    (429, {"detail": "Rate limit exceeded"}, RateLimited, "wait and try again"),
    (
        500,
        {"detail": "Internal server error", "error_type": "internal_error"},
        ProviderFailure,
        "check the job",
    ),
    (
        503,
        {"detail": "No runner available", "error_type": "runner_scheduling_failure"},
        ProviderUnavailable,
        "busy",
    ),
    (504, {"detail": "Request timed out", "error_type": "request_timeout"}, ProviderFailure, "check the job"),
]


@pytest.mark.parametrize(
    ("status", "body", "kind", "step"), ERRORS, ids=[f"{e[0]}-{e[2].__name__}" for e in ERRORS]
)
def test_documented_errors(
    status: int,
    body: dict[str, Any],
    kind: type[ProviderError],
    step: str,
    oracle: Callable[..., tuple[list[httpx.Request], Any]],
) -> None:
    with pytest.raises(fal_client.client.FalClientHTTPError) as caught:
        oracle(
            lambda c: c.submit("bytedance/seedance-2.0/text-to-video", arguments={"prompt": PROMPT}),
            (status, body),
        )
    seen = caught.value
    err = P.error_for(status, body, retry_after=7.0)
    assert type(err) is kind, err.message
    assert step in err.message and err.provider == "fal"
    if isinstance(seen.message, str):
        assert seen.message in err.message  # fal_client's text for it, shown
    if seen.error_type is not None:
        assert err.provider_code == seen.error_type
    if kind is RateLimited:
        assert err.retry_after == 7.0 and err.retryable
    # A refusal certainly queued nothing (fal validates the input before queueing); a 5xx
    # other than "busy" may have.
    assert nothing_created(err) is (status < 500 or status == 503)


def test_a_validation_error_is_a_clear_refusal_through_the_http_layer() -> None:
    body = {
        "detail": [
            {"loc": ["body", "aspect_ratio"], "msg": "Input should be 'auto'", "type": "literal_error"}
        ]
    }
    with pytest.raises(ProviderRejected) as info:
        exchange(P, "submit", 422, body)
    err = info.value
    assert err.status_code == 422 and err.provider_code == "literal_error" and nothing_created(err)
    assert "aspect_ratio: Input should be 'auto'" in err.message


def test_errors_without_fal_text() -> None:
    gateway = P.error_for(502, "<html>Bad Gateway</html>")
    assert isinstance(gateway, ProviderFailure) and not nothing_created(gateway)
    assert isinstance(P.error_for(401, {}), AuthError)
    assert "the key was refused" in P.error_for(401, {}).message


# --- validation per model -------------------------------------------------------------------------
# What each model takes on fal, from its schema: durations, resolutions, ratios and options.

ACCEPTS: dict[str, dict[str, Any]] = {
    "seedance-1.5-pro": {"durations": range(4, 13), "res": ("480p", "720p", "1080p"), "adaptive": True},
    "seedance-2.0": {"durations": range(4, 16), "res": ("480p", "720p", "1080p"), "adaptive": True},
    "seedance-2.0-fast": {"durations": range(4, 16), "res": ("480p", "720p"), "adaptive": True},
    "seedance-2.0-mini": {"durations": range(4, 16), "res": ("480p", "720p"), "adaptive": True},
    "seedance-1.0-pro": {"durations": range(2, 13), "res": ("480p", "720p", "1080p"), "adaptive": False},
    "seedance-1.0-pro-fast": {"durations": range(2, 13), "res": ("480p", "720p", "1080p"), "adaptive": False},
}
OPTIONS: dict[str, dict[str, bool]] = {
    # start image, end image, seed, audio, fixed lens
    "seedance-1.5-pro": {"start": True, "end": True, "seed": True, "audio": True, "fixed": True},
    "seedance-2.0": {"start": True, "end": True, "seed": False, "audio": True, "fixed": False},
    "seedance-2.0-fast": {"start": True, "end": True, "seed": False, "audio": True, "fixed": False},
    "seedance-2.0-mini": {"start": True, "end": True, "seed": False, "audio": True, "fixed": False},
    "seedance-1.0-pro": {"start": False, "end": False, "seed": True, "audio": False, "fixed": True},
    "seedance-1.0-pro-fast": {"start": True, "end": False, "seed": True, "audio": False, "fixed": True},
}


def refusal(**fields: Any) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as info:
        resolve_request(VideoRequest(**{"prompt": PROMPT, **fields}), P)
    return info.value


@pytest.mark.parametrize("model", ACCEPTS)
def test_durations_resolutions_and_ratios(model: str) -> None:
    accepts = ACCEPTS[model]
    for seconds in accepts["durations"]:
        assert (
            resolve_request(VideoRequest(prompt=PROMPT, model=model, duration=seconds), P).duration == seconds
        )
    for seconds in (accepts["durations"][0] - 1, accepts["durations"][-1] + 1):
        assert refusal(model=model, duration=seconds).field == "duration"
    for resolution in ("480p", "720p", "1080p"):
        if resolution in accepts["res"]:
            assert resolve_request(VideoRequest(prompt=PROMPT, model=model, resolution=resolution), P)
        else:
            err = refusal(model=model, resolution=resolution)
            assert err.field == "resolution" and "fal models that accept it: " in err.message
    for ratio in ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9"):
        assert resolve_request(VideoRequest(prompt=PROMPT, model=model, aspect_ratio=ratio), P)
    assert refusal(model=model, aspect_ratio="9:21").field == "aspect_ratio"
    if accepts["adaptive"]:
        assert resolve_request(VideoRequest(prompt=PROMPT, model=model, aspect_ratio="adaptive"), P)
    else:  # fal's 1.0 text-to-video endpoints take no `auto`
        assert refusal(model=model, aspect_ratio="adaptive").field == "aspect_ratio"


@pytest.mark.parametrize("model", OPTIONS)
def test_options(model: str) -> None:
    has = OPTIONS[model]
    tries = {
        "start": ("image_url", {"image_url": START}),
        "end": ("end_image_url", {"image_url": START, "end_image_url": END}),
        "seed": ("seed", {"seed": 42}),
        "audio": ("audio", {"audio": True}),
        "fixed": ("fixed_lens", {"fixed_lens": True}),
    }
    for option, (field, fields) in tries.items():
        if has[option]:
            assert resolve_request(VideoRequest(prompt=PROMPT, model=model, **fields), P)
        elif option == "end" and not has["start"]:
            assert refusal(model=model, **fields).field == "image_url"
        else:
            assert refusal(model=model, **fields).field == field, option
    assert refusal(model=model, flex=True).field == "flex"
    assert refusal(model=model, last_frame=True).field == "last_frame"
    assert refusal(model=model, prompt="x" * 2001).field == "prompt"


def test_the_1_0_pro_refusal_of_a_start_image_names_pro_fast() -> None:
    err = refusal(model="seedance-1.0-pro", image_url=START)
    assert "fal models that accept it: seedance-1.5-pro" in err.message
    assert "seedance-1.0-pro-fast" in err.message
    assert any("1.0 Pro Fast" in note for note in get_model(P, "seedance-1.0-pro").caps.notes)


def test_seed_range() -> None:
    for seed in (-2, 4294967296):
        err = refusal(model="seedance-1.5-pro", seed=seed)
        assert err.field == "seed" and err.allowed == ["-1..4294967295"]


# --- prices, cell by cell (fal's list prices in USD, tokens = w x h x 24 x s / 1024) -------------


@pytest.mark.parametrize(
    ("model", "resolution", "ratio", "seconds", "audio", "tokens", "amount"),
    [
        ("seedance-1.0-pro", "1080p", "16:9", 5, False, 244_800, 0.612),  # fal: "roughly $0.62"
        ("seedance-1.0-pro-fast", "1080p", "16:9", 5, False, 244_800, 0.2448),  # fal: "$0.245"
        ("seedance-1.0-pro-fast", "480p", "9:16", 12, False, 116_640, 0.1166),
        ("seedance-1.5-pro", "720p", "16:9", 5, True, 108_000, 0.2592),  # fal: "roughly $0.26"
        ("seedance-1.5-pro", "720p", "16:9", 5, False, 108_000, 0.1296),
        ("seedance-1.5-pro", "1080p", "1:1", 12, True, 583_200, 1.3997),
        ("seedance-2.0", "720p", "16:9", 1, False, 21_600, 0.3024),  # fal: "$0.3024/second"
        ("seedance-2.0", "720p", "16:9", 5, True, 108_000, 1.512),
        ("seedance-2.0", "1080p", "16:9", 5, False, 243_000, 3.402),
        ("seedance-2.0", "720p", "adaptive", 5, False, 108_681, 1.5215),  # the largest frame: 1112x834
        ("seedance-2.0-fast", "720p", "16:9", 1, False, 21_600, 0.2419),  # fal: "$0.2419/second"
        ("seedance-2.0-fast", "480p", "16:9", 5, False, 50_220, 0.5625),
        ("seedance-2.0-mini", "720p", "16:9", 10, False, 216_000, 1.512),
        ("seedance-2.0-mini", "480p", "21:9", 15, True, 150_660, 1.0546),
    ],
)
def test_price_cells(
    model: str, resolution: str, ratio: str, seconds: int, audio: bool, tokens: int, amount: float
) -> None:
    got = estimate(P, resolution, seconds, audio, model=model, aspect_ratio=ratio)
    assert (got.unit, got.tokens, got.amount) == ("USD", tokens, amount)
    assert "fal.ai model pages" in got.source and "read 2026-12-02" in got.source


def test_every_model_fal_serves_has_a_price_and_no_flex() -> None:
    for spec in P.models:
        assert ("fal", spec.name) in TOKEN_PRICES
        got = estimate(P, None, 5, False, model=spec.name, flex=True)
        assert got.amount is None and got.note == f"{spec.name} has no offline (flex) tier."


# --- the engine over a fake fal queue --------------------------------------------------------------


class FakeFal:
    """fal's queue for one key, as documented: submit, status, result and cancel."""

    def __init__(self) -> None:
        self.requests: list[httpx2.Request] = []
        self.status: dict[str, dict[str, Any]] = {}
        self.cancel_answer: tuple[int, dict[str, Any]] = (202, {"status": "CANCELLATION_REQUESTED"})

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        assert request.headers["Authorization"] == f"Key {KEY}"
        path = request.url.path
        if request.method == "POST":
            endpoint = path.lstrip("/")
            request_id = f"req-{len(self.status) + 1}"
            self.status[request_id] = {"status": "IN_QUEUE", "queue_position": 2}
            return httpx2.Response(200, json=submit_answer(endpoint, request_id))
        request_id = next(r for r in self.status if f"/requests/{r}" in path)
        if request.method == "PUT":
            status, body = self.cancel_answer
            if status < 300 and self.status[request_id]["status"] == "IN_QUEUE":
                self.status[request_id] = {
                    "status": "COMPLETED",
                    "error": "Request was cancelled by the client",
                    "error_type": "client_cancelled",
                }
            return httpx2.Response(status, json=body)
        if path.endswith("/status"):
            assert request.url.params["logs"] == "false"
            return httpx2.Response(200, json={**self.status[request_id], "logs": None})
        return httpx2.Response(200, json={"video": {"url": "https://v3.fal.media/files/b/v.mp4"}, "seed": 1})


NOW = [1_900_000_000.0]


def service(tmp_path: Path, fake: FakeFal) -> Service:
    settings = Settings.from_env({"FAL_KEY": KEY, "SEEDANCE_PROVIDER": "fal", "SEEDANCE_HOME": str(tmp_path)})
    return Service(
        settings,
        transport=httpx2.MockTransport(fake),
        retry=RetryPolicy(attempts=1, base_delay=0.0, max_delay=0.0),
        clock=lambda: NOW[0],
    )


REQ = VideoRequest(prompt="a kite over the dunes", model="seedance-2.0", duration=5)


@pytest.mark.anyio
async def test_a_job_runs_through_the_recorded_urls_and_reads_its_result(tmp_path: Path) -> None:
    fake = FakeFal()
    svc = service(tmp_path, fake)
    try:
        job = await svc.generate(REQ, wait_seconds=0)
        assert job.status is JobStatus.QUEUED and job.provider_task_id == "req-1"
        assert job.provider_refs == P.submit_refs(submit_answer(ENDPOINTS["seedance-2.0"][0], "req-1"))
        assert job.estimated_cost == Money(amount=1.512, unit="USD")
        fake.status["req-1"] = {"status": "COMPLETED", "metrics": {}}
        NOW[0] += 600
        job = await svc.status(job.job_id, download=False)
    finally:
        svc.close()
    assert job.status is JobStatus.SUCCEEDED and job.video_url == "https://v3.fal.media/files/b/v.mp4"
    urls = [str(r.url) for r in fake.requests]
    assert urls == [
        f"{QUEUE}/bytedance/seedance-2.0/text-to-video",
        f"{QUEUE}/bytedance/seedance-2.0/requests/req-1/status?logs=false",
        f"{QUEUE}/bytedance/seedance-2.0/requests/req-1",
    ]


@pytest.mark.anyio
async def test_a_queued_job_is_cancelled_and_costs_nothing(tmp_path: Path) -> None:
    fake = FakeFal()
    svc = service(tmp_path, fake)
    try:
        job = await svc.generate(REQ, wait_seconds=0)
        job = await svc.cancel(job.job_id)
    finally:
        svc.close()
    assert [r.method for r in fake.requests] == ["POST", "GET", "PUT", "GET"]  # read, cancel, read
    assert str(fake.requests[2].url) == f"{QUEUE}/bytedance/seedance-2.0/requests/req-1/cancel"
    assert job.status is JobStatus.CANCELLED and job.cost == Money(amount=0.0, unit="USD")
    assert job.error is not None and job.error.code == "cancelled"


@pytest.mark.anyio
async def test_a_job_in_progress_is_not_sent_a_cancel(tmp_path: Path) -> None:
    fake = FakeFal()
    svc = service(tmp_path, fake)
    try:
        job = await svc.generate(REQ, wait_seconds=0)
        fake.status["req-1"] = {"status": "IN_PROGRESS"}
        with pytest.raises(CannotCancel) as caught:
            await svc.cancel(job.job_id)
    finally:
        svc.close()
    assert "fal cancels only queued tasks" in caught.value.message
    assert "PUT" not in [r.method for r in fake.requests]


@pytest.mark.anyio
async def test_a_cancel_that_comes_too_late_reads_the_request_again(tmp_path: Path) -> None:
    fake = FakeFal()
    fake.cancel_answer = (400, {"status": "ALREADY_COMPLETED"})
    svc = service(tmp_path, fake)
    try:
        job = await svc.generate(REQ, wait_seconds=0)
        with pytest.raises(CannotCancel, match=r"\(ALREADY_COMPLETED\)"):
            await svc.cancel(job.job_id)
    finally:
        svc.close()
