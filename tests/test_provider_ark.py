"""Contract tests for Ark: BytePlus ModelArk (`byteplus`) and Volcengine Ark (`volcengine`).

The official SDK (`volcenginesdkarkruntime`, a test-only dependency) is the oracle for the
wire: each request is built by the SDK over a mock transport and compared with ours (method,
path joined onto the region's base URL, query, JSON body). Answers are fed to the SDK's own
models too, so the shapes read here are shapes the SDK reads. The model ids and the error
table are written out by hand from Ark's documents (sources beside them), not imported.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from provider_harness import exchange
from volcenginesdkarkruntime import Ark

from seedance_mcp.client import nothing_created
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
from seedance_mcp.providers import PROVIDERS, ModelSpec, Provider, WireRequest, get_model
from seedance_mcp.providers.ark import SENT_WITH, ArkProvider
from seedance_mcp.validation import resolve_request

BYTEPLUS = PROVIDERS["byteplus"]
VOLCENGINE = PROVIDERS["volcengine"]
REGIONS = (BYTEPLUS, VOLCENGINE)
FAKE_KEY = "test-key-0000-not-a-real-ark-key"
START = "https://cdn.example.com/frames/start.png"
END = "https://cdn.example.com/frames/end.png"
PROMPT = "a paper boat drifts down a rain gutter, close-up, soft morning light"
TASK_ID = "cgt-20260401123456-abcde"

# The model ids Ark documents, by region (PLATFORMS.md section 1: BytePlus 1366799, the
# BytePlus Seedance 2.5 page's capability table, which lists 2.0 mini; Volcengine ids carry
# `doubao-`). Seedance 1.0 lite has one id per mode: (text-to-video, image-to-video).
DOCUMENTED_IDS: dict[str, dict[str, tuple[str, str | None]]] = {
    "byteplus": {
        "seedance-1.0-lite": ("seedance-1-0-lite-t2v-250428", "seedance-1-0-lite-i2v-250428"),
        "seedance-1.0-pro": ("seedance-1-0-pro-250528", None),
        "seedance-1.0-pro-fast": ("seedance-1-0-pro-fast-251015", None),
        "seedance-1.5-pro": ("seedance-1-5-pro-251215", None),
        "seedance-2.0": ("dreamina-seedance-2-0-260128", None),
        "seedance-2.0-fast": ("dreamina-seedance-2-0-fast-260128", None),
        "seedance-2.0-mini": ("dreamina-seedance-2-0-mini-260615", None),
        "seedance-2.5": ("dreamina-seedance-2-5-260628", None),
    },
    "volcengine": {
        "seedance-1.0-lite": ("doubao-seedance-1-0-lite-t2v-250428", "doubao-seedance-1-0-lite-i2v-250428"),
        "seedance-1.0-pro": ("doubao-seedance-1-0-pro-250528", None),
        "seedance-1.0-pro-fast": ("doubao-seedance-1-0-pro-fast-251015", None),
        "seedance-1.5-pro": ("doubao-seedance-1-5-pro-251215", None),
        "seedance-2.0": ("doubao-seedance-2-0-260128", None),
        "seedance-2.0-fast": ("doubao-seedance-2-0-fast-260128", None),
        "seedance-2.0-mini": ("doubao-seedance-2-0-mini-260615", None),
        "seedance-2.5": ("doubao-seedance-2-5-260628", None),
    },
}


# --- the SDK as an oracle -----------------------------------------------------------------


def sdk_exchange(
    provider: Provider, call: Callable[[Ark], Any], answer: Any = None, status: int = 200
) -> tuple[httpx.Request, Any]:
    """Run one SDK call against a mock of `provider`'s region that answers `status` with the
    JSON `answer`; returns the one request the SDK sent and what the call returned."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json={"id": "cgt-sdk"} if answer is None else answer)

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        client = Ark(base_url=provider.base_url, api_key=FAKE_KEY, http_client=http, max_retries=0)
        result = call(client)
    assert len(seen) == 1, "the SDK sent more than one request"
    return seen[0], result


def sdk_body(request: httpx.Request) -> dict[str, Any]:
    """The SDK's JSON body without its null-valued keys.

    The SDK does not drop unset keywords: `Tasks.create` puts every keyword in the body and
    its base client sends it as it is, so an unset field goes on the wire as `null` (read in
    `resources/content_generation/tasks.py` and `_base_client._build_request`, 5.0.54). Ark
    treats a null as "not given"; we leave such fields out instead, so the nulls are dropped
    here before comparing. Nothing below the top level is ever null.
    """
    body = json.loads(request.content)
    assert isinstance(body, dict)
    assert "null" not in json.dumps({k: v for k, v in body.items() if v is not None})
    return {k: v for k, v in body.items() if v is not None}


def our_url(provider: Provider, wire: WireRequest) -> httpx.URL:
    return httpx.URL(wire.url(provider.base_url), params=dict(wire.params))


