"""The film's media layer (`seedance_mcp.film.media`) on real clips made by the sandbox's clip
maker: probing, checking, last frames, stitching (stream copy and re-encode, crossfades, audio
sync at every cut) and the contact sheet; and the sandbox serving such clips end to end."""

from __future__ import annotations

import dataclasses
import io
import itertools
import sys
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import httpx2
import pytest
from PIL import Image

from seedance_mcp.engine import Service
from seedance_mcp.errors import ClipUnreadable, ConfigError, InvalidRequest
from seedance_mcp.film.media import (
    ClipInfo,
    StitchClip,
    check_clip,
    contact_sheet,
    extract_last_frame,
    probe,
    stitch,
)
from seedance_mcp.models import JobStatus, VideoRequest
from seedance_mcp.providers import PROVIDER_IDS, get_provider
from seedance_mcp.sandbox import Sandbox, SandboxConfig
from seedance_mcp.sandbox.clips import AUDIO_RATE, ClipSpec, render
from seedance_mcp.settings import Settings
from seedance_mcp.validation import resolve_request

KEY = "film-media-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
FRAME = 1 / 24
RED, GREEN, BLUE = (200, 40, 40), (40, 180, 60), (40, 60, 200)
WINDOW = 1920  # 40 ms of samples


def make_clip(
    folder: Path,
    name: str,
    *,
    seconds: float = 2,
    size: tuple[int, int] = (320, 180),
    audio: bool = True,
    colour: tuple[int, int, int] = RED,
    tone: int = 5,
    fps: int = 24,
) -> Path:
    spec = ClipSpec(
        seconds=seconds, width=size[0], height=size[1], audio=audio, colour=colour, tone=tone, fps=fps
    )
    path = folder / f"{name}.mp4"
    path.write_bytes(render(spec).mp4)
    return path


@pytest.fixture
def three(tmp_path: Path) -> list[Path]:
    """Three matching clips (2 s, 3 s, 2 s) with their own colours and tones."""
    return [
        make_clip(tmp_path, "a", seconds=2, colour=RED, tone=5),
        make_clip(tmp_path, "b", seconds=3, colour=GREEN, tone=12),
        make_clip(tmp_path, "c", seconds=2, colour=BLUE, tone=8),
    ]


def samples(path: Path) -> array[float]:
    """The file's audio as 48 kHz mono floats, each decoded frame placed at its timestamp."""
    out = array("f")
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=AUDIO_RATE)
        for frame in container.decode(stream):
            start = round(float(frame.pts * frame.time_base) * AUDIO_RATE)
            for converted in resampler.resample(frame):
                values = array("f", bytes(converted.planes[0])[: converted.samples * 4])
                if len(out) < start:
                    out.extend([0.0] * (start - len(out)))
                out[start : start + len(values)] = values
                start += len(values)
    return out


def crossings(values: array[float], at: float) -> int:
    """Zero crossings in the 40 ms window starting `at` seconds in (a tone's pitch, roughly)."""
    begin = round(at * AUDIO_RATE)
    window = values[begin : begin + WINDOW]
    return sum(1 for x, y in itertools.pairwise(window) if (x < 0) != (y < 0))


def steepest(steps: list[float], spans: list[tuple[float, float]]) -> float:
    """The largest sample-to-sample step inside the spans (seconds): how steep the tones are."""
    return max(max(steps[round(a * AUDIO_RATE) : round(b * AUDIO_RATE)]) for a, b in spans)


def expected_crossings(tone: int) -> float:
    return 2 * tone * AUDIO_RATE / 1024 * WINDOW / AUDIO_RATE


