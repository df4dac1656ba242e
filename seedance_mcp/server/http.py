"""Serving the MCP server over streamable HTTP: the bearer-token guard, the check that a bind
address is loopback-only, and the uvicorn run. (stdio needs none of this.)

uvicorn is imported only when HTTP serving starts.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import TYPE_CHECKING

from ..settings import MCP_TOKEN_ENV as TOKEN_ENV

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer
    from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["TOKEN_ENV", "BearerGuard", "is_loopback", "serve_http"]


def is_loopback(host: str) -> bool:
    """Whether a bind address is reachable from this machine only ("localhost", 127.x, ::1)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


_UNAUTHORIZED = (
    b'{"error":"unauthorized","error_description":"send Authorization: Bearer <SEEDANCE_MCP_TOKEN>"}'
)


class BearerGuard:
    """ASGI middleware: every HTTP request must carry `Authorization: Bearer <token>`."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self._app = app
        self._token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            header = b""
            for name, value in scope.get("headers", []):
                if name.lower() == b"authorization":
                    header = value
            scheme, _, given = header.partition(b" ")
            if scheme.lower() != b"bearer" or not hmac.compare_digest(given.strip(), self._token):
                body = _UNAUTHORIZED
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"www-authenticate", b'Bearer realm="seedance-mcp"'),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self._app(scope, receive, send)


async def serve_http(server: MCPServer, host: str, port: int, token: str | None, log_level: str) -> None:
    """Serve the MCP server's streamable-HTTP app until stopped, behind the guard when a token is set."""
    import uvicorn

    app: ASGIApp = server.streamable_http_app(host=host)
    if token:
        app = BearerGuard(app, token)
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level.lower())
    await uvicorn.Server(config).serve()
