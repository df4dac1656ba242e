"""Prices as each provider publishes them, with source and date: credits cell for cell, and
money per million tokens with the token formula.

A (provider, model) with no published price gets `amount: null` and a note that says so; this
module never makes a number up. Credit tables are keyed (resolution, seconds, audio);
`seedance15pro` has no resolution choice, so its keys use `None`. Token-priced models (Ark)
cost tokens x price per million, with tokens = width x height x fps x seconds / 1024 and the
output size per resolution and ratio from Ark's documents. Amounts in different units are
never added or compared.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .models import CreditEstimate, Money, TaskState, Unit, VideoRequest
from .providers import ModelSpec, Provider, get_model

__all__ = [
    "DIMENSIONS_1X",
    "DIMENSIONS_2X",
    "PRICE_TABLES",
    "TOKEN_PRICES",
    "PriceTable",
    "TokenPrice",
    "actual_cost",
    "dimensions",
    "estimate",
    "estimate_request",
    "tokens_for",
]

Cell = tuple[str | None, int, bool]


@dataclass(frozen=True)
class PriceTable:
    source: str
    cells: dict[Cell, int]
    note: str | None = None
    model: str = "seedance-1.5-pro"
    """The one model the (credit-priced) provider serves at these prices."""


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
    "replicate": (
        "Replicate's model and API pages read (2026-12-02) show no price for its Seedance models, and "
        "a third-party claim is not a price; Replicate bills the account in USD, and a finished "
        "prediction reports no cost (see the billing page of the Replicate account)."
    ),
}

Size = tuple[int, int]

# Output sizes (width, height) by resolution and ratio, from Ark's video generation docs (as
# reproduced by several API clients; read 2026-11-30). Seedance 1.0 uses one table, 1.5 Pro and
# the 2.x family another. Published prices bear both out: BytePlus's own 5 s 16:9 examples for
# 2.0 ($0.35, $0.76, $1.87) need 864x496, 1280x720 and 1920x1080; fal's 1.0 pro fast figure
# ($0.245 at 1080p, 5 s) needs 1920x1088.
DIMENSIONS_1X: dict[str, dict[str, Size]] = {
    "480p": {"16:9": (864, 480), "4:3": (736, 544), "1:1": (640, 640), "3:4": (544, 736),
             "9:16": (480, 864), "21:9": (960, 416)},
    "720p": {"16:9": (1248, 704), "4:3": (1120, 832), "1:1": (960, 960), "3:4": (832, 1120),
             "9:16": (704, 1248), "21:9": (1504, 640)},
    "1080p": {"16:9": (1920, 1088), "4:3": (1664, 1248), "1:1": (1440, 1440), "3:4": (1248, 1664),
              "9:16": (1088, 1920), "21:9": (2176, 928)},
}  # fmt: skip
DIMENSIONS_2X: dict[str, dict[str, Size]] = {
    "480p": {"16:9": (864, 496), "4:3": (752, 560), "1:1": (640, 640), "3:4": (560, 752),
             "9:16": (496, 864), "21:9": (992, 432)},
    "720p": {"16:9": (1280, 720), "4:3": (1112, 834), "1:1": (960, 960), "3:4": (834, 1112),
             "9:16": (720, 1280), "21:9": (1470, 630)},
    "1080p": {"16:9": (1920, 1080), "4:3": (1664, 1248), "1:1": (1440, 1440), "3:4": (1248, 1664),
              "9:16": (1080, 1920), "21:9": (2206, 946)},
}  # fmt: skip


def dimensions(model: str, resolution: str, ratio: str) -> Size:
    """The output size of `model` at `resolution` and `ratio`; `adaptive` (the model picks the
    shape) is the largest frame it may pick, so that an estimate is never low."""
    table = (DIMENSIONS_1X if model.startswith("seedance-1.0") else DIMENSIONS_2X)[resolution]
    if ratio in table:
        return table[ratio]
    return max(table.values(), key=lambda size: size[0] * size[1])


def tokens_for(width: int, height: int, fps: int, seconds: float) -> int:
    """Billed tokens of a clip: width x height x fps x seconds / 1024, rounded up."""
    return math.ceil(width * height * fps * seconds / 1024)


Rate = tuple[str | None, bool | None]
"""A price's key: (resolution or None for any, audio or None for either)."""


