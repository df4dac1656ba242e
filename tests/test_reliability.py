"""Reliability: many jobs under injected faults, and processes killed at random moments.

Everything runs against the loopback simulator with a fake key; no request leaves the
machine. Two parts:

1. Fault soak. Jobs spread over the five providers go through the real `Service` while about
   one request in ten meets a fault (429, 503, 500, a reset connection, a cut-off download, a
   failed render), drawn from a seeded RNG. Afterwards every job is accounted for: each one is
   in the ledger, in a final state or honestly `unknown`; no job owns more than one provider
   task (the sandbox's task list is matched to the ledger through a tag in each prompt); an
   `unknown` job is exactly a non-idempotent submit whose answer was lost after the task was
   made; every saved file is whole; a finished render whose download failed says how to retry.
   100 jobs in the normal run, 1,000 with `--soak`.

2. Crash safety. `seedance generate` and the MCP server are SIGKILLed at a random point of a
   job's life; the ledger must still open, list the job, and `seedance status ID --wait` must
   finish every job that has a provider task id. A job whose submit was in flight shows as
   `queued` without a task id. 5 trials normally, 100 with `--soak`.

Each part prints a one-line summary (visible with `-s`).
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import pytest
from cli_harness import run_cli, simulator_env

from seedance_mcp.cli.render import next_step_text
from seedance_mcp.engine import Service
from seedance_mcp.errors import SeedanceError
from seedance_mcp.ledger import Ledger
from seedance_mcp.models import Job, JobStatus, VideoRequest
from seedance_mcp.providers import PROVIDER_IDS, get_provider
from seedance_mcp.sandbox import Fault, Sandbox, SandboxConfig
from seedance_mcp.sandbox.media import sample_mp4
from seedance_mcp.sandbox.state import SandboxState
from seedance_mcp.settings import Settings

KEY = "sk-reliability-FAKE-KEY-5e1d07"
SAMPLE_SIZE = len(sample_mp4())
FAULT_SEED = 20240611
CRASH_SEED = 7
TAG = re.compile(r"\[(?:soak|crash) [0-9/]+\]")

FAULTS = [
    # submit: ~10% answer faults, plus 3% of created tasks that fail to render
    Fault("429", "submit", probability=0.025, retry_after=0),
    Fault("503", "submit", probability=0.025),
    Fault("500", "submit", probability=0.02),
    Fault("reset", "submit", probability=0.02),
    Fault("fail_render", "submit", probability=0.03),
    # status: ~10%
    Fault("429", "status", probability=0.03, retry_after=0),
    Fault("503", "status", probability=0.03),
    Fault("500", "status", probability=0.02),
    Fault("reset", "status", probability=0.02),
    # download: ~10%, and one provider's CDN much flakier, so that some downloads fail all
    # their attempts and are left for `seedance status` to fetch
    Fault("503", "download", probability=0.6, provider="seedance15pro"),
    Fault("truncate", "download", probability=0.04),
    Fault("reset", "download", probability=0.02),
    Fault("503", "download", probability=0.02),
    Fault("500", "download", probability=0.02),
]
LOST_ANSWER = {"answer_lost", "provider_failure"}  # a submit that may have created a task
REFUSED = {"rate_limited", "provider_unavailable", "connect_failed"}  # a submit that created none


def provider_env(sb: Sandbox, provider: str, root: Path, key: str) -> dict[str, str]:
    """A real (non-sandbox-mode) configuration pointed at the simulator of one provider."""
    return simulator_env(sb, provider, root, key, SEEDANCE_RETRY_BASE_DELAY="0.005")


def whole_mp4(path: Path) -> bool:
    data = path.read_bytes()
    return len(data) == SAMPLE_SIZE and data[4:8] == b"ftyp"


def tasks_by_tag(sb: Sandbox) -> dict[str, list[Any]]:
    """The simulator's tasks, grouped by the tag each job carries in its prompt."""
    found: dict[str, list[Any]] = {}
    for task in sb.tasks():
        tags = TAG.findall(json.dumps(task.body))
        assert len(tags) == 1, f"task {task.id} carries no single job tag: {task.body}"
        found.setdefault(tags[0], []).append(task)
    return found


def tag_of(job: Job | dict[str, Any]) -> str:
    prompt = job.request.prompt if isinstance(job, Job) else job["request"]["prompt"]
    [tag] = TAG.findall(prompt)
    return tag


# ---- 1. fault soak ------------------------------------------------------------------------------


async def brief_sleep(seconds: float) -> None:
    """The Service's sleep, capped: backoffs (a download retry waits >= 1 s) shrink to a few ms."""
    await anyio.sleep(min(seconds, 0.02))


