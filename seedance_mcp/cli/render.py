"""What `seedance` prints: each command's answer, its notices and its errors.

Every line the CLI writes comes from here, but for the live progress line of a wait. With
`--json` a command prints exactly one JSON object on stdout (its result, or `{"error": ...}`);
without it, the text below. Notices, progress and error lines go to stderr in both modes, so
stdout stays one parsable answer. Every line passes through `printable` (and the JSON through
`printable_json`), so a provider's terminal escape codes are shown escaped, never obeyed.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TextIO, assert_never

from pydantic import BaseModel

from ..printable import printable, printable_json

if TYPE_CHECKING:
    from ..craft.models import PromptDraft, SuggestedSettings
    from ..engine import DryRun
    from ..engine.preflight import PriceList
    from ..errors import SeedanceError
    from ..film.films import FilmCheck
    from ..film.record import FilmRecord
    from ..film.runner import ShotProgress
    from ..images.models import ImageJob
    from ..models import CreditEstimate, Job, Money, ProviderInfo
    from .commands import Catalog, ImageSubmission, Lint, SandboxAddress, Submission

__all__ = [
    "DemoPrinter",
    "FilmProgressPrinter",
    "draft",
    "dry_run",
    "error",
    "estimates",
    "film_check",
    "film_demo_plan",
    "film_interrupted",
    "film_plan",
    "film_record",
    "film_schema",
    "films",
    "image_job",
    "image_job_json",
    "image_job_text",
    "image_submitting",
    "interrupted",
    "job",
    "job_text",
    "jobs",
    "lint",
    "providers",
    "sandbox",
    "stopped",
    "submitting",
    "suggested_text",
    "unexpected",
    "usage_error",
]

INDENT = "   "
"""How the demo sets its results off from its own words."""


def _print(text: str, *, file: TextIO | None = None, flush: bool = False) -> None:
    """How every line leaves: control characters (a provider's escape codes) shown escaped."""
    print(printable(text), file=file, flush=flush)


def _show(payload: BaseModel | Mapping[str, Any], lines: list[str], *, as_json: bool) -> None:
    """The one answer on stdout: `payload` as JSON with --json, else `lines` of text."""
    if as_json:
        _print_json(payload)
    else:
        for line in lines:
            _print(line)


def _print_json(payload: BaseModel | Mapping[str, Any]) -> None:
    if isinstance(payload, BaseModel):
        payload = payload.model_dump(mode="json", by_alias=True)
    print(printable_json(json.dumps(payload, indent=2, ensure_ascii=False)))


def _dump(items: Sequence[BaseModel]) -> list[dict[str, Any]]:
    return [item.model_dump(mode="json") for item in items]


def _note(message: str) -> None:
    _print(message, file=sys.stderr)


def _indented(text: str) -> str:
    return INDENT + text.replace("\n", "\n" + INDENT)


def _credits(e: CreditEstimate) -> str:
    """The figure with its unit ("16 nanophoto credits", "0.612 USD"), or why there is none."""
    label = _unit(e)
    if e.amount is not None and label is not None:
        return f"{e.amount:g} {label}" if e.unit == "credits" else f"{e.price}"
    return "not offered" if e.source == "not offered" else "no published price"


def _money(provider: str, price: Money) -> str:
    """An amount with its unit; credits named as the provider's own."""
    return f"{price.amount:g} {provider} credits" if price.unit == "credits" else str(price)


# ---- jobs -----------------------------------------------------------------------------------


def job_text(job: Job) -> str:
    """A job as text: every output that shows one job shows it this way."""
    lines = [f"job {job.job_id}  provider {job.provider}  status {job.status.value}"]
    if job.request.model:
        lines.append(f"  model: {job.request.model}" + ("  (flex tier)" if job.request.flex else ""))
    if job.provider_task_id:
        lines.append(f"  provider task id: {job.provider_task_id}")
    if job.video_path:
        lines.append(f"  video: {job.video_path}")
    elif job.video_url:
        lines.append(f"  video URL: {job.video_url}")
    if job.last_frame_url:
        lines.append(f"  last frame: {job.last_frame_url}")
    if job.cost is not None:
        tokens = f", {job.tokens} tokens" if job.tokens is not None else ""
        lines.append(f"  cost: {_money(job.provider, job.cost)}{tokens}")
    elif job.credits is not None:
        lines.append(f"  credits charged: {job.credits} ({job.provider} credits)")
    elif job.estimated_cost is not None:
        lines.append(f"  estimated cost: {_money(job.provider, job.estimated_cost)}")
    elif job.estimated_credits is not None:
        lines.append(f"  estimated credits: {job.estimated_credits} ({job.provider} credits)")
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
                f"Still rendering. Resume with `seedance status {step.job_id} --wait`; the job is saved and "
                "nothing is lost."
            )
        case NextAction.RETRY_DOWNLOAD:
            return f"Run {status} to try the download again."
        case NextAction.SAVE_VIDEO:
            return f"Run {status} to save the video."
        case NextAction.RESEND:
            return f"Run {status}: it re-sends the submit safely with the same idempotency key."
        case NextAction.VERIFY_WITH_PROVIDER:
            return "Check the provider's dashboard or history before submitting again."
        case NextAction.REVISE:
            return "Change the prompt or settings before trying again; failed renders are refunded."
    assert_never(step.action)


