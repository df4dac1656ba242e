"""The film tools and the `storyboard` prompt: `check_film` (check, price and plan a storyboard;
nothing is sent) and `render_film` (render it, a bounded wait at a time, reusing every shot
already paid for), each a module-level function over the runtime's `Service`.

A film outlasts one tool call: `render_film` submits what can start, waits at most
`FILM_MAX_WAIT_SECONDS`, and hands back where every shot stands; calling it again with the same
storyboard carries the film on (nothing is submitted twice) until it is stitched.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.tools import Tool
from pydantic import BaseModel, Field

from ..errors import InvalidRequest, SeedanceError
from ..film.record import FilmCheck, FilmRecord
from .models import checked_tool, read_only
from .results import tool_error
from .runtime import Runtime, RuntimeContext, runtime_of

__all__ = ["FilmCheckResult", "FilmResult", "check_film", "register", "render_film", "storyboard", "tools"]

FILM_DEFAULT_WAIT_SECONDS = 25.0
FILM_MAX_WAIT_SECONDS = 30.0
"""A film call waits at most this long: a last submit or status check may take the engine's
own 20 s window on top, which still answers inside a client's 60 s timeout."""


class FilmCheckResult(BaseModel):
    """A storyboard checked and priced, and its render planned; nothing was sent."""

    check: FilmCheck
    message: str
    next_step: str


class FilmResult(BaseModel):
    """Where a film stands after this call: every shot's job and status, and the outputs."""

    film: FilmRecord
    message: str
    next_step: str


STORYBOARD_TEXT_MAX = 200_000
"""The longest storyboard given as text (or a path) in a tool call."""

_Storyboard = Annotated[
    dict[str, Any] | Annotated[str, Field(max_length=STORYBOARD_TEXT_MAX)] | None,
    Field(
        description="The storyboard: an object (title, optional provider/model/aspect_ratio/resolution/"
        "audio, "
        "characters {id: {description, reference}}, shots [{id, prompt, duration, characters, image, "
        "end_image, continue_from, transition, crossfade, sound}]; the storyboard prompt shows how), or "
        "the path of a YAML or JSON storyboard file on this machine (it is only read), or that file's "
        f"text; at most {STORYBOARD_TEXT_MAX} characters.",
    ),
]
_MaxParallel = Annotated[int, Field(ge=1, le=50, description="Shots rendering at once (within queue caps).")]
_MaxCost = Annotated[
    str | None,
    Field(
        max_length=40,
        description="Refuse the film above this total, e.g. '40 credits' or '3 USD'; at most 40 characters.",
    ),
]
_Confirm = Annotated[
    bool,
    Field(
        description="True only after the user agreed to a price a cap cannot check (unpriced, other unit)."
    ),
]
_Retry = Annotated[bool, Field(description="Render failed shots again (show the user their cost first).")]


def _board(storyboard: dict[str, Any] | str | None) -> Any:
    from ..film.films import read_storyboard

    if storyboard is None or (isinstance(storyboard, str) and not storyboard.strip()):
        raise InvalidRequest(
            "storyboard: give the storyboard as an object, or the path of its YAML or JSON file.",
            field="storyboard",
        )
    return read_storyboard(storyboard)


def _max_cost(text: str | None) -> Any:
    from ..film.plan import parse_max_cost

    return parse_max_cost(text) if text else None


def _amounts(amounts: list[Any]) -> str:
    return " + ".join(str(m) for m in amounts) or "nothing"


