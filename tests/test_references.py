"""Seedance 2.x references and local files, from the canonical request to each provider's wire.

The official clients are the oracles where one exists: the Ark SDK for `content` items with
reference roles, `fal_client` for the reference-to-video submit and its storage upload, the
`replicate` client for reference inputs and its files API. Every refusal happens before a
single request is sent; the simulators check what arrives (data URIs, uploads, spellings).
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import os
import struct
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import fal_client
import httpx
import httpx2
import pytest
import replicate
from cli_harness import run_cli, simulator_env
from fal_client.auth import AuthCredentials
from test_provider_ark import DOCUMENTED_IDS, sdk_body, sdk_exchange

from seedance_mcp import media_files, references
from seedance_mcp.client import ProviderClient, RetryPolicy
from seedance_mcp.engine.notices import reference_note
from seedance_mcp.engine.staging import as_sent, stage
from seedance_mcp.errors import InvalidRequest
from seedance_mcp.ledger import Ledger
from seedance_mcp.models import Job, VideoRequest
from seedance_mcp.providers import PROVIDERS, Provider
from seedance_mcp.sandbox import Sandbox
from seedance_mcp.sandbox.media import sample_mp4
from seedance_mcp.settings import Secret
from seedance_mcp.validation import resolve_request

KEY = "sk-refs-FAKE-KEY-51c0"
IMG = "https://cdn.example.com/refs/face.png"
IMG2 = "https://cdn.example.com/refs/coat.png"
VID = "https://cdn.example.com/refs/dolly.mp4"
AUD = "https://cdn.example.com/refs/voice.mp3"
PROMPT = "@image1 walks through the rain in the coat from @image2"

ARK, FAL, REPLICATE, S2AI = (PROVIDERS[p] for p in ("byteplus", "fal", "replicate", "seedance2ai"))


def png(width: int = 8, height: int = 8) -> bytes:
    raw = b"".join(b"\x00" + b"\x10\x80\x40" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def wav(seconds: float, rate: int = 8000) -> bytes:
    frames = int(seconds * rate)
    data = bytes(frames * 2)
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + len(data))
        + b"WAVEfmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )


def resolved(provider: Provider, **fields: Any) -> VideoRequest:
    fields.setdefault("prompt", PROMPT)
    fields.setdefault("model", "seedance-2.0")
    return resolve_request(VideoRequest(**fields), provider)


def refused(provider: Provider, **fields: Any) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as caught:
        resolved(provider, **fields)
    return caught.value


# --- the @image1 names --------------------------------------------------------------------------


def test_each_provider_gets_its_own_spelling_of_the_names() -> None:
    text = "@Image1 meets @video2 to the sound of @AUDIO1; mail me at a@image1.com"
    assert references.spell(text, FAL.reference_tokens) == (
        "@Image1 meets @Video2 to the sound of @Audio1; mail me at a@image1.com"
    )
    assert references.spell(text, REPLICATE.reference_tokens).startswith(
        "[Image1] meets [Video2] to the sound of [Audio1]"
    )
    assert references.spell(text, ARK.reference_tokens).startswith(
        "[Image 1] meets [Video 2] to the sound of [Audio 1]"
    )
    assert references.spell("@image1 在雨中行走，背景音乐参考 @audio1。", ARK.reference_tokens) == (
        "[图片1] 在雨中行走，背景音乐参考 [音频1]。"
    )


def test_a_name_without_a_reference_and_a_reference_never_named_are_warnings() -> None:
    assert references.unmatched("@image1 and @image3 dance", {"image": 2, "video": 0, "audio": 0}) == [
        "@image3 names no reference (only 2 reference images given); add the file or fix the number.",
        "reference image 2 is never named in the prompt (as @image2).",
    ]
    assert references.unmatched("@video1 pans", {"image": 1, "video": 0, "audio": 0})[0].startswith(
        "@video1 names no reference (no reference video given)"
    )
    [only] = references.unmatched("a woman walks", {"image": 1, "video": 0, "audio": 0})
    assert "names none of its references" in only
    assert references.unmatched("@image1 waves", {"image": 1, "video": 0, "audio": 0}) == []
    # a job carries the warning as its notice, the request is sent as asked
    req = VideoRequest(prompt="@image2 waves", reference_images=(IMG,))
    note = reference_note(req)
    assert note is not None and "@image2 names no reference" in note
    assert reference_note(VideoRequest(prompt="a kite")) is None


# --- the wire, provider by provider ---------------------------------------------------------------


def test_ark_sends_reference_roles_as_the_sdk_does() -> None:
    req = resolved(ARK, reference_images=(IMG, IMG2), reference_videos=(VID,), reference_audios=(AUD,))
    wire = ARK.build_submit(req, "k")
    content = [
        {"type": "text", "text": "[Image 1] walks through the rain in the coat from [Image 2]"},
        {"type": "image_url", "image_url": {"url": IMG}, "role": "reference_image"},
        {"type": "image_url", "image_url": {"url": IMG2}, "role": "reference_image"},
        {"type": "video_url", "video_url": {"url": VID}, "role": "reference_video"},
        {"type": "audio_url", "audio_url": {"url": AUD}, "role": "reference_audio"},
    ]
    text_id, _ = DOCUMENTED_IDS["byteplus"]["seedance-2.0"]
    sent, _ = sdk_exchange(
        ARK,
        lambda c: c.content_generation.tasks.create(
            model=text_id,
            content=content,  # type: ignore[arg-type]
            ratio=req.aspect_ratio,
            resolution=req.resolution,
            duration=req.duration,
            generate_audio=req.audio,
            watermark=False,
        ),
    )
    assert sdk_body(sent) == json.loads(json.dumps(wire.json))


def test_ark_names_references_in_chinese_in_a_chinese_prompt() -> None:
    req = resolved(ARK, prompt="@image1 中的女孩在雨中奔跑", reference_images=(IMG,))
    assert ARK.build_submit(req, "k").json["content"][0]["text"] == "[图片1] 中的女孩在雨中奔跑"  # type: ignore[index]


@pytest.fixture
def fal_oracle(monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[httpx.Request]]:
    """Requests `fal_client` sends for `call(client)` against a mock answering `answer`."""
    import fal_client.client as fal_module

    real = fal_module.BackupDomainTransport
    monkeypatch.setattr(fal_module, "MAX_ATTEMPTS", 1)

    def run(call: Callable[[Any], Any], answer: Any) -> list[httpx.Request]:
        seen: list[httpx.Request] = []

        def handler(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(200, json=answer)

        mock = httpx.MockTransport(handler)
        monkeypatch.setattr(fal_module, "BackupDomainTransport", lambda: real(transport=mock))
        client = fal_client.SyncClient(key=KEY)
        try:
            call(client)
        finally:
            client._client.close()
        return seen

    return run


@pytest.mark.parametrize("model", ["seedance-2.0", "seedance-2.0-fast"])
def test_fal_sends_reference_to_video_as_fal_client_does(
    model: str, fal_oracle: Callable[..., list[httpx.Request]]
) -> None:
    req = resolved(
        FAL, model=model, reference_images=(IMG, IMG2), reference_videos=(VID,), reference_audios=(AUD,)
    )
    wire = FAL.build_submit(req, "k")
    endpoint = {"seedance-2.0": "bytedance/seedance-2.0", "seedance-2.0-fast": "bytedance/seedance-2.0/fast"}[
        model
    ]
    endpoint += "/reference-to-video"
    arguments = {
        "prompt": "@Image1 walks through the rain in the coat from @Image2",
        "aspect_ratio": req.aspect_ratio,
        "duration": str(req.duration),
        "resolution": req.resolution,
        "generate_audio": req.audio,
        "image_urls": [IMG, IMG2],
        "video_urls": [VID],
        "audio_urls": [AUD],
    }
    base = "https://queue.fal.run/bytedance/seedance-2.0/requests/r-1"
    answer = {
        "request_id": "r-1",
        "status_url": base + "/status",
        "response_url": base,
        "cancel_url": base + "/cancel",
    }
    [sent] = fal_oracle(lambda c: c.submit(endpoint, arguments=arguments), answer)
    assert sent.method == wire.method == "POST"
    assert str(sent.url) == wire.url(FAL.base_url)
    assert json.loads(sent.content) == json.loads(json.dumps(wire.json))


def test_replicate_sends_reference_inputs_as_its_client_does() -> None:
    req = resolved(REPLICATE, reference_images=(IMG,), reference_videos=(VID,), reference_audios=(AUD,))
    wire = REPLICATE.build_submit(req, "k")
    given = {
        "prompt": "[Image1] walks through the rain in the coat from [Image2]",
        "duration": req.duration,
        "resolution": req.resolution,
        "aspect_ratio": req.aspect_ratio,
        "generate_audio": req.audio,
        "reference_images": [IMG],
        "reference_videos": [VID],
        "reference_audios": [AUD],
    }
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = {"id": "p1", "model": "bytedance/seedance-2.0", "version": "v1", "status": "starting"}
        return httpx.Response(201, json={**answer, "urls": {}, "input": {}})

    client = replicate.Client(api_token=KEY, transport=httpx.MockTransport(handler))
    client.models.predictions.create(model="bytedance/seedance-2.0", input=given)
    [sent] = seen
    assert str(sent.url) == REPLICATE.base_url + wire.path
    assert json.loads(sent.content) == json.loads(json.dumps(wire.json))


def test_seedance2ai_sends_media_to_video_with_the_files_in_order() -> None:
    req = resolved(S2AI, reference_images=(IMG, IMG2), reference_videos=(VID,), reference_audios=(AUD,))
    body = S2AI.build_submit(req, "k").json
    assert body is not None
    assert body["mode"] == "media-to-video"
    assert body["media_urls"] == [IMG, IMG2, VID, AUD]
    assert body["prompt"] == PROMPT  # the document names no spelling: the names go as written
    assert "image_url" not in body


# --- refusals, before anything is sent --------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "fields", "field", "needle"),
    [
        (FAL, {"reference_images": (IMG,) * 10}, "reference_images", "at most 9 reference images"),
        (ARK, {"reference_videos": (VID,) * 4, "reference_images": (IMG,)}, "reference_videos", "at most 3"),
        (
            REPLICATE,
            {"reference_audios": (AUD,) * 4, "reference_images": (IMG,)},
            "reference_audios",
            "at most 3",
        ),
        (
            FAL,
            {"reference_images": (IMG,) * 9, "reference_videos": (VID,) * 3, "reference_audios": (AUD,)},
            "reference_images",
            "at most 12 reference files in all",
        ),
        (ARK, {"reference_audios": (AUD,)}, "reference_audios", "needs a reference image or video"),
        (FAL, {"reference_images": (IMG,), "image_url": IMG2}, "image_url", "cannot be combined"),
        (
            REPLICATE,
            {"reference_images": (IMG,), "image_url": IMG2, "end_image_url": IMG},
            "image_url",
            "cannot be combined",
        ),
        (
            PROVIDERS["nanophoto"],
            {"reference_images": (IMG,), "model": None},
            "reference_images",
            "does not take references",
        ),
        (ARK, {"reference_images": (IMG,), "model": "seedance-1.5-pro"}, "reference_images", "seedance-2.0"),
        (
            FAL,
            {"reference_images": (IMG,), "model": "seedance-2.0-mini"},
            "reference_images",
            "does not take",
        ),
        (ARK, {"reference_images": ("ftp://cdn.example.com/a.png",)}, "reference_images[1]", "http"),
        (S2AI, {"reference_images": ("http://cdn.example.com/a.png",)}, "reference_images[1]", "https"),
    ],
)
def test_a_reference_mix_the_model_cannot_take_is_refused_naming_the_field(
    provider: Provider, fields: dict[str, Any], field: str, needle: str
) -> None:
    err = refused(provider, **fields)
    assert err.field == field
    assert needle in err.message, err.message


def test_the_refusal_of_references_names_who_takes_them() -> None:
    err = refused(PROVIDERS["apixo"], model=None, reference_images=(IMG,))
    for taker in ("byteplus", "volcengine", "fal", "replicate", "seedance2ai"):
        assert taker in err.message


def test_seedance_2_5_takes_audio_alone() -> None:
    req = resolved(ARK, model="seedance-2.5", prompt="a dance to @audio1", reference_audios=(AUD,))
    items = ARK.build_submit(req, "k").json["content"]  # type: ignore[index]
    assert [i.get("role") for i in items] == [None, "reference_audio"]


# --- local files ----------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "face.png").write_bytes(png())
    (tmp_path / "voice.wav").write_bytes(wav(3.0))
    (tmp_path / "clip.mp4").write_bytes(sample_mp4())
    (tmp_path / "empty.png").write_bytes(b"")
    (tmp_path / "notes.png").write_text("not a picture")
    (tmp_path / "folder").mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(png())
    inside = tmp_path / "in"
    inside.mkdir()
    (inside / "link.png").symlink_to(outside / "secret.png")
    (inside / "real.png").write_bytes(png())
    (inside / "near.png").symlink_to(inside / "real.png")
    return tmp_path


def test_a_path_is_told_from_a_url() -> None:
    for local in ("./cat.png", "~/clip.mp4", "/tmp/x.wav", "cat.png", "C:\\pics\\cat.png"):
        assert media_files.is_local(local), local
    for url in ("https://a.example/cat.png", "HTTP://a.example/x", "data:image/png;base64,AA", "asset://a1"):
        assert not media_files.is_local(url), url


@pytest.mark.parametrize(
    ("name", "kind", "needle"),
    [
        ("missing.png", "image", "no such file"),
        ("folder", "image", "is a folder"),
        ("in/link.png", "image", "outside the folder"),
        ("notes.png", "image", "not a known image, video or audio file"),
        ("voice.wav", "image", "is an audio (audio/wav), not an image"),
        ("face.png", "video", "is an image (image/png), not a video"),
        ("empty.png", "image", "is empty (0 bytes)"),
    ],
)
def test_a_local_file_that_cannot_be_sent_is_refused(files: Path, name: str, kind: Any, needle: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        media_files.inspect(str(files / name), "reference_images[1]", kind, max_bytes=10**6)
    assert caught.value.field == "reference_images[1]"
    assert needle in caught.value.message, caught.value.message


def test_a_file_over_the_limit_is_refused_without_being_read(files: Path) -> None:
    big = files / "big.wav"
    with big.open("wb") as handle:
        handle.write(wav(0.1))
        handle.truncate(16 * 10**6)  # sparse: over Ark's 15 MB for audio
    err = refused(
        ARK, prompt="@image1 sings to @audio1", reference_images=(IMG,), reference_audios=(str(big),)
    )
    assert err.field == "reference_audios[1]"
    assert "16 MB" in err.message and "15 MB" in err.message


def test_a_link_inside_the_named_folder_and_a_fifo(files: Path) -> None:
    near = media_files.inspect(str(files / "in" / "near.png"), "image_url", "image", max_bytes=10**6)
    assert near.path == files / "in" / "real.png" and near.mime == "image/png"
    os.mkfifo(files / "pipe.png")
    with pytest.raises(InvalidRequest, match="not a regular file"):
        media_files.inspect(str(files / "pipe.png"), "image_url", "image", max_bytes=10**6)


def test_lengths_come_from_the_headers(files: Path) -> None:
    clip = media_files.inspect(str(files / "clip.mp4"), "v", "video", max_bytes=10**7)
    assert media_files.duration(clip) == pytest.approx(1.0, abs=0.1)
    voice = media_files.inspect(str(files / "voice.wav"), "a", "audio", max_bytes=10**7)
    assert media_files.duration(voice) == pytest.approx(3.0)


def test_a_reference_video_shorter_than_two_seconds_in_all_is_refused(files: Path) -> None:
    err = refused(FAL, reference_videos=(str(files / "clip.mp4"),), prompt="follow the move in @video1")
    assert err.field == "reference_videos" and "2-15 s in all" in err.message


def test_who_takes_a_local_file_of_which_kind(files: Path) -> None:
    face, clip = str(files / "face.png"), str(files / "clip.mp4")
    for provider in (ARK, PROVIDERS["volcengine"], FAL, REPLICATE):
        assert resolved(provider, reference_images=(face,)).reference_images == (face,)
    # Ark takes images and audio inline, but a video only as a URL
    err = refused(ARK, reference_videos=(clip,), reference_images=(IMG,))
    assert err.field == "reference_videos[1]" and "public URL" in err.message and "fal" in err.message
    # a start frame on a provider that takes no local files
    err = refused(PROVIDERS["apixo"], model=None, image_url=face)
    assert err.field == "image_url" and "Host the file at a public https URL" in err.message
    for provider in (S2AI, PROVIDERS["nanophoto"]):
        assert not any(m.caps.local_files for m in provider.models), provider.id
    # every model's capabilities say the kinds its provider routes
    for provider in PROVIDERS.values():
        for spec in provider.models:
            assert spec.caps.local_files == frozenset(provider.local_routes), (provider.id, spec.name)


def test_a_relative_path_is_kept_absolute(files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(files)
    req = resolved(FAL, reference_images=("./face.png",), prompt="@image1 waves")
    assert req.reference_images == (str(files / "face.png"),)


# --- uploads: the official clients as oracles --------------------------------------------------------


def ours(
    provider: Provider, answers: list[tuple[int, Any]], call: Callable[[ProviderClient], Any]
) -> list[httpx2.Request]:
    seen: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        status, body = answers[len(seen) - 1]
        return httpx2.Response(status, json=body) if body is not None else httpx2.Response(status)

    async def run() -> None:
        async with ProviderClient(
            provider, key=Secret(KEY), transport=httpx2.MockTransport(handler), retry=RetryPolicy(attempts=1)
        ) as client:
            await call(client)

    anyio.run(run)
    return seen


def test_fal_upload_is_fal_clients_storage_upload() -> None:
    data = png()
    answer = {
        "upload_url": "https://storage.example.com/put/abc?sig=s3cr3t",
        "file_url": "https://v3.fal.media/f/abc.png",
    }
    theirs: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        theirs.append(request)
        return httpx.Response(200, json=answer)

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        url = fal_client.client._upload_via_storage(
            http,
            AuthCredentials(scheme="Key", token=KEY),
            data=data,
            content_type="image/png",
            file_name="face.png",
        )
    got: list[str] = []
    mine = ours(
        FAL, [(200, answer), (200, None)], lambda c: _keep(got, c.upload("face.png", "image/png", data))
    )
    assert got == [url] == ["https://v3.fal.media/f/abc.png"]
    assert [(r.method, str(r.url)) for r in mine] == [(r.method, str(r.url)) for r in theirs]
    assert str(mine[0].url) == "https://rest.fal.ai/storage/upload/initiate?storage_type=gcs"
    assert json.loads(mine[0].content) == json.loads(theirs[0].content)
    assert mine[0].headers["authorization"] == theirs[0].headers["authorization"] == f"Key {KEY}"
    assert mine[1].content == theirs[1].content == data
    assert mine[1].headers["content-type"] == theirs[1].headers["content-type"] == "image/png"
    assert "authorization" not in mine[1].headers  # the signed URL carries the permission, not the key


async def _keep(into: list[str], upload: Any) -> None:
    into.append(await upload)


def form_parts(content_type: str, body: bytes) -> dict[str, tuple[str | None, str, bytes]]:
    message = email.parser.BytesParser(policy=email.policy.default).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    parts = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        parts[str(name)] = (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
    return parts


def test_replicate_upload_is_its_clients_files_create(tmp_path: Path) -> None:
    data = png()
    answer = {"id": "f1", "name": "face.png", "content_type": "image/png", "size": len(data), "etag": "e",
              "checksums": {}, "metadata": {}, "created_at": "2026-12-02T00:00:00Z", "expires_at": None,
              "urls": {"get": "https://api.replicate.com/v1/files/f1"}}  # fmt: skip
    theirs: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        theirs.append(request)
        return httpx.Response(201, json=answer)

    (tmp_path / "face.png").write_bytes(data)
    client = replicate.Client(api_token=KEY, transport=httpx.MockTransport(handler))
    client.files.create(tmp_path / "face.png", content_type="image/png")
    got: list[str] = []
    [mine] = ours(REPLICATE, [(201, answer)], lambda c: _keep(got, c.upload("face.png", "image/png", data)))
    assert got == ["https://api.replicate.com/v1/files/f1"]
    [sent] = theirs
    assert (
        (mine.method, str(mine.url))
        == (sent.method, str(sent.url))
        == ("POST", "https://api.replicate.com/v1/files")
    )
    assert (
        form_parts(mine.headers["content-type"], mine.content)
        == form_parts(sent.headers["content-type"], sent.read())
        == {"content": ("face.png", "image/png", data)}
    )
    assert mine.headers["authorization"] == f"Bearer {KEY}"


# --- staging: what is sent and recorded --------------------------------------------------------------


class Uploader:
    """A client stand-in that counts uploads (staging's only use of the client)."""

    def __init__(self) -> None:
        self.uploads: list[str] = []

    async def upload(self, name: str, mime: str, data: bytes) -> str:
        self.uploads.append(name)
        return f"https://files.example.com/{len(self.uploads)}/{name}"


async def staged(tmp_path: Path, job: Job, provider: Provider, client: Uploader) -> tuple[VideoRequest, Job]:
    from seedance_mcp.engine.records import Records

    ledger = Ledger.open(tmp_path / "home")
    try:
        if job.job_id not in {j.job_id for j in ledger.recent(50)}:
            ledger.create(job, idempotency_key="k-" + job.job_id)
        records = Records(ledger, clock=time.monotonic, sleep=anyio.sleep, until=None)
        return await stage(job, provider, client, records)  # type: ignore[arg-type]
    finally:
        ledger.close()


@pytest.mark.anyio
async def test_an_upload_is_recorded_and_never_made_twice(files: Path, tmp_path: Path) -> None:
    req = resolved(FAL, reference_images=(str(files / "face.png"), IMG), prompt="@image1 and @image2")
    job = Job(job_id="job_000000000001", provider="fal", request=req)
    client = Uploader()
    sent, job = await staged(tmp_path, job, FAL, client)
    assert client.uploads == ["face.png"]
    assert sent.reference_images == ("https://files.example.com/1/face.png", IMG)
    [record] = job.local_inputs
    assert (record.field, record.via, record.url, record.bytes) == (
        "reference_images[1]",
        "upload",
        "https://files.example.com/1/face.png",
        len(png()),
    )
    with Ledger.open(tmp_path / "home") as ledger:
        assert ledger.get(job.job_id).local_inputs == job.local_inputs
    again, job = await staged(tmp_path, job, FAL, client)  # a re-sent submit
    assert client.uploads == ["face.png"] and again == sent
    assert await as_sent(job) == sent


@pytest.mark.anyio
async def test_a_data_uri_is_recorded_and_a_changed_file_is_refused(files: Path, tmp_path: Path) -> None:
    face = files / "face.png"
    req = resolved(ARK, reference_images=(str(face),), prompt="@image1 waves")
    job = Job(job_id="job_000000000002", provider="byteplus", request=req)
    sent, job = await staged(tmp_path, job, ARK, Uploader())
    [uri] = sent.reference_images
    assert uri.startswith("data:image/png;base64,") and media_files.sniff(
        __import__("base64").b64decode(uri.split(",", 1)[1])[:64]
    ) == ("image", "image/png")
    assert job.local_inputs[0].via == "data_uri" and job.local_inputs[0].url is None
    assert "base64" not in job.model_dump_json()  # the job records the file, never its content
    face.write_bytes(png(9, 9))
    with pytest.raises(InvalidRequest, match="changed after job job_000000000002 was first sent"):
        await staged(tmp_path, job, ARK, Uploader())


def test_a_dry_run_shows_what_goes_in_a_files_place(files: Path) -> None:
    from seedance_mcp.engine.preflight import dry_run
    from seedance_mcp.engine.staging import previewed

    req = resolved(FAL, reference_images=(str(files / "face.png"),), prompt="@image1 waves")
    shown = previewed(req, FAL)
    assert shown.reference_images == (f"<{files / 'face.png'}, uploaded first>",)
    assert previewed(resolved(ARK, image_url=str(files / "face.png"), model=None), ARK).image_url == (
        f"<{files / 'face.png'}, inline as a data: URI>"
    )
    assert callable(dry_run)


# --- end to end against the simulators ---------------------------------------------------------------


def cli(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], env: dict[str, str], *argv: str
) -> tuple[int, Any, str]:
    code, out, err = run_cli(monkeypatch, capsys, env, *argv)
    assert KEY not in out and KEY not in err
    return code, json.loads(out) if out.strip() else None, err