def job_json(job: Job) -> dict[str, Any]:
    """A job as JSON: the Job record plus `next_step`, the command to run next (or null)."""
    return {**job.model_dump(mode="json"), "next_step": next_step_text(job)}


def job(job: Job, *, as_json: bool) -> None:
    _show(job_json(job), [job_text(job)], as_json=as_json)


JOBS_HEADER = f"{'job':<16}  {'created (UTC)':<16}  {'provider':<13} {'status':<10} video or provider task id"
"""The column names above `seedance jobs`."""


def jobs(jobs: list[Job], *, as_json: bool) -> None:
    lines = [
        f"{j.job_id:<16}  {j.created_at:%Y-%m-%d %H:%M}  {j.provider:<13} {j.status.value:<10} "
        f"{'sandbox ' if j.sandbox else ''}{j.video_path or j.provider_task_id or '-'}"
        for j in jobs
    ]
    text = [JOBS_HEADER, *lines] if lines else ["no jobs yet"]
    _show({"jobs": [job_json(j) for j in jobs]}, text, as_json=as_json)


def submitting(sub: Submission) -> None:
    if sub.notice:
        _note(sub.notice)
    cost = _money(sub.provider, sub.price) if sub.price is not None else "an unpublished price"
    model = f" {sub.model}" if sub.model and _serves_several(sub.provider) else ""
    _note(f"{sub.provider}{model}: submitting ({cost}{', sandbox: free' if sub.sandbox else ''})")


# ---- image jobs -------------------------------------------------------------------------------


def image_submitting(sub: ImageSubmission) -> None:
    if sub.notice:
        _note(sub.notice)
    cost = _money("seedance2ai", sub.price) if sub.price is not None else "no published price"
    pictures = f"{sub.count} picture{'s' if sub.count != 1 else ''}"
    _note(
        f"seedance2ai {sub.model}: submitting {pictures} ({cost}{', sandbox: free' if sub.sandbox else ''})"
    )


def image_job_text(job: ImageJob) -> str:
    """An image job as text: its status, each picture (saved path, else URL), cost, next step."""
    request = job.request
    lines = [
        f"image job {job.job_id}  provider {job.provider}  status {job.status.value}",
        f"  model: {request.model}  {request.aspect_ratio}  {request.resolution}  x{request.count}",
    ]
    if job.provider_task_id:
        lines.append(f"  provider task id: {job.provider_task_id}")
    for number, picture in enumerate(job.images, 1):
        if picture.path:
            size = f" ({picture.format} {picture.width}x{picture.height})" if picture.format else ""
            lines.append(f"  image {number}: {picture.path}{size}")
        lines.append(f"  image {number} URL: {picture.url}")
    if job.cost is not None:
        lines.append(f"  cost: {_money(job.provider, job.cost)}")
    if job.error:
        lines.append(f"  error: {job.error.code}: {job.error.message}")
    if job.notice:
        lines.append(f"  note: {job.notice}")
    step = image_next_step_text(job)
    if step:
        lines.append(f"  next: {step}")
    return "\n".join(lines)


