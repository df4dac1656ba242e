"""Hostile soak (issue 11, "Tests"): many jobs against a provider whose answers are drawn at random.

The fake (`tests/hostile.py`, raw sockets on 127.0.0.1) plays NanoPhoto, which honours no
idempotency keys, so a submit that may have created a task must never be re-sent. Each job
draws (seeded) how its submit is answered: normally, trickled fast enough to arrive within the
window, trickled too slowly to ever arrive, never, garbage HTML with a 200, a 302, a body cut
short, a clear 400 refusal (the control), or normally while another connection holds the job's
ledger `BEGIN EXCLUSIVE` for a moment or past the record window. Then each job's `status` is
answered by its own draw (normally, with a video, or trickled, silent, garbage, 3xx, cut).

For every job: each call returns within `call_bound` (the submit window is 1 s); the ledger has
the job's row; it is `failed` with "no task was created" only after the 400; every task id the
fake handed out whole is recorded (after the lock, from the pending file by the next `status`);
no submit was sent twice. A handful of jobs in the normal run (under ~10 s); 120 with `--soak`.
One summary line is printed (visible with `-s`).
"""

from __future__ import annotations

import random
import re
import sqlite3
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import pytest
from hostile import Behaviour, Hostile, Request, answer, cut, garbage, redirect, silent, trickle

from seedance_mcp.engine import Service
from seedance_mcp.engine.limits import RECORD_WINDOW, call_bound
from seedance_mcp.engine.notices import REFUSED
from seedance_mcp.errors import LedgerBusy, SeedanceError
from seedance_mcp.models import Job, JobStatus, VideoRequest
from seedance_mcp.retry import RetryPolicy
from seedance_mcp.settings import Settings

KEY = "sk-fake-HOSTILE-SOAK-0007"
SEED = 20251111
WINDOW = 1.0
BOUND = call_bound(0.0, window=WINDOW)
SLOW = 0.2
"""Seconds between trickled bytes of an answer that can never arrive within the window."""
FAST = 0.002
"""Seconds between trickled bytes of an answer that arrives well within it."""
SHORT_HOLD = 0.6
LONG_HOLD = WINDOW + RECORD_WINDOW + 1.5
"""Past the call's end plus the record window: the task id must go to the pending file."""
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 200
SUBMIT_PATH = "/api/seedance-1-5-pro/generate"
STATUS_PATH = "/api/seedance-1-5-pro/check-status"
TAG = re.compile(r"\[hx (\d+)\]")

SUBMITS = ["ok", "trickle_fast", "trickle_slow", "silent", "garbage", "redirect", "cut", "refuse"]
SUBMITS += ["lock_short", "lock_long"]
DELIVERED = {"ok", "trickle_fast", "lock_short", "lock_long"}
"""Submit answers that reach the client whole, with a task id in them."""
STATUSES = ["ok", "trickle", "silent", "garbage", "redirect", "cut"]


