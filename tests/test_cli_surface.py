"""What `seedance` shows a person: interrupts, the default provider, price comparisons, help and refusals.

Everything runs in this process in sandbox mode (or with a fake key and no network): no test
here reaches the internet.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cli_harness import run_cli

from seedance_mcp.cli import commands
from seedance_mcp.cli.progress import ProgressBar
from seedance_mcp.engine import Progress, Service
from seedance_mcp.providers import PROVIDER_IDS, PROVIDERS
from seedance_mcp.settings import Settings

KEY = "sk-surface-FAKE-KEY-51c0"


def sandbox_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "SEEDANCE_SANDBOX": "1",
        "SEEDANCE_SANDBOX_SPEED": "0.0001",
        "SEEDANCE_HOME": str(tmp_path / "home"),
        "SEEDANCE_OUTPUT_DIR": str(tmp_path / "videos"),
        "SEEDANCE_POLL_INITIAL_DELAY": "0",
        "SEEDANCE_POLL_INTERVAL": "0.1",
        **extra,
    }


def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: dict[str, str], *argv: str
) -> tuple[int, Any, str]:
    code, out, err = run_cli(monkeypatch, capsys, env, *argv)
    assert "Traceback" not in err, err
    assert KEY not in out + err
    payload = json.loads(out) if "--json" in argv and out.strip() else out
    return code, payload, err


# ---- Ctrl-C ---------------------------------------------------------------------------------


def interrupt_while(phase: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C arrives when the progress bar is told of `phase` (after it has seen the job)."""
    shown = ProgressBar.__call__

    async def pressed(self: ProgressBar, p: Progress) -> None:
        await shown(self, p)
        if p.phase == phase:
            raise KeyboardInterrupt

    monkeypatch.setattr(ProgressBar, "__call__", pressed)


def test_ctrl_c_with_json_prints_the_job_as_the_ledger_holds_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    interrupt_while("submitting", monkeypatch)
    env = sandbox_env(tmp_path)
    code, job, err = run(monkeypatch, capsys, env, "generate", "a kite at dawn", "--json")
    assert code == 130
    assert job["job_id"].startswith("job_") and job["sandbox"] is True
    assert "SANDBOX MODE" in job["notice"] and "next_step" in job
    assert f"seedance status {job['job_id']} --wait" in err and "stays in the ledger" in err
    monkeypatch.undo()
    code, listing, _ = run(monkeypatch, capsys, env, "jobs", "--json")
    [listed] = listing["jobs"]
    assert listed["job_id"] == job["job_id"] and listed["status"] == job["status"]


def test_ctrl_c_is_per_invocation_a_second_command_does_not_inherit_the_first_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    interrupt_while("submitting", monkeypatch)
    env = sandbox_env(tmp_path)
    code, first, _ = run(monkeypatch, capsys, env, "generate", "a kite at dawn", "--json")
    assert code == 130

    def pressed(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Service, "prepare", pressed)
    code, payload, err = run(monkeypatch, capsys, env, "generate", "a second kite", "--json")
    assert code == 130
    assert set(payload) == {"error"} and payload["error"]["code"] == "interrupted"
    assert "before a job was created" in payload["error"]["message"]
    assert first["job_id"] not in err and "stays in the ledger" not in err


@pytest.mark.parametrize(
    ("argv", "target"),
    [
        (["prompt", "a kite at dawn"], "draft"),
        (["prompt", "a kite at dawn", "--json"], "draft"),
        (["sandbox", "--port", "8790"], "sandbox"),
        (["estimate", "--json"], "estimate"),
    ],
)
def test_ctrl_c_in_a_command_that_starts_no_job_does_not_mention_one(
    argv: list[str],
    target: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def pressed(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, target, pressed)
    code, payload, err = run(monkeypatch, capsys, sandbox_env(tmp_path), *argv)
    assert code == 130
    assert "seedance: interrupted." in err
    assert "ledger" not in err and "seedance status" not in err
    if "--json" in argv:
        assert payload["error"]["code"] == "interrupted"
    else:
        assert payload == ""


# ---- providers: the same facts as MCP list_providers ---------------------------------------


def test_providers_json_says_the_default_provider_and_sandbox_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"SEEDANCE_HOME": str(tmp_path / "home")}
    code, report, err = run(monkeypatch, capsys, env, "providers", "--json")
    assert code == 0
    assert report["default_provider"] == "nanophoto" and report["sandbox"] is True
    assert "sandbox mode" in report["message"] and "sandbox mode" in err
    assert [p["id"] for p in report["providers"]] == list(PROVIDER_IDS)

    code, text, err = run(monkeypatch, capsys, env, "providers")
    assert code == 0
    assert text.splitlines()[0].startswith("default provider: nanophoto, in sandbox mode")
    assert "sandbox mode" in err  # the notice, as every sandbox answer gives it


