"""Prompt craft: templates, fitting to provider limits, suggested settings and the linter.

Goldens live in tests/golden/ (the prompt as .txt, the rest of the draft as .json). After an
intended change to a template or to prompts/craft.toml, regenerate them with
`SEEDANCE_TEST_REGENERATE_GOLDEN=1 pytest tests/test_prompting.py` and read the diff. The
properties every draft must have (nothing invented, negation kept, night stays night, the
user's language) are checked on a regression set in tests/test_craft_regression.py; each
linter rule has its own cases in tests/test_craft_lint.py.
"""

from __future__ import annotations

import importlib.resources
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import jinja2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import seedance_mcp
from seedance_mcp.craft import library
from seedance_mcp.craft.draft import render_template, write_cinematic_prompt
from seedance_mcp.craft.library import describe_template, template_names
from seedance_mcp.craft.lint import lint_prompt
from seedance_mcp.craft.models import LintWarning, PromptDraft
from seedance_mcp.errors import InvalidRequest
from seedance_mcp.providers import PROVIDERS

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
CRAFT = tomllib.loads((ROOT / "prompts" / "craft.toml").read_text(encoding="utf-8"))
SMALLEST_LIMIT = min(p.caps.prompt_max for p in PROVIDERS.values())
LIGHTHOUSE = "a lighthouse keeper climbs the stairs during a storm"


def rules(warnings: list[LintWarning]) -> list[str]:
    return [w.rule for w in warnings]


# ----------------------------------------------------------------------------- goldens

GOLDEN_CASES: dict[str, dict[str, Any]] = {
    "cinematic_lighthouse": {"idea": LIGHTHOUSE},
    "cinematic_explicit": {
        "idea": "An old violinist plays alone on an empty subway platform. Her breath fogs in the cold air.",
        "provider": "seedanceapi",
        "shot_size": "medium close-up",
        "camera_move": "pan",
        "angle": "low",
        "light": "a single flickering fluorescent tube overhead",
        "style": "16 mm film, muted greens",
        "mood": "lonely but warm",
        "sound": "a slow violin melody echoing off the tiles, a distant train rumbling",
        "duration": 8,
    },
    "image_to_video": {
        "idea": "The woman slowly turns her head toward the window and smiles; her hair lifts in the breeze.",
        "image_url": "https://example.com/portrait.jpg",
        "provider": "apixo",
    },
    "product_fixed_lens": {"idea": "a matte black perfume bottle with a gold cap", "provider": "nanophoto"},
    "product_orbit": {
        "idea": "a white running sneaker on a concrete pedestal",
        "provider": "seedance2ai",
        "fixed_lens": False,
    },
    "dialogue": {
        "idea": "An old fisherman in a yellow raincoat sits on the pier at dawn with his granddaughter.",
        "dialogue": [
            "the old fisherman in the yellow raincoat: The sea will be calm tomorrow.",
            "the girl in the red hat: Then we sail at first light.",
        ],
        "provider": "seedance15pro",
    },
    "multi_shot": {
        "idea": "A red-haired girl in a yellow raincoat waits for a bus on a rainy street.",
        "shots": [
            "she walks to the bus stop",
            "her hand reaches for the timetable. The paper is soaked.",
            "she looks up as the bus arrives",
        ],
        "provider": "nanophoto",
    },
    "cinematic_chinese": {
        "idea": "雨夜，一个女孩撑着伞走过空荡荡的街道",
        "shot_size": "中景",
        "camera_move": "推进",
        "light": "昏黄的路灯倒映在湿漉漉的路面上",
        "sound": "雨声和远处的雷声",
        "provider": "nanophoto",
    },
    "multi_shot_timecoded": {
        "idea": "A boy in a green hoodie flies a kite on a windy hill.",
        "shots": [
            "he runs against the wind, tracking shot",
            "close-up: his hands tug the string",
            "wide shot, slow crane up as the kite climbs",
        ],
        "provider": "seedance2ai",
        "duration": 12,
    },
    "trimmed_to_fit": {
        "idea": "A woman in a grey coat waits on the harbour wall at dusk. "
        + " ".join(f"Gull number {n} wheels overhead and cries." for n in range(1, 26))
        + " Somewhere a bell rings on a moored boat.",
        "provider": "nanophoto",
        "light": "warm tungsten practicals along the quay and a cold blue rim from the harbour lights",
        "style": "grainy 16 mm film with muted teal and amber tones, soft halation around every light " * 3,
        "mood": "quiet, wistful, expectant",
        "sound": "gulls, halyards ringing against masts, a distant ferry horn",
    },
}


def _golden_files(case: str) -> tuple[Path, Path]:
    return GOLDEN / f"{case}.txt", GOLDEN / f"{case}.json"


