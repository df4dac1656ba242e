"""Real clips for the simulators: an H.264 MP4 of the asked seconds, frame size and 24 fps,
with an AAC tone when audio was asked, so stitching and clip checks are tested on real files.

Every shot looks and sounds its own: the picture is one colour drawn from the prompt (the same
prompt always gets the same colour) with the frame number in white seven-segment digits, and
the tone's pitch comes from the prompt too. A clip is a pure function of its `ClipSpec`, made
once per process (`render` keeps the last few) and byte-for-byte the same in every process, so
a file whose size a status answer reported, or a download resumed by another process, matches.

Flat colour and a small counter cost the encoder little (libx264 `ultrafast`): a 5 s 720p clip
with sound takes about 0.4 s on 2 cores, a 15 s 1080p one about 2 s (see BENCHMARKS.md).
"""

from __future__ import annotations

import colorsys
import functools
import hashlib
import io
import math
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import anyio.to_thread

from ..pricing import DIMENSIONS_1X, DIMENSIONS_2X
from ..providers.family import FPS
from .media import last_frame_png, sample_mp4
from .state import SandboxState, Task

__all__ = ["AUDIO_RATE", "ClipSpec", "RenderedClip", "clip_spec", "last_frame", "render", "video"]

AUDIO_RATE = 48_000
AUDIO_BLOCK = 1024  # samples per AAC frame; every tone fits a whole number of periods in one
TONE_STEPS = (5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16)  # periods per block: 234 Hz to 750 Hz
TONE_LEVEL = 0.2
TONE_RAMP = 240  # samples (5 ms) of fade in and out, as a mixed clip's sound would have
WHITE = (235, 128, 128)  # Y, U, V of the counter's digits
WIRE_RATIOS = {"landscape": "16:9", "portrait": "9:16"}  # NanoPhoto's words for its two ratios
ADAPTIVE_SECONDS = 5.0  # a task that let the model pick its length (-1) gets 5 s
_CACHED = 16

# Which of the seven segments each digit lights: a top, b top right, c bottom right, d bottom,
# e bottom left, f top left, g middle.
_SEGMENTS = {
    "0": "abcdef",
    "1": "bc",
    "2": "abdeg",
    "3": "abcdg",
    "4": "bcfg",
    "5": "acdfg",
    "6": "acdefg",
    "7": "abc",
    "8": "abcdefg",
    "9": "abcdfg",
}


@dataclass(frozen=True)
class ClipSpec:
    """What a simulated clip is: its seconds, frame size, frame rate, whether it has a tone, and
    the colour (RGB) and tone pitch (periods per 1024 samples) that tell its shot apart."""

    seconds: float
    width: int
    height: int
    audio: bool
    colour: tuple[int, int, int]
    tone: int
    fps: int = FPS

    @property
    def frames(self) -> int:
        return max(1, round(self.seconds * self.fps))

    @property
    def tone_hz(self) -> float:
        return self.tone * AUDIO_RATE / AUDIO_BLOCK


@dataclass(frozen=True)
class RenderedClip:
    """The clip's MP4 bytes and a PNG of its last frame."""

    mp4: bytes
    last_frame: bytes


async def video(state: SandboxState, task: Task) -> bytes:
    """The finished task's MP4: its own clip with `SandboxConfig(clips=True)`, else the shipped
    sample (a clip is encoded off the event loop, once per spec)."""
    if not state.config.clips:
        return sample_mp4()
    return (await anyio.to_thread.run_sync(render, clip_spec(task))).mp4


async def last_frame(state: SandboxState, task: Task) -> bytes:
    """The PNG of the finished task's last frame: its clip's, or the sample's flat frame."""
    if not state.config.clips:
        return last_frame_png()
    return (await anyio.to_thread.run_sync(render, clip_spec(task))).last_frame


