"""The provider registry: id -> `Provider`. Pure data and mapping functions, no I/O.

`get_provider` is the one place an unknown provider id is refused.
"""

from __future__ import annotations

from ..errors import UnknownProvider
from .apixo import Apixo
from .base import Capabilities, PollAdvice, Provider, RateLimit, WireRequest
from .nanophoto import NanoPhoto
from .seedance2ai import Seedance2AI
from .seedance15pro import Seedance15Pro
from .seedanceapi import SeedanceApi

__all__ = [
    "PROVIDERS",
    "PROVIDER_IDS",
    "Capabilities",
    "PollAdvice",
    "Provider",
    "RateLimit",
    "WireRequest",
    "get_provider",
]

PROVIDERS: dict[str, Provider] = {
    p.id: p for p in (NanoPhoto(), SeedanceApi(), Apixo(), Seedance15Pro(), Seedance2AI())
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
