"""Image jobs as the front ends reach them (through `Service`): check and price, record and
submit, wait, save; and look a recorded job up and finish it.

The same parts as a video job, from the same `Wiring`: the ledger (through `Records`), the
provider client of seedance2ai (auth, retry rule, rate budget, redaction), the simulator in
sandbox mode, the submit and download locks, and the budget check of `preflight`.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from pydantic import BaseModel

from ..engine.preflight import check_budget
from ..engine.progress import ProgressFn
from ..engine.wiring import Wiring
from ..models import JobStatus, Money
from ..providers.seedance2ai_images import PROVIDER
from ..settings import DEFAULT_TIMEOUT_SECONDS, Target
from .models import ImageJob, ImageRequest
from .runner import ImageDelivery, ImageRunner
from .store import ImageStore, new_image_job_id
from .validation import resolve_image_request

__all__ = ["ImageEstimate", "ImagePlan", "generate", "plan", "status"]

PRICE_SOURCE = "seedance2ai.io API docs (seed 004), read 2026-12-02: no image price is published"


class ImageEstimate(BaseModel):
    """The published price of an image job: none, so `amount` is null with the reason."""

    provider: str
    model: str | None
    amount: float | None = None
    unit: str | None = None
    source: str
    note: str | None = None

    @property
    def price(self) -> Money | None:
        return None if self.amount is None else Money(amount=self.amount, unit="credits")


class ImagePlan(NamedTuple):
    """What a submit would be: where it goes, the resolved request and its price."""

    target: Target
    request: ImageRequest
    estimate: ImageEstimate


def plan(wiring: Wiring, req: ImageRequest) -> ImagePlan:
    """Everything refused before a credit is spent: the request against its model, the target."""
    resolved = resolve_image_request(req)
    target = wiring.settings.target(PROVIDER.id)
    estimate = ImageEstimate(
        provider=PROVIDER.id,
        model=resolved.model,
        source=PRICE_SOURCE,
        note="The finished task reports credits_used, which the job records as its cost; the same "
        "credits pay for videos and web use.",
    )
    return ImagePlan(target=target, request=resolved, estimate=estimate)


async def generate(
    wiring: Wiring,
    req: ImageRequest,
    *,
    wait_seconds: float | None = None,
    download: bool = True,
    output_dir: Path | None = None,
    confirm_unpriced: bool = False,
    on_progress: ProgressFn | None = None,
) -> ImageJob:
    """Check, price, record, submit, then wait up to `wait_seconds` (None: the default wait)."""
    planned = plan(wiring, req)
    check_budget(wiring.settings, planned.estimate, confirm_unpriced=confirm_unpriced)
    created = datetime.fromtimestamp(wiring.clock(), UTC)
    job = ImageJob(
        job_id=new_image_job_id(),
        provider=PROVIDER.id,
        request=planned.request,
        sandbox=planned.target.sandbox,
        estimated_cost=planned.estimate.price,
        created_at=created,
        updated_at=created,
    )
    wait = DEFAULT_TIMEOUT_SECONDS if wait_seconds is None else max(0.0, wait_seconds)
    deadline = wiring.clock() + wait
    until = max(deadline, wiring.clock() + wiring.submit_window)
    delivery = ImageDelivery(download=download, output_dir=output_dir, on_progress=on_progress)
    async with _runner(wiring, planned.target, delivery, until=until) as runner:
        job = await runner.start(job, f"seedance-{job.job_id}-{secrets.token_hex(8)}")
        if job.provider_task_id is not None and not job.status.is_final and wait > 0:
            job = await runner.wait(job, deadline)
    return job


async def status(
    wiring: Wiring,
    ref: str,
    *,
    wait_seconds: float = 0.0,
    download: bool = True,
    output_dir: Path | None = None,
    on_progress: ProgressFn | None = None,
) -> ImageJob:
    """Look an image job up and take its next step: re-send a lost submit, poll, wait, save."""
    until = wiring.clock() + max(wait_seconds, wiring.submit_window)
    await wiring.prepare()
    job = await wiring.records(until=until).call(lambda ledger: ImageStore(ledger).find(ref))
    if job.saved or (job.status.is_final and job.status is not JobStatus.SUCCEEDED):
        return job
    if job.status is JobStatus.SUCCEEDED and not download:
        return job
    target = (
        Target(provider=PROVIDER, key=None, key_env=None, sandbox=True, base_url=None)
        if job.sandbox
        else wiring.settings.target(PROVIDER.id)
    )
    delivery = ImageDelivery(download=download, output_dir=output_dir, on_progress=on_progress)
    async with _runner(wiring, target, delivery, until=until) as runner:
        return await runner.resume(job, wait_seconds)


@asynccontextmanager
async def _runner(
    wiring: Wiring, target: Target, delivery: ImageDelivery, *, until: float
) -> AsyncIterator[ImageRunner]:
    await wiring.prepare(target)
    records = wiring.records(until=until)
    async with wiring.client(target, deadline=until, records=records) as client:
        yield ImageRunner(
            client=client,
            records=records,
            locks=wiring.submit_locks,
            download_client=wiring.download_client,
            output_dir=wiring.settings.output_dir,
            clock=wiring.clock,
            sleep=wiring.sleep,
            scale=wiring.scale(target.sandbox),
            delivery=delivery,
            interval=wiring.settings.poll_interval,
            until=until,
        )