def clip_spec(task: Task) -> ClipSpec:
    """The clip a finished task renders, read from what its request asked (the simulator's view
    of it first, then the body and its `input` object): the task's seconds, the documented frame
    size of its resolution and ratio (720p and 16:9 when it asked neither; `adaptive` or fal's
    `auto` is 16:9), audio when asked."""
    views: list[Mapping[str, Any]] = [
        v for v in (task.extra.get("clip"), task.extra.get("request")) if isinstance(v, Mapping)
    ]
    views.append(task.body)
    nested = task.body.get("input")
    if isinstance(nested, Mapping):
        views.append(nested)
    resolution = _first(views, ("resolution",), str) or "720p"
    ratio = _first(views, ("ratio", "aspect_ratio", "aspectRatio"), str) or "16:9"
    ratio = WIRE_RATIOS.get(ratio, ratio)
    audio = _first(views, ("generate_audio", "generateAudio", "sound", "audio"), bool)
    model = _first(views, ("model",), str) or ""
    table = DIMENSIONS_1X if ("1.0" in model or "1-0" in model) else DIMENSIONS_2X
    sizes = table.get(resolution, table["720p"])
    width, height = sizes.get(ratio, sizes["16:9"])
    seed = hashlib.blake2b((_prompt(views) or task.id).encode(), digest_size=8).digest()
    hue = seed[0] / 256
    red, green, blue = colorsys.hsv_to_rgb(hue, 0.65, 0.85)
    return ClipSpec(
        seconds=float(task.duration) if task.duration > 0 else ADAPTIVE_SECONDS,
        width=width,
        height=height,
        audio=bool(audio),
        colour=(round(red * 255), round(green * 255), round(blue * 255)),
        tone=TONE_STEPS[seed[1] % len(TONE_STEPS)],
    )


def _first(views: list[Mapping[str, Any]], keys: tuple[str, ...], kind: type) -> Any:
    for view in views:
        for key in keys:
            value = view.get(key)
            if isinstance(value, kind) and not (kind is str and not value):
                return value
    return None


def _prompt(views: list[Mapping[str, Any]]) -> str | None:
    for view in views:
        prompt = view.get("prompt")
        if isinstance(prompt, str) and prompt:
            return prompt
        content = view.get("content")  # Ark: [{"type": "text", "text": ...}, ...]
        if isinstance(content, list):
            for item in content:
                if isinstance(item, Mapping) and isinstance(item.get("text"), str):
                    return str(item["text"])
    return None


@functools.lru_cache(maxsize=_CACHED)
def render(spec: ClipSpec) -> RenderedClip:
    """Encode the clip `spec` describes (cached: the same spec is encoded once per process).
    Sound and picture are interleaved as they are made, as a player streaming the file wants."""
    av = _av()
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        video = container.add_stream(
            "libx264",
            rate=spec.fps,
            # A fixed thread count keeps the bytes the same on every machine.
            options={"preset": "ultrafast", "crf": "32", "threads": "2", "bf": "0"},
        )
        video.width, video.height, video.pix_fmt = spec.width, spec.height, "yuv420p"
        sound = (
            container.add_stream("aac", rate=AUDIO_RATE, layout="stereo", options={"aac_coder": "fast"})
            if spec.audio
            else None
        )
        tone = _tone(av, spec) if sound is not None else []
        painter = _Painter(av, spec)
        frame = None
        heard = 0
        for index in range(spec.frames):
            frame = painter.frame(index)
            container.mux(video.encode(frame))
            while (
                sound is not None and heard < len(tone) and tone[heard].pts * spec.fps <= index * AUDIO_RATE
            ):
                container.mux(sound.encode(tone[heard]))
                heard += 1
        container.mux(video.encode())
        if sound is not None:
            for rest in tone[heard:]:
                container.mux(sound.encode(rest))
            container.mux(sound.encode())
        assert frame is not None
        png = io.BytesIO()
        frame.to_image().save(png, format="PNG")
    return RenderedClip(mp4=buffer.getvalue(), last_frame=png.getvalue())


def _av() -> ModuleType:
    """PyAV, imported on first use (a dependency of the package; the sample needs none)."""
    import av

    return av


