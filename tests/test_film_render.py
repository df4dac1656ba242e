"""A film rendered against the loopback simulator: parallel shots, chaining, reuse, a failed parent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from seedance_mcp.engine import Service
from seedance_mcp.film import films
from seedance_mcp.film.runner import FilmOptions, ShotProgress
from seedance_mcp.film.storyboard import parse_storyboard
from seedance_mcp.sandbox import Fault, SandboxConfig
from seedance_mcp.settings import Settings

pytestmark = pytest.mark.anyio

SPEED = 0.002


def service(tmp_path: Path, *faults: Fault) -> Service:
    env = {
        "SEEDANCE_SANDBOX": "1",
        "SEEDANCE_SANDBOX_SPEED": str(SPEED),
        "SEEDANCE_HOME": str(tmp_path / "home"),
        "SEEDANCE_OUTPUT_DIR": str(tmp_path / "films"),
    }
    config = SandboxConfig(
        speed=SPEED, clips=True, faults=list(faults), state_path=tmp_path / "home" / "sandbox.sqlite3"
    )
    return Service(Settings.from_env(env), sandbox_config=config)


def board(*shots: dict[str, Any]) -> Any:
    return parse_storyboard(
        {"title": "Harbour at Dawn", "provider": "byteplus", "resolution": "480p", "shots": list(shots)}
    )


STORM = {"id": "storm", "prompt": "A storm over the harbour; slow push in", "duration": 4}
STAIRS = {"id": "stairs", "prompt": "The keeper climbs the stairs", "duration": 4, "continue_from": "storm"}
LAMP = {"id": "lamp", "prompt": "The lamp turns", "duration": 4, "transition": "crossfade", "crossfade": 1.0}


class Events:
    def __init__(self) -> None:
        self.seen: list[ShotProgress] = []

    async def __call__(self, p: ShotProgress) -> None:
        self.seen.append(p)

    def first(self, shot: str, status: str) -> int:
        return next(i for i, p in enumerate(self.seen) if p.shot_id == shot and p.status == status)


async def render(svc: Service, b: Any, **options: Any) -> Any:
    return await films.render(svc, b, FilmOptions(wait_seconds=120, **options))


def submits(svc: Service) -> int:
    assert svc.sandbox is not None
    return len(svc.sandbox.tasks("byteplus"))


async def test_a_film_renders_chains_and_stitches_to_all_four_outputs(tmp_path: Path) -> None:
    svc = service(tmp_path)
    events = Events()
    try:
        record = await films.render(
            svc, board(STORM, STAIRS, LAMP), FilmOptions(wait_seconds=120), on_progress=events
        )
        assert record.status == "done", record
        assert submits(svc) == 3
        storm = svc.get_job(record.shot("storm").job_id or "")
        stairs = svc.get_job(record.shot("stairs").job_id or "")
    finally:
        svc.close()
    # The chained shot started on the parent's last frame, submitted only after the parent finished.
    assert storm.last_frame_url and stairs.request.image_url == storm.last_frame_url
    assert record.shot("stairs").frame == storm.last_frame_url
    assert events.first("stairs", "queued") > events.first("storm", "succeeded")
    folder = Path(record.folder)
    for name in ("Harbour at Dawn.mp4", "contact-sheet.png", "film.json", "index.html"):
        assert (folder / name).stat().st_size > 0, name
    assert record.stitch_method == "encode"  # a crossfade is asked
    assert record.duration == pytest.approx(4 + 4 + 4 - 1.0, abs=0.1)
    manifest = (folder / "film.json").read_text()
    assert all(record.shot(s).job_id in manifest for s in ("storm", "stairs", "lamp"))


async def test_rendering_again_reuses_every_shot_and_an_edit_renders_exactly_one(tmp_path: Path) -> None:
    svc = service(tmp_path)
    try:
        first = await render(svc, board(STORM, STAIRS, LAMP))
        assert first.status == "done" and submits(svc) == 3
        stitched = Path(first.film_file or "").stat().st_mtime_ns
        again = await render(svc, board(STORM, STAIRS, LAMP))
        assert submits(svc) == 3  # nothing sent
        assert Path(again.film_file or "").stat().st_mtime_ns == stitched  # nor stitched again
        assert again.status == "done" and all(s.reused for s in again.shots)
        assert [s.job_id for s in again.shots] == [s.job_id for s in first.shots]
        edited = {**LAMP, "prompt": "The lamp turns, and a ship answers with its horn"}
        check = films.check(svc, board(STORM, STAIRS, edited))
        assert [s.action for s in check.shots] == ["reuse", "reuse", "render"]
        assert check.to_spend == [s.price for s in check.shots if s.id == "lamp"]
        third = await render(svc, board(STORM, STAIRS, edited))
        assert submits(svc) == 4  # exactly one job for the one edited shot
        assert third.status == "done"
        assert third.shot("lamp").job_id != first.shot("lamp").job_id
        assert third.shot("storm").job_id == first.shot("storm").job_id
    finally:
        svc.close()


async def test_editing_a_parent_renders_its_chained_child_again(tmp_path: Path) -> None:
    svc = service(tmp_path)
    try:
        await render(svc, board(STORM, STAIRS))
        assert submits(svc) == 2
        changed = {**STORM, "prompt": "A calm night over the harbour"}
        assert [s.action for s in films.check(svc, board(changed, STAIRS)).shots] == ["render", "render"]
        record = await render(svc, board(changed, STAIRS))
        assert submits(svc) == 4 and record.status == "done"
    finally:
        svc.close()


async def test_a_failed_parent_blocks_its_child_which_is_never_submitted(tmp_path: Path) -> None:
    svc = service(tmp_path, Fault("fail_render", "submit", times=1))
    try:
        record = await render(svc, board(STORM, STAIRS))
        assert record.status == "incomplete"
        assert record.shot("storm").status == "failed"
        stairs = record.shot("stairs")
        assert stairs.status == "blocked" and stairs.job_id is None
        assert stairs.reason and "continues from 'storm', which is failed" in stairs.reason
        assert submits(svc) == 1
        assert record.film_file is None  # nothing stitched
        # Rendering again keeps the failed shot as it is unless asked to retry it.
        check = films.check(svc, board(STORM, STAIRS))
        assert [s.action for s in check.shots] == ["failed", "blocked"] and check.to_spend == []
        kept = await render(svc, board(STORM, STAIRS))
        assert submits(svc) == 1 and kept.status == "incomplete"
        retry = films.check(svc, board(STORM, STAIRS), retry_failed=True)
        assert [s.action for s in retry.shots] == ["retry", "render"]
        assert len(retry.to_spend) == 1 and retry.to_spend[0].amount == pytest.approx(
            sum(s.price.amount for s in retry.shots if s.price)
        )
        done = await render(svc, board(STORM, STAIRS), retry_failed=True)
        assert done.status == "done" and submits(svc) == 3
    finally:
        svc.close()


async def test_independent_shots_run_at_once_within_the_parallel_limit(tmp_path: Path) -> None:
    shots = [{"id": f"s{i}", "prompt": f"Beat {i}", "duration": 4} for i in range(5)]
    svc = service(tmp_path)
    events = Events()
    try:
        b = board(*shots)
        record = await films.render(svc, b, FilmOptions(wait_seconds=120), max_parallel=2, on_progress=events)
        assert record.status == "done" and submits(svc) == 5
    finally:
        svc.close()
    running: set[str] = set()
    most = 0
    for p in events.seen:
        if p.status == "queued":
            running.add(p.shot_id)
        elif p.status in ("succeeded", "failed"):
            running.discard(p.shot_id)
        most = max(most, len(running))
    assert most == 2


async def test_no_wait_submits_what_can_start_and_status_wait_finishes_the_film(tmp_path: Path) -> None:
    svc = service(tmp_path)
    try:
        started = await films.render(svc, board(STORM, STAIRS, LAMP), FilmOptions(wait_seconds=0))
        assert started.status == "rendering"
        assert started.shot("stairs").status == "waiting" and started.shot("stairs").job_id is None
        assert submits(svc) == 2
        looked = await films.status(svc, started.film_id)  # no wait: nothing new is sent
        assert submits(svc) == 2 and looked.shot("stairs").job_id is None
        done = await films.status(svc, started.film_id, wait_seconds=120)
        assert done.status == "done" and submits(svc) == 3
        assert [f.film_id for f in films.films(svc)] == [started.film_id]
    finally:
        svc.close()


async def test_a_stitch_that_would_outrun_the_wait_is_left_to_the_next_call(tmp_path: Path) -> None:
    svc = service(tmp_path)
    try:
        first = await render(svc, board(STORM, LAMP))
        assert first.status == "done"
        Path(first.film_file or "").unlink()  # the outputs are gone: the next call stitches again
        short = await films.render(svc, board(STORM, LAMP), FilmOptions(wait_seconds=0))
        assert short.status == "rendering" and short.film_file is None  # not started: no time left
        assert all(s.status == "succeeded" and s.reused for s in short.shots)
        done = await render(svc, board(STORM, LAMP))
        assert done.status == "done" and Path(done.film_file or "").is_file()
        assert submits(svc) == 2  # nothing was rendered again
    finally:
        svc.close()


async def test_on_fal_a_chain_starts_from_the_frame_taken_from_its_parent_and_a_character_keeps_its_reference(
    tmp_path: Path,
) -> None:
    face = Path(__file__).resolve().parent.parent / "examples" / "face.png"
    svc = service(tmp_path)
    try:
        b = parse_storyboard(
            {
                "title": "Cliff walk",
                "provider": "fal",
                "model": "seedance-2.0",
                "resolution": "480p",
                "characters": {"mara": {"description": "a keeper in a yellow coat", "reference": str(face)}},
                "shots": [
                    {"id": "walk", "prompt": "@image1 walks the cliff; slow push in", "duration": 4,
                     "characters": ["mara"]},
                    {"id": "sea", "prompt": "The sea at dusk; slow pan left", "duration": 4},
                    {"id": "waves", "prompt": "Waves roll; static", "duration": 4, "continue_from": "sea"},
                ],
            }
        )  # fmt: skip
        record = await render(svc, b)
        assert record.status == "done", record
        walk = svc.get_job(record.shot("walk").job_id or "")
        waves = svc.get_job(record.shot("waves").job_id or "")
        assert walk.request.reference_images == (str(face),)
        assert [(i.field, i.via) for i in walk.local_inputs] == [("reference_images[1]", "upload")]
        assert waves.request.image_url is not None and waves.request.image_url.endswith("-last.png")
        assert [(i.field, i.via) for i in waves.local_inputs] == [("image_url", "upload")]
        assert Path(waves.request.image_url).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        svc.close()


async def test_two_identical_shots_in_one_film_share_one_job(tmp_path: Path) -> None:
    svc = service(tmp_path)
    try:
        twin = {**STORM, "id": "again"}
        record = await render(svc, board(STORM, twin))
        assert record.status == "done", record
        assert submits(svc) == 1  # the same request is paid for once
        assert record.shot("storm").job_id == record.shot("again").job_id
    finally:
        svc.close()
