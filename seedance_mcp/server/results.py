"""What a tool call hands back, each with the agent's next step.

A job is rendered in one place and has one shape: `JobResult` (its record, its resource URI,
the next step and its headline as `message`: provider, model, status and cost, each amount in
its own unit), plus one line of a job list. `generate_video`, `check_status` and `cancel_job`
hand it back as `job_call_result` (the job itself, a readable text and a link to the job's
resource), `list_jobs` as `job_list_result` (the jobs, one line each). A `SeedanceError`
becomes a `ToolError` that names the field, the facts and what to do next. Everything passes
through the runtime's redaction, so no key value can leave the server.
"""

from __future__ import annotations

import difflib
import json
from typing import Any, assert_never

from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import CallToolResult, ResourceLink, TextContent
from pydantic import BaseModel

from ..errors import (
    AuthError,
    BudgetExceeded,
    CannotCancel,
    ConfigError,
    DownloadError,
    IdempotencyConflict,
    InsufficientCredits,
    InvalidRequest,
    JobNotFound,
    ProviderRejected,
    ProviderUnavailable,
    QueueFull,
    RateLimited,
    SeedanceError,
    TaskNotFound,
    TransportError,
)
from ..models import MODEL_NAMES, Job, JobStatus, Money, NextAction
from ..printable import printable_json
from .models import JobList, JobResult
from .progress import MAX_WAIT_SECONDS
from .runtime import Runtime

__all__ = [
    "JOB_URI",
    "cannot_cancel_step",
    "cost_words",
    "headline",
    "job_call_result",
    "job_line",
    "job_list_result",
    "job_result",
    "tool_error",
]

JOB_URI = "seedance://jobs/{job_id}"
"""The MCP resource template of one job's record."""


# ---- errors -----------------------------------------------------------------------------


def _next_step_for(err: SeedanceError) -> str | None:
    match err:
        case InvalidRequest() | ProviderRejected():
            return (
                "Nothing was submitted, so no credits or money were spent. Fix the field named above and "
                "call again; list_providers shows what each provider and model accepts."
            )
        case ConfigError() if err.code == "missing_key":
            return (
                "Keys are read from this MCP server's environment: add the variable to the server's `env` "
                "in the client's MCP config and restart the server. Never paste a key into the chat."
            )
        case ConfigError():
            return (
                "Nothing was submitted. Fix the value named above (an argument or the server's environment)."
            )
        case JobNotFound():
            return "Call list_jobs to see the saved jobs and their ids."
        case BudgetExceeded():
            return _budget_step(err)
        case QueueFull():
            return (
                "Nothing was sent and nothing was charged. Wait until some of the queued jobs start "
                "(list_jobs lists them; check_status refreshes one), or, with the user's agreement, "
                "cancel queued jobs they no longer need with cancel_job; then call again."
            )
        case CannotCancel():
            return cannot_cancel_step(None)
        case AuthError():
            return (
                f"Ask the user to check {_key_variable(err.provider)} in this MCP server's environment "
                "(a changed key needs a server restart). Its value is never shown; never ask for it in "
                "the chat."
            )
        case InsufficientCredits():
            return (
                "Ask the user to top up the provider account, or price a cheaper clip with estimate_credits."
            )
        case RateLimited() | ProviderUnavailable():
            wait = f" about {err.retry_after:.0f} s" if err.retry_after else " a little"
            return f"Wait{wait}, then repeat the call; the provider refused it for now and charged nothing."
        case TaskNotFound():
            return "The provider does not know this task; call list_jobs to see the saved jobs."
        case IdempotencyConflict():
            return "Call check_status for the job instead of submitting it again."
        case TransportError():
            return (
                "The provider could not be reached; wait a moment and repeat the call. A job that already "
                "has a job_id is resumed with check_status, never with a second generate_video."
            )
        case DownloadError():
            return "The render is kept; call check_status with the job_id to retry the download."
    return None


def cannot_cancel_step(job: Job | None) -> str:
    """The next step past a refused cancel, for the job as it stands (when it could be read)."""
    if job is not None and job.status.is_final:
        return (
            f"Nothing was changed: job {job.job_id} is already {job.status.value}, so there is nothing to "
            "cancel. check_status shows it."
        )
    which = f" with job_id={job.job_id!r}" if job is not None else ""
    return (
        "Nothing was cancelled: the job keeps rendering and is charged as usual. Tell the user, and follow "
        f"it with check_status{which}; never submit it again. list_providers shows which providers can "
        "cancel (cancel=true)."
    )


