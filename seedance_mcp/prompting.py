"""Cinematic prompts for Seedance: draft from the templates, fit the provider's limit, lint.

`write_cinematic_prompt` turns an idea into a prompt that follows the documented tips: a
subject and action, moving elements, a shot size with an angle and ONE camera move, a named
light source, style, mood and described sound. The craft lives outside the code so anyone
can improve it: the Jinja2 templates in `prompts/*.j2` decide the wording, `prompts/craft.toml`
holds the vocabulary and the scene cues ("storm" -> rain, thunder, wind). When the idea names
no camera, light or sound, the cues choose them, so a bare idea still gives a full prompt.

`lint_prompt` checks any prompt (also a user's own) against the tips and the provider's limits.
Everything here is pure and deterministic: same input, same output; the only I/O is reading
the shipped templates, once, on first use.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .errors import ConfigError, InvalidRequest
from .providers import PROVIDERS, Provider
from .validation import check_public_url

__all__ = [
    "LintWarning",
    "PromptDraft",
    "SuggestedSettings",
    "TemplateInfo",
    "describe_template",
    "lint_prompt",
    "render_template",
    "template_names",
    "write_cinematic_prompt",
]

WORDS_PER_SECOND = 2.5
"""Speech that fits a clip: about 2.5 words per second."""
SECONDS_PER_SHOT = 3
"""A shot shorter than about 3 seconds does not read on screen."""


# ----------------------------------------------------------------------------- public types


class LintWarning(BaseModel):
    """One thing to change in a prompt or its settings."""

    model_config = ConfigDict(frozen=True)

    rule: str = Field(description="Stable id of the rule, e.g. 'stacked_camera_moves'.")
    message: str = Field(description="What is wrong and what to change.")


class SuggestedSettings(BaseModel):
    """Render settings that suit the prompt's content."""

    audio: bool = Field(description="Generate sound: on when the prompt describes sound or dialogue.")
    fixed_lens: bool = Field(description="Keep the camera still: on for a static product shot or lip-sync.")
    duration: int | None = Field(description="Seconds; null means the provider's default.")
    aspect_ratio: str | None = Field(default=None, description="Frame shape the idea asks for, if any.")


class PromptDraft(BaseModel):
    """A drafted prompt, ready for `generate`, with what to know before rendering it."""

    prompt: str
    template: str = Field(description="The template that wrote the prompt.")
    characters: int = Field(description="Length of the prompt in characters.")
    limit: int = Field(description="The provider's prompt limit the draft was fitted to.")
    provider: str | None = Field(description="Provider id; null means fitted to every provider.")
    warnings: list[LintWarning] = Field(default_factory=list)
    suggested_settings: SuggestedSettings


class TemplateInfo(BaseModel):
    name: str
    description: str
    fields: list[str] = Field(description="The fields this template uses besides provider and settings.")


# ----------------------------------------------------------------------------- craft data


