"""Contract tests for APIXO (seed 002 plus the English page's details, see PROVIDERS.md).

Every JSON literal below is written the way the document describes the wire: the submit body
with the model input nested in `input`, the `{"code", "message", "data"}` envelope, and the
status `data` with `state`, `resultJson` (a JSON string), `failCode` / `failMsg` and times in
Unix milliseconds.
"""

from __future__ import annotations

import json
from typing import Any, Literal

import pytest
from provider_harness import exchange

from seedance_mcp.errors import (
    AuthError,
    InvalidRequest,
    ProtocolError,
    ProviderError,
    ProviderFailure,
    ProviderRejected,
    RateLimited,
)
from seedance_mcp.models import JobStatus, VideoRequest
from seedance_mcp.providers import PROVIDERS
from seedance_mcp.providers.apixo import Apixo
from seedance_mcp.validation import resolve_request

P = PROVIDERS["apixo"]
START = "https://cdn.example.com/frames/start.png"
END = "https://cdn.example.com/frames/end.png"
VIDEO = "https://file.apixo.ai/results/abc123.mp4"


def submit_body(**fields: Any) -> dict[str, Any]:
    req = resolve_request(VideoRequest(**fields), P)
    wire = P.build_submit(req, "job-1")
    assert wire.json is not None
    return dict(wire.json)


# --- capabilities as documented ---------------------------------------------------------


def test_registered_under_its_id() -> None:
    assert isinstance(P, Apixo)
    assert P.base_url == "https://api.apixo.ai/api/v1"
    assert P.key_env == "APIXO_API_KEY"


def test_capabilities_match_the_document() -> None:
    caps = P.caps
    assert caps.durations == (4, 5, 6, 7, 8, 9, 10, 11, 12)
    assert (caps.prompt_min, caps.prompt_max) == (3, 2500)
    assert caps.resolutions == ("480p", "720p")
    assert set(caps.aspect_ratios) == {"1:1", "3:4", "4:3", "9:16", "16:9", "21:9"}
    assert caps.start_image and caps.end_image and caps.audio and caps.fixed_lens
    assert not caps.seed and caps.seed_range is None
    assert not caps.idempotency
    assert any("valid for 15 days" in note for note in caps.notes)  # told to the user, not read by code
    assert caps.rate_limit is not None
    assert (caps.rate_limit.requests, caps.rate_limit.per_seconds) == (10000, 60.0)
    assert caps.poll.interval == 5.0 and "wait 50 s" in caps.poll.source
    assert caps.poll.typical(4) == (40.0, 60.0) and caps.poll.typical(12) == (90.0, 120.0)
    assert caps.poll.typical(4) == (40.0, 60.0)
    assert caps.poll.typical(12) == (90.0, 120.0)


@pytest.mark.parametrize("length", [3, 2500])
def test_prompt_length_limits_accept_the_bounds(length: int) -> None:
    assert len(submit_body(prompt="x" * length)["input"]["prompt"]) == length


@pytest.mark.parametrize("length", [2, 2501])
def test_prompt_length_limits_refuse_outside(length: int) -> None:
    with pytest.raises(InvalidRequest) as info:
        resolve_request(VideoRequest(prompt="x" * length), P)
    assert info.value.field == "prompt"


@pytest.mark.parametrize("bad", [{"duration": 3}, {"duration": 13}, {"resolution": "1080p"}, {"seed": 7}])
def test_values_apixo_does_not_offer_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(InvalidRequest) as info:
        resolve_request(VideoRequest(prompt="a quiet harbour at dawn", **bad), P)
    assert info.value.field == next(iter(bad))


# --- submit -----------------------------------------------------------------------------


def test_text_to_video_submit_is_the_documented_request() -> None:
    req = resolve_request(
        VideoRequest(
            prompt="A lighthouse on a cliff at dusk, waves crashing, gulls crying",
            aspect_ratio="16:9",
            resolution="720p",
            duration=8,
            audio=True,
        ),
        P,
    )
    wire = P.build_submit(req, "job-1")
    assert wire.method == "POST"
    assert wire.path == "/generateTask/seedance-1-5-pro"
    assert wire.url(P.base_url) == "https://api.apixo.ai/api/v1/generateTask/seedance-1-5-pro"
    assert dict(wire.params) == {}
    assert dict(wire.headers) == {}  # no idempotency header documented; the key is added by the client
    assert wire.json == json.loads(
        """
        {
          "request_type": "async",
          "provider": "auto",
          "input": {
            "mode": "text-to-video",
            "prompt": "A lighthouse on a cliff at dusk, waves crashing, gulls crying",
            "resolution": "720p",
            "duration": 8,
            "sound": true,
            "aspect_ratio": "16:9",
            "fixed_lens": false
          }
        }
        """
    )


