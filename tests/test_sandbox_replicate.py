"""The Replicate simulator (below /replicate, for base .../v1), driven over HTTP like the other
sandbox tests: with raw requests, with the project's own Replicate client side
(`providers.replicate`), with the official client as a second client, and end to end under the
engine, where a video not saved within the hour ends `expired` with `output_deleted`.

Time never passes for real: render timing and the hour run on an injected clock (or speed 0).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
import replicate
from cli_harness import run_cli
from fakes import FakeClock

from seedance_mcp.engine import Service
from seedance_mcp.errors import CannotCancel, ProviderRejected
from seedance_mcp.film.media import probe
from seedance_mcp.models import JobStatus, VideoRequest
from seedance_mcp.providers import PROVIDERS, get_provider
from seedance_mcp.providers.replicate import Replicate
from seedance_mcp.retry import RetryPolicy
from seedance_mcp.sandbox import Fault, Sandbox
from seedance_mcp.sandbox.app import SIMULATORS
from seedance_mcp.sandbox.media import sample_mp4
from seedance_mcp.sandbox.replicate import MIN_KEPT, PAGE_SIZE, ReplicateSim, files_kept
from seedance_mcp.settings import Settings
from seedance_mcp.validation import resolve_request

KEY = "r8_sandbox-test-token-not-real"
AUTH = {"Authorization": f"Bearer {KEY}"}
IMAGE = "https://example.com/first.png"
END = "https://example.com/last.png"
V20 = "bytedance/seedance-2.0"
PRO10 = "bytedance/seedance-1-pro"
P = PROVIDERS["replicate"]
Json = dict[str, Any]


# `sandbox` and `client` come from `sandbox_fixtures`.


def base(sb: Sandbox) -> str:
    return sb.base_url("replicate")


def create(client: httpx2.Client, sb: Sandbox, model: str = V20, **fields: Any) -> httpx2.Response:
    body: Json = {"input": {"prompt": "A red kite over the dunes, slow pan", **fields}}
    return client.post(f"{base(sb)}/models/{model}/predictions", json=body)


def create_ok(client: httpx2.Client, sb: Sandbox, model: str = V20, **fields: Any) -> Json:
    answer = create(client, sb, model, **fields)
    assert answer.status_code == 201, answer.text
    found: Json = answer.json()
    return found


def get(client: httpx2.Client, sb: Sandbox, prediction_id: str) -> Json:
    answer = client.get(f"{base(sb)}/predictions/{prediction_id}")
    assert answer.status_code == 200, answer.text
    found: Json = answer.json()
    return found


def problem(answer: httpx2.Response, status: int) -> Json:
    assert answer.status_code == status, answer.text
    body: Json = answer.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def seconds_of(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


# -- mounting --------------------------------------------------------------------------------------


def test_the_simulator_is_mounted_for_the_provider() -> None:
    assert ReplicateSim in SIMULATORS and ReplicateSim.id == "replicate"
    assert isinstance(get_provider("replicate"), Replicate)


# -- create, get, the statuses ----------------------------------------------------------------------


def test_a_prediction_from_starting_to_a_downloaded_mp4(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    clock = FakeClock()
    sb = sandbox(speed=1.0, clock=clock)
    created = create_ok(client, sb, duration=5, resolution="480p", generate_audio=False)
    pid = created["id"]
    assert len(pid) == 26 and pid.isalnum() and pid.islower()
    assert created["status"] == "starting" and created["output"] is None and created["error"] is None
    assert (created["model"], created["version"], created["source"]) == (V20, "hidden", "api")
    assert created["input"] == {
        "prompt": "A red kite over the dunes, slow pan",
        "duration": 5,
        "resolution": "480p",
        "generate_audio": False,
    }
    assert created["urls"] == {
        "get": f"{base(sb)}/predictions/{pid}",
        "cancel": f"{base(sb)}/predictions/{pid}/cancel",
        "web": f"{base(sb)}/p/{pid}",
    }
    assert created["created_at"].endswith("Z") and created["data_removed"] is False
    assert "started_at" not in created and "metrics" not in created
    assert [t.state for t in sb.tasks("replicate")] == ["queued"]

    clock.advance(30)  # a 5 s 2.0 clip renders in 60-180 s, a tenth of it starting
    running = client.get(created["urls"]["get"]).json()
    assert running["status"] == "processing" and "started_at" in running

    clock.advance(200)
    done = get(client, sb, pid)
    assert done["status"] == "succeeded" and done["output"] == f"{sb.url}/files/{pid}.mp4"
    assert (
        done["metrics"]["predict_time"] > 0
        and done["metrics"]["total_time"] >= done["metrics"]["predict_time"]
    )
    assert seconds_of(done["completed_at"]) > seconds_of(done["started_at"]) > seconds_of(done["created_at"])
    video = client.get(done["output"])
    assert video.status_code == 200 and video.content == sample_mp4()
    [task] = sb.tasks("replicate")
    assert (task.state, task.credits) == ("succeeded", 0)  # Replicate bills money afterwards


def test_the_output_is_deleted_an_hour_after_the_prediction_finished(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    clock = FakeClock()
    sb = sandbox(speed=1.0, clock=clock)
    pid = create_ok(client, sb, image=IMAGE)["id"]
    clock.advance(180.0)  # done (a 5 s clip: at most 180 s)
    done = get(client, sb, pid)
    assert done["status"] == "succeeded"
    ended = seconds_of(done["completed_at"]) - seconds_of(done["created_at"])
    clock.advance(ended + 3600 - 180.0 - 0.01)  # a moment before the hour is up
    assert client.get(done["output"]).status_code == 200
    clock.advance(0.02)
    assert client.get(done["output"]).status_code == 404
    gone = get(client, sb, pid)
    assert (gone["status"], gone["output"], gone["input"], gone["data_removed"]) == (
        "succeeded",
        None,
        {},
        True,
    )
    state = P.parse_status(200, gone)
    assert (
        state.status is JobStatus.EXPIRED and state.error is not None and state.error.code == "output_deleted"
    )


def test_the_hour_holds_in_another_process_sharing_the_state_file(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, tmp_path: Path
) -> None:
    state = tmp_path / "sandbox.sqlite3"
    first = sandbox(speed=1.0, clock=FakeClock(), state_path=state)
    pid = create_ok(client, first)["id"]
    clock = FakeClock()
    later = sandbox(speed=1.0, clock=clock, state_path=state)  # another process, same store
    assert get(client, later, pid)["status"] == "starting"  # found in the store, as old as it is
    clock.advance(180)
    assert client.get(get(client, later, pid)["output"]).status_code == 200
    clock.advance(3600)
    assert client.get(f"{later.url}/files/{pid}.mp4").status_code == 404
    assert get(client, later, pid)["data_removed"] is True


def test_the_hour_is_scaled_by_speed_but_never_below_a_floor() -> None:
    assert files_kept(1.0) == 3600.0
    assert files_kept(0.05) == 180.0
    assert files_kept(0.001) == MIN_KEPT
    assert files_kept(0.0) is None  # speed 0 simulates no time at all: the file is kept


def test_failed_render_carries_an_error_string(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    sb = sandbox(faults=[Fault("fail_render", "submit"), Fault("fail_render", "submit", code="E005")])
    first = get(client, sb, create_ok(client, sb)["id"])
    second = get(client, sb, create_ok(client, sb)["id"])
    assert (first["status"], first["output"]) == ("failed", None)
    assert first["error"] == "Prediction failed (sandbox fault)"
    assert second["error"] == "E005: Prediction failed (sandbox fault)"
    state = P.parse_status(200, second)
    assert state.status is JobStatus.FAILED and state.error is not None and "E005" in state.error.message


# -- cancel -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("after", [0.0, 30.0], ids=["starting", "processing"])
def test_cancel_a_starting_or_processing_prediction(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, after: float
) -> None:
    clock = FakeClock()
    sb = sandbox(speed=1.0, clock=clock)
    created = create_ok(client, sb)
    clock.advance(after)
    answer = client.post(created["urls"]["cancel"])
    assert answer.status_code == 200, answer.text
    cancelled = answer.json()
    assert cancelled["status"] == "canceled" and "completed_at" in cancelled
    assert ("started_at" in cancelled) is (after > 0)
    clock.advance(600)
    assert get(client, sb, created["id"])["status"] == "canceled"  # it never finishes
    assert [t.state for t in sb.tasks("replicate")] == ["cancelled"]


def test_cancel_a_finished_prediction_leaves_it_as_it_is(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    sb = sandbox()  # speed 0: done at once
    pid = create_ok(client, sb)["id"]
    answer = client.post(f"{base(sb)}/predictions/{pid}/cancel")
    assert answer.status_code == 200 and answer.json()["status"] == "succeeded"
    assert client.get(answer.json()["output"]).status_code == 200


# -- list --------------------------------------------------------------------------------------------


def test_the_list_is_newest_first_with_cursors(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    sb = sandbox()
    ids = [create_ok(client, sb, seed=i)["id"] for i in range(PAGE_SIZE + 2)]
    first = client.get(f"{base(sb)}/predictions").json()
    assert first["previous"] is None and first["next"].startswith(f"{base(sb)}/predictions?cursor=")
    assert [p["id"] for p in first["results"]] == ids[::-1][:PAGE_SIZE]
    second = client.get(first["next"]).json()
    assert [p["id"] for p in second["results"]] == ids[::-1][PAGE_SIZE:]
    assert second["next"] is None and second["previous"] is not None
    assert client.get(second["previous"]).json()["results"] == first["results"]
    bad = client.get(f"{base(sb)}/predictions", params={"cursor": "%%%"})
    assert problem(bad, 400)["detail"].startswith("cursor:")


def test_the_list_filters_by_creation_time_and_owner(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    sb = sandbox()
    pid = create_ok(client, sb)["id"]
    with httpx2.Client(headers={"Authorization": "Bearer r8_someone-else-entirely"}) as other:
        assert other.get(f"{base(sb)}/predictions").json()["results"] == []
    now = datetime.now(UTC)
    after = client.get(f"{base(sb)}/predictions", params={"created_after": now.isoformat()}).json()
    before = client.get(
        f"{base(sb)}/predictions", params={"created_before": now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
    ).json()
    assert after["results"] == [] and [p["id"] for p in before["results"]] == [pid]


def test_a_listed_prediction_is_found_again_by_its_exact_input(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    sb = sandbox()
    req = resolve_request(VideoRequest(prompt="a fox in the snow", seed=3, image_url=IMAGE), P)
    wire = P.build_submit(req, "k")
    since = time.time() - 1
    made = client.post(wire.url(base(sb)), json=wire.json).json()
    client.post(wire.url(base(sb)), json={"input": {**wire.json["input"], "seed": 4}})  # type: ignore[index]
    recent = P.build_recent(req)
    assert recent is not None
    listed = client.get(recent.url(base(sb))).json()
    assert P.find_recent(listed, req, since=since, until=time.time() + 1) == [made["id"]]


# -- validation: Replicate's 422, naming each field -------------------------------------------------------

INVALID: list[tuple[str, Json, str, str]] = [
    (V20, {"fps": 24}, "input", "Additional property fps is not allowed"),
    (V20, {"duration": 16}, "input.duration", "less than or equal to 15"),
    (V20, {"duration": 3}, "input.duration", "Must be -1 or 4 to 15"),
    (PRO10, {"duration": 1}, "input.duration", "greater than or equal to 2"),
    (V20, {"resolution": "1080p"}, "input.resolution", '"480p", "720p"'),
    (PRO10, {"aspect_ratio": "adaptive"}, "input.aspect_ratio", "must be one of"),
    (PRO10, {"fps": 30}, "input.fps", "must be one of the following: 24"),
    (PRO10, {"generate_audio": True}, "input", "Additional property generate_audio is not allowed"),
    (PRO10, {"camera_fixed": "yes"}, "input.camera_fixed", "Expected: boolean"),
    (V20, {"seed": 1.5}, "input.seed", "Expected: integer"),
    (V20, {"last_frame_image": END}, "input.image", "required with last_frame_image"),
    (V20, {"image": "file:///etc/passwd"}, "input.image", "format 'uri'"),
    (V20, {"reference_images": [IMAGE] * 10}, "input.reference_images", "at most 9 items"),
    (V20, {"reference_images": ["file:///etc/passwd"]}, "input.reference_images.0", "http(s) URL"),
    (V20, {"reference_audios": [IMAGE]}, "input.reference_audios", "needs a reference image or video"),
    (V20, {"reference_images": [IMAGE], "image": IMAGE}, "input.reference_images", "cannot be combined"),
    (V20, {"prompt": "@image1 waves", "reference_images": [IMAGE]}, "input.prompt", "[Image1]"),
    (V20, {"prompt": ""}, "input.prompt", "non-empty string"),
]


@pytest.mark.parametrize(
    ("model", "fields", "field", "words"), INVALID, ids=[f"{r[0]}-{r[2]}-{next(iter(r[1]))}" for r in INVALID]
)
def test_invalid_input_is_a_422_naming_the_field(
    shared: Sandbox, client: httpx2.Client, model: str, fields: Json, field: str, words: str
) -> None:
    body = problem(create(client, shared, model, **fields), 422)
    assert body["title"] == "Input validation failed"
    assert any(f["field"] == field and words in f["description"] for f in body["invalid_fields"]), body
    assert f"- {field}: " in body["detail"]
    err = P.error_for(422, body)
    assert isinstance(err, ProviderRejected) and field in err.message


def test_every_invalid_field_is_named_at_once(shared: Sandbox, client: httpx2.Client) -> None:
    body = problem(create(client, shared, V20, duration=99, resolution="4k", aspect_ratio="2:1"), 422)
    assert {f["field"] for f in body["invalid_fields"]} == {
        "input.duration",
        "input.resolution",
        "input.aspect_ratio",
    }


def test_the_create_body_itself_is_checked(shared: Sandbox, client: httpx2.Client) -> None:
    url = f"{base(shared)}/models/{V20}/predictions"
    missing = problem(client.post(url, json={"inptu": {"prompt": "p"}}), 422)
    assert {f["description"] for f in missing["invalid_fields"]} == {
        "input is required",
        "Additional property inptu is not allowed",
    }
    no_prompt = problem(client.post(url, json={"input": {}}), 422)
    assert no_prompt["invalid_fields"] == [
        {"type": "required", "field": "input", "description": "prompt is required"}
    ]
    accepted = client.post(
        url, json={"input": {"prompt": "p", "reference_images": []}, "webhook": "https://x.io/h"}
    )
    assert accepted.status_code == 201
    assert client.post(url, content=b"not json").status_code == 400


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (
            V20,
            {
                "duration": -1,
                "aspect_ratio": "adaptive",
                "generate_audio": True,
                "image": IMAGE,
                "last_frame_image": END,
            },
        ),
        ("bytedance/seedance-2.0-fast", {"duration": 15, "resolution": "480p", "seed": 7}),
        (
            "bytedance/seedance-1.5-pro",
            {"duration": 2, "resolution": "1080p", "fps": 24, "generate_audio": True},
        ),
        (PRO10, {"duration": 12, "camera_fixed": True, "aspect_ratio": "21:9"}),
        ("bytedance/seedance-1-lite", {"reference_images": [], "resolution": "480p"}),
    ],
)
def test_what_each_schema_accepts(shared: Sandbox, client: httpx2.Client, model: str, fields: Json) -> None:
    assert create_ok(client, shared, model, **fields)["model"] == model


# -- errors: problem details ------------------------------------------------------------------------------


def test_a_missing_or_refused_token(sandbox: Callable[..., Sandbox]) -> None:
    sb = sandbox(valid_keys={KEY})
    with httpx2.Client() as anonymous:
        answer = anonymous.get(f"{base(sb)}/predictions")
    assert problem(answer, 401) == {
        "title": "Unauthenticated",
        "detail": "You did not pass an authentication token",
        "status": 401,
    }
    with httpx2.Client(headers={"Authorization": "Bearer r8_wrong-token-entirely"}) as wrong:
        refused = problem(wrong.get(f"{base(sb)}/predictions"), 401)
    assert refused["detail"] == "You did not pass a valid authentication token"


def test_an_unknown_model_or_prediction_is_404(shared: Sandbox, client: httpx2.Client) -> None:
    assert (
        "model bytedance/seedance-9" in problem(create(client, shared, "bytedance/seedance-9"), 404)["detail"]
    )
    assert problem(client.get(f"{base(shared)}/predictions/nope"), 404)["title"] == "Not found"
    assert problem(client.post(f"{base(shared)}/predictions/nope/cancel"), 404)["title"] == "Not found"


def test_a_throttled_create_answers_as_the_rate_limits_page_shows(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    sb = sandbox(faults=[Fault("429", "submit", retry_after=2)])
    answer = create(client, sb)
    assert answer.status_code == 429 and answer.headers["retry-after"] == "2"
    assert answer.json() == {
        "detail": "Request was throttled. Expected available in 2 seconds. (sandbox fault)"
    }
    assert P.error_for(429, answer.json()).retry_after == 2.0
    assert sb.tasks("replicate") == []


# -- the official client against the simulator --------------------------------------------------------------


class _Below(httpx.HTTPTransport):
    """The client's `/v1/...` paths, sent below the simulator's mount (which stands for `.../v1`)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(path=request.url.path.replace("/v1/", "/replicate/", 1))
        return super().handle_request(request)