@dataclass
class SoakRun:
    jobs: int = 0
    raised: Counter[str] = field(default_factory=Counter)
    download_failed: list[Job] = field(default_factory=list)
    download_recovered: int = 0
    ledgers: list[Path] = field(default_factory=list)


async def run_batch(sb: Sandbox, root: Path, batch: int, size: int, run: SoakRun) -> None:
    home = root / f"batch{batch:03d}"
    # One client-side budget per ledger and one rate window per key at the simulator: a
    # batch stays inside NanoPhoto's 100 requests an hour, as a real user's machine would.
    key = f"{KEY}-b{batch}"
    services = {}
    for p in PROVIDER_IDS:
        env = provider_env(sb, p, home, key)
        env["SEEDANCE_OUTPUT_DIR"] = str(root / "videos")  # one folder for all: names must never clash
        services[p] = Service(Settings.from_env(env), sleep=brief_sleep)
    run.ledgers.append(home / "home")

    async def one(i: int) -> None:
        provider = PROVIDER_IDS[i % len(PROVIDER_IDS)]
        request = VideoRequest(prompt=f"[soak {batch:03d}/{i:03d}] a red kite over the dunes, slow pan")
        try:
            await services[provider].generate(request, wait_seconds=60)
        except SeedanceError as err:
            run.raised[err.code] += 1

    try:
        with anyio.fail_after(120):
            async with anyio.create_task_group() as tg:
                for i in range(size):
                    tg.start_soon(one, i)
        run.jobs += size
        # A finished render whose download failed: the ledger says how to retry; do so once.
        ledger = services[PROVIDER_IDS[0]].ledger  # the services share one ledger file
        for job in ledger.recent(10_000, statuses=[JobStatus.SUCCEEDED]):
            if job.video_path is None:
                run.download_failed.append(job)
                again = await services[job.provider].status(job.job_id)
                run.download_recovered += again.video_path is not None
    finally:
        for svc in services.values():
            svc.close()


def check_soak(sb: Sandbox, root: Path, run: SoakRun) -> tuple[Counter[str], list[str]]:
    """Every invariant, over every job; returns the status counts and the violations."""
    problems: list[str] = []
    statuses: Counter[str] = Counter()
    tasks = tasks_by_tag(sb)
    seen: set[str] = set()
    paths: set[Path] = set()
    for home in run.ledgers:
        with Ledger.open(home) as ledger:
            jobs = ledger.recent(100_000)
        for job in jobs:
            tag = tag_of(job)
            seen.add(tag)
            statuses[job.status.value] += 1
            mine = tasks.get(tag, [])
            where = f"{tag} {job.provider} {job.status.value}"
            if len(mine) > 1:
                problems.append(f"{where}: {len(mine)} paid tasks for one job")
            if not (job.status.is_final or job.status is JobStatus.UNKNOWN):
                problems.append(f"{where}: left in a non-final state")
            if job.provider_task_id is not None:
                if [t.id for t in mine] != [job.provider_task_id]:
                    problems.append(f"{where}: task id {job.provider_task_id} vs simulator {mine}")
            elif job.status is JobStatus.UNKNOWN:
                if get_provider(job.provider).caps.idempotency:
                    problems.append(f"{where}: unknown although the provider honours idempotency keys")
                if job.error is None or job.error.code not in LOST_ANSWER or len(mine) != 1:
                    problems.append(f"{where}: unknown without a lost submit answer ({job.error}, {mine})")
                if "NOT resent" not in (job.notice or ""):
                    problems.append(f"{where}: unknown without saying it was not resent")
            elif job.status is JobStatus.FAILED:
                statuses["failed without a task"] += 1
                if mine or job.error is None or job.error.code not in REFUSED:
                    problems.append(f"{where}: failed without a task, but {job.error} / {mine}")
            else:
                problems.append(f"{where}: no task id")
            if job.status is JobStatus.FAILED and mine and (mine[0].state != "failed" or mine[0].credits):
                problems.append(f"{where}: simulator task {mine[0].state}, {mine[0].credits} credits kept")
            if job.status is JobStatus.SUCCEEDED:
                if mine and mine[0].state != "succeeded":
                    problems.append(f"{where}: simulator says {mine[0].state}")
                if job.video_path is not None:
                    path = Path(job.video_path)
                    paths.add(path)
                    if path.parent != root / "videos" or not whole_mp4(path):
                        problems.append(f"{where}: {path} is not a whole MP4 in the output folder")
                elif job.error is None or f"seedance status {job.job_id}" not in (next_step_text(job) or ""):
                    problems.append(f"{where}: download failed without saying how to retry")
    for job in run.download_failed:
        if job.error is None or job.error.code != "download_failed":
            problems.append(f"{tag_of(job)}: a failed download recorded as {job.error}")
        if f"seedance status {job.job_id}" not in (next_step_text(job) or ""):
            problems.append(f"{tag_of(job)}: a failed download without the command to retry it")
    orphans = sorted(set(tasks) - seen)
    if orphans:
        problems.append(f"tasks with no job in any ledger (lost jobs): {orphans[:10]}")
    if sum(n for s, n in statuses.items() if s in set(JobStatus)) != run.jobs:
        problems.append(f"{run.jobs} jobs submitted, {statuses} in the ledgers")
    on_disk = set((root / "videos").iterdir()) if (root / "videos").exists() else set()
    if on_disk != paths:
        problems.append(f"files not owned by a job: {sorted(p.name for p in on_disk - paths)[:10]}")
    return statuses, problems


