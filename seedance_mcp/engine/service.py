"""The core both front ends share: validate, price, record, submit, wait, download.

The CLI and the MCP server are thin layers over `Service`. Data flows one way:
request -> `resolve_request` (provider capabilities) -> budget guard -> ledger row (written
before anything is sent) -> submit -> ledger -> polls -> ledger -> download -> ledger.

Clock and sleep are injected, so every schedule can be tested without waiting.
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import anyio
import httpx2
from pydantic import BaseModel, Field

from .. import pricing
from ..client import ProviderClient, RetryPolicy, shared_ssl_context
from ..download import download_video
from ..errors import (
    AnswerLost,
    BudgetExceeded,
    ConnectFailed,
    DownloadError,
    InvalidRequest,
    ProviderError,
    ProviderFailure,
    ProviderUnavailable,
    RateLimited,
    SeedanceError,
    TaskNotFound,
)
from ..inflight import SubmitLocks
from ..ledger import Ledger, new_job_id
from ..models import (
    RESOLUTIONS,
    CreditEstimate,
    Job,
    JobError,
    JobStatus,
    ProviderInfo,
    TaskState,
    VideoRequest,
)
from ..polling import PollSchedule
from ..providers import PROVIDERS, Provider, get_provider
from ..settings import Secret, Settings, Target
from ..validation import resolve_request

if TYPE_CHECKING:
    from ..sandbox import Sandbox, SandboxConfig

__all__ = ["DryRun", "Progress", "ProgressFn", "Service"]

log = logging.getLogger("seedance_mcp.service")

Phase = Literal["submitting", "queued", "rendering", "downloading", "done", "failed", "unknown"]
SANDBOX_KEY = "sandbox-key"
PROGRESS_EVERY = 5.0
DEFAULT_OVERALL_TIMEOUT = 30 * 60.0
MIN_SUBMIT_WINDOW = 20.0
STATUS_CHECK_FAILED = "Last status check failed: "
SANDBOX_PLACEHOLDER = (
    "SANDBOX: nothing real was rendered; this clip is a placeholder from the built-in simulator. "
    "Set a provider key for a real render."
)


class Progress(BaseModel):
    job_id: str
    provider: str
    phase: Phase
    elapsed: float = Field(description="Seconds since the job was submitted.")
    expected: float | None = Field(description="Typical seconds a render of this length takes.")
    message: str
    sandbox: bool = False


ProgressFn = Callable[[Progress], Awaitable[None]]


class DryRun(BaseModel):
    provider: str
    method: str
    url: str
    headers: dict[str, str]
    json_body: dict[str, Any] | None = Field(alias="json")
    request: VideoRequest
    estimate: CreditEstimate
    sandbox: bool
    notice: str | None = None

    model_config = {"populate_by_name": True}


class _LedgerBudget:
    """Client-side rate budget shared by every process through the ledger."""

    def __init__(self, service: Service, bucket_prefix: str, scale: float) -> None:
        self._service = service
        self._prefix = bucket_prefix
        self._scale = scale

    async def acquire(self, provider: Provider) -> None:
        limit = provider.caps.rate_limit
        if limit is None:
            return
        window = limit.per_seconds * self._scale
        bucket = f"{self._prefix}{provider.id}"
        while True:
            wait = self._service.ledger.reserve_request(
                bucket, limit=limit.requests, window=window, now=self._service.clock()
            )
            if wait <= 0:
                return
            if wait > 30 * max(self._scale, 0.001):
                raise RateLimited(
                    f"{provider.id}: the client-side budget of {limit.requests} requests per "
                    f"{limit.per_seconds / 3600:g} h ({limit.scope}) is used up; the next request is "
                    f"possible in {wait:.0f} s. Try again then (the job is kept).",
                    provider=provider.id,
                    retry_after=wait,
                    code="rate_budget",
                )
            await self._service.sleep(wait)


class Service:
    def __init__(
        self,
        settings: Settings | None = None,
        *,
        ledger: Ledger | None = None,
        transport: httpx2.AsyncBaseTransport | None = None,
        download_transport: httpx2.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        retry: RetryPolicy | None = None,
        sandbox_config: SandboxConfig | None = None,
    ) -> None:
        self._settings = settings
        self._ledger = ledger
        self._transport = transport
        self._download_transport = download_transport
        self.clock = clock
        self.sleep = sleep
        self._retry = retry or RetryPolicy()
        self._sandbox_config = sandbox_config
        self._sandbox: Sandbox | None = None

    # ---- lazily built parts -------------------------------------------------------------

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = Settings.from_env()
        return self._settings

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            self._ledger = Ledger.open(self.settings.home)
        return self._ledger

    @property
    def submit_locks(self) -> SubmitLocks:
        return SubmitLocks(self.ledger.path.parent / "inflight")

    def _sandbox_base(self, provider: Provider) -> str:
        if self._sandbox is None:
            from ..sandbox import Sandbox, SandboxConfig

            config = self._sandbox_config or SandboxConfig(speed=self.settings.sandbox_speed)
            self._sandbox = Sandbox(config).start()
        return self._sandbox.base_url(provider.id)

    def close(self) -> None:
        if self._sandbox is not None:
            self._sandbox.stop()
            self._sandbox = None
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None

    def _scale(self, sandbox: bool) -> float:
        return self.settings.sandbox_speed if sandbox else 1.0

    def _client(self, target: Target) -> ProviderClient:
        key = target.key
        base = target.base_url
        if target.sandbox:
            key = Secret(SANDBOX_KEY)
            base = self._sandbox_base(target.provider)
        scale = self._scale(target.sandbox)
        retry = self._retry
        base_delay = self.settings.retry_base_delay
        if base_delay is not None:
            retry = dataclasses.replace(
                retry, base_delay=base_delay, max_delay=max(base_delay, retry.max_delay * base_delay)
            )
        elif target.sandbox and scale < 1:
            retry = dataclasses.replace(
                retry, base_delay=retry.base_delay * scale, max_delay=retry.max_delay * scale
            )
        return ProviderClient(
            target.provider,
            clock=self.clock,
            key_env=None if target.sandbox else (target.key_env or target.provider.key_env),
            key=key,
            base_url=base,
            transport=self._transport,
            retry=retry,
            sleep=self.sleep,
            budget=_LedgerBudget(self, "sandbox:" if target.sandbox else "", scale),
        )

    def _download_client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(
            transport=self._download_transport or self._transport,
            timeout=httpx2.Timeout(30.0, connect=10.0),
            follow_redirects=True,
            verify=shared_ssl_context(),
        )

    def _target_for_job(self, job: Job) -> Target:
        if job.sandbox:
            return Target(get_provider(job.provider), None, None, True, None)
        return self.settings.target(job.provider)

    # ---- read-only ----------------------------------------------------------------------

    def providers(self) -> list[ProviderInfo]:
        settings = self.settings
        infos = []
        for p in PROVIDERS.values():
            caps = p.caps
            infos.append(
                ProviderInfo(
                    id=p.id,
                    name=p.name,
                    base_url=p.base_url,
                    docs=p.docs_url,
                    key_env=p.key_env,
                    key_set=settings.has_key(p),
                    durations=list(caps.durations),
                    default_duration=caps.default_duration,
                    resolutions=list(caps.resolutions),
                    default_resolution=caps.default_resolution,
                    aspect_ratios=list(caps.aspect_ratios),
                    prompt_max_chars=caps.prompt_max,
                    start_image=caps.start_image,
                    end_image=caps.end_image,
                    seed=caps.seed,
                    audio=caps.audio,
                    fixed_lens=caps.fixed_lens,
                    idempotency=caps.idempotency,
                    priced=p.id in pricing.PRICE_TABLES,
                    notes=list(caps.notes),
                )
            )
        return infos

    def estimate(
        self,
        provider: str | None = None,
        *,
        resolution: str | None = None,
        duration: int | None = None,
        audio: bool = False,
    ) -> list[CreditEstimate]:
        """Price one provider, or compare all (marking those that cannot do the combination)."""
        if resolution is not None and resolution not in RESOLUTIONS:
            raise InvalidRequest(
                f"resolution: {resolution!r} is not a Seedance resolution; allowed: {', '.join(RESOLUTIONS)}.",
                field="resolution",
                value=resolution,
                allowed=RESOLUTIONS,
            )

        def priced(p: Provider, *, comparing: bool = False) -> CreditEstimate:
            # In a comparison, a provider that picks the resolution itself is still priced.
            res = None if comparing and not p.caps.resolutions else resolution
            shape = {"prompt": "x" * max(p.caps.prompt_min, 1), "resolution": res, "duration": duration}
            req = resolve_request(VideoRequest.model_validate({**shape, "audio": audio}), p)
            estimate = pricing.estimate_request(p, req)
            if res != resolution:
                note = f"{p.id} chooses the resolution itself; {resolution} cannot be requested."
                estimate = estimate.model_copy(update={"note": note})
            return estimate

        if provider:
            return [priced(get_provider(provider))]
        out = []
        for p in PROVIDERS.values():
            try:
                out.append(priced(p, comparing=True))
            except InvalidRequest as err:
                out.append(
                    CreditEstimate(
                        provider=p.id,
                        credits=None,
                        resolution=resolution,
                        duration=duration or p.caps.default_duration,
                        audio=audio,
                        source="not offered",
                        note=_not_offered(p, err),
                    )
                )
        return out

    def prepare(
        self, req: VideoRequest, provider: str | None = None
    ) -> tuple[Target, VideoRequest, CreditEstimate]:
        """Everything that can be refused before a credit is spent: target, validation, price."""
        chosen = (provider or "").strip() or self.settings.default_provider
        if chosen:
            # Bad input is named before a missing key, so one answer fixes the request.
            resolve_request(req, get_provider(chosen))
        target = self.settings.target(provider)
        resolved = resolve_request(req, target.provider)
        return target, resolved, pricing.estimate_request(target.provider, resolved)

    def check_budget(self, estimate: CreditEstimate, *, confirm_unpriced: bool) -> None:
        cap = self.settings.max_credits
        if estimate.credits is None:
            if cap is not None and not confirm_unpriced:
                raise BudgetExceeded(
                    f"{estimate.provider} publishes no price, so SEEDANCE_MAX_CREDITS={cap:g} cannot be checked. "
                    "Confirm the unknown cost explicitly (CLI --confirm-cost, tool argument confirm_cost=true) "
                    "or choose a priced provider."
                )
            return
        if cap is not None and estimate.credits > cap:
            raise BudgetExceeded(
                f"this job is estimated at {estimate.credits} credits on {estimate.provider}, above "
                f"SEEDANCE_MAX_CREDITS={cap:g}. Raise the cap, or pick a shorter, lower-resolution or silent clip."
            )

    def dry_run(self, req: VideoRequest, provider: str | None = None) -> DryRun:
        target, resolved, estimate = self.prepare(req, provider)
        wire = target.provider.build_submit(resolved, "<idempotency-key>")
        base = (target.base_url or target.provider.base_url).rstrip("/")
        headers = {"Content-Type": "application/json", **wire.headers}
        env = target.key_env or target.provider.key_env
        headers["Authorization"] = f"Bearer <redacted: {env}>"
        url = wire.url(base) + (
            "?" + "&".join(f"{k}={v}" for k, v in wire.params.items()) if wire.params else ""
        )
        return DryRun(
            provider=target.provider.id,
            method=wire.method,
            url=url,
            headers=headers,
            json=dict(wire.json) if wire.json is not None else None,
            request=resolved,
            estimate=estimate,
            sandbox=target.sandbox,
            notice=target.notice,
        )

    def jobs(self, limit: int = 20) -> list[Job]:
        return self.ledger.list(limit)

    def get_job(self, ref: str) -> Job:
        return self.ledger.find(ref)

    # ---- render -------------------------------------------------------------------------

    async def generate(
        self,
        req: VideoRequest,
        *,
        provider: str | None = None,
        wait_seconds: float | None = None,
        download: bool = True,
        output_dir: Path | None = None,
        confirm_unpriced: bool = False,
        on_progress: ProgressFn | None = None,
    ) -> Job:
        """Validate, record, submit, then wait up to `wait_seconds` (None: until done or 30 min)."""
        target, resolved, estimate = self.prepare(req, provider)
        self.check_budget(estimate, confirm_unpriced=confirm_unpriced)
        created = datetime.fromtimestamp(self.clock(), UTC)
        job = Job(
            job_id=new_job_id(),
            provider=target.provider.id,
            status=JobStatus.QUEUED,
            request=resolved,
            sandbox=target.sandbox,
            estimated_credits=estimate.credits,
            created_at=created,
            updated_at=created,
        )
        # One deadline for the whole call, submit retries included, so a tool call that must
        # answer within a client's timeout does. A submit always gets a little room to retry.
        deadline = self.clock() + (
            DEFAULT_OVERALL_TIMEOUT if wait_seconds is None else max(0.0, wait_seconds)
        )
        async with self._client(target) as client:
            client.deadline = max(deadline, self.clock() + MIN_SUBMIT_WINDOW)
            # From the ledger row to the recorded answer the submit is marked under way, so
            # that another process can tell it from one whose process died in between.
            with self.submit_locks.hold(job.job_id):
                key = f"seedance-{job.job_id}-{secrets.token_hex(8)}"
                job = self.ledger.create(job, idempotency_key=key)
                await _emit(on_progress, job, "submitting", 0.0, None, "submitting to " + target.provider.id)
                job = await self._submit(client, job)
            if job.status.is_final or job.status is JobStatus.UNKNOWN or wait_seconds == 0:
                return self._finish_notice(job)
            return await self._wait(client, job, deadline, download, output_dir, on_progress)

    async def _submit(self, client: ProviderClient, job: Job) -> Job:
        key = self.ledger.idempotency_key(job.job_id)
        provider = client.provider
        try:
            task_id = await client.submit(job.request, key)
        except (AnswerLost, ProviderFailure) as err:
            if provider.caps.idempotency:
                note = (
                    f"The answer to the submit was lost ({err.code}). {provider.id} honours idempotency keys, "
                    f"so `seedance status {job.job_id}` re-sends it safely with the same key."
                )
            else:
                note = _unknown_note(
                    provider, job, f"The submit reached {provider.id} but its answer was lost ({err.code})"
                )
            return self.ledger.update(
                job.job_id, status=JobStatus.UNKNOWN, error=_job_error(err), notice=note
            )
        except (ConnectFailed, RateLimited, ProviderUnavailable) as err:
            self.ledger.update(
                job.job_id,
                status=JobStatus.FAILED,
                error=_job_error(err),
                notice="Nothing was created and no credits were spent; try again later.",
            )
            raise
        except SeedanceError as err:
            self.ledger.update(
                job.job_id,
                status=JobStatus.FAILED,
                error=_job_error(err),
                notice="The provider refused the job; no task was created.",
            )
            raise
        return self.ledger.update(
            job.job_id, provider_task_id=task_id, status=JobStatus.QUEUED, error=None, notice=None
        )

    async def status(
        self,
        ref: str,
        *,
        wait_seconds: float = 0.0,
        download: bool = True,
        output_dir: Path | None = None,
        on_progress: ProgressFn | None = None,
    ) -> Job:
        """Look a job up, poll it once, and optionally wait for it (bounded); download on success."""
        job = self.ledger.find(ref)
        if job.status.is_final and (job.status is not JobStatus.SUCCEEDED or job.video_path or not download):
            return self._finish_notice(job)
        target = self._target_for_job(job)
        async with self._client(target) as client:
            client.deadline = self.clock() + max(wait_seconds, MIN_SUBMIT_WINDOW)
            if (
                job.provider_task_id is None
                and not job.status.is_final
                and job.status is not JobStatus.UNKNOWN
            ):
                job = self._settle_unanswered_submit(job, target.provider)
            if job.status is JobStatus.UNKNOWN or job.provider_task_id is None:
                if not target.provider.caps.idempotency or job.status is not JobStatus.UNKNOWN:
                    return self._finish_notice(job)
                with self.submit_locks.hold(job.job_id):
                    job = await self._submit(client, job)
                if job.provider_task_id is None:
                    return self._finish_notice(job)
            if job.status is JobStatus.SUCCEEDED:
                return self._finish_notice(await self._download(job, output_dir))
            schedule = self._schedule(client.provider, job)
            elapsed = self.clock() - job.created_at.timestamp()
            if elapsed < schedule.initial_delay:
                # Too early for the render to be done: asking now would only spend the
                # provider's request budget (NanoPhoto: 100 an hour, status checks included).
                if wait_seconds > 0:
                    deadline = self.clock() + wait_seconds
                    return await self._wait(client, job, deadline, download, output_dir, on_progress)
                early = (
                    f"Not checked yet: a {job.request.duration} s clip on {job.provider} typically takes "
                    f"{schedule.expected_low:.0f}-{schedule.expected_high:.0f} s and {elapsed:.0f} s have passed; "
                    f"check again in about {schedule.initial_delay - elapsed:.0f} s."
                )
                return self._finish_notice(job.model_copy(update={"notice": early}))
            job = await self._poll(client, job)
            if not job.status.is_final and wait_seconds > 0:
                deadline = self.clock() + wait_seconds
                return await self._wait(client, job, deadline, download, output_dir, on_progress, polls=1)
            if job.status is JobStatus.SUCCEEDED and download:
                job = await self._download(job, output_dir)
            return self._finish_notice(job)

    def _settle_unanswered_submit(self, job: Job, provider: Provider) -> Job:
        """A queued job without a task id: its submit is under way elsewhere, or its process died."""
        if self.submit_locks.state(job.job_id) == "under_way":
            return job.model_copy(
                update={
                    "notice": "Another process is submitting this job right now; check again in a moment."
                }
            )
        job = self.ledger.get(job.job_id)  # the submit may have been recorded meanwhile
        if job.provider_task_id is not None or job.status.is_final:
            return job
        error = JobError(
            code="submit_interrupted",
            message="The process that submitted this job stopped before the provider's answer was recorded.",
            retryable=provider.caps.idempotency,
        )
        if provider.caps.idempotency:
            note = (
                f"The submitting process stopped before {provider.id}'s answer was recorded; {provider.id} "
                "honours idempotency keys, so the submit is re-sent safely with the same key."
            )
        else:
            note = _unknown_note(
                provider, job, "The submitting process stopped before the provider's answer was recorded"
            )
        job = self.ledger.update(job.job_id, status=JobStatus.UNKNOWN, error=error, notice=note)
        self.submit_locks.clear(job.job_id)
        return job

    def _schedule(self, provider: Provider, job: Job) -> PollSchedule:
        assert job.request.duration is not None
        return PollSchedule.for_job(
            provider,
            job.request.duration,
            interval=self.settings.poll_interval,
            initial_delay=self.settings.poll_initial_delay,
            scale=self._scale(job.sandbox),
        )

    async def _poll(self, client: ProviderClient, job: Job) -> Job:
        assert job.provider_task_id is not None
        try:
            state = await client.status(job.provider_task_id)
        except TaskNotFound as err:
            if job.sandbox:
                return self.ledger.update(
                    job.job_id,
                    status=JobStatus.EXPIRED,
                    error=_job_error(err),
                    notice="This sandbox job lived in a simulator that has stopped; sandbox jobs end with their "
                    "process. Nothing was charged.",
                )
            raise
        except (ProviderError, ConnectFailed, AnswerLost) as err:
            # Still unknown after retries: keep the job as it was, say what happened.
            self.ledger.update(job.job_id, notice=f"{STATUS_CHECK_FAILED}{err.message}")
            raise
        return self._apply(job, state)

    def _apply(self, job: Job, state: TaskState) -> Job:
        changes: dict[str, Any] = {}
        if state.status is not job.status:
            changes["status"] = state.status
        if state.video_url and state.video_url != job.video_url:
            changes["video_url"] = state.video_url
        if state.credits is not None and state.credits != job.credits:
            changes["credits"] = state.credits
        if state.error is not None:
            changes["error"] = state.error
        if state.status is JobStatus.FAILED:
            changes["notice"] = "The render failed; the provider refunds failed jobs."
        elif job.notice and job.notice.startswith(STATUS_CHECK_FAILED):
            changes["notice"] = None  # the provider answered again: the old failure is history
        if not changes:
            return job
        return self.ledger.update(job.job_id, **changes)

    async def _wait(
        self,
        client: ProviderClient,
        job: Job,
        deadline: float,
        download: bool,
        output_dir: Path | None,
        on_progress: ProgressFn | None,
        *,
        polls: int = 0,
    ) -> Job:
        provider = client.provider
        schedule = self._schedule(provider, job)
        created = job.created_at.timestamp()
        expected = schedule.expected_seconds()
        elapsed = self.clock() - created
        next_at = schedule.next_poll_at(elapsed, polls)
        while not job.status.is_final:
            now = self.clock()
            elapsed = now - created
            if elapsed >= next_at:
                try:
                    job = await self._poll(client, job)
                except (RateLimited, ProviderUnavailable, ProviderFailure, AnswerLost, ConnectFailed) as err:
                    log.info("status check failed, will retry on schedule: %s", err.code)
                polls += 1
                if job.status.is_final:
                    break
                next_at = schedule.next_poll_at(self.clock() - created, polls)
            remaining = deadline - self.clock()
            if remaining <= 0:
                break
            phase: Phase = "queued" if job.status is JobStatus.QUEUED else "rendering"
            await _emit(
                on_progress,
                job,
                phase,
                elapsed,
                expected,
                f"{provider.id} is rendering; typical {schedule.expected_low:.0f}-{schedule.expected_high:.0f} s",
            )
            beat = PROGRESS_EVERY * min(1.0, max(self._scale(job.sandbox), 0.01))
            pause = min(max(next_at - (self.clock() - created), 0.0), beat, remaining)
            await self.sleep(pause)
        if job.status is JobStatus.SUCCEEDED and download:
            await _emit(
                on_progress, job, "downloading", self.clock() - created, expected, "downloading the video"
            )
            job = await self._download(job, output_dir)
        final_phase: Phase = "rendering"
        if job.status.is_final:
            final_phase = "done" if job.status is JobStatus.SUCCEEDED else "failed"
        final_message = job.status.value
        if not job.status.is_final:
            final_message = (
                f"still {job.status.value} on {provider.id}; resume with check_status {job.job_id}"
            )
        await _emit(on_progress, job, final_phase, self.clock() - created, expected, final_message)
        return self._finish_notice(job)

    async def _download(self, job: Job, output_dir: Path | None) -> Job:
        if not job.video_url or job.video_path:
            return job
        folder = output_dir or self.settings.output_dir
        try:
            async with self._download_client() as http:
                path = await download_video(http, job.video_url, folder, job.job_id, sleep=self.sleep)
        except DownloadError as err:
            return self.ledger.update(
                job.job_id,
                error=_job_error(err),
                notice=f"The render finished but the download failed: {err.message} "
                f"Run `seedance status {job.job_id}` to try again.",
            )
        return self.ledger.update(job.job_id, video_path=str(path.resolve()), error=None, notice=None)

    def _finish_notice(self, job: Job) -> Job:
        notes = []
        if job.sandbox:
            notes.append(SANDBOX_PLACEHOLDER)
        if job.notice and job.notice not in notes:
            notes.append(job.notice)
        if job.status in (JobStatus.QUEUED, JobStatus.RUNNING):
            notes.append(
                f"Still rendering. Resume with `seedance status {job.job_id} --wait` or the check_status tool; "
                "the job is saved and nothing is lost."
            )
        notice = " ".join(notes) or None
        return job.model_copy(update={"notice": notice})


async def _emit(
    on_progress: ProgressFn | None,
    job: Job,
    phase: Phase,
    elapsed: float,
    expected: float | None,
    message: str,
) -> None:
    if on_progress is None:
        return
    await on_progress(
        Progress(
            job_id=job.job_id,
            provider=job.provider,
            phase=phase,
            elapsed=round(max(elapsed, 0.0), 1),
            expected=None if expected is None else round(expected, 1),
            message=message,
            sandbox=job.sandbox,
        )
    )


def _not_offered(provider: Provider, err: InvalidRequest) -> str:
    if err.field and err.allowed is not None:
        allowed = ", ".join(str(v) for v in err.allowed) or "none"
        return f"{provider.id} does not offer {err.field} {err.value}; allowed: {allowed}."
    return err.message


def _unknown_note(provider: Provider, job: Job, what: str) -> str:
    cost = f"up to {job.estimated_credits} credits" if job.estimated_credits is not None else "credits"
    return (
        f"{what}: a task may have been created and may cost {cost}. It is NOT resent automatically "
        f"(that could charge twice). Check your {provider.name} dashboard or history before submitting again."
    )


def _job_error(err: SeedanceError) -> JobError:
    return JobError(code=err.code, message=err.message, retryable=err.retryable)
