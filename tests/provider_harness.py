"""Helpers the provider contract tests share: the wire request for a canonical request, and
an error answer taken through the HTTP layer, which is where HTTP errors are mapped."""

from __future__ import annotations

import json
from typing import Any, Literal

import anyio
import httpx2

from seedance_mcp.client import ProviderClient, RetryPolicy
from seedance_mcp.models import VideoRequest
from seedance_mcp.providers import Provider, WireRequest
from seedance_mcp.validation import resolve_request


def wire_for(provider: Provider, idempotency_key: str = "idem-key-1", **fields: Any) -> WireRequest:
    """What `provider` would send for `VideoRequest(**fields)`, after validation."""
    return provider.build_submit(resolve_request(VideoRequest(**fields), provider), idempotency_key)


def sent_json(wire: WireRequest) -> Any:
    """The body exactly as it goes on the wire (a JSON round trip)."""
    assert wire.json is not None
    return json.loads(json.dumps(wire.json))


def exchange(provider: Provider, stage: Literal["submit", "status"], status: int, body: Any) -> None:
    """Submit a canonical request (or ask for task "t-1") to a mock of `provider` that answers
    `status` with the JSON `body`, once (no retries); raises what the client raises."""

    def answer(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(status, json=body)

    async def run() -> None:
        async with ProviderClient(
            provider, key=None, transport=httpx2.MockTransport(answer), retry=RetryPolicy(attempts=1)
        ) as client:
            if stage == "submit":
                req = resolve_request(VideoRequest(prompt="a red kite over the dunes"), provider)
                await client.submit(req, "idem-key-1")
            else:
                await client.status("t-1")

    anyio.run(run)