def image_next_step_text(job: ImageJob) -> str | None:
    """The next step of an image job, worded as the `seedance` command that takes it."""
    from ..images.models import image_next_step
    from ..models import NextAction

    step = image_next_step(job)
    status = f"`seedance status {step.job_id}`"
    match step.action:
        case NextAction.DONE:
            urls = " ".join(i.url for i in job.images[:1])
            return f"Animate it: `seedance generate PROMPT --provider seedance2ai --image {urls}`."
        case NextAction.OVER:
            return None
        case NextAction.CHECK_AGAIN:
            return f"Still rendering. Resume with `seedance status {step.job_id} --wait`; nothing is lost."
        case NextAction.RETRY_DOWNLOAD:
            return f"Run {status} to try saving the pictures again."
        case NextAction.SAVE_VIDEO:
            return f"Run {status} to save the pictures."
        case NextAction.RESEND | NextAction.VERIFY_WITH_PROVIDER:
            return f"Run {status}: it re-sends the submit safely with the same idempotency key."
        case NextAction.REVISE:
            return "Change the prompt or settings before trying again; failed renders are refunded."
    assert_never(step.action)


def image_job_json(job: ImageJob) -> dict[str, Any]:
    """An image job as JSON: the record, `image_urls` (ready for `--image`) and `next_step`."""
    return {
        **job.model_dump(mode="json"),
        "image_urls": [i.url for i in job.images],
        "image_paths": [i.path for i in job.images if i.path],
        "next_step": image_next_step_text(job),
    }


def image_job(job: ImageJob, *, as_json: bool) -> None:
    _show(image_job_json(job), [image_job_text(job)], as_json=as_json)


def dry_run(dry: DryRun, *, as_json: bool) -> None:
    if dry.notice:
        _note(dry.notice)
    body = json.dumps(dry.json_body, indent=2, ensure_ascii=False)
    headers = "\n".join(f"{k}: {v}" for k, v in dry.headers.items())
    e = dry.estimate
    cost = f"{_credits(e)} ({e.source})" if e.amount is not None else f"{_credits(e)}: {e.note}"
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
            (_references(i.references), i.references is not None),
        )
        if on
    ]
    lines = [
        f"{i.id:<14} {i.name}",
        f"  key: {i.key_env} ({'set' if i.key_set else 'not set'}); "
        f"cancel: {' or '.join(i.cancel_while) + ' jobs' if i.cancel else 'not offered by the API'}; "
        f"charged in {i.unit}",
    ]
    if len(i.models) == 1:
        lines.append(f"  model: {i.models[0].name}")
        return [
            *lines,
            f"  durations: {_seconds(i.durations)} s (default {i.default_duration})",
            f"  resolutions: {', '.join(i.resolutions) or 'fixed by the provider'}; "
            f"aspect ratios: {', '.join(i.aspect_ratios)}",
            f"  supports: {', '.join(extras)}; prompt up to {i.prompt_max_chars} chars; "
            f"{'published prices' if i.priced else 'no published prices'}",
        ]
    lines.append(
        f"  prompt up to {i.prompt_max_chars} chars; aspect ratios (unless a model says otherwise): "
        f"{', '.join(i.aspect_ratios)}"
    )
    if i.local_files:
        lines.append(f"  local files taken: {', '.join(i.local_files)} (the rest must be public URLs)")
    for m in i.models:
        extras = [
            name
            for name, on in (
                ("end frame", m.end_image),
                ("audio", m.audio),
                ("fixed lens", m.fixed_lens),
                ("flex", m.flex),
                (_references(m.references), m.references is not None),
            )
            if on
        ]
        price = f"priced in {m.price_unit}" if m.price_unit else "no published price"
        default = " (default)" if m.default else ""
        ratios = "" if m.aspect_ratios == i.aspect_ratios else f"; aspect ratios {', '.join(m.aspect_ratios)}"
        frames = "" if m.start_image else "; text only (no start image)"
        lines.append(
            f"  {m.name + default:<28} {_seconds(m.durations)} s, {', '.join(m.resolutions)}; "
            f"{', '.join(extras) or 'no options'}{frames}{ratios}; {price}"
        )
    return lines


def _references(refs: dict[str, int] | None) -> str:
    if refs is None:
        return ""
    return f"references ({refs['images']} images, {refs['videos']} videos, {refs['audios']} audio)"


