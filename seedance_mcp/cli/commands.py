"""What each `seedance` command does, as functions that return data and never print.

Each command opens the engine's `Service` for its own duration. The engine and the prompt
craft are imported inside the functions, so that parsing and `--help` stay fast. Where a
command has something to show before it finishes (the notices before a submit, the demo's
steps), it hands that to a callback from the caller; waits report to a progress reporter
the caller passes in and that ends its line when the wait ends.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol

import anyio

from ..errors import InvalidRequest
from ..models import CreditEstimate, Job, JobStatus, Money, ProviderInfo, VideoRequest

if TYPE_CHECKING:
    from typing import TypeAlias

    from ..craft.models import LintWarning, PromptDraft
    from ..engine import DryRun, ProgressFn, Service
    from ..engine.preflight import PriceList
    from ..images.models import ImageJob

    Progressing: TypeAlias = AbstractContextManager[ProgressFn]
    """A progress reporter for one wait: entered around it, it ends its display when the wait ends."""

__all__ = [
    "Catalog",
    "DemoView",
    "ImageSubmission",
    "Lint",
    "SandboxAddress",
    "Submission",
    "demo",
    "draft",
    "dry_run",
    "estimate",
    "generate",
    "image",
    "image_status",
    "is_image_job",
    "jobs",
    "lint",
    "providers",
    "recorded",
    "sandbox",
    "status",
]

SANDBOX_HOST = "127.0.0.1"
"""`seedance sandbox` listens on loopback only."""

# The demo's one request.
DEMO_IDEA: Final = "a lighthouse keeper climbs the stairs during a storm"
DEMO_PROVIDER: Final = "nanophoto"
DEMO_RESOLUTION: Final = "720p"
DEMO_DURATION: Final = 8
DEMO_AUDIO: Final = True
DEMO_ASPECT_RATIO: Final = "16:9"
DEMO_WAIT_SECONDS: Final = 120
"""The simulator renders the demo's clip in seconds; the wait allows far more."""


@contextmanager
def _service(env: Mapping[str, str] | None = None, *, sandbox: bool | None) -> Iterator[Service]:
    from ..engine import Service
    from ..settings import Settings

    svc = Service(Settings.from_env(env, sandbox=sandbox))
    try:
        yield svc
    finally:
        svc.close()


def _opened(args: argparse.Namespace) -> AbstractContextManager[Service]:
    """The service for a command: sandbox mode when --sandbox says so, else as the environment says."""
    return _service(sandbox=True if args.sandbox else None)


def _output_dir(args: argparse.Namespace) -> Path | None:
    return Path(args.output_dir) if args.output_dir else None


# ---- providers, estimate, jobs --------------------------------------------------------------


@dataclass(frozen=True)
class Catalog:
    """Every provider, and where `generate` goes without --provider (as MCP's `list_providers` says).

    `default_provider` is None when the configuration cannot choose one; `notice` then says why.
    Otherwise `notice` is the target's own (sandbox mode: what that means), or None.
    """

    providers: list[ProviderInfo]
    default_provider: str | None
    sandbox: bool
    notice: str | None


def providers(args: argparse.Namespace) -> Catalog:
    from ..errors import ConfigError

    with _opened(args) as svc:
        infos = svc.providers(args.model)
        try:
            target = svc.settings.target()
        except ConfigError as err:
            return Catalog(infos, None, False, err.message)
        return Catalog(infos, target.provider.id, target.sandbox, target.notice)


def estimate(args: argparse.Namespace) -> PriceList:
    """One estimate for --provider, else one per provider and model, each at the same length where it can."""
    from ..engine import Clip

    clip = Clip(**_passed(args, "resolution", "duration", "audio", "aspect_ratio", "flex"))
    with _opened(args) as svc:
        return svc.compare(args.provider, args.model, clip=clip)


async def cancel(args: argparse.Namespace) -> Job:
    """Cancel a job where its provider allows it (Ark: while it is queued)."""
    with _opened(args) as svc:
        return await svc.cancel(args.job_id)


def jobs(args: argparse.Namespace) -> list[Job]:
    with _opened(args) as svc:
        return svc.jobs(args.limit)


# ---- generate, status -----------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    """What is about to be sent: where to, at what price, and what the reader should know first."""

    provider: str
    model: str | None
    price: Money | None
    sandbox: bool
    notice: str | None


