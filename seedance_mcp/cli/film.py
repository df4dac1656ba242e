"""What each `seedance film ...` command (and `seedance demo --film`) does, as functions that
return data and never print.

The film engine is imported inside the functions, so that parsing and `--help` stay fast.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from ..engine import Service
    from ..film.films import FilmCheck
    from ..film.record import FilmRecord
    from ..film.runner import FilmProgressFn

__all__ = ["DEMO_FILM", "check", "demo", "listing", "render", "schema", "status"]

DEMO_FILM: Final[dict[str, Any]] = {
    "title": "The Lighthouse Keeper",
    "provider": "byteplus",
    "model": "seedance-1.5-pro",
    "aspect_ratio": "16:9",
    "resolution": "480p",
    "audio": True,
    "characters": {
        "mara": {"description": "a lighthouse keeper in her sixties, yellow oilskin coat, grey braid"},
    },
    "shots": [
        {
            "id": "storm",
            "prompt": "Wide shot of a lighthouse on a cliff in a night storm, waves bursting below; "
            "slow push in.",
            "duration": 4,
            "sound": "wind howling, waves crashing",
        },
        {
            "id": "stairs",
            "prompt": "Mara climbs the spiral stairs inside the tower, lantern in hand; the camera "
            "follows her up.",
            "duration": 4,
            "characters": ["mara"],
            "continue_from": "storm",
            "sound": "boots on iron steps, muffled storm",
        },
        {
            "id": "lamp",
            "prompt": "Close-up: Mara lights the great lamp and its beam sweeps out over the sea; "
            "slow orbit.",
            "duration": 4,
            "characters": ["mara"],
            "transition": "crossfade",
            "crossfade": 1.0,
            "sound": "the lamp's hum rising, distant foghorn",
        },
    ],
}
"""The demo's 3-shot film: one shot chained to the one before, one crossfade."""
DEMO_SPEED: Final = 0.02
"""The simulator renders the demo's shots at this fraction of their documented time."""


@contextmanager
def _service(sandbox: bool | None) -> Iterator[Service]:
    from ..engine import Service
    from ..settings import Settings

    svc = Service(Settings.from_env(sandbox=sandbox))
    try:
        yield svc
    finally:
        svc.close()


def _sandbox(args: argparse.Namespace) -> bool | None:
    return True if getattr(args, "sandbox", False) else None


def _max_cost(args: argparse.Namespace) -> Any:
    from ..film.plan import parse_max_cost

    return parse_max_cost(args.max_cost) if args.max_cost else None


def schema(args: argparse.Namespace) -> dict[str, Any]:
    """The storyboard's JSON Schema."""
    from ..film.storyboard import schema as board_schema

    return board_schema()


def check(args: argparse.Namespace) -> FilmCheck:
    """Check, price and plan a storyboard file; nothing is sent."""
    from ..film import films

    board = films.read_storyboard(args.file)
    with _service(_sandbox(args)) as svc:
        return films.check(
            svc,
            board,
            max_parallel=args.max_parallel,
            max_cost=_max_cost(args),
            confirm_unpriced=args.confirm_cost,
            retry_failed=args.retry_failed,
        )


async def render(
    args: argparse.Namespace,
    *,
    announce: Callable[[FilmCheck], None],
    progress: FilmProgressFn,
) -> FilmRecord:
    """Render a storyboard file: what it will do and spend is announced first, then it runs."""
    from ..film import films
    from ..film.runner import FilmOptions

    board = films.read_storyboard(args.file)
    with _service(_sandbox(args)) as svc:
        announce(
            await films.plan_to_render(
                svc, board, max_parallel=args.max_parallel, retry_failed=args.retry_failed
            )
        )
        options = FilmOptions(
            wait_seconds=args.timeout if args.wait else 0.0,
            retry_failed=args.retry_failed,
            confirm_unpriced=args.confirm_cost,
            max_cost=_max_cost(args),
            output_dir=Path(args.output_dir) if args.output_dir else None,
        )
        return await films.render(svc, board, options, max_parallel=args.max_parallel, on_progress=progress)


async def status(args: argparse.Namespace, *, progress: FilmProgressFn) -> FilmRecord:
    """Where a film stands; with --wait, carried on until done or the wait ends."""
    from ..film import films
    from ..film.runner import load_record

    sandbox = _sandbox(args)
    if sandbox is None:
        with _service(None) as svc:
            record = load_record(svc, args.film_id)
        sandbox = True if record is not None and record.sandbox else None
    with _service(sandbox) as svc:
        return await films.status(
            svc, args.film_id, wait_seconds=args.timeout if args.wait else 0.0, on_progress=progress
        )


def listing(args: argparse.Namespace) -> list[FilmRecord]:
    from ..film import films

    with _service(_sandbox(args)) as svc:
        return films.films(svc, args.limit)


async def demo(
    args: argparse.Namespace, *, announce: Callable[[FilmCheck], None], progress: FilmProgressFn
) -> FilmRecord:
    """Render the demo's 3-shot film against the built-in simulator: no key, nothing real."""
    import os

    from ..engine import Service
    from ..film import films
    from ..film.runner import FilmOptions
    from ..settings import Settings

    env = dict(os.environ)
    env.setdefault("SEEDANCE_SANDBOX_SPEED", str(DEMO_SPEED))
    board = films.read_storyboard(DEMO_FILM)
    svc = Service(Settings.from_env(env, sandbox=True))
    try:
        announce(await films.plan_to_render(svc, board, max_parallel=3, retry_failed=False))
        options = FilmOptions(
            wait_seconds=600.0, output_dir=Path(args.output_dir) if args.output_dir else None
        )
        return await films.render(svc, board, options, max_parallel=3, on_progress=progress)
    finally:
        svc.close()
