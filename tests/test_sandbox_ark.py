"""The Ark simulator (BytePlus ModelArk below /byteplus, Volcengine Ark below /volcengine),
driven over HTTP like the other sandbox tests, once with the project's own Ark client side
(`providers.ark`) and, where it is installed, with the official SDK as a second client.

Time never passes for real: render timing runs on an injected clock (or speed 0).
"""

from __future__ import annotations

import struct
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fakes import FakeClock

from seedance_mcp.models import JobStatus, VideoRequest
from seedance_mcp.pricing import actual_cost, dimensions, estimate_request, tokens_for
from seedance_mcp.providers import PROVIDER_IDS, get_provider
from seedance_mcp.providers.ark import MAX_QUEUED, ArkProvider
from seedance_mcp.sandbox import Fault, Sandbox, SandboxConfig
from seedance_mcp.sandbox.app import SIMULATORS
from seedance_mcp.sandbox.ark import SDK_FIELDS
from seedance_mcp.sandbox.media import sample_mp4
from seedance_mcp.validation import resolve_request

KEY = "ark-sandbox-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
TASKS = "/contents/generations/tasks"
IMAGE = "https://example.com/first.png"
END = "https://example.com/last.png"
REGIONS = ["byteplus", "volcengine"]
Json = dict[str, Any]

# The default model in each region (Seedance 1.5 Pro), as the region spells it.
PRO15 = {"byteplus": "seedance-1-5-pro-251215", "volcengine": "doubao-seedance-1-5-pro-251215"}
V20 = {"byteplus": "dreamina-seedance-2-0-260128", "volcengine": "doubao-seedance-2-0-260128"}
FAST20 = {"byteplus": "dreamina-seedance-2-0-fast-260128", "volcengine": "doubao-seedance-2-0-fast-260128"}
PRO10 = {"byteplus": "seedance-1-0-pro-250528", "volcengine": "doubao-seedance-1-0-pro-250528"}
PROFAST10 = {"byteplus": "seedance-1-0-pro-fast-251015", "volcengine": "doubao-seedance-1-0-pro-fast-251015"}
LITE_T2V = {"byteplus": "seedance-1-0-lite-t2v-250428", "volcengine": "doubao-seedance-1-0-lite-t2v-250428"}
LITE_I2V = {"byteplus": "seedance-1-0-lite-i2v-250428", "volcengine": "doubao-seedance-1-0-lite-i2v-250428"}
OTHER = {"byteplus": "volcengine", "volcengine": "byteplus"}


def text(prompt: str = "A red kite over the dunes, slow pan") -> Json:
    return {"type": "text", "text": prompt}


def image(url: str = IMAGE, role: str | None = "first_frame") -> Json:
    item: Json = {"type": "image_url", "image_url": {"url": url}}
    if role is not None:
        item["role"] = role
    return item


def body_for(region: str, **fields: Any) -> Json:
    body: Json = {"model": PRO15[region], "content": [text()], "ratio": "16:9", "duration": 5}
    for name, value in fields.items():
        if value is ...:
            body.pop(name, None)
        else:
            body[name] = value
    return body


# -- fixtures and helpers -----------------------------------------------------------------------


# `sandbox`, `shared` and `client` come from `sandbox_fixtures`.


def create(client: httpx2.Client, sb: Sandbox, region: str, body: Json) -> httpx2.Response:
    return client.post(sb.base_url(region) + TASKS, json=body)


def create_ok(client: httpx2.Client, sb: Sandbox, region: str, body: Json | None = None) -> str:
    answer = create(client, sb, region, body_for(region) if body is None else body)
    assert answer.status_code == 200, answer.text
    assert set(answer.json()) == {"id"}
    task_id: str = answer.json()["id"]
    assert task_id.startswith("cgt-")
    return task_id


def get(client: httpx2.Client, sb: Sandbox, region: str, task_id: str) -> Json:
    answer = client.get(f"{sb.base_url(region)}{TASKS}/{task_id}")
    assert answer.status_code == 200, answer.text
    found: Json = answer.json()
    return found


def listing(client: httpx2.Client, sb: Sandbox, region: str, params: Any = None) -> Json:
    answer = client.get(sb.base_url(region) + TASKS, params=params)
    assert answer.status_code == 200, answer.text
    found: Json = answer.json()
    return found


def delete(client: httpx2.Client, sb: Sandbox, region: str, task_id: str) -> httpx2.Response:
    return client.delete(f"{sb.base_url(region)}{TASKS}/{task_id}")