def test_providers_with_a_key_names_that_provider_and_no_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"SEEDANCE_HOME": str(tmp_path / "home"), "SEEDANCEAPI_API_KEY": KEY}
    code, report, _ = run(monkeypatch, capsys, env, "providers", "--json")
    assert code == 0
    assert report["default_provider"] == "seedanceapi" and report["sandbox"] is False
    code, text, _ = run(monkeypatch, capsys, env, "providers")
    assert text.splitlines()[0].startswith("default provider: seedanceapi (")
    assert "sandbox mode" not in text


def test_providers_with_an_unusable_choice_says_why_and_has_no_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"SEEDANCE_HOME": str(tmp_path / "home"), "SEEDANCE_PROVIDER": "apixo"}
    code, report, _ = run(monkeypatch, capsys, env, "providers", "--json")
    assert code == 0
    assert report["default_provider"] is None and report["sandbox"] is False
    assert "APIXO_API_KEY" in report["message"]
    code, text, _ = run(monkeypatch, capsys, env, "providers")
    assert text.splitlines()[0].startswith("default provider: none (") and "APIXO_API_KEY" in text


# ---- estimate: like with like ---------------------------------------------------------------


def test_the_shared_duration_is_the_one_most_providers_offer() -> None:
    found = Service(Settings.from_env({})).providers()
    chosen = commands.shared_duration(found)
    offering = sum(chosen in i.durations for i in found)
    assert all(offering >= sum(d in i.durations for i in found) for i in found for d in i.durations)
    assert chosen == 8  # 4, 8 and 12 are each offered by four of five; 8 is the usual default


def test_estimate_compares_one_length_and_marks_what_differs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = sandbox_env(tmp_path)
    code, payload, _ = run(monkeypatch, capsys, env, "estimate", "--json")
    assert code == 0
    assert payload["duration"] is None and payload["duration_compared"] == 8
    rows = {e["provider"]: e for e in payload["estimates"]}
    assert list(rows) == list(PROVIDER_IDS)
    for pid, e in rows.items():
        if 8 in PROVIDERS[pid].caps.durations:
            assert e["duration"] == 8 and not any("not 8 s" in d for d in e["differs"])
        else:
            assert e["duration"] != 8 and any("not 8 s" in d for d in e["differs"])
        assert e["unit"] == (f"{pid} credits" if e["credits"] is not None else None)
    assert "never add" in payload["note"]

    code, text, _ = run(monkeypatch, capsys, env, "estimate")
    lines = text.splitlines()
    assert "8 s (the length most providers offer" in lines[0]
    assert "8 nanophoto credits" in text and "28 seedanceapi credits" in text
    assert "* seedance15pro: 10 s, not 8 s" in text
    figures = re.findall(r"\b(\d+) (\S+ )?credits\b", text)
    assert len(figures) == 3 and all(unit.strip() in PROVIDER_IDS for _, unit in figures), figures


def test_estimate_labels_an_asked_duration_as_asked_not_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = sandbox_env(tmp_path)
    code, text, _ = run(monkeypatch, capsys, env, "estimate", "--duration", "7")
    assert code == 0
    assert "default 7" not in text and "7 s (asked)" in text.splitlines()[0]
    code, text, _ = run(monkeypatch, capsys, env, "estimate", "--provider", "nanophoto", "--duration", "4")
    assert text.startswith("nanophoto: 720p (default), 4 s, silent: 4 nanophoto credits")
    code, text, _ = run(
        monkeypatch, capsys, env, "estimate", "--provider", "nanophoto", "--resolution", "480p"
    )
    assert text.startswith("nanophoto: 480p, 8 s (default), silent:")
    code, payload, _ = run(monkeypatch, capsys, env, "estimate", "--provider", "nanophoto", "--json")
    assert payload["credits"] == 8 and payload["unit"] == "nanophoto credits"