def _seconds(durations: list[int]) -> str:
    """`2-12` for a run of whole seconds, else the list."""
    if len(durations) > 2 and durations == list(range(durations[0], durations[-1] + 1)):
        return f"{durations[0]}-{durations[-1]}"
    return ", ".join(map(str, durations))


def _default_line(catalog: Catalog) -> str:
    if catalog.default_provider is None:
        return f"default provider: none ({catalog.notice})"
    if catalog.sandbox:
        return (
            f"default provider: {catalog.default_provider}, in sandbox mode: the built-in simulator "
            "answers, nothing real is rendered or charged"
        )
    default = catalog.default_provider
    return f"default provider: {default} (`seedance generate` uses it unless --provider is given)"


def providers(catalog: Catalog, *, as_json: bool) -> None:
    """The providers, after where a job goes by default; the JSON has MCP list_providers' fields."""
    if catalog.notice and catalog.default_provider is not None:
        _note(catalog.notice)
    head = _default_line(catalog)
    payload = {
        "providers": _dump(catalog.providers),
        "default_provider": catalog.default_provider,
        "sandbox": catalog.sandbox,
        "message": catalog.notice
        or f"`seedance generate` uses {catalog.default_provider} unless --provider is given.",
    }
    lines = [head, ""] + [line for i in catalog.providers for line in _provider_lines(i)]
    _show(payload, lines, as_json=as_json)


def _unit(e: CreditEstimate) -> str | None:
    """The unit of an estimate's figure as shown: credits are one provider's own, never another's."""
    if e.amount is None or e.unit is None:
        return None
    return f"{e.provider} credits" if e.unit == "credits" else e.unit


def _estimate_json(e: CreditEstimate, differs: list[str] | None = None) -> dict[str, Any]:
    out = {**e.model_dump(mode="json"), "unit_label": _unit(e)}
    if differs is not None:
        out["differs"] = differs
    return out


def _serves_several(provider: str) -> bool:
    from ..providers import get_provider

    return len(get_provider(provider).models) > 1


def _cited(e: CreditEstimate, sources: list[str]) -> str:
    """What a comparison row says beside its figure: its note and, for a token price, the rate
    and frame size, with the number of its source in `sources` (each source listed once)."""
    if e.amount is None:
        return e.note or e.source
    source, detail = e.source, ""
    if e.tokens is not None and "; " in source:
        source, detail = source.rsplit("; ", 1)
    if source not in sources:
        sources.append(source)
    said = "; ".join(part for part in (detail, e.note) if part)
    return f"{said} [{sources.index(source) + 1}]".lstrip()


def _who(e: CreditEstimate) -> str:
    """`byteplus seedance-1.0-pro`; a provider that serves one model is named alone."""
    return f"{e.provider} {e.model}" if e.model and _serves_several(e.provider) else e.provider


def _clip(e: CreditEstimate) -> str:
    res = e.resolution or ("-" if e.source == "not offered" else "auto")
    return f"{res} {e.duration} s {'with audio' if e.audio else 'silent'}"


def _asked(prices: PriceList) -> str:
    """What the estimate is of, each setting labelled as asked or defaulted."""
    res = f"{prices.resolution} (asked)" if prices.resolution else "each provider's default resolution"
    sound = "with audio" if prices.audio else "silent"
    if prices.duration is not None:
        length = f"{prices.duration} s (asked)"
    elif prices.duration_compared is not None:
        length = f"{prices.duration_compared} s (the length most providers offer; choose with --duration)"
    else:
        length = "the provider's default length"
    return f"one clip, {sound}, {length}, {res}"


