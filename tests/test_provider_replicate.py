"""Contract tests for Replicate (`replicate`): ByteDance's official Seedance models.

The official client (`replicate`, a test-only dependency) is the oracle for the wire: each
request is made by the client over `httpx.MockTransport` and compared with ours (method, URL
joined onto the base URL, the headers besides the key and the client's own user agent, the
JSON body). Answers are fed to the client's own models too, so the shapes read here are
shapes the client reads. The model ids, the input names and the error bodies are written out
by hand from Replicate's pages (sources beside them), not imported from the code under test.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import replicate
from provider_harness import exchange
from replicate.exceptions import ReplicateError

from seedance_mcp.client import ProviderClient, nothing_created
from seedance_mcp.errors import (
    AuthError,
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
from seedance_mcp.models import JobStatus, VideoRequest
from seedance_mcp.providers import ModelSpec, WireRequest, get_model
from seedance_mcp.providers.replicate import Replicate
from seedance_mcp.settings import Secret
from seedance_mcp.validation import resolve_request

P = Replicate()
KEY = "r8_test-0000-not-a-real-replicate-token"
START = "https://cdn.example.com/frames/start.png"
END = "https://cdn.example.com/frames/end.png"
PROMPT = "a paper boat drifts down a rain gutter, close-up, soft morning light"
PREDICTION_ID = "gm3qorzdhgbfurvjtvhg6dckhu"
VIDEO = "https://replicate.delivery/xezq/abc123/output.mp4"

# The official models and what their schemas take (PLATFORMS.md section 3, the API tabs of
# bytedance/seedance-1-pro a5fd5508, -1-lite f22bbc7d, -1.5-pro 78c1986f, -2.0 d456b64a and
# -2.0-fast 90388a62): 1.x has `fps` and `camera_fixed`; 1.5 Pro and 2.x have `generate_audio`.
DOCUMENTED: dict[str, tuple[str, bool, bool]] = {
    # canonical name: (owner/name, takes fps and camera_fixed, takes generate_audio)
    "seedance-2.0": ("bytedance/seedance-2.0", False, True),
    "seedance-2.0-fast": ("bytedance/seedance-2.0-fast", False, True),
    "seedance-1.5-pro": ("bytedance/seedance-1.5-pro", True, True),
    "seedance-1.0-pro": ("bytedance/seedance-1-pro", True, False),
    "seedance-1.0-lite": ("bytedance/seedance-1-lite", True, False),
}


# --- the client as an oracle -----------------------------------------------------------------


def prediction(status: str, **fields: Any) -> dict[str, Any]:
    """A prediction as the HTTP API's reference shows one (get, list, create and cancel answers)."""
    base: dict[str, Any] = {
        "id": PREDICTION_ID,
        "model": "bytedance/seedance-2.0",
        "version": "hidden",
        "input": {"prompt": PROMPT},
        "logs": "",
        "output": None,
        "error": None,
        "status": status,
        "source": "api",
        "data_removed": False,
        "created_at": "2026-12-02T10:15:00.123456Z",
        "urls": {
            "web": f"https://replicate.com/p/{PREDICTION_ID}",
            "get": f"https://api.replicate.com/v1/predictions/{PREDICTION_ID}",
            "cancel": f"https://api.replicate.com/v1/predictions/{PREDICTION_ID}/cancel",
        },
    }
    return {**base, **fields}


