"""A regression set of ideas in several languages, each drafted and checked for the properties
every draft must have (not for golden strings):

- nothing is invented: every word of the prompt is the user's or the template's scaffolding
  in the idea's language (the camera, shot and angle words of `prompts/craft.toml` and its
  few template phrases);
- nothing the idea negates appears outside the negation ("no cars" brings no car);
- night stays night: no daylight or sunlight in a night idea's prompt;
- a sound the idea asks for survives fitting to the 1000-character limit;
- an idea in Chinese, Japanese or Spanish gets no English scaffold and its own punctuation;
- audio is suggested only when what the user gave describes something audible.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from seedance_mcp.craft.draft import write_cinematic_prompt
from seedance_mcp.craft.text import affirmed, camera_kinds, negations

ROOT = Path(__file__).resolve().parent.parent
CRAFT = tomllib.loads((ROOT / "prompts" / "craft.toml").read_text(encoding="utf-8"))

LONG_EN = (
    "A fisherman rows his small boat out of the harbour before sunrise. "
    + " ".join(
        f"He passes moored boat number {n}, its hull creaking against the stone quay." for n in range(1, 17)
    )
    + " We hear the wind and the waves slapping the hull the whole way."
)
LONG_ZH = (
    "清晨，一位老渔夫划着小船驶出港口。"
    + "".join(
        f"他经过第{n}条停泊的渔船，船身轻轻摇晃，缆绳绷紧又松开，桅杆在晨雾里若隐若现。" for n in range(1, 25)
    )
    + "能听到海浪声和风声。"
)


@dataclass
class Case:
    name: str
    kwargs: dict[str, Any]
    sound: bool = False  # the user's text or fields describe something audible
    night: bool = False
    language: str = "en"
    must_keep: tuple[str, ...] = ()  # sounds the idea asks for, which every fit must keep
    template: str | None = None
    expect_suggestions: tuple[str, ...] = field(default=())


CASES = [
    Case(
        "quiet_dawn",
        {"idea": "a quiet street at dawn, no cars, no people"},
        expect_suggestions=("light_missing",),
    ),
    Case("rainy_night", {"idea": "a woman waits under an umbrella on a rainy night"}, night=True),
    Case("motorcycle_chase", {"idea": "a motorcycle chase through a desert canyon"}),
    Case("long_story", {"idea": LONG_EN, "provider": "nanophoto"}, sound=True, must_keep=("wind", "waves")),
    Case("forest_walk", {"idea": "an old man walks his dog through a forest"}),
    Case("empty_beach", {"idea": "an empty beach at sunset without people or boats"}),
    Case("kitchen", {"idea": "a chef plates a dessert in a small kitchen"}),
    Case("midnight_taxi", {"idea": "a taxi waits at a red light in the city at midnight"}, night=True),
    Case("thunder_dog", {"idea": "a dog barks at the thunder"}, sound=True),
    Case("snow_fox", {"idea": "a red fox crossing a snowy road at dawn"}),
    Case("product", {"idea": "a white running sneaker on a concrete pedestal"}, template="product"),
    Case(
        "dialogue",
        {
            "idea": "two old friends at a cafe table",
            "dialogue": ["the man in the cap (quietly): You came back."],
        },
        sound=True,
        template="dialogue",
    ),
    Case(
        "multi_shot",
        {"idea": "a girl flies a kite", "shots": ["she runs up the hill", "the kite climbs"]},
        template="multi-shot",
    ),
    Case("silent_lake", {"idea": "a quiet lake at noon, a heron stands still in the reeds, no music"}),
    Case("neon_night", {"idea": "a detective stands in the rain at night under a neon sign"}, night=True),
    Case(
        "user_sound", {"idea": "a campfire on a beach", "sound": "crackling fire and soft waves"}, sound=True
    ),
    Case(
        "sound_off",
        {"idea": "a campfire on a beach", "sound": "crackling fire", "audio": False},
    ),
    Case(
        "image_to_video",
        {
            "idea": "the candle flame gutters and the smoke curls upward",
            "image_url": "https://example.com/c.jpg",
        },
        template="image-to-video",
    ),
    Case(
        "all_fields",
        {
            "idea": "an old violinist plays alone on an empty subway platform at night",
            "camera_move": "dolly-in",
            "light": "a single flickering fluorescent tube",
            "sound": "a slow violin melody echoing off the tiles",
        },
        sound=True,
        night=True,
        expect_suggestions=(),
    ),
    Case("zh_rain_night", {"idea": "雨夜，一个女孩撑着伞走过空荡荡的街道"}, night=True, language="zh"),
    Case("zh_no_cars", {"idea": "清晨安静的街道，没有汽车，没有行人"}, language="zh"),
    Case("zh_sound", {"idea": "老人在海边慢慢走着，能听到海浪声和风声"}, sound=True, language="zh"),
    Case("zh_camera", {"idea": "一只白猫跳上窗台，镜头缓缓推进"}, language="zh"),
    Case(
        "zh_fields",
        {"idea": "一个女孩在雨中奔跑", "camera_move": "跟拍", "shot_size": "全景", "sound": "雨声和雷声"},
        sound=True,
        language="zh",
    ),
    Case(
        "zh_multi_shot",
        {"idea": "一个男孩在山坡上放风筝", "shots": ["他逆风奔跑", "风筝升上天空"], "camera_move": "跟拍"},
        language="zh",
        template="multi-shot",
    ),
    Case(
        "zh_dialogue",
        {"idea": "两个老朋友坐在咖啡馆里", "dialogue": ["戴帽子的男人（轻声）：你回来了。"]},
        sound=True,
        language="zh",
        template="dialogue",
    ),
    Case("zh_product", {"idea": "一瓶黑色香水放在大理石台面上"}, language="zh", template="product"),
    Case(
        "zh_long",
        {"idea": LONG_ZH, "provider": "nanophoto"},
        sound=True,
        language="zh",
        must_keep=("海浪声", "风声"),
    ),
    Case("ja_night", {"idea": "夜の駅で、少女が電車を待っている"}, night=True, language="ja"),
    Case("ja_camera", {"idea": "猫が窓辺で眠っている", "camera_move": "dolly-in"}, language="ja"),
    Case(
        "es_market", {"idea": "una mujer vende flores en un mercado al amanecer, sin música"}, language="es"
    ),
    Case(
        "es_fields",
        {
            "idea": "un niño corre por la playa con su perro",
            "camera_move": "tracking",
            "light": "el sol bajo",
        },
        language="es",
    ),
    Case("es_night", {"idea": "un hombre camina solo por la calle de noche"}, night=True, language="es"),
    Case(
        "pt_idea",
        {"idea": "uma menina corre na praia com o seu cão, sem pessoas", "camera_move": "orbit"},
        language="pt",
    ),
]

_DAYLIGHT = re.compile(
    r"\b(?:daylight|sunlight|sunny|midday|overcast)\b|阳光|日光|白天|日差し|luz del día", re.I
)
_LATIN_WORD = re.compile(r"[A-Za-z\u00C0-\u024F]{2,}(?:['’][A-Za-z]+)?")


def _given(kwargs: dict[str, Any]) -> str:
    parts = [v for v in kwargs.values() if isinstance(v, str)]
    parts += [item for v in kwargs.values() if isinstance(v, list) for item in v]
    return " ".join(parts)


def _scaffold(code: str) -> str:
    """Every word a template may add in a language: its camera, shot and angle words and phrases."""
    table = CRAFT["languages"].get(code, {})
    words = list(CRAFT["camera_moves"].values()) + list(CRAFT["shot_sizes"].values())
    words += list(CRAFT["angles"].values()) if code == "en" else []
    for key in ("camera_moves", "shot_sizes", "angles", "phrases", "language_names"):
        words += list(table.get(key, {}).values())
    words += ["English", "Mandarin Chinese", "Japanese", "Spanish"]
    return " ".join(words)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_draft_keeps_the_users_words_and_language(case: Case) -> None:
    draft = write_cinematic_prompt(**case.kwargs)
    prompt = draft.prompt
    given = _given(case.kwargs)
    allowed = (given + " " + _scaffold(draft.language)).lower()

    # Nothing invented: every Latin word, and every Chinese or Japanese character, is the user's or
    # the scaffold's.
    invented = [w for w in _LATIN_WORD.findall(prompt) if w.lower() not in allowed]
    assert not invented, f"invented {invented} in {prompt!r}"
    strange = {c for c in prompt if re.match(r"[\u3040-\u30ff\u4e00-\u9fff]", c) and c not in allowed}
    assert not strange, f"invented {strange} in {prompt!r}"

    # Nothing the idea negates comes back outside a negation.
    for phrase in negations(given):
        for word in (
            re.findall(r"[a-z]{3,}", phrase.lower())[1:] + re.findall(r"[\u4e00-\u9fff]{2}", phrase)[1:]
        ):
            assert word not in affirmed(prompt).lower(), f"{word!r} negated in the idea but in {prompt!r}"

    if case.night:
        assert not _DAYLIGHT.search(prompt), prompt
    for sound in case.must_keep:
        assert sound in prompt, f"the requested sound {sound!r} was dropped by the fit: {prompt!r}"
    assert draft.language == case.language
    if case.language in ("zh", "ja"):
        assert not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]\.", prompt), "an ASCII full stop after CJK text"
        assert prompt.rstrip()[-1] in "。！？”」", prompt
    if case.language != "en":
        english = {w.lower() for w in _LATIN_WORD.findall(_scaffold("en"))}
        mine = {w.lower() for w in _LATIN_WORD.findall(given + " " + _scaffold(case.language))} - english
        mine |= {w.lower() for w in _LATIN_WORD.findall(given)}
        foreign = [w for w in _LATIN_WORD.findall(prompt) if w.lower() not in mine and w.lower() in english]
        assert not foreign, f"English scaffold {foreign} in a {case.language} prompt: {prompt!r}"
    expected_audio = case.sound and case.kwargs.get("audio") is not False
    assert draft.suggested_settings.audio is expected_audio, prompt
    if case.template:
        assert draft.template == case.template
    for rule in case.expect_suggestions:
        assert rule in [s.rule for s in draft.suggestions]
    assert draft.characters <= draft.limit


def test_the_regression_set_is_large_and_varied() -> None:
    assert len(CASES) >= 30
    assert {c.language for c in CASES} >= {"en", "zh", "ja", "es", "pt"}
    assert sum(c.night for c in CASES) >= 5 and sum(bool(c.must_keep) for c in CASES) >= 2


def test_the_issue_examples_come_out_right() -> None:
    dawn = write_cinematic_prompt("a quiet street at dawn, no cars, no people")
    assert dawn.prompt == "A quiet street at dawn, no cars, no people."
    assert "negative_phrasing" in [w.rule for w in dawn.warnings]
    assert dawn.suggested_settings.audio is False

    night = write_cinematic_prompt("a woman waits under an umbrella on a rainy night")
    [light] = [s for s in night.suggestions if s.rule == "light_missing"]
    assert "street lamps" in light.message and "overcast" not in light.message  # time of day wins

    chase = write_cinematic_prompt("a motorcycle chase through a desert canyon")
    assert "footsteps" not in chase.prompt and "breathing" not in chase.prompt
    [camera] = [s for s in chase.suggestions if s.rule == "camera_missing"]
    assert "tracking" in camera.message

    story = write_cinematic_prompt(LONG_EN, provider="nanophoto")
    assert "foam" not in story.prompt and "We hear the wind and the waves" in story.prompt
    assert story.left_out and all(s in LONG_EN for s in story.left_out)
    assert "trimmed" in [w.rule for w in story.warnings]

    chinese = write_cinematic_prompt(
        "雨夜，一个女孩撑着伞走过空荡荡的街道", camera_move="dolly-in", light="昏黄的路灯"
    )
    assert chinese.prompt == "雨夜，一个女孩撑着伞走过空荡荡的街道。镜头缓缓推进。昏黄的路灯。"
    assert chinese.language == "zh"


def test_audio_is_suggested_only_for_the_users_own_sound() -> None:
    ideas = [c for c in CASES if not c.sound and c.kwargs.get("audio") is None]
    suggested = [c.name for c in ideas if write_cinematic_prompt(**c.kwargs).suggested_settings.audio]
    assert suggested == []
    always = write_cinematic_prompt("a fox trots across a snowy road", model="seedance-2.5")
    assert always.suggested_settings.audio is True  # Seedance 2.5 always makes sound...
    assert "sound_missing" in [s.rule for s in always.suggestions]  # ...so say what it should be


IDEA_IN = {
    "zh": "一个女人坐在长椅上等待",
    "ja": "女性がベンチで待っている",
    "es": "una mujer espera sentada en un banco",
    "en": "a woman waits on a bench",
}


@pytest.mark.parametrize("code", sorted(IDEA_IN))
@pytest.mark.parametrize("move", list(CRAFT["camera_moves"]))
def test_every_languages_camera_words_are_read_by_the_linter(code: str, move: str) -> None:
    draft = write_cinematic_prompt(IDEA_IN[code], camera_move=move, shot_size="medium", angle="low")
    words = CRAFT["languages"][code].get("camera_moves", CRAFT["camera_moves"])[move]
    assert words in draft.prompt or words.capitalize() in draft.prompt, draft.prompt
    assert draft.language == code
    # The tool's own words never trip its own linter (one move, no negation, no filler).
    own = {"stacked_camera_moves", "negative_phrasing", "filler_words", "label_lines"}
    assert not own & {w.rule for w in draft.warnings}, draft.warnings
    assert camera_kinds(draft.prompt) == [move]  # the linter reads the phrase as exactly that move


def test_dialogue_lines_take_the_ideas_language_and_punctuation() -> None:
    spanish = write_cinematic_prompt(
        "una anciana abre la puerta de su casa", dialogue=["la anciana (con cariño): Pasa, hace frío."]
    )
    assert 'La anciana dice con cariño en español: "Pasa, hace frío."' in spanish.prompt
    assert "language_missing" not in [w.rule for w in spanish.warnings]
    japanese = write_cinematic_prompt(
        "駅のホームで少女が電車を待っている", dialogue=["少女（小声で）：また明日ね。"]
    )
    assert "少女が小声で日本語で「また明日ね。」と言う。" in japanese.prompt
    english_line = write_cinematic_prompt(
        "una mujer en el mercado", dialogue=["la mujer: Where is the station?"]
    )
    assert 'en inglés: "Where is the station?"' in english_line.prompt


def test_a_few_foreign_characters_do_not_change_the_prompts_language() -> None:
    sign = write_cinematic_prompt("a woman holds up a sign that reads “新年快乐” in a busy street")
    assert sign.language == "en" and sign.prompt.endswith(".")
    assert write_cinematic_prompt("東京の夜、雨の中を歩く女性").language == "ja"
    assert write_cinematic_prompt("雨夜的东京街头").language == "zh"


def test_a_long_speaker_with_a_delivery_is_still_the_speaker() -> None:
    result = write_cinematic_prompt(
        "an old fisherman and his granddaughter on the pier at dawn",
        dialogue=["the old fisherman in the yellow raincoat (calmly): The sea will be calm tomorrow."],
    )
    assert (
        'The old fisherman in the yellow raincoat says calmly in English: "The sea will be calm tomorrow."'
        in (result.prompt)
    )
    assert "delivery_missing" not in [s.rule for s in result.suggestions]


@pytest.mark.parametrize("idea", ["a fox trots across a snowy field at dawn", "a hare leaps over the fence"])
def test_a_motion_verb_counts_as_the_ideas_action(idea: str) -> None:
    assert "action_missing" not in [s.rule for s in write_cinematic_prompt(idea).suggestions]
