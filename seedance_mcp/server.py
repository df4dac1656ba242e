"""The MCP server: five thin tools over `Service`, the prompt templates as MCP prompts, and
each job as a `seedance://jobs/{job_id}` resource.

Start-up stays light: importing this module reads no environment and no file, and the
service (HTTP client, ledger, simulator, templates) is imported and built on the first tool
call, once per server lifetime, and closed when the server stops. On stdio, stdout carries
the protocol only; logs go to stderr.

Every call returns well inside a client's 60 s request timeout: `generate_video` and
`check_status` wait at most `MAX_WAIT_SECONDS`, report progress while they wait, and hand
back a running job with the next step when the render takes longer. Anticipated failures
reach the agent as `ToolError` results that name the field, the allowed values and what to
do next; nothing is submitted (and no credit spent) on bad input.
"""

from __future__ import annotations

import argparse
import hmac
import ipaddress
import json
import logging
import os
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Annotated, Any, Literal

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS, CallToolResult, ResourceLink, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from .errors import (
    AuthError,
    BudgetExceeded,
    ConfigError,
    DownloadError,
    IdempotencyConflict,
    InsufficientCredits,
    InvalidRequest,
    JobNotFound,
    ProviderRejected,
    ProviderUnavailable,
    RateLimited,
    SeedanceError,
    TaskNotFound,
    TransportError,
)
from .models import AspectRatio, CreditEstimate, Job, JobStatus, ProviderInfo, Resolution, VideoRequest

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Receive, Scope, Send

    from .service import Progress, Service

__all__ = [
    "DEFAULT_WAIT_SECONDS",
    "MAX_WAIT_SECONDS",
    "TOKEN_ENV",
    "EstimateReport",
    "JobResult",
    "PromptResult",
    "ProviderReport",
    "StatusReport",
    "build_server",
    "main",
]

log = logging.getLogger("seedance_mcp.server")

DEFAULT_WAIT_SECONDS = 45.0
MAX_WAIT_SECONDS = 50.0
"""Longest a tool call waits: under the 60 s request timeout of common clients."""
HEARTBEAT_SECONDS = 8.0
"""A progress notification goes out at least this often while a tool waits."""
TOKEN_ENV = "SEEDANCE_MCP_TOKEN"  # noqa: S105 (the variable name, not a token)
JOB_URI = "seedance://jobs/{job_id}"

ProviderId = Literal["nanophoto", "seedanceapi", "apixo", "seedance15pro", "seedance2ai"]
ServiceFactory = Callable[[], "Service"]

INSTRUCTIONS = """\
Seedance video generation through five provider APIs.
Flow: write_cinematic_prompt (draft the prompt) -> estimate_credits (tell the user the price \
and get a yes) -> generate_video (spends credits; waits up to 45 s) -> check_status with the \
job_id until status is "succeeded" (then video_path is the MP4 on disk).
Never call generate_video twice for the same clip: a returned job is saved and keeps \
rendering. API keys live in this server's environment; never ask the user to paste one into \
the chat. Results with sandbox=true come from the built-in simulator: the clip is a \
placeholder and nothing was charged."""


# ---- result models ----------------------------------------------------------------------


class JobResult(Job):
    """A job as the ledger stores it, plus where to read it and what to do next."""

    resource_uri: str = Field(description="MCP resource with this job's JSON (seedance://jobs/<job_id>).")
    next_step: str = Field(description="What the agent should do next, in one or two sentences.")


class StatusReport(BaseModel):
    job: JobResult | None = Field(default=None, description="The job asked about (when a job_id was given).")
    recent: list[JobResult] = Field(
        default_factory=list, description="Recent jobs, newest first (no job_id)."
    )
    message: str


class EstimateReport(BaseModel):
    estimates: list[CreditEstimate]
    message: str


class ProviderReport(BaseModel):
    providers: list[ProviderInfo]
    default_provider: str | None = Field(description="Where generate_video goes when no provider is given.")
    sandbox: bool = Field(description="True when no key is set: renders come from the built-in simulator.")
    message: str


class PromptWarning(BaseModel):
    rule: str = Field(description="Stable id of the rule, e.g. 'stacked_camera_moves'.")
    message: str = Field(description="What is wrong and what to change.")