def client_exchange(
    call: Callable[[replicate.Client], Any], answer: Any = None, status: int = 201
) -> tuple[httpx.Request, Any]:
    """Run one client call against a mock that answers `status` with the JSON `answer`; returns
    the one request the client sent and what the call returned (or the error it raised)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json=prediction("starting") if answer is None else answer)

    client = replicate.Client(api_token=KEY, transport=httpx.MockTransport(handler))
    try:
        result: Any = call(client)
    except ReplicateError as err:
        result = err
    assert len(seen) == 1, "the client sent more than one request"
    return seen[0], result


UNCOMPARED = {
    "authorization",
    "user-agent",
    "accept",
    "accept-encoding",
    "connection",
    "content-length",
    "host",
}
"""Headers each side sets its own way: the key (compared apart), who is calling, transport ones."""


def assert_same_request(theirs: httpx.Request, wire: WireRequest) -> None:
    ours_url = httpx.URL(wire.url(P.base_url), params=dict(wire.params))
    assert wire.method == theirs.method
    assert ours_url == theirs.url
    client = ProviderClient(P, key=Secret(KEY))
    ours = {k.lower(): v for k, v in client.headers(wire).items()}
    assert ours["authorization"] == theirs.headers["authorization"] == f"Bearer {KEY}"
    assert {k: v for k, v in ours.items() if k not in UNCOMPARED} == {
        k: v for k, v in theirs.headers.items() if k not in UNCOMPARED
    }
    assert "prefer" not in theirs.headers  # no `Prefer: wait`: the job is polled
    assert "authorization" not in {k.lower() for k in wire.headers}  # the client adds the key
    if wire.json is None:
        assert theirs.content == b""
    else:
        assert json.loads(json.dumps(wire.json)) == json.loads(theirs.content)


def documented_input(name: str, req: VideoRequest) -> dict[str, Any]:
    """The `input` a user of the client would write for the resolved request `req`, by the schema."""
    _, fps_and_lens, audio = DOCUMENTED[name]
    data: dict[str, Any] = {
        "prompt": req.prompt,
        "duration": req.duration,
        "resolution": req.resolution,
        "aspect_ratio": req.aspect_ratio,
    }
    if req.image_url:
        data["image"] = req.image_url
    if req.end_image_url:
        data["last_frame_image"] = req.end_image_url
    if fps_and_lens:
        data["fps"] = 24
        data["camera_fixed"] = req.fixed_lens
    if audio:
        data["generate_audio"] = req.audio  # 1.5 Pro defaults it off, 2.0 on: always sent
    if req.seed is not None:
        data["seed"] = req.seed
    return data


def modes(spec: ModelSpec) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every mode the model allows, one at a time, then all at once with non-default values."""
    caps = spec.caps
    yield "text", {}
    yield "first_frame", {"image_url": START}
    yield "first_last_frame", {"image_url": START, "end_image_url": END}
    for resolution in caps.resolutions:
        yield resolution, {"resolution": resolution}
    yield "shortest", {"duration": caps.durations[0]}
    yield "longest", {"duration": caps.durations[-1]}
    for ratio in caps.aspect_ratios:
        yield f"ratio-{ratio}", {"aspect_ratio": ratio}
    if caps.audio:
        yield "audio_on", {"audio": True}
        yield "audio_off", {"audio": False}
    yield "seed", {"seed": 4294967295}
    if caps.fixed_lens:
        yield "fixed_lens", {"fixed_lens": True}
    everything: dict[str, Any] = {
        "image_url": START,
        "end_image_url": END,
        "resolution": caps.resolutions[0],
        "aspect_ratio": "9:16",
        "duration": caps.durations[-1],
        "seed": 42,
        "audio": caps.audio,
        "fixed_lens": caps.fixed_lens,
    }
    yield "everything", everything


CASES = [
    pytest.param(spec, fields, id=f"{spec.name}-{mode}") for spec in P.models for mode, fields in modes(spec)
]


# --- who it is and what it serves -----------------------------------------------------------------


def test_who_it_is() -> None:
    assert (P.id, P.name) == ("replicate", "Replicate")
    assert P.base_url == "https://api.replicate.com/v1"
    assert P.key_env == "REPLICATE_API_TOKEN" and P.key_envs == ()
    assert P.auth_scheme == "Bearer"
    assert P.default_model.name == "seedance-2.0"


def test_model_ids_are_the_documented_ones() -> None:
    assert {m.name: m.wire_id for m in P.models} == {name: ids[0] for name, ids in DOCUMENTED.items()}
    assert all(m.image_wire_id is None for m in P.models)  # one model id for every mode


@pytest.mark.parametrize("name", sorted(DOCUMENTED))
def test_replicates_own_model_ids_resolve(name: str) -> None:
    wire_id = DOCUMENTED[name][0]
    assert get_model(P, wire_id).name == name
    assert get_model(P, wire_id.upper()).name == name


@pytest.mark.parametrize("spec", P.models, ids=lambda m: m.name)
def test_every_model_keeps_its_output_an_hour_and_is_never_resent(spec: ModelSpec) -> None:
    caps = spec.caps
    assert caps.output_ttl == 3600  # replicate.com/docs/topics/predictions/data-retention
    assert not caps.idempotency
    assert caps.rate_limit is not None and (caps.rate_limit.requests, caps.rate_limit.per_seconds) == (
        600,
        60,
    )
    assert caps.fps == 24
    assert any("one hour" in note for note in caps.notes)
    assert P.cancellable == {JobStatus.QUEUED, JobStatus.RUNNING}


