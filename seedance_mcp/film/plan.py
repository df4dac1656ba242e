"""A storyboard checked, priced and planned against its providers, before anything is sent.

`plan_film` turns every shot into the canonical request it will send (the characters' wording
and reference images woven in), resolves it through the engine's pre-flight against the shot's
provider and model (so a bad shot 7 refuses the whole film, naming the shot and the field),
prices it, decides how each chained shot gets its parent's last frame (the provider's
last-frame URL, or the frame taken from the parent's clip and passed as a local image), and
plans the render: which shots start at once, which wait for a parent, and the expected wall
time of the critical path. `check_film_budget` refuses a film over its caps. All of it is pure
over the settings and the registry: no ledger, no request.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from ..engine.preflight import prepare
from ..errors import BudgetExceeded, InvalidRequest, SeedanceError
from ..models import CreditEstimate, Money, Unit, VideoRequest
from ..providers import PROVIDERS, Provider, get_model
from ..settings import MAX_COST_ENV, Settings
from .record import Chain
from .storyboard import Shot, Storyboard, shot_label

__all__ = [
    "DEFAULT_MAX_PARALLEL",
    "PARENT_FRAME",
    "Chain",
    "FilmPlan",
    "ShotPlan",
    "check_film_budget",
    "film_id_for",
    "parse_max_cost",
    "plan_film",
    "safe_name",
    "shot_prompt",
    "totals",
]

DEFAULT_MAX_PARALLEL = 6
"""Shots rendering at once unless `--max-parallel` says (each provider's queue cap bounds it too)."""
PARENT_FRAME = "https://last-frame.invalid/parent.png"
"""Stands in for a chained shot's start frame while it is checked: the real one (the parent's
last frame) exists only once the parent is rendered. `.invalid` can never resolve."""


@dataclass(frozen=True, kw_only=True)
class ShotPlan:
    """One shot as it will be sent: where, the resolved request, its price and its place in time."""

    index: int
    shot: Shot
    provider: str
    request: VideoRequest
    """Resolved; a chained shot's `image_url` is `PARENT_FRAME` until its parent's frame exists."""
    estimate: CreditEstimate
    sandbox: bool
    parent: str | None
    chain: Chain | None
    crossfade: float
    expected_seconds: float
    """The typical render time of this shot (scaled in sandbox mode)."""
    start: float = 0.0
    """Expected seconds from the film's start until this shot is submitted."""
    finish: float = 0.0

    @property
    def label(self) -> str:
        return shot_label(self.index, self.shot)

    @property
    def price(self) -> Money | None:
        return self.estimate.price


@dataclass(frozen=True, kw_only=True)
class FilmPlan:
    """The whole film checked and planned: every shot, the totals per unit, the schedule."""

    film_id: str
    board: Storyboard
    shots: tuple[ShotPlan, ...]
    max_parallel: int
    expected_seconds: float
    """The expected wall time of the whole render: the critical path under the parallel limits."""
    critical_path: tuple[str, ...]
    one_shot_seconds: float
    """The expected time of the longest single shot, to compare the film's wall time with."""
    notes: tuple[str, ...] = field(default=())

    @property
    def totals(self) -> list[Money]:
        return totals(s.estimate for s in self.shots)

    @property
    def unpriced(self) -> list[str]:
        return [s.shot.id for s in self.shots if s.price is None]

    @property
    def sandbox(self) -> bool:
        return any(s.sandbox for s in self.shots)

    def shot(self, shot_id: str) -> ShotPlan:
        return next(s for s in self.shots if s.shot.id == shot_id)

    def children(self, shot_id: str) -> list[ShotPlan]:
        return [s for s in self.shots if s.parent == shot_id]

    @property
    def waves(self) -> list[list[str]]:
        """The shots grouped by how many parents they wait for: wave 0 starts at once."""
        depth: dict[str, int] = {}
        for s in self.shots:
            d, at = 0, s.parent
            while at is not None:
                d += 1
                at = self.shot(at).parent
            depth[s.shot.id] = d
        return [[sid for sid, d in depth.items() if d == level] for level in range(max(depth.values()) + 1)]


def totals(estimates: Iterable[CreditEstimate]) -> list[Money]:
    """One amount per unit (credits, USD, CNY, in that order), never summed across units."""
    return money_totals(e.price for e in estimates)


def money_totals(amounts: Iterable[Money | None]) -> list[Money]:
    """The known amounts summed per unit (credits, USD, CNY, in that order), never across units."""
    sums: dict[Unit, float] = {}
    for price in amounts:
        if price is not None:
            sums[price.unit] = sums.get(price.unit, 0.0) + price.amount
    order: tuple[Unit, ...] = ("credits", "USD", "CNY")
    return [Money(amount=round(sums[u], 6), unit=u) for u in order if u in sums]


_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def safe_name(title: str) -> str:
    """A file name from a title: letters, digits, spaces, `.`, `_`, `-`; never empty or hidden."""
    name = _UNSAFE.sub("-", title).strip(" .-")
    name = re.sub(r"-{2,}", "-", name)[:80].strip(" .-")
    return name or "film"


def film_id_for(title: str) -> str:
    """A film's id: the same for the same title, so rendering an edited storyboard continues it."""
    digest = hashlib.sha256(" ".join(title.split()).casefold().encode()).hexdigest()
    return f"film_{digest[:12]}"


def shot_prompt(board: Storyboard, shot: Shot, *, audio: bool) -> str:
    """The shot's prompt with each named character's description (and reference, as `@imageN`)
    and the shot's sound woven in, worded the same in every shot."""
    lines = [shot.prompt.strip()]
    n = 0
    for cid in shot.characters:
        c = board.characters[cid]
        name = cid
        if c.reference:
            n += 1
            name = f"{cid} (@image{n})"
        lines.append(f"{name}: {c.description.strip()}")
    if shot.sound and audio:
        lines.append(f"Sound: {shot.sound.strip()}")
    return "\n".join(lines)


def _request(board: Storyboard, shot: Shot, *, settings: Settings, last_frame: bool) -> VideoRequest:
    audio = board.audio if shot.audio is None else shot.audio
    refs = tuple(r for r in (board.characters[c].reference for c in shot.characters) if r)
    return VideoRequest(
        prompt=shot_prompt(board, shot, audio=audio),
        model=shot.model or board.model or settings.default_model,
        aspect_ratio=board.aspect_ratio,
        resolution=shot.resolution or board.resolution,
        duration=shot.duration,
        audio=audio,
        fixed_lens=shot.fixed_lens,
        image_url=PARENT_FRAME if shot.continue_from else shot.image,
        end_image_url=shot.end_image,
        seed=shot.seed,
        last_frame=last_frame,
        reference_images=refs,
    )


_STORYBOARD_FIELD = {"image_url": "image", "end_image_url": "end_image", "reference_images": "characters"}


def _in_shot(index: int, shot: Shot, err: SeedanceError) -> SeedanceError:
    """`err` as the film's refusal: the shot's label in front, the storyboard's field name."""
    label = shot_label(index, shot)
    message = err.message
    if isinstance(err, InvalidRequest):
        name = err.field or ""
        shown = _STORYBOARD_FIELD.get(name, name)
        if name and message.startswith(f"{name}:"):
            message = f"{shown}:{message[len(name) + 1 :]}"
        if PARENT_FRAME in message:
            message = message.replace(PARENT_FRAME, f"the last frame of {shot.continue_from!r}")
        return InvalidRequest(
            f"{label}: {message}",
            field=f"shots[{index}].{shown}" if shown else f"shots[{index}]",
            value=err.value,
            allowed=err.allowed,
        )
    return err  # not about the shot itself (a key to set, a ledger): said as it is


def _provider_for(settings: Settings, board: Storyboard, shot: Shot, require_key: bool) -> Provider:
    return settings.target(shot.provider or board.provider, require_key=require_key).provider


def _chain(
    settings: Settings, board: Storyboard, index: int, shot: Shot, providers: dict[str, Provider]
) -> Chain:
    """How `shot` gets its parent's last frame, or `InvalidRequest` saying why it cannot."""
    parent = board.shot(shot.continue_from or "")
    child_p, parent_p = providers[shot.id], providers[parent.id]
    child = get_model(child_p, shot.model or board.model or settings.default_model)
    parent_spec = get_model(parent_p, parent.model or board.model or settings.default_model)
    label = shot_label(index, shot)
    field_name = f"shots[{index}].continue_from"
    if not child.caps.start_image:
        takers = [p.id for p in PROVIDERS.values() if any(m.caps.start_image for m in p.models)]
        raise InvalidRequest(
            f"{label}: continue_from: {child_p.id} {child.name} takes no start frame, so it cannot start on "
            f"the last frame of {parent.id!r}. Providers that take one: {', '.join(takers)}.",
            field=field_name,
            value=shot.continue_from,
        )
    if parent_spec.caps.last_frame:
        return "last_frame"
    if "image" in child.caps.local_files:
        return "local_file"
    can = [p.id for p in PROVIDERS.values() if p.caps.last_frame or "image" in p.caps.local_files]
    raise InvalidRequest(
        f"{label}: continue_from: {child_p.id} cannot start this shot on the last frame of {parent.id!r}: "
        f"{parent_p.id} hands back no last frame of a clip, and {child_p.id} takes no local image file to "
        f"pass the frame taken from the clip. Providers that can chain shots: {', '.join(can) or 'none'}.",
        field=field_name,
        value=shot.continue_from,
        allowed=can,
    )


def plan_film(
    settings: Settings,
    board: Storyboard,
    *,
    max_parallel: int = DEFAULT_MAX_PARALLEL,
    require_key: bool = True,
) -> FilmPlan:
    """Check, price and plan every shot of `board`; the first bad shot refuses the film.

    `require_key=False` (film check) plans a chosen provider without its key as its production
    request; nothing is sent either way."""
    if max_parallel < 1:
        raise InvalidRequest(
            f"max_parallel: must be at least 1; got {max_parallel}.",
            field="max_parallel",
            value=max_parallel,
            allowed=[">= 1"],
        )
    providers: dict[str, Provider] = {}
    for i, shot in enumerate(board.shots):
        try:
            providers[shot.id] = _provider_for(settings, board, shot, require_key)
        except SeedanceError as err:
            raise _in_shot(i, shot, err) from None
    chains: dict[str, Chain] = {}
    for i, shot in enumerate(board.shots):
        if shot.continue_from is not None:
            try:
                chains[shot.id] = _chain(settings, board, i, shot, providers)
            except InvalidRequest as err:
                raise err if err.message.startswith("shots[") else _in_shot(i, shot, err) from None
    wants_frame = {
        board.shot(s.continue_from or "").id for s in board.shots if chains.get(s.id) == "last_frame"
    }

    planned: list[ShotPlan] = []
    for i, shot in enumerate(board.shots):
        req = _request(board, shot, settings=settings, last_frame=shot.id in wants_frame)
        try:
            target, resolved, estimate = prepare(
                settings, req, providers[shot.id].id, require_key=require_key
            )
        except SeedanceError as err:
            raise _in_shot(i, shot, err) from None
        assert resolved.duration is not None
        scale = settings.sandbox_speed if target.sandbox else 1.0
        spec = get_model(target.provider, resolved.model)
        low, high = spec.caps.poll.typical(resolved.duration)
        planned.append(
            ShotPlan(
                index=i,
                shot=shot,
                provider=target.provider.id,
                request=resolved,
                estimate=estimate,
                sandbox=target.sandbox,
                parent=shot.continue_from,
                chain=chains.get(shot.id),
                crossfade=shot.crossfade_seconds,
                expected_seconds=(low + high) / 2 * scale,
            )
        )
    _check_crossfades(planned)
    return _scheduled(board, planned, max_parallel)


def _check_crossfades(planned: Sequence[ShotPlan]) -> None:
    for before, shot in itertools.pairwise(planned):
        fade = shot.crossfade
        shortest = min(before.request.duration or 0, shot.request.duration or 0)
        if fade and fade >= shortest:
            raise InvalidRequest(
                f"{shot.label}: crossfade: {fade:g} s is not shorter than the shots it joins "
                f"({before.shot.id!r}: {before.request.duration} s, "
                f"{shot.shot.id!r}: {shot.request.duration} s); "
                f"allowed: less than {shortest} s.",
                field=f"shots[{shot.index}].crossfade",
                value=fade,
                allowed=[f"< {shortest}"],
            )


def queue_slots(plan_shots: Iterable[ShotPlan], max_parallel: int) -> dict[str, int]:
    """How many shots may render at once on each provider: `max_parallel`, within its queue cap."""
    slots: dict[str, int] = {}
    for s in plan_shots:
        cap = get_model(PROVIDERS[s.provider], s.request.model).caps.max_queued
        slots[s.provider] = min(max_parallel, cap if cap is not None and not s.sandbox else max_parallel)
    return slots


def _scheduled(board: Storyboard, planned: list[ShotPlan], max_parallel: int) -> FilmPlan:
    """Expected start and finish of every shot: a shot starts once its parent is done and its
    provider has a free slot, in film order (what the scheduler does)."""
    slots = queue_slots(planned, max_parallel)
    by_id = {s.shot.id: s for s in planned}
    finish: dict[str, float] = {}
    start: dict[str, float] = {}
    running: dict[str, list[float]] = {p: [] for p in slots}
    left = list(planned)
    now = 0.0
    while left:
        progressed = False
        for s in list(left):
            if s.parent is not None and s.parent not in finish:
                continue
            ready_at = finish[s.parent] if s.parent is not None else 0.0
            busy = [t for t in running[s.provider] if t > max(now, ready_at)]
            if len(busy) >= slots[s.provider]:
                continue
            at = max(now, ready_at)
            start[s.shot.id] = at
            finish[s.shot.id] = at + s.expected_seconds
            running[s.provider] = [*busy, finish[s.shot.id]]
            left.remove(s)
            progressed = True
        if not progressed:
            pending = [t for ts in running.values() for t in ts if t > now] + [
                finish[s.parent] for s in left if s.parent in finish and finish[s.parent] > now
            ]
            now = min(pending) if pending else now + 1.0
    shots = tuple(
        replace(s, start=round(start[s.shot.id], 3), finish=round(finish[s.shot.id], 3)) for s in planned
    )
    end = max(finish.values())
    last = max(shots, key=lambda s: s.finish)
    path = [last.shot.id]
    while by_id[path[-1]].parent is not None:
        path.append(by_id[path[-1]].parent or "")
    notes = _notes(shots)
    return FilmPlan(
        film_id=film_id_for(board.title),
        board=board,
        shots=shots,
        max_parallel=max_parallel,
        expected_seconds=round(end, 3),
        critical_path=tuple(reversed(path)),
        one_shot_seconds=round(max(s.expected_seconds for s in shots), 3),
        notes=notes,
    )


def _notes(shots: Sequence[ShotPlan]) -> tuple[str, ...]:
    """What the reader should know about the plan: rate budgets a film may run into."""
    notes = []
    for pid in sorted({s.provider for s in shots}):
        limit = PROVIDERS[pid].caps.rate_limit
        count = sum(1 for s in shots if s.provider == pid)
        if limit is not None and count * 4 > limit.requests:
            notes.append(
                f"{pid} allows {limit.requests} requests per {limit.per_seconds / 60:g} min ({limit.scope}), "
                f"status checks included; {count} shots may wait for that budget."
            )
    return tuple(notes)


# ---- budget -----------------------------------------------------------------------------------


def parse_max_cost(text: str) -> Money:
    """`--max-cost`: an amount and its unit, e.g. `40 credits`, `2.50 USD`, `15 CNY`."""
    parts = text.replace(",", ".").split()
    units = {"credits": "credits", "credit": "credits", "usd": "USD", "cny": "CNY"}
    if len(parts) == 2 and parts[1].lower() in units:
        try:
            amount = float(parts[0])
        except ValueError:
            amount = math.nan
        if math.isfinite(amount) and amount >= 0:
            return Money(amount=amount, unit=units[parts[1].lower()])  # type: ignore[arg-type]
    raise InvalidRequest(
        f"max_cost: {text[:40]!r} is not an amount with a unit; write e.g. '40 credits', '2.50 USD' "
        "or '15 CNY'.",
        field="max_cost",
        value=text[:40],
        allowed=["N credits", "N USD", "N CNY"],
    )


def check_film_budget(
    settings: Settings,
    shots: Sequence[ShotPlan],
    *,
    max_cost: Money | None = None,
    confirm_unpriced: bool = False,
) -> None:
    """Refuse a film whose shots to render cost more than a cap, before any submit.

    The caps are `max_cost` (`--max-cost`, in its unit) and otherwise SEEDANCE_MAX_CREDITS for
    credits and SEEDANCE_MAX_COST for money, applied to the film's total in each unit (a film
    is bought whole). A shot without a price, or a total in a unit no cap is in, passes under a
    cap only with the cost confirmed."""
    caps: dict[str, tuple[float, str]] = {}
    if settings.max_credits is not None:
        caps["credits"] = (settings.max_credits, f"SEEDANCE_MAX_CREDITS={settings.max_credits:g}")
    if settings.max_cost is not None:
        caps[settings.max_cost.unit] = (settings.max_cost.amount, f"{MAX_COST_ENV}={settings.max_cost}")
    if max_cost is not None:
        caps[max_cost.unit] = (max_cost.amount, f"--max-cost {max_cost}")
    if not caps or not shots:
        return
    names = sorted({text.split("=")[0].split(" ")[0] for _, text in caps.values()})
    confirm = "confirm the cost explicitly (CLI --confirm-cost, tool argument confirm_cost=true)"
    unpriced = [s.shot.id for s in shots if s.price is None]
    if unpriced and not confirm_unpriced:
        raise BudgetExceeded(
            f"the film's shots {', '.join(unpriced)} have no published price, so the cap cannot check "
            f"them; {confirm}, or choose a priced provider.",
            caps=names,
            confirmable=True,
        )
    for total in totals(s.estimate for s in shots):
        if total.unit not in caps:
            if confirm_unpriced:
                continue
            raise BudgetExceeded(
                f"the film is estimated at {total}, and no cap is in {total.unit} "
                f"({', '.join(text for _, text in caps.values())}); set one in {total.unit}, or {confirm}.",
                caps=names,
                confirmable=True,
            )
        cap, text = caps[total.unit]
        if total.amount > cap + 1e-9:
            count = sum(1 for s in shots if s.price is not None and s.price.unit == total.unit)
            raise BudgetExceeded(
                f"the film is estimated at {total} for {count} shot{'s' if count != 1 else ''}, above "
                f"{text}. Nothing was sent. Raise the cap, or cut, shorten or lower the resolution of shots.",
                caps=[text.split("=")[0].split(" ")[0]],
            )
