"""Sandbox jobs survive their process (issue 12, item 4): the built-in simulator keeps its
tasks beside the ledger, so `status JOB --wait` in a new process finishes a job that
`generate --no-wait` (or a Ctrl-C) left behind."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2
import pytest
from fakes import FakeClock

from seedance_mcp.engine import Service
from seedance_mcp.engine.wiring import SANDBOX_STATE_FILE
from seedance_mcp.models import JobStatus, VideoRequest
from seedance_mcp.sandbox import Sandbox, SandboxConfig
from seedance_mcp.sandbox.store import StoredTask, TaskStore
from seedance_mcp.settings import Settings

AUTH = {"Authorization": "Bearer sk-resume-test"}


def cli(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "seedance_mcp.cli", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )


def sandbox_env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not (k.startswith("SEEDANCE") or k.endswith("_API_KEY"))}
    return {
        **env,
        "SEEDANCE_HOME": str(root / "home"),
        "SEEDANCE_OUTPUT_DIR": str(root / "videos"),
        "SEEDANCE_SANDBOX_SPEED": "0.01",
    }


def assert_whole_mp4(path: str) -> None:
    data = Path(path).read_bytes()
    assert data[4:8] == b"ftyp"
    offset = 0
    while offset < len(data):  # the boxes tile the file exactly: nothing cut short
        (size,) = struct.unpack(">I", data[offset : offset + 4])
        assert size >= 8
        offset += size
    assert offset == len(data)


def test_a_job_left_by_no_wait_is_finished_by_a_new_process(tmp_path: Path) -> None:
    env = sandbox_env(tmp_path)
    started = cli(env, "generate", "A kite over the dunes", "--no-wait", "--json")
    assert started.returncode == 0, started.stderr
    job = json.loads(started.stdout)
    assert job["sandbox"] and job["status"] == "queued" and job["provider_task_id"]
    assert (tmp_path / "home" / SANDBOX_STATE_FILE).exists()

    done = cli(env, "status", job["job_id"], "--wait", "--json")
    assert done.returncode == 0, done.stderr
    finished = json.loads(done.stdout)
    assert finished["status"] == "succeeded", finished
    assert finished["provider_task_id"] == job["provider_task_id"]
    assert_whole_mp4(finished["video_path"])
    assert "Started server process" not in started.stderr + done.stderr


def _render(sb: Sandbox, client: httpx2.Client) -> str:
    answer = client.post(
        sb.base_url("nanophoto") + "/api/seedance-1-5-pro/generate",
        headers=AUTH,
        json={
            "prompt": "a kite",
            "mode": "textToVideo",
            "aspectRatio": "landscape",
            "resolution": "480p",
            "duration": "4",
        },
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["taskId"])


def _status(sb: Sandbox, client: httpx2.Client, task_id: str) -> httpx2.Response:
    return client.post(
        sb.base_url("nanophoto") + "/api/seedance-1-5-pro/check-status",
        headers=AUTH,
        json={"taskId": task_id},
    )


def test_a_second_simulator_over_the_same_file_answers_for_the_firsts_tasks(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.sqlite3"
    with httpx2.Client(timeout=5) as client:
        with Sandbox(SandboxConfig(speed=0, state_path=path)) as first:
            task_id = _render(first, client)
        with Sandbox(SandboxConfig(speed=0, state_path=path)) as second:
            answer = _status(second, client, task_id).json()
            assert answer["status"] == "completed"
            assert answer["videoUrl"] == f"{second.url}/files/{task_id}.mp4"  # the simulator running now
            video = client.get(answer["videoUrl"])
            assert video.status_code == 200 and video.content[4:8] == b"ftyp"
        with Sandbox(SandboxConfig(speed=0)) as in_memory:  # no state path: nothing is shared
            assert _status(in_memory, client, task_id).status_code == 404


def test_render_time_runs_from_the_tasks_wall_clock_creation(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.sqlite3"
    clock = FakeClock(start=100.0)
    with httpx2.Client(timeout=5) as client:
        with Sandbox(SandboxConfig(speed=1.0, state_path=path, clock=clock)) as first:
            task_id = _render(first, client)
            assert _status(first, client, task_id).json()["status"] == "processing"
        store = TaskStore(path)
        stored = store.get(task_id)
        assert stored is not None
        # as if the task had been created long ago by a process that has since died
        store.put(stored._replace(created_wall=time.time() - stored.render_seconds - 1))
        with Sandbox(SandboxConfig(speed=1.0, state_path=path, clock=FakeClock(start=5.0))) as second:
            assert _status(second, client, task_id).json()["status"] == "completed"


def test_the_store_round_trips_a_task_and_its_idempotency_key(tmp_path: Path) -> None:
    store = TaskStore(tmp_path / "deep" / "sandbox.sqlite3")
    task = StoredTask(
        id="sd2_1",
        provider="seedance2ai",
        body={"prompt": "ünïcode ✓"},
        owner="o1",
        duration=5,
        charged=10,
        fail=True,
        fail_code="content_policy",
        created_wall=1_700_000_000.5,
        queue_seconds=1.0,
        render_seconds=10.0,
        refunded=False,
        extra={"quality": "standard"},
    )
    store.put(task, idempotency=("idem-1", "fp"))
    assert store.get("sd2_1") == task
    assert store.get("nope") is None
    assert store.idempotent("o1", "idem-1") == ("fp", "sd2_1")
    assert store.idempotent("o2", "idem-1") is None
    store.refunded("sd2_1")
    again = TaskStore(store.path)
    assert again.get("sd2_1") == task._replace(refunded=True)
    assert again.salt(b"new") == store.salt(b"other") == b"new"  # the first salt is kept
    assert (store.path.stat().st_mode & 0o777) == 0o600


def test_the_store_takes_concurrent_writers(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.sqlite3"
    errors: list[BaseException] = []

    def write(n: int) -> None:
        store = TaskStore(path)
        try:
            for i in range(20):
                store.put(
                    StoredTask(f"t{n}_{i}", "nanophoto", {}, "o", 4, 8, False, None, 1.0, 0.1, 1.0, False, {})
                )
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert all(TaskStore(path).get(f"t{n}_19") is not None for n in range(4))


@pytest.mark.parametrize("path", ["sandbox.sqlite3", 3])
def test_a_bad_state_path_is_refused_naming_the_field(path: object) -> None:
    with pytest.raises(ValueError, match=r"SandboxConfig\.state_path") as info:
        SandboxConfig(state_path=path)  # type: ignore[arg-type]
    assert "pathlib.Path" in str(info.value)


def test_a_folder_as_state_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"SandboxConfig\.state_path.*folder"):
        SandboxConfig(state_path=tmp_path)


@pytest.mark.anyio
async def test_a_stale_video_url_is_replaced_by_the_running_simulators(tmp_path: Path) -> None:
    """A job that succeeded in a dead process carries that process's URL: the next status
    check asks the task again and downloads from the simulator running now."""
    env = {"SEEDANCE_HOME": str(tmp_path / "home"), "SEEDANCE_OUTPUT_DIR": str(tmp_path / "v")}
    env |= {"SEEDANCE_SANDBOX_SPEED": "0.001", "SEEDANCE_POLL_INITIAL_DELAY": "0"}
    first = Service(Settings.from_env(env))
    job = await first.generate(VideoRequest(prompt="A kite"), wait_seconds=0)
    first.close()
    assert job.provider_task_id is not None
    dead = "http://127.0.0.1:9/files/" + job.provider_task_id + ".mp4"  # nothing listens there
    first.ledger.update(job.job_id, status=JobStatus.SUCCEEDED, video_url=dead)
    first.close()

    second = Service(Settings.from_env(env))
    done = await second.status(job.job_id)
    second.close()
    assert done.video_path is not None, done.notice
    assert done.video_url is not None and done.video_url != dead
    assert_whole_mp4(done.video_path)