@dataclass(frozen=True, kw_only=True)
class TokenPrice:
    """A model's price per million output tokens in one currency."""

    unit: Unit
    rates: Mapping[Rate, float]
    source: str
    video_input_rates: Mapping[Rate, float] = field(default_factory=dict)
    """The (lower) price when the input includes a video (references, in a later release)."""
    flex_factor: float | None = 0.5
    """The offline tier's share of the price, where the model has that tier (None: not published)."""
    note: str | None = None

    def per_million(self, resolution: str | None, audio: bool) -> float | None:
        for key in ((resolution, audio), (resolution, None), (None, audio), (None, None)):
            if key in self.rates:
                return self.rates[key]
        return None


_BYTEPLUS_PRICE_PAGE = (
    "BytePlus ModelArk pricing (docs.byteplus.com/en/docs/ModelArk/1544106, version of 2026-07-31) "
    "as transcribed in a third-party survey of the official pages (2026-08-01); its own examples "
    "for a 5 s 16:9 clip ($0.35, $0.76 and $1.87 for 2.0 at 480p, 720p and 1080p) follow from "
    "these rates and the token formula. Read 2026-12-01"
)
_BYTEPLUS_1X = (
    f"{_BYTEPLUS_PRICE_PAGE}; the same list prices are passed through on fal's Seedance pages "
    "(fal.ai/models/fal-ai/bytedance/seedance/*/llms.txt)"
)
_BYTEPLUS_LITE = (
    "third-party: BytePlus list price as passed through on fal's Seedance 1.0 lite page and in "
    "Comfy's partner-node pricing table (the BytePlus price page no longer lists 1.0 lite). "
    "Read 2026-11-30"
)
_VOLCENGINE_2X = (
    "Volcengine Ark's product page (volcengine.com/product/ark) as transcribed in a third-party "
    "survey (2026-08-01), agreeing with crazyrouter.com and aicost.org (announced 2026-03-04); "
    "1080p from the 2026-04-16 1080p launch as implemented by an API client. Read 2026-12-01"
)
_SILENT_SAME = "Sound does not change the price of Seedance {}."

TOKEN_PRICES: dict[tuple[str, str], TokenPrice] = {
    ("byteplus", "seedance-1.0-lite"): TokenPrice(
        unit="USD", rates={(None, None): 1.8}, source=_BYTEPLUS_LITE
    ),
    ("byteplus", "seedance-1.0-pro"): TokenPrice(unit="USD", rates={(None, None): 2.5}, source=_BYTEPLUS_1X),
    ("byteplus", "seedance-1.0-pro-fast"): TokenPrice(
        unit="USD", rates={(None, None): 1.0}, source=_BYTEPLUS_1X
    ),
    ("byteplus", "seedance-1.5-pro"): TokenPrice(
        unit="USD", rates={(None, True): 2.4, (None, False): 1.2}, source=_BYTEPLUS_1X
    ),
    ("byteplus", "seedance-2.0"): TokenPrice(
        unit="USD",
        rates={("480p", None): 7.0, ("720p", None): 7.0, ("1080p", None): 7.7},
        video_input_rates={("480p", None): 4.3, ("720p", None): 4.3, ("1080p", None): 4.7},
        source=_BYTEPLUS_PRICE_PAGE,
        note=_SILENT_SAME.format("2.0"),
    ),
    ("byteplus", "seedance-2.0-fast"): TokenPrice(
        unit="USD",
        rates={(None, None): 5.6},
        video_input_rates={(None, None): 3.3},
        source=_BYTEPLUS_PRICE_PAGE,
        note=_SILENT_SAME.format("2.0 fast"),
    ),
    ("byteplus", "seedance-2.0-mini"): TokenPrice(
        unit="USD",
        rates={(None, None): 3.5},
        video_input_rates={(None, None): 2.1},
        source=_BYTEPLUS_PRICE_PAGE,
        note=_SILENT_SAME.format("2.0 mini"),
    ),
    ("volcengine", "seedance-2.0"): TokenPrice(
        unit="CNY",
        rates={("480p", None): 46.0, ("720p", None): 46.0, ("1080p", None): 51.0},
        video_input_rates={("480p", None): 28.0, ("720p", None): 28.0, ("1080p", None): 31.0},
        source=_VOLCENGINE_2X,
        note=_SILENT_SAME.format("2.0"),
    ),
    ("volcengine", "seedance-2.0-fast"): TokenPrice(
        unit="CNY",
        rates={(None, None): 37.0},
        video_input_rates={(None, None): 22.0},
        source=_VOLCENGINE_2X,
        note=_SILENT_SAME.format("2.0 fast"),
    ),
    ("volcengine", "seedance-2.0-mini"): TokenPrice(
        unit="CNY",
        rates={(None, None): 23.0},
        video_input_rates={(None, None): 14.0},
        source=_VOLCENGINE_2X,
        note=_SILENT_SAME.format("2.0 mini"),
    ),
}