@pytest.mark.parametrize("case", sorted(GOLDEN_CASES))
def test_golden_output(case: str) -> None:
    draft = write_cinematic_prompt(**GOLDEN_CASES[case])
    text_file, json_file = _golden_files(case)
    rest = json.dumps(draft.model_dump(exclude={"prompt"}), indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("SEEDANCE_TEST_REGENERATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        text_file.write_text(draft.prompt + "\n", encoding="utf-8")
        json_file.write_text(rest, encoding="utf-8")
        pytest.skip(f"golden {case} regenerated; review the diff")
    assert text_file.exists() and json_file.exists(), (
        f"no golden for {case}; run SEEDANCE_TEST_REGENERATE_GOLDEN=1 pytest {__file__}"
    )
    assert draft.prompt + "\n" == text_file.read_text(encoding="utf-8")
    assert rest == json_file.read_text(encoding="utf-8")


def test_goldens_cover_every_template() -> None:
    covered = {write_cinematic_prompt(**kwargs).template for kwargs in GOLDEN_CASES.values()}
    assert covered == set(template_names())
    assert {"cinematic", "image-to-video", "product", "dialogue", "multi-shot"} <= covered


# ----------------------------------------------------------------------------- the lighthouse


def test_a_bare_idea_is_composed_not_filled_in() -> None:
    draft = write_cinematic_prompt(LIGHTHOUSE)
    # Nothing is added: no camera, light, weather or sound the idea does not name.
    assert draft.prompt == "A lighthouse keeper climbs the stairs during a storm."
    assert [s.rule for s in draft.suggestions] == ["camera_missing", "light_missing"]
    camera = draft.suggestions[0].message
    assert "camera_move=" in camera and "One move per shot" in camera
    assert draft.template == "cinematic" and draft.language == "en"
    assert draft.limit == SMALLEST_LIMIT == 1000
    assert draft.characters == len(draft.prompt) <= SMALLEST_LIMIT
    assert draft.warnings == [] and draft.left_out == []
    assert draft.suggested_settings.audio is False  # a storm is not a described sound
    for pid, provider in PROVIDERS.items():
        assert write_cinematic_prompt(LIGHTHOUSE, provider=pid).characters <= provider.caps.prompt_max


def test_every_field_given_is_written_in_natural_sentences_in_craft_order() -> None:
    draft = write_cinematic_prompt(**GOLDEN_CASES["cinematic_explicit"])
    prompt = draft.prompt
    order = [
        "An old violinist plays alone",
        "Her breath fogs",
        "Medium close-up, low angle, slow pan from left to right.",
        "The scene is lit by a single flickering fluorescent tube overhead.",
        "In the style of 16 mm film, muted greens.",
        "The mood is lonely but warm.",
        "We hear a slow violin melody",
    ]
    positions = [prompt.index(part) for part in order]
    assert positions == sorted(positions)
    assert not re.search(r"^(?:Light|Style|Mood|Sound|Camera):", prompt, re.MULTILINE)
    assert draft.suggestions == [] and draft.suggested_settings.audio is True


# ----------------------------------------------------------------------------- template choice


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"idea": "a fox in the snow", "shots": ["it sniffs the air", "it pounces"]}, "multi-shot"),
        ({"idea": "two friends at a table", "dialogue": "the tall man: You came back."}, "dialogue"),
        ({"idea": "the leaves start to move", "image_url": "https://example.com/a.png"}, "image-to-video"),
        ({"idea": "a glass perfume bottle on black velvet"}, "product"),
        ({"idea": "a fox trots through the snow"}, "cinematic"),
        ({"idea": "a glass perfume bottle on black velvet", "template": "cinematic"}, "cinematic"),
        ({"idea": "a fox trots through the snow", "template": "Multi Shot"}, "multi-shot"),
    ],
)
def test_template_is_chosen_from_the_content(kwargs: dict[str, Any], expected: str) -> None:
    assert write_cinematic_prompt(**kwargs).template == expected


def test_template_names_match_the_files() -> None:
    files = sorted(p.stem for p in (ROOT / "prompts").glob("*.j2"))
    assert template_names() == files


def test_templates_declare_fields_they_really_use() -> None:
    variants: dict[str, Any] = {
        "shot_size": "extreme-close-up",
        "camera_move": "handheld",
        "angle": "dutch",
        "light": "a single bare bulb",
        "style": "black and white",
        "mood": "uneasy",
        "sound": "a ticking clock",
        "dialogue": ["the man in the hat: We leave tonight."],
        "language": "French",
        "shots": ["he waits", "he leaves", "he turns back"],
    }
    known = {"idea", *variants}
    for name in template_names():
        info = describe_template(name)
        assert info.description and set(info.fields) <= known, info
        base: dict[str, Any] = {"idea": "a man waits by a door", "template": name}
        if "dialogue" in info.fields:
            base["dialogue"] = ["the man in the coat: Are you there?"]
        if "shots" in info.fields:
            base["shots"] = ["he knocks", "he listens"]
        baseline = write_cinematic_prompt(**base).prompt
        for field in info.fields:
            if field == "idea":
                continue
            changed = write_cinematic_prompt(**{**base, field: variants[field]}).prompt
            assert changed != baseline, f"{name} declares {field} but ignores it"


