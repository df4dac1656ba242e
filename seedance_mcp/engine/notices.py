"""What the engine tells the reader about a job: facts, in one place, and the next step as data.

A job's `notice` says what happened that its status alone does not (an answer was lost, a
download failed, the clip is a sandbox placeholder). It never names a command or a tool:
`next_step` says what to do next as an action and a job id, and each front end words that in
its own terms (the CLI as a `seedance ...` command line, the MCP server as a tool call).
"""

from __future__ import annotations

from pathlib import Path
from typing import assert_never

from .. import references
from ..errors import IdempotencyConflict, ProtocolError, SeedanceError
from ..models import Job, JobError, JobStatus, NextAction, NextStep, TaskState, VideoRequest
from ..providers import Provider, get_model, get_provider

__all__ = [
    "NOTHING_CREATED",
    "REFUSED",
    "RENDER_FAILED",
    "SANDBOX_EXPIRED",
    "SANDBOX_PLACEHOLDER",
    "STATUS_CHECK_FAILED",
    "finish",
    "job_error",
    "next_step",
    "resend_note",
    "unknown_note",
]

SANDBOX_PLACEHOLDER = (
    "SANDBOX MODE: the built-in simulator answered, so nothing real was rendered and nothing was "
    "charged; the clip is a placeholder. Set a provider key for real videos."
)
"""The one wording of "this came from the simulator", on every sandbox job in every front end."""
STATUS_CHECK_FAILED = "Last status check failed: "
"""Prefix of the notice a failed status check leaves; the next good answer clears it."""
NOTHING_CREATED = "Nothing was created and no credits were spent; try again later."
REFUSED = "The provider refused the job; no task was created."
RENDER_FAILED = "The render failed; the provider refunds failed jobs."
SANDBOX_EXPIRED = (
    "The simulator no longer knows this sandbox job's task (its state under SEEDANCE_HOME was removed, "
    "or another simulator ran it). Nothing was charged."
)
STATUS_CHECK_CUT_OFF = (
    STATUS_CHECK_FAILED + "no answer within the wait; the job is as it was. Check it again to ask once more."
)
DOWNLOAD_CUT_OFF = (
    "The download did not finish within the wait; nothing partial was kept. The render itself is done: "
    "check the job again to fetch the video."
)
OTHER_PROCESS_DOWNLOADING = (
    "Another process is downloading this job's video right now; check again in a moment."
)
OTHER_PROCESS_SUBMITTING = "Another process is submitting this job right now; check again in a moment."
LEDGER_BUSY = (
    "Another process held the job ledger locked, so the provider's latest answer was not recorded; "
    "the job is as it was. Check it again to ask once more."
)


def kept_note(kept: Path | OSError) -> str:
    """Where a change a locked ledger could not take was kept (or that it could not be)."""
    if isinstance(kept, OSError):
        return (
            "Another process held the job ledger locked, and this could not be kept beside it either "
            f"({kept.strerror or kept}): note it."
        )
    return (
        f"Another process held the job ledger locked, so this is kept in {kept} until the next look "
        "at the job records it."
    )


def video_kept_note(path: str, kept: Path | OSError) -> str:
    """A video saved while the ledger was locked: where it is, and where its path was kept."""
    return f"The video is saved at {path}. {kept_note(kept)}"


def job_error(err: SeedanceError) -> JobError:
    return JobError(code=err.code, message=err.message, retryable=err.retryable)


def resend_failed_what(provider: Provider, err: SeedanceError) -> str:
    """Why an `unknown` job stays unknown after a re-send that did not go through."""
    return (
        f"The submit's answer was lost earlier, and re-sending it to {provider.id} did not go "
        f"through ({err.code})"
    )


def possible_cost(job: Job) -> str:
    """What a task that may exist could cost, in its unit: "up to 16 credits", "up to 0.61 USD"."""
    if job.estimated_cost is not None:
        return f"up to {job.estimated_cost}"
    return f"up to {job.estimated_credits} credits" if job.estimated_credits is not None else "credits"


def unknown_note(provider: Provider, job: Job, what: str) -> str:
    """A submit that may have created a paid task: the possible cost, and never to resend blindly."""
    cost = possible_cost(job)
    return (
        f"{what}: a task may have been created and may cost {cost}. It is NOT resent automatically "
        f"(that could charge twice). Check your {provider.name} dashboard or history before submitting again."
    )


def unclear_what(provider: Provider, err: SeedanceError) -> str:
    """What became of a submit that reached the provider without a readable task id."""
    if isinstance(err, IdempotencyConflict):
        return (
            f"{provider.id} answered that a submit with this job's idempotency key is still being "
            f"processed ({err.code})"
        )
    if isinstance(err, ProtocolError):
        return f"The submit reached {provider.id} but its answer could not be read ({err.code})"
    return f"The submit reached {provider.id} but its answer was lost ({err.code})"


