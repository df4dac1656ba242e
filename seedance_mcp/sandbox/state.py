"""Everything the simulated providers remember: tasks, balance, served requests, fault
counters, rate-limit windows and idempotency keys.

The server thread changes it and the test thread reads it, so every access takes one lock
(never held across an await). API keys are never stored: a key is reduced to a keyed BLAKE2
digest with a per-sandbox random salt, used only to tell owners apart.

With `SandboxConfig.state_path`, tasks and idempotency keys are also written to a `TaskStore`
on every change, and a task this simulator does not know is looked up there (another
process, or an earlier one, created it); the salt is the store's. A stored task's render
time runs from its wall-clock creation, so one created by a process that has since died is
as far along as if that process had lived.
"""

from __future__ import annotations

import hashlib
import math
import random
import secrets
import threading
import time
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

from .config import Fault, SandboxConfig
from .store import StoredTask, TaskStore
from .uploads import Uploads

__all__ = ["InsufficientBalance", "Phase", "SandboxState", "ServedRequest", "Task", "TaskInfo"]

Phase = Literal["queued", "running", "succeeded", "failed", "cancelled", "expired"]
QUEUED_SHARE = 0.1  # the first tenth of the render time is spent queued
FAIL_RENDER = frozenset({"fail_render"})
EXPIRE = frozenset({"expire"})

# Keys of `Task.extra` that the state itself keeps (a simulator's own keys are its business).
CANCELLED_AFTER = "cancelled_after"  # seconds from creation to the cancel
EXPIRE_AFTER = "expire_after"  # seconds from creation to the expiry of a task that never runs
DELETED = "deleted"  # the provider deleted the record: it is no longer found
LAST_FRAME = "last_frame"  # the finished task also has a last-frame PNG below /files/
FILES_KEPT = "files_kept"  # seconds after the render ends that its files are served (absent: always)


class ServedRequest(NamedTuple):
    provider: str
    method: str
    path: str
    status_code: int


@dataclass(frozen=True)
class TaskInfo:
    """A snapshot of one task, for tests: `state` is queued/running/succeeded/failed (or, where
    the provider has them, cancelled/expired) and `credits` what the task costs now (0 once a
    failure has been refunded)."""

    id: str
    provider: str
    body: dict[str, Any]
    created: float
    state: Phase
    credits: int


@dataclass
class Task:
    id: str
    provider: str
    body: dict[str, Any]
    owner: str
    duration: int
    charged: int
    fail: bool
    fail_code: str | None
    created: float
    created_wall: float
    queue_seconds: float
    render_seconds: float
    refunded: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def phase_at(self, now: float) -> Phase:
        if self.extra.get(CANCELLED_AFTER) is not None:
            return "cancelled"
        elapsed = now - self.created
        expire_after = self.extra.get(EXPIRE_AFTER)
        if expire_after is not None:
            return "expired" if elapsed >= expire_after else "queued"
        if elapsed >= self.render_seconds:
            return "failed" if self.fail else "succeeded"
        return "queued" if elapsed < self.queue_seconds else "running"

    def changed_after(self, phase: Phase) -> float:
        """Seconds from the task's creation to the moment it entered `phase`."""
        match phase:
            case "queued":
                return 0.0
            case "running":
                return self.queue_seconds
            case "succeeded" | "failed":
                return self.render_seconds
            case "cancelled":
                return float(self.extra[CANCELLED_AFTER])
            case "expired":
                return float(self.extra[EXPIRE_AFTER])

    @property
    def credits(self) -> int:
        return 0 if self.refunded else self.charged

    @property
    def file_name(self) -> str:
        return f"{self.id}.mp4"


class InsufficientBalance(Exception):
    def __init__(self, required: int, available: int) -> None:
        super().__init__(f"{required} credits required, {available} available")
        self.required = required
        self.available = available