def test_what_each_model_accepts() -> None:
    by_name = {m.name: m.caps for m in P.models}
    for name in ("seedance-2.0", "seedance-2.0-fast"):
        caps = by_name[name]
        assert caps.durations == tuple(range(4, 16)) and caps.default_duration == 5
        assert caps.resolutions == ("480p", "720p") and caps.default_resolution == "720p"
        assert "adaptive" in caps.aspect_ratios
        assert caps.audio and not caps.fixed_lens
    for name in ("seedance-1.5-pro", "seedance-1.0-pro", "seedance-1.0-lite"):
        caps = by_name[name]
        assert caps.durations == tuple(range(2, 13)) and caps.default_duration == 5
        assert caps.resolutions == ("480p", "720p", "1080p")
        assert set(caps.aspect_ratios) == {"16:9", "4:3", "1:1", "3:4", "9:16", "21:9"}
        assert caps.fixed_lens
    assert by_name["seedance-1.0-pro"].default_resolution == "1080p"
    assert by_name["seedance-1.0-lite"].default_resolution == "720p"
    assert by_name["seedance-1.5-pro"].audio
    assert not by_name["seedance-1.0-pro"].audio and not by_name["seedance-1.0-lite"].audio
    assert all(c.start_image and c.end_image and c.seed for c in by_name.values())


# --- create: our request is the client's request ---------------------------------------------------


@pytest.mark.parametrize(("spec", "fields"), CASES)
def test_create_is_the_clients_request(spec: ModelSpec, fields: dict[str, Any]) -> None:
    req = resolve_request(VideoRequest(prompt=PROMPT, model=spec.name, **fields), P)
    wire = P.build_submit(req, "job-key")
    model_id = DOCUMENTED[spec.name][0]
    theirs, created = client_exchange(
        lambda c: c.models.predictions.create(model=model_id, input=documented_input(spec.name, req))
    )
    assert theirs.url.path == f"/v1/models/{model_id}/predictions"
    assert_same_request(theirs, wire)
    assert P.parse_submit(201, prediction("starting")) == created.id == PREDICTION_ID


def test_create_carries_no_idempotency_key() -> None:
    req = resolve_request(VideoRequest(prompt=PROMPT), P)
    assert P.build_submit(req, "job-1") == P.build_submit(req, "job-2")


def test_generate_audio_is_sent_even_when_it_is_the_default() -> None:
    for name, off_by_default in (("seedance-1.5-pro", True), ("seedance-2.0", False)):
        req = resolve_request(VideoRequest(prompt=PROMPT, model=name, audio=not off_by_default), P)
        sent = P.build_submit(req, "k").json
        assert sent is not None and sent["input"]["generate_audio"] is (not off_by_default)


def test_create_answer_without_an_id() -> None:
    with pytest.raises(ProtocolError, match="no prediction id"):
        P.parse_submit(201, {"status": "starting"})
    with pytest.raises(ProtocolError, match="not a JSON object"):
        P.parse_submit(201, "ok")
    with pytest.raises(InsufficientCredits):
        P.parse_submit(201, {"title": "Insufficient credit", "detail": "no credit", "status": 402})


# --- get, cancel, list: the client's requests ---------------------------------------------------


def test_get_is_the_clients_request() -> None:
    theirs, got = client_exchange(lambda c: c.predictions.get(PREDICTION_ID), prediction("processing"), 200)
    assert theirs.url.path == f"/v1/predictions/{PREDICTION_ID}"
    assert_same_request(theirs, P.build_status(PREDICTION_ID))
    assert got.status == "processing"


def test_cancel_is_the_clients_request() -> None:
    theirs, cancelled = client_exchange(
        lambda c: c.predictions.cancel(PREDICTION_ID), prediction("canceled"), 200
    )
    wire = P.build_cancel(PREDICTION_ID)
    assert theirs.url.path == f"/v1/predictions/{PREDICTION_ID}/cancel"
    assert_same_request(theirs, wire)
    assert cancelled.status == "canceled"
    assert P.parse_cancel(200, prediction("canceled")) is None


def test_list_is_the_clients_request() -> None:
    page = {"previous": None, "next": None, "results": [prediction("succeeded", output=VIDEO)]}
    theirs, listed = client_exchange(lambda c: c.predictions.list(), page, 200)
    assert theirs.url.path == "/v1/predictions"
    wire = P.build_recent(resolve_request(VideoRequest(prompt=PROMPT), P))
    assert wire is not None
    assert_same_request(theirs, wire)
    assert [p.id for p in listed.results] == [PREDICTION_ID]


