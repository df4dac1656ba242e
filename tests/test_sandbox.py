"""The loopback simulator, exercised with raw httpx2 calls against a running Sandbox.

Time never passes for real: render timing runs on an injected clock (or speed 0), so no test
sleeps beyond the few milliseconds a loopback round trip takes.
"""

from __future__ import annotations

import json
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx2
import pytest
from fakes import FakeClock

from seedance_mcp.pricing import PRICE_TABLES
from seedance_mcp.sandbox import Fault, Sandbox, SandboxConfig
from seedance_mcp.sandbox.media import free_box_header, sample_mp4

KEY = "sk-sandbox-test"
AUTH = {"Authorization": f"Bearer {KEY}"}
IMAGE = "https://example.com/frame.png"
Json = dict[str, Any]


# -- one description per provider of its documented client side --------------------------------


@dataclass(frozen=True)
class Contract:
    provider: str
    submit_path: str
    text_body: Json
    image_body: Json
    task_id: Callable[[Json], str]
    status: Callable[[httpx2.Client, str, str], httpx2.Response]
    read: Callable[[Json], tuple[str, str | None, int | None]]  # (state, video url, credits)
    code: Callable[[Json], object]  # the error code in an error answer
    credits: int  # what text_body costs

    def submit(
        self, client: httpx2.Client, sb: Sandbox, body: Json, headers: dict[str, str] | None = None
    ) -> httpx2.Response:
        extra = {"Idempotency-Key": uuid.uuid4().hex} if self.provider == "seedance2ai" else {}
        return client.post(
            sb.base_url(self.provider) + self.submit_path, json=body, headers=extra | (headers or {})
        )


def _nanophoto_read(j: Json) -> tuple[str, str | None, int | None]:
    state = {"processing": "running", "completed": "succeeded", "failed": "failed"}[j["status"]]
    return state, j.get("videoUrl"), None


def _envelope_read(j: Json) -> tuple[str, str | None, int | None]:
    data = j["data"]
    state = {"IN_PROGRESS": "running", "SUCCESS": "succeeded", "FAILED": "failed"}[data["status"]]
    return state, (data["response"] or [None])[0], data["consumed_credits"]


def _apixo_read(j: Json) -> tuple[str, str | None, int | None]:
    data = j["data"]
    state = {"pending": "running", "processing": "running", "success": "succeeded", "failed": "failed"}
    url = json.loads(data["resultJson"])["resultUrls"][0] if "resultJson" in data else None
    return state[data["state"]], url, None


def _seedance2ai_read(j: Json) -> tuple[str, str | None, int | None]:
    state = {"queued": "running", "processing": "running", "completed": "succeeded", "failed": "failed"}
    return state[j["status"]], (j["output"] or {}).get("video_url"), j["credits_used"]


CONTRACTS = {
    "nanophoto": Contract(
        provider="nanophoto",
        submit_path="/api/seedance-1-5-pro/generate",
        text_body={
            "prompt": "A golden retriever running on a beach at sunset, cinematic lighting",
            "mode": "textToVideo",
            "aspectRatio": "landscape",
            "resolution": "720p",
            "duration": "8",
            "generateAudio": True,
            "fixedLens": False,
        },
        image_body={
            "prompt": "The character comes alive, walking through a magical forest",
            "mode": "imageToVideo",
            "imageUrls": [IMAGE],
            "aspectRatio": "portrait",
            "resolution": "1080p",
            "duration": "12",
            "generateAudio": False,
            "fixedLens": True,
        },
        task_id=lambda j: j["taskId"],
        status=lambda c, base, tid: c.post(f"{base}/api/seedance-1-5-pro/check-status", json={"taskId": tid}),
        read=_nanophoto_read,
        code=lambda j: j["errorCode"],
        credits=16,
    ),
    "seedanceapi": Contract(
        provider="seedanceapi",
        submit_path="/generate",
        text_body={
            "prompt": "A cinematic shot of mountains at sunrise",
            "aspect_ratio": "16:9",
            "duration": "8",
        },
        image_body={
            "prompt": "The character slowly turns and smiles at the camera",
            "image_urls": [IMAGE],
            "aspect_ratio": "16:9",
            "resolution": "720p",
            "duration": "4",
        },
        task_id=lambda j: j["data"]["task_id"],
        status=lambda c, base, tid: c.get(f"{base}/status", params={"task_id": tid}),
        read=_envelope_read,
        code=lambda j: j["error"]["code"],
        credits=28,
    ),
    "apixo": Contract(
        provider="apixo",
        submit_path="/generateTask/seedance-1-5-pro",
        text_body={
            "request_type": "async",
            "provider": "auto",
            "input": {
                "mode": "text-to-video",
                "prompt": "Ocean waves at dusk",
                "resolution": "720p",
                "duration": 8,
                "sound": False,
                "aspect_ratio": "16:9",
            },
        },
        image_body={
            "request_type": "async",
            "input": {
                "mode": "image-to-video",
                "prompt": "A slow dolly from the first frame to the last",
                "resolution": "480p",
                "duration": 4,
                "sound": True,
                "image_urls": [IMAGE, "https://example.com/end.png"],
            },
        },
        task_id=lambda j: j["data"]["taskId"],
        status=lambda c, base, tid: c.get(f"{base}/statusTask/seedance-1-5-pro", params={"taskId": tid}),
        read=_apixo_read,
        code=lambda j: j["code"],
        credits=32,
    ),
    "seedance15pro": Contract(
        provider="seedance15pro",
        submit_path="/generate",
        text_body={"prompt": "Drone shot over neon night market", "aspect_ratio": "16:9", "duration": "5"},
        image_body={
            "prompt": "Drone shot over neon night market",
            "aspect_ratio": "16:9",
            "duration": "10",
            "sound": True,
            "image_urls": [IMAGE],
        },
        task_id=lambda j: j["data"]["task_id"],
        status=lambda c, base, tid: c.get(f"{base}/status", params={"task_id": tid}),
        read=_envelope_read,
        code=lambda j: j["code"],
        credits=65,
    ),
    "seedance2ai": Contract(
        provider="seedance2ai",
        submit_path="/video/seedance",
        text_body={
            "mode": "text-to-video",
            "quality_tier": "standard",
            "prompt": "A cinematic shot of a glass train crossing a snowy mountain bridge",
            "aspect_ratio": "16:9",
            "duration": "5",
            "resolution": "720p",
        },
        image_body={
            "mode": "image-to-video",
            "prompt": "The portrait turns toward the window",
            "image_url": IMAGE,
            "end_image_url": "https://example.com/end.png",
            "duration": "6",
            "resolution": "1080p",
            "seed": 42,
        },
        task_id=lambda j: j["id"],
        status=lambda c, base, tid: c.get(f"{base}/tasks/{tid}"),
        read=_seedance2ai_read,
        code=lambda j: j["error"]["code"],
        credits=30,
    ),
}
PROVIDERS = list(CONTRACTS)
RATE_LIMIT_CODE = {
    "nanophoto": "API_KEY_RATE_LIMIT_EXCEEDED",
    "seedanceapi": "RATE_LIMITED",
    "apixo": 429,
    "seedance15pro": 429,
    "seedance2ai": "rate_limited",
}


