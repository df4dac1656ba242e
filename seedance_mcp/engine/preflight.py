"""Everything that can be refused before a credit is spent: resolve, price, budget, dry run.

All of it is pure over the settings and the provider registry: no ledger row, no request.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from pydantic import BaseModel, Field

from .. import pricing
from ..errors import BudgetExceeded, InvalidRequest
from ..models import RESOLUTIONS, CreditEstimate, ProviderInfo, VideoRequest
from ..providers import PROVIDERS, Provider, get_provider
from ..redaction import placeholder
from ..settings import Settings, Target
from ..validation import resolve_clip, resolve_request

__all__ = [
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


def catalog(settings: Settings) -> list[ProviderInfo]:
    """Every provider with its capabilities and whether a key is set for it."""
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
    provider: str | None, *, resolution: str | None, duration: int | None, audio: bool
) -> list[CreditEstimate]:
    """Price one provider, or compare all (marking those that cannot do the combination)."""
    if resolution is not None and resolution not in RESOLUTIONS:
        raise InvalidRequest(
            f"resolution: {resolution!r} is not a Seedance resolution; allowed: {', '.join(RESOLUTIONS)}.",
            field="resolution",
            value=resolution,
            allowed=RESOLUTIONS,
        )
    if provider:
        return [_priced(get_provider(provider), resolution, duration, audio, comparing=False)]
    out = []
    for p in PROVIDERS.values():
        try:
            out.append(_priced(p, resolution, duration, audio, comparing=True))
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


@dataclass(frozen=True, kw_only=True)
class PriceList:
    """Estimates of one clip: one provider's, or every provider's priced at the same length.

    `resolution` and `duration` are what was asked (None: not given). Without a duration a
    comparison prices every provider at `duration_compared`, the one length most providers
    offer; a provider that does not offer it is priced at its nearest length, and `differs`
    says so. Each provider's credits are its own unit: nothing here adds or ranks them.
    """

    estimates: list[CreditEstimate]
    resolution: str | None
    duration: int | None
    audio: bool
    duration_compared: int | None
    differs: dict[str, list[str]]
    """Per provider, how its priced clip differs from the one compared (empty: it does not)."""

    @property
    def single(self) -> bool:
        return self.duration_compared is None and len(self.estimates) == 1


def shared_duration(providers: Iterable[Provider] | None = None) -> int:
    """The length most providers offer; among equals, the one most of them default to, then the
    shortest."""
    found = list(PROVIDERS.values() if providers is None else providers)
    offered = Counter(d for p in found for d in set(p.caps.durations))
    defaults = Counter(p.caps.default_duration for p in found)
    return min(offered, key=lambda d: (-offered[d], -defaults[d], d))


def compare(provider: str | None, *, resolution: str | None, duration: int | None, audio: bool) -> PriceList:
    """One provider's estimate, else every provider's, each at the same length where it can."""
    if provider:
        found = estimate(provider, resolution=resolution, duration=duration, audio=audio)
        return PriceList(
            estimates=found,
            resolution=resolution,
            duration=duration,
            audio=audio,
            duration_compared=None,
            differs={},
        )
    if duration is not None:
        found = estimate(None, resolution=resolution, duration=duration, audio=audio)
        return PriceList(
            estimates=found,
            resolution=resolution,
            duration=duration,
            audio=audio,
            duration_compared=duration,
            differs=_differs(found, resolution),
        )
    compared = shared_duration()
    priced: dict[int, dict[str, CreditEstimate]] = {}
    found = []
    for p in PROVIDERS.values():
        length = compared if compared in p.caps.durations else _nearest(p.caps.durations, compared)
        if length not in priced:
            at = estimate(None, resolution=resolution, duration=length, audio=audio)
            priced[length] = {e.provider: e for e in at}
        found.append(priced[length][p.id])
    differs = _differs(found, resolution)
    for p, e in zip(PROVIDERS.values(), found, strict=True):
        if e.duration != compared:
            offers = ", ".join(map(str, p.caps.durations))
            differs[p.id].insert(0, f"{e.duration} s, not {compared} s: {p.id} offers {offers} s")
    return PriceList(
        estimates=found,
        resolution=resolution,
        duration=None,
        audio=audio,
        duration_compared=compared,
        differs=differs,
    )


def _nearest(durations: Iterable[int], target: int) -> int:
    return min(durations, key=lambda d: (abs(d - target), d))


def _differs(found: list[CreditEstimate], asked: str | None) -> dict[str, list[str]]:
    """How each priced clip's resolution differs from the one compared: the asked one, else the
    usual one."""
    resolutions = Counter(e.resolution for e in found if e.resolution and e.source != "not offered")
    usual = asked or (resolutions.most_common(1)[0][0] if resolutions else None)
    out: dict[str, list[str]] = {}
    for e in found:
        marks = out.setdefault(e.provider, [])
        if e.source == "not offered" or usual is None:
            continue
        if e.resolution is None:
            marks.append(f"{e.provider} chooses the resolution itself")
        elif e.resolution != usual:
            marks.append(f"{e.resolution}, not {usual}")
    return out


def _priced(
    provider: Provider, resolution: str | None, duration: int | None, audio: bool, *, comparing: bool
) -> CreditEstimate:
    # In a comparison, a provider that picks the resolution itself is still priced.
    asked = None if comparing and not provider.caps.resolutions else resolution
    res, seconds = resolve_clip(provider, resolution=asked, duration=duration, audio=audio)
    priced = pricing.estimate(provider, res, seconds, audio)
    if asked != resolution:
        note = f"{provider.id} chooses the resolution itself; {resolution} cannot be requested."
        priced = priced.model_copy(update={"note": note})
    return priced


def _not_offered(provider: Provider, err: InvalidRequest) -> str:
    if err.field and err.allowed is not None:
        allowed = ", ".join(str(v) for v in err.allowed) or "none"
        return f"{provider.id} does not offer {err.field} {err.value}; allowed: {allowed}."
    return err.message


def prepare(
    settings: Settings, req: VideoRequest, provider: str | None = None, *, require_key: bool = True
) -> Prepared:
    """Target, validation and price of a request, or the error that refuses it.

    `require_key=False` is for a dry run: a chosen provider without a key is prepared as its
    production request instead of refused (nothing will be sent)."""
    chosen = (provider or "").strip() or settings.default_provider
    if chosen:
        # Bad input is named before a missing key, so one answer fixes the request.
        resolve_request(req, get_provider(chosen))
    target = settings.target(provider, require_key=require_key)
    resolved = resolve_request(req, target.provider)
    return Prepared(target, resolved, pricing.estimate_request(target.provider, resolved))


def check_budget(settings: Settings, estimate: CreditEstimate, *, confirm_unpriced: bool) -> None:
    """Refuse a job priced above SEEDANCE_MAX_CREDITS, or unpriced under a cap unless confirmed."""
    cap = settings.max_credits
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
            f"SEEDANCE_MAX_CREDITS={cap:g}. "
            "Raise the cap, or pick a shorter, lower-resolution or silent clip."
        )


def dry_run(prepared: Prepared) -> DryRun:
    """The submit request `prepared` would send, with the key replaced by a placeholder.

    Always the production request: the provider's documented base URL (or SEEDANCE_BASE_URL),
    never the simulator's, even in sandbox mode."""
    target, resolved, price = prepared
    wire = target.provider.build_submit(resolved, "<idempotency-key>")
    base = (target.base_url or target.provider.base_url).rstrip("/")
    headers = {"Content-Type": "application/json", **wire.headers}
    headers["Authorization"] = "Bearer " + placeholder(target.key_env or target.provider.key_env)
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
        notice=target.notice,
    )
