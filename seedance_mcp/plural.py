"""Counted nouns in messages: "1 character", "2 characters", never "1 characters"."""

from __future__ import annotations

__all__ = ["an", "count", "size_text"]


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and `noun`, the noun in the plural unless `n` is 1 (`plural` for irregular ones)."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def size_text(n: int) -> str:
    """A byte count as people read it: "812 bytes", "48 KB", "30 MB" (decimal units, as the
    providers write their limits)."""
    if n < 1000:
        return count(n, "byte")
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if n >= scale:
            value = n / scale
            return f"{value:.1f}".removesuffix(".0") + f" {unit}"
    raise AssertionError(n)


def an(noun: str) -> str:
    """`noun` with its indefinite article: "an image", "a video"."""
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"
