"""The job ledger: round trips, lookups, the shared rate budget, and several writers at once."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import platformdirs
import pytest
from pydantic import ValidationError

from seedance_mcp.errors import ConfigError, InvalidRequest, JobNotFound, LedgerCorrupt
from seedance_mcp.ledger import LEDGER_FILE, SCHEMA_VERSION, Ledger, default_home, new_job_id
from seedance_mcp.models import Job, JobError, JobStatus, LocalInput, Money, VideoRequest


def make_job(job_id: str | None = None, **fields: object) -> Job:
    return Job.model_validate(
        {
            "job_id": job_id or new_job_id(),
            "provider": "nanophoto",
            "request": VideoRequest(prompt="A red kite over the dunes at dawn"),
            **fields,
        }
    )


def full_job() -> Job:
    """A job in which every field differs from its default, so a lost field cannot hide."""
    return Job(
        job_id="job_0123456789ab",
        provider="apixo",
        provider_task_id="task-42",
        provider_refs={"status_url": "https://queue.example.com/requests/task-42/status"},
        status=JobStatus.SUCCEEDED,
        video_url="https://cdn.example.com/v/42.mp4?sig=abc",
        video_path="/videos/job_0123456789ab.mp4",
        credits=90,
        estimated_credits=100,
        cost=Money(amount=0.4147, unit="USD"),
        estimated_cost=Money(amount=0.5, unit="USD"),
        tokens=172800,
        last_frame_url="https://cdn.example.com/v/42-last.png",
        error=JobError(code="content_policy", message="refused", retryable=True),
        created_at=datetime(2025, 3, 1, 12, 0, 0, 123456, tzinfo=UTC),
        updated_at=datetime(2025, 3, 1, 12, 5, 0, tzinfo=UTC),
        request=VideoRequest(
            prompt="Slow dolly-in on a lighthouse in a storm",
            model="seedance-1.0-pro",
            aspect_ratio="9:16",
            resolution="1080p",
            duration=10,
            audio=True,
            fixed_lens=True,
            image_url="https://img.example.com/start.png",
            end_image_url="https://img.example.com/end.png",
            seed=7,
            flex=True,
            last_frame=True,
            reference_images=("./face.png", "https://img.example.com/ref.png"),
            reference_videos=("https://img.example.com/move.mp4",),
            reference_audios=("https://img.example.com/voice.mp3",),
        ),
        local_inputs=[
            LocalInput(
                field="reference_images[1]",
                path="/home/u/face.png",
                sha256="ab" * 32,
                bytes=812,
                mime="image/png",
                via="upload",
                url="https://files.example.com/face.png",
            )
        ],
        sandbox=True,
        notice="Download it within 15 days.",
    )


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.open(tmp_path) as led:
        yield led


def test_new_job_id_is_short_unique_and_file_safe() -> None:
    ids = {new_job_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(re.fullmatch(r"job_[0-9a-f]{12}", i) for i in ids)


def test_open_uses_home_or_the_user_data_dir(tmp_path: Path) -> None:
    assert default_home() == platformdirs.user_data_path("seedance-mcp")
    with Ledger.open(tmp_path / "home") as led:
        assert led.path == tmp_path / "home" / LEDGER_FILE
        assert led.path.is_file()


def test_every_field_round_trips_through_a_fresh_connection(tmp_path: Path) -> None:
    job = full_job()
    defaults = make_job()
    for name in Job.model_fields:
        assert getattr(job, name) != getattr(defaults, name), f"full_job() leaves {name} at its default"
    with Ledger.open(tmp_path) as led:
        assert led.create(job, idempotency_key="idem-1") == job
    with Ledger.open(tmp_path) as led:
        assert led.get(job.job_id) == job
        assert led.find("task-42") == job
        assert led.recent() == [job]


def test_update_changes_every_field_and_stores_them(ledger: Ledger) -> None:
    job = ledger.create(make_job(), idempotency_key="k")
    target = full_job()
    changes = {name: getattr(target, name) for name in Job.model_fields if name != "job_id"}
    updated = ledger.update(job.job_id, **changes)
    assert updated == target.model_copy(update={"job_id": job.job_id})
    assert ledger.get(job.job_id) == updated
    assert ledger.find("task-42") == updated
    assert ledger.recent(statuses=[JobStatus.SUCCEEDED]) == [updated]


def test_update_bumps_updated_at_and_keeps_the_rest(ledger: Ledger) -> None:
    job = ledger.create(make_job(), idempotency_key="k")
    running = ledger.update(job.job_id, status="running", provider_task_id="t-1")
    assert running.status is JobStatus.RUNNING
    assert running.updated_at > job.updated_at
    assert running.created_at == job.created_at
    assert running.request == job.request
    again = ledger.update(job.job_id, credits=5)
    assert again.updated_at > running.updated_at
    assert ledger.get(job.job_id) == again


def test_update_bumps_updated_at_even_if_the_clock_is_behind(ledger: Ledger) -> None:
    future = datetime.now(UTC) + timedelta(days=1)
    job = ledger.create(make_job(updated_at=future), idempotency_key="k")
    assert ledger.update(job.job_id, notice="x").updated_at > future


def test_update_after_a_naive_timestamp(ledger: Ledger) -> None:
    job = ledger.create(make_job(updated_at=datetime(2025, 1, 1, 12, 0)), idempotency_key="k")
    assert ledger.update(job.job_id, credits=1).updated_at > datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def test_update_accepts_plain_dicts_for_nested_fields(ledger: Ledger) -> None:
    job = ledger.create(make_job(), idempotency_key="k")
    failed = ledger.update(job.job_id, status=JobStatus.FAILED, error={"code": "x", "message": "boom"})
    assert failed.error == JobError(code="x", message="boom")
    assert ledger.get(job.job_id).error == JobError(code="x", message="boom")


def test_update_refuses_unknown_fields_job_id_and_bad_values(ledger: Ledger) -> None:
    job = ledger.create(make_job(), idempotency_key="k")
    with pytest.raises(TypeError, match="colour"):
        ledger.update(job.job_id, colour="red")
    with pytest.raises(TypeError, match="job_id"):
        ledger.update(job.job_id, job_id="job_other")  # type: ignore[misc]  # never renamed
    with pytest.raises(ValidationError):
        ledger.update(job.job_id, status="exploded")
    assert ledger.get(job.job_id) == job
    with pytest.raises(JobNotFound, match="seedance jobs"):
        ledger.update("job_missing00000", status="running")


def test_create_refuses_an_existing_job_id(ledger: Ledger) -> None:
    job = ledger.create(make_job(), idempotency_key="first")
    with pytest.raises(ValueError, match=job.job_id):
        ledger.create(make_job(job.job_id, provider="apixo"), idempotency_key="second")
    assert ledger.get(job.job_id).provider == "nanophoto"
    assert ledger.idempotency_key(job.job_id) == "first"


def test_get_missing_tells_the_user_what_to_run(ledger: Ledger) -> None:
    with pytest.raises(JobNotFound, match=r"job_nothere.*seedance jobs"):
        ledger.get("job_nothere")


def test_find_by_id_task_id_and_prefix(ledger: Ledger) -> None:
    a = ledger.create(make_job("job_aaaa11112222", provider_task_id="prov-1"), idempotency_key="k")
    b = ledger.create(make_job("job_bbbb33334444"), idempotency_key="k")
    assert ledger.find("job_aaaa11112222") == a
    assert ledger.find(" prov-1 ") == a
    assert ledger.find("job_bb") == b
    assert ledger.find("bbbb33") == b  # the hex part alone
    with pytest.raises(JobNotFound, match="at least 6"):
        ledger.find("job_b")
    with pytest.raises(JobNotFound, match="seedance jobs"):
        ledger.find("prov-2")
    with pytest.raises(JobNotFound):
        ledger.find("   ")


def test_find_ambiguous_prefix_names_the_candidates(ledger: Ledger) -> None:
    ledger.create(make_job("job_abcdef000001"), idempotency_key="k")
    ledger.create(make_job("job_abcdef000002"), idempotency_key="k")
    with pytest.raises(JobNotFound, match="more than one") as err:
        ledger.find("job_abcdef")
    assert "job_abcdef000001" in err.value.message
    assert "job_abcdef000002" in err.value.message
    assert ledger.find("abcdef000002").job_id == "job_abcdef000002"


def test_idempotency_key_is_kept_per_job(ledger: Ledger) -> None:
    a = ledger.create(make_job(), idempotency_key="idem-a")
    b = ledger.create(make_job(), idempotency_key="idem-b")
    ledger.update(a.job_id, status="running")
    assert ledger.idempotency_key(a.job_id) == "idem-a"
    assert ledger.idempotency_key(b.job_id) == "idem-b"
    with pytest.raises(JobNotFound):
        ledger.idempotency_key("job_missing00000")
    with pytest.raises(ValueError, match="idempotency_key"):
        ledger.create(make_job(), idempotency_key="")


def test_list_is_newest_first_limited_and_filtered(ledger: Ledger) -> None:
    base = datetime(2025, 1, 1, tzinfo=UTC)
    order = [3, 0, 4, 1, 2]  # created out of order on purpose
    jobs = {
        n: ledger.create(
            make_job(f"job_00000000000{n}", created_at=base + timedelta(hours=n)), idempotency_key="k"
        )
        for n in order
    }
    assert [j.job_id for j in ledger.recent()] == [jobs[n].job_id for n in (4, 3, 2, 1, 0)]
    assert [j.job_id for j in ledger.recent(2)] == [jobs[4].job_id, jobs[3].job_id]
    ledger.update(jobs[1].job_id, status=JobStatus.FAILED)
    ledger.update(jobs[3].job_id, status=JobStatus.UNKNOWN)
    picked = ledger.recent(statuses={JobStatus.FAILED, JobStatus.UNKNOWN})
    assert [j.job_id for j in picked] == [jobs[3].job_id, jobs[1].job_id]
    assert ledger.recent(statuses=[JobStatus.QUEUED], limit=1) == [jobs[4]]
    assert ledger.recent(statuses=[]) == []
    with pytest.raises(InvalidRequest, match="limit"):
        ledger.recent(0)


def test_list_orders_across_time_zones(ledger: Ledger) -> None:
    plus_two = datetime(2025, 1, 1, 15, 0, tzinfo=timezone(timedelta(hours=2)))
    early = ledger.create(make_job(created_at=plus_two), idempotency_key="k")  # 13:00 UTC
    late = ledger.create(make_job(created_at=datetime(2025, 1, 1, 14, 0, tzinfo=UTC)), idempotency_key="k")
    assert [j.job_id for j in ledger.recent()] == [late.job_id, early.job_id]


def test_rate_budget_waits_until_the_oldest_request_leaves(ledger: Ledger) -> None:
    def reserve(now: float) -> float:
        return ledger.reserve_request("nanophoto", limit=3, window=10.0, now=now)

    assert [reserve(100.0), reserve(101.0), reserve(102.0)] == [0.0, 0.0, 0.0]
    assert reserve(103.0) == pytest.approx(7.0)
    assert ledger.requests_in_window("nanophoto", window=10.0, now=103.0) == 3  # refusal not recorded
    assert reserve(109.5) == pytest.approx(0.5)
    assert reserve(110.0) == 0.0  # the request at 100.0 has left the window
    assert reserve(110.5) == pytest.approx(0.5)  # now 101.0 is the oldest
    assert ledger.requests_in_window("nanophoto", window=10.0, now=110.5) == 3
    assert ledger.requests_in_window("nanophoto", window=5.0, now=110.5) == 1
    assert ledger.reserve_request("apixo", limit=1, window=10.0, now=110.5) == 0.0  # buckets are separate


def test_rate_budget_prunes_old_rows(ledger: Ledger) -> None:
    for i in range(50):
        assert ledger.reserve_request("b", limit=2, window=1.0, now=float(i)) == 0.0
    (rows,) = sqlite3.connect(ledger.path).execute("SELECT COUNT(*) FROM requests").fetchone()
    assert rows <= 2


def test_rate_budget_is_shared_by_two_ledgers_on_one_file(tmp_path: Path) -> None:
    with Ledger.open(tmp_path) as one, Ledger.open(tmp_path) as two:
        assert one.reserve_request("p", limit=2, window=60.0, now=1000.0) == 0.0
        assert two.reserve_request("p", limit=2, window=60.0, now=1001.0) == 0.0
        assert one.reserve_request("p", limit=2, window=60.0, now=1002.0) == pytest.approx(58.0)
        assert two.requests_in_window("p", window=60.0, now=1002.0) == 2


def test_rate_budget_refuses_nonsense_limits(ledger: Ledger) -> None:
    with pytest.raises(ValueError, match="limit"):
        ledger.reserve_request("p", limit=0, window=1.0, now=0.0)
    with pytest.raises(ValueError, match="window"):
        ledger.reserve_request("p", limit=1, window=0.0, now=0.0)


def test_fresh_ledger_in_a_missing_nested_folder_is_private(tmp_path: Path) -> None:
    home = tmp_path / "a" / "b" / "c"
    with Ledger.open(home) as led:
        job = led.create(make_job(), idempotency_key="k")
        assert led.get(job.job_id) == job
    assert home.stat().st_mode & 0o777 == 0o700
    assert (home / LEDGER_FILE).stat().st_mode & 0o777 == 0o600
    conn = sqlite3.connect(home / LEDGER_FILE)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_schema_holds_no_secret_and_the_json_is_exactly_a_job(ledger: Ledger) -> None:
    ledger.create(full_job(), idempotency_key="idem")
    conn = sqlite3.connect(ledger.path)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"jobs", "requests", "films", "shot_renders"}  # films: tests/test_film_ledger.py
    columns = {r[1] for r in conn.execute("PRAGMA table_info(jobs)")}
    assert columns == {
        "job_id",
        "provider",
        "provider_task_id",
        "status",
        "created_at",
        "updated_at",
        "idempotency_key",
        "data",
    }
    assert {r[1] for r in conn.execute("PRAGMA table_info(requests)")} == {"bucket", "at"}
    (data,) = conn.execute("SELECT data FROM jobs").fetchone()
    assert set(json.loads(data)) == set(Job.model_fields)
    # `tokens` is the count a provider billed, not a credential.
    assert not any(re.search("api|secret|token(?!s$)|auth|password", f) for f in Job.model_fields)


def test_a_ledger_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    Ledger.open(tmp_path).close()
    conn = sqlite3.connect(tmp_path / LEDGER_FILE)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(ConfigError, match="newer seedance-mcp"):
        Ledger.open(tmp_path)


def test_a_damaged_file_gives_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / LEDGER_FILE).write_bytes(b"this is not a database, just some text" * 100)
    with pytest.raises(ConfigError, match="SEEDANCE_HOME"):
        Ledger.open(tmp_path)


def test_closed_ledger_refuses_work(tmp_path: Path) -> None:
    led = Ledger.open(tmp_path)
    led.close()
    led.close()  # twice is fine
    with pytest.raises(RuntimeError, match="closed"):
        led.recent()


def test_threads_share_one_ledger(ledger: Ledger) -> None:
    def work() -> None:
        for _ in range(25):
            job = ledger.create(make_job(), idempotency_key="k")
            ledger.update(job.job_id, status="running")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    jobs = ledger.recent(1000)
    assert len(jobs) == 100
    assert all(j.status is JobStatus.RUNNING for j in jobs)


WORKER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from seedance_mcp.ledger import Ledger, new_job_id
    from seedance_mcp.models import Job, VideoRequest

    home, worker, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    sys.stdin.readline()  # start together
    granted = 0
    with Ledger.open(home) as led:
        for i in range(count):
            job = Job(job_id=new_job_id(), provider="nanophoto",
                      request=VideoRequest(prompt=f"{worker} {i}"))
            led.create(job, idempotency_key=f"{worker}-{i}")
            led.update(job.job_id, status="running", provider_task_id=f"{worker}-task-{i}")
            led.update(job.job_id, status="succeeded", credits=i)
            if led.reserve_request("shared", limit=10, window=1000.0, now=5000.0 + i) == 0.0:
                granted += 1
    print(granted)
    """
)


