"""What the benchmark scripts share: the `Figure` they report, the table, memory readings, a
raw JSON-RPC client for MCP servers over stdio, and the sandbox in its own process.

Every figure is measured, never assumed: a script returns `Figure`s whose `met` is computed
from the measured value against the target (None when a figure is information only).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from typing import IO, Any

MARKER = "@@FIGURES "
PROTOCOL_VERSION = "2025-06-18"
TIMEOUT = 30.0


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    shown: str
    target: str
    met: bool | None

    @property
    def verdict(self) -> str:
        return "-" if self.met is None else ("yes" if self.met else "NO")


def table(figures: Sequence[Figure]) -> str:
    rows = [("figure", "value", "target", "met")]
    rows += [(f.name, f.shown, f.target, f.verdict) for f in figures]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = []
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def dump(figures: Sequence[Figure]) -> str:
    return MARKER + json.dumps([asdict(f) for f in figures])


def load(line: str) -> list[Figure]:
    return [Figure(**item) for item in json.loads(line.removeprefix(MARKER))]


def cli(doc: str | None, figures: Callable[[bool], list[Figure]]) -> None:
    """Entry point of a single benchmark script: `python benchmarks/<name>.py [--quick]`."""
    parser = argparse.ArgumentParser(description=(doc or "").strip().splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (a rough figure, fast)")
    args = parser.parse_args()
    result = figures(args.quick)
    print()
    print(table(result))


def say(text: str = "") -> None:
    """A line of detail, shown as soon as it is known."""
    print(text, flush=True)


# ---- memory -------------------------------------------------------------------------------


def _status_kb(field: str, pid: int | str = "self") -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"/proc/{pid}/status has no {field}")


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory now, in MB (10^6 bytes)."""
    return _status_kb("VmRSS", pid) * 1024 / 1e6


def peak_rss_mb(pid: int | str = "self") -> float:
    """The highest resident memory so far (since the last `reset_peak_rss`), in MB."""
    return _status_kb("VmHWM", pid) * 1024 / 1e6


def reset_peak_rss() -> bool:
    """Start a new peak-RSS window (Linux 4.0+); False if the kernel refuses."""
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


# ---- MCP over stdio, raw ------------------------------------------------------------------


class StdioSession:
    """One MCP server process spoken to in newline-delimited JSON-RPC, blocking and minimal,
    so that the client adds the same small cost to every server it measures."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self._in: IO[bytes] = self.proc.stdin
        self._out: IO[bytes] = self.proc.stdout
        self._next_id = 0

    def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self._next_id += 1
        wanted = self._next_id
        self._send({"jsonrpc": "2.0", "id": wanted, "method": method, "params": params})
        while True:
            line = self._out.readline()
            if not line:
                raise RuntimeError(f"the server closed stdout before answering {method}")
            message: dict[str, Any] = json.loads(line)
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"{method} failed: {message['error']}")
                result: dict[str, Any] = message["result"]
                return result

    def initialize(self) -> None:
        self.request(
            "initialize",
            {
                "protocolVersion": PROTOCOL_VERSION,
                "capabilities": {},
                "clientInfo": {"name": "seedance-bench", "version": "1"},
            },
        )
        self._send({"jsonrpc": "2.0", "method": "notifications/initialized"})

    def call(self, tool: str, arguments: dict[str, Any]) -> float:
        """Seconds for one `tools/call` round trip; raises if the tool reported an error."""
        start = time.perf_counter()
        result = self.request("tools/call", {"name": tool, "arguments": arguments})
        elapsed = time.perf_counter() - start
        if result.get("isError"):
            raise RuntimeError(f"{tool} returned an error: {result.get('content')}")
        return elapsed

    def _send(self, message: dict[str, Any]) -> None:
        self._in.write(json.dumps(message).encode() + b"\n")
        self._in.flush()

    def close(self) -> None:
        self._in.close()
        try:
            self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def clean_env(home: str) -> dict[str, str]:
    """This environment without any provider key, with the ledger and videos under `home`."""
    env = {
        k: v for k, v in os.environ.items() if not k.endswith("_API_KEY") and not k.startswith("SEEDANCE_")
    }
    env.update({"SEEDANCE_HOME": home, "SEEDANCE_OUTPUT_DIR": home, "PYTHONDONTWRITEBYTECODE": "1"})
    return env


# ---- the sandbox in its own process -------------------------------------------------------

_SANDBOX = """\
import sys
from seedance_mcp.sandbox import SandboxConfig, run_forever

speed, size = float(sys.argv[1]), int(sys.argv[2])
config = SandboxConfig(speed=speed, video_size=size or None)
run_forever("127.0.0.1", 0, config, on_ready=lambda url: print(url, flush=True))
"""


@contextlib.contextmanager
def sandbox_process(speed: float, video_size: int | None = None) -> Iterator[str]:
    """The simulator in a separate process (so that it costs the measured process nothing);
    yields its root URL."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _SANDBOX, repr(speed), str(video_size or 0)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url.startswith("http://"):
            raise RuntimeError("the sandbox process did not start")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
