"""The film scheduler: every shot an ordinary job, submitted in parallel, chained where asked,
never paid for twice, then checked, stitched and handed back with its review page.

`survey` says, before anything is sent, what rendering the film would do with each shot: reuse
a finished job whose resolved request has the same content hash, resume one still running,
render a new or changed shot, or (with `retry_failed`) render a failed one again; and so what it
would cost. `FilmRunner.run` does it:

1. the budget is checked on what is to be spent, then the film is written to the ledger;
2. each shot runs as its own task: a chained shot waits for its parent, then takes the parent's
   last frame (the provider's last-frame URL, else the frame taken from the parent's clip); its
   request's content hash (the parent's frame counted by the parent's job id) is linked to a job
   id in the ledger *before* the job's submit, so a process killed at any moment leaves nothing
   that the next run submits again (a linked job already recorded is resumed, never re-sent; a
   linked id with no job row never left);
3. independent shots start at once, within `max_parallel` and each provider's queue cap;
   the provider's rate budget is the engine's (shared through the ledger);
4. once every shot is done: each clip is checked (`media.check_clip`), the clips stitched, and
   the contact sheet, `film.json` and `index.html` written into the film's folder.

A clip that does not match what was asked (a duration, size, frame shape or missing sound) does
not stop the stitch: the mismatch is written on the shot and on the film, in `film.json`, in the
review page and in every answer, so nothing is stitched silently and the reader decides whether
to edit and render that shot again (which renders only that shot).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

import anyio
import anyio.to_thread
from pydantic import BaseModel

from ..engine import Service
from ..engine.progress import Progress
from ..errors import JobNotFound, SeedanceError
from ..ledger import new_job_id
from ..media_files import is_local
from ..models import Job, JobStatus, Money, VideoRequest, utcnow
from ..providers import get_model, get_provider
from .plan import FilmPlan, ShotPlan, check_film_budget, money_totals, queue_slots, safe_name, totals
from .record import Action, FilmRecord, ShotState, ShotStatus

__all__ = [
    "FILM_WAIT_SECONDS",
    "Action",
    "FilmOptions",
    "FilmRunner",
    "ShotProgress",
    "Survey",
    "film_folder",
    "load_record",
    "request_hash",
    "survey",
]

T = TypeVar("T")

THREADS = 4
"""Worker threads the film's own ledger reads and writes, frame extraction and stitch use at once."""
FILM_WAIT_SECONDS = 6 * 3600.0
SUBMIT_GRACE = 5.0
"""Seconds past the call's end in which the shots that can start are still submitted."""
"""How long `film render --wait` waits at most unless told (a long film of 2.x shots)."""


def stitch_seconds(shots: int) -> float:
    """The time left a call needs to start the finish (checks, stitch, contact sheet, page): a
    re-encode of six 10 s 720p clips with crossfades measured 11.7 s (BENCHMARKS.md), so 5 s plus
    2.5 s a shot; a stream copy takes a fraction of that."""
    return 5.0 + 2.5 * shots


class ShotProgress(BaseModel):
    """One step of one shot of a film, as the front ends report it."""

    film_id: str
    shot_id: str
    status: str
    message: str
    done: int
    total: int


FilmProgressFn = Callable[[ShotProgress], Awaitable[None]]


@dataclass(frozen=True, kw_only=True)
class FilmOptions:
    """How one run of a film goes."""

    wait_seconds: float | None = None
    """How long to wait for the shots (None: `FILM_WAIT_SECONDS`; 0: submit what can start)."""
    submit: bool = True
    """False: only look at the shots' jobs (film status without --wait); nothing new is sent."""
    retry_failed: bool = False
    confirm_unpriced: bool = False
    max_cost: Money | None = None
    output_dir: Path | None = None


@dataclass(frozen=True, kw_only=True)
class Survey:
    """What a run would do with each shot, and what it would spend."""

    actions: dict[str, Action]
    jobs: dict[str, str] = field(default_factory=dict)
    """The job each reused, resumed or failed shot already has."""
    to_spend: tuple[ShotPlan, ...] = ()

    @property
    def spend(self) -> list[Money]:
        return totals(s.estimate for s in self.to_spend)