def assert_same_request(provider: Provider, sdk: httpx.Request, wire: WireRequest) -> None:
    ours = our_url(provider, wire)
    assert wire.method == sdk.method
    assert ours.copy_with(query=None) == sdk.url.copy_with(query=None)
    assert sorted(ours.params.multi_items()) == sorted(sdk.url.params.multi_items())
    assert "authorization" not in {k.lower() for k in wire.headers}  # the client adds the key


def sdk_create_call(provider: Provider, req: VideoRequest, spec: ModelSpec) -> Callable[[Ark], Any]:
    """The SDK call a user of the SDK would write for the resolved request `req`."""
    text_id, image_id = DOCUMENTED_IDS[provider.id][spec.name]
    content: list[dict[str, Any]] = [{"type": "text", "text": req.prompt}]
    if req.image_url:
        content.append({"type": "image_url", "image_url": {"url": req.image_url}, "role": "first_frame"})
    if req.end_image_url:
        content.append({"type": "image_url", "image_url": {"url": req.end_image_url}, "role": "last_frame"})
    caps = spec.caps

    def call(client: Ark) -> Any:
        return client.content_generation.tasks.create(
            model=image_id if req.image_url and image_id else text_id,
            content=content,  # type: ignore[arg-type]
            ratio=req.aspect_ratio,
            resolution=req.resolution,
            duration=req.duration,
            generate_audio=req.audio if caps.audio else None,
            seed=req.seed,
            camera_fixed=req.fixed_lens if caps.fixed_lens else None,
            watermark=False,
            service_tier="flex" if req.flex else None,
        )

    return call