def _budget_step(err: BudgetExceeded) -> str:
    """The next step past a budget cap, for the cap the message names (credits or money), and for
    whether the cap could check the price at all (no published price, another unit) or the price
    is above it: confirm_cost lets only the first kind through."""
    caps = list(err.caps) or ["SEEDANCE_MAX_CREDITS", "SEEDANCE_MAX_COST"]
    money = (
        " (SEEDANCE_MAX_COST is an amount with its currency, e.g. '5 USD', and caps only prices in that "
        "currency)"
        if "SEEDANCE_MAX_COST" in caps
        else ""
    )
    cheaper = (
        "or, with estimate_credits, price a cheaper model or a shorter, lower-resolution or silent clip."
    )
    told = "Nothing was submitted and nothing was charged. Tell the user the estimate in its unit."
    if err.confirmable:
        return (
            f"{told} Only with their explicit agreement to a cost the cap cannot check, call again with "
            f"confirm_cost=true; or ask them to set {' or '.join(caps)} in this MCP server's environment "
            f"for this unit{money}; {cheaper}"
        )
    return (
        f"{told} The price is above the cap, and confirm_cost does not lift it: ask them to raise "
        f"{' or '.join(caps)} in this MCP server's environment{money}; {cheaper}"
    )


def _key_variable(provider: str | None) -> str:
    from ..providers import PROVIDERS
    from ..settings import key_variables

    found = PROVIDERS.get(provider or "")
    return key_variables(found) if found is not None else "the provider's key variable"


def _near_value(err: SeedanceError) -> str | None:
    """For a refused text value, the accepted one it is nearest to (a model name mistyped)."""
    if not isinstance(err, InvalidRequest) or not isinstance(err.value, str) or not err.value.strip():
        return None
    allowed = [str(v) for v in err.allowed or [] if isinstance(v, str)]
    if err.field == "model":
        allowed = list(dict.fromkeys([*allowed, *MODEL_NAMES]))
    value = err.value.strip().lower()
    if value in (a.lower() for a in allowed):
        return None
    near = difflib.get_close_matches(value, allowed, n=1, cutoff=0.88)
    return f"Did you mean {err.field}={near[0]}?" if near else None


def tool_error(err: SeedanceError, runtime: Runtime, *, step: str | None = None) -> ToolError:
    """The error as the agent reads it: the message, the next step (`step`, else the one for its
    kind) and the facts, redacted."""
    facts = {k: v for k, v in err.to_dict().items() if k != "message"}
    retry_after = getattr(err, "retry_after", None)
    if retry_after:
        facts["retry_after_seconds"] = round(float(retry_after), 1)
    lines = [err.message]
    near = _near_value(err)
    if near:
        lines.append(near)
    step = step or _next_step_for(err)
    if step:
        lines.append("Next step: " + step)
    lines.append("Details: " + json.dumps(facts, default=str))
    return ToolError(runtime.redact("\n".join(lines)))


# ---- jobs -------------------------------------------------------------------------------


def next_step_text(job: Job) -> str:
    """The engine's next step for `job`, worded as the tool calls an agent makes."""
    from ..engine.notices import next_step  # a job exists, so the engine is loaded already

    step = next_step(job)
    call = f"call check_status with job_id={step.job_id!r}"
    match step.action:
        case NextAction.DONE:
            done = f"Done: the video is saved at {job.video_path}."
            done += " It is a sandbox placeholder, not a real render." if job.sandbox else ""
            return done + _last_frame(job)
        case NextAction.RETRY_DOWNLOAD:
            return f"The render finished but the download failed; {call}."
        case NextAction.SAVE_VIDEO:
            return (
                "The render finished; the video is at video_url. check_status with download=true saves it."
                + _last_frame(job)
            )
        case NextAction.CHECK_AGAIN:
            return (
                f"Still rendering; the job is saved. Call check_status with job_id={step.job_id!r} "
                f"(wait_seconds up to {MAX_WAIT_SECONDS:.0f}) "
                "until status is succeeded. "
                "Do not call generate_video again for this clip: that would start, "
                "and pay for, a second render." + _cancel_hint(job)
            )
        case NextAction.REVISE:
            why = f" ({job.error.message})" if job.error else ""
            return (
                f"The render failed{why}; providers refund failed jobs. Change the prompt or settings, and "
                "ask the user before trying again."
            )
        case NextAction.RESEND:
            return (
                "The submit's answer was lost; the provider honours idempotency keys, "
                "so check_status re-sends "
                f"it safely with the same key. Do not submit again; {call}."
            )
        case NextAction.VERIFY_WITH_PROVIDER:
            return (
                "The submit's answer was lost, so the task may exist and may cost credits. Do not submit "
                f"again; {call} and read the notice."
            )
        case NextAction.OVER:
            return "This job is over and cannot be resumed; submit a new one only if the user asks."
    assert_never(step.action)


