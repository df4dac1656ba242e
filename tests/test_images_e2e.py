"""Pictures end to end against the built-in simulator: `seedance image`, its URL as a video's
start frame, refusals before anything is sent, kill -9 between submit and download, a submit
whose answer was lost, and the MCP tools."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx2
import pytest
from cli_harness import run_cli
from mcp.client import Client

from seedance_mcp.engine import Service
from seedance_mcp.engine.wiring import SANDBOX_KEY
from seedance_mcp.images.formats import read_image
from seedance_mcp.images.models import ImageJob, ImageRequest
from seedance_mcp.images.store import ImageStore, new_image_job_id
from seedance_mcp.images.validation import resolve_image_request
from seedance_mcp.models import JobStatus
from seedance_mcp.providers.seedance2ai_images import build_image_submit
from seedance_mcp.sandbox import Fault, SandboxConfig
from seedance_mcp.server import build_server
from seedance_mcp.settings import Settings

PROMPT = "a lighthouse at dusk"


def sandbox_env(root: Path, **extra: str) -> dict[str, str]:
    """Sandbox mode with no key at all: the simulator's tasks kept in SEEDANCE_HOME."""
    return {
        "SEEDANCE_SANDBOX": "1",
        "SEEDANCE_HOME": str(root / "home"),
        "SEEDANCE_OUTPUT_DIR": str(root / "out"),
        "SEEDANCE_SANDBOX_SPEED": "0.01",
        **extra,
    }


def sim_tasks(root: Path) -> list[tuple[str, str]]:
    """(task id, body) of every task the simulators of all processes created under `root`."""
    with sqlite3.connect(root / "home" / "sandbox.sqlite3") as conn:
        return [
            (str(r[0]), str(r[1])) for r in conn.execute("SELECT id, body FROM tasks ORDER BY created_wall")
        ]


def assert_pictures(job: dict[str, Any], count: int) -> None:
    assert job["status"] == "succeeded" and len(job["image_paths"]) == count == len(job["image_urls"])
    for path in job["image_paths"]:
        info = read_image(Path(path).read_bytes())
        assert (info.format, info.width, info.height) == ("png", 160, 90)
    for url in job["image_urls"]:
        assert url.startswith("https://")


# ---- the done-when: a saved picture whose URL is a start frame at once -----------------------


