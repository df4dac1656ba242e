"""The job ledger: one SQLite file that every process of this project shares.

A job is written here *before* anything is sent to a provider, and updated at every step
(submitted, polled, finished, downloaded), so a crash or a lost answer never loses a job
that may have cost credits. The ledger also holds each job's idempotency key and a small
table of recent requests, so that every process on the machine spends one shared
client-side rate budget.

Several processes (the MCP server, a CLI `seedance status --wait`, a second agent) may use
the same file at once: the journal is WAL, every connection waits for a lock instead of
failing (`busy_timeout`), and every read-modify-write runs in `BEGIN IMMEDIATE`, so two
writers never interleave. Transactions are short; nothing waits on the network while
holding one. Each thread has its own connection (the MCP server calls in from worker
threads), so a thread waiting for another process's lock holds up no other thread, and a
caller with a deadline waits at most as long as it says (`patience`); a lock held past
that is `LedgerBusy`, never a raw sqlite3 error.

A job is stored as its JSON (`Job.model_dump_json`) next to a few indexed columns used to
find and sort it. No column holds a secret: the API key never reaches this module.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any

import platformdirs
from pydantic import ValidationError

from .errors import ConfigError, InvalidRequest, JobNotFound, LedgerBusy, LedgerCorrupt
from .models import Job, JobStatus, utcnow

_OPENING = threading.Lock()
"""Serialises the set-up of new connections within the process."""
log = logging.getLogger(__name__)

__all__ = [
    "BUSY_TIMEOUT_SECONDS",
    "LEDGER_FILE",
    "MIN_PREFIX",
    "SCHEMA_VERSION",
    "Ledger",
    "default_home",
    "new_job_id",
]

SCHEMA_VERSION = 2
LEDGER_FILE = "jobs.sqlite3"
BUSY_TIMEOUT_SECONDS = 30.0
MIN_PREFIX = 6
"""Shortest job id prefix `Ledger.find` accepts."""

JOB_ID_PREFIX = "job_"
PENDING_FOLDER = "pending"
"""Beside the ledger: changes that could not be recorded while another process held it."""
_BUSY_CODES = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)

_SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id           TEXT PRIMARY KEY,
    provider         TEXT NOT NULL,
    provider_task_id TEXT,
    status           TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    data             TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_task ON jobs (provider_task_id);
CREATE INDEX IF NOT EXISTS jobs_by_created ON jobs (created_at);
CREATE INDEX IF NOT EXISTS jobs_by_status ON jobs (status);
CREATE TABLE IF NOT EXISTS requests (
    bucket TEXT NOT NULL,
    at     REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS requests_by_bucket ON requests (bucket, at);
"""

# ---- films (schema 2) -------------------------------------------------------------------------
# A film is one row (its record as JSON: the storyboard, each shot's request hash, job and
# state); `shot_renders` maps the content hash of a shot's resolved request to the job that
# renders it, written *before* that job's submit, so a film rendered again (or resumed after a
# crash) finds every shot it already paid for, whichever film it was made for.
_SCHEMA_V2 = """
CREATE TABLE IF NOT EXISTS films (
    film_id    TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    status     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    data       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS films_by_updated ON films (updated_at);
CREATE TABLE IF NOT EXISTS shot_renders (
    request_hash TEXT PRIMARY KEY,
    job_id       TEXT NOT NULL,
    film_id      TEXT NOT NULL,
    shot_id      TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
"""


def new_job_id() -> str:
    """A fresh local job id, `job_` and 12 lowercase hex characters (safe in file names)."""
    return JOB_ID_PREFIX + secrets.token_hex(6)


def default_home() -> Path:
    """Where the ledger lives when `SEEDANCE_HOME` is not set: the user data directory."""
    return platformdirs.user_data_path("seedance-mcp")


