"""The provider registry: id -> `Provider`. Pure data and mapping functions, no I/O.

`get_provider` is the one place an unknown provider id is refused, `get_model` the one place
an unknown model, or one a provider does not serve, is refused.
"""

from __future__ import annotations

import re

from ..errors import InvalidRequest, UnknownProvider
from ..models import MODEL_NAMES
from .apixo import Apixo
from .ark import BytePlus, Volcengine
from .base import Capabilities, ModelSpec, PollAdvice, Provider, RateLimit, References, WireRequest
from .fal import Fal
from .nanophoto import NanoPhoto
from .replicate import Replicate
from .seedance2ai import Seedance2AI
from .seedance15pro import Seedance15Pro
from .seedanceapi import SeedanceApi

__all__ = [
    "PROVIDERS",
    "PROVIDER_IDS",
    "Capabilities",
    "ModelSpec",
    "PollAdvice",
    "Provider",
    "RateLimit",
    "References",
    "WireRequest",
    "canonical_model",
    "get_model",
    "get_provider",
    "serving",
]

PROVIDERS: dict[str, Provider] = {
    p.id: p
    for p in (
        NanoPhoto(),
        SeedanceApi(),
        Apixo(),
        Seedance15Pro(),
        Seedance2AI(),
        BytePlus(),
        Volcengine(),
        Replicate(),
        Fal(),
    )
}
PROVIDER_IDS: tuple[str, ...] = tuple(PROVIDERS)


def get_provider(provider_id: str) -> Provider:
    """The provider with this id (any case, surrounding spaces ignored), else `UnknownProvider`."""
    found = PROVIDERS.get(provider_id.strip().lower()) if isinstance(provider_id, str) else None
    if found is None:
        raise UnknownProvider(
            f"provider: unknown provider {provider_id!r}; allowed: {', '.join(PROVIDER_IDS)}.",
            field="provider",
            value=provider_id,
            allowed=PROVIDER_IDS,
        )
    return found


def _squash(name: str) -> str:
    """A model name without its vendor prefix, date suffix and punctuation: `seedance15pro`."""
    name = re.sub(r"^(dreamina|doubao|bytedance)[-_/ ]+", "", name.strip().lower())
    name = re.sub(r"[-_]\d{6}$", "", name)
    return re.sub(r"[^a-z0-9]", "", name)


_CANONICAL = {_squash(n): n for n in MODEL_NAMES}


def canonical_model(name: str) -> str | None:
    """The canonical name a model name means: a canonical name in any spelling
    (`seedance-1-5-pro`, `Seedance 1.5 Pro`) or any provider's own id; None when it is none."""
    if not isinstance(name, str) or not name.strip():
        return None
    for provider in PROVIDERS.values():
        found = provider.find_model(name)
        if found is not None:
            return found.name
    return _CANONICAL.get(_squash(name))


def serving(model: str) -> list[str]:
    """The ids of the providers that serve a canonical model."""
    return [p.id for p in PROVIDERS.values() if any(m.name == model for m in p.models)]


def get_model(provider: Provider, model: str | None) -> ModelSpec:
    """The model `provider` serves under this name (its default when None), else `InvalidRequest`
    naming the models it does serve and the providers that serve the one asked for."""
    if model is None or (isinstance(model, str) and not model.strip()):
        return provider.default_model
    found = provider.find_model(model) if isinstance(model, str) else None
    if found is not None:
        return found
    served = [m.name for m in provider.models]
    canonical = canonical_model(model) if isinstance(model, str) else None
    if canonical is not None:
        spec = next((m for m in provider.models if m.name == canonical), None)
        if spec is not None:
            return spec
        others = serving(canonical)
        elsewhere = f" Providers that serve {canonical}: {', '.join(others)}." if others else ""
        message = (
            f"model: {provider.id} does not serve {canonical}; it serves {', '.join(served)}.{elsewhere}"
        )
    else:
        message = (
            f"model: {model!r} is not a Seedance model; {provider.id} serves {', '.join(served)} "
            f"(all models: {', '.join(MODEL_NAMES)})."
        )
    raise InvalidRequest(message, field="model", value=model, allowed=served)