def test_the_official_client_creates_gets_lists_and_cancels(sandbox: Callable[..., Sandbox]) -> None:
    clock = FakeClock()
    sb = sandbox(speed=1.0, clock=clock)
    transport = _Below()
    try:
        _official_client_round(replicate.Client(api_token=KEY, base_url=sb.url, transport=transport), clock)
    finally:
        transport.close()  # the client keeps its connection pool open otherwise


def _official_client_round(official: replicate.Client, clock: FakeClock) -> None:
    made = official.models.predictions.create(
        model=V20, input={"prompt": "a lighthouse at dusk", "duration": 5}
    )
    assert made.status == "starting" and made.urls is not None and made.urls["get"].endswith(made.id)
    assert made.id in [p.id for p in official.predictions.list().results]
    clock.advance(200)
    got = official.predictions.get(made.id)
    assert got.status == "succeeded" and isinstance(got.output, str) and got.output.endswith(".mp4")
    assert official.predictions.cancel(made.id).status == "succeeded"  # finished: left as it is
    second = official.models.predictions.create(model=V20, input={"prompt": "a second lighthouse"})
    assert official.predictions.cancel(second.id).status == "canceled"
    with pytest.raises(replicate.exceptions.ReplicateError) as caught:
        official.models.predictions.create(model=V20, input={"prompt": "p", "duration": 99})
    assert caught.value.status == 422 and caught.value.title == "Input validation failed"


