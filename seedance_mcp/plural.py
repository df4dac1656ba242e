"""Counted nouns in messages: "1 character", "2 characters", never "1 characters"."""

from __future__ import annotations

__all__ = ["count"]


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`n` and `noun`, the noun in the plural unless `n` is 1 (`plural` for irregular ones)."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
