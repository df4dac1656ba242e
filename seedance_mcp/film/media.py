"""The film's media work, done with PyAV (`av`, whose wheels bundle the FFmpeg libraries):
probe a clip, check it against what was asked, take its last frame, stitch clips into one MP4,
and lay one frame per shot out on a contact sheet.

PyAV is imported in one place (`_av`), on first use, so importing this module costs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

__all__ = [
    "ClipInfo",
    "StitchClip",
    "StitchResult",
    "check_clip",
    "contact_sheet",
    "extract_last_frame",
    "probe",
    "stitch",
]


@dataclass(frozen=True)
class ClipInfo:
    """What a clip is, as read from its container."""

    duration: float
    width: int
    height: int
    fps: float
    video_codec: str
    has_audio: bool
    audio_codec: str | None
    audio_rate: int | None


@dataclass(frozen=True)
class StitchClip:
    """One clip of a film; `crossfade` is the seconds it overlaps the clip before (0: a cut)."""

    path: Path
    crossfade: float = 0.0


@dataclass(frozen=True)
class StitchResult:
    """The stitched film: where it is, how it was made (stream copy or re-encode), its seconds."""

    path: Path
    method: Literal["copy", "encode"]
    duration: float


def probe(path: Path) -> ClipInfo:
    """The clip's duration, size, frame rate and streams; raises `ClipUnreadable` naming the file
    when it is missing or not a video."""
    raise NotImplementedError


def check_clip(
    info: ClipInfo,
    *,
    duration: float,
    resolution: str | None,
    aspect_ratio: str | None,
    audio: bool,
    model: str | None = None,
) -> list[str]:
    """The ways `info` differs from what was asked, each a sentence; [] when it is as asked."""
    raise NotImplementedError


def extract_last_frame(path: Path, out: Path) -> Path:
    """Write the clip's last frame to `out` as a PNG and return `out`."""
    raise NotImplementedError


def stitch(clips: Sequence[StitchClip], out: Path) -> StitchResult:
    """Join `clips` in order into one MP4 at `out`: stream copy when they share codec parameters
    and none crossfades, else a re-encode to H.264/AAC."""
    raise NotImplementedError


def contact_sheet(entries: Sequence[tuple[Path, str]], out: Path) -> Path:
    """A PNG at `out` with one frame of each clip, labelled, in order; returns `out`."""
    raise NotImplementedError
