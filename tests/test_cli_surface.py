"""What `seedance` shows a person: interrupts, the default provider, price comparisons, help and refusals.

Everything runs in this process in sandbox mode (or with a fake key and no network): no test
here reaches the internet.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import pytest
from cli_harness import run_cli

from seedance_mcp import __version__, cli
from seedance_mcp.cli import commands
from seedance_mcp.cli.parser import build_parser
from seedance_mcp.cli.progress import ProgressBar
from seedance_mcp.engine import Progress, Service
from seedance_mcp.engine.preflight import shared_duration
from seedance_mcp.providers import PROVIDER_IDS, PROVIDERS, get_model
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
    chosen = shared_duration()
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
    rows = {(e["provider"], e["model"]): e for e in payload["estimates"]}
    assert len(rows) == sum(len(p.models) for p in PROVIDERS.values())  # every (provider, model)
    for (pid, model), e in rows.items():
        if 8 in get_model(PROVIDERS[pid], model).caps.durations:
            assert e["duration"] == 8 and not any("not 8 s" in d for d in e["differs"])
        else:
            assert e["duration"] != 8 and any("not 8 s" in d for d in e["differs"])
        shown = None if e["amount"] is None else f"{pid} credits" if e["unit"] == "credits" else e["unit"]
        assert e["unit_label"] == shown
    # Money first, cheapest first within each currency; credits after, in the registry's order.
    units = [e["unit"] for e in payload["estimates"] if e["amount"] is not None]
    assert units == sorted(units, key=["USD", "CNY", "credits"].index)
    for unit in ("USD", "CNY"):
        amounts = [e["amount"] for e in payload["estimates"] if e["unit"] == unit]
        assert amounts == sorted(amounts) and amounts
    credit_providers = [e["provider"] for e in payload["estimates"] if e["unit"] == "credits"]
    assert credit_providers == [pid for pid in PROVIDER_IDS if pid in credit_providers]
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
    assert payload["credits"] == 8 and payload["unit"] == "credits"
    assert payload["unit_label"] == "nanophoto credits" and payload["amount"] == 8


# ---- small things ---------------------------------------------------------------------------


def test_a_budget_refusal_never_announces_a_submit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = sandbox_env(tmp_path, SEEDANCE_MAX_CREDITS="10")
    code, _, err = run(monkeypatch, capsys, env, "generate", "A kite", "--duration", "8", "--audio")
    assert code == 2 and "SEEDANCE_MAX_CREDITS=10" in err
    assert "submitting" not in err
    code, listing, _ = run(monkeypatch, capsys, env, "jobs", "--json")
    assert listing["jobs"] == []


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        cli.main(["--version"])
    assert stop.value.code == 0
    assert capsys.readouterr().out == f"seedance {__version__}\n"


def _options() -> list[tuple[str, argparse.Action]]:
    parser = build_parser()
    [commands_action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    found = [("seedance", a) for a in parser._actions if a.option_strings]
    for name, sub in commands_action.choices.items():
        found += [(name, a) for a in sub._actions if a.dest != "help"]
    return found


@pytest.mark.parametrize(("command", "action"), _options(), ids=lambda x: getattr(x, "dest", x))
def test_every_option_says_what_it_does_and_what_it_takes(command: str, action: argparse.Action) -> None:
    assert action.help and action.help != argparse.SUPPRESS, f"{command} {action.dest} has no help text"
    takes_value = action.nargs != 0 and not isinstance(action, argparse.BooleanOptionalAction)
    if takes_value and action.option_strings and action.choices is None:
        assert action.metavar, f"{command} {action.option_strings[0]}: name what the value is"
    if action.type is not None and action.type is not str and action.dest not in ("seed",):
        assert re.search(r"\d+ to \d+|0 or more|above 0", action.help), (
            f"{command} {action.option_strings}: a number option gives its range"
        )


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["sandbox", "--port", "99999"], "--port: '99999' is not a TCP port from 1 to 65535"),
        (["sandbox", "--port", "0"], "from 1 to 65535"),
        (["sandbox", "--speed", "0"], "--speed: '0' is not a positive number"),
        (["sandbox", "--speed", "-2"], "positive number"),
        (["sandbox", "--speed", "nan"], "positive number"),
        (["prompt", "a fox", "--lint", "a fox in snow"], "IDEA and --lint TEXT cannot be combined"),
        (["generate", "a kite", "--seed", "x"], "--seed: 'x' is not a whole number"),
    ],
)
def test_bad_values_are_usage_errors_naming_the_option(
    argv: list[str],
    needle: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(monkeypatch, capsys, sandbox_env(tmp_path), *argv)
    assert code == 2 and out == ""
    assert err.strip().splitlines()[-1].startswith("seedance: error: ") and needle in err
    assert f"usage: seedance {argv[0]}" in err


def test_prompt_and_lint_together_is_refused_in_json_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, payload, _ = run(
        monkeypatch, capsys, sandbox_env(tmp_path), "prompt", "a fox", "--lint", "x", "--json"
    )
    assert code == 2 and "IDEA" in payload["error"]["message"] and "--lint" in payload["error"]["message"]


def test_a_usage_error_is_json_only_for_a_command_that_takes_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(monkeypatch, capsys, sandbox_env(tmp_path), "demo", "--json")
    assert code == 2 and out == "" and "unrecognized arguments: --json" in err
    code, out, err = run(monkeypatch, capsys, sandbox_env(tmp_path), "sandbox", "--port", "x", "--json")
    assert code == 2 and out == ""
    code, payload, _ = run(monkeypatch, capsys, sandbox_env(tmp_path), "jobs", "--limit", "x", "--json")
    assert code == 2 and payload["error"]["code"] == "invalid_request"


def test_prompt_text_shows_suggested_settings_in_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = sandbox_env(tmp_path)
    code, text, _ = run(monkeypatch, capsys, env, "prompt", "a dog barks at the thunder", "--duration", "8")
    assert code == 0
    [line] = [ln for ln in text.splitlines() if ln.startswith("# suggested: ")]
    assert line == "# suggested: audio on, fixed lens off, duration 8 s"
    code, text, _ = run(monkeypatch, capsys, env, "prompt", "a quiet lake", "--no-audio")
    [line] = [ln for ln in text.splitlines() if ln.startswith("# suggested: ")]
    assert "audio off" in line and "the provider's default length" in line
    for literal in ("True", "False", "None", "="):
        assert literal not in line


def test_jobs_has_a_header_over_its_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = sandbox_env(tmp_path)
    code, text, _ = run(monkeypatch, capsys, env, "jobs")
    assert code == 0 and text == "no jobs yet\n"
    code, job, _ = run(monkeypatch, capsys, env, "generate", "a kite", "--no-wait", "--json")
    code, text, _ = run(monkeypatch, capsys, env, "jobs")
    header, row = text.splitlines()
    assert header.split()[:2] == ["job", "created"] and "provider" in header and "status" in header
    assert row.startswith(job["job_id"]) and row.index("nanophoto") == header.index("provider")
    assert row.index("queued") == header.index("status")


def test_ctrl_c_during_status_answers_with_the_job_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = sandbox_env(tmp_path)
    code, job, _ = run(monkeypatch, capsys, env, "generate", "a kite", "--no-wait", "--json")
    assert code == 0

    async def pressed(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Service, "status", pressed)
    code, shown, err = run(monkeypatch, capsys, env, "status", job["job_id"], "--wait", "--json")
    assert code == 130
    assert shown["job_id"] == job["job_id"] and shown["status"] == "queued"
    assert f"seedance status {job['job_id']} --wait" in err


def test_seedance_serve_help_names_itself_and_seedance_mcp_names_itself(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from seedance_mcp.server.app import main as serve_main

    with pytest.raises(SystemExit) as done:
        cli.main(["serve", "--help"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("usage: seedance serve ")
    with pytest.raises(SystemExit):
        serve_main(["--help"])
    assert capsys.readouterr().out.startswith("usage: seedance-mcp ")