# -- end to end under the engine: the hour, cancel, a lost create -------------------------------------------

NO_RETRY = RetryPolicy(attempts=1, base_delay=0.0, max_delay=0.0)
REQ = VideoRequest(prompt="a lighthouse keeper climbs the stairs at dusk", model="seedance-2.0", duration=5)


class Clocks:
    """The simulator's clock and the engine's (wall-like) clock, moved on together."""

    def __init__(self) -> None:
        self.sim = FakeClock()
        self.shift = 0.0

    def engine(self) -> float:
        return time.time() + self.shift

    def advance(self, seconds: float) -> None:
        self.sim.advance(seconds)
        self.shift += seconds


def service(sb: Sandbox, tmp_path: Path, clocks: Clocks, retry: RetryPolicy = NO_RETRY) -> Service:
    settings = Settings.from_env(
        {
            "REPLICATE_API_TOKEN": KEY,
            "SEEDANCE_PROVIDER": "replicate",
            "SEEDANCE_BASE_URL": base(sb),
            "SEEDANCE_HOME": str(tmp_path / "home"),
            "SEEDANCE_OUTPUT_DIR": str(tmp_path / "videos"),
        }
    )
    return Service(settings, retry=retry, clock=clocks.engine)


@pytest.mark.anyio
async def test_a_video_not_saved_within_the_hour_ends_expired(
    sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    clocks = Clocks()
    sb = sandbox(speed=1.0, clock=clocks.sim)
    svc = service(sb, tmp_path, clocks)
    try:
        job = await svc.generate(REQ, wait_seconds=0)
        assert job.status is JobStatus.QUEUED and job.provider_task_id
        clocks.advance(200)  # rendered
        done = await svc.status(job.job_id, download=False)
        assert done.status is JobStatus.SUCCEEDED and done.video_url and done.video_path is None
        assert done.notice is not None and "replicate deletes the file 60 minutes after" in done.notice
        clocks.advance(3600)  # the download comes too late: the file is gone
        late = await svc.status(job.job_id)
    finally:
        svc.close()
    assert late.status is JobStatus.EXPIRED and late.video_path is None
    assert late.error is not None and late.error.code == "output_deleted"
    assert "not saved in time" in late.error.message
    assert late.notice is not None and "deleted the file before it was saved" in late.notice
    assert not list(tmp_path.glob("videos/*.mp4"))
    served = [(r.method, r.status_code) for r in sb.requests if r.path.startswith("/files/")]
    assert served == [("GET", 404)]


@pytest.mark.anyio
async def test_a_job_first_checked_after_the_hour_is_expired_at_once(
    sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    clocks = Clocks()
    sb = sandbox(speed=1.0, clock=clocks.sim)
    svc = service(sb, tmp_path, clocks)
    try:
        job = await svc.generate(REQ, wait_seconds=0)
        clocks.advance(200 + 3600)
        late = await svc.status(job.job_id)
    finally:
        svc.close()
    assert late.status is JobStatus.EXPIRED and late.error is not None and late.error.code == "output_deleted"
    assert not [r for r in sb.requests if r.path.startswith("/files/")]  # nothing left to fetch


@pytest.mark.anyio
async def test_a_video_saved_in_time_is_kept(sandbox: Callable[..., Sandbox], tmp_path: Path) -> None:
    clocks = Clocks()
    sb = sandbox(speed=1.0, clock=clocks.sim)
    svc = service(sb, tmp_path, clocks)
    try:
        job = await svc.generate(REQ, wait_seconds=0)
        clocks.advance(200 + 3000)  # well within the hour after the render ended
        saved = await svc.status(job.job_id)
    finally:
        svc.close()
    assert saved.status is JobStatus.SUCCEEDED and saved.video_path is not None
    assert Path(saved.video_path).read_bytes() == sample_mp4()


@pytest.mark.anyio
@pytest.mark.parametrize("after", [0.0, 30.0], ids=["starting", "processing"])
async def test_cancel_through_the_engine(
    sandbox: Callable[..., Sandbox], tmp_path: Path, after: float
) -> None:
    clocks = Clocks()
    sb = sandbox(speed=1.0, clock=clocks.sim)
    svc = service(sb, tmp_path, clocks)
    try:
        job = await svc.generate(REQ, wait_seconds=0)
        clocks.advance(after)
        cancelled = await svc.cancel(job.job_id)
        with pytest.raises(CannotCancel, match="already cancelled"):
            await svc.cancel(job.job_id)
    finally:
        svc.close()
    assert cancelled.status is JobStatus.CANCELLED
    calls = [(r.method, r.path.rsplit("/", 1)[-1]) for r in sb.requests if "/predictions" in r.path]
    assert calls[1:] == [("GET", job.provider_task_id), ("POST", "cancel"), ("GET", job.provider_task_id)]
    assert [t.state for t in sb.tasks("replicate")] == ["cancelled"]


@pytest.mark.anyio
async def test_a_lost_create_answer_is_found_in_the_list_and_never_resent(
    sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    clocks = Clocks()
    sb = sandbox(speed=1.0, clock=clocks.sim, faults=[Fault("reset", "submit")])  # made, then the answer lost
    svc = service(sb, tmp_path, clocks, retry=RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0))
    try:
        job = await svc.generate(REQ, wait_seconds=0)
    finally:
        svc.close()
    [task] = sb.tasks("replicate")
    assert job.status is JobStatus.QUEUED and job.provider_task_id == task.id
    assert job.notice is not None and "exactly one task" in job.notice
    creates = [r for r in sb.requests if r.method == "POST" and r.path.endswith("/predictions")]
    assert len(creates) == 1  # never re-sent
    assert any(r.method == "GET" and r.path == "/replicate/predictions" for r in sb.requests)


# -- the done-when, through the CLI in sandbox mode ------------------------------------------------------


def sandbox_mode(tmp_path: Path, speed: str) -> dict[str, str]:
    return {
        "SEEDANCE_SANDBOX": "1",
        "SEEDANCE_SANDBOX_SPEED": speed,
        "SEEDANCE_HOME": str(tmp_path / "home"),
        "SEEDANCE_OUTPUT_DIR": str(tmp_path / "videos"),
    }


def test_the_cli_renders_seedance_2_on_replicate_to_an_mp4(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["generate", "a lighthouse keeper climbs the stairs at dusk", "--provider", "replicate"]
    argv += ["--model", "seedance-2.0", "--duration", "5", "--json"]
    code, out, _ = run_cli(monkeypatch, capsys, sandbox_mode(tmp_path, "0.005"), *argv)
    job = json.loads(out)
    assert code == 0, job
    assert (job["provider"], job["status"], job["sandbox"]) == ("replicate", "succeeded", True)
    # The CLI's sandbox serves a real clip of the asked length (SandboxConfig(clips=True)).
    clip = probe(Path(job["video_path"]))
    assert abs(clip.duration - 5) <= 1 / 24 and clip.video_codec == "h264"


def test_the_cli_cancels_a_starting_replicate_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = sandbox_mode(tmp_path, "1")  # documented times: the job is still starting a moment later
    argv = [
        "generate",
        "a fox in the snow",
        "--provider",
        "replicate",
        "--duration",
        "15",
        "--no-wait",
        "--json",
    ]
    code, out, _ = run_cli(monkeypatch, capsys, env, *argv)
    job = json.loads(out)
    assert code == 0 and job["status"] == "queued", job
    code, out, _ = run_cli(monkeypatch, capsys, env, "cancel", job["job_id"], "--json")
    cancelled = json.loads(out)
    assert code == 0, cancelled
    assert cancelled["status"] == "cancelled" and "nothing is charged" in cancelled["notice"]
    code, out, _ = run_cli(monkeypatch, capsys, env, "status", job["job_id"], "--json")
    assert json.loads(out)["status"] == "cancelled"  # another look, another simulator: still cancelled
