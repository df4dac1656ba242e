"""The storyboard model: every field, and every refusal naming the shot and the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from seedance_mcp.errors import InvalidRequest
from seedance_mcp.film.storyboard import Storyboard, load_storyboard, parse_storyboard, schema


def board(*shots: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {"title": "Harbour", **top, "shots": list(shots)}


def refused(data: Any) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as caught:
        parse_storyboard(data)
    return caught.value


def test_every_field_is_read() -> None:
    b = parse_storyboard(
        board(
            {
                "id": "dawn",
                "prompt": "Boats at dawn",
                "duration": 5,
                "characters": ["ines"],
                "sound": "gulls",
            },
            {
                "id": "net",
                "prompt": "Ines hauls the net",
                "continue_from": "dawn",
                "transition": "crossfade",
                "crossfade": 0.5,
                "provider": "byteplus",
                "model": "seedance-1.5-pro",
                "resolution": "1080p",
                "audio": False,
                "seed": 7,
                "fixed_lens": True,
                "end_image": "https://cdn.example.com/end.png",
            },
            {"id": "gull", "prompt": "A gull", "image": "https://cdn.example.com/gull.png"},
            provider="byteplus",
            model="seedance-1.5-pro",
            aspect_ratio="9:16",
            resolution="720p",
            audio=True,
            characters={
                "ines": {"description": "a fisher in a red cap", "reference": "https://x.example/i.png"}
            },
        )
    )
    assert isinstance(b, Storyboard)
    assert (b.provider, b.model, b.aspect_ratio, b.resolution, b.audio) == (
        "byteplus",
        "seedance-1.5-pro",
        "9:16",
        "720p",
        True,
    )
    assert b.characters["ines"].reference == "https://x.example/i.png"
    dawn, net, gull = b.shots
    assert dawn.characters == ("ines",) and dawn.sound == "gulls" and dawn.crossfade_seconds == 0.0
    assert net.continue_from == "dawn" and net.crossfade_seconds == 0.5 and net.seed == 7 and net.fixed_lens
    assert (net.resolution, net.audio, net.end_image) == ("1080p", False, "https://cdn.example.com/end.png")
    assert gull.image == "https://cdn.example.com/gull.png"


def test_a_crossfade_without_seconds_lasts_one_second() -> None:
    b = parse_storyboard(
        board({"id": "a", "prompt": "x"}, {"id": "b", "prompt": "y", "transition": "crossfade"})
    )
    assert b.shots[1].crossfade_seconds == 1.0


@pytest.mark.parametrize(
    ("shot", "field", "words"),
    [
        ({"id": "b", "prompt": "y", "durration": 5}, "shots[1].durration", "not a storyboard field"),
        ({"id": "b", "prompt": "y", "duration": 0}, "shots[1].duration", "greater than or equal to 1"),
        ({"id": "b", "prompt": ""}, "shots[1].prompt", "at least 1 character"),
        ({"id": "b c", "prompt": "y"}, "shots[1].id", "should match pattern"),
        ({"id": "b", "prompt": "y", "transition": "wipe"}, "shots[1].transition", "'cut' or 'crossfade'"),
        ({"id": "b", "prompt": "y", "resolution": "4k"}, "shots[1].resolution", "480p"),
        ({"id": "b", "prompt": "y", "transition": "crossfade", "crossfade": 9}, "shots[1].crossfade", "5"),
        ({"prompt": "y"}, "shots[1].id", "Field required"),
    ],
)
def test_a_bad_field_names_the_shot_and_the_field(shot: dict[str, Any], field: str, words: str) -> None:
    err = refused(board({"id": "a", "prompt": "x"}, shot))
    assert err.field == field
    assert err.message.startswith("shots[1]")
    assert words in err.message
    if "id" in shot and " " not in shot["id"]:
        assert "(id 'b')" in err.message


def test_top_level_fields_are_checked() -> None:
    assert refused(board({"id": "a", "prompt": "x"}, aspect_ratio="2:1")).field == "aspect_ratio"
    assert refused({"title": "t", "shots": []}).field == "shots"
    assert refused({"shots": [{"id": "a", "prompt": "x"}]}).field == "title"
    assert refused(board({"id": "a", "prompt": "x"}, colour="red")).field == "colour"
    assert refused(["not", "a", "mapping"]).field == "storyboard"
    bad_id = refused(board({"id": "a", "prompt": "x"}, characters={"two words": {"description": "d"}}))
    assert bad_id.field == "characters" and "two words" in bad_id.message


def test_duplicate_shot_ids_are_refused() -> None:
    err = refused(board({"id": "a", "prompt": "x"}, {"id": "a", "prompt": "y"}))
    assert err.field == "shots[1].id"
    assert "already the id of shots[0]" in err.message


def test_an_unknown_character_is_refused_with_the_known_ones() -> None:
    err = refused(
        board({"id": "a", "prompt": "x", "characters": ["bob"]}, characters={"ines": {"description": "d"}})
    )
    assert err.field == "shots[0].characters" and err.value == "bob"
    assert err.allowed == ["ines"]
    assert "shots[0] (id 'a'): characters: 'bob' is not a character" in err.message


@pytest.mark.parametrize(
    ("shots", "field", "words"),
    [
        (
            [{"id": "a", "prompt": "x", "continue_from": "zz"}],
            "shots[0].continue_from",
            "no shot has the id 'zz'",
        ),
        ([{"id": "a", "prompt": "x", "continue_from": "a"}], "shots[0].continue_from", "itself"),
        (
            [
                {"id": "a", "prompt": "x", "continue_from": "c"},
                {"id": "b", "prompt": "x", "continue_from": "a"},
                {"id": "c", "prompt": "x", "continue_from": "b"},
            ],
            "shots[0].continue_from",
            "a -> c -> b -> a",
        ),
        (
            [
                {"id": "a", "prompt": "x"},
                {"id": "b", "prompt": "y", "continue_from": "a", "image": "https://e.x/i.png"},
            ],
            "shots[1].image",
            "starts on that shot's last frame",
        ),
        (
            [{"id": "a", "prompt": "x", "transition": "crossfade"}],
            "shots[0].transition",
            "nothing to fade from",
        ),
        (
            [{"id": "a", "prompt": "x"}, {"id": "b", "prompt": "y", "crossfade": 1}],
            "shots[1].crossfade",
            "set transition: crossfade",
        ),
    ],
)
def test_continuity_and_transitions_are_checked(shots: list[dict[str, Any]], field: str, words: str) -> None:
    err = refused(board(*shots))
    assert err.field == field
    assert words in err.message


def test_a_shot_may_continue_from_a_later_shot_without_a_cycle() -> None:
    b = parse_storyboard(board({"id": "a", "prompt": "x", "continue_from": "b"}, {"id": "b", "prompt": "y"}))
    assert b.shots[0].continue_from == "b"


def test_yaml_and_json_files_load_with_local_files_made_absolute(tmp_path: Path) -> None:
    (tmp_path / "film.yaml").write_text(
        "title: Harbour\n"
        "characters:\n"
        "  ines: {description: a fisher, reference: refs/ines.png}\n"
        "shots:\n"
        "  - id: a\n"
        "    prompt: Boats at dawn\n"
        "    image: frames/start.png\n"
        "  - {id: b, prompt: Nets, image: 'https://cdn.example.com/b.png'}\n"
    )
    b = load_storyboard(tmp_path / "film.yaml")
    assert b.shots[0].image == str(tmp_path / "frames" / "start.png")
    assert b.shots[1].image == "https://cdn.example.com/b.png"
    assert b.characters["ines"].reference == str(tmp_path / "refs" / "ines.png")
    (tmp_path / "film.json").write_text(json.dumps(board({"id": "a", "prompt": "x"})))
    assert load_storyboard(tmp_path / "film.json").shots[0].id == "a"


def test_unreadable_files_are_refused_with_where(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("title: [unclosed\n")
    with pytest.raises(InvalidRequest, match=r"not valid YAML \(line 2"):
        load_storyboard(tmp_path / "bad.yaml")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(InvalidRequest, match="not valid JSON"):
        load_storyboard(tmp_path / "bad.json")
    with pytest.raises(InvalidRequest, match="cannot read"):
        load_storyboard(tmp_path / "missing.yaml")


def test_yaml_is_loaded_safely(tmp_path: Path) -> None:
    (tmp_path / "evil.yaml").write_text("!!python/object/apply:os.system ['true']\n")
    with pytest.raises(InvalidRequest, match="not valid YAML"):
        load_storyboard(tmp_path / "evil.yaml")


def test_the_schema_lists_the_storyboard_fields() -> None:
    s = schema()
    assert {
        "title",
        "provider",
        "model",
        "aspect_ratio",
        "resolution",
        "audio",
        "characters",
        "shots",
    } <= set(s["properties"])
    shot = s["$defs"]["Shot"]["properties"]
    assert {
        "id",
        "prompt",
        "duration",
        "characters",
        "image",
        "end_image",
        "continue_from",
        "transition",
    } <= set(shot)
    assert s["required"] == ["title", "shots"]
