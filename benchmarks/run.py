"""Every seedance-mcp benchmark against its plain alternative, in one table.

    python benchmarks/run.py            # the full run (about 2.5 minutes on 2 cores)
    python benchmarks/run.py --quick    # fewer runs, rough figures (under a minute)
    python benchmarks/run.py --only polling_cost,download_speed

Each benchmark runs in a fresh process (so that one's imports and memory cannot colour
another's figures) and prints how it measured, then its figures; the table at the end
collects them all: the figure, the measured value, the target and whether it was met.
Figures are medians of several runs, and every ratio compares two things measured in the
same run, alternately. BENCHMARKS.md explains each figure and every missed target.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from common import MARKER, Figure, dump, load, table

HERE = Path(__file__).resolve().parent
BENCHMARKS = {
    "startup": "1. start-up: spawn to tools/list answered, vs a bare MCPServer",
    "tool_overhead": "2. tool round trip over stdio, vs a bare echo tool",
    "polling_cost": "3. polling cost: provider-aware schedule vs a plain 5 s loop",
    "concurrency": "4. concurrency: 20 renders at once from one process",
    "download_speed": "5. download: download_video vs curl -o",
    "bench_stitch": "6. film stitch: six 10 s 720p clips by stream copy, vs ffmpeg -f concat -c copy",
}
PACKAGES = (
    "seedance-mcp",
    "mcp",
    "httpx2",
    "httpcore2",
    "h11",
    "pydantic",
    "starlette",
    "uvicorn",
    "anyio",
    "jinja2",
    "av",
    "pillow",
)


def machine() -> list[str]:
    model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    usable = len(os.sched_getaffinity(0))
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    curl = "not installed"
    if shutil.which("curl"):
        curl = subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    return [
        f"cores: {usable} usable (nproc), CPU: {model}",
        f"OS: {platform.platform()}",
        f"Python {platform.python_version()} ({sys.executable})",
        "packages: " + ", ".join(versions),
        f"curl: {' '.join(curl.split()[:2])}",
    ]


def child(name: str, quick: bool) -> None:
    module = importlib.import_module(name)
    figures: list[Figure] = module.figures(quick)
    print(dump(figures), flush=True)


def run_one(name: str, quick: bool) -> tuple[list[Figure], float]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", name] + (
        ["--quick"] if quick else []
    )
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=HERE.parent)
    assert proc.stdout is not None
    figures: list[Figure] = []
    for line in proc.stdout:
        if line.startswith(MARKER):
            figures = load(line)
        else:
            print("  " + line.rstrip(), flush=True)
    code = proc.wait()
    elapsed = time.perf_counter() - start
    if code != 0 or not figures:
        figures = [
            Figure(f"{name}: the benchmark failed (exit {code})", float("nan"), "failed", "runs", False)
        ]
    return figures, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs: rough figures in under a minute")
    parser.add_argument("--only", help="comma-separated benchmarks: " + ", ".join(BENCHMARKS))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.quick)
        return
    names = list(BENCHMARKS)
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in names if n not in BENCHMARKS]
        if unknown:
            parser.error(
                f"--only: unknown benchmark(s) {', '.join(unknown)}; allowed: {', '.join(BENCHMARKS)}"
            )

    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    shown = (
        "python benchmarks/run.py"
        + (" --quick" if args.quick else "")
        + (f" --only {args.only}" if args.only else "")
    )
    print(f"seedance-mcp benchmarks, {started}: {shown}")
    for line in machine():
        print("  " + line)
    total_start = time.perf_counter()
    collected: list[Figure] = []
    for name in names:
        print()
        print(f"== {BENCHMARKS[name]}", flush=True)
        figures, elapsed = run_one(name, args.quick)
        print(f"  ({elapsed:.0f} s)")
        collected += figures
    total = time.perf_counter() - total_start
    judged = [f for f in collected if f.met is not None]
    print()
    print(table(collected))
    print()
    print(f"targets met: {sum(1 for f in judged if f.met)} of {len(judged)}; total time {total:.0f} s")


if __name__ == "__main__":
    main()