@pytest.mark.parametrize("seconds", range(4, 13))
def test_duration_is_sent_as_an_integer(seconds: int) -> None:
    duration = submit_body(prompt="a red kite over hills", duration=seconds)["input"]["duration"]
    assert duration == seconds and type(duration) is int


def test_sound_off_is_sent_explicitly() -> None:
    model_input = submit_body(prompt="a red kite over hills", fixed_lens=True)["input"]
    assert model_input["sound"] is False
    assert model_input["fixed_lens"] is True


def test_defaults_fill_every_input_field() -> None:
    model_input = submit_body(prompt="a red kite over hills")["input"]
    assert model_input == {
        "mode": "text-to-video",
        "prompt": "a red kite over hills",
        "resolution": "720p",
        "duration": 8,
        "sound": False,
        "aspect_ratio": "16:9",
        "fixed_lens": False,
    }


def test_image_to_video_with_a_start_frame() -> None:
    body = submit_body(prompt="the cat turns its head", image_url=START, aspect_ratio="1:1", duration=4)
    assert body == json.loads(
        """
        {
          "request_type": "async",
          "provider": "auto",
          "input": {
            "mode": "image-to-video",
            "prompt": "the cat turns its head",
            "resolution": "720p",
            "duration": 4,
            "sound": false,
            "aspect_ratio": "1:1",
            "fixed_lens": false,
            "image_urls": ["https://cdn.example.com/frames/start.png"]
          }
        }
        """
    )


def test_end_frame_is_the_second_image() -> None:
    body = submit_body(prompt="day turns to night", image_url=START, end_image_url=END, resolution="480p")
    assert body["input"]["mode"] == "image-to-video"
    assert body["input"]["image_urls"] == [START, END]
    assert body["input"]["resolution"] == "480p"


def test_end_frame_without_start_frame_is_refused() -> None:
    with pytest.raises(InvalidRequest) as info:
        resolve_request(VideoRequest(prompt="day turns to night", end_image_url=END), P)
    assert info.value.field == "end_image_url"


# --- submit answer ----------------------------------------------------------------------


def test_documented_submit_answer() -> None:
    answer = json.loads('{"code": 200, "message": "success", "data": {"taskId": "task_8f2c1a"}}')
    assert P.parse_submit(200, answer) == "task_8f2c1a"


def test_submit_answer_without_envelope_is_tolerated() -> None:
    assert P.parse_submit(200, {"taskId": "task_8f2c1a"}) == "task_8f2c1a"


@pytest.mark.parametrize(
    "answer",
    [
        {"code": 200, "message": "success", "data": {}},
        {"code": 200, "message": "success"},
        ["task_8f2c1a"],
        "task_8f2c1a",
    ],
)
def test_submit_answer_without_task_id_is_a_protocol_error(answer: Any) -> None:
    with pytest.raises(ProtocolError):
        P.parse_submit(200, answer)


def test_error_envelope_inside_http_200_is_an_error() -> None:
    answer = json.loads('{"code": 400, "message": "duration must be between 4 and 12"}')
    with pytest.raises(ProviderRejected) as info:
        P.parse_submit(200, answer)
    assert info.value.status_code == 400
    assert "duration must be between 4 and 12" in info.value.message


# --- status -----------------------------------------------------------------------------


def test_status_request() -> None:
    wire = P.build_status("task_8f2c1a")
    assert wire.method == "GET"
    assert wire.path == "/statusTask/seedance-1-5-pro"
    assert dict(wire.params) == {"taskId": "task_8f2c1a"}
    assert wire.json is None


def envelope(data: dict[str, Any]) -> dict[str, Any]:
    return {"code": 200, "message": "success", "data": data}


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("pending", JobStatus.QUEUED),
        ("processing", JobStatus.RUNNING),
        ("rendering", JobStatus.RUNNING),  # not documented: still running
        ("PROCESSING", JobStatus.RUNNING),
    ],
)
def test_unfinished_states(state: str, expected: JobStatus) -> None:
    answer = envelope({"taskId": "task_8f2c1a", "state": state, "createTime": 1767225600000})
    result = P.parse_status(200, answer)
    assert result.status is expected
    assert result.provider_status == state
    assert result.video_url is None and result.error is None


def test_success_with_result_json_as_a_string() -> None:
    answer = json.loads(
        """
        {
          "code": 200,
          "message": "success",
          "data": {
            "taskId": "task_8f2c1a",
            "state": "success",
            "resultJson": "{\\"resultUrls\\":[\\"https://file.apixo.ai/results/abc123.mp4\\"]}",
            "createTime": 1767225600000,
            "completeTime": 1767225672000,
            "costTime": 72000
          }
        }
        """
    )
    assert isinstance(answer["data"]["resultJson"], str)
    result = P.parse_status(200, answer)
    assert result.status is JobStatus.SUCCEEDED
    assert result.video_url == VIDEO
    assert result.provider_status == "success"
    assert result.error is None