def estimates(prices: PriceList, *, as_json: bool) -> None:
    """One provider's estimate (its JSON is that estimate), or a comparison of one clip on every provider.

    Each figure carries its unit: one provider's credits are not another's, so the figures are
    never added, ranked or put in one column without their unit.
    """
    if prices.single:
        [e] = prices.estimates
        res = e.resolution or "resolution chosen by the provider"
        res += "" if prices.resolution or not e.resolution else " (default)"
        length = f"{e.duration} s" + ("" if prices.duration is not None else " (default)")
        sound = "with audio" if e.audio else "silent"
        line = f"{_who(e)}: {res}, {length}, {sound}: {_credits(e)} ({e.note or e.source})"
        _show(_estimate_json(e), [line], as_json=as_json)
        return
    lines = [f"Estimates for {_asked(prices)}.", ""]
    marked: list[str] = []
    sources: list[str] = []
    for e in prices.estimates:
        differs = prices.differs_for(e)
        star = " *" if differs else ""
        lines.append(f"{_who(e):<34} {_clip(e) + star:<24} {_credits(e):<22} {_cited(e, sources)}")
        if differs:
            marked.append(f"* {_who(e)}: {'; '.join(differs)}.")
    lines += ["", *marked]
    lines += ["Sources:", *(f"[{n}] {source}" for n, source in enumerate(sources, 1)), ""]
    lines.append(
        "Money is ranked cheapest first within each currency (USD, then CNY), never across them. "
        "Credits are each provider's own unit: compare a figure only with the same provider's; "
        "never add or rank them against money or another provider's credits."
    )
    payload = {
        "estimates": [_estimate_json(e, prices.differs_for(e)) for e in prices.estimates],
        "resolution": prices.resolution,
        "duration": prices.duration,
        "duration_compared": prices.duration_compared,
        "audio": prices.audio,
        "note": lines[-1],
    }
    _show(payload, lines, as_json=as_json)


# ---- prompt ---------------------------------------------------------------------------------


def lint(result: Lint, *, as_json: bool) -> None:
    payload = {"warnings": _dump(result.warnings), "characters": result.characters}
    text = "\n".join(f"- {w.rule}: {w.message}" for w in result.warnings) or "no warnings"
    _show(payload, [text], as_json=as_json)


def suggested_text(s: SuggestedSettings) -> str:
    """Suggested render settings in words ("audio on, fixed lens off, the provider's default length")."""
    words = [
        f"audio {'on' if s.audio else 'off'}",
        f"fixed lens {'on' if s.fixed_lens else 'off'}",
        f"duration {s.duration} s" if s.duration is not None else "the provider's default length",
    ]
    if s.aspect_ratio is not None:
        words.append(f"aspect ratio {s.aspect_ratio}")
    return ", ".join(words)


def draft(draft: PromptDraft, *, as_json: bool) -> None:
    suggested = suggested_text(draft.suggested_settings)
    lines = [draft.prompt, "", f"# {draft.characters}/{draft.limit} characters, template {draft.template}"]
    lines += [f"# warning ({w.rule}): {w.message}" for w in draft.warnings]
    lines += [f"# missing ({s.rule}): {s.message}" for s in draft.suggestions]
    lines += [f"# left out to fit: {sentence}" for sentence in draft.left_out]
    lines.append(f"# suggested: {suggested}")
    _show(draft, lines, as_json=as_json)


# ---- demo and sandbox -----------------------------------------------------------------------


class DemoPrinter:
    """The demo's steps on stdout, printed as `commands.demo` reaches them."""

    def start(self, idea: str) -> None:
        _print(
            "seedance demo: sandbox mode, no key needed, nothing real is rendered.\n\n"
            f"1. Draft a prompt from: {idea!r}"
        )

    def drafted(self, draft: PromptDraft) -> None:
        _print(_indented(draft.prompt))
        _print(
            f"{INDENT}({draft.characters}/{draft.limit} characters; suggested: "
            f"{suggested_text(draft.suggested_settings)})"
        )

    def priced(self, estimates: list[CreditEstimate], *, resolution: str, duration: int, audio: bool) -> None:
        sound = "with audio" if audio else "silent"
        _print(
            f"\n2. Estimate the price of {resolution}, {duration} s, {sound}, on every provider and model:"
        )
        for e in estimates:
            why = e.note if e.amount is None else e.source.split(";")[0]
            _print(f"{INDENT}{_who(e):<36} {_credits(e):<22} {why}")
        _print(
            f"{INDENT}(money and each provider's credits are separate units: never add or rank "
            "them across units or providers)"
        )

    def submitting(self, provider: str) -> None:
        _print(f"\n3. Submit to {provider} (the built-in simulator on 127.0.0.1) and wait:")

    def finished(self, job: Job) -> None:
        _print("\n4. Result:")
        _print(_indented(job_text(job)))

    def saved(self, job: Job, *, size: int, price: Money | None) -> None:
        cost = _money(job.provider, price) if price is not None else "an unpublished price"
        _print(
            f"\nThe placeholder MP4 is at {job.video_path} ({size} bytes). A real render of this "
            f"request on {job.provider} would cost {cost}."
        )
        _print('Next: set a provider key (see `seedance providers`) and run `seedance generate "..."`.')