def test_a_prediction_id_is_one_path_segment() -> None:
    assert P.build_status("a/../b?c").path == "/predictions/a%2F..%2Fb%3Fc"
    cancel = P.build_cancel("a/b")
    assert cancel is not None and cancel.path == "/predictions/a%2Fb/cancel"


# --- answers: every status, as the client reads it ---------------------------------------------------


def client_reads(answer: dict[str, Any]) -> Any:
    _, got = client_exchange(lambda c: c.predictions.get(PREDICTION_ID), answer, 200)
    return got


@pytest.mark.parametrize(
    ("status", "expected"),
    [("starting", JobStatus.QUEUED), ("processing", JobStatus.RUNNING)],
)
def test_starting_and_processing(status: str, expected: JobStatus) -> None:
    answer = prediction(status, started_at="2026-12-02T10:15:03.000000Z" if status == "processing" else None)
    assert client_reads(answer).status == status
    state = P.parse_status(200, answer)
    assert (state.status, state.provider_status, state.video_url, state.error) == (
        expected,
        status,
        None,
        None,
    )


def test_succeeded_carries_the_video() -> None:
    answer = prediction(
        "succeeded",
        output=VIDEO,
        started_at="2026-12-02T10:15:03.000000Z",
        completed_at="2026-12-02T10:16:40.000000Z",
        metrics={"predict_time": 97.1, "total_time": 100.2},
    )
    assert client_reads(answer).output == VIDEO
    state = P.parse_status(200, answer)
    assert (state.status, state.video_url, state.error) == (JobStatus.SUCCEEDED, VIDEO, None)
    assert state.credits is None and state.tokens is None  # Replicate reports no cost


def test_an_output_list_gives_its_first_uri() -> None:
    answer = prediction("succeeded", output=[VIDEO, "https://replicate.delivery/xezq/abc123/other.mp4"])
    assert client_reads(answer).output[0] == VIDEO
    assert P.parse_status(200, answer).video_url == VIDEO


def test_a_succeeded_prediction_whose_output_was_deleted_is_expired() -> None:
    # An hour on, `output` is null and `data_removed` true (the get operation's description).
    answer = prediction("succeeded", output=None, data_removed=True, input={})
    assert client_reads(answer).output is None
    state = P.parse_status(200, answer)
    assert state.status is JobStatus.EXPIRED and state.provider_status == "succeeded"
    assert state.error is not None and state.error.code == "output_deleted"
    assert "one hour" in state.error.message and "charged" in state.error.message


def test_a_succeeded_prediction_without_an_output_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="without an output URL"):
        P.parse_status(200, prediction("succeeded", output=None))


def test_failed_carries_replicates_error_text() -> None:
    text = "The input or output was flagged as sensitive. Please try again with different inputs."
    answer = prediction("failed", error=text)
    assert client_reads(answer).error == text
    state = P.parse_status(200, answer)
    assert state.status is JobStatus.FAILED and state.video_url is None
    assert state.error is not None and (state.error.code, state.error.message) == ("generation_failed", text)
    bare = P.parse_status(200, prediction("failed"))
    assert bare.error is not None and bare.error.message == "the prediction failed"


def test_canceled() -> None:
    answer = prediction("canceled", completed_at="2026-12-02T10:15:20.000000Z")
    assert client_reads(answer).status == "canceled"
    state = P.parse_status(200, answer)
    assert state.status is JobStatus.CANCELLED and state.error is not None and state.error.code == "cancelled"


def test_aborted_is_expired() -> None:
    # `aborted`: ended by its deadline before it started (the HTTP API's OpenAPI document). The
    # client's own model (1.0.7) does not list it yet, so it is read by us alone.
    state = P.parse_status(200, prediction("aborted"))
    assert state.status is JobStatus.EXPIRED and state.provider_status == "aborted"
    assert state.error is not None and state.error.code == "expired" and "deadline" in state.error.message


def test_an_undocumented_status_is_still_running() -> None:
    assert P.parse_status(200, prediction("warming")).status is JobStatus.RUNNING


def test_an_answer_without_a_status() -> None:
    with pytest.raises(ProtocolError, match="no status"):
        P.parse_status(200, {"id": PREDICTION_ID})
    with pytest.raises(TaskNotFound):
        P.parse_status(
            200, {"title": "Not found", "detail": "The requested resource could not be found.", "status": 404}
        )