def test_a_field_the_template_ignores_is_reported() -> None:
    draft = write_cinematic_prompt("the girl blinks", image_url="https://example.com/a.png", angle="low")
    assert draft.template == "image-to-video"
    unused = [w for w in draft.warnings if w.rule == "unused_field"]
    assert len(unused) == 1 and unused[0].message.startswith("angle:")
    assert "low angle" not in draft.prompt


# ----------------------------------------------------------------------------- craft rules


def test_image_to_video_describes_motion_not_the_look() -> None:
    draft = write_cinematic_prompt(
        "the candle flame gutters and the smoke curls upward",
        image_url="https://example.com/candle.jpg",
        provider="nanophoto",
    )
    assert draft.prompt == (
        "The candle flame gutters and the smoke curls upward. "
        "Keep the subject, colours and light of the start image."
    )
    assert "camera_missing" in rules(draft.suggestions)
    assert "light_missing" not in rules(draft.suggestions)  # the image carries the light
    moved = write_cinematic_prompt(
        "the candle flame gutters", image_url="https://example.com/candle.jpg", camera_move="push in"
    )
    assert "Slow dolly in." in moved.prompt and "camera_missing" not in rules(moved.suggestions)


def test_product_has_a_fixed_lens_or_one_slow_move() -> None:
    fixed = write_cinematic_prompt("a steel wristwatch on a stone slab", provider="nanophoto")
    assert fixed.template == "product"
    assert fixed.prompt.startswith(
        "Product showcase. A steel wristwatch on a stone slab. Close-up, static camera"
    )
    assert "turntable" not in fixed.prompt  # the product's motion is the user's to say
    assert fixed.suggested_settings.fixed_lens is True
    assert "camera_move_with_fixed_lens" not in rules(fixed.warnings)

    free = write_cinematic_prompt(
        "a steel wristwatch on a stone slab", provider="nanophoto", fixed_lens=False
    )
    assert "slow orbit around the subject" in free.prompt and "static" not in free.prompt
    assert free.suggested_settings.fixed_lens is False

    push = write_cinematic_prompt("a steel wristwatch on a stone slab", camera_move="dolly-in")
    assert "slow dolly in" in push.prompt and push.suggested_settings.fixed_lens is False


def test_dialogue_scene_quotes_lines_names_language_and_locks_framing() -> None:
    draft = write_cinematic_prompt(
        "a grandmother and her grandson sit at a kitchen table",
        dialogue=[
            "the grey-haired woman: Eat, it is getting cold.",
            "the boy in the blue sweater: Okay, Grandma!",
        ],
        provider="nanophoto",
    )
    assert 'The grey-haired woman says in English: "Eat, it is getting cold."' in draft.prompt
    assert 'The boy in the blue sweater says in English: "Okay, Grandma!"' in draft.prompt
    assert "lip-sync" in draft.prompt and "static camera" in draft.prompt
    assert draft.suggested_settings.audio is True
    assert draft.suggested_settings.fixed_lens is True
    assert draft.warnings == []
    assert "delivery_missing" in rules(draft.suggestions)


def test_dialogue_delivery_is_written_with_the_line() -> None:
    draft = write_cinematic_prompt(
        "an old woman opens her door to a stranger",
        dialogue=["the old woman (warmly): Come in, it's cold."],
    )
    assert 'The old woman says warmly in English: "Come in, it\'s cold."' in draft.prompt
    assert "delivery_missing" not in rules(draft.suggestions)
    chinese = write_cinematic_prompt("老奶奶打开门", dialogue=["老奶奶（温和地）：快进来，外面冷。"])
    assert "老奶奶（温和地）用普通话说：“快进来，外面冷。”" in chinese.prompt


def test_dialogue_language_and_speaker_checks() -> None:
    japanese = write_cinematic_prompt(
        "a woman at a station", dialogue="the woman in the kimono: また明日ね。"
    )
    assert "says in Japanese" in japanese.prompt
    named = write_cinematic_prompt("two friends argue", dialogue=["Anna: You forgot again."])
    assert "speaker_by_look" in rules(named.warnings)
    spanish = write_cinematic_prompt(
        "a woman at a market", dialogue="the woman in the apron: ¿Qué quiere usted?"
    )
    assert "language_missing" in rules(spanish.warnings) and "says:" in spanish.prompt
    told = write_cinematic_prompt(
        "a woman at a market", dialogue="the woman in the apron: ¿Qué quiere usted?", language="Spanish"
    )
    assert "says in Spanish" in told.prompt and "language_missing" not in rules(told.warnings)
    unattributed = write_cinematic_prompt("an old sailor mends a net", dialogue=["Storm is coming."])
    assert 'The old sailor says in English: "Storm is coming."' in unattributed.prompt