def colour_at(path: Path, seconds: float) -> tuple[int, int, int]:
    """The colour of the frame shown at `seconds`, read away from the counter."""
    with av.open(str(path)) as container:
        shown = None
        for frame in container.decode(video=0):
            if float(frame.pts * frame.time_base) > seconds + 1e-6:
                break
            shown = frame
        assert shown is not None
        image = shown.to_image()
        pixel = image.getpixel((image.width * 3 // 4, image.height * 3 // 4))
        assert isinstance(pixel, tuple)
        return (int(pixel[0]), int(pixel[1]), int(pixel[2]))


def near(colour: tuple[int, int, int], wanted: tuple[int, int, int], slack: int = 12) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(colour, wanted, strict=True))


# -- probe and check -------------------------------------------------------------------------------


def test_probe_reads_what_the_clip_is(tmp_path: Path) -> None:
    info = probe(make_clip(tmp_path, "p", seconds=3, size=(864, 496)))
    assert abs(info.duration - 3) < FRAME
    assert (info.width, info.height, info.fps) == (864, 496, 24.0)
    assert (info.video_codec, info.has_audio, info.audio_codec, info.audio_rate) == (
        "h264",
        True,
        "aac",
        48000,
    )
    silent = probe(make_clip(tmp_path, "q", seconds=1, audio=False))
    assert (silent.has_audio, silent.audio_codec, silent.audio_rate) == (False, None, None)


@pytest.mark.parametrize("content", [b"", b"not a video at all", b"\x89PNG\r\n\x1a\n" + bytes(64)])
def test_probe_of_a_non_video_names_the_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(content)
    with pytest.raises(ClipUnreadable, match=r"clip\.mp4"):
        probe(path)
    with pytest.raises(ClipUnreadable, match="no such file"):
        probe(tmp_path / "absent.mp4")


def test_probe_of_a_picture_only_file_says_there_is_no_video(tmp_path: Path) -> None:
    path = tmp_path / "frame.png"
    Image.new("RGB", (8, 8), RED).save(path)
    with pytest.raises(ClipUnreadable, match=r"frame\.png"):
        probe(path)


def test_check_clip_passes_a_clip_as_asked(tmp_path: Path) -> None:
    info = probe(make_clip(tmp_path, "ok", seconds=2, size=(864, 496)))
    assert check_clip(info, duration=2, resolution="480p", aspect_ratio="16:9", audio=True) == []
    assert check_clip(info, duration=2, resolution="480p", aspect_ratio="adaptive", audio=False) == []
    assert check_clip(info, duration=2, resolution=None, aspect_ratio=None, audio=True) == []
    assert (
        check_clip(info, duration=2, resolution="480p", aspect_ratio="16:9", audio=True, model="seedance-2.0")
        == []
    )


def test_check_clip_names_each_mismatch(tmp_path: Path) -> None:
    info = probe(make_clip(tmp_path, "bad", seconds=2, size=(864, 496), audio=False))
    (short,) = check_clip(info, duration=5, resolution="480p", aspect_ratio="16:9", audio=False)
    assert "duration is 2.00 s; 5 s was asked" in short
    (low,) = check_clip(info, duration=2, resolution="720p", aspect_ratio="16:9", audio=False)
    assert "864x496 is not 720p" in low and "1280x720" in low
    shape = check_clip(info, duration=2, resolution=None, aspect_ratio="9:16", audio=False)
    assert shape == ["frame 864x496 is not 9:16; 9:16 was asked"]
    assert check_clip(info, duration=2, resolution=None, aspect_ratio=None, audio=True) == [
        "no audio track; audio was asked"
    ]
    every = check_clip(info, duration=10, resolution="1080p", aspect_ratio="1:1", audio=True)
    assert len(every) == 4


def test_check_clip_allows_a_frame_of_duration_and_no_more() -> None:
    info = dataclasses.replace(_info(), duration=5 + FRAME * 0.9)  # within a frame of 5 s
    assert check_clip(info, duration=5, resolution=None, aspect_ratio=None, audio=False) == []
    late = dataclasses.replace(info, duration=5 + FRAME * 1.5)
    assert check_clip(late, duration=5, resolution=None, aspect_ratio=None, audio=False) != []


def _info() -> ClipInfo:
    return ClipInfo(5.0, 1280, 720, 24.0, "h264", False, None, None)


# -- last frame ------------------------------------------------------------------------------------


def test_last_frame_is_the_clips_last_picture(tmp_path: Path) -> None:
    clip = make_clip(tmp_path, "last", seconds=3, colour=GREEN)
    out = extract_last_frame(clip, tmp_path / "frames" / "last.png")
    with Image.open(out) as image:
        assert image.format == "PNG" and image.size == (320, 180)
        pixel = image.convert("RGB").getpixel((240, 135))
    assert isinstance(pixel, tuple) and near((pixel[0], pixel[1], pixel[2]), GREEN)
    # The counter drawn on it reads the last frame number (71 of 0-71): compare with frame 71.
    with av.open(str(clip)) as container:
        *_, final = container.decode(video=0)
    with Image.open(out) as image:
        assert image.convert("RGB").tobytes() == final.to_image().convert("RGB").tobytes()


# -- stitching -------------------------------------------------------------------------------------


def test_matching_clips_are_joined_by_stream_copy(tmp_path: Path, three: list[Path]) -> None:
    result = stitch([StitchClip(p) for p in three], tmp_path / "film.mp4")
    assert result.method == "copy" and result.path == tmp_path / "film.mp4"
    info = probe(result.path)
    assert abs(info.duration - 7) <= FRAME and abs(result.duration - 7) <= FRAME
    assert info.has_audio and (info.width, info.height) == (320, 180)
    # The very packets of the clips are in the film: its video bytes are the clips' bytes.
    with av.open(str(result.path)) as film:
        film_bytes = [bytes(p) for p in film.demux(video=0) if p.size]
    clip_bytes = []
    for path in three:
        with av.open(str(path)) as clip:
            clip_bytes += [bytes(p) for p in clip.demux(video=0) if p.size]
    assert film_bytes == clip_bytes
    assert [colour_at(result.path, t) for t in (1.0, 3.5, 6.0)] == [
        colour_at(three[0], 1.0),
        colour_at(three[1], 1.5),
        colour_at(three[2], 1.0),
    ]


def b_frame_clip(path: Path, frames: int, colour: tuple[int, int, int]) -> Path:
    """A clip as a provider's encoder makes them: B-frames (decode order differs from display
    order, timestamps start before zero) and a keyframe every second."""
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=24, options={"preset": "veryfast", "bf": "3", "g": "24"})
        video.width, video.height, video.pix_fmt = 320, 180, "yuv420p"
        for index in range(frames):
            image = Image.new("RGB", (320, 180), colour)
            image.paste((255, 255, 255), (index * 3 % 300, 10, index * 3 % 300 + 20, 30))
            frame = av.VideoFrame.from_image(image)
            frame.pts = index
            container.mux(video.encode(frame))
        container.mux(video.encode())
    return path


