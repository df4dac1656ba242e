"""The prompt linter: `lint_prompt` checks any prompt (also a user's own, in any supported
language) against ByteDance's documented craft and the provider's limits. Each warning names a
stable rule and says what to change:

- length (`too_long`), label lines that read better as sentences (`label_lines`);
- the camera: one move per shot (`stacked_camera_moves`, shots split at "Shot 2:", "[4-8s]",
  "cut to" and 镜头切换), no motion with a fixed lens (`camera_move_with_fixed_lens`);
- sound against the audio setting (`sound_without_audio`, `audio_without_sound`);
- timing: speech, shots, beats and events that fit the duration (`dialogue_too_long`,
  `too_many_shots`, `timecode_beyond_duration`, `too_many_events`);
- wording: negations to say positively (`negative_phrasing`), filler (`filler_words`), too little
  to film (`thin_prompt`, `no_visible_subject`), night lit by daylight (`light_against_time`);
- image-to-video that describes the image again (`image_redescribed`);
- on-screen text: unquoted (`unquoted_text`), without a position (`text_position_missing`), on a
  1.x model (`text_unsupported`); references named the 2.x way (`reference_naming`).
"""

from __future__ import annotations

import itertools
import math
import re

from ..errors import InvalidRequest
from ..plural import count
from ..providers import PROVIDERS
from .inputs import Aim, allowed_durations, check_duration, check_provider, check_size, prompt_limit
from .library import load_craft
from .limits import PROMPT_MAX_CHARS
from .models import LintWarning
from .text import (
    affirmed,
    camera_kinds,
    found,
    negated_spans,
    shot_count,
    shot_starts,
    shown,
    spoken,
    spoken_words,
    timecodes,
)

__all__ = ["SECONDS_PER_SHOT", "WORDS_PER_SECOND", "has_action", "is_audible", "lint_abstract", "lint_prompt"]

WORDS_PER_SECOND = 2.5
"""Speech that fits a clip: about 2.5 words per second."""
SECONDS_PER_SHOT = 3
"""A shot shorter than about 3 seconds does not read on screen."""
SECONDS_PER_BEAT = 3
"""One main action reads in about 3-5 seconds."""

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")
_ING = re.compile(r"\b[a-z]{3,}ing\b", re.IGNORECASE)
_NOT_ACTIONS = frozenset(
    [
        "morning",
        "evening",
        "building",
        "ceiling",
        "something",
        "nothing",
        "anything",
        "everything",
        "king",
        "ring",
        "spring",
        "string",
        "thing",
        "wing",
        "clothing",
        "lightning",
        "painting",
        "during",
        "ceiling",
        "railing",
        "awning",
        "pudding",
        "wedding",
    ]
)
_CLAUSES = re.compile(
    r"[.!?;。！？；]+|,?\s+then\s+|，?(?:然后|接着|随后|之后)|\s+luego\s+|\s+después\s+", re.I
)
# A spoken line, with what introduces it ("The old man says: "..."): timed by the dialogue rule.
_SPEECH = re.compile(
    r"\b(?:says?|said|asks?|answers?|replies|whispers?|shouts?)\b[^.!?\n\"“]{0,40}?[:,]?\s*(?:\"[^\"]{0,1000}\"|“[^”]{0,1000}”)"
    r"|(?:说|问|回答|喊)[^。！？\n“]{0,20}?[:：,，]?\s*(?:“[^”]{0,1000}”|「[^」]{0,1000}」|\"[^\"]{0,1000}\")"
)
_MOTIONS = re.compile(r"[,，、;；.。!?！？]+|\s+and\s+then\s+|\s+then\s+")
_CAMERA_SUBJECT = re.compile(r"^\s*(?:the\s+)?camera\b|^\s*镜头|^\s*カメラ|^\s*la\s+cámara", re.IGNORECASE)
_QUOTE_START = '"“«「『'
_UNQUOTED_TEXT = (
    re.compile(
        r"\b(?:sign|banner|poster|billboard|title|caption|headline|placard|label|screen|card|board|shirt|"
        r"t-shirt|text|lettering|logo|neon)\b[^.!?\"“«「』]{0,30}?\b(?:reads?|reading|says|saying|shows?|"
        r"showing|spells?|spelling|displays?|displaying|written)\s+(?:the\s+words?\s+)?"
        rf"(?![{_QUOTE_START}])([A-Z0-9][\w'’!-]*)"
    ),
    re.compile(rf"\b(?:the\s+)?(?:words?|text|title|caption)\s+(?![{_QUOTE_START}])([A-Z][A-Z0-9'’!-]+)\b"),
    re.compile(rf"(?:写着|字样为|标题为|字幕为|文字为|写有)(?![{_QUOTE_START}])([^\s，。！？“”]{{1,12}})"),
    re.compile(
        r"(?:letrero|cartel|pancarta|título)[^.!?\"“«]{0,30}?\b(?:dice|pone|se\s+lee)\s+"
        rf"(?![{_QUOTE_START}])([A-ZÁÉÍÓÚÑ]\w*)"
    ),
)
_OVERLAY = re.compile(
    r"\b(?:title|titles|caption|subtitle|text|words|lettering|overlay|headline)\b|字幕|标题|文字|テロップ|título|texto",
    re.IGNORECASE,
)
_POSITION = re.compile(
    r"\b(?:top|bottom|centre|center|middle|left|right|corner|upper|lower|above|below|across|over|on|at)\b"
    r"|上方|下方|中央|中间|左|右|角|顶部|底部|上部|下部|arriba|abajo|centro|izquierda|derecha",
    re.IGNORECASE,
)
_REFERENCE_OLD = re.compile(
    r"(?<![@\w])(?:image|img|picture|photo|video|audio)\s?(\d+)\b|\[(?:image|video|audio)\s?(\d+)\]"
    r"|(?<!@)(?:图片|图|视频|音频)\s?(\d+)",
    re.IGNORECASE,
)
_REFERENCE_AT = re.compile(r"@(?:image|video|audio)\d+", re.IGNORECASE)


