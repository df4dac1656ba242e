"""Pictures from seedance2ai's image endpoints, piece by piece: the content check, the per-model
refusals, the documented wire shapes, the status reading, the ledger table and the download."""

from __future__ import annotations

import sqlite3
import struct
import zlib
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fakes import FakeClock

from seedance_mcp.download import download_image
from seedance_mcp.errors import DownloadError, InvalidRequest, ProtocolError, ProviderRejected
from seedance_mcp.images.formats import read_image
from seedance_mcp.images.models import ImageJob, ImageRequest
from seedance_mcp.images.store import ImageStore, new_image_job_id
from seedance_mcp.images.validation import resolve_image_request
from seedance_mcp.ledger import SCHEMA_VERSION, Ledger
from seedance_mcp.models import JobStatus
from seedance_mcp.providers.seedance2ai_images import PROVIDER, build_image_submit, parse_image_status
from seedance_mcp.sandbox.media import last_frame_png

PNG = last_frame_png()


def jpeg(width: int = 64, height: int = 48, *, end: bool = True) -> bytes:
    """A JPEG whose segments decode: SOI, APP0 (JFIF), SOF0 with the size, SOS, scan data, EOI."""

    def segment(marker: int, payload: bytes) -> bytes:
        return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload

    frame = struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    scan = bytes([3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0])
    body = b"\xff\xd8" + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    body += segment(0xC0, frame) + segment(0xDA, scan) + b"\x12\x34\x56\x78" * 8
    return body + (b"\xff\xd9" if end else b"")


# ---- what a picture is, by its content ------------------------------------------------------


def test_the_sandbox_png_and_a_jpeg_are_read_with_their_size() -> None:
    png = read_image(PNG)
    assert (png.format, png.width, png.height, png.extension) == ("png", 160, 90, ".png")
    jpg = read_image(jpeg(640, 360))
    assert (jpg.format, jpg.width, jpg.height, jpg.extension) == ("jpeg", 640, 360, ".jpg")


def _bad_crc(data: bytes) -> bytes:
    return data[:29] + bytes([data[29] ^ 0xFF]) + data[30:]


def _huge_png() -> bytes:
    header = struct.pack(">IIBBBBB", 20_000, 10, 8, 2, 0, 0, 0)
    ihdr = struct.pack(">I", 13) + b"IHDR" + header + struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return PNG[:8] + ihdr + PNG[33:]


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "an empty body"),
        (b"<html><body>502 Bad Gateway</body></html>", "neither a PNG nor a JPEG"),
        (PNG[:40], "too short"),
        (PNG[:-12], "cut short"),
        (_bad_crc(PNG), "IHDR header does not decode"),
        (_huge_png(), "each side must be"),
        (jpeg(end=False), "no end-of-image"),
        (jpeg(0, 48), "a 0x48 picture"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "cut short inside a segment"),
    ],
)
def test_what_is_not_a_whole_picture_is_refused(data: bytes, why: str) -> None:
    with pytest.raises(DownloadError, match="not a whole PNG or JPEG") as err:
        read_image(data)
    assert why in err.value.message and err.value.code == "not_an_image"


# ---- every bad input named, with what the model allows ---------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "allowed"),
    [
        ({"model": "dall-e-3"}, "model", ["gpt-image-2", "nano-banana-pro"]),
        ({"aspect_ratio": "7:3"}, "aspect_ratio", None),
        ({"model": "nano-banana-pro", "aspect_ratio": "2:1"}, "aspect_ratio", None),
        ({"resolution": "8K"}, "resolution", ["1K", "2K", "4K"]),
        ({"aspect_ratio": "auto", "resolution": "4K"}, "resolution", ["1K"]),
        ({"aspect_ratio": "1:1", "resolution": "4K"}, "resolution", ["1K", "2K"]),
        ({"count": 0}, "count", ["1-4"]),
        ({"count": 5}, "count", ["1-4"]),
        ({"model": "nano-banana-pro", "count": 2}, "count", ["1"]),
        ({"image_urls": tuple(f"https://cdn.example.com/{n}.png" for n in range(11))}, "image_urls", None),
        (
            {
                "model": "nano-banana-pro",
                "image_urls": tuple(f"https://cdn.example.com/{n}.png" for n in range(9)),
            },
            "image_urls",
            ["0-8 https URLs"],
        ),
        ({"image_urls": ("http://cdn.example.com/a.png",)}, "image_urls", ["https URL"]),
        ({"image_urls": ("https://127.0.0.1/a.png",)}, "image_urls", None),
        ({"image_urls": ("./cat.png",)}, "image_urls", None),
        ({"prompt": "hi"}, "prompt", ["3-20000 characters"]),
        ({"model": "nano-banana-pro", "prompt": "x" * 10_001}, "prompt", ["3-10000 characters"]),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    changes: dict[str, Any], field: str, allowed: list[str] | None
) -> None:
    req = ImageRequest(prompt="a lighthouse at dusk").model_copy(update=changes)
    with pytest.raises(InvalidRequest) as err:
        resolve_image_request(req)
    assert err.value.field == field and field in err.value.message
    if allowed is not None:
        assert err.value.allowed == allowed
    if field != "image_urls":  # a URL's own refusals are the shared public-URL check's words
        assert "allowed" in err.value.message and err.value.allowed