def test_b_frame_clips_join_with_continuous_timestamps(tmp_path: Path) -> None:
    counts = (48, 72, 30)
    clips = [
        b_frame_clip(tmp_path / f"b{i}.mp4", n, c)
        for i, (n, c) in enumerate(zip(counts, (RED, GREEN, BLUE), strict=True))
    ]
    with av.open(str(clips[0])) as first:
        assert any(p.dts is not None and p.pts is not None and p.dts < p.pts for p in first.demux(video=0))
    result = stitch([StitchClip(p) for p in clips], tmp_path / "film.mp4")
    assert result.method == "copy" and abs(result.duration - sum(counts) / 24) <= FRAME
    with av.open(str(result.path)) as film:
        shown = [float(f.pts * f.time_base) for f in film.decode(video=0)]
    assert len(shown) == sum(counts)
    assert all(abs((b - a) - FRAME) < 1e-6 for a, b in itertools.pairwise(shown))  # no gap, no overlap
    assert near(colour_at(result.path, 1.9), RED) and near(colour_at(result.path, 2.05), GREEN)
    assert near(colour_at(result.path, 5.05), BLUE)


@pytest.mark.parametrize("method", ["copy", "encode"])
def test_audio_is_in_sync_at_every_cut(tmp_path: Path, three: list[Path], method: str) -> None:
    clips = [StitchClip(p) for p in three]
    if method == "encode":  # a different frame size forces the re-encode
        clips.append(StitchClip(make_clip(tmp_path, "d", seconds=1, size=(480, 270), tone=16, colour=RED)))
    result = stitch(clips, tmp_path / "film.mp4")
    assert result.method == method
    values = samples(result.path)
    video = probe(result.path).duration
    assert abs(len(values) / AUDIO_RATE - video) <= FRAME  # as long as the picture
    tones = [5, 12, 8, 16][: len(clips)]
    starts = [0.0, 2.0, 5.0, 7.0][: len(clips)]
    ends = [*starts[1:], video]
    for tone, start, end in zip(tones, starts, ends, strict=True):
        want = expected_crossings(tone)
        # Just after the cut and just before the next one, the clip's own tone is heard.
        for at in (start + FRAME, end - FRAME - WINDOW / AUDIO_RATE):
            assert abs(crossings(values, at) - want) <= 3, (method, tone, at)
    # No click: around each cut the waveform moves no faster than a tone does anywhere else.
    steps = [abs(b - a) for a, b in itertools.pairwise(values)]
    smooth = steepest(steps, [(start + 0.2, end - 0.2) for start, end in zip(starts, ends, strict=True)])
    for cut in starts[1:]:
        near_cut = steps[round((cut - 0.01) * AUDIO_RATE) : round((cut + 0.01) * AUDIO_RATE)]
        assert max(near_cut) <= 1.5 * smooth, (method, cut, max(near_cut), smooth)
    # No gap: nowhere in the film is there a stretch of silence (the tones never stop).
    for at in [i * 0.04 for i in range(int(video / 0.04) - 1)]:
        begin = round(at * AUDIO_RATE)
        assert max(abs(v) for v in values[begin : begin + WINDOW]) > 0.1, at


