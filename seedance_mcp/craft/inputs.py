"""The caller's arguments to drafting and linting, checked and normalised: the provider, a
vocabulary choice ("slow push-in" -> dolly-in), the duration, the prompt limit to fit and
line lists (shots, dialogue). Every bad value raises `InvalidRequest` naming the field and
what is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from ..errors import InvalidRequest
from ..models import MODEL_NAMES
from ..plural import count
from ..providers import PROVIDERS, Capabilities, canonical_model, get_model, get_provider
from .limits import LINE_MAX_CHARS


@dataclass(frozen=True, kw_only=True)
class Aim:
    """What a prompt is fitted to: a provider's model (`id` the provider's id, `label` how
    messages name it), or a model on whichever provider serves it (`id` None)."""

    id: str | None
    label: str
    caps: Capabilities
    model: str | None = None
    """The canonical model name ("seedance-2.0"): the craft differs by generation."""

    @property
    def generation(self) -> int | None:
        """1 for the Seedance 1.x models, 2 for 2.x (time-coded beats, @image references,
        on-screen text); None when not known."""
        if self.model is None:
            return None
        return 2 if self.model.startswith("seedance-2") else 1


def check_provider(provider: str | None, model: str | None = None) -> Aim | None:
    """What the prompt is for: the provider named (any case) and its model (the default when
    none is named); with a model alone, that model on every provider that serves it (the
    smallest prompt limit among them, every length any of them offers); None when neither is
    named. Unknown names raise `InvalidRequest` (`providers` owns the refusals)."""
    if provider is not None:
        found = get_provider(provider)
        spec = get_model(found, model)
        label = found.id if len(found.models) == 1 else f"{found.id} {spec.name}"
        return Aim(id=found.id, label=label, caps=spec.caps, model=spec.name)
    if model is None or not model.strip():
        return None
    name = canonical_model(model)
    specs = [m for p in PROVIDERS.values() for m in p.models if m.name == name]
    if name is None or not specs:
        served = sorted({m.name for p in PROVIDERS.values() for m in p.models}, key=MODEL_NAMES.index)
        raise InvalidRequest(
            f"model: {model!r} is not a model any provider serves; allowed: {', '.join(served)}.",
            field="model",
            value=model,
            allowed=served,
        )
    tightest = min(specs, key=lambda m: m.caps.prompt_max)
    durations = tuple(sorted({d for m in specs for d in m.caps.durations}))
    caps = replace(tightest.caps, durations=durations)
    return Aim(id=None, label=f"{name} (on any provider that serves it)", caps=caps, model=name)


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


def allowed_durations(provider: Aim | None) -> tuple[int, ...]:
    """The durations of what the prompt is for, or every model's when nothing is named."""
    if provider is not None:
        return provider.caps.durations
    return tuple(sorted({d for p in PROVIDERS.values() for m in p.models for d in m.caps.durations}))


def check_duration(duration: int | None, provider: Aim | None) -> int | None:
    if duration is None:
        return None
    allowed = allowed_durations(provider)
    if isinstance(duration, bool) or not isinstance(duration, int) or duration not in allowed:
        who = provider.label if provider else "any provider"
        raise InvalidRequest(
            f"duration: {duration!r} s is not offered by {who}; "
            f"allowed: {', '.join(map(str, allowed))} (seconds).",
            field="duration",
            value=duration,
            allowed=list(allowed),
        )
    return duration


def prompt_limit(provider: Aim | None) -> tuple[int, str]:
    """The prompt limit to fit and how to name it in messages."""
    if provider is not None:
        return provider.caps.prompt_max, f"{provider.label}'s {provider.caps.prompt_max}-character limit"
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
