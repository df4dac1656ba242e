"""Fixtures of the sandbox tests: simulators started on demand, one shared per module, and an
HTTP client carrying the test module's `AUTH` headers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx2
import pytest

from seedance_mcp.sandbox import Sandbox, SandboxConfig


@pytest.fixture
def sandbox() -> Iterator[Callable[..., Sandbox]]:
    """A factory of simulators (`speed` 0 unless given), each stopped after the test."""
    started: list[Sandbox] = []

    def make(**config: Any) -> Sandbox:
        config.setdefault("speed", 0.0)
        sb = Sandbox(SandboxConfig(**config)).start()
        started.append(sb)
        return sb

    yield make
    for sb in started:
        sb.stop()


@pytest.fixture(scope="module")
def shared() -> Iterator[Sandbox]:
    """One default sandbox for the tests that only look at their own requests."""
    with Sandbox(SandboxConfig(speed=0.0)) as sb:
        yield sb


@pytest.fixture
def client(request: pytest.FixtureRequest) -> Iterator[httpx2.Client]:
    """A client sending the test module's `AUTH` headers."""
    with httpx2.Client(headers=request.module.AUTH, timeout=10.0) as c:
        yield c