# fal.ai's own list prices (USD), from each model's page. fal bills tokens by the formula above
# (1.x: "(height x width x FPS x duration) / 1024"; 2.0: "... * 24) / 1024"), and its examples
# follow from these rates and `dimensions`: $0.62 and $0.245 for 1.0 Pro and Pro Fast at 1080p
# 5 s (1920x1088), $0.26 for 1.5 Pro at 720p 5 s with sound, $0.3024/s for 2.0 at 720p (1280x720).
_FAL_1X = (
    "fal.ai model pages (fal.ai/models/fal-ai/bytedance/seedance/{v1/pro,v1/pro/fast,v1.5/pro}/"
    "text-to-video/llms.txt), read 2026-12-02"
)
_FAL_2X = (
    "fal.ai model pages (fal.ai/models/bytedance/seedance-2.0/{,fast/,mini/}text-to-video and their "
    "reference-to-video pages for the 0.6x with video input), read 2026-12-02"
)
_FAL_SOUND = "fal charges the same for Seedance 2.0 with or without sound."
TOKEN_PRICES.update(
    {
        ("fal", "seedance-1.0-pro"): TokenPrice(
            unit="USD", rates={(None, None): 2.5}, source=_FAL_1X, flex_factor=None
        ),
        ("fal", "seedance-1.0-pro-fast"): TokenPrice(
            unit="USD", rates={(None, None): 1.0}, source=_FAL_1X, flex_factor=None
        ),
        ("fal", "seedance-1.5-pro"): TokenPrice(
            unit="USD", rates={(None, True): 2.4, (None, False): 1.2}, source=_FAL_1X, flex_factor=None
        ),
        ("fal", "seedance-2.0"): TokenPrice(
            unit="USD",
            rates={(None, None): 14.0},  # $0.014 per 1,000 tokens
            video_input_rates={(None, None): 8.4},
            source=_FAL_2X,
            flex_factor=None,
            note=_FAL_SOUND,
        ),
        ("fal", "seedance-2.0-fast"): TokenPrice(
            unit="USD",
            rates={(None, None): 11.2},  # $0.0112 per 1,000 tokens
            video_input_rates={(None, None): 6.72},
            source=_FAL_2X,
            flex_factor=None,
            note=_FAL_SOUND,
        ),
        ("fal", "seedance-2.0-mini"): TokenPrice(
            unit="USD",
            rates={(None, None): 7.0},  # $0.007 per 1,000 tokens
            source=_FAL_2X,
            flex_factor=None,
            note=(
                f"{_FAL_SOUND} fal's per-second figures for 2.0 mini ($0.0721/s at 480p, $0.1547/s at "
                "720p) are 2-3% above what its token rate gives; the estimate uses the token rate."
            ),
        ),
    }
)

_UNPRICED_MODELS: dict[tuple[str, str] | str, str] = {
    ("byteplus", "seedance-2.5"): (
        "No BytePlus price for Seedance 2.5 was found, official or consistent third-party; "
        "the finished job records its billed tokens (usage.completion_tokens), not a price."
    ),
    "byteplus": (
        "No BytePlus price for this model was found, official or consistent third-party; the "
        "finished job records its billed tokens (usage.completion_tokens)."
    ),
    ("volcengine", "seedance-2.5"): (
        "No Volcengine price for Seedance 2.5 was found, official or third-party; the finished job "
        "records its billed tokens (usage.completion_tokens)."
    ),
    "volcengine": (
        "Volcengine's current price pages list only Seedance 2.0, 2.0 fast and 2.0 mini; the 1.x "
        "list prices on its earlier product page may be out of date, so none is shown. The finished "
        "job records its billed tokens (usage.completion_tokens)."
    ),
}


def _unpriced_note(provider: Provider, model: str) -> str:
    return (
        _UNPRICED_MODELS.get((provider.id, model))
        or _UNPRICED_MODELS.get(provider.id)
        or _UNPRICED.get(provider.id, "No published price.")
    )


