"""Spawn-to-`tools/list` time of `seedance-mcp` against a bare MCP server with one tool.

Each run spawns the server over stdio, sends `initialize`, waits for its answer, sends
`notifications/initialized` and `tools/list`, and stops the clock when the tool list arrives
(what a client waits for before it can use the server). The two servers run alternately so
that machine load affects both alike; the table shows medians, the fastest run and the ratio.

    python benchmarks/startup.py [--runs 15]

The target is a ratio of at most 1.3: everything heavy in seedance-mcp is imported on the
first tool call, not at start-up.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO, Any

from common import Figure, say

BARE_SERVER = """\
from mcp.server.mcpserver import MCPServer

server = MCPServer("bare")


@server.tool()
def ping() -> str:
    \"\"\"Answer pong.\"\"\"
    return "pong"


server.run("stdio")
"""

TIMEOUT = 30.0


def _send(stream: IO[bytes], message: dict[str, Any]) -> None:
    stream.write(json.dumps(message).encode() + b"\n")
    stream.flush()


def _await_id(stream: IO[bytes], wanted: int) -> dict[str, Any]:
    while True:
        line = stream.readline()
        if not line:
            raise RuntimeError(f"the server closed stdout before answering request {wanted}")
        message: dict[str, Any] = json.loads(line)
        if message.get("id") == wanted:
            if "error" in message:
                raise RuntimeError(f"request {wanted} failed: {message['error']}")
            return message


def time_to_tools(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Seconds from spawn to the `tools/list` answer, and how many tools it listed."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        _send(
            proc.stdin,
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-06-18",
                    "capabilities": {},
                    "clientInfo": {"name": "startup-bench", "version": "1"},
                },
            },
        )
        _await_id(proc.stdout, 1)
        _send(proc.stdin, {"jsonrpc": "2.0", "method": "notifications/initialized"})
        _send(proc.stdin, {"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}})
        answer = _await_id(proc.stdout, 2)
        elapsed = time.perf_counter() - start
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return elapsed, len(answer["result"]["tools"])


def seedance_command() -> list[str]:
    script = Path(sys.executable).with_name("seedance-mcp")
    if script.exists():
        return [str(script)]
    found = shutil.which("seedance-mcp")
    return [found] if found else [sys.executable, "-m", "seedance_mcp.server"]


BARE = "bare MCPServer, 1 tool"
SEEDANCE = "seedance-mcp"


def measure(runs: int) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Spawn-to-tools/list seconds of each server, `runs` alternating runs after one warm-up
    run each; also how many tools each listed."""
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare_server.py"
        bare.write_text(BARE_SERVER)
        env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
        env.update({"SEEDANCE_HOME": tmp, "SEEDANCE_OUTPUT_DIR": tmp, "PYTHONDONTWRITEBYTECODE": "1"})
        servers = {BARE: [sys.executable, str(bare)], SEEDANCE: seedance_command()}
        for command in servers.values():  # warm the OS file cache and the bytecode caches
            time_to_tools(command, env)
        times: dict[str, list[float]] = {name: [] for name in servers}
        tools: dict[str, int] = {}
        for _ in range(runs):
            for name, command in servers.items():
                elapsed, count = time_to_tools(command, env)
                times[name].append(elapsed)
                tools[name] = count
    return times, tools


def figures(quick: bool) -> list[Figure]:
    """The start-up figures for `run.py`: the median ratio against the 1.3 target and the 1.0 limit."""
    runs = 5 if quick else 21
    times, tools = measure(runs)
    base = statistics.median(times[BARE])
    ours = statistics.median(times[SEEDANCE])
    say(f"spawn -> tools/list answered, {runs} alternating runs each after one warm-up run")
    for name, values in times.items():
        say(
            f"  {name:<24} {tools[name]:>2} tools  median {statistics.median(values) * 1000:5.0f} ms"
            f"  min {min(values) * 1000:5.0f} ms  max {max(values) * 1000:5.0f} ms"
        )
    ratio = ours / base
    shown = f"{ratio:.2f}x ({ours * 1000:.0f} vs {base * 1000:.0f} ms)"
    return [
        Figure("start-up vs bare MCPServer (target)", ratio, shown, "<= 1.30x", ratio <= 1.3),
        Figure("start-up vs bare MCPServer (limit)", ratio, shown, "<= 1.00x", ratio <= 1.0),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per server (default 15)")
    args = parser.parse_args()

    times, tools = measure(args.runs)
    base = statistics.median(times[BARE])
    print(f"spawn -> tools/list answered, {args.runs} alternating runs each, Python {sys.version.split()[0]}")
    print(f"{'server':<26} {'tools':>5} {'median ms':>10} {'min ms':>8} {'ratio':>6}")
    for name, values in times.items():
        median = statistics.median(values)
        fastest = min(values)
        print(
            f"{name:<26} {tools[name]:>5} {median * 1000:>10.0f} {fastest * 1000:>8.0f} {median / base:>6.2f}"
        )
    ratio = statistics.median(times[SEEDANCE]) / base
    print(f"ratio {ratio:.2f} (target <= 1.30): {'OK' if ratio <= 1.3 else 'OVER'}")


if __name__ == "__main__":
    main()
