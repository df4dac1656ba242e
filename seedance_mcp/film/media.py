"""The film's media work, done with PyAV (`av`, whose wheels bundle the FFmpeg libraries):
probe a clip, check it against what was asked, take its last frame, stitch clips into one MP4,
and lay one frame per shot out on a contact sheet.

PyAV is imported in one place (`_av`), on first use, so importing this module costs nothing.

Stitching by stream copy keeps every packet as it is and only moves its timestamps: each clip
starts where the one before ends. It is chosen only when every clip has the same codec
parameters and its sound lasts as long as its picture (to within one audio frame, either way). An AAC
track starts with the encoder's priming frame (before time 0, hidden by the file's edit list);
after the first clip those frames are dropped, so no clip's sound starts late, and packets past
a clip's picture are dropped, so none runs long.

A re-encode decodes everything to one frame rate, size and 48 kHz stereo, makes each clip's
sound exactly as long as its picture (silence where it is short), blends crossfades (picture
and sound, linearly), ramps the sound over 4 ms each side of a cut (no click where a waveform
is cut mid-swing), and encodes one H.264/AAC file, holding at most one crossfade's frames.
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

from ..errors import ClipUnreadable, ConfigError, InvalidRequest
from ..pricing import DIMENSIONS_1X, DIMENSIONS_2X

if TYPE_CHECKING:
    from av.container import InputContainer

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


FPS_DEFAULT = 24.0
AUDIO_RATE = 48_000
AUDIO_LAYOUT = "stereo"
CHANNELS = 2
RATIO_TOLERANCE = 0.03  # the documented 864x496 is 16:9 only to 2 %
SIZE_TOLERANCE = 0.02
ENCODE_VIDEO = {"preset": "veryfast", "crf": "20"}
ENCODE_AUDIO_BITRATE = 192_000
DECLICK = 0.004  # seconds of ramp each side of a cut in a re-encode
MUX_OPTIONS = {"movflags": "+faststart"}  # the index first: a browser starts playing at once
TILE_WIDTH = 320
LABEL_HEIGHT = 28
SHEET_COLUMNS = 4
SHEET_GAP = 8
SHEET_BACKGROUND = (24, 24, 24)
LABEL_COLOUR = (240, 240, 240)
INSTALL = 'pip install "av>=18" "pillow>=10.1"'


def _av() -> ModuleType:
    """PyAV, imported on first use; a clear error naming the install command when it is missing."""
    try:
        import av
    except ImportError as err:  # a core dependency, so only a broken install lands here
        raise ConfigError(f"films need PyAV, which is not installed: {INSTALL}") from err
    return av


def _open(path: Path) -> InputContainer:
    av = _av()
    if not path.is_file():
        raise ClipUnreadable(f"{path}: no such file; expected a video clip (MP4)")
    try:
        container: InputContainer = av.open(str(path), "r")
    except (av.FFmpegError, OSError, UnicodeDecodeError) as err:
        raise ClipUnreadable(f"{path}: not a video PyAV can read ({err}); expected an MP4 clip") from err
    kind = container.format.name
    if not container.streams.video or "_pipe" in kind or kind.startswith("image2"):
        container.close()
        what = "is a still image" if container.streams.video else "has no video stream"
        raise ClipUnreadable(f"{path}: {what} ({kind}); expected a video clip (MP4)")
    return container


def probe(path: Path) -> ClipInfo:
    """The clip's duration, size, frame rate and streams; raises `ClipUnreadable` naming the file
    when it is missing or not a video."""
    with _open(path) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        duration = _video_seconds(container, video)
        rate = video.average_rate or video.guessed_rate
        return ClipInfo(
            duration=duration,
            width=video.codec_context.width,
            height=video.codec_context.height,
            fps=float(rate) if rate else FPS_DEFAULT,
            video_codec=video.codec_context.name,
            has_audio=audio is not None,
            audio_codec=audio.codec_context.name if audio is not None else None,
            audio_rate=audio.codec_context.sample_rate if audio is not None else None,
        )


def _video_seconds(container: InputContainer, video: Any) -> float:
    if video.duration is not None and video.time_base is not None:
        return float(video.duration * video.time_base)
    if container.duration is not None:
        return container.duration / 1_000_000  # AV_TIME_BASE
    end = 0.0
    for packet in container.demux(video):
        if packet.pts is not None and packet.time_base is not None:
            end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
    return end


def check_clip(
    info: ClipInfo,
    *,
    duration: float,
    resolution: str | None,
    aspect_ratio: str | None,
    audio: bool,
    model: str | None = None,
) -> list[str]:
    """The ways `info` differs from what was asked, each a sentence; [] when it is as asked.

    Duration: within one frame (plus a millisecond). Resolution: the frame is one of the sizes
    the Seedance docs give for it (at the asked ratio; either model family's table unless
    `model` is given), within 2 %. Ratio: width / height within 3 % of it (`adaptive`: any).
    Audio: a track is present when audio was asked (one that was not asked is no mismatch).
    """
    problems = []
    frame = 1 / (info.fps or FPS_DEFAULT)
    if abs(info.duration - duration) > frame + 0.001:
        problems.append(f"duration is {info.duration:.2f} s; {duration:g} s was asked")
    size = f"{info.width}x{info.height}"
    ratio_known = aspect_ratio is not None and aspect_ratio != "adaptive"
    if ratio_known:
        assert aspect_ratio is not None
        wanted = _ratio(aspect_ratio)
        if wanted is not None and abs(info.width / info.height / wanted - 1) > RATIO_TOLERANCE:
            problems.append(f"frame {size} is not {aspect_ratio}; {aspect_ratio} was asked")
    if resolution is not None:
        sizes = _documented(resolution, aspect_ratio if ratio_known else None, model)
        if not sizes:
            problems.append(f"resolution {resolution} has no documented frame size to check {size} against")
        elif not any(_close(info.width, w) and _close(info.height, h) for w, h in sizes):
            listed = ", ".join(f"{w}x{h}" for w, h in sorted(set(sizes)))
            problems.append(f"frame {size} is not {resolution} (documented: {listed})")
    if audio and not info.has_audio:
        problems.append("no audio track; audio was asked")
    return problems


def _ratio(text: str) -> float | None:
    left, colon, right = text.partition(":")
    try:
        return float(left) / float(right) if colon else None
    except (ValueError, ZeroDivisionError):
        return None


def _documented(resolution: str, ratio: str | None, model: str | None) -> list[tuple[int, int]]:
    if model is None:
        tables = [DIMENSIONS_1X, DIMENSIONS_2X]
    else:
        tables = [DIMENSIONS_1X if model.startswith("seedance-1.0") else DIMENSIONS_2X]
    sizes = []
    for table in tables:
        by_ratio = table.get(resolution, {})
        sizes += [by_ratio[ratio]] if ratio is not None and ratio in by_ratio else list(by_ratio.values())
    return sizes


def _close(measured: int, documented: int) -> bool:
    return abs(measured - documented) <= documented * SIZE_TOLERANCE


def extract_last_frame(path: Path, out: Path) -> Path:
    """Write the clip's last frame to `out` as a PNG and return `out` (the last second is
    decoded, or the whole clip if the file cannot seek)."""
    av = _av()
    with _open(path) as container:
        video = container.streams.video[0]
        last = _last_frame(av, container, video)
        if last is None:
            container.seek(0)
            last = _last_frame(av, container, video, seek=False)
        if last is None:
            raise ClipUnreadable(f"{path}: no frame could be decoded; expected a video clip (MP4)")
        out.parent.mkdir(parents=True, exist_ok=True)
        last.to_image().save(out, format="PNG")
    return out


def _last_frame(av: ModuleType, container: InputContainer, video: Any, *, seek: bool = True) -> Any:
    if seek and video.duration is not None and video.time_base is not None:
        back = max(0, video.duration - int(1 / video.time_base))  # one second before the end
        try:
            container.seek(back + (video.start_time or 0), stream=video, backward=True)
        except av.FFmpegError:
            return None
    last = None
    try:
        for frame in container.decode(video):
            last = frame
    except av.FFmpegError:
        return last
    return last


# -- stitching -----------------------------------------------------------------------------


def stitch(clips: Sequence[StitchClip], out: Path) -> StitchResult:
    """Join `clips` in order into one MP4 at `out`: stream copy when they share codec parameters
    and none crossfades, else a re-encode to H.264/AAC (see the module docstring).

    The film lasts the sum of the clips' seconds less the crossfades. A crossfade longer than
    either clip it joins, or on the first clip, is refused naming the field.
    """
    if not clips:
        raise InvalidRequest("clips: none given; allowed: one clip or more", field="clips")
    _check_crossfades(clips)
    out.parent.mkdir(parents=True, exist_ok=True)
    if all(clip.crossfade == 0 for clip in clips) and _copyable([clip.path for clip in clips]):
        try:
            return StitchResult(out, "copy", _copy(clips, out))
        except _av().FFmpegError:
            out.unlink(missing_ok=True)  # a muxer refused the packets as they are: re-encode
    return StitchResult(out, "encode", _encode(clips, out))


def _check_crossfades(clips: Sequence[StitchClip]) -> None:
    durations = [probe(clip.path).duration for clip in clips]
    for index, clip in enumerate(clips):
        field = f"clips[{index}].crossfade"
        if clip.crossfade < 0 or not math.isfinite(clip.crossfade):
            raise InvalidRequest(
                f"{field}: {clip.crossfade!r}; allowed: seconds >= 0", field=field, value=clip.crossfade
            )
        if clip.crossfade == 0:
            continue
        if index == 0:
            raise InvalidRequest(
                f"{field}: the first clip has no clip before it to crossfade from; allowed: 0",
                field=field,
                value=clip.crossfade,
                allowed=[0],
            )
        longest = min(durations[index - 1], durations[index])
        if clip.crossfade > longest:
            raise InvalidRequest(
                f"{field}: {clip.crossfade:g} s is longer than a clip it joins; "
                f"allowed: 0 to {longest:.2f} s",
                field=field,
                value=clip.crossfade,
            )


def _signature(path: Path) -> tuple[Any, ...] | None:
    """Everything that must match for packets of two files to share one stream; None when the
    clip cannot be copied even alone (its sound is not as long as its picture: only a re-encode
    fills the rest with silence, or ends it without a click)."""
    with _open(path) as container:
        if _sound_off(container):
            return None
        video = container.streams.video[0].codec_context
        stream = container.streams.video[0]
        parts: list[Any] = [
            video.name,
            video.width,
            video.height,
            video.pix_fmt,
            video.profile,
            bytes(video.extradata or b""),
            stream.time_base,
            stream.average_rate,
        ]
        for audio_stream in container.streams.audio[:1]:
            audio = audio_stream.codec_context
            parts += [
                audio.name,
                audio.sample_rate,
                audio.layout.name,
                audio.format.name if audio.format else None,
                bytes(audio.extradata or b""),
                audio_stream.time_base,
            ]
        if not container.streams.audio:
            parts.append("no audio")
        return tuple(parts)


def _sound_off(container: InputContainer) -> bool:
    """Whether the clip's sound is longer or shorter than its picture by more than one audio
    frame (a copy would leave a gap, or cut the sound mid-swing at the next clip)."""
    if not container.streams.audio:
        return False
    audio = container.streams.audio[0]
    if audio.duration is None or audio.time_base is None:
        return False
    rate = audio.codec_context.sample_rate or AUDIO_RATE
    frame = (audio.codec_context.frame_size or 1024) / rate
    sound = float(audio.duration * audio.time_base)
    return abs(sound - _video_seconds(container, container.streams.video[0])) > frame + 0.001


def _copyable(paths: Sequence[Path]) -> bool:
    first = _signature(paths[0])
    return first is not None and all(_signature(path) == first for path in paths[1:])


def _copy(clips: Sequence[StitchClip], out: Path) -> float:
    """Stream-copy the clips one after another; returns the film's seconds."""
    av = _av()
    offset = Fraction(0)  # where the next clip starts, in seconds
    with av.open(str(out), "w", format="mp4", options=MUX_OPTIONS) as output:
        streams: dict[str, Any] = {}
        for index, clip in enumerate(clips):
            with _open(clip.path) as container:
                video = container.streams.video[0]
                audio = container.streams.audio[0] if container.streams.audio else None
                if not streams:
                    streams["video"] = output.add_stream_from_template(video)
                    if audio is not None:
                        streams["audio"] = output.add_stream_from_template(audio)
                length = Fraction(_video_seconds(container, video)).limit_denominator(1_000_000)
                start = video.start_time or 0
                wanted = (video,) if audio is None else (video, audio)
                for packet in container.demux(*wanted):  # in file order: interleaved as it was
                    if packet.size == 0 or packet.pts is None:
                        continue
                    if packet.stream.type == "video":
                        _shift(packet, offset, video.time_base, start)
                        packet.stream = streams["video"]
                    else:
                        assert audio is not None
                        at = Fraction(packet.pts) * (audio.time_base or Fraction(1, AUDIO_RATE))
                        if (index > 0 and at < 0) or at >= length:
                            continue  # a later clip's priming frame, or sound past its picture
                        _shift(packet, offset, audio.time_base, 0)
                        packet.stream = streams["audio"]
                    output.mux(packet)
                offset += length
    return float(offset)