def test_a_picture_is_saved_and_its_url_starts_a_video(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = sandbox_env(tmp_path)
    code, out, err = run_cli(monkeypatch, capsys, env, "image", PROMPT, "--json")
    assert code == 0, err
    job = json.loads(out)
    assert_pictures(job, 1)
    assert job["job_id"].startswith("img_") and job["cost"] == {"amount": 4.0, "unit": "credits"}
    assert "gpt-image-2: submitting 1 picture (no published price, sandbox: free)" in err
    url = job["image_urls"][0]
    assert url in job["next_step"]

    code, out, err = run_cli(
        monkeypatch, capsys, env, "generate", "the beam sweeps the waves", "--provider", "seedance2ai",
        "--image", url, "--json",
    )  # fmt: skip
    assert code == 0, err
    video = json.loads(out)
    assert video["status"] == "succeeded" and Path(video["video_path"]).read_bytes()[4:8] == b"ftyp"
    assert video["request"]["image_url"] == url
    bodies = [json.loads(body) for _, body in sim_tasks(tmp_path)]
    assert (
        bodies[0]["prompt"] == PROMPT
        and bodies[1]["image_url"] == url
        and bodies[1]["mode"] == "image-to-video"
    )

    # A finished job looked up again is answered from the ledger: nothing is fetched twice.
    code, out, _ = run_cli(monkeypatch, capsys, env, "status", job["job_id"], "--json")
    assert code == 0 and json.loads(out)["image_paths"] == job["image_paths"]
    assert len(list((tmp_path / "out").glob("img_*"))) == 1


def test_several_pictures_and_text_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = sandbox_env(tmp_path)
    code, out, err = run_cli(
        monkeypatch,
        capsys,
        env,
        "image",
        PROMPT,
        "--count",
        "3",
        "--aspect-ratio",
        "16:9",
        "--resolution",
        "2K",
    )
    assert code == 0, err
    assert out.startswith("image job img_") and "status succeeded" in out and "16:9  2K  x3" in out
    assert out.count("(png 160x90)") == 3 and "cost: 24 seedance2ai credits" in out
    [(_, body)] = sim_tasks(tmp_path)
    assert json.loads(body) == {
        "type": "text-to-image",
        "prompt": PROMPT,
        "resolution": "2K",
        "aspectRatio": "16:9",
        "batchCount": 3,
    }


@pytest.mark.parametrize(
    ("args", "field", "needle"),
    [
        (["--model", "midjourney"], "model", "allowed: gpt-image-2, nano-banana-pro"),
        (["--aspect-ratio", "7:3"], "aspect_ratio", "allowed: auto, 1:1"),
        (["--model", "nano-banana-pro", "--aspect-ratio", "9:21"], "aspect_ratio", "allowed: 1:1, 9:16"),
        (["--resolution", "8K"], "resolution", "allowed: 1K, 2K, 4K"),
        (["--aspect-ratio", "auto", "--resolution", "2K"], "resolution", "allowed with auto: 1K"),
        (["--count", "5"], "count", "allowed on gpt-image-2: 1-4"),
        (["--count", "0"], "count", "allowed on gpt-image-2: 1-4"),
        (["--model", "nano-banana-pro", "--count", "2"], "count", "allowed on nano-banana-pro: 1"),
        (
            [a for n in range(11) for a in ("--image", f"https://cdn.example.com/{n}.png")],
            "image_urls",
            "at most 10",
        ),
        (["--image", "http://cdn.example.com/a.png"], "image_urls", "https"),
        (["--image", "https://192.168.1.9/a.png"], "image_urls", "private"),
        (["--image", "./cat.png"], "image_urls", "local file"),
    ],
)
def test_every_bad_input_exits_2_naming_the_field_before_anything_is_sent(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    field: str,
    needle: str,
) -> None:
    code, out, err = run_cli(monkeypatch, capsys, sandbox_env(tmp_path), "image", PROMPT, *args, "--json")
    assert code == 2, err
    error = json.loads(out)["error"]
    assert error["field"] == field and error["message"].startswith(field) and needle in error["message"]
    assert "submitting" not in err
    # Refused before the simulator started or the ledger opened: no request could have left.
    assert not (tmp_path / "home").exists()


def test_a_bad_number_is_a_usage_error_and_a_cap_needs_the_cost_confirmed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = sandbox_env(tmp_path, SEEDANCE_MAX_CREDITS="100")
    code, out, _ = run_cli(monkeypatch, capsys, env, "image", PROMPT, "--count", "two", "--json")
    assert code == 2 and "--count" in json.loads(out)["error"]["message"]
    code, out, _ = run_cli(monkeypatch, capsys, env, "image", PROMPT, "--json")
    assert code == 2 and "publishes no price" in json.loads(out)["error"]["message"]
    assert not (tmp_path / "home").exists()
    code, out, err = run_cli(monkeypatch, capsys, env, "image", PROMPT, "--confirm-cost", "--json")
    assert code == 0, err
    assert_pictures(json.loads(out), 1)


def test_without_a_key_or_the_sandbox_nothing_is_sent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {"SEEDANCE_HOME": str(tmp_path / "home")}
    code, out, _ = run_cli(monkeypatch, capsys, env, "image", PROMPT, "--json")
    assert code == 2 and "SEEDANCE2AI_API_KEY" in json.loads(out)["error"]["message"]


# ---- never lost, never paid twice ------------------------------------------------------------


def _image_task_id(db: Path, seconds: float = 30) -> tuple[str, str] | None:
    """(job id, task id) of the one image job in the ledger at `db`, once its task id is recorded."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with sqlite3.connect(db) as conn:
                row = conn.execute("SELECT job_id, provider_task_id FROM images").fetchone()
        except sqlite3.OperationalError:  # not created yet
            row = None
        if row and row[1]:
            return str(row[0]), str(row[1])
        time.sleep(0.02)
    return None


def test_killed_between_submit_and_download_status_finishes_it_paid_once(tmp_path: Path) -> None:
    """SIGKILL `seedance image` once its task id is recorded; `seedance status` saves the pictures
    from the same task (the simulator's tasks outlive the process, as a provider's do)."""
    env = {k: v for k, v in os.environ.items() if not (k.startswith("SEEDANCE") or k.endswith("_API_KEY"))}
    env.update(sandbox_env(tmp_path, SEEDANCE_SANDBOX_SPEED="0.5"))  # pictures take 2.5-10 s
    proc = subprocess.Popen(
        [sys.executable, "-m", "seedance_mcp.cli", "image", PROMPT, "--count", "2", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        found = _image_task_id(tmp_path / "home" / "jobs.sqlite3")
        assert found, "the image job never reached the ledger with its task id"
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL and out == b""
    job_id, task_id = found
    assert list((tmp_path / "out").glob("*.png")) == []  # killed before any download

    done = subprocess.run(
        [sys.executable, "-m", "seedance_mcp.cli", "status", job_id, "--wait", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stderr
    job = json.loads(done.stdout)
    assert job["job_id"] == job_id and job["provider_task_id"] == task_id
    assert_pictures(job, 2)
    assert [t for t, _ in sim_tasks(tmp_path)] == [task_id]  # one task: paid once


@pytest.mark.anyio
async def test_a_submit_whose_answer_was_lost_is_re_sent_with_its_key_and_gets_the_same_task(
    tmp_path: Path,
) -> None:
    """The process died after the submit reached the provider and before its answer was
    recorded (the row has no task id): the next look re-sends with the recorded key."""
    svc = Service(Settings.from_env(sandbox_env(tmp_path)))
    try:
        req = resolve_image_request(ImageRequest(prompt=PROMPT, model="nano-banana-pro"))
        job = ImageJob(job_id=new_image_job_id(), provider="seedance2ai", request=req, sandbox=True)
        key = f"seedance-{job.job_id}-lost"
        ImageStore(svc.ledger).create(job, idempotency_key=key)
        # The submit that reached the provider, whose answer nobody recorded.
        wire = build_image_submit(req, key)
        await svc._wiring.prepare(svc.settings.target("seedance2ai"))
        assert svc.sandbox is not None
        sent = httpx2.post(
            svc.sandbox.base_url("seedance2ai") + wire.path,
            json=wire.json,
            headers={**wire.headers, "Authorization": f"Bearer {SANDBOX_KEY}"},
        )
        first_task = sent.json()["id"]

        done = await svc.image_status(job.job_id, wait_seconds=30)
        assert done.status is JobStatus.SUCCEEDED and done.provider_task_id == first_task
        assert done.saved and read_image(Path(done.images[0].path or "").read_bytes()).format == "png"
        assert [t.id for t in svc.sandbox.tasks("seedance2ai")] == [first_task]
        assert ImageStore(svc.ledger).get(job.job_id).saved  # recorded, not only returned
    finally:
        svc.close()


@pytest.mark.anyio
async def test_an_answer_lost_on_the_wire_is_retried_with_the_same_key(tmp_path: Path) -> None:
    """The connection drops after the simulator created (and charged) the task: the client
    re-sends with the same Idempotency-Key, and the simulator answers with that same task."""
    config = SandboxConfig(speed=0.01, faults=[Fault("reset", "submit", provider="seedance2ai")])
    svc = Service(Settings.from_env(sandbox_env(tmp_path)), sandbox_config=config)
    try:
        job = await svc.generate_image(ImageRequest(prompt=PROMPT), wait_seconds=30)
        assert svc.sandbox is not None
        tasks = svc.sandbox.tasks("seedance2ai")
        assert job.saved and [t.id for t in tasks] == [job.provider_task_id]
        submits = [r for r in svc.sandbox.requests if r.method == "POST"]
        assert len(submits) == 2  # the first lost its answer, the second got the same task
    finally:
        svc.close()


@pytest.mark.anyio
async def test_a_save_that_failed_on_a_dead_url_asks_the_task_again_and_saves(tmp_path: Path) -> None:
    """The recorded URL no longer answers (expired): the next check asks the task for fresh URLs
    instead of trying the dead one again."""
    from seedance_mcp.images.models import ImageFile
    from seedance_mcp.models import JobError
    from seedance_mcp.sandbox.images import CDN_HOST

    svc = Service(Settings.from_env(sandbox_env(tmp_path)))
    try:
        job = await svc.generate_image(ImageRequest(prompt=PROMPT), wait_seconds=30, download=False)
        assert job.status is JobStatus.SUCCEEDED and not job.saved
        store = ImageStore(svc.ledger)
        store.update(
            job.job_id,
            images=[ImageFile(url=f"https://{CDN_HOST}/files/gone.png")],
            error=JobError(code="image_url_expired", message="410", retryable=True),
        )
        done = await svc.image_status(job.job_id)
        assert done.saved and done.error is None
        assert done.images[0].url == job.images[0].url  # the task's own URL again
        assert read_image(Path(done.images[0].path or "").read_bytes()).format == "png"
    finally:
        svc.close()


@pytest.mark.anyio
async def test_a_failed_render_is_recorded_refunded_and_never_downloaded(tmp_path: Path) -> None:
    config = SandboxConfig(speed=0.01, faults=[Fault("fail_render", "submit", provider="seedance2ai")])
    svc = Service(Settings.from_env(sandbox_env(tmp_path)), sandbox_config=config)
    try:
        job = await svc.generate_image(ImageRequest(prompt=PROMPT), wait_seconds=30)
        assert job.status is JobStatus.FAILED and job.images == [] and job.error is not None
        assert job.cost is not None and job.cost.amount == 0
        assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
    finally:
        svc.close()


# ---- the MCP tools ---------------------------------------------------------------------------


@pytest.mark.anyio
async def test_generate_image_and_check_image_through_mcp(tmp_path: Path) -> None:
    env = sandbox_env(tmp_path)
    server = build_server(lambda: Service(settings=Settings.from_env(env)))
    async with Client(server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        assert {"generate_image", "check_image"} <= set(tools)
        assert tools["generate_image"].input_schema["required"] == ["prompt"]
        result = await client.call_tool(
            "generate_image", {"prompt": PROMPT, "count": 2, "aspect_ratio": "9:16"}
        )
        assert not result.is_error
        made = result.structured_content
        assert made is not None
        assert_pictures(made, 2)
        assert "generate_video's image_url" in made["next_step"]
        again = await client.call_tool("check_image", {"job_id": made["job_id"]})
        assert (
            again.structured_content is not None
            and again.structured_content["image_paths"] == made["image_paths"]
        )

        refused = await client.call_tool(
            "generate_image", {"prompt": PROMPT, "model": "nano-banana-pro", "count": 3}
        )
        assert refused.is_error
        text = " ".join(getattr(block, "text", "") for block in refused.content)
        assert "count" in text and "allowed on nano-banana-pro: 1" in text
        missing = await client.call_tool("check_image", {"job_id": "img_000000000000"})
        assert missing.is_error
    assert [t for t, _ in sim_tasks(tmp_path)] == [made["provider_task_id"]]
