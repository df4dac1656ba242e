"""Running the sandbox: `Sandbox` (uvicorn in a background thread, for tests, the demo and
benchmarks) and `run_forever` (blocking, for `seedance sandbox --port N`).

Both bind a loopback address only. Neither prints; uvicorn's access log is off and its other
messages go to the `uvicorn.error` logger. The in-process simulator keeps uvicorn's own
chatter ("Started server process", "Shutting down", ...) out of its host's stderr: records
below WARNING from its thread are dropped, errors still come through. The deliberate aborts of the "reset" and
"truncate" faults make uvicorn log "ASGI callable returned without completing response.";
a filter drops exactly those records, one per deliberate abort, and nothing else.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType

import uvicorn

from .app import build_app
from .config import PROVIDER_IDS, SandboxConfig
from .media import sample_mp4, video_length
from .state import SandboxState, ServedRequest, TaskInfo

__all__ = ["Sandbox", "run_forever"]

log = logging.getLogger(__name__)

STARTUP_TIMEOUT = 10.0
STOP_TIMEOUT = 5.0
GRACEFUL_SHUTDOWN = 1  # seconds uvicorn waits for open answers (e.g. a stalled download)
TICK = 0.1  # uvicorn's housekeeping interval (Date header, exit flag)
_ABORT_MESSAGE = "ASGI callable returned without completing response."


class _AbortLogFilter(logging.Filter):
    def __init__(self, state: SandboxState) -> None:
        super().__init__()
        self.state = state

    def filter(self, record: logging.LogRecord) -> bool:
        # Drop the record only when it reports an abort the sandbox made on purpose.
        return not (record.getMessage() == _ABORT_MESSAGE and self.state.consume_abort())


class _QuietThreadFilter(logging.Filter):
    """Drops uvicorn's records below WARNING that come from one thread (the simulator's)."""

    def __init__(self, thread_name: str) -> None:
        super().__init__()
        self.thread_name = thread_name

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING or record.threadName != self.thread_name


UVICORN_LOGGERS = ("uvicorn.error", "uvicorn.access", "uvicorn")


def _bind(host: str, port: int) -> socket.socket:
    if host == "localhost":
        host = "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(
            f"host: {host!r} is not an IP address; allowed: a loopback address such as 127.0.0.1"
        ) from None
    if not address.is_loopback:
        raise ValueError(f"host: {host!r} is not a loopback address; allowed: 127.0.0.0/8, ::1, localhost")
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(f"port: {port!r}; allowed: 0 (any free port) to 65535")
    family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
    # proto must be IPPROTO_TCP: asyncio sets TCP_NODELAY on accepted sockets only then, and
    # without it every answer (head and body are two writes) waits ~40 ms for a delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def _root_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class _Server(uvicorn.Server):
    """uvicorn's server, woken at once by `request_exit` instead of at its next 0.1 s tick."""

    _wake: asyncio.Event | None = None
    _loop: asyncio.AbstractEventLoop | None = None

    async def main_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), TICK)
            should_exit = await self.on_tick(counter)

    def request_exit(self) -> None:
        self.should_exit = True
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                loop.call_soon_threadsafe(wake.set)


def _server(state: SandboxState) -> _Server:
    config = uvicorn.Config(
        build_app(state),
        lifespan="off",
        log_config=None,
        access_log=False,
        http="h11",
        ws="none",
        loop="asyncio",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN,
    )
    return _Server(config)


def _state(config: SandboxConfig, sock: socket.socket) -> SandboxState:
    sample_size = len(sample_mp4())
    return SandboxState(config, _root_url(sock), sample_size, video_length(sample_size, config.video_size))


def _serve(server: _Server, sock: socket.socket) -> None:
    try:
        server.run(sockets=[sock])
    except BaseException:  # a crash must not escape the thread unreported
        log.exception("sandbox server stopped with an error")


