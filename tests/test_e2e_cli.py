"""End to end through the `seedance` CLI against the loopback simulator of each provider.

Real HTTP on 127.0.0.1, real polling, real downloads; the simulator runs renders at a
small fraction of their documented time. The key used here is fake and must never appear
in any output or in the ledger.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_harness import interruptible, run_cli, simulator_env

from seedance_mcp.providers import PROVIDER_IDS, get_provider
from seedance_mcp.sandbox import Fault, Sandbox, SandboxConfig

KEY = "sk-e2e-FAKE-KEY-7f3a9c"
START = "https://cdn.example.com/frames/start.png"
END = "https://cdn.example.com/frames/end.png"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(SandboxConfig(speed=0.002)) as sb:
        yield sb


def env_for(sb: Sandbox, provider: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return simulator_env(sb, provider, tmp_path, KEY, **extra)


def run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: dict[str, str], *argv: str
) -> tuple[int, Any, str]:
    code, out, err = run_cli(monkeypatch, capsys, env, *argv)
    assert KEY not in out and KEY not in err
    payload = json.loads(out) if "--json" in argv and out.strip() else out
    return code, payload, err


def assert_mp4(path: str) -> None:
    data = Path(path).read_bytes()
    assert data[4:8] == b"ftyp"
    assert len(data) > 1000


def ledger_bytes(tmp_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (tmp_path / "home").glob("*") if p.is_file())


@pytest.mark.parametrize("provider", PROVIDER_IDS)
def test_text_to_video_renders_to_a_downloaded_mp4(
    provider: str,
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = env_for(sandbox, provider, tmp_path)
    code, job, _ = run(
        monkeypatch, capsys, env, "generate", "A red kite over the dunes, slow pan", "--audio", "--json"
    )
    assert code == 0, job
    assert job["status"] == "succeeded" and job["provider"] == provider and job["sandbox"] is False
    assert job["provider_task_id"] and job["video_url"].startswith("http://127.0.0.1:")
    assert_mp4(job["video_path"])
    assert Path(job["video_path"]).parent == tmp_path / "videos"
    assert len(sandbox.tasks(provider)) == 1
    assert KEY.encode() not in ledger_bytes(tmp_path)


@pytest.mark.parametrize("provider", PROVIDER_IDS)
def test_image_to_video_with_every_option_the_provider_offers(
    provider: str,
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caps = get_provider(provider).caps
    argv = ["generate", "The lantern flickers as the door swings open", "--image", START, "--json"]
    argv += ["--duration", str(caps.durations[-1]), "--aspect-ratio", caps.aspect_ratios[-1]]
    if caps.resolutions:
        argv += ["--resolution", caps.resolutions[0]]
    if caps.fixed_lens:
        argv.append("--fixed-lens")
    if caps.end_image:
        argv += ["--end-image", END]
    if caps.seed:
        argv += ["--seed", "42"]
    code, job, _ = run(monkeypatch, capsys, env_for(sandbox, provider, tmp_path), *argv)
    assert code == 0, job
    assert job["request"]["image_url"] == START
    assert_mp4(job["video_path"])
    [task] = sandbox.tasks(provider)
    sent = json.dumps(task.body)
    assert START in sent and (END in sent) == caps.end_image


@pytest.mark.parametrize("provider", PROVIDER_IDS)
def test_faults_while_polling_and_downloading_still_end_in_one_task_and_a_whole_file(
    provider: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    faults = [
        Fault(kind="429", on="submit", times=1, retry_after=0),
        Fault(kind="503", on="submit", times=1),
        Fault(kind="500", on="status", times=1),
        Fault(kind="reset", on="status", times=1),
        Fault(kind="429", on="status", times=1, retry_after=0),
        Fault(kind="truncate", on="download", times=1),
    ]
    with Sandbox(SandboxConfig(speed=0.002, faults=faults)) as sb:
        code, job, _ = run(
            monkeypatch,
            capsys,
            env_for(sb, provider, tmp_path),
            "generate",
            "Waves on rocks at dusk",
            "--json",
        )
        assert code == 0, job
        assert_mp4(job["video_path"])
        assert len(sb.tasks(provider)) == 1


def test_seedance2ai_survives_lost_submit_answers_with_exactly_one_task(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    faults = [Fault(kind="reset", on="submit", times=1), Fault(kind="500", on="submit", times=1)]
    with Sandbox(SandboxConfig(speed=0.002, faults=faults)) as sb:
        code, job, _ = run(
            monkeypatch, capsys, env_for(sb, "seedance2ai", tmp_path), "generate", "Fog over a pier", "--json"
        )
        assert code == 0, job
        assert len(sb.tasks("seedance2ai")) == 1
        assert_mp4(job["video_path"])


@pytest.mark.parametrize("provider", ["nanophoto", "seedanceapi", "apixo", "seedance15pro"])
def test_a_lost_submit_answer_without_idempotency_is_unknown_not_resent(
    provider: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Sandbox(SandboxConfig(speed=0.002, faults=[Fault(kind="reset", on="submit", times=1)])) as sb:
        code, job, err = run(
            monkeypatch, capsys, env_for(sb, provider, tmp_path), "generate", "Fog over a pier", "--json"
        )
        assert err.startswith(f"{provider}: submitting")  # stderr names the provider in use
        assert code == 1
        assert job["status"] == "unknown"
        assert "NOT resent" in job["notice"]
        assert len(sb.tasks(provider)) == 1  # the simulator did create (and charge) it once


def test_killed_mid_wait_loses_nothing_and_status_finishes_it(tmp_path: Path) -> None:
    """SIGKILL the CLI while it waits; a second process lists the job and finishes it."""
    slow = Sandbox(SandboxConfig(speed=0.05))
    slow.start()
    try:
        env = {**os.environ, **env_for(slow, "apixo", tmp_path)}
        env.pop("SEEDANCE_SANDBOX", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "seedance_mcp.cli", "generate", "Rain on a tin roof", "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        db = tmp_path / "home" / "jobs.sqlite3"
        deadline = time.monotonic() + 20
        task_id = None
        while time.monotonic() < deadline and task_id is None:
            if db.exists():
                try:
                    with sqlite3.connect(db) as conn:
                        row = conn.execute("SELECT provider_task_id FROM jobs").fetchone()
                except sqlite3.OperationalError:  # the schema is being created right now
                    row = None
                task_id = row[0] if row else None
            time.sleep(0.02)
        assert task_id, "the job never reached the ledger with its task id"
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=10)
        assert proc.returncode == -signal.SIGKILL

        listed = subprocess.run(
            [sys.executable, "-m", "seedance_mcp.cli", "jobs", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        [job] = json.loads(listed.stdout)["jobs"]
        assert job["provider_task_id"] == task_id and job["status"] in ("queued", "running")

        done = subprocess.run(
            [sys.executable, "-m", "seedance_mcp.cli", "status", job["job_id"], "--wait", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        finished = json.loads(done.stdout)
        assert finished["status"] == "succeeded"
        assert_mp4(finished["video_path"])
        assert len(slow.tasks("apixo")) == 1
        for text in (listed.stdout, listed.stderr, done.stdout, done.stderr):
            assert KEY not in text
    finally:
        slow.stop()


def wait_for_task_id(db: Path, seconds: float = 20) -> str | None:
    """The provider task id of the one job in the ledger at `db`, once it is recorded."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if db.exists():
            try:
                with sqlite3.connect(db) as conn:
                    row = conn.execute("SELECT provider_task_id FROM jobs").fetchone()
            except sqlite3.OperationalError:  # the schema is being created right now
                row = None
            if row and row[0]:
                return str(row[0])
        time.sleep(0.02)
    return None