def _shift(packet: Any, offset: Fraction, time_base: Fraction | None, start: int) -> None:
    assert time_base is not None, "a demuxed stream has a time base"
    ticks = round(offset / time_base) - start
    packet.pts += ticks
    if packet.dts is not None:
        packet.dts += ticks


def _encode(clips: Sequence[StitchClip], out: Path) -> float:
    """Decode every clip and encode one H.264/AAC film at the first clip's size and frame rate;
    returns the film's seconds."""
    av = _av()
    first = probe(clips[0].path)
    fps = Fraction(first.fps).limit_denominator(1001) if first.fps else Fraction(24)
    width, height = first.width // 2 * 2, first.height // 2 * 2
    with av.open(str(out), "w", format="mp4", options=MUX_OPTIONS) as output:
        video = output.add_stream("libx264", rate=fps, options=ENCODE_VIDEO)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        sound = output.add_stream("aac", rate=AUDIO_RATE, layout=AUDIO_LAYOUT)
        sound.bit_rate = ENCODE_AUDIO_BITRATE
        pictures = _Pictures(av, video, output, fps)
        samples = _Samples(av, sound, output)
        for index, clip in enumerate(clips):
            fade_frames = round(clip.crossfade * fps)
            fade_samples = round(Fraction(fade_frames) / fps * AUDIO_RATE)
            following = clips[index + 1] if index + 1 < len(clips) else None
            keep_frames = round(following.crossfade * fps) if following is not None else 0
            keep_samples = round(Fraction(keep_frames) / fps * AUDIO_RATE)
            frames, audio = _decoded(av, clip.path, fps, width, height)
            pictures.add(frames, fade_frames, keep_frames)
            samples.add(audio, fade_samples, keep_samples)
        pictures.close()
        samples.close()
        return float(pictures.count / fps)


