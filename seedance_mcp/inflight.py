"""Which submits are under way right now, across every process that shares the ledger.

A submit holds an exclusive lock on `<ledger folder>/inflight/<job_id>.lock` from just before
its ledger row is written until the provider's answer is recorded. The operating system drops
the lock when the process ends, however it ends (SIGKILL included), so another process can tell
a submit still under way from one whose process died before its answer was recorded.

Where `fcntl` is missing (Windows), a lock file younger than `STALE_AFTER` seconds counts as
under way and an older one as abandoned.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["STALE_AFTER", "DownloadLocks", "SubmitLocks"]

STALE_AFTER = 180.0
State = Literal["under_way", "abandoned", "none"]


class SubmitLocks:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, job_id: str) -> Path:
        return self.folder / f"{job_id}.lock"

    @contextmanager
    def hold(self, job_id: str) -> Iterator[None]:
        """Mark the submit of `job_id` as under way for as long as the block runs."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self._path(job_id)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
            path.unlink(missing_ok=True)
        finally:
            os.close(fd)  # releases the lock

    def state(self, job_id: str) -> State:
        """`under_way` while a live process holds the submit; `abandoned` if its process died."""
        path = self._path(job_id)
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            return "none"
        try:
            if fcntl is None:  # pragma: no cover - Windows
                age = time.time() - os.fstat(fd).st_mtime
                return "under_way" if age < STALE_AFTER else "abandoned"
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return "under_way"
            return "abandoned"
        finally:
            os.close(fd)

    def clear(self, job_id: str) -> None:
        self._path(job_id).unlink(missing_ok=True)


class DownloadLocks:
    """One download per job at a time, across processes: `<folder>/<job_id>.download.lock`.

    `try_hold` never blocks; a caller that finds the lock held waits on its own terms (bounded
    by its deadline) and then reads the job, whose video the holder has saved meanwhile. The
    lock dies with its process. Where `fcntl` is missing (Windows) every try succeeds.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @contextmanager
    def try_hold(self, job_id: str) -> Iterator[bool]:
        """True (and the lock held for the block) when no other download of `job_id` runs."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self.folder / f"{job_id}.download.lock"
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if fcntl is None:  # pragma: no cover - Windows
                yield True
                return
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                current = os.stat(path).st_ino
            except FileNotFoundError:
                current = None
            if current != os.fstat(fd).st_ino:
                yield False  # the holder before us removed this file: try again
                return
            yield True
            path.unlink(missing_ok=True)  # still holding it: a later opener makes a fresh one
        finally:
            os.close(fd)