def modes(spec: ModelSpec) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every mode the model allows, one at a time, then all of them at once with values that
    are not the defaults."""
    caps = spec.caps
    yield "text", {}
    everything: dict[str, Any] = {
        "resolution": caps.resolutions[0],
        "aspect_ratio": "9:16",
        "duration": caps.durations[-1],
    }
    if caps.start_image:
        yield "first_frame", {"image_url": START}
        everything["image_url"] = START
    if caps.end_image:
        yield "first_last_frame", {"image_url": START, "end_image_url": END}
        everything["end_image_url"] = END
    if caps.audio:
        yield "audio_on", {"audio": True}
        yield "audio_off", {"audio": False}
        everything["audio"] = True
    if caps.seed:
        yield "seed", {"seed": 4294967295}
        yield "seed_random", {"seed": -1}
        everything["seed"] = 42
    if caps.fixed_lens:
        yield "fixed_lens", {"fixed_lens": True}
        everything["fixed_lens"] = True
    if caps.flex:
        yield "flex", {"flex": True}
        everything["flex"] = True
    yield "adaptive", {"aspect_ratio": "adaptive"}
    yield "everything", everything


CASES = [
    pytest.param(p, spec, fields, id=f"{p.id}-{spec.name}-{mode}")
    for p in REGIONS
    for spec in p.models
    for mode, fields in modes(spec)
]


# --- registry and model ids -----------------------------------------------------------------


def test_both_regions_are_registered_as_one_mapping() -> None:
    assert isinstance(BYTEPLUS, ArkProvider) and isinstance(VOLCENGINE, ArkProvider)
    assert BYTEPLUS.base_url == "https://ark.ap-southeast.bytepluses.com/api/v3"
    assert VOLCENGINE.base_url == "https://ark.cn-beijing.volces.com/api/v3"
    assert (BYTEPLUS.key_env, VOLCENGINE.key_env) == ("BYTEPLUS_API_KEY", "VOLCENGINE_API_KEY")
    assert (BYTEPLUS.unit, VOLCENGINE.unit) == ("USD", "CNY")
    assert (BYTEPLUS.other_region, VOLCENGINE.other_region) == ("volcengine", "byteplus")
    assert BYTEPLUS.default_model.name == VOLCENGINE.default_model.name == "seedance-1.5-pro"


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_model_ids_are_the_documented_ones(provider: Provider) -> None:
    served = {m.name: (m.wire_id, m.image_wire_id) for m in provider.models}
    assert served == DOCUMENTED_IDS[provider.id]


# --- create: our body is the SDK's body -------------------------------------------------------


@pytest.mark.parametrize(("provider", "spec", "fields"), CASES)
def test_submit_is_the_sdk_request(provider: Provider, spec: ModelSpec, fields: dict[str, Any]) -> None:
    req = resolve_request(VideoRequest(prompt=PROMPT, model=spec.name, **fields), provider)
    wire = provider.build_submit(req, "k")
    sdk, created = sdk_exchange(provider, sdk_create_call(provider, req, spec))
    assert_same_request(provider, sdk, wire)
    assert wire.json is not None
    assert json.loads(json.dumps(wire.json)) == sdk_body(sdk)
    assert dict(wire.headers) == {}  # no idempotency header: Ark has none
    assert created.id == "cgt-sdk"


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_submit_carries_no_idempotency_key(provider: Provider) -> None:
    req = resolve_request(VideoRequest(prompt=PROMPT), provider)
    assert provider.build_submit(req, "job-1") == provider.build_submit(req, "job-2")
    assert not provider.caps.idempotency


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_lite_switches_id_with_a_start_frame(provider: Provider) -> None:
    t2v, i2v = DOCUMENTED_IDS[provider.id]["seedance-1.0-lite"]
    text = resolve_request(VideoRequest(prompt=PROMPT, model="seedance-1.0-lite"), provider)
    image = resolve_request(VideoRequest(prompt=PROMPT, model="seedance-1.0-lite", image_url=START), provider)
    assert provider.build_submit(text, "k").json["model"] == t2v  # type: ignore[index]
    assert provider.build_submit(image, "k").json["model"] == i2v  # type: ignore[index]


# --- get, cancel, list ----------------------------------------------------------------------


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_status_is_the_sdk_request(provider: Provider) -> None:
    sdk, _ = sdk_exchange(
        provider, lambda c: c.content_generation.tasks.get(task_id=TASK_ID), answer={"id": TASK_ID}
    )
    wire = provider.build_status(TASK_ID)
    assert_same_request(provider, sdk, wire)
    assert wire.json is None and sdk.content == b""


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_cancel_is_the_sdk_request(provider: Provider) -> None:
    sdk, _ = sdk_exchange(provider, lambda c: c.content_generation.tasks.delete(TASK_ID), answer={})
    wire = provider.build_cancel(TASK_ID)
    assert wire is not None
    assert_same_request(provider, sdk, wire)
    # The SDK's generic builder puts `{}` in a DELETE; the cancel takes no body, and we send none.
    assert wire.json is None and json.loads(sdk.content or b"{}") == {}


# The SDK passes its list query as pairs where its own options model expects a dict, and
# pydantic warns about that while serializing; the request it sends is right.
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning")
@pytest.mark.parametrize(
    ("provider", "spec", "fields"),
    [
        pytest.param(p, spec, fields, id=f"{p.id}-{spec.name}-{mode}")
        for p in REGIONS
        for spec in p.models
        for mode, fields in (("text", {}), ("first_frame", {"image_url": START}))
    ],
)
def test_recent_tasks_list_is_the_sdk_request(
    provider: Provider, spec: ModelSpec, fields: dict[str, Any]
) -> None:
    req = resolve_request(VideoRequest(prompt=PROMPT, model=spec.name, **fields), provider)
    text_id, image_id = DOCUMENTED_IDS[provider.id][spec.name]
    model_id = image_id if req.image_url and image_id else text_id
    sdk, _ = sdk_exchange(
        provider,
        lambda c: c.content_generation.tasks.list(page_num=1, page_size=50, model=model_id),
        answer={"total": 0, "items": []},
    )
    wire = provider.build_recent(req)
    assert wire is not None
    assert_same_request(provider, sdk, wire)
    assert dict(wire.params) == {"page_num": "1", "page_size": "50", "filter.model": model_id}


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_a_task_id_is_one_path_segment(provider: Provider) -> None:
    # A task id is Ark's own (`cgt-...`); anything else stays inside its path segment.
    assert provider.build_status("a/../b?c").path == "/contents/generations/tasks/a%2F..%2Fb%3Fc"
    assert provider.build_status(TASK_ID).path == f"/contents/generations/tasks/{TASK_ID}"


# --- answers: what Ark sends, as the SDK reads it ---------------------------------------------


def task_answer(status: str, **fields: Any) -> dict[str, Any]:
    """A get-task answer with the fields `ContentGenerationTask` documents."""
    return {
        "id": TASK_ID,
        "model": "seedance-1-5-pro-251215",
        "status": status,
        "created_at": 1775046896,
        "updated_at": 1775046950,
        "seed": 42,
        "resolution": "720p",
        "ratio": "16:9",
        "duration": 5,
        "framespersecond": 24,
        "service_tier": "default",
        "execution_expires_after": 172800,
        "generate_audio": True,
        "draft": False,
        **fields,
    }


VIDEO = "https://ark-content-generation-ap-southeast-1.tos-ap-southeast-1.volces.com/cgt/video.mp4?X-Tos-Expires=86400"
LAST_FRAME = "https://ark-content-generation-ap-southeast-1.tos-ap-southeast-1.volces.com/cgt/last.png"


def sdk_reads(provider: Provider, answer: dict[str, Any]) -> Any:
    """The answer as the SDK's `tasks.get` returns it."""
    _, task = sdk_exchange(provider, lambda c: c.content_generation.tasks.get(task_id=TASK_ID), answer)
    return task


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_submit_answer_is_the_task_id(provider: Provider) -> None:
    answer = {"id": TASK_ID, "safety_identifier": "user-7"}
    req = resolve_request(VideoRequest(prompt=PROMPT), provider)
    _, created = sdk_exchange(provider, sdk_create_call(provider, req, provider.default_model), answer)
    assert provider.parse_submit(200, answer) == created.id == TASK_ID


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_submit_answer_without_an_id_is_refused(provider: Provider) -> None:
    with pytest.raises(ProtocolError, match="no task id"):
        provider.parse_submit(200, {"safety_identifier": "user-7"})
    with pytest.raises(ProtocolError, match="not a JSON object"):
        provider.parse_submit(200, "ok")
    with pytest.raises(InsufficientCredits):
        provider.parse_submit(200, {"error": {"code": "AccountOverdueError", "message": "overdue"}})


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("queued", JobStatus.QUEUED),
        ("running", JobStatus.RUNNING),
        ("cancelled", JobStatus.CANCELLED),
        ("expired", JobStatus.EXPIRED),
        ("processing", JobStatus.RUNNING),  # a word Ark does not document: still running
    ],
)
def test_status_words(provider: Provider, status: str, expected: JobStatus) -> None:
    answer = task_answer(status)
    assert sdk_reads(provider, answer).status == status
    state = provider.parse_status(200, answer)
    assert state.status is expected
    assert state.provider_status == status
    assert state.video_url is None and state.tokens is None
    if expected.is_final:
        assert state.error is not None and state.error.code == status
        assert "not billed" in state.error.message
    else:
        assert state.error is None


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_succeeded_carries_the_video_the_last_frame_and_the_billed_tokens(provider: Provider) -> None:
    answer = task_answer(
        "succeeded",
        content={"video_url": VIDEO, "last_frame_url": LAST_FRAME},
        usage={"completion_tokens": 108000, "total_tokens": 108000},
    )
    task = sdk_reads(provider, answer)
    state = provider.parse_status(200, answer)
    assert state.status is JobStatus.SUCCEEDED
    assert state.video_url == task.content.video_url == VIDEO
    assert state.last_frame_url == task.content.last_frame_url == LAST_FRAME
    assert state.tokens == task.usage.completion_tokens == 108000
    assert state.error is None and state.credits is None


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_succeeded_without_a_last_frame_or_usage(provider: Provider) -> None:
    # The last frame comes only when the create asked for it (return_last_frame).
    state = provider.parse_status(200, task_answer("succeeded", content={"video_url": VIDEO}))
    assert (state.video_url, state.last_frame_url, state.tokens) == (VIDEO, None, None)


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_succeeded_without_a_video_is_a_protocol_error(provider: Provider) -> None:
    with pytest.raises(ProtocolError, match=r"content\.video_url"):
        provider.parse_status(200, task_answer("succeeded", content={}))


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_failed_carries_the_code_and_what_to_change(provider: Provider) -> None:
    error = {
        "code": "OutputVideoSensitiveContentDetected",
        "message": "The request failed because the output video may contain sensitive information.",
    }
    answer = task_answer("failed", error=error)
    assert sdk_reads(provider, answer).error.code == error["code"]
    state = provider.parse_status(200, answer)
    assert state.status is JobStatus.FAILED and state.video_url is None
    assert state.error is not None
    assert state.error.code == "OutputVideoSensitiveContentDetected"
    assert state.error.message.startswith(error["message"])
    assert "reword the prompt" in state.error.message


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_failed_without_an_error_object(provider: Provider) -> None:
    state = provider.parse_status(200, task_answer("failed"))
    assert state.error is not None
    assert (state.error.code, state.error.message) == ("generation_failed", "the render failed (not billed)")


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_an_answer_without_a_status(provider: Provider) -> None:
    with pytest.raises(ProtocolError, match="no status"):
        provider.parse_status(200, {"id": TASK_ID})