def _tone(av: ModuleType, spec: ClipSpec) -> list[Any]:
    """Stereo float frames of the shot's tone, exactly the clip's seconds long (the last block
    is cut short); each block holds whole periods, so blocks join without a click, and the tone
    fades in and out over 5 ms."""
    block = struct.pack(
        f"<{AUDIO_BLOCK}f",
        *(TONE_LEVEL * math.sin(2 * math.pi * spec.tone * i / AUDIO_BLOCK) for i in range(AUDIO_BLOCK)),
    )
    total = round(spec.frames / spec.fps * AUDIO_RATE)
    ramp = min(TONE_RAMP, total // 2)
    frames = []
    for start in range(0, total, AUDIO_BLOCK):
        samples = min(AUDIO_BLOCK, total - start)
        frame = av.AudioFrame(format="fltp", layout="stereo", samples=samples)
        data = block[: samples * 4]
        if start < ramp or start + samples > total - ramp:  # fade in and out: no click
            values = list(struct.unpack(f"<{samples}f", data))
            for i in range(samples):
                edge = min(start + i, total - 1 - (start + i))
                if edge < ramp:
                    values[i] *= edge / ramp
            data = struct.pack(f"<{samples}f", *values)
        for plane in frame.planes:
            plane.update(data + bytes(plane.buffer_size - len(data)))
        frame.sample_rate = AUDIO_RATE
        frame.pts = start
        frames.append(frame)
    return frames


class _Painter:
    """Draws the clip's frames straight in YUV 4:2:0 into one reused frame (the encoder copies
    each picture it is given): the shot's colour everywhere, then per frame only the counter's
    box near the top left is cleared and the frame number drawn in seven-segment digits (no
    font, no colour conversion)."""

    def __init__(self, av: ModuleType, spec: ClipSpec) -> None:
        self.spec = spec
        self.picture = av.VideoFrame(spec.width, spec.height, "yuv420p")
        self.strides = [plane.line_size for plane in self.picture.planes]
        self.views = [memoryview(plane).cast("B") for plane in self.picture.planes]
        self.background = _yuv(spec.colour)
        for view, value in zip(self.views, self.background, strict=True):
            view[:] = bytes([value]) * len(view)
        self.digit_h = max(10, spec.height // 6) // 2 * 2
        self.digit_w = self.digit_h // 2 // 2 * 2
        self.stroke = max(2, self.digit_h // 8) // 2 * 2
        self.margin = max(4, spec.height // 20) // 2 * 2
        self.digits = max(1, min(4, (spec.width - self.margin) // (self.digit_w + 2 * self.stroke)))
        box_w = min(spec.width - self.margin, self.digits * (self.digit_w + 2 * self.stroke))
        self.box = (self.margin, self.margin, box_w // 2 * 2, self.digit_h)

    def frame(self, index: int) -> Any:
        self._fill(*self.box, self.background)
        for rect in self._rects(f"{index % 10**self.digits:0{self.digits}d}"):
            self._fill(*rect, WHITE)
        self.picture.pts = index
        return self.picture

    def _rects(self, text: str) -> list[tuple[int, int, int, int]]:
        d, w, s, m = self.digit_h, self.digit_w, self.stroke, self.margin
        half = d // 2
        rects = []
        for position, digit in enumerate(text):
            x0 = m + position * (w + 2 * s)
            boxes = {
                "a": (x0, m, w, s),
                "b": (x0 + w - s, m, s, half),
                "c": (x0 + w - s, m + half, s, half),
                "d": (x0, m + d - s, w, s),
                "e": (x0, m + half, s, half),
                "f": (x0, m, s, half),
                "g": (x0, m + half - s // 2, w, s),
            }
            rects += [boxes[segment] for segment in _SEGMENTS[digit]]
        return rects

    def _fill(self, x: int, y: int, w: int, h: int, colour: tuple[int, int, int]) -> None:
        bottom = min(y + h, self.spec.height)
        for index, value in enumerate(colour):
            shift = 0 if index == 0 else 1  # the chroma planes are half size each way
            stride, view = self.strides[index], self.views[index]
            left, width = x >> shift, w >> shift
            row = bytes([value]) * width
            for line in range(y >> shift, bottom >> shift):
                view[line * stride + left : line * stride + left + width] = row


def _yuv(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """BT.601 limited-range YUV of an RGB colour (what the encoder and players assume)."""
    red, green, blue = rgb
    y = 16 + (65.481 * red + 128.553 * green + 24.966 * blue) / 255
    u = 128 + (-37.797 * red - 74.203 * green + 112.0 * blue) / 255
    v = 128 + (112.0 * red - 93.786 * green - 18.214 * blue) / 255
    return round(y), round(u), round(v)