class DraftSettings(BaseModel):
    audio: bool = Field(description="Generate sound: on when the prompt describes sound or dialogue.")
    fixed_lens: bool = Field(description="Keep the camera still.")
    duration: int | None = Field(description="Seconds; null means the provider's default.")
    aspect_ratio: str | None = Field(default=None, description="Frame shape the idea asks for, if any.")


class Draft(BaseModel):
    """`prompting.PromptDraft` as this server publishes it (mirrored so that start-up does not
    import the template engine; a test keeps the two in step)."""

    prompt: str = Field(description="The prompt, ready for generate_video.")
    template: str = Field(description="The template that wrote the prompt.")
    characters: int = Field(description="Length of the prompt in characters.")
    limit: int = Field(description="The provider's prompt limit the draft was fitted to.")
    provider: str | None = Field(description="Provider id; null means fitted to every provider.")
    warnings: list[PromptWarning] = Field(default_factory=list)
    suggested_settings: DraftSettings


class PromptResult(BaseModel):
    draft: Draft | None = Field(default=None, description="The drafted prompt (when an idea was given).")
    lint_warnings: list[PromptWarning] = Field(
        default_factory=list, description="Problems found in the text passed as `lint`."
    )
    next_step: str


# ---- the service, once per server lifetime ----------------------------------------------


def _default_service() -> Service:
    from .service import Service

    return Service()


