"""How often `write_cinematic_prompt` gets an idea wrong, by the failure kinds of issue 16.

    python benchmarks/craft_eval.py            # the figures
    python benchmarks/craft_eval.py --show     # also every draft, with what was counted

Twenty-two ideas in English, Chinese, Japanese and Spanish (quiet, negated, night, rain,
chase, long story, product, dialogue, multi-shot) go through the drafter as an agent would
pass them. Each draft is checked for six kinds of failure, counted once per idea:

- invented: a noun or sound from the watch list below is in the prompt but not in what the
  user gave (idea and fields): the drafter added content;
- negation: something the idea negates ("no cars") is in the prompt outside a negated phrase;
- night_as_day: a night idea's prompt names daylight or sunlight;
- sound_dropped: fitted to the 1000-character limit, the prompt lost a sound the idea asked for;
- wrong_language: a non-English idea's prompt holds English words the user did not write, or
  an ASCII full stop after Chinese or Japanese text;
- audio_unasked: audio is suggested although nothing the user gave makes a sound.

Lower is better; zero is the target for every kind. The script needs only the package.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from typing import Any

from seedance_mcp.craft.draft import write_cinematic_prompt

# Content the old scene cues added; any of these in a prompt but not in the user's text was invented.
WATCH = (
    "car",
    "cars",
    "passers-by",
    "traffic",
    "engine",
    "footsteps",
    "breathing",
    "foam",
    "sand",
    "gulls",
    "birdsong",
    "rustling",
    "thunder",
    "lightning",
    "rain",
    "steam",
    "sizzling",
    "utensils",
    "leaves",
    "clouds",
    "snowflakes",
    "music",
    "crowds",
    "vendors",
    "shoppers",
    "wind",
    "hum",
    "daylight",
    "sunlight",
    "moonlight",
    "candlelight",
    "lamps",
    "softbox",
    "whoosh",
    "turntable",
    "tense",
    "hoofbeats",
    "clatter",
    "waves",
    "room tone",
    "雨声",
    "雷声",
    "脚步声",
    "汽车",
    "行人",
    "音乐",
    "阳光",
    "月光",
    "风声",
    "鸟鸣",
)
DAY = re.compile(r"\b(?:daylight|sunlight|sunny|midday|noon|overcast daylight)\b|日光|阳光|白天", re.I)
NIGHT = re.compile(r"\b(?:night|midnight|nighttime)\b|夜|深夜|夜晚|夜里|noche|夜中|夜の", re.I)
NEGATED = re.compile(
    r"\b(?:no|without)\s+([a-z-]+)|(?:没有|不要)([\u4e00-\u9fff]{1,3})|sin\s+([a-záéíóúñ]+)", re.I
)
NEGATED_SPAN = re.compile(
    r"\b(?:no|without|not|never)\b[^,.;:!?]*|(?:没有|不要|无)[^，。；！？]*|\bsin\b[^,.;:!?]*", re.I
)

STORY = (
    "A fisherman rows his small boat out of the harbour before sunrise. "
    + " ".join(
        f"He passes moored boat number {n}, its hull creaking against the old stone quay."
        for n in range(1, 17)
    )
    + " We hear the wind and the waves slapping the hull the whole way."
)


@dataclass
class Idea:
    name: str
    kwargs: dict[str, Any]
    sound: bool  # does what the user gives describe something audible?
    language: str = "en"
    sound_words: tuple[str, ...] = ()  # the sounds the idea asks for, which must survive the fit


IDEAS = [
    Idea("quiet_dawn_street", {"idea": "a quiet street at dawn, no cars, no people"}, False),
    Idea("rainy_night", {"idea": "a woman waits under an umbrella on a rainy night"}, False),
    Idea("motorcycle_chase", {"idea": "a motorcycle chase through a desert canyon"}, False),
    Idea("long_story", {"idea": STORY, "provider": "nanophoto"}, True, sound_words=("wind", "waves")),
    Idea("forest_walk", {"idea": "an old man walks his dog through a forest"}, False),
    Idea("beach_no_people", {"idea": "an empty beach at sunset without people"}, False),
    Idea("kitchen", {"idea": "a chef plates a dessert in a small kitchen"}, False),
    Idea("night_city", {"idea": "a taxi waits at a red light in the city at midnight"}, False),
    Idea("thunder_dog", {"idea": "a dog barks at the thunder"}, True),
    Idea("snow_fox", {"idea": "a red fox crossing a snowy road at dawn"}, False),
    Idea("product", {"idea": "a white running sneaker on a concrete pedestal"}, False),
    Idea(
        "dialogue",
        {"idea": "two old friends at a cafe table", "dialogue": ["the man in the cap: You came back."]},
        True,
    ),
    Idea(
        "multi_shot",
        {"idea": "a girl flies a kite", "shots": ["she runs up the hill", "the kite climbs"]},
        False,
    ),
    Idea("zh_rain_night", {"idea": "雨夜，一个女孩撑着伞走过空荡荡的街道"}, False, "zh"),
    Idea("zh_no_cars", {"idea": "清晨安静的街道，没有汽车，没有行人"}, False, "zh"),
    Idea("zh_sound", {"idea": "老人在海边慢慢走着，能听到海浪声和风声"}, True, "zh", ("海浪声", "风声")),
    Idea("zh_camera", {"idea": "一只白猫跳上窗台，镜头缓缓推进"}, False, "zh"),
    Idea("ja_night", {"idea": "夜の駅で、少女が電車を待っている"}, False, "ja"),
    Idea("es_market", {"idea": "una mujer vende flores en un mercado al amanecer, sin música"}, False, "es"),
    Idea("silent_lake", {"idea": "a quiet lake at noon, a heron stands still in the reeds"}, False),
    Idea("night_rain_neon", {"idea": "a detective stands in the rain at night under a neon sign"}, False),
    Idea("user_sound", {"idea": "a campfire on a beach", "sound": "crackling fire and soft waves"}, True),
]


@dataclass
class Result:
    name: str
    prompt: str
    audio: bool
    failures: list[str] = field(default_factory=list)


def _user_text(kwargs: dict[str, Any]) -> str:
    parts: list[str] = []
    for value in kwargs.values():
        if isinstance(value, str):
            parts.append(value)
        elif isinstance(value, list):
            parts.extend(value)
    return " ".join(parts).lower()


def _has(word: str, text: str) -> bool:
    if re.search(r"[\u3040-\u9fff]", word):
        return word in text
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


def check(idea: Idea) -> Result:
    draft = write_cinematic_prompt(**idea.kwargs)
    prompt = draft.prompt
    lower = prompt.lower()
    given = _user_text(idea.kwargs)
    result = Result(idea.name, prompt, draft.suggested_settings.audio)
    invented = [w for w in WATCH if _has(w, lower) and not _has(w, given)]
    if invented:
        result.failures.append(f"invented: {', '.join(invented)}")
    outside = NEGATED_SPAN.sub(" ", lower)
    negated = [next(g for g in m.groups() if g) for m in NEGATED.finditer(str(idea.kwargs["idea"]))]
    broken = [n for n in negated if (n.rstrip("s") and _has(n.rstrip("s"), outside)) or _has(n, outside)]
    if broken:
        result.failures.append(f"negation: {', '.join(broken)}")
    if NIGHT.search(str(idea.kwargs["idea"])) and DAY.search(prompt):
        result.failures.append("night_as_day")
    lost = [w for w in idea.sound_words if w not in lower]
    if lost:
        result.failures.append(f"sound_dropped: {', '.join(lost)}")
    if idea.language != "en":
        english = [w for w in re.findall(r"[A-Za-z]{3,}", prompt) if w.lower() not in given]
        ascii_stop = re.search(r"[\u3040-\u9fff]\.", prompt)
        if english or ascii_stop:
            result.failures.append(f"wrong_language: {', '.join(english[:6]) or 'ASCII full stop'}")
    if draft.suggested_settings.audio and not idea.sound:
        result.failures.append("audio_unasked")
    return result


KINDS = ("invented", "negation", "night_as_day", "sound_dropped", "wrong_language", "audio_unasked")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print every draft and what was counted")
    args = parser.parse_args(argv)
    results = [check(idea) for idea in IDEAS]
    if args.show:
        for r in results:
            print(f"--- {r.name} (audio {'on' if r.audio else 'off'}): {'; '.join(r.failures) or 'ok'}")
            print(r.prompt)
    counts = {kind: sum(any(f.startswith(kind) for f in r.failures) for r in results) for kind in KINDS}
    clean = sum(not r.failures for r in results)
    print(f"ideas: {len(results)}, without any failure: {clean}")
    for kind in KINDS:
        print(f"  {kind:<15} {counts[kind]}")
    print(f"  {'total':<15} {sum(counts.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