async def check_film(
    ctx: RuntimeContext,
    storyboard: _Storyboard = None,
    max_parallel: _MaxParallel = 6,
    max_cost: _MaxCost = None,
    confirm_cost: _Confirm = False,
    retry_failed: _Retry = False,
) -> FilmCheckResult:
    """Check, price and plan a film storyboard. Free: nothing is sent or rendered, no key needed.

    Every shot is resolved against its provider and model (a bad shot refuses the whole film,
    naming the shot and the field), priced per shot and in total per unit (credits, USD, CNY:
    never add them), and planned: which shots start at once, which wait for a parent
    (continue_from), the expected wall time, and what rendering now would do with each shot
    (reuse a finished one, resume, render, retry). Tell the user the total (to_spend) and get
    their OK before render_film.
    """
    from ..film import films

    runtime = runtime_of(ctx)
    try:
        board = await anyio.to_thread.run_sync(_board, storyboard)
        svc = await runtime.service_async()
        check = await anyio.to_thread.run_sync(
            lambda: films.check(
                svc,
                board,
                max_parallel=max_parallel,
                max_cost=_max_cost(max_cost),
                confirm_unpriced=confirm_cost,
                retry_failed=retry_failed,
            )
        )
    except SeedanceError as err:
        raise tool_error(err, runtime) from err
    sandbox = " (sandbox: nothing real would be rendered or charged)" if check.sandbox else ""
    message = (
        f"{check.title}: {len(check.shots)} shots, {_amounts(check.total)} in all, "
        f"{_amounts(check.to_spend)} "
        f"to spend now; about {check.expected_seconds:.0f} s to render{sandbox}."
    )
    return FilmCheckResult(
        check=check,
        message=message,
        next_step="Tell the user the price to spend and get a yes, then call render_film with the same "
        "storyboard.",
    )


async def render_film(
    ctx: RuntimeContext,
    storyboard: _Storyboard = None,
    wait_seconds: Annotated[
        float,
        Field(
            ge=0, le=FILM_MAX_WAIT_SECONDS, description="Seconds to wait for the shots in this call (0-30)."
        ),
    ] = FILM_DEFAULT_WAIT_SECONDS,
    max_parallel: _MaxParallel = 6,
    max_cost: _MaxCost = None,
    confirm_cost: _Confirm = False,
    retry_failed: _Retry = False,
) -> FilmResult:
    """Render a film storyboard. THIS SPENDS CREDITS OR MONEY for every shot not rendered before.

    Run check_film first and get the user's OK on its to_spend price. Each shot is an ordinary
    job; independent shots start at once, a shot with continue_from starts on its parent's
    last frame once the parent is done. The call waits up to wait_seconds, then returns every
    shot's status. Call render_film again with the same storyboard to carry the film on:
    finished shots are reused, running ones resumed, nothing is paid for twice. An edited
    storyboard renders only the shots that changed. When every shot is done the film is
    stitched: film_file (the MP4), contact_sheet, manifest (film.json) and review_page
    (index.html) are paths on this machine; hand the film and the review page to the user.
    """
    from ..film import films
    from ..film.runner import FilmOptions, ShotProgress

    runtime = runtime_of(ctx)
    sent = -1.0

    async def progress(p: ShotProgress) -> None:
        nonlocal sent
        sent = max(float(p.done), sent + 0.01)
        try:
            await ctx.report_progress(sent, float(p.total), runtime.redact(p.message))
        except Exception:  # a note that cannot be delivered must not stop the film
            return

    try:
        board = await anyio.to_thread.run_sync(_board, storyboard)
        svc = await runtime.service_async()
        options = FilmOptions(
            wait_seconds=wait_seconds,
            retry_failed=retry_failed,
            confirm_unpriced=confirm_cost,
            max_cost=_max_cost(max_cost),
        )
        record = await films.render(svc, board, options, max_parallel=max_parallel, on_progress=progress)
    except SeedanceError as err:
        raise tool_error(err, runtime) from err
    return _film_result(record)