def ark_error(answer: httpx2.Response, status: int, code: str) -> Json:
    """The `error` object of an Ark error answer, after checking its status, code and shape."""
    assert answer.status_code == status, answer.text
    error: Json = answer.json()["error"]
    assert set(error) == {"code", "message", "param", "type"}
    assert error["code"] == code
    assert "Request id: " in error["message"]
    return error


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG, after checking its signature and every chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, kinds, size = 8, [], (0, 0)
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        chunk = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + chunk), kind
        if kind == b"IHDR":
            size = struct.unpack(">II", chunk[:8])
        if kind == b"IDAT":
            width, height = size
            assert len(zlib.decompress(chunk)) == height * (1 + 3 * width)  # RGB rows, one filter byte
        kinds.append(kind)
        offset += 12 + length
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds
    return size


def provider(region: str) -> ArkProvider:
    found = get_provider(region)
    assert isinstance(found, ArkProvider)
    return found


# -- the simulators are there ---------------------------------------------------------------------


def test_every_provider_has_a_simulator(shared: Sandbox, client: httpx2.Client) -> None:
    assert sorted(sim.id for sim in SIMULATORS) == sorted(PROVIDER_IDS)
    index = client.get(shared.url + "/").json()
    for region in REGIONS:
        assert index["base_urls"][region] == shared.base_url(region)


# -- life cycle -----------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["text", "image"])
@pytest.mark.parametrize("region", REGIONS)
def test_life_cycle_to_a_downloaded_mp4_and_a_png_last_frame(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, region: str, mode: str
) -> None:
    clock = FakeClock()
    sb = sandbox(speed=1.0, clock=clock)
    content = [text()] if mode == "text" else [text(), image(), image(END, "last_frame")]
    body = body_for(region, content=content, return_last_frame=True, seed=42, resolution="480p")
    before = int(time.time())
    task_id = create_ok(client, sb, region, body)

    queued = get(client, sb, region, task_id)
    assert (queued["status"], queued["error"]) == ("queued", None)
    assert "content" not in queued and "usage" not in queued
    assert queued["model"] == PRO15[region] and queued["seed"] == 42
    assert before <= queued["created_at"] == queued["updated_at"] <= time.time()

    clock.advance(5)  # a 5 s 1.5 Pro clip renders in ~40-60 s, the first tenth queued
    running = get(client, sb, region, task_id)
    assert running["status"] == "running"
    assert running["updated_at"] >= running["created_at"]

    clock.advance(600)
    done = get(client, sb, region, task_id)
    assert done["status"] == "succeeded" and done["error"] is None
    assert done["content"]["video_url"] == f"{sb.url}/files/{task_id}.mp4"
    assert done["content"]["last_frame_url"] == f"{sb.url}/files/{task_id}.png"
    assert 40 <= done["updated_at"] - done["created_at"] <= 61
    fields = ("resolution", "ratio", "duration", "generate_audio", "service_tier", "framespersecond")
    assert {k: done[k] for k in fields} == {
        "resolution": "480p",
        "ratio": "16:9",
        "duration": 5,
        "generate_audio": True,  # Ark's default for 1.5 Pro
        "service_tier": "default",
        "framespersecond": 24,
    }

    video = client.get(done["content"]["video_url"])
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    assert video.content == sample_mp4()
    frame = client.get(done["content"]["last_frame_url"])
    assert frame.status_code == 200 and frame.headers["content-type"] == "image/png"
    assert png_size(frame.content) == (160, 90)

    (task,) = sb.tasks(region)
    assert (task.id, task.state, task.credits, task.body) == (task_id, "succeeded", 0, body)


@pytest.mark.parametrize("region", REGIONS)
def test_no_last_frame_unless_asked(shared: Sandbox, client: httpx2.Client, region: str) -> None:
    task_id = create_ok(client, shared, region)
    done = get(client, shared, region, task_id)
    assert set(done["content"]) == {"video_url"}
    assert client.get(f"{shared.url}/files/{task_id}.png").status_code == 404
    assert done["seed"] >= 0  # -1 (the default) asks for a random seed; the answer says which


