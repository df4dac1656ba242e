"""What `seedance` prints: each command's answer, its notices and its errors.

Every line the CLI writes comes from here, but for the live progress line of a wait. With
`--json` a command prints exactly one JSON object on stdout (its result, or `{"error": ...}`);
without it, the text below. Notices, progress and error lines go to stderr in both modes, so
stdout stays one parsable answer.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, assert_never

from pydantic import BaseModel

if TYPE_CHECKING:
    from ..craft.models import PromptDraft
    from ..engine import DryRun
    from ..errors import SeedanceError
    from ..models import CreditEstimate, Job, ProviderInfo
    from .commands import Lint, SandboxAddress, Submission

__all__ = [
    "DemoPrinter",
    "draft",
    "dry_run",
    "error",
    "estimates",
    "interrupted",
    "job",
    "job_text",
    "jobs",
    "lint",
    "providers",
    "sandbox",
    "submitting",
    "usage_error",
]

INDENT = "   "
"""How the demo sets its results off from its own words."""


def _show(payload: BaseModel | Mapping[str, Any], lines: list[str], *, as_json: bool) -> None:
    """The one answer on stdout: `payload` as JSON with --json, else `lines` of text."""
    if as_json:
        _print_json(payload)
    else:
        for line in lines:
            print(line)


def _print_json(payload: BaseModel | Mapping[str, Any]) -> None:
    if isinstance(payload, BaseModel):
        payload = payload.model_dump(mode="json", by_alias=True)
    print(json.dumps(payload, indent=2, ensure_ascii=False))


def _dump(items: Sequence[BaseModel]) -> list[dict[str, Any]]:
    return [item.model_dump(mode="json") for item in items]


def _note(message: str) -> None:
    print(message, file=sys.stderr)


def _indented(text: str) -> str:
    return INDENT + text.replace("\n", "\n" + INDENT)


def _credits(e: CreditEstimate) -> str:
    if e.credits is not None:
        return f"{e.credits} credits"
    return "not offered" if e.source == "not offered" else "no published price"


# ---- jobs -----------------------------------------------------------------------------------


def job_text(job: Job) -> str:
    """A job as text: every output that shows one job shows it this way."""
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
    step = next_step_text(job)
    if step:
        lines.append(f"  next: {step}")
    return "\n".join(lines)


def next_step_text(job: Job) -> str | None:
    """The engine's next step for `job`, worded as the `seedance` command that takes it."""
    from ..engine.notices import next_step  # a job exists, so the engine is loaded already
    from ..models import NextAction

    step = next_step(job)
    status = f"`seedance status {step.job_id}`"
    match step.action:
        case NextAction.DONE | NextAction.OVER:
            return None
        case NextAction.CHECK_AGAIN:
            return (
                f"still rendering. Resume with `seedance status {step.job_id} --wait`; the job is saved and "
                "nothing is lost."
            )
        case NextAction.RETRY_DOWNLOAD:
            return f"run {status} to try the download again."
        case NextAction.SAVE_VIDEO:
            return f"run {status} to save the video."
        case NextAction.RESEND:
            return f"run {status}: it re-sends the submit safely with the same idempotency key."
        case NextAction.VERIFY_WITH_PROVIDER:
            return "check the provider's dashboard or history before submitting again."
        case NextAction.REVISE:
            return "change the prompt or settings before trying again; failed renders are refunded."
    assert_never(step.action)


def job_json(job: Job) -> dict[str, Any]:
    """A job as JSON: the Job record plus `next_step`, the command to run next (or null)."""
    return {**job.model_dump(mode="json"), "next_step": next_step_text(job)}


def job(job: Job, *, as_json: bool) -> None:
    _show(job_json(job), [job_text(job)], as_json=as_json)


def jobs(jobs: list[Job], *, as_json: bool) -> None:
    lines = [
        f"{j.job_id}  {j.created_at:%Y-%m-%d %H:%M}  {j.provider:<13} {j.status.value:<10} "
        f"{'sandbox ' if j.sandbox else ''}{j.video_path or j.provider_task_id or '-'}"
        for j in jobs
    ]
    _show({"jobs": [job_json(j) for j in jobs]}, lines or ["no jobs yet"], as_json=as_json)


def submitting(sub: Submission) -> None:
    if sub.notice:
        _note(sub.notice)
    cost = f"{sub.credits} credits" if sub.credits is not None else "an unpublished price"
    _note(f"{sub.provider}: submitting ({cost}{', sandbox: free' if sub.sandbox else ''})")


def dry_run(dry: DryRun, *, as_json: bool) -> None:
    if dry.notice:
        _note(dry.notice)
    body = json.dumps(dry.json_body, indent=2, ensure_ascii=False)
    headers = "\n".join(f"{k}: {v}" for k, v in dry.headers.items())
    e = dry.estimate
    cost = f"{_credits(e)} ({e.source})" if e.credits is not None else f"{_credits(e)}: {e.note}"
    text = f"{dry.method} {dry.url}\n{headers}\n\n{body}\n\n# estimate: {cost}\n# dry run: nothing was sent"
    _show(dry, [text], as_json=as_json)


# ---- providers and prices -------------------------------------------------------------------