def _film_result(record: FilmRecord) -> FilmResult:
    counts: dict[str, int] = {}
    for s in record.shots:
        counts[s.status] = counts.get(s.status, 0) + 1
    stand = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    warned = f" {len(record.warnings)} warnings: {'; '.join(record.warnings)}." if record.warnings else ""
    match record.status:
        case "done":
            message = (
                f"{record.title} is done: {record.film_file} (review page {record.review_page}).{warned}"
            )
            step = "Hand the user the film file and the review page."
        case "rendering" if all(s.status == "succeeded" for s in record.shots):
            message = (
                f"{record.title}: every shot is done; the stitch needs more time than this call had left."
            )
            step = (
                "Call render_film again with the same storyboard: it stitches first; nothing is paid twice."
            )
        case "rendering":
            message = f"{record.title} is still rendering ({stand})."
            step = "Call render_film again with the same storyboard to carry it on; nothing is paid twice."
        case "incomplete":
            message = f"{record.title} stopped: {stand}."
            reasons = [f"{s.id}: {s.reason}" for s in record.shots if s.reason]
            if reasons:
                message += " " + " ".join(reasons)
            step = (
                "Fix the failed shots in the storyboard (or retry them with retry_failed=true after the user "
                "agrees to their cost) and call render_film again; finished shots are reused."
            )
    sandbox = " [sandbox: nothing real was rendered or charged]" if record.sandbox else ""
    return FilmResult(film=record, message=message + sandbox, next_step=step)


# ---- the storyboard prompt --------------------------------------------------------------------


STORYBOARD_GUIDE = """\
Turn this idea into a film storyboard for Seedance: {idea}
Length: about {seconds} seconds in all.

1. Split it into beats of 3-6 seconds; each beat is one shot. A shot has one subject, one \
action and ONE camera move (slow push in, pan left, orbit, static) and names its light.
2. Put every recurring person or object under `characters` once: id -> description (age, \
build, clothes, hair; the same words every time) and, if you have one, a reference image. \
Name them in each shot's `characters`; the description (and the reference) is added to every \
shot for you, so the prompt itself only says what they do.
3. Continuity: where a shot must pick up exactly where the last one ended, set \
`continue_from: <previous shot id>` (its last frame becomes this shot's first frame). Use a \
cut for a new angle or place; `transition: crossfade` with `crossfade: 0.5-1.5` for time \
passing.
4. Sound: with `audio: true`, give each shot a `sound` line (ambience, effects, a line of \
dialogue).
5. Check it with check_film (free): fix any shot it names, then tell the user the total \
price (to_spend, in its unit) and the expected render time, and ask for a yes.
6. Render with render_film; call it again with the same storyboard until the film is done \
(nothing is paid twice). Hand the user film_file (the MP4) and review_page (index.html).

Write the storyboard as an object like:
title: "..."
aspect_ratio: "16:9"
audio: true
characters: {{mara: {{description: "a lighthouse keeper in her sixties, yellow oilskin coat, grey braid"}}}}
shots:
  - {{id: storm, prompt: "Wide shot of a lighthouse in a night storm; slow push in", duration: 5, \
sound: "wind, waves"}}
  - {{id: stairs, prompt: "Mara climbs the spiral stairs; the camera follows her up", duration: 5, \
characters: [mara], continue_from: storm, sound: "boots on iron steps"}}
"""


def storyboard(
    idea: Annotated[str, Field(description="The film in one sentence: who, what, where, the feeling.")],
    seconds: Annotated[
        int | None, Field(description="About how long the film should be, in seconds.")
    ] = None,
) -> str:
    """Write a film storyboard from one sentence: beats, characters, continuity, sound; check, render."""
    return STORYBOARD_GUIDE.format(idea=idea.strip(), seconds=seconds or 30)


def tools() -> list[Tool]:
    """The film tools: check_film (free) and render_film (spends)."""
    from mcp_types import ToolAnnotations

    return [
        checked_tool(check_film, read_only("Check and price a film")),
        checked_tool(
            render_film,
            ToolAnnotations(
                title="Render a film (spends credits)",
                read_only_hint=False,
                destructive_hint=False,
                idempotent_hint=True,
                open_world_hint=True,
            ),
        ),
    ]


def register(server: MCPServer[Runtime]) -> None:
    """Put the `storyboard` prompt on `server` (the tools are published by `tools()`)."""
    server.prompt(name="storyboard", title="Film storyboard")(storyboard)
