"""Fitting a composed prompt to a provider's length limit: the tool's own scaffolding goes
first, then the user's style, mood, angle and shot size, then the user's later sentences one
at a time from the end: plain ones first, then those that mention a sound, a camera move, a
light or quoted words, then the light, camera and sound fields, and last the sentences that
ask for a sound, a camera or a light outright ("We hear the wind and the waves"). The first
sentence of the idea and the dialogue are never left out; a sentence is never cut. What went
is reported, and the user's sentences that went are handed back whole.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Collection, Sequence

from ..errors import InvalidRequest
from ..plural import count
from .compose import Piece
from .models import LintWarning
from .text import affirmed, camera_kinds, quoted

# A sentence that asks for a sound, a camera or a light outright ("We hear the wind") is kept
# longest of all: a sentence that only mentions something audible ("the hull creaking") is not.
_REQUEST = re.compile(
    r"\b(?:hear|hears|heard|sound|sounds|audio|music|soundtrack|noise|ambience|ambient|camera|lit\s+by|"
    r"lighting|light\s+from)\b|听到|声音|音乐|音效|镜头|聞こえ|音楽|カメラ|\bse\s+(?:oye|escucha)\b|\bsonido|"
    r"\bmúsica\b|\bcámara\b",
    re.IGNORECASE,
)

__all__ = ["Fitted", "fit"]

_FIRST = (
    "scaffold:product",
    "scaffold:keep_image",
    "scaffold:lipsync",
    "scaffold:voices",
    "scaffold:size",
    "scaffold:camera",
    "field:style",
    "field:mood",
    "field:angle",
    "field:shot_size",
)
_LATE_FIELDS = ("field:light", "field:camera", "field:sound")
_LABELS = {
    "scaffold:product": "the template's opening words",
    "scaffold:keep_image": "the sentence asking to keep the start image's look",
    "scaffold:lipsync": "the lip-sync framing words",
    "scaffold:voices": "the sentence about the voices",
    "scaffold:size": "the template's shot size",
    "scaffold:camera": "the template's camera move",
    "field:style": "the style",
    "field:mood": "the mood",
    "field:angle": "the camera angle",
    "field:shot_size": "the shot size",
    "field:light": "the light",
    "field:camera": "the camera move",
    "field:sound": "the sound",
}


@dataclasses.dataclass(frozen=True)
class Fitted:
    prompt: str
    warnings: list[LintWarning]
    left_out: list[str]


def _keeps_craft(text: str, is_audible: Callable[[str], bool], names_light: Callable[[str], bool]) -> bool:
    """A sentence that carries a sound, a camera move, a light or quoted words is kept longest."""
    said = affirmed(text)
    return is_audible(said) or bool(camera_kinds(said)) or names_light(said) or bool(quoted(text))


def order(
    units: Sequence[Piece], is_audible: Callable[[str], bool], names_light: Callable[[str], bool]
) -> list[Piece]:
    """The pieces in the order they are left out."""
    by_unit = {p.unit: p for p in units}
    sentences = [p for p in units if p.unit.startswith(("idea:", "shot:"))]
    plain: list[Piece] = []
    craft: list[Piece] = []
    requests: list[Piece] = []
    for p in sentences:
        if not _keeps_craft(p.text, is_audible, names_light):
            plain.append(p)
        elif _REQUEST.search(affirmed(p.text)):
            requests.append(p)
        else:
            craft.append(p)
    first = [by_unit[u] for u in _FIRST if u in by_unit]
    late = [by_unit[u] for u in _LATE_FIELDS if u in by_unit]
    return first + _last_first(plain) + _last_first(craft) + late + _last_first(requests)


def _last_first(group: Sequence[Piece]) -> list[Piece]:
    """The idea's later sentences before each shot's; within each, the last first."""
    return sorted(group, key=lambda p: (p.unit.startswith("idea:"), _position(p)), reverse=True)


def _position(piece: Piece) -> tuple[int, ...]:
    return tuple(int(n) for n in piece.unit.split(":")[1:])


def fit(
    render: Callable[[Collection[str]], str],
    units: Sequence[Piece],
    *,
    limit: int,
    where: str,
    sizes: dict[str, int],
    is_audible: Callable[[str], bool],
    names_light: Callable[[str], bool],
) -> Fitted:
    """Render with every piece, then leave pieces out in `order` until the prompt fits; put
    back what still fits, most important first. `render(dropped)` renders without those units.

    A sentence whose removal still leaves the prompt over the limit is counted out by its
    length without a render, so a long idea costs a few renders, not one per sentence."""

    def without(pieces: Sequence[Piece]) -> str:
        return render(frozenset(p.unit for p in pieces))

    text = without(())
    length, exact = len(text), True
    dropped: list[Piece] = []
    for piece in order(units, is_audible, names_light):
        if length <= limit:
            if exact:
                break
            text = without(dropped)
            length, exact = len(text), True
            if length <= limit:
                break
        if _is_sentence(piece) and length - len(piece.text) - 1 > limit:
            dropped.append(piece)  # still over without it: no need to render to know
            length, exact = length - len(piece.text) - 1, False
            continue
        if not exact:
            text, exact = without(dropped), True
        shorter = without([*dropped, piece])
        if shorter != text:
            text = shorter
            dropped.append(piece)
        length = len(text)
    if not exact:
        text = without(dropped)
    if len(text) <= limit:
        fitted, fitted_text = dropped, text
        length, exact = len(text), True
        for piece in reversed(dropped[:-1]):
            if _is_sentence(piece):
                # A sentence adds its length and at most one separator: counted, not rendered.
                if len(piece.text) + 1 <= limit - length:
                    dropped = [p for p in dropped if p is not piece]
                    length, exact = length + len(piece.text) + 1, False
                continue
            trial = [p for p in dropped if p is not piece]
            longer = without(trial)
            if len(longer) <= limit:  # a real render, the counted sentences included
                dropped, text, length, exact = trial, longer, len(longer), True
        if not exact:
            text = without(dropped)
        if len(text) > limit:  # cannot happen (the counts are upper bounds); keep the fitted prompt
            dropped, text = fitted, fitted_text
    if len(text) > limit:
        field = max(sizes, key=lambda k: sizes[k])
        raise InvalidRequest(
            f"{field}: even with only the essentials the prompt has {len(text)} characters, over {where}; "
            f"shorten {field} by at least {count(len(text) - limit, 'character')}.",
            field=field,
            value=sizes[field],
            allowed=[f"a prompt of at most {limit} characters"],
        )
    left_out = [p.text for p in dropped if _is_sentence(p)]
    return Fitted(text, _report(dropped, where), left_out)


def _is_sentence(piece: Piece) -> bool:
    return piece.unit.startswith(("idea:", "shot:"))


def _report(dropped: Sequence[Piece], where: str) -> list[LintWarning]:
    warnings = [
        LintWarning(
            rule="trimmed",
            message=f"Left out {_LABELS[p.unit]} to fit {where}"
            + (
                "; the tool adds it, nothing of yours was lost."
                if p.unit.startswith("scaffold:")
                else "; shorten other parts to bring it back, or choose a provider with a larger limit."
            ),
        )
        for p in dropped
        if p.unit in _LABELS
    ]
    sentences = [p.text for p in dropped if p.unit.startswith(("idea:", "shot:"))]
    if sentences:
        shown = "; ".join(repr(s if len(s) <= 60 else s[:57] + "...") for s in sentences[:5])
        more = f" and {len(sentences) - 5} more" if len(sentences) > 5 else ""
        warnings.append(
            LintWarning(
                rule="trimmed",
                message=f"Left out {count(len(sentences), 'sentence')} of yours to fit "
                f"{where}, one at a time from the end (those naming a sound, a camera move or a light kept "
                f"longest): {shown}{more}. They are in left_out: merge them into fewer words, or choose a "
                "provider with a larger limit.",
            )
        )
    return warnings
