"""The HTTP layer's retry rules, against a mock transport: what is resent and what never is."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import AsyncIterator, Callable

import httpx2
import pytest

from seedance_mcp.client import MAX_ANSWER_BYTES, ProviderClient
from seedance_mcp.errors import (
    AnswerLost,
    AuthError,
    ConnectFailed,
    InsufficientCredits,
    ProtocolError,
    ProviderFailure,
    ProviderUnavailable,
    RateLimited,
    SeedanceError,
)
from seedance_mcp.models import JobStatus, VideoRequest
from seedance_mcp.providers import get_provider
from seedance_mcp.retry import RetryPolicy, parse_retry_after
from seedance_mcp.settings import Secret
from seedance_mcp.validation import resolve_request

KEY = "sk-test-NEVER-SHOWN-4242"


class Script:
    """A mock provider: answers from a list of steps, records every request it sees."""

    def __init__(self, steps: list[Callable[[httpx2.Request], httpx2.Response]]) -> None:
        self.steps = steps
        self.seen: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.seen.append(request)
        step = self.steps[min(len(self.seen), len(self.steps)) - 1]
        return step(request)


def answer(
    status: int, body: object, headers: dict[str, str] | None = None
) -> Callable[[httpx2.Request], httpx2.Response]:
    return lambda request: httpx2.Response(status, json=body, headers=headers)


def fail(exc: type[Exception]) -> Callable[[httpx2.Request], httpx2.Response]:
    def raise_it(request: httpx2.Request) -> httpx2.Response:
        raise exc("simulated", request=request)  # type: ignore[call-arg]

    return raise_it


def make(provider_id: str, script: Script, delays: list[float]) -> ProviderClient:
    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    return ProviderClient(
        get_provider(provider_id),
        key=Secret(KEY),
        transport=httpx2.MockTransport(script),
        retry=RetryPolicy(attempts=4, base_delay=1.0, max_delay=8.0, jitter=0.0),
        sleep=sleep,
        rng=random.Random(1),
    )


def request_for(provider_id: str) -> VideoRequest:
    return resolve_request(VideoRequest(prompt="a red kite over the dunes"), get_provider(provider_id))


NANO_OK = answer(200, {"status": "processing", "taskId": "task_abc123", "creditsUsed": 8})
S2_OK = answer(200, {"id": "sd2_xxxxx", "status": "queued"})


@pytest.mark.anyio
async def test_submit_sends_bearer_key_and_documented_body() -> None:
    script = Script([NANO_OK])
    delays: list[float] = []
    async with make("nanophoto", script, delays) as client:
        task = await client.submit(request_for("nanophoto"), "idem-1")
    assert task == "task_abc123"
    sent = script.seen[0]
    assert sent.method == "POST"
    assert str(sent.url) == "https://nanophoto.ai/api/seedance-1-5-pro/generate"
    assert sent.headers["Authorization"] == f"Bearer {KEY}"
    assert json.loads(sent.content)["mode"] == "textToVideo"
    assert delays == []


@pytest.mark.anyio
@pytest.mark.parametrize(
    "first",
    [
        fail(httpx2.ConnectError),
        answer(
            429,
            {"error": "Rate limit exceeded", "errorCode": "API_KEY_RATE_LIMIT_EXCEEDED"},
            {"Retry-After": "3"},
        ),
        answer(503, {"error": "busy"}),
    ],
    ids=["connect-refused", "429", "503"],
)
async def test_submit_retries_what_provably_did_not_reach_the_provider(
    first: Callable[[httpx2.Request], httpx2.Response],
) -> None:
    script = Script([first, NANO_OK])
    delays: list[float] = []
    async with make("nanophoto", script, delays) as client:
        assert await client.submit(request_for("nanophoto"), "idem-1") == "task_abc123"
    assert len(script.seen) == 2
    assert len(delays) == 1


@pytest.mark.anyio
async def test_retry_after_is_honoured() -> None:
    script = Script(
        [answer(429, {"errorCode": "API_KEY_RATE_LIMIT_EXCEEDED"}, {"Retry-After": "7"}), NANO_OK]
    )
    delays: list[float] = []
    async with make("nanophoto", script, delays) as client:
        await client.submit(request_for("nanophoto"), "idem-1")
    assert delays == [7.0]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("first", "error"),
    [
        (fail(httpx2.ReadTimeout), AnswerLost),
        (fail(httpx2.RemoteProtocolError), AnswerLost),
        (answer(500, {"error": "x", "errorCode": "INTERNAL_ERROR"}), ProviderFailure),
    ],
    ids=["read-timeout", "reset", "500"],
)
async def test_ambiguous_submit_is_never_resent_without_idempotency(
    first: Callable[[httpx2.Request], httpx2.Response], error: type[Exception]
) -> None:
    for provider_id in ("nanophoto", "seedanceapi", "apixo", "seedance15pro"):
        script = Script([first, NANO_OK])
        delays: list[float] = []
        async with make(provider_id, script, delays) as client:
            with pytest.raises(error):
                await client.submit(request_for(provider_id), "idem-1")
        assert len(script.seen) == 1, provider_id
        assert delays == []


@pytest.mark.anyio
@pytest.mark.parametrize(
    "first",
    [
        fail(httpx2.ReadTimeout),
        fail(httpx2.RemoteProtocolError),
        answer(500, {"error": {"code": "internal_error"}}),
    ],
    ids=["read-timeout", "reset", "500"],
)
async def test_seedance2ai_resends_with_the_same_idempotency_key(
    first: Callable[[httpx2.Request], httpx2.Response],
) -> None:
    script = Script([first, first, S2_OK])
    delays: list[float] = []
    async with make("seedance2ai", script, delays) as client:
        assert await client.submit(request_for("seedance2ai"), "idem-xyz") == "sd2_xxxxx"
    assert [r.headers["Idempotency-Key"] for r in script.seen] == ["idem-xyz"] * 3
    assert len({r.content for r in script.seen}) == 1
    assert delays == [1.0, 2.0]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, {"error": "Invalid or expired API key", "errorCode": "INVALID_API_KEY"}, AuthError),
        (
            402,
            {"error": "Insufficient credits", "errorCode": "INSUFFICIENT_CREDITS", "requiredCredits": 8},
            InsufficientCredits,
        ),
    ],
)
async def test_refusals_are_not_retried(status: int, body: object, error: type[Exception]) -> None:
    script = Script([answer(status, body), NANO_OK])
    delays: list[float] = []
    async with make("nanophoto", script, delays) as client:
        with pytest.raises(error):
            await client.submit(request_for("nanophoto"), "idem-1")
    assert len(script.seen) == 1


@pytest.mark.anyio
async def test_retries_give_up_after_the_policy_attempts() -> None:
    script = Script([answer(503, {"error": "busy"})])
    delays: list[float] = []
    async with make("nanophoto", script, delays) as client:
        with pytest.raises(ProviderUnavailable):
            await client.submit(request_for("nanophoto"), "idem-1")
    assert len(script.seen) == 4
    assert delays == [1.0, 2.0, 4.0]


@pytest.mark.anyio
async def test_status_reads_are_retried_after_lost_answers_and_5xx() -> None:
    done = answer(
        200,
        {
            "status": "completed",
            "taskId": "t1",
            "videoUrl": "https://video.nanophoto.ai/x.mp4",
            "generationTime": 120,
        },
    )
    script = Script(
        [
            fail(httpx2.ReadTimeout),
            answer(500, {"errorCode": "INTERNAL_ERROR"}),
            fail(httpx2.ConnectError),
            done,
        ]
    )
    delays: list[float] = []
    async with make("nanophoto", script, delays) as client:
        state = await client.status("t1")
    assert state.status is JobStatus.SUCCEEDED
    assert state.video_url == "https://video.nanophoto.ai/x.mp4"
    assert len(script.seen) == 4
    assert json.loads(script.seen[0].content) == {"taskId": "t1"}


@pytest.mark.anyio
async def test_connect_failure_says_nothing_was_sent() -> None:
    script = Script([fail(httpx2.ConnectError)])
    async with make("nanophoto", script, []) as client:
        with pytest.raises(ConnectFailed) as info:
            await client.submit(request_for("nanophoto"), "idem-1")
    assert "nothing was sent" in info.value.message


@pytest.mark.anyio
async def test_the_key_never_reaches_errors_logs_or_repr(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    steps = [
        answer(401, {"error": "bad key", "errorCode": "INVALID_API_KEY"}),
        fail(httpx2.ReadTimeout),
        answer(429, {"errorCode": "API_KEY_RATE_LIMIT_EXCEEDED"}),
    ]
    texts: list[str] = []
    for step in steps:
        script = Script([step])
        async with make("nanophoto", script, []) as client:
            texts.append(repr(client))
            try:
                await client.submit(request_for("nanophoto"), "idem-1")
            except Exception as err:
                texts += [str(err), repr(err), repr(err.__cause__), repr(getattr(err, "__dict__", {}))]
    texts.append(caplog.text)
    texts.append(repr(Secret(KEY)))
    joined = "\n".join(texts)
    assert "bad key" in joined  # the provider's own words do come through
    assert KEY not in joined and KEY[3:12] not in joined


def test_parse_retry_after_accepts_seconds_and_http_dates() -> None:
    assert parse_retry_after("12") == 12.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == pytest.approx(10.0)


def test_backoff_grows_caps_and_jitters_within_bounds() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0, jitter=0.25)
    rng = random.Random(3)
    for attempt, centre in ((1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (6, 8.0)):
        delay = policy.delay(attempt, rng)
        assert centre * 0.75 <= delay <= centre * 1.25
    assert policy.delay(1, rng, retry_after=30.0) == 30.0
    assert policy.delay(1, rng, retry_after=10_000.0) == policy.max_retry_after


@pytest.mark.anyio
async def test_rate_limited_status_carries_retry_after() -> None:
    script = Script([answer(429, {"errorCode": "API_KEY_RATE_LIMIT_EXCEEDED"}, {"Retry-After": "5"})])
    client = ProviderClient(
        get_provider("nanophoto"),
        key=Secret(KEY),
        transport=httpx2.MockTransport(script),
        retry=RetryPolicy(attempts=1),
    )
    with pytest.raises(RateLimited) as info:
        await client.status("t1")
    await client.aclose()
    assert info.value.retry_after == 5.0


@pytest.mark.anyio
async def test_no_retry_sleeps_past_the_callers_deadline() -> None:
    """A tool call with a 45 s budget must not spend 120 s honouring a Retry-After."""
    script = Script(
        [answer(429, {"errorCode": "API_KEY_RATE_LIMIT_EXCEEDED"}, {"Retry-After": "120"}), NANO_OK]
    )
    delays: list[float] = []
    now = [1000.0]
    client = make("nanophoto", script, delays)
    client._clock = lambda: now[0]
    client.deadline = now[0] + 45
    with pytest.raises(RateLimited):
        await client.submit(request_for("nanophoto"), "idem-1")
    await client.aclose()
    assert delays == [] and len(script.seen) == 1


@pytest.mark.anyio
@pytest.mark.parametrize("provider_id", ["nanophoto", "seedanceapi", "apixo", "seedance15pro", "seedance2ai"])
async def test_a_key_quoted_back_in_an_answer_never_reaches_the_error(provider_id: str) -> None:
    quoted = {
        "error": {"code": "unauthorized", "message": f"Invalid API key {KEY}"},
        "errorCode": "INVALID_API_KEY",
        "message": f"Invalid API key {KEY}",
        "code": 401,
    }
    script = Script([answer(401, quoted)])
    async with make(provider_id, script, []) as client:
        with pytest.raises(AuthError) as info:
            await client.submit(request_for(provider_id), "idem-1")
    texts = [info.value.message, str(info.value), repr(info.value.to_dict())]
    assert all(KEY not in t for t in texts)
    assert any("<redacted>" in t or "Invalid API key" in t for t in texts)


def test_redaction_reaches_every_string_in_an_answer() -> None:
    from seedance_mcp.redaction import redact

    body = {"a": [f"x{KEY}y", {"b": KEY}], KEY: 1, "n": 5}
    assert KEY not in repr(redact(body, [KEY]))
    assert redact(body, [KEY])["a"][0] == "x<redacted>y" and redact(body, [KEY])["n"] == 5


@pytest.mark.anyio
async def test_the_client_side_budget_is_not_retried_inside_the_client() -> None:
    """An exhausted local budget says how long to wait; the caller decides, no sleep here."""

    class Spent:
        async def acquire(self, provider: object) -> None:
            raise RateLimited("nanophoto: the client-side budget is used up", retry_after=900.0)

    script = Script([NANO_OK])
    delays: list[float] = []
    client = make("nanophoto", script, delays)
    client._budget = Spent()
    with pytest.raises(RateLimited) as info:
        await client.submit(request_for("nanophoto"), "idem-1")
    await client.aclose()
    assert info.value.retry_after == 900.0
    assert delays == [] and script.seen == []


# ---- scrub what is shown and stored, not what is parsed (issue 12, small things) ---------------


def _client_with_key(key: str, script: Script) -> ProviderClient:
    return ProviderClient(
        get_provider("nanophoto"),
        key=Secret(key),
        transport=httpx2.MockTransport(script),
        retry=RetryPolicy(attempts=1),
    )


@pytest.mark.anyio
@pytest.mark.parametrize("key", ["a", "s", "status", "taskId", "videoUrl"])
async def test_a_key_that_occurs_in_field_names_does_not_break_parsing(key: str) -> None:
    done = {
        "status": "completed",
        "taskId": "task_abc123",
        "videoUrl": "https://cdn.example/v.mp4",
        "generationTime": 61,
    }
    script = Script([NANO_OK, answer(200, done)])
    async with _client_with_key(key, script) as client:
        task_id = await client.submit(request_for("nanophoto"), "idem-1")
        state = await client.status(task_id)
    assert task_id == "task_abc123"
    assert state.status is JobStatus.SUCCEEDED
    assert state.video_url == "https://cdn.example/v.mp4"


@pytest.mark.anyio
async def test_a_key_quoted_back_is_scrubbed_from_the_task_id_state_and_errors() -> None:
    steps = [
        answer(200, {"status": "processing", "taskId": f"task_{KEY}", "creditsUsed": 8}),
        answer(200, {"status": "failed", "taskId": "t1", "error": f"render failed for key {KEY}"}),
        answer(400, {"error": f"bad prompt from {KEY}", "errorCode": f"X_{KEY}"}),
    ]
    script = Script(steps)
    async with _client_with_key(KEY, script) as client:
        task_id = await client.submit(request_for("nanophoto"), "idem-1")
        state = await client.status("t1")
        with pytest.raises(SeedanceError) as info:
            await client.status("t1")
    assert task_id == "task_<redacted>"
    assert state.error is not None and "for key <redacted>" in state.error.message
    err = info.value
    shown = [err.message, str(err), repr(err), repr(err.to_dict()), repr(vars(err))]
    assert all(KEY not in t for t in shown)
    assert "bad prompt from <redacted>" in err.message


def test_redact_error_reaches_the_chain_and_skips_short_secrets() -> None:
    from seedance_mcp.redaction import redact, redact_error

    try:
        try:
            raise ValueError(f"decode failed: {KEY}")
        except ValueError as inner:
            raise SeedanceError(f"wrapped {KEY}") from inner
    except SeedanceError as err:
        redact_error(err, [KEY])
        assert KEY not in err.message and KEY not in str(err.__cause__)
    assert redact("a cat", ["a"]) == "a cat"  # shorter than MIN_SECRET_CHARS: never searched for


@pytest.mark.anyio
@pytest.mark.parametrize("declared", [True, False])
async def test_an_answer_body_over_the_cap_is_refused_unread(declared: bool) -> None:
    """A 50 MB status body once drove memory to 695 MB: the client stops reading at 1 MiB."""
    big = b'{"status": "processing", "pad": "' + b"x" * (MAX_ANSWER_BYTES + 10) + b'"}'
    sent: list[int] = []

    async def body() -> AsyncIterator[bytes]:
        for start in range(0, len(big), 65536):
            sent.append(start)
            yield big[start : start + 65536]

    def huge(request: httpx2.Request) -> httpx2.Response:
        headers = {"Content-Length": str(len(big))} if declared else {}
        return httpx2.Response(200, content=body(), headers=headers)

    script = Script([huge])
    client = make("nanophoto", script, [])
    with pytest.raises(ProtocolError) as caught:
        await client.status("task_1")
    assert caught.value.code == "answer_too_large" and "1024 KiB" in caught.value.message
    assert len(script.seen) == 1  # a failed check, not retried five times
    assert len(sent) <= MAX_ANSWER_BYTES // 65536 + 2  # stopped reading at the cap


@pytest.mark.anyio
async def test_an_answer_just_under_the_cap_is_read() -> None:
    pad = "x" * (MAX_ANSWER_BYTES - 100)
    script = Script([answer(200, {"status": "processing", "taskId": "task_1", "pad": pad})])
    client = make("nanophoto", script, [])
    state = await client.status("task_1")
    assert state.status is JobStatus.RUNNING
