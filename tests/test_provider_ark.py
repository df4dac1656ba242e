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
from volcenginesdkarkruntime import Ark

from seedance_mcp.models import VideoRequest
from seedance_mcp.providers import PROVIDERS, ModelSpec, Provider, WireRequest
from seedance_mcp.providers.ark import ArkProvider
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
    assert (BYTEPLUS.currency, VOLCENGINE.currency) == ("USD", "CNY")
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