# --- errors: problem details, through the HTTP layer and through the client ---------------------------

# (HTTP status, body as Replicate sends it, the class it must raise, words its message must hold).
# Bodies: the client's ReplicateError (title, detail, status), the rate-limits page's 429, the
# 2024-05-01 changelog's invalid_fields.
ERRORS: list[tuple[int, dict[str, Any], type[ProviderError], str]] = [
    (
        401,
        {
            "title": "Unauthenticated",
            "detail": "You did not pass a valid authentication token",
            "status": 401,
        },
        AuthError,
        "check the API key",
    ),
    (
        402,
        {
            "title": "Insufficient credit",
            "detail": "You have insufficient credit to run this model.",
            "status": 402,
        },
        InsufficientCredits,
        "replicate.com/account/billing",
    ),
    (
        404,
        {"title": "Not found", "detail": "The requested resource could not be found.", "status": 404},
        TaskNotFound,
        "could not be found",
    ),
    (
        422,
        {
            "title": "Input validation failed",
            "detail": "- input.duration: Must be less than or equal to 15\n",
            "status": 422,
            "invalid_fields": [
                {
                    "type": "less_than_equal",
                    "field": "input.duration",
                    "description": "Must be less than or equal to 15",
                }
            ],
        },
        ProviderRejected,
        "input.duration: Must be less than or equal to 15",
    ),
    (429, {"detail": "Request was throttled. Expected available in 7 seconds."}, RateLimited, "throttled"),
    (
        500,
        {"title": "Internal server error", "detail": "Something went wrong", "status": 500},
        ProviderFailure,
        "",
    ),
    (
        503,
        {"title": "Service unavailable", "detail": "Try again later", "status": 503},
        ProviderUnavailable,
        "",
    ),
]


@pytest.mark.parametrize(("status", "body", "kind", "words"), ERRORS, ids=[str(row[0]) for row in ERRORS])
def test_errors_through_the_http_layer(
    status: int, body: dict[str, Any], kind: type[ProviderError], words: str
) -> None:
    with pytest.raises(ProviderError) as caught:
        exchange(P, "submit", status, body)
    err = caught.value
    assert type(err) is kind and err.status_code == status and err.provider == "replicate"
    assert words in err.message
    if status != 422:  # a 500 on a create may have made a prediction; for 422 see below
        assert nothing_created(err) is (status != 500)
    # The client reads the same body into the same status and text.
    _, raised = client_exchange(
        lambda c: c.models.predictions.create(model="bytedance/seedance-2.0", input={}), body, status
    )
    assert isinstance(raised, ReplicateError) and raised.status == status
    assert raised.detail is not None and raised.detail.strip().split("\n")[0].lstrip("- ") in err.message


def test_a_422_created_nothing() -> None:
    """Replicate refuses bad input with 422: the job is failed with nothing created, not unknown."""
    assert nothing_created(P.error_for(422, ERRORS[3][1]))


def test_a_429_waits_as_long_as_its_text_says_unless_retry_after_does() -> None:
    body = {"detail": "Request was throttled. Expected available in 7 seconds."}
    assert P.error_for(429, body).retry_after == 7.0
    assert P.error_for(429, body, retry_after=2.0).retry_after == 2.0
    other = {"detail": "Request was throttled. Your rate limit resets in ~30s."}
    assert P.error_for(429, other).retry_after == 30.0
    assert P.error_for(429, {"detail": "Request was throttled."}).retry_after is None


def test_a_422_names_every_invalid_field_even_without_detail() -> None:
    body = {
        "title": "Input validation failed",
        "status": 422,
        "invalid_fields": [
            {"type": "enum", "field": "input.resolution", "description": "resolution must be one of ..."},
            {"type": "required", "field": "input", "description": "prompt is required"},
        ],
    }
    err = P.error_for(422, body)
    assert isinstance(err, ProviderRejected)
    assert (
        "input.resolution: resolution must be one of" in err.message
        and "input: prompt is required" in err.message
    )


def test_a_body_without_text_gets_the_meaning_of_its_status() -> None:
    assert "insufficient credit" in P.error_for(402, {}).message
    assert "request was throttled" in P.error_for(429, {}).message


# --- validation per model, before anything is sent ---------------------------------------------------


def refusal(**fields: Any) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as info:
        resolve_request(VideoRequest(**{"prompt": PROMPT, **fields}), P)
    return info.value