def test_multi_shot_one_move_per_shot_and_the_same_subject() -> None:
    draft = write_cinematic_prompt(
        "A boy in a green hoodie flies a kite on a hill.",
        shots=["he runs against the wind", "his hands tug the string", "he laughs as the kite climbs"],
        provider="seedanceapi",
        camera_move="tracking",
    )
    lines = [line for line in draft.prompt.splitlines() if line.startswith("Shot ")]
    assert [line.split(":")[0] for line in lines] == ["Shot 1", "Shot 2", "Shot 3"]
    for line in lines:
        assert len([p for p in CRAFT["camera_moves"].values() if p in line.lower()]) == 1, line
        assert "the boy in a green hoodie" in line.lower(), line
    assert "stacked_camera_moves" not in rules(draft.warnings)
    assert draft.suggested_settings.duration == 12  # 3 shots x 3 s > the default 8 s


def test_multi_shot_names_the_shots_without_a_move_instead_of_inventing_one() -> None:
    draft = write_cinematic_prompt("a fox in the snow", shots=["it sniffs the air", "close-up, it pounces"])
    assert draft.prompt.splitlines()[1:] == [
        "Shot 1: The fox in the snow sniffs the air.",  # the subject named the same way in every shot
        "Shot 2: Close-up, it pounces.",
    ]
    [camera] = [s for s in draft.suggestions if s.rule == "camera_missing"]
    assert camera.message.startswith("Shots 1, 2 name no camera move")


def test_multi_shot_on_seedance_2_writes_time_coded_beats() -> None:
    draft = write_cinematic_prompt(**GOLDEN_CASES["multi_shot_timecoded"])
    beats = [line.split("]")[0] + "]" for line in draft.prompt.splitlines()[1:]]
    assert beats == ["[0-4s]", "[4-8s]", "[8-12s]"]
    assert "timecode_beyond_duration" not in rules(draft.warnings)
    chinese = write_cinematic_prompt(
        "一个女孩放风筝", shots=["她跑上山坡", "风筝升上天空"], provider="seedance2ai"
    )
    assert chinese.prompt.splitlines()[1].startswith("[0-")
    assert "秒]" in chinese.prompt.splitlines()[1]


def test_the_ideas_own_camera_light_and_sound_are_kept_not_doubled() -> None:
    draft = write_cinematic_prompt("Drone shot over a neon night market as thunder rumbles")
    assert draft.prompt == "Drone shot over a neon night market as thunder rumbles."
    assert draft.suggestions == []  # the idea names its camera, its light and its sound
    assert draft.suggested_settings.audio is True
    assert "stacked_camera_moves" not in rules(draft.warnings)


def test_explicit_choices_win_and_are_spelled_loosely() -> None:
    draft = write_cinematic_prompt(
        "a cat sleeps on a windowsill",
        shot_size="Extreme Close Up",
        camera_move="DOLLY_OUT",
        angle="high angle",
    )
    assert "Extreme close-up, high angle, slow dolly out." in draft.prompt


@pytest.mark.parametrize(
    ("field", "spelling", "phrase"),
    [
        ("camera_move", "slow push-in", "slow dolly in"),
        ("camera_move", "Pull back", "slow dolly out"),
        ("camera_move", "smooth tracking shot", "smooth tracking shot following the subject"),
        ("camera_move", "locked off", "static camera, locked off"),
        ("shot_size", "ECU", "extreme close-up"),
        ("shot_size", "establishing shot", "extreme wide shot"),
    ],
)
def test_common_names_for_moves_and_sizes_are_understood(field: str, spelling: str, phrase: str) -> None:
    choice: dict[str, Any] = {field: spelling}
    assert phrase in write_cinematic_prompt("a cat sleeps on a windowsill", **choice).prompt.lower()


def test_audio_off_leaves_sound_out() -> None:
    draft = write_cinematic_prompt(LIGHTHOUSE, audio=False, sound="thunder")
    assert "We hear" not in draft.prompt and "thunder" not in draft.prompt
    assert draft.suggested_settings.audio is False
    assert "unused_field" in rules(draft.warnings)


@pytest.mark.parametrize("move", list(CRAFT["camera_moves"]))
def test_every_camera_move_is_recognised_by_the_linter(move: str) -> None:
    draft = write_cinematic_prompt("a woman waits on a bench", camera_move=move, fixed_lens=True)
    assert CRAFT["camera_moves"][move] in draft.prompt.lower()
    assert "stacked_camera_moves" not in rules(draft.warnings)
    expected = move != "static"
    assert ("camera_move_with_fixed_lens" in rules(draft.warnings)) is expected


# ----------------------------------------------------------------------------- suggested settings