def sandbox(address: SandboxAddress) -> None:
    _print(
        f"seedance sandbox on http://{address.host}:{address.port} (Ctrl-C to stop); "
        "nothing real is rendered."
    )
    for pid in address.providers:
        _print(f"  {pid:<14} SEEDANCE_BASE_URL={address.base_url(pid)}")
    _print("Any non-empty Bearer key is accepted.", flush=True)


# ---- failures -------------------------------------------------------------------------------


def _failure(error: Mapping[str, Any], line: str, *, as_json: bool) -> None:
    if as_json:
        _print_json({"error": error})
    _note(f"seedance: {line}")


def usage_error(message: str, usage: str, *, as_json: bool) -> None:
    """A refused command line: its usage and the reason on stderr (and, with --json, the error)."""
    sys.stderr.write(printable(usage))
    _failure(
        {"code": "invalid_request", "message": message, "retryable": False},
        f"error: {message}",
        as_json=as_json,
    )


def error(err: SeedanceError, *, as_json: bool) -> None:
    _failure(err.to_dict(), err.message, as_json=as_json)


_CRASH_CHARS = 300
"""An unexpected exception's own text is shown up to this many characters."""


def unexpected(command: str, err: Exception, *, as_json: bool) -> None:
    """An exception nothing anticipated: one line naming the command, the exception and what to
    do (with --json, also the error as JSON); its text redacted and shortened, no traceback."""
    import os

    from ..redaction import redact
    from ..settings import configured_secrets

    what = type(err).__name__
    detail = " ".join(str(err).split())
    if detail:
        what += ": " + (detail if len(detail) <= _CRASH_CHARS else detail[: _CRASH_CHARS - 3] + "...")
    message = redact(
        f"{command} stopped on an unexpected error ({what}). Check the arguments and try again; "
        "a job already created stays in the ledger (`seedance jobs` lists it, `seedance status "
        "JOB_ID` resumes it), so do not submit it twice.",
        configured_secrets(os.environ),
    )
    _failure({"code": "internal_error", "message": message, "retryable": False}, message, as_json=as_json)


def interrupted(job_id: str | None, job: Job | None, *, as_json: bool) -> None:
    """Ctrl-C: the job as recorded (with --json, its JSON; else how to resume it), or that none began.

    `job_id` is the job the command was working on (None when it had not created one yet);
    `job` is that job as the ledger holds it, when it could be read.
    """
    if job_id is None:
        line = "interrupted before a job was created; nothing was sent."
        if as_json:
            _print_json({"error": {"code": "interrupted", "message": line, "retryable": True}})
        _note(f"\nseedance: {line}")
        return
    if as_json:
        if job is not None:
            _print_json(job_json(job))
        else:
            message = f"interrupted; job {job_id} could not be read back from the ledger."
            _print_json({"error": {"code": "interrupted", "message": message, "retryable": True}})
    _note(
        f"\nseedance: interrupted. The job stays in the ledger (`seedance jobs` lists it); "
        f"resume it with `seedance status {job_id} --wait`."
    )


def stopped(*, as_json: bool) -> None:
    """Ctrl-C in a command that starts no job (prompt, estimate, jobs, sandbox ...)."""
    if as_json:
        _print_json({"error": {"code": "interrupted", "message": "interrupted.", "retryable": True}})
    _note("\nseedance: interrupted.")


# ---- films ------------------------------------------------------------------------------------


def _amounts(amounts: Sequence[Money]) -> str:
    return " + ".join(str(m) for m in amounts) or "nothing"


def film_schema(schema: Mapping[str, Any]) -> None:
    _print_json(schema)


