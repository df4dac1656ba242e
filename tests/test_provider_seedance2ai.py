"""Contract tests for seedance2ai.io (seed 004).

The literals below are the document's own: the `curl` submit example (with its
`Idempotency-Key: demo-video-001`), the `GET /tasks/sd2_xxxxx` answer, the parameter table
and the error-code table. Where the document is silent (the submit answer, running status
words, the error body) the tests pin down the tolerant reading described in the module.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import pytest
from provider_harness import exchange

from seedance_mcp.errors import (
    AuthError,
    IdempotencyConflict,
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
from seedance_mcp.providers import PROVIDERS
from seedance_mcp.providers.seedance2ai import Seedance2AI
from seedance_mcp.validation import resolve_request

P = PROVIDERS["seedance2ai"]
START = "https://cdn.example.com/frames/start.png"
END = "https://cdn.example.com/frames/end.png"

# The documented submit example, exactly as its `-d` payload reads.
DOCUMENTED_SUBMIT = json.loads(
    """
    {
      "mode": "text-to-video",
      "quality_tier": "standard",
      "prompt": "A cinematic shot of a glass train crossing a snowy mountain bridge",
      "aspect_ratio": "16:9",
      "duration": "5",
      "resolution": "720p"
    }
    """
)

# The documented status answer.
DOCUMENTED_STATUS = json.loads(
    """
    {
      "id": "sd2_xxxxx",
      "status": "completed",
      "model": "seedance",
      "output": { "video_url": "https://..." },
      "credits_used": 30
    }
    """
)


def build(key: str = "job-1", **fields: Any) -> dict[str, Any]:
    req = resolve_request(VideoRequest(**fields), P)
    wire = P.build_submit(req, key)
    assert wire.json is not None
    return dict(wire.json)


# --- capabilities as documented ---------------------------------------------------------


def test_registered_under_its_id() -> None:
    assert isinstance(P, Seedance2AI)
    assert P.base_url == "https://seedance2ai.io/api/v1"
    assert P.key_env == "SEEDANCE2AI_API_KEY"


def test_capabilities_match_the_parameter_table() -> None:
    caps = P.caps
    assert caps.durations == tuple(range(4, 16))
    assert caps.default_duration == 5
    assert caps.resolutions == ("720p", "1080p") and caps.default_resolution == "720p"
    assert set(caps.aspect_ratios) == {"1:1", "21:9", "4:3", "3:4", "16:9", "9:16"}
    assert (caps.prompt_min, caps.prompt_max) == (3, 10000)
    assert caps.seed and caps.seed_range == (-1, 4294967295)
    assert caps.start_image and caps.end_image and caps.audio and caps.fixed_lens
    assert caps.idempotency


@pytest.mark.parametrize(
    "bad",
    [
        {"duration": 3},
        {"duration": 16},
        {"resolution": "480p"},
        {"aspect_ratio": "9:21"},
        {"seed": -2},
        {"seed": 4294967296},
        {"prompt": "ab"},
        {"prompt": "x" * 10001},
    ],
)
def test_values_outside_the_table_are_refused(bad: dict[str, Any]) -> None:
    fields = {"prompt": "a glass train on a bridge"} | bad
    with pytest.raises(InvalidRequest) as info:
        resolve_request(VideoRequest(**fields), P)
    assert info.value.field == next(iter(bad))


# --- submit -----------------------------------------------------------------------------


def test_documented_curl_example() -> None:
    req = resolve_request(
        VideoRequest(
            prompt="A cinematic shot of a glass train crossing a snowy mountain bridge",
            aspect_ratio="16:9",
            duration=5,
            resolution="720p",
        ),
        P,
    )
    wire = P.build_submit(req, "demo-video-001")
    assert wire.method == "POST"
    assert wire.path == "/video/seedance"
    assert wire.url(P.base_url) == "https://seedance2ai.io/api/v1/video/seedance"
    assert dict(wire.params) == {}
    assert dict(wire.headers) == {"Idempotency-Key": "demo-video-001"}
    # The example plus the two flags we always send: generate_audio defaults to true at the
    # provider but to off here, and fixed_lens is stated so the body says what was asked.
    assert wire.json == DOCUMENTED_SUBMIT | {"generate_audio": False, "fixed_lens": False}


def test_project_defaults_give_the_documented_example() -> None:
    body = build(
        "demo-video-001", prompt="A cinematic shot of a glass train crossing a snowy mountain bridge"
    )
    assert body == DOCUMENTED_SUBMIT | {"generate_audio": False, "fixed_lens": False}
    assert "channel" not in body  # the documented default channel (standard) accepts a seed


def test_idempotency_key_is_the_one_passed_and_stable() -> None:
    req = resolve_request(VideoRequest(prompt="a glass train on a bridge", duration=10), P)
    first = P.build_submit(req, "job-7f3a")
    again = P.build_submit(req, "job-7f3a")
    other = P.build_submit(req, "job-9c1d")
    assert first == again
    assert first.headers["Idempotency-Key"] == "job-7f3a"
    assert other.headers["Idempotency-Key"] == "job-9c1d"
    assert other.json == first.json


@pytest.mark.parametrize("key", ["", "   ", "bad\nkey", "ключ"])
def test_unusable_idempotency_key_is_refused(key: str) -> None:
    req = resolve_request(VideoRequest(prompt="a glass train on a bridge"), P)
    with pytest.raises(InvalidRequest) as info:
        P.build_submit(req, key)
    assert info.value.field == "idempotency_key"


@pytest.mark.parametrize("seconds", range(4, 16))
def test_duration_is_sent_as_a_string(seconds: int) -> None:
    assert build(prompt="a glass train on a bridge", duration=seconds)["duration"] == str(seconds)


def test_audio_and_fixed_lens_on() -> None:
    body = build(prompt="a glass train on a bridge", audio=True, fixed_lens=True, resolution="1080p")
    assert (body["generate_audio"], body["fixed_lens"], body["resolution"]) == (True, True, "1080p")


def test_image_to_video_with_start_and_end_frames() -> None:
    body = build(
        prompt="day turns to night over the bridge", image_url=START, end_image_url=END, aspect_ratio="9:16"
    )
    assert body == json.loads(
        """
        {
          "mode": "image-to-video",
          "quality_tier": "standard",
          "prompt": "day turns to night over the bridge",
          "aspect_ratio": "9:16",
          "duration": "5",
          "resolution": "720p",
          "generate_audio": false,
          "fixed_lens": false,
          "image_url": "https://cdn.example.com/frames/start.png",
          "end_image_url": "https://cdn.example.com/frames/end.png"
        }
        """
    )


def test_image_to_video_with_a_start_frame_only() -> None:
    body = build(prompt="the cat turns its head", image_url=START)
    assert (body["mode"], body["image_url"]) == ("image-to-video", START)
    assert "end_image_url" not in body


@pytest.mark.parametrize("field", ["image_url", "end_image_url"])
def test_plain_http_images_are_refused(field: str) -> None:
    urls = {"image_url": START, "end_image_url": END}
    urls[field] = urls[field].replace("https://", "http://")
    request = VideoRequest(
        prompt="day turns to night", image_url=urls["image_url"], end_image_url=urls["end_image_url"]
    )
    # Refused by validation, before anything is built or sent...
    with pytest.raises(InvalidRequest) as early:
        resolve_request(request, P)
    assert early.value.field == field
    assert "https" in early.value.message
    # ...and by the mapping itself, should an unvalidated request ever reach it.
    unchecked = resolve_request(
        request.model_copy(update={field: urls[field].replace("http://", "https://")}), P
    )
    with pytest.raises(InvalidRequest) as late:
        P.build_submit(unchecked.model_copy(update={field: urls[field]}), "job-1")
    assert late.value.field == field


@pytest.mark.parametrize("seed", [-1, 0, 42, 4294967295])
def test_seed_is_sent_as_an_integer(seed: int) -> None:
    body = build(prompt="a glass train on a bridge", seed=seed)
    assert body["seed"] == seed and type(body["seed"]) is int


def test_no_seed_means_no_seed_field() -> None:
    assert "seed" not in build(prompt="a glass train on a bridge")


# --- submit answer (undocumented: tolerant) -----------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        '{"id": "sd2_abc123"}',
        '{"task_id": "sd2_abc123"}',
        '{"taskId": "sd2_abc123"}',
        '{"data": {"id": "sd2_abc123"}}',
        '{"data": {"task_id": "sd2_abc123"}}',
        '{"data": {"taskId": "sd2_abc123"}}',
        '{"id": "sd2_abc123", "status": "queued", "model": "seedance"}',
        '{"code": 200, "message": "success", "data": {"task_id": "sd2_abc123", "status": "queued"}}',
    ],
)
def test_submit_answer_shapes(answer: str) -> None:
    assert P.parse_submit(200, json.loads(answer)) == "sd2_abc123"
    assert P.parse_submit(201, json.loads(answer)) == "sd2_abc123"


@pytest.mark.parametrize("answer", [{}, {"data": {}}, {"status": "queued"}, ["sd2_abc123"], "sd2_abc123"])
def test_submit_answer_without_an_id_is_a_protocol_error(answer: Any) -> None:
    with pytest.raises(ProtocolError):
        P.parse_submit(200, answer)


def test_error_inside_a_200_submit_answer_is_raised() -> None:
    answer = {"error": {"code": "insufficient_credits", "message": "Not enough credits on the balance."}}
    with pytest.raises(InsufficientCredits) as info:
        P.parse_submit(200, answer)
    assert info.value.status_code == 402
    assert info.value.provider_code == "insufficient_credits"


# --- status -----------------------------------------------------------------------------


def test_status_request() -> None:
    wire = P.build_status("sd2_xxxxx")
    assert (wire.method, wire.path, wire.json) == ("GET", "/tasks/sd2_xxxxx", None)
    assert dict(wire.params) == {} and dict(wire.headers) == {}
    assert wire.url(P.base_url) == "https://seedance2ai.io/api/v1/tasks/sd2_xxxxx"


def test_status_request_escapes_the_task_id() -> None:
    assert P.build_status("../video/seedance").path == "/tasks/..%2Fvideo%2Fseedance"


def test_documented_status_answer() -> None:
    state = P.parse_status(200, DOCUMENTED_STATUS)
    assert state.status is JobStatus.SUCCEEDED
    assert state.video_url == "https://..."
    assert state.credits == 30
    assert state.provider_status == "completed"
    assert state.error is None


def test_status_wrapped_in_data_is_tolerated() -> None:
    state = P.parse_status(200, {"code": 200, "data": DOCUMENTED_STATUS})
    assert (state.status, state.video_url) == (JobStatus.SUCCEEDED, "https://...")


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("completed", JobStatus.SUCCEEDED),
        ("succeeded", JobStatus.SUCCEEDED),  # undocumented synonyms of the two final words
        ("success", JobStatus.SUCCEEDED),
        ("error", JobStatus.FAILED),
        ("queued", JobStatus.QUEUED),
        ("pending", JobStatus.QUEUED),
        ("processing", JobStatus.RUNNING),
        ("running", JobStatus.RUNNING),
        ("in_progress", JobStatus.RUNNING),
        ("generating", JobStatus.RUNNING),
        ("cancelled", JobStatus.CANCELLED),
        ("canceled", JobStatus.CANCELLED),
        ("expired", JobStatus.EXPIRED),
        ("failed", JobStatus.FAILED),
        ("FAILED", JobStatus.FAILED),
    ],
)
def test_status_words(word: str, expected: JobStatus) -> None:
    answer: dict[str, Any] = {"id": "sd2_xxxxx", "status": word, "model": "seedance"}
    if expected is JobStatus.SUCCEEDED:
        answer["output"] = {"video_url": "https://cdn.example.com/out.mp4"}
    state = P.parse_status(200, answer)
    assert state.status is expected
    assert state.provider_status == word
    assert (state.error is not None) == (
        expected in (JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.EXPIRED)
    )


@pytest.mark.parametrize(
    ("answer", "code", "text"),
    [
        (
            '{"id": "sd2_x", "status": "failed", "error": "Prompt was blocked by moderation"}',
            "generation_failed",
            "Prompt was blocked by moderation",
        ),
        (
            '{"id": "sd2_x", "status": "failed", "error": {"code": "content_blocked", "message": "Blocked"}}',
            "content_blocked",
            "Blocked",
        ),
        (
            '{"id": "sd2_x", "status": "failed", "error": "upstream_timeout", "message": "Render timed out"}',
            "upstream_timeout",
            "Render timed out",
        ),
        ('{"id": "sd2_x", "status": "failed", "credits_used": 0}', "generation_failed", "failed"),
    ],
)
def test_failed_task_carries_the_provider_reason(answer: str, code: str, text: str) -> None:
    state = P.parse_status(200, json.loads(answer))
    assert state.status is JobStatus.FAILED
    assert state.error is not None
    assert state.error.code == code
    assert text in state.error.message
    assert state.video_url is None


def test_failed_task_reports_credits_when_sent() -> None:
    state = P.parse_status(200, {"id": "sd2_x", "status": "failed", "credits_used": 0})
    assert state.credits == 0


@pytest.mark.parametrize(
    "answer",
    [
        {"id": "sd2_x", "status": "completed"},
        {"id": "sd2_x", "status": "completed", "output": {}},
        {"id": "sd2_x", "status": "completed", "output": None},
    ],
)
def test_completed_without_video_url_is_a_protocol_error(answer: dict[str, Any]) -> None:
    with pytest.raises(ProtocolError, match="video_url"):
        P.parse_status(200, answer)


@pytest.mark.parametrize("answer", [{"id": "sd2_x"}, [], "completed"])
def test_unreadable_status_is_a_protocol_error(answer: Any) -> None:
    with pytest.raises(ProtocolError):
        P.parse_status(200, answer)


# --- errors: every documented code, in every tolerated body shape -------------------------

ERROR_TABLE = [
    ("unauthorized", 401, AuthError, "auth_failed", False),
    ("invalid_request", 400, ProviderRejected, "provider_rejected", False),
    ("insufficient_credits", 402, InsufficientCredits, "insufficient_credits", False),
    ("rate_limited", 429, RateLimited, "rate_limited", True),
    ("idempotency_conflict", 409, IdempotencyConflict, "idempotency_conflict", False),
    ("service_busy", 503, ProviderUnavailable, "provider_unavailable", True),
    ("not_found", 404, TaskNotFound, "task_not_found", False),
    ("internal_error", 500, ProviderFailure, "provider_failure", True),
]


def error_bodies(code: str) -> list[Any]:
    text = "explained by the provider"
    return [
        {"error": {"code": code, "message": text}},
        {"error": code, "message": text},
        {"code": code, "message": text},
        code,
    ]


@pytest.mark.parametrize(("provider_code", "http", "cls", "code", "retryable"), ERROR_TABLE)
@pytest.mark.parametrize("shape", range(4))
def test_documented_error_codes(
    provider_code: str, http: int, cls: type[ProviderError], code: str, retryable: bool, shape: int
) -> None:
    body = error_bodies(provider_code)[shape]
    err = P.error_for(http, body)
    assert type(err) is cls
    assert (err.code, err.retryable, err.status_code) == (code, retryable, http)
    assert err.provider_code == provider_code
    assert err.provider == "seedance2ai"
    if shape < 3:
        assert "explained by the provider" in err.message


@pytest.mark.parametrize(("provider_code", "http", "cls", "code", "retryable"), ERROR_TABLE)
def test_documented_error_code_inside_http_200_gets_its_status(
    provider_code: str, http: int, cls: type[ProviderError], code: str, retryable: bool
) -> None:
    with pytest.raises(cls) as info:
        P.parse_status(200, {"error": {"code": provider_code, "message": "see code"}})
    assert (info.value.status_code, info.value.code, info.value.retryable) == (http, code, retryable)


@pytest.mark.parametrize("stage", ["submit", "status"])
def test_http_error_is_raised_at_every_stage(stage: Literal["submit", "status"]) -> None:
    body = {
        "error": {"code": "not_found", "message": "Task does not exist or does not belong to this key owner."}
    }
    with pytest.raises(TaskNotFound, match="does not belong"):
        exchange(P, stage, 404, body)


@pytest.mark.parametrize(("http", "cls"), [(429, RateLimited), (503, ProviderUnavailable)])
def test_retry_after_is_carried(http: int, cls: type[RateLimited | ProviderUnavailable]) -> None:
    err = P.error_for(http, {"error": {"code": "x", "message": "slow down"}}, retry_after=7.5)
    assert isinstance(err, cls)
    assert err.retry_after == 7.5


def test_plain_text_error_that_is_not_a_code() -> None:
    err = P.error_for(502, "<html>Bad Gateway</html>")
    assert isinstance(err, ProviderFailure)
    assert err.provider_code is None
    assert "Bad Gateway" in err.message


def test_numeric_code_is_read_as_an_http_status() -> None:
    err = P.error_for(200, {"code": 429, "message": "Too many requests for this account."})
    assert isinstance(err, RateLimited)
    assert err.status_code == 429 and err.provider_code is None
