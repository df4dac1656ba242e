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
from ..models import MODEL_NAMES, AspectRatio, Resolution, VideoRequest
from ..settings import MODEL_ENV
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
    from ..models import CreditEstimate, Job, ModelInfo, ProviderInfo

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

REFERENCES_MAX = 30
"""The most references of one kind any model takes (Seedance 2.5: 30 images); each model's own limit
is checked against the request (list_providers: references)."""


async def estimate_credits(
    ctx: RuntimeContext,
    provider: Annotated[
        ProviderId | None,
        Field(description="Price this provider only; leave empty to compare every provider and model."),
    ] = None,
    model: Annotated[
        str | None,
        Field(
            max_length=MODEL_MAX_CHARS,
            description=MODEL_DESCRIPTION + " With a provider: that model there; without one: every "
            "provider that serves it.",
        ),
    ] = None,
    resolution: Annotated[
        Resolution | None, Field(description="480p, 720p or 1080p (the model's default if empty).")
    ] = None,
    duration: Annotated[
        int | None, Field(description="Clip length in whole seconds (the model's default if empty).")
    ] = None,
    audio: Annotated[
        bool, Field(description="With sound: doubles the price on most models (the estimate says).")
    ] = False,
    aspect_ratio: Annotated[
        AspectRatio | None,
        Field(
            description="Frame shape: token-priced models (byteplus, volcengine) price by frame size; "
            "empty: the model's default."
        ),
    ] = None,
    flex: Annotated[
        bool,
        Field(
            description="Price Ark's offline (flex) tier: half the price, much slower; models with flex=true."
        ),
    ] = False,
) -> EstimateReport:
    """Price a clip before rendering it (read-only; nothing is submitted or charged).

    Each price is in its own unit: USD (byteplus), CNY (volcengine) or a provider's own
    credits. Amounts in different units are never added up or compared; a comparison ranks
    them cheapest first within each currency. Without a provider, every provider and model
    that can make the clip is compared (with model: every provider that serves it); without a
    duration, all at the one length most of them offer (a model without it at its nearest
    length, marked). A model without a published price shows amount=null with the reason; one
    that cannot make the clip shows source="not offered". Tell the user the price, in its
    unit, and get their agreement before calling generate_video with the same provider, model
    and settings.
    """
    from ..engine.preflight import Clip

    runtime = runtime_of(ctx)
    clip = Clip(resolution=resolution, duration=duration, audio=audio, aspect_ratio=aspect_ratio, flex=flex)
    try:
        prices, from_env = await runtime.call(
            lambda svc: (svc.compare(provider, model, clip=clip), svc.settings.default_model)
        )
    except SeedanceError as err:
        raise tool_error(err, runtime) from err
    chosen_by = MODEL_ENV if from_env and not (model or "").strip() else None
    return EstimateReport(
        estimates=prices.estimates,
        duration_compared=prices.duration_compared,
        message=estimate_message(prices, chosen_by=chosen_by),
    )


def estimate_message(prices: PriceList, *, chosen_by: str | None = None) -> str:
    """The estimates in words: one (provider, model)'s price in its unit with its source, or a
    comparison: what was compared, then the prices grouped by unit (cheapest first within each
    currency, credits unranked), those without a price, those that cannot make the clip, the
    sources once each, and the reminder that units are never mixed. `chosen_by` names the
    variable that chose the model, when no argument did."""
    if prices.single or prices.duration_compared is None:
        return _single_estimate(prices)
    sources: list[str] = []

    def cite(e: CreditEstimate) -> str:
        if e.source not in sources:
            sources.append(e.source)
        return f"source {sources.index(e.source) + 1}"

    lines = [_compared(prices, chosen_by)]
    if prices.duration is None:
        lines.append(
            f"Every model is priced at {prices.duration_compared} s, the length most of them offer "
            "(one without it at its nearest length, marked)."
        )
    groups: dict[str, list[str]] = {}
    for e in prices.estimates:
        marks = "; ".join(prices.differs_for(e))
        differs = f" [{marks}]" if marks else ""
        price = e.price
        if e.source == "not offered":
            group = "Cannot make this clip:"
            line = f"- {_who(e)}: {e.note or 'not offered'}"
        elif price is None:
            group = "No published price:"
            line = f"- {_who(e)} ({_clip_words(e)}){differs}: {e.note or e.source}"
        else:
            group = (
                "In credits (each provider's own unit, never ranked against another's):"
                if price.unit == "credits"
                else f"In {price.unit}, cheapest first:"
            )
            note = f" {_sentence(e.note)}" if e.note else ""
            line = f"- {_who(e)}: {_amount(e)} ({_clip_words(e)}; {cite(e)}){differs}.{note}"
        groups.setdefault(group, []).append(line)
    for group, entries in groups.items():
        lines += [group, *entries]
    lines += [f"Source {i}: {source}" for i, source in enumerate(sources, 1)]
    lines.append(
        "Amounts are ranked cheapest first within each currency and never added up or compared "
        "across units: USD, CNY and each provider's own credits are different units. "
        "Confirm the price, in its unit, with the user before generate_video."
    )
    return "\n".join(lines)


