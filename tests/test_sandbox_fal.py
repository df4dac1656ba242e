"""The fal simulator (below /fal), driven over HTTP like the other sandbox tests, with raw calls,
with the project's own fal client side (`providers.fal`) and with the official `fal_client`
pointed at it (its queue URL moved onto the simulator), so that what the simulator answers is
what fal's own client reads.

Time never passes for real: render timing runs on an injected clock (or speed 0).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import fal_client
import httpx2
import pytest
from cli_harness import run_cli, simulator_env
from fakes import FakeClock
from fal_client import client as fal_module

from seedance_mcp.models import VideoRequest
from seedance_mcp.providers import PROVIDERS
from seedance_mcp.providers.fal import app_path
from seedance_mcp.sandbox import Fault, Sandbox, SandboxConfig
from seedance_mcp.sandbox.fal import ENDPOINTS, QUEUE_BACKLOG, QUEUED_SHARE
from seedance_mcp.sandbox.media import sample_mp4
from seedance_mcp.validation import resolve_request

KEY = "fal-sandbox-test-key-5b1e"
AUTH = {"Authorization": f"Key {KEY}"}
P = PROVIDERS["fal"]
IMAGE = "https://example.com/first.png"
END = "https://example.com/last.png"
T2V = "bytedance/seedance-2.0/text-to-video"
I2V = "bytedance/seedance-2.0/image-to-video"
PRO15 = "fal-ai/bytedance/seedance/v1.5/pro/text-to-video"
Json = dict[str, Any]


def body(prompt: str = "A red kite over the dunes, slow pan", **fields: Any) -> Json:
    return {"prompt": prompt, **fields}


def submit(client: httpx2.Client, sb: Sandbox, endpoint: str, payload: Json) -> httpx2.Response:
    return client.post(f"{sb.base_url('fal')}/{endpoint}", json=payload)


def submit_ok(client: httpx2.Client, sb: Sandbox, endpoint: str = T2V, payload: Json | None = None) -> Json:
    answer = submit(client, sb, endpoint, body() if payload is None else payload)
    assert answer.status_code == 200, answer.text
    found: Json = answer.json()
    return found


def get(client: httpx2.Client, url: str, **params: str) -> Json:
    answer = client.get(url, params=params)
    assert answer.status_code == 200, answer.text
    found: Json = answer.json()
    return found


def validation_error(answer: httpx2.Response, field: str, kind: str) -> Json:
    """The one entry of a fal validation error, after checking its status, field and type."""
    assert answer.status_code == 422, answer.text
    [entry] = answer.json()["detail"]
    assert entry["loc"] == (["body", field] if field else ["body"])
    assert entry["type"] == kind
    assert entry["url"] == f"https://docs.fal.ai/errors#{kind}"
    return dict(entry)


@pytest.fixture
def fal(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Sandbox], Any]]:
    """`fal_client.SyncClient` with its queue URL moved onto a simulator (closed after the test)."""
    made: list[Any] = []

    def make(sb: Sandbox) -> Any:
        monkeypatch.setattr(fal_module, "QUEUE_URL_FORMAT", f"{sb.base_url('fal')}/")
        made.append(fal_client.SyncClient(key=KEY))
        return made[-1]

    yield make
    for client in made:
        if "_client" in vars(client):  # its HTTP client, built on first use
            client._client.close()


# -- submit -------------------------------------------------------------------------------------------


def test_every_endpoint_the_provider_names_is_simulated() -> None:
    named = {e for m in P.models for e in (m.wire_id, m.image_wire_id, m.reference_wire_id) if e}
    assert set(ENDPOINTS) == named


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_submit_answers_the_three_urls_below_the_app_on_the_simulators_origin(
    shared: Sandbox, client: httpx2.Client, endpoint: str, fal: Callable[[Sandbox], Any]
) -> None:
    payload = body(image_url=IMAGE) if ENDPOINTS[endpoint].image else body()
    if ENDPOINTS[endpoint].references:
        payload = body(image_urls=[IMAGE])
    answer = submit_ok(client, shared, endpoint, payload)
    rid = answer["request_id"]
    base = f"{shared.base_url('fal')}{app_path(endpoint)}/requests/{rid}"
    assert answer["response_url"] == base
    assert answer["status_url"] == f"{base}/status"
    assert answer["cancel_url"] == f"{base}/cancel"
    assert answer["status"] == "IN_QUEUE" and answer["queue_position"] >= 0
    # The URLs fal_client builds for a request id are the ones handed back.
    handle = fal(shared).get_handle(endpoint, rid)
    assert (handle.response_url, handle.status_url, handle.cancel_url) == (
        answer["response_url"],
        answer["status_url"],
        answer["cancel_url"],
    )
    [task] = [t for t in shared.tasks("fal") if t.id == rid]
    assert task.body == payload and task.credits == 0


def test_the_providers_own_requests_are_accepted_for_every_model_and_mode(
    shared: Sandbox, client: httpx2.Client
) -> None:
    for spec in P.models:
        caps = spec.caps
        for fields in ({}, {"image_url": IMAGE}, {"image_url": IMAGE, "end_image_url": END}):
            if (fields and not caps.start_image) or ("end_image_url" in fields and not caps.end_image):
                continue
            extra: Json = {"aspect_ratio": caps.aspect_ratios[-1], "duration": caps.durations[-1]}
            extra["resolution"] = caps.resolutions[-1]
            if caps.seed:
                extra["seed"] = 4294967295
            req = resolve_request(
                VideoRequest(prompt="x", model=spec.name, audio=caps.audio, **fields, **extra), P
            )
            wire = P.build_submit(req, "k")
            answer = client.post(wire.url(shared.base_url("fal")), json=wire.json)
            assert answer.status_code == 200, (spec.name, fields, answer.text)
            refs = P.submit_refs(answer.json())
            status = client.get(
                P.status_request(answer.json()["request_id"], refs).url(shared.base_url("fal"))
            )
            assert status.status_code == 200


# -- the life cycle --------------------------------------------------------------------------------------


def test_life_cycle_to_a_downloaded_mp4(sandbox: Callable[..., Sandbox], client: httpx2.Client) -> None:
    clock = FakeClock()
    sb = sandbox(speed=1.0, clock=clock)
    answer = submit_ok(client, sb, payload=body(duration="5"))
    [task] = sb.tasks("fal")
    assert answer["queue_position"] == QUEUE_BACKLOG

    positions = []
    status = get(client, answer["status_url"])
    while status["status"] == "IN_QUEUE":
        positions.append(status["queue_position"])
        clock.advance(1.0)
        status = get(client, answer["status_url"])
    assert (
        positions == sorted(positions, reverse=True) and positions[0] == QUEUE_BACKLOG and positions[-1] == 0
    )
    assert status == {"status": "IN_PROGRESS", "logs": None, "response_url": answer["response_url"]}
    early = client.get(answer["response_url"])
    assert early.status_code == 400 and early.json()["detail"] == "Request is still in progress"

    clock.advance(600)  # past every render time
    done = get(client, answer["status_url"], logs="1")
    assert done["status"] == "COMPLETED" and "error" not in done
    assert done["metrics"]["inference_time"] > 0
    assert [line["level"] for line in done["logs"]] == ["INFO", "INFO"]
    result = get(client, answer["response_url"])
    assert result["video"]["url"] == f"{sb.url}/files/{task.id}.mp4"
    assert result["video"]["content_type"] == "video/mp4" and isinstance(result["seed"], int)
    video = client.get(result["video"]["url"])
    assert video.status_code == 200 and video.content == sample_mp4()
    assert result["video"]["file_size"] == len(video.content)


def test_a_quarter_of_the_render_is_spent_queued(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    clock = FakeClock()
    sb = sandbox(speed=1.0, clock=clock)
    answer = submit_ok(client, sb)
    low, high = P.find_model("seedance-2.0").caps.poll.render_seconds[5]  # type: ignore[union-attr]
    clock.advance(low * QUEUED_SHARE - 0.01)
    assert get(client, answer["status_url"])["status"] == "IN_QUEUE"
    clock.advance(high * QUEUED_SHARE)
    assert get(client, answer["status_url"])["status"] == "IN_PROGRESS"


def test_the_queue_position_counts_earlier_queued_requests_of_the_app(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    clock = FakeClock()
    sb = sandbox(speed=1.0, clock=clock)
    first = submit_ok(client, sb)
    clock.advance(0.001)
    second = submit_ok(client, sb)
    other_app = submit_ok(client, sb, PRO15)
    assert get(client, first["status_url"])["queue_position"] == QUEUE_BACKLOG
    assert get(client, second["status_url"])["queue_position"] == QUEUE_BACKLOG + 1
    assert get(client, other_app["status_url"])["queue_position"] == QUEUE_BACKLOG


def test_fal_client_runs_a_request_to_its_result(
    sandbox: Callable[..., Sandbox], fal: Callable[[Sandbox], Any]
) -> None:
    sb = sandbox(speed=0.0)
    client = fal(sb)
    handle = client.submit(
        I2V, arguments={"prompt": "The lantern flickers", "image_url": IMAGE, "duration": "4"}
    )
    assert isinstance(handle.status(), fal_client.Completed)
    result = handle.get()
    assert result["video"]["url"].startswith(f"{sb.url}/files/")
    assert client.status(I2V, handle.request_id, with_logs=True).logs  # type: ignore[attr-defined]


def test_fal_client_reads_the_queue_and_the_progress(
    sandbox: Callable[..., Sandbox], fal: Callable[[Sandbox], Any]
) -> None:
    clock = FakeClock()
    sb = sandbox(speed=1.0, clock=clock)
    handle = fal(sb).submit(T2V, arguments=body())
    queued = handle.status()
    assert isinstance(queued, fal_client.Queued) and queued.position == QUEUE_BACKLOG
    clock.advance(50)  # past the queue (at most a quarter of 180 s), short of the render (60 s at least)
    assert isinstance(handle.status(), fal_client.InProgress)


# -- cancel -------------------------------------------------------------------------------------------


def test_a_queued_request_is_cancelled_and_never_rendered(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    clock = FakeClock()
    sb = sandbox(speed=1.0, clock=clock)
    answer = submit_ok(client, sb)
    cancelled = client.put(answer["cancel_url"])
    assert cancelled.status_code == 202 and cancelled.json() == {"status": "CANCELLATION_REQUESTED"}
    clock.advance(600)
    status = get(client, answer["status_url"])
    assert status["status"] == "COMPLETED"
    assert (status["error_type"], status["error"]) == (
        "client_cancelled",
        "Request was cancelled by the client",
    )
    assert [t.state for t in sb.tasks("fal")] == ["cancelled"]
    result = client.get(answer["response_url"])
    assert result.status_code == 400 and result.json()["error_type"] == "client_cancelled"
    again = client.put(answer["cancel_url"])
    assert again.status_code == 400 and again.json() == {"status": "ALREADY_COMPLETED"}
    # What the provider reads from it:
    assert P.parse_status(200, status).status.value == "cancelled"


def test_a_request_in_progress_gets_the_signal_and_renders_on(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    clock = FakeClock()
    sb = sandbox(speed=1.0, clock=clock)
    answer = submit_ok(client, sb)
    clock.advance(50)
    assert get(client, answer["status_url"])["status"] == "IN_PROGRESS"
    taken = client.put(answer["cancel_url"])
    assert taken.status_code == 202 and taken.json() == {"status": "CANCELLATION_REQUESTED"}
    clock.advance(600)
    assert get(client, answer["status_url"])["status"] == "COMPLETED"
    assert [t.state for t in sb.tasks("fal")] == ["succeeded"]


def test_fal_client_cancels_a_queued_request(
    sandbox: Callable[..., Sandbox], fal: Callable[[Sandbox], Any]
) -> None:
    sb = sandbox(speed=1.0, clock=FakeClock())
    handle = fal(sb).submit(T2V, arguments=body())
    handle.cancel()  # a 202: fal_client raises on anything else
    assert [t.state for t in sb.tasks("fal")] == ["cancelled"]


def test_an_unknown_request_or_app(shared: Sandbox, client: httpx2.Client) -> None:
    answer = submit_ok(client, shared)
    rid = answer["request_id"]
    base = shared.base_url("fal")
    missing = client.put(f"{base}/bytedance/seedance-2.0/requests/nope/cancel")
    assert missing.status_code == 404 and missing.json() == {"status": "NOT_FOUND"}
    for url in (
        f"{base}/bytedance/seedance-2.0/requests/nope/status",
        f"{base}/fal-ai/bytedance/requests/{rid}",
    ):
        answer = client.get(url)
        assert answer.status_code == 404 and "not found" in answer.json()["detail"]
    unknown = client.post(f"{base}/bytedance/seedance-9/text-to-video", json=body())
    assert unknown.status_code == 404 and "not found" in unknown.json()["detail"]


# -- auth -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": f"Bearer {KEY}"}, {"Authorization": "Key"}, {"Authorization": f"key {KEY}"}],
    ids=["none", "bearer", "empty", "lowercase"],
)
def test_only_the_key_scheme_is_accepted(shared: Sandbox, headers: dict[str, str]) -> None:
    with httpx2.Client(headers=headers) as bare:
        answer = bare.post(f"{shared.base_url('fal')}/{T2V}", json=body())
    assert answer.status_code == 401 and set(answer.json()) == {"detail"}


def test_a_key_the_simulator_does_not_know(sandbox: Callable[..., Sandbox], client: httpx2.Client) -> None:
    sb = sandbox(valid_keys={"another-key-entirely"})
    answer = submit(client, sb, T2V, body())
    assert answer.status_code == 401 and sb.tasks("fal") == []
    err = P.error_for(answer.status_code, answer.json())
    assert err.code == "auth_failed"


def test_requests_belong_to_the_key_that_made_them(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    sb = sandbox()
    answer = submit_ok(client, sb)
    with httpx2.Client(headers={"Authorization": "Key someone-else-entirely"}) as other:
        assert other.get(answer["status_url"]).status_code == 404


# -- the inputs each endpoint takes -------------------------------------------------------------------

REFUSALS: list[tuple[str, Json, str, str]] = [
    (T2V, {"prompt": None}, "prompt", "missing"),
    (T2V, {"prompt": 42}, "prompt", "string_type"),
    (T2V, {"prompt": "   "}, "prompt", "string_too_short"),
    (T2V, {"prompt": "x" * 2001}, "prompt", "string_too_long"),
    (T2V, {"duration": 5}, "duration", "string_type"),
    (T2V, {"duration": "16"}, "duration", "literal_error"),
    (T2V, {"duration": "3"}, "duration", "literal_error"),
    (T2V, {"resolution": "1440p"}, "resolution", "literal_error"),
    ("bytedance/seedance-2.0/fast/text-to-video", {"resolution": "1080p"}, "resolution", "literal_error"),
    ("bytedance/seedance-2.0/mini/text-to-video", {"resolution": "4k"}, "resolution", "literal_error"),
    (
        "bytedance/seedance-2.0/mini/text-to-video",
        {"bitrate_mode": "high"},
        "bitrate_mode",
        "extra_forbidden",
    ),
    (T2V, {"bitrate_mode": "max"}, "bitrate_mode", "literal_error"),
    (T2V, {"aspect_ratio": "9:21"}, "aspect_ratio", "literal_error"),
    (T2V, {"aspect_ratio": "adaptive"}, "aspect_ratio", "literal_error"),
    (T2V, {"generate_audio": "yes"}, "generate_audio", "bool_type"),
    (T2V, {"seed": 42}, "seed", "extra_forbidden"),  # 2.x takes no seed
    (T2V, {"camera_fixed": True}, "camera_fixed", "extra_forbidden"),
    (T2V, {"image_url": IMAGE}, "image_url", "extra_forbidden"),
    (T2V, {"end_user_id": 7}, "end_user_id", "string_type"),
    (T2V, {"negative_prompt": "blur"}, "negative_prompt", "extra_forbidden"),
    (I2V, {}, "image_url", "missing"),
    (I2V, {"image_url": "./frame.png"}, "image_url", "url_parsing"),
    (I2V, {"image_url": IMAGE, "end_image_url": "ftp://x/y.png"}, "end_image_url", "url_parsing"),
    (PRO15, {"duration": "2"}, "duration", "literal_error"),
    (PRO15, {"duration": "auto"}, "duration", "literal_error"),
    (PRO15, {"seed": 4294967296}, "seed", "less_than_equal"),
    (PRO15, {"seed": True}, "seed", "int_type"),
    (PRO15, {"camera_fixed": "no"}, "camera_fixed", "bool_type"),
    (PRO15, {"enable_safety_checker": 1}, "enable_safety_checker", "bool_type"),
    (PRO15, {"end_image_url": END}, "end_image_url", "extra_forbidden"),
    (
        "fal-ai/bytedance/seedance/v1/pro/text-to-video",
        {"aspect_ratio": "auto"},
        "aspect_ratio",
        "literal_error",
    ),
    (
        "fal-ai/bytedance/seedance/v1/pro/text-to-video",
        {"generate_audio": True},
        "generate_audio",
        "extra_forbidden",
    ),
    ("fal-ai/bytedance/seedance/v1/pro/text-to-video", {"num_frames": 121}, "num_frames", "value_error"),
    (
        "fal-ai/bytedance/seedance/v1/pro/fast/image-to-video",
        {"image_url": IMAGE, "end_image_url": END},
        "end_image_url",
        "extra_forbidden",
    ),
]


@pytest.mark.parametrize(("endpoint", "fields", "field", "kind"), REFUSALS)
def test_each_input_is_checked_with_fal_style_errors_naming_the_field(
    shared: Sandbox, client: httpx2.Client, endpoint: str, fields: Json, field: str, kind: str
) -> None:
    payload = {k: v for k, v in {**body(), **fields}.items() if v is not None}
    before = len(shared.tasks("fal"))
    answer = submit(client, shared, endpoint, payload)
    entry = validation_error(answer, field, kind)
    assert entry["msg"]
    assert len(shared.tasks("fal")) == before  # nothing was queued
    err = P.error_for(answer.status_code, answer.json())
    assert err.code == "provider_rejected" and f"fal: {field}: " in err.message and err.status_code == 422


ACCEPTED: list[tuple[str, Json]] = [
    (T2V, {"duration": "auto", "aspect_ratio": "auto", "resolution": "4k", "bitrate_mode": "high"}),
    (T2V, {"duration": "15", "generate_audio": False, "end_user_id": "user-7"}),
    (I2V, {"image_url": "data:image/png;base64,iVBORw0KGgo=", "end_image_url": END, "resolution": "1080p"}),
    (PRO15, {"duration": "12", "aspect_ratio": "auto", "seed": -1, "camera_fixed": True}),
    (PRO15, {"enable_safety_checker": False, "generate_audio": True, "resolution": "1080p"}),
    ("fal-ai/bytedance/seedance/v1.5/pro/image-to-video", {"image_url": IMAGE, "end_image_url": END}),
    ("fal-ai/bytedance/seedance/v1/pro/text-to-video", {"duration": "2", "seed": 0}),
    ("fal-ai/bytedance/seedance/v1/pro/fast/image-to-video", {"image_url": IMAGE, "aspect_ratio": "auto"}),
]


@pytest.mark.parametrize(("endpoint", "fields"), ACCEPTED)
def test_what_each_endpoint_takes(
    shared: Sandbox, client: httpx2.Client, endpoint: str, fields: Json
) -> None:
    submit_ok(client, shared, endpoint, body(**fields))


def test_a_malformed_body(shared: Sandbox, client: httpx2.Client) -> None:
    answer = client.post(
        f"{shared.base_url('fal')}/{T2V}", content=b"{not json", headers={"Content-Type": "x"}
    )
    assert answer.status_code == 400 and answer.json()["error_type"] == "json_invalid"


# -- faults ---------------------------------------------------------------------------------------------


def test_a_failed_render_is_completed_with_its_error(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    sb = sandbox(faults=[Fault("fail_render", "submit")])
    answer = submit_ok(client, sb)
    status = get(client, answer["status_url"])
    assert status["status"] == "COMPLETED" and status["error_type"] == "runner_server_error"
    result = client.get(answer["response_url"])
    assert result.status_code == 500 and result.json()["error_type"] == "runner_server_error"
    assert result.headers["X-Fal-Error-Type"] == "runner_server_error"
    state = P.parse_status(200, status)
    assert state.status.value == "failed" and state.error is not None
    assert state.error.code == "runner_server_error"


def test_a_refused_output_comes_back_as_a_validation_error(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    sb = sandbox(faults=[Fault("fail_render", "submit", code="content_policy_violation")])
    answer = submit_ok(client, sb)
    assert get(client, answer["status_url"])["error_type"] == "content_policy_violation"
    validation_error(client.get(answer["response_url"]), "", "content_policy_violation")


@pytest.mark.parametrize(
    ("kind", "status", "error_type"),
    [("429", 429, None), ("503", 503, "runner_scheduling_failure"), ("500", 500, "internal_error")],
)
def test_answer_faults_speak_fals_error_shape(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, kind: str, status: int, error_type: str | None
) -> None:
    sb = sandbox(faults=[Fault(kind, "submit", retry_after=3), Fault(kind, "status")])  # type: ignore[arg-type]
    answer = submit(client, sb, T2V, body())
    assert answer.status_code == status and answer.json().get("error_type") == error_type
    if kind == "429":
        assert answer.headers["Retry-After"] == "3"
    # A 500 on submit answers after the request was queued; 429 and 503 before.
    assert len(sb.tasks("fal")) == (1 if kind == "500" else 0)
    created = submit_ok(client, sb)
    assert client.get(created["status_url"]).status_code == status


def test_a_reset_submit_has_queued_the_request(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    sb = sandbox(faults=[Fault("reset", "submit")])
    with pytest.raises(httpx2.TransportError):
        submit(client, sb, T2V, body())
    assert len(sb.tasks("fal")) == 1


# -- the store, and a later process on another port ------------------------------------------------------


def test_a_request_is_followed_from_a_later_simulator_on_another_port(
    tmp_path: Path, client: httpx2.Client
) -> None:
    path = tmp_path / "sandbox.sqlite3"
    with (
        Sandbox(SandboxConfig(speed=1.0, state_path=path, clock=FakeClock())) as first,
        Sandbox(SandboxConfig(speed=0.0, state_path=path)) as second,
    ):
        answer = submit_ok(client, first)
        refs = P.submit_refs(answer)
        assert second.url != first.url
        base = second.base_url("fal")
        rid = answer["request_id"]
        cancel = P.cancel_request(rid, refs)
        assert cancel is not None and cancel.url(base).startswith(second.url)
        assert client.put(cancel.url(base)).json() == {"status": "CANCELLATION_REQUESTED"}
        status = get(client, P.status_request(rid, refs).url(base))
        assert status["error_type"] == "client_cancelled"


# -- the CLI in sandbox mode: the done-when ---------------------------------------------------------


def sandbox_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "SEEDANCE_SANDBOX": "1",
        "SEEDANCE_HOME": str(tmp_path / "home"),
        "SEEDANCE_OUTPUT_DIR": str(tmp_path / "videos"),
        "SEEDANCE_POLL_INITIAL_DELAY": "0",
        "SEEDANCE_POLL_INTERVAL": "0.1",
        **extra,
    }


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Iterator[Callable[..., Any]]:
    def run(env: dict[str, str], *argv: str) -> tuple[int, Any, str]:
        code, out, err = run_cli(monkeypatch, capsys, env, *argv)
        return code, json.loads(out) if "--json" in argv and out.strip() else out, err

    yield run


def test_seedance_generate_on_fal_reaches_a_downloaded_mp4(tmp_path: Path, cli: Callable[..., Any]) -> None:
    env = sandbox_env(tmp_path, SEEDANCE_SANDBOX_SPEED="0.001")
    code, job, _ = cli(
        env,
        "generate",
        "A red kite",
        "--provider",
        "fal",
        "--model",
        "seedance-2.0",
        "--duration",
        "5",
        "--json",
    )
    assert code == 0, job
    assert (job["provider"], job["status"], job["sandbox"]) == ("fal", "succeeded", True)
    assert job["estimated_cost"] == {"amount": 1.512, "unit": "USD"}
    assert set(job["provider_refs"]) == {"status_url", "response_url", "cancel_url"}
    assert Path(job["video_path"]).read_bytes()[4:8] == b"ftyp"


def test_seedance_cancel_stops_a_queued_fal_job_from_a_later_process(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    env = sandbox_env(tmp_path, SEEDANCE_SANDBOX_SPEED="1")
    code, job, _ = cli(env, "generate", "Rain on a tin roof", "--provider", "fal", "--no-wait", "--json")
    assert code == 0 and job["status"] == "queued"
    code, cancelled, _ = cli(env, "cancel", job["job_id"], "--json")  # a new simulator, on a new port
    assert code == 0, cancelled
    assert cancelled["status"] == "cancelled" and cancelled["cost"] == {"amount": 0.0, "unit": "USD"}


def test_seedance_estimate_compares_fal_in_usd(cli: Callable[..., Any]) -> None:
    code, payload, _ = cli({}, "estimate", "--model", "seedance-2.0", "--json")
    assert code == 0
    [row] = [e for e in payload["estimates"] if e["provider"] == "fal"]
    assert (row["model"], row["unit"], row["amount"], row["tokens"]) == (
        "seedance-2.0",
        "USD",
        1.512,
        108_000,
    )


def test_a_lost_submit_answer_settles_unknown_and_is_never_resent(
    tmp_path: Path, cli: Callable[..., Any]
) -> None:
    """fal keeps no idempotency key and its queue lists no requests: the job stays unknown."""
    with Sandbox(SandboxConfig(speed=0.002, faults=[Fault(kind="reset", on="submit", times=1)])) as sb:
        env = simulator_env(sb, "fal", tmp_path, KEY)
        code, job, err = cli(env, "generate", "Fog over a pier", "--json")
        assert err.startswith("fal seedance-1.5-pro: submitting")
        assert code == 1 and job["status"] == "unknown" and job["provider_task_id"] is None
        assert "NOT resent" in job["notice"]
        assert len(sb.tasks("fal")) == 1  # the simulator did queue it, once
        code, again, _ = cli(env, "status", job["job_id"], "--json")
        assert again["status"] == "unknown" and len(sb.tasks("fal")) == 1
