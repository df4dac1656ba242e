"""What both front ends ask of films: check, render, status, list; facts only, never worded.

Each call takes the engine's `Service` (its settings, ledger and simulator) and returns a
pydantic model the CLI prints and the MCP tools hand back: `FilmCheck` (the plan and prices,
nothing sent) and `FilmRecord` (where a rendered film stands).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import anyio.to_thread

from ..engine import Service
from ..errors import InvalidRequest
from ..models import Money
from .plan import DEFAULT_MAX_PARALLEL, FilmPlan, check_film_budget, plan_film
from .record import FilmCheck, FilmRecord, ShotCheck
from .runner import FilmOptions, FilmProgressFn, FilmRunner, load_record, survey
from .storyboard import Storyboard, decode_storyboard, load_storyboard, parse_storyboard

__all__ = ["FilmCheck", "ShotCheck", "check", "films", "read_storyboard", "render", "status"]


def read_storyboard(source: str | Path | Mapping[str, Any]) -> Storyboard:
    """A storyboard from a file path, from an already decoded mapping (an MCP argument), or from
    its YAML or JSON text (a client that sends the object as a string)."""
    if isinstance(source, Mapping):
        return parse_storyboard(source, base=Path.cwd())
    if isinstance(source, str) and (source.lstrip().startswith("{") or "\n" in source.strip()):
        return parse_storyboard(decode_storyboard(source), base=Path.cwd())
    return load_storyboard(Path(source).expanduser())


def _checked(svc: Service, plan: FilmPlan, *, retry_failed: bool) -> FilmCheck:
    looked = survey(svc, plan, retry_failed=retry_failed)
    return FilmCheck(
        film_id=plan.film_id,
        title=plan.board.title,
        sandbox=plan.sandbox,
        shots=[
            ShotCheck(
                id=s.shot.id,
                provider=s.provider,
                model=s.request.model,
                duration=s.request.duration,
                resolution=s.request.resolution,
                aspect_ratio=s.request.aspect_ratio,
                audio=s.request.audio,
                price=s.price,
                continue_from=s.parent,
                chain=s.chain,
                transition=s.shot.transition,
                crossfade=s.crossfade,
                start=s.start,
                finish=s.finish,
                action=looked.actions[s.shot.id],
                job_id=looked.jobs.get(s.shot.id),
                prompt=s.request.prompt,
            )
            for s in plan.shots
        ],
        total=plan.totals,
        to_spend=looked.spend,
        unpriced=plan.unpriced,
        waves=plan.waves,
        max_parallel=plan.max_parallel,
        expected_seconds=plan.expected_seconds,
        one_shot_seconds=plan.one_shot_seconds,
        critical_path=list(plan.critical_path),
        notes=list(plan.notes),
    )


def check(
    svc: Service,
    board: Storyboard,
    *,
    max_parallel: int = DEFAULT_MAX_PARALLEL,
    max_cost: Money | None = None,
    confirm_unpriced: bool = False,
    retry_failed: bool = False,
) -> FilmCheck:
    """Every shot resolved and priced, the whole film under its caps, the render planned.

    Needs no key (nothing is sent): a provider without its key is planned as its production
    request. `BudgetExceeded` when the film is over a cap; `InvalidRequest` naming the shot."""
    plan = plan_film(svc.settings, board, max_parallel=max_parallel, require_key=False)
    check_film_budget(svc.settings, plan.shots, max_cost=max_cost, confirm_unpriced=confirm_unpriced)
    return _checked(svc, plan, retry_failed=retry_failed)


async def render(
    svc: Service,
    board: Storyboard,
    options: FilmOptions,
    *,
    max_parallel: int = DEFAULT_MAX_PARALLEL,
    on_progress: FilmProgressFn | None = None,
) -> FilmRecord:
    """Render the film (reusing what is already paid for), within `options.wait_seconds`."""
    plan = await anyio.to_thread.run_sync(
        lambda: plan_film(svc.settings, board, max_parallel=max_parallel, require_key=True)
    )
    return await FilmRunner(svc, plan, options, on_progress=on_progress).run()


async def plan_to_render(
    svc: Service, board: Storyboard, *, max_parallel: int, retry_failed: bool
) -> FilmCheck:
    """What `render` is about to do and spend (shown before it starts)."""
    plan = await anyio.to_thread.run_sync(
        lambda: plan_film(svc.settings, board, max_parallel=max_parallel, require_key=True)
    )
    return await anyio.to_thread.run_sync(lambda: _checked(svc, plan, retry_failed=retry_failed))


async def status(
    svc: Service,
    film_id: str,
    *,
    wait_seconds: float = 0.0,
    output_dir: Path | None = None,
    on_progress: FilmProgressFn | None = None,
) -> FilmRecord:
    """Where a film stands: each shot's job looked at once; with a wait, the film carried on
    (chained shots submitted, clips fetched, the film stitched), nothing paid for twice."""
    record = await anyio.to_thread.run_sync(lambda: load_record(svc, film_id))
    if record is None:
        raise InvalidRequest(
            f"film_id: no film {film_id!r} in the ledger. `seedance film list` lists the films.",
            field="film_id",
            value=film_id,
        )
    board = parse_storyboard(record.storyboard)
    folder = Path(record.folder)
    options = FilmOptions(
        wait_seconds=wait_seconds,
        submit=wait_seconds > 0,
        output_dir=output_dir or folder.parent,
        confirm_unpriced=True,  # the film passed its caps when it was first rendered
    )
    return await render(svc, board, options, max_parallel=record.max_parallel, on_progress=on_progress)


def films(svc: Service, limit: int = 20) -> list[FilmRecord]:
    """The most recently updated films, newest first."""
    return [FilmRecord.model_validate_json(data) for data in svc.ledger.films(limit)]