def film_folder(plan_or_title: FilmPlan | str, output_dir: Path) -> Path:
    title = plan_or_title if isinstance(plan_or_title, str) else plan_or_title.board.title
    return output_dir / safe_name(title)


def request_hash(shot: ShotPlan, image_url: str | None, frame_of: str | None) -> str:
    """The content hash of what a shot sends: provider, sandbox or not, the resolved request, a
    chained shot's frame counted as its parent's job, and the bytes of every local file."""
    data = shot.request.model_dump(mode="json")
    data["image_url"] = frame_of if frame_of is not None else image_url
    files = {}
    references = (
        *data.get("reference_images", ()),
        *data.get("reference_videos", ()),
        *data.get("reference_audios", ()),
    )
    for value in (data.get("image_url"), data.get("end_image_url"), *references):
        if isinstance(value, str) and is_local(value) and not value.startswith("last-frame-of:"):
            try:
                files[value] = hashlib.sha256(Path(value).read_bytes()).hexdigest()
            except OSError:
                files[value] = "unreadable"
    payload = {"provider": shot.provider, "sandbox": shot.sandbox, "request": data, "files": files}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _frame_of(parent_job: str) -> str:
    return f"last-frame-of:{parent_job}"


def _root_hash(shot: ShotPlan) -> str:
    return request_hash(shot, shot.request.image_url, None)


def survey(service: Service, plan: FilmPlan, *, retry_failed: bool = False) -> Survey:
    """What rendering `plan` now would do with each shot (reads the ledger; sends nothing)."""
    ledger = service.ledger
    actions: dict[str, Action] = {}
    jobs: dict[str, str] = {}
    spend: list[ShotPlan] = []
    for shot in _in_order(plan):
        sid = shot.shot.id
        if shot.parent is not None and actions[shot.parent] in ("failed", "blocked"):
            actions[sid] = "blocked"
            continue
        if shot.parent is not None and (shot.parent not in jobs or actions[shot.parent] == "retry"):
            actions[sid] = "render"  # its parent is rendered anew, so is it
            spend.append(shot)
            continue
        digest = (
            _root_hash(shot)
            if shot.parent is None
            else request_hash(shot, None, _frame_of(jobs[shot.parent]))
        )
        linked = ledger.shot_job(digest)
        job = _job_or_none(service, linked)
        if job is None:
            actions[sid] = "render"
            spend.append(shot)
            continue
        jobs[sid] = job.job_id
        if job.status is JobStatus.SUCCEEDED:
            actions[sid] = "reuse"
        elif job.status.is_final:
            actions[sid] = "retry" if retry_failed else "failed"
            if retry_failed:
                spend.append(shot)
        else:
            actions[sid] = "resume"
    return Survey(actions=actions, jobs=jobs, to_spend=tuple(spend))


def _job_or_none(service: Service, job_id: str | None) -> Job | None:
    if job_id is None:
        return None
    try:
        return service.get_job(job_id)
    except JobNotFound:
        return None  # linked, but its process died before the job was recorded: nothing was sent


def _in_order(plan: FilmPlan) -> list[ShotPlan]:
    """Parents before children, otherwise in film order."""
    done: set[str] = set()
    out: list[ShotPlan] = []
    left = list(plan.shots)
    while left:
        for s in list(left):
            if s.parent is None or s.parent in done:
                out.append(s)
                done.add(s.shot.id)
                left.remove(s)
    return out


def load_record(service: Service, ref: str) -> FilmRecord | None:
    data = service.ledger.film(ref)
    return None if data is None else FilmRecord.model_validate_json(data)


_JOB_STATUS: dict[JobStatus, ShotStatus] = {
    JobStatus.QUEUED: "queued",
    JobStatus.RUNNING: "running",
    JobStatus.SUCCEEDED: "succeeded",
    JobStatus.FAILED: "failed",
    JobStatus.CANCELLED: "cancelled",
    JobStatus.EXPIRED: "expired",
    JobStatus.UNKNOWN: "unknown",
}