def _passed(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    """The options that go to the engine unchanged, under their own names."""
    return {name: getattr(args, name) for name in names}


def _request(args: argparse.Namespace) -> VideoRequest:
    # argparse has already checked every enumerated value, so this cannot fail validation.
    return VideoRequest(
        **_passed(args, "prompt", "model", "aspect_ratio", "resolution", "duration", "audio", "fixed_lens"),
        **_passed(args, "seed", "flex", "last_frame"),
        image_url=args.image,
        end_image_url=args.end_image,
        reference_images=tuple(args.reference_images),
        reference_videos=tuple(args.reference_videos),
        reference_audios=tuple(args.reference_audios),
    )


def dry_run(args: argparse.Namespace) -> DryRun:
    """The exact HTTP request `generate` would send, and its price; nothing is sent."""
    with _opened(args) as svc:
        return svc.dry_run(_request(args), args.provider)


async def generate(
    args: argparse.Namespace, *, announce: Callable[[Submission], None], progress: Progressing
) -> Job:
    """Render (with --no-wait: only submit); `announce` is told what is sent before it is."""
    with _opened(args) as svc:
        req = _request(args)
        target, resolved, price = svc.prepare(req, args.provider)
        svc.check_budget(price, confirm_unpriced=args.confirm_cost)  # refuse before announcing a submit
        announce(Submission(target.provider.id, resolved.model, price.price, target.sandbox, target.notice))
        with progress as on_progress:
            return await svc.generate(
                req,
                provider=args.provider,
                wait_seconds=(args.timeout if args.wait else 0),
                download=not args.no_download,
                output_dir=_output_dir(args),
                confirm_unpriced=args.confirm_cost,
                on_progress=on_progress,
            )


def recorded(args: argparse.Namespace, job_id: str) -> Job:
    """The job as the ledger holds it now, with its notices (after a Ctrl-C, nothing is polled)."""
    from ..engine.notices import finish

    with _service(sandbox=True if getattr(args, "sandbox", False) else None) as svc:
        return finish(svc.get_job(job_id))


async def status(args: argparse.Namespace, *, progress: Progressing) -> Job:
    """The job as it is now; with --wait, as it is when it finishes or the wait ends."""
    with _opened(args) as svc, progress as on_progress:
        return await svc.status(
            args.job_id,
            wait_seconds=(args.timeout if args.wait else 0.0),
            download=not args.no_download,
            output_dir=_output_dir(args),
            on_progress=on_progress,
        )


# ---- image -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageSubmission:
    """What an image submit is about to send: the model, the pictures, the price (none published)."""

    model: str
    count: int
    price: Money | None
    sandbox: bool
    notice: str | None


def is_image_job(ref: str) -> bool:
    """Whether a job reference names an image job (`img_...`), which `status` finishes too."""
    from ..images.models import IMAGE_JOB_PREFIX

    return ref.strip().startswith(IMAGE_JOB_PREFIX)


async def image(
    args: argparse.Namespace, *, announce: Callable[[ImageSubmission], None], progress: Progressing
) -> ImageJob:
    """Make pictures (with --no-wait: only submit); `announce` is told what is sent before it is."""
    from ..images.models import ImageRequest

    req = ImageRequest(
        prompt=args.prompt,
        model=args.model,
        aspect_ratio=args.aspect_ratio,
        resolution=args.resolution,
        count=args.count,
        image_urls=tuple(args.image),
    )
    with _opened(args) as svc:
        plan = svc.plan_image(req)  # every refusal before anything is announced or sent
        svc.check_budget(plan.estimate, confirm_unpriced=args.confirm_cost)
        model = plan.request.model or ""
        notice = plan.target.notice
        announce(ImageSubmission(model, plan.request.count, plan.estimate.price, plan.target.sandbox, notice))
        with progress as on_progress:
            return await svc.generate_image(
                req,
                wait_seconds=(args.timeout if args.wait else 0),
                download=not args.no_download,
                output_dir=_output_dir(args),
                confirm_unpriced=args.confirm_cost,
                on_progress=on_progress,
            )


async def image_status(args: argparse.Namespace, *, progress: Progressing) -> ImageJob:
    """An image job as it is now (a lost submit re-sent with its key); with --wait, once it finishes."""
    with _opened(args) as svc, progress as on_progress:
        return await svc.image_status(
            args.job_id,
            wait_seconds=(args.timeout if args.wait else 0.0),
            download=not args.no_download,
            output_dir=_output_dir(args),
            on_progress=on_progress,
        )


# ---- prompt ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lint:
    """The warnings about a prompt, and its length in characters."""

    warnings: list[LintWarning]
    characters: int


def lint(args: argparse.Namespace) -> Lint:
    from ..craft.lint import lint_prompt

    warnings = lint_prompt(
        args.lint,
        provider=args.provider,
        model=args.model,
        duration=args.duration,
        audio=args.audio,
        fixed_lens=args.fixed_lens,
        image=args.image is not None,
    )
    return Lint(warnings, len(args.lint))


def draft(args: argparse.Namespace) -> PromptDraft:
    from ..craft.draft import write_cinematic_prompt

    if not args.idea:
        raise InvalidRequest(
            "idea: give an idea to draft from, or --lint TEXT to check a prompt.", field="idea"
        )
    return write_cinematic_prompt(
        args.idea,
        **_passed(
            args, "provider", "model", "template", "shot_size", "camera_move", "angle", "light", "style"
        ),
        mood=args.mood,
        **_passed(args, "sound", "language", "duration", "audio", "fixed_lens"),
        dialogue=args.dialogue or None,
        shots=args.shots or None,
        image_url=args.image,
    )


# ---- demo -----------------------------------------------------------------------------------


class DemoView(Protocol):
    """What the demo shows as it goes: each method is called when its step is reached."""

    def start(self, idea: str) -> None: ...

    def drafted(self, draft: PromptDraft) -> None: ...

    def priced(
        self, estimates: list[CreditEstimate], *, resolution: str, duration: int, audio: bool
    ) -> None: ...

    def submitting(self, provider: str) -> None: ...

    def finished(self, job: Job) -> None: ...

    def saved(self, job: Job, *, size: int, price: Money | None) -> None:
        """The render succeeded: `size` bytes at `job.video_path`; a real one costs `price`."""


async def demo(args: argparse.Namespace, *, view: DemoView, progress: Progressing) -> Job:
    """Draft, price, submit and wait against the built-in simulator, showing each step as it is done."""
    from ..craft.draft import write_cinematic_prompt

    with _service(sandbox=True) as svc:  # the sandbox's speed defaults to DEFAULT_SANDBOX_SPEED
        view.start(DEMO_IDEA)
        drafted = write_cinematic_prompt(DEMO_IDEA, provider=DEMO_PROVIDER)
        view.drafted(drafted)
        from ..engine import Clip

        clip = Clip(resolution=DEMO_RESOLUTION, duration=DEMO_DURATION, audio=DEMO_AUDIO)
        estimates = svc.estimate(None, clip=clip)
        view.priced(estimates, resolution=DEMO_RESOLUTION, duration=DEMO_DURATION, audio=DEMO_AUDIO)
        req = VideoRequest(
            prompt=drafted.prompt,
            resolution=DEMO_RESOLUTION,
            duration=DEMO_DURATION,
            audio=DEMO_AUDIO,
            aspect_ratio=DEMO_ASPECT_RATIO,
        )
        target, resolved, price = svc.prepare(req, DEMO_PROVIDER)
        view.submitting(target.provider.id)
        with progress as on_progress:
            job = await svc.generate(
                resolved,
                provider=DEMO_PROVIDER,
                wait_seconds=DEMO_WAIT_SECONDS,
                output_dir=_output_dir(args),
                on_progress=on_progress,
            )
        view.finished(job)
        if job.status is JobStatus.SUCCEEDED and job.video_path:
            size = (await anyio.Path(job.video_path).stat()).st_size
            view.saved(job, size=size, price=price.price)
        return job


# ---- sandbox --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SandboxAddress:
    """Where `seedance sandbox` answers, and the providers it simulates there."""

    host: str
    port: int
    providers: tuple[str, ...]

    def base_url(self, provider: str) -> str:
        return f"http://{self.host}:{self.port}/{provider}"


def sandbox(args: argparse.Namespace, *, announce: Callable[[SandboxAddress], None]) -> None:
    """Serve the simulator until interrupted; `announce` is told where before it starts."""
    from ..providers import PROVIDER_IDS
    from ..sandbox import SandboxConfig, run_forever

    address = SandboxAddress(SANDBOX_HOST, args.port, tuple(PROVIDER_IDS))
    announce(address)
    config = SandboxConfig(speed=args.speed, clips=True)  # real clips, as the CLI's own sandbox serves
    run_forever(host=address.host, port=address.port, config=config)
