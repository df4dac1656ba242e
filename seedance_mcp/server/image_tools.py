"""The image tools: `generate_image` (pictures from seedance2ai's GPT Image 2 or Nano Banana
Pro, paid by the same key as its videos) and `check_image` (an image job finished by its id),
module-level functions over the runtime's `Service`; `tools()` publishes them.

An image job has its own shape (`ImageResult`: its record, the picture URLs and saved paths,
the next step and a headline), since it has no clip length or video; `check_status` keeps the
video job's shape, and `check_image` does for pictures what it does for clips.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from mcp.server.mcpserver.tools import Tool
from pydantic import Field

from ..craft.limits import URL_MAX_CHARS
from ..errors import SeedanceError
from ..images.models import ImageJob, ImageRequest, image_next_step
from ..models import NextAction
from ..providers.seedance2ai_images import IMAGE_MODELS
from .job_tools import JOB_ID_MAX_CHARS
from .models import ImageResult, checked_tool
from .progress import DEFAULT_WAIT_SECONDS, MAX_WAIT_SECONDS, ProgressRelay, with_heartbeat
from .results import tool_error
from .runtime import RuntimeContext, runtime_of

__all__ = ["check_image", "generate_image", "image_result", "tools"]

_GPT, _NANO = IMAGE_MODELS
PROMPT_MAX = max(m.caps.prompt_max for m in IMAGE_MODELS)
MAX_INPUTS = max(m.caps.max_input_images for m in IMAGE_MODELS)
ImageModelName = Literal["gpt-image-2", "nano-banana-pro"]
ImageResolution = Literal["1K", "2K", "4K"]
RATIOS: tuple[str, ...] = tuple(dict.fromkeys(r for m in IMAGE_MODELS for r in m.caps.aspect_ratios))
"""Every frame shape some image model takes (each model's own list is in the description)."""
if TYPE_CHECKING:
    ImageAspectRatio = str
else:
    ImageAspectRatio = Literal[RATIOS]


async def generate_image(
    prompt: Annotated[
        str,
        Field(
            max_length=PROMPT_MAX,
            description=f"What the picture shows; {_GPT.name} takes {_GPT.caps.prompt_min}-"
            f"{_GPT.caps.prompt_max} characters, {_NANO.name} up to {_NANO.caps.prompt_max}.",
        ),
    ],
    ctx: RuntimeContext,
    model: Annotated[
        ImageModelName | None,
        Field(description=f"{_GPT.name} (default; up to {_GPT.caps.max_count} pictures) or {_NANO.name}."),
    ] = None,
    aspect_ratio: Annotated[
        ImageAspectRatio | None,
        Field(
            description=f"Frame shape (default {_GPT.caps.default_aspect_ratio}). {_GPT.name}: "
            f"{', '.join(_GPT.caps.aspect_ratios)}; {_NANO.name}: {', '.join(_NANO.caps.aspect_ratios)}.",
        ),
    ] = None,
    resolution: Annotated[
        ImageResolution | None,
        Field(description=f"1K (default), 2K or 4K; on {_GPT.name}, auto takes only 1K and 1:1 not 4K."),
    ] = None,
    count: Annotated[
        int,
        Field(
            ge=1,
            le=_GPT.caps.max_count,
            description=f"How many pictures: {_GPT.name} 1-{_GPT.caps.max_count}, {_NANO.name} 1.",
        ),
    ] = 1,
    image_urls: Annotated[
        list[Annotated[str, Field(max_length=URL_MAX_CHARS)]],
        Field(
            max_length=MAX_INPUTS,
            description=f"Public https URLs of input pictures (image-to-image): up to "
            f"{_GPT.caps.max_input_images} on {_GPT.name}, {_NANO.caps.max_input_images} on {_NANO.name}.",
        ),
    ] = [],  # noqa: B006 - the SDK copies defaults per call
    wait_seconds: Annotated[
        float,
        Field(
            ge=0,
            le=MAX_WAIT_SECONDS,
            description="Seconds to wait for the pictures before returning the running job (0-50).",
        ),
    ] = DEFAULT_WAIT_SECONDS,
    confirm_cost: Annotated[
        bool,
        Field(
            description="Set true only after the user agreed to an unpublished price (needed when "
            "SEEDANCE_MAX_CREDITS or SEEDANCE_MAX_COST is set: seedance2ai publishes no image price)."
        ),
    ] = False,
    download: Annotated[bool, Field(description="Save the finished pictures to the output folder.")] = True,
) -> ImageResult:
    """Make pictures with seedance2ai's GPT Image 2 or Nano Banana Pro. THIS SPENDS CREDITS on
    the user's seedance2ai account (the same key and credits as its videos; no price is
    published, the finished job records what it cost).

    Input a model cannot take is refused before anything is sent. The job is recorded,
    submitted with an idempotency key, then awaited for up to wait_seconds; once finished,
    each picture is downloaded, checked (PNG or JPEG that decodes) and saved: image_paths.
    image_urls are public https URLs: pass one as generate_video's image_url (provider
    seedance2ai) to animate it. If the job is still running, call check_image with its
    job_id; never call generate_image again for the same pictures, which pays twice.
    """
    runtime = runtime_of(ctx)
    request = ImageRequest(
        prompt=prompt,
        model=model,
        aspect_ratio=aspect_ratio,
        resolution=resolution,
        count=count,
        image_urls=tuple(image_urls),
    )
    relay = ProgressRelay(ctx)
    try:
        svc = await runtime.service_async()
        job = await with_heartbeat(
            relay,
            lambda: svc.generate_image(
                request,
                wait_seconds=wait_seconds,
                download=download,
                confirm_unpriced=confirm_cost,
                on_progress=relay,
            ),
        )
    except SeedanceError as err:
        raise tool_error(err, runtime) from err
    return image_result(job)


async def check_image(
    ctx: RuntimeContext,
    job_id: Annotated[
        str,
        Field(
            min_length=1,
            max_length=JOB_ID_MAX_CHARS,
            description="The image job's id (img_...) from generate_image, or the provider's task id; "
            f"at most {JOB_ID_MAX_CHARS} characters.",
        ),
    ],
    wait_seconds: Annotated[
        float,
        Field(ge=0, le=MAX_WAIT_SECONDS, description="Seconds to wait for a running job to finish (0-50)."),
    ] = 0.0,
    download: Annotated[bool, Field(description="Save the pictures when the job has finished.")] = True,
) -> ImageResult:
    """Check one image job, optionally waiting up to 50 s (free; never pays twice).

    A submit whose answer was lost (or whose process stopped) is re-sent with the same
    idempotency key, which seedance2ai answers with the same task; a running job is polled;
    a finished one has its pictures downloaded and verified. Returns the same shape as
    generate_image.
    """
    runtime = runtime_of(ctx)
    relay = ProgressRelay(ctx)
    try:
        svc = await runtime.service_async()
        job = await with_heartbeat(
            relay,
            lambda: svc.image_status(
                job_id.strip(), wait_seconds=wait_seconds, download=download, on_progress=relay
            ),
        )
    except SeedanceError as err:
        raise tool_error(err, runtime) from err
    return image_result(job)


def image_result(job: ImageJob) -> ImageResult:
    """An image job as the tools return it, with its next step and headline in words."""
    pictures = f"{len(job.images)} picture{'s' if len(job.images) != 1 else ''}"
    cost = f", cost {job.cost.amount:g} seedance2ai credits" if job.cost is not None else ""
    sandbox = " (sandbox: placeholder pictures, nothing charged)" if job.sandbox else ""
    message = (
        f"Image job {job.job_id}: {job.request.model} {job.status.value}, {pictures}{cost}{sandbox}."
        + (f" {job.notice}" if job.notice else "")
    )
    return ImageResult(
        **dict(job),
        image_urls=[i.url for i in job.images],
        image_paths=[i.path for i in job.images if i.path],
        next_step=_next_step(job),
        message=message,
    )


def _next_step(job: ImageJob) -> str:
    step = image_next_step(job)
    check = f'check_image with job_id="{step.job_id}"'
    match step.action:
        case NextAction.DONE:
            return (
                "Done: the pictures are saved (image_paths). To animate one, pass its URL from image_urls "
                "as generate_video's image_url with provider seedance2ai."
            )
        case NextAction.CHECK_AGAIN:
            return f"Still rendering: call {check} (wait_seconds up to 50). Never call generate_image again."
        case NextAction.RETRY_DOWNLOAD | NextAction.SAVE_VIDEO:
            return f"The pictures are made but not all saved: call {check} to save them."
        case NextAction.RESEND | NextAction.VERIFY_WITH_PROVIDER:
            return (
                f"The submit's answer is missing: call {check}; it re-sends with the same key, never "
                "paying twice."
            )
        case NextAction.REVISE:
            return (
                "The render failed and is refunded: change the prompt or settings, then generate_image again."
            )
        case NextAction.OVER:
            return "The job is over and cannot be resumed."


def tools() -> list[Tool]:
    from .job_tools import _changes

    return [
        checked_tool(generate_image, _changes("Generate pictures (spends credits)", idempotent=False)),
        checked_tool(check_image, _changes("Check an image job", idempotent=True)),
    ]
