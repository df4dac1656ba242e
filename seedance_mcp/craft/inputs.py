"""The caller's arguments to drafting and linting, checked and normalised: the provider, a
vocabulary choice ("slow push-in" -> dolly-in), the duration, the prompt limit to fit and
line lists (shots, dialogue). Every bad value raises `InvalidRequest` naming the field and
what is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ..errors import InvalidRequest
from ..plural import count
from ..providers import PROVIDERS, Provider, get_provider
from .limits import LINE_MAX_CHARS


def check_provider(provider: str | None) -> Provider | None:
    """The provider named (any case), None when none is named, else `InvalidRequest`
    (`providers.get_provider` owns the refusal)."""
    return None if provider is None else get_provider(provider)


_CHOICE_NOISE = re.compile(r"^(?:(?:slow|slowly|smooth|gentle|quick|fast|camera)-)+|-(?:shot|move|movement)$")


def check_choice(
    field: str, value: str | None, known: Mapping[str, str], aliases: Mapping[str, str]
) -> str | None:
    """A vocabulary id from a user's spelling ("Close up", "slow push-in"), or None when not given."""
    if value is None or not value.strip():
        return None
    key = re.sub(r"[\s_]+", "-", value.strip().lower())
    for candidate in (key, _CHOICE_NOISE.sub("", key)):
        if candidate in known:
            return candidate
        if candidate in aliases:
            return aliases[candidate]
    raise InvalidRequest(
        f"{field}: unknown value {value!r}; allowed: {', '.join(known)}.",
        field=field,
        value=value,
        allowed=list(known),
    )


def allowed_durations(provider: Provider | None) -> tuple[int, ...]:
    """The provider's durations, or every provider's when none is named."""
    if provider is not None:
        return provider.caps.durations
    return tuple(sorted({d for p in PROVIDERS.values() for d in p.caps.durations}))


def check_duration(duration: int | None, provider: Provider | None) -> int | None:
    if duration is None:
        return None
    allowed = allowed_durations(provider)
    if isinstance(duration, bool) or not isinstance(duration, int) or duration not in allowed:
        who = provider.id if provider else "any provider"
        raise InvalidRequest(
            f"duration: {duration!r} s is not offered by {who}; "
            f"allowed: {', '.join(map(str, allowed))} (seconds).",
            field="duration",
            value=duration,
            allowed=list(allowed),
        )
    return duration


def prompt_limit(provider: Provider | None) -> tuple[int, str]:
    """The prompt limit to fit and how to name it in messages."""
    if provider is not None:
        return provider.caps.prompt_max, f"{provider.id}'s {provider.caps.prompt_max}-character limit"
    smallest = min(p.caps.prompt_max for p in PROVIDERS.values())
    holders = [p.id for p in PROVIDERS.values() if p.caps.prompt_max == smallest]
    return smallest, f"the {smallest}-character limit that fits every provider (set by {', '.join(holders)})"


def check_lines(field: str, value: str | Sequence[str] | None, *, most: int | None = None) -> list[str]:
    """One entry per line (text) or per item (list), whitespace collapsed; no empty items; at
    most `most` entries (when given) of at most `LINE_MAX_CHARS` characters each."""
    if value is None:
        return []
    items = value.splitlines() if isinstance(value, str) else list(value)
    if not all(isinstance(item, str) for item in items):
        raise InvalidRequest(f"{field}: every entry must be text.", field=field, value=value)
    given = sum(1 for item in items if item.strip())
    if most is not None and given > most:
        raise InvalidRequest(
            f"{field}: {count(given, 'entry', 'entries')} is too many; allowed: at most {most}.",
            field=field,
            allowed=[f"at most {count(most, 'entry', 'entries')}"],
        )
    for item in items:
        check_size(field, item, LINE_MAX_CHARS)
    cleaned = [re.sub(r"\s+", " ", item).strip() for item in items]
    if isinstance(value, str):
        cleaned = [item for item in cleaned if item]
    if any(not item for item in cleaned):
        raise InvalidRequest(
            f"{field}: an entry is empty; give each entry some text.",
            field=field,
            value=value,
            allowed=["non-empty text"],
        )
    return cleaned


def check_size(field: str, value: str | None, cap: int) -> None:
    """Refuse text longer than `cap` characters at once, naming the field and the cap (the
    work a longer text would take is what the cap saves)."""
    if isinstance(value, str) and len(value) > cap:
        raise InvalidRequest(
            f"{field}: {count(len(value), 'character')} is too long; allowed: at most "
            f"{count(cap, 'character')}.",
            field=field,
            allowed=[f"text of at most {count(cap, 'character')}"],
        )
