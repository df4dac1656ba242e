"""The linter, rule by rule: each rule fires on a prompt with the flaw (saying what to change)
and stays silent on one without it, including the false positives the drafter used to hit
("pots and pans" is not a pan, "no cars" names no car, a sign's words are not speech). And
it stays silent on ByteDance's own example prompts.
"""

from __future__ import annotations

from typing import Any

import pytest

from seedance_mcp.craft.lint import is_audible, lint_prompt
from seedance_mcp.craft.models import LintWarning


def rules(warnings: list[LintWarning]) -> list[str]:
    return [w.rule for w in warnings]


# ByteDance's own example prompts, as its API documentation (BytePlus ModelArk / Volcengine Ark
# video generation) and its Seedance examples show them: text-to-video, multi-shot ("multiple
# shots"), image-to-video with a camera pull-out, and a flight at speed. Linted with the
# settings they were written for, the linter has nothing to say about any of them.
BYTEDANCE_EXAMPLES: list[tuple[str, dict[str, Any]]] = [
    ("小猫对着镜头打哈欠", {"duration": 5}),
    ("A kitten yawning at the camera.", {"duration": 5}),
    (
        "多个镜头。一名侦探进入一间光线昏暗的房间。他检查桌上的线索，手里拿起桌上的某个物品。镜头转向他正在思索。",
        {"duration": 5},
    ),
    (
        "Multiple shots. A detective enters a dimly lit room. He examines the clues on the table and picks "
        "up an item from the table. The camera turns to him as he is thinking.",
        {"duration": 5},
    ),
    (
        "女孩抱着狐狸，女孩睁开眼，温柔地看向镜头，狐狸友善地抱着，镜头缓缓拉出，女孩的头发被风吹动",
        {"duration": 5, "image": True},
    ),
    (
        "A girl holding a fox, the girl opens her eyes, looks gently at the camera, the fox hugs "
        "affectionately, the camera slowly pulls out, the girl's hair is blown by the wind",
        {"duration": 5, "image": True},
    ),
    ("无人机以极快速度穿越复杂障碍或自然奇观，带来沉浸式飞行体验", {"duration": 5}),
]


@pytest.mark.parametrize(("prompt", "settings"), BYTEDANCE_EXAMPLES)
def test_silent_on_bytedances_own_examples(prompt: str, settings: dict[str, Any]) -> None:
    assert lint_prompt(prompt, **settings) == []
    assert lint_prompt(prompt, provider="byteplus", model="seedance-1.5-pro", **settings) == []


# ----------------------------------------------------------------------------- each rule