@pytest.mark.parametrize(
    ("kwargs", "duration"),
    [
        ({"idea": "a fox in the snow", "provider": "nanophoto"}, 8),
        ({"idea": "a fox in the snow", "provider": "seedance15pro"}, 5),
        ({"idea": "a fox", "shots": ["a", "b", "c"], "provider": "nanophoto"}, 12),
        ({"idea": "a fox", "shots": ["a", "b", "c"], "provider": "seedance15pro"}, 10),
        ({"idea": "a fox", "shots": ["a", "b", "c"], "provider": "apixo"}, 9),
        ({"idea": "a fox", "shots": ["a", "b"], "provider": "apixo"}, 8),
        ({"idea": "a fox", "shots": ["a", "b", "c"]}, 9),
        ({"idea": "a fox in the snow"}, None),
        ({"idea": "a fox", "shots": ["a", "b", "c"], "provider": "nanophoto", "duration": 4}, 4),
    ],
)
def test_suggested_duration_gives_each_shot_three_seconds(
    kwargs: dict[str, Any], duration: int | None
) -> None:
    assert write_cinematic_prompt(**kwargs).suggested_settings.duration == duration


def test_too_many_shots_for_the_longest_duration_is_warned() -> None:
    draft = write_cinematic_prompt("a fox", shots=["a", "b", "c", "d", "e"], provider="seedance15pro")
    assert draft.suggested_settings.duration == 10
    assert "too_many_shots" in rules(draft.warnings)


def test_long_dialogue_asks_for_a_longer_clip() -> None:
    line = "the man in the suit: " + " ".join(["word"] * 24)
    assert (
        write_cinematic_prompt("a man", dialogue=line, provider="nanophoto").suggested_settings.duration == 12
    )
    assert (
        write_cinematic_prompt("a man", dialogue=line, provider="seedance2ai").suggested_settings.duration
        == 10
    )


def test_fixed_lens_follows_the_camera_and_the_provider() -> None:
    dialogue: dict[str, Any] = {"idea": "a man", "dialogue": "the man in the suit: Hello."}
    assert write_cinematic_prompt(**dialogue, provider="nanophoto").suggested_settings.fixed_lens is True
    no_lens = write_cinematic_prompt(**dialogue, provider="seedance15pro", fixed_lens=True)
    assert no_lens.suggested_settings.fixed_lens is False
    assert "fixed_lens_unsupported" in rules(no_lens.warnings)
    assert write_cinematic_prompt(LIGHTHOUSE).suggested_settings.fixed_lens is False


@pytest.mark.parametrize(
    ("idea", "provider", "ratio"),
    [
        ("a vertical clip of a dancer for tiktok", "nanophoto", "9:16"),
        ("an anamorphic widescreen desert vista", "seedanceapi", "21:9"),
        ("an anamorphic widescreen desert vista", "nanophoto", None),
        ("a square loop of a spinning top", None, None),
        ("a square loop of a spinning top", "seedance15pro", "1:1"),
        ("a fox in the snow", "seedanceapi", None),
    ],
)
def test_suggested_aspect_ratio(idea: str, provider: str | None, ratio: str | None) -> None:
    assert write_cinematic_prompt(idea, provider=provider).suggested_settings.aspect_ratio == ratio


# ----------------------------------------------------------------------------- limits

LONG_SENTENCES = [f"Gull number {n} wheels low over the grey water and cries." for n in range(1, 31)]
LONG_INPUTS: dict[str, Any] = {
    "idea": "A woman in a grey coat waits on the harbour wall at dusk. " + " ".join(LONG_SENTENCES),
    "light": "warm tungsten practicals and a cold blue rim from the harbour lights " * 6,
    "style": "grainy sixteen millimetre film with muted teal and amber tones " * 6,
    "mood": "quiet and wistful " * 10,
    "sound": "gulls and halyards ringing against masts and a distant ferry horn " * 6,
}


@pytest.mark.parametrize("provider", [None, *PROVIDERS])
@pytest.mark.parametrize("template", ["cinematic", "image-to-video", "product", "dialogue", "multi-shot"])
def test_every_template_fits_every_provider_with_long_inputs(template: str, provider: str | None) -> None:
    kwargs: dict[str, Any] = {**LONG_INPUTS, "template": template, "provider": provider}
    if template == "dialogue":
        kwargs["dialogue"] = ["the woman in the grey coat: I waited for you every night.", "the man: I know."]
    if template == "multi-shot":
        kwargs["shots"] = [
            f"she walks along the quay. {' '.join(LONG_SENTENCES[:8])}",
            "she stops at the edge.",
        ]
    draft = write_cinematic_prompt(**kwargs)
    limit = PROVIDERS[provider].caps.prompt_max if provider else SMALLEST_LIMIT
    assert draft.limit == limit
    assert draft.characters == len(draft.prompt) <= limit
    # Nothing is cut mid-sentence: every user sentence is there whole or not at all.
    for sentence in LONG_SENTENCES:
        assert sentence in draft.prompt or sentence[:22] not in draft.prompt
    for field in ("light", "style", "sound"):
        phrase = re.sub(r"\s+", " ", LONG_INPUTS[field]).strip()
        assert phrase in draft.prompt or phrase[:30] not in draft.prompt
    assert all(line[-1] in '.!?"' for line in draft.prompt.splitlines())
    untrimmed = write_cinematic_prompt(**{**kwargs, "provider": "seedance2ai"})
    assert ("trimmed" in rules(draft.warnings)) == (untrimmed.characters > limit)


