"""Every published price cell, checked against a transcription of the seed tables made here.

The rows below are copied from the documents by hand (not from `pricing.py`), in the layout
each document uses: (resolution, seconds, without audio, with audio).
"""

from __future__ import annotations

import pytest

from seedance_mcp.models import VideoRequest
from seedance_mcp.pricing import PRICE_TABLES, estimate, estimate_request
from seedance_mcp.providers import get_provider
from seedance_mcp.validation import resolve_request

Row = tuple[str | None, int, int, int]

# Seed 000, "Web Users".
NANOPHOTO_WEB: list[Row] = [
    ("480p", 4, 1, 2),
    ("480p", 8, 2, 4),
    ("480p", 12, 3, 6),
    ("720p", 4, 2, 4),
    ("720p", 8, 4, 8),
    ("720p", 12, 6, 12),
    ("1080p", 4, 4, 8),
    ("1080p", 8, 8, 16),
    ("1080p", 12, 11, 22),
]
# Seed 000, "API Users (2x Credits)": what an API key pays.
NANOPHOTO_API: list[Row] = [
    ("480p", 4, 2, 4),
    ("480p", 8, 4, 8),
    ("480p", 12, 6, 12),
    ("720p", 4, 4, 8),
    ("720p", 8, 8, 16),
    ("720p", 12, 12, 24),
    ("1080p", 4, 8, 16),
    ("1080p", 8, 16, 32),
    ("1080p", 12, 22, 44),
]
# Seed 001, tables "480p" and "720p".
SEEDANCEAPI: list[Row] = [
    ("480p", 4, 8, 14),
    ("480p", 8, 14, 28),
    ("480p", 12, 19, 38),
    ("720p", 4, 14, 28),
    ("720p", 8, 28, 56),
    ("720p", 12, 42, 84),
]
# Seed 003, "Kreditverbrauch" (no resolution choice).
SEEDANCE15PRO: list[Row] = [
    (None, 5, 65, 130),
    (None, 10, 130, 260),
]

PUBLISHED: dict[str, list[Row]] = {
    "nanophoto": NANOPHOTO_API,
    "seedanceapi": SEEDANCEAPI,
    "seedance15pro": SEEDANCE15PRO,
}
CELLS = [
    (provider_id, resolution, seconds, audio, price)
    for provider_id, rows in PUBLISHED.items()
    for resolution, seconds, silent, with_audio in rows
    for audio, price in ((False, silent), (True, with_audio))
]


@pytest.mark.parametrize(("provider_id", "resolution", "seconds", "audio", "price"), CELLS)
def test_every_published_cell(
    provider_id: str, resolution: str | None, seconds: int, audio: bool, price: int
) -> None:
    est = estimate(get_provider(provider_id), resolution, seconds, audio)
    assert est.credits == price
    assert est.provider == provider_id
    assert est.duration == seconds and est.audio is audio and est.resolution == resolution
    assert est.source and est.source != "not published"


@pytest.mark.parametrize("provider_id", sorted(PUBLISHED))
def test_tables_hold_exactly_the_published_cells(provider_id: str) -> None:
    expected = {
        (resolution, seconds, audio): price
        for pid, resolution, seconds, audio, price in CELLS
        if pid == provider_id
    }
    assert PRICE_TABLES[provider_id].cells == expected


def test_nanophoto_api_price_is_twice_the_web_price() -> None:
    web = {(r, s): (a, b) for r, s, a, b in NANOPHOTO_WEB}
    assert len(NANOPHOTO_API) == len(web) == 9
    for resolution, seconds, silent, with_audio in NANOPHOTO_API:
        web_silent, web_audio = web[(resolution, seconds)]
        assert (silent, with_audio) == (2 * web_silent, 2 * web_audio)
        assert with_audio == 2 * silent


def test_nanophoto_720p_8s_with_audio_costs_16() -> None:
    assert estimate(get_provider("nanophoto"), "720p", 8, True).credits == 16


@pytest.mark.parametrize("provider_id", ["apixo", "seedance2ai"])
def test_unpublished_providers_have_no_number(provider_id: str) -> None:
    est = estimate(get_provider(provider_id), "720p", 8, False)
    assert est.credits is None
    assert est.source == "not published"
    assert est.note is not None and "publishes no credit table" in est.note


@pytest.mark.parametrize(
    ("provider_id", "resolution", "seconds"),
    [("nanophoto", "720p", 5), ("seedanceapi", "1080p", 8), ("seedance15pro", None, 8)],
)
def test_cells_outside_the_table_are_not_invented(
    provider_id: str, resolution: str | None, seconds: int
) -> None:
    est = estimate(get_provider(provider_id), resolution, seconds, False)
    assert est.credits is None
    assert est.note is not None and "No published price" in est.note


def test_seedance15pro_ignores_resolution_in_the_lookup() -> None:
    assert estimate(get_provider("seedance15pro"), "720p", 10, True).credits == 260


def test_estimate_request_uses_the_resolved_defaults() -> None:
    provider = get_provider("seedanceapi")
    req = resolve_request(VideoRequest(prompt="a lighthouse at dusk", audio=True), provider)
    assert estimate_request(provider, req).credits == 56  # 720p, 8 s, with audio
    provider = get_provider("seedance15pro")
    req = resolve_request(VideoRequest(prompt="a lighthouse at dusk"), provider)
    assert estimate_request(provider, req).credits == 65  # 5 s, silent