class SandboxState:
    def __init__(self, config: SandboxConfig, root_url: str, sample_size: int, video_size: int) -> None:
        self.config = config
        self.root_url = root_url.rstrip("/")
        self.sample_size = sample_size
        self.video_size = video_size
        self._lock = threading.Lock()
        self._store = TaskStore(config.state_path) if config.state_path is not None else None
        self._salt = secrets.token_bytes(16)
        if self._store is not None:
            self._salt = self._store.salt(self._salt)
        self._tasks: dict[str, Task] = {}
        self._requests: list[ServedRequest] = []
        self._balance = config.balance
        self._faults = list(config.faults)
        self._fault_left = [f.times for f in self._faults]
        self._fault_rng = random.Random(config.seed)
        self._render_rng = random.Random(f"{config.seed}/render")
        self._windows: dict[tuple[str, str], deque[float]] = {}
        self._idempotency: dict[tuple[str, str], tuple[str, str]] = {}
        self.expected_aborts = 0
        self.uploads = Uploads(self.root_url, self._store)
        """Files uploaded to the simulators (fal's storage, Replicate's files API)."""

    # -- identity and time -------------------------------------------------------------
    def owner_of(self, key: str) -> str:
        return hashlib.blake2b(key.encode(), key=self._salt, digest_size=16).hexdigest()

    def key_accepted(self, key: str) -> bool:
        valid = self.config.valid_keys
        return bool(key) and (valid is None or key in valid)

    def now(self) -> float:
        return self.config.clock()

    # -- faults ------------------------------------------------------------------------
    def take_fault(self, provider: str, on: str, kinds: frozenset[str]) -> Fault | None:
        """The first configured fault that hits this request, consuming one of its `times`."""
        with self._lock:
            return self._take_fault(provider, on, kinds)

    def _take_fault(self, provider: str, on: str, kinds: frozenset[str]) -> Fault | None:
        for i, fault in enumerate(self._faults):
            if fault.on != on or fault.kind not in kinds or fault.provider not in (None, provider):
                continue
            if fault.probability is not None:
                if self._fault_rng.random() < fault.probability:
                    return fault
                continue
            if self._fault_left[i] > 0:
                self._fault_left[i] -= 1
                return fault
        return None

    def note_abort(self) -> None:
        with self._lock:
            self.expected_aborts += 1

    def consume_abort(self) -> bool:
        with self._lock:
            if self.expected_aborts > 0:
                self.expected_aborts -= 1
                return True
        return False

    # -- rate limits -------------------------------------------------------------------
    def rate_limited(self, provider: str, owner: str, limit: int, window: float) -> int | None:
        """Count one request in a sliding window; None if allowed, else Retry-After seconds."""
        now = self.now()
        with self._lock:
            hits = self._windows.setdefault((provider, owner), deque())
            while hits and hits[0] <= now - window:
                hits.popleft()
            if len(hits) >= limit:
                return max(1, math.ceil(hits[0] + window - now))
            hits.append(now)
        return None

    # -- tasks -------------------------------------------------------------------------
    def create_task(
        self,
        *,
        provider: str,
        prefix: str,
        body: dict[str, Any],
        owner: str,
        duration: int,
        credits: int,
        render_range: tuple[float, float],
        idempotency: tuple[str, str] | None = None,
        extra: dict[str, Any] | None = None,
        expiry: float | None = None,
        queued_share: float = QUEUED_SHARE,
    ) -> Task:
        """Charge the balance and store the task; raises `InsufficientBalance`.

        A "fail_render" fault is drawn only once the task is sure to be created; so is an
        "expire" fault, and only where the provider has an `expiry` (its seconds, unscaled): the
        task it hits stays queued until then and is expired. `queued_share` is the part of the
        render time the task waits in the queue first.
        """
        low, high = render_range
        extra = dict(extra or {})
        with self._lock:
            if self._balance is not None:
                if credits > self._balance:
                    raise InsufficientBalance(credits, self._balance)
                self._balance -= credits
            fail = self._take_fault(provider, "submit", FAIL_RENDER)
            if expiry is not None and self._take_fault(provider, "submit", EXPIRE) is not None:
                extra[EXPIRE_AFTER] = expiry * self.config.speed
            render = self._render_rng.uniform(low, high) * self.config.speed
            task = Task(
                id=prefix + secrets.token_hex(8),
                provider=provider,
                body=body,
                owner=owner,
                duration=duration,
                charged=credits,
                fail=fail is not None,
                fail_code=fail.code if fail is not None else None,
                created=self.now(),
                created_wall=time.time(),
                queue_seconds=render * queued_share,
                render_seconds=render,
                extra=extra,
            )
            self._tasks[task.id] = task
            if idempotency is not None:
                self._idempotency[(owner, idempotency[0])] = (idempotency[1], task.id)
            if self._store is not None:
                self._store.put(_stored(task), idempotency=idempotency)
        return task

    def _known(self, task_id: str) -> Task | None:
        """The task with this id: this simulator's, else the store's (lock held)."""
        task = self._tasks.get(task_id)
        if task is None and self._store is not None:
            stored = self._store.get(task_id)
            if stored is not None:
                task = self._tasks[task_id] = self._loaded(stored)
        return task

    def _loaded(self, stored: StoredTask) -> Task:
        age = max(0.0, time.time() - stored.created_wall)
        return Task(
            id=stored.id,
            provider=stored.provider,
            body=stored.body,
            owner=stored.owner,
            duration=stored.duration,
            charged=stored.charged,
            fail=stored.fail,
            fail_code=stored.fail_code,
            created=self.now() - age,
            created_wall=stored.created_wall,
            queue_seconds=stored.queue_seconds,
            render_seconds=stored.render_seconds,
            refunded=stored.refunded,
            extra=stored.extra,
        )

    def idempotent_task(self, owner: str, key: str, fingerprint: str) -> Task | Literal["conflict"] | None:
        """The task an earlier request with this key created, "conflict" if its body differed."""
        with self._lock:
            seen = self._idempotency.get((owner, key))
            if seen is None and self._store is not None:
                seen = self._store.idempotent(owner, key)
            if seen is None:
                return None
            if seen[0] != fingerprint:
                return "conflict"
            return self._known(seen[1])

    def find_task(self, provider: str, task_id: str, owner: str) -> Task | None:
        with self._lock:
            task = self._known(task_id)
        if task is None or task.provider != provider or task.owner != owner or task.extra.get(DELETED):
            return None
        return task

    def owner_tasks(self, provider: str, owner: str) -> list[Task]:
        """The tasks `owner` created at `provider` (the store's too), oldest first; deleted
        records are left out."""
        with self._lock:
            if self._store is not None:
                for stored in self._store.owned(provider, owner):
                    if stored.id not in self._tasks:
                        self._tasks[stored.id] = self._loaded(stored)
            tasks = [
                t
                for t in self._tasks.values()
                if t.provider == provider and t.owner == owner and not t.extra.get(DELETED)
            ]
        return sorted(tasks, key=lambda t: t.created)

    def cancel(self, task: Task, phases: Collection[Phase] = frozenset({"queued"})) -> Phase:
        """Cancel `task` if it is in one of `phases` now (queued only, unless the provider cancels
        running tasks too); returns the phase it had."""
        now = self.now()
        with self._lock:
            phase = task.phase_at(now)
            if phase in phases:
                task.extra[CANCELLED_AFTER] = max(0.0, now - task.created)
                self._changed(task)
        return phase

    def forget(self, task: Task) -> None:
        """Delete the task's record: it is no longer found (its files stay served)."""
        with self._lock:
            task.extra[DELETED] = True
            self._changed(task)

    def _changed(self, task: Task) -> None:
        if self._store is not None:
            self._store.set_extra(task.id, task.extra)

    def task_for_file(self, name: str) -> Task | None:
        stem, dot, suffix = name.rpartition(".")
        if not dot or suffix not in ("mp4", "png"):
            return None
        with self._lock:
            task = self._known(stem)
        return None if task is None or self.files_gone(task) else task

    def files_gone(self, task: Task) -> bool:
        """Whether the provider has deleted the finished task's files (`extra[FILES_KEPT]` seconds
        after its render ended: Replicate keeps them an hour)."""
        kept = task.extra.get(FILES_KEPT)
        return kept is not None and self.now() - task.created >= task.render_seconds + float(kept)

    def observe(self, task: Task) -> Phase:
        """The task's phase now; a failure seen for the first time refunds its credits."""
        phase = task.phase_at(self.now())
        if phase == "failed":
            with self._lock:
                self._refund(task)
        return phase

    def _refund(self, task: Task) -> None:
        if not task.refunded:
            task.refunded = True
            if self._balance is not None:
                self._balance += task.charged
            if self._store is not None:
                self._store.refunded(task.id)

    def task_infos(self, provider: str | None) -> list[TaskInfo]:
        now = self.now()
        with self._lock:
            tasks = [t for t in self._tasks.values() if provider is None or t.provider == provider]
            infos = []
            for task in tasks:
                phase = task.phase_at(now)
                if phase == "failed":
                    self._refund(task)
                infos.append(TaskInfo(task.id, task.provider, task.body, task.created, phase, task.credits))
        return infos

    def balance(self) -> int | None:
        self.task_infos(None)  # settle refunds that are due
        with self._lock:
            return self._balance

    # -- served requests ---------------------------------------------------------------
    def record(self, entry: ServedRequest) -> None:
        with self._lock:
            self._requests.append(entry)

    def served(self) -> list[ServedRequest]:
        with self._lock:
            return list(self._requests)

    def file_url(self, task: Task) -> str:
        return f"{self.root_url}/files/{task.file_name}"

    def frame_url(self, task: Task) -> str:
        """The URL of the task's last-frame PNG (served only when `extra[LAST_FRAME]` is true)."""
        return f"{self.root_url}/files/{task.id}.png"


def _stored(task: Task) -> StoredTask:
    return StoredTask(
        id=task.id,
        provider=task.provider,
        body=task.body,
        owner=task.owner,
        duration=task.duration,
        charged=task.charged,
        fail=task.fail,
        fail_code=task.fail_code,
        created_wall=task.created_wall,
        queue_seconds=task.queue_seconds,
        render_seconds=task.render_seconds,
        refunded=task.refunded,
        extra=task.extra,
    )