# -- fixtures ---------------------------------------------------------------------------------


# `sandbox`, `shared` and `client` come from `sandbox_fixtures`.


def submit_ok(contract: Contract, client: httpx2.Client, sb: Sandbox, body: Json | None = None) -> str:
    answer = contract.submit(client, sb, contract.text_body if body is None else body)
    assert answer.status_code == 200, answer.text
    return contract.task_id(answer.json())


def poll(
    contract: Contract, client: httpx2.Client, sb: Sandbox, task_id: str
) -> tuple[str, str | None, int | None]:
    answer = contract.status(client, sb.base_url(contract.provider), task_id)
    assert answer.status_code == 200, answer.text
    return contract.read(answer.json())


# -- life cycle ------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["text", "image"])
@pytest.mark.parametrize("provider", PROVIDERS)
def test_life_cycle_to_a_downloaded_mp4(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, provider: str, mode: str
) -> None:
    clock = FakeClock()
    sb = sandbox(speed=1.0, clock=clock)
    contract = CONTRACTS[provider]
    body = contract.text_body if mode == "text" else contract.image_body
    task_id = submit_ok(contract, client, sb, body)

    state, url, _ = poll(contract, client, sb, task_id)
    assert (state, url) == ("running", None)
    assert [t.state for t in sb.tasks(provider)] == ["queued"]

    clock.advance(600)  # past every documented render time
    state, url, credits = poll(contract, client, sb, task_id)
    assert state == "succeeded"
    assert url == f"{sb.url}/files/{task_id}.mp4"
    if mode == "text" and credits is not None:
        assert credits == contract.credits

    video = client.get(url)
    assert video.status_code == 200
    assert video.headers["content-type"] == "video/mp4"
    assert int(video.headers["content-length"]) == len(video.content) == len(sample_mp4())
    assert video.content[4:8] == b"ftyp"

    (task,) = sb.tasks(provider)
    assert (task.id, task.body, task.state) == (task_id, body, "succeeded")
    if mode == "text":
        assert task.credits == contract.credits


def test_published_prices_are_charged(sandbox: Callable[..., Sandbox], client: httpx2.Client) -> None:
    sb = sandbox()
    nano = CONTRACTS["nanophoto"]
    answer = nano.submit(client, sb, nano.image_body).json()
    assert answer["status"] == "processing"
    assert answer["creditsUsed"] == PRICE_TABLES["nanophoto"].cells[("1080p", 12, False)] == 22
    s15 = CONTRACTS["seedance15pro"]
    submit_ok(s15, client, sb, s15.image_body)
    assert (
        sb.tasks("seedance15pro")[0].credits == PRICE_TABLES["seedance15pro"].cells[(None, 10, True)] == 260
    )
    api = CONTRACTS["seedanceapi"]
    submit_ok(
        api, client, sb, {"prompt": "p", "resolution": "480p", "duration": "12", "generate_audio": True}
    )
    assert sb.tasks("seedanceapi")[0].credits == 38