class Sandbox:
    """The simulator on `127.0.0.1` (a free port unless `port` is given), in a thread."""

    def __init__(self, config: SandboxConfig | None = None, *, port: int = 0) -> None:
        self.config = config if config is not None else SandboxConfig()
        self._wanted_port = port
        self._state: SandboxState | None = None
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self._filter: _AbortLogFilter | None = None
        self._quiet: _QuietThreadFilter | None = None
        self._port: int | None = None

    # -- life cycle ----------------------------------------------------------------------
    def start(self) -> Sandbox:
        if self._thread is not None:
            raise RuntimeError("Sandbox.start: already running; call stop() first")
        sock = _bind("127.0.0.1", self._wanted_port)
        try:
            state = _state(self.config, sock)
        except Exception:
            sock.close()
            raise
        server = _server(state)
        self._filter = _AbortLogFilter(state)
        logging.getLogger("uvicorn.error").addFilter(self._filter)
        self._state, self._server, self._socket = state, server, sock
        self._port = int(sock.getsockname()[1])
        name = f"seedance-sandbox-{self._port}"
        self._quiet = _QuietThreadFilter(name)
        for logger in UVICORN_LOGGERS:
            logging.getLogger(logger).addFilter(self._quiet)
        self._thread = threading.Thread(target=_serve, args=(server, sock), name=name, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("Sandbox.start: the server did not start (see the uvicorn.error log)")
            time.sleep(0.002)
        log.debug("sandbox listening on %s", state.root_url)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread; tasks and requests stay readable."""
        server, thread = self._server, self._thread
        if server is not None and thread is not None:
            server.request_exit()
            thread.join(STOP_TIMEOUT)
            if thread.is_alive():
                server.force_exit = True
                thread.join(STOP_TIMEOUT)
        if self._socket is not None:
            self._socket.close()
        if self._filter is not None:
            logging.getLogger("uvicorn.error").removeFilter(self._filter)
        if self._quiet is not None:
            for logger in UVICORN_LOGGERS:
                logging.getLogger(logger).removeFilter(self._quiet)
        self._server = self._thread = self._socket = self._filter = self._quiet = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- addresses -----------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("Sandbox.port: not started; use `with Sandbox(...)` or start()")
        return self._port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def base_url(self, provider: str) -> str:
        """The URL that replaces `provider`'s documented base URL; paths below it are unchanged."""
        if provider not in PROVIDER_IDS:
            raise ValueError(f"provider: {provider!r} is unknown; allowed: {', '.join(PROVIDER_IDS)}")
        return f"{self.url}/{provider}"

    # -- what happened -------------------------------------------------------------------
    def _require_state(self) -> SandboxState:
        if self._state is None:
            raise RuntimeError("Sandbox: not started yet")
        return self._state

    def tasks(self, provider: str | None = None) -> list[TaskInfo]:
        """The tasks created so far, oldest first (all providers when `provider` is None)."""
        if provider is not None and provider not in PROVIDER_IDS:
            raise ValueError(f"provider: {provider!r} is unknown; allowed: {', '.join(PROVIDER_IDS)}")
        return self._require_state().task_infos(provider)

    @property
    def requests(self) -> list[ServedRequest]:
        """Every request served: (provider, method, path, status_code), in order."""
        return self._require_state().served()

    @property
    def balance(self) -> int | None:
        """Credits left (None: unlimited); refunds of failed tasks are counted."""
        return self._require_state().balance()


def run_forever(
    host: str = "127.0.0.1",
    port: int = 8765,
    config: SandboxConfig | None = None,
    *,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve until interrupted: Ctrl+C shuts down gracefully and returns. `host` must be a loopback
    address; `config` defaults to `SandboxConfig()` (documented render times). `on_ready` gets the
    root URL once bound."""
    sock = _bind(host, port)
    try:
        state = _state(config if config is not None else SandboxConfig(), sock)
        server = _server(state)
        abort_filter = _AbortLogFilter(state)
        logging.getLogger("uvicorn.error").addFilter(abort_filter)
        try:
            if on_ready is not None:
                on_ready(state.root_url)
            server.run(sockets=[sock])
        except KeyboardInterrupt:
            # uvicorn has already shut down gracefully and re-raises the captured Ctrl+C.
            log.debug("sandbox stopped by an interrupt")
        finally:
            logging.getLogger("uvicorn.error").removeFilter(abort_filter)
    finally:
        sock.close()