class Holder:
    """Another process on the job's ledger: `BEGIN EXCLUSIVE` on its own connection for `hold` s."""

    def __init__(self, path: Path) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=5)
        self.released = threading.Event()

    def hold_for(self, seconds: float) -> None:
        self.conn.execute("BEGIN EXCLUSIVE")
        timer = threading.Timer(seconds, self.release)
        timer.daemon = True
        timer.start()

    def release(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        self.released.set()

    def close(self) -> None:
        self.release()
        self.conn.close()


@dataclass
class Plan:
    n: int
    submit: str
    status: str
    svc: Service
    holder: Holder | None = None
    handed_out: str | None = None
    """The task id the fake's submit answer carried, if it reached the client whole."""
    job: Job | None = None
    raised: str | None = None
    elapsed: list[float] = field(default_factory=list)


class Fake:
    """NanoPhoto as documented, each job's answers as its plan says."""

    def __init__(self, plans: dict[int, Plan]) -> None:
        self.plans = plans
        self.base_url = ""
        self.tasks: dict[str, int] = {}
        self._lock = threading.Lock()

    def __call__(self, request: Request) -> Behaviour:
        body = request.json() or {}
        if request.path == SUBMIT_PATH:
            match = TAG.search(str(body.get("prompt", "")))
            assert match is not None, body
            plan = self.plans[int(match.group(1))]
            task_id = f"task_hx{plan.n:04d}"
            with self._lock:
                self.tasks[task_id] = plan.n
            return self._submit(plan, task_id)
        if request.path == STATUS_PATH:
            task_id = str(body.get("taskId"))
            plan = self.plans[self.tasks[task_id]]
            done = {"status": "completed", "taskId": task_id, "videoUrl": f"{self.base_url}/v/{task_id}.mp4"}
            return self._status(plan.status, done)
        return answer(200, MP4)

    def _submit(self, plan: Plan, task_id: str) -> Behaviour:
        body = {"status": "processing", "taskId": task_id}
        mode = plan.submit
        if mode in DELIVERED:
            plan.handed_out = task_id
        if mode.startswith("lock"):
            assert plan.holder is not None
            plan.holder.hold_for(SHORT_HOLD if mode == "lock_short" else LONG_HOLD)
            return answer(200, body)
        if mode == "trickle_fast":
            return trickle(200, body, every=FAST)
        if mode == "refuse":
            return answer(400, {"error": "The prompt was rejected"})
        return self._status("trickle" if mode == "trickle_slow" else mode, body)

    @staticmethod
    def _status(mode: str, body: Any) -> Behaviour:
        if mode == "trickle":
            return trickle(200, body, every=SLOW)
        if mode == "silent":
            return silent()
        if mode == "garbage":
            return garbage()
        if mode == "redirect":
            return redirect("http://127.0.0.1:9/elsewhere")
        if mode == "cut":
            return cut(200, body, after=10)
        return answer(200, body)


def service(home: Path, base_url: str) -> Service:
    settings = Settings.from_env(
        {
            "NANOPHOTO_API_KEY": KEY,
            "SEEDANCE_PROVIDER": "nanophoto",
            "SEEDANCE_BASE_URL": base_url,
            "SEEDANCE_HOME": str(home / "home"),
            "SEEDANCE_OUTPUT_DIR": str(home / "videos"),
            "SEEDANCE_POLL_INITIAL_DELAY": "0",
            "SEEDANCE_POLL_INTERVAL": "0.1",
        }
    )
    return Service(settings, retry=RetryPolicy(attempts=2, base_delay=0.05, jitter=0.0), submit_window=WINDOW)


async def timed(plan: Plan, call: Any) -> Any:
    start = time.monotonic()
    try:
        return await call
    finally:
        plan.elapsed.append(time.monotonic() - start)


async def drive(plan: Plan) -> None:
    """One job: generate, then (once any other holder of its ledger let go) one status."""
    request = VideoRequest(prompt=f"[hx {plan.n:04d}] a lighthouse in a storm, slow dolly in")
    try:
        plan.job = await timed(plan, plan.svc.generate(request, wait_seconds=0))
    except LedgerBusy as err:
        plan.raised = err.code
        assert plan.handed_out is not None and plan.handed_out in err.message, err.message
    except SeedanceError as err:
        plan.raised = err.code
    if plan.holder is not None:
        await anyio.to_thread.run_sync(plan.holder.released.wait, LONG_HOLD + 5)
    [row] = plan.svc.ledger.recent(10) or [None]
    if row is None:
        return
    try:
        plan.job = await timed(plan, plan.svc.status(row.job_id))
    except SeedanceError:
        plan.job = None


def check(plan: Plan, server: Hostile) -> list[str]:
    where = f"job {plan.n} (submit {plan.submit}, status {plan.status})"
    problems = [f"{where}: a call took {t:.1f} s, past {BOUND} s" for t in plan.elapsed if t >= BOUND]
    sent = sum(
        1 for r in server.requests if r.path == SUBMIT_PATH and f"[hx {plan.n:04d}]" in r.body.decode()
    )
    if sent != 1:
        problems.append(f"{where}: {sent} submits sent (NanoPhoto honours no idempotency keys)")
    rows = plan.svc.ledger.recent(10)
    if len(rows) != 1:
        return [*problems, f"{where}: {len(rows)} ledger rows for one submit sent (a job lost)"]
    job = rows[0]
    if job.status is JobStatus.FAILED and job.provider_task_id is None and plan.submit != "refuse":
        problems.append(f"{where}: failed with nothing created ({job.notice}), though not refused")
    if plan.submit == "refuse" and (job.status is not JobStatus.FAILED or job.notice != REFUSED):
        problems.append(f"{where}: a clear 400 recorded as {job.status.value} ({job.notice})")
    if plan.handed_out is not None and job.provider_task_id != plan.handed_out:
        problems.append(f"{where}: task {plan.handed_out} handed out, ledger has {job.provider_task_id}")
    if plan.handed_out is None and plan.submit != "refuse" and job.status is not JobStatus.UNKNOWN:
        problems.append(f"{where}: no answer read, but the job is {job.status.value}")
    if job.status is JobStatus.UNKNOWN and "NOT resent" not in (job.notice or ""):
        problems.append(f"{where}: unknown without saying it is not resent: {job.notice}")
    completed = plan.handed_out is not None and plan.status == "ok"
    if completed and (job.status is not JobStatus.SUCCEEDED or job.video_path is None):
        problems.append(f"{where}: a completed task ended {job.status.value}, video {job.video_path}")
    if plan.submit == "lock_long" and plan.raised != "ledger_busy":
        problems.append(f"{where}: the ledger held past the record window, but generate gave {plan.raised}")
    pending = job_pending(plan)
    if pending:
        problems.append(f"{where}: still pending after status: {pending}")
    return problems


def job_pending(plan: Plan) -> list[str]:
    folder = plan.svc.ledger.pending_folder
    return sorted(p.name for p in folder.glob("*.json")) if folder.exists() else []


def outcome(plan: Plan) -> str:
    [job] = plan.svc.ledger.recent(10) or [None]
    status = "lost" if job is None else job.status.value
    return f"{plan.submit}->{status}"


async def run_batch(
    root: Path, numbers: list[int], draws: list[tuple[str, str]]
) -> tuple[list[str], Counter[str], float]:
    plans: dict[int, Plan] = {}
    fake = Fake(plans)
    with Hostile(fake, lifetime=60.0) as server:
        fake.base_url = server.base_url
        for n, (submit, status) in zip(numbers, draws, strict=True):
            svc = service(root / f"job{n:04d}", server.base_url)
            holder = Holder(svc.ledger.path) if submit.startswith("lock") else None
            plans[n] = Plan(n=n, submit=submit, status=status, svc=svc, holder=holder)
        try:
            with anyio.fail_after(BOUND + LONG_HOLD + 15):
                async with anyio.create_task_group() as tg:
                    for plan in plans.values():
                        tg.start_soon(drive, plan)
            problems = [p for plan in plans.values() for p in check(plan, server)]
            outcomes = Counter(outcome(plan) for plan in plans.values())
            outcomes.update(f"raised:{plan.raised}" for plan in plans.values() if plan.raised)
            slowest = max(t for plan in plans.values() for t in plan.elapsed)
        finally:
            for plan in plans.values():
                if plan.holder is not None:
                    plan.holder.close()
                plan.svc.close()
    return problems, outcomes, slowest


@pytest.mark.anyio
@pytest.mark.timeout(900)
async def test_hostile_soak_keeps_every_paid_submit_accounted_for_within_its_bound(
    tmp_path: Path, soak: bool
) -> None:
    total, batch = (120, 12) if soak else (len(SUBMITS), len(SUBMITS))
    rng = random.Random(SEED)
    # Every submit behaviour at least once, then drawn at random.
    firsts = rng.sample(SUBMITS, len(SUBMITS))
    kinds = [firsts[i] if i < len(firsts) else rng.choice(SUBMITS) for i in range(total)]
    draws = [(kind, rng.choice(STATUSES)) for kind in kinds]
    started = time.monotonic()
    problems: list[str] = []
    outcomes: Counter[str] = Counter()
    slowest = 0.0
    for first in range(0, total, batch):
        numbers = list(range(first, min(total, first + batch)))
        found, counted, slow = await run_batch(tmp_path, numbers, [draws[n] for n in numbers])
        problems += found
        outcomes += counted
        slowest = max(slowest, slow)
    elapsed = time.monotonic() - started
    print(
        f"\nhostile soak: {total} jobs in {elapsed:.1f} s; submit->final {dict(sorted(outcomes.items()))}; "
        f"slowest call {slowest:.1f} s (bound {BOUND:.0f} s); "
        f"status answers {dict(sorted(Counter(s for _, s in draws).items()))}; violations {len(problems)}"
    )
    assert not problems, "\n".join(problems[:40])
