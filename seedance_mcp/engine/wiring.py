"""The parts a job needs, built on demand: settings, ledger, simulator, HTTP clients, locks.

Nothing is built until first asked for (a `seedance providers` call opens no ledger and starts
no simulator), and `close` releases whatever was built. The MCP server calls in from worker
threads, so what is built on demand (settings, ledger, simulator) is built under one lock,
once, however many threads ask at the same time; async code has it built in a worker thread
(`prepare`), so the event loop never waits for the ledger's file or the simulator's start.

In sandbox mode the provider client is pointed at the built-in simulator on loopback with a
placeholder key (its tasks kept beside the ledger, so they outlive the process), and every
wait (retry backoff, rate window, poll schedule) is scaled by the simulator's speed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypedDict, Unpack

import anyio
import anyio.to_thread
import httpx2

from ..client import ProviderClient, shared_ssl_context
from ..inflight import SubmitLocks
from ..ledger import Ledger
from ..models import Job
from ..polling import PollSchedule
from ..providers import Provider, get_provider
from ..retry import DEFAULT_RETRY, RetryPolicy
from ..settings import Secret, Settings, Target
from .budget import LedgerBudget
from .limits import MIN_SUBMIT_WINDOW
from .records import Records

if TYPE_CHECKING:
    from ..sandbox import Sandbox, SandboxConfig

__all__ = ["SANDBOX_KEY", "SANDBOX_STATE_FILE", "Parts", "Wiring"]

SANDBOX_KEY = "sandbox-key"
"""The bearer key sent to the built-in simulator (any non-empty key is accepted there)."""
SANDBOX_STATE_FILE = "sandbox.sqlite3"
"""The built-in simulator's tasks, in the ledger's folder."""
DOWNLOAD_TIMEOUT = httpx2.Timeout(30.0, connect=10.0)


class Parts(TypedDict, total=False):
    """What a caller may hand in instead of the defaults (tests, benchmarks, other front ends)."""

    ledger: Ledger
    transport: httpx2.AsyncBaseTransport
    """Provider HTTP goes through it (a mock transport in tests)."""
    download_transport: httpx2.AsyncBaseTransport
    """Video downloads go through it; default: `transport`."""
    clock: Callable[[], float]
    sleep: Callable[[float], Awaitable[None]]
    retry: RetryPolicy
    sandbox_config: SandboxConfig
    submit_window: float
    """The least time a call gives its submit or status check (default `MIN_SUBMIT_WINDOW`;
    deadline tests shorten it)."""


class Wiring:
    def __init__(self, settings: Settings | None = None, **parts: Unpack[Parts]) -> None:
        self._settings = settings
        self._ledger = parts.get("ledger")
        self._transport = parts.get("transport")
        self._download_transport = parts.get("download_transport")
        self.clock = parts.get("clock", time.time)
        self.sleep = parts.get("sleep", anyio.sleep)
        self.retry = parts.get("retry", DEFAULT_RETRY)
        self._sandbox_config = parts.get("sandbox_config")
        self.submit_window = parts.get("submit_window", MIN_SUBMIT_WINDOW)
        self.sandbox: Sandbox | None = None
        """The simulator, once a sandbox job has started it."""
        self._building = threading.RLock()
        """Held while a part is built (re-entrant: the ledger needs the settings)."""

    @property
    def settings(self) -> Settings:
        settings = self._settings
        if settings is None:
            with self._building:
                if self._settings is None:
                    self._settings = Settings.from_env()
                settings = self._settings
        return settings

    @property
    def ledger(self) -> Ledger:
        ledger = self._ledger
        if ledger is None:
            with self._building:
                if self._ledger is None:
                    self._ledger = Ledger.open(self.settings.home)
                ledger = self._ledger
        return ledger

    async def prepare(self, target: Target | None = None) -> Ledger:
        """Build, in a worker thread, what a call on `target` needs (the ledger, and the
        simulator for a sandbox target), so no later step of the call blocks on building it."""

        def build() -> Ledger:
            if target is not None and target.sandbox:
                self._sandbox_base(target.provider)
            return self.ledger

        if self._ledger is not None and (target is None or not target.sandbox or self.sandbox is not None):
            return self._ledger
        return await anyio.to_thread.run_sync(build)

    def records(self, *, until: float | None) -> Records:
        """The ledger for a call ending at `until`: off the event loop, never past the end."""
        return Records(self.ledger, clock=self.clock, sleep=self.sleep, until=until)

    @property
    def submit_locks(self) -> SubmitLocks:
        return SubmitLocks(self.ledger.path.parent / "inflight")

    def scale(self, sandbox: bool) -> float:
        """The time scale of a job: the simulator's speed in sandbox mode, else 1."""
        return self.settings.sandbox_speed if sandbox else 1.0

    def schedule(self, job: Job) -> PollSchedule:
        """When to poll `job`, on its provider's documented schedule (overridable by settings)."""
        assert job.request.duration is not None
        return PollSchedule.for_job(
            get_provider(job.provider),
            job.request.duration,
            model=job.request.model,
            flex=job.request.flex,
            interval=self.settings.poll_interval,
            initial_delay=self.settings.poll_initial_delay,
            scale=self.scale(job.sandbox),
        )

    def target_for_job(self, job: Job) -> Target:
        """Where a recorded job lives: the simulator for a sandbox job, else its provider."""
        if job.sandbox:
            return Target(
                provider=get_provider(job.provider), key=None, key_env=None, sandbox=True, base_url=None
            )
        return self.settings.target(job.provider)

    def client(self, target: Target, *, deadline: float | None, records: Records) -> ProviderClient:
        """A provider client for `target` whose retries never sleep past `deadline`, drawing
        on the shared rate budget through `records`."""
        key = target.key
        base = target.base_url
        if target.sandbox:
            key = Secret(SANDBOX_KEY)
            base = self._sandbox_base(target.provider)
        scale = self.scale(target.sandbox)
        return ProviderClient(
            target.provider,
            clock=self.clock,
            key_env=None if target.sandbox else (target.key_env or target.provider.key_env),
            key=key,
            base_url=base,
            transport=self._transport,
            retry=self._retry_for(target, scale),
            sleep=self.sleep,
            budget=LedgerBudget(
                records,
                clock=self.clock,
                sleep=self.sleep,
                bucket_prefix="sandbox:" if target.sandbox else "",
                scale=scale,
            ),
            deadline=deadline,
        )

    def _retry_for(self, target: Target, scale: float) -> RetryPolicy:
        base_delay = self.settings.retry_base_delay
        if base_delay is not None:  # SEEDANCE_RETRY_BASE_DELAY rescales the whole backoff
            return self.retry.scaled(base_delay)
        if target.sandbox and scale < 1:
            return self.retry.scaled(scale)
        return self.retry

    def download_client(self) -> httpx2.AsyncClient:
        """An HTTP client for video URLs: no provider key (CDNs need none), redirects followed."""
        transport = self._download_transport or self._transport
        mounts: dict[str, httpx2.AsyncBaseTransport] = {}
        if self.sandbox is not None:
            # The simulator's pictures live on its (never resolving) CDN host: only that host is
            # routed to it, so every other download keeps the client's TLS and proxy settings.
            from ..sandbox.images import CDN_HOST, SandboxCdn

            mounts[f"https://{CDN_HOST}"] = SandboxCdn(self.sandbox.url, transport)
        return httpx2.AsyncClient(
            transport=transport,
            mounts=mounts or None,
            timeout=DOWNLOAD_TIMEOUT,
            follow_redirects=True,
            verify=shared_ssl_context(),
        )

    def _sandbox_base(self, provider: Provider) -> str:
        sandbox = self.sandbox
        if sandbox is None:
            with self._building:
                if self.sandbox is None:
                    from ..sandbox import Sandbox, SandboxConfig

                    # Its tasks live beside the ledger, so a job submitted by this process can be
                    # resumed by the next one (`seedance status JOB --wait` after `--no-wait`).
                    # Real clips (asked length, size, audio), so films stitch and check for real.
                    config = self._sandbox_config or SandboxConfig(
                        speed=self.settings.sandbox_speed,
                        state_path=self.ledger.path.parent / SANDBOX_STATE_FILE,
                        clips=True,
                    )
                    self.sandbox = Sandbox(config).start()
                sandbox = self.sandbox
        return sandbox.base_url(provider.id)

    def close(self) -> None:
        with self._building:
            if self.sandbox is not None:
                self.sandbox.stop()
                self.sandbox = None
            if self._ledger is not None:
                self._ledger.close()
                self._ledger = None
