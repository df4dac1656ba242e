"""Twenty renders at once from one process: wall time against one render, and memory.

One `Service` runs `generate()` (submit, wait, poll, download the MP4) for one job, then for
20 jobs at once in an anyio task group, alternately, several times. The simulated provider
(APIXO, 4 s clips) runs in its own process so that its work and memory are not counted:
render times are drawn from the documented 40-60 s scaled by 0.04 (1.6-2.4 s) and the first
status check is set to 2.5 s, so every job, alone or among 20, finishes at its first poll
and the ideal wall time is the same 2.5 s plus one submit and one download. The ratio then
shows only what running 20 at once costs.

Memory is this process's resident set: before the first measured round (after one warm-up
render) and its peak during the rounds of 20 (VmHWM, reset before).

    python benchmarks/concurrency.py [--quick]
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import anyio
from common import Figure, cli, peak_rss_mb, reset_peak_rss, rss_mb, sandbox_process, say

from seedance_mcp.engine import Service
from seedance_mcp.models import VideoRequest
from seedance_mcp.settings import Settings

JOBS = 20
PROVIDER = "apixo"
DURATION = 4
SANDBOX_SPEED = 0.04  # 40-60 s documented -> 1.6-2.4 s
FIRST_POLL = 2.5  # seconds; after every simulated render has finished
RATIO_TARGET = 1.2
MEMORY_TARGET_MB = 20.0

# Each render opens two httpx2 clients (provider API, download); this measures what opening
# one costs, as it does now and with one SSL context shared by all (a what-if, for the report).
_CLIENT_COST = """\
import json, ssl, time
import httpx2

def rss():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS:")) * 1024 / 1e6

n = int(__import__("sys").argv[1])
httpx2.AsyncClient()
shared = ssl.create_default_context()
httpx2.AsyncClient(verify=shared)
out = {}
for name, make in (("default", lambda: httpx2.AsyncClient()), \
("shared", lambda: httpx2.AsyncClient(verify=shared))):
    before, start = rss(), time.perf_counter()
    keep = [make() for _ in range(n)]
    out[name] = {"seconds": time.perf_counter() - start, "mb": rss() - before}
print(json.dumps(out))
"""


async def _render(service: Service, n: int) -> None:
    request = VideoRequest(prompt=f"benchmark clip {n}: a fox crossing a snowy road", duration=DURATION)
    job = await service.generate(request, provider=PROVIDER)
    if job.status.value != "succeeded" or not job.video_path:
        raise RuntimeError(f"job {job.job_id} ended {job.status.value}: {job.error}")


async def _batch(service: Service, count: int) -> float:
    start = time.perf_counter()
    async with anyio.create_task_group() as group:
        for n in range(count):
            group.start_soon(_render, service, n)
    return time.perf_counter() - start


@dataclass(frozen=True)
class Result:
    singles: list[float]  # seconds per round
    batches: list[float]
    before: float  # MB
    peak: float
    after: float
    fresh_peak: bool  # the peak window was reset before the rounds


async def _measure(root: str, home: Path, rounds: int) -> Result:
    env = {
        "APIXO_API_KEY": "benchmark-placeholder",  # the sandbox accepts any non-empty key
        "SEEDANCE_BASE_URL": f"{root}/{PROVIDER}",
        "SEEDANCE_POLL_INITIAL_DELAY": str(FIRST_POLL),
        "SEEDANCE_POLL_INTERVAL": "0.25",
        "SEEDANCE_RETRY_BASE_DELAY": "0.05",
        "SEEDANCE_HOME": str(home),
        "SEEDANCE_OUTPUT_DIR": str(home / "videos"),
    }
    service = Service(Settings.from_env(env))
    try:
        await _batch(service, 1)  # warm-up: imports, ledger, first connection
        before = rss_mb()
        fresh_peak = reset_peak_rss()
        singles: list[float] = []
        batches: list[float] = []
        for _ in range(rounds):
            singles.append(await _batch(service, 1))
            batches.append(await _batch(service, JOBS))
        peak = peak_rss_mb()
        after = rss_mb()
    finally:
        service.close()
    return Result(singles, batches, before, peak, after, fresh_peak)


def figures(quick: bool) -> list[Figure]:
    rounds = 2 if quick else 8
    with tempfile.TemporaryDirectory() as tmp, sandbox_process(SANDBOX_SPEED) as root:
        result = anyio.run(_measure, root, Path(tmp), rounds)
    singles, batches = result.singles, result.batches
    before, peak, after = result.before, result.peak, result.after
    one = statistics.median(singles)
    many = statistics.median(batches)
    ratio = many / one
    say(
        f"{PROVIDER} {DURATION} s clips, sandbox in its own process, first poll at {FIRST_POLL} s; "
        f"{rounds} alternating rounds of 1 and {JOBS} renders (submit, poll, download)"
    )
    say(f"  1 render:   median {one:.3f} s  ({', '.join(f'{t:.3f}' for t in singles)})")
    say(f"  {JOBS} renders: median {many:.3f} s  ({', '.join(f'{t:.3f}' for t in batches)})")
    peak_note = "" if result.fresh_peak else " (peak since start: the kernel refused a reset)"
    say(
        f"  RSS before {before:.1f} MB, peak during the rounds {peak:.1f} MB{peak_note}, after {after:.1f} MB"
    )
    clients = 2 * JOBS
    cost = json.loads(
        subprocess.run(
            [sys.executable, "-c", _CLIENT_COST, str(clients)], check=True, capture_output=True, text=True
        ).stdout
    )
    say(
        f"  opening {clients} httpx2.AsyncClient (2 per render): {cost['default']['seconds']:.3f} s, "
        f"{cost['default']['mb']:+.1f} MB; with one shared SSL context: {cost['shared']['seconds']:.3f} s, "
        f"{cost['shared']['mb']:+.1f} MB"
    )
    growth = peak - before
    return [
        Figure(
            f"{JOBS} concurrent renders: wall time vs 1 render",
            ratio,
            f"{ratio:.2f}x ({many:.2f} vs {one:.2f} s)",
            f"<= {RATIO_TARGET:.1f}x",
            ratio <= RATIO_TARGET,
        ),
        Figure(
            f"{JOBS} concurrent renders: peak RSS growth",
            growth,
            f"{growth:+.1f} MB ({before:.1f} -> peak {peak:.1f})",
            f"<= {MEMORY_TARGET_MB:.0f} MB",
            growth <= MEMORY_TARGET_MB,
        ),
    ]


if __name__ == "__main__":
    cli(__doc__, figures)
