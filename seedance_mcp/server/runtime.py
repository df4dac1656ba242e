"""The server's runtime: the `Service` built on the first tool call and closed when the server
stops, and the redaction of every configured key value from what the tools hand back.

The service module (HTTP client, ledger, simulator) is imported only when it is first built.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..errors import SeedanceError

if TYPE_CHECKING:
    from ..engine.service import Service

__all__ = ["Runtime", "ServiceFactory"]

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