def _provider_lines(i: ProviderInfo) -> list[str]:
    extras = [
        name
        for name, on in (
            ("start image", i.start_image),
            ("end frame", i.end_image),
            ("seed", i.seed),
            ("audio", i.audio),
            ("fixed lens", i.fixed_lens),
            ("idempotency key", i.idempotency),
        )
        if on
    ]
    return [
        f"{i.id:<14} {i.name}",
        f"  key: {i.key_env} ({'set' if i.key_set else 'not set'})",
        f"  durations: {', '.join(map(str, i.durations))} s (default {i.default_duration})",
        f"  resolutions: {', '.join(i.resolutions) or 'fixed by the provider'}; "
        f"aspect ratios: {', '.join(i.aspect_ratios)}",
        f"  supports: {', '.join(extras)}; prompt up to {i.prompt_max_chars} chars; "
        f"{'published prices' if i.priced else 'no published prices'}",
    ]


def providers(infos: list[ProviderInfo], *, as_json: bool) -> None:
    lines = [line for i in infos for line in _provider_lines(i)]
    _show({"providers": _dump(infos)}, lines, as_json=as_json)


def estimates(estimates: list[CreditEstimate], *, single: bool, as_json: bool) -> None:
    """`single`: one provider was asked for, so the JSON is that estimate itself."""
    lines = []
    for e in estimates:
        what = f"{e.resolution or 'default'} {e.duration}s {'with audio' if e.audio else 'silent'}"
        lines.append(f"{e.provider:<14} {what:<24} {_credits(e):<20} {e.note or e.source}")
    _show(estimates[0] if single else {"estimates": _dump(estimates)}, lines, as_json=as_json)


# ---- prompt ---------------------------------------------------------------------------------


def lint(result: Lint, *, as_json: bool) -> None:
    payload = {"warnings": _dump(result.warnings), "characters": result.characters}
    text = "\n".join(f"- {w.rule}: {w.message}" for w in result.warnings) or "no warnings"
    _show(payload, [text], as_json=as_json)


def draft(draft: PromptDraft, *, as_json: bool) -> None:
    suggested = ", ".join(f"{k}={v}" for k, v in draft.suggested_settings.model_dump().items())
    lines = [draft.prompt, "", f"# {draft.characters}/{draft.limit} characters, template {draft.template}"]
    lines += [f"# warning ({w.rule}): {w.message}" for w in draft.warnings]
    lines.append(f"# suggested: {suggested}")
    _show(draft, lines, as_json=as_json)


# ---- demo and sandbox -----------------------------------------------------------------------


class DemoPrinter:
    """The demo's steps on stdout, printed as `commands.demo` reaches them."""

    def start(self, idea: str) -> None:
        print(
            "seedance demo: sandbox mode, no key needed, nothing real is rendered.\n\n"
            f"1. Draft a prompt from: {idea!r}"
        )

    def drafted(self, draft: PromptDraft) -> None:
        s = draft.suggested_settings
        print(_indented(draft.prompt))
        print(
            f"{INDENT}({draft.characters}/{draft.limit} characters; suggested audio={s.audio}, "
            f"fixed_lens={s.fixed_lens}, duration={s.duration} s)"
        )

    def priced(self, estimates: list[CreditEstimate], *, resolution: str, duration: int, audio: bool) -> None:
        sound = "with audio" if audio else "silent"
        print(f"\n2. Estimate credits for {resolution}, {duration} s, {sound}, on every provider:")
        for e in estimates:
            print(f"{INDENT}{e.provider:<14} {_credits(e):<20} {e.note if e.credits is None else e.source}")

    def submitting(self, provider: str) -> None:
        print(f"\n3. Submit to {provider} (the built-in simulator on 127.0.0.1) and wait:")

    def finished(self, job: Job) -> None:
        print("\n4. Result:")
        print(_indented(job_text(job)))

    def saved(self, job: Job, *, size: int, credits: int | None) -> None:
        print(
            f"\nThe placeholder MP4 is at {job.video_path} ({size} bytes). A real render of this "
            f"request on {job.provider} would cost {credits} credits."
        )
        print('Next: set a provider key (see `seedance providers`) and run `seedance generate "..."`.')


def sandbox(address: SandboxAddress) -> None:
    print(
        f"seedance sandbox on http://{address.host}:{address.port} (Ctrl-C to stop); "
        "nothing real is rendered."
    )
    for pid in address.providers:
        print(f"  {pid:<14} SEEDANCE_BASE_URL={address.base_url(pid)}")
    print("Any non-empty Bearer key is accepted.", flush=True)


# ---- failures -------------------------------------------------------------------------------


def _failure(error: Mapping[str, Any], line: str, *, as_json: bool) -> None:
    if as_json:
        _print_json({"error": error})
    _note(f"seedance: {line}")


def usage_error(message: str, usage: str, *, as_json: bool) -> None:
    """A refused command line: its usage and the reason on stderr (and, with --json, the error)."""
    sys.stderr.write(usage)
    _failure(
        {"code": "invalid_request", "message": message, "retryable": False},
        f"error: {message}",
        as_json=as_json,
    )


def error(err: SeedanceError, *, as_json: bool) -> None:
    _failure(err.to_dict(), err.message, as_json=as_json)


def interrupted(job_id: str | None) -> None:
    _note(
        f"\nseedance: interrupted. The job stays in the ledger (`seedance jobs` lists it); "
        f"resume it with `seedance status {job_id or 'JOB_ID'} --wait`."
    )
