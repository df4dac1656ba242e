"""The MCP server: five thin tools over `Service`, the prompt templates as MCP prompts, and
each job as a `seedance://jobs/{job_id}` resource; `main` is the `seedance-mcp` entry point.

Start-up stays light: importing this module reads no environment and no file, and the
service (HTTP client, ledger, simulator, templates) is imported and built on the first tool
call, once per server lifetime, and closed when the server stops. On stdio, stdout carries
the protocol only; logs go to stderr.

Every call returns well inside a client's 60 s request timeout: `generate_video` and
`check_status` wait at most `MAX_WAIT_SECONDS`, report progress while they wait, and hand
back a running job with the next step when the render takes longer. Anticipated failures
reach the agent as `ToolError` results that name the field, the allowed values and what to
do next; nothing is submitted (and no credit spent) on bad input.

This module builds the server and holds the render, price and status tools; the rest is in:

- `mcp_models`: the provider choice and the result models (the tools' output schemas)
- `mcp_runtime`: the service's lifetime and the redaction of key values
- `mcp_results`: jobs and errors as tool results, each with the agent's next step
- `mcp_progress`: the wait limits and the progress notifications while a tool waits
- `mcp_prompts`: the `write_cinematic_prompt` tool and the MCP prompts from the templates
- `mcp_http`: streamable-HTTP serving: the bearer-token guard and the loopback check
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Annotated

import anyio
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError
from mcp_types import CallToolResult, ToolAnnotations
from pydantic import Field

from ..errors import ConfigError, JobNotFound, SeedanceError
from ..models import AspectRatio, Resolution, VideoRequest
from .craft_tools import add_prompt_tool, add_template_prompts
from .http import TOKEN_ENV, is_loopback, serve_http
from .models import (
    READ_ONLY,
    EstimateReport,
    JobResult,
    ProviderId,
    ProviderReport,
    StatusReport,
)
from .progress import DEFAULT_WAIT_SECONDS, MAX_WAIT_SECONDS, ProgressRelay, with_heartbeat
from .results import JOB_URI, job_call_result, job_result, recent_call_result, status_call_result, tool_error
from .runtime import Runtime, ServiceFactory

if TYPE_CHECKING:
    from ..engine.service import Service

__all__ = ["build_server", "main"]

log = logging.getLogger("seedance_mcp.server")

INSTRUCTIONS = """\
Seedance video generation through five provider APIs.
Flow: write_cinematic_prompt (draft the prompt) -> estimate_credits (tell the user the price \
and get a yes) -> generate_video (spends credits; waits up to 45 s) -> check_status with the \
job_id until status is "succeeded" (then video_path is the MP4 on disk).
Never call generate_video twice for the same clip: a returned job is saved and keeps \
rendering. API keys live in this server's environment; never ask the user to paste one into \
the chat. Results with sandbox=true come from the built-in simulator: the clip is a \
placeholder and nothing was charged."""


def build_server(service_factory: ServiceFactory | None = None) -> MCPServer:
    """The MCP server with its tools, prompts and job resource.

    `service_factory` builds the `Service` on the first call that needs one (default:
    `Service()`, configured from the environment); it is closed when the server stops.
    """
    runtime = Runtime(service_factory)

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

    add_prompt_tool(server, runtime)  # write_cinematic_prompt

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
            raise tool_error(err, runtime) from err
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
        annotations=READ_ONLY.model_copy(update={"title": "Estimate credits"}),
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
        relay = ProgressRelay(ctx)
        try:
            svc = service()
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
                return recent_call_result(svc.jobs(limit), runtime)
            relay = ProgressRelay(ctx)
            ref = job_id.strip()
            job = await with_heartbeat(
                relay,
                lambda: svc.status(ref, wait_seconds=wait_seconds, download=download, on_progress=relay),
            )
        except SeedanceError as err:
            raise tool_error(err, runtime) from err
        return status_call_result(job, runtime)

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
            raise tool_error(err, runtime) from err
        usable = [p.id for p in infos if p.key_set]
        head = f"Providers with a key: {', '.join(usable)}." if usable else "No provider key is set."
        return ProviderReport(
            providers=infos, default_provider=default, sandbox=sandbox, message=f"{head} {note}"
        )

    server.add_tool(
        list_providers,
        title="List providers",
        annotations=READ_ONLY.model_copy(update={"title": "List providers"}),
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
        return runtime.redact(job_result(job).model_dump_json(indent=2))

    add_template_prompts(server)
    return server


def _version() -> str:
    from .. import __version__

    return __version__


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
    if not is_loopback(args.host) and token is None:
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
    anyio.run(serve_http, build_server(), args.host, args.port, token, args.log_level)

