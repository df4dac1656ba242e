"""The exit codes of `seedance`: what a finished command tells the shell.

| exit | meaning                                                                     |
|------|-----------------------------------------------------------------------------|
| 0    | done, or submitted with --no-wait, or cancelled by `seedance cancel`        |
| 1    | the job failed (failed, cancelled, expired, unknown), the job could not be  |
|      | cancelled (CannotCancel), or any other error                                |
| 2    | bad input, nothing was sent: a refused command line, InvalidRequest (with   |
|      | UnknownProvider), ConfigError, JobNotFound, BudgetExceeded, QueueFull,      |
|      | ProviderRejected                                                            |
| 3    | the provider refused or could not be reached: every other ProviderError,    |
|      | every TransportError                                                        |
| 4    | still running when the wait ended                                           |
| 130  | interrupted (Ctrl-C): a job already created stays in the ledger; with      |
|      | --json, stdout holds that job as recorded (the same JSON as an answer), or |
|      | the error `interrupted` when no job was created                            |
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import (
    BudgetExceeded,
    ConfigError,
    InvalidRequest,
    JobNotFound,
    ProviderError,
    ProviderRejected,
    QueueFull,
    SeedanceError,
    TransportError,
)
from ..models import Job, JobStatus

if TYPE_CHECKING:
    from ..film.record import FilmRecord

__all__ = [
    "EXIT_FAILED",
    "EXIT_INPUT",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_REFUSED",
    "EXIT_RUNNING",
    "exit_code_for",
    "film_exit",
    "job_exit",
    "status_exit",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INPUT = 2
EXIT_REFUSED = 3
EXIT_RUNNING = 4
EXIT_INTERRUPTED = 130


def exit_code_for(err: SeedanceError) -> int:
    """The exit code for an error: bad input, the provider refused, or anything else."""
    if isinstance(
        err, InvalidRequest | ConfigError | JobNotFound | BudgetExceeded | QueueFull | ProviderRejected
    ):
        return EXIT_INPUT
    if isinstance(err, ProviderError | TransportError):
        return EXIT_REFUSED
    return EXIT_FAILED


def film_exit(record: FilmRecord, *, waited: bool) -> int:
    """A film's exit code: 0 done (or submitted without a wait), 4 still rendering when the wait
    ended, 1 stopped with shots failed, blocked or unknown."""
    match record.status:
        case "done":
            return EXIT_OK
        case "rendering":
            return EXIT_RUNNING if waited else EXIT_OK
        case "incomplete":
            return EXIT_FAILED


def job_exit(job: Job, *, waited: bool) -> int:
    """The exit code for a job a command ends on; `waited` says whether it was waited for."""
    return status_exit(job.status, waited=waited)


def status_exit(status: JobStatus, *, waited: bool) -> int:
    """The exit code for a job (a video's or an image job's) that ended in `status`."""
    match status:
        case JobStatus.SUCCEEDED:
            return EXIT_OK
        case JobStatus.QUEUED | JobStatus.RUNNING:
            return EXIT_RUNNING if waited else EXIT_OK
        case JobStatus.FAILED | JobStatus.CANCELLED | JobStatus.EXPIRED | JobStatus.UNKNOWN:
            return EXIT_FAILED