def test_a_png_of_an_unfinished_task_is_not_served(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    sb = sandbox(speed=1.0, clock=FakeClock())
    task_id = create_ok(client, sb, "byteplus", body_for("byteplus", return_last_frame=True))
    assert client.get(f"{sb.url}/files/{task_id}.png").status_code == 404
    assert client.get(f"{sb.url}/files/{task_id}.jpg").status_code == 404


@pytest.mark.parametrize(
    ("region", "model", "canonical", "resolution", "ratio", "duration"),
    [
        ("byteplus", PRO15["byteplus"], "seedance-1.5-pro", "720p", "16:9", 5),
        ("volcengine", PRO15["volcengine"], "seedance-1.5-pro", "1080p", "21:9", 12),
        ("byteplus", V20["byteplus"], "seedance-2.0", "1080p", "9:16", 15),
        ("volcengine", FAST20["volcengine"], "seedance-2.0-fast", "480p", "adaptive", 4),
        ("byteplus", PRO10["byteplus"], "seedance-1.0-pro", "1080p", "4:3", 2),
        ("volcengine", LITE_T2V["volcengine"], "seedance-1.0-lite", "720p", "1:1", 7),
    ],
)
def test_usage_tokens_are_the_clients_own_formula(
    shared: Sandbox,
    client: httpx2.Client,
    region: str,
    model: str,
    canonical: str,
    resolution: str,
    ratio: str,
    duration: int,
) -> None:
    body = body_for(region, model=model, resolution=resolution, ratio=ratio, duration=duration)
    done = get(client, shared, region, create_ok(client, shared, region, body))
    tokens = tokens_for(*dimensions(canonical, resolution, ratio), 24, duration)
    assert done["usage"] == {"completion_tokens": tokens, "total_tokens": tokens}


# -- the project's own client side against the simulator -------------------------------------------


def _requests(region: str) -> Iterator[VideoRequest]:
    """For each model the region serves: text, start frame, start and end frame, flex, seed."""
    for spec in provider(region).models:
        caps = spec.caps
        yield VideoRequest(prompt="A lantern flickers in the wind", model=spec.name, audio=caps.audio)
        for end in (None, END) if caps.end_image else (None,):
            yield VideoRequest.model_validate(
                {
                    "prompt": "The door swings open",
                    "model": spec.name,
                    "image_url": IMAGE,
                    "end_image_url": end,
                    "duration": caps.durations[-1],
                    "aspect_ratio": caps.aspect_ratios[-1],
                    "resolution": caps.resolutions[0],
                    "fixed_lens": caps.fixed_lens,
                    "seed": 7,
                }
            )
        if caps.flex:
            yield VideoRequest(prompt="Night market, drone shot", model=spec.name, flex=True)


@pytest.mark.parametrize("region", REGIONS)
def test_every_request_the_client_builds_is_accepted_and_costs_what_it_estimated(
    shared: Sandbox, client: httpx2.Client, region: str
) -> None:
    ark = provider(region)
    base = shared.base_url(region)
    priced: list[str] = []
    for raw in _requests(region):
        req = resolve_request(raw, ark)
        wire = ark.build_submit(req, "unused")
        sent = client.request(wire.method, wire.url(base), json=wire.json)
        assert sent.status_code == 200, (req, sent.text)
        task_id = ark.parse_submit(sent.status_code, sent.json())
        status = ark.build_status(task_id)
        answer = client.request(status.method, status.url(base), params=status.params)
        state = ark.parse_status(answer.status_code, answer.json())
        assert state.status is JobStatus.SUCCEEDED and state.video_url
        spec = ark.find_model(req.model or "")
        assert spec is not None and req.resolution and req.aspect_ratio and req.duration
        size = dimensions(spec.name, req.resolution, req.aspect_ratio)
        assert state.tokens == tokens_for(*size, 24, req.duration), req
        estimate = estimate_request(ark, req)
        if estimate.amount is not None:  # a priced model: the recorded cost is the estimate, exactly
            assert estimate.tokens == state.tokens, req
            cost = actual_cost(ark, req, state)
            assert cost is not None and (cost.amount, cost.unit) == (estimate.amount, estimate.unit), req
            priced.append(spec.name)
    assert priced  # the comparison above ran for some models


@pytest.mark.parametrize("region", REGIONS)
def test_the_clients_recovery_look_up_finds_its_task(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, region: str
) -> None:
    sb = sandbox(speed=1.0, clock=FakeClock())
    ark = provider(region)
    base = sb.base_url(region)
    since = time.time()
    wanted = resolve_request(VideoRequest(prompt="Waves on rocks", duration=8, aspect_ratio="9:16"), ark)
    other = resolve_request(VideoRequest(prompt="Waves on rocks", duration=5, aspect_ratio="9:16"), ark)
    for req in (other, wanted, other):
        wire = ark.build_submit(req, "unused")
        assert client.request(wire.method, wire.url(base), json=wire.json).status_code == 200
    recent = ark.build_recent(wanted)
    answer = client.request(recent.method, recent.url(base), params=recent.params)
    found = ark.find_recent(answer.json(), wanted, since=since, until=time.time())
    assert found == [t.id for t in sb.tasks(region) if t.body["duration"] == 8]


@pytest.mark.parametrize("region", REGIONS)
def test_a_failed_render_reads_as_a_failed_job(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, region: str
) -> None:
    sb = sandbox(faults=[Fault("fail_render", "submit", provider=region)])
    task_id = create_ok(client, sb, region)
    answer = get(client, sb, region, task_id)
    assert answer["status"] == "failed" and "usage" not in answer and "content" not in answer
    assert answer["error"]["code"] == "InternalServiceError" and answer["error"]["message"]
    state = provider(region).parse_status(200, answer)
    assert state.status is JobStatus.FAILED and state.error is not None
    assert state.error.code == "InternalServiceError"
    assert client.get(f"{sb.url}/files/{task_id}.mp4").status_code == 404
    assert get(client, sb, region, create_ok(client, sb, region))["status"] == "succeeded"  # times=1


def test_a_fail_render_code_is_ark_s_failure_code(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    code = "OutputVideoSensitiveContentDetected"
    sb = sandbox(faults=[Fault("fail_render", "submit", code=code)])
    answer = get(client, sb, "volcengine", create_ok(client, sb, "volcengine"))
    assert answer["error"]["code"] == code
    state = provider("volcengine").parse_status(200, answer)
    assert state.error is not None and "moderation" in state.error.message


# -- refusals --------------------------------------------------------------------------------------

# (change to the default body, error code, param, a word the message must contain)
REFUSALS: list[tuple[Callable[[str], Json], str, str, str]] = [
    (lambda r: body_for(r, negative_prompt="blur"), "InvalidParameter", "negative_prompt", "allowed: model"),
    (lambda r: body_for(r, frames=121), "InvalidParameter", "frames", "not simulated"),
    (lambda r: body_for(r, model=...), "MissingParameter", "model", PRO15["byteplus"][-6:]),
    (lambda r: body_for(r, content=...), "MissingParameter", "content", "text item"),
    (lambda r: body_for(r, content="a kite"), "InvalidParameter", "content", "a list"),
    (lambda r: body_for(r, content=[]), "InvalidParameter", "content", "a list"),
    (lambda r: body_for(r, content=[image()]), "MissingParameter", "content", "exactly one text item"),
    (lambda r: body_for(r, content=[text(), text()]), "InvalidParameter", "content", "exactly one"),
    (lambda r: body_for(r, content=[text("")]), "InvalidParameter", "content", "content[0].text"),
    (lambda r: body_for(r, content=[text("x" * 2001)]), "InvalidParameter", "content", "1-2000"),
    (
        lambda r: body_for(r, content=[text(), {"type": "video_url", "video_url": {"url": IMAGE}}]),
        "InvalidParameter",
        "content",
        "allowed: text, image_url",
    ),
    (
        lambda r: body_for(r, content=[text(), image(role="reference_image")]),
        "InvalidParameter",
        "content",
        "takes no reference images",
    ),
    (
        lambda r: body_for(r, content=[text(), image(role="reference_video")]),
        "InvalidParameter",
        "content",
        "does not go with type image_url",
    ),
    (
        lambda r: body_for(r, content=[text(), image(role="cover")]),
        "InvalidParameter",
        "content",
        "allowed: first_frame, last_frame",
    ),
    (
        lambda r: body_for(r, content=[text(), image(), image(END)]),
        "InvalidParameter",
        "content",
        "content[2].role",
    ),
    (
        lambda r: body_for(r, content=[text(), image(), image(END, "first_frame")]),
        "InvalidParameter",
        "content",
        "second first_frame",
    ),
    (
        lambda r: body_for(r, content=[text(), image(END, "last_frame")]),
        "InvalidParameter",
        "content",
        "without a first_frame",
    ),
    (
        lambda r: body_for(r, content=[text(), image("ftp://example.com/a.png")]),
        "InvalidParameter",
        "content",
        "content[1].image_url.url",
    ),
    (
        lambda r: body_for(r, model=PROFAST10[r], content=[text(), image(), image(END, "last_frame")]),
        "InvalidParameter",
        "content",
        "takes no last_frame",
    ),
    (
        lambda r: body_for(r, model=LITE_T2V[r], content=[text(), image()]),
        "InvalidParameter",
        "content",
        "text-to-video",
    ),
    (lambda r: body_for(r, model=LITE_I2V[r]), "InvalidParameter", "content", "needs a first_frame"),
    (
        lambda r: body_for(r, ratio="2:1"),
        "InvalidParameter",
        "ratio",
        "16:9, 4:3, 1:1, 3:4, 9:16, 21:9, adaptive",
    ),
    (lambda r: body_for(r, resolution="4k"), "InvalidParameter", "resolution", "480p, 720p, 1080p"),
    (
        lambda r: body_for(r, model=FAST20[r], resolution="1080p"),
        "InvalidParameter",
        "resolution",
        "480p, 720p",
    ),
    (lambda r: body_for(r, duration=3), "InvalidParameter", "duration", "4-12"),
    (lambda r: body_for(r, model=V20[r], duration=16), "InvalidParameter", "duration", "4-15"),
    (lambda r: body_for(r, duration="5"), "InvalidParameter", "duration", "whole seconds"),
    (lambda r: body_for(r, duration=True), "InvalidParameter", "duration", "whole seconds"),
    (
        lambda r: body_for(r, model=PRO10[r], generate_audio=False),
        "InvalidParameter",
        "generate_audio",
        "no sound",
    ),
    (lambda r: body_for(r, generate_audio="yes"), "InvalidParameter", "generate_audio", "true, false"),
    (lambda r: body_for(r, seed=4294967296), "InvalidParameter", "seed", "-1 to 4294967295"),
    (lambda r: body_for(r, seed=-2), "InvalidParameter", "seed", "-1 to 4294967295"),
    (lambda r: body_for(r, model=V20[r], camera_fixed=True), "InvalidParameter", "camera_fixed", "1.x"),
    (lambda r: body_for(r, camera_fixed=1), "InvalidParameter", "camera_fixed", "true, false"),
    (lambda r: body_for(r, watermark="no"), "InvalidParameter", "watermark", "true, false"),
    (lambda r: body_for(r, return_last_frame=1), "InvalidParameter", "return_last_frame", "true, false"),
    (lambda r: body_for(r, service_tier="batch"), "InvalidParameter", "service_tier", "default, flex"),
    (lambda r: body_for(r, model=V20[r], service_tier="flex"), "InvalidParameter", "service_tier", "default"),
    (lambda r: body_for(r, callback_url="not a url"), "InvalidParameter", "callback_url", "http(s) URL"),
    (
        lambda r: body_for(r, execution_expires_after=60),
        "InvalidParameter",
        "execution_expires_after",
        "3600",
    ),
    (lambda r: body_for(r, safety_identifier=5), "InvalidParameter", "safety_identifier", "a string"),
]


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize(("change", "code", "param", "mentions"), REFUSALS)
def test_every_refusal_names_its_field(
    shared: Sandbox,
    client: httpx2.Client,
    region: str,
    change: Callable[[str], Json],
    code: str,
    param: str,
    mentions: str,
) -> None:
    before = len(shared.tasks(region))
    error = ark_error(create(client, shared, region, change(region)), 400, code)
    assert (error["param"], error["type"]) == (param, "BadRequest")
    assert f"`{param}`" in error["message"] and mentions in error["message"]
    assert len(shared.tasks(region)) == before


@pytest.mark.parametrize("region", REGIONS)
def test_another_regions_model_id_is_not_found(shared: Sandbox, client: httpx2.Client, region: str) -> None:
    for model in (PRO15[OTHER[region]], "seedance-1.5-pro", "ep-20260101000000-abcde"):
        error = ark_error(
            create(client, shared, region, body_for(region, model=model)),
            404,
            "InvalidEndpointOrModel.NotFound",
        )
        assert (error["param"], error["type"]) == ("model", "NotFound")
        assert model in error["message"]


def test_the_mini_model_is_volcengine_only(shared: Sandbox, client: httpx2.Client) -> None:
    mini = "doubao-seedance-2-0-mini-260615"
    create_ok(client, shared, "volcengine", body_for("volcengine", model=mini, resolution="480p"))
    ark_error(
        create(client, shared, "byteplus", body_for("byteplus", model=mini)),
        404,
        "InvalidEndpointOrModel.NotFound",
    )


@pytest.mark.parametrize("region", REGIONS)
def test_what_the_sdk_sends_is_accepted(shared: Sandbox, client: httpx2.Client, region: str) -> None:
    """The SDK sends every field it knows, the unset ones as null."""
    body: Json = dict.fromkeys(SDK_FIELDS)
    body |= {"model": LITE_I2V[region], "content": [text(), image(role=None)], "ratio": "adaptive"}
    done = get(client, shared, region, create_ok(client, shared, region, body))
    assert (done["ratio"], done["resolution"], done["duration"]) == ("adaptive", "720p", 5)
    assert "generate_audio" not in done  # a model without sound


@pytest.mark.parametrize("region", REGIONS)
def test_a_body_that_is_not_json_is_refused(shared: Sandbox, client: httpx2.Client, region: str) -> None:
    answer = client.post(
        shared.base_url(region) + TASKS, content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert "JSON" in ark_error(answer, 400, "InvalidParameter")["message"]


@pytest.mark.parametrize("region", REGIONS)
def test_a_missing_or_wrong_key_is_an_authentication_error(
    sandbox: Callable[..., Sandbox], region: str
) -> None:
    sb = sandbox(valid_keys={KEY})
    url = sb.base_url(region) + TASKS
    for headers in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer not-the-key"}):
        with httpx2.Client(headers=headers) as anonymous:
            for answer in (anonymous.post(url, json=body_for(region)), anonymous.get(url)):
                assert ark_error(answer, 401, "AuthenticationError")["type"] == "Unauthorized"
    assert sb.tasks(region) == []


@pytest.mark.parametrize("region", REGIONS)
def test_tasks_belong_to_the_key_that_made_them(shared: Sandbox, client: httpx2.Client, region: str) -> None:
    task_id = create_ok(client, shared, region)
    with httpx2.Client(headers={"Authorization": "Bearer another-key"}) as other:
        answer = other.get(f"{shared.base_url(region)}{TASKS}/{task_id}")
        error = ark_error(answer, 404, "ResourceNotFound")
        assert task_id in error["message"] and error["type"] == "NotFound"
        assert task_id not in other.get(shared.base_url(region) + TASKS).text
        ark_error(other.delete(f"{shared.base_url(region)}{TASKS}/{task_id}"), 404, "ResourceNotFound")
    ark_error(client.get(f"{shared.base_url(region)}{TASKS}/cgt-nope"), 404, "ResourceNotFound")
    ark_error(client.get(f"{shared.base_url(OTHER[region])}{TASKS}/{task_id}"), 404, "ResourceNotFound")


# -- cancel and delete -----------------------------------------------------------------------------


@pytest.mark.parametrize("region", REGIONS)
def test_cancel_while_queued_costs_nothing_and_running_is_refused(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, region: str
) -> None:
    clock = FakeClock()
    sb = sandbox(speed=1.0, clock=clock)
    queued = create_ok(client, sb, region)
    running = create_ok(client, sb, region)
    clock.advance(2)
    answer = delete(client, sb, region, queued)
    assert (answer.status_code, answer.json()) == (200, {})
    cancelled = get(client, sb, region, queued)
    assert cancelled["status"] == "cancelled" and cancelled["error"] is None
    assert "usage" not in cancelled and "content" not in cancelled
    state = provider(region).parse_status(200, cancelled)
    assert state.status is JobStatus.CANCELLED and state.error is not None

    clock.advance(10)  # past the queued tenth of a 40-60 s render
    assert get(client, sb, region, running)["status"] == "running"
    for task_id in (running, queued):
        error = ark_error(delete(client, sb, region, task_id), 403, "OperationDenied.UnsupportedPhase")
        assert error["type"] == "Forbidden" and error["param"] == "id"
        assert "only a queued task can be cancelled" in error["message"]

    clock.advance(600)
    assert get(client, sb, region, queued)["status"] == "cancelled"  # it never runs
    assert {t.id: t.state for t in sb.tasks(region)} == {queued: "cancelled", running: "succeeded"}
    assert client.get(f"{sb.url}/files/{queued}.mp4").status_code == 404


@pytest.mark.parametrize("region", REGIONS)
def test_deleting_a_finished_task_deletes_its_record(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, region: str
) -> None:
    sb = sandbox(faults=[Fault("fail_render", "submit")])
    failed = create_ok(client, sb, region)
    succeeded = create_ok(client, sb, region)
    video_url = get(client, sb, region, succeeded)["content"]["video_url"]
    for task_id in (failed, succeeded):
        assert delete(client, sb, region, task_id).json() == {}
        ark_error(client.get(f"{sb.base_url(region)}{TASKS}/{task_id}"), 404, "ResourceNotFound")
        ark_error(delete(client, sb, region, task_id), 404, "ResourceNotFound")
    assert listing(client, sb, region) == {"total": 0, "items": []}
    assert client.get(video_url).status_code == 200  # the signed URL outlives the record


# -- the queue cap ---------------------------------------------------------------------------------


@pytest.mark.parametrize("region", REGIONS)
def test_at_most_120_tasks_wait_in_the_queue(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, region: str
) -> None:
    clock = FakeClock()
    sb = sandbox(speed=1.0, clock=clock)
    ids = [create_ok(client, sb, region) for _ in range(MAX_QUEUED)]
    error = ark_error(create(client, sb, region, body_for(region)), 429, "QuotaExceeded")
    assert error["type"] == "TooManyRequests" and "120" in error["message"]
    assert len(sb.tasks(region)) == MAX_QUEUED

    with httpx2.Client(headers={"Authorization": "Bearer another-account"}) as other:
        assert other.post(sb.base_url(region) + TASKS, json=body_for(region)).status_code == 200
    assert create(client, sb, OTHER[region], body_for(OTHER[region])).status_code == 200  # per region

    assert delete(client, sb, region, ids[0]).status_code == 200  # a cancelled task leaves the queue
    create_ok(client, sb, region)
    ark_error(create(client, sb, region, body_for(region)), 429, "QuotaExceeded")

    clock.advance(10)  # they start running: running tasks do not count
    create_ok(client, sb, region)


# -- expiry ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("region", REGIONS)
def test_an_expire_fault_leaves_the_task_queued_until_it_expires(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, region: str
) -> None:
    clock = FakeClock()
    sb = sandbox(speed=1.0, clock=clock, faults=[Fault("expire", "submit", provider=region)])
    body = body_for(region, service_tier="flex", execution_expires_after=3600)
    task_id = create_ok(client, sb, region, body)
    clock.advance(3599)
    assert get(client, sb, region, task_id)["status"] == "queued"
    clock.advance(1)
    expired = get(client, sb, region, task_id)
    assert expired["status"] == "expired" and expired["error"] is None
    assert expired["updated_at"] - expired["created_at"] in (3599, 3600, 3601)  # whole seconds
    assert "usage" not in expired and "content" not in expired
    assert (expired["service_tier"], expired["execution_expires_after"]) == ("flex", 3600)
    state = provider(region).parse_status(200, expired)
    assert state.status is JobStatus.EXPIRED and state.error is not None and state.tokens is None
    assert [t.state for t in sb.tasks(region)] == ["expired"]
    assert client.get(f"{sb.url}/files/{task_id}.mp4").status_code == 404

    second = create_ok(client, sb, region, body)  # times=1: the next task renders
    clock.advance(86400)
    assert get(client, sb, region, second)["status"] == "succeeded"
    assert delete(client, sb, region, task_id).json() == {}  # an expired record can be deleted
    assert [t["id"] for t in listing(client, sb, region)["items"]] == [second]


def test_expiry_scales_with_speed_and_other_providers_never_draw_it(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    sb = sandbox(faults=[Fault("expire", "submit")])  # speed 0: the expiry has passed at once
    other = client.post(
        sb.base_url("seedanceapi") + "/generate", json={"prompt": "A cinematic shot of mountains"}
    )
    assert other.status_code == 200
    assert [t.state for t in sb.tasks("seedanceapi")] == ["succeeded"]
    task_id = create_ok(client, sb, "byteplus")
    assert get(client, sb, "byteplus", task_id)["status"] == "expired"


def test_expire_is_a_submit_fault() -> None:
    with pytest.raises(ValueError, match="allowed: submit"):
        Fault("expire", "status")


# -- the list --------------------------------------------------------------------------------------


@pytest.mark.parametrize("region", REGIONS)
def test_the_list_is_newest_first_with_filters_and_pages(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, region: str
) -> None:
    clock = FakeClock()
    sb = sandbox(speed=1.0, clock=clock)
    first = create_ok(client, sb, region, body_for(region, service_tier="flex"))
    clock.advance(1)
    second = create_ok(client, sb, region, body_for(region, model=PRO10[region], duration=3))
    clock.advance(1)
    third = create_ok(client, sb, region)
    assert delete(client, sb, region, third).status_code == 200  # cancelled
    clock.advance(1)
    newest = create_ok(client, sb, region)

    everything = listing(client, sb, region)
    assert everything["total"] == 4
    assert [t["id"] for t in everything["items"]] == [newest, third, second, first]
    assert everything["items"][0] == get(client, sb, region, newest)

    def ids(params: Any) -> list[str]:
        return [t["id"] for t in listing(client, sb, region, params)["items"]]

    assert ids({"filter.status": "cancelled"}) == [third]
    assert ids({"filter.status": "queued"}) == [newest, second, first]
    assert ids({"filter.model": PRO10[region]}) == [second]
    assert ids({"filter.service_tier": "flex"}) == [first]
    assert ids([("filter.task_ids", first), ("filter.task_ids", newest)]) == [newest, first]
    assert ids({"filter.status": "queued", "filter.model": PRO15[region]}) == [newest, first]
    page = listing(client, sb, region, {"page_size": 2, "page_num": 2})
    assert (page["total"], [t["id"] for t in page["items"]]) == (4, [second, first])
    assert listing(client, sb, region, {"page_size": 2, "page_num": 3}) == {"total": 4, "items": []}

    clock.advance(600)  # past the default tier's renders; the flex tier takes longer
    assert ids({"filter.status": "succeeded"}) == [newest, second]
    clock.advance(86400)
    assert ids({"filter.status": "succeeded"}) == [newest, second, first]


@pytest.mark.parametrize(
    ("params", "param", "mentions"),
    [
        ({"page_size": "0"}, "page_size", "1 to 500"),
        ({"page_size": "501"}, "page_size", "1 to 500"),
        ({"page_num": "x"}, "page_num", "1 to 500"),
        (
            {"filter.status": "done"},
            "filter.status",
            "queued, running, succeeded, failed, cancelled, expired",
        ),
        ({"filter.service_tier": "fast"}, "filter.service_tier", "default, flex"),
    ],
)
def test_a_bad_list_query_names_its_parameter(
    shared: Sandbox, client: httpx2.Client, params: Json, param: str, mentions: str
) -> None:
    error = ark_error(
        client.get(shared.base_url("volcengine") + TASKS, params=params), 400, "InvalidParameter"
    )
    assert error["param"] == param and mentions in error["message"]


# -- faults through the common pipeline ------------------------------------------------------------


@pytest.mark.parametrize("region", REGIONS)
def test_answer_faults_use_ark_s_codes(
    sandbox: Callable[..., Sandbox], client: httpx2.Client, region: str
) -> None:
    faults = [
        Fault("429", "submit", retry_after=3),
        Fault("503", "submit"),
        Fault("500", "submit"),
        Fault("503", "status"),
    ]
    sb = sandbox(faults=faults)
    limited = create(client, sb, region, body_for(region))
    assert ark_error(limited, 429, "RateLimitExceeded")["type"] == "TooManyRequests"
    assert limited.headers["retry-after"] == "3"
    assert ark_error(create(client, sb, region, body_for(region)), 503, "ServerOverloaded")["type"] == (
        "ServiceUnavailable"
    )
    assert sb.tasks(region) == []
    failed = create(client, sb, region, body_for(region))  # 500 after the task was created
    assert ark_error(failed, 500, "InternalServiceError")["type"] == "InternalServerError"
    (task,) = sb.tasks(region)
    ark_error(client.get(f"{sb.base_url(region)}{TASKS}/{task.id}"), 503, "ServerOverloaded")
    assert get(client, sb, region, task.id)["status"] == "succeeded"


def test_a_reset_on_create_leaves_a_task_the_list_finds(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    sb = sandbox(faults=[Fault("reset", "submit", provider="byteplus")])
    with pytest.raises(httpx2.TransportError):
        create(client, sb, "byteplus", body_for("byteplus"))
    (task,) = sb.tasks("byteplus")
    assert [t["id"] for t in listing(client, sb, "byteplus")["items"]] == [task.id]


def test_ark_tasks_draw_nothing_from_the_credit_pool(
    sandbox: Callable[..., Sandbox], client: httpx2.Client
) -> None:
    sb = sandbox(balance=0)
    create_ok(client, sb, "byteplus")
    create_ok(client, sb, "volcengine")
    assert sb.balance == 0
    assert [t.credits for t in sb.tasks()] == [0, 0]


# -- tasks outlive the simulator's process ----------------------------------------------------------


def test_a_cancel_and_a_deleted_record_are_kept_in_the_store(tmp_path: Path, client: httpx2.Client) -> None:
    path = tmp_path / "sandbox.sqlite3"
    with Sandbox(SandboxConfig(speed=1.0, state_path=path, clock=FakeClock())) as first:
        cancelled = create_ok(client, first, "volcengine")
        assert delete(client, first, "volcengine", cancelled).status_code == 200
    with Sandbox(SandboxConfig(speed=0.0, state_path=path)) as second:
        finished = create_ok(client, second, "volcengine")
        assert delete(client, second, "volcengine", finished).status_code == 200
        assert get(client, second, "volcengine", cancelled)["status"] == "cancelled"
    with Sandbox(SandboxConfig(speed=0.0, state_path=path)) as third:
        everything = listing(client, third, "volcengine")
        assert [t["id"] for t in everything["items"]] == [cancelled]
        ark_error(client.get(f"{third.base_url('volcengine')}{TASKS}/{finished}"), 404, "ResourceNotFound")


# -- the official SDK as a client ------------------------------------------------------------------


# The SDK's own request options trip a pydantic serializer warning for list-valued query params.
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning")
@pytest.mark.parametrize("region", REGIONS)
def test_the_official_sdk_drives_the_simulator(sandbox: Callable[..., Sandbox], region: str) -> None:
    sdk = pytest.importorskip("volcenginesdkarkruntime")
    clock = FakeClock()
    sb = sandbox(speed=1.0, clock=clock)
    ark = sdk.Ark(base_url=sb.base_url(region), api_key=KEY, max_retries=0)
    tasks = ark.content_generation.tasks
    created = tasks.create(
        model=PRO15[region],
        content=[text(), image(), image(END, "last_frame")],
        ratio="9:16",
        resolution="720p",
        duration=8,
        generate_audio=False,
        camera_fixed=True,
        seed=11,
        return_last_frame=True,
    )
    to_cancel = tasks.create(model=PRO10[region], content=[text()])
    assert tasks.get(task_id=created.id).status == "queued"
    tasks.delete(to_cancel.id)
    assert [t.id for t in tasks.list(status="cancelled").items] == [to_cancel.id]

    clock.advance(600)
    done = tasks.get(task_id=created.id)
    assert (done.status, done.seed, done.ratio, done.duration, done.generate_audio) == (
        "succeeded",
        11,
        "9:16",
        8,
        False,
    )
    assert done.usage.completion_tokens == tokens_for(*dimensions("seedance-1.5-pro", "720p", "9:16"), 24, 8)
    assert done.content.last_frame_url.endswith(".png")
    found = tasks.list(page_size=10, task_ids=[created.id, to_cancel.id], model=PRO15[region])
    assert (found.total, [t.id for t in found.items]) == (1, [created.id])
    errors = pytest.importorskip("volcenginesdkarkruntime._exceptions")
    with pytest.raises(errors.ArkNotFoundError) as missing:
        tasks.get(task_id="cgt-missing")
    assert missing.value.code == "ResourceNotFound"
    with pytest.raises(errors.ArkBadRequestError) as refused:
        tasks.create(model=PRO15[region], content=[text()], ratio="2:1")
    assert refused.value.code == "InvalidParameter" and refused.value.param == "ratio"
