"""Image jobs in the job ledger's SQLite file: a table of their own, `images`, beside `jobs`.

The same file, the same connections, locks and errors as the video jobs (`Ledger.reading` /
`Ledger.writing`), so an image job is written before its submit leaves and updated at every
step, exactly like a video job. The table is created on first use (`CREATE TABLE IF NOT
EXISTS`), so the ledger's schema version is untouched and older ledgers simply gain it. A job
is stored as its JSON beside the columns used to find it; no column holds a secret.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from datetime import UTC, timedelta
from typing import Any

from pydantic import ValidationError

from ..errors import InvalidRequest, JobNotFound, LedgerCorrupt
from ..ledger import MIN_PREFIX, Ledger
from ..models import utcnow
from .models import IMAGE_JOB_PREFIX, ImageJob

__all__ = ["ImageStore", "new_image_job_id"]

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS images (
    job_id           TEXT PRIMARY KEY,
    provider_task_id TEXT,
    status           TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    data             TEXT NOT NULL
)""",
    "CREATE INDEX IF NOT EXISTS images_by_task ON images (provider_task_id)",
    "CREATE INDEX IF NOT EXISTS images_by_created ON images (created_at)",
)
_READY: set[str] = set()
"""The ledger files whose `images` table this process has made sure of."""
_READY_LOCK = threading.Lock()


def new_image_job_id() -> str:
    """A fresh image job id: `img_` and 12 lowercase hex characters (safe in file names)."""
    return IMAGE_JOB_PREFIX + secrets.token_hex(6)


def _stamp(job: ImageJob) -> str:
    moment = job.created_at if job.created_at.tzinfo else job.created_at.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class ImageStore:
    """The image jobs of one ledger. Every method is blocking: async code calls it through `Records.call`."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        key = str(ledger.path)
        with _READY_LOCK:
            ready = key in _READY
        if not ready:
            with ledger.writing() as conn:
                for statement in _SCHEMA:
                    conn.execute(statement)
            with _READY_LOCK:
                _READY.add(key)

    def create(self, job: ImageJob, *, idempotency_key: str) -> ImageJob:
        """Record a new job, before anything is submitted."""
        if not idempotency_key:
            raise ValueError("idempotency_key must be a non-empty string.")
        try:
            with self.ledger.writing() as conn:
                conn.execute(
                    "INSERT INTO images (job_id, provider_task_id, status, created_at, idempotency_key, data)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        job.job_id,
                        job.provider_task_id,
                        job.status.value,
                        _stamp(job),
                        idempotency_key,
                        job.model_dump_json(),
                    ),
                )
        except sqlite3.IntegrityError as err:
            raise ValueError(f"job_id {job.job_id!r} is already in the ledger; use a new job id.") from err
        return job

    def update(self, job_id: str, **changes: Any) -> ImageJob:
        """Change some fields of a job (its `updated_at` moves strictly forward); returns it as stored."""
        unknown = sorted(set(changes) - set(ImageJob.model_fields))
        if unknown:
            raise TypeError(f"ImageStore.update() got unknown field(s): {', '.join(unknown)}.")
        with self.ledger.writing() as conn:
            old = self._load(conn, job_id)
            before = old.updated_at if old.updated_at.tzinfo else old.updated_at.replace(tzinfo=UTC)
            changes.setdefault("updated_at", max(utcnow(), before + timedelta(microseconds=1)))
            new = ImageJob.model_validate({**dict(old), **changes})
            conn.execute(
                "UPDATE images SET provider_task_id = ?, status = ?, data = ? WHERE job_id = ?",
                (new.provider_task_id, new.status.value, new.model_dump_json(), job_id),
            )
        return new

    def get(self, job_id: str) -> ImageJob:
        with self.ledger.reading() as conn:
            return self._load(conn, job_id)

    def idempotency_key(self, job_id: str) -> str:
        with self.ledger.reading() as conn:
            row = conn.execute("SELECT idempotency_key FROM images WHERE job_id = ?", (job_id,)).fetchone()
        if row is None:
            raise _not_found(job_id)
        return str(row[0])

    def find(self, ref: str) -> ImageJob:
        """An image job by its id, its provider task id, or a unique prefix of its id."""
        ref = ref.strip()
        with self.ledger.reading() as conn:
            rows = conn.execute("SELECT job_id, data FROM images WHERE job_id = ?", (ref,)).fetchall()
            if not rows:
                rows = conn.execute(
                    "SELECT job_id, data FROM images WHERE provider_task_id = ? ORDER BY created_at DESC",
                    (ref,),
                ).fetchall()
            if not rows and len(ref) >= MIN_PREFIX and ref.startswith(IMAGE_JOB_PREFIX):
                rows = conn.execute(
                    "SELECT job_id, data FROM images WHERE substr(job_id, 1, ?) = ? ORDER BY created_at DESC"
                    " LIMIT 11",
                    (len(ref), ref),
                ).fetchall()
        if len(rows) == 1:
            return _job(rows[0][0], rows[0][1])
        if rows:
            names = ", ".join(r[0] for r in rows[:10])
            raise JobNotFound(f"{ref!r} matches more than one image job: {names}. Give more of the job id.")
        raise _not_found(ref)

    def recent(self, limit: int = 20) -> list[ImageJob]:
        """The most recent image jobs, newest first."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidRequest(
                f"limit: must be a whole number of at least 1; got {limit!r}.",
                field="limit",
                value=limit,
                allowed=[">= 1"],
            )
        with self.ledger.reading() as conn:
            rows = conn.execute(
                "SELECT job_id, data FROM images ORDER BY created_at DESC, rowid DESC LIMIT ?", (limit,)
            ).fetchall()
        return [_job(job_id, data) for job_id, data in rows]

    def _load(self, conn: sqlite3.Connection, job_id: str) -> ImageJob:
        row = conn.execute("SELECT data FROM images WHERE job_id = ?", (job_id,)).fetchone()
        if row is None:
            raise _not_found(job_id)
        return _job(job_id, row[0])


def _job(job_id: str, data: str) -> ImageJob:
    try:
        return ImageJob.model_validate_json(data)
    except ValidationError as err:
        first = err.errors()[0]["msg"] if err.errors() else "unreadable"
        raise LedgerCorrupt(
            f"The ledger's record of image job {job_id!r} cannot be read ({first}); it is left as it is."
        ) from None


def _not_found(ref: str) -> JobNotFound:
    return JobNotFound(
        f"No image job {ref!r} in the local ledger; `seedance image` prints the id of each image job "
        "it starts."
    )