def test_seedanceapi_applies_documented_defaults(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    sb = sandbox()
    contract = CONTRACTS["seedanceapi"]
    task_id = submit_ok(contract, client, sb, {"prompt": "just a prompt"})
    data = contract.status(client, sb.base_url("seedanceapi"), task_id).json()["data"]
    assert data["request"]["aspect_ratio"] == "1:1"
    assert data["request"]["resolution"] == "720p"
    assert data["request"]["duration"] == "8"
    assert data["consumed_credits"] == 28
    assert data["created_at"].endswith("Z")
    assert data["error_message"] is None


def test_seedance15pro_status_also_answers_post(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    sb = sandbox()
    contract = CONTRACTS["seedance15pro"]
    task_id = submit_ok(contract, client, sb)
    answer = client.post(sb.base_url("seedance15pro") + "/status", json={"task_id": task_id})
    data = answer.json()["data"]
    assert (data["task_id"], data["status"], data["consumed_credits"]) == (task_id, "SUCCESS", 65)
    assert data["request"] == contract.text_body


def test_apixo_states_times_and_result_json(sandbox: Callable[..., Sandbox], client: httpx2.Client) -> None:
    clock = FakeClock()
    sb = sandbox(speed=1.0, clock=clock)
    contract = CONTRACTS["apixo"]
    task_id = submit_ok(contract, client, sb, contract.image_body)  # a 4 s clip: ~40-60 s
    base = sb.base_url("apixo")
    first = contract.status(client, base, task_id).json()["data"]
    assert first["state"] == "pending"
    assert "completeTime" not in first and "resultJson" not in first
    clock.advance(39.9)
    assert contract.status(client, base, task_id).json()["data"]["state"] == "processing"
    clock.advance(20.1)
    done = contract.status(client, base, task_id).json()["data"]
    assert done["state"] == "success"
    assert isinstance(done["resultJson"], str)  # a JSON string, as documented
    assert 40_000 <= done["costTime"] <= 60_000
    assert done["completeTime"] == done["createTime"] + done["costTime"]


@pytest.mark.parametrize(
    ("provider", "body", "low", "high"),
    [
        ("nanophoto", None, 60.0, 180.0),
        ("apixo", None, 60.0, 90.0),  # 8 s clip
        ("seedanceapi", {"prompt": "p", "duration": "12"}, 90.0, 120.0),
    ],
)
def test_render_time_follows_the_documented_range(
    sandbox: Callable[..., Sandbox],
    client: httpx2.Client,
    provider: str,
    body: Json | None,
    low: float,
    high: float,
) -> None:
    clock = FakeClock()
    sb = sandbox(speed=1.0, clock=clock)
    contract = CONTRACTS[provider]
    task_ids = [submit_ok(contract, client, sb, body) for _ in range(3)]
    clock.advance(low - 0.01)
    assert {poll(contract, client, sb, t)[0] for t in task_ids} == {"running"}
    clock.advance(high - low + 0.01)
    assert {poll(contract, client, sb, t)[0] for t in task_ids} == {"succeeded"}


def test_speed_scales_render_time(sandbox: Callable[..., Sandbox], client: httpx2.Client) -> None:
    clock = FakeClock()
    sb = sandbox(speed=0.01, clock=clock)
    contract = CONTRACTS["apixo"]
    task_id = submit_ok(contract, client, sb)  # 8 s clip: 60-90 s, so 0.6-0.9 s here
    clock.advance(0.59)
    assert poll(contract, client, sb, task_id)[0] == "running"
    clock.advance(0.32)
    assert poll(contract, client, sb, task_id)[0] == "succeeded"


def test_speed_zero_is_done_at_first_poll(sandbox: Callable[..., Sandbox], client: httpx2.Client) -> None:
    sb = sandbox(speed=0.0, clock=FakeClock())  # the clock never moves
    contract = CONTRACTS["seedance2ai"]
    task_id = submit_ok(contract, client, sb)
    assert poll(contract, client, sb, task_id)[0] == "succeeded"


def test_seedance2ai_reports_queued_then_processing(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    clock = FakeClock()
    sb = sandbox(speed=1.0, clock=clock)
    contract = CONTRACTS["seedance2ai"]
    answer = contract.submit(client, sb, contract.text_body).json()
    assert (answer["status"], answer["model"], answer["credits_used"], answer["output"]) == (
        "queued",
        "seedance",
        30,
        None,
    )
    clock.advance(30)
    assert contract.status(client, sb.base_url("seedance2ai"), answer["id"]).json()["status"] == "processing"


# -- faults ------------------------------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_429_on_submit_has_retry_after_and_creates_nothing(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, provider: str
) -> None:
    sb = sandbox(faults=[Fault("429", "submit", retry_after=3)])
    contract = CONTRACTS[provider]
    answer = contract.submit(client, sb, contract.text_body)
    assert answer.status_code == 429
    assert answer.headers["retry-after"] == "3"
    assert contract.code(answer.json()) == RATE_LIMIT_CODE[provider]
    assert sb.tasks(provider) == []
    submit_ok(contract, client, sb)  # times=1: the next one goes through
    assert len(sb.tasks(provider)) == 1


@pytest.mark.parametrize("provider", PROVIDERS)
def test_503_on_submit_creates_nothing(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, provider: str
) -> None:
    sb = sandbox(faults=[Fault("503", "submit")], balance=1000)
    contract = CONTRACTS[provider]
    answer = contract.submit(client, sb, contract.text_body)
    assert answer.status_code == 503
    assert sb.tasks(provider) == []
    assert sb.balance == 1000


@pytest.mark.parametrize("provider", PROVIDERS)
def test_500_on_submit_creates_and_charges_the_task(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, provider: str
) -> None:
    sb = sandbox(faults=[Fault("500", "submit")], balance=1000)
    contract = CONTRACTS[provider]
    answer = contract.submit(client, sb, contract.text_body)
    assert answer.status_code == 500
    assert "taskId" not in answer.text and "task_id" not in answer.text
    (task,) = sb.tasks(provider)
    assert task.credits == contract.credits
    assert sb.balance == 1000 - contract.credits


@pytest.mark.parametrize("provider", PROVIDERS)
def test_reset_on_submit_creates_the_task_and_the_client_raises(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, provider: str
) -> None:
    sb = sandbox(faults=[Fault("reset", "submit")])
    contract = CONTRACTS[provider]
    with pytest.raises(httpx2.TransportError):
        contract.submit(client, sb, contract.text_body)
    assert len(sb.tasks(provider)) == 1
    submit_ok(contract, client, sb)  # the same client recovers on a fresh connection
    assert len(sb.tasks(provider)) == 2


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize("kind", ["429", "503", "500", "reset"])
def test_faults_on_status(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, provider: str, kind: str
) -> None:
    sb = sandbox(faults=[Fault(kind, "status", times=2)])  # type: ignore[arg-type]
    contract = CONTRACTS[provider]
    task_id = submit_ok(contract, client, sb)
    base = sb.base_url(provider)
    for _ in range(2):
        if kind == "reset":
            with pytest.raises(httpx2.TransportError):
                contract.status(client, base, task_id)
        else:
            answer = contract.status(client, base, task_id)
            assert answer.status_code == int(kind)
            assert ("retry-after" in answer.headers) == (kind == "429")
    assert poll(contract, client, sb, task_id)[0] == "succeeded"
    assert len(sb.tasks(provider)) == 1


@pytest.mark.parametrize("kind", ["429", "503", "500"])
def test_error_faults_on_download(sandbox: Callable[..., Sandbox], client: httpx2.Client, kind: str) -> None:
    sb = sandbox(faults=[Fault(kind, "download")])  # type: ignore[arg-type]
    contract = CONTRACTS["apixo"]
    url = poll(contract, client, sb, submit_ok(contract, client, sb))[1]
    assert url is not None
    answer = client.get(url)
    assert answer.status_code == int(kind)
    assert ("retry-after" in answer.headers) == (kind == "429")
    assert client.get(url).content[4:8] == b"ftyp"


def _read_until_error(client: httpx2.Client, url: str) -> tuple[int, int]:
    received = 0
    with pytest.raises(httpx2.TransportError), client.stream("GET", url) as answer:
        declared = int(answer.headers["content-length"])
        for chunk in answer.iter_raw():
            received += len(chunk)
    return declared, received


@pytest.mark.parametrize("video_size", [None, 300_000])
def test_truncate_on_download_sends_half_the_declared_length(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, video_size: int | None
) -> None:
    sb = sandbox(faults=[Fault("truncate", "download")], video_size=video_size)
    contract = CONTRACTS["nanophoto"]
    url = poll(contract, client, sb, submit_ok(contract, client, sb))[1]
    assert url is not None
    declared, received = _read_until_error(client, url)
    assert declared == (video_size or len(sample_mp4()))
    assert received == declared // 2
    assert len(client.get(url).content) == declared


def test_reset_on_download_raises(sandbox: Callable[..., Sandbox], client: httpx2.Client) -> None:
    sb = sandbox(faults=[Fault("reset", "download")])
    contract = CONTRACTS["seedance15pro"]
    url = poll(contract, client, sb, submit_ok(contract, client, sb))[1]
    assert url is not None
    declared, received = _read_until_error(client, url)
    assert (declared, received) == (len(sample_mp4()), 0)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_fail_render_ends_failed_and_refunds(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, provider: str
) -> None:
    sb = sandbox(faults=[Fault("fail_render", "submit")], balance=500)
    contract = CONTRACTS[provider]
    task_id = submit_ok(contract, client, sb)
    answer = contract.status(client, sb.base_url(provider), task_id).json()
    state, url, credits = contract.read(answer)
    assert (state, url) == ("failed", None)
    assert credits in (None, 0)
    match provider:
        case "nanophoto":
            assert answer == {"status": "failed", "taskId": task_id, "error": "Video generation failed"}
        case "seedanceapi" | "seedance15pro":
            assert answer["data"]["error_message"] and answer["data"]["response"] == []
        case "apixo":
            assert answer["data"]["failCode"] and answer["data"]["failMsg"]
            assert "resultJson" not in answer["data"]
        case "seedance2ai":
            assert answer["error"]["code"] == "generation_failed" and answer["output"] is None
    (task,) = sb.tasks(provider)
    assert (task.state, task.credits) == ("failed", 0)
    assert sb.balance == 500
    assert client.get(f"{sb.url}/files/{task_id}.mp4").status_code == 404
    assert poll(contract, client, sb, submit_ok(contract, client, sb))[0] == "succeeded"  # times=1


def test_fail_render_code_overrides_the_failure_code(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    sb = sandbox(faults=[Fault("fail_render", "submit", code="CONTENT_VIOLATION")])
    contract = CONTRACTS["apixo"]
    task_id = submit_ok(contract, client, sb)
    data = contract.status(client, sb.base_url("apixo"), task_id).json()["data"]
    assert (data["state"], data["failCode"]) == ("failed", "CONTENT_VIOLATION")


def test_fault_only_hits_its_provider(sandbox: Callable[..., Sandbox], client: httpx2.Client) -> None:
    sb = sandbox(faults=[Fault("503", "submit", provider="apixo", times=5)])
    submit_ok(CONTRACTS["nanophoto"], client, sb)
    assert CONTRACTS["apixo"].submit(client, sb, CONTRACTS["apixo"].text_body).status_code == 503


def test_times_counts_matching_requests(sandbox: Callable[..., Sandbox], client: httpx2.Client) -> None:
    sb = sandbox(faults=[Fault("500", "submit", times=3)])
    contract = CONTRACTS["seedanceapi"]
    codes = [contract.submit(client, sb, contract.text_body).status_code for _ in range(5)]
    assert codes == [500, 500, 500, 200, 200]
    assert len(sb.tasks("seedanceapi")) == 5


def _probability_codes(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, seed: int, p: float
) -> list[int]:
    sb = sandbox(seed=seed, faults=[Fault("503", "status", probability=p)])
    contract = CONTRACTS["seedance15pro"]
    task_id = submit_ok(contract, client, sb)
    return [contract.status(client, sb.base_url("seedance15pro"), task_id).status_code for _ in range(30)]


def test_probability_faults_are_seeded(sandbox: Callable[..., Sandbox], client: httpx2.Client) -> None:
    first = _probability_codes(sandbox, client, seed=7, p=0.5)
    assert first == _probability_codes(sandbox, client, seed=7, p=0.5)
    assert {200, 503} == set(first)
    assert set(_probability_codes(sandbox, client, seed=7, p=1.0)) == {503}
    assert set(_probability_codes(sandbox, client, seed=7, p=0.0)) == {200}


def test_faults_reject_bad_settings() -> None:
    with pytest.raises(ValueError, match="kind"):
        Fault("404", "submit")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="allowed: download"):
        Fault("truncate", "status")
    with pytest.raises(ValueError, match="allowed: submit"):
        Fault("fail_render", "download")
    with pytest.raises(ValueError, match="probability"):
        Fault("500", "submit", probability=1.5)
    with pytest.raises(ValueError, match="provider"):
        Fault("500", "submit", provider="nope")
    with pytest.raises(ValueError, match="speed"):
        SandboxConfig(speed=-1)


# -- auth, balance, not found -------------------------------------------------------------------


UNAUTHORIZED = {
    "nanophoto": (
        {"error": "Authorization: Bearer API key is missing", "errorCode": "LOGIN_REQUIRED"},
        "INVALID_API_KEY",
    ),
    "seedanceapi": ("INVALID_API_KEY", "INVALID_API_KEY"),
    "apixo": (401, 401),
    "seedance15pro": (401, 401),
    "seedance2ai": ("unauthorized", "unauthorized"),
}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_401_for_a_missing_or_unknown_key(sandbox: Callable[..., Sandbox], provider: str) -> None:
    sb = sandbox(valid_keys={KEY})
    contract = CONTRACTS[provider]
    missing, invalid = UNAUTHORIZED[provider]
    with httpx2.Client() as anonymous:
        answer = contract.submit(anonymous, sb, contract.text_body)
        assert answer.status_code == 401
        if isinstance(missing, dict):
            assert answer.json() == missing
        else:
            assert contract.code(answer.json()) == missing
        answer = contract.submit(anonymous, sb, contract.text_body, headers={"Authorization": "Bearer wrong"})
        assert answer.status_code == 401
        assert contract.code(answer.json()) == invalid
        answer = contract.status(anonymous, sb.base_url(provider), "whatever")
        assert answer.status_code == 401
    assert sb.tasks(provider) == []


@pytest.mark.parametrize("provider", PROVIDERS)
def test_402_when_the_balance_is_short(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, provider: str
) -> None:
    contract = CONTRACTS[provider]
    sb = sandbox(balance=contract.credits + 1)
    submit_ok(contract, client, sb)
    answer = contract.submit(client, sb, contract.text_body)
    assert answer.status_code == 402
    expected = {
        "nanophoto": "INSUFFICIENT_CREDITS",
        "seedanceapi": "INSUFFICIENT_CREDITS",
        "apixo": 402,
        "seedance15pro": 402,
        "seedance2ai": "insufficient_credits",
    }
    assert contract.code(answer.json()) == expected[provider]
    if provider == "nanophoto":
        assert answer.json()["requiredCredits"] == contract.credits
    assert len(sb.tasks(provider)) == 1
    assert sb.balance == 1


NOT_FOUND = {
    "nanophoto": "TASK_NOT_FOUND",
    "seedanceapi": "TASK_NOT_FOUND",
    "apixo": 404,
    "seedance15pro": 404,
    "seedance2ai": "not_found",
}


@pytest.mark.parametrize("provider", PROVIDERS)
def test_404_for_an_unknown_task(shared: Sandbox, client: httpx2.Client, provider: str) -> None:
    contract = CONTRACTS[provider]
    answer = contract.status(client, shared.base_url(provider), "no-such-task")
    assert answer.status_code == 404
    assert contract.code(answer.json()) == NOT_FOUND[provider]


def test_a_task_is_not_found_for_another_key(sandbox: Callable[..., Sandbox], client: httpx2.Client) -> None:
    sb = sandbox()
    contract = CONTRACTS["nanophoto"]
    task_id = submit_ok(contract, client, sb)
    with httpx2.Client(headers={"Authorization": "Bearer someone-else"}) as other:
        answer = contract.status(other, sb.base_url("nanophoto"), task_id)
    assert (answer.status_code, answer.json()["errorCode"]) == (404, "TASK_NOT_FOUND")


def test_unknown_file_is_404(shared: Sandbox, client: httpx2.Client) -> None:
    sb = shared
    assert client.get(f"{sb.url}/files/nothing.mp4").status_code == 404
    assert client.get(f"{sb.url}/files/nothing.txt").status_code == 404


def test_no_file_before_the_render_ends(sandbox: Callable[..., Sandbox], client: httpx2.Client) -> None:
    sb = sandbox(speed=1.0, clock=FakeClock())
    task_id = submit_ok(CONTRACTS["seedanceapi"], client, sb)
    assert client.get(f"{sb.url}/files/{task_id}.mp4").status_code == 404


# -- validation -----------------------------------------------------------------------------------


def _with(provider: str, **changes: Any) -> Json:
    body: Json = json.loads(json.dumps(CONTRACTS[provider].text_body))
    target = body["input"] if provider == "apixo" else body
    for name, value in changes.items():
        if value is ...:
            target.pop(name, None)
        else:
            target[name] = value
    return body


VALIDATION = [
    ("nanophoto", _with("nanophoto", prompt=...), "PROMPT_REQUIRED", "prompt"),
    ("nanophoto", _with("nanophoto", prompt="x" * 1001), "PROMPT_LENGTH_INVALID", "1001"),
    ("nanophoto", _with("nanophoto", mode="imageToVideo"), "IMAGE_REQUIRED", "imageUrls"),
    (
        "nanophoto",
        _with("nanophoto", mode="imageToVideo", imageUrls=["data:image/png;base64,AAAA"]),
        "IMAGE_URLS_REQUIRED",
        "imageUrls",
    ),
    ("nanophoto", _with("nanophoto", aspectRatio="16:9"), "INVALID_REQUEST", "landscape"),
    ("nanophoto", _with("nanophoto", duration=8), "INVALID_REQUEST", "duration"),
    ("seedanceapi", _with("seedanceapi", prompt=""), "INVALID_PROMPT", "prompt"),
    ("seedanceapi", _with("seedanceapi", prompt="x" * 2001), "INVALID_PROMPT", "2001"),
    ("seedanceapi", _with("seedanceapi", aspect_ratio="2:1"), "INVALID_ASPECT_RATIO", "9:21"),
    ("seedanceapi", _with("seedanceapi", resolution="1080p"), "INVALID_RESOLUTION", "480p"),
    ("seedanceapi", _with("seedanceapi", duration="5"), "INVALID_DURATION", "12"),
    ("seedanceapi", _with("seedanceapi", image_urls=[IMAGE, IMAGE]), "TOO_MANY_IMAGES", "at most 1"),
    (
        "seedanceapi",
        _with("seedanceapi", callback_url="http://localhost:9/cb"),
        "INVALID_REQUEST",
        "localhost",
    ),
    ("apixo", _with("apixo", prompt="hi"), 400, "3-2500"),
    ("apixo", _with("apixo", duration="8"), 400, "integer 4-12"),
    ("apixo", _with("apixo", duration=13), 400, "13"),
    ("apixo", _with("apixo", sound=...), 400, "sound"),
    ("apixo", _with("apixo", mode="video"), 400, "image-to-video"),
    ("apixo", _with("apixo", resolution="1080p"), 400, "720p"),
    ("apixo", _with("apixo", aspect_ratio="9:21"), 400, "21:9"),
    ("apixo", _with("apixo", mode="image-to-video"), 400, "image_urls"),
    ("apixo", _with("apixo", mode="image-to-video", image_urls=[IMAGE] * 3), 400, "at most 2"),
    ("seedance15pro", _with("seedance15pro", duration="8"), 400, "10"),
    ("seedance15pro", _with("seedance15pro", aspect_ratio="4:3"), 400, "1:1"),
    ("seedance15pro", _with("seedance15pro", prompt="x" * 1001), 400, "1001"),
    ("seedance2ai", _with("seedance2ai", prompt="hi"), "invalid_request", "3-10000"),
    ("seedance2ai", _with("seedance2ai", duration="16"), "invalid_request", "15"),
    ("seedance2ai", _with("seedance2ai", duration=5), "invalid_request", "duration"),
    ("seedance2ai", _with("seedance2ai", resolution="480p"), "invalid_request", "1080p"),
    ("seedance2ai", _with("seedance2ai", seed=4294967296), "invalid_request", "4294967295"),
    ("seedance2ai", _with("seedance2ai", seed=1, channel="real"), "invalid_request", "real"),
    ("seedance2ai", _with("seedance2ai", mode="audio-to-video"), "invalid_request", "media-to-video"),
    ("seedance2ai", _with("seedance2ai", mode="image-to-video"), "invalid_request", "image_url"),
    ("seedance2ai", _with("seedance2ai", negative_prompt="blur"), "invalid_request", "negative_prompt"),
]


@pytest.mark.parametrize(("provider", "body", "code", "mentions"), VALIDATION)
def test_validation_errors_use_the_provider_codes(
    shared: Sandbox, client: httpx2.Client, provider: str, body: Json, code: object, mentions: str
) -> None:
    contract = CONTRACTS[provider]
    before = len(shared.tasks(provider))
    answer = contract.submit(client, shared, body)
    assert answer.status_code == 400, answer.text
    assert contract.code(answer.json()) == code
    assert mentions in answer.text
    assert len(shared.tasks(provider)) == before


def test_seedance15pro_ignores_aspect_ratio_with_images(shared: Sandbox, client: httpx2.Client) -> None:
    sb = shared
    body = {"prompt": "p", "duration": "5", "image_urls": [IMAGE]}
    submit_ok(CONTRACTS["seedance15pro"], client, sb, body)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_a_body_that_is_not_json_is_a_400(shared: Sandbox, client: httpx2.Client, provider: str) -> None:
    headers = {"Idempotency-Key": "k1", "Content-Type": "application/json"}
    answer = client.post(
        shared.base_url(provider) + CONTRACTS[provider].submit_path, content=b"{nope", headers=headers
    )
    assert answer.status_code == 400
    assert "JSON" in answer.text


def test_nanophoto_status_needs_a_task_id(shared: Sandbox, client: httpx2.Client) -> None:
    sb = shared
    answer = client.post(sb.base_url("nanophoto") + "/api/seedance-1-5-pro/check-status", json={})
    assert (answer.status_code, answer.json()["errorCode"]) == (400, "TASK_ID_REQUIRED")


# -- rate limit and idempotency -------------------------------------------------------------------


def test_nanophoto_allows_100_requests_per_hour_per_key(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    clock = FakeClock()
    sb = sandbox(clock=clock)
    contract = CONTRACTS["nanophoto"]
    base = sb.base_url("nanophoto")
    task_id = submit_ok(contract, client, sb)  # request 1 at t=0
    clock.advance(600)
    for _ in range(99):  # requests 2..100 at t=600
        assert contract.status(client, base, task_id).status_code == 200
    over = contract.status(client, base, task_id)
    assert over.status_code == 429
    assert over.json()["errorCode"] == "API_KEY_RATE_LIMIT_EXCEEDED"
    assert over.headers["retry-after"] == "3000"  # the first request leaves the window at t=3600
    assert contract.submit(client, sb, contract.text_body).status_code == 429  # all endpoints count
    with httpx2.Client(headers={"Authorization": "Bearer another-key"}) as other:
        assert contract.submit(other, sb, contract.text_body).status_code == 200  # per key
    clock.advance(3000)
    assert contract.status(client, base, task_id).status_code == 200  # one slot is free again
    assert contract.status(client, base, task_id).status_code == 429
    assert len(sb.tasks("nanophoto")) == 2


def test_seedance2ai_idempotency(sandbox: Callable[..., Sandbox], client: httpx2.Client) -> None:
    sb = sandbox(balance=100)
    contract = CONTRACTS["seedance2ai"]
    url = sb.base_url("seedance2ai") + contract.submit_path
    headers = {"Idempotency-Key": "demo-video-001"}
    first = client.post(url, json=contract.text_body, headers=headers)
    again = client.post(url, json=contract.text_body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert len(sb.tasks("seedance2ai")) == 1
    assert sb.balance == 70  # charged once

    other_body = _with("seedance2ai", duration="6")
    conflict = client.post(url, json=other_body, headers=headers)
    assert conflict.status_code == 409
    assert conflict.json()["error"]["code"] == "idempotency_conflict"

    missing = client.post(url, json=contract.text_body)
    assert missing.status_code == 400
    assert "Idempotency-Key" in missing.json()["error"]["message"]
    assert len(sb.tasks("seedance2ai")) == 1


def test_seedance2ai_retry_after_a_lost_answer_finds_the_same_task(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    sb = sandbox(faults=[Fault("reset", "submit", provider="seedance2ai")])
    contract = CONTRACTS["seedance2ai"]
    url = sb.base_url("seedance2ai") + contract.submit_path
    headers = {"Idempotency-Key": "retry-me"}
    with pytest.raises(httpx2.TransportError):
        client.post(url, json=contract.text_body, headers=headers)
    answer = client.post(url, json=contract.text_body, headers=headers)
    (task,) = sb.tasks("seedance2ai")
    assert answer.json()["id"] == task.id


# -- the video file -----------------------------------------------------------------------------


def _top_level_boxes(data: bytes) -> list[tuple[bytes, int]]:
    boxes, offset = [], 0
    while offset < len(data):
        size, kind = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        assert size >= 8
        boxes.append((kind, size))
        offset += size
    assert offset == len(data)
    return boxes


def test_the_sample_is_a_small_mp4() -> None:
    data = sample_mp4()
    assert len(data) < 50_000
    kinds = [kind for kind, _ in _top_level_boxes(data)]
    assert kinds[0] == b"ftyp"
    assert b"moov" in kinds and b"mdat" in kinds


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe is not installed")
def test_the_sample_plays(tmp_path: Any) -> None:
    path = tmp_path / "sample.mp4"
    path.write_bytes(sample_mp4())
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_name", "-of", "csv=p=0", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    assert probe.stdout.split() == ["h264", "aac"]


@pytest.mark.parametrize("extra", [8, 1_000_000])
def test_video_size_pads_with_a_free_box(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, extra: int
) -> None:
    size = len(sample_mp4()) + extra
    sb = sandbox(video_size=size)
    contract = CONTRACTS["seedance2ai"]
    url = poll(contract, client, sb, submit_ok(contract, client, sb))[1]
    assert url is not None
    video = client.get(url)
    assert int(video.headers["content-length"]) == len(video.content) == size
    boxes = _top_level_boxes(video.content)
    assert boxes[0][0] == b"ftyp"
    assert boxes[-1] == (b"free", extra)
    assert video.content[: len(sample_mp4())] == sample_mp4()


def test_free_box_header_uses_64_bit_size_past_4_gib() -> None:
    assert free_box_header(16) == struct.pack(">I4s", 16, b"free")
    assert free_box_header(2**32 + 5) == struct.pack(">I4sQ", 1, b"free", 2**32 + 5)


def test_video_size_too_small_for_a_free_box_is_refused() -> None:
    with pytest.raises(ValueError, match="video_size"):
        Sandbox(SandboxConfig(video_size=len(sample_mp4()) + 3)).start()
    with pytest.raises(ValueError, match="video_size"):
        Sandbox(SandboxConfig(video_size=100)).start()


# -- the server ---------------------------------------------------------------------------------


def test_requests_are_recorded(sandbox: Callable[..., Sandbox], client: httpx2.Client) -> None:
    sb = sandbox(faults=[Fault("503", "status")])
    contract = CONTRACTS["seedanceapi"]
    task_id = submit_ok(contract, client, sb)
    contract.status(client, sb.base_url("seedanceapi"), task_id)
    client.get(f"{sb.url}/files/{task_id}.mp4")
    assert [tuple(r) for r in sb.requests] == [
        ("seedanceapi", "POST", "/seedanceapi/generate", 200),
        ("seedanceapi", "GET", "/seedanceapi/status", 503),
        ("seedanceapi", "GET", f"/files/{task_id}.mp4", 200),
    ]


def test_index_lists_base_urls(shared: Sandbox, client: httpx2.Client) -> None:
    sb = shared
    index = client.get(sb.url + "/").json()
    assert index["sandbox"] is True
    assert index["base_urls"]["apixo"] == sb.base_url("apixo") == f"http://127.0.0.1:{sb.port}/apixo"


def test_stop_leaves_no_thread_and_frees_the_port(client: httpx2.Client) -> None:
    before = set(threading.enumerate())
    with Sandbox(SandboxConfig(speed=0)) as sb:
        port = sb.port
        assert sb.running
        assert client.get(sb.url + "/").status_code == 200
    assert not sb.running
    assert set(threading.enumerate()) == before
    with pytest.raises(httpx2.ConnectError):
        client.get(f"http://127.0.0.1:{port}/")
    with Sandbox(SandboxConfig(speed=0), port=port) as again:  # the same port can be taken again
        assert again.port == port
        assert client.get(again.url + "/").status_code == 200
    assert len(sb.tasks()) == 0  # readable after stop


def test_base_url_names_the_allowed_providers(shared: Sandbox) -> None:
    sb = shared
    with pytest.raises(ValueError, match="seedance2ai"):
        sb.base_url("openai")


def test_run_forever_refuses_a_non_loopback_host() -> None:
    from seedance_mcp.sandbox import run_forever

    with pytest.raises(ValueError, match="loopback"):
        run_forever(host="0.0.0.0")


def test_run_forever_serves_until_interrupted() -> None:
    code = (
        "from seedance_mcp.sandbox import run_forever\n"
        "run_forever(port=0, on_ready=lambda url: print(url, flush=True))\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        root = proc.stdout.readline().strip()
        assert root.startswith("http://127.0.0.1:")
        with httpx2.Client() as c:
            assert c.get(root + "/").json()["base_urls"]["nanophoto"] == root + "/nanophoto"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
        assert proc.returncode == 0, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_stop_is_prompt_while_a_download_stalls(client: httpx2.Client) -> None:
    sb = Sandbox(SandboxConfig(speed=0, video_size=200_000_000)).start()
    try:
        contract = CONTRACTS["apixo"]
        url = poll(contract, client, sb, submit_ok(contract, client, sb))[1]
        assert url is not None
        with client.stream("GET", url) as answer:
            first = next(answer.iter_raw())
            assert first[4:8] == b"ftyp"
            started = time.monotonic()
            sb.stop()  # the client holds the stream and reads no further
            assert time.monotonic() - started < 2.0
            assert not sb.running
    finally:
        sb.stop()


def test_the_in_process_simulator_keeps_uvicorn_chatter_off_its_hosts_stderr(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    with caplog.at_level(logging.DEBUG), Sandbox(SandboxConfig(speed=0)) as sb:
        httpx2.get(sb.url + "/", timeout=5)
    uvicorn_records = [r for r in caplog.records if r.name.startswith("uvicorn")]
    assert uvicorn_records == [], [r.getMessage() for r in uvicorn_records]
    assert "Started server process" not in caplog.text


def test_the_quiet_filter_lets_warnings_and_other_threads_through() -> None:
    import logging

    from seedance_mcp.sandbox.runner import _QuietThreadFilter

    quiet = _QuietThreadFilter("seedance-sandbox-1")

    def record(level: int, thread: str) -> logging.LogRecord:
        rec = logging.LogRecord("uvicorn.error", level, __file__, 1, "m", None, None)
        rec.threadName = thread
        return rec

    assert not quiet.filter(record(logging.INFO, "seedance-sandbox-1"))
    assert quiet.filter(record(logging.WARNING, "seedance-sandbox-1"))
    assert quiet.filter(record(logging.ERROR, "seedance-sandbox-1"))
    assert quiet.filter(record(logging.INFO, "MainThread"))  # e.g. the MCP server's own uvicorn
