"""Every refusal of `resolve_request` and `check_public_url`, the defaults, and the hints.

Each refusal must name the field, carry the value, list what is allowed where there is a
list, and say which providers would accept the value. Which providers accept what follows
from the documents (PROVIDERS.md), so the expected hints are written out here.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from seedance_mcp.errors import InvalidRequest
from seedance_mcp.models import VideoRequest
from seedance_mcp.providers import get_provider
from seedance_mcp.providers.seedanceapi import SeedanceApi
from seedance_mcp.validation import check_public_url, resolve_request

PROMPT = "A lighthouse at dusk, waves breaking on the rocks"


def refuse(provider_id: str, **fields: Any) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as info:
        resolve_request(
            VideoRequest(prompt=fields.pop("prompt", PROMPT), **fields), get_provider(provider_id)
        )
    err = info.value
    assert err.code == "invalid_request"
    assert err.field is not None and err.message.startswith(f"{err.field}: ")
    return err


def hint(err: InvalidRequest) -> list[str]:
    marker = "Providers that accept it: "
    assert marker in err.message, err.message
    return err.message.split(marker, 1)[1].rstrip(".").split(", ")


# --- explicit values a provider cannot honour --------------------------------------------


def test_1080p_on_seedanceapi() -> None:
    err = refuse("seedanceapi", resolution="1080p")
    assert err.field == "resolution" and err.value == "1080p"
    assert err.allowed == ["480p", "720p"]
    assert "480p, 720p" in err.message
    assert hint(err) == ["nanophoto", "seedance2ai", "byteplus", "volcengine", "replicate", "fal"]


def test_8_seconds_on_seedance15pro() -> None:
    err = refuse("seedance15pro", duration=8)
    assert err.field == "duration" and err.value == 8
    assert err.allowed == [5, 10]
    assert "allowed durations for seedance15pro: 5, 10" in err.message
    assert hint(err) == [
        "nanophoto",
        "seedanceapi",
        "apixo",
        "seedance2ai",
        "byteplus",
        "volcengine",
        "replicate",
        "fal",
    ]


def test_duration_nobody_offers() -> None:
    err = refuse("nanophoto", duration=30)
    assert err.field == "duration" and err.allowed == [4, 8, 12]
    assert hint(err) == ["byteplus", "volcengine"]  # Seedance 2.5 makes up to 30 s


def test_9_21_on_nanophoto() -> None:
    err = refuse("nanophoto", aspect_ratio="9:21")
    assert err.field == "aspect_ratio" and err.value == "9:21"
    assert err.allowed == ["16:9", "9:16"]
    assert "allowed: 16:9, 9:16" in err.message
    assert hint(err) == ["seedanceapi"]


def test_square_on_nanophoto() -> None:
    err = refuse("nanophoto", aspect_ratio="1:1")
    assert hint(err) == [
        "seedanceapi",
        "apixo",
        "seedance15pro",
        "seedance2ai",
        "byteplus",
        "volcengine",
        "replicate",
        "fal",
    ]


@pytest.mark.parametrize(
    ("resolution", "accepting"),
    [
        (
            "720p",
            [
                "nanophoto",
                "seedanceapi",
                "apixo",
                "seedance2ai",
                "byteplus",
                "volcengine",
                "replicate",
                "fal",
            ],
        ),
        ("1080p", ["nanophoto", "seedance2ai", "byteplus", "volcengine", "replicate", "fal"]),
    ],
)
def test_resolution_given_to_seedance15pro(resolution: str, accepting: list[str]) -> None:
    err = refuse("seedance15pro", resolution=resolution)
    assert err.field == "resolution" and err.value == resolution
    assert err.allowed == []
    assert "does not let you choose a resolution" in err.message
    assert hint(err) == accepting


def test_fixed_lens_on_seedance15pro() -> None:
    err = refuse("seedance15pro", fixed_lens=True)
    assert err.field == "fixed_lens" and err.value is True and err.allowed == [False]
    assert hint(err) == [
        "nanophoto",
        "seedanceapi",
        "apixo",
        "seedance2ai",
        "byteplus",
        "volcengine",
        "replicate",
        "fal",
    ]


def test_end_frame_without_start_frame() -> None:
    err = refuse("apixo", end_image_url="https://example.com/end.png")
    assert err.field == "end_image_url"
    assert "pass image_url as well" in err.message


def test_end_frame_on_nanophoto() -> None:
    err = refuse(
        "nanophoto", image_url="https://example.com/start.png", end_image_url="https://example.com/end.png"
    )
    assert err.field == "end_image_url" and err.value == "https://example.com/end.png"
    assert hint(err) == ["apixo", "seedance2ai", "byteplus", "volcengine", "replicate", "fal"]


@pytest.mark.parametrize("provider_id", ["nanophoto", "seedanceapi", "apixo", "seedance15pro"])
def test_seed_on_a_provider_without_seed(provider_id: str) -> None:
    err = refuse(provider_id, seed=42)
    assert err.field == "seed" and err.value == 42
    assert hint(err) == ["seedance2ai", "byteplus", "volcengine", "replicate", "fal"]


@pytest.mark.parametrize("seed", [-2, 4294967296])
def test_seed_outside_range(seed: int) -> None:
    err = refuse("seedance2ai", seed=seed)
    assert err.field == "seed" and err.value == seed
    assert err.allowed == ["-1..4294967295"]
    assert "-1..4294967295" in err.message


@pytest.mark.parametrize("seed", [-1, 0, 4294967295])
def test_seed_at_the_edges_is_kept(seed: int) -> None:
    assert resolve_request(VideoRequest(prompt=PROMPT, seed=seed), get_provider("seedance2ai")).seed == seed


def test_prompt_too_long() -> None:
    err = refuse("nanophoto", prompt="x" * 1001)
    assert err.field == "prompt" and err.value == 1001
    assert err.allowed == ["1-1000 characters"]
    assert "limit of 1000" in err.message
    assert hint(err) == ["seedanceapi", "apixo", "seedance2ai", "byteplus", "volcengine", "replicate", "fal"]


def test_prompt_at_the_limit_is_kept() -> None:
    req = resolve_request(VideoRequest(prompt="x" * 1000), get_provider("seedance15pro"))
    assert len(req.prompt) == 1000


@pytest.mark.parametrize(("provider_id", "prompt", "length"), [("nanophoto", "   ", 0), ("apixo", " ab ", 2)])
def test_prompt_too_short(provider_id: str, prompt: str, length: int) -> None:
    err = refuse(provider_id, prompt=prompt)
    assert err.field == "prompt" and err.value == length
    assert "at least" in err.message


def test_prompt_too_short_allowed_range_for_apixo() -> None:
    assert refuse("apixo", prompt="ab").allowed == ["3-2500 characters"]


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("/home/me/frame.png", "local file"),
        ("./frame.png", "local file"),
        ("C:\\Users\\me\\frame.png", "local file"),
        ("frame.png", "local file"),
        ("file:///home/me/frame.png", "'file' is not fetched"),
        ("ftp://example.com/frame.png", "'ftp' is not fetched"),
        ("http://localhost/frame.png", "only reachable from this machine"),
        ("http://studio.local/frame.png", "only reachable from this machine"),
        ("http://127.0.0.1:8000/frame.png", "loopback, private or reserved"),
        ("http://10.0.0.7/frame.png", "loopback, private or reserved"),
        ("http://192.168.1.20/frame.png", "loopback, private or reserved"),
        ("http://[::1]/frame.png", "loopback, private or reserved"),
        ("http://169.254.169.254/latest", "loopback, private or reserved"),
        ("https:///frame.png", "no host name"),
    ],
)
def test_image_urls_a_provider_cannot_fetch(url: str, why: str) -> None:
    with pytest.raises(InvalidRequest) as info:
        check_public_url(url, "image_url")
    assert info.value.field == "image_url" and info.value.value == url
    assert info.value.message.startswith("image_url: ")
    assert why in info.value.message
    # The same refusal comes through resolve_request, for either frame.
    err = refuse("seedance2ai", image_url="https://example.com/start.png", end_image_url=url)
    assert err.field == "end_image_url" and err.value == url


def test_local_image_refusal_lists_what_is_allowed() -> None:
    with pytest.raises(InvalidRequest) as info:
        check_public_url("/tmp/frame.png", "image_url")
    assert info.value.allowed == ["http(s) URL"]
    assert "upload it and pass a public URL" in info.value.message


@pytest.mark.parametrize(
    "url", ["https://example.com/frame.png", "http://8.8.8.8/frame.png", "https://cdn.example.com/a b.png"]
)
def test_public_urls_pass_unchanged(url: str) -> None:
    assert check_public_url(url, "image_url") == url
    req = resolve_request(VideoRequest(prompt=PROMPT, image_url=url), get_provider("seedanceapi"))
    assert req.image_url == url


# --- refusals no real provider triggers today (a provider without audio or images) ------


class Bare(SeedanceApi):
    id = "bare"
    models = (
        dataclasses.replace(
            SeedanceApi.models[0],
            caps=dataclasses.replace(SeedanceApi.models[0].caps, audio=False, start_image=False),
        ),
    )


def test_audio_on_a_provider_without_audio() -> None:
    with pytest.raises(InvalidRequest) as info:
        resolve_request(VideoRequest(prompt=PROMPT, audio=True), Bare())
    assert info.value.field == "audio" and info.value.allowed == [False]
    assert hint(info.value) == [
        "nanophoto",
        "seedanceapi",
        "apixo",
        "seedance15pro",
        "seedance2ai",
        "byteplus",
        "volcengine",
        "replicate",
        "fal",
    ]


def test_start_image_on_a_provider_without_images() -> None:
    with pytest.raises(InvalidRequest) as info:
        resolve_request(VideoRequest(prompt=PROMPT, image_url="https://example.com/a.png"), Bare())
    assert info.value.field == "image_url"
    assert hint(info.value) == [
        "nanophoto",
        "seedanceapi",
        "apixo",
        "seedance15pro",
        "seedance2ai",
        "byteplus",
        "volcengine",
        "replicate",
        "fal",
    ]


# --- defaults and explicit values --------------------------------------------------------


@pytest.mark.parametrize(
    ("provider_id", "resolution", "duration"),
    [
        ("nanophoto", "720p", 8),
        ("seedanceapi", "720p", 8),
        ("apixo", "720p", 8),
        ("seedance15pro", None, 5),
        ("seedance2ai", "720p", 5),
    ],
)
def test_defaults_per_provider(provider_id: str, resolution: str | None, duration: int) -> None:
    provider = get_provider(provider_id)
    req = resolve_request(VideoRequest(prompt=f"  {PROMPT}  "), provider)
    assert req.resolution == resolution
    assert req.duration == duration == provider.caps.default_duration
    assert req.aspect_ratio == "16:9"
    assert req.prompt == PROMPT
    assert req.audio is False and req.fixed_lens is False
    assert req.image_url is None and req.end_image_url is None and req.seed is None


EXPLICIT: list[tuple[str, dict[str, Any]]] = [
    (
        "nanophoto",
        {"aspect_ratio": "9:16", "resolution": "480p", "duration": 12, "audio": True, "fixed_lens": True},
    ),
    ("nanophoto", {"aspect_ratio": "16:9", "resolution": "1080p", "duration": 4}),
    ("seedanceapi", {"aspect_ratio": "9:21", "resolution": "480p", "duration": 4, "audio": True}),
    ("seedanceapi", {"aspect_ratio": "1:1", "image_url": "https://example.com/a.png", "fixed_lens": True}),
    ("seedance15pro", {"aspect_ratio": "1:1", "duration": 10, "audio": True}),
    (
        "seedance2ai",
        {
            "aspect_ratio": "21:9",
            "resolution": "1080p",
            "duration": 15,
            "image_url": "https://example.com/a.png",
            "end_image_url": "https://example.com/b.png",
            "seed": 7,
        },
    ),
    ("apixo", {"aspect_ratio": "3:4", "duration": 11, "resolution": "480p"}),
]


@pytest.mark.parametrize(("provider_id", "fields"), EXPLICIT)
def test_explicit_values_are_never_changed(provider_id: str, fields: dict[str, Any]) -> None:
    req = resolve_request(VideoRequest(prompt=PROMPT, **fields), get_provider(provider_id))
    assert req.model_dump(include=set(fields)) == fields


def test_resolution_is_never_invented_for_seedance15pro() -> None:
    req = resolve_request(VideoRequest(prompt=PROMPT, duration=10), get_provider("seedance15pro"))
    assert req.resolution is None and req.duration == 10


def test_refusal_serialises_field_and_allowed() -> None:
    data = refuse("seedanceapi", duration=5).to_dict()
    assert data["field"] == "duration" and data["allowed"] == [4, 8, 12]
    assert data["code"] == "invalid_request" and data["retryable"] is False


@pytest.mark.parametrize(
    "url",
    [
        "http://127.1/a.png",
        "http://2130706433/a.png",
        "http://0x7f000001/a.png",
        "http://0177.0.0.1/a.png",
        "http://[::1]/a.png",
    ],
)
def test_numeric_spellings_of_loopback_are_refused(url: str) -> None:
    with pytest.raises(InvalidRequest) as info:
        check_public_url(url, "image_url")
    assert info.value.field == "image_url"


def test_public_hosts_and_addresses_pass() -> None:
    for url in ("https://cdn.example.com/a.png", "https://8.8.8.8/a.png", "https://1e100.net/x.png"):
        assert check_public_url(url, "image_url") == url


def test_counted_nouns_agree_with_their_number() -> None:
    from seedance_mcp.plural import count

    assert count(1, "character") == "1 character"
    assert count(2, "character") == "2 characters"
    assert count(0, "shot") == "0 shots"
    assert count(1, "child", "children") == "1 child" and count(3, "child", "children") == "3 children"


def test_a_one_character_minimum_is_worded_in_the_singular() -> None:
    with pytest.raises(InvalidRequest) as info:
        resolve_request(VideoRequest(prompt="   "), get_provider("nanophoto"))
    assert "at least 1 character of prompt" in info.value.message


# ---- hostile URLs and prompts (issue 11, findings 9 and 10) ---------------------------------


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://[::1/a.png", "not a valid URL (Invalid IPv6 URL)"),
        ("https://localhost./a.png", "only reachable from this machine"),
        ("https://127.0.0.1./a.png", "loopback, private or reserved"),
        ("https://LOCALHOST/a.png", "only reachable from this machine"),
        ("https://cdn.example.com:99999/a.png", "port of 1-65535"),
        ("https://cdn.example.com:0/a.png", "port 0"),
        ("https://cdn.example.com/a.png\r\nX-Injected: 1", "control character"),
        ("https://cdn.exa\nmple.com/a.png", "control character"),
        ("https://cdn example.com/a.png", "not a valid host name"),
        ("https://cdn..example.com/a.png", "not a valid host name"),
        ("https://[::ffff:127.0.0.1]/a.png", "loopback, private or reserved"),
        ("http://169.254.169.254./latest", "loopback, private or reserved"),
    ],
)
def test_hostile_image_urls_are_refused_naming_the_field(url: str, why: str) -> None:
    with pytest.raises(InvalidRequest) as info:
        check_public_url(url, "image_url")
    err = info.value
    assert err.field == "image_url" and err.message.startswith("image_url: ")
    assert why in err.message, err.message
    assert err.allowed or "public URL" in err.message
    assert "\r" not in str(err.value) and "\n" not in str(err.value)  # shown escaped, never raw
    assert refuse("seedance2ai", image_url=url).field == "image_url"


def test_an_image_url_with_credentials_is_refused_and_never_echoed() -> None:
    url = "https://alice:hunter2-secret@cdn.example.com/a.png"
    err = refuse("seedance2ai", image_url=url)
    assert err.field == "image_url" and "user name or password" in err.message
    assert "hunter2" not in err.message and "hunter2" not in str(err.value)
    assert "alice" not in str(err.to_dict())


def test_a_very_long_image_url_is_refused_without_echoing_it() -> None:
    from seedance_mcp.validation import MAX_URL_CHARS

    url = "https://cdn.example.com/" + "a" * (10 << 20)
    err = refuse("seedance2ai", image_url=url)
    assert err.field == "image_url" and f"at most {MAX_URL_CHARS}" in err.message
    assert len(str(err.to_dict())) < 1000
    ok = "https://cdn.example.com/" + "a" * (MAX_URL_CHARS - 24)
    assert check_public_url(ok, "image_url") == ok


@pytest.mark.parametrize(
    "url",
    ["https://cdn.example.com./a.png", "https://bücher.example/a.png", "https://cdn.example.com:8443/a.png"],
)
def test_unusual_but_valid_public_urls_still_pass(url: str) -> None:
    assert check_public_url(url, "image_url") == url


def test_allowed_hosts_let_only_that_loopback_host_through() -> None:
    assert check_public_url("http://127.0.0.1:9/v.mp4", "video_url", allowed_hosts={"127.0.0.1"})
    with pytest.raises(InvalidRequest, match="loopback"):
        check_public_url("http://127.0.0.2:9/v.mp4", "video_url", allowed_hosts={"127.0.0.1"})


@pytest.mark.parametrize(
    ("prompt", "why"),
    [
        ("\u200b\u200b\u200b\u200b", "no visible characters"),
        ("\ufeff \u2060 \u200d", "no visible characters"),
        ("\x00\x00\x00\x00", "control character U+0000"),
        ("A lighthouse\x00 at dusk", "control character U+0000"),
        ("A lighthouse \x1b[2J at dusk", "control character U+001B"),
        ("A lighthouse\rat dusk", "control character U+000D"),
    ],
)
def test_an_invisible_or_control_character_prompt_is_refused(prompt: str, why: str) -> None:
    for provider_id in ("nanophoto", "seedance2ai"):
        err = refuse(provider_id, prompt=prompt)
        assert err.field == "prompt" and why in err.message, err.message
        assert err.allowed


def test_newlines_and_tabs_stay_allowed_in_a_prompt() -> None:
    prompt = "A lighthouse at dusk.\n\tWaves break on the rocks.\r\nGulls."
    assert resolve_request(VideoRequest(prompt=prompt), get_provider("nanophoto")).prompt == prompt


@pytest.mark.parametrize(
    "url", ["http://１２７．０．０．１/a.png", "http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ/x.png", "https://ＬＯＣＡＬＨＯＳＴ/a"]
)
def test_full_width_and_circled_spellings_of_loopback_are_refused(url: str) -> None:
    # An HTTP client folds these into 127.0.0.1 / localhost; the check must see that form too.
    with pytest.raises(InvalidRequest, match="image_url"):
        check_public_url(url, "image_url")