def test_least_important_parts_go_first() -> None:
    draft = write_cinematic_prompt(**GOLDEN_CASES["trimmed_to_fit"])
    trimmed = [w.message for w in draft.warnings if w.rule == "trimmed"]
    assert trimmed[0].startswith("Left out the style")
    # The user's style and mood go before any of the user's sentences.
    assert trimmed[1].startswith("Left out the mood") and "The mood is" not in draft.prompt
    assert "lit by warm tungsten practicals" in draft.prompt and "We hear gulls" in draft.prompt
    # The user's sentences went one at a time, from the end, and come back whole.
    assert draft.left_out and all(s.startswith("Gull number") for s in draft.left_out)
    assert draft.left_out[0] == "Gull number 25 wheels overhead and cries."
    assert "Somewhere a bell rings on a moored boat." in draft.prompt  # a sound is kept longest
    assert all(s not in draft.prompt for s in draft.left_out)
    assert "Gull number 1 wheels overhead and cries." in draft.prompt


def test_a_single_sentence_too_long_for_any_cut_is_refused() -> None:
    idea = "A woman waits " + " ".join(["by the long grey harbour wall"] * 45) + "."
    with pytest.raises(InvalidRequest) as caught:
        write_cinematic_prompt(idea, provider="nanophoto")
    assert caught.value.field == "idea" and "1000" in caught.value.message
    assert write_cinematic_prompt(idea, provider="seedance2ai").characters <= 10000


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    idea=st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=1500
    ),
    style=st.text(max_size=400),
    provider=st.sampled_from([None, *PROVIDERS]),
    template=st.sampled_from(["cinematic", "product", "dialogue", "multi-shot", "image-to-video"]),
)
def test_any_input_fits_or_is_refused_by_field(
    idea: str, style: str, provider: str | None, template: str
) -> None:
    limit = PROVIDERS[provider].caps.prompt_max if provider else SMALLEST_LIMIT
    try:
        draft = write_cinematic_prompt(
            idea,
            style=style,
            provider=provider,
            template=template,
            shots=["it moves"],
            dialogue="the man: Hi.",
        )
    except InvalidRequest as err:
        assert err.field == "idea"
        return
    assert draft.characters <= limit


# ----------------------------------------------------------------------------- determinism


def test_same_input_same_output() -> None:
    for kwargs in GOLDEN_CASES.values():
        assert write_cinematic_prompt(**kwargs) == write_cinematic_prompt(**kwargs)


def test_same_output_under_any_hash_seed() -> None:
    code = (
        "import json,sys;from seedance_mcp.craft.draft import write_cinematic_prompt as w;"
        "print(json.dumps([w(**k).model_dump() for k in json.loads(sys.argv[1])]))"
    )
    cases = json.dumps(list(GOLDEN_CASES.values()))
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", code, cases],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert json.loads(outputs.pop()) == [
        write_cinematic_prompt(**k).model_dump() for k in GOLDEN_CASES.values()
    ]


# ----------------------------------------------------------------------------- bad values


@pytest.mark.parametrize(
    ("kwargs", "field", "allowed_contains"),
    [
        ({"idea": "   "}, "idea", None),
        ({"idea": "a cat", "template": "noir"}, "template", "dialogue"),
        ({"idea": "a cat", "camera_move": "zoom"}, "camera_move", "dolly-in"),
        ({"idea": "a cat", "shot_size": "huge"}, "shot_size", "close-up"),
        ({"idea": "a cat", "provider": "openai"}, "provider", "nanophoto"),
        ({"idea": "a cat", "provider": "nanophoto", "duration": 5}, "duration", 8),
        ({"idea": "a cat", "model": "seedance-9"}, "model", "seedance-2.0"),
        ({"idea": "a cat", "provider": "nanophoto", "model": "seedance-2.0"}, "model", "seedance-1.5-pro"),
        ({"idea": "a cat", "duration": 31}, "duration", 30),  # Seedance 2.5 makes up to 30 s
        ({"idea": "a cat", "shots": ["one", "  "]}, "shots", None),
        ({"idea": "a cat", "image_url": "/home/me/cat.png"}, "image_url", None),
    ],
)
def test_bad_values_name_the_field_and_what_is_allowed(
    kwargs: dict[str, Any], field: str, allowed_contains: object
) -> None:
    with pytest.raises(InvalidRequest) as caught:
        write_cinematic_prompt(**kwargs)
    err = caught.value
    assert err.field == field
    assert err.message.startswith(f"{field}:")
    if allowed_contains is not None:
        assert err.allowed is not None and allowed_contains in err.allowed
        assert str(allowed_contains) in err.message