def test_defaults_are_filled_in_and_names_read_in_any_spelling() -> None:
    resolved = resolve_image_request(ImageRequest(prompt="a lighthouse at dusk"))
    assert (resolved.model, resolved.aspect_ratio, resolved.resolution, resolved.count) == (
        "gpt-image-2",
        "1:1",
        "1K",
        1,
    )
    nano = resolve_image_request(
        ImageRequest(prompt="a lighthouse", model="Nano Banana Pro", resolution="2k")
    )
    assert (nano.model, nano.resolution) == ("nano-banana-pro", "2K")


# ---- the documented wire ----------------------------------------------------------------------


def test_the_submits_are_the_documented_requests() -> None:
    """The seed's two curl examples, field for field (GPT Image 2 also says how many pictures)."""
    gpt = resolve_image_request(
        ImageRequest(prompt="Editorial product photo of a transparent running shoe on chrome")
    )
    wire = build_image_submit(gpt, "demo-gpt-image-001")
    assert (wire.method, wire.path, dict(wire.headers)) == (
        "POST",
        "/image/gpt-image-2",
        {"Idempotency-Key": "demo-gpt-image-001"},
    )
    assert wire.json == {
        "type": "text-to-image",
        "prompt": "Editorial product photo of a transparent running shoe on chrome",
        "resolution": "1K",
        "aspectRatio": "1:1",
        "batchCount": 1,
    }
    nano = resolve_image_request(
        ImageRequest(prompt="A premium packaging mockup for an AI video studio", model="nano-banana-pro")
    )
    wire = build_image_submit(nano, "demo-nbp-001")
    assert wire.path == "/image/nano-banana-pro"
    assert wire.json == {
        "type": "text-to-image",
        "prompt": "A premium packaging mockup for an AI video studio",
        "image_size": "1:1",
        "resolution": "1K",
        "output_format": "png",
    }


def test_input_pictures_make_it_image_to_image_under_each_models_field() -> None:
    urls = ("https://cdn.example.com/a.png", "https://cdn.example.com/b.png")
    gpt = build_image_submit(
        resolve_image_request(ImageRequest(prompt="the same cat", image_urls=urls, count=3)), "k"
    )
    assert gpt.json is not None and gpt.json["type"] == "image-to-image"
    assert gpt.json["imageUrls"] == list(urls) and gpt.json["batchCount"] == 3
    nano = build_image_submit(
        resolve_image_request(ImageRequest(prompt="the same cat", image_urls=urls, model="nano-banana-pro")),
        "k",
    )
    assert nano.json is not None and nano.json["image_urls"] == list(urls) and "imageUrls" not in nano.json
    with pytest.raises(InvalidRequest, match="Idempotency-Key"):
        build_image_submit(resolve_image_request(ImageRequest(prompt="the same cat")), "  ")


def test_status_answers_are_read_tolerantly() -> None:
    done = parse_image_status(
        200,
        {
            "id": "sd2_1",
            "status": "completed",
            "output": {"image_urls": ["https://cdn.example.com/1.png", "https://cdn.example.com/2.png"]},
            "credits_used": 8,
        },
    )
    assert done.status is JobStatus.SUCCEEDED and done.credits == 8 and len(done.image_urls) == 2
    objects = parse_image_status(
        200,
        {"data": {"status": "completed", "output": {"images": [{"url": "https://cdn.example.com/x.jpg"}]}}},
    )
    assert objects.image_urls == ["https://cdn.example.com/x.jpg"]
    single = parse_image_status(
        200, {"status": "completed", "output": {"image_url": "https://cdn.example.com/y"}}
    )
    assert single.image_urls == ["https://cdn.example.com/y"]
    running = parse_image_status(200, {"status": "processing"})
    assert running.status is JobStatus.RUNNING and not running.image_urls
    failed = parse_image_status(200, {"status": "failed", "error": {"code": "nsfw", "message": "refused"}})
    assert (
        failed.status is JobStatus.FAILED and failed.error is not None and "refused" in failed.error.message
    )
    assert parse_image_status(200, {"status": "failed"}).error.message.startswith(  # type: ignore[union-attr]
        "seedance2ai: Image generation failed"
    )
    with pytest.raises(ProtocolError, match="image_urls"):
        parse_image_status(200, {"status": "completed", "output": {}})
    with pytest.raises(ProtocolError, match="no status"):
        parse_image_status(200, {"id": "sd2_1"})
    with pytest.raises(ProviderRejected):
        parse_image_status(200, {"error": {"code": "invalid_request", "message": "bad"}})
    assert PROVIDER.caps.idempotency  # what makes every re-send safe


