"""Drafting: `write_cinematic_prompt` composes the user's idea and fields into a prompt in the
idea's language, fitted to the provider's limit, with the render settings that suit it, the
warnings of the linter and suggestions for what the craft calls for and the user left out;
`render_template` does the same for one named template from loosely typed fields (as MCP
prompt arguments arrive).

The drafter never invents: every subject, light, sound, mood and moving detail in the prompt
is the user's. When the prompt is over the limit, the tool's own scaffolding goes first and the
user's sentences last, one at a time (see `fit`); a sentence is never cut.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from ..errors import InvalidRequest
from ..providers import PROVIDERS
from ..settings import FALSY, TRUTHY
from ..validation import check_public_url
from .compose import Composer
from .fit import fit
from .inputs import (
    Aim,
    allowed_durations,
    check_choice,
    check_duration,
    check_lines,
    check_provider,
    check_size,
    prompt_limit,
)
from .library import describe_template, load_craft, render, template_name
from .limits import IDEA_MAX_CHARS, MAX_DIALOGUE_LINES, MAX_SHOTS, OPTION_MAX_CHARS, URL_MAX_CHARS
from .lint import SECONDS_PER_SHOT, WORDS_PER_SECOND, has_action, is_audible, lint_prompt
from .models import PromptDraft, SuggestedSettings
from .suggest import suggestions
from .text import affirmed, camera_kinds, clean, detect_language, found, shot_count, spoken_words

__all__ = ["render_template", "write_cinematic_prompt"]


def _choose_template(idea: str, shots: list[str], dialogue: list[str], image_url: str | None) -> str:
    if shots:
        return "multi-shot"
    if dialogue:
        return "dialogue"
    if image_url:
        return "image-to-video"
    if found(load_craft().choice.product_words, affirmed(idea)):
        return "product"
    return "cinematic"


def write_cinematic_prompt(
    idea: str,
    *,
    provider: str | None = None,
    model: str | None = None,
    template: str | None = None,
    shot_size: str | None = None,
    camera_move: str | None = None,
    angle: str | None = None,
    light: str | None = None,
    style: str | None = None,
    mood: str | None = None,
    sound: str | None = None,
    dialogue: str | Sequence[str] | None = None,
    language: str | None = None,
    shots: Sequence[str] | None = None,
    duration: int | None = None,
    audio: bool | None = None,
    fixed_lens: bool | None = None,
    image_url: str | None = None,
) -> PromptDraft:
    """Compose a Seedance prompt from an idea and the fields given, fitted to the provider's
    prompt limit, in the idea's language.

    Only what the idea and the fields say goes in; what the craft calls for and they leave out
    (a camera move, a light, a sound for audio) comes back as `suggestions`. The template is
    chosen from the content when not given: shots -> multi-shot, dialogue -> dialogue,
    image_url -> image-to-video, product words -> product, else cinematic. Bad values raise
    `InvalidRequest` naming the field and what is allowed.
    """
    if not isinstance(idea, str) or not idea.strip():
        raise InvalidRequest(
            "idea: describe what the clip should show (who or what, doing what, where).",
            field="idea",
            value=idea,
            allowed=["a non-empty description"],
        )
    check_size("idea", idea, IDEA_MAX_CHARS)
    for field, value in (
        ("template", template),
        ("shot_size", shot_size),
        ("camera_move", camera_move),
        ("angle", angle),
        ("light", light),
        ("style", style),
        ("mood", mood),
        ("sound", sound),
        ("language", language),
    ):
        check_size(field, value, OPTION_MAX_CHARS)
    check_size("image_url", image_url, URL_MAX_CHARS)
    craft = load_craft()
    prov = check_provider(provider, model)
    limit, where = prompt_limit(prov)
    duration = check_duration(duration, prov)
    shot_list = check_lines("shots", shots, most=MAX_SHOTS)
    dialogue_list = check_lines("dialogue", dialogue, most=MAX_DIALOGUE_LINES)
    if image_url is not None:
        check_public_url(image_url, "image_url")
    name = (
        template_name(template)
        if template is not None
        else _choose_template(idea, shot_list, dialogue_list, image_url)
    )
    used = describe_template(name).fields
    code = detect_language(" ".join([idea, *shot_list]))
    beat_total = None
    if prov is not None and prov.generation == 2 and shot_list:
        beat_total = duration or _suggest_duration(len(shot_list) * SECONDS_PER_SHOT, prov)
    composer = Composer(
        template=name,
        craft=craft,
        code=code,
        vocab=craft.language(code),
        idea=idea,
        shots_given=shot_list if "shots" in used else [],
        dialogue_given=dialogue_list if "dialogue" in used else [],
        size_choice=check_choice("shot_size", shot_size, craft.shot_sizes, craft.shot_size_aliases)
        if "shot_size" in used
        else None,
        move_choice=check_choice("camera_move", camera_move, craft.camera_moves, craft.camera_move_aliases)
        if "camera_move" in used
        else None,
        angle=clean(angle) if "angle" in used else "",
        light=clean(light) if "light" in used else "",
        style=clean(style) if "style" in used else "",
        mood=clean(mood) if "mood" in used else "",
        sound=clean(sound) if "sound" in used and audio is not False else "",
        fixed_lens=fixed_lens,
        spoken_language=clean(language),
        beat_total=beat_total,
    )
    composer.unused(
        used,
        shot_size=shot_size,
        camera_move=camera_move,
        angle=angle,
        light=light,
        style=style,
        mood=mood,
        sound=sound if audio is not False else None,
        dialogue=dialogue_list,
        language=language,
        shots=shot_list,
    )
    if audio is False and sound:
        composer.warn("unused_field", "sound: left out because audio is off; turn audio on to hear it.")
    composer.prepare()

    fitted = fit(
        lambda dropped: render(name, composer.context(dropped)),
        composer.units(),
        limit=limit,
        where=where,
        sizes={
            "idea": len(composer.first),
            "shots": sum(len(s) for s in shot_list),
            "dialogue": sum(len(d) for d in dialogue_list),
        },
        is_audible=is_audible,
        names_light=lambda text: bool(found(craft.lint.light, text)),
    )
    prompt = fitted.prompt
    given = " ".join([idea, *shot_list, composer.sound])
    user_audible = is_audible(given) or bool(composer.dialogue_given)
    audio_always = prov is not None and prov.caps.audio_always
    settings = _settings(
        prompt,
        idea,
        prov,
        duration=duration,
        audio=True if audio_always else audio if audio is not None else user_audible,
        fixed_lens=fixed_lens,
    )
    if fixed_lens and prov is not None and not prov.caps.fixed_lens:
        composer.warn(
            "fixed_lens_unsupported",
            f"{prov.label} has no fixed-lens option; the prompt asks for a static camera instead.",
        )
    linted = lint_prompt(
        prompt,
        provider=prov.id if prov else None,
        model=model,
        duration=settings.duration,
        audio=settings.audio,
        fixed_lens=settings.fixed_lens,
        image=image_url is not None,
    )
    offered = suggestions(
        composer,
        audio_on=settings.audio,
        audio_always=audio_always,
        user_audible=user_audible,
        has_action=has_action(" ".join([idea, *shot_list])),
    )
    rules = {s.rule for s in offered}
    # A suggestion already says it: the same point is not made twice.
    overlap = {"audio_without_sound": "sound_missing", "thin_prompt": "action_missing"}
    warnings = [w for w in linted if overlap.get(w.rule) not in rules]
    return PromptDraft(
        prompt=prompt,
        template=name,
        language=code,
        characters=len(prompt),
        limit=limit,
        provider=prov.id if prov else None,
        warnings=composer.warnings + fitted.warnings + warnings,
        suggestions=offered,
        left_out=fitted.left_out,
        suggested_settings=settings,
    )


def _settings(
    prompt: str,
    idea: str,
    provider: Aim | None,
    *,
    duration: int | None,
    audio: bool | None,
    fixed_lens: bool | None,
) -> SuggestedSettings:
    """Settings that follow the content: the user's sound -> audio (decided by the caller); a
    still camera -> fixed lens; enough time for the shots and the spoken words."""
    lens_supported = provider is None or provider.caps.fixed_lens
    kinds = camera_kinds(prompt)
    still = bool(kinds) and all(kind == "static" for kind in kinds)
    needed = max(shot_count(prompt) * SECONDS_PER_SHOT, math.ceil(spoken_words(prompt) / WORDS_PER_SECOND))
    return SuggestedSettings(
        audio=bool(audio),
        fixed_lens=(fixed_lens if fixed_lens is not None else still) and lens_supported,
        duration=duration if duration is not None else _suggest_duration(needed, provider),
        aspect_ratio=_suggest_aspect(affirmed(idea), provider),
    )


def _suggest_duration(needed: int, provider: Aim | None) -> int | None:
    """Enough time for every shot (~3 s each) and every spoken word (~2.5 words/s)."""
    if provider is not None:
        target = max(needed, provider.caps.default_duration)
    elif needed:
        target = needed
    else:
        return None
    allowed = allowed_durations(provider)
    return next((d for d in allowed if d >= target), allowed[-1])


def _suggest_aspect(idea: str, provider: Aim | None) -> str | None:
    if provider is not None:
        offered = set(provider.caps.aspect_ratios)
    else:
        offered = set.intersection(*(set(p.caps.aspect_ratios) for p in PROVIDERS.values()))
    for ratio, words in load_craft().aspect_words.items():
        if ratio in offered and found(words, idea):
            return ratio
    return None


_RENDER_TEXT_FIELDS = (
    "idea",
    "provider",
    "shot_size",
    "camera_move",
    "angle",
    "light",
    "style",
    "mood",
    "sound",
    "language",
    "image_url",
)


def render_template(name: str, fields: Mapping[str, object] | None = None) -> str:
    """The prompt one template writes for the given fields (strings, as MCP prompt arguments arrive).

    `shots` and `dialogue` take one entry per line; `duration` a number of seconds; `audio`
    and `fixed_lens` true/false. Empty values count as not given.
    """
    name = template_name(name)
    values = {k: v for k, v in (fields or {}).items() if v not in (None, "")}
    allowed = [*_RENDER_TEXT_FIELDS, "shots", "dialogue", "duration", "audio", "fixed_lens"]
    unknown = [k for k in values if k not in allowed]
    if unknown:
        raise InvalidRequest(
            f"{unknown[0]}: not a field of the {name} template; allowed: {', '.join(allowed)}.",
            field=unknown[0],
            value=values[unknown[0]],
            allowed=allowed,
        )
    if "idea" not in values:
        raise InvalidRequest(
            "idea: describe what the clip should show.", field="idea", value=None, allowed=["text"]
        )
    text: dict[str, str] = {}
    for key in _RENDER_TEXT_FIELDS:
        if key in values:
            text[key] = _as_text(key, values[key])
    shots = values.get("shots")
    dialogue = values.get("dialogue")
    return write_cinematic_prompt(
        text.pop("idea"),
        template=name,
        shots=check_lines("shots", shots, most=MAX_SHOTS) if isinstance(shots, str | list | tuple) else None,
        dialogue=check_lines("dialogue", dialogue, most=MAX_DIALOGUE_LINES)
        if isinstance(dialogue, str | list | tuple)
        else None,
        duration=_as_int("duration", values["duration"]) if "duration" in values else None,
        audio=_as_bool("audio", values["audio"]) if "audio" in values else None,
        fixed_lens=_as_bool("fixed_lens", values["fixed_lens"]) if "fixed_lens" in values else None,
        **text,
    ).prompt


def _as_text(field: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidRequest(
            f"{field}: expected text, got {value!r}.", field=field, value=value, allowed=["text"]
        )
    return value


def _as_int(field: str, value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise InvalidRequest(
        f"{field}: expected whole seconds, got {value!r}.", field=field, value=value, allowed=["seconds"]
    )


def _as_bool(field: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUTHY:
        return True
    if word in FALSY:
        return False
    raise InvalidRequest(
        f"{field}: expected true or false, got {value!r}.", field=field, value=value, allowed=[True, False]
    )
