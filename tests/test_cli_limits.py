"""`seedance`'s hard limits (issue 11): an unexpected exception is one readable error, and
provider text with terminal control codes is shown escaped, never raw.

Everything runs in this process in sandbox mode; nothing reaches beyond loopback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cli_harness import run_cli

from seedance_mcp.cli import commands

KEY = "sk-limits-FAKE-KEY-9e2d4c71"


def sandbox_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "SEEDANCE_SANDBOX": "1",
        "SEEDANCE_SANDBOX_SPEED": "0.0001",
        "SEEDANCE_HOME": str(tmp_path / "home"),
        "SEEDANCE_OUTPUT_DIR": str(tmp_path / "videos"),
        **extra,
    }


# ---- finding 9: no traceback, one error line, exit 1 ----------------------------------------


def test_an_unexpected_exception_is_one_error_line_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise ValueError()

    async def leaky(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(f"the socket said {KEY}")

    monkeypatch.setattr(commands, "providers", broken)
    monkeypatch.setattr(commands, "generate", leaky)
    env = sandbox_env(tmp_path, NANOPHOTO_API_KEY=KEY)

    code, out, err = run_cli(monkeypatch, capsys, env, "providers")
    assert code == 1 and out == ""
    assert err.startswith("seedance: providers stopped on an unexpected error (ValueError)")
    assert err.count("\n") == 1 and "Traceback" not in err

    code, out, err = run_cli(monkeypatch, capsys, env, "generate", "a fox", "--json")
    assert code == 1 and "Traceback" not in err and KEY not in out + err
    error = json.loads(out)["error"]
    assert (
        error["code"] == "internal_error" and "RuntimeError: the socket said <redacted>" in error["message"]
    )
    assert "seedance jobs" in error["message"]