class _Defaults(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scene_cues: bool = True
    camera_from_cues: bool = True
    shot_size: str = ""
    camera_move: str = ""
    moving_camera: str = ""
    angle: str = ""
    light: str = ""
    style: str = ""
    mood: str = ""
    ambient: str = ""
    effects: str = ""
    music: str = ""


class _Cue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    words: list[str]
    light: str = ""
    ambient: str = ""
    effects: str = ""
    moving: str = ""
    mood: str = ""
    music: str = ""
    camera_move: str = ""
    shot_size: str = ""
    angle: str = ""


class _MultiShot(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cycle: list[tuple[str, str]] = Field(min_length=1)


class _Choice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_words: list[str]


class _LintWords(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filler: list[str]
    abstract: list[str]
    concrete: list[str]
    verbs: list[str]
    audible: list[str]
    light: list[str]


class _Craft(BaseModel):
    """`prompts/craft.toml`, checked: every move and shot size it names exists."""

    model_config = ConfigDict(extra="forbid")

    camera_moves: dict[str, str]
    camera_move_aliases: dict[str, str]
    shot_sizes: dict[str, str]
    shot_size_aliases: dict[str, str]
    angles: dict[str, str]
    defaults: dict[str, _Defaults]
    multi_shot: _MultiShot
    cues: list[_Cue]
    choice: _Choice
    aspect_words: dict[str, list[str]]
    lint: _LintWords

    @model_validator(mode="after")
    def _names_exist(self) -> _Craft:
        moves = [d.camera_move for d in self.defaults.values()] + [
            d.moving_camera for d in self.defaults.values()
        ]
        moves += [c.camera_move for c in self.cues] + [move for _, move in self.multi_shot.cycle]
        moves += list(self.camera_move_aliases.values())
        sizes = [d.shot_size for d in self.defaults.values()] + [c.shot_size for c in self.cues]
        sizes += list(self.shot_size_aliases.values())
        sizes += [size for size, _ in self.multi_shot.cycle]
        angles = [d.angle for d in self.defaults.values()] + [c.angle for c in self.cues]
        for kind, used, known in (
            ("camera move", moves, self.camera_moves),
            ("shot size", sizes, self.shot_sizes),
            ("angle", angles, self.angles),
        ):
            unknown = [name for name in used if name and name not in known]
            if unknown:
                raise ValueError(f"craft.toml names an unknown {kind}: {', '.join(unknown)}")
        return self


def _prompts_dir() -> Traversable:
    """The templates: inside the installed wheel, else the checkout's top-level `prompts/`."""
    packaged = resources.files("seedance_mcp") / "prompts"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / "prompts"
    if checkout.is_dir():
        return checkout
    raise ConfigError(
        "The prompt templates (prompts/*.j2) are missing from this installation; reinstall seedance-mcp."
    )


@functools.cache
def _craft() -> _Craft:
    text = (_prompts_dir() / "craft.toml").read_text(encoding="utf-8")
    return _Craft.model_validate(tomllib.loads(text))


@functools.cache
def _environment() -> jinja2.Environment:
    folder = _prompts_dir()

    def load(name: str) -> str | None:
        item = folder / name
        return item.read_text(encoding="utf-8") if item.is_file() else None

    # Prompts are plain text sent to a video model, never HTML: nothing to escape.
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["sentence"] = _sentence
    env.filters["capfirst"] = _capfirst
    return env


@functools.cache
def _template_names() -> tuple[str, ...]:
    return tuple(
        sorted(item.name[: -len(".j2")] for item in _prompts_dir().iterdir() if item.name.endswith(".j2"))
    )


def template_names() -> list[str]:
    """The names of the prompt templates, e.g. `cinematic`, `dialogue`, `multi-shot`."""
    return list(_template_names())


_HEADER = re.compile(r"\A\{#(?P<body>.*?)#\}", re.DOTALL)


@functools.cache
def describe_template(name: str) -> TemplateInfo:
    """A template's description and the fields it uses, read from its header comment."""
    name = _template_name(name)
    source = (_prompts_dir() / f"{name}.j2").read_text(encoding="utf-8")
    header = _HEADER.match(source)
    entries: dict[str, str] = {}
    for line in header.group("body").splitlines() if header else ():
        key, sep, value = line.partition(":")
        if sep:
            entries[key.strip()] = value.strip()
    fields = [f.strip() for f in entries.get("fields", "idea").split(",") if f.strip()]
    return TemplateInfo(name=name, description=entries.get("description", name), fields=fields)


# ----------------------------------------------------------------------------- word matching


def _plural_forms(word: str) -> list[str]:
    forms = [word, word + "s", word + "es"]
    if word.endswith("y"):
        forms.append(word[:-1] + "ies")
    return forms


def _verb_forms(word: str) -> list[str]:
    forms = [*_plural_forms(word), word + "ed", word + "ing"]
    if word.endswith("e"):
        forms += [word + "d", word[:-1] + "ing"]
    if word.endswith("y"):
        forms.append(word[:-1] + "ied")
    if re.search(r"[^aeiou][aeiou][bdgklmnprt]$", word):
        forms += [word + word[-1] + "ing", word + word[-1] + "ed"]
    return forms


@functools.cache
def _matcher(words: tuple[str, ...], inflect: str) -> re.Pattern[str]:
    """One regex for a word list: whole words, case-insensitive, with plural or verb endings."""
    expand: Callable[[str], list[str]] = {
        "plain": lambda w: [w],
        "plural": _plural_forms,
        "verb": _verb_forms,
    }[inflect]
    alternatives: dict[str, None] = {}
    for word in words:
        word = word.lower().strip()
        if not word:
            continue
        for form in expand(word) if " " not in word else [word]:
            alternatives[re.escape(form).replace(r"\ ", r"\s+")] = None
    ordered = sorted(alternatives, key=lambda a: (-len(a), a))
    return re.compile(r"(?<![\w-])(?:" + "|".join(ordered) + r")(?![\w-])", re.IGNORECASE)


def _found(words: Sequence[str], text: str, inflect: str = "plural") -> list[str]:
    """The words of a list that occur in text, in order of appearance, each once."""
    hits = _matcher(tuple(words), inflect).findall(text)
    return list(dict.fromkeys(hit.lower() for hit in hits))


_CAMERA_PATTERNS: dict[str, str] = {
    "dolly-in": r"\bdoll(?:y|ies|ying|ied)\s+(?:in|forward|toward|towards|closer)\b|\bpush(?:es|ing)?[- ]in\b"
    r"|\bzoom(?:s|ing)?\s+in\b|\bcrash\s+zoom\b",
    "dolly-out": r"\bdoll(?:y|ies|ying|ied)\s+(?:out|back|away)\b|\bpull(?:s|ing)?[- ](?:back|out)\b"
    r"|\bzoom(?:s|ing)?\s+out\b",
    "dolly": r"\bdoll(?:y|ies|ying|ied)\b(?!\s+(?:in|forward|toward|towards|closer|out|back|away)\b)",
    "pan": r"\bpan(?:s|ned|ning)\b|\bpan\s+(?:left|right|across|over|to|from|shot)\b"
    r"|\b(?:slow|whip|quick|gentle|camera|swish)\s+pan\b",
    "tilt": r"\btilt(?:s|ed|ing)?\s+(?:up|down|upward|downward)\b|\b(?:slow|gentle|camera)\s+tilt\b|\btilt\s+shot\b",
    "tracking": r"\btracking\b|\bcamera\s+(?:tracks|follows)\b|\bfollow(?:ing)?\s+shot\b",
    "orbit": r"\borbit(?:s|ing|ed)?\b|\barc\s+shot\b|\b360[- ]degree\s+(?:shot|orbit|turn)\b",
    "crane": r"\bcrane\s+(?:shot|up|down|move|movement)\b|\b(?:rising|descending|slow)\s+crane\b|\bjib\b"
    r"|\bcranes\s+(?:up|down)\b|\bboom\s+(?:up|down)\b",
    "handheld": r"\bhand-?held\b|\bshaky[- ]cam\b",
    "aerial": r"\b(?:drone|aerial)\s+(?:shot|view|footage)\b|\bfly-?over\b|\bfly-?through\b",
    "static": r"\bstatic\s+(?:camera|shot|frame)\b|\blocked[- ]off\b|\bfixed\s+(?:camera|lens|frame)\b"
    r"|\bcamera\s+(?:stays|remains|holds)\s+(?:still|static|fixed)\b|\btripod\b",
}
_CAMERA_RE = {kind: re.compile(pattern, re.IGNORECASE) for kind, pattern in _CAMERA_PATTERNS.items()}

_SHOT_SIZE_RE = re.compile(
    r"\b(?:extreme\s+)?(?:wide|long|full|medium|establishing|close)[- ]?(?:up\s+)?shot\b|\bclose[- ]ups?\b"
    r"|\bmedium\s+close[- ]up\b|\bextreme\s+close[- ]up\b|\bmacro\s+shot\b",
    re.IGNORECASE,
)
_SHOT_MARKER = re.compile(r"\bshot\s*(\d+)\s*[:.)\]\-–—]", re.IGNORECASE)
_QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”|«([^»]+)»|「([^」]+)」|『([^』]+)』')
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")


def _camera_kinds(text: str) -> list[str]:
    """The camera moves a text names, by kind (`static` included), in a fixed order."""
    return [kind for kind, pattern in _CAMERA_RE.items() if pattern.search(text)]


def _quoted(text: str) -> list[str]:
    return [next(group for group in match.groups() if group) for match in _QUOTED.finditer(text)]


def _spoken_words(text: str) -> float:
    """Words of speech in the quoted lines; Chinese and Japanese count two characters per word."""
    total = 0.0
    for line in _quoted(text):
        cjk = len(_CJK.findall(line))
        total += len(re.findall(r"\w+", _CJK.sub(" ", line))) + cjk / 2
    return total


def _is_audible(text: str) -> bool:
    return bool(_quoted(text)) or bool(_found(_craft().lint.audible, text, "verb"))


# ----------------------------------------------------------------------------- small text helpers


def _capfirst(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = _capfirst(text)
    return text if text[-1] in '.!?。！？"”' else text + "."


def _clean(value: str | None) -> str:
    """A free-text field as a phrase: single spaces, no trailing full stop."""
    if value is None:
        return ""
    return re.sub(r"\s+", " ", value).strip().rstrip(".;, ")


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(re.sub(r"\s+", " ", text).strip()) if s]


def _tidy(rendered: str) -> str:
    lines = (
        re.sub(r" +([,.])", r"\1", re.sub(r"[ \t]+", " ", line)).strip() for line in rendered.splitlines()
    )
    return "\n".join(line for line in lines if line)


# ----------------------------------------------------------------------------- validation


def _provider(provider: str | None) -> Provider | None:
    if provider is None:
        return None
    found = PROVIDERS.get(provider.strip().lower()) if isinstance(provider, str) else None
    if found is None:
        raise InvalidRequest(
            f"provider: unknown provider {provider!r}; allowed: {', '.join(PROVIDERS)}.",
            field="provider",
            value=provider,
            allowed=list(PROVIDERS),
        )
    return found


_CHOICE_NOISE = re.compile(r"^(?:(?:slow|slowly|smooth|gentle|quick|fast|camera)-)+|-(?:shot|move|movement)$")


def _choice(
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


def _template_name(name: str) -> str:
    key = re.sub(r"[\s_]+", "-", name.strip().lower())
    names = _template_names()
    if key not in names:
        raise InvalidRequest(
            f"template: unknown template {name!r}; allowed: {', '.join(names)}.",
            field="template",
            value=name,
            allowed=list(names),
        )
    return key


def _allowed_durations(provider: Provider | None) -> tuple[int, ...]:
    if provider is not None:
        return provider.caps.durations
    return tuple(sorted({d for p in PROVIDERS.values() for d in p.caps.durations}))


def _check_duration(duration: int | None, provider: Provider | None) -> int | None:
    if duration is None:
        return None
    allowed = _allowed_durations(provider)
    if isinstance(duration, bool) or not isinstance(duration, int) or duration not in allowed:
        who = provider.id if provider else "any provider"
        raise InvalidRequest(
            f"duration: {duration!r} s is not offered by {who}; allowed: {', '.join(map(str, allowed))} (seconds).",
            field="duration",
            value=duration,
            allowed=list(allowed),
        )
    return duration


def _limit(provider: Provider | None) -> tuple[int, str]:
    """The prompt limit to fit and how to name it in messages."""
    if provider is not None:
        return provider.caps.prompt_max, f"{provider.id}'s {provider.caps.prompt_max}-character limit"
    smallest = min(p.caps.prompt_max for p in PROVIDERS.values())
    holders = [p.id for p in PROVIDERS.values() if p.caps.prompt_max == smallest]
    return smallest, f"the {smallest}-character limit that fits every provider (set by {', '.join(holders)})"


def _lines(field: str, value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    items = value.splitlines() if isinstance(value, str) else list(value)
    if not all(isinstance(item, str) for item in items):
        raise InvalidRequest(f"{field}: every entry must be text.", field=field, value=value)
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


# ----------------------------------------------------------------------------- lint


def lint_prompt(
    text: str,
    *,
    provider: str | None = None,
    duration: int | None = None,
    audio: bool | None = None,
    fixed_lens: bool | None = None,
) -> list[LintWarning]:
    """Check a prompt against the documented tips and the provider's limits.

    Duration-based rules use `duration`, else the provider's default duration; with neither
    they are skipped. Audio and fixed-lens rules run only when those settings are given.
    """
    prov = _provider(provider)
    if not isinstance(text, str) or not text.strip():
        raise InvalidRequest(
            "text: there is no prompt to check.", field="text", value=text, allowed=["non-empty text"]
        )
    duration = _check_duration(duration, prov)
    if duration is None and prov is not None:
        duration = prov.caps.default_duration
    words = _craft().lint
    warnings: list[LintWarning] = []

    limit, where = _limit(prov)
    if len(text) > limit:
        bigger = [
            f"{p.id} ({p.caps.prompt_max})" for p in PROVIDERS.values() if p.caps.prompt_max >= len(text)
        ]
        warnings.append(
            LintWarning(
                rule="too_long",
                message=f"The prompt has {len(text)} characters, over {where}: cut {len(text) - limit} characters "
                "(filler, style and repeated detail first)"
                + (f", or use a provider with room for it: {', '.join(bigger)}." if bigger else "."),
            )
        )

    warnings += _lint_camera(text, fixed_lens)

    audible = _is_audible(text)
    if audio is False and audible:
        warnings.append(
            LintWarning(
                rule="sound_without_audio",
                message="Audio is off but the prompt describes sound or dialogue: turn audio on (it usually doubles "
                "the price) or remove the sound description.",
            )
        )
    if audio is True and not audible:
        warnings.append(
            LintWarning(
                rule="audio_without_sound",
                message="Audio is on but nothing audible is described: name the ambient sound, effects or music "
                "(e.g. 'waves breaking, distant gulls'), or turn audio off to halve the cost.",
            )
        )

    if duration is not None:
        warnings += _lint_timing(text, duration, prov)

    filler = _found(words.filler, text, "plain")
    if filler:
        warnings.append(
            LintWarning(
                rule="filler_words",
                message=f"Remove filler that gives the model nothing to show: {', '.join(repr(f) for f in filler)}. "
                "Describe the light, texture or motion you want instead.",
            )
        )

    warnings += _lint_abstract(text)
    return warnings


def _lint_abstract(text: str) -> list[LintWarning]:
    words = _craft().lint
    abstract = _found(words.abstract, text)
    if not abstract or _found(words.concrete, text, "verb") or _found(words.verbs, text, "verb"):
        return []
    return [
        LintWarning(
            rule="no_visible_subject",
            message=f"{', '.join(repr(a) for a in abstract)} cannot be filmed on their own and no visible subject "
            "or action is named: say who or what is on screen and what they do "
            "(e.g. 'a girl lets a paper lantern drift over the river').",
        )
    ]


def _lint_camera(text: str, fixed_lens: bool | None) -> list[LintWarning]:
    warnings: list[LintWarning] = []
    markers = list(_SHOT_MARKER.finditer(text))
    bounds = [0, *(m.start() for m in markers), len(text)]
    for index, (start, end) in enumerate(itertools.pairwise(bounds)):
        kinds = _camera_kinds(text[start:end])
        if len(kinds) > 1:
            where = (
                f"Shot {markers[index - 1].group(1)}"
                if index
                else ("The opening" if markers else "The prompt")
            )
            warnings.append(
                LintWarning(
                    rule="stacked_camera_moves",
                    message=f"{where} names several camera moves ({', '.join(kinds)}): keep one primary move per shot "
                    "and drop the others; for more moves, split the clip into shots.",
                )
            )
    moving = [kind for kind in _camera_kinds(text) if kind != "static"]
    if fixed_lens and moving:
        warnings.append(
            LintWarning(
                rule="camera_move_with_fixed_lens",
                message=f"Fixed lens is on but the prompt asks for camera motion ({', '.join(moving)}): turn fixed "
                "lens off, or describe a static camera and let the subject move.",
            )
        )
    return warnings


def _lint_timing(text: str, duration: int, provider: Provider | None) -> list[LintWarning]:
    warnings: list[LintWarning] = []
    allowed = ", ".join(map(str, _allowed_durations(provider)))
    spoken = _spoken_words(text)
    fits = int(duration * WORDS_PER_SECOND)
    if spoken > fits:
        warnings.append(
            LintWarning(
                rule="dialogue_too_long",
                message=f"The quoted dialogue has about {math.ceil(spoken)} words; about {fits} fit in {duration} s "
                f"(~{WORDS_PER_SECOND:g} words per second): shorten the lines or choose a longer duration "
                f"(allowed: {allowed} s).",
            )
        )
    shots = len({m.group(1) for m in _SHOT_MARKER.finditer(text)})
    if shots * SECONDS_PER_SHOT > duration:
        warnings.append(
            LintWarning(
                rule="too_many_shots",
                message=f"{shots} shots in {duration} s leave under {SECONDS_PER_SHOT} s each: use at most "
                f"{max(duration // SECONDS_PER_SHOT, 1)} shots or a longer duration (allowed: {allowed} s).",
            )
        )
    return warnings


# ----------------------------------------------------------------------------- drafting

_PRONOUNS = {"he": "", "she": "", "they": "", "it": "", "his": "'s", "her": "'s", "their": "'s", "its": "'s"}
# A verb the list does not know: an "-s" word before an article or possessive ("mends a net").
_LIKELY_VERB = re.compile(
    r"(?<=\w )\w+[^s\W']s(?= (?:a|an|the|his|her|their|its|my|our|your)\b)", re.IGNORECASE
)
_SUBJECT_STOP = re.compile(r"\b(?:is|are|was|were|has|have|who|which|that)\b", re.IGNORECASE)

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

_LANGUAGE_BY_SCRIPT: tuple[tuple[str, str], ...] = (
    (r"[\u3040-\u30ff]", "Japanese"),
    (r"[\uac00-\ud7af]", "Korean"),
    (r"[\u4e00-\u9fff]", "Mandarin Chinese"),
    (r"[\u0400-\u04ff]", "Russian"),
    (r"[\u0600-\u06ff]", "Arabic"),
    (r"[\u0900-\u097f]", "Hindi"),
    (r"[\u0e00-\u0e7f]", "Thai"),
    (r"[\u0590-\u05ff]", "Hebrew"),
    (r"[\u0370-\u03ff]", "Greek"),
)


class _Cues:
    """What the scene cues matching a text suggest, first match first."""

    def __init__(self, text: str) -> None:
        self.matched = [cue for cue in _craft().cues if _found(cue.words, text)]

    def first(self, slot: str) -> str:
        return next((str(getattr(cue, slot)) for cue in self.matched if getattr(cue, slot)), "")

    def some(self, slot: str, count: int = 2) -> str:
        values = dict.fromkeys(str(getattr(cue, slot)) for cue in self.matched if getattr(cue, slot))
        return ", ".join(list(values)[:count])


def _subject(first_sentence: str) -> str:
    """The words of the idea before its first verb: who or what the clip is about."""
    text = first_sentence.rstrip(".!?。！？")
    cut = len(text)
    verb = _matcher(tuple(_craft().lint.verbs), "verb").search(text) or _LIKELY_VERB.search(text)
    if verb and verb.start() > 0:
        cut = verb.start()
    stop = _SUBJECT_STOP.search(text)
    if stop and 0 < stop.start() < cut:
        cut = stop.start()
    subject = text[:cut].strip(" ,;")
    words = subject.split()
    if words and words[0].lower() in ("a", "an", "one"):
        words[0] = "the"
    return " ".join(words) if words else text


def _with_subject(text: str, subject: str) -> str:
    """A shot that starts with a pronoun names the subject the same way as every other shot."""
    first, _, rest = text.partition(" ")
    suffix = _PRONOUNS.get(first.lower())
    if suffix is None or not rest:
        return text
    return f"{subject}{suffix} {rest}"


def _language(lines: Sequence[str]) -> str:
    joined = " ".join(lines)
    for pattern, name in _LANGUAGE_BY_SCRIPT:
        if re.search(pattern, joined):
            return name
    return "English" if joined.isascii() else ""


def _speaker_and_line(entry: str, subject: str) -> tuple[str, str]:
    speaker, sep, line = entry.partition(":")
    if not sep or not line.strip() or len(speaker.split()) > 8 or '"' in speaker:
        speaker, line = subject, entry
    return speaker.strip(), line.strip().strip("\"“”«»「」'").strip()


def _is_name(speaker: str) -> bool:
    words = speaker.split()
    return (
        0 < len(words) <= 2
        and all(w[:1].isupper() for w in words)
        and words[0].lower() not in ("the", "a", "an")
    )


def _render(template: str, context: Mapping[str, Any]) -> str:
    return _tidy(_environment().get_template(f"{template}.j2").render(**context))


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
    text = _render(template, context)
    dropped: list[tuple[str, str]] = []
    for key, label in _DROP_ORDER:
        if len(text) <= limit:
            break
        context = _without(context, key)
        shorter = _render(template, context)
        if shorter != text:
            text = shorter
            dropped.append((key, label))
    if len(text) <= limit:
        # Put back what still fits, most important first: leave out only what must go.
        for key, label in reversed(dropped[:-1]):
            restored = (
                {**context, key: full[key]} if key != "shot_details" else {**context, "shots": full["shots"]}
            )
            longer = _render(template, restored)
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
            f"{field}: even with only the essentials the prompt has {len(text)} characters, over {where}; shorten "
            f"{field} by at least {len(text) - limit} characters.",
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
    if _found(_craft().choice.product_words, idea):
        return "product"
    return "cinematic"


@dataclasses.dataclass
class _Drafter:
    """One drafting run: validated choices in, the template's context and warnings out."""

    template: str
    size_choice: str | None
    move_choice: str | None
    fixed_lens: bool | None
    craft: _Craft = dataclasses.field(default_factory=_craft)
    warnings: list[LintWarning] = dataclasses.field(default_factory=list)

    @property
    def defaults(self) -> _Defaults:
        return self.craft.defaults.get(self.template, _Defaults())

    def cued(self, cues: _Cues, slot: str) -> str:
        """A cue's camera, size or angle, unless the template keeps its own framing."""
        return cues.first(slot) if self.defaults.camera_from_cues else ""

    def move(self, text: str, fallback: str) -> str:
        """One primary camera move: the user's, else the text's own (written already), else a default."""
        if self.move_choice:
            return self.move_choice
        if _camera_kinds(text):
            return ""
        if self.fixed_lens:
            return "static"
        return fallback

    def size(self, text: str, fallback: str) -> str:
        if self.size_choice:
            return self.craft.shot_sizes[self.size_choice]
        if _SHOT_SIZE_RE.search(text):
            return ""
        return self.craft.shot_sizes.get(fallback, "")

    def main_move(self, idea: str, cues: _Cues) -> str:
        d = self.defaults
        if self.fixed_lens is False and d.camera_move == "static" and d.moving_camera:
            return self.move(idea, d.moving_camera)
        return self.move(idea, self.cued(cues, "camera_move") or d.camera_move or "dolly-in")

    def angle(self, angle: str, cues: _Cues) -> str:
        if angle:
            return self.craft.angles.get(re.sub(r"[\s_]+", "-", angle.lower()).removesuffix("-angle"), angle)
        return self.craft.angles.get(self.cued(cues, "angle") or self.defaults.angle, "")

    def light(self, light: str, idea: str, cues: _Cues) -> str:
        if light:
            return light
        if _found(self.craft.lint.light, idea):
            return ""  # the idea names its own light
        return cues.first("light") or self.defaults.light

    def sound(self, sound: str, audio: bool | None, idea: str, cues: _Cues) -> dict[str, str]:
        """Ambient, effects and music: described sounds come out better; none when audio is off."""
        if audio is False:
            if sound:
                self.warn("unused_field", "sound: left out because audio is off; turn audio on to hear it.")
            return {"ambient": "", "effects": "", "music": ""}
        if sound:
            return {"ambient": sound, "effects": "", "music": ""}
        if _is_audible(idea):
            return {"ambient": "", "effects": "", "music": ""}  # the idea names its own sound
        d = self.defaults
        return {
            "ambient": cues.first("ambient") or d.ambient,
            "effects": cues.some("effects") or d.effects,
            "music": cues.first("music") or d.music,
        }

    def dialogue(self, entries: list[str], subject: str, language: str) -> tuple[list[dict[str, str]], str]:
        lines = []
        for entry in entries:
            speaker, line = _speaker_and_line(entry, subject)
            if _is_name(speaker):
                self.warn(
                    "speaker_by_look",
                    f"Describe {speaker!r} by look (e.g. 'the woman in the red coat'): the model does not know "
                    "names, so it cannot tell who speaks.",
                )
            lines.append({"speaker": speaker, "line": line})
        if lines and not language:
            language = _language([line["line"] for line in lines])
            if not language:
                self.warn(
                    "language_missing",
                    "Name the spoken language (language='Spanish', for example) so voice and lip-sync match.",
                )
        return lines, language

    def shots(self, entries: list[str], subject: str) -> list[dict[str, Any]]:
        parts = []
        cycle = self.craft.multi_shot.cycle
        for number, shot in enumerate(entries, start=1):
            sentences = _sentences(shot)
            cues = _Cues(shot)
            cycle_size, cycle_move = cycle[(number - 1) % len(cycle)]
            move = self.move(shot, cues.first("camera_move") or cycle_move)
            parts.append(
                {
                    "number": number,
                    "shot_size": self.size(shot, cues.first("shot_size") or cycle_size),
                    "camera": self.craft.camera_moves.get(move, ""),
                    "camera_move": move,
                    "text": _sentence(_with_subject(sentences[0], subject)),
                    "details": " ".join(_sentence(s) for s in sentences[1:]),
                }
            )
        return parts

    def unused(self, **given: object) -> None:
        used = describe_template(self.template).fields
        for name, value in given.items():
            if value not in (None, "", []) and name not in used:
                self.warn(
                    "unused_field",
                    f"{name}: the {self.template} template does not use it; choose a template that does, "
                    "or leave it out.",
                )

    def warn(self, rule: str, message: str) -> None:
        self.warnings.append(LintWarning(rule=rule, message=message))


def write_cinematic_prompt(
    idea: str,
    *,
    provider: str | None = None,
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
    craft = _craft()
    prov = _provider(provider)
    limit, where = _limit(prov)
    duration = _check_duration(duration, prov)
    shot_list = _lines("shots", shots)
    dialogue_list = _lines("dialogue", dialogue)
    if image_url is not None:
        check_public_url(image_url, "image_url")
    name = (
        _template_name(template)
        if template is not None
        else _choose_template(idea, shot_list, dialogue_list, image_url)
    )
    drafter = _Drafter(
        template=name,
        size_choice=_choice("shot_size", shot_size, craft.shot_sizes, craft.shot_size_aliases),
        move_choice=_choice("camera_move", camera_move, craft.camera_moves, craft.camera_move_aliases),
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

    sentences = _sentences(idea)
    first = _sentence(sentences[0])
    subject = _subject(first)
    cues = _Cues(" ".join([idea, *shot_list]) if drafter.defaults.scene_cues else "")
    move = drafter.main_move(idea, cues)
    lines, spoken_language = drafter.dialogue(dialogue_list, subject, _clean(language))
    context: dict[str, Any] = {
        "idea": first,
        "idea_details": " ".join(_sentence(s) for s in sentences[1:]),
        "subject": subject,
        "shot_size": drafter.size(idea, drafter.cued(cues, "shot_size") or drafter.defaults.shot_size),
        "angle": drafter.angle(_clean(angle), cues),
        "camera": craft.camera_moves.get(move, ""),
        "camera_move": move,
        "light": drafter.light(_clean(light), idea, cues),
        "moving": cues.some("moving"),
        "style": _clean(style) or drafter.defaults.style,
        "mood": _clean(mood) or cues.first("mood") or drafter.defaults.mood,
        **drafter.sound(_clean(sound), audio, idea, cues),
        "dialogue": lines,
        "language": spoken_language,
        "shots": drafter.shots(shot_list, subject),
    }
    prompt, trimmed = _fit(name, context, limit, where)
    settings = _settings(prompt, idea, prov, duration=duration, audio=audio, fixed_lens=fixed_lens)
    if fixed_lens and prov is not None and not prov.caps.fixed_lens:
        drafter.warn(
            "fixed_lens_unsupported",
            f"{prov.id} has no fixed-lens option; the prompt asks for a static camera instead.",
        )
    final = lint_prompt(
        prompt,
        provider=prov.id if prov else None,
        duration=settings.duration,
        audio=settings.audio,
        fixed_lens=settings.fixed_lens,
    )
    # The templates add visible words of their own, so the idea is what must name a subject.
    warnings = drafter.warnings + trimmed + [w for w in final if w.rule != "no_visible_subject"]
    warnings += _lint_abstract(" ".join([idea, *shot_list]))
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
    provider: Provider | None,
    *,
    duration: int | None,
    audio: bool | None,
    fixed_lens: bool | None,
) -> SuggestedSettings:
    """Settings that follow the content: sound described -> audio; a still camera -> fixed lens."""
    lens_supported = provider is None or provider.caps.fixed_lens
    kinds = _camera_kinds(prompt)
    still = bool(kinds) and all(kind == "static" for kind in kinds)
    return SuggestedSettings(
        audio=audio if audio is not None else _is_audible(prompt),
        fixed_lens=(fixed_lens if fixed_lens is not None else still) and lens_supported,
        duration=duration if duration is not None else _suggest_duration(prompt, provider),
        aspect_ratio=_suggest_aspect(idea, provider),
    )


def _suggest_duration(prompt: str, provider: Provider | None) -> int | None:
    """Enough time for every shot (~3 s each) and every spoken word (~2.5 words/s)."""
    shots = len({m.group(1) for m in _SHOT_MARKER.finditer(prompt)})
    needed = max(shots * SECONDS_PER_SHOT, math.ceil(_spoken_words(prompt) / WORDS_PER_SECOND))
    if provider is not None:
        target = max(needed, provider.caps.default_duration)
    elif needed:
        target = needed
    else:
        return None
    allowed = _allowed_durations(provider)
    return next((d for d in allowed if d >= target), allowed[-1])


def _suggest_aspect(idea: str, provider: Provider | None) -> str | None:
    if provider is not None:
        offered = set(provider.caps.aspect_ratios)
    else:
        offered = set.intersection(*(set(p.caps.aspect_ratios) for p in PROVIDERS.values()))
    for ratio, words in _craft().aspect_words.items():
        if ratio in offered and _found(words, idea):
            return ratio
    return None


# ----------------------------------------------------------------------------- MCP prompts

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
    name = _template_name(name)
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
        shots=_lines("shots", shots) if isinstance(shots, str | list | tuple) else None,
        dialogue=_lines("dialogue", dialogue) if isinstance(dialogue, str | list | tuple) else None,
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
    if word in ("true", "yes", "on", "1"):
        return True
    if word in ("false", "no", "off", "0"):
        return False
    raise InvalidRequest(
        f"{field}: expected true or false, got {value!r}.", field=field, value=value, allowed=[True, False]
    )