def test_validation_per_model() -> None:
    assert refusal(model="seedance-2.0", duration=3).field == "duration"
    assert refusal(model="seedance-2.0", duration=16).field == "duration"
    assert refusal(model="seedance-1.0-pro", duration=13).field == "duration"
    assert refusal(model="seedance-2.0", resolution="1080p").field == "resolution"
    assert refusal(model="seedance-1.0-pro", aspect_ratio="adaptive").field == "aspect_ratio"
    assert refusal(model="seedance-2.0", fixed_lens=True).field == "fixed_lens"
    assert refusal(model="seedance-1.0-lite", audio=True).field == "audio"
    assert refusal(model="seedance-2.0", end_image_url=END).field == "end_image_url"  # needs a start frame
    assert refusal(model="seedance-2.0", seed=-1).field == "seed"
    assert refusal(model="seedance-2.0", prompt="x" * 2001).field == "prompt"
    assert refusal(model="seedance-2.0", flex=True).field == "flex"
    assert refusal(model="seedance-2.0", last_frame=True).field == "last_frame"
    assert refusal(model="seedance-2.5").field == "model"
    err = refusal(model="seedance-2.0", fixed_lens=True)
    assert (
        "replicate models that accept it: seedance-1.5-pro, seedance-1.0-pro, seedance-1.0-lite"
        in err.message
    )


def test_accepted_values_at_the_edges() -> None:
    for name, duration in (
        ("seedance-2.0", 4),
        ("seedance-2.0", 15),
        ("seedance-1.0-lite", 2),
        ("seedance-1.5-pro", 12),
    ):
        assert (
            resolve_request(VideoRequest(prompt=PROMPT, model=name, duration=duration), P).duration
            == duration
        )
    assert resolve_request(VideoRequest(prompt=PROMPT, seed=0), P).seed == 0


# --- the recovery list: a lost create is found by its model, time and exact input -------------------------

SINCE = datetime(2026, 12, 2, 10, 0, tzinfo=UTC).timestamp()
UNTIL = SINCE + 600


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def listed(prediction_id: str, req: VideoRequest, *, at: float = SINCE + 30, **fields: Any) -> dict[str, Any]:
    name = req.model or "seedance-2.0"
    base = prediction(
        "starting",
        id=prediction_id,
        model=DOCUMENTED[name][0],
        input=documented_input(name, req),
        created_at=iso(at),
    )
    return {**base, **fields}


def recover(req: VideoRequest, items: list[dict[str, Any]]) -> list[str]:
    body = {"previous": None, "next": None, "results": items}
    _, page = client_exchange(lambda c: c.predictions.list(), body, 200)
    assert [p.id for p in page.results] == [i["id"] for i in items]
    return P.find_recent(body, req, since=SINCE, until=UNTIL)


def test_exactly_one_listed_prediction_matches() -> None:
    req = resolve_request(VideoRequest(prompt=PROMPT, seed=7), P)
    other = resolve_request(VideoRequest(prompt=PROMPT, seed=8), P)
    items = [
        listed("match", req),
        listed("other-seed", other),
        listed("other-prompt", resolve_request(VideoRequest(prompt="a kite", seed=7), P)),
        listed(
            "other-model", resolve_request(VideoRequest(prompt=PROMPT, seed=7, model="seedance-2.0-fast"), P)
        ),
        listed("too-early", req, at=SINCE - 0.5),
        listed("too-late", req, at=UNTIL + 0.5),
        listed("from-the-web", req, source="web"),
        listed("undated", req, created_at=None),
        listed("input-removed", req, input={}, data_removed=True),
    ]
    assert recover(req, items) == ["match"]


def test_no_listed_prediction_matches() -> None:
    req = resolve_request(VideoRequest(prompt=PROMPT), P)
    assert recover(req, []) == []
    assert recover(req, [listed("at-the-edges-only", req, at=UNTIL + 1)]) == []


def test_two_listed_predictions_match() -> None:
    # Two identical creates in the window: the engine adopts neither (it needs exactly one).
    req = resolve_request(VideoRequest(prompt=PROMPT, model="seedance-1.0-pro", image_url=START), P)
    items = [listed("second", req, at=UNTIL), listed("first", req, at=SINCE)]
    assert recover(req, items) == ["second", "first"]


def test_a_list_without_results() -> None:
    req = resolve_request(VideoRequest(prompt=PROMPT), P)
    with pytest.raises(ProtocolError, match="no results"):
        P.find_recent({"next": None}, req, since=SINCE, until=UNTIL)