def _last_frame(job: Job) -> str:
    if not job.last_frame_url:
        return ""
    return (
        " Its last frame is at last_frame_url: pass it as image_url to continue the shot in a new clip "
        "(the provider keeps it for a limited time)."
    )


def _cancel_hint(job: Job) -> str:
    """Where the provider can cancel and the job still waits in its queue: how to stop it."""
    from ..providers import PROVIDERS

    found = PROVIDERS.get(job.provider)
    if found is None or job.status is not JobStatus.QUEUED or found.build_cancel("task") is None:
        return ""
    return " While it is still queued, cancel_job stops it at no charge (ask the user first)."


def job_result(job: Job) -> JobResult:
    """The job in its one shape: the record, its resource URI, the next step and the headline."""
    return JobResult(
        **job.model_dump(),
        resource_uri=JOB_URI.format(job_id=job.job_id),
        next_step=next_step_text(job),
        message=headline(job),
    )


def job_line(job: Job) -> str:
    """The job as one line of a job list: id, provider, model, status, sandbox mark and video path."""
    return (
        f"- {job.job_id} {_where(job)} {job.status.value}"
        + (" [sandbox]" if job.sandbox else "")
        + (f" {job.video_path}" if job.video_path else "")
    )


def headline(job: Job) -> str:
    """The job in one readable line (after the sandbox placeholder note, on a sandbox job)."""
    parts = []
    if job.sandbox:
        from ..engine.notices import SANDBOX_PLACEHOLDER

        parts.append(SANDBOX_PLACEHOLDER)
    cost = "".join(f", {part}" for part in cost_words(job))
    parts.append(f"Job {job.job_id} on {_where(job)}: {job.status.value}{cost}.")
    return "\n".join(parts)


def _where(job: Job) -> str:
    """The provider and, once known, the model: `byteplus seedance-1.0-pro`."""
    return f"{job.provider} {job.request.model}" if job.request.model else job.provider


def cost_words(job: Job) -> list[str]:
    """What the job cost, or is estimated to cost, each in its own unit: the credits, then the
    money (with the billed tokens), the actual figure in place of the estimate once known."""
    words = []
    money_cost = _money(job.cost)
    credits = job.credits
    if credits is None and job.cost is not None and job.cost.unit == "credits":
        credits = round(job.cost.amount)
    if credits is not None:
        words.append(f"{credits} credits")
    elif job.estimated_credits is not None:
        words.append(f"estimated {job.estimated_credits} credits")
    tokens = f" ({job.tokens} tokens)" if job.tokens is not None else ""
    if money_cost is not None:
        words.append(f"cost {money_cost}{tokens}")
    elif (estimate := _money(job.estimated_cost)) is not None:
        words.append(f"estimated {estimate}{tokens}")
    return words


def _money(value: Money | None) -> Money | None:
    """`value` when it is money (USD, CNY); credits are shown as credits."""
    return value if value is not None and value.unit != "credits" else None


def job_call_result(job: Job, runtime: Runtime, *, lead: str | None = None) -> CallToolResult:
    """One job as a tool result (`generate_video`, `check_status`, `cancel_job`): the job itself
    (`JobResult`) as structured content, the headline, next step and record as text, and the
    resource link.

    `lead` goes in front of the headline (in `message` and in the text): why this job is the
    one shown."""
    view = job_result(job)
    if lead:
        view = view.model_copy(update={"message": f"{lead}\n{view.message}"})
    record = printable_json(view.model_dump_json(indent=2))
    text = f"{view.message}\nNext step: {view.next_step}\n\n{record}"
    link = ResourceLink(
        type="resource_link",
        uri=view.resource_uri,
        name=view.job_id,
        title=f"Seedance job {view.job_id}",
        description="The job's current record (JSON).",
        mime_type="application/json",
    )
    return CallToolResult(
        content=[TextContent(type="text", text=runtime.redact(text)), link],
        structured_content=_redacted_data(view, runtime),
    )


def job_list_result(jobs: list[Job], runtime: Runtime) -> CallToolResult:
    """`list_jobs`' result: the jobs as a `JobList`, each in the one job shape, and one line each."""
    lines = [f"{len(jobs)} recent job(s), newest first:"] + [job_line(j) for j in jobs]
    message = "\n".join(lines) if jobs else "No jobs yet; generate_video creates one."
    report = JobList(jobs=[job_result(j) for j in jobs], message=message)
    return CallToolResult(
        content=[TextContent(type="text", text=runtime.redact(message))],
        structured_content=_redacted_data(report, runtime),
    )


def _redacted_data(model: BaseModel, runtime: Runtime) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(runtime.redact(model.model_dump_json()))
    return data
