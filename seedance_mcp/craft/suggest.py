"""Suggestions: what the craft calls for that the user's words leave out (a camera move, a
light source, a sound for a clip with audio, an action, how a line is said). The drafter never
fills these in; it says what is missing, with an example in the idea's language that the
agent may use or not. Light examples follow the time of day first and the weather second, so
a rainy night is offered night light.
"""

from __future__ import annotations

from .compose import Composer
from .library import Craft
from .models import LintWarning
from .text import found

__all__ = ["suggestions"]


def _example_light(craft: Craft, text: str, code: str) -> str:
    for entry in craft.suggest.light:
        if not entry.words or found(entry.words, text):
            return str(getattr(entry, code if code in ("en", "zh", "ja", "es") else "en"))
    return ""


def _example_move(craft: Craft, text: str) -> str:
    for entry in craft.suggest.camera:
        if not entry.words or found(entry.words, text, "verb"):
            return entry.move
    return "dolly-in"


def suggestions(
    composer: Composer,
    *,
    audio_on: bool,
    audio_always: bool,
    user_audible: bool,
    has_action: bool,
) -> list[LintWarning]:
    """What to add to the idea (or the fields) to give the model the whole craft."""
    craft = composer.craft
    said = " ".join([composer.idea, *composer.shots_given])
    out: list[LintWarning] = []
    phrase_of = composer.vocab.camera_moves if composer.vocab else craft.camera_moves

    if not has_action:
        out.append(
            LintWarning(
                rule="action_missing",
                message="The idea names no action: say what the subject does, one main action for every "
                "3-5 seconds (e.g. 'the fox trots across the empty road').",
            )
        )

    camera = composer.camera_move()
    if composer.template == "multi-shot":
        bare = [s.number for s in composer.shot_list if not s.names_camera] if not camera else []
        if bare:
            move = _example_move(craft, said)
            out.append(
                LintWarning(
                    rule="camera_missing",
                    message=f"{'Shot' if len(bare) == 1 else 'Shots'} {', '.join(map(str, bare))} "
                    f"{'names' if len(bare) == 1 else 'name'} no camera move: write one move into each "
                    f"shot's text (e.g. {phrase_of[move]!r}), or pass camera_move for all of them.",
                )
            )
    elif not camera and not composer.idea_names_camera:
        move = _example_move(craft, said)
        out.append(
            LintWarning(
                rule="camera_missing",
                message=f"No camera move is named: add one that serves the action, e.g. camera_move='{move}' "
                f"(written {phrase_of[move]!r}), or write the move into the idea. One move per shot.",
            )
        )

    if (
        composer.template != "image-to-video"
        and not composer.light
        and not composer.words_found(craft.lint.light)
    ):
        example = _example_light(craft, said, composer.code)
        out.append(
            LintWarning(
                rule="light_missing",
                message=f"No light source is named: name one that fits the time and place ({example}); "
                "pass light, or write it into the idea.",
            )
        )

    if audio_on and not user_audible:
        lead = "This model always makes sound" if audio_always else "Audio is on"
        out.append(
            LintWarning(
                rule="sound_missing",
                message=f"{lead} but nothing you gave makes a sound: name what is heard (the place, the "
                "action, any music) with sound=... or in the idea"
                + ("." if audio_always else ", or turn audio off (usually half the price)."),
            )
        )

    if composer.missing_delivery:
        out.append(
            LintWarning(
                rule="delivery_missing",
                message="Say how each line is delivered, in brackets after the speaker: "
                "'the old woman (warmly): Come in.' (a tone, a volume, an accent or dialect).",
            )
        )

    if composer.vocab is None:
        out.append(
            LintWarning(
                rule="language_vocabulary",
                message=f"The idea is in a language ({composer.code}) this tool has no camera or sound words "
                "for: the prompt holds only your words. Write the camera, light and sound into the idea in "
                "that language.",
            )
        )
    return out
