"""The CLI's exit codes: every error class and every job status maps to its documented code."""

from __future__ import annotations

import pytest

from seedance_mcp import errors
from seedance_mcp.cli import exits
from seedance_mcp.cli.exits import (
    EXIT_FAILED,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_RUNNING,
    exit_code_for,
    job_exit,
)
from seedance_mcp.models import Job, JobStatus, VideoRequest

ERROR_EXITS: dict[type[errors.SeedanceError], int] = {
    errors.SeedanceError: EXIT_FAILED,
    errors.InvalidRequest: EXIT_INPUT,
    errors.UnknownProvider: EXIT_INPUT,
    errors.ConfigError: EXIT_INPUT,
    errors.JobNotFound: EXIT_INPUT,
    errors.LedgerBusy: EXIT_FAILED,
    errors.LedgerCorrupt: EXIT_FAILED,
    errors.BudgetExceeded: EXIT_INPUT,
    errors.QueueFull: EXIT_INPUT,
    errors.CannotCancel: EXIT_FAILED,
    errors.ProviderError: EXIT_REFUSED,
    errors.AuthError: EXIT_REFUSED,
    errors.InsufficientCredits: EXIT_REFUSED,
    errors.RateLimited: EXIT_REFUSED,
    errors.ProviderRejected: EXIT_INPUT,
    errors.TaskNotFound: EXIT_REFUSED,
    errors.IdempotencyConflict: EXIT_REFUSED,
    errors.ProviderUnavailable: EXIT_REFUSED,
    errors.ProviderFailure: EXIT_REFUSED,
    errors.TransportError: EXIT_REFUSED,
    errors.ConnectFailed: EXIT_REFUSED,
    errors.AnswerLost: EXIT_REFUSED,
    errors.DownloadError: EXIT_FAILED,
    errors.ClipUnreadable: EXIT_FAILED,
    errors.ProtocolError: EXIT_FAILED,
}

# (status, waited) -> exit code
JOB_EXITS: dict[tuple[JobStatus, bool], int] = {
    (JobStatus.SUCCEEDED, True): EXIT_OK,
    (JobStatus.SUCCEEDED, False): EXIT_OK,
    (JobStatus.QUEUED, True): EXIT_RUNNING,
    (JobStatus.QUEUED, False): EXIT_OK,
    (JobStatus.RUNNING, True): EXIT_RUNNING,
    (JobStatus.RUNNING, False): EXIT_OK,
    (JobStatus.FAILED, True): EXIT_FAILED,
    (JobStatus.FAILED, False): EXIT_FAILED,
    (JobStatus.CANCELLED, True): EXIT_FAILED,
    (JobStatus.CANCELLED, False): EXIT_FAILED,
    (JobStatus.EXPIRED, True): EXIT_FAILED,
    (JobStatus.EXPIRED, False): EXIT_FAILED,
    (JobStatus.UNKNOWN, True): EXIT_FAILED,
    (JobStatus.UNKNOWN, False): EXIT_FAILED,
}


def _all_error_classes() -> set[type[errors.SeedanceError]]:
    found: set[type[errors.SeedanceError]] = set()
    pending: list[type[errors.SeedanceError]] = [errors.SeedanceError]
    while pending:
        cls = pending.pop()
        found.add(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_the_codes_are_the_documented_numbers() -> None:
    codes = (EXIT_OK, EXIT_FAILED, EXIT_INPUT, EXIT_REFUSED, EXIT_RUNNING, EXIT_INTERRUPTED)
    assert codes == (0, 1, 2, 3, 4, 130)
    for code in codes:
        assert f"| {code} " in (exits.__doc__ or "")


def test_every_error_class_has_an_expected_exit() -> None:
    assert _all_error_classes() == set(ERROR_EXITS)


@pytest.mark.parametrize(("cls", "code"), ERROR_EXITS.items(), ids=lambda v: getattr(v, "__name__", str(v)))
def test_error_maps_to_its_exit_code(cls: type[errors.SeedanceError], code: int) -> None:
    assert exit_code_for(cls("boom")) == code


def test_the_exit_table_names_every_class_that_means_bad_input() -> None:
    doc = exits.__doc__ or ""
    for cls, code in ERROR_EXITS.items():
        if code == EXIT_INPUT:
            assert cls.__name__ in doc


def test_every_job_status_has_an_expected_exit() -> None:
    assert {status for status, _ in JOB_EXITS} == set(JobStatus)


@pytest.mark.parametrize(("status", "waited"), JOB_EXITS, ids=lambda v: str(v))
def test_job_status_maps_to_its_exit_code(status: JobStatus, waited: bool) -> None:
    job = Job(
        job_id="job_0123456789ab", provider="nanophoto", status=status, request=VideoRequest(prompt="x")
    )
    assert job_exit(job, waited=waited) == JOB_EXITS[(status, waited)]
