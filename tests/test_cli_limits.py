"""`seedance`'s hard limits (issue 11): an unexpected exception is one readable error, and
provider text with terminal control codes is shown escaped, never raw.

Everything runs in this process in sandbox mode; nothing reaches beyond loopback.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from cli_harness import run_cli

from seedance_mcp.cli import commands
from seedance_mcp.craft.limits import IDEA_MAX_CHARS, MAX_DIALOGUE_LINES, PROMPT_MAX_CHARS

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


# ---- finding 12: a provider's control codes are shown escaped ---------------------------------

HOSTILE_ID = "task-\x1b[31mred\x07"
HOSTILE_ERROR = "content policy\x1b]0;owned\x07 \x9b2J rejected\rOK"


def _hostile_job(tmp_path: Path) -> str:
    from seedance_mcp.ledger import Ledger
    from seedance_mcp.models import Job, JobError, JobStatus, VideoRequest

    job = Job(
        job_id="job_hostile0001",
        provider="nanophoto",
        provider_task_id=HOSTILE_ID,
        status=JobStatus.FAILED,
        error=JobError(code="provider_failed\x1b[0m", message=HOSTILE_ERROR),
        request=VideoRequest(prompt="a fox"),
        sandbox=True,
    )
    with Ledger.open(tmp_path / "home") as ledger:
        ledger.create(job, idempotency_key="k-hostile")
    return job.job_id


def test_control_characters_from_a_provider_are_shown_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    job_id = _hostile_job(tmp_path)
    env = sandbox_env(tmp_path)
    for argv in (("status", job_id), ("jobs",)):
        _code, out, err = run_cli(monkeypatch, capsys, env, *argv)
        shown = out + err
        for raw in ("\x1b", "\x07", "\x9b", "\r"):
            assert raw not in shown, (argv, shown)
        assert "task-\\x1b[31mred\\x07" in out, argv
    assert (
        "content policy\\x1b]0;owned\\x07 \\x9b2J rejected\\x0dOK"
        in run_cli(monkeypatch, capsys, env, "status", job_id)[1]
    )
    # --json stays the same data, as valid JSON with no raw control character in it
    _code, out, _err = run_cli(monkeypatch, capsys, env, "status", job_id, "--json")
    assert not any(c in out for c in "\x1b\x07\x9b\r")
    job = json.loads(out)
    assert job["provider_task_id"] == HOSTILE_ID and job["error"]["message"] == HOSTILE_ERROR


# ---- finding 8: the same input caps for a person as for an agent ------------------------------


def test_an_oversized_idea_or_lint_text_is_refused_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = sandbox_env(tmp_path)
    huge = "a fox runs across the snow. " * 150_000  # 4.2 MB
    for argv, field, cap in (
        (("prompt", huge, "--json"), "idea", IDEA_MAX_CHARS),
        (("prompt", "--lint", huge, "--json"), "text", PROMPT_MAX_CHARS),
    ):
        started = time.monotonic()
        code, out, _err = run_cli(monkeypatch, capsys, env, *argv)
        assert time.monotonic() - started < 2
        error = json.loads(out)["error"]
        assert code == 2 and error["field"] == field, error
        assert f"at most {cap:,} characters".replace(",", "") in error["message"].replace(",", "")
    lines = [arg for _ in range(MAX_DIALOGUE_LINES + 1) for arg in ("--dialogue", "Ana: hello")]
    code, out, _err = run_cli(monkeypatch, capsys, env, "prompt", "two friends talk", *lines, "--json")
    error = json.loads(out)["error"]
    assert code == 2 and error["field"] == "dialogue" and f"at most {MAX_DIALOGUE_LINES}" in error["message"]
