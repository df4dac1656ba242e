"""Contract tests for seedance1-5pro.com, built from the examples in seed 003 (German).

The documented example request sets every field the client sends (`sound` included), so it
must come out exactly; the client never sends `resolution` or `fixed_lens`, which the
provider does not document.
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
from seedance_mcp.models import JobStatus
from seedance_mcp.providers import WireRequest, get_provider

PROVIDER = get_provider("seedance15pro")

EXAMPLE_REQUEST = """{
"prompt": "Drone shot over neon night market",
"aspect_ratio": "16:9",
"duration": "5",
"sound": false,
"image_urls": [
"https://cdn.example.com/reference/frame01.png"
]
}"""
EXAMPLE_SUBMIT_ANSWER = """{
"code": 200,
"message": "success",
"data": {
"task_id": "sd15p_b6d54c8f4b4c4e8"
}
}"""
EXAMPLE_STATUS_ANSWER = """{
"code": 200,
"message": "success",
"data": {
"task_id": "sd15p_b6d54c8f4b4c4e8",
"status": "SUCCESS",
"request": {
"prompt": "Drone shot over neon night market",
"aspect_ratio": "16:9",
"duration": "5",
"sound": false
},
"response": [
"https://static.gogloai.com/seedance15pro/clip_001.mp4"
],
"consumed_credits": 65,
"error_message": null,
"created_at": "2025-06-14T05:21:11Z"
}
}"""

DOCUMENTED_FIELDS = {"prompt", "aspect_ratio", "duration", "sound", "image_urls"}


def submit_wire(**fields: Any) -> WireRequest:
    return wire_for(PROVIDER, **fields)


def test_example_request_matches_exactly() -> None:
    wire = submit_wire(
        prompt="Drone shot over neon night market",
        aspect_ratio="16:9",
        duration=5,
        audio=False,
        image_url="https://cdn.example.com/reference/frame01.png",
    )
    assert wire.method == "POST"
    assert wire.url(PROVIDER.base_url) == "https://seedance1-5pro.com/api/generate"
    assert dict(wire.params) == {} and dict(wire.headers) == {}
    assert sent_json(wire) == json.loads(EXAMPLE_REQUEST)


def test_example_request_from_defaults() -> None:
    """16:9 and 5 s are filled in when left out; the provider requires both."""
    wire = submit_wire(
        prompt="Drone shot over neon night market", image_url="https://cdn.example.com/reference/frame01.png"
    )
    assert sent_json(wire) == json.loads(EXAMPLE_REQUEST)


def test_text_to_video_sends_sound_false_and_no_image_urls() -> None:
    body = sent_json(submit_wire(prompt="Drone shot over neon night market", aspect_ratio="9:16"))
    assert body == {
        "prompt": "Drone shot over neon night market",
        "aspect_ratio": "9:16",
        "duration": "5",
        "sound": False,
    }


def test_ten_seconds_with_sound() -> None:
    body = sent_json(
        submit_wire(prompt="A choir sings in a cathedral", aspect_ratio="1:1", duration=10, audio=True)
    )
    assert body["duration"] == "10" and isinstance(body["duration"], str)
    assert body["sound"] is True
    assert set(body) <= DOCUMENTED_FIELDS
    assert "resolution" not in body and "fixed_lens" not in body and "generate_audio" not in body


def test_status_request_is_the_documented_get() -> None:
    wire = PROVIDER.build_status("sd15p_b6d54c8f4b4c4e8")
    assert wire.method == "GET" and wire.json is None
    url = httpx2.URL(wire.url(PROVIDER.base_url), params=dict(wire.params))
    assert str(url) == "https://seedance1-5pro.com/api/status?task_id=sd15p_b6d54c8f4b4c4e8"


def test_submit_answer_gives_task_id() -> None:
    assert PROVIDER.parse_submit(200, json.loads(EXAMPLE_SUBMIT_ANSWER)) == "sd15p_b6d54c8f4b4c4e8"


def test_submit_answer_bare_object() -> None:
    assert PROVIDER.parse_submit(200, {"task_id": "sd15p_x"}) == "sd15p_x"


def test_status_example_succeeded() -> None:
    state = PROVIDER.parse_status(200, json.loads(EXAMPLE_STATUS_ANSWER))
    assert state.status is JobStatus.SUCCEEDED
    assert state.video_url == "https://static.gogloai.com/seedance15pro/clip_001.mp4"
    assert state.credits == 65
    assert state.provider_status == "SUCCESS"


def test_status_in_progress() -> None:
    body = {"code": 200, "message": "success", "data": {"task_id": "t", "status": "IN_PROGRESS"}}
    state = PROVIDER.parse_status(200, body)
    assert state.status is JobStatus.RUNNING and state.video_url is None


def test_status_failed_refunded() -> None:
    data = {"task_id": "t", "status": "FAILED", "consumed_credits": 0, "error_message": "upstream timeout"}
    state = PROVIDER.parse_status(200, {"code": 200, "message": "success", "data": data})
    assert state.status is JobStatus.FAILED
    assert state.credits == 0
    assert state.error is not None and "upstream timeout" in state.error.message
    assert state.error.message.startswith("seedance15pro: ")


def test_unknown_status_word_means_running() -> None:
    state = PROVIDER.parse_status(200, {"data": {"task_id": "t", "status": "QUEUED"}})
    assert state.status is JobStatus.RUNNING and state.provider_status == "QUEUED"


# The document's errors are HTTP statuses only: (status, class, project code, retryable, meaning).
DOCUMENTED_ERRORS = [
    (401, AuthError, "auth_failed", False, "missing or invalid API key"),
    (402, InsufficientCredits, "insufficient_credits", False, "credit balance could not cover"),
    (429, RateLimited, "rate_limited", True, "reduce the polling frequency"),
    (500, ProviderFailure, "provider_failure", True, "retry with exponential backoff"),
]


@pytest.mark.parametrize(("status", "cls", "code", "retryable", "meaning"), DOCUMENTED_ERRORS)
@pytest.mark.parametrize("body", [{}, "", {"code": 0, "message": "success"}])
def test_documented_statuses_with_empty_bodies(
    status: int, cls: type[ProviderError], code: str, retryable: bool, meaning: str, body: Any
) -> None:
    """An answer that says nothing still gets the document's meaning for its status."""
    err = PROVIDER.error_for(status, body)
    assert isinstance(err, cls)
    assert type(err) is cls
    assert err.code == code and err.retryable is retryable and err.status_code == status
    assert meaning in err.message