async def fault_soak(total: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hits: Counter[str] = Counter()
    take_fault = SandboxState.take_fault

    def counted(self: SandboxState, provider: str, on: str, kinds: frozenset[str]) -> Fault | None:
        fault = take_fault(self, provider, on, kinds)
        if fault is not None:
            hits[f"{on}:{fault.kind}"] += 1
        return fault

    monkeypatch.setattr(SandboxState, "take_fault", counted)
    run = SoakRun()
    started = time.monotonic()
    config = SandboxConfig(speed=0.0005, seed=FAULT_SEED, faults=FAULTS)
    with Sandbox(config) as sb:
        batch_size = 50
        for batch in range(0, (total + batch_size - 1) // batch_size):
            await run_batch(sb, tmp_path, batch, min(batch_size, total - batch * batch_size), run)
        statuses, problems = check_soak(sb, tmp_path, run)
        hits["submit:fail_render"] = sum(t.state == "failed" for t in sb.tasks())
        requests = len(sb.requests)
        task_count = len(sb.tasks())
    elapsed = time.monotonic() - started
    print(
        f"\nfault soak: {run.jobs} jobs over {len(PROVIDER_IDS)} providers in {elapsed:.1f} s; "
        f"final status {dict(sorted(statuses.items()))}; submits refused after retries "
        f"{dict(sorted(run.raised.items()))}; downloads failed {len(run.download_failed)}, "
        f"recovered by `status` {run.download_recovered}; {task_count} simulator tasks, "
        f"{requests} requests, faults hit {sum(hits.values())} {dict(sorted(hits.items()))}; "
        f"violations {len(problems)}"
    )
    assert not problems, "\n".join(problems[:40])
    # every submit refused after its retries is exactly one `failed` job without a task
    assert sum(run.raised.values()) == statuses.pop("failed without a task", 0)
    assert statuses["succeeded"] > 0.8 * run.jobs
    assert sum(hits.values()) > 0.2 * run.jobs  # the faults really were there


@pytest.mark.anyio
async def test_fault_soak_keeps_every_job_accounted_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await fault_soak(100, tmp_path, monkeypatch)


@pytest.mark.soak
@pytest.mark.timeout(900)
@pytest.mark.anyio
async def test_fault_soak_1000_jobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    await fault_soak(1000, tmp_path, monkeypatch)


# ---- 2. crash safety ----------------------------------------------------------------------------


def child_env(env: dict[str, str]) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not (k.startswith("SEEDANCE") or k.endswith("_API_KEY"))}
    return {**base, **env}


def cli_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: dict[str, str], *argv: str
) -> tuple[int, Any, str]:
    """`seedance ...` in this process, with exactly `env` as its configuration."""
    code, out, err = run_cli(monkeypatch, capsys, env, *argv)
    assert KEY not in out and KEY not in err
    assert "Traceback" not in err, err
    payload = json.loads(out) if "--json" in argv and out.strip() else out
    return code, payload, err


def mcp_messages(prompt: str) -> bytes:
    lines = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "crash-test", "version": "0"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {
            "jsonrpc": "2.0",
            "id": 2,
            "method": "tools/call",
            "params": {"name": "generate_video", "arguments": {"prompt": prompt, "wait_seconds": 45}},
        },
    ]
    return b"".join(json.dumps(line).encode() + b"\n" for line in lines)


@dataclass
class CrashTally:
    outcomes: Counter[str] = field(default_factory=Counter)
    shown_in_flight: Counter[str] = field(default_factory=Counter)
    stray_parts: int = 0  # `.part` files a download killed mid-stream left behind (never published)