def test_a_crossfade_re_encodes_and_blends_picture_and_sound(tmp_path: Path, three: list[Path]) -> None:
    clips = [StitchClip(three[0]), StitchClip(three[1], crossfade=1.0), StitchClip(three[2], crossfade=0.5)]
    result = stitch(clips, tmp_path / "film.mp4")
    assert result.method == "encode"
    info = probe(result.path)
    assert abs(info.duration - (7 - 1.5)) <= FRAME and abs(result.duration - 5.5) <= FRAME
    assert info.has_audio and (info.video_codec, info.audio_codec) == ("h264", "aac")
    assert near(colour_at(result.path, 0.5), RED)
    middle = colour_at(result.path, 1.5)  # half way through the first crossfade (1 s to 2 s)
    assert not near(middle, RED, 30) and not near(middle, GREEN, 30)
    assert all(min(a, b) - 15 <= m <= max(a, b) + 15 for m, a, b in zip(middle, RED, GREEN, strict=True))
    assert near(colour_at(result.path, 2.5), GREEN)
    assert near(colour_at(result.path, 5.3), BLUE)
    values = samples(result.path)
    assert abs(len(values) / AUDIO_RATE - info.duration) <= FRAME
    assert abs(crossings(values, 0.5) - expected_crossings(5)) <= 3
    assert abs(crossings(values, 2.5) - expected_crossings(12)) <= 3


@pytest.mark.parametrize(
    "odd",
    [{"size": (480, 270)}, {"audio": False}, {"fps": 25}],
    ids=["frame size", "no audio track", "frame rate"],
)
def test_one_differing_parameter_is_enough_to_re_encode(
    tmp_path: Path, three: list[Path], odd: dict[str, Any]
) -> None:
    other = make_clip(tmp_path, "odd", seconds=2, colour=BLUE, tone=8, **odd)
    result = stitch([StitchClip(three[0]), StitchClip(other)], tmp_path / "film.mp4")
    assert result.method == "encode"
    info = probe(result.path)
    assert (info.width, info.height, info.fps, info.has_audio) == (320, 180, 24.0, True)
    assert abs(info.duration - 4) <= FRAME
    assert near(colour_at(result.path, 1.0), RED) and near(colour_at(result.path, 3.0), BLUE)


