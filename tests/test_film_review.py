"""The film's review page (`seedance_mcp.film.review`): it links every shot and every file that
exists (and only those), escapes prompts, needs nothing from the network, and renders in a real
browser (headless Chromium from Debian's `chromium` package; CI installs it and the test then
must run, locally it is skipped when the browser is absent)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image

from seedance_mcp.film.manifest import FilmManifest, ShotRecord
from seedance_mcp.film.review import write_review_page
from seedance_mcp.models import Money
from seedance_mcp.sandbox.clips import ClipSpec, render

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
SCREENSHOT_TIMEOUT = 60


class Links(HTMLParser):
    """Every src/href of the page, and the ids of its shot articles."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.shots: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value is not None:
                self.links.append((tag, value))
            if tag == "article" and name == "id" and value is not None:
                self.shots.append(value.removeprefix("shot-"))


def film(tmp_path: Path, *, clips: dict[str, bool], stitched: bool = True) -> tuple[FilmManifest, Path]:
    """A film folder with the files a render leaves; `clips` says which shots' clips exist."""
    folder = tmp_path / "film"
    (folder / "clips").mkdir(parents=True)
    shots = []
    for index, (shot_id, exists) in enumerate(clips.items()):
        name = f"clips/{shot_id}.mp4"
        if exists:
            spec = ClipSpec(
                seconds=1, width=320, height=180, audio=True, colour=(40 * index, 120, 200), tone=6
            )
            (folder / name).write_bytes(render(spec).mp4)
        shots.append(
            ShotRecord(
                id=shot_id,
                prompt=f"Shot {shot_id}: the keeper lights the lamp",
                duration=1,
                job_id=f"job-{shot_id}",
                status="succeeded" if exists else "running",
                cost=Money(amount=12, unit="credits") if exists else None,
                estimated_cost=Money(amount=12, unit="credits"),
                clip=name,
                measured_duration=1.0 if exists else None,
            )
        )
    if stitched:
        first = next(iter(clips))
        shutil.copyfile(folder / f"clips/{first}.mp4", folder / "The Keeper.mp4")
        Image.new("RGB", (64, 36), (200, 40, 40)).save(folder / "contact-sheet.png")
    manifest = FilmManifest(
        film_id="film-1",
        title="The Keeper",
        created=datetime(2026, 12, 2, tzinfo=UTC),
        provider="seedanceapi",
        model=None,
        aspect_ratio="16:9",
        resolution="480p",
        status="succeeded" if stitched else "running",
        shots=shots,
        total_cost=[Money(amount=24, unit="credits"), Money(amount=0.5, unit="USD")],
        duration=2.0 if stitched else None,
        film_file="The Keeper.mp4" if stitched else None,
        contact_sheet="contact-sheet.png" if stitched else None,
        review_page="index.html",
        stitch_method="copy" if stitched else None,
    )
    return manifest, folder


def parse(page: Path) -> Links:
    links = Links()
    links.feed(page.read_text(encoding="utf-8"))
    return links


def test_the_page_links_every_shot_and_every_file_that_exists(tmp_path: Path) -> None:
    manifest, folder = film(tmp_path, clips={"open": True, "climb": True, "lamp": False})
    (folder / "film.json").write_text(manifest.model_dump_json(), encoding="utf-8")
    page = write_review_page(manifest, folder)
    assert page == folder / "index.html"
    links = parse(page)
    assert links.shots == ["open", "climb", "lamp"]
    targets = {value for _, value in links.links}
    assert targets == {
        "The%20Keeper.mp4",
        "contact-sheet.png",
        "clips/open.mp4",
        "clips/climb.mp4",
        "film.json",
    }
    for target in targets:  # every link is relative and resolves to a file that exists
        assert "://" not in target and not target.startswith("/")
        assert (folder / target.replace("%20", " ")).is_file()
    text = page.read_text(encoding="utf-8")
    assert "clips/lamp.mp4" not in text and "No clip yet (running)" in text
    assert "24 credits, 0.50 USD" in text and "12 credits" in text and "job-climb" in text
    for shot in manifest.shots:
        assert shot.prompt in text


def test_a_film_not_yet_stitched_says_so(tmp_path: Path) -> None:
    manifest, folder = film(tmp_path, clips={"open": False}, stitched=False)
    text = write_review_page(manifest, folder).read_text(encoding="utf-8")
    assert "The film is not stitched yet." in text
    assert parse(folder / "index.html").links == []


def test_absolute_clip_paths_become_relative_links(tmp_path: Path) -> None:
    manifest, folder = film(tmp_path, clips={"open": True})
    elsewhere = tmp_path / "downloads" / "open.mp4"
    elsewhere.parent.mkdir()
    shutil.move(folder / "clips/open.mp4", elsewhere)
    shot = manifest.shots[0].model_copy(update={"clip": str(elsewhere)})
    page = write_review_page(manifest.model_copy(update={"shots": [shot]}), folder)
    assert ("video", "../downloads/open.mp4") in parse(page).links


def test_prompts_and_warnings_are_escaped(tmp_path: Path) -> None:
    manifest, folder = film(tmp_path, clips={"open": True})
    hostile = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    shot = manifest.shots[0].model_copy(update={"prompt": hostile, "warnings": ["frame <b>bad</b>"]})
    page = write_review_page(manifest.model_copy(update={"shots": [shot], "title": "A <i>"}), folder)
    text = page.read_text(encoding="utf-8")
    assert "<script>" not in text and "<img src=x" not in text and "<b>bad</b>" not in text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;" in text
    assert "frame &lt;b&gt;bad&lt;/b&gt;" in text and "A &lt;i&gt;" in text
    assert 'class="shot warned"' in text


def test_the_page_needs_nothing_from_the_network(tmp_path: Path) -> None:
    manifest, folder = film(tmp_path, clips={"open": True, "climb": True})
    text = write_review_page(manifest, folder).read_text(encoding="utf-8")
    assert not re.search(r"(src|href)\s*=\s*\"(https?:)?//", text)
    assert "@import" not in text and "<link" not in text and "<script" not in text


def _chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def test_the_page_renders_in_headless_chromium(tmp_path: Path) -> None:
    browser = _chromium()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run this test: install Debian's chromium (.ci/run does)")
        pytest.skip("headless Chromium is not installed (apt-get install chromium)")
    manifest, folder = film(tmp_path, clips={"open": True, "climb": True, "lamp": False})
    page = write_review_page(manifest, folder)
    shot = tmp_path / "screenshot.png"
    profile = tmp_path / "profile"
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",  # CI runs as root, where Chromium's sandbox cannot start
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profile}",
            "--window-size=1100,900",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=SCREENSHOT_TIMEOUT,
    )
    with Image.open(shot) as image:
        assert image.size == (1100, 900)
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None
    # A blank page is one colour; this one has the title, the shot cards, text and the player.
    assert len(colours) > 50
    dominant = max(count for count, _ in colours)
    assert dominant < 0.95 * 1100 * 900