# --- the recovery list: a lost create answer is found by its clip settings ----------------------

SINCE, UNTIL = 1775046000.0, 1775046060.0


def listed(task_id: str, **fields: Any) -> dict[str, Any]:
    base = task_answer("queued", id=task_id, created_at=int(SINCE) + 30, generate_audio=True)
    return {**base, **fields}


def sdk_list(provider: Provider, body: dict[str, Any]) -> Any:
    _, answer = sdk_exchange(provider, lambda c: c.content_generation.tasks.list(page_size=50), body)
    return answer


def recover(provider: Provider, req: VideoRequest, items: list[dict[str, Any]]) -> list[str]:
    body = {"total": len(items), "items": items}
    assert [t.id for t in sdk_list(provider, body).items] == [i["id"] for i in items]
    return provider.find_recent(body, req, since=SINCE, until=UNTIL)


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning")
@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_recent_tasks_match_on_model_time_and_clip(provider: Provider) -> None:
    req = resolve_request(VideoRequest(prompt=PROMPT, audio=True), provider)
    model = DOCUMENTED_IDS[provider.id]["seedance-1.5-pro"][0]
    items = [
        listed("match", model=model),
        listed("first-second", model=model, created_at=int(SINCE) - 1),
        listed("last-second", model=model, created_at=int(UNTIL) + 1),
        listed("too-early", model=model, created_at=int(SINCE) - 2),
        listed("too-late", model=model, created_at=int(UNTIL) + 2),
        listed("other-model", model=DOCUMENTED_IDS[provider.id]["seedance-1.0-pro"][0]),
        listed("other-duration", model=model, duration=10),
        listed("other-ratio", model=model, ratio="9:16"),
        listed("other-resolution", model=model, resolution="1080p"),
        listed("silent", model=model, generate_audio=False),
        listed("flex", model=model, service_tier="flex"),
        {"id": "sparse", "model": model, "created_at": int(SINCE) + 5},  # what it leaves out matches
        {"id": "undated", "model": model},
    ]
    assert recover(provider, req, items) == ["match", "first-second", "last-second", "sparse"]


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings:UserWarning")
@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_recent_flex_and_adaptive_tasks(provider: Provider) -> None:
    model = DOCUMENTED_IDS[provider.id]["seedance-1.0-pro"][0]
    flex = resolve_request(VideoRequest(prompt=PROMPT, model="seedance-1.0-pro", flex=True), provider)
    items = [
        listed("flex", model=model, service_tier="flex", resolution="1080p", generate_audio=False),
        listed("default", model=model, service_tier="default", resolution="1080p", generate_audio=False),
    ]
    assert recover(provider, flex, items) == ["flex"]
    # `adaptive` lets the model pick the shape; the task may list the ratio it picked.
    adaptive = resolve_request(VideoRequest(prompt=PROMPT, aspect_ratio="adaptive", audio=True), provider)
    model = DOCUMENTED_IDS[provider.id]["seedance-1.5-pro"][0]
    items = [listed("picked", model=model, ratio="9:16"), listed("as-asked", model=model, ratio="adaptive")]
    assert recover(provider, adaptive, items) == ["picked", "as-asked"]


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_an_empty_task_list(provider: Provider) -> None:
    req = resolve_request(VideoRequest(prompt=PROMPT), provider)
    assert provider.find_recent({"total": 0, "items": []}, req, since=SINCE, until=UNTIL) == []
    assert provider.find_recent({"total": 0}, req, since=SINCE, until=UNTIL) == []
    with pytest.raises(ProtocolError, match="no items"):
        provider.find_recent({"total": 3}, req, since=SINCE, until=UNTIL)


