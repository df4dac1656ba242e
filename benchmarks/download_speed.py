"""Saving a large video: `download_video` against `curl -o`, and its memory against file size.

The loopback sandbox (in its own process) serves a valid MP4 of an exact size. Each
download runs in a fresh process that does nothing else, into a temporary folder that is
emptied after every run; the two tools alternate. Throughput is the file size over the
time of the download itself: for `download_video`, measured inside the child from opening
the HTTP client to the published file (stream, verify, fsync, link), imports excluded; for
curl, the wall time of the whole `curl -o` process. Two informational variants (full run
only): `curl -o` followed by `sync FILE` (download_video fsyncs, curl does not), and the
least any httpx2 client must do (stream the body into a file with blocking writes, fsync):
the ceiling for a client built on httpx2.

Peak memory is the child's own high-water mark (VmHWM, read by the child at the end), for a
50 MiB and a 500 MiB file: it must not grow with the size.

    python benchmarks/download_speed.py [--quick]
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import anyio
from common import Figure, cli, sandbox_process, say

MIB = 1024 * 1024
BIG = 500 * MIB
SMALL = 50 * MIB
RATIO_TARGET = 0.9
GROWTH_LIMIT_MB = 5.0

_CHILD = """\
import json, os, sys, time
from pathlib import Path

import anyio
import httpx2

from seedance_mcp.download import download_video


def peak_rss_mb() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024 / 1e6


async def ours(http: httpx2.AsyncClient, url: str, folder: Path) -> Path:
    # The benchmark serves the file on loopback, as the sandbox does: allow that host alone.
    return await download_video(http, url, folder, "benchmark", allowed_hosts=frozenset({"127.0.0.1"}))


async def ceiling(http: httpx2.AsyncClient, url: str, folder: Path) -> Path:
    # The least any httpx2 client must do: stream the body to a file (blocking writes), fsync.
    path = folder / "ceiling.mp4"
    with open(path, "xb") as out:
        async with http.stream("GET", url) as response:
            async for chunk in response.aiter_bytes(1 << 16):
                out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return path


async def main(mode: str, url: str, folder: str) -> None:
    fetch = ours if mode == "download_video" else ceiling
    start = time.perf_counter()
    async with httpx2.AsyncClient(timeout=httpx2.Timeout(30.0, connect=10.0), follow_redirects=True) as http:
        path = await fetch(http, url, Path(folder))
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "bytes": path.stat().st_size, "peak_mb": peak_rss_mb()}))


anyio.run(main, *sys.argv[1:4])
"""
OURS = "download_video"
CEILING = "httpx2 stream+fsync"
CURL = "curl -o"
CURL_SYNC = "curl -o + sync"


@dataclass(frozen=True)
class Sample:
    tool: str
    size: int
    seconds: float
    peak_mb: float | None

    @property
    def mb_per_s(self) -> float:
        return self.size / 1e6 / self.seconds


def run_python(mode: str, url: str, folder: Path, size: int) -> Sample:
    """One download in a fresh process that does nothing else; it reports its own time (the
    download, imports excluded) and its own peak RSS (VmHWM: the high-water mark of its own
    address space; `ru_maxrss` would also count the parent's memory copied at fork)."""
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, url, str(folder)], check=True, capture_output=True, text=True
    )
    out = json.loads(done.stdout)
    if out["bytes"] != size:
        raise RuntimeError(f"{mode} saved {out['bytes']} bytes, expected {size}")
    return Sample(mode, size, out["seconds"], out["peak_mb"])


def run_curl(url: str, folder: Path, size: int, *, sync: bool = False) -> Sample:
    target = folder / "curl.mp4"
    start = time.perf_counter()
    subprocess.run(["curl", "-sS", "--fail", "-o", str(target), url], check=True)
    if sync:
        subprocess.run(["sync", str(target)], check=True)
    seconds = time.perf_counter() - start
    if target.stat().st_size != size:
        raise RuntimeError(f"curl saved {target.stat().st_size} bytes, expected {size}")
    return Sample(CURL_SYNC if sync else CURL, size, seconds, None)