def _decoded(
    av: ModuleType, path: Path, fps: Fraction, width: int, height: int
) -> tuple[Iterator[Any], array[float]]:
    """The clip's pictures at `fps` and `width` x `height` (a generator), and its audio as
    48 kHz stereo float samples exactly as long as the pictures (padded with silence, or cut)."""
    info = probe(path)
    count = max(1, round(Fraction(info.duration).limit_denominator(1_000_000) * fps))
    wanted = round(Fraction(count) / fps * AUDIO_RATE) * CHANNELS
    audio = array("f")
    with _open(path) as container:
        if container.streams.audio:
            resampler = av.AudioResampler(format="flt", layout=AUDIO_LAYOUT, rate=AUDIO_RATE)
            for frame in container.decode(audio=0):
                for converted in resampler.resample(frame):
                    audio.frombytes(bytes(converted.planes[0])[: converted.samples * CHANNELS * 4])
                if len(audio) >= wanted:
                    break
            for converted in resampler.resample(None):
                audio.frombytes(bytes(converted.planes[0])[: converted.samples * CHANNELS * 4])
    del audio[wanted:]
    if len(audio) < wanted:
        audio.extend((bytes(0) and []) or [0.0] * (wanted - len(audio)))
    return _pictures(path, fps, count, width, height), audio


