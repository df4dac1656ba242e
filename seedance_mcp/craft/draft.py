"""Drafting: `write_cinematic_prompt` turns an idea into a prompt fitted to the provider's
limit, with the render settings that suit it; `render_template` does the same for one named
template from loosely typed fields (as MCP prompt arguments arrive).

When the rendered prompt is over the limit, the least important parts are left out (style
first, light last) and a warning names each one; a sentence is never cut.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import InvalidRequest
from ..plural import count
from ..providers import PROVIDERS
from ..settings import FALSY, TRUTHY
from ..validation import check_public_url
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
from .library import load_craft, render, template_name
from .limits import IDEA_MAX_CHARS, MAX_DIALOGUE_LINES, MAX_SHOTS, OPTION_MAX_CHARS, URL_MAX_CHARS
from .lint import SECONDS_PER_SHOT, WORDS_PER_SECOND, is_audible, lint_abstract, lint_prompt
from .models import LintWarning, PromptDraft, SuggestedSettings
from .scene import Cues, Drafter, subject_of
from .text import SHOT_MARKER, camera_kinds, clean, found, sentence, split_sentences, spoken_words

__all__ = ["render_template", "write_cinematic_prompt"]


# What is left out, least important first, when the prompt is over the limit.
_DROP_ORDER: tuple[tuple[str, str], ...] = (
    ("style", "the style"),
    ("mood", "the mood"),
    ("moving", "the moving background details"),
    ("music", "the music"),
    ("angle", "the camera angle"),
    ("idea_details", "the idea's later sentences"),
    ("shot_details", "the later sentences of each shot"),
    ("effects", "the sound effects"),
    ("ambient", "the ambient sound"),
    ("light", "the light"),
)


def _without(context: dict[str, Any], key: str) -> dict[str, Any]:
    reduced = dict(context)
    if key == "shot_details":
        reduced["shots"] = [{**shot, "details": ""} for shot in context["shots"]]
    else:
        reduced[key] = ""
    return reduced


def _fit(template: str, context: dict[str, Any], limit: int, where: str) -> tuple[str, list[LintWarning]]:
    """Render, then leave out the least important parts until the prompt fits; never cut a sentence."""
    full = context
    text = render(template, context)
    dropped: list[tuple[str, str]] = []
    for key, label in _DROP_ORDER:
        if len(text) <= limit:
            break
        context = _without(context, key)
        shorter = render(template, context)
        if shorter != text:
            text = shorter
            dropped.append((key, label))
    if len(text) <= limit:
        # Put back what still fits, most important first: leave out only what must go.
        for key, label in reversed(dropped[:-1]):
            restored = (
                {**context, key: full[key]} if key != "shot_details" else {**context, "shots": full["shots"]}
            )
            longer = render(template, restored)
            if len(longer) <= limit:
                context, text = restored, longer
                dropped.remove((key, label))
    warnings = [
        LintWarning(
            rule="trimmed",
            message=f"Left out {label} to fit {where}; shorten other parts to bring it back, or choose a "
            "provider with a larger limit.",
        )
        for _, label in dropped
    ]
    if len(text) > limit:
        sizes = {
            "idea": len(context["idea"]),
            "shots": sum(len(s["text"]) for s in context["shots"]),
            "dialogue": sum(len(d["line"]) for d in context["dialogue"]),
        }
        field = max(sizes, key=lambda k: sizes[k])
        raise InvalidRequest(
            f"{field}: even with only the essentials the prompt has {len(text)} characters, "
            f"over {where}; shorten "
            f"{field} by at least {count(len(text) - limit, 'character')}.",
            field=field,
            value=sizes[field],
            allowed=[f"a prompt of at most {limit} characters"],
        )
    return text, warnings


def _choose_template(idea: str, shots: list[str], dialogue: list[str], image_url: str | None) -> str:
    if shots:
        return "multi-shot"
    if dialogue:
        return "dialogue"
    if image_url:
        return "image-to-video"
    if found(load_craft().choice.product_words, idea):
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
    """Draft a cinematic Seedance prompt from an idea, fitted to the provider's prompt limit.

    Whatever is left out (camera, light, sound...) is chosen from the idea by the scene cues
    in `prompts/craft.toml`. The template is chosen from the content when not given: shots ->
    multi-shot, dialogue -> dialogue, image_url -> image-to-video, product words -> product,
    else cinematic. Bad values raise `InvalidRequest` naming the field and what is allowed.
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
    drafter = Drafter(
        template=name,
        size_choice=check_choice("shot_size", shot_size, craft.shot_sizes, craft.shot_size_aliases),
        move_choice=check_choice("camera_move", camera_move, craft.camera_moves, craft.camera_move_aliases),
        fixed_lens=fixed_lens,
        craft=craft,
    )
    drafter.unused(
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

    sentences = split_sentences(idea)
    first = sentence(sentences[0])
    subject = subject_of(first)
    cues = Cues(" ".join([idea, *shot_list]) if drafter.defaults.scene_cues else "")
    move = drafter.main_move(idea, cues)
    lines, spoken_language = drafter.dialogue(dialogue_list, subject, clean(language))
    context: dict[str, Any] = {
        "idea": first,
        "idea_details": " ".join(sentence(s) for s in sentences[1:]),
        "subject": subject,
        "shot_size": drafter.size(idea, drafter.cued(cues, "shot_size") or drafter.defaults.shot_size),
        "angle": drafter.angle(clean(angle), cues),
        "camera": craft.camera_moves.get(move, ""),
        "camera_move": move,
        "light": drafter.light(clean(light), idea, cues),
        "moving": cues.some("moving"),
        "style": clean(style) or drafter.defaults.style,
        "mood": clean(mood) or cues.first("mood") or drafter.defaults.mood,
        **drafter.sound(clean(sound), audio, idea, cues),
        "dialogue": lines,
        "language": spoken_language,
        "shots": drafter.shots(shot_list, subject),
    }
    prompt, trimmed = _fit(name, context, limit, where)
    settings = _settings(prompt, idea, prov, duration=duration, audio=audio, fixed_lens=fixed_lens)
    if fixed_lens and prov is not None and not prov.caps.fixed_lens:
        drafter.warn(
            "fixed_lens_unsupported",
            f"{prov.label} has no fixed-lens option; the prompt asks for a static camera instead.",
        )
    final = lint_prompt(
        prompt,
        provider=prov.id if prov else None,
        model=model,
        duration=settings.duration,
        audio=settings.audio,
        fixed_lens=settings.fixed_lens,
    )
    # The templates add visible words of their own, so the idea is what must name a subject.
    warnings = drafter.warnings + trimmed + [w for w in final if w.rule != "no_visible_subject"]
    warnings += lint_abstract(" ".join([idea, *shot_list]))
    return PromptDraft(
        prompt=prompt,
        template=name,
        characters=len(prompt),
        limit=limit,
        provider=prov.id if prov else None,
        warnings=warnings,
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
    """Settings that follow the content: sound described -> audio; a still camera -> fixed lens."""
    lens_supported = provider is None or provider.caps.fixed_lens
    kinds = camera_kinds(prompt)
    still = bool(kinds) and all(kind == "static" for kind in kinds)
    return SuggestedSettings(
        audio=audio if audio is not None else is_audible(prompt),
        fixed_lens=(fixed_lens if fixed_lens is not None else still) and lens_supported,
        duration=duration if duration is not None else _suggest_duration(prompt, provider),
        aspect_ratio=_suggest_aspect(idea, provider),
    )


def _suggest_duration(prompt: str, provider: Aim | None) -> int | None:
    """Enough time for every shot (~3 s each) and every spoken word (~2.5 words/s)."""
    shots = len({m.group(1) for m in SHOT_MARKER.finditer(prompt)})
    needed = max(shots * SECONDS_PER_SHOT, math.ceil(spoken_words(prompt) / WORDS_PER_SECOND))
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