def test_success_with_result_json_already_decoded() -> None:
    answer = envelope({"taskId": "task_8f2c1a", "state": "success", "resultJson": {"resultUrls": [VIDEO]}})
    assert P.parse_status(200, answer).video_url == VIDEO


def test_success_takes_the_first_of_several_urls() -> None:
    urls = [VIDEO, "https://file.apixo.ai/results/abc123-alt.mp4"]
    answer = envelope({"taskId": "t", "state": "success", "resultJson": json.dumps({"resultUrls": urls})})
    assert P.parse_status(200, answer).video_url == VIDEO


@pytest.mark.parametrize(
    "result_json",
    [
        '{"resultUrls": ["https://file.apixo.ai/x.mp4"',  # cut short
        "not json",
        '{"resultUrls": []}',
        '{"urls": ["https://file.apixo.ai/x.mp4"]}',
        '{"resultUrls": [42]}',
        '["https://file.apixo.ai/x.mp4"]',
        None,
    ],
)
def test_malformed_result_json_is_a_protocol_error(result_json: str | None) -> None:
    data: dict[str, Any] = {"taskId": "t", "state": "success"}
    if result_json is not None:
        data["resultJson"] = result_json
    with pytest.raises(ProtocolError, match="resultJson"):
        P.parse_status(200, envelope(data))


@pytest.mark.parametrize(
    ("fail_code", "fail_msg", "advice"),
    [
        ("CONTENT_VIOLATION", "Content violates safety policy", "reword the prompt"),
        ("INVALID_IMAGE_URL", "Cannot access image URL", "public URL"),
    ],
)
def test_documented_fail_codes_tell_the_user_what_to_change(
    fail_code: str, fail_msg: str, advice: str
) -> None:
    answer = envelope(
        {
            "taskId": "task_8f2c1a",
            "state": "failed",
            "failCode": fail_code,
            "failMsg": fail_msg,
            "createTime": 1767225600000,
            "completeTime": 1767225610000,
            "costTime": 10000,
        }
    )
    result = P.parse_status(200, answer)
    assert result.status is JobStatus.FAILED
    assert result.video_url is None
    assert result.error is not None
    assert result.error.code == fail_code.lower()
    assert fail_msg in result.error.message and fail_code in result.error.message
    assert advice in result.error.message
    assert result.error.retryable is False


def test_undocumented_fail_code_keeps_the_provider_text() -> None:
    answer = envelope(
        {"taskId": "t", "state": "failed", "failCode": "MODEL_TIMEOUT", "failMsg": "Upstream timed out"}
    )
    error = P.parse_status(200, answer).error
    assert error is not None
    assert error.code == "model_timeout"
    assert "Upstream timed out" in error.message


def test_failure_without_code_or_message() -> None:
    error = P.parse_status(200, envelope({"taskId": "t", "state": "failed"})).error
    assert error is not None
    assert error.code == "generation_failed"


def test_status_without_state_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="state"):
        P.parse_status(200, envelope({"taskId": "t"}))


# --- HTTP errors (documented: 400, 401, 429) ----------------------------------------------


@pytest.mark.parametrize(
    ("http", "cls", "code", "retryable"),
    [
        (400, ProviderRejected, "provider_rejected", False),
        (401, AuthError, "auth_failed", False),
        (429, RateLimited, "rate_limited", True),
        (500, ProviderFailure, "provider_failure", True),  # not documented; any 5xx
    ],
)
@pytest.mark.parametrize("stage", ["submit", "status"])
def test_http_errors(
    http: int, cls: type[ProviderError], code: str, retryable: bool, stage: Literal["submit", "status"]
) -> None:
    answer = {"code": http, "message": "request refused by apixo"}
    with pytest.raises(cls) as info:
        exchange(P, stage, http, answer)
    err = info.value
    assert type(err) is cls
    assert (err.code, err.retryable, err.status_code, err.provider) == (code, retryable, http, "apixo")
    assert err.provider_code is None  # a numeric envelope code is the HTTP status, not a code word
    assert "request refused by apixo" in err.message


def test_rate_limit_carries_retry_after() -> None:
    err = P.error_for(429, {"code": 429, "message": "Too many requests"}, retry_after=12.0)
    assert isinstance(err, RateLimited)
    assert err.retry_after == 12.0


def test_plain_text_error_body() -> None:
    err = P.error_for(401, "Invalid or missing API key")
    assert isinstance(err, AuthError)
    assert "Invalid or missing API key" in err.message


def test_string_error_code_is_kept_as_the_provider_code() -> None:
    err = P.error_for(400, {"code": "INVALID_PARAMS", "message": "aspect_ratio is not supported"})
    assert isinstance(err, ProviderRejected)
    assert err.provider_code == "INVALID_PARAMS"
    assert "aspect_ratio is not supported" in err.message
