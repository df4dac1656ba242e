"""The prompt linter: `lint_prompt` checks any prompt (also a user's own) against the
documented tips and the provider's limits: length, one camera move per shot, sound versus
the audio setting, speech and shots that fit the duration, filler and abstract words.
"""

from __future__ import annotations

import itertools
import math

from ..errors import InvalidRequest
from ..plural import count
from ..providers import PROVIDERS
from .inputs import Aim, allowed_durations, check_duration, check_provider, check_size, prompt_limit
from .library import load_craft
from .limits import PROMPT_MAX_CHARS
from .models import LintWarning
from .text import SHOT_MARKER, camera_kinds, found, quoted, spoken_words

__all__ = ["SECONDS_PER_SHOT", "WORDS_PER_SECOND", "is_audible", "lint_abstract", "lint_prompt"]

WORDS_PER_SECOND = 2.5
"""Speech that fits a clip: about 2.5 words per second."""
SECONDS_PER_SHOT = 3
"""A shot shorter than about 3 seconds does not read on screen."""


def is_audible(text: str) -> bool:
    """Whether a text quotes speech or names something that makes a sound."""
    return bool(quoted(text)) or bool(found(load_craft().lint.audible, text, "verb"))


def lint_prompt(
    text: str,
    *,
    provider: str | None = None,
    model: str | None = None,
    duration: int | None = None,
    audio: bool | None = None,
    fixed_lens: bool | None = None,
    field: str = "text",
) -> list[LintWarning]:
    """Check a prompt against the documented tips and the provider's limits.

    Duration-based rules use `duration`, else the provider's default duration; with neither
    they are skipped. Audio and fixed-lens rules run only when those settings are given.
    `field` is the caller's name for the text, used in the refusals (the MCP tool's `lint`).
    """
    prov = check_provider(provider, model)
    if not isinstance(text, str) or not text.strip():
        raise InvalidRequest(
            f"{field}: there is no prompt to check.", field=field, value=text, allowed=["non-empty text"]
        )
    check_size(field, text, PROMPT_MAX_CHARS)
    duration = check_duration(duration, prov)
    if duration is None and prov is not None:
        duration = prov.caps.default_duration
    words = load_craft().lint
    warnings: list[LintWarning] = []

    limit, where = prompt_limit(prov)
    if len(text) > limit:
        bigger = [
            f"{p.id} ({p.caps.prompt_max})" for p in PROVIDERS.values() if p.caps.prompt_max >= len(text)
        ]
        warnings.append(
            LintWarning(
                rule="too_long",
                message=f"The prompt has {len(text)} characters, over {where}: "
                f"cut {count(len(text) - limit, 'character')} "
                "(filler, style and repeated detail first)"
                + (f", or use a provider with room for it: {', '.join(bigger)}." if bigger else "."),
            )
        )

    warnings += _lint_camera(text, fixed_lens)

    audible = is_audible(text)
    if audio is False and audible:
        warnings.append(
            LintWarning(
                rule="sound_without_audio",
                message="Audio is off but the prompt describes sound or dialogue: "
                "turn audio on (it usually doubles "
                "the price) or remove the sound description.",
            )
        )
    if audio is True and not audible:
        warnings.append(
            LintWarning(
                rule="audio_without_sound",
                message="Audio is on but nothing audible is described: "
                "name the ambient sound, effects or music "
                "(e.g. 'waves breaking, distant gulls'), or turn audio off to halve the cost.",
            )
        )

    if duration is not None:
        warnings += _lint_timing(text, duration, prov)

    filler = found(words.filler, text, "plain")
    if filler:
        warnings.append(
            LintWarning(
                rule="filler_words",
                message="Remove filler that gives the model nothing to show: "
                f"{', '.join(repr(f) for f in filler)}. "
                "Describe the light, texture or motion you want instead.",
            )
        )

    warnings += lint_abstract(text)
    return warnings


def lint_abstract(text: str) -> list[LintWarning]:
    """A warning when the text names only abstractions (hope, freedom) and nothing to film."""
    words = load_craft().lint
    abstract = found(words.abstract, text)
    if not abstract or found(words.concrete, text, "verb") or found(words.verbs, text, "verb"):
        return []
    return [
        LintWarning(
            rule="no_visible_subject",
            message=f"{', '.join(repr(a) for a in abstract)} cannot be filmed on their own "
            "and no visible subject "
            "or action is named: say who or what is on screen and what they do "
            "(e.g. 'a girl lets a paper lantern drift over the river').",
        )
    ]


def _lint_camera(text: str, fixed_lens: bool | None) -> list[LintWarning]:
    warnings: list[LintWarning] = []
    markers = list(SHOT_MARKER.finditer(text))
    bounds = [0, *(m.start() for m in markers), len(text)]
    for index, (start, end) in enumerate(itertools.pairwise(bounds)):
        kinds = camera_kinds(text[start:end])
        if len(kinds) > 1:
            where = (
                f"Shot {markers[index - 1].group(1)}"
                if index
                else ("The opening" if markers else "The prompt")
            )
            warnings.append(
                LintWarning(
                    rule="stacked_camera_moves",
                    message=f"{where} names several camera moves ({', '.join(kinds)}): "
                    "keep one primary move per shot "
                    "and drop the others; for more moves, split the clip into shots.",
                )
            )
    moving = [kind for kind in camera_kinds(text) if kind != "static"]
    if fixed_lens and moving:
        warnings.append(
            LintWarning(
                rule="camera_move_with_fixed_lens",
                message=f"Fixed lens is on but the prompt asks for camera motion ({', '.join(moving)}): "
                "turn fixed "
                "lens off, or describe a static camera and let the subject move.",
            )
        )
    return warnings


def _lint_timing(text: str, duration: int, provider: Aim | None) -> list[LintWarning]:
    warnings: list[LintWarning] = []
    allowed = ", ".join(map(str, allowed_durations(provider)))
    spoken = spoken_words(text)
    fits = int(duration * WORDS_PER_SECOND)
    if spoken > fits:
        warnings.append(
            LintWarning(
                rule="dialogue_too_long",
                message=f"The quoted dialogue has about {math.ceil(spoken)} words; "
                f"about {fits} fit in {duration} s "
                f"(~{WORDS_PER_SECOND:g} words per second): shorten the lines or choose a longer duration "
                f"(allowed: {allowed} s).",
            )
        )
    shots = len({m.group(1) for m in SHOT_MARKER.finditer(text)})
    if shots * SECONDS_PER_SHOT > duration:
        warnings.append(
            LintWarning(
                rule="too_many_shots",
                message=f"{shots} shots in {duration} s leave under {SECONDS_PER_SHOT} s each: use at most "
                f"{count(max(duration // SECONDS_PER_SHOT, 1), 'shot')} or a longer duration "
                f"(allowed: {allowed} s).",
            )
        )
    return warnings