# --- errors: Ark's documented codes, each with the HTTP status Ark sends it with ---------------
# From Ark's error-code tables (BytePlus ModelArk "Error codes" and Volcengine's public error
# codes, 1299023; Free Tokens Only Mode, BytePlus 1465347): code, status, the class it must
# raise, and words its next step must contain.

ERROR_TABLE: list[tuple[str, int, type[ProviderError], str]] = [
    ("MissingParameter", 400, ProviderRejected, "fix the input named in the message"),
    ("InvalidParameter", 400, ProviderRejected, "fix the input named in the message"),
    ("InvalidParameter.UnsupportedParameter", 400, ProviderRejected, "fix the input named in the message"),
    ("InputTextSensitiveContentDetected", 400, ProviderRejected, "reword the prompt"),
    ("InputTextSensitiveContentDetected.PolicyViolation", 400, ProviderRejected, "copyrighted"),
    ("SensitiveContentDetected.Violence", 400, ProviderRejected, "reword the prompt"),
    ("InputImageSensitiveContentDetected", 400, ProviderRejected, "use another start or end image"),
    ("InputImageSensitiveContentDetected.PrivacyInformation", 400, ProviderRejected, "without a real person"),
    ("OutputVideoSensitiveContentDetected", 400, ProviderRejected, "reword the prompt"),
    ("OutputVideoSensitiveContentDetected.PolicyViolation", 400, ProviderRejected, "copyright"),
    ("OutputAudioSensitiveContentDetected", 400, ProviderRejected, "turn audio off"),
    ("OutputAudioSensitiveContentDetected.PolicyViolation", 400, ProviderRejected, "turn audio off"),
    ("AuthenticationError", 401, AuthError, "check the API key"),
    ("InvalidAccountStatus", 401, AuthError, "check the API key"),
    ("AccessDenied", 403, AuthError, "API Key Management"),
    ("AccountOverdueError", 403, InsufficientCredits, "billing center"),
    ("OperationDenied.ServiceOverdue", 403, InsufficientCredits, "billing center"),
    ("OperationDenied.ServiceNotOpen", 403, ProviderRejected, "Model activation page"),
    ("ModelNotOpen", 404, ProviderRejected, "Model activation page"),
    ("InvalidEndpointOrModel.NotFound", 404, ProviderRejected, "cannot use the model in this region"),
    ("NotFound.TaskId", 404, TaskNotFound, "check the task id"),
    ("RateLimitExceeded.EndpointRPMExceeded", 429, RateLimited, "wait and try again"),
    ("ModelAccountRpmRateLimitExceeded", 429, RateLimited, "wait and try again"),
    ("RequestBurstTooFast", 429, RateLimited, "wait and try again"),
    ("QuotaExceeded", 429, InsufficientCredits, "the queue's 120 waiting tasks"),
    ("SetLimitExceeded", 429, InsufficientCredits, "Safe Experience Mode"),
    ("ModelQuotaExhausted", 429, InsufficientCredits, "Free Tokens Only Mode"),
    ("ServerOverloaded", 429, ProviderUnavailable, "try again shortly"),
    ("InternalServiceError", 500, ProviderFailure, "check the job's status"),
]
SENSITIVE_CODES = [row[0] for row in ERROR_TABLE if "Sensitive" in row[0]]