class _Runtime:
    """Builds the service on first use and closes it when the server stops."""

    def __init__(self, factory: ServiceFactory | None) -> None:
        self._factory = factory or _default_service
        self._service: Service | None = None

    def service(self) -> Service:
        if self._service is None:
            self._service = self._factory()
        return self._service

    def close(self) -> None:
        service, self._service = self._service, None
        if service is not None:
            service.close()

    def secrets(self) -> list[str]:
        """Every configured key value, so that no output can ever carry one."""
        if self._service is None:
            return []
        from .providers import PROVIDERS
        from .settings import GENERIC_KEY_ENV

        try:
            env = self._service.settings.env
        except SeedanceError:
            env = os.environ
        names = {p.key_env for p in PROVIDERS.values()} | {GENERIC_KEY_ENV, TOKEN_ENV}
        values = (env.get(name, "").strip() for name in names)
        return sorted({v for v in values if len(v) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets():
            text = text.replace(secret, "<redacted>")
        return text


# ---- errors -----------------------------------------------------------------------------


def _next_step_for(err: SeedanceError) -> str | None:
    match err:
        case InvalidRequest() | ProviderRejected():
            return (
                "Nothing was submitted and no credits were spent. Fix the field named above and call "
                "again; list_providers shows what each provider accepts."
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
            return "Call check_status without job_id to list recent jobs and their ids."
        case BudgetExceeded():
            return (
                "Nothing was submitted. Tell the user the estimate; only with their explicit agreement call "
                "again with confirm_cost=true (unpriced provider) or ask them to raise SEEDANCE_MAX_CREDITS."
            )
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
            return "The provider does not know this task; call check_status without job_id to see saved jobs."
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


def _key_variable(provider: str | None) -> str:
    from .providers import PROVIDERS

    found = PROVIDERS.get(provider or "")
    return found.key_env if found is not None else "the provider's key variable"


def _tool_error(err: SeedanceError, runtime: _Runtime) -> ToolError:
    facts = {k: v for k, v in err.to_dict().items() if k != "message"}
    retry_after = getattr(err, "retry_after", None)
    if retry_after:
        facts["retry_after_seconds"] = round(float(retry_after), 1)
    lines = [err.message]
    step = _next_step_for(err)
    if step:
        lines.append("Next step: " + step)
    lines.append("Details: " + json.dumps(facts, default=str))
    return ToolError(runtime.redact("\n".join(lines)))


# ---- progress ---------------------------------------------------------------------------


class _ProgressRelay:
    """Turns the service's progress into MCP progress notifications, with a heartbeat.

    The value sent is the seconds since submit (strictly increasing, as the protocol asks) and
    the total is the typical render time while it is still ahead; the message names the phase.
    Between the service's own reports (during a slow submit or download) the heartbeat repeats
    the last one with the time moved on, so a client hears from the call at least every
    `HEARTBEAT_SECONDS`.
    """

    def __init__(
        self,
        ctx: Context,
        *,
        clock: Callable[[], float] = time.monotonic,
        quiet: float = HEARTBEAT_SECONDS,
        tick: float = 1.0,
    ) -> None:
        self._ctx = ctx
        self._clock = clock
        self._quiet = quiet
        self._tick = tick
        self._last: Progress | None = None
        self._received_at = self._sent_at = clock()
        self._value = -1.0

    async def __call__(self, progress: Progress) -> None:
        self._last = progress
        self._received_at = self._clock()
        await self._send(progress.elapsed)

    async def _send(self, elapsed: float) -> None:
        progress = self._last
        if progress is None:
            return
        value = max(round(elapsed, 1), round(self._value + 0.1, 1))
        self._value = value
        self._sent_at = self._clock()
        expected = progress.expected
        total = expected if expected is not None and value < expected else None
        typical = f", typically ~{expected:.0f} s" if expected else ""
        sandbox = " [sandbox]" if progress.sandbox else ""
        message = f"{progress.phase}: {progress.message} ({value:.0f} s elapsed{typical}){sandbox}"
        try:
            await self._ctx.report_progress(value, total, message)
        except Exception:  # a note that cannot be delivered must not fail the render
            log.debug("progress notification not delivered", exc_info=True)

    async def heartbeat(self) -> None:
        while True:
            await anyio.sleep(self._tick)
            if self._last is not None and self._clock() - self._sent_at >= self._quiet:
                await self._send(self._last.elapsed + (self._clock() - self._received_at))


async def _with_heartbeat(relay: _ProgressRelay, call: Callable[[], Awaitable[Job]]) -> Job:
    result: Job | None = None
    error: Exception | None = None
    async with anyio.create_task_group() as tg:
        tg.start_soon(relay.heartbeat)
        try:
            result = await call()
        except Exception as exc:  # re-raised below, outside the task group (no ExceptionGroup)
            error = exc
        finally:
            tg.cancel_scope.cancel()
    if error is not None:
        raise error
    assert result is not None
    return result


# ---- presenting jobs ----------------------------------------------------------------------


def _next_step(job: Job) -> str:
    resume = (
        f"Call check_status with job_id={job.job_id!r} (wait_seconds up to {MAX_WAIT_SECONDS:.0f}) until "
        "status is succeeded. Do not call generate_video again for this clip: that would start, and pay "
        "for, a second render."
    )
    match job.status:
        case JobStatus.SUCCEEDED if job.video_path:
            done = f"Done: the video is saved at {job.video_path}."
            return done + (" It is a sandbox placeholder, not a real render." if job.sandbox else "")
        case JobStatus.SUCCEEDED if job.error is not None:
            return (
                f"The render finished but the download failed; call check_status with job_id={job.job_id!r}."
            )
        case JobStatus.SUCCEEDED:
            return "The render finished; the video is at video_url. check_status with download=true saves it."
        case JobStatus.QUEUED | JobStatus.RUNNING:
            return "Still rendering; the job is saved. " + resume
        case JobStatus.FAILED:
            why = f" ({job.error.message})" if job.error else ""
            return (
                f"The render failed{why}; providers refund failed jobs. Change the prompt or settings, and "
                "ask the user before trying again."
            )
        case JobStatus.UNKNOWN:
            return (
                "The submit's answer was lost, so the task may exist and may cost credits. Do not submit "
                f"again; call check_status with job_id={job.job_id!r} and read the notice."
            )
        case JobStatus.CANCELLED | JobStatus.EXPIRED:
            return "This job is over and cannot be resumed; submit a new one only if the user asks."
    return resume


def _job_result(job: Job) -> JobResult:
    return JobResult(
        **job.model_dump(), resource_uri=JOB_URI.format(job_id=job.job_id), next_step=_next_step(job)
    )


def _headline(job: Job) -> str:
    parts = []
    if job.sandbox:
        parts.append(
            "SANDBOX MODE: the built-in simulator answered, so nothing real was rendered and nothing was "
            "charged; the clip is a placeholder. Set a provider key in the server's environment for real "
            "videos."
        )
    cost = ""
    if job.credits is not None:
        cost = f", {job.credits} credits"
    elif job.estimated_credits is not None:
        cost = f", estimated {job.estimated_credits} credits"
    parts.append(f"Job {job.job_id} on {job.provider}: {job.status.value}{cost}.")
    return "\n".join(parts)


def _job_call_result(job: Job, runtime: _Runtime, *, wrap: bool) -> CallToolResult:
    """The job as structured content, a readable text block and a link to its resource."""
    view = _job_result(job)
    data: dict[str, Any] = json.loads(runtime.redact(view.model_dump_json()))
    structured = {"job": data, "recent": [], "message": _headline(job)} if wrap else data
    text = runtime.redact(
        f"{_headline(job)}\nNext step: {view.next_step}\n\n{view.model_dump_json(indent=2)}"
    )
    link = ResourceLink(
        type="resource_link",
        uri=view.resource_uri,
        name=job.job_id,
        title=f"Seedance job {job.job_id}",
        description="The job's current record (JSON).",
        mime_type="application/json",
    )
    return CallToolResult(content=[TextContent(type="text", text=text), link], structured_content=structured)


# ---- the server ---------------------------------------------------------------------------

_READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)


def build_server(service_factory: ServiceFactory | None = None) -> MCPServer:
    """The MCP server with its tools, prompts and job resource.

    `service_factory` builds the `Service` on the first call that needs one (default:
    `Service()`, configured from the environment); it is closed when the server stops.
    """
    runtime = _Runtime(service_factory)

    @asynccontextmanager
    async def lifespan(_server: MCPServer) -> AsyncIterator[None]:
        try:
            yield None
        finally:
            runtime.close()

    server: MCPServer = MCPServer(
        "seedance",
        title="Seedance video",
        instructions=INSTRUCTIONS,
        version=_version(),
        lifespan=lifespan,
    )

    def service() -> Service:
        return runtime.service()

    # -- write_cinematic_prompt ------------------------------------------------------------

    async def write_cinematic_prompt(
        idea: Annotated[
            str | None,
            Field(
                description="What the clip is about, in plain words "
                "(e.g. 'a fox crossing a snowy road at dawn')."
            ),
        ] = None,
        provider: Annotated[
            ProviderId | None,
            Field(description="Provider whose limits the prompt must fit (length, options)."),
        ] = None,
        template: Annotated[
            str | None,
            Field(
                description="cinematic, product, dialogue, multi-shot or image-to-video; "
                "empty: chosen from the content."
            ),
        ] = None,
        shot_size: Annotated[
            str | None, Field(description="e.g. wide, medium, close-up, extreme close-up.")
        ] = None,
        camera_move: Annotated[
            str | None, Field(description="e.g. slow push-in, dolly left, orbit, static.")
        ] = None,
        angle: Annotated[str | None, Field(description="e.g. low angle, eye level, overhead.")] = None,
        light: Annotated[str | None, Field(description="e.g. golden hour, soft window light, neon.")] = None,
        style: Annotated[str | None, Field(description="e.g. 35mm film, documentary, anime.")] = None,
        mood: Annotated[str | None, Field(description="e.g. calm, tense, joyful.")] = None,
        sound: Annotated[str | None, Field(description="Ambience, effects or music to hear.")] = None,
        dialogue: Annotated[
            list[str] | None, Field(description="Spoken lines, each as 'Speaker: line' (needs audio).")
        ] = None,
        language: Annotated[str | None, Field(description="Language the dialogue is spoken in.")] = None,
        shots: Annotated[
            list[str] | None, Field(description="Several shots in order, one description each.")
        ] = None,
        duration: Annotated[
            int | None, Field(description="Clip length in seconds the prompt is written for.")
        ] = None,
        audio: Annotated[bool | None, Field(description="Whether the clip will have sound.")] = None,
        fixed_lens: Annotated[bool | None, Field(description="Whether the camera must stay still.")] = None,
        image_url: Annotated[
            str | None, Field(description="Start frame URL, if the clip animates an image.")
        ] = None,
        lint: Annotated[
            str | None, Field(description="A prompt the user wrote: returns the problems found in it.")
        ] = None,
    ) -> PromptResult:
        """Draft a cinematic Seedance prompt from an idea (free: nothing is rendered or charged).

        Give an idea plus any of shot size, camera move, angle, light, style, mood, sound,
        dialogue or a list of shots; the result's draft.prompt is ready for generate_video.
        To check a prompt the user wrote instead, pass it as `lint` and read lint_warnings.
        """
        from . import prompting

        if idea is None and lint is None:
            raise ToolError("idea: give an idea to draft a prompt from, or a prompt to check as `lint`.")
        try:
            draft = None
            if idea is not None:
                draft = prompting.write_cinematic_prompt(
                    idea,
                    provider=provider,
                    template=template,
                    shot_size=shot_size,
                    camera_move=camera_move,
                    angle=angle,
                    light=light,
                    style=style,
                    mood=mood,
                    sound=sound,
                    dialogue=dialogue,
                    language=language,
                    shots=shots,
                    duration=duration,
                    audio=audio,
                    fixed_lens=fixed_lens,
                    image_url=image_url,
                )
            warnings = (
                prompting.lint_prompt(
                    lint, provider=provider, duration=duration, audio=audio, fixed_lens=fixed_lens
                )
                if lint is not None
                else []
            )
        except SeedanceError as err:
            raise _tool_error(err, runtime) from err
        view = Draft.model_validate(draft.model_dump()) if draft is not None else None
        lint_found = [PromptWarning.model_validate(w.model_dump()) for w in warnings]
        step = (
            "Next: estimate_credits for the clip, tell the user the price, then generate_video with "
            "draft.prompt."
        )
        if lint is not None:
            step = (
                "Fix the issues listed in lint_warnings, then estimate_credits."
                if warnings
                else "The prompt passed every check; next: estimate_credits."
            )
        return PromptResult(draft=view, lint_warnings=lint_found, next_step=step)

    server.add_tool(
        write_cinematic_prompt,
        title="Write a cinematic prompt",
        annotations=_READ_ONLY.model_copy(update={"title": "Write a cinematic prompt"}),
    )

    # -- estimate_credits ---------------------------------------------------------------------

    async def estimate_credits(
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
        Providers that publish no price show credits=null; a provider that cannot make the
        combination shows source="not offered" with the reason. Tell the user the price and
        get their agreement before calling generate_video.
        """
        try:
            estimates = service().estimate(provider, resolution=resolution, duration=duration, audio=audio)
        except SeedanceError as err:
            raise _tool_error(err, runtime) from err
        lines = []
        for e in estimates:
            what = (
                f"{e.resolution or 'fixed resolution'}, {e.duration} s, {'with' if e.audio else 'no'} audio"
            )
            if e.credits is not None:
                lines.append(f"{e.provider}: {e.credits} credits ({what}; {e.source}).")
            else:
                lines.append(f"{e.provider}: no price ({what}; {e.source}){': ' + e.note if e.note else ''}.")
        lines.append(
            "Credits are each provider's own unit. Confirm the price with the user before generate_video."
        )
        return EstimateReport(estimates=estimates, message="\n".join(lines))

    server.add_tool(
        estimate_credits,
        title="Estimate credits",
        annotations=_READ_ONLY.model_copy(update={"title": "Estimate credits"}),
    )

    # -- generate_video -------------------------------------------------------------------------

    async def generate_video(
        prompt: Annotated[
            str,
            Field(description="What the clip shows and sounds like (draft it with write_cinematic_prompt)."),
        ],
        ctx: Context,
        provider: Annotated[
            ProviderId | None, Field(description="Provider to render with; empty: the configured default.")
        ] = None,
        aspect_ratio: Annotated[
            AspectRatio | None, Field(description="Frame shape; empty: the provider default.")
        ] = None,
        resolution: Annotated[
            Resolution | None, Field(description="480p, 720p or 1080p, where the provider offers it.")
        ] = None,
        duration: Annotated[
            int | None,
            Field(
                description="Length in whole seconds; each provider allows its own set (see list_providers)."
            ),
        ] = None,
        audio: Annotated[
            bool, Field(description="Generate sound with the picture. Doubles the price.")
        ] = False,
        fixed_lens: Annotated[bool, Field(description="Ask the model to keep the camera still.")] = False,
        image_url: Annotated[str | None, Field(description="Public http(s) URL of the start frame.")] = None,
        end_image_url: Annotated[
            str | None, Field(description="Public http(s) URL of the end frame (needs image_url too).")
        ] = None,
        seed: Annotated[int | None, Field(description="Random seed, where the provider takes one.")] = None,
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
                description="Set true only after the user agreed to an unknown price (needed when "
                "SEEDANCE_MAX_CREDITS is set and the provider publishes no price)."
            ),
        ] = False,
        download: Annotated[bool, Field(description="Save the finished MP4 to the output folder.")] = True,
    ) -> Annotated[CallToolResult, JobResult]:
        """Render a video with Seedance. THIS SPENDS CREDITS on the user's provider account.

        Before calling: run estimate_credits with the same provider, resolution, duration and
        audio, tell the user the price and get their OK (audio=true doubles the price). Input
        the provider cannot honour is refused before anything is sent, so no credit is spent.

        The job is recorded, submitted, then awaited for up to wait_seconds (default 45) with
        progress notifications. If it finishes in time, status is "succeeded" and video_path is
        the downloaded MP4. Otherwise the saved job comes back "queued" or "running": call
        check_status with its job_id until it finishes. Never call generate_video again for
        the same clip: that starts, and pays for, a second render. sandbox=true means no key
        is configured: the clip is a placeholder and nothing was charged.
        """
        request = VideoRequest(
            prompt=prompt,
            aspect_ratio=aspect_ratio,
            resolution=resolution,
            duration=duration,
            audio=audio,
            fixed_lens=fixed_lens,
            image_url=image_url,
            end_image_url=end_image_url,
            seed=seed,
        )
        relay = _ProgressRelay(ctx)
        try:
            svc = service()
            job = await _with_heartbeat(
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
            raise _tool_error(err, runtime) from err
        return _job_call_result(job, runtime, wrap=False)

    server.add_tool(
        generate_video,
        title="Generate a video (spends credits)",
        annotations=ToolAnnotations(
            title="Generate a video (spends credits)",
            read_only_hint=False,
            destructive_hint=False,
            idempotent_hint=False,
            open_world_hint=True,
        ),
    )

    # -- check_status -----------------------------------------------------------------------------

    async def check_status(
        ctx: Context,
        job_id: Annotated[
            str | None,
            Field(description="Local job id (job_...) or the provider's task id; empty lists recent jobs."),
        ] = None,
        wait_seconds: Annotated[
            float,
            Field(
                ge=0, le=MAX_WAIT_SECONDS, description="Seconds to wait for a running job to finish (0-50)."
            ),
        ] = 0.0,
        download: Annotated[bool, Field(description="Save the MP4 when the job has succeeded.")] = True,
        limit: Annotated[
            int, Field(ge=1, le=100, description="How many recent jobs to list (no job_id).")
        ] = 10,
    ) -> Annotated[CallToolResult, StatusReport]:
        """Check a render job, optionally waiting up to 50 s (free; never starts a second render).

        With a job_id: polls the provider once, waits up to wait_seconds with progress
        notifications, and downloads the video when it has succeeded (video_path). Call it
        again while status is "queued" or "running". Without a job_id: lists recent jobs from
        the local ledger, newest first.
        """
        try:
            svc = service()
            if job_id is None or not job_id.strip():
                jobs = svc.jobs(limit)
                views = [_job_result(j) for j in jobs]
                lines = [f"{len(views)} recent job(s), newest first:"] + [
                    f"- {j.job_id} {j.provider} {j.status.value}"
                    + (" [sandbox]" if j.sandbox else "")
                    + (f" {j.video_path}" if j.video_path else "")
                    for j in jobs
                ]
                message = "\n".join(lines) if jobs else "No jobs yet; generate_video creates one."
                report = StatusReport(recent=views, message=message)
                structured = json.loads(runtime.redact(report.model_dump_json()))
                return CallToolResult(
                    content=[TextContent(type="text", text=runtime.redact(message))],
                    structured_content=structured,
                )
            relay = _ProgressRelay(ctx)
            ref = job_id.strip()
            job = await _with_heartbeat(
                relay,
                lambda: svc.status(ref, wait_seconds=wait_seconds, download=download, on_progress=relay),
            )
        except SeedanceError as err:
            raise _tool_error(err, runtime) from err
        return _job_call_result(job, runtime, wrap=True)

    server.add_tool(
        check_status,
        title="Check a render job",
        annotations=ToolAnnotations(
            title="Check a render job",
            read_only_hint=False,
            destructive_hint=False,
            idempotent_hint=True,
            open_world_hint=True,
        ),
    )

    # -- list_providers -----------------------------------------------------------------------------

    async def list_providers() -> ProviderReport:
        """Which providers can be used now and what each accepts (read-only).

        key_set says whether a key is configured for a provider (its value is never shown).
        Each entry lists the durations, resolutions, aspect ratios, prompt length and
        options (start/end image, seed, audio, fixed lens) the provider takes.
        """
        try:
            svc = service()
            infos = svc.providers()
            try:
                target = svc.settings.target()
                default: str | None = target.provider.id
                sandbox = target.sandbox
                note = target.notice or f"generate_video uses {default} unless a provider is given."
            except ConfigError as err:
                default, sandbox, note = None, False, err.message
        except SeedanceError as err:
            raise _tool_error(err, runtime) from err
        usable = [p.id for p in infos if p.key_set]
        head = f"Providers with a key: {', '.join(usable)}." if usable else "No provider key is set."
        return ProviderReport(
            providers=infos, default_provider=default, sandbox=sandbox, message=f"{head} {note}"
        )

    server.add_tool(
        list_providers,
        title="List providers",
        annotations=_READ_ONLY.model_copy(update={"title": "List providers"}),
    )

    # -- the job resource ---------------------------------------------------------------------------

    @server.resource(
        JOB_URI,
        name="job",
        title="Seedance job",
        description="One render job as JSON (status, video_path, credits, request, notice).",
        mime_type="application/json",
    )
    async def job_resource(job_id: str) -> str:
        try:
            job = service().get_job(job_id)
        except JobNotFound as err:
            raise ResourceNotFoundError(err.message) from err
        except SeedanceError as err:
            raise ResourceNotFoundError(runtime.redact(err.message)) from err
        return runtime.redact(_job_result(job).model_dump_json(indent=2))

    _add_prompts(server)
    return server


# ---- MCP prompts from the templates ---------------------------------------------------------


_Text = Annotated[str | None, Field(description="Optional; leave empty to let the template choose.")]
_Idea = Annotated[str, Field(description="What the clip shows: who or what, doing what, where.")]
_Provider = Annotated[str | None, Field(description="Provider id whose prompt limit the text must fit.")]


def _add_prompts(server: MCPServer) -> None:
    """One MCP prompt per template in `prompts/` (same names); rendered by `prompting`."""

    def cinematic(
        idea: _Idea,
        shot_size: _Text = None,
        camera_move: _Text = None,
        angle: _Text = None,
        light: _Text = None,
        style: _Text = None,
        mood: _Text = None,
        sound: _Text = None,
        provider: _Provider = None,
    ) -> str:
        """One cinematic shot: subject and action, one camera move, a named light, style, mood, sound."""
        return _render_prompt("cinematic", locals())

    def product(
        idea: Annotated[str, Field(description="The product and what makes it special.")],
        camera_move: _Text = None,
        light: _Text = None,
        style: _Text = None,
        sound: _Text = None,
        provider: _Provider = None,
    ) -> str:
        """Product showcase: the product as hero, close framing, studio light, clean sound."""
        return _render_prompt("product", locals())

    def dialogue(
        idea: Annotated[str, Field(description="Who talks (described by look), where, about what.")],
        dialogue: Annotated[str, Field(description="The lines, one per line, as 'Speaker: line'.")],
        language: Annotated[str | None, Field(description="Language the lines are spoken in.")] = None,
        provider: _Provider = None,
    ) -> str:
        """A dialogue scene with lip-synced speech; render it with audio=true."""
        return _render_prompt("dialogue", locals())

    def multi_shot(
        idea: _Idea,
        shots: Annotated[str, Field(description="The shots in order, one description per line.")],
        light: _Text = None,
        sound: _Text = None,
        provider: _Provider = None,
    ) -> str:
        """A multi-shot clip ("Shot 1: ... Shot 2: ..."): one camera move per shot, one light and sound."""
        return _render_prompt("multi-shot", locals())

    def image_to_video(
        idea: Annotated[str, Field(description="What moves and what changes in the start image.")],
        camera_move: _Text = None,
        sound: _Text = None,
        provider: _Provider = None,
    ) -> str:
        """Animate a start image: the motion, the camera and what changes (render it with image_url)."""
        return _render_prompt("image-to-video", locals())

    server.prompt(title="Cinematic shot")(cinematic)
    server.prompt(title="Product showcase")(product)
    server.prompt(title="Dialogue scene")(dialogue)
    server.prompt(name="multi-shot", title="Multi-shot clip")(multi_shot)
    server.prompt(name="image-to-video", title="Animate an image")(image_to_video)


def _render_prompt(template: str, fields: dict[str, Any]) -> str:
    from . import prompting

    try:
        text = prompting.render_template(template, {k: v for k, v in fields.items() if v})
    except SeedanceError as err:
        raise MCPError(code=INVALID_PARAMS, message=err.message) from err
    return (
        "Use this Seedance prompt with generate_video, after estimate_credits and the user's OK "
        f"on the price:\n\n{text}"
    )


# ---- entry point ---------------------------------------------------------------------------


def _version() -> str:
    from . import __version__

    return __version__


def _is_loopback(host: str) -> bool:
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


_UNAUTHORIZED = (
    b'{"error":"unauthorized","error_description":"send Authorization: Bearer <SEEDANCE_MCP_TOKEN>"}'
)


class BearerGuard:
    """ASGI middleware: every HTTP request must carry `Authorization: Bearer <token>`."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self._app = app
        self._token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            header = b""
            for name, value in scope.get("headers", []):
                if name.lower() == b"authorization":
                    header = value
            scheme, _, given = header.partition(b" ")
            if scheme.lower() != b"bearer" or not hmac.compare_digest(given.strip(), self._token):
                body = _UNAUTHORIZED
                await send(
                    {
                        "type": "http.response.start",
                        "status": 401,
                        "headers": [
                            (b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"www-authenticate", b'Bearer realm="seedance-mcp"'),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self._app(scope, receive, send)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seedance-mcp",
        description="MCP server for Seedance video generation (stdio by default).",
    )
    parser.add_argument("--transport", choices=("stdio", "streamable-http"), default="stdio")
    parser.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default: loopback only)")
    parser.add_argument("--port", type=int, default=8765, help="HTTP port (default 8765)")
    parser.add_argument(
        "--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"), help="stderr log level"
    )
    return parser


async def _serve_http(server: MCPServer, host: str, port: int, token: str | None, log_level: str) -> None:
    import uvicorn

    app: ASGIApp = server.streamable_http_app(host=host)
    if token:
        app = BearerGuard(app, token)
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level.lower())
    await uvicorn.Server(config).serve()


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point `seedance-mcp` (also `seedance serve` and `python -m seedance_mcp.server`)."""
    given = list(sys.argv[1:] if argv is None else argv)
    if given[:1] == ["--"]:  # `seedance serve -- --transport ...` passes the separator along
        given = given[1:]
    args = _parser().parse_args(given)
    logging.basicConfig(stream=sys.stderr, level=args.log_level, format="%(levelname)s %(name)s: %(message)s")
    if args.log_level != "DEBUG":
        logging.getLogger("httpx2").setLevel(logging.WARNING)  # one line per poll is noise
    if args.transport == "stdio":
        build_server().run("stdio")
        return
    token = os.environ.get(TOKEN_ENV, "").strip() or None
    if not _is_loopback(args.host) and token is None:
        raise SystemExit(
            f"seedance-mcp: --host {args.host} is reachable from other machines; set {TOKEN_ENV} to a long "
            "random token (clients send it as 'Authorization: Bearer <token>'), or bind 127.0.0.1."
        )
    if not 0 < args.port < 65536:
        raise SystemExit(f"seedance-mcp: --port {args.port} is not a TCP port; allowed: 1-65535.")
    log.info(
        "serving streamable HTTP on http://%s:%d/mcp%s",
        args.host,
        args.port,
        " (token required)" if token else "",
    )
    anyio.run(_serve_http, build_server(), args.host, args.port, token, args.log_level)


if __name__ == "__main__":
    main()
