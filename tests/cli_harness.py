"""What several test files need to drive the real CLI against the loopback simulator.

`simulator_env` is a real (non-sandbox-mode) configuration pointed at one provider's
simulator, with schedules shrunk so renders take milliseconds; `run_cli` runs `seedance ...`
in this process with exactly that configuration and returns (exit code, stdout, stderr).
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from seedance_mcp import cli
from seedance_mcp.providers import get_provider
from seedance_mcp.sandbox import Sandbox


def simulator_env(sb: Sandbox, provider: str, root: Path, key: str, **extra: str) -> dict[str, str]:
    return {
        get_provider(provider).key_env: key,
        "SEEDANCE_PROVIDER": provider,
        "SEEDANCE_BASE_URL": sb.base_url(provider),
        "SEEDANCE_HOME": str(root / "home"),
        "SEEDANCE_OUTPUT_DIR": str(root / "videos"),
        "SEEDANCE_POLL_INITIAL_DELAY": "0.02",
        "SEEDANCE_POLL_INTERVAL": "0.1",
        "SEEDANCE_RETRY_BASE_DELAY": "0.01",
        **extra,
    }


def run_cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: dict[str, str], *argv: str
) -> tuple[int, str, str]:
    with monkeypatch.context() as m:
        for name in list(os.environ):
            if name.startswith("SEEDANCE") or name.endswith("_API_KEY"):
                m.delenv(name)
        for name, value in env.items():
            m.setenv(name, value)
        code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def interruptible() -> None:
    """`preexec_fn` of a CLI subprocess that a test interrupts with SIGINT: a child inherits an
    ignored SIGINT (a test run started in the background by a non-interactive shell has one), and
    Python then installs no KeyboardInterrupt handler, so the Ctrl-C under test would be lost."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
