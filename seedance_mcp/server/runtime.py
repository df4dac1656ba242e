"""The server's runtime: the `Service` built on the first tool call and closed when the server
stops, and the redaction of every configured key value from what the tools hand back.

The runtime is the server's lifespan value, so a tool or resource reaches it through its
`ctx: RuntimeContext` (`runtime_of(ctx)`). The service module (HTTP client, ledger,
simulator) is imported only when the service is first built.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import Context

from ..errors import SeedanceError

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from ..engine.service import Service

__all__ = ["Runtime", "RuntimeContext", "ServiceFactory", "runtime_of"]

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

    def service(self) -> Service:
        if self._service is None:
            self._service = self._factory()
        return self._service

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
        """Every configured key value, so that no output can ever carry one."""
        if self._service is None:
            return []
        from ..settings import configured_secrets

        try:
            env = self._service.settings.env
        except SeedanceError:
            env = os.environ
        return configured_secrets(env)

    def redact(self, text: str) -> str:
        """The text with every configured key value replaced (see `redaction.redact`)."""
        from ..redaction import redact

        return redact(text, self.secrets())


RuntimeContext = Context[Runtime, Any]
"""The `Context` a tool or resource of this server receives: its lifespan value is the `Runtime`."""


def runtime_of(ctx: RuntimeContext) -> Runtime:
    """The runtime of the server that is handling `ctx`'s request."""
    return ctx.request_context.lifespan_context