def is_audible(text: str) -> bool:
    """Whether a text quotes speech or names something that makes a sound; what it negates
    ("no music") and words shown on screen (a sign's text) do not count."""
    said = affirmed(text)
    return bool(spoken(said)) or bool(found(load_craft().lint.audible, said, "verb"))


def has_action(text: str) -> bool:
    """Whether a text names something happening: a verb the lists know, or an "-ing" word."""
    said = affirmed(text)
    if found(load_craft().lint.verbs, said, "verb"):
        return True
    return any(w.lower() not in _NOT_ACTIONS for w in _ING.findall(said))


def lint_prompt(
    text: str,
    *,
    provider: str | None = None,
    model: str | None = None,
    duration: int | None = None,
    audio: bool | None = None,
    fixed_lens: bool | None = None,
    image: bool | None = None,
    field: str = "text",
) -> list[LintWarning]:
    """Check a prompt against the documented craft and the provider's limits.

    Duration-based rules use `duration`, else the provider's default duration; with neither
    they are skipped. Audio and fixed-lens rules run only when those settings are given;
    `image` says the clip animates a start image; model rules (on-screen text, references)
    need a provider or model. `field` is the caller's name for the text, used in the refusals.
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

    labels = re.findall(
        r"^\s*(" + "|".join(re.escape(w) for w in words.labels) + r")\s*[:：]",
        text,
        re.IGNORECASE | re.MULTILINE,
    )
    if labels:
        warnings.append(
            LintWarning(
                rule="label_lines",
                message=f"Write {', '.join(repr(f'{w}:') for w in dict.fromkeys(labels))} as natural "
                "sentences "
                "('The scene is lit by a single desk lamp.', 'We hear rain on the window.'): the model reads "
                "prose better than labelled lists.",
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

    warnings += _lint_wording(text)
    if image:
        warnings += _lint_image(text)
    warnings += _lint_text_on_screen(text, prov)
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
    starts = shot_starts(text)
    bounds = [0, *starts, len(text)]
    for index, (start, end) in enumerate(itertools.pairwise(bounds)):
        kinds = camera_kinds(text[start:end])
        if len(kinds) > 1:
            where = f"Shot {index}" if index else ("The opening" if starts else "The prompt")
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
    spoken_count = spoken_words(text)
    fits = int(duration * WORDS_PER_SECOND)
    if spoken_count > fits:
        warnings.append(
            LintWarning(
                rule="dialogue_too_long",
                message=f"The quoted dialogue has about {math.ceil(spoken_count)} words; "
                f"about {fits} fit in {duration} s "
                f"(~{WORDS_PER_SECOND:g} words per second): shorten the lines or choose a longer duration "
                f"(allowed: {allowed} s).",
            )
        )
    shots = shot_count(text)
    if shots * SECONDS_PER_SHOT > duration:
        warnings.append(
            LintWarning(
                rule="too_many_shots",
                message=f"{shots} shots in {duration} s leave under {SECONDS_PER_SHOT} s each: use at most "
                f"{count(max(duration // SECONDS_PER_SHOT, 1), 'shot')} or a longer duration "
                f"(allowed: {allowed} s).",
            )
        )
    coded = timecodes(text)
    if coded and max(end for _, end in coded) > duration:
        warnings.append(
            LintWarning(
                rule="timecode_beyond_duration",
                message=f"The time codes run to {max(end for _, end in coded)} s but the clip is "
                f"{duration} s: "
                f"end the last beat at {duration} s, or choose a longer duration (allowed: {allowed} s).",
            )
        )
    if not shots:
        beats = _events(text, _CLAUSES)
        motions = _events(text, _MOTIONS)
        most = duration // SECONDS_PER_BEAT + 1
        if len(beats) > most or len(motions) > duration + 1:
            found_count = len(beats) if len(beats) > most else len(motions)
            keep = most if len(beats) > most else duration + 1
            warnings.append(
                LintWarning(
                    rule="too_many_events",
                    message=f"{found_count} separate actions in {duration} s: one main action reads in about "
                    f"3-5 s, so keep about {keep} (merge or drop the rest), split the clip into shots, or "
                    f"choose a longer duration (allowed: {allowed} s).",
                )
            )
    return warnings


def _events(text: str, split: re.Pattern[str]) -> list[str]:
    """The clauses of a text that each add an action (the camera's framing and moves, and the
    spoken lines, which the dialogue rule times, not counted): sentences are the main beats,
    comma-separated clauses the small motions within them."""
    unquoted = _SPEECH.sub(" ", text)
    clauses = [c.strip() for c in split.split(unquoted) if c and c.strip()]
    return [c for c in clauses if not _CAMERA_SUBJECT.search(c) and not camera_kinds(c) and has_action(c)]


def _lint_wording(text: str) -> list[LintWarning]:
    words = load_craft().lint
    warnings: list[LintWarning] = []
    speech = [(m.start(), m.end()) for m in re.finditer(r'"[^"]*"|“[^”]*”|「[^」]*」|『[^』]*』', text)]
    negated = [
        text[a:b].strip(" ,")
        for a, b in negated_spans(text)
        if not any(s <= a < e for s, e in speech) and text[a:b].strip(" ,")
    ]
    if negated:
        pairs = []
        for phrase in dict.fromkeys(negated):
            rewrite = next(
                (
                    better
                    for key, better in words.negation_rewrites.items()
                    if (
                        key in phrase
                        if _CJK.search(key)
                        else re.search(rf"\b{re.escape(key)}\b", phrase, re.I)
                    )
                ),
                "what is there instead",
            )
            pairs.append(f"{phrase!r} -> {rewrite}")
        warnings.append(
            LintWarning(
                rule="negative_phrasing",
                message="Say what is there, not what is not: a video model often ignores a negation, or "
                "shows "
                f"what it names. Rewrite {'; '.join(pairs)}.",
            )
        )
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
    said = affirmed(text)
    size = len(re.findall(r"[A-Za-z\u00C0-\u024F']+", _CJK.sub(" ", text))) + len(_CJK.findall(text)) / 2
    if size < 3 or (size < 6 and not has_action(text)):
        warnings.append(
            LintWarning(
                rule="thin_prompt",
                message="The prompt is too thin to film well: say who or what is on screen, what they do "
                "and where (e.g. 'a grey cat stretches on a sunny windowsill, then jumps down').",
            )
        )
    if found(words.night, said) and found(words.daylight, said):
        day = ", ".join(repr(w) for w in found(words.daylight, said))
        warnings.append(
            LintWarning(
                rule="light_against_time",
                message=f"The scene is at night but lit by {day}: light a night with night sources (street "
                "lamps, a lit window, moonlight, neon), or say that day turns to night.",
            )
        )
    return warnings


def _lint_image(text: str) -> list[LintWarning]:
    words = load_craft().lint
    picture = found(words.picture, text, "plain")
    looks = found(words.appearance, affirmed(text), "plain")
    actions = found(words.verbs, affirmed(text), "verb")
    if picture or (len(looks) >= 3 and len(looks) > len(actions)):
        named = ", ".join(repr(w) for w in [*picture, *looks][:6])
        return [
            LintWarning(
                rule="image_redescribed",
                message=f"With a start image, describe what moves and changes (the action, the camera, what "
                f"happens next), not what the image already shows: drop {named} and name the motion instead "
                "(e.g. 'she slowly turns her head and smiles; her hair lifts in the breeze').",
            )
        ]
    return []


def _lint_text_on_screen(text: str, provider: Aim | None) -> list[LintWarning]:
    warnings: list[LintWarning] = []
    unquoted = [m.group(1) for pattern in _UNQUOTED_TEXT for m in pattern.finditer(text)]
    if unquoted:
        warnings.append(
            LintWarning(
                rule="unquoted_text",
                message="Put words that appear on screen in quotes, exactly as they should be spelled, and "
                "say where they are (e.g. 'a sign above the door reads \"OPEN\"'): "
                f"{', '.join(map(repr, unquoted))}.",
            )
        )
    on_screen = shown(text)
    floating = []
    for words in on_screen:
        at = text.find(words)
        start = max(text.rfind(".", 0, at), text.rfind("。", 0, at)) + 1
        end_candidates = [
            i for i in (text.find(".", at + len(words)), text.find("。", at + len(words))) if i >= 0
        ]
        around = text[start : min(end_candidates) if end_candidates else len(text)]
        if _OVERLAY.search(around.replace(words, " ")) and not _POSITION.search(around.replace(words, " ")):
            floating.append(words)
    if floating:
        warnings.append(
            LintWarning(
                rule="text_position_missing",
                message=f"Say where the on-screen text {', '.join(map(repr, floating))} appears "
                "(e.g. 'in white "
                "letters at the bottom of the frame', 'centred at the top'), so it is placed, not guessed.",
            )
        )
    if provider is not None and provider.generation == 1 and (unquoted or on_screen):
        warnings.append(
            LintWarning(
                rule="text_unsupported",
                message=f"{provider.model} does not render on-screen words reliably: use a Seedance 2.x "
                "model "
                "for text in the picture, or add the text in editing.",
            )
        )
    if provider is not None and provider.generation is not None:
        old = [next(g for g in m.groups() if g) for m in _REFERENCE_OLD.finditer(text)]
        if provider.generation == 2 and old:
            warnings.append(
                LintWarning(
                    rule="reference_naming",
                    message="Name reference files the Seedance 2.x way, @image1, @video1, @audio1 in the "
                    "order "
                    "they are given (e.g. 'the woman from @image1 walks into the room of @image2').",
                )
            )
        if provider.generation == 1 and _REFERENCE_AT.search(text):
            warnings.append(
                LintWarning(
                    rule="reference_naming",
                    message=f"{provider.model} takes no reference files, so @image1 and the like mean "
                    "nothing to "
                    "it: describe in words what the reference shows, or use a Seedance 2.x model.",
                )
            )
    return warnings
