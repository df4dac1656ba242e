"""Seedance 2.x references named in a prompt: one spelling for the user, each provider's own
on the wire.

The user writes `@image1`, `@video2`, `@audio1` (any case) for the first reference image, the
second reference video, the first reference audio. `spell` rewrites them the way a provider's
docs name them (fal `@Image1`, Replicate `[Image1]`, Ark `[Image 1]`, or `[图片1]` in a Chinese
prompt) just before the request is built. `unmatched` finds what is worth a warning (not an
error): a token with no such reference, and a reference the prompt never names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["KIND_WORDS", "TOKEN", "counts_of", "has_cjk", "named", "spell", "unmatched"]

TOKEN = re.compile(r"(?<![\w@])@(image|video|audio)(\d{1,2})(?!\d)", re.IGNORECASE)
"""`@image1`: a kind word and a number, not inside a word or an email address."""

KIND_WORDS = {"image": "图片", "video": "视频", "audio": "音频"}
"""The kind words of Ark's Chinese prompts ("参考图片1中的人物")."""

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def has_cjk(text: str) -> bool:
    """Whether the text is written in Chinese or Japanese (any Han or kana character)."""
    return _CJK.search(text) is not None


def named(prompt: str) -> list[tuple[str, int]]:
    """The references the prompt names, as (kind, number), in order of first mention."""
    seen: list[tuple[str, int]] = []
    for match in TOKEN.finditer(prompt):
        item = (match.group(1).lower(), int(match.group(2)))
        if item not in seen:
            seen.append(item)
    return seen


def spell(prompt: str, spellings: tuple[str, str]) -> str:
    """The prompt with every `@image1`-style token in a provider's spelling: `spellings` is
    (in most languages, in a Chinese or Japanese prompt), each a pattern with `{kind}`,
    `{Kind}`, `{word}` (the Chinese kind word) and `{n}`."""
    pattern = spellings[1] if has_cjk(prompt) else spellings[0]

    def one(match: re.Match[str]) -> str:
        kind = match.group(1).lower()
        return pattern.format(kind=kind, Kind=kind.capitalize(), word=KIND_WORDS[kind], n=int(match.group(2)))

    return TOKEN.sub(one, prompt)


def unmatched(prompt: str, counts: dict[str, int]) -> list[str]:
    """Warnings for the references in `counts` (kind -> how many were given) and the prompt's
    tokens: a token naming a reference that was not given, and a reference never named."""
    notes: list[str] = []
    tokens = named(prompt)
    for kind, n in tokens:
        given = counts.get(kind, 0)
        if n < 1 or n > given:
            have = (
                f"only {given} reference {kind}{'s' if given != 1 else ''} given"
                if given
                else (f"no reference {kind} given")
            )
            notes.append(f"@{kind}{n} names no reference ({have}); add the file or fix the number.")
    if not tokens:
        if any(counts.values()):
            notes.append(
                "The prompt names none of its references: say what each is for, e.g. "
                '"the woman in @image1 walks...", so the model uses them as meant.'
            )
        return notes
    for kind, given in counts.items():
        for n in range(1, given + 1):
            if (kind, n) not in tokens:
                notes.append(f"reference {kind} {n} is never named in the prompt (as @{kind}{n}).")
    return notes


def counts_of(images: Sequence[str], videos: Sequence[str], audios: Sequence[str]) -> dict[str, int]:
    return {"image": len(images), "video": len(videos), "audio": len(audios)}