def test_different_parameters_are_re_encoded_to_one_format(tmp_path: Path) -> None:
    clips = [
        make_clip(tmp_path, "wide", seconds=2, size=(320, 180)),
        make_clip(tmp_path, "big", seconds=1, size=(640, 360), colour=BLUE),
        make_clip(tmp_path, "mute", seconds=2, size=(320, 180), audio=False, colour=GREEN),
    ]
    result = stitch([StitchClip(p) for p in clips], tmp_path / "film.mp4")
    assert result.method == "encode"
    info = probe(result.path)
    assert (info.width, info.height) == (320, 180) and abs(info.duration - 5) <= FRAME
    assert near(colour_at(result.path, 2.5), BLUE)
    values = samples(result.path)
    assert abs(len(values) / AUDIO_RATE - 5) <= FRAME
    silent = values[round(3.2 * AUDIO_RATE) : round(4.8 * AUDIO_RATE)]
    assert max(abs(v) for v in silent) < 0.01  # the clip without sound is padded with silence
    assert max(abs(v) for v in values[:AUDIO_RATE]) > 0.1


def shorten_sound(source: Path, out: Path, seconds: float) -> Path:
    """`source` with its sound cut at `seconds` (the picture whole), by stream copy."""
    with av.open(str(source)) as clip, av.open(str(out), "w", format="mp4") as short:
        video = short.add_stream_from_template(clip.streams.video[0])
        audio = short.add_stream_from_template(clip.streams.audio[0])
        for packet in clip.demux():
            if packet.size == 0 or packet.pts is None:
                continue
            if packet.stream.type == "audio":
                if packet.pts * packet.time_base >= seconds:
                    continue
                packet.stream = audio
            else:
                packet.stream = video
            short.mux(packet)
    return out


def test_sound_shorter_than_its_picture_is_padded_with_silence(tmp_path: Path, three: list[Path]) -> None:
    short = shorten_sound(three[1], tmp_path / "short.mp4", 1.5)  # 3 s of picture, 1.5 s of sound
    assert probe(short).has_audio and abs(probe(short).duration - 3) <= FRAME
    result = stitch([StitchClip(three[0]), StitchClip(short), StitchClip(three[2])], tmp_path / "film.mp4")
    assert result.method == "encode"  # a copy would leave the last clip's sound 1.5 s early
    values = samples(result.path)
    assert abs(len(values) / AUDIO_RATE - 7) <= FRAME
    assert abs(crossings(values, 2.5) - expected_crossings(12)) <= 3
    assert max(abs(v) for v in values[round(3.6 * AUDIO_RATE) : round(4.9 * AUDIO_RATE)]) < 0.01
    assert abs(crossings(values, 5 + FRAME) - expected_crossings(8)) <= 3  # on time after the gap


def with_sound_of(picture: Path, sound: Path, out: Path) -> Path:
    """A file with `picture`'s video and `sound`'s audio (of another length), by stream copy."""
    with av.open(str(picture)) as video_in, av.open(str(sound)) as audio_in, av.open(str(out), "w") as both:
        video = both.add_stream_from_template(video_in.streams.video[0])
        audio = both.add_stream_from_template(audio_in.streams.audio[0])
        for source, stream in ((video_in, video), (audio_in, audio)):
            kind = "video" if stream is video else "audio"
            for packet in source.demux(**{kind: 0}):
                if packet.size and packet.pts is not None:
                    packet.stream = stream
                    both.mux(packet)
    return out