def crash_trial(
    n: int,
    rng: random.Random,
    sb: Sandbox,
    root: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    secret_scan: Any,
    tally: CrashTally,
) -> None:
    kind = "cli" if n % 2 == 0 else "mcp"
    provider = rng.choice(PROVIDER_IDS)
    tag = f"[crash {n:03d}]"
    prompt = f"{tag} rain on a tin roof at night, slow push in"
    env = provider_env(sb, provider, root / f"trial{n:03d}", f"{KEY}-c{n}")
    env["SEEDANCE_POLL_INITIAL_DELAY"] = "0.05"
    if kind == "cli":
        argv = [sys.executable, "-m", "seedance_mcp.cli", "generate", prompt, "--json"]
        stdin = None
    else:
        argv = [sys.executable, "-m", "seedance_mcp.server", "--log-level", "WARNING"]
        stdin = subprocess.PIPE
    proc = subprocess.Popen(
        argv, env=child_env(env), stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    if proc.stdin is not None:
        proc.stdin.write(mcp_messages(prompt))
        proc.stdin.flush()  # stdin stays open: the server would stop at its end
    delay = rng.uniform(0.0, 2.0)
    try:
        proc.wait(timeout=delay)
        killed = False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        killed = True
    out, err = proc.communicate(timeout=30)
    secret_scan.add_output(f"crash trial {n} stdout", out.decode(errors="replace"))
    secret_scan.add_output(f"crash trial {n} stderr", err.decode(errors="replace"))
    assert killed or kind == "cli", f"the MCP server stopped on its own: {err.decode()[-2000:]}"
    assert b"Traceback" not in err, err.decode()[-2000:]

    code, listing, _ = cli_run(monkeypatch, capsys, env, "jobs", "--json")
    assert code == 0, listing
    jobs = listing["jobs"]
    tasks = tasks_by_tag(sb).get(tag, [])
    label = f"trial {n} ({kind}, {provider}, killed after {delay:.2f} s)"
    assert len(jobs) <= 1 and len(tasks) <= 1, label
    if tasks:
        assert jobs, f"{label}: the simulator made a task but no job is in the ledger"
    if not jobs:
        tally.outcomes["killed before the job was recorded"] += 1
        return
    [job] = jobs
    assert tag_of(job) == tag
    if job["provider_task_id"] is None:
        # Killed between writing the job and writing the submit's answer.
        assert job["status"] == "queued", f"{label}: {job}"
        code, shown, _ = cli_run(monkeypatch, capsys, env, "status", job["job_id"], "--json")
        assert shown["job_id"] == job["job_id"], label
        in_flight = "task made at the provider" if tasks else "no task at the provider"
        tally.outcomes[f"submit in flight ({in_flight})"] += 1
        tally.shown_in_flight[f"`status` exit {code}, status {shown['status']}"] += 1
        return
    assert [t.id for t in tasks] == [job["provider_task_id"]], label
    if job["status"] == "succeeded" and job["video_path"]:
        tally.outcomes["done before the kill"] += 1
        path = Path(job["video_path"])
    else:
        code, done, err_text = cli_run(
            monkeypatch, capsys, env, "status", job["job_id"], "--wait", "--timeout", "60", "--json"
        )
        assert code == 0 and done["status"] == "succeeded", f"{label}: {done} {err_text}"
        assert done["job_id"] == job["job_id"]
        tally.outcomes[f"{job['status']} with task id, finished by `status --wait`"] += 1
        path = Path(done["video_path"])
    assert whole_mp4(path), label
    assert len(tasks_by_tag(sb)[tag]) == 1, f"{label}: finishing the job made a second task"
    for video in path.parent.glob("*.mp4"):
        assert whole_mp4(video), f"{label}: {video} is not whole"
    tally.stray_parts += len(list(path.parent.glob("*.part")))


def crash_trials(
    count: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    secret_scan: Any,
) -> None:
    rng = random.Random(CRASH_SEED)
    tally = CrashTally()
    started = time.monotonic()
    with Sandbox(SandboxConfig(speed=0.015, seed=CRASH_SEED)) as sb:
        for n in range(count):
            crash_trial(n, rng, sb, tmp_path, monkeypatch, capsys, secret_scan, tally)
    with capsys.disabled():
        print(
            f"\ncrash trials: {count} SIGKILLs ({(count + 1) // 2} CLI, {count // 2} MCP server) in "
            f"{time.monotonic() - started:.1f} s; {dict(sorted(tally.outcomes.items()))}; "
            f"in-flight jobs shown as {dict(tally.shown_in_flight)}; stray .part files {tally.stray_parts}"
        )


def test_sigkill_at_random_moments_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], secret_scan: Any
) -> None:
    crash_trials(5, tmp_path, monkeypatch, capsys, secret_scan)


