"""Helpers the provider contract tests share: the wire request for a canonical request."""

from __future__ import annotations

import json
from typing import Any

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
