"""How long a call may take: the one place that says it.

A call (`Service.generate`, `Service.status`) has one end, fixed when it starts:

    end = start + max(wait_seconds, MIN_SUBMIT_WINDOW)

Every exchange in flight (the submit, each status check, the download) runs inside a cancel
scope that ends there, so a provider that trickles its answer one byte at a time, or accepts a
request and never answers, cannot keep the call past it (HTTP read timeouts are per read, so a
trickle never trips them). The wait between polls ends at `start + wait_seconds`; the submit
(and the one status check of `status` without a wait) gets at least `MIN_SUBMIT_WINDOW` to
retry what provably never arrived. What is cut off is kept: a submit cut off after its request
left is `unknown` (re-sent with the same key only where the provider honours idempotency keys),
a cut-off status check leaves the job as it was with a notice, a cut-off download leaves the job
succeeded with the download to retry.

After the end, the call only records what it has and closes its connections. Every ledger
read and write of a call (`Records`, in a worker thread) waits for another process's lock at
most until `RECORD_WINDOW` past the end; then a status answer is left unrecorded (the job as it
was, with a notice) and a task id or a saved video's path goes to the pending file beside the
ledger. So a call returns within `call_bound(wait_seconds)`: the end plus `DEADLINE_MARGIN`.

An MCP tool waits at most 50 s, so it answers within 55 s, inside a client's 60 s timeout.
"""

from __future__ import annotations

__all__ = ["DEADLINE_MARGIN", "MIN_SUBMIT_WINDOW", "RECORD_WINDOW", "call_bound"]

MIN_SUBMIT_WINDOW = 20.0
"""A submit (or a status check) always gets this long to retry, even under a shorter wait."""
DEADLINE_MARGIN = 5.0
"""How long past its end a call may take to record its outcome and close (seconds)."""
RECORD_WINDOW = 3.0
"""How long past the end a call still waits for a locked ledger before it gives up on it (a
received task id or video path then goes to the fallback file); less than `DEADLINE_MARGIN`."""


def call_bound(wait_seconds: float, window: float = MIN_SUBMIT_WINDOW) -> float:
    """The most seconds a call with this wait takes: its end plus the margin."""
    return max(wait_seconds, window) + DEADLINE_MARGIN