class FilmRunner:
    """One run of one film on `service`: see the module's docstring."""

    def __init__(
        self,
        service: Service,
        plan: FilmPlan,
        options: FilmOptions,
        *,
        on_progress: FilmProgressFn | None = None,
    ) -> None:
        self._svc = service
        self._plan = plan
        self._options = options
        self._on_progress = on_progress
        output = options.output_dir or service.settings.output_dir
        self.folder = film_folder(plan, output).resolve()
        wait = FILM_WAIT_SECONDS if options.wait_seconds is None else max(0.0, options.wait_seconds)
        self._deadline = service.clock() + wait
        self._stitch_deferred = False
        self._done = {s.shot.id: anyio.Event() for s in plan.shots}
        self._jobs: dict[str, Job] = {}
        self._slots = {
            p: anyio.CapacityLimiter(n) for p, n in queue_slots(plan.shots, plan.max_parallel).items()
        }
        self._saving = anyio.Lock()
        self._threads = anyio.CapacityLimiter(THREADS)
        # One submit at a time per provider: a submit whose answer is lost (a crash, a cut
        # connection) on a provider without idempotency keys is found again in its task list by
        # its settings, which a film's shots often share; with one in doubt at a time, the task
        # found is that submit's. Renders still run in parallel.
        self._submitting = {p: anyio.Lock() for p in self._slots}
        self._claims: dict[str, anyio.Lock] = {}
        self._submitted = False
        self.record = FilmRecord(
            film_id=plan.film_id,
            title=plan.board.title,
            storyboard=plan.board.model_dump(mode="json"),
            max_parallel=plan.max_parallel,
            folder=str(self.folder),
            sandbox=plan.sandbox,
            shots=[
                ShotState(id=s.shot.id, estimated_cost=s.price, status="waiting" if s.parent else "pending")
                for s in plan.shots
            ],
            estimated_total=plan.totals,
        )

    # ---- the run ----------------------------------------------------------------------------

    async def run(self) -> FilmRecord:
        """Check the budget, record the film, run every shot, and finish the film if all are done."""
        looked = await self._off(
            lambda: survey(self._svc, self._plan, retry_failed=self._options.retry_failed)
        )
        if self._options.submit:
            check_film_budget(
                self._svc.settings,
                looked.to_spend,
                max_cost=self._options.max_cost,
                confirm_unpriced=self._options.confirm_unpriced,
            )
        before = await self._off(lambda: load_record(self._svc, self._plan.film_id))
        if before is not None:
            self.record.created = before.created
        await self._save()  # the film is in the ledger before its first submit
        async with anyio.create_task_group() as tg:
            for shot in self._plan.shots:
                tg.start_soon(self._run_shot, shot)
        if all(s.status == "succeeded" for s in self.record.shots):
            if before is not None and self._same_film(before):
                self._keep_outputs(before)  # nothing changed since it was stitched
            elif self._left() >= stitch_seconds(len(self._plan.shots)):
                await self._off(self._finish)
            else:
                # A stitch cannot be cut off once it runs: within a bounded wait (MCP) it waits
                # for the next call, which finds every shot done and stitches first.
                self._stitch_deferred = True
        self.record.status = self._status()
        self.record.total_cost = money_totals(s.cost for s in self.record.shots)
        await self._save()
        return self.record

    def _same_film(self, before: FilmRecord) -> bool:
        """Whether `before` is this very film stitched: the same storyboard and the same jobs, and
        its outputs still on disk."""
        files = (before.film_file, before.contact_sheet, before.manifest, before.review_page)
        return (
            before.status == "done"
            and before.storyboard == self.record.storyboard
            and [(s.id, s.job_id) for s in before.shots] == [(s.id, s.job_id) for s in self.record.shots]
            and all(f is not None and Path(f).exists() for f in files)
        )

    def _keep_outputs(self, before: FilmRecord) -> None:
        for name in (
            "film_file",
            "contact_sheet",
            "manifest",
            "review_page",
            "stitch_method",
            "duration",
            "warnings",
        ):
            setattr(self.record, name, getattr(before, name))
        for old, new in zip(before.shots, self.record.shots, strict=True):
            new.warnings, new.measured_duration = old.warnings, old.measured_duration

    def _status(self) -> Literal["rendering", "incomplete", "done"]:
        if all(s.status == "succeeded" for s in self.record.shots):
            if self.record.film_file is not None:
                return "done"
            if self._stitch_deferred:
                return "rendering"
        going = {"pending", "waiting", "queued", "running"}
        if any(s.status in going for s in self.record.shots):
            return "rendering"
        return "incomplete"

    async def _off(self, work: Callable[[], T]) -> T:
        """`work` in a worker thread, a few at a time for the whole film: every shot's task
        starts at once, and each worker thread keeps a ledger connection of its own, so an
        unbounded burst would grow the film's memory with its number of shots."""
        return await anyio.to_thread.run_sync(work, limiter=self._threads)

    def _left(self) -> float:
        return max(0.0, self._deadline - self._svc.clock())

    async def _save(self) -> None:
        async with self._saving:
            self.record.updated = utcnow()
            record = self.record.model_copy(deep=True)
            await self._off(
                lambda: self._svc.ledger.save_film(
                    record.film_id,
                    title=record.title,
                    status=record.status,
                    data=record.model_dump_json(),
                    created_at=record.created,
                )
            )

    async def _tell(self, state: ShotState, message: str) -> None:
        if self._on_progress is None:
            return
        done = sum(
            1 for s in self.record.shots if s.status in ("succeeded", "failed", "blocked", "cancelled")
        )
        await self._on_progress(
            ShotProgress(
                film_id=self.record.film_id,
                shot_id=state.id,
                status=state.status,
                message=message,
                done=done,
                total=len(self.record.shots),
            )
        )

    # ---- one shot ---------------------------------------------------------------------------

    async def _run_shot(self, shot: ShotPlan) -> None:
        state = self.record.shot(shot.shot.id)
        try:
            await self._shot(shot, state)
        except SeedanceError as err:
            state.status = "failed"
            state.reason = err.message
            await self._tell(state, err.message)
        finally:
            await self._save()
            self._done[shot.shot.id].set()

    async def _shot(self, shot: ShotPlan, state: ShotState) -> None:
        image_url, frame_of = shot.request.image_url, None
        if shot.parent is not None:
            await self._done[shot.parent].wait()
            parent = self.record.shot(shot.parent)
            if parent.status != "succeeded":
                if parent.status in ("failed", "blocked", "cancelled", "expired", "unknown"):
                    state.status = "blocked"
                    state.reason = (
                        f"not submitted: it continues from {shot.parent!r}, which is {parent.status}"
                        + (f" ({parent.reason})" if parent.reason else "")
                        + "."
                    )
                else:
                    state.status = "waiting"
                    state.reason = f"waits for the last frame of {shot.parent!r}, which is {parent.status}."
                await self._tell(state, state.reason)
                return
            image_url = await self._frame(shot, self._jobs[shot.parent])
            frame_of = _frame_of(self._jobs[shot.parent].job_id)
            state.frame = image_url
        request = shot.request.model_copy(update={"image_url": image_url})
        digest = await self._off(lambda: request_hash(shot, image_url, frame_of))
        state.request_hash = digest
        async with self._claims.setdefault(digest, anyio.Lock()):  # identical shots share one job
            job = await self._job(shot, state, digest, request)
        if job is None:
            return
        self._jobs[shot.shot.id] = job
        state.job_id = job.job_id
        state.status = _JOB_STATUS[job.status]
        state.cost = job.cost
        state.clip = job.video_path
        state.reason = job.error.message if job.error is not None and job.status.is_final else None
        if job.status is JobStatus.UNKNOWN:
            state.reason = job.notice
        if job.status is JobStatus.SUCCEEDED and not job.video_path:
            state.status = "running"  # rendered, not saved yet: the next look fetches it
            state.reason = job.notice
        await self._tell(state, f"{shot.shot.id}: {state.status}" + (" (reused)" if state.reused else ""))

    async def _job(self, shot: ShotPlan, state: ShotState, digest: str, request: VideoRequest) -> Job | None:
        """The shot's job: one already linked to this hash (reused, resumed, or kept failed), or a
        new one, linked before its submit."""
        ledger = self._svc.ledger
        linked = await self._off(lambda: ledger.shot_job(digest))
        known = await self._off(lambda: _job_or_none(self._svc, linked))
        shots_dir = self.folder / "shots"
        if known is not None:
            state.job_id = known.job_id
            saved = known.video_path is not None and await anyio.Path(known.video_path).exists()
            if known.status is JobStatus.SUCCEEDED and saved:
                state.reused = True
                return known
            if known.status.is_final and known.status is not JobStatus.SUCCEEDED:
                if not (self._options.retry_failed and self._options.submit):
                    return known  # kept as it is: rendering it again is asked for with retry_failed
            else:
                return await self._resume(shot, state, known)
        if not self._options.submit:
            state.status = "pending"
            return None
        job_id = linked if linked is not None and known is None else new_job_id()
        replacing = known.job_id if known is not None else None
        claimed = await self._off(
            lambda: ledger.link_shot(
                digest, job_id=job_id, film_id=self.record.film_id, shot_id=shot.shot.id, replacing=replacing
            )
        )
        if claimed != job_id:
            # Another run of this storyboard claimed the shot first: carry on its job, never a second.
            other = await self._off(lambda: _job_or_none(self._svc, claimed))
            state.job_id = claimed
            if other is None:
                state.status = "pending"
                state.reason = "another run of this film is submitting it; look again in a moment."
                return None
            return await self._resume(shot, state, other)
        async with self._slots[shot.provider]:
            state.status = "queued"
            await self._tell(state, f"{shot.shot.id}: submitting to {shot.provider}")
            async with self._submitting[shot.provider]:
                if self._submitted and self._svc.clock() > self._deadline + SUBMIT_GRACE:
                    # Well past the call's end (a provider slow to answer): the next call submits it
                    # (it is claimed, never twice), so one call does not string 20 s submit windows
                    # one after another; answered submits all go out, as --no-wait promises.
                    state.status = "pending"
                    return None
                self._submitted = True
                job = await self._svc.generate(
                    request,
                    provider=shot.provider,
                    wait_seconds=0,
                    output_dir=shots_dir,
                    confirm_unpriced=self._options.confirm_unpriced,
                    on_progress=self._engine(state),
                    job_id=job_id,
                )
            if job.status.is_final or job.status is JobStatus.UNKNOWN or self._left() <= 0:
                return job
            return await self._svc.status(
                job.job_id, wait_seconds=self._left(), output_dir=shots_dir, on_progress=self._engine(state)
            )

    async def _resume(self, shot: ShotPlan, state: ShotState, job: Job) -> Job:
        """Carry on a job already recorded for this shot: look once, then wait (with `submit`)."""
        shots_dir = self.folder / "shots"
        if job.provider_task_id is None:
            # Its submit's answer was never recorded: settling it may look for its task in the
            # provider's list, which must not see another shot's submit under way (`_submitting`).
            async with self._submitting[shot.provider]:
                job = await self._svc.status(job.job_id, wait_seconds=0, output_dir=shots_dir)
        wait = self._left() if self._options.submit else 0.0
        if job.status.is_final and (job.video_path or job.status is not JobStatus.SUCCEEDED):
            return job
        if job.status is JobStatus.UNKNOWN and job.provider_task_id is None:
            return job
        async with self._slots[shot.provider]:
            return await self._svc.status(
                job.job_id, wait_seconds=wait, output_dir=shots_dir, on_progress=self._engine(state)
            )

    def _engine(self, state: ShotState) -> Callable[[Progress], Awaitable[None]]:
        async def forward(progress: Progress) -> None:
            await self._tell(state, f"{state.id}: {progress.message}")

        return forward

    async def _frame(self, shot: ShotPlan, parent: Job) -> str:
        """The parent's last frame as this shot's start image: the provider's URL, else the frame
        taken from the parent's clip as a local file."""
        if shot.chain == "last_frame" and parent.last_frame_url:
            return parent.last_frame_url
        spec = get_model(get_provider(shot.provider), shot.request.model)
        if "image" not in spec.caps.local_files:
            raise SeedanceError(
                f"{shot.shot.id}: {parent.provider} handed back no last frame of {shot.parent!r} (job "
                f"{parent.job_id}), and {shot.provider} takes no local image to start from the frame "
                "taken from the clip; the shot was not submitted.",
                code="no_last_frame",
            )
        if not parent.video_path:
            raise SeedanceError(
                f"{shot.shot.id}: the clip of {shot.parent!r} is not saved, so its last frame cannot be "
                "taken.",
                code="no_last_frame",
            )
        from . import media

        out = self.folder / "frames" / f"{shot.parent}-{parent.job_id}-last.png"
        if not out.exists():
            out.parent.mkdir(parents=True, exist_ok=True)
            clip = Path(parent.video_path)
            await self._off(lambda: media.extract_last_frame(clip, out))
        return str(out)

    # ---- the finished film ------------------------------------------------------------------

    def _finish(self) -> None:
        """Check every clip, stitch, and write the contact sheet, film.json and the review page."""
        from . import media, review
        from .manifest import FilmManifest, ShotRecord

        folder = self.folder
        folder.mkdir(parents=True, exist_ok=True)
        stitched: list[media.StitchClip] = []
        sheet: list[tuple[Path, str]] = []
        records: list[ShotRecord] = []
        warnings: list[str] = []
        for shot in self._plan.shots:
            state = self.record.shot(shot.shot.id)
            clip = Path(state.clip or "")
            req = shot.request
            state.warnings = []
            try:
                info = media.probe(clip)
            except SeedanceError as err:
                state.warnings.append(err.message)
            else:
                state.measured_duration = round(info.duration, 3)
                state.warnings = media.check_clip(
                    info,
                    duration=float(req.duration or 0),
                    resolution=req.resolution,
                    aspect_ratio=req.aspect_ratio,
                    audio=req.audio,
                    model=req.model,
                )
            warnings += [f"{shot.shot.id}: {w}" for w in state.warnings]
            stitched.append(media.StitchClip(path=clip, crossfade=shot.crossfade))
            sheet.append((clip, f"{shot.shot.id} · {state.measured_duration or req.duration:g} s"))
            records.append(
                ShotRecord(
                    id=shot.shot.id,
                    prompt=req.prompt,
                    duration=float(req.duration or 0),
                    transition=shot.shot.transition,
                    crossfade=shot.crossfade,
                    job_id=state.job_id,
                    status="reused" if state.reused else state.status,
                    cost=state.cost,
                    estimated_cost=state.estimated_cost,
                    clip=_relative(state.clip, folder),
                    measured_duration=state.measured_duration,
                    warnings=state.warnings,
                    continue_from=shot.parent,
                    characters=list(shot.shot.characters),
                )
            )
        self.record.warnings = warnings
        name = safe_name(self._plan.board.title)
        film_file = folder / f"{name}.mp4"
        part = folder / f".{name}.part.mp4"
        try:
            result = media.stitch(stitched, part)
        except SeedanceError as err:
            self.record.warnings.append(f"the film could not be stitched: {err.message}")
            part.unlink(missing_ok=True)
            return
        os.replace(part, film_file)
        sheet_file = media.contact_sheet(sheet, folder / "contact-sheet.png")
        board = self._plan.board
        first = self._plan.shots[0]
        manifest = FilmManifest(
            film_id=self.record.film_id,
            title=board.title,
            created=self.record.created,
            provider=first.provider,
            model=first.request.model,
            aspect_ratio=first.request.aspect_ratio,
            resolution=first.request.resolution,
            status="done",
            shots=records,
            total_cost=money_totals(s.cost for s in self.record.shots),
            duration=round(result.duration, 3),
            film_file=film_file.name,
            contact_sheet=sheet_file.name,
            review_page="index.html",
            stitch_method=result.method,
        )
        manifest_file = folder / "film.json"
        manifest_file.write_text(manifest.model_dump_json(indent=2) + "\n", encoding="utf-8")
        page = review.write_review_page(manifest, folder)
        self.record.film_file = str(film_file)
        self.record.contact_sheet = str(sheet_file)
        self.record.manifest = str(manifest_file)
        self.record.review_page = str(page)
        self.record.stitch_method = result.method
        self.record.duration = round(result.duration, 3)


def _relative(path: str | None, folder: Path) -> str | None:
    if path is None:
        return None
    p = Path(path).resolve()
    try:
        return str(p.relative_to(folder))
    except ValueError:
        return str(p)