@pytest.mark.parametrize(("status", "cls", "code", "retryable", "meaning"), DOCUMENTED_ERRORS)
@pytest.mark.parametrize(
    "body",
    [
        {"code": "SOME_CODE", "message": "the provider's words"},
        {"error": {"code": "SOME_CODE", "message": "the provider's words"}},
        {"error": "the provider's words"},
        "the provider's words",
    ],
)
def test_documented_statuses_keep_the_providers_text(
    status: int, cls: type[ProviderError], code: str, retryable: bool, meaning: str, body: Any
) -> None:
    err = PROVIDER.error_for(status, body)
    assert isinstance(err, cls)
    assert err.code == code and err.retryable is retryable
    assert "the provider's words" in err.message


def test_rate_limit_keeps_retry_after() -> None:
    err = PROVIDER.error_for(429, {}, retry_after=30.0)
    assert isinstance(err, RateLimited) and err.retry_after == 30.0


@pytest.mark.parametrize(
    ("wrapper_code", "cls"), [(401, AuthError), (402, InsufficientCredits), (429, RateLimited)]
)
def test_wrapper_code_under_http_200_is_an_error(wrapper_code: int, cls: type[ProviderError]) -> None:
    with pytest.raises(cls) as info:
        PROVIDER.parse_submit(200, {"code": wrapper_code, "message": "no", "data": None})
    assert info.value.status_code == wrapper_code


@pytest.mark.parametrize(("status", "cls"), [(400, ProviderRejected), (404, TaskNotFound)])
def test_undocumented_statuses_still_map(status: int, cls: type[ProviderError]) -> None:
    assert isinstance(PROVIDER.error_for(status, {"message": "bad"}), cls)


@pytest.mark.parametrize(
    "body",
    [
        [1, 2],
        {"code": 200, "message": "success", "data": None},
        {"code": 200, "message": "success", "data": {"task_id": "t", "status": "SUCCESS", "response": []}},
    ],
)
def test_unreadable_status_answers(body: Any) -> None:
    with pytest.raises(ProtocolError):
        PROVIDER.parse_status(200, body)
