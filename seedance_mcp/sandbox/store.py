"""Where a simulator's tasks outlive its process: one SQLite file (WAL) that every simulator
started over the same folder shares, so a job submitted by one `seedance` process can be
finished by the next.

Kept: each task (its body, owner digest, render timing as wall-clock creation time plus
durations, failure draw, refund, and what its simulator keeps with it, such as a
cancel), the idempotency keys, and the salt the owner digests are
made with (a digest is not a key; no key is ever stored). Not kept: the balance, faults,
rate windows and served requests, which stay per process.

Each operation opens its own short connection, so the store is safe from any thread, and
SQLite's locking makes it safe from any number of processes.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, NamedTuple

__all__ = ["StoredTask", "TaskStore"]

BUSY_TIMEOUT = 10.0
"""Seconds an operation waits for another process's write before giving up."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS tasks (
    id TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    body TEXT NOT NULL,
    owner TEXT NOT NULL,
    duration INTEGER NOT NULL,
    charged INTEGER NOT NULL,
    fail INTEGER NOT NULL,
    fail_code TEXT,
    created_wall REAL NOT NULL,
    queue_seconds REAL NOT NULL,
    render_seconds REAL NOT NULL,
    refunded INTEGER NOT NULL DEFAULT 0,
    extra TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS uploads (id TEXT PRIMARY KEY, mime TEXT NOT NULL, data BLOB);
CREATE TABLE IF NOT EXISTS idempotency (
    owner TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    task_id TEXT NOT NULL,
    PRIMARY KEY (owner, key)
);
"""
_COLUMNS = (
    "id, provider, body, owner, duration, charged, fail, fail_code, created_wall, "
    "queue_seconds, render_seconds, refunded, extra"
)
_INSERT = f"INSERT OR REPLACE INTO tasks ({_COLUMNS}) VALUES ({', '.join('?' * 13)})"  # noqa: S608 (constants)
_SELECT = f"SELECT {_COLUMNS} FROM tasks WHERE id = ?"  # noqa: S608 (constants)
_SELECT_OWNED = f"SELECT {_COLUMNS} FROM tasks WHERE provider = ? AND owner = ?"  # noqa: S608 (constants)


class StoredTask(NamedTuple):
    """One task as stored: `created_wall` is `time.time()` at its creation."""

    id: str
    provider: str
    body: dict[str, Any]
    owner: str
    duration: int
    charged: int
    fail: bool
    fail_code: str | None
    created_wall: float
    queue_seconds: float
    render_seconds: float
    refunded: bool
    extra: dict[str, Any]


class TaskStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Created by us, readable by its owner only (SQLite's -wal/-shm files copy that).
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
            with self._connect() as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as err:
            raise ValueError(f"SandboxConfig.state_path: {str(self.path)!r} cannot be used: {err}") from None

    def __repr__(self) -> str:
        return f"TaskStore({str(self.path)!r})"

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)) as db:
            yield db

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def salt(self, fresh: bytes) -> bytes:
        """The store's salt for owner digests: `fresh` if it has none yet, else the one it keeps."""
        with self._write() as db:
            db.execute("INSERT OR IGNORE INTO meta (name, value) VALUES ('salt', ?)", (fresh,))
            row = db.execute("SELECT value FROM meta WHERE name = 'salt'").fetchone()
        return bytes(row[0])

    def put_upload(self, upload_id: str, mime: str, data: bytes | None) -> None:
        """Keep an uploaded file (the simulators' fal storage and Replicate files)."""
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO uploads (id, mime, data) VALUES (?, ?, ?)", (upload_id, mime, data)
            )

    def get_upload(self, upload_id: str) -> tuple[str, bytes | None] | None:
        with self._connect() as db:
            row = db.execute("SELECT mime, data FROM uploads WHERE id = ?", (upload_id,)).fetchone()
        return None if row is None else (str(row[0]), None if row[1] is None else bytes(row[1]))

    def put(self, task: StoredTask, *, idempotency: tuple[str, str] | None = None) -> None:
        """Store a new task, and the idempotency key (key, fingerprint) that created it."""
        values = (
            *task[:2],
            json.dumps(task.body),
            *task[3:12],
            json.dumps(task.extra),
        )
        with self._write() as db:
            db.execute(_INSERT, values)
            if idempotency is not None:
                db.execute(
                    "INSERT OR REPLACE INTO idempotency VALUES (?, ?, ?, ?)",
                    (task.owner, idempotency[0], idempotency[1], task.id),
                )

    def get(self, task_id: str) -> StoredTask | None:
        with self._connect() as db:
            row = db.execute(_SELECT, (task_id,)).fetchone()
        return None if row is None else _task(row)

    def owned(self, provider: str, owner: str) -> list[StoredTask]:
        """Every task `owner` created at `provider` (the list and queue-cap look-ups)."""
        with self._connect() as db:
            rows = db.execute(_SELECT_OWNED, (provider, owner)).fetchall()
        return [_task(row) for row in rows]

    def set_extra(self, task_id: str, extra: dict[str, Any]) -> None:
        """Replace a task's `extra` (a cancel, a deleted record)."""
        with self._write() as db:
            db.execute("UPDATE tasks SET extra = ? WHERE id = ?", (json.dumps(extra), task_id))

    def refunded(self, task_id: str) -> None:
        with self._write() as db:
            db.execute("UPDATE tasks SET refunded = 1 WHERE id = ?", (task_id,))

    def idempotent(self, owner: str, key: str) -> tuple[str, str] | None:
        """(fingerprint, task id) of the task an earlier request with this key created."""
        with self._connect() as db:
            row = db.execute(
                "SELECT fingerprint, task_id FROM idempotency WHERE owner = ? AND key = ?", (owner, key)
            ).fetchone()
        return None if row is None else (str(row[0]), str(row[1]))


def _task(row: Any) -> StoredTask:
    return StoredTask(
        id=row[0],
        provider=row[1],
        body=json.loads(row[2]),
        owner=row[3],
        duration=int(row[4]),
        charged=int(row[5]),
        fail=bool(row[6]),
        fail_code=row[7],
        created_wall=float(row[8]),
        queue_seconds=float(row[9]),
        render_seconds=float(row[10]),
        refunded=bool(row[11]),
        extra=json.loads(row[12]),
    )
