"""Contract tests for NanoPhoto.AI, built from the examples in seed 000.

Both curl examples set every field the client sends, so they must come out exactly.
"""

from __future__ import annotations

import json
from typing import Any

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

PROVIDER = get_provider("nanophoto")

CURL_TEXT_TO_VIDEO = """{
    "prompt": "A golden retriever running on a beach at sunset, cinematic lighting",
    "mode": "textToVideo",
    "aspectRatio": "landscape",
    "resolution": "720p",
    "duration": "8",
    "generateAudio": true,
    "fixedLens": false
  }"""
CURL_IMAGE_TO_VIDEO = """{
    "prompt": "The character comes alive, walking through a magical forest",
    "mode": "imageToVideo",
    "imageUrls": ["https://static.nanophoto.ai/demo/nano-banana-pro.webp"],
    "aspectRatio": "portrait",
    "resolution": "1080p",
    "duration": "12",
    "generateAudio": false,
    "fixedLens": true
  }"""
CURL_CHECK_STATUS = """{
    "taskId": "task_abc123"
  }"""
ANSWER_PROCESSING_SUBMIT = """{
  "status": "processing",
  "taskId": "task_abc123",
  "creditsUsed": 8
}"""
ANSWER_PROCESSING = """{
  "status": "processing",
  "taskId": "task_abc123"
}"""
ANSWER_COMPLETED = """{
  "status": "completed",
  "taskId": "task_abc123",
  "videoUrl": "https://video.nanophoto.ai/seedance/...",
  "generationTime": 120
}"""
ANSWER_FAILED = """{
  "status": "failed",
  "taskId": "task_abc123",
  "error": "Video generation failed"
}"""
ANSWER_ERROR = """{
  "error": "Insufficient credits",
  "errorCode": "INSUFFICIENT_CREDITS",
  "requiredCredits": 8
}"""

# The document's error table: errorCode -> (HTTP status, description), and what each becomes.
ERROR_TABLE: dict[str, tuple[int, str]] = {
    "LOGIN_REQUIRED": (401, "Authentication required"),
    "INVALID_API_KEY": (401, "Invalid or expired API key"),
    "API_KEY_RATE_LIMIT_EXCEEDED": (429, "Rate limit exceeded (100 req/hour)"),
    "INSUFFICIENT_CREDITS": (402, "Not enough credits"),
    "PROMPT_REQUIRED": (400, "Missing prompt"),
    "PROMPT_LENGTH_INVALID": (400, "Prompt exceeds 1000 characters"),
    "IMAGE_REQUIRED": (400, "imageToVideo mode requires images"),
    "IMAGE_URLS_REQUIRED": (400, "API calls require imageUrls (no base64)"),
    "GENERATION_FAILED": (500, "Video generation failed"),
    "TASK_ID_REQUIRED": (400, "Missing task ID"),
    "TASK_NOT_FOUND": (404, "Task not found or not owned by user"),
    "INTERNAL_ERROR": (500, "Internal server error"),
}
EXPECTED: dict[str, tuple[type[ProviderError], str, bool]] = {
    "LOGIN_REQUIRED": (AuthError, "auth_failed", False),
    "INVALID_API_KEY": (AuthError, "auth_failed", False),
    "API_KEY_RATE_LIMIT_EXCEEDED": (RateLimited, "rate_limited", True),
    "INSUFFICIENT_CREDITS": (InsufficientCredits, "insufficient_credits", False),
    "PROMPT_REQUIRED": (ProviderRejected, "provider_rejected", False),
    "PROMPT_LENGTH_INVALID": (ProviderRejected, "provider_rejected", False),
    "IMAGE_REQUIRED": (ProviderRejected, "provider_rejected", False),
    "IMAGE_URLS_REQUIRED": (ProviderRejected, "provider_rejected", False),
    "GENERATION_FAILED": (ProviderFailure, "provider_failure", True),
    "TASK_ID_REQUIRED": (ProviderRejected, "provider_rejected", False),
    "TASK_NOT_FOUND": (TaskNotFound, "task_not_found", False),
    "INTERNAL_ERROR": (ProviderFailure, "provider_failure", True),
}


def submit_wire(**fields: Any) -> WireRequest:
    return wire_for(PROVIDER, **fields)


def test_text_to_video_curl() -> None:
    wire = submit_wire(
        prompt="A golden retriever running on a beach at sunset, cinematic lighting",
        aspect_ratio="16:9",
        resolution="720p",
        duration=8,
        audio=True,
        fixed_lens=False,
    )
    assert wire.method == "POST"
    assert wire.url(PROVIDER.base_url) == "https://nanophoto.ai/api/seedance-1-5-pro/generate"
    assert dict(wire.params) == {} and dict(wire.headers) == {}
    assert sent_json(wire) == json.loads(CURL_TEXT_TO_VIDEO)


def test_text_to_video_curl_from_defaults() -> None:
    """Landscape, 720p and 8 s are the defaults; only audio is asked for."""
    wire = submit_wire(
        prompt="A golden retriever running on a beach at sunset, cinematic lighting", audio=True
    )
    assert sent_json(wire) == json.loads(CURL_TEXT_TO_VIDEO)


