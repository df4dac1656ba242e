"""The server's runtime: the `Service` built on the first tool call and closed when the server
stops, and the redaction of every configured key value from what the tools hand back.

The key values are known from the start: those in the server's environment, and, once the
service is built, those of its settings (a test's service may be configured apart from
`os.environ`). So an error raised while the service is being built is redacted too.

Everything that blocks (building the service, the ledger's SQLite reads and writes, reading
the settings) runs through `Runtime.call`, in a worker thread: a ledger that another process
holds locked then delays only the calls that need it, while every other tool keeps answering.

The runtime is the server's lifespan value, so a tool or resource reaches it through its
`ctx: RuntimeContext` (`runtime_of(ctx)`). The service module (HTTP client, ledger,
simulator) is imported only when the service is first built.
"""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import TYPE_CHECKING, Any, TypeVar

import anyio.to_thread
from mcp.server.mcpserver import Context

from ..errors import SeedanceError

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from ..engine.service import Service

__all__ = ["Runtime", "RuntimeContext", "ServiceFactory", "runtime_of"]

T = TypeVar("T")

ServiceFactory = Callable[[], "Service"]
"""Builds the service the tools use (tests pass one over a temporary ledger)."""


def _default_service() -> Service:
    from ..engine.service import Service

    return Service()


class Runtime:
    """Builds the service on first use and closes it when the server stops."""

    def __init__(self, factory: ServiceFactory | None) -> None:
        self._factory = factory or _default_service
        self._service: Service | None = None
        self._building = threading.Lock()

    def service(self) -> Service:
        """The service, built on first use (once, even when worker threads ask at the same time).
        Blocking: from a tool, reach it through `call` or `service_async`."""
        with self._building:
            if self._service is None:
                self._service = self._factory()
            return self._service

    async def service_async(self) -> Service:
        """The service, built in a worker thread on first use (the event loop never blocks)."""
        if self._service is not None:
            return self._service
        return await anyio.to_thread.run_sync(self.service)

    async def call(self, work: Callable[[Service], T]) -> T:
        """`work(service)` in a worker thread: ledger I/O and other blocking work off the loop."""
        return await anyio.to_thread.run_sync(lambda: work(self.service()))

    @asynccontextmanager
    async def lifespan(self, _server: MCPServer[Runtime]) -> AsyncIterator[Runtime]:
        """The server's lifespan: this runtime is its value, and the service closes when it ends."""
        try:
            yield self
        finally:
            self.close()

    def close(self) -> None:
        service, self._service = self._service, None
        if service is not None:
            service.close()

    def secrets(self) -> list[str]:
        """Every configured key value, so that no output can ever carry one: those of the server's
        environment, and those of the service's settings once it is built."""
        from ..settings import configured_secrets

        found = set(configured_secrets(os.environ))
        if self._service is not None:
            # settings that cannot be read hold nothing beyond the environment's
            with suppress(SeedanceError):
                found.update(configured_secrets(self._service.settings.env))
        return sorted(found)

    def redact(self, text: str) -> str:
        """The text with every configured key value replaced (see `redaction.redact`)."""
        return self.redact_data(text)

    def redact_data(self, value: T) -> T:
        """`value` (text, or data as decoded from JSON) with every configured key value replaced."""
        from ..redaction import redact

        return redact(value, self.secrets())


RuntimeContext = Context[Runtime, Any]
"""The `Context` a tool or resource of this server receives: its lifespan value is the `Runtime`."""


def runtime_of(ctx: RuntimeContext) -> Runtime:
    """The runtime of the server that is handling `ctx`'s request."""
    return ctx.request_context.lifespan_context
