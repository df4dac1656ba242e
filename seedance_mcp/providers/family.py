"""What the Seedance models are whoever serves them: their frame shapes, frame rate, prompt
limit and seed range as ByteDance's own API takes them (the platforms that resell them document
less, and are given these), and the typical render time of a clip by its length.

No provider documents render times for ByteDance's own models; the figures are APIXO's measured
Seedance 1.5 Pro times for 1.x (4 s ~40-60 s, 8 s ~60-90 s, 12 s ~90-120 s), stretched for the
longer 2.x clips (third-party reports of 1-7 minutes). Each provider names its source."""

from __future__ import annotations

from .base import PollAdvice, References

__all__ = [
    "FPS",
    "MEDIA_MAX_BYTES",
    "PROMPT_MAX",
    "RATIOS",
    "REFERENCES_2X",
    "REFERENCES_25",
    "RENDER_1X",
    "RENDER_2X",
    "SEED_RANGE",
    "poll_1x",
    "poll_2x",
]

RATIOS: tuple[str, ...] = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9")
"""The fixed frame shapes every Seedance model makes (`adaptive`, where offered, comes on top)."""
FPS = 24
PROMPT_MAX = 2000
"""The prompt limit used for ByteDance's API (its guidance: 500 Chinese characters or 1,000 English
words at most); the platforms document none of their own."""
SEED_RANGE = (-1, 4294967295)
"""-1 (random) to 2**32 - 1."""

RENDER_1X: dict[int, tuple[float, float]] = {4: (40.0, 60.0), 8: (60.0, 90.0), 12: (90.0, 120.0)}
RENDER_2X: dict[int, tuple[float, float]] = {
    5: (60.0, 180.0),
    10: (120.0, 300.0),
    15: (180.0, 420.0),
    30: (360.0, 900.0),
}


def poll_1x(source: str) -> PollAdvice:
    """Seedance 1.x: poll every 5 s within the typical times."""
    return PollAdvice(interval=5.0, render_seconds=RENDER_1X, source=source)


def poll_2x(source: str) -> PollAdvice:
    """Seedance 2.x: poll every 10 s within the (longer) typical times."""
    return PollAdvice(interval=10.0, render_seconds=RENDER_2X, source=source)


# Seedance 2.x input files, per file (BytePlus ModelArk's Seedance 2.0 limits, as listed in
# PLATFORMS.md section 4: images 30 MB, videos under 50 MB, audio under 15 MB).
MEDIA_MAX_BYTES = {"image": 30 * 10**6, "video": 50 * 10**6, "audio": 15 * 10**6}

REFERENCES_2X = References()
"""Seedance 2.0 (and fast, mini): 9 images, 3 videos (2-15 s in all), 3 audio clips, 12 in all;
audio needs an image or a video beside it."""

REFERENCES_25 = References(
    images=30, videos=10, audios=10, total=50, video_seconds=(0.0, 30.0), audio_alone=True
)
"""Seedance 2.5: 30 images, 10 videos, 10 audio clips, 30 s of video in all; audio alone is
accepted (PLATFORMS.md section 4)."""
