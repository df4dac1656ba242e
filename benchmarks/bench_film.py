"""Films against the simulator: six independent shots against one, a chain of three, memory.

Each film renders in its own fresh `SEEDANCE_HOME` through `seedance_mcp.film` (plan, ledger,
one job per shot, download, clip check, stitch, contact sheet, manifest, review page) in
sandbox mode on byteplus (Seedance 1.5 Pro, 4 s, 480p, no sound), the simulator in this
process at speed 0.05: the documented 40-60 s render of a 4 s clip takes 2-3 s, and the poll
schedule is scaled with it (first check at 2 s, then every 0.25 s), so every figure is the real
wall time of a film at 1/20 of real timing. The simulator serves its 1-second sample clip, so
the stitch measured is a stream copy of small files (bench_stitch.py measures real clips).

- one shot vs six independent shots (target: the six within 1.2x of the one);
- a chain of three (each starts on the last frame of the one before): about 3x one shot;
- peak resident memory of this process while a film of 3, 10 and 30 independent shots renders,
  at the default parallel limit (6) and with every shot at once (the simulator's own memory,
  in this process, is counted too).

    python benchmarks/bench_film.py [--quick]
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from common import Figure, cli, peak_rss_mb, reset_peak_rss, say

from seedance_mcp.engine import Service
from seedance_mcp.film import films
from seedance_mcp.film.plan import DEFAULT_MAX_PARALLEL
from seedance_mcp.film.runner import FilmOptions, ShotProgress
from seedance_mcp.film.storyboard import parse_storyboard
from seedance_mcp.sandbox import SandboxConfig
from seedance_mcp.settings import Settings

SPEED = 0.05
RATIO_TARGET = 1.2
FLAT_MB = 5.0
"""What "flat" allows between a film of 3 and one of 30 shots: the record and plan of 27 more."""
CHAIN_TARGET = 3.3  # "about 3x one shot, no more": three renders back to back, plus a little


def board(count: int, *, chain: bool = False) -> Any:
    shots = []
    for i in range(count):
        shot: dict[str, Any] = {
            "id": f"s{i}",
            "prompt": f"Beat {i}: the harbour at dawn; slow pan",
            "duration": 4,
        }
        if chain and i:
            shot["continue_from"] = f"s{i - 1}"
        shots.append(shot)
    return parse_storyboard(
        {
            "title": f"Bench {count}{' chain' if chain else ''}",
            "provider": "byteplus",
            "resolution": "480p",
            "shots": shots,
        }
    )


async def render(b: Any, seed: int, parallel: int | None = None) -> tuple[float, float, float]:
    """Wall seconds of the whole film (plan to review page), this process's peak RSS (MB) until
    the last shot is saved, and its peak over the whole film (the stitch and contact sheet too)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        env = {
            "SEEDANCE_SANDBOX": "1",
            "SEEDANCE_SANDBOX_SPEED": str(SPEED),
            "SEEDANCE_HOME": str(root / "home"),
            "SEEDANCE_OUTPUT_DIR": str(root / "films"),
        }
        svc = Service(Settings.from_env(env), sandbox_config=SandboxConfig(speed=SPEED, seed=seed))
        rendered = [0.0]

        async def heard(p: ShotProgress) -> None:
            if p.done == p.total:  # every shot saved: what follows is the clip check and stitch
                rendered[0] = max(rendered[0], peak_rss_mb())

        try:
            reset_peak_rss()
            start = time.perf_counter()
            record = await films.render(
                svc,
                b,
                FilmOptions(wait_seconds=600),
                max_parallel=parallel or len(b.shots),
                on_progress=heard,
            )
            wall = time.perf_counter() - start
            peak = peak_rss_mb()
        finally:
            svc.close()
        if record.status != "done":
            raise RuntimeError(f"the film did not finish: {record.status}")
        return wall, rendered[0], peak


def figures(quick: bool) -> list[Figure]:
    rounds = 2 if quick else 4
    one, six, chain = [], [], []
    for r in range(rounds):
        one.append(anyio.run(render, board(1), r)[0])
        six.append(anyio.run(render, board(6), r)[0])
        chain.append(anyio.run(render, board(3, chain=True), r)[0])
        say(f"round {r + 1}: one shot {one[-1]:.2f} s, six {six[-1]:.2f} s, chain of three {chain[-1]:.2f} s")
    base, wide, long = statistics.median(one), statistics.median(six), statistics.median(chain)
    peaks, whole, wide_peaks = {}, {}, {}
    anyio.run(render, board(3), 99)  # warm-up: imports, templates, the first clip
    for count in (3, 10, 30):
        _, peaks[count], whole[count] = anyio.run(render, board(count), 7, DEFAULT_MAX_PARALLEL)
        wide_peaks[count] = anyio.run(render, board(count), 7)[1]
        say(
            f"{count} shots: peak RSS {peaks[count]:.1f} MB until the last shot is saved, "
            f"{whole[count]:.1f} MB "
            f"with the stitch (all at once: {wide_peaks[count]:.1f} MB)"
        )
    growth = peaks[30] - peaks[3]
    whole_growth = whole[30] - whole[3]
    wide_growth = wide_peaks[30] - wide_peaks[3]
    return [
        Figure("one-shot film", base, f"{base:.2f} s (median of {rounds})", "-", None),
        Figure(
            "six independent shots vs one",
            wide / base,
            f"{wide / base:.2f}x ({wide:.2f} s)",
            f"<= {RATIO_TARGET}x",
            wide / base <= RATIO_TARGET,
        ),
        Figure(
            "chain of three vs one",
            long / base,
            f"{long / base:.2f}x ({long:.2f} s)",
            f"about 3x, <= {CHAIN_TARGET}x",
            long / base <= CHAIN_TARGET,
        ),
        Figure(
            f"peak RSS until the last shot is saved, 3 -> 10 -> 30 shots, {DEFAULT_MAX_PARALLEL} at once",
            growth,
            f"{peaks[3]:.1f} -> {peaks[10]:.1f} -> {peaks[30]:.1f} MB (+{growth:.1f} MB)",
            f"flat (<= +{FLAT_MB:g} MB)",
            growth <= FLAT_MB,
        ),
        Figure(
            "peak RSS with the clip check, stitch and contact sheet, 6 at once",
            whole_growth,
            f"{whole[3]:.1f} -> {whole[10]:.1f} -> {whole[30]:.1f} MB (+{whole_growth:.1f} MB)",
            f"flat (<= +{FLAT_MB:g} MB)",
            whole_growth <= FLAT_MB,
        ),
        Figure(
            "peak RSS, 3 -> 10 -> 30 shots, all at once",
            wide_growth,
            f"{wide_peaks[3]:.1f} -> {wide_peaks[10]:.1f} -> {wide_peaks[30]:.1f} MB (+{wide_growth:.1f} MB)",
            "-",
            None,
        ),
    ]


if __name__ == "__main__":
    cli(__doc__, figures)
