"""A hostile HTTP provider on loopback: raw sockets, so it can misbehave as no real server would.

`Hostile(route)` listens on 127.0.0.1 (a free port) and serves each connection in its own
thread. `route(request)` picks how to answer a `Request` (method, path, headers, body) with one
of the behaviours below, built by the functions of this module:

- `answer(status, body)`: a well-formed answer (JSON for a dict), the control case;
- `trickle(status, body, every)`: the answer one byte every `every` seconds (never trips a
  read timeout, which is per read);
- `silent()`: accept the request, read it, and never answer;
- `garbage(body, status=200)`: a readable answer the client cannot use (HTML with a 200);
- `redirect(location, status=302)`: a 3xx;
- `cut(status, body, after)`: promise the whole body, send `after` bytes of it, then close.

Bounded in time: the server stops by itself `lifetime` seconds after it started (default
30 s), and `close()` (or leaving the `with` block) stops it at once: every behaviour that
waits checks the stop event, so no thread outlives the test by more than one tick. Only
127.0.0.1 is ever bound.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

__all__ = ["Behaviour", "Hostile", "Request", "answer", "cut", "garbage", "redirect", "silent", "trickle"]

TICK = 0.05
"""How often a waiting behaviour looks at the stop event (seconds)."""


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


Behaviour = Callable[[socket.socket, threading.Event], None]
"""Writes (or withholds) an answer on the connection; returns when done or told to stop."""


def _head(status: int, length: int, extra: dict[str, str] | None = None, content_type: str = "") -> bytes:
    lines = [f"HTTP/1.1 {status} X", f"Content-Length: {length}", "Connection: close"]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    lines += [f"{k}: {v}" for k, v in (extra or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _payload(body: Any) -> tuple[bytes, str]:
    if isinstance(body, bytes):
        return body, "application/octet-stream"
    if isinstance(body, str):
        return body.encode(), "text/html"
    return json.dumps(body).encode(), "application/json"


def answer(status: int, body: Any, *, headers: dict[str, str] | None = None) -> Behaviour:
    data, kind = _payload(body)

    def run(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(_head(status, len(data), headers, kind) + data)

    return run


def trickle(status: int, body: Any, *, every: float = 0.5) -> Behaviour:
    """The whole answer, head included, one byte every `every` seconds."""
    data, kind = _payload(body)
    wire = _head(status, len(data), None, kind) + data

    def run(conn: socket.socket, stop: threading.Event) -> None:
        for byte in wire:
            if stop.wait(every):
                return
            conn.sendall(bytes([byte]))

    return run


def silent() -> Behaviour:
    def run(conn: socket.socket, stop: threading.Event) -> None:
        stop.wait()

    return run


def garbage(body: Any = "<html><body>Welcome</body></html>", *, status: int = 200) -> Behaviour:
    return answer(status, body)


def redirect(location: str, *, status: int = 302) -> Behaviour:
    return answer(status, b"", headers={"Location": location})


def cut(status: int, body: Any, *, after: int) -> Behaviour:
    data, kind = _payload(body)

    def run(conn: socket.socket, stop: threading.Event) -> None:
        conn.sendall(_head(status, len(data), None, kind) + data[:after])

    return run


@dataclass
class Hostile:
    route: Callable[[Request], Behaviour]
    lifetime: float = 30.0
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(TICK)
        self.port = self._sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._started = time.monotonic()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._acceptor = threading.Thread(target=self._accept, name="hostile-accept", daemon=True)
        self._acceptor.start()
        # Stop by itself, whatever the test does.
        self._timer = threading.Timer(self.lifetime, self._stop.set)
        self._timer.daemon = True
        self._timer.start()

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(target=self._serve, args=(conn,), name="hostile-conn", daemon=True)
            self._threads.append(thread)
            thread.start()
        self._sock.close()

    def _read(self, conn: socket.socket) -> Request | None:
        conn.settimeout(TICK)
        data = b""
        while b"\r\n\r\n" not in data:
            if self._stop.is_set():
                return None
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(body) < length and not self._stop.is_set():
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                break
            body += chunk
        return Request(method=method, path=path, headers=headers, body=body)

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                request = self._read(conn)
                if request is None:
                    return
                with self._lock:
                    self.requests.append(request)
                conn.settimeout(None)
                self.route(request)(conn, self._stop)
            except OSError:
                return  # the client gave up: that is what these tests want it to do

    def close(self) -> None:
        self._stop.set()
        self._timer.cancel()
        self._acceptor.join(timeout=2)
        for thread in self._threads:
            thread.join(timeout=2)

    def __enter__(self) -> Hostile:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