def _pictures(path: Path, fps: Fraction, count: int, width: int, height: int) -> Iterator[Any]:
    """`count` frames at `fps`: for each output instant, the latest decoded frame at or before
    it (repeating the last one if the clip's picture ends early), fitted to `width` x `height`."""
    av = _av()
    with _open(path) as container:
        stream = container.streams.video[0]
        decoded = container.decode(stream)
        current = None
        upcoming = next(decoded, None)
        if upcoming is None:
            raise ClipUnreadable(f"{path}: no frame could be decoded; expected a video clip (MP4)")
        for index in range(count):
            instant = Fraction(index) / fps
            while upcoming is not None and (current is None or _seconds(upcoming) <= instant):
                current, upcoming = upcoming, next(decoded, None)
            yield _fit(av, current, width, height)


def _fit(av: ModuleType, frame: Any, width: int, height: int) -> Any:
    """The frame at `width` x `height`: scaled when its shape is the film's, else scaled to fit
    inside and centred on black (a 9:16 shot in a 16:9 film is pillarboxed, never stretched)."""
    if abs(frame.width * height - frame.height * width) <= 0.01 * width * frame.height:
        return frame.reformat(width=width, height=height, format="yuv420p")
    from PIL import Image

    scale = min(width / frame.width, height / frame.height)
    inner = (max(2, round(frame.width * scale)), max(2, round(frame.height * scale)))
    canvas = Image.new("RGB", (width, height))
    canvas.paste(frame.to_image().resize(inner), ((width - inner[0]) // 2, (height - inner[1]) // 2))
    return av.VideoFrame.from_image(canvas).reformat(format="yuv420p")


def _seconds(frame: Any) -> Fraction:
    if frame.pts is None or frame.time_base is None:
        return Fraction(0)
    return Fraction(frame.pts) * Fraction(frame.time_base)


class _Pictures:
    """Encodes pictures in order, holding back the frames a following crossfade blends."""

    def __init__(self, av: ModuleType, stream: Any, output: Any, fps: Fraction) -> None:
        self.av, self.stream, self.output, self.fps = av, stream, output, fps
        self.held: deque[Any] = deque()
        self.count = 0

    def add(self, frames: Iterator[Any], fade: int, keep: int) -> None:
        from PIL import Image

        fading, self.held = self.held, deque()
        for index, frame in enumerate(frames):
            if index < fade and fading:
                alpha = (index + 1) / (fade + 1)
                blended = Image.blend(fading.popleft().to_image(), frame.to_image(), alpha)
                frame = self.av.VideoFrame.from_image(blended).reformat(format="yuv420p")
            self.held.append(frame)
            while len(self.held) > keep:
                self._emit(self.held.popleft())
        while fading:  # cannot happen for a checked crossfade; never lose a frame regardless
            self._emit(fading.popleft())

    def _emit(self, frame: Any) -> None:
        frame.pts = self.count
        frame.time_base = 1 / self.fps
        self.count += 1
        for packet in self.stream.encode(frame):
            self.output.mux(packet)

    def close(self) -> None:
        while self.held:
            self._emit(self.held.popleft())
        for packet in self.stream.encode():
            self.output.mux(packet)


class _Samples:
    """Encodes interleaved stereo samples in order, holding back the tail a crossfade blends."""

    BLOCK = 1024 * CHANNELS

    def __init__(self, av: ModuleType, stream: Any, output: Any) -> None:
        self.av, self.stream, self.output = av, stream, output
        self.held = array("f")
        self.sent = 0  # samples per channel encoded so far

    def add(self, audio: array[float], fade: int, keep: int) -> None:
        """Queue one clip's samples: its first `fade` blend with the tail held from the clip
        before, its last `keep` are held for the next; a cut (no fade, no keep) is ramped over
        `DECLICK` seconds each side, so a waveform that stops mid-swing cannot click."""
        ramp = min(round(DECLICK * AUDIO_RATE), len(audio) // CHANNELS // 2)
        for n in range(ramp):
            gain = n / ramp
            for channel in range(CHANNELS):
                if fade == 0:
                    audio[n * CHANNELS + channel] *= gain
                if keep == 0:
                    audio[len(audio) - (n + 1) * CHANNELS + channel] *= gain
        fade_values = min(fade * CHANNELS, len(self.held), len(audio))
        for i in range(fade_values):  # a linear crossfade: equal gain, no dip, no click
            alpha = (i // CHANNELS + 1) / (fade_values // CHANNELS + 1)
            audio[i] = self.held[i] * (1 - alpha) + audio[i] * alpha
        del self.held[:fade_values]
        self._emit(self.held)
        self.held = array("f")
        cut = len(audio) - keep * CHANNELS
        self._emit(audio[:cut])
        self.held = audio[cut:]

    def _emit(self, values: array[float]) -> None:
        for start in range(0, len(values), self.BLOCK):
            block = values[start : start + self.BLOCK]
            frame = self.av.AudioFrame(format="flt", layout=AUDIO_LAYOUT, samples=len(block) // CHANNELS)
            frame.planes[0].update(block.tobytes() + bytes(frame.planes[0].buffer_size - len(block) * 4))
            frame.sample_rate = AUDIO_RATE
            frame.pts = self.sent
            frame.time_base = Fraction(1, AUDIO_RATE)
            self.sent += frame.samples
            for packet in self.stream.encode(frame):
                self.output.mux(packet)

    def close(self) -> None:
        self._emit(self.held)
        self.held = array("f")
        for packet in self.stream.encode():
            self.output.mux(packet)


# -- the contact sheet ---------------------------------------------------------------------


def contact_sheet(entries: Sequence[tuple[Path, str]], out: Path) -> Path:
    """A PNG at `out` with one frame of each clip (its middle), labelled, in order, up to four to
    a row; returns `out`. Raises `ClipUnreadable` for a clip that cannot be read."""
    from PIL import Image, ImageDraw, ImageFont

    if not entries:
        raise InvalidRequest("entries: none given; allowed: one clip or more", field="entries")
    tiles = []
    for path, label in entries:  # each frame shrunk to its tile at once: memory stays per tile
        image = _middle_frame(path)
        tiles.append((image.resize((TILE_WIDTH, round(TILE_WIDTH * image.height / image.width))), label))
        del image
    tile_h = max(image.height for image, _ in tiles)
    columns = min(SHEET_COLUMNS, len(tiles))
    rows = math.ceil(len(tiles) / columns)
    cell_h = tile_h + LABEL_HEIGHT
    sheet = Image.new(
        "RGB",
        (columns * TILE_WIDTH + (columns + 1) * SHEET_GAP, rows * cell_h + (rows + 1) * SHEET_GAP),
        SHEET_BACKGROUND,
    )
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=LABEL_HEIGHT - 10)
    for index, (image, label) in enumerate(tiles):
        column, row = index % columns, index // columns
        x = SHEET_GAP + column * (TILE_WIDTH + SHEET_GAP)
        y = SHEET_GAP + row * (cell_h + SHEET_GAP)
        sheet.paste(image, (x, y))
        draw.text((x + 4, y + tile_h + 4), label, fill=LABEL_COLOUR, font=font)
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out, format="PNG")
    return out


def _middle_frame(path: Path) -> Any:
    """The frame shown half way through the clip (seek to the keyframe before it, then decode
    up to it), as an RGB image."""
    av = _av()
    with _open(path) as container:
        video = container.streams.video[0]
        middle = None
        if video.duration is not None and video.time_base is not None:
            middle = (video.start_time or 0) + video.duration // 2
            try:
                container.seek(middle, stream=video, backward=True)
            except av.FFmpegError:
                container.seek(0)
        shown = None
        for frame in container.decode(video):
            if shown is not None and (middle is None or frame.pts is None or frame.pts > middle):
                break
            shown = frame
        if shown is None:
            raise ClipUnreadable(f"{path}: no frame could be decoded; expected a video clip (MP4)")
        picture: Any = shown  # PyAV's to_image is untyped
        return picture.to_image().convert("RGB")