def test_image_to_video_curl() -> None:
    wire = submit_wire(
        prompt="The character comes alive, walking through a magical forest",
        image_url="https://static.nanophoto.ai/demo/nano-banana-pro.webp",
        aspect_ratio="9:16",
        resolution="1080p",
        duration=12,
        fixed_lens=True,
    )
    body = sent_json(wire)
    assert body == json.loads(CURL_IMAGE_TO_VIDEO)
    assert body["duration"] == "12" and isinstance(body["duration"], str)


def test_typescript_example_body() -> None:
    wire = submit_wire(prompt="A golden retriever running on a beach at sunset", audio=True)
    assert sent_json(wire) == {
        "prompt": "A golden retriever running on a beach at sunset",
        "mode": "textToVideo",
        "aspectRatio": "landscape",
        "resolution": "720p",
        "duration": "8",
        "generateAudio": True,
        "fixedLens": False,
    }


def test_check_status_curl() -> None:
    wire = PROVIDER.build_status("task_abc123")
    assert wire.method == "POST"
    assert wire.url(PROVIDER.base_url) == "https://nanophoto.ai/api/seedance-1-5-pro/check-status"
    assert dict(wire.params) == {}
    assert sent_json(wire) == json.loads(CURL_CHECK_STATUS)


def test_submit_processing_answer() -> None:
    assert PROVIDER.parse_submit(200, json.loads(ANSWER_PROCESSING_SUBMIT)) == "task_abc123"


def test_status_processing_with_credits() -> None:
    state = PROVIDER.parse_status(200, json.loads(ANSWER_PROCESSING_SUBMIT))
    assert state.status is JobStatus.RUNNING and state.credits == 8


def test_status_still_processing() -> None:
    state = PROVIDER.parse_status(200, json.loads(ANSWER_PROCESSING))
    assert state.status is JobStatus.RUNNING
    assert state.provider_status == "processing"
    assert state.video_url is None and state.credits is None


def test_status_completed() -> None:
    state = PROVIDER.parse_status(200, json.loads(ANSWER_COMPLETED))
    assert state.status is JobStatus.SUCCEEDED
    assert state.video_url == "https://video.nanophoto.ai/seedance/..."
    assert state.provider_status == "completed"


def test_status_failed_is_refunded() -> None:
    state = PROVIDER.parse_status(200, json.loads(ANSWER_FAILED))
    assert state.status is JobStatus.FAILED
    assert state.credits == 0
    assert state.error is not None
    assert "Video generation failed" in state.error.message and "refunded" in state.error.message


def test_unknown_status_word_means_running() -> None:
    state = PROVIDER.parse_status(200, {"status": "queued", "taskId": "task_abc123"})
    assert state.status is JobStatus.RUNNING and state.provider_status == "queued"


def test_error_example_names_required_credits() -> None:
    err = PROVIDER.error_for(402, json.loads(ANSWER_ERROR))
    assert isinstance(err, InsufficientCredits)
    assert err.provider_code == "INSUFFICIENT_CREDITS" and err.status_code == 402
    assert "Insufficient credits" in err.message
    assert "needs 8 credits" in err.message
    assert err.retryable is False


@pytest.mark.parametrize("code", sorted(ERROR_TABLE))
def test_every_error_code(code: str) -> None:
    http_status, description = ERROR_TABLE[code]
    cls, project_code, retryable = EXPECTED[code]
    err = PROVIDER.error_for(http_status, {"error": description, "errorCode": code})
    assert isinstance(err, cls)
    assert type(err) is cls
    assert err.code == project_code and err.retryable is retryable
    assert err.provider_code == code and err.status_code == http_status
    assert description in err.message


@pytest.mark.parametrize("code", sorted(ERROR_TABLE))
def test_error_code_under_http_200_maps_by_the_table(code: str) -> None:
    http_status, description = ERROR_TABLE[code]
    cls, project_code, retryable = EXPECTED[code]
    with pytest.raises(cls) as info:
        PROVIDER.parse_status(200, {"error": description, "errorCode": code})
    assert info.value.status_code == http_status
    assert info.value.code == project_code and info.value.retryable is retryable


def test_status_error_without_status_field_is_an_error() -> None:
    err = PROVIDER.error_for(404, {"error": "Task not found"})
    assert isinstance(err, ProviderError)
    assert isinstance(err, TaskNotFound)
    with pytest.raises(ProviderError):
        PROVIDER.parse_status(200, {"error": "Task not found"})


def test_rate_limit_keeps_retry_after() -> None:
    err = PROVIDER.error_for(
        429, {"error": "Rate limit exceeded", "errorCode": "API_KEY_RATE_LIMIT_EXCEEDED"}, retry_after=60.0
    )
    assert isinstance(err, RateLimited) and err.retry_after == 60.0


@pytest.mark.parametrize("body", ["oops", {"status": "completed", "taskId": "t"}])
def test_unreadable_status_answers(body: Any) -> None:
    with pytest.raises(ProtocolError):
        PROVIDER.parse_status(200, body)


def test_submit_answer_without_task_id() -> None:
    with pytest.raises(ProtocolError):
        PROVIDER.parse_submit(200, {"status": "processing"})
