"""Round trip of seedance-mcp's free tools against a bare echo tool, over stdio.

Three long-lived server processes: a bare MCPServer with one `echo` tool, and two
seedance-mcp servers (one for `estimate_credits`, one for `write_cinematic_prompt`). After a
warm-up (the first seedance call imports the service and the templates, once per server
lifetime), the three are called in turn, round after round, so that machine load hits them
alike. A round trip is `tools/call` written to stdin until its answer is read from stdout;
the figure is the ratio of medians.

    python benchmarks/tool_overhead.py [--quick]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import Figure, StdioSession, clean_env, cli, say
from startup import seedance_command

BARE_ECHO = """\
from mcp.server.mcpserver import MCPServer

server = MCPServer("bare")


@server.tool()
def echo(text: str) -> str:
    \"\"\"Answer with the text.\"\"\"
    return text


server.run("stdio")
"""

TARGET = 1.2
WARMUP = 30
Call = tuple[str, dict[str, Any]]
ECHO: Call = ("echo", {"text": "a fox crossing a snowy road at dawn"})
ESTIMATE: Call = ("estimate_credits", {"resolution": "720p", "duration": 8, "audio": True})
PROMPT: Call = (
    "write_cinematic_prompt",
    {
        "idea": "a fox crossing a snowy road at dawn",
        "camera_move": "slow push-in",
        "light": "golden hour",
        "sound": "wind and distant traffic",
    },
)


def measure(rounds: int) -> dict[str, list[float]]:
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "bare_echo.py"
        script.write_text(BARE_ECHO)
        env = clean_env(tmp)
        calls = {
            "echo (bare MCPServer)": (StdioSession([sys.executable, str(script)], env), ECHO),
            "estimate_credits": (StdioSession(seedance_command(), env), ESTIMATE),
            "write_cinematic_prompt": (StdioSession(seedance_command(), env), PROMPT),
        }
        try:
            for session, _ in calls.values():
                session.initialize()
            for _ in range(WARMUP):
                for session, (tool, arguments) in calls.values():
                    session.call(tool, arguments)
            times: dict[str, list[float]] = {name: [] for name in calls}
            for _ in range(rounds):
                for name, (session, (tool, arguments)) in calls.items():
                    times[name].append(session.call(tool, arguments))
        finally:
            for session, _ in calls.values():
                session.close()
    return times


def in_process(calls: int) -> dict[str, float]:
    """Median seconds of the work behind each seedance tool, called directly (no MCP)."""
    from seedance_mcp.craft.draft import write_cinematic_prompt
    from seedance_mcp.engine import Service
    from seedance_mcp.settings import Settings

    service = Service(Settings.from_env({}))
    args = PROMPT[1]
    work: dict[str, Callable[[], object]] = {
        "Service.estimate": lambda: service.estimate(**ESTIMATE[1]),
        "write_cinematic_prompt": lambda: write_cinematic_prompt(
            args["idea"], camera_move=args["camera_move"], light=args["light"], sound=args["sound"]
        ),
    }
    out = {}
    for name, run in work.items():
        run()
        times = []
        for _ in range(calls):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        out[name] = statistics.median(times)
    return out


def figures(quick: bool) -> list[Figure]:
    rounds = 150 if quick else 1000
    times = measure(rounds)
    direct = in_process(rounds)
    say(f"tools/call round trip over stdio, {rounds} interleaved calls each after {WARMUP} warm-up calls")
    for name, values in times.items():
        q = statistics.quantiles(values, n=20)
        say(
            f"  {name:<24} median {statistics.median(values) * 1000:6.2f} ms"
            f"  p5 {q[0] * 1000:6.2f} ms  p95 {q[-1] * 1000:6.2f} ms"
        )
    say(f"  estimate_credits arguments: {ESTIMATE[1]} (compares all five providers)")
    say(
        "  the same work called directly, in-process: "
        + ", ".join(f"{name} {seconds * 1000:.2f} ms" for name, seconds in direct.items())
    )
    base = statistics.median(times["echo (bare MCPServer)"])
    out = []
    for name in ("estimate_credits", "write_cinematic_prompt"):
        ours = statistics.median(times[name])
        ratio = ours / base
        out.append(
            Figure(
                f"{name} round trip vs bare echo",
                ratio,
                f"{ratio:.2f}x ({ours * 1000:.2f} vs {base * 1000:.2f} ms)",
                f"<= {TARGET:.2f}x",
                ratio <= TARGET,
            )
        )
    return out


if __name__ == "__main__":
    cli(__doc__, figures)