def _stamp(moment: datetime) -> str:
    """A fixed-width UTC text form that sorts like the moment itself (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _row_values(job: Job) -> tuple[str, str | None, str, str, str, str]:
    return (
        job.provider,
        job.provider_task_id,
        job.status.value,
        _stamp(job.created_at),
        _stamp(job.updated_at),
        job.model_dump_json(),
    )


class Ledger:
    """The job ledger in one SQLite file. Safe to share between threads and processes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._registry = threading.Lock()
        """Guards `_conns` and `_closed`; never held while SQLite waits."""
        self._conns: dict[threading.Thread, sqlite3.Connection] = {}
        self._busy_threads: dict[threading.Thread, int] = {}
        """Threads using their connection now (how many nested uses): `close` leaves those."""
        self._closed = False
        self._conns[threading.current_thread()] = self._connect()

    @classmethod
    def open(cls, home: Path | None) -> Ledger:
        """The ledger in `home` (or the user data directory), created on first use."""
        return cls((home if home is not None else default_home()) / LEDGER_FILE)

    # -- connection ------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        folder = self.path.parent
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Create the file ourselves so it (and SQLite's -wal/-shm files, which copy its
            # permissions) is readable by its owner only.
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        except OSError as err:
            raise ConfigError(
                f"Cannot create the job ledger at {self.path}: {err.strerror or err}. "
                "Set SEEDANCE_HOME to a writable folder."
            ) from err
        conn = sqlite3.connect(
            self.path,
            timeout=BUSY_TIMEOUT_SECONDS,
            isolation_level=None,  # autocommit; transactions are explicit
            check_same_thread=False,
        )
        try:
            with _OPENING:  # one set-up at a time in this process; other processes: retried
                self._set_up(conn)
        except sqlite3.OperationalError as err:
            conn.close()
            busy = self._busy(err)
            if busy is not None:
                raise busy from err
            raise ConfigError(
                f"The job ledger at {self.path} cannot be opened: {err}. "
                "Move the file away to start a fresh ledger, or set SEEDANCE_HOME to another folder."
            ) from err
        except sqlite3.DatabaseError as err:
            conn.close()
            raise ConfigError(
                f"The job ledger at {self.path} cannot be opened: {err}. "
                "Move the file away to start a fresh ledger, or set SEEDANCE_HOME to another folder."
            ) from err
        except BaseException:
            conn.close()
            raise
        return conn

    def _set_up(self, conn: sqlite3.Connection) -> None:
        """WAL journal, full sync, the schema. Switching a new file to WAL needs a moment alone
        with it, which SQLite does not wait for: another process opening the same new file at
        once makes it answer busy, so a busy set-up is tried again for up to the busy timeout."""
        give_up = time.monotonic() + BUSY_TIMEOUT_SECONDS
        while True:
            try:
                conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
                mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
                if mode != "wal":
                    conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = FULL")
                self._migrate(conn)
                return
            except sqlite3.OperationalError as err:
                if self._busy(err) is None or time.monotonic() >= give_up:
                    raise
                time.sleep(0.05)

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version == SCHEMA_VERSION:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise ConfigError(
                    f"The job ledger at {self.path} was written by a newer seedance-mcp (schema "
                    f"{version}, this version reads {SCHEMA_VERSION}). Upgrade seedance-mcp, or set "
                    "SEEDANCE_HOME to another folder."
                )
            if version < 1:
                for statement in _SCHEMA_V1.split(";"):
                    if statement.strip():
                        conn.execute(statement)
            if version < 2:
                for statement in _SCHEMA_V2.split(";"):
                    if statement.strip():
                        conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def _thread_conn(self) -> sqlite3.Connection:
        """This thread's connection, opened on its first use. The schema and the WAL journal
        are the file's (set up by the first connection), so opening one waits for no lock."""
        me = threading.current_thread()
        with self._registry:
            if self._closed:
                raise RuntimeError("This Ledger is closed; open a new one.")
            conn = self._conns.get(me)
            if conn is not None:
                return conn
            for gone in [t for t in self._conns if not t.is_alive()]:
                self._conns.pop(gone).close()  # its thread has ended (an idle worker)
        conn = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
        conn.execute("PRAGMA synchronous = FULL")
        with self._registry:
            if self._closed:
                conn.close()
                raise RuntimeError("This Ledger is closed; open a new one.")
            self._conns[me] = conn
        return conn

    @contextmanager
    def patience(self, seconds: float) -> Iterator[None]:
        """Within the block, this thread's reads and writes wait at most `seconds` for another
        process's lock (then `LedgerBusy`); a caller with a deadline says how long it has."""
        with self._in_use() as conn, self._waiting(conn, seconds):
            yield

    @staticmethod
    @contextmanager
    def _waiting(conn: sqlite3.Connection, seconds: float) -> Iterator[None]:
        """The connection's busy timeout lowered to `seconds` for the block (never raised)."""
        before = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
        conn.execute(f"PRAGMA busy_timeout = {min(before, max(1, int(seconds * 1000)))}")
        try:
            yield
        finally:
            conn.execute(f"PRAGMA busy_timeout = {before}")

    def _busy(self, err: sqlite3.OperationalError) -> LedgerBusy | None:
        """`LedgerBusy` for a lock another process held past the wait, else None."""
        if (getattr(err, "sqlite_errorcode", 0) & 0xFF) not in _BUSY_CODES:
            return None
        return LedgerBusy(
            f"Another process held the job ledger ({self.path}) locked for longer than this call "
            "could wait. Try again in a moment; if it stays locked, look for a stuck seedance "
            "process using the same SEEDANCE_HOME."
        )

    @contextmanager
    def _in_use(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, marked in use for the block (see `close`)."""
        conn = self._thread_conn()
        me = threading.current_thread()
        with self._registry:
            self._busy_threads[me] = self._busy_threads.get(me, 0) + 1
        try:
            yield conn
        finally:
            self._done_with(me, conn)

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._in_use() as conn:
            try:
                yield conn
            except sqlite3.OperationalError as err:
                busy = self._busy(err)
                if busy is None:
                    raise self._broken(err) from err
                raise busy from err
            except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
                raise  # our own mistakes (e.g. a duplicate job id), for the caller to word
            except sqlite3.DatabaseError as err:  # a corrupt page, a file that is not a database
                raise self._broken(err) from err

    def _done_with(self, thread: threading.Thread, conn: sqlite3.Connection) -> None:
        """One use of `thread`'s connection is over; if the ledger was closed meanwhile, the
        last use closes it (`close` leaves a connection in use to the thread using it)."""
        with self._registry:
            left = self._busy_threads.get(thread, 1) - 1
            if left:
                self._busy_threads[thread] = left
                return
            self._busy_threads.pop(thread, None)
            orphaned = self._closed and thread not in self._conns
        if orphaned:
            conn.close()

    @contextmanager
    def _write(self, busy_timeout: float | None = None) -> Iterator[sqlite3.Connection]:
        """One short write transaction that takes the write lock up front, waiting at most
        `busy_timeout` seconds for it (default: the thread's wait, `BUSY_TIMEOUT_SECONDS`
        unless `patience` says less)."""
        with (
            self._read() as conn,
            self._waiting(conn, BUSY_TIMEOUT_SECONDS if busy_timeout is None else busy_timeout),
        ):
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    # -- companion tables: kept by other modules in the same file (image jobs) ----------------

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, for reading a companion table, with the ledger's errors
        (`LedgerBusy`, `LedgerCorrupt`) and its wait (`patience`)."""
        with self._read() as conn:
            yield conn

    @contextmanager
    def writing(self, busy_timeout: float | None = None) -> Iterator[sqlite3.Connection]:
        """One short write transaction (`BEGIN IMMEDIATE`) on a companion table, as `update` has."""
        with self._write(busy_timeout) as conn:
            yield conn

    def _broken(self, err: sqlite3.DatabaseError) -> LedgerCorrupt:
        return LedgerCorrupt(
            f"The job ledger at {self.path} failed: {err}. If the file is damaged, move it away to start "
            "a fresh ledger (jobs in it can then be checked on the provider's dashboard), or set "
            "SEEDANCE_HOME to another folder."
        )

    def close(self) -> None:
        """Close every connection not in use now; one in use (a ledger call still running in a
        worker thread, as after Ctrl-C) is closed by that call when it ends: SQLite must never
        have a connection closed under a statement another thread is running."""
        with self._registry:
            self._closed = True
            idle = [conn for thread, conn in self._conns.items() if thread not in self._busy_threads]
            self._conns = {}
        for conn in idle:
            conn.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- jobs ------------------------------------------------------------------------------

    def create(self, job: Job, *, idempotency_key: str) -> Job:
        """Record a new job (before anything is submitted). A job id already present is an error."""
        if not idempotency_key:
            raise ValueError("idempotency_key must be a non-empty string.")
        try:
            with self._write() as conn:
                conn.execute(
                    "INSERT INTO jobs (job_id, provider, provider_task_id, status, created_at, updated_at,"
                    " data, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (job.job_id, *_row_values(job), idempotency_key),
                )
        except sqlite3.IntegrityError as err:
            raise ValueError(f"job_id {job.job_id!r} is already in the ledger; use a new job id.") from err
        return job

    def update(self, job_id: str, *, busy_timeout: float | None = None, **changes: Any) -> Job:
        """Change some fields of a job and bump its `updated_at`; returns the job as stored.

        `busy_timeout`: wait at most this long for another process's lock (then
        `sqlite3.OperationalError`); default `BUSY_TIMEOUT_SECONDS`. Safe to call from a thread.
        """
        unknown = sorted(set(changes) - set(Job.model_fields))
        if unknown:
            raise TypeError(
                f"Ledger.update() got unknown Job field(s): {', '.join(unknown)}. "
                f"Allowed: {', '.join(f for f in Job.model_fields if f != 'job_id')}."
            )
        with self._write(busy_timeout) as conn:
            old = self._load(conn, job_id)
            if "updated_at" not in changes:
                # Strictly later than before, even if the clock has not moved (or went back).
                before = old.updated_at
                if before.tzinfo is None:  # naive times in the ledger mean UTC
                    before = before.replace(tzinfo=UTC)
                changes["updated_at"] = max(utcnow(), before + timedelta(microseconds=1))
            new = Job.model_validate({**dict(old), **changes})
            conn.execute(
                "UPDATE jobs SET provider = ?, provider_task_id = ?, status = ?, created_at = ?,"
                " updated_at = ?, data = ? WHERE job_id = ?",
                (*_row_values(new), job_id),
            )
        return new

    # -- the fallback for a ledger that stays locked ---------------------------------------

    @property
    def pending_folder(self) -> Path:
        """Where changes that could not be written (the ledger stayed locked) wait."""
        return self.path.parent / PENDING_FOLDER

    def stash(self, job_id: str, *, label: str = "", **changes: Any) -> Path:
        """Keep `changes` to a job in a file of its own (written whole, fsynced), for
        `apply_stashed` to record once the ledger is free. Returns the file's path.

        One file per job and `label`: a later stash with the same label replaces the earlier
        one (the submit's outcome has none; a saved video's path is `video`)."""
        folder = self.pending_folder
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        final = folder / (f"{job_id}.{label}.json" if label else f"{job_id}.json")
        part = folder / f"{job_id}.{secrets.token_hex(4)}.part"
        data = json.dumps({"job_id": job_id, "changes": changes}, default=str).encode()
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(part, final)
        return final

    def _stashed(self) -> Iterator[tuple[Path, str, dict[str, Any]]]:
        """Every readable stashed change, oldest kind first: (file, job id, changes)."""
        try:
            files = sorted(self.pending_folder.glob("*.json"))
        except OSError:
            return
        for file in files:
            try:
                entry = json.loads(file.read_text())
                yield file, str(entry["job_id"]), dict(entry["changes"])
            except (OSError, ValueError, KeyError, TypeError):
                continue  # unreadable: left in place for a person to look at

    @staticmethod
    def _still_news(job: Job, changes: dict[str, Any]) -> bool:
        """Whether stashed `changes` still tell `job` something: a task id or a video path
        the job already has (recorded since) is never overwritten."""
        if "provider_task_id" in changes and job.provider_task_id is not None:
            return False
        return not ("video_path" in changes and job.video_path is not None)

    def apply_stashed(self, *, busy_timeout: float = 1.0) -> int:
        """Record every stashed change whose job is still without it; returns how many were
        recorded. While the ledger is still too busy, the rest stay stashed for the next call."""
        done = 0
        for file, job_id, changes in self._stashed():
            try:
                current = self.get(job_id)
                if self._still_news(current, changes):
                    self.update(job_id, busy_timeout=busy_timeout, **changes)
            except JobNotFound:
                pass
            except LedgerBusy:
                break  # busy for this one, busy for the next: leave them all for later
            file.unlink(missing_ok=True)
            done += 1
        return done

    def with_pending(self, job: Job) -> Job:
        """`job` as it will be once its stashed changes are recorded (a task id, a saved video's
        path), so a caller sees them while another process still holds the ledger."""
        for _file, job_id, changes in self._stashed():
            if job_id == job.job_id and self._still_news(job, changes):
                job = Job.model_validate({**dict(job), **changes})
        return job

    def get(self, job_id: str) -> Job:
        """The job with this local id, or `JobNotFound`."""
        with self._read() as conn:
            return self._load(conn, job_id)

    def find(self, ref: str) -> Job:
        """A job by local id, by provider task id, or by a unique prefix of a local id."""
        ref = ref.strip()
        if not ref:
            raise JobNotFound("No job id given. Run `seedance jobs` to list recent jobs and their ids.")
        with self._read() as conn:
            row = conn.execute("SELECT data FROM jobs WHERE job_id = ?", (ref,)).fetchone()
            if row is not None:
                return self._job(ref, row[0])
            rows = conn.execute(
                "SELECT job_id, data FROM jobs WHERE provider_task_id = ? ORDER BY created_at DESC",
                (ref,),
            ).fetchall()
            if not rows and len(ref) >= MIN_PREFIX:
                short = ref if ref.startswith(JOB_ID_PREFIX) else JOB_ID_PREFIX + ref
                rows = conn.execute(
                    "SELECT job_id, data FROM jobs WHERE substr(job_id, 1, ?) = ? OR substr(job_id, 1, ?) = ?"
                    " ORDER BY created_at DESC LIMIT 11",
                    (len(ref), ref, len(short), short),
                ).fetchall()
        if len(rows) == 1:
            return self._job(rows[0][0], rows[0][1])
        if rows:
            names = ", ".join(r[0] for r in rows[:10]) + (", ..." if len(rows) > 10 else "")
            raise JobNotFound(
                f"{ref!r} matches more than one job: {names}. Give more of the job id "
                "(`seedance jobs` lists them)."
            )
        hint = f" (a prefix needs at least {MIN_PREFIX} characters)" if len(ref) < MIN_PREFIX else ""
        raise JobNotFound(
            f"No job {ref!r} in the local ledger{hint}. "
            "Run `seedance jobs` to list recent jobs and their ids."
        )

    def idempotency_key(self, job_id: str) -> str:
        """The idempotency key recorded with the job when it was created."""
        with self._read() as conn:
            row = conn.execute("SELECT idempotency_key FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        if row is None:
            raise self._not_found(job_id)
        return str(row[0])

    def recent(self, limit: int = 20, *, statuses: Collection[JobStatus] | None = None) -> list[Job]:
        """The most recent jobs, newest first; only those in `statuses` when given."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InvalidRequest(
                f"limit: must be a whole number of at least 1; got {limit!r}.",
                field="limit",
                value=limit,
                allowed=[">= 1"],
            )
        if statuses is None:
            sql = "SELECT job_id, data FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?"
            params: tuple[Any, ...] = (limit,)
        else:
            wanted = sorted({JobStatus(s).value for s in statuses})
            if not wanted:
                return []
            sql = (
                "SELECT job_id, data FROM jobs WHERE status IN (SELECT value FROM json_each(?))"
                " ORDER BY created_at DESC, rowid DESC LIMIT ?"
            )
            params = (json.dumps(wanted), limit)
        with self._read() as conn:
            rows = conn.execute(sql, params).fetchall()
        jobs = []
        for job_id, data in rows:
            try:
                jobs.append(self._job(job_id, data))
            except LedgerCorrupt as err:
                # One unreadable row must not hide every other job: list the rest, say which.
                log.warning("%s", err.message)
        return jobs

    def count(self, provider: str, statuses: Collection[JobStatus]) -> int:
        """How many of `provider`'s jobs are in one of `statuses` (e.g. waiting in its queue)."""
        marks = ", ".join("?" for _ in statuses)
        with self._read() as conn:
            row = conn.execute(
                f"SELECT COUNT(*) FROM jobs WHERE provider = ? AND status IN ({marks})",  # noqa: S608
                (provider, *(s.value for s in statuses)),
            ).fetchone()
        return int(row[0])

    def task_known(self, provider: str, task_id: str) -> bool:
        """Whether a job of `provider` already holds this task id."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT 1 FROM jobs WHERE provider = ? AND provider_task_id = ? LIMIT 1", (provider, task_id)
            ).fetchone()
        return row is not None

    def _load(self, conn: sqlite3.Connection, job_id: str) -> Job:
        row = conn.execute("SELECT data FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        if row is None:
            raise self._not_found(job_id)
        return self._job(job_id, row[0])

    def _job(self, job_id: str, data: str) -> Job:
        """One row's job, or `LedgerCorrupt` naming it (bad JSON, an unknown status, a missing field)."""
        try:
            return Job.model_validate_json(data)
        except ValueError as err:  # pydantic's ValidationError is a ValueError
            first = (
                err.errors()[0]["msg"] if isinstance(err, ValidationError) and err.errors() else "unreadable"
            )
            raise LedgerCorrupt(
                f"The ledger's record of job {job_id!r} ({self.path}) cannot be read ({first}); it is left "
                "as it is and skipped in job lists. Other jobs are unaffected."
            ) from None

    @staticmethod
    def _not_found(job_id: str) -> JobNotFound:
        return JobNotFound(
            f"No job {job_id!r} in the local ledger. Run `seedance jobs` to list recent jobs and their ids."
        )

    # -- shared client-side rate budget ---------------------------------------------------

    def reserve_request(self, bucket: str, *, limit: int, window: float, now: float) -> float:
        """Take one request from `bucket`'s budget of `limit` per `window` seconds.

        Returns 0.0 when a request was recorded at `now` (go ahead), or the seconds to wait
        until the oldest recorded request leaves the window (nothing recorded; ask again
        then). `now` is wall-clock epoch seconds, as every process shares the budget. A
        request another process recorded with a slightly later clock reading counts too.
        """
        if limit < 1:
            raise ValueError(f"limit must be at least 1; got {limit!r}.")
        if not window > 0:
            raise ValueError(f"window must be positive; got {window!r}.")
        start = now - window
        with self._write() as conn:
            conn.execute("DELETE FROM requests WHERE bucket = ? AND at <= ?", (bucket, start))
            (count,) = conn.execute(
                "SELECT COUNT(*) FROM requests WHERE bucket = ? AND at > ?", (bucket, start)
            ).fetchone()
            if count < limit:
                conn.execute("INSERT INTO requests (bucket, at) VALUES (?, ?)", (bucket, now))
                return 0.0
            # The request whose departure brings the count below `limit` (the oldest one,
            # unless the limit was lowered since the others were recorded).
            (blocking,) = conn.execute(
                "SELECT at FROM requests WHERE bucket = ? AND at > ? ORDER BY at LIMIT 1 OFFSET ?",
                (bucket, start, count - limit),
            ).fetchone()
        return max(float(blocking) + window - now, 1e-6)

    def requests_in_window(self, bucket: str, *, window: float, now: float) -> int:
        """How many requests `bucket` has recorded within the last `window` seconds."""
        with self._read() as conn:
            (count,) = conn.execute(
                "SELECT COUNT(*) FROM requests WHERE bucket = ? AND at > ?", (bucket, now - window)
            ).fetchone()
        return int(count)

    # -- films ------------------------------------------------------------------------------

    def save_film(self, film_id: str, *, title: str, status: str, data: str, created_at: datetime) -> None:
        """Write a film's record (its JSON `data`), replacing the one before; `updated_at` is now."""
        with self._write() as conn:
            conn.execute(
                "INSERT INTO films (film_id, title, status, created_at, updated_at, data)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (film_id) DO UPDATE SET title = excluded.title, status = excluded.status,"
                " updated_at = excluded.updated_at, data = excluded.data",
                (film_id, title, status, _stamp(created_at), _stamp(utcnow()), data),
            )

    def film(self, ref: str) -> str | None:
        """A film's JSON record by id or unique id prefix (None: no such film)."""
        ref = ref.strip()
        if not ref:
            return None
        with self._read() as conn:
            row = conn.execute("SELECT data FROM films WHERE film_id = ?", (ref,)).fetchone()
            if row is not None:
                return str(row[0])
            rows = conn.execute(
                "SELECT data FROM films WHERE substr(film_id, 1, ?) = ? LIMIT 2", (len(ref), ref)
            ).fetchall()
        return str(rows[0][0]) if len(rows) == 1 and len(ref) >= MIN_PREFIX else None

    def films(self, limit: int = 20) -> list[str]:
        """The JSON records of the most recently updated films, newest first."""
        with self._read() as conn:
            rows = conn.execute(
                "SELECT data FROM films ORDER BY updated_at DESC, rowid DESC LIMIT ?", (limit,)
            ).fetchall()
        return [str(r[0]) for r in rows]

    def link_shot(
        self, request_hash: str, *, job_id: str, film_id: str, shot_id: str, replacing: str | None = None
    ) -> str:
        """Claim the shot request with this content hash for `job_id` (before its submit), and
        return the job that holds the claim: `job_id`, or the one another run claimed first (a
        claim is never overwritten, so two runs of one storyboard cannot both submit it).
        `replacing`: the failed job a retry takes the claim from, and only from it."""
        with self._write() as conn:
            if replacing is None:
                conn.execute(
                    "INSERT INTO shot_renders (request_hash, job_id, film_id, shot_id, created_at)"
                    " VALUES (?, ?, ?, ?, ?) ON CONFLICT (request_hash) DO NOTHING",
                    (request_hash, job_id, film_id, shot_id, _stamp(utcnow())),
                )
            else:
                conn.execute(
                    "UPDATE shot_renders SET job_id = ?, film_id = ?, shot_id = ?, created_at = ?"
                    " WHERE request_hash = ? AND job_id = ?",
                    (job_id, film_id, shot_id, _stamp(utcnow()), request_hash, replacing),
                )
            row = conn.execute(
                "SELECT job_id FROM shot_renders WHERE request_hash = ?", (request_hash,)
            ).fetchone()
        return str(row[0])

    def shot_job(self, request_hash: str) -> str | None:
        """The job linked to a shot request's content hash, if any."""
        with self._read() as conn:
            row = conn.execute(
                "SELECT job_id FROM shot_renders WHERE request_hash = ?", (request_hash,)
            ).fetchone()
        return None if row is None else str(row[0])
