"""`seedance`: the command line. The only module that prints.

`--json` prints exactly one JSON object on stdout; progress and notices go to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
from pydantic import BaseModel

from ..errors import InvalidRequest, SeedanceError
from ..models import CreditEstimate, Job, JobStatus, VideoRequest
from .exits import EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK, exit_code_for, job_exit
from .parser import UsageError, build_parser
from .progress import ProgressBar

if TYPE_CHECKING:
    from ..engine.service import Service

def _out(args: argparse.Namespace, payload: Any, text: str) -> None:
    if getattr(args, "json", False):
        if isinstance(payload, BaseModel):
            payload = payload.model_dump(mode="json", by_alias=True)
        print(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        print(text)


def _note(message: str) -> None:
    print(message, file=sys.stderr)


def _service(args: argparse.Namespace) -> Service:
    from ..engine.service import Service
    from ..settings import Settings

    return Service(Settings.from_env(sandbox=True if getattr(args, "sandbox", False) else None))


# ---- text renderers ---------------------------------------------------------------------


def _job_text(job: Job) -> str:
    lines = [f"job {job.job_id}  provider {job.provider}  status {job.status.value}"]
    if job.provider_task_id:
        lines.append(f"  provider task id: {job.provider_task_id}")
    if job.video_path:
        lines.append(f"  video: {job.video_path}")
    elif job.video_url:
        lines.append(f"  video URL: {job.video_url}")
    if job.credits is not None:
        lines.append(f"  credits charged: {job.credits}")
    elif job.estimated_credits is not None:
        lines.append(f"  estimated credits: {job.estimated_credits}")
    if job.error:
        lines.append(f"  error: {job.error.code}: {job.error.message}")
    if job.notice:
        lines.append(f"  note: {job.notice}")
    return "\n".join(lines)


def _credits(e: CreditEstimate) -> str:
    if e.credits is not None:
        return f"{e.credits} credits"
    return "not offered" if e.source == "not offered" else "no published price"


# ---- commands ---------------------------------------------------------------------------


def cmd_providers(args: argparse.Namespace) -> int:
    svc = _service(args)
    infos = svc.providers()
    if args.json:
        _out(args, {"providers": [i.model_dump(mode="json") for i in infos]}, "")
        return EXIT_OK
    for i in infos:
        res = ", ".join(i.resolutions) or "fixed by the provider"
        print(f"{i.id:<14} {i.name}")
        print(f"  key: {i.key_env} ({'set' if i.key_set else 'not set'})")
        print(f"  durations: {', '.join(map(str, i.durations))} s (default {i.default_duration})")
        print(f"  resolutions: {res}; aspect ratios: {', '.join(i.aspect_ratios)}")
        extras = [
            n
            for n, on in (
                ("start image", i.start_image),
                ("end frame", i.end_image),
                ("seed", i.seed),
                ("audio", i.audio),
                ("fixed lens", i.fixed_lens),
                ("idempotency key", i.idempotency),
            )
            if on
        ]
        print(
            f"  supports: {', '.join(extras)}; prompt up to {i.prompt_max_chars} chars; "
            f"{'published prices' if i.priced else 'no published prices'}"
        )
    return EXIT_OK


def cmd_estimate(args: argparse.Namespace) -> int:
    svc = _service(args)
    estimates = svc.estimate(
        args.provider, resolution=args.resolution, duration=args.duration, audio=args.audio
    )
    if args.json:
        if args.provider:
            _out(args, estimates[0], "")
        else:
            _out(args, {"estimates": [e.model_dump(mode="json") for e in estimates]}, "")
        return EXIT_OK
    for e in estimates:
        what = f"{e.resolution or 'default'} {e.duration}s {'with audio' if e.audio else 'silent'}"
        print(f"{e.provider:<14} {what:<24} {_credits(e):<20} {e.note or e.source}")
    return EXIT_OK


def _request(args: argparse.Namespace) -> VideoRequest:
    # argparse has already checked every enumerated value, so this cannot fail validation.
    return VideoRequest(
        prompt=args.prompt,
        aspect_ratio=args.aspect_ratio,
        resolution=args.resolution,
        duration=args.duration,
        audio=args.audio,
        fixed_lens=args.fixed_lens,
        image_url=args.image,
        end_image_url=args.end_image,
        seed=args.seed,
    )


async def _generate(args: argparse.Namespace) -> int:
    svc = _service(args)
    req = _request(args)
    try:
        if args.dry_run:
            dry = svc.dry_run(req, args.provider)
            if dry.notice:
                _note(dry.notice)
            body = json.dumps(dry.json_body, indent=2, ensure_ascii=False)
            headers = "\n".join(f"{k}: {v}" for k, v in dry.headers.items())
            e = dry.estimate
            cost = f"{_credits(e)} ({e.source})" if e.credits is not None else f"{_credits(e)}: {e.note}"
            _out(
                args,
                dry,
                f"{dry.method} {dry.url}\n{headers}\n\n{body}\n\n# estimate: {cost}"
                "\n# dry run: nothing was sent",
            )
            return EXIT_OK
        target, _, estimate = svc.prepare(req, args.provider)
        if target.notice:
            _note(target.notice)
        cost = f"{estimate.credits} credits" if estimate.credits is not None else "an unpublished price"
        _note(f"{target.provider.id}: submitting ({cost}{', sandbox: free' if target.sandbox else ''})")
        bar = ProgressBar(enabled=args.wait)
        try:
            job = await svc.generate(
                req,
                provider=args.provider,
                wait_seconds=(args.timeout if args.wait else 0),
                download=not args.no_download,
                output_dir=Path(args.output_dir) if args.output_dir else None,
                confirm_unpriced=args.confirm_cost,
                on_progress=bar,
            )
        finally:
            bar.close()
        _out(args, job, _job_text(job))
        return job_exit(job, waited=args.wait)
    finally:
        svc.close()


async def _status(args: argparse.Namespace) -> int:
    svc = _service(args)
    bar = ProgressBar(enabled=args.wait)
    try:
        job = await svc.status(
            args.job_id,
            wait_seconds=(args.timeout if args.wait else 0.0),
            download=not args.no_download,
            output_dir=Path(args.output_dir) if args.output_dir else None,
            on_progress=bar,
        )
    finally:
        bar.close()
        svc.close()
    _out(args, job, _job_text(job))
    return job_exit(job, waited=args.wait)


def cmd_jobs(args: argparse.Namespace) -> int:
    svc = _service(args)
    try:
        jobs = svc.jobs(args.limit)
    finally:
        svc.close()
    if args.json:
        _out(args, {"jobs": [j.model_dump(mode="json") for j in jobs]}, "")
        return EXIT_OK
    if not jobs:
        print("no jobs yet")
    for j in jobs:
        where = j.video_path or j.provider_task_id or "-"
        print(
            f"{j.job_id}  {j.created_at:%Y-%m-%d %H:%M}  {j.provider:<13} {j.status.value:<10} "
            f"{'sandbox ' if j.sandbox else ''}{where}"
        )
    return EXIT_OK


def cmd_prompt(args: argparse.Namespace) -> int:
    from ..craft.draft import write_cinematic_prompt
    from ..craft.lint import lint_prompt

    if args.lint is not None:
        warnings = lint_prompt(
            args.lint,
            provider=args.provider,
            duration=args.duration,
            audio=args.audio,
            fixed_lens=args.fixed_lens,
        )
        payload = {"warnings": [w.model_dump(mode="json") for w in warnings], "characters": len(args.lint)}
        text = "\n".join(f"- {w.rule}: {w.message}" for w in warnings) or "no warnings"
        _out(args, payload, text)
        return EXIT_OK
    if not args.idea:
        raise InvalidRequest(
            "idea: give an idea to draft from, or --lint TEXT to check a prompt.", field="idea"
        )
    draft = write_cinematic_prompt(
        args.idea,
        provider=args.provider,
        template=args.template,
        shot_size=args.shot_size,
        camera_move=args.camera_move,
        angle=args.angle,
        light=args.light,
        style=args.style,
        mood=args.mood,
        sound=args.sound,
        dialogue=args.dialogue or None,
        language=args.language,
        shots=args.shots or None,
        duration=args.duration,
        audio=args.audio,
        fixed_lens=args.fixed_lens,
        image_url=args.image,
    )
    lines = [draft.prompt, "", f"# {draft.characters}/{draft.limit} characters, template {draft.template}"]
    lines += [f"# warning ({w.rule}): {w.message}" for w in draft.warnings]
    lines.append(
        "# suggested: " + ", ".join(f"{k}={v}" for k, v in draft.suggested_settings.model_dump().items())
    )
    _out(args, draft, "\n".join(lines))
    return EXIT_OK


async def _demo(args: argparse.Namespace) -> int:
    from ..craft.draft import write_cinematic_prompt
    from ..engine.service import Service
    from ..settings import Settings

    env = dict(os.environ)
    env.setdefault("SEEDANCE_SANDBOX_SPEED", "0.05")
    svc = Service(Settings.from_env(env, sandbox=True))
    try:
        idea = "a lighthouse keeper climbs the stairs during a storm"
        print(
            f"seedance demo: sandbox mode, no key needed, nothing real is rendered.\n\n1. Draft a prompt from: {idea!r}"
        )
        draft = write_cinematic_prompt(idea, provider="nanophoto")
        print("   " + draft.prompt.replace("\n", "\n   "))
        settings = draft.suggested_settings
        print(
            f"   ({draft.characters}/{draft.limit} characters; suggested audio={settings.audio}, "
            f"fixed_lens={settings.fixed_lens}, duration={settings.duration} s)"
        )
        print("\n2. Estimate credits for 720p, 8 s, with audio, on every provider:")
        for e in svc.estimate(None, resolution="720p", duration=8, audio=True):
            print(f"   {e.provider:<14} {_credits(e):<20} {e.note if e.credits is None else e.source}")
        req = VideoRequest(
            prompt=draft.prompt, resolution="720p", duration=8, audio=True, aspect_ratio="16:9"
        )
        target, resolved, estimate = svc.prepare(req, "nanophoto")
        print(f"\n3. Submit to {target.provider.id} (the built-in simulator on 127.0.0.1) and wait:")
        bar = ProgressBar()
        try:
            job = await svc.generate(
                resolved,
                provider="nanophoto",
                wait_seconds=120,
                output_dir=Path(args.output_dir) if args.output_dir else None,
                on_progress=bar,
            )
        finally:
            bar.close()
        print("\n4. Result:")
        print("   " + _job_text(job).replace("\n", "\n   "))
        if job.status is not JobStatus.SUCCEEDED or not job.video_path:
            return job_exit(job, waited=True)
        size = (await anyio.Path(job.video_path).stat()).st_size
        print(
            f"\nThe placeholder MP4 is at {job.video_path} ({size} bytes). A real render of this request on "
            f"{job.provider} would cost {estimate.credits} credits."
        )
        print('Next: set a provider key (see `seedance providers`) and run `seedance generate "..."`.')
        return EXIT_OK
    finally:
        svc.close()


def cmd_sandbox(args: argparse.Namespace) -> int:
    from ..providers import PROVIDER_IDS
    from ..sandbox import SandboxConfig, run_forever

    print(f"seedance sandbox on http://127.0.0.1:{args.port} (Ctrl-C to stop); nothing real is rendered.")
    for pid in PROVIDER_IDS:
        print(f"  {pid:<14} SEEDANCE_BASE_URL=http://127.0.0.1:{args.port}/{pid}")
    print("Any non-empty Bearer key is accepted.", flush=True)
    run_forever(host="127.0.0.1", port=args.port, config=SandboxConfig(speed=args.speed))
    return EXIT_OK


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "providers": cmd_providers,
    "estimate": cmd_estimate,
    "jobs": cmd_jobs,
    "prompt": cmd_prompt,
    "sandbox": cmd_sandbox,
}
_ASYNC_COMMANDS: dict[str, Callable[[argparse.Namespace], Awaitable[int]]] = {
    "demo": _demo,
    "generate": _generate,
    "status": _status,
}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:  # everything after `serve` belongs to the server's own parser
        from ..server.app import main as serve_main

        serve_main(argv[1:])
        return EXIT_OK
    try:
        args = build_parser().parse_args(argv)
    except UsageError as err:
        sys.stderr.write(err.usage)
        if "--json" in argv:
            error = {"code": "invalid_request", "message": str(err), "retryable": False}
            print(json.dumps({"error": error}, indent=2, ensure_ascii=False))
        print(f"seedance: error: {err}", file=sys.stderr)
        return EXIT_INPUT
    try:
        if args.command in _ASYNC_COMMANDS:
            return anyio.run(_ASYNC_COMMANDS[args.command], args)
        return _COMMANDS[args.command](args)
    except SeedanceError as err:
        if getattr(args, "json", False):
            print(json.dumps({"error": err.to_dict()}, indent=2, ensure_ascii=False))
        print(f"seedance: {err.message}", file=sys.stderr)
        return exit_code_for(err)
    except KeyboardInterrupt:
        job = ProgressBar.last_job_id or "JOB_ID"
        print(
            f"\nseedance: interrupted. The job stays in the ledger (`seedance jobs` lists it); "
            f"resume it with `seedance status {job} --wait`.",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED

