"""The pieces of a scene that drafting puts into a template's context: the scene cues a text
matches, the subject of an idea, and `Drafter`, which picks the camera move, shot size,
angle, light, sound, dialogue and shots from the user's choices, the idea and the template's
defaults, and collects the warnings on the way.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any

from .library import Craft, Defaults, describe_template, load_craft
from .lint import is_audible
from .models import LintWarning
from .text import SHOT_SIZE_RE, camera_kinds, found, matcher, sentence, split_sentences

_PRONOUNS = {"he": "", "she": "", "they": "", "it": "", "his": "'s", "her": "'s", "their": "'s", "its": "'s"}
# A verb the list does not know: an "-s" word before an article or possessive ("mends a net").
_LIKELY_VERB = re.compile(
    r"(?<=\w )\w+[^s\W']s(?= (?:a|an|the|his|her|their|its|my|our|your)\b)", re.IGNORECASE
)
_SUBJECT_STOP = re.compile(r"\b(?:is|are|was|were|has|have|who|which|that)\b", re.IGNORECASE)


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


class Cues:
    """What the scene cues matching a text suggest, first match first."""

    def __init__(self, text: str) -> None:
        self.matched = [cue for cue in load_craft().cues if found(cue.words, text)]

    def first(self, slot: str) -> str:
        return next((str(getattr(cue, slot)) for cue in self.matched if getattr(cue, slot)), "")

    def some(self, slot: str, count: int = 2) -> str:
        values = dict.fromkeys(str(getattr(cue, slot)) for cue in self.matched if getattr(cue, slot))
        return ", ".join(list(values)[:count])


def subject_of(first_sentence: str) -> str:
    """The words of the idea before its first verb: who or what the clip is about."""
    text = first_sentence.rstrip(".!?。！？")
    cut = len(text)
    verb = matcher(tuple(load_craft().lint.verbs), "verb").search(text) or _LIKELY_VERB.search(text)
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


@dataclasses.dataclass
class Drafter:
    """One drafting run: validated choices in, the template's context and warnings out."""

    template: str
    size_choice: str | None
    move_choice: str | None
    fixed_lens: bool | None
    craft: Craft = dataclasses.field(default_factory=load_craft)
    warnings: list[LintWarning] = dataclasses.field(default_factory=list)

    @property
    def defaults(self) -> Defaults:
        return self.craft.defaults.get(self.template, Defaults())

    def cued(self, cues: Cues, slot: str) -> str:
        """A cue's camera, size or angle, unless the template keeps its own framing."""
        return cues.first(slot) if self.defaults.camera_from_cues else ""

    def move(self, text: str, fallback: str) -> str:
        """One primary camera move: the user's, else the text's own (written already), else a default."""
        if self.move_choice:
            return self.move_choice
        if camera_kinds(text):
            return ""
        if self.fixed_lens:
            return "static"
        return fallback

    def size(self, text: str, fallback: str) -> str:
        if self.size_choice:
            return self.craft.shot_sizes[self.size_choice]
        if SHOT_SIZE_RE.search(text):
            return ""
        return self.craft.shot_sizes.get(fallback, "")

    def main_move(self, idea: str, cues: Cues) -> str:
        d = self.defaults
        if self.fixed_lens is False and d.camera_move == "static" and d.moving_camera:
            return self.move(idea, d.moving_camera)
        return self.move(idea, self.cued(cues, "camera_move") or d.camera_move or "dolly-in")

    def angle(self, angle: str, cues: Cues) -> str:
        if angle:
            return self.craft.angles.get(re.sub(r"[\s_]+", "-", angle.lower()).removesuffix("-angle"), angle)
        return self.craft.angles.get(self.cued(cues, "angle") or self.defaults.angle, "")

    def light(self, light: str, idea: str, cues: Cues) -> str:
        if light:
            return light
        if found(self.craft.lint.light, idea):
            return ""  # the idea names its own light
        return cues.first("light") or self.defaults.light

    def sound(self, sound: str, audio: bool | None, idea: str, cues: Cues) -> dict[str, str]:
        """Ambient, effects and music: described sounds come out better; none when audio is off."""
        if audio is False:
            if sound:
                self.warn("unused_field", "sound: left out because audio is off; turn audio on to hear it.")
            return {"ambient": "", "effects": "", "music": ""}
        if sound:
            return {"ambient": sound, "effects": "", "music": ""}
        if is_audible(idea):
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
                    f"Describe {speaker!r} by look (e.g. 'the woman in the red coat'): "
                    "the model does not know "
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
            sentences = split_sentences(shot)
            cues = Cues(shot)
            cycle_size, cycle_move = cycle[(number - 1) % len(cycle)]
            move = self.move(shot, cues.first("camera_move") or cycle_move)
            parts.append(
                {
                    "number": number,
                    "shot_size": self.size(shot, cues.first("shot_size") or cycle_size),
                    "camera": self.craft.camera_moves.get(move, ""),
                    "camera_move": move,
                    "text": sentence(_with_subject(sentences[0], subject)),
                    "details": " ".join(sentence(s) for s in sentences[1:]),
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