def unclear_note(provider: Provider, job: Job, what: str) -> str:
    """A submit that may have created a paid task: the cost, where to check, and whether a
    re-send with the same key is safe."""
    if not provider.caps.idempotency:
        return unknown_note(provider, job, what)
    cost = possible_cost(job)
    return (
        f"{what}: a task may have been created and may cost {cost}. {provider.id} honours idempotency "
        "keys, so checking the job again re-sends it safely with the same key, which finds that task "
        f"instead of creating another; your {provider.name} dashboard or history shows it too."
    )


def resend_note(provider: Provider, job: Job, code: str) -> str:
    return (
        f"The answer to the submit was lost ({code}). {provider.id} honours idempotency keys, "
        "so checking the job again re-sends it safely with the same key."
    )


def recovered_note(task_id: str) -> str:
    return (
        f"The submit's answer was lost, but the provider's list of recent tasks has exactly one task "
        f"matching this job (same model, settings and time): {task_id}, now followed as this job's task."
    )


def not_recovered_note(provider: Provider, job: Job, matches: int) -> str:
    """An `unknown` job whose task the provider's task list did not settle."""
    found = (
        "no task matches this job"
        if matches == 0
        else f"{matches} tasks match this job, so which one is its own cannot be told"
    )
    what = f"The submit's answer was lost, and in {provider.id}'s list of recent tasks {found}"
    return unknown_note(provider, job, what)


def cancelled_note(job: Job, state: TaskState) -> str:
    if state.status is JobStatus.CANCELLED:
        return f"Cancelled on {job.provider} before it rendered; nothing is charged."
    return f"Not cancelled: the task was already {state.status.value} on {job.provider}."


def download_failed_note(message: str) -> str:
    return f"The render finished but the download failed: {message}"


def early_note(job: Job, *, low: float, high: float, elapsed: float, first_poll: float) -> str:
    return (
        f"Not checked yet: a {job.request.duration} s clip on {job.provider} typically takes "
        f"{low:.0f}-{high:.0f} s and {elapsed:.0f} s have passed; "
        f"check again in about {first_poll - elapsed:.0f} s."
    )


def finish(job: Job) -> Job:
    """The job as it is handed back: its own notice, after the sandbox note where it applies.

    Idempotent: a job already handed back comes back unchanged.
    """
    notice = job.notice
    for extra in (_short_lived_note(job), reference_note(job.request)):
        if extra and extra not in (notice or ""):
            notice = f"{notice} {extra}" if notice else extra
    if job.sandbox and not (notice or "").startswith(SANDBOX_PLACEHOLDER):
        notice = f"{SANDBOX_PLACEHOLDER} {notice}" if notice else SANDBOX_PLACEHOLDER
    return job if notice == job.notice else job.model_copy(update={"notice": notice})


def reference_note(req: VideoRequest) -> str | None:
    """What is off between a request's references and the prompt's @image1-style names (a
    warning, not an error: the request is sent as asked)."""
    given = references.counts_of(req.reference_images, req.reference_videos, req.reference_audios)
    if not any(given.values()) and not references.named(req.prompt):
        return None
    found = references.unmatched(req.prompt, given)
    return " ".join(found) or None


def _short_lived_note(job: Job) -> str | None:
    """For a finished video not yet saved on a provider that deletes files soon (Replicate: one
    hour), how long is left to save it."""
    if job.status is not JobStatus.SUCCEEDED or job.video_path:
        return None
    try:
        ttl = get_model(get_provider(job.provider), job.request.model).caps.output_ttl
    except SeedanceError:  # a job of a provider or model this version no longer knows
        return None
    if ttl is None:
        return None
    return (
        f"{job.provider} deletes the file {ttl / 60:g} minutes after the render finished: save it "
        "before then (check the job with download on)."
    )


def next_step(job: Job) -> NextStep:
    """What to do next with `job`, from its recorded state alone."""
    return NextStep(action=_action(job), job_id=job.job_id)


def _action(job: Job) -> NextAction:
    match job.status:
        case JobStatus.SUCCEEDED if job.video_path:
            return NextAction.DONE
        case JobStatus.SUCCEEDED if job.error is not None:
            return NextAction.RETRY_DOWNLOAD
        case JobStatus.SUCCEEDED:
            return NextAction.SAVE_VIDEO
        case JobStatus.QUEUED | JobStatus.RUNNING:
            return NextAction.CHECK_AGAIN
        case JobStatus.UNKNOWN if get_provider(job.provider).caps.idempotency:
            return NextAction.RESEND
        case JobStatus.UNKNOWN:
            return NextAction.VERIFY_WITH_PROVIDER
        case JobStatus.FAILED:
            return NextAction.REVISE
        case JobStatus.CANCELLED | JobStatus.EXPIRED:
            return NextAction.OVER
    assert_never(job.status)