def _single_estimate(prices: PriceList) -> str:
    lines = []
    for e in prices.estimates:
        marks = "; ".join(prices.differs_for(e))
        differs = f" [{marks}]" if marks else ""
        note = f" {_sentence(e.note)}" if e.note else ""
        if e.source == "not offered":
            lines.append(f"{_who(e)} cannot make this clip: {e.note or 'not offered'}")
        elif e.price is None:
            lines.append(f"{_who(e)}: no published price ({_clip_words(e)}; {e.source}){differs}.{note}")
        else:
            lines.append(f"{_who(e)}: {_amount(e)} ({_clip_words(e)}; source: {e.source}){differs}.{note}")
    units = {e.price.unit for e in prices.estimates if e.price is not None}
    if units == {"credits"}:
        unit = f"Credits are {prices.estimates[0].provider}'s own unit, not money. "
    elif units:
        unit = f"The amount is in {', '.join(sorted(units))}. "
    else:
        unit = "The finished job records what it cost. "
    lines.append(unit + "Confirm the price with the user before generate_video.")
    return "\n".join(lines)


def _compared(prices: PriceList, chosen_by: str | None) -> str:
    """What a comparison covers: one model across the providers that serve it, or every
    provider with its models."""
    from ..providers import PROVIDERS

    seen = {(e.provider, e.model) for e in prices.estimates}
    served = {pid: [m.name for m in p.models if (pid, m.name) in seen] for pid, p in PROVIDERS.items()}
    served = {pid: names for pid, names in served.items() if names}
    names = {e.model for e in prices.estimates}
    if len(names) == 1:
        by = f" ({chosen_by} chose the model)" if chosen_by else ""
        return f"Compared {names.pop()}{by} on every provider that serves it: {', '.join(served)}."
    listed = "; ".join(f"{pid} {', '.join(models)}" for pid, models in served.items())
    return f"Compared every provider and model ({len(seen)} in all): {listed}."


def _who(e: CreditEstimate) -> str:
    return f"{e.provider} {e.model}" if e.model else e.provider


def _amount(e: CreditEstimate) -> str:
    """The price in its own unit: `0.612 USD`, `8 nanophoto credits`."""
    price = e.price
    assert price is not None
    if price.unit == "credits":
        return f"{price.amount:g} {e.provider} credits"
    return str(price)