@pytest.mark.soak
@pytest.mark.timeout(1200)
def test_sigkill_100_trials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], secret_scan: Any
) -> None:
    crash_trials(100, tmp_path, monkeypatch, capsys, secret_scan)


# ---- a kill while the submit's answer is on its way ---------------------------------------------


class AnswerEater:
    """A loopback hop in front of the simulator that forwards each request, lets the simulator
    act on it (a submit creates and charges its task), and never passes the answer back."""

    def __init__(self, upstream: Sandbox) -> None:
        self._upstream = upstream.port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self.forwarded = threading.Event()
        self._closing = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def base_url(self, provider: str) -> str:
        return f"http://127.0.0.1:{self.port}/{provider}"

    @staticmethod
    def _read_message(conn: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        match = re.search(rb"(?im)^content-length:\s*(\d+)", head)
        length = int(match.group(1)) if match else 0
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                break
            body += chunk
        return head + b"\r\n\r\n" + body

    def _serve(self) -> None:
        while not self._closing.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(30)
            self._held.append(conn)
            request = self._read_message(conn)
            with socket.create_connection(("127.0.0.1", self._upstream)) as up:
                up.sendall(request)
                self._read_message(up)  # the answer, swallowed
            self.forwarded.set()

    def close(self) -> None:
        self._closing.set()
        self._thread.join(5)
        self._listener.close()
        for conn in self._held:
            conn.close()


@dataclass
class InFlight:
    sb: Sandbox
    env: dict[str, str]
    job: dict[str, Any]


@pytest.fixture
def killed_mid_submit(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    secret_scan: Any,
) -> Iterator[InFlight]:
    """`seedance generate` SIGKILLed after its submit reached the provider, before the answer
    came back: the provider made (and charged) the task; the ledger never heard of it."""
    provider: str = request.param
    with Sandbox(SandboxConfig(speed=0.002)) as sb:
        hop = AnswerEater(sb)
        try:
            env = provider_env(sb, provider, tmp_path, KEY)
            through_hop = {**env, "SEEDANCE_BASE_URL": hop.base_url(provider)}
            proc = subprocess.Popen(
                [sys.executable, "-m", "seedance_mcp.cli", "generate", "[crash 999] a kite", "--json"],
                env=child_env(through_hop),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            assert hop.forwarded.wait(30), "the submit never reached the simulator"
            proc.send_signal(signal.SIGKILL)
            out, err = proc.communicate(timeout=30)
            secret_scan.add_output("killed CLI stdout", out.decode(errors="replace"))
            secret_scan.add_output("killed CLI stderr", err.decode(errors="replace"))
        finally:
            hop.close()
        assert len(sb.tasks(provider)) == 1
        code, listing, _ = cli_run(monkeypatch, capsys, env, "jobs", "--json")
        assert code == 0
        [job] = listing["jobs"]
        yield InFlight(sb, env, job)


@pytest.mark.parametrize("killed_mid_submit", ["apixo", "seedance2ai"], indirect=True)
def test_a_job_killed_mid_submit_is_listed_queued_without_a_task_id(killed_mid_submit: InFlight) -> None:
    job = killed_mid_submit.job
    assert job["status"] == "queued" and job["provider_task_id"] is None
    assert job["request"]["prompt"] == "[crash 999] a kite"


@pytest.mark.parametrize("killed_mid_submit", ["apixo"], indirect=True)
def test_status_of_a_job_killed_mid_submit_says_the_submit_may_have_been_charged(
    killed_mid_submit: InFlight, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env, job = killed_mid_submit.env, killed_mid_submit.job
    code, shown, _ = cli_run(monkeypatch, capsys, env, "status", job["job_id"], "--wait", "--json")
    assert "Still rendering" not in (shown["notice"] or "")
    assert shown["status"] == "unknown" and code == 1
    assert "dashboard" in shown["notice"]


@pytest.mark.parametrize("killed_mid_submit", ["seedance2ai"], indirect=True)
def test_status_resends_an_idempotent_submit_killed_mid_flight(
    killed_mid_submit: InFlight, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sb, env, job = killed_mid_submit.sb, killed_mid_submit.env, killed_mid_submit.job
    code, done, _ = cli_run(
        monkeypatch, capsys, env, "status", job["job_id"], "--wait", "--timeout", "30", "--json"
    )
    assert code == 0 and done["status"] == "succeeded", done
    assert [t.id for t in sb.tasks("seedance2ai")] == [done["provider_task_id"]]
    assert whole_mp4(Path(done["video_path"]))