@pytest.mark.parametrize(
    ("provider", "via", "expected"),
    [
        (
            "fal",
            "upload",
            [
                "POST /storage/upload/initiate",
                "PUT /storage/upload/put/",
                "POST /bytedance/seedance-2.0/reference-to-video",
            ],
        ),
        ("replicate", "upload", ["POST /files", "POST /models/bytedance/seedance-2.0/predictions"]),
        ("byteplus", "data_uri", ["POST /contents/generations/tasks"]),
    ],
)
def test_a_local_reference_reaches_an_mp4(
    provider: str,
    via: str,
    expected: list[str],
    files: Path,
    tmp_path: Path,
    sandbox: Callable[..., Sandbox],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sb = sandbox(speed=0.0)
    env = simulator_env(sb, provider, tmp_path, KEY)
    monkeypatch.chdir(files)
    code, job, err = cli(
        monkeypatch, capsys, env, "generate", "@image1 walks through the rain",
        "--model", "seedance-2.0", "--ref-image", "./face.png", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert job["status"] == "succeeded" and Path(job["video_path"]).read_bytes()[4:8] == b"ftyp"
    [record] = job["local_inputs"]
    assert record["via"] == via and record["path"] == str(files / "face.png")
    writes = [
        f"{method} {path.removeprefix('/' + provider)}"
        for p, method, path, _ in sb.requests
        if method != "GET"
    ]
    for want, got in zip(expected, writes, strict=True):
        assert got.startswith(want), (want, got)


def test_seedance2ai_renders_media_to_video(
    tmp_path: Path,
    sandbox: Callable[..., Sandbox],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sb = sandbox(speed=0.0)
    env = simulator_env(sb, "seedance2ai", tmp_path, KEY)
    code, job, err = cli(monkeypatch, capsys, env, "generate", "@image1 waves", "--ref-image", IMG, "--json")
    assert code == 0, err
    assert job["status"] == "succeeded" and job["request"]["reference_images"] == [IMG]


@pytest.mark.parametrize(
    "argv",
    [
        ["--provider", "fal", "--model", "seedance-2.0", *["--ref-image", IMG] * 10],
        ["--provider", "byteplus", "--model", "seedance-2.0", "--ref-audio", AUD],
        ["--provider", "fal", "--model", "seedance-2.0", "--ref-image", IMG, "--image", IMG2],
        ["--provider", "nanophoto", "--ref-image", IMG],
        ["--provider", "seedance2ai", "--ref-image", "./face.png"],
        ["--provider", "byteplus", "--model", "seedance-2.0", "--ref-image", "./missing.png"],
        ["--provider", "byteplus", "--model", "seedance-2.0", "--ref-image", "./folder"],
        ["--provider", "byteplus", "--model", "seedance-2.0", "--ref-image", "./in/link.png"],
        ["--provider", "byteplus", "--model", "seedance-2.0", "--ref-image", "./notes.png"],
        ["--provider", "byteplus", "--model", "seedance-2.0", "--ref-image", "./empty.png"],
        [
            "--provider",
            "byteplus",
            "--model",
            "seedance-2.0",
            "--ref-image",
            IMG,
            "--ref-video",
            "./clip.mp4",
        ],
    ],
)
def test_every_refusal_exits_2_before_any_request(
    argv: list[str],
    files: Path,
    tmp_path: Path,
    sandbox: Callable[..., Sandbox],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sb = sandbox(speed=0.0)
    provider = argv[1]
    env = simulator_env(sb, provider, tmp_path, KEY)
    monkeypatch.chdir(files)
    code, answer, err = cli(monkeypatch, capsys, env, "generate", "@image1 in the rain", *argv, "--json")
    assert code == 2, err
    assert answer["error"]["code"] == "invalid_request" and answer["error"]["field"]
    assert sb.requests == []


def test_a_name_without_a_reference_is_a_notice_not_an_error(
    files: Path,
    tmp_path: Path,
    sandbox: Callable[..., Sandbox],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sb = sandbox(speed=0.0)
    env = simulator_env(sb, "fal", tmp_path, KEY)
    code, job, err = cli(
        monkeypatch,
        capsys,
        env,
        "generate",
        "@image2 waves",
        "--model",
        "seedance-2.0",
        "--ref-image",
        IMG,
        "--json",
    )
    assert code == 0, err
    assert "@image2 names no reference" in job["notice"]
    assert "reference image 1 is never named" in job["notice"]


# --- the skill's tables say what the code does --------------------------------------------------------

GUIDE = Path(__file__).resolve().parent.parent / "skill" / "references" / "references-and-local-files.md"


def table(heading: str) -> list[list[str]]:
    """The rows (cells stripped) of the first table under `heading` in the guide."""
    text = GUIDE.read_text().split(f"## {heading}", 1)[1]
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    return rows


def test_the_guides_reference_table_matches_the_models() -> None:
    said: dict[tuple[str, str], str] = {}
    for providers, models, counts, _ in table("Who takes references, and how they are named"):
        for pid in providers.split(", "):
            for model in models.split(", "):
                said[(pid, model)] = counts
    actual = {
        (p.id, m.name): m.caps.references for p in PROVIDERS.values() for m in p.models if m.caps.references
    }
    assert set(said) == set(actual)
    for key, limits in actual.items():
        assert limits is not None
        assert said[key].startswith(
            f"{limits.images} / {limits.videos} / {limits.audios} ({limits.total})"
        ), key


def test_the_guides_local_file_table_matches_the_routes() -> None:
    said = {}
    for providers, kinds, how, limits in table("Local files"):
        for pid in providers.split(", "):
            said[pid] = (kinds.split(", "), how, limits)
    routing = {p.id: p.local_routes for p in PROVIDERS.values() if p.local_routes}
    assert set(said) == set(routing)
    for pid, routes in routing.items():
        kinds, how, limits = said[pid]
        assert sorted(kinds) == sorted(routes)
        for kind, route in routes.items():
            assert f"{kind} {route.max_bytes // 10**6} MB" in limits, (pid, kind)
            assert ("data:" in how) == (route.via == "data_uri"), pid


# --- through the MCP server ------------------------------------------------------------------------


@pytest.mark.anyio
async def test_generate_video_takes_references_and_refuses_a_bad_mix(files: Path, tmp_path: Path) -> None:
    from mcp.client import Client
    from mcp_types import TextContent

    from seedance_mcp.engine import Service
    from seedance_mcp.server import build_server
    from seedance_mcp.settings import Settings

    env = {
        "SEEDANCE_SANDBOX": "1",
        "SEEDANCE_SANDBOX_SPEED": "0.0001",
        "SEEDANCE_HOME": str(tmp_path / "home"),
        "SEEDANCE_OUTPUT_DIR": str(tmp_path / "videos"),
    }
    server = build_server(lambda: Service(settings=Settings.from_env(env)))
    async with Client(server) as client:
        done = await client.call_tool(
            "generate_video",
            {
                "prompt": "@image1 waves in the rain",
                "provider": "fal",
                "model": "seedance-2.0",
                "reference_images": [str(files / "face.png")],
                "wait_seconds": 30,
            },
        )
        refusal = await client.call_tool(
            "generate_video",
            {"prompt": "a song", "provider": "fal", "model": "seedance-2.0", "reference_audios": [AUD]},
        )
    assert not done.is_error, done.content
    job = done.structured_content
    assert job is not None and job["status"] == "succeeded"
    assert [i["via"] for i in job["local_inputs"]] == ["upload"]
    assert refusal.is_error
    text = "\n".join(b.text for b in refusal.content if isinstance(b, TextContent))
    assert "reference_audios" in text and "needs a reference image or video" in text