def test_sound_longer_than_its_picture_is_cut_without_a_click(tmp_path: Path, three: list[Path]) -> None:
    # 2 s of red picture with 3 s of a tone: at 2 s the tone is mid-swing, not fading.
    long_tone = make_clip(tmp_path, "tone", seconds=3, tone=7)
    clip = with_sound_of(three[0], long_tone, tmp_path / "long.mp4")
    result = stitch([StitchClip(clip), StitchClip(three[1])], tmp_path / "film.mp4")
    assert result.method == "encode"  # a copy would keep the tone to the next packet boundary
    values = samples(result.path)
    assert abs(len(values) / AUDIO_RATE - 5) <= FRAME
    steps = [abs(b - a) for a, b in itertools.pairwise(values)]
    smooth = steepest(steps, [(0.5, 1.5), (3.0, 4.0)])  # the two tones' own steepest steps
    assert max(steps[round(1.99 * AUDIO_RATE) : round(2.01 * AUDIO_RATE)]) <= 1.5 * smooth
    assert abs(crossings(values, 1.9) - expected_crossings(7)) <= 3
    assert abs(crossings(values, 2 + FRAME) - expected_crossings(12)) <= 3


def test_a_shot_of_another_shape_is_fitted_not_stretched(tmp_path: Path) -> None:
    wide = make_clip(tmp_path, "wide", seconds=1, size=(320, 180), colour=RED)
    tall = make_clip(tmp_path, "tall", seconds=1, size=(180, 320), colour=BLUE)
    result = stitch([StitchClip(wide), StitchClip(tall)], tmp_path / "film.mp4")
    assert result.method == "encode" and (probe(result.path).width, probe(result.path).height) == (320, 180)
    with av.open(str(result.path)) as film:
        *_, last = film.decode(video=0)
    image = last.to_image()
    centre, edge = image.getpixel((160, 120)), image.getpixel((10, 90))
    assert isinstance(centre, tuple) and near((centre[0], centre[1], centre[2]), BLUE)
    assert isinstance(edge, tuple) and max(edge[:3]) < 30  # pillarboxed in black
    # The picture keeps its shape: the blue area is about 101 pixels wide (180 x 180/320).
    row = [image.getpixel((x, 120)) for x in range(320)]
    blue = sum(1 for p in row if isinstance(p, tuple) and near((p[0], p[1], p[2]), BLUE, 30))
    assert 95 <= blue <= 107


def test_clips_without_audio_stitch_by_copy_without_audio(tmp_path: Path) -> None:
    clips = [make_clip(tmp_path, n, seconds=1, audio=False, colour=c) for n, c in (("x", RED), ("y", BLUE))]
    result = stitch([StitchClip(p) for p in clips], tmp_path / "film.mp4")
    assert result.method == "copy" and not probe(result.path).has_audio
    assert abs(probe(result.path).duration - 2) <= FRAME


def test_bad_crossfades_are_refused_naming_the_field(tmp_path: Path, three: list[Path]) -> None:
    with pytest.raises(InvalidRequest) as first:
        stitch([StitchClip(three[0], crossfade=1), StitchClip(three[1])], tmp_path / "f.mp4")
    assert first.value.field == "clips[0].crossfade"
    with pytest.raises(InvalidRequest) as long:
        stitch([StitchClip(three[0]), StitchClip(three[1], crossfade=2.5)], tmp_path / "f.mp4")
    assert long.value.field == "clips[1].crossfade" and "0 to 2.00 s" in long.value.message
    with pytest.raises(InvalidRequest) as none:
        stitch([], tmp_path / "f.mp4")
    assert none.value.field == "clips"
    assert not (tmp_path / "f.mp4").exists()


# -- the contact sheet -----------------------------------------------------------------------------


