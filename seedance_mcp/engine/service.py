"""`Service`: the one object both front ends talk to. A thin facade over the engine's parts.

Data flows one way: request -> pre-flight (resolve against the provider's capabilities, price,
budget) -> ledger row (written before anything is sent) -> submit -> ledger -> polls ->
ledger -> download -> ledger. Clock and sleep are injected, so every schedule can be tested
without waiting; `preflight`, `runner` and `wiring` hold the work.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Unpack

from ..errors import QueueFull
from ..ledger import BUSY_TIMEOUT_SECONDS, Ledger, new_job_id
from ..models import CreditEstimate, Job, JobStatus, ProviderInfo, VideoRequest
from ..providers import get_model
from ..settings import DEFAULT_TIMEOUT_SECONDS, Settings, Target
from . import notices, preflight
from .limits import MIN_SUBMIT_WINDOW
from .preflight import Clip, DryRun, Prepared, Priced, PriceList
from .progress import ProgressFn
from .runner import Delivery, JobRunner
from .wiring import Parts, Wiring

if TYPE_CHECKING:
    from ..images.models import ImageJob, ImageRequest
    from ..images.service import ImagePlan
    from ..sandbox import Sandbox

__all__ = ["MIN_SUBMIT_WINDOW", "Service"]


class Service:
    def __init__(self, settings: Settings | None = None, **parts: Unpack[Parts]) -> None:
        """`settings` default to the environment; `parts` replace the defaults (see `Parts`)."""
        self._wiring = Wiring(settings, **parts)
        self.clock = self._wiring.clock

    @property
    def settings(self) -> Settings:
        return self._wiring.settings

    @property
    def ledger(self) -> Ledger:
        return self._wiring.ledger

    @property
    def sandbox(self) -> Sandbox | None:
        """The built-in simulator, once a sandbox job has started it (benchmarks read it)."""
        return self._wiring.sandbox

    def close(self) -> None:
        self._wiring.close()

    # ---- read-only ----------------------------------------------------------------------

    def providers(self, model: str | None = None) -> list[ProviderInfo]:
        """Every provider with its models (with `model`, those that serve it)."""
        return preflight.catalog(self.settings, model or self.settings.default_model)

    def estimate(
        self, provider: str | None = None, model: str | None = None, *, clip: Clip | None = None
    ) -> list[CreditEstimate]:
        """Price one (provider, model), or compare many (marking those that cannot make the clip)."""
        return preflight.estimate(provider, model or self.settings.default_model, clip=clip or Clip())

    def compare(
        self, provider: str | None = None, model: str | None = None, *, clip: Clip | None = None
    ) -> PriceList:
        """One (provider, model)'s price, or many at one shared length where they can (see `PriceList`)."""
        return preflight.compare(provider, model or self.settings.default_model, clip=clip or Clip())

    def prepare(self, req: VideoRequest, provider: str | None = None) -> Prepared:
        """Everything that can be refused before a credit is spent: target, validation, price."""
        return preflight.prepare(self.settings, req, provider)

    def check_budget(self, estimate: Priced, *, confirm_unpriced: bool) -> None:
        preflight.check_budget(self.settings, estimate, confirm_unpriced=confirm_unpriced)

    def dry_run(self, req: VideoRequest, provider: str | None = None) -> DryRun:
        """The request a submit would send, priced; needs no key, since nothing is sent."""
        return preflight.dry_run(preflight.prepare(self.settings, req, provider, require_key=False))

    def jobs(self, limit: int = 20, *, within: float | None = None) -> list[Job]:
        """The most recent jobs, newest first, each as every other call hands a job back
        (with what a locked ledger could not take yet, kept beside it). `within`: wait at most
        that many seconds for a ledger another process holds (then `LedgerBusy`)."""
        ledger = self.ledger
        with ledger.patience(BUSY_TIMEOUT_SECONDS if within is None else within):
            ledger.apply_stashed()
            return [notices.finish(ledger.with_pending(job)) for job in ledger.recent(limit)]

    def get_job(self, ref: str, *, within: float | None = None) -> Job:
        """One job by id, task id or unique prefix, as every other call hands a job back.
        `within`: wait at most that many seconds for a ledger another process holds (then
        `LedgerBusy`)."""
        ledger = self.ledger
        with ledger.patience(BUSY_TIMEOUT_SECONDS if within is None else within):
            ledger.apply_stashed()
            return notices.finish(ledger.with_pending(ledger.find(ref)))

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
        job_id: str | None = None,
    ) -> Job:
        """Validate, record, submit, then wait up to `wait_seconds` (None: until done or 30 min).

        `job_id`: the id to record the job under (a film links its shot to the id before the
        submit); default a fresh one."""
        target, resolved, estimate = self.prepare(req, provider)
        self.check_budget(estimate, confirm_unpriced=confirm_unpriced)
        created = datetime.fromtimestamp(self.clock(), UTC)
        job = Job(
            job_id=job_id or new_job_id(),
            provider=target.provider.id,
            status=JobStatus.QUEUED,
            request=resolved,
            sandbox=target.sandbox,
            estimated_credits=estimate.credits,
            estimated_cost=estimate.price,
            created_at=created,
            updated_at=created,
        )
        # One end for the whole call, every exchange in flight included (`limits`), so a tool
        # call that must answer within a client's timeout does. A submit always gets
        # `MIN_SUBMIT_WINDOW` to retry; the wait for the render ends at `deadline`.
        wait = DEFAULT_TIMEOUT_SECONDS if wait_seconds is None else max(0.0, wait_seconds)
        deadline = self.clock() + wait
        delivery = Delivery(download=download, output_dir=output_dir, on_progress=on_progress)
        until = max(deadline, self.clock() + self._wiring.submit_window)
        await self._check_queue(target, resolved, until=until)
        async with self._runner(target, delivery, until=until) as runner:
            job = await runner.start(job, f"seedance-{job.job_id}-{secrets.token_hex(8)}")
            if not (job.status.is_final or job.status is JobStatus.UNKNOWN or wait_seconds == 0):
                job = await runner.wait(job, deadline)
        return notices.finish(job)

    async def _check_queue(self, target: Target, req: VideoRequest, *, until: float) -> None:
        """Refuse a submit past the provider's documented cap on queued tasks (Ark: 120 per
        account), counted from the ledger (off the event loop, within the call's end), before
        anything is sent."""
        cap = get_model(target.provider, req.model).caps.max_queued
        if cap is None or target.sandbox:
            return
        await self._wiring.prepare(target)
        provider = target.provider.id
        queued = await self._wiring.records(until=until).call(
            lambda ledger: ledger.count(provider, (JobStatus.QUEUED,))
        )
        if queued >= cap:
            raise QueueFull(
                f"{target.provider.id} takes at most {cap} queued tasks per account, and {queued} jobs are "
                "recorded as queued on it; nothing was sent. Wait until some start (checking a job "
                "refreshes its status), or cancel some."
            )

    async def cancel(self, ref: str) -> Job:
        """Cancel a job where its provider allows it (`JobRunner.cancel`); `CannotCancel` if not."""
        until = self.clock() + self._wiring.submit_window
        await self._wiring.prepare()
        records = self._wiring.records(until=until)
        await records.apply_stashed()
        job = await records.find(ref)
        target = self._wiring.target_for_job(job)
        async with self._runner(target, Delivery(download=False), until=until) as runner:
            job = await runner.cancel(job)
        return notices.finish(job)

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
        until = self.clock() + max(wait_seconds, self._wiring.submit_window)
        await self._wiring.prepare()
        records = self._wiring.records(until=until)
        await records.apply_stashed()  # what a locked ledger could not take, kept beside it
        job = await records.find(ref)
        if job.status.is_final and (job.status is not JobStatus.SUCCEEDED or job.video_path or not download):
            return notices.finish(job)
        delivery = Delivery(download=download, output_dir=output_dir, on_progress=on_progress)
        target = self._wiring.target_for_job(job)
        async with self._runner(target, delivery, until=until) as runner:
            job = await runner.resume(job, wait_seconds)
        return notices.finish(job)

    # ---- images (seedance2ai's image endpoints, paid by the same key; `images.service`) ---

    def plan_image(self, req: ImageRequest) -> ImagePlan:
        """Check an image request against its model, and price it; nothing is sent."""
        from ..images import service as images

        return images.plan(self._wiring, req)

    async def generate_image(
        self,
        req: ImageRequest,
        *,
        wait_seconds: float | None = None,
        download: bool = True,
        output_dir: Path | None = None,
        confirm_unpriced: bool = False,
        on_progress: ProgressFn | None = None,
    ) -> ImageJob:
        """Check, price, record, submit, wait up to `wait_seconds`, and save the pictures."""
        from ..images import service as images

        return await images.generate(
            self._wiring,
            req,
            wait_seconds=wait_seconds,
            download=download,
            output_dir=output_dir,
            confirm_unpriced=confirm_unpriced,
            on_progress=on_progress,
        )

    async def image_status(
        self,
        ref: str,
        *,
        wait_seconds: float = 0.0,
        download: bool = True,
        output_dir: Path | None = None,
        on_progress: ProgressFn | None = None,
    ) -> ImageJob:
        """Look an image job up and finish it (a lost submit re-sent with its key, a poll, the save)."""
        from ..images import service as images

        return await images.status(
            self._wiring,
            ref,
            wait_seconds=wait_seconds,
            download=download,
            output_dir=output_dir,
            on_progress=on_progress,
        )

    @asynccontextmanager
    async def _runner(self, target: Target, delivery: Delivery, *, until: float) -> AsyncIterator[JobRunner]:
        wiring = self._wiring
        await wiring.prepare(target)
        records = wiring.records(until=until)
        async with wiring.client(target, deadline=until, records=records) as client:
            yield JobRunner(
                client=client,
                records=records,
                locks=wiring.submit_locks,
                schedule=wiring.schedule,
                download_client=wiring.download_client,
                output_dir=self.settings.output_dir,
                clock=wiring.clock,
                sleep=wiring.sleep,
                scale=wiring.scale(target.sandbox),
                delivery=delivery,
                until=until,
            )