# ---- the ledger's images table ----------------------------------------------------------------


def test_image_jobs_live_in_their_own_table_of_the_same_ledger(tmp_path: Path) -> None:
    with Ledger.open(tmp_path) as ledger:
        store = ImageStore(ledger)
        job = ImageJob(
            job_id=new_image_job_id(), provider="seedance2ai", request=ImageRequest(prompt="a cat")
        )
        store.create(job, idempotency_key="key-1")
        with pytest.raises(ValueError, match="already in the ledger"):
            store.create(job, idempotency_key="key-1")
        updated = store.update(job.job_id, provider_task_id="sd2_abc", status=JobStatus.RUNNING)
        assert updated.updated_at > job.updated_at
        assert store.find(job.job_id[:8]).job_id == job.job_id  # a unique prefix
        assert store.find("sd2_abc").job_id == job.job_id  # the provider's task id
        assert store.idempotency_key(job.job_id) == "key-1"
        assert [j.job_id for j in store.recent()] == [job.job_id]
        assert ledger.recent() == []  # the video jobs are untouched
        with pytest.raises(TypeError, match="unknown field"):
            store.update(job.job_id, video_path="x")
    with sqlite3.connect(tmp_path / "jobs.sqlite3") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        (data,) = conn.execute("SELECT data FROM images").fetchone()
    assert "sd2_abc" in data


# ---- the download: by content, never over a file ---------------------------------------------


def _client(*bodies: bytes) -> tuple[httpx2.AsyncClient, list[httpx2.Request]]:
    seen: list[httpx2.Request] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, content=bodies[min(len(seen), len(bodies)) - 1])

    return httpx2.AsyncClient(transport=httpx2.MockTransport(answer)), seen


@pytest.mark.anyio
async def test_a_picture_is_saved_under_the_extension_its_content_says(tmp_path: Path) -> None:
    client, _ = _client(jpeg(), PNG)
    async with client:
        first, info = await download_image(
            client, "https://cdn.example.com/a.png", tmp_path, "img_0-1", job_id="img_0"
        )
        again, _ = await download_image(
            client, "https://cdn.example.com/a.png", tmp_path, "img_0-1", job_id="img_0"
        )
    assert first.name == "img_0-1.jpg" and info.format == "jpeg"  # the URL said .png; the bytes say JPEG
    assert again.name == "img_0-1.png" and first.read_bytes() == jpeg()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["img_0-1.jpg", "img_0-1.png"]


@pytest.mark.anyio
@pytest.mark.parametrize("body", [b"<html>error</html>", PNG[:-12], jpeg(end=False)])
async def test_a_body_that_is_not_a_whole_picture_leaves_no_file(tmp_path: Path, body: bytes) -> None:
    client, seen = _client(body)
    async with client:
        with pytest.raises(DownloadError) as err:
            await download_image(
                client,
                "https://cdn.example.com/a.png",
                tmp_path,
                "img_0-1",
                job_id="img_0",
                sleep=FakeClock().sleep,
            )
    assert err.value.code == "not_an_image" and len(seen) == 1
    assert list(tmp_path.iterdir()) == []


@pytest.mark.anyio
async def test_a_picture_from_a_private_host_is_refused_before_connecting(tmp_path: Path) -> None:
    client, seen = _client(PNG)
    async with client:
        with pytest.raises(DownloadError, match="image_url") as err:
            await download_image(client, "https://10.0.0.7/a.png", tmp_path, "img_0-1", job_id="img_0")
    assert err.value.code == "image_url_refused" and seen == []


def test_the_prompt_is_sent_as_checked_without_its_surrounding_spaces() -> None:
    resolved = resolve_image_request(ImageRequest(prompt="  a lighthouse at dusk \n"))
    assert resolved.prompt == "a lighthouse at dusk"
    body = build_image_submit(resolved, "idem-1").json
    assert body is not None and body["prompt"] == "a lighthouse at dusk"


def test_an_empty_list_of_urls_does_not_hide_the_pictures_under_another_key() -> None:
    answer = {
        "status": "completed",
        "output": {"image_urls": [], "images": [{"url": "https://cdn.example.com/a.png"}]},
    }
    assert parse_image_status(200, answer).image_urls == ["https://cdn.example.com/a.png"]
