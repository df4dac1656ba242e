"""Everything that can be refused before a credit is spent: resolve, price, budget, dry run.

All of it is pure over the settings and the provider registry: no ledger row, no request.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from pydantic import BaseModel, Field

from .. import pricing
from ..errors import BudgetExceeded, InvalidRequest
from ..models import RESOLUTIONS, CreditEstimate, ProviderInfo, VideoRequest
from ..providers import PROVIDERS, Provider, get_provider
from ..redaction import placeholder
from ..settings import Settings, Target
from ..validation import resolve_clip, resolve_request

__all__ = ["DryRun", "Prepared", "catalog", "check_budget", "dry_run", "estimate", "prepare"]


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