def test_contact_sheet_has_one_labelled_tile_per_shot(tmp_path: Path, three: list[Path]) -> None:
    entries = [(path, f"shot-{i} · {s} s") for i, (path, s) in enumerate(zip(three, (2, 3, 2), strict=True))]
    out = contact_sheet(entries, tmp_path / "contact-sheet.png")
    with Image.open(out) as sheet:
        assert sheet.format == "PNG"
        image = sheet.convert("RGB")
    tile_w, tile_h, gap, label = 320, 180, 8, 28
    assert image.size == (3 * tile_w + 4 * gap, tile_h + label + 2 * gap)
    strips = []
    for index, colour in enumerate((RED, GREEN, BLUE)):
        x = gap + index * (tile_w + gap)
        pixel = image.getpixel((x + tile_w * 3 // 4, gap + tile_h * 3 // 4))
        assert isinstance(pixel, tuple) and near((pixel[0], pixel[1], pixel[2]), colour)
        strip = image.crop((x, gap + tile_h, x + tile_w, gap + tile_h + label))
        raw = strip.tobytes()
        bright = sum(1 for i in range(0, len(raw), 3) if raw[i] + raw[i + 1] + raw[i + 2] > 600)
        assert bright > 50  # the label's text is drawn
        strips.append(strip.tobytes())
    assert len(set(strips)) == 3  # each tile has its own label
    # Each tile is the frame half way through its clip (its counter reads 24, 36 and 24).
    for index, (path, frames) in enumerate(zip(three, (48, 72, 48), strict=True)):
        with av.open(str(path)) as container:
            decoded = list(container.decode(video=0))
        assert len(decoded) == frames
        x = gap + index * (tile_w + gap)
        tile = image.crop((x, gap, x + tile_w, gap + tile_h)).tobytes()
        assert tile == decoded[frames // 2].to_image().convert("RGB").tobytes()
        assert tile != decoded[0].to_image().convert("RGB").tobytes()


def test_contact_sheet_refuses_nothing_and_unreadable_clips(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest):
        contact_sheet([], tmp_path / "s.png")
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"garbage")
    with pytest.raises(ClipUnreadable, match=r"broken\.mp4"):
        contact_sheet([(broken, "x")], tmp_path / "s.png")


# -- the sandbox serves real clips -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("resolution", "ratio", "seconds", "audio", "size"),
    [("480p", "16:9", 4, True, (864, 496)), ("720p", "9:16", 8, False, (720, 1280))],
)
def test_the_sandbox_serves_a_clip_as_asked(
    sandbox: Callable[..., Sandbox],
    tmp_path: Path,
    resolution: str,
    ratio: str,
    seconds: int,
    audio: bool,
    size: tuple[int, int],
) -> None:
    sb = sandbox(clips=True)
    body = {
        "prompt": "A lighthouse keeper climbs the stairs",
        "aspect_ratio": ratio,
        "resolution": resolution,
        "duration": str(seconds),
        "generate_audio": audio,
    }
    with httpx2.Client(headers=AUTH, timeout=30) as client:
        base = sb.base_url("seedanceapi")
        task = client.post(f"{base}/generate", json=body).json()["data"]["task_id"]
        status = client.get(f"{base}/status", params={"task_id": task}).json()
        video = client.get(status["data"]["response"][0])
    assert video.status_code == 200 and int(video.headers["content-length"]) == len(video.content)
    path = tmp_path / "served.mp4"
    path.write_bytes(video.content)
    info = probe(path)
    assert (info.width, info.height) == size
    assert check_clip(info, duration=seconds, resolution=resolution, aspect_ratio=ratio, audio=audio) == []


def test_the_ark_sandbox_last_frame_is_the_clips_last_frame(
    sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = sandbox(clips=True)
    body = {
        "model": "seedance-1-5-pro-251215",
        "content": [{"type": "text", "text": "A red kite over the dunes"}],
        "ratio": "1:1",
        "resolution": "480p",
        "duration": 4,
        "return_last_frame": True,
    }
    with httpx2.Client(headers=AUTH, timeout=30) as client:
        tasks = sb.base_url("byteplus") + "/contents/generations/tasks"
        task_id = client.post(tasks, json=body).json()["id"]
        done = client.get(f"{tasks}/{task_id}").json()
        video = client.get(done["content"]["video_url"]).content
        frame = client.get(done["content"]["last_frame_url"]).content
    path = tmp_path / "ark.mp4"
    path.write_bytes(video)
    info = probe(path)
    assert check_clip(info, duration=4, resolution="480p", aspect_ratio="1:1", audio=True) == []
    ours = extract_last_frame(path, tmp_path / "ours.png")
    with Image.open(io.BytesIO(frame)) as served, Image.open(ours) as extracted:
        assert served.size == extracted.size == (640, 640)
        a, b = served.convert("RGB"), extracted.convert("RGB")
        assert all(
            near(a.getpixel(xy), b.getpixel(xy))  # type: ignore[arg-type]
            for xy in ((5, 5), (320, 320), (600, 600), (100, 60))
        )


def test_the_clips_knob_takes_a_bool_and_is_off_by_default() -> None:
    assert SandboxConfig().clips is False
    with pytest.raises(ValueError, match=r"SandboxConfig\.clips: 'yes'; allowed: True or False"):
        SandboxConfig(clips="yes")  # type: ignore[arg-type]


def test_fal_reports_the_size_of_the_clip_it_serves(sandbox: Callable[..., Sandbox], tmp_path: Path) -> None:
    sb = sandbox(clips=True)
    payload = {
        "prompt": "A lamp turns in the dark",
        "duration": "4",
        "resolution": "480p",
        "aspect_ratio": "1:1",
    }
    with httpx2.Client(headers={"Authorization": "Key fal-film-media-test"}, timeout=30) as client:
        answer = client.post(
            f"{sb.base_url('fal')}/bytedance/seedance-2.0/text-to-video", json=payload
        ).json()
        result = client.get(answer["response_url"]).json()
        video = client.get(result["video"]["url"])
    assert video.status_code == 200 and result["video"]["file_size"] == len(video.content)
    path = tmp_path / "fal.mp4"
    path.write_bytes(video.content)
    info = probe(path)
    assert (info.width, info.height) == (640, 640)
    assert check_clip(info, duration=4, resolution="480p", aspect_ratio="1:1", audio=False) == []


def test_without_pyav_the_error_names_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clip = make_clip(tmp_path, "any", seconds=1)
    monkeypatch.setitem(sys.modules, "av", None)  # `import av` now fails as if it were not installed
    with pytest.raises(ConfigError, match=r'pip install "av>=18"'):
        probe(clip)


@pytest.mark.anyio
@pytest.mark.parametrize("provider", PROVIDER_IDS)
async def test_every_simulated_provider_serves_the_clip_it_was_asked_for(
    tmp_path: Path, provider: str
) -> None:
    """Through the engine, as a film's shot is rendered: the saved clip passes check_clip."""
    env = {
        "SEEDANCE_SANDBOX": "1",
        "SEEDANCE_SANDBOX_SPEED": "0.001",  # the engine's polling follows the simulator's pace
        "SEEDANCE_HOME": str(tmp_path / "home"),
        "SEEDANCE_OUTPUT_DIR": str(tmp_path / "videos"),
    }
    service = Service(Settings.from_env(env), sandbox_config=SandboxConfig(speed=0.001, clips=True))
    try:
        chosen = get_provider(provider)
        shortest = min(d for d in chosen.models[0].caps.durations if d > 0)  # the default model's
        asked = VideoRequest(
            prompt="A keeper lights the lamp at dusk, slow push in", audio=True, duration=shortest
        )
        resolved = resolve_request(asked, chosen)
        job = await service.generate(resolved, provider=provider, wait_seconds=60, confirm_unpriced=True)
    finally:
        service.close()
    assert job.status == JobStatus.SUCCEEDED and job.video_path is not None, job
    info = probe(Path(job.video_path))
    assert resolved.duration is not None
    problems = check_clip(
        info,
        duration=resolved.duration,
        resolution=resolved.resolution,
        aspect_ratio=resolved.aspect_ratio,
        audio=resolved.audio,
        model=resolved.model,
    )
    assert problems == [], (provider, resolved, info)
    assert info.fps == 24.0 and info.has_audio == resolved.audio