def ark_error(code: str, message: str | None = None) -> dict[str, Any]:
    text = message or f"The request failed ({code}). Request id: 021775046896abcdef"
    return {"error": {"code": code, "message": text, "param": "", "type": "BadRequest"}}


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
@pytest.mark.parametrize(("code", "status", "kind", "step"), ERROR_TABLE, ids=[row[0] for row in ERROR_TABLE])
def test_documented_error_codes(
    provider: Provider, code: str, status: int, kind: type[ProviderError], step: str
) -> None:
    body = ark_error(code)
    err = provider.error_for(status, body, retry_after=7.0)
    assert type(err) is kind
    assert (err.provider, err.provider_code) == (provider.id, code)
    assert body["error"]["message"] in err.message
    assert step in err.message
    if kind in (RateLimited, ProviderUnavailable):
        assert err.retry_after == 7.0 and err.retryable
    # A refusal certainly created nothing; a 500 on a create may have created a task.
    assert nothing_created(err) is (status != 500)
    # The same error inside a 2xx answer means the same.
    inside = provider.error_for(200, body)
    assert type(inside) is kind and inside.provider_code == code


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
@pytest.mark.parametrize("code", SENSITIVE_CODES)
def test_a_moderation_refusal_says_what_to_change(provider: Provider, code: str) -> None:
    err = provider.error_for(400, ark_error(code))
    assert isinstance(err, ProviderRejected)
    assert "fix the input named in the message" not in err.message
    assert any(word in err.message for word in ("reword", "use another", "use an image", "turn audio off"))


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
@pytest.mark.parametrize("code", sorted(SENT_WITH))
def test_every_listed_code_maps_to_a_kind(provider: Provider, code: str) -> None:
    err = provider.error_for(SENT_WITH[code], ark_error(code))
    assert type(err) is not ProviderError
    assert type(provider.error_for(200, ark_error(code))) is type(err)


@pytest.mark.parametrize(("provider", "other"), [(BYTEPLUS, "volcengine"), (VOLCENGINE, "byteplus")])
@pytest.mark.parametrize("code", ["AuthenticationError", "AccessDenied"])
def test_a_refused_key_names_the_other_region(provider: Provider, code: str, other: str) -> None:
    err = provider.error_for(SENT_WITH[code], ark_error(code))
    assert isinstance(err, AuthError)
    assert f"SEEDANCE_PROVIDER={other}" in err.message


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_only_a_refused_key_names_the_other_region(provider: Provider) -> None:
    for code, status, kind, _ in ERROR_TABLE:
        err = provider.error_for(status, ark_error(code))
        assert ("SEEDANCE_PROVIDER=" in err.message) is (kind is AuthError), code


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_the_401_ark_really_sends(provider: Provider) -> None:
    # The body a create without a valid key gets (curl against BytePlus, in the survey above).
    body = {
        "error": {
            "code": "AuthenticationError",
            "message": "the API key or AK/SK in the request is missing or invalid. request id: 0217",
            "param": "",
            "type": "Unauthorized",
        }
    }
    err = provider.error_for(401, body)
    assert isinstance(err, AuthError)
    assert err.message.startswith(f"{provider.id}: the API key or AK/SK in the request is missing or invalid")


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_errors_without_ark_text(provider: Provider) -> None:
    err = provider.error_for(429, {"error": {"code": "SetLimitExceeded"}})
    assert isinstance(err, InsufficientCredits)
    assert "inference limit set on this model" in err.message
    gateway = provider.error_for(502, "<html>Bad Gateway</html>")
    assert isinstance(gateway, ProviderFailure) and not nothing_created(gateway)
    busy = provider.error_for(503, "", retry_after=3.0)
    assert isinstance(busy, ProviderUnavailable) and busy.retry_after == 3.0


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_an_error_inside_a_status_answer(provider: Provider) -> None:
    with pytest.raises(TaskNotFound):
        provider.parse_status(200, {"error": {"code": "NotFound.TaskId", "message": "not found"}})
    with pytest.raises(RateLimited):
        provider.parse_status(200, {"error": {"code": "RateLimitExceeded.EndpointRPMExceeded"}})


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [("AccountOverdueError", 403, InsufficientCredits), ("ModelNotOpen", 404, ProviderRejected)],
)
def test_the_http_layer_raises_the_same(
    provider: Provider, code: str, status: int, kind: type[ProviderError]
) -> None:
    with pytest.raises(kind) as info:
        exchange(provider, "submit", status, ark_error(code))
    assert info.value.provider_code == code


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_a_refused_render_says_what_to_change(provider: Provider) -> None:
    code = "InputImageSensitiveContentDetected.PrivacyInformation"
    answer = task_answer(
        "failed", error={"code": code, "message": "The input image may contain real person."}
    )
    state = provider.parse_status(200, answer)
    assert state.error is not None and state.error.code == code
    assert "without a real person" in state.error.message


