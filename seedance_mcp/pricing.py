"""Credit prices as each provider publishes them, cell for cell, with source and date.

A provider that publishes no table gets `credits: null` and a note that says so; this
module never makes a number up. Keys are (resolution, seconds, audio); `seedance15pro`
has no resolution choice, so its keys use `None`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import CreditEstimate, VideoRequest
from .providers import Provider

__all__ = ["PRICE_TABLES", "PriceTable", "estimate", "estimate_request"]

Cell = tuple[str | None, int, bool]


@dataclass(frozen=True)
class PriceTable:
    source: str
    cells: dict[Cell, int]
    note: str | None = None


def _grid(resolution: str | None, rows: dict[int, tuple[int, int]]) -> dict[Cell, int]:
    cells: dict[Cell, int] = {}
    for seconds, (silent, with_audio) in rows.items():
        cells[(resolution, seconds, False)] = silent
        cells[(resolution, seconds, True)] = with_audio
    return cells


PRICE_TABLES: dict[str, PriceTable] = {
    "nanophoto": PriceTable(
        source="NanoPhoto.AI API docs, 'API Users (2x Credits)' table, read 2026-11-22",
        cells={
            **_grid("480p", {4: (2, 4), 8: (4, 8), 12: (6, 12)}),
            **_grid("720p", {4: (4, 8), 8: (8, 16), 12: (12, 24)}),
            **_grid("1080p", {4: (8, 16), 8: (16, 32), 12: (22, 44)}),
        },
        note="API calls cost twice the web price; audio doubles the price.",
    ),
    "seedanceapi": PriceTable(
        source="seedanceapi.org API docs, pricing tables (480p, 720p), read 2026-11-22",
        cells={
            **_grid("480p", {4: (8, 14), 8: (14, 28), 12: (19, 38)}),
            **_grid("720p", {4: (14, 28), 8: (28, 56), 12: (42, 84)}),
        },
    ),
    "seedance15pro": PriceTable(
        source="seedance1-5pro.com API docs, 'Kreditverbrauch' table, read 2026-11-22",
        cells=_grid(None, {5: (65, 130), 10: (130, 260)}),
        note="Credits are taken when the task is created; failed jobs are refunded.",
    ),
}

_UNPRICED = {
    "apixo": "APIXO publishes no credit table in its API docs; the price is shown in its dashboard.",
    "seedance2ai": (
        "seedance2ai.io publishes no credit table in its API docs; each finished task reports "
        "credits_used, which the job records."
    ),
}


def estimate(provider: Provider, resolution: str | None, duration: int, audio: bool) -> CreditEstimate:
    """The published price of one clip, or `credits=None` with the reason."""
    table = PRICE_TABLES.get(provider.id)
    if table is None:
        return CreditEstimate(
            provider=provider.id,
            credits=None,
            resolution=resolution,
            duration=duration,
            audio=audio,
            source="not published",
            note=_UNPRICED.get(provider.id, "No published price."),
        )
    key: Cell = (resolution if provider.caps.resolutions else None, duration, audio)
    credits = table.cells.get(key)
    note = table.note
    if credits is None:
        note = (
            f"No published price for {resolution or 'default resolution'}, {duration} s, "
            f"audio {'on' if audio else 'off'}."
        )
    return CreditEstimate(
        provider=provider.id,
        credits=credits,
        resolution=resolution,
        duration=duration,
        audio=audio,
        source=table.source,
        note=note,
    )


def estimate_request(provider: Provider, req: VideoRequest) -> CreditEstimate:
    """Price of a request already resolved against the provider."""
    assert req.duration is not None
    return estimate(provider, req.resolution, req.duration, req.audio)