def test_several_processes_write_at_once_without_losing_rows(tmp_path: Path) -> None:
    home = tmp_path / "fresh" / "home"  # also races the creation of the file and its schema
    workers, count = 4, 40
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(home), f"w{n}", str(count)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(workers)
    ]
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    results = [p.communicate(timeout=90) for p in procs]
    for p, (_out, err) in zip(procs, results, strict=True):
        assert "locked" not in err
        assert p.returncode == 0, err
    assert sum(int(out) for out, _ in results) == 10  # the budget held across processes
    with Ledger.open(home) as led:
        jobs = led.recent(1000)
        assert len(jobs) == workers * count
        assert all(j.status is JobStatus.SUCCEEDED for j in jobs)
        for n in range(workers):
            for i in range(count):
                job = led.find(f"w{n}-task-{i}")
                assert job.credits == i
                assert job.request.prompt == f"w{n} {i}"
                assert led.idempotency_key(job.job_id) == f"w{n}-{i}"
        assert led.requests_in_window("shared", window=1000.0, now=5000.0 + count) == 10


def test_one_unreadable_row_hides_no_other_job_and_is_named(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with Ledger.open(tmp_path) as led:
        good = led.create(make_job(), idempotency_key="idem-good")
        bad = led.create(make_job(), idempotency_key="idem-bad")
        worse = led.create(make_job(), idempotency_key="idem-worse")
        with led._write() as conn:  # as a crash or an older version might have left them
            conn.execute("UPDATE jobs SET data = ? WHERE job_id = ?", ("{not json", bad.job_id))
            broken = json.loads(worse.model_dump_json()) | {"status": "teleported"}
            conn.execute("UPDATE jobs SET data = ? WHERE job_id = ?", (json.dumps(broken), worse.job_id))
        with caplog.at_level(logging.WARNING, logger="seedance_mcp.ledger"):
            listed = led.recent(10)
        assert [j.job_id for j in listed] == [good.job_id]
        assert bad.job_id in caplog.text and worse.job_id in caplog.text
        for job in (bad, worse):
            with pytest.raises(LedgerCorrupt, match=job.job_id):
                led.find(job.job_id)
        assert led.find(good.job_id) == good


def test_a_damaged_ledger_file_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    with Ledger.open(tmp_path) as led:
        for n in range(40):  # enough rows to fill several pages
            led.create(
                make_job(request=VideoRequest(prompt=f"clip {n} " + "x" * 900)), idempotency_key=f"k{n}"
            )
    path = tmp_path / LEDGER_FILE  # closed: the last connection folded the WAL into the file
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    data[4 * page : 5 * page] = b"\xff" * page  # a data page in the middle: the schema still opens
    path.write_bytes(bytes(data))
    with pytest.raises((LedgerCorrupt, ConfigError)) as info, Ledger.open(tmp_path) as led:
        led.recent(10)
    message = info.value.message
    assert str(path) in message and "away" in message and "SEEDANCE_HOME" in message


def test_many_threads_opening_one_new_ledger_at_once_all_get_it(tmp_path: Path) -> None:
    # Switching a new file to WAL needs a moment alone with it; SQLite answers "database is
    # locked" to a second opener instead of waiting, which used to surface as a ConfigError.
    failures: list[str] = []
    for n in range(60):
        home = tmp_path / f"home{n}"

        def open_and_read(home: Path = home) -> None:
            try:
                with Ledger.open(home) as led:
                    led.recent(5)
            except Exception as err:
                failures.append(repr(err))

        threads = [threading.Thread(target=open_and_read) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert failures == []


def test_close_never_closes_a_connection_another_thread_is_using(tmp_path: Path) -> None:
    """Closing the ledger (a command unwinding after Ctrl-C) while a worker thread is inside a
    ledger call must not close SQLite's connection under that call: the call's own end does."""
    ledger = Ledger.open(tmp_path)
    inside, release = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def worker() -> None:
        with ledger.patience(1.0):
            seen["conn"] = conn = ledger._thread_conn()
            inside.set()
            release.wait(5)
            seen["rows"] = conn.execute("SELECT COUNT(*) FROM jobs").fetchone()[0]  # still open

    thread = threading.Thread(target=worker)
    thread.start()
    assert inside.wait(5)
    ledger.close()
    release.set()
    thread.join(5)
    assert seen["rows"] == 0
    conn = seen["conn"]
    assert isinstance(conn, sqlite3.Connection)
    with pytest.raises(sqlite3.ProgrammingError):  # closed once the call was over
        conn.execute("SELECT 1")