# --- validation per (region, model) ---------------------------------------------------------------
# What each model accepts, written out from Ark's model pages (BytePlus 1366799, the Seedance
# 2.5 page's capability table): durations, resolutions, and which options exist.

ONE_X = ("seedance-1.0-lite", "seedance-1.0-pro", "seedance-1.0-pro-fast", "seedance-1.5-pro")
ACCEPTS: dict[str, dict[str, Any]] = {
    "seedance-1.0-lite": {"durations": range(2, 13), "low_only": False, "audio": False, "end": True},
    "seedance-1.0-pro": {"durations": range(2, 13), "low_only": False, "audio": False, "end": True},
    "seedance-1.0-pro-fast": {"durations": range(2, 13), "low_only": False, "audio": False, "end": False},
    "seedance-1.5-pro": {"durations": range(4, 13), "low_only": False, "audio": True, "end": True},
    "seedance-2.0": {"durations": range(4, 16), "low_only": False, "audio": True, "end": True},
    "seedance-2.0-fast": {"durations": range(4, 16), "low_only": True, "audio": True, "end": True},
    "seedance-2.0-mini": {"durations": range(4, 16), "low_only": True, "audio": True, "end": True},
    "seedance-2.5": {"durations": range(4, 31), "low_only": False, "audio": True, "end": True},
}
MODEL_CELLS = [pytest.param(p, m, id=f"{p.id}-{m}") for p in REGIONS for m in ACCEPTS]


def refusal(provider: Provider, **fields: Any) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as info:
        resolve_request(VideoRequest(**{"prompt": PROMPT, **fields}), provider)
    return info.value


@pytest.mark.parametrize(("provider", "model"), MODEL_CELLS)
def test_durations(provider: Provider, model: str) -> None:
    durations = ACCEPTS[model]["durations"]
    for seconds in durations:
        assert resolve_request(
            VideoRequest(prompt=PROMPT, model=model, duration=seconds), provider
        ).duration == (seconds)
    for seconds in (durations[0] - 1, durations[-1] + 1):
        err = refusal(provider, model=model, duration=seconds)
        assert err.field == "duration" and err.allowed == list(durations)
        assert (
            f"{durations[0]}, {durations[1]}" in err.message and f"{durations[-1]} (seconds)" in err.message
        )


@pytest.mark.parametrize(("provider", "model"), MODEL_CELLS)
def test_resolutions(provider: Provider, model: str) -> None:
    allowed = ["480p", "720p"] if ACCEPTS[model]["low_only"] else ["480p", "720p", "1080p"]
    for resolution in allowed:
        req = resolve_request(VideoRequest(prompt=PROMPT, model=model, resolution=resolution), provider)
        assert req.resolution == resolution
    if ACCEPTS[model]["low_only"]:
        err = refusal(provider, model=model, resolution="1080p")
        assert err.field == "resolution" and err.allowed == allowed
        assert "allowed: 480p, 720p." in err.message
        assert "seedance-2.0" in err.message  # another model of the region that offers it


@pytest.mark.parametrize(("provider", "model"), MODEL_CELLS)
def test_flex_only_on_1x(provider: Provider, model: str) -> None:
    if model in ONE_X:
        assert resolve_request(VideoRequest(prompt=PROMPT, model=model, flex=True), provider).flex
        return
    err = refusal(provider, model=model, flex=True)
    assert err.field == "flex" and err.allowed == [False]
    assert "no offline (flex) tier" in err.message
    assert all(m in err.message for m in ONE_X)  # the models that have it


@pytest.mark.parametrize(("provider", "model"), MODEL_CELLS)
def test_audio_where_the_model_has_sound(provider: Provider, model: str) -> None:
    if ACCEPTS[model]["audio"]:
        assert resolve_request(VideoRequest(prompt=PROMPT, model=model, audio=True), provider).audio
        return
    err = refusal(provider, model=model, audio=True)
    assert err.field == "audio" and err.allowed == [False]
    assert "cannot generate sound" in err.message and "seedance-1.5-pro" in err.message