def _clip_words(e: CreditEstimate) -> str:
    parts = [e.resolution or "resolution chosen by the provider"]
    if e.aspect_ratio:
        parts.append(e.aspect_ratio)
    parts.append(f"{e.duration} s")
    parts.append("with audio" if e.audio else "no audio")
    if e.flex:
        parts.append("flex tier")
    if e.tokens is not None:
        parts.append(f"{e.tokens} tokens")
    return ", ".join(parts)


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
            description="Start frame: a public http(s) URL, or the absolute path of a local image where the "
            f"provider takes one (list_providers: local_files); at most {URL_MAX_CHARS} characters.",
        ),
    ] = None,
    end_image_url: Annotated[
        str | None,
        Field(
            max_length=URL_MAX_CHARS,
            description="End frame (needs image_url too): a public URL or a local image file path; "
            f"at most {URL_MAX_CHARS} characters.",
        ),
    ] = None,
    reference_images: Annotated[
        list[Annotated[str, Field(max_length=URL_MAX_CHARS)]],
        Field(
            max_length=REFERENCES_MAX,
            description="Seedance 2.x reference images (a face, a product, a style): URLs, or absolute paths "
            "of local files where the provider takes them; name them in the prompt as @image1, @image2... "
            "Not with image_url/end_image_url.",
        ),
    ] = [],  # noqa: B006 (pydantic copies the default)
    reference_videos: Annotated[
        list[Annotated[str, Field(max_length=URL_MAX_CHARS)]],
        Field(
            max_length=REFERENCES_MAX,
            description="Seedance 2.x reference videos (a camera move, a motion; 2-15 s in all), named "
            "@video1...",
        ),
    ] = [],  # noqa: B006
    reference_audios: Annotated[
        list[Annotated[str, Field(max_length=URL_MAX_CHARS)]],
        Field(
            max_length=REFERENCES_MAX,
            description="Seedance 2.x reference audio (a voice, a music bed), named @audio1...; needs a "
            "reference image or video too.",
        ),
    ] = [],  # noqa: B006
    seed: Annotated[int | None, Field(description="Random seed, where the provider takes one.")] = None,
    flex: Annotated[
        bool,
        Field(
            description="Ark's offline (flex) tier: half the price, but it renders when capacity is free "
            "(minutes to hours), so expect to check back later; models with flex=true only."
        ),
    ] = False,
    last_frame: Annotated[
        bool,
        Field(
            description="Also hand back the clip's last frame as an image URL (last_frame_url), e.g. to "
            "start the next shot from it; byteplus and volcengine only."
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
        reference_images=tuple(reference_images),
        reference_videos=tuple(reference_videos),
        reference_audios=tuple(reference_audios),
        seed=seed,
        flex=flex,
        last_frame=last_frame,
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


JOB_LOOKUP_SECONDS = 2.0
"""How long a refusal's look at the job may wait for a ledger another process holds."""


async def _job_or_none(runtime: Runtime, ref: str) -> Job | None:
    """The job as the ledger has it, or None when it cannot be read now (a locked ledger)."""
    try:
        return await runtime.call(lambda svc: svc.get_job(ref, within=JOB_LOOKUP_SECONDS))
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


async def list_providers(
    ctx: RuntimeContext,
    model: Annotated[
        str | None,
        Field(
            max_length=MODEL_MAX_CHARS,
            description=f"List only the providers that serve this model: {', '.join(MODEL_NAMES)}, or a "
            "provider's own id for one; empty: every provider and model (filtered by SEEDANCE_MODEL "
            f"if set). At most {MODEL_MAX_CHARS} characters.",
        ),
    ] = None,
) -> ProviderReport:
    """Which providers can be used now, the models each serves and what each model accepts
    (read-only).

    key_set says whether a key is configured for a provider (its value is never shown).
    Each provider lists its models (default=true marks the one used when no model is given),
    each with its durations, resolutions, aspect ratios, prompt length, options (start/end
    image, seed, audio, fixed lens, flex) and price_unit (credits, USD or CNY; null: no
    published price); cancel says whether cancel_job works on the provider.
    """
    runtime = runtime_of(ctx)
    try:
        infos, default, sandbox, note, filtered = await runtime.call(lambda svc: _catalog(svc, model))
    except SeedanceError as err:
        raise tool_error(err, runtime) from err
    usable = [p.id for p in infos if p.key_set]
    lines = [
        f"Providers with a key: {', '.join(usable)}."
        if usable
        else "No provider key is set (each provider's key_env names the variable to set).",
        _sentence(note),
    ]
    if filtered is not None:
        serving = [p.id for p in infos]
        lines.append(f"Only the providers that serve {filtered} are listed: {', '.join(serving)}.")
        if default is not None and default not in serving:
            lines.append(
                f"The default provider, {default}, does not serve {filtered}: give provider= one of those."
            )
    lines += [_provider_sentence(p) for p in infos]
    return ProviderReport(
        providers=infos,
        default_provider=default,
        model=filtered,
        sandbox=sandbox,
        message=" ".join(line for line in lines if line),
    )


def _catalog(svc: Service, model: str | None) -> tuple[list[ProviderInfo], str | None, bool, str, str | None]:
    """The providers (serving `model`, or the configured default model, when there is one), the
    default provider, whether it is the sandbox, the note on the choice and the model filtered by."""
    from ..providers import canonical_model

    infos = svc.providers(model)
    wanted = (model or "").strip() or svc.settings.default_model
    filtered = canonical_model(wanted) if wanted else None
    try:
        target = svc.settings.target()
    except ConfigError as err:
        return infos, None, False, err.message, filtered
    default = target.provider.id
    return (
        infos,
        default,
        target.sandbox,
        target.notice or f"generate_video uses {default} unless a provider is given.",
        filtered,
    )


def _provider_sentence(info: ProviderInfo) -> str:
    """One provider as a sentence: its models, each with what it accepts, and whether it cancels."""
    models = [_model_words(m) for m in info.models]
    served = f"serves {models[0]}"
    if len(models) > 1:
        served = f"serves {len(models)} models: " + "; ".join(models)
    cancel = (
        f"It can cancel a {' or '.join(info.cancel_while)} job (cancel_job)."
        if info.cancel
        else "It has no way to cancel a job."
    )
    return f"{info.id} ({info.name}) {served}. {cancel}"


def _model_words(m: ModelInfo) -> str:
    """A model and what it accepts, in a few words: `seedance-1.5-pro (default: 4-12 s, ...)`."""
    durations = m.durations
    if len(durations) > 2 and durations == list(range(durations[0], durations[-1] + 1)):
        lengths = f"{durations[0]}-{durations[-1]} s"
    else:
        lengths = ", ".join(map(str, durations)) + " s"
    parts = [lengths, "/".join(m.resolutions) if m.resolutions else "resolution chosen by the provider"]
    options = [
        name
        for name, on in (
            ("audio", m.audio),
            ("start frame", m.start_image),
            ("end frame", m.end_image),
            ("seed", m.seed),
            ("fixed lens", m.fixed_lens),
            ("flex", m.flex),
        )
        if on
    ]
    if options:
        parts.append(", ".join(options))
    parts.append(f"priced in {m.price_unit}" if m.price_unit else "no published price")
    default = "the default; " if m.default else ""
    return f"{m.name} ({default}{', '.join(parts)})"


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