def test_lint_refuses_bad_values_too() -> None:
    with pytest.raises(InvalidRequest) as caught:
        lint_prompt("a cat", provider="nope")
    assert caught.value.field == "provider"
    with pytest.raises(InvalidRequest) as caught:
        lint_prompt("   ")
    assert caught.value.field == "text"
    with pytest.raises(InvalidRequest) as caught:
        lint_prompt("a cat", provider="seedance15pro", duration=8)
    assert caught.value.field == "duration" and caught.value.allowed == [5, 10]


# ----------------------------------------------------------------------------- lint rules


def test_rule_too_long() -> None:
    text = "A cat sleeps in the sun. " * 50  # 1250 characters
    assert "too_long" in rules(lint_prompt(text))
    warning = next(w for w in lint_prompt(text, provider="nanophoto") if w.rule == "too_long")
    assert "cut 250 characters" in warning.message and "seedanceapi (2000)" in warning.message
    assert "too_long" not in rules(lint_prompt(text, provider="seedanceapi"))
    assert "too_long" not in rules(lint_prompt(text[:1000], provider="nanophoto"))


def test_rule_stacked_camera_moves() -> None:
    stacked = lint_prompt("A man walks home. Slow dolly in, then the camera pans left across the street.")
    assert rules(stacked) == ["stacked_camera_moves"]
    assert "dolly-in" in stacked[0].message and "pan" in stacked[0].message
    assert lint_prompt("A man walks home. Slow dolly in.") == []
    per_shot = "Shot 1: slow dolly in on the door. Shot 2: pan left across the hall."
    assert lint_prompt(per_shot) == []
    in_shot = lint_prompt("Shot 1: slow dolly in and an orbiting move. Shot 2: static camera on the hall.")
    assert rules(in_shot) == ["stacked_camera_moves"] and in_shot[0].message.startswith("Shot 1")
    contradiction = lint_prompt("A woman reads. Static camera, locked off, handheld sway.")
    assert rules(contradiction) == ["stacked_camera_moves"]


def test_rule_camera_motion_with_fixed_lens() -> None:
    text = "A vase on a table, slow orbit around it."
    assert rules(lint_prompt(text, fixed_lens=True)) == ["camera_move_with_fixed_lens"]
    assert lint_prompt(text, fixed_lens=False) == []
    assert (
        lint_prompt("A vase on a table, static camera; the vase turns on a turntable.", fixed_lens=True) == []
    )


def test_rule_sound_and_audio_agree() -> None:
    sound = "A dog runs on the beach, waves crashing and a dog barking."
    assert rules(lint_prompt(sound, audio=False)) == ["sound_without_audio"]
    assert lint_prompt(sound, audio=True) == []
    assert rules(lint_prompt('A man says "hello" to the camera.', audio=False)) == ["sound_without_audio"]
    silent = "A cat sleeps on a sunny windowsill."
    assert rules(lint_prompt(silent, audio=True)) == ["audio_without_sound"]
    assert lint_prompt(silent, audio=False) == []
    assert lint_prompt("A cat purring on a sunny windowsill.", audio=True) == []
    assert lint_prompt(silent) == []  # audio not given: nothing to compare


def test_rule_dialogue_too_long_for_the_duration() -> None:
    line = 'The old man says: "' + " ".join(["word"] * 15) + '"'
    assert rules(lint_prompt(line, duration=4)) == ["dialogue_too_long"]
    assert lint_prompt(line, duration=8) == []
    assert lint_prompt(line) == []  # no duration, no provider: the timing rules have nothing to go on
    twenty_five = 'The old man says: "' + " ".join(["word"] * 25) + '"'
    assert rules(lint_prompt(twenty_five, provider="nanophoto")) == ["dialogue_too_long"]  # default 8 s
    chinese = "老人说：“" + "我" * 30 + "”"  # 30 characters ~ 15 words
    assert rules(lint_prompt(chinese, duration=5)) == ["dialogue_too_long"]
    assert lint_prompt(chinese, duration=8) == []


def test_rule_too_many_shots_for_the_duration() -> None:
    text = "Shot 1: a door. Shot 2: a hall. Shot 3: a window."
    warnings = lint_prompt(text, duration=5)
    assert rules(warnings) == ["too_many_shots"] and "use at most 1 shot or" in warnings[0].message
    assert lint_prompt(text, duration=10) == []
    assert rules(lint_prompt(text, provider="seedance15pro")) == ["too_many_shots"]  # default 5 s


