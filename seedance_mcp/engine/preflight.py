"""Everything that can be refused before a credit is spent: resolve, price, budget, dry run.

All of it is pure over the settings and the provider registry: no ledger row, no request.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, NamedTuple, Protocol

from pydantic import BaseModel, Field

from .. import pricing
from ..errors import BudgetExceeded, InvalidRequest
from ..models import (
    ASPECT_RATIOS,
    MODEL_NAMES,
    RESOLUTIONS,
    Accepts,
    CreditEstimate,
    ModelInfo,
    Money,
    ProviderInfo,
    Unit,
    VideoRequest,
)
from ..providers import (
    PROVIDERS,
    Capabilities,
    ModelSpec,
    Provider,
    canonical_model,
    get_model,
    get_provider,
    serving,
)
from ..redaction import placeholder
from ..settings import MAX_COST_ENV, Settings, Target
from ..validation import resolve_clip, resolve_request
from . import notices, staging

__all__ = [
    "Clip",
    "DryRun",
    "Prepared",
    "PriceList",
    "catalog",
    "check_budget",
    "compare",
    "dry_run",
    "estimate",
    "prepare",
    "shared_duration",
]


SANDBOX_IMAGE_HOSTS = ("127.0.0.1",)
"""Where the built-in simulator serves its files (`seedance sandbox` and the engine's own)."""


class Prepared(NamedTuple):
    """A request that passed pre-flight: where it goes, as it will be sent, and its price."""

    target: Target
    request: VideoRequest
    estimate: CreditEstimate


class DryRun(BaseModel):
    """The exact HTTP request a submit would send (the key shown as a placeholder), and its price."""

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


def catalog(settings: Settings, model: str | None = None) -> list[ProviderInfo]:
    """Every provider with its models and their capabilities, and whether a key is set for it.

    With `model`, only the providers that serve it, each listing just that model."""
    wanted = _wanted_model(model)
    infos = []
    for p in PROVIDERS.values():
        specs = [m for m in p.models if wanted is None or m.name == wanted]
        if not specs:
            continue
        infos.append(
            ProviderInfo(
                **_accepts(specs[0].caps),
                id=p.id,
                name=p.name,
                base_url=p.base_url,
                docs=p.docs_url,
                key_env=p.key_env,
                key_set=settings.has_key(p),
                idempotency=p.caps.idempotency,
                priced=any(_price_unit(p, m) is not None for m in p.models),
                cancel=(can_cancel := p.cancel_request("task", {}) is not None),
                cancel_while=sorted(s.value for s in p.cancellable) if can_cancel else [],
                unit=p.unit,
                default_model=p.default_model.name,
                models=[_model_info(p, m) for m in specs],
            )
        )
    return infos


def _accepts(caps: Capabilities) -> dict[str, Any]:
    """The fields of `Accepts` for a model's capabilities."""
    return Accepts(
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
        references=None
        if caps.references is None
        else {
            "images": caps.references.images,
            "videos": caps.references.videos,
            "audios": caps.references.audios,
            "total": caps.references.total,
        },
        local_files=sorted(caps.local_files),
        notes=list(caps.notes),
    ).model_dump()


def _model_info(provider: Provider, spec: ModelSpec) -> ModelInfo:
    return ModelInfo(
        **_accepts(spec.caps),
        name=spec.name,
        provider_model_id=spec.wire_id,
        default=spec is provider.default_model,
        flex=spec.caps.flex,
        fps=spec.caps.fps,
        price_unit=_price_unit(provider, spec),
    )


def _price_unit(provider: Provider, spec: ModelSpec) -> Unit | None:
    token = pricing.TOKEN_PRICES.get((provider.id, spec.name))
    if token is not None:
        return token.unit
    table = pricing.PRICE_TABLES.get(provider.id)
    return "credits" if table is not None and table.model == spec.name else None


def _wanted_model(model: str | None) -> str | None:
    """The canonical name of a model asked for across providers, else `InvalidRequest`."""
    if model is None or not model.strip():
        return None
    found = canonical_model(model)
    if found is None:
        raise InvalidRequest(
            f"model: {model!r} is not a Seedance model; allowed: {', '.join(MODEL_NAMES)} "
            "(or a provider's own model id).",
            field="model",
            value=model,
            allowed=MODEL_NAMES,
        )
    if not serving(found):
        raise InvalidRequest(
            f"model: no provider serves {found} yet; served: "
            f"{', '.join(n for n in MODEL_NAMES if serving(n))}.",
            field="model",
            value=model,
            allowed=[n for n in MODEL_NAMES if serving(n)],
        )
    return found


@dataclass(frozen=True, kw_only=True)
class Clip:
    """What is priced: everything in a request but the prompt and the images."""

    resolution: str | None = None
    duration: int | None = None
    audio: bool = False
    aspect_ratio: str | None = None
    flex: bool = False


def _pairs(provider: str | None, model: str | None) -> list[tuple[Provider, ModelSpec]]:
    """What to price: one provider's model (its default when none is named), or every (provider,
    model) pair, or every provider that serves the model named."""
    if provider:
        p = get_provider(provider)
        return [(p, get_model(p, model))]
    wanted = _wanted_model(model)
    return [(p, m) for p in PROVIDERS.values() for m in p.models if wanted is None or m.name == wanted]


def estimate(provider: str | None, model: str | None = None, *, clip: Clip) -> list[CreditEstimate]:
    """Price one (provider, model), or compare many (marking those that cannot make the clip)."""
    if clip.resolution is not None and clip.resolution not in RESOLUTIONS:
        raise InvalidRequest(
            f"resolution: {clip.resolution!r} is not a Seedance resolution; "
            f"allowed: {', '.join(RESOLUTIONS)}.",
            field="resolution",
            value=clip.resolution,
            allowed=RESOLUTIONS,
        )
    if clip.aspect_ratio is not None and clip.aspect_ratio not in ASPECT_RATIOS:
        raise InvalidRequest(
            f"aspect_ratio: {clip.aspect_ratio!r} is not a Seedance frame shape; allowed: "
            f"{', '.join(ASPECT_RATIOS)}.",
            field="aspect_ratio",
            value=clip.aspect_ratio,
            allowed=ASPECT_RATIOS,
        )
    pairs = _pairs(provider, model)
    if provider:
        p, spec = pairs[0]
        return [_priced(p, spec, clip, comparing=False)]
    return [_offered_or_not(p, spec, clip) for p, spec in pairs]


Differs = dict[tuple[str, str | None], list[str]]


@dataclass(frozen=True, kw_only=True)
class PriceList:
    """Estimates of one clip: one (provider, model)'s, or many priced at the same length.

    `resolution` and `duration` are what was asked (None: not given). Without a duration a
    comparison prices every model at `duration_compared`, the one length most offer; one that
    does not offer it is priced at its nearest length, and `differs` says so. A comparison is
    ordered cheapest first within each currency (USD, then CNY), then the credit-priced models
    (each provider's credits are its own unit, never ranked against another's), then those
    without a price, then those that cannot make the clip. Nothing here adds amounts.
    """

    estimates: list[CreditEstimate]
    resolution: str | None
    duration: int | None
    audio: bool
    duration_compared: int | None
    differs: Differs
    """Per (provider, model), how its priced clip differs from the one compared (empty: it does not)."""

    @property
    def single(self) -> bool:
        return self.duration_compared is None and len(self.estimates) == 1

    def differs_for(self, e: CreditEstimate) -> list[str]:
        return self.differs.get((e.provider, e.model), [])


def shared_duration(pairs: Iterable[tuple[Provider, ModelSpec]] | None = None) -> int:
    """The length most models offer; among equals, the one most of them default to, then the
    shortest."""
    found = [m.caps for _, m in (_pairs(None, None) if pairs is None else pairs)]
    offered = Counter(d for c in found for d in set(c.durations))
    defaults = Counter(c.default_duration for c in found)
    return min(offered, key=lambda d: (-offered[d], -defaults[d], d))


def compare(provider: str | None, model: str | None = None, *, clip: Clip) -> PriceList:
    """One (provider, model)'s estimate, else many, each at the same length where it can."""

    def listing(found: list[CreditEstimate], compared: int | None, differs: Differs) -> PriceList:
        return PriceList(
            estimates=found,
            resolution=clip.resolution,
            duration=clip.duration,
            audio=clip.audio,
            duration_compared=compared,
            differs=differs,
        )

    if provider:
        return listing(estimate(provider, model, clip=clip), None, {})
    if clip.duration is not None:
        found = _ranked(estimate(None, model, clip=clip))
        return listing(found, clip.duration, _differs(found, clip.resolution))
    pairs = _pairs(None, model)
    compared = shared_duration(pairs)
    found = []
    lengths: dict[tuple[str, str], tuple[int, ...]] = {}
    for p, spec in pairs:
        durations = spec.caps.durations
        length = compared if compared in durations else _nearest(durations, compared)
        found.append(_offered_or_not(p, spec, replace(clip, duration=length)))
        lengths[(p.id, spec.name)] = durations
    found = _ranked(found)
    differs = _differs(found, clip.resolution)
    for e in found:
        if e.duration != compared and e.source != "not offered":
            offers = _span(lengths[(e.provider, e.model or "")])
            differs[(e.provider, e.model)].insert(
                0, f"{e.duration} s, not {compared} s: it offers {offers} s"
            )
    return listing(found, compared, differs)


def _offered_or_not(provider: Provider, spec: ModelSpec, clip: Clip) -> CreditEstimate:
    """The price of `clip` on (provider, model) in a comparison, or why it cannot be made there."""
    try:
        return _priced(provider, spec, clip, comparing=True)
    except InvalidRequest as err:
        return CreditEstimate(
            provider=provider.id,
            model=spec.name,
            credits=None,
            resolution=clip.resolution,
            duration=clip.duration or spec.caps.default_duration,
            audio=clip.audio,
            flex=clip.flex,
            source="not offered",
            note=_not_offered(provider, spec, err),
        )


_UNIT_ORDER = {"USD": 0, "CNY": 1, "credits": 2}


def _ranked(found: list[CreditEstimate]) -> list[CreditEstimate]:
    """Cheapest first within each currency; credits keep the registry's order (never ranked)."""

    def key(item: tuple[int, CreditEstimate]) -> tuple[int, int, float, int]:
        index, e = item
        if e.source == "not offered":
            return (3, 0, 0.0, index)
        if e.amount is None or e.unit is None:
            return (2, 0, 0.0, index)
        if e.unit == "credits":
            return (1, 0, 0.0, index)
        return (0, _UNIT_ORDER[e.unit], e.amount, index)

    return [e for _, e in sorted(enumerate(found), key=key)]


def _span(durations: tuple[int, ...]) -> str:
    """`2-12` for a run of whole seconds, else the list."""
    if len(durations) > 2 and list(durations) == list(range(durations[0], durations[-1] + 1)):
        return f"{durations[0]}-{durations[-1]}"
    return ", ".join(map(str, durations))


def _nearest(durations: Iterable[int], target: int) -> int:
    return min(durations, key=lambda d: (abs(d - target), d))


def _differs(found: list[CreditEstimate], asked: str | None) -> Differs:
    """How each priced clip's resolution differs from the one compared: the asked one, else the
    usual one."""
    resolutions = Counter(e.resolution for e in found if e.resolution and e.source != "not offered")
    usual = asked or (resolutions.most_common(1)[0][0] if resolutions else None)
    out: Differs = {}
    for e in found:
        marks = out.setdefault((e.provider, e.model), [])
        if e.source == "not offered" or usual is None:
            continue
        if e.resolution is None:
            marks.append(f"{e.provider} chooses the resolution itself")
        elif e.resolution != usual:
            marks.append(f"{e.resolution}, not {usual}")
    return out


def _priced(provider: Provider, spec: ModelSpec, clip: Clip, *, comparing: bool) -> CreditEstimate:
    # In a comparison, a provider that picks the resolution itself is still priced.
    asked = None if comparing and not spec.caps.resolutions else clip.resolution
    res, seconds = resolve_clip(
        provider,
        resolution=asked,
        duration=clip.duration,
        audio=clip.audio,
        model=spec.name,
        aspect_ratio=clip.aspect_ratio,
        flex=clip.flex,
    )
    priced = pricing.estimate(
        provider, res, seconds, clip.audio, model=spec.name, aspect_ratio=clip.aspect_ratio, flex=clip.flex
    )
    if asked != clip.resolution:
        note = f"{provider.id} chooses the resolution itself; {clip.resolution} cannot be requested."
        priced = priced.model_copy(update={"note": note})
    return priced


def _not_offered(provider: Provider, spec: ModelSpec, err: InvalidRequest) -> str:
    who = provider.id if len(provider.models) == 1 else f"{provider.id} {spec.name}"
    if err.field and err.allowed is not None:
        allowed = ", ".join(str(v) for v in err.allowed) or "none"
        return f"{who} does not offer {err.field} {err.value}; allowed: {allowed}."
    return err.message


def prepare(
    settings: Settings, req: VideoRequest, provider: str | None = None, *, require_key: bool = True
) -> Prepared:
    """Target, validation and price of a request, or the error that refuses it.

    `require_key=False` is for a dry run: a chosen provider without a key is prepared as its
    production request instead of refused (nothing will be sent)."""
    if req.model is None and settings.default_model is not None:
        req = req.model_copy(update={"model": settings.default_model})
    chosen = (provider or "").strip() or settings.default_provider
    # In sandbox mode the simulator's own files (a last frame it handed back) may start a clip.
    hosts = SANDBOX_IMAGE_HOSTS if settings.sandbox_forced else ()
    if chosen:
        # Bad input is named before a missing key, so one answer fixes the request.
        resolve_request(req, get_provider(chosen), image_hosts=hosts)
    target = settings.target(provider, require_key=require_key)
    resolved = resolve_request(
        req, target.provider, image_hosts=SANDBOX_IMAGE_HOSTS if target.sandbox else ()
    )
    return Prepared(target, resolved, pricing.estimate_request(target.provider, resolved))


class Priced(Protocol):
    """What a budget check reads of an estimate: a clip's (`CreditEstimate`) or a picture's."""

    @property
    def provider(self) -> str: ...
    @property
    def model(self) -> str | None: ...
    @property
    def price(self) -> Money | None: ...


def check_budget(settings: Settings, estimate: Priced, *, confirm_unpriced: bool) -> None:
    """Refuse a job priced above its cap: SEEDANCE_MAX_CREDITS for credits, SEEDANCE_MAX_COST
    for money. Under a cap that cannot check it (no published price, or a price in another unit)
    the job goes ahead only when the unknown cost is confirmed."""
    credit_cap, money_cap = settings.max_credits, settings.max_cost
    caps = [f"SEEDANCE_MAX_CREDITS={credit_cap:g}"] if credit_cap is not None else []
    caps += [f"{MAX_COST_ENV}={money_cap}"] if money_cap is not None else []
    if not caps:
        return
    names = [cap.split("=", 1)[0] for cap in caps]
    price = estimate.price
    who = f"{estimate.provider} {estimate.model}" if estimate.model else estimate.provider
    confirm = "Confirm the cost explicitly (CLI --confirm-cost, tool argument confirm_cost=true)"
    if price is None:
        if not confirm_unpriced:
            raise BudgetExceeded(
                f"{who} publishes no price, so {' and '.join(caps)} cannot be checked. "
                f"{confirm} or choose a priced provider.",
                caps=names,
                confirmable=True,
            )
        return
    if price.unit == "credits":
        cap: float | None = credit_cap
        cap_text = f"SEEDANCE_MAX_CREDITS={credit_cap:g}" if credit_cap is not None else None
    else:
        cap = money_cap.amount if money_cap is not None and money_cap.unit == price.unit else None
        cap_text = f"{MAX_COST_ENV}={money_cap}" if cap is not None else None
    if cap is None:
        if not confirm_unpriced:
            wanted = (
                "SEEDANCE_MAX_CREDITS" if price.unit == "credits" else f"{MAX_COST_ENV}='... {price.unit}'"
            )
            raise BudgetExceeded(
                f"this job is estimated at {price} on {who}, and {' and '.join(caps)} is in another unit, "
                f"so it cannot be checked. Set {wanted} for a cap in {price.unit}, or {confirm[0].lower()}"
                f"{confirm[1:]}.",
                caps=names,
                confirmable=True,
            )
        return
    if price.amount > cap:
        raise BudgetExceeded(
            f"this job is estimated at {price} on {who}, above {cap_text}. "
            "Raise the cap, or pick a shorter, lower-resolution or silent clip, or a cheaper model.",
            caps=[(cap_text or "").split("=", 1)[0]],
        )


def dry_run(prepared: Prepared) -> DryRun:
    """The submit request `prepared` would send, with the key replaced by a placeholder.

    Always the production request: the provider's documented base URL (or SEEDANCE_BASE_URL),
    never the simulator's, even in sandbox mode."""
    target, resolved, price = prepared
    wire = target.provider.build_submit(staging.previewed(resolved, target.provider), "<idempotency-key>")
    base = (target.base_url or target.provider.base_url).rstrip("/")
    headers = {"Content-Type": "application/json", **wire.headers}
    scheme = target.provider.auth_scheme
    headers["Authorization"] = f"{scheme} " + placeholder(target.key_env or target.provider.key_env)
    query = "?" + "&".join(f"{k}={v}" for k, v in wire.params.items()) if wire.params else ""
    return DryRun(
        provider=target.provider.id,
        method=wire.method,
        url=wire.url(base) + query,
        headers=headers,
        json=dict(wire.json) if wire.json is not None else None,
        request=resolved,
        estimate=price,
        sandbox=target.sandbox,
        notice=" ".join(n for n in (target.notice, notices.reference_note(resolved)) if n) or None,
    )
