"""Composing a prompt from what the user gave: `Composer` holds the pieces (the idea's
sentences, the shots, the dialogue, the framing and the light, style, mood and sound fields),
each written in the idea's language, and builds a template's context from the pieces a fit
keeps. It adds nothing the user did not ask for: the only words of its own are a template's
scaffolding (a product template's "Product showcase.", a dialogue's lip-sync framing, the
shot labels), and those are the first to go when a prompt must be shortened.

Every piece that can be left out has a unit id: `scaffold:*` (the tool's own words),
`field:*` (a field the user passed), `idea:N` and `shot:N:M` (the user's later sentences).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Sequence
from typing import Any

from .library import Craft, Language
from .models import LintWarning
from .text import (
    SHOT_SIZE_RE,
    affirmed,
    camera_kinds,
    capfirst,
    detect_language,
    found,
    function_words,
    matcher,
    sentence,
    split_sentences,
)

__all__ = ["Composer", "Piece", "Shot", "language_of_line", "parse_dialogue", "subject_of"]

_PRONOUNS = {"he": "", "she": "", "they": "", "it": "", "his": "'s", "her": "'s", "their": "'s", "its": "'s"}
# A verb the list does not know: an "-s" word before an article or possessive ("mends a net").
_LIKELY_VERB = re.compile(
    r"(?<=\w )\w+[^s\W']s(?= (?:a|an|the|his|her|their|its|my|our|your)\b)", re.IGNORECASE
)
_SUBJECT_STOP = re.compile(r"\b(?:is|are|was|were|has|have|who|which|that)\b", re.IGNORECASE)
_DELIVERY = re.compile(r"^(?P<speaker>.*?)\s*[（(](?P<how>[^)）]+)[)）]\s*$")

# A spoken language's English name by script; Latin-script lines are told apart by words.
_SPOKEN_BY_CODE = {
    "en": "English",
    "zh": "Mandarin Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "es": "Spanish",
    "pt": "Portuguese",
    "id": "Indonesian",
    "ru": "Russian",
    "ar": "Arabic",
    "hi": "Hindi",
    "th": "Thai",
    "he": "Hebrew",
    "el": "Greek",
}


def subject_of(first_sentence: str, verbs: Sequence[str], code: str) -> str:
    """Who or what the clip is about: the words of the idea before its first verb."""
    text = first_sentence.rstrip(".!?。！？")
    if code == "ja":
        match = re.search(r"([^、。，\s]+?)(?:が|は)", text)
        return match.group(1) if match else ""
    if code == "zh":
        verb = re.compile("|".join(re.escape(v) for v in verbs if re.search(r"[\u4e00-\u9fff]", v)))
        hit = verb.search(text)
        head = text[: hit.start()] if hit and hit.start() > 0 else text
        return re.split(r"[，,、]", head)[-1].strip()
    cut = len(text)
    hit = matcher(tuple(verbs), "verb").search(text) or _LIKELY_VERB.search(text)
    if hit and hit.start() > 0:
        cut = hit.start()
    stop = _SUBJECT_STOP.search(text)
    if stop and 0 < stop.start() < cut:
        cut = stop.start()
    words = text[:cut].strip(" ,;").split()
    if words and words[0].lower() in ("a", "an", "one"):
        words[0] = "the"
    return " ".join(words) if words else text


def _with_subject(text: str, subject: str) -> str:
    """A shot that starts with a pronoun names the subject the same way as every other shot."""
    first, _, rest = text.partition(" ")
    suffix = _PRONOUNS.get(first.lower())
    if suffix is None or not rest or not subject:
        return text
    return f"{subject}{suffix} {rest}"


def parse_dialogue(entry: str, subject: str) -> tuple[str, str, str]:
    """One dialogue entry ("the old woman (warmly): We're late.") as speaker, delivery and line."""
    match = re.match(r"^([^:：]*)[:：](.*)$", entry)
    speaker, line = (match.group(1), match.group(2)) if match else ("", entry)
    how = ""
    delivery = _DELIVERY.match(speaker)
    if delivery:
        speaker, how = delivery.group("speaker"), delivery.group("how").strip()
    # A speaker is a short noun phrase ("the old fisherman in the yellow raincoat"), its delivery
    # not counted; a longer text before a colon is part of the line.
    if not match or not line.strip() or len(speaker.split()) > 8 or len(speaker) > 48 or '"' in speaker:
        speaker, how, line = subject, "", entry
    return speaker.strip(), how, line.strip().strip("\"“”«»「」'").strip()


def language_of_line(line: str, prompt_language: str) -> str:
    """The language a line is spoken in, when its script or words make it plain; else ""."""
    code = detect_language(line)
    if code not in ("en", "es", "pt", "id"):
        return _SPOKEN_BY_CODE.get(code, "")  # the script says it
    if prompt_language in ("es", "pt", "id"):
        # A Latin-script line in a Spanish (Portuguese, Indonesian) idea is in the idea's
        # language unless it is plainly English.
        plainly_english = code == "en" and function_words(line, "en") >= 2
        return "English" if plainly_english else _SPOKEN_BY_CODE[prompt_language]
    if code == "en":
        return "English" if line.isascii() else ""
    return ""  # a few Latin-script words are not enough to name a language the idea is not in


def _is_name(speaker: str) -> bool:
    words = speaker.split()
    return (
        0 < len(words) <= 2
        and all(w[:1].isupper() for w in words)
        and words[0].lower() not in ("the", "a", "an")
    )


@dataclasses.dataclass(frozen=True)
class Piece:
    """A finished sentence (or phrase) and the unit a fit may leave out ("" when it must stay)."""

    unit: str
    text: str


@dataclasses.dataclass(frozen=True)
class Shot:
    number: int
    label: str
    text: str
    details: tuple[Piece, ...]
    names_camera: bool


@dataclasses.dataclass
class Composer:
    """One drafting run: the user's words and choices in, a template's context out."""

    template: str
    craft: Craft
    code: str
    vocab: Language | None
    idea: str
    shots_given: list[str]
    dialogue_given: list[str]
    size_choice: str | None
    move_choice: str | None
    angle: str
    light: str
    style: str
    mood: str
    sound: str
    fixed_lens: bool | None
    spoken_language: str
    beat_total: int | None
    warnings: list[LintWarning] = dataclasses.field(default_factory=list)
    missing_delivery: bool = dataclasses.field(default=False, init=False)
    _shots: list[Shot] = dataclasses.field(default_factory=list, init=False)
    _dialogue_lines: list[str] = dataclasses.field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        sentences = split_sentences(self.idea)
        self.first = self._sentence(sentences[0])
        self.details = [Piece(f"idea:{i}", self._sentence(s)) for i, s in enumerate(sentences[1:], start=1)]
        self.subject = subject_of(self.first, self.craft.lint.verbs, self.code)
        self.idea_names_camera = bool(camera_kinds(affirmed(self.idea)))

    # ---- words in the idea's language

    @property
    def stop(self) -> str:
        return self.vocab.stop if self.vocab else ("。" if self.code in ("zh", "ja") else ".")

    @property
    def comma(self) -> str:
        return self.vocab.comma if self.vocab else ("，" if self.code in ("zh", "ja") else ", ")

    @property
    def space(self) -> str:
        return self.vocab.space if self.vocab else ("" if self.code in ("zh", "ja") else " ")

    def _sentence(self, text: str) -> str:
        return sentence(text, self.stop)

    def _phrase(self, key: str, **values: str) -> str:
        """A phrase of the language's scaffolding, or "" in a language without vocabulary."""
        if self.vocab is None:
            return ""
        return str(getattr(self.vocab.phrases, key)).format(**values)

    def _field_sentence(self, key: str, value: str) -> str:
        """A field the user passed, as a sentence in the idea's language; in a language without
        vocabulary the user's own words alone."""
        if not value:
            return ""
        return self._sentence(self._phrase(key, **{key: value}) if self.vocab else value)

    # ---- framing

    def _template_framing(self) -> tuple[str, str]:
        """The template's own shot size and camera move (a product, a dialogue), or none."""
        framing = self.craft.framing.get(self.template)
        if framing is None:
            return "", ""
        move = framing.camera_move
        if self.fixed_lens is False and move == "static" and framing.moving_camera:
            move = framing.moving_camera
        return framing.shot_size, move

    def camera_move(self) -> str:
        """The one camera move of the prompt: the user's, else a still camera for a fixed lens,
        else the template's own (product, dialogue); none when the idea names its own move."""
        if self.move_choice:
            return self.move_choice
        if self.idea_names_camera:
            return ""
        if self.fixed_lens:
            return "static"
        return self._template_framing()[1]

    def _size_piece(self, text: str) -> Piece | None:
        if self.size_choice:
            return Piece("field:shot_size", self.size_choice)
        size = self._template_framing()[0]
        if size and not SHOT_SIZE_RE.search(text):
            return Piece("scaffold:size", size)
        return None

    def _camera_piece(self) -> Piece | None:
        move = self.camera_move()
        if not move:
            return None
        unit = "field:camera" if self.move_choice or self.fixed_lens else "scaffold:camera"
        return Piece(unit, move)

    def _framing(self, pieces: Sequence[Piece | None], dropped: Collection[str]) -> str:
        if self.vocab is None:
            return ""
        words = []
        for piece in pieces:
            if piece is None or piece.unit in dropped:
                continue
            if piece.unit.endswith("size"):
                words.append(self.vocab.shot_sizes[piece.text])
            elif piece.unit.endswith("camera"):
                words.append(self.vocab.camera_moves[piece.text])
            elif piece.unit == "field:angle":
                key = re.sub(r"[\s_]+", "-", piece.text.lower()).removesuffix("-angle")
                words.append(self.vocab.angles.get(key, piece.text))
            else:
                words.append(piece.text)
        return self._sentence(capfirst(self.comma.join(words))) if words else ""

    def framing_pieces(self) -> list[Piece | None]:
        pieces = [self._size_piece(self.idea), Piece("field:angle", self.angle) if self.angle else None]
        camera = self._camera_piece()
        pieces.append(camera)
        if self.template == "dialogue" and camera is not None and camera.text == "static":
            pieces.append(Piece("scaffold:lipsync", self._phrase("lipsync")))
        return pieces

    # ---- shots and dialogue

    def shots(self) -> list[Shot]:
        parts = []
        count = len(self.shots_given)
        for number, shot in enumerate(self.shots_given, start=1):
            sentences = split_sentences(shot)
            first = _with_subject(sentences[0], self.subject) if self.code == "en" else sentences[0]
            parts.append(
                Shot(
                    number=number,
                    label=self._shot_label(number, count),
                    text=self._sentence(first),
                    details=tuple(
                        Piece(f"shot:{number}:{i}", self._sentence(s))
                        for i, s in enumerate(sentences[1:], start=1)
                    ),
                    names_camera=bool(camera_kinds(affirmed(shot))),
                )
            )
        return parts

    def _shot_label(self, number: int, count: int) -> str:
        if self.vocab is None:
            return f"[{number}]"
        if self.beat_total:
            start = round((number - 1) * self.beat_total / count)
            end = round(number * self.beat_total / count)
            return self._phrase("beat", start=str(start), end=str(end))
        return self._phrase("shot", number=str(number))

    def dialogue(self) -> list[str]:
        lines = []
        missing_delivery = False
        for entry in self.dialogue_given:
            speaker, how, line = parse_dialogue(entry, self.subject)
            if _is_name(speaker):
                self.warn(
                    "speaker_by_look",
                    f"Describe {speaker!r} by look (e.g. 'the woman in the red coat'): the model does "
                    "not know names, so it cannot tell who speaks.",
                )
            missing_delivery = missing_delivery or not how
            spoken = self.spoken_language or language_of_line(line, self.code)
            if not spoken and not self.spoken_language and not self.warned("language_missing"):
                self.warn(
                    "language_missing",
                    "Name the spoken language (language='Spanish', for example) so voice and lip-sync match.",
                )
            if self.vocab is None:
                lines.append(f'{speaker}{f" ({how})" if how else ""}: "{line}"' if speaker else f'"{line}"')
                continue
            name = self.vocab.spoken(spoken) if spoken else ""
            text = self.vocab.phrases.say.format(
                speaker=capfirst(speaker) if self.code not in ("zh", "ja") else speaker,
                how=self._phrase("how", delivery=how) if how else "",
                language=self._phrase("in_language", language=name) if name else "",
                line=line,
            )
            lines.append(self._sentence(text.strip()))
        self.missing_delivery = missing_delivery and bool(lines)
        return lines

    # ---- the context

    def context(self, dropped: Collection[str] = ()) -> dict[str, Any]:
        """The template's context with the pieces in `dropped` left out."""

        def keep(piece: Piece) -> str:
            return piece.text if piece.unit not in dropped else ""

        sound = self._field_sentence("sound", self.sound) if "field:sound" not in dropped else ""
        voices = ""
        if self.template == "dialogue" and "scaffold:voices" not in dropped and self.vocab is not None:
            voices = self._sentence(
                self._phrase("voices_under", sound=self.sound) if sound else self._phrase("voices")
            )
            sound = ""
        shot_framing = [self._size_piece(" ".join(self.shots_given)), self._camera_piece()]
        return {
            "space": self.space,
            "subject": self.subject,
            "language": self.code,
            "camera_move": self.camera_move(),
            "product": self._sentence(self._phrase("product"))
            if self.vocab and "scaffold:product" not in dropped
            else "",
            "idea": self.first,
            "details": [keep(p) for p in self.details if keep(p)],
            "framing": self._framing(self.framing_pieces(), dropped),
            "light": self._field_sentence("light", self.light) if "field:light" not in dropped else "",
            "style": self._field_sentence("style", self.style) if "field:style" not in dropped else "",
            "mood": self._field_sentence("mood", self.mood) if "field:mood" not in dropped else "",
            "sound": sound,
            "voices": voices,
            "keep_image": self._sentence(self._phrase("keep_image"))
            if self.vocab and "scaffold:keep_image" not in dropped
            else "",
            "dialogue": self._dialogue_lines,
            "shots": [
                {
                    "number": shot.number,
                    "label": shot.label,
                    "framing": "" if shot.names_camera else self._framing(shot_framing, dropped),
                    "text": shot.text,
                    "details": [keep(p) for p in shot.details if keep(p)],
                }
                for shot in self._shots
            ],
        }

    @property
    def shot_list(self) -> list[Shot]:
        """The shots, once `prepare` has run."""
        return self._shots

    def prepare(self) -> None:
        """Work out the shots and dialogue once (their warnings are raised here)."""
        self._shots = self.shots()
        self._dialogue_lines = self.dialogue()

    def units(self) -> list[Piece]:
        """Every piece a fit may leave out, with its text (for the order and the report)."""
        pieces: list[Piece] = [p for p in self.framing_pieces() if p is not None]
        for key in ("light", "style", "mood", "sound"):
            if getattr(self, key):
                pieces.append(Piece(f"field:{key}", getattr(self, key)))
        if self.vocab is not None:
            for key, present in (
                ("product", self.template == "product"),
                ("keep_image", self.template == "image-to-video"),
                ("voices", self.template == "dialogue"),
            ):
                if present:
                    pieces.append(Piece(f"scaffold:{key}", self._phrase(key)))
        pieces += self.details
        for shot in self._shots:
            pieces += shot.details
        return pieces

    def unused(self, used: Sequence[str], **given: object) -> None:
        for name, value in given.items():
            if value not in (None, "", []) and name not in used:
                self.warn(
                    "unused_field",
                    f"{name}: the {self.template} template does not use it; choose a template that does, "
                    "or leave it out.",
                )
        if self.vocab is None:
            for name in ("shot_size", "camera_move", "angle"):
                if given.get(name):
                    self.warn(
                        "unused_field",
                        f"{name}: there are no {self.code} words for it here, so it was left out; "
                        "write it into the idea in the idea's language.",
                    )

    def warn(self, rule: str, message: str) -> None:
        self.warnings.append(LintWarning(rule=rule, message=message))

    def warned(self, rule: str) -> bool:
        return any(w.rule == rule for w in self.warnings)

    def words_found(self, words: Sequence[str], inflect: str = "plural") -> list[str]:
        """Words of a list in what the user gave (idea and shots), negated phrases excluded."""
        return found(words, affirmed(" ".join([self.idea, *self.shots_given])), inflect)
