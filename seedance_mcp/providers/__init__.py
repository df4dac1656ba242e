"""The provider registry: id -> `Provider`. Pure data and mapping functions, no I/O."""

from __future__ import annotations

from ..errors import ConfigError
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
    try:
        return PROVIDERS[provider_id.strip().lower()]
    except KeyError:
        raise ConfigError(
            f"provider: unknown provider {provider_id!r}; allowed: {', '.join(PROVIDER_IDS)}.",
            code="invalid_request",
        ) from None