def _plan_lines(check: FilmCheck) -> list[str]:
    mode = " (sandbox: nothing real is rendered)" if check.sandbox else ""
    lines = [f"film {check.film_id}: {check.title}{mode}"]
    for s in check.shots:
        price = str(s.price) if s.price is not None else "no published price"
        after = f", after {s.continue_from} ({s.chain})" if s.continue_from else ""
        fade = f", crossfade {s.crossfade:g} s" if s.transition == "crossfade" else ""
        job = f" {s.job_id}" if s.job_id else ""
        lines.append(
            f"{INDENT}{s.id}: {s.provider} {s.model or ''} {s.duration} s {s.resolution or ''}"
            f"{' audio' if s.audio else ''}{after}{fade}: {price}; {s.action}{job}"
        )
    lines.append(
        f"total: {_amounts(check.total)}"
        + (f"; unpriced: {', '.join(check.unpriced)}" if check.unpriced else "")
    )
    lines.append(f"to spend now: {_amounts(check.to_spend)}")
    waves = "; then ".join(", ".join(w) for w in check.waves)
    lines.append(f"plan: {waves} (at most {check.max_parallel} at once)")
    lines.append(
        f"expected wall time: ~{check.expected_seconds:.0f} s "
        f"(critical path {' -> '.join(check.critical_path)}; "
        f"one shot ~{check.one_shot_seconds:.0f} s)"
    )
    lines += [f"note: {n}" for n in check.notes]
    return lines


def film_check(check: FilmCheck, *, as_json: bool) -> None:
    _show(check, _plan_lines(check), as_json=as_json)


def film_plan(check: FilmCheck) -> None:
    """What a render is about to do and spend, on stderr before it starts."""
    for line in _plan_lines(check):
        _note(line)


def film_demo_plan(check: FilmCheck) -> None:
    _print("seedance demo --film: sandbox mode, no key needed, nothing real is rendered.\n")
    for line in _plan_lines(check):
        _print(line)
    _print("")


class FilmProgressPrinter:
    """One stderr line per change of a shot's state while a film renders."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._last: dict[str, str] = {}

    async def __call__(self, p: ShotProgress) -> None:
        if not self.enabled or self._last.get(p.shot_id) == p.status:
            return
        self._last[p.shot_id] = p.status
        _note(f"[{p.done}/{p.total}] {p.shot_id}: {p.status}: {p.message}")


def _record_lines(record: FilmRecord) -> list[str]:
    lines = [
        f"film {record.film_id}: {record.title}: {record.status}" + (" (sandbox)" if record.sandbox else "")
    ]
    for s in record.shots:
        extra = " (reused)" if s.reused else ""
        why = f": {s.reason}" if s.reason and s.status != "succeeded" else ""
        lines.append(f"{INDENT}{s.id}: {s.status}{extra} {s.job_id or ''}{why}".rstrip())
        lines += [f"{INDENT}{INDENT}warning: {w}" for w in s.warnings]
    if record.total_cost:
        lines.append(f"cost: {_amounts(record.total_cost)}")
    for label, value in (
        ("film", record.film_file),
        ("contact sheet", record.contact_sheet),
        ("manifest", record.manifest),
        ("review page", record.review_page),
    ):
        if value:
            lines.append(f"{label}: {value}")
    lines += [
        f"warning: {w}"
        for w in record.warnings
        if not any(w.endswith(x) for s in record.shots for x in s.warnings)
    ]
    if record.status == "rendering":
        lines.append(f"next: seedance film status {record.film_id} --wait")
    elif record.status == "incomplete":
        lines.append(
            "next: fix or remove the failed shots and render again (only they are rendered), or "
            "render again with --retry-failed"
        )
    return lines


def film_interrupted(*, as_json: bool) -> None:
    """Ctrl-C during a film: the film and its shots' jobs stay in the ledger."""
    line = (
        "interrupted. The film and every shot already submitted stay in the ledger (`seedance film list`); "
        "`seedance film status FILM_ID --wait`, or the same `seedance film render FILE`, carries it on "
        "without submitting anything twice."
    )
    if as_json:
        _print_json({"error": {"code": "interrupted", "message": line, "retryable": True}})
    _note(f"\nseedance: {line}")


def film_record(record: FilmRecord, *, as_json: bool) -> None:
    _show(record, _record_lines(record), as_json=as_json)


def films(records: list[FilmRecord], *, as_json: bool) -> None:
    lines = [f"{r.film_id}  {r.status:<10} {len(r.shots)} shots  {r.title}" for r in records] or [
        "no films yet"
    ]
    _show({"films": _dump(records)}, lines, as_json=as_json)
