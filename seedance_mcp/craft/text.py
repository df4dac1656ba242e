"""Reading prompt text: word lists matched with their plural and verb forms, the camera moves,
shot sizes, shot markers and quoted speech a text names, and small sentence helpers.

Pure functions over strings; nothing here knows the craft data or the providers.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence


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
def matcher(words: tuple[str, ...], inflect: str) -> re.Pattern[str]:
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


def found(words: Sequence[str], text: str, inflect: str = "plural") -> list[str]:
    """The words of a list that occur in text, in order of appearance, each once."""
    hits = matcher(tuple(words), inflect).findall(text)
    return list(dict.fromkeys(hit.lower() for hit in hits))


_CAMERA_PATTERNS: dict[str, str] = {
    "dolly-in": r"\bdoll(?:y|ies|ying|ied)\s+(?:in|forward|toward|towards|closer)\b|\bpush(?:es|ing)?[- ]in\b"
    r"|\bzoom(?:s|ing)?\s+in\b|\bcrash\s+zoom\b",
    "dolly-out": r"\bdoll(?:y|ies|ying|ied)\s+(?:out|back|away)\b|\bpull(?:s|ing)?[- ](?:back|out)\b"
    r"|\bzoom(?:s|ing)?\s+out\b",
    "dolly": r"\bdoll(?:y|ies|ying|ied)\b(?!\s+(?:in|forward|toward|towards|closer|out|back|away)\b)",
    "pan": r"\bpan(?:s|ned|ning)\b|\bpan\s+(?:left|right|across|over|to|from|shot)\b"
    r"|\b(?:slow|whip|quick|gentle|camera|swish)\s+pan\b",
    "tilt": r"\btilt(?:s|ed|ing)?\s+(?:up|down|upward|downward)\b"
    r"|\b(?:slow|gentle|camera)\s+tilt\b|\btilt\s+shot\b",
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

SHOT_SIZE_RE = re.compile(
    r"\b(?:extreme\s+)?(?:wide|long|full|medium|establishing|close)[- ]?(?:up\s+)?shot\b|\bclose[- ]ups?\b"
    r"|\bmedium\s+close[- ]up\b|\bextreme\s+close[- ]up\b|\bmacro\s+shot\b",
    re.IGNORECASE,
)
SHOT_MARKER = re.compile(r"\bshot\s*(\d+)\s*[:.)\]\-–—]", re.IGNORECASE)
_QUOTED = re.compile(r'"([^"]+)"|“([^”]+)”|«([^»]+)»|「([^」]+)」|『([^』]+)』')
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")


def camera_kinds(text: str) -> list[str]:
    """The camera moves a text names, by kind (`static` included), in a fixed order."""
    return [kind for kind, pattern in _CAMERA_RE.items() if pattern.search(text)]


def quoted(text: str) -> list[str]:
    """The quoted passages of a text (straight, curly, guillemet and CJK quotes)."""
    return [next(group for group in match.groups() if group) for match in _QUOTED.finditer(text)]


def spoken_words(text: str) -> float:
    """Words of speech in the quoted lines; Chinese and Japanese count two characters per word."""
    total = 0.0
    for line in quoted(text):
        cjk = len(_CJK.findall(line))
        total += len(re.findall(r"\w+", _CJK.sub(" ", line))) + cjk / 2
    return total


# ----------------------------------------------------------------------------- sentence helpers


def capfirst(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def sentence(text: str) -> str:
    """A phrase as a sentence: capital first letter, closing punctuation."""
    text = text.strip()
    if not text:
        return ""
    text = capfirst(text)
    return text if text[-1] in '.!?。！？"”' else text + "."


def clean(value: str | None) -> str:
    """A free-text field as a phrase: single spaces, no trailing full stop."""
    if value is None:
        return ""
    return re.sub(r"\s+", " ", value).strip().rstrip(".;, ")


def split_sentences(text: str) -> list[str]:
    """A text's sentences, whitespace collapsed."""
    return [s for s in _SENTENCE_END.split(re.sub(r"\s+", " ", text).strip()) if s]


def tidy(rendered: str) -> str:
    """A rendered template without blank lines, doubled spaces or spaces before punctuation."""
    lines = (
        re.sub(r" +([,.])", r"\1", re.sub(r"[ \t]+", " ", line)).strip() for line in rendered.splitlines()
    )
    return "\n".join(line for line in lines if line)