@pytest.mark.parametrize("as_json", [True, False])
def test_ctrl_c_mid_wait_answers_with_the_recorded_job_and_exits_130(as_json: bool, tmp_path: Path) -> None:
    """SIGINT while the CLI waits: with --json, stdout is the job as the ledger holds it."""
    slow = Sandbox(SandboxConfig(speed=0.05))
    slow.start()
    try:
        env = {**os.environ, **env_for(slow, "apixo", tmp_path)}
        env.pop("SEEDANCE_SANDBOX", None)
        argv = [sys.executable, "-m", "seedance_mcp.cli", "generate", "Rain on a tin roof"]
        proc = subprocess.Popen(
            argv + (["--json"] if as_json else []),
            env=env,
            preexec_fn=interruptible,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        task_id = wait_for_task_id(tmp_path / "home" / "jobs.sqlite3")
        assert task_id, "the job never reached the ledger with its task id"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        slow.stop()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and KEY not in out + err
    assert "seedance: interrupted. The job stays in the ledger" in err
    if as_json:
        job = json.loads(out)
        assert job["provider_task_id"] == task_id and job["status"] in ("queued", "running")
        assert set(job) >= {"job_id", "provider", "status", "request", "sandbox", "next_step"}
        assert f"seedance status {job['job_id']} --wait" in err
        assert job["next_step"] and "--wait" in job["next_step"]
    else:
        assert out == "" and "seedance status job_" in err


def test_no_wait_returns_the_job_id_at_once_and_status_resumes(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = env_for(sandbox, "seedanceapi", tmp_path)
    code, job, _ = run(
        monkeypatch, capsys, env, "generate", "A paper boat in a gutter stream", "--no-wait", "--json"
    )
    assert code == 0 and job["status"] == "queued" and job["provider_task_id"]
    code, done, _ = run(monkeypatch, capsys, env, "status", job["provider_task_id"], "--wait", "--json")
    assert code == 0 and done["job_id"] == job["job_id"] and done["status"] == "succeeded"
    code, listing, _ = run(monkeypatch, capsys, env, "jobs", "--json")
    assert [j["job_id"] for j in listing["jobs"]] == [job["job_id"]]


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (
            ["generate", "x y z", "--provider", "seedance15pro", "--duration", "8"],
            "allowed durations for seedance15pro: 5, 10",
        ),
        (["generate", "x y z", "--provider", "seedanceapi", "--resolution", "1080p"], "allowed: 480p, 720p"),
        (["generate", "x y z", "--provider", "nanophoto", "--image", "./cat.png"], "public URL"),
        (
            ["generate", "x y z", "--provider", "nanophoto", "--image", "http://192.168.1.4/cat.png"],
            "private",
        ),
        (["status", "job_doesnotexist"], "seedance jobs"),
        (
            ["estimate", "--provider", "nanophoto", "--duration", "5"],
            "allowed durations for nanophoto: 4, 8, 12",
        ),
    ],
)
def test_bad_input_exits_2_with_a_message_naming_the_allowed_values(
    argv: list[str],
    needle: str,
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = env_for(sandbox, "nanophoto", tmp_path, SEEDANCE15PRO_API_KEY=KEY, SEEDANCEAPI_API_KEY=KEY)
    env.pop("SEEDANCE_PROVIDER")
    code, _, err = run(monkeypatch, capsys, env, *argv)
    assert code == 2
    assert needle in err
    assert "Traceback" not in err
    for provider in PROVIDER_IDS:
        assert sandbox.tasks(provider) == []


def test_estimate_json_matches_the_published_table(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, payload, _ = run(
        monkeypatch,
        capsys,
        {},
        "estimate",
        "--provider",
        "nanophoto",
        "--resolution",
        "720p",
        "--duration",
        "8",
        "--audio",
        "--json",
    )
    assert code == 0
    assert payload["credits"] == 16


@pytest.mark.parametrize("provider", PROVIDER_IDS)
def test_dry_run_prints_the_documented_request_and_sends_nothing(
    provider: str,
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        monkeypatch, capsys, env_for(sandbox, provider, tmp_path), "generate", "A kite", "--dry-run"
    )
    assert code == 0
    assert f"{get_provider(provider).auth_scheme} <redacted:" in out and "nothing was sent" in out
    assert sandbox.tasks(provider) == [] and sandbox.requests == []


def test_budget_cap_refuses_before_submitting(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = env_for(sandbox, "nanophoto", tmp_path, SEEDANCE_MAX_CREDITS="10")
    code, _, err = run(monkeypatch, capsys, env, "generate", "A kite", "--duration", "8", "--audio")
    assert code == 2 and "SEEDANCE_MAX_CREDITS" in err
    assert sandbox.tasks("nanophoto") == []


def test_a_provider_refusal_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with Sandbox(SandboxConfig(speed=0.002, valid_keys={"another-key"})) as sb:
        code, payload, err = run(
            monkeypatch, capsys, env_for(sb, "nanophoto", tmp_path), "generate", "A kite", "--json"
        )
    assert code == 3
    assert payload["error"]["code"] == "auth_failed"
    assert "check the API key" in err and "NANOPHOTO_API_KEY" in err
