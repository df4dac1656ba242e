"""Contract tests for seedanceapi.org, built from the examples in seed 001.

The client always sends `generate_audio` and `fixed_lens`, so where a documented example
leaves them out (they default to false), the expected body is the example plus those two
explicit `false` values; the audio example, which sets both, must match exactly.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from provider_harness import sent_json, wire_for

from seedance_mcp.errors import (
    AuthError,
    InsufficientCredits,
    ProtocolError,
    ProviderError,
    ProviderFailure,
    ProviderRejected,
    RateLimited,
    TaskNotFound,
)
from seedance_mcp.models import JobStatus, VideoRequest
from seedance_mcp.providers import WireRequest, get_provider
from seedance_mcp.validation import resolve_request

PROVIDER = get_provider("seedanceapi")
DEFAULTS_SENT = {"generate_audio": False, "fixed_lens": False}

# --- request examples, transcribed from the document -------------------------------------

QUICK_START = """{
 "prompt": "A cinematic shot of mountains at sunrise with flowing clouds",
 "aspect_ratio": "16:9",
 "resolution": "720p",
 "duration": "8"
}"""
TEXT_TO_VIDEO = """{
 "prompt": "A majestic eagle soaring through golden sunset clouds over ocean waves",
 "aspect_ratio": "16:9",
 "resolution": "720p",
 "duration": "8"
}"""
IMAGE_TO_VIDEO = """{
 "prompt": "The character slowly turns and smiles at the camera",
 "image_urls": [
 "https://example.com/my-image.jpg"
 ],
 "aspect_ratio": "16:9",
 "resolution": "720p",
 "duration": "4"
}"""
WITH_AUDIO = """{
 "prompt": "A peaceful river flowing through a forest with birds singing",
 "aspect_ratio": "16:9",
 "resolution": "720p",
 "duration": "8",
 "generate_audio": true,
 "fixed_lens": true
}"""

# --- answer examples ----------------------------------------------------------------------

SUBMIT_ANSWER = """{
 "code": 200,
 "message": "success",
 "data": {
 "task_id": "seed15abc123def456pro",
 "status": "IN_PROGRESS"
 }
}"""
STATUS_SUCCESS = """{
 "code": 200,
 "message": "success",
 "data": {
 "task_id": "seed15abc123def456pro",
 "status": "SUCCESS",
 "consumed_credits": 28,
 "created_at": "2026-02-07T10:30:00Z",
 "request": {
 "prompt": "A majestic eagle soaring through golden sunset clouds",
 "aspect_ratio": "16:9",
 "resolution": "720p",
 "duration": "8"
 },
 "response": [
 "https://cdn.example.com/videos/seed15abc123def456pro.mp4"
 ],
 "error_message": null
 }
}"""

# The document's error table: code -> HTTP status.
ERROR_TABLE = {
    "INVALID_PROMPT": 400,
    "INVALID_ASPECT_RATIO": 400,
    "INVALID_RESOLUTION": 400,
    "INVALID_DURATION": 400,
    "TOO_MANY_IMAGES": 400,
    "INVALID_API_KEY": 401,
    "INSUFFICIENT_CREDITS": 402,
    "TASK_NOT_FOUND": 404,
    "INTERNAL_ERROR": 500,
}
# What each must become: (exception class, project code, retryable).
EXPECTED = {
    "INVALID_PROMPT": (ProviderRejected, "provider_rejected", False),
    "INVALID_ASPECT_RATIO": (ProviderRejected, "provider_rejected", False),
    "INVALID_RESOLUTION": (ProviderRejected, "provider_rejected", False),
    "INVALID_DURATION": (ProviderRejected, "provider_rejected", False),
    "TOO_MANY_IMAGES": (ProviderRejected, "provider_rejected", False),
    "INVALID_API_KEY": (AuthError, "auth_failed", False),
    "INSUFFICIENT_CREDITS": (InsufficientCredits, "insufficient_credits", False),
    "TASK_NOT_FOUND": (TaskNotFound, "task_not_found", False),
    "INTERNAL_ERROR": (ProviderFailure, "provider_failure", True),
}


def submit_wire(**fields: Any) -> WireRequest:
    return wire_for(PROVIDER, **fields)


def test_quick_start_curl() -> None:
    wire = submit_wire(
        prompt="A cinematic shot of mountains at sunrise with flowing clouds",
        aspect_ratio="16:9",
        resolution="720p",
        duration=8,
    )
    assert wire.method == "POST"
    assert wire.url(PROVIDER.base_url) == "https://seedanceapi.org/v1/generate"
    assert dict(wire.params) == {}
    assert sent_json(wire) == json.loads(QUICK_START) | DEFAULTS_SENT


def test_text_to_video_example() -> None:
    wire = submit_wire(
        prompt="A majestic eagle soaring through golden sunset clouds over ocean waves",
        aspect_ratio="16:9",
        resolution="720p",
        duration=8,
    )
    body = sent_json(wire)
    assert body == json.loads(TEXT_TO_VIDEO) | DEFAULTS_SENT
    assert body["duration"] == "8" and isinstance(body["duration"], str)
    assert body["generate_audio"] is False and body["fixed_lens"] is False


def test_text_to_video_from_defaults_only() -> None:
    """Resolution 720p and 8 s are filled in; the ratio is always sent (the document's default is 1:1)."""
    body = sent_json(
        submit_wire(prompt="A majestic eagle soaring through golden sunset clouds over ocean waves")
    )
    assert body == json.loads(TEXT_TO_VIDEO) | DEFAULTS_SENT


def test_image_to_video_example() -> None:
    wire = submit_wire(
        prompt="The character slowly turns and smiles at the camera",
        image_url="https://example.com/my-image.jpg",
        aspect_ratio="16:9",
        resolution="720p",
        duration=4,
    )
    assert sent_json(wire) == json.loads(IMAGE_TO_VIDEO) | DEFAULTS_SENT


def test_audio_example_matches_exactly() -> None:
    wire = submit_wire(
        prompt="A peaceful river flowing through a forest with birds singing",
        aspect_ratio="16:9",
        resolution="720p",
        duration=8,
        audio=True,
        fixed_lens=True,
    )
    assert sent_json(wire) == json.loads(WITH_AUDIO)


def test_submit_carries_no_credentials_or_undocumented_fields() -> None:
    wire = submit_wire(prompt="p", image_url="https://example.com/a.png", resolution="480p", duration=12)
    assert dict(wire.headers) == {}
    documented = {
        "prompt",
        "aspect_ratio",
        "resolution",
        "duration",
        "generate_audio",
        "fixed_lens",
        "image_urls",
    }
    assert set(sent_json(wire)) <= documented
    assert sent_json(wire)["image_urls"] == ["https://example.com/a.png"]
    assert sent_json(wire)["resolution"] == "480p" and sent_json(wire)["duration"] == "12"


def test_status_request_is_the_documented_get() -> None:
    wire = PROVIDER.build_status("seed15abc123def456pro")
    assert wire.method == "GET"
    assert wire.json is None
    url = httpx2.URL(wire.url(PROVIDER.base_url), params=dict(wire.params))
    assert str(url) == "https://seedanceapi.org/v1/status?task_id=seed15abc123def456pro"


def test_submit_answer_gives_task_id() -> None:
    assert PROVIDER.parse_submit(200, json.loads(SUBMIT_ANSWER)) == "seed15abc123def456pro"


def test_submit_answer_without_wrapper_is_accepted() -> None:
    assert PROVIDER.parse_submit(200, {"task_id": "t-1", "status": "IN_PROGRESS"}) == "t-1"


def test_status_success_example() -> None:
    state = PROVIDER.parse_status(200, json.loads(STATUS_SUCCESS))
    assert state.status is JobStatus.SUCCEEDED
    assert state.video_url == "https://cdn.example.com/videos/seed15abc123def456pro.mp4"
    assert state.credits == 28
    assert state.error is None
    assert state.provider_status == "SUCCESS"


def test_status_in_progress() -> None:
    body = {
        "code": 200,
        "message": "success",
        "data": {"task_id": "t", "status": "IN_PROGRESS", "response": []},
    }
    state = PROVIDER.parse_status(200, body)
    assert state.status is JobStatus.RUNNING
    assert state.video_url is None
    assert state.provider_status == "IN_PROGRESS"


def test_status_failed_is_refunded_with_message() -> None:
    data = {
        "task_id": "t",
        "status": "FAILED",
        "consumed_credits": 0,
        "response": [],
        "error_message": "Content policy violation",
    }
    state = PROVIDER.parse_status(200, {"code": 200, "message": "success", "data": data})
    assert state.status is JobStatus.FAILED
    assert state.credits == 0
    assert state.error is not None
    assert "Content policy violation" in state.error.message
    assert state.error.code == "generation_failed"


def test_status_failed_without_credits_field_counts_as_refunded() -> None:
    state = PROVIDER.parse_status(200, {"data": {"task_id": "t", "status": "FAILED", "error_message": None}})
    assert state.status is JobStatus.FAILED and state.credits == 0
    assert state.error is not None and "failed" in state.error.message


def test_status_failed_before_refund_reports_the_charge() -> None:
    data = {"task_id": "t", "status": "FAILED", "consumed_credits": 28, "error_message": "timeout"}
    state = PROVIDER.parse_status(200, {"code": 200, "message": "success", "data": data})
    assert state.status is JobStatus.FAILED and state.credits == 28
    assert state.error is not None and "28 credits consumed" in state.error.message


def test_bare_failed_record_with_error_field_is_a_failed_task() -> None:
    state = PROVIDER.parse_status(200, {"task_id": "t", "status": "FAILED", "error": "NSFW content"})
    assert state.status is JobStatus.FAILED
    assert state.error is not None and "NSFW content" in state.error.message


def test_null_wrapper_code_is_not_an_error() -> None:
    assert PROVIDER.parse_submit(200, {"code": None, "data": {"task_id": "t-2"}}) == "t-2"


@pytest.mark.parametrize("word", ["PENDING", "QUEUED", "processing"])
def test_unknown_status_word_means_running(word: str) -> None:
    state = PROVIDER.parse_status(
        200, {"code": 200, "message": "success", "data": {"task_id": "t", "status": word}}
    )
    assert state.status is JobStatus.RUNNING
    assert state.provider_status == word


def test_status_bare_data_object_is_accepted() -> None:
    data = json.loads(STATUS_SUCCESS)["data"]
    state = PROVIDER.parse_status(200, data)
    assert state.status is JobStatus.SUCCEEDED and state.credits == 28


@pytest.mark.parametrize("code", sorted(ERROR_TABLE))
@pytest.mark.parametrize(
    "shape",
    ["code_message", "nested_error", "error_string", "plain_text"],
)
def test_every_documented_error_code(code: str, shape: str) -> None:
    http_status = ERROR_TABLE[code]
    body: Any = {
        "code_message": {"code": code, "message": "provider says no"},
        "nested_error": {"error": {"code": code, "message": "provider says no"}},
        "error_string": {"error": code},
        "plain_text": f"{code}: provider says no",
    }[shape]
    cls, project_code, retryable = EXPECTED[code]
    err = PROVIDER.error_for(http_status, body)
    assert isinstance(err, cls)
    assert type(err) is cls
    assert err.code == project_code
    assert err.retryable is retryable
    assert err.provider_code == code
    assert err.status_code == http_status
    assert err.message.startswith("seedanceapi: ")
    if shape == "error_string":
        assert "(" + code + ")" in err.message  # the documented meaning stands in for the missing text
    else:
        assert "provider says no" in err.message


@pytest.mark.parametrize("code", sorted(ERROR_TABLE))
def test_error_code_inside_http_200_wrapper(code: str) -> None:
    cls, project_code, retryable = EXPECTED[code]
    with pytest.raises(cls) as info:
        PROVIDER.parse_status(200, {"code": code, "message": "nope", "data": None})
    assert info.value.status_code == ERROR_TABLE[code]
    assert info.value.code == project_code and info.value.retryable is retryable


@pytest.mark.parametrize(
    ("wrapper_code", "cls"),
    [
        (400, ProviderRejected),
        (401, AuthError),
        (402, InsufficientCredits),
        (404, TaskNotFound),
        (500, ProviderFailure),
    ],
)
def test_numeric_wrapper_code_under_http_200_is_an_error(wrapper_code: int, cls: type[ProviderError]) -> None:
    with pytest.raises(cls) as info:
        PROVIDER.parse_submit(200, {"code": wrapper_code, "message": "something went wrong", "data": None})
    assert info.value.status_code == wrapper_code
    assert "something went wrong" in info.value.message


def test_unknown_wrapper_code_under_http_200_is_still_an_error() -> None:
    with pytest.raises(ProviderError) as info:
        PROVIDER.parse_submit(200, {"code": 0, "message": "odd", "data": {"task_id": "t"}})
    assert "odd" in info.value.message


def test_rate_limit_keeps_retry_after() -> None:
    err = PROVIDER.error_for(429, {"message": "slow down"}, retry_after=12.0)
    assert isinstance(err, RateLimited)
    assert err.retry_after == 12.0 and err.retryable is True


def test_error_text_is_capped() -> None:
    err = PROVIDER.error_for(500, "x" * 5000)
    assert isinstance(err, ProviderFailure)
    assert len(err.message) < 600


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        {"code": 200, "message": "success", "data": "nope"},
        {"code": 200, "message": "success", "data": {"status": "IN_PROGRESS"}},
    ],
)
def test_unreadable_submit_answers(body: Any) -> None:
    with pytest.raises(ProtocolError):
        PROVIDER.parse_submit(200, body)