async def _video_url(root: str) -> str:
    """A finished sandbox task's video URL (submitted through the service, as a render is)."""
    from seedance_mcp.engine import Service
    from seedance_mcp.models import VideoRequest
    from seedance_mcp.settings import Settings

    with tempfile.TemporaryDirectory() as home:
        env = {
            "SEEDANCE_API_KEY": "benchmark-placeholder",  # the sandbox accepts any non-empty key
            "SEEDANCE_PROVIDER": "seedanceapi",
            "SEEDANCE_BASE_URL": f"{root}/seedanceapi",
            "SEEDANCE_POLL_INITIAL_DELAY": "0",
            "SEEDANCE_POLL_INTERVAL": "0.1",
            "SEEDANCE_HOME": home,
        }
        service = Service(Settings.from_env(env))
        try:
            job = await service.generate(VideoRequest(prompt="benchmark download clip"), download=False)
        finally:
            service.close()
    if job.video_url is None:
        raise RuntimeError(f"the sandbox job ended {job.status.value} without a video URL")
    return job.video_url


def _clear(folder: Path) -> None:
    for child in folder.iterdir():
        child.unlink()


def measure(size: int, runs: int, *, with_sync: bool) -> list[Sample]:
    samples: list[Sample] = []
    with sandbox_process(0.0, size) as root, tempfile.TemporaryDirectory() as tmp:
        url = anyio.run(_video_url, root)
        folder = Path(tmp)
        for _ in range(runs):
            runners: list[Callable[[], Sample]] = [
                lambda: run_curl(url, folder, size),
                lambda: run_python(OURS, url, folder, size),
            ]
            if with_sync:
                runners.append(lambda: run_curl(url, folder, size, sync=True))
                runners.append(lambda: run_python(CEILING, url, folder, size))
            for runner in runners:
                samples.append(runner())
                _clear(folder)
    return samples


def _median(samples: list[Sample], tool: str, size: int, value: Callable[[Sample], float | None]) -> float:
    values = [value(s) for s in samples if s.tool == tool and s.size == size]
    return statistics.median(v for v in values if v is not None)


def figures(quick: bool) -> list[Figure]:
    if shutil.which("curl") is None:
        raise RuntimeError("curl is not installed (apt-get install -y curl)")
    runs_big, runs_small = (1, 1) if quick else (5, 3)
    samples = measure(BIG, runs_big, with_sync=not quick) + measure(SMALL, runs_small, with_sync=False)
    say(
        f"download from the loopback sandbox, {runs_big} runs at 500 MiB, {runs_small} at 50 MiB, alternating"
    )
    for s in samples:
        peak = f"  peak RSS {s.peak_mb:5.1f} MB" if s.peak_mb is not None else ""
        say(f"  {s.tool:<20} {s.size // MIB:>4} MiB  {s.seconds:6.2f} s  {s.mb_per_s:7.1f} MB/s{peak}")
    ours = _median(samples, OURS, BIG, lambda s: s.mb_per_s)
    curl = _median(samples, CURL, BIG, lambda s: s.mb_per_s)
    peak_big = _median(samples, OURS, BIG, lambda s: s.peak_mb)
    peak_small = _median(samples, OURS, SMALL, lambda s: s.peak_mb)
    growth = peak_big - peak_small
    out = [
        Figure(
            "500 MiB download throughput vs curl -o",
            ours / curl,
            f"{ours / curl:.2f}x ({ours:.0f} vs {curl:.0f} MB/s)",
            f">= {RATIO_TARGET:.1f}x",
            ours / curl >= RATIO_TARGET,
        )
    ]
    if not quick:
        synced = _median(samples, CURL_SYNC, BIG, lambda s: s.mb_per_s)
        ceiling = _median(samples, CEILING, BIG, lambda s: s.mb_per_s)
        out.append(
            Figure(
                "500 MiB download throughput vs curl -o + sync",
                ours / synced,
                f"{ours / synced:.2f}x ({ours:.0f} vs {synced:.0f} MB/s)",
                "info",
                None,
            )
        )
        out.append(
            Figure(
                "500 MiB bare httpx2 stream+fsync vs curl -o",
                ceiling / curl,
                f"{ceiling / curl:.2f}x ({ceiling:.0f} vs {curl:.0f} MB/s)",
                "info",
                None,
            )
        )
    out.append(
        Figure(
            "download peak RSS, 500 MiB vs 50 MiB file",
            growth,
            f"{growth:+.1f} MB ({peak_small:.1f} -> {peak_big:.1f} MB)",
            f"<= +{GROWTH_LIMIT_MB:.0f} MB",
            growth <= GROWTH_LIMIT_MB,
        )
    )
    return out


if __name__ == "__main__":
    cli(__doc__, figures)