@pytest.mark.parametrize(("provider", "model"), MODEL_CELLS)
def test_end_frame_and_fixed_lens(provider: Provider, model: str) -> None:
    frames = {"image_url": START, "end_image_url": END}
    if ACCEPTS[model]["end"]:
        assert (
            resolve_request(VideoRequest(prompt=PROMPT, model=model, **frames), provider).end_image_url == END
        )
    else:
        err = refusal(provider, model=model, **frames)
        assert err.field == "end_image_url" and "does not take an end frame" in err.message
    if model in ONE_X:
        assert resolve_request(VideoRequest(prompt=PROMPT, model=model, fixed_lens=True), provider).fixed_lens
    else:
        err = refusal(provider, model=model, fixed_lens=True)
        assert err.field == "fixed_lens" and err.allowed == [False]


@pytest.mark.parametrize(("provider", "model"), MODEL_CELLS)
def test_ratios_include_adaptive(provider: Provider, model: str) -> None:
    for ratio in ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "adaptive"):
        req = resolve_request(VideoRequest(prompt=PROMPT, model=model, aspect_ratio=ratio), provider)
        assert req.aspect_ratio == ratio
    err = refusal(provider, model=model, aspect_ratio="9:21")
    assert err.field == "aspect_ratio" and "adaptive" in err.allowed  # type: ignore[operator]


@pytest.mark.parametrize("seed", ["nanophoto", "seedanceapi", "apixo", "seedance15pro", "seedance2ai"])
def test_adaptive_is_refused_by_the_seed_providers_naming_ark(seed: str) -> None:
    err = refusal(PROVIDERS[seed], aspect_ratio="adaptive")
    assert err.field == "aspect_ratio" and err.value == "adaptive"
    assert "adaptive" not in err.allowed  # type: ignore[operator]
    assert "Providers that accept it: byteplus, volcengine, replicate, fal." in err.message


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_seed_range_and_prompt_length(provider: Provider) -> None:
    for seed in (-2, 4294967296):
        err = refusal(provider, seed=seed)
        assert err.field == "seed" and err.allowed == ["-1..4294967295"]
    err = refusal(provider, prompt="x" * 2001)
    assert err.field == "prompt"


# --- which model a name means -----------------------------------------------------------------------


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
def test_an_unknown_model_is_refused_naming_what_is_served(provider: Provider) -> None:
    with pytest.raises(InvalidRequest) as info:
        get_model(provider, "seedance-9.9-ultra")
    err = info.value
    assert err.field == "model" and err.allowed == [m.name for m in provider.models]
    assert f"{provider.id} serves seedance-1.5-pro, " in err.message
    assert "all models: seedance-1.0-lite" in err.message


@pytest.mark.parametrize(
    ("seed", "model", "ark_only"),
    [("nanophoto", "seedance-2.0", False), ("seedance2ai", "seedance-1.0-pro", True)],
)
def test_a_model_another_provider_serves_is_refused_naming_who_serves_it(
    seed: str, model: str, ark_only: bool
) -> None:
    with pytest.raises(InvalidRequest) as info:
        get_model(PROVIDERS[seed], model)
    err = info.value
    assert err.field == "model" and err.value == model
    assert f"{seed} does not serve {model}" in err.message
    expected = (
        "byteplus, volcengine, replicate, fal"
        if ark_only
        else "seedance2ai, byteplus, volcengine, replicate, fal"
    )
    assert f"Providers that serve {model}: {expected}." in err.message


@pytest.mark.parametrize("provider", REGIONS, ids=lambda p: p.id)
@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("dreamina-seedance-2-0-260128", "seedance-2.0"),
        ("doubao-seedance-2-0-260128", "seedance-2.0"),
        ("doubao-seedance-1-5-pro-251215", "seedance-1.5-pro"),
        ("seedance-1-5-pro-251215", "seedance-1.5-pro"),
        ("DREAMINA-SEEDANCE-2-0-FAST-260128", "seedance-2.0-fast"),
        ("dreamina-seedance-2-0-mini-260615", "seedance-2.0-mini"),
        ("doubao-seedance-1-0-lite-i2v-250428", "seedance-1.0-lite"),
        ("Seedance 1.5 Pro", "seedance-1.5-pro"),
        ("seedance-1-0-pro-fast", "seedance-1.0-pro-fast"),
    ],
)
def test_any_regions_versioned_id_means_its_family(provider: Provider, name: str, canonical: str) -> None:
    spec = get_model(provider, name)
    assert spec.name == canonical
    req = resolve_request(VideoRequest(prompt=PROMPT, model=name), provider)
    assert req.model == canonical
    # What is sent is this region's own id, whichever region's id was given.
    assert provider.build_submit(req, "k").json["model"] == DOCUMENTED_IDS[provider.id][canonical][0]  # type: ignore[index]
