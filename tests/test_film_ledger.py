"""The ledger's films tables: a film's record, and a shot request's content hash linked to its job."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from seedance_mcp.errors import JobNotFound
from seedance_mcp.ledger import SCHEMA_VERSION, Ledger
from seedance_mcp.models import Job, VideoRequest


def test_a_schema_1_ledger_gains_the_film_tables_and_keeps_its_jobs(tmp_path: Path) -> None:
    path = tmp_path / "jobs.sqlite3"
    with Ledger(path) as ledger:
        ledger.create(
            Job(job_id="job_aaaaaaaaaaaa", provider="apixo", request=VideoRequest(prompt="x")),
            idempotency_key="k",
        )
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE films")
    conn.execute("DROP TABLE shot_renders")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Ledger(path) as ledger:
        assert ledger.get("job_aaaaaaaaaaaa").provider == "apixo"
        ledger.link_shot("h1", job_id="job_aaaaaaaaaaaa", film_id="film_1", shot_id="a")
        assert ledger.shot_job("h1") == "job_aaaaaaaaaaaa"
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    columns = {r[1] for r in conn.execute("PRAGMA table_info(shot_renders)")}
    assert columns == {"request_hash", "job_id", "film_id", "shot_id", "created_at"}
    assert {r[1] for r in conn.execute("PRAGMA table_info(films)")} == {
        "film_id",
        "title",
        "status",
        "created_at",
        "updated_at",
        "data",
    }


def test_films_are_saved_found_by_prefix_and_listed_newest_first(tmp_path: Path) -> None:
    with Ledger(tmp_path / "jobs.sqlite3") as ledger:
        when = datetime(2026, 12, 1, tzinfo=UTC)
        ledger.save_film("film_aaaaaa111111", title="A", status="rendering", data='{"n": 1}', created_at=when)
        ledger.save_film("film_bbbbbb222222", title="B", status="done", data='{"n": 2}', created_at=when)
        ledger.save_film("film_aaaaaa111111", title="A", status="done", data='{"n": 3}', created_at=when)
        assert ledger.film("film_aaaaaa111111") == '{"n": 3}'
        assert ledger.film("film_bbbbbb") == '{"n": 2}'  # a unique prefix
        assert ledger.film("film_") is None  # not unique
        assert ledger.film("film_cccccc") is None
        assert ledger.films() == ['{"n": 3}', '{"n": 2}']


def test_a_link_is_replaced_when_a_shot_is_rendered_again_and_unknown_jobs_are_told(tmp_path: Path) -> None:
    with Ledger(tmp_path / "jobs.sqlite3") as ledger:
        assert ledger.shot_job("h") is None
        assert (
            ledger.link_shot("h", job_id="job_111111111111", film_id="f", shot_id="a") == "job_111111111111"
        )
        # a second claim (another run of the same storyboard) gets the first one's job, never its own
        assert (
            ledger.link_shot("h", job_id="job_333333333333", film_id="f", shot_id="a") == "job_111111111111"
        )
        # a retry takes the claim only from the failed job it replaces
        assert (
            ledger.link_shot(
                "h", job_id="job_222222222222", film_id="f", shot_id="a", replacing="job_999999999999"
            )
            == "job_111111111111"
        )
        assert (
            ledger.link_shot(
                "h", job_id="job_222222222222", film_id="f", shot_id="a", replacing="job_111111111111"
            )
            == "job_222222222222"
        )
        assert ledger.shot_job("h") == "job_222222222222"
        with pytest.raises(JobNotFound):  # linked, never recorded: nothing was sent
            ledger.get("job_222222222222")
