"""Serving the MCP server over streamable HTTP: the Host/Origin guard against DNS rebinding,
the bearer-token guard, the check that a bind address is loopback-only, and the uvicorn run.
(stdio needs none of this.)

A loopback bind needs no token, so what keeps a web page from driving it (DNS rebinding: a
name the attacker controls, pointed at 127.0.0.1) is `HostGuard`: every request's `Host` must
name this machine's loopback (the bound host in any spelling, `localhost`, `127.0.0.1` or
`[::1]`; with the bound port or none) and an `Origin`, when sent, must be such a host too.
This replaces the SDK's own check, which only covers the exact spellings `127.0.0.1`,
`localhost` and `::1` and so let `--host 127.0.0.2`, `LOCALHOST` or `0:0:0:0:0:0:0:1` through.
A bind reachable from other machines needs the token instead (its Host cannot be known).

uvicorn is imported only when HTTP serving starts.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ..settings import MCP_TOKEN_ENV as TOKEN_ENV

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer
    from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["TOKEN_ENV", "BearerGuard", "HostGuard", "http_app", "is_loopback", "normal_host", "serve_http"]

log = logging.getLogger("seedance_mcp.server")


def is_loopback(host: str) -> bool:
    """Whether a bind address is reachable from this machine only ("localhost", 127.x, ::1)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normal_host(host: str) -> str:
    """A host name or address in one spelling: lower case, without brackets,
    an IP address in its compressed form ("0:0:0:0:0:0:0:1" -> "::1")."""
    name = host.strip().lower().removeprefix("[").removesuffix("]")
    try:
        return ipaddress.ip_address(name).compressed
    except ValueError:
        return name


def _split_host_header(value: str) -> tuple[str, int | None] | None:
    """A `Host` header's host (normalised) and port, or None when it is not one."""
    value = value.strip()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        name, rest = value[1:end], value[end + 1 :]
        if rest and not rest.startswith(":"):
            return None
        port_text = rest[1:] if rest else None
    elif value.count(":") > 1:
        return None  # an IPv6 address must be bracketed in a Host header
    else:
        name, colon, port_text = value.partition(":")
        port_text = port_text if colon else None
    if port_text is not None and not (port_text.isdigit() and 0 < int(port_text) < 65536):
        return None
    if not name:
        return None
    return normal_host(name), int(port_text) if port_text is not None else None


def _refusal(status: int, error: str, description: str) -> tuple[int, bytes]:
    body = f'{{"error":"{error}","error_description":"{description}"}}'.encode()
    return status, body


async def _send_refusal(send: Send, refusal: tuple[int, bytes], extra: list[tuple[bytes, bytes]]) -> None:
    status, body = refusal
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *extra]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class HostGuard:
    """ASGI middleware: a request reaches the app only when its `Host` names the loopback this
    server is bound to (with the bound port, or none) and its `Origin`, if any, does too.

    Anything else is what a DNS-rebinding page sends (`Host: attacker.example`): refused with
    421 (a foreign Host) or 403 (a foreign Origin) before the MCP app sees it.
    """

    def __init__(self, app: ASGIApp, host: str, port: int) -> None:
        self._app = app
        self._port = port
        self._hosts = {normal_host(host), "localhost", "127.0.0.1", "::1"}

    def allows_host(self, value: str) -> bool:
        found = _split_host_header(value)
        if found is None:
            return False
        name, port = found
        return name in self._hosts and port in (None, self._port)

    def allows_origin(self, value: str) -> bool:
        try:
            parts = urlsplit(value.strip())
            name = parts.hostname
            parts.port  # noqa: B018 (a port out of range raises)
        except ValueError:
            return False
        return parts.scheme in ("http", "https") and name is not None and normal_host(name) in self._hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = {name.lower(): value for name, value in scope.get("headers", [])}
            host = headers.get(b"host", b"").decode("latin-1")
            origin = headers.get(b"origin")
            if not self.allows_host(host):
                log.warning("refused a request for Host %r (not this server's loopback)", host[:100])
                await _send_refusal(send, _FOREIGN_HOST, [])
                return
            if origin is not None and not self.allows_origin(origin.decode("latin-1")):
                log.warning("refused a request from Origin %r", origin[:100])
                await _send_refusal(send, _FOREIGN_ORIGIN, [])
                return
        await self._app(scope, receive, send)


_FOREIGN_HOST = _refusal(
    421,
    "misdirected_request",
    "this MCP server answers only requests for its own loopback address (Host: 127.0.0.1 or localhost)",
)
_FOREIGN_ORIGIN = _refusal(403, "forbidden_origin", "requests from web pages of other sites are refused")

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
                await _send_refusal(
                    send, (401, _UNAUTHORIZED), [(b"www-authenticate", b'Bearer realm="seedance-mcp"')]
                )
                return
        await self._app(scope, receive, send)


def http_app(server: MCPServer, host: str, port: int, token: str | None) -> ASGIApp:
    """The MCP server's streamable-HTTP app as served on `host`:`port`: behind the token guard
    when a token is set, and, on a loopback bind, behind the Host/Origin guard in any case."""
    from mcp.server.transport_security import TransportSecuritySettings

    # HostGuard is the one Host/Origin check (the SDK's covers only three exact spellings)
    unchecked = TransportSecuritySettings(enable_dns_rebinding_protection=False)
    app: ASGIApp = server.streamable_http_app(host=host, transport_security=unchecked)
    if token:
        app = BearerGuard(app, token)
    if is_loopback(host):
        app = HostGuard(app, host, port)
    return app


async def serve_http(server: MCPServer, host: str, port: int, token: str | None, log_level: str) -> None:
    """Serve the MCP server's streamable-HTTP app (`http_app`) until stopped."""
    import uvicorn

    app = http_app(server, host, port, token)
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level.lower())
    await uvicorn.Server(config).serve()