def estimate(
    provider: Provider,
    resolution: str | None,
    duration: int,
    audio: bool,
    *,
    model: str | None = None,
    aspect_ratio: str | None = None,
    flex: bool = False,
) -> CreditEstimate:
    """The published price of one clip on (`provider`, `model`), or `amount=None` with the reason."""
    spec = get_model(provider, model)
    base: dict[str, Any] = {
        "provider": provider.id,
        "model": spec.name,
        "resolution": resolution,
        "duration": duration,
        "audio": audio,
        "flex": flex,
    }
    token_price = TOKEN_PRICES.get((provider.id, spec.name))
    if token_price is not None:
        return _token_estimate(spec, token_price, base, aspect_ratio)
    table = PRICE_TABLES.get(provider.id)
    if table is None or table.model != spec.name:
        return CreditEstimate(
            **base, credits=None, source="not published", note=_unpriced_note(provider, spec.name)
        )
    key: Cell = (resolution if spec.caps.resolutions else None, duration, audio)
    credits = table.cells.get(key)
    note = table.note
    if credits is None:
        note = (
            f"No published price for {resolution or 'default resolution'}, {duration} s, "
            f"audio {'on' if audio else 'off'}."
        )
    return CreditEstimate(
        **base,
        credits=credits,
        amount=None if credits is None else float(credits),
        unit="credits",
        source=table.source,
        note=note,
    )


def _flex_factor(spec: ModelSpec, price: TokenPrice) -> tuple[float | None, str | None]:
    """The share of the default price the offline tier costs, or None and why it has none."""
    if not spec.caps.flex:
        return None, f"{spec.name} has no offline (flex) tier."
    if price.flex_factor is None:
        return None, f"No published price for the offline (flex) tier of {spec.name}."
    return price.flex_factor, None


def _token_estimate(
    spec: ModelSpec, price: TokenPrice, base: dict[str, Any], aspect_ratio: str | None
) -> CreditEstimate:
    resolution = base["resolution"] or spec.caps.default_resolution
    assert isinstance(resolution, str)
    base["resolution"] = resolution
    ratio = aspect_ratio or "16:9"
    fps = spec.caps.fps or 24
    width, height = dimensions(spec.name, resolution, ratio)
    tokens = tokens_for(width, height, fps, base["duration"])
    rate = price.per_million(resolution, bool(base["audio"]))
    notes = [price.note] if price.note else []
    if ratio == "adaptive":
        notes.append(f"adaptive: priced at the largest frame the model may pick ({width}x{height})")
    unpriced: str | None = None
    if rate is None:
        unpriced = f"No published price for {resolution}."
    elif base["flex"]:
        factor, unpriced = _flex_factor(spec, price)
        if factor is not None:
            rate *= factor
            notes.append(f"flex tier: {factor:g} of the default price")
    if rate is None or unpriced is not None:
        return CreditEstimate(
            **base,
            aspect_ratio=ratio,
            credits=None,
            tokens=tokens,
            source=price.source,
            note=unpriced,
        )
    return CreditEstimate(
        **base,
        aspect_ratio=ratio,
        credits=None,
        amount=round(tokens * rate / 1_000_000, 4),
        unit=price.unit,
        tokens=tokens,
        source=f"{price.source}; {rate:g} {price.unit} per million tokens, {width}x{height} at {fps} fps",
        note="; ".join(notes) or None,
    )


def estimate_request(provider: Provider, req: VideoRequest) -> CreditEstimate:
    """Price of a request already resolved against the provider."""
    assert req.duration is not None
    return estimate(
        provider,
        req.resolution,
        req.duration,
        req.audio,
        model=req.model,
        aspect_ratio=req.aspect_ratio,
        flex=req.flex,
    )


def actual_cost(provider: Provider, req: VideoRequest, state: TaskState) -> Money | None:
    """What a finished task cost, from what its answer reports: credits as reported, or billed
    tokens at the model's price (None when neither is reported or the model has no price)."""
    if state.credits is not None:
        return Money(amount=float(state.credits), unit="credits")
    if state.tokens is None:
        return None
    spec = get_model(provider, req.model)
    price = TOKEN_PRICES.get((provider.id, spec.name))
    resolution = req.resolution or spec.caps.default_resolution
    rate = price.per_million(resolution, req.audio) if price is not None else None
    if price is None or rate is None:
        return None
    if req.flex:
        factor, _ = _flex_factor(spec, price)
        if factor is None:
            return None
        rate *= factor
    return Money(amount=round(state.tokens * rate / 1_000_000, 4), unit=price.unit)
