"""How a tool call waits for a render: the wait limits (well inside a client's 60 s request
timeout) and the relay that turns the service's progress into MCP progress notifications,
with a heartbeat while the service is quiet.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
from mcp.server.mcpserver import Context

from ..printable import printable

if TYPE_CHECKING:
    from ..engine import Progress

__all__ = ["DEFAULT_WAIT_SECONDS", "HEARTBEAT_SECONDS", "MAX_WAIT_SECONDS", "ProgressRelay", "with_heartbeat"]

log = logging.getLogger("seedance_mcp.server")  # one logger name for all the server says

DEFAULT_WAIT_SECONDS = 45.0
"""How long `generate_video` waits for the render unless told otherwise."""
MAX_WAIT_SECONDS = 50.0
"""Longest a tool call waits: under the 60 s request timeout of common clients."""
HEARTBEAT_SECONDS = 8.0
"""A progress notification goes out at least this often while a tool waits."""


class ProgressRelay:
    """Turns the service's progress into MCP progress notifications, with a heartbeat.

    The value sent is the seconds since submit (strictly increasing, as the protocol asks) and
    the total is the typical render time while it is still ahead; the message names the phase.
    Between the service's own reports (during a slow submit or download) the heartbeat repeats
    the last one with the time moved on, so a client hears from the call at least every
    `HEARTBEAT_SECONDS`.
    """

    def __init__(
        self,
        ctx: Context[Any, Any],
        *,
        clock: Callable[[], float] = time.monotonic,
        quiet: float = HEARTBEAT_SECONDS,
        tick: float = 1.0,
    ) -> None:
        self._ctx = ctx
        self._clock = clock
        self._quiet = quiet
        self._tick = tick
        self._last: Progress | None = None
        self._received_at = self._sent_at = clock()
        self._value = -1.0

    async def __call__(self, progress: Progress) -> None:
        self._last = progress
        self._received_at = self._clock()
        await self._send(progress.elapsed)

    async def _send(self, elapsed: float) -> None:
        progress = self._last
        if progress is None:
            return
        value = max(round(elapsed, 1), round(self._value + 0.1, 1))
        self._value = value
        self._sent_at = self._clock()
        expected = progress.expected
        total = expected if expected is not None and value < expected else None
        typical = f", typically ~{expected:.0f} s" if expected else ""
        sandbox = " [sandbox]" if progress.sandbox else ""
        message = printable(f"{progress.phase}: {progress.message} ({value:.0f} s elapsed{typical}){sandbox}")
        try:
            await self._ctx.report_progress(value, total, message)
        except Exception:  # a note that cannot be delivered must not fail the render
            log.debug("progress notification not delivered", exc_info=True)

    async def heartbeat(self) -> None:
        while True:
            await anyio.sleep(self._tick)
            if self._last is not None and self._clock() - self._sent_at >= self._quiet:
                await self._send(self._last.elapsed + (self._clock() - self._received_at))


J = TypeVar("J")


async def with_heartbeat(relay: ProgressRelay, call: Callable[[], Awaitable[J]]) -> J:
    """The job `call` returns (a video's or an image job), with `relay`'s heartbeat running
    meanwhile; its error, unwrapped."""
    result: J | None = None
    error: Exception | None = None
    async with anyio.create_task_group() as tg:
        tg.start_soon(relay.heartbeat)
        try:
            result = await call()
        except Exception as exc:  # re-raised below, outside the task group (no ExceptionGroup)
            error = exc
        finally:
            tg.cancel_scope.cancel()
    if error is not None:
        raise error
    assert result is not None
    return result
