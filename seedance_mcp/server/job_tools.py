"""The render, price and status tools and the job resource: `estimate_credits`,
`generate_video`, `check_status`, `cancel_job`, `list_jobs`, `list_providers` and
`seedance://jobs/{job_id}`, each a module-level function over the `Service` of the server's
runtime (reached through `ctx`); `tools()` publishes the tools, `register` puts the resource
on a server.

One job has one shape (`JobResult`) wherever it appears: `generate_video`, `check_status` and
`cancel_job` return it, the resource holds it, and `list_jobs` lists it, with the same `notice`.

The model is a choice on every tool that renders, prices or lists (`model`: a canonical name
or a provider's own id, refused by the engine naming what is served and where). Prices keep
their unit (a provider's credits, USD, CNY): the words never add or rank across units.

Every call returns well inside a client's 60 s request timeout: `generate_video` and
`check_status` wait at most `MAX_WAIT_SECONDS`, report progress while they wait, and hand
back a running job with the next step when the render takes longer. Anticipated failures
reach the agent as `ToolError` results that name the field, the allowed values and what to
do next; nothing is submitted (and no credit spent) on bad input.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import Field

from ..craft.limits import PROMPT_MAX_CHARS, URL_MAX_CHARS
from ..errors import CannotCancel, ConfigError, SeedanceError
from ..models import AspectRatio, Resolution, VideoRequest
from .models import (
    MODEL_DESCRIPTION,
    MODEL_MAX_CHARS,
    EstimateReport,
    JobList,
    JobResult,
    ProviderId,
    ProviderReport,
    checked_tool,
    read_only,
)
from .progress import DEFAULT_WAIT_SECONDS, MAX_WAIT_SECONDS, ProgressRelay, with_heartbeat
from .results import JOB_URI, cannot_cancel_step, job_call_result, job_list_result, job_result, tool_error
from .runtime import Runtime, RuntimeContext, runtime_of

if TYPE_CHECKING:
    from ..engine.preflight import PriceList
    from ..engine.service import Service
    from ..models import Job, ProviderInfo

LOOKUP_SECONDS = 3.0
"""How long check_status without a job_id waits for a locked ledger to find the newest job."""

JOB_ID_MAX_CHARS = 10_000
"""A job id or a provider's task id, as check_status takes it: generous (a longer one is simply
not found, and says so), but bounded like every other text argument."""

__all__ = [
    "cancel_job",
    "check_status",
    "estimate_credits",
    "estimate_message",
    "generate_video",
    "job_resource",
    "list_jobs",
    "list_providers",
    "register",
    "tools",
]


async def estimate_credits(
    ctx: RuntimeContext,
    provider: Annotated[
        ProviderId | None,
        Field(description="Price this provider only; leave empty to compare every provider."),
    ] = None,
    resolution: Annotated[
        Resolution | None, Field(description="480p, 720p or 1080p (provider default if empty).")
    ] = None,
    duration: Annotated[
        int | None, Field(description="Clip length in whole seconds (provider default if empty).")
    ] = None,
    audio: Annotated[bool, Field(description="With sound: doubles the price.")] = False,
) -> EstimateReport:
    """Price a clip before rendering it (read-only; nothing is submitted or charged).

    Credits are each provider's own unit, so numbers are not comparable across providers.
    Comparing without a duration prices every provider at the one length most of them offer
    (a provider without it at its nearest length, marked). Providers that publish no price show
    credits=null; a provider that cannot make the combination shows source="not offered" with
    the reason. Tell the user the price and get their agreement before calling generate_video.
    """
    runtime = runtime_of(ctx)
    try:
        prices = await runtime.call(
            lambda svc: svc.compare(provider, resolution=resolution, duration=duration, audio=audio)
        )
    except SeedanceError as err:
        raise tool_error(err, runtime) from err
    return EstimateReport(estimates=prices.estimates, message=estimate_message(prices))


def estimate_message(prices: PriceList) -> str:
    """One line per estimate (its credits, or why there is no price; what differs from the clip
    compared), then the reminder to ask."""
    lines = []
    if prices.duration is None and prices.duration_compared is not None:
        lines.append(f"Every provider priced at {prices.duration_compared} s, the length most of them offer.")
    for e in prices.estimates:
        what = f"{e.resolution or 'fixed resolution'}, {e.duration} s, {'with' if e.audio else 'no'} audio"
        marks = "; ".join(prices.differs.get(e.provider, []))
        differs = f" [{marks}]" if marks else ""
        if e.credits is not None:
            lines.append(f"{e.provider}: {e.credits} credits ({what}; {e.source}){differs}.")
        else:
            lines.append(
                f"{e.provider}: no price ({what}; {e.source}){': ' + e.note if e.note else ''}{differs}."
            )
    lines.append(
        "Credits are each provider's own unit. Confirm the price with the user before generate_video."
    )
    return "\n".join(lines)


async def generate_video(
    prompt: Annotated[
        str,
        Field(
            max_length=PROMPT_MAX_CHARS,
            description="What the clip shows and sounds like (draft it with write_cinematic_prompt); "
            f"at most {PROMPT_MAX_CHARS} characters (each provider has its own, lower limit: "
            "see list_providers).",
        ),
    ],
    ctx: RuntimeContext,
    provider: Annotated[
        ProviderId | None, Field(description="Provider to render with; empty: the configured default.")
    ] = None,
    model: Annotated[
        str | None,
        Field(
            max_length=MODEL_MAX_CHARS,
            description=MODEL_DESCRIPTION + " It must be one the provider serves (see list_providers).",
        ),
    ] = None,
    aspect_ratio: Annotated[
        AspectRatio | None,
        Field(
            description="Frame shape; adaptive lets the model choose (from the start image, if any); "
            "empty: the model's default."
        ),
    ] = None,
    resolution: Annotated[
        Resolution | None, Field(description="480p, 720p or 1080p, where the provider offers it.")
    ] = None,
    duration: Annotated[
        int | None,
        Field(description="Length in whole seconds; each provider allows its own set (see list_providers)."),
    ] = None,
    audio: Annotated[bool, Field(description="Generate sound with the picture. Doubles the price.")] = False,
    fixed_lens: Annotated[bool, Field(description="Ask the model to keep the camera still.")] = False,
    image_url: Annotated[
        str | None,
        Field(
            max_length=URL_MAX_CHARS,
            description=f"Public http(s) URL of the start frame; at most {URL_MAX_CHARS} characters.",
        ),
    ] = None,
    end_image_url: Annotated[
        str | None,
        Field(
            max_length=URL_MAX_CHARS,
            description="Public http(s) URL of the end frame (needs image_url too); "
            f"at most {URL_MAX_CHARS} characters.",
        ),
    ] = None,
    seed: Annotated[int | None, Field(description="Random seed, where the provider takes one.")] = None,
    flex: Annotated[
        bool,
        Field(
            description="Ark's offline (flex) tier: half the price, but it renders when capacity is free "
            "(minutes to hours), so expect to check back later; models with flex=true only."
        ),
    ] = False,
    wait_seconds: Annotated[
        float,
        Field(
            ge=0,
            le=MAX_WAIT_SECONDS,
            description="Seconds to wait for the render before returning the running job (0-50).",
        ),
    ] = DEFAULT_WAIT_SECONDS,
    confirm_cost: Annotated[
        bool,
        Field(
            description="Set true only after the user agreed to a price the cap cannot check (needed "
            "when SEEDANCE_MAX_CREDITS or SEEDANCE_MAX_COST is set and the model publishes no price, "
            "or its price is in another unit than the cap)."
        ),
    ] = False,
    download: Annotated[bool, Field(description="Save the finished MP4 to the output folder.")] = True,
) -> Annotated[CallToolResult, JobResult]:
    """Render a video with Seedance. THIS SPENDS CREDITS OR MONEY on the user's provider account.

    Before calling: run estimate_credits with the same provider, model, resolution, duration,
    aspect ratio, audio and flex, tell the user the price in its unit (credits, USD or CNY)
    and get their OK (audio=true doubles the price on most models). Input the provider or
    model cannot honour is refused before anything is sent, so nothing is spent.

    The job is recorded, submitted, then awaited for up to wait_seconds (default 45) with
    progress notifications. If it finishes in time, status is "succeeded" and video_path is
    the downloaded MP4. Otherwise the saved job comes back "queued" or "running": call
    check_status with its job_id until it finishes. Never call generate_video again for
    the same clip: that starts, and pays for, a second render; a queued job on a provider
    that can cancel (list_providers: cancel=true) is stopped with cancel_job. The job shows
    the model, and its cost in its unit once finished. sandbox=true means no key is
    configured: the clip is a placeholder and nothing was charged.
    """
    runtime = runtime_of(ctx)
    request = VideoRequest(
        prompt=prompt,
        model=model,
        aspect_ratio=aspect_ratio,
        resolution=resolution,
        duration=duration,
        audio=audio,
        fixed_lens=fixed_lens,
        image_url=image_url,
        end_image_url=end_image_url,
        seed=seed,
        flex=flex,
    )
    relay = ProgressRelay(ctx)
    try:
        svc = await runtime.service_async()
        job = await with_heartbeat(
            relay,
            lambda: svc.generate(
                request,
                provider=provider,
                wait_seconds=wait_seconds,
                download=download,
                confirm_unpriced=confirm_cost,
                on_progress=relay,
            ),
        )
    except SeedanceError as err:
        raise tool_error(err, runtime) from err
    return job_call_result(job, runtime)


async def check_status(
    ctx: RuntimeContext,
    job_id: Annotated[
        str | None,
        Field(
            max_length=JOB_ID_MAX_CHARS,
            description="Local job id (job_...) or the provider's task id; empty: the most recent job. "
            f"At most {JOB_ID_MAX_CHARS} characters.",
        ),
    ] = None,
    wait_seconds: Annotated[
        float,
        Field(ge=0, le=MAX_WAIT_SECONDS, description="Seconds to wait for a running job to finish (0-50)."),
    ] = 0.0,
    download: Annotated[bool, Field(description="Save the MP4 when the job has succeeded.")] = True,
) -> Annotated[CallToolResult, JobResult]:
    """Check one render job, optionally waiting up to 50 s (free; never starts a second render).

    Polls the provider once, waits up to wait_seconds with progress notifications, and
    downloads the video when it has succeeded (video_path). Returns the job in the same
    shape as generate_video, with message (the headline) and next_step. Call it again while
    status is "queued" or "running". Without a job_id it checks the most recent job; use
    list_jobs to see the others and their ids.
    """
    runtime = runtime_of(ctx)
    lead = None
    try:
        svc = await runtime.service_async()
        ref = (job_id or "").strip()
        if not ref:
            # Bounded like the rest of the call: a ledger held by another process must not add
            # its 30 s busy wait in front of the status check's own window.
            latest = await runtime.call(lambda s: s.jobs(1, within=LOOKUP_SECONDS))
            if not latest:
                raise ToolError(
                    "job_id: no jobs yet, so there is nothing to check. generate_video starts a job "
                    "and returns its job_id."
                )
            ref = latest[0].job_id
            lead = "No job_id given: this is the most recent job; list_jobs lists the others."
        relay = ProgressRelay(ctx)
        job = await with_heartbeat(
            relay,
            lambda: svc.status(ref, wait_seconds=wait_seconds, download=download, on_progress=relay),
        )
    except SeedanceError as err:
        raise tool_error(err, runtime) from err
    return job_call_result(job, runtime, lead=lead)


async def cancel_job(
    ctx: RuntimeContext,
    job_id: Annotated[
        str,
        Field(
            max_length=JOB_ID_MAX_CHARS,
            description="Local job id (job_...) or the provider's task id of the job to cancel; "
            f"at most {JOB_ID_MAX_CHARS} characters.",
        ),
    ],
) -> Annotated[CallToolResult, JobResult]:
    """Cancel a render job before it renders, where its provider allows it; a cancelled job
    costs nothing.

    Only providers with a cancel endpoint can (list_providers: cancel=true), and Ark
    (byteplus, volcengine) cancels only a task that is still queued. Ask the user first:
    the job cannot be resumed once cancelled. When it cannot be cancelled the error says
    why and the job is left as it is: it keeps rendering and is charged as usual, so follow
    it with check_status and never submit it again. Returns the job in the same shape as
    check_status (status "cancelled" once it is).
    """
    runtime = runtime_of(ctx)
    ref = job_id.strip()
    if not ref:
        raise ToolError("job_id: give the job_id of the job to cancel; list_jobs lists the saved jobs.")
    try:
        svc = await runtime.service_async()
        job = await svc.cancel(ref)
    except CannotCancel as err:
        raise tool_error(err, runtime, step=cannot_cancel_step(await _job_or_none(runtime, ref))) from err
    except SeedanceError as err:
        raise tool_error(err, runtime) from err
    return job_call_result(job, runtime)


async def _job_or_none(runtime: Runtime, ref: str) -> Job | None:
    """The job as the ledger has it, or None when it cannot be read now (a locked ledger)."""
    try:
        return await runtime.call(lambda svc: svc.get_job(ref))
    except SeedanceError:
        return None


async def list_jobs(
    ctx: RuntimeContext,
    limit: Annotated[
        int, Field(ge=1, le=100, description="How many jobs to list, newest first (1-100).")
    ] = 10,
) -> Annotated[CallToolResult, JobList]:
    """List the saved render jobs, newest first (read-only: nothing is polled or downloaded).

    Each entry has the same shape as generate_video's and check_status's result (job_id,
    status, video_path, notice, message, next_step). Use it to find a job_id; call
    check_status with it to refresh a job that is still "queued" or "running".
    """
    runtime = runtime_of(ctx)
    try:
        jobs = await runtime.call(lambda svc: svc.jobs(limit))
    except SeedanceError as err:
        raise tool_error(err, runtime) from err
    return job_list_result(jobs, runtime)


async def list_providers(ctx: RuntimeContext) -> ProviderReport:
    """Which providers can be used now and what each accepts (read-only).

    key_set says whether a key is configured for a provider (its value is never shown).
    Each entry lists the durations, resolutions, aspect ratios, prompt length and
    options (start/end image, seed, audio, fixed lens) the provider takes.
    """
    runtime = runtime_of(ctx)
    try:
        infos, default, sandbox, note = await runtime.call(_catalog)
    except SeedanceError as err:
        raise tool_error(err, runtime) from err
    usable = [p.id for p in infos if p.key_set]
    keys = (
        f"Providers with a key: {', '.join(usable)}."
        if usable
        else "No provider key is set (each provider's key_env names the variable to set)."
    )
    return ProviderReport(
        providers=infos, default_provider=default, sandbox=sandbox, message=f"{keys} {_sentence(note)}"
    )


def _catalog(svc: Service) -> tuple[list[ProviderInfo], str | None, bool, str]:
    """The providers, the default one, whether it is the sandbox, and the note on the choice."""
    infos = svc.providers()
    try:
        target = svc.settings.target()
    except ConfigError as err:
        return infos, None, False, err.message
    default = target.provider.id
    return (
        infos,
        default,
        target.sandbox,
        target.notice or f"generate_video uses {default} unless a provider is given.",
    )


def _sentence(text: str) -> str:
    """`text` as a sentence of its own: a capital first letter and a full stop."""
    text = text.strip()
    if not text:
        return text
    return text[0].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


async def job_resource(job_id: str, ctx: RuntimeContext) -> str:
    """One render job as JSON: the `seedance://jobs/{job_id}` resource."""
    runtime = runtime_of(ctx)
    try:
        job = await runtime.call(lambda svc: svc.get_job(job_id))
    except SeedanceError as err:
        raise ResourceNotFoundError(runtime.redact(err.message)) from err
    return runtime.redact(job_result(job).model_dump_json(indent=2))


def _changes(title: str, *, idempotent: bool, destructive: bool = False) -> ToolAnnotations:
    """The annotations of a tool that calls the provider and writes the ledger and the output folder
    (`destructive`: what it does cannot be undone, as a cancelled render cannot be resumed)."""
    return ToolAnnotations(
        title=title,
        read_only_hint=False,
        destructive_hint=destructive,
        idempotent_hint=idempotent,
        open_world_hint=True,
    )


def tools() -> list[Tool]:
    """The job tools, in the order clients list them."""
    return [
        checked_tool(estimate_credits, read_only("Estimate credits")),
        checked_tool(generate_video, _changes("Generate a video (spends credits)", idempotent=False)),
        checked_tool(check_status, _changes("Check a render job", idempotent=True)),
        checked_tool(cancel_job, _changes("Cancel a render job", idempotent=True, destructive=True)),
        checked_tool(list_jobs, read_only("List saved jobs")),
        checked_tool(list_providers, read_only("List providers")),
    ]


def register(server: MCPServer[Runtime]) -> None:
    """Put the job resource on `server` (the tools are published by `tools()`)."""
    server.resource(
        JOB_URI,
        name="job",
        title="Seedance job",
        description="One render job as JSON (status, video_path, credits, request, notice).",
        mime_type="application/json",
    )(job_resource)