@pytest.mark.parametrize(
    "data",
    [
        {"task_id": "t", "status": "SUCCESS", "response": []},
        {"task_id": "t", "status": "SUCCESS"},
        {"task_id": "t"},
    ],
)
def test_unreadable_status_answers(data: dict[str, Any]) -> None:
    with pytest.raises(ProtocolError):
        PROVIDER.parse_status(200, {"code": 200, "message": "success", "data": data})


FAKE_KEY = "sk-live-FAKEKEY-0123456789abcdef"


@pytest.mark.parametrize("provider_id", ["nanophoto", "seedanceapi", "seedance15pro", "apixo", "seedance2ai"])
def test_no_key_reaches_errors_wires_or_reprs(provider_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The key sits in the environment (where the CLI reads it) and is quoted back by a
    misbehaving provider in its error text; no message, dict or repr built here may show it,
    while the rest of the provider's text still comes through."""
    provider = get_provider(provider_id)
    monkeypatch.setenv(provider.key_env, FAKE_KEY)
    monkeypatch.setenv("SEEDANCE_API_KEY", FAKE_KEY)
    echoed = f"Invalid API key: {FAKE_KEY} (header Authorization: Bearer {FAKE_KEY})"
    bodies: list[Any] = [
        {"error": echoed, "errorCode": "INVALID_API_KEY"},
        {"code": "INVALID_API_KEY", "message": echoed},
        {"error": {"code": "INVALID_API_KEY", "message": echoed}},
        f"Unauthorized. api_key={FAKE_KEY}",
        {"message": f"bearer {FAKE_KEY}"},
    ]
    texts: list[str] = []
    for body in bodies:
        err = provider.error_for(401, body)
        assert isinstance(err, AuthError)
        texts += [str(err), repr(err), json.dumps(err.to_dict()), err.message]
    assert any("Invalid API key" in t for t in texts)
    failed_answers: dict[str, Any] = {
        "nanophoto": {"status": "failed", "error": echoed},
        "apixo": {"code": 200, "data": {"taskId": "t", "state": "failed", "failMsg": echoed}},
        "seedance2ai": {"id": "t", "status": "failed", "error": {"code": "x", "message": echoed}},
    }
    failed = provider.parse_status(
        200,
        failed_answers.get(
            provider_id, {"data": {"task_id": "t", "status": "FAILED", "error_message": echoed}}
        ),
    )
    assert failed.error is not None
    texts.append(failed.model_dump_json())
    req = resolve_request(VideoRequest(prompt="a quiet lake"), provider)
    texts += [repr(provider.build_submit(req, "idem")), repr(provider.build_status("t-1")), repr(req)]
    for text in texts:
        assert FAKE_KEY not in text
        assert "FAKEKEY" not in text