def test_rule_filler_words() -> None:
    warnings = lint_prompt("An epic 8K masterpiece of a fox in the snow, ultra realistic, best quality.")
    assert rules(warnings) == ["filler_words"]
    for word in ("'epic'", "'8k'", "'masterpiece'", "'ultra realistic'", "'best quality'"):
        assert word in warnings[0].message
    assert lint_prompt("A realistic clay fox on an epicentre map, high in the mountains.") == []


def test_rule_abstract_wording_without_a_visible_subject() -> None:
    warnings = lint_prompt("The essence of freedom and the feeling of hope.")
    assert rules(warnings) == ["no_visible_subject"]
    assert "'freedom'" in warnings[0].message
    assert lint_prompt("A girl lets a paper lantern drift over the river, a symbol of hope.") == []
    assert lint_prompt("Hope: a boy climbs out of the flooded street.") == []
    draft = write_cinematic_prompt("the essence of freedom and hope")
    assert "no_visible_subject" in rules(draft.warnings)


# ----------------------------------------------------------------------------- MCP prompt rendering


def test_render_template_matches_the_drafting_function() -> None:
    text = render_template(
        "multi-shot",
        {
            "idea": "a fox in the snow",
            "shots": "it sniffs the air\nit pounces into a drift",
            "duration": "8",
            "provider": "nanophoto",
            "audio": "true",
            "style": "",
        },
    )
    expected = write_cinematic_prompt(
        "a fox in the snow",
        template="multi-shot",
        shots=["it sniffs the air", "it pounces into a drift"],
        duration=8,
        provider="nanophoto",
        audio=True,
    )
    assert text == expected.prompt


@pytest.mark.parametrize(
    ("name", "fields", "field"),
    [
        ("noir", {"idea": "a cat"}, "template"),
        ("cinematic", {"idea": "a cat", "colour": "red"}, "colour"),
        ("cinematic", {"camera_move": "pan"}, "idea"),
        ("cinematic", {"idea": "a cat", "audio": "maybe"}, "audio"),
        ("cinematic", {"idea": "a cat", "duration": "soon"}, "duration"),
    ],
)
def test_render_template_refuses_bad_fields(name: str, fields: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        render_template(name, fields)
    assert caught.value.field == field


# ----------------------------------------------------------------------------- loading


@pytest.mark.parametrize(
    ("table", "entry", "complaint"),
    [
        ("camera", {"words": ["warp"], "move": "warp-drive"}, "unknown camera move: warp-drive"),
        ("zh", {"warp": "曲速"}, r"\[languages.zh.camera_moves\] differs on: warp"),
        ("framing", {"shot_size": "huge"}, "unknown shot size: huge"),
    ],
)
def test_craft_data_may_only_name_known_vocabulary(table: str, entry: dict[str, Any], complaint: str) -> None:
    data = tomllib.loads((ROOT / "prompts" / "craft.toml").read_text(encoding="utf-8"))
    library.Craft.model_validate(data)  # the shipped file is consistent
    if table == "camera":
        data["suggest"]["camera"].append(entry)
    elif table == "zh":
        data["languages"]["zh"]["camera_moves"].update(entry)
    else:
        data["framing"]["giant"] = entry
    with pytest.raises(ValueError, match=complaint):
        library.Craft.model_validate(data)


def test_templates_render_strictly() -> None:
    assert library.environment().undefined is jinja2.StrictUndefined
    with pytest.raises(jinja2.UndefinedError):
        library.environment().from_string("{{ not_a_field }}").render()


def test_packaged_templates_are_preferred(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "prompts").mkdir()
    monkeypatch.setattr(importlib.resources, "files", lambda package: tmp_path)
    assert library.prompts_dir() == tmp_path / "prompts"


def test_the_templates_in_use_are_the_repositorys() -> None:
    # An editable checkout reads the top-level prompts/; a wheel install (as in CI) reads the
    # copy shipped inside the package. Either way, the files are the repository's own.
    used = Path(str(library.prompts_dir()))
    package_copy = Path(seedance_mcp.__file__).resolve().parent / "prompts"
    assert used in (ROOT / "prompts", package_copy)
    names = sorted(p.name for p in (ROOT / "prompts").iterdir() if p.suffix in (".j2", ".toml"))
    assert names and sorted(p.name for p in used.iterdir() if p.suffix in (".j2", ".toml")) == names
    for name in names:
        assert (used / name).read_bytes() == (ROOT / "prompts" / name).read_bytes(), name


def test_draft_is_a_plain_model() -> None:
    draft = write_cinematic_prompt("a fox in the snow", provider="apixo")
    again = PromptDraft.model_validate_json(draft.model_dump_json())
    assert again == draft and again.provider == "apixo" and again.limit == 2500
