"""Stitching six 10 s 720p clips by stream copy with PyAV, against `ffmpeg -f concat -c copy`,
and what the sandbox's real clips cost to make.

The six clips (1280x720, 24 fps, H.264 + AAC, each its own colour and tone) are made by the
sandbox's clip maker once. Each run stitches them with `seedance_mcp.film.media.stitch` (which
must choose stream copy) and, when Debian's ffmpeg is on PATH (`apt-get install ffmpeg`; it is
for this comparison only, the project never runs it), with `ffmpeg -f concat -safe 0 -i list
-c copy`; the two run alternately and the table shows medians. Without ffmpeg that comparison
is skipped and said to be.

    python benchmarks/bench_stitch.py [--quick]

Targets: the stitch well under a second (<= 0.5 s), and within 1.5x of ffmpeg's concat copy.
Information only, no target: the same six clips re-encoded with a 1 s crossfade into each (one
run: the price of a crossfade, about real time on 2 cores), and the sandbox's cost to make a
fresh 5 s 720p clip, a 15 s 1080p one, and a cached one (the same spec again).
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from common import Figure, cli, say

from seedance_mcp.film.media import StitchClip, probe, stitch
from seedance_mcp.sandbox.clips import ClipSpec, render

CLIPS = 6
SECONDS = 10
SIZE = (1280, 720)
TARGET_SECONDS = 0.5
TARGET_RATIO = 1.5
COLOURS = [(200, 40, 40), (40, 180, 60), (40, 60, 200), (200, 180, 40), (160, 40, 200), (40, 200, 200)]


def _clips(folder: Path) -> list[Path]:
    paths = []
    for index, colour in enumerate(COLOURS[:CLIPS]):
        spec = ClipSpec(
            seconds=SECONDS, width=SIZE[0], height=SIZE[1], audio=True, colour=colour, tone=5 + index
        )
        path = folder / f"shot-{index}.mp4"
        path.write_bytes(render(spec).mp4)
        paths.append(path)
    return paths


def _ours(paths: list[Path], out: Path) -> float:
    start = time.perf_counter()
    result = stitch([StitchClip(p) for p in paths], out)
    elapsed = time.perf_counter() - start
    if result.method != "copy":
        raise RuntimeError(f"stitch chose {result.method}, not stream copy, for matching clips")
    return elapsed


def _ffmpeg(ffmpeg: str, paths: list[Path], out: Path) -> float:
    listing = out.with_suffix(".txt")
    listing.write_text("".join(f"file '{p}'\n" for p in paths))
    start = time.perf_counter()
    subprocess.run(
        [
            ffmpeg,
            "-loglevel",
            "error",
            "-y",
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
            str(listing),
            "-c",
            "copy",
            str(out),
        ],
        check=True,
    )
    return time.perf_counter() - start


def _making() -> list[Figure]:
    figures = []
    cases = [("5 s 720p clip with audio", 5, (1280, 720)), ("15 s 1080p clip with audio", 15, (1920, 1080))]
    for name, seconds, (width, height) in cases:
        spec = ClipSpec(seconds=seconds, width=width, height=height, audio=True, colour=(90, 90, 200), tone=9)
        render.cache_clear()
        start = time.perf_counter()
        clip = render(spec)
        fresh = time.perf_counter() - start
        start = time.perf_counter()
        render(spec)
        cached = time.perf_counter() - start
        say(
            f"sandbox clip {name}: {fresh:.2f} s to make ({len(clip.mp4) / 1e3:.0f} kB), "
            f"{cached * 1e6:.0f} us cached"
        )
        figures.append(Figure(f"sandbox: make a {name}", fresh, f"{fresh:.2f} s", "-", None))
    figures.append(
        Figure("sandbox: the same clip again (cached)", cached, f"{cached * 1e6:.0f} us", "-", None)
    )
    return figures


def figures(quick: bool) -> list[Figure]:
    runs = 3 if quick else 9
    ffmpeg = shutil.which("ffmpeg")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = _clips(folder)
        size = sum(p.stat().st_size for p in paths)
        say(f"{CLIPS} clips of {SECONDS} s at {SIZE[0]}x{SIZE[1]}, 24 fps, H.264 + AAC: {size / 1e6:.1f} MB")
        ours: list[float] = []
        theirs: list[float] = []
        for run in range(runs):
            ours.append(_ours(paths, folder / f"ours-{run}.mp4"))
            if ffmpeg is not None:
                theirs.append(_ffmpeg(ffmpeg, paths, folder / f"ffmpeg-{run}.mp4"))
        film = probe(folder / "ours-0.mp4")
        say(
            f"stitched film: {film.duration:.3f} s ({CLIPS * SECONDS} s of clips), {film.width}x{film.height}"
        )
        start = time.perf_counter()
        fades = [StitchClip(p, crossfade=1.0 if i else 0.0) for i, p in enumerate(paths)]
        faded = stitch(fades, folder / "faded.mp4")
        encode = time.perf_counter() - start
        say(f"re-encode with {CLIPS - 1} crossfades of 1 s: {encode:.1f} s for a {faded.duration:.2f} s film")
    median = statistics.median(ours)
    say(f"PyAV stream copy: median {median * 1e3:.0f} ms, fastest {min(ours) * 1e3:.0f} ms over {runs} runs")
    out = [
        Figure(
            f"stitch {CLIPS} x {SECONDS} s 720p by stream copy",
            median,
            f"{median * 1e3:.0f} ms",
            f"<= {TARGET_SECONDS * 1e3:.0f} ms",
            median <= TARGET_SECONDS,
        )
    ]
    if ffmpeg is None:
        say("ffmpeg is not installed: the comparison with ffmpeg -f concat -c copy is skipped")
    else:
        version = subprocess.run([ffmpeg, "-version"], capture_output=True, text=True).stdout.split("\n")[0]
        reference = statistics.median(theirs)
        ratio = median / reference
        say(f"{version}: concat copy median {reference * 1e3:.0f} ms, fastest {min(theirs) * 1e3:.0f} ms")
        out.append(
            Figure(
                "stitch by stream copy vs ffmpeg -f concat -c copy",
                ratio,
                f"{ratio:.2f}x ({median * 1e3:.0f} vs {reference * 1e3:.0f} ms)",
                f"<= {TARGET_RATIO:.1f}x",
                ratio <= TARGET_RATIO,
            )
        )
    out.append(
        Figure(
            f"re-encode {CLIPS} x {SECONDS} s 720p with 1 s crossfades",
            encode,
            f"{encode:.1f} s ({faded.method}, {faded.duration:.1f} s film)",
            "-",
            None,
        )
    )
    return out + _making()


if __name__ == "__main__":
    cli(__doc__, figures)
