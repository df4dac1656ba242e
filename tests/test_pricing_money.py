"""Money prices of token-priced models (Ark: byteplus in USD, volcengine in CNY), cell by cell.

Every number the tests expect is worked out here from tables copied by hand from the
documents, not imported from `pricing`: the output sizes from Ark's video generation docs,
the per-million-token rates from BytePlus's and Volcengine's price pages (sources in
`pricing.py`). Tokens are width x height x 24 fps x seconds / 1024.
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from seedance_mcp.models import Money, TaskState, VideoRequest
from seedance_mcp.pricing import TOKEN_PRICES, TokenPrice, actual_cost, estimate, estimate_request
from seedance_mcp.providers import PROVIDERS, Provider
from seedance_mcp.validation import resolve_request

RATIOS = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9")

# Seedance 1.0 (lite, pro, pro fast).
SIZES_1_0: dict[str, dict[str, tuple[int, int]]] = {
    "480p": {"16:9": (864, 480), "4:3": (736, 544), "1:1": (640, 640), "3:4": (544, 736),
             "9:16": (480, 864), "21:9": (960, 416)},
    "720p": {"16:9": (1248, 704), "4:3": (1120, 832), "1:1": (960, 960), "3:4": (832, 1120),
             "9:16": (704, 1248), "21:9": (1504, 640)},
    "1080p": {"16:9": (1920, 1088), "4:3": (1664, 1248), "1:1": (1440, 1440), "3:4": (1248, 1664),
              "9:16": (1088, 1920), "21:9": (2176, 928)},
}  # fmt: skip
# Seedance 1.5 Pro and the 2.x family.
SIZES_LATER: dict[str, dict[str, tuple[int, int]]] = {
    "480p": {"16:9": (864, 496), "4:3": (752, 560), "1:1": (640, 640), "3:4": (560, 752),
             "9:16": (496, 864), "21:9": (992, 432)},
    "720p": {"16:9": (1280, 720), "4:3": (1112, 834), "1:1": (960, 960), "3:4": (834, 1112),
             "9:16": (720, 1280), "21:9": (1470, 630)},
    "1080p": {"16:9": (1920, 1080), "4:3": (1664, 1248), "1:1": (1440, 1440), "3:4": (1248, 1664),
              "9:16": (1080, 1920), "21:9": (2206, 946)},
}  # fmt: skip

# Per million output tokens: {resolution or "*": {audio or "*": rate}}; flex is the share of
# the price the offline tier costs (None: not published; the model has the tier).
PRICED: dict[tuple[str, str], dict[str, Any]] = {
    ("byteplus", "seedance-1.0-lite"): {"rates": {"*": {"*": 1.8}}, "unit": "USD", "flex": 0.5},
    ("byteplus", "seedance-1.0-pro"): {"rates": {"*": {"*": 2.5}}, "unit": "USD", "flex": 0.5},
    ("byteplus", "seedance-1.0-pro-fast"): {"rates": {"*": {"*": 1.0}}, "unit": "USD", "flex": 0.5},
    ("byteplus", "seedance-1.5-pro"): {"rates": {"*": {True: 2.4, False: 1.2}}, "unit": "USD", "flex": 0.5},
    ("byteplus", "seedance-2.0"): {
        "rates": {"480p": {"*": 7.0}, "720p": {"*": 7.0}, "1080p": {"*": 7.7}},
        "unit": "USD",
    },
    ("byteplus", "seedance-2.0-fast"): {"rates": {"*": {"*": 5.6}}, "unit": "USD"},
    ("byteplus", "seedance-2.0-mini"): {"rates": {"*": {"*": 3.5}}, "unit": "USD"},
    ("volcengine", "seedance-2.0"): {
        "rates": {"480p": {"*": 46.0}, "720p": {"*": 46.0}, "1080p": {"*": 51.0}},
        "unit": "CNY",
    },
    ("volcengine", "seedance-2.0-fast"): {"rates": {"*": {"*": 37.0}}, "unit": "CNY"},
    ("volcengine", "seedance-2.0-mini"): {"rates": {"*": {"*": 23.0}}, "unit": "CNY"},
}
UNPRICED = [
    ("byteplus", "seedance-2.5"),
    ("volcengine", "seedance-2.5"),
    # Only an earlier product page lists these; its prices may be out of date.
    ("volcengine", "seedance-1.0-lite"),
    ("volcengine", "seedance-1.0-pro"),
    ("volcengine", "seedance-1.0-pro-fast"),
    ("volcengine", "seedance-1.5-pro"),
]
RESOLUTIONS = {
    "seedance-2.0-fast": ("480p", "720p"),
    "seedance-2.0-mini": ("480p", "720p"),
}
DURATIONS = {
    "seedance-1.0-lite": (2, 5, 12),
    "seedance-1.0-pro": (2, 5, 12),
    "seedance-1.0-pro-fast": (2, 5, 12),
}


def sizes(model: str) -> dict[str, dict[str, tuple[int, int]]]:
    return SIZES_1_0 if model.startswith("seedance-1.0") else SIZES_LATER


def expected_tokens(model: str, resolution: str, ratio: str, seconds: int) -> int:
    table = sizes(model)[resolution]
    if ratio == "adaptive":  # priced at the largest frame the model may pick
        width, height = max(table.values(), key=lambda s: s[0] * s[1])
    else:
        width, height = table[ratio]
    return math.ceil(width * height * 24 * seconds / 1024)


def rate(cell: dict[str, Any], resolution: str, audio: bool) -> float:
    by_audio = cell["rates"].get(resolution, cell["rates"].get("*"))
    return float(by_audio.get(audio, by_audio.get("*")))


def clips(provider_id: str, model: str) -> list[Any]:
    return [
        pytest.param(provider_id, model, res, ratio, seconds, audio, id=f"{res}-{ratio}-{seconds}s-{audio}")
        for res in RESOLUTIONS.get(model, ("480p", "720p", "1080p"))
        for ratio in (*RATIOS, "adaptive")
        for seconds in DURATIONS.get(model, (4, 5, 15 if model.startswith("seedance-2") else 12))
        for audio in ((False, True) if model not in DURATIONS else (False,))
    ]


CELLS = [c for (pid, model) in PRICED for c in clips(pid, model)]


@pytest.mark.parametrize(("provider_id", "model", "resolution", "ratio", "seconds", "audio"), CELLS)
def test_every_priced_cell(
    provider_id: str, model: str, resolution: str, ratio: str, seconds: int, audio: bool
) -> None:
    cell = PRICED[(provider_id, model)]
    tokens = expected_tokens(model, resolution, ratio, seconds)
    per_million = rate(cell, resolution, audio)
    got = estimate(PROVIDERS[provider_id], resolution, seconds, audio, model=model, aspect_ratio=ratio)
    assert got.tokens == tokens
    assert got.amount == round(tokens * per_million / 1_000_000, 4)
    assert got.unit == cell["unit"] and got.credits is None
    assert got.price == Money(amount=got.amount, unit=cell["unit"])
    assert f"{per_million:g} {cell['unit']} per million tokens" in got.source
    assert (got.model, got.resolution, got.aspect_ratio, got.duration) == (model, resolution, ratio, seconds)
    if ratio == "adaptive":
        assert got.note is not None and "largest frame" in got.note


@pytest.mark.parametrize(("provider_id", "model"), list(PRICED))
def test_flex(provider_id: str, model: str) -> None:
    cell = PRICED[(provider_id, model)]
    provider = PROVIDERS[provider_id]
    resolution = RESOLUTIONS.get(model, ("720p",))[-1]
    full = estimate(provider, resolution, 5, False, model=model)
    flex = estimate(provider, resolution, 5, False, model=model, flex=True)
    assert flex.flex and flex.tokens == full.tokens
    if "flex" not in cell:  # the model has no offline tier
        assert flex.amount is None and flex.note == f"{model} has no offline (flex) tier."
    elif cell["flex"] is None:  # it has one, at a price not published
        assert flex.amount is None and flex.note is not None and "flex" in flex.note
    else:
        assert full.amount is not None
        assert flex.amount == round(full.tokens * rate(cell, resolution, False) * 0.5 / 1_000_000, 4)  # type: ignore[operator]
        assert flex.note is not None and "flex tier: 0.5" in flex.note


@pytest.mark.parametrize(("provider_id", "model"), UNPRICED)
def test_unpriced_cells_say_why(provider_id: str, model: str) -> None:
    got = estimate(PROVIDERS[provider_id], "720p", 5, True, model=model)
    assert got.amount is None and got.unit is None and got.price is None and got.credits is None
    assert got.source == "not published"
    assert got.note is not None and "price" in got.note and "usage.completion_tokens" in got.note


def test_a_resolved_request_is_priced_the_same() -> None:
    provider = PROVIDERS["byteplus"]
    req = resolve_request(VideoRequest(prompt="a kite", model="seedance-2.0", resolution="1080p"), provider)
    got = estimate_request(provider, req)
    assert got.tokens == expected_tokens("seedance-2.0", "1080p", "16:9", 5) == 243000
    assert got.amount == round(243000 * 7.7 / 1_000_000, 4)


# --- figures published elsewhere, worked out from the tables above --------------------------------


@pytest.mark.parametrize(
    ("provider_id", "model", "resolution", "audio", "published", "tolerance"),
    [
        # fal's pass-through pages (BytePlus prices): "~$0.62 per 1080p 5 s" for 1.0 pro (we get
        # $0.612), "~$0.245" for 1.0 pro fast, "~$0.26 per 720p 5 s with audio" for 1.5 pro.
        ("byteplus", "seedance-1.0-pro", "1080p", False, 0.62, 0.01),
        ("byteplus", "seedance-1.0-pro-fast", "1080p", False, 0.245, 0.001),
        ("byteplus", "seedance-1.5-pro", "720p", True, 0.26, 0.001),
        # BytePlus's price page: a 5 s 16:9 clip without input video.
        ("byteplus", "seedance-2.0", "480p", False, 0.35, 0.005),
        ("byteplus", "seedance-2.0", "720p", False, 0.76, 0.005),
        ("byteplus", "seedance-2.0", "1080p", False, 1.87, 0.005),
        ("byteplus", "seedance-2.0-fast", "480p", False, 0.28, 0.005),
        ("byteplus", "seedance-2.0-fast", "720p", False, 0.60, 0.005),
        ("byteplus", "seedance-2.0-mini", "480p", False, 0.18, 0.005),
        ("byteplus", "seedance-2.0-mini", "720p", False, 0.38, 0.005),
    ],
)
def test_published_figures(
    provider_id: str, model: str, resolution: str, audio: bool, published: float, tolerance: float
) -> None:
    got = estimate(PROVIDERS[provider_id], resolution, 5, audio, model=model, aspect_ratio="16:9")
    assert got.amount is not None and abs(got.amount - published) <= tolerance


def test_the_worked_examples() -> None:
    # 1.0 pro, 1080p 16:9, 5 s: 1920 x 1088 x 24 x 5 / 1024 = 244,800 tokens x $2.5/M.
    got = estimate(PROVIDERS["byteplus"], "1080p", 5, False, model="seedance-1.0-pro")
    assert (got.tokens, got.amount) == (244800, 0.612)
    # 1.5 pro, 720p 16:9, 5 s with sound: 1280 x 720 x 24 x 5 / 1024 = 108,000 tokens x $2.4/M.
    got = estimate(PROVIDERS["byteplus"], "720p", 5, True, model="seedance-1.5-pro")
    assert (got.tokens, got.amount) == (108000, 0.2592)


# --- what a finished task cost ---------------------------------------------------------------------


def request(provider: Provider, **fields: Any) -> VideoRequest:
    return resolve_request(VideoRequest(prompt="a kite", **fields), provider)


def test_actual_cost_from_billed_tokens() -> None:
    byteplus, volcengine = PROVIDERS["byteplus"], PROVIDERS["volcengine"]
    done = TaskState(status="succeeded", video_url="https://x.example/v.mp4", tokens=108900)
    assert actual_cost(byteplus, request(byteplus, audio=True), done) == Money(
        amount=round(108900 * 2.4 / 1_000_000, 4), unit="USD"
    )
    assert actual_cost(byteplus, request(byteplus, audio=True, flex=True), done) == Money(
        amount=round(108900 * 1.2 / 1_000_000, 4), unit="USD"
    )
    assert actual_cost(byteplus, request(byteplus, model="seedance-2.0", resolution="1080p"), done) == Money(
        amount=round(108900 * 7.7 / 1_000_000, 4), unit="USD"
    )
    assert actual_cost(volcengine, request(volcengine, model="seedance-2.0-mini"), done) == Money(
        amount=round(108900 * 23.0 / 1_000_000, 4), unit="CNY"
    )
    two = request(volcengine, model="seedance-2.0", resolution="480p")
    assert actual_cost(volcengine, two, done) == Money(amount=round(108900 * 46.0 / 1_000_000, 4), unit="CNY")
    # No price for the model (Volcengine 1.5 pro, 2.5), nothing billed reported.
    assert actual_cost(volcengine, request(volcengine, audio=True), done) is None
    assert actual_cost(byteplus, request(byteplus, model="seedance-2.5"), done) is None
    assert actual_cost(byteplus, request(byteplus), done.model_copy(update={"tokens": None})) is None


def test_actual_cost_from_credits() -> None:
    provider = PROVIDERS["seedance2ai"]
    done = TaskState(status="succeeded", video_url="https://x.example/v.mp4", credits=30)
    assert actual_cost(provider, request(provider), done) == Money(amount=30.0, unit="credits")
    # Reported credits win over tokens, and keep their unit.
    both = TaskState(status="succeeded", video_url="https://x.example/v.mp4", credits=12, tokens=5000)
    assert actual_cost(PROVIDERS["byteplus"], request(PROVIDERS["byteplus"]), both) == Money(
        amount=12.0, unit="credits"
    )


def test_a_flex_tier_at_an_unpublished_price(monkeypatch: pytest.MonkeyPatch) -> None:
    # A model with the offline tier whose flex price is not published is priced, but not at flex.
    provider = PROVIDERS["volcengine"]
    price = TokenPrice(unit="CNY", rates={(None, None): 15.0}, source="a test price", flex_factor=None)
    monkeypatch.setitem(TOKEN_PRICES, ("volcengine", "seedance-1.0-pro"), price)
    full = estimate(provider, "1080p", 5, False, model="seedance-1.0-pro")
    assert full.amount == round(expected_tokens("seedance-1.0-pro", "1080p", "16:9", 5) * 15.0 / 1e6, 4)
    flex = estimate(provider, "1080p", 5, False, model="seedance-1.0-pro", flex=True)
    assert flex.amount is None and flex.tokens == full.tokens
    assert flex.note == "No published price for the offline (flex) tier of seedance-1.0-pro."
    done = TaskState(status="succeeded", video_url="https://x.example/v.mp4", tokens=1000)
    assert actual_cost(provider, request(provider, model="seedance-1.0-pro", flex=True), done) is None