@pytest.mark.parametrize(
    ("rule", "flawed", "fine", "settings"),
    [
        (
            "negative_phrasing",
            "A quiet street at dawn, no cars, no people.",
            "A deserted street at dawn, the road empty, mist over the asphalt.",
            {},
        ),
        ("negative_phrasing", "一个女孩走在街上，没有汽车，没有行人。", "一个女孩走在空荡荡的街上。", {}),
        (
            "negative_phrasing",
            "Una mujer vende flores, sin música.",
            "Una mujer vende flores en silencio.",
            {},
        ),
        (
            "filler_words",
            "Cinematic, beautiful lighting, an 8K masterpiece of a dog running on a beach.",
            "A dog runs along a beach, low sun behind it, sand kicking up.",
            {},
        ),
        ("filler_words", "一只狗在海边奔跑，电影感，4K高清，唯美。", "一只狗在海边奔跑，夕阳在身后。", {}),
        (
            "stacked_camera_moves",
            "A chef stirs a pot, slow dolly in, then the camera pans left across the kitchen.",
            "A chef stirs a pot while pots and pans hang over the stove, slow dolly in.",
            {},
        ),
        (
            "stacked_camera_moves",
            "雨夜，路灯下，镜头缓缓推进，然后镜头环绕女孩。",
            "雨夜，路灯下，镜头缓缓推进。",
            {},
        ),
        (
            "stacked_camera_moves",
            "Shot 1: slow dolly in and an orbit around the door.",
            "Shot 1: slow dolly in on the door. Cut to the hall, the camera pans left across it.",
            {},
        ),
        (
            "stacked_camera_moves",
            "镜头1：镜头缓缓推进，镜头环绕女孩。",
            "镜头1：镜头缓缓推进。镜头切换，镜头2：镜头环绕女孩。",
            {},
        ),
        (
            "stacked_camera_moves",
            "[0-4s] slow dolly in on the door, then the camera orbits it.",
            "[0-4s] slow dolly in on the door. [4-8s] the camera orbits the hall.",
            {},
        ),
        ("thin_prompt", "A cat.", "A grey cat stretches on a sunny windowsill.", {}),
        ("thin_prompt", "小猫", "小猫对着镜头打哈欠", {}),
        (
            "too_many_events",
            "A man runs, jumps, falls, stands up, turns, smiles, waves and walks away.",
            "A man runs along the pier and jumps into the sea.",
            {"duration": 5},
        ),
        (
            "too_many_events",
            "A man wakes. He showers. He makes coffee. He reads the paper. He walks to the station.",
            "A man wakes and reaches for the alarm clock. He smiles.",
            {"duration": 5},
        ),
        (
            "image_redescribed",
            "A young woman with long red hair wearing a blue dress stands in the image.",
            "She slowly turns her head toward the window and smiles; her hair lifts in the breeze.",
            {"image": True},
        ),
        (
            "image_redescribed",
            "图中一个穿着红色裙子的长发女孩。",
            "女孩缓缓转头，微笑，头发被风吹起。",
            {"image": True},
        ),
        (
            "unquoted_text",
            "A neon sign above the bar reads OPEN ALL NIGHT.",
            'A neon sign above the bar reads "OPEN ALL NIGHT".',
            {},
        ),
        ("unquoted_text", "店门上方的招牌写着新年快乐。", "店门上方的招牌写着“新年快乐”。", {}),
        (
            "text_position_missing",
            'The title "SUMMER" appears.',
            'The title "SUMMER" appears in white letters at the bottom of the frame.',
            {},
        ),
        (
            "text_unsupported",
            'A shop sign reads "OPEN".',
            "A shop owner unlocks the door.",
            {"model": "seedance-1.5-pro"},
        ),
        (
            "reference_naming",
            "The woman from image 1 walks into the room from image 2.",
            "The woman from @image1 walks into the room from @image2.",
            {"model": "seedance-2.0"},
        ),
        (
            "reference_naming",
            "The woman from @image1 walks into the room.",
            "The woman in the red coat walks into the room.",
            {"model": "seedance-1.5-pro"},
        ),
        (
            "label_lines",
            "A man reads a book.\nLight: a warm desk lamp.\nSound: rain on the window.",
            "A man reads a book. A warm desk lamp lights the page. We hear rain on the window.",
            {},
        ),
        (
            "light_against_time",
            "A woman walks down a rainy street at night, lit by grey overcast daylight.",
            "A woman walks down a rainy street at night under the street lamps.",
            {},
        ),
        (
            "timecode_beyond_duration",
            "[0-4s] a man walks in. [4-8s] he sits down.",
            "[0-2s] a man walks in. [2-4s] he sits down.",
            {"duration": 4},
        ),
        (
            "dialogue_too_long",
            'The old man says: "' + " ".join(["word"] * 15) + '"',
            # contractions count one word each
            "The old man says: \"It's late, isn't it? We're done, aren't we?\"",
            {"duration": 4},
        ),
        (
            "too_many_shots",
            "Shot 1: a door. Shot 2: a hall. Shot 3: a window.",
            "Shot 1: a door opens.",
            {"duration": 5},
        ),
        (
            "too_many_shots",
            "A door opens. Cut to the hall. Cut to the window. Cut to the street.",
            "A door opens. Cut to the hall.",
            {"duration": 8},
        ),
        (
            "sound_without_audio",
            "A dog barks at the thunder.",
            "A dog runs along the beach without a sound in the world.",
            {"audio": False},
        ),
        (
            "audio_without_sound",
            "A quiet lake at noon, no music, no voices.",
            "A quiet lake at noon, frogs croaking and a heron's wings beating; we hear the wind.",
            {"audio": True},
        ),
        (
            "camera_move_with_fixed_lens",
            "A vase on a table, slow orbit around it.",
            "A vase on a table, static camera; the vase turns on a turntable.",
            {"fixed_lens": True},
        ),
        (
            "no_visible_subject",
            "The essence of freedom and the feeling of hope.",
            "A girl lets a paper lantern drift over the river, a symbol of hope.",
            {},
        ),
    ],
)
def test_rule_fires_on_the_flaw_and_not_without_it(
    rule: str, flawed: str, fine: str, settings: dict[str, Any]
) -> None:
    fired = [w for w in lint_prompt(flawed, **settings) if w.rule == rule]
    assert fired, f"{rule} missed {flawed!r}"
    # Every warning says what to change, not only what is wrong.
    assert any(
        verb in fired[0].message.lower()
        for verb in (
            "say",
            "put",
            "write",
            "name",
            "keep",
            "remove",
            "rewrite",
            "use",
            "describe",
            "shorten",
            "end",
            "turn",
            "light",
            "drop",
            "cut",
        )
    )
    assert rule not in rules(lint_prompt(fine, **settings)), f"{rule} fired on {fine!r}"


def test_negative_phrasing_offers_a_positive_rewrite() -> None:
    [warning] = [
        w for w in lint_prompt("A quiet street at dawn, no cars, no people.") if w.rule == "negative_phrasing"
    ]
    assert "'no cars' -> an empty road" in warning.message
    assert "'no people' -> an empty, deserted place" in warning.message
    blur = next(w for w in lint_prompt("A runner sprints, no blur.") if w.rule == "negative_phrasing")
    assert "sharp focus" in blur.message
    # A negation inside quoted speech is what someone says, not a prompt instruction.
    assert "negative_phrasing" not in rules(lint_prompt('A man shakes his head and says: "No, not today."'))


def test_pan_is_a_camera_word_only_in_camera_context() -> None:
    for kitchen in ("A cook hangs pots and pans over the stove.", "She flips a pancake in a frying pan."):
        assert lint_prompt(kitchen + " Slow dolly in.") == []
    for camera in (
        "The camera pans left across the room.",
        "Slow pan from left to right.",
        "Whip pan to the door.",
    ):
        assert "stacked_camera_moves" in rules(lint_prompt(camera + " Slow dolly in."))


def test_what_a_text_negates_or_shows_is_not_sound() -> None:
    assert not is_audible("A quiet lake, no music, no voices.")
    assert not is_audible("清晨的街道，没有音乐。")
    assert not is_audible('A neon sign reads "OPEN ALL NIGHT".')
    assert is_audible('The waiter says "Welcome."')
    assert is_audible("老人在海边散步，能听到海浪声。")
    assert is_audible("Se oye la lluvia en el tejado.")


def test_on_screen_text_is_not_timed_as_speech() -> None:
    sign = 'A neon sign reads "' + " ".join(["OPEN"] * 20) + '".'
    assert "dialogue_too_long" not in rules(lint_prompt(sign, duration=4))
