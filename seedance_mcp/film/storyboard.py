"""The storyboard: one pydantic model of a film, read from YAML or JSON.

A storyboard names the film (`title`), what every shot shares (`provider`, `model`,
`aspect_ratio`, `resolution`, `audio`), the cast (`characters`: an id, the words that describe
them, and an optional reference image) and the shots in order. A shot that names a character
gets that character's description woven into its prompt and the reference image as one of its
`reference_images`, the same in every shot, so the character looks the same throughout.

`continue_from` makes a shot start on another shot's last frame (continuity); `transition` says
how the film enters a shot (`cut`, or `crossfade` over `crossfade` seconds). A shot may override
the film's provider, model, resolution and audio, and set its own seed, fixed lens and sound.

Everything a storyboard can get wrong on its own is refused here, naming the shot and the field
(`shots[2] (id 'harbour'): continue_from: ...`): an unknown field, a duplicate shot id, a
character no one defined, a `continue_from` to an unknown shot or in a cycle, a crossfade into
the first shot. What depends on the provider (durations, resolutions, a start frame, a chain the
provider can take, a crossfade longer than a shot) is checked by `plan`, against the provider.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..errors import InvalidRequest
from ..media_files import is_local
from ..models import AspectRatio, Resolution

__all__ = [
    "MAX_SHOTS",
    "Character",
    "Shot",
    "Storyboard",
    "load_storyboard",
    "parse_storyboard",
    "schema",
    "shot_label",
]

MAX_SHOTS = 200
"""The most shots a storyboard may hold (a 15-minute film of 4-5 s beats)."""
SHOT_ID = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$"
"""A shot or character id: letters, digits, `_` and `-` (it names the shot's clip file)."""
_ID = re.compile(SHOT_ID)


class Character(BaseModel):
    """Someone (or something: a product, a mascot) who appears in several shots."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field(
        min_length=1,
        max_length=500,
        description="How they look, in the words every shot naming them repeats (age, build, clothes, "
        "hair): the same wording keeps them the same from shot to shot.",
    )
    reference: str | None = Field(
        default=None,
        description="A reference image of them: a public URL, or a local file (relative to the "
        "storyboard's folder). Sent as a reference image (Seedance 2.x) with every shot naming them.",
    )


class Shot(BaseModel):
    """One shot: a beat of 3-6 s with one camera move."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(
        pattern=SHOT_ID, description="A short name, unique in the film (letters, digits, _ and -)."
    )
    prompt: str = Field(min_length=1, description="What the shot shows: subject, action, camera move, light.")
    duration: int | None = Field(
        default=None, ge=1, le=60, description="Seconds; the provider's default when left out."
    )
    characters: tuple[str, ...] = Field(default=(), description="Ids of the characters in this shot.")
    image: str | None = Field(default=None, description="The start frame: a public URL or a local file.")
    end_image: str | None = Field(default=None, description="The end frame: a public URL or a local file.")
    continue_from: str | None = Field(
        default=None,
        description="A shot id: that shot's last frame becomes this shot's first frame (continuity).",
    )
    transition: Literal["cut", "crossfade"] = Field(
        default="cut", description="How the film enters this shot."
    )
    crossfade: float | None = Field(
        default=None,
        gt=0,
        le=5,
        description="Seconds of the crossfade into this shot (transition: crossfade; default 1).",
    )
    sound: str | None = Field(
        default=None, description="What is heard in this shot (with audio on), added to its prompt."
    )
    provider: str | None = Field(default=None, description="Overrides the film's provider for this shot.")
    model: str | None = Field(default=None, description="Overrides the film's model for this shot.")
    resolution: Resolution | None = Field(default=None, description="Overrides the film's resolution.")
    audio: bool | None = Field(default=None, description="Overrides the film's audio for this shot.")
    seed: int | None = Field(default=None, description="A seed, where the provider takes one.")
    fixed_lens: bool = Field(default=False, description="Keep the camera still in this shot.")

    @property
    def crossfade_seconds(self) -> float:
        """Seconds this shot overlaps the one before (0 for a cut)."""
        if self.transition != "crossfade":
            return 0.0
        return self.crossfade if self.crossfade is not None else DEFAULT_CROSSFADE


DEFAULT_CROSSFADE = 1.0
"""Seconds of a crossfade whose length is not given."""


class Storyboard(BaseModel):
    """A film: its title, what every shot shares, its characters and its shots in order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1, max_length=200, description="The film's title (names its file).")
    provider: str | None = Field(
        default=None,
        description="Where every shot renders (default: SEEDANCE_PROVIDER or the one whose key is set).",
    )
    model: str | None = Field(
        default=None, description="The Seedance model of every shot (default: the provider's)."
    )
    aspect_ratio: AspectRatio | None = Field(default=None, description="The film's frame shape, e.g. 16:9.")
    resolution: Resolution | None = Field(default=None, description="480p, 720p or 1080p.")
    audio: bool = Field(default=False, description="Generate sound with every shot (a shot may override it).")
    characters: dict[str, Character] = Field(
        default_factory=dict, description="The cast: id -> description and optional reference image."
    )
    shots: tuple[Shot, ...] = Field(
        min_length=1, max_length=MAX_SHOTS, description="The shots, in film order."
    )

    @field_validator("characters")
    @classmethod
    def _character_ids(cls, value: dict[str, Character]) -> dict[str, Character]:
        for cid in value:
            if not _ID.match(cid):
                raise ValueError(f"character id {cid!r} must be letters, digits, _ and - (at most 63)")
        return value

    def shot(self, shot_id: str) -> Shot:
        return next(s for s in self.shots if s.id == shot_id)

    def index(self, shot_id: str) -> int:
        return next(i for i, s in enumerate(self.shots) if s.id == shot_id)


def shot_label(index: int, shot: Shot | Mapping[str, Any] | None) -> str:
    """How an error names a shot: `shots[6] (id 'harbour')`."""
    sid = shot.id if isinstance(shot, Shot) else (shot or {}).get("id") if isinstance(shot, Mapping) else None
    return f"shots[{index}] (id {sid!r})" if isinstance(sid, str) else f"shots[{index}]"


def schema() -> dict[str, Any]:
    """The storyboard's JSON Schema (`seedance film schema`)."""
    return Storyboard.model_json_schema()


def load_storyboard(path: Path) -> Storyboard:
    """Read a storyboard file (`.json`, else YAML), with local files made relative to its folder."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise InvalidRequest(
            f"storyboard: cannot read {str(path)!r} ({err.strerror or err}); give the path of a YAML or "
            "JSON storyboard (`seedance film schema` shows its fields).",
            field="storyboard",
            value=str(path),
        ) from None
    except UnicodeDecodeError:
        raise InvalidRequest(
            f"storyboard: {str(path)!r} is not UTF-8 text; save it as UTF-8 YAML or JSON.",
            field="storyboard",
            value=str(path),
        ) from None
    return parse_storyboard(_decode(text, json_only=path.suffix.lower() == ".json"), base=path.parent)


def decode_storyboard(text: str) -> Any:
    """A storyboard's YAML or JSON text (JSON is YAML), decoded; refused naming where it breaks."""
    return _decode(text, json_only=False)


def _decode(text: str, *, json_only: bool) -> Any:
    if json_only:
        try:
            return json.loads(text)
        except json.JSONDecodeError as err:
            raise InvalidRequest(
                f"storyboard: not valid JSON (line {err.lineno}, column {err.colno}: {err.msg}).",
                field="storyboard",
            ) from None
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        problem = getattr(err, "problem", None) or "unreadable"
        raise InvalidRequest(f"storyboard: not valid YAML{where}: {problem}.", field="storyboard") from None


def parse_storyboard(data: Any, *, base: Path | None = None) -> Storyboard:
    """A storyboard from decoded YAML/JSON (a mapping), checked as a whole; `base`: the folder
    local image files are relative to (they become absolute)."""
    if not isinstance(data, Mapping):
        raise InvalidRequest(
            "storyboard: expected a mapping with title and shots (`seedance film schema` shows its fields); "
            f"got {type(data).__name__}.",
            field="storyboard",
        )
    try:
        board = Storyboard.model_validate(dict(data))
    except ValidationError as err:
        raise _refusal(err, data) from None
    _check_whole(board)
    return _with_local_files(board, base) if base is not None else board


def _refusal(err: ValidationError, data: Mapping[str, Any]) -> InvalidRequest:
    """The first problem pydantic found, worded with the shot and the field."""
    first = err.errors()[0]
    loc = [str(p) for p in first["loc"]]
    field = _field_name(first["loc"])
    where = field
    if loc[:1] == ["shots"] and len(loc) >= 2 and loc[1].isdigit():
        shots = data.get("shots")
        index = int(loc[1])
        shot = shots[index] if isinstance(shots, list) and index < len(shots) else None
        inner = ".".join(loc[2:]) or "shot"
        where = f"{shot_label(index, shot)}: {inner}"
    value = first.get("input")
    message = first["msg"]
    if first["type"] == "extra_forbidden":
        message = "not a storyboard field (`seedance film schema` lists them)"
    elif first["type"] == "literal_error":
        message = f"{message}"
    shown = "" if isinstance(value, dict | list) or first["type"] == "missing" else f" (got {value!r})"
    return InvalidRequest(f"{where}: {message}{shown}.", field=field, value=_scalar(value))


def _field_name(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _scalar(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool) or value is None else None


def _check_whole(board: Storyboard) -> None:
    """What no single field shows: ids, references between shots and characters, cycles."""
    seen: dict[str, int] = {}
    for i, shot in enumerate(board.shots):
        if shot.id in seen:
            raise InvalidRequest(
                f"{shot_label(i, shot)}: id: {shot.id!r} is already the id of shots[{seen[shot.id]}]; "
                "every shot needs its own id.",
                field=f"shots[{i}].id",
                value=shot.id,
            )
        seen[shot.id] = i
    for i, shot in enumerate(board.shots):
        where = shot_label(i, shot)
        for cid in shot.characters:
            if cid not in board.characters:
                known = ", ".join(board.characters) or "none are defined"
                raise InvalidRequest(
                    f"{where}: characters: {cid!r} is not a character of this film; defined: {known}. "
                    "Add it under characters: with its description.",
                    field=f"shots[{i}].characters",
                    value=cid,
                    allowed=list(board.characters),
                )
        if shot.continue_from is not None:
            if shot.continue_from == shot.id:
                raise InvalidRequest(
                    f"{where}: continue_from: a shot cannot continue from itself.",
                    field=f"shots[{i}].continue_from",
                    value=shot.continue_from,
                )
            if shot.continue_from not in seen:
                raise InvalidRequest(
                    f"{where}: continue_from: no shot has the id {shot.continue_from!r}; shot ids: "
                    f"{', '.join(seen)}.",
                    field=f"shots[{i}].continue_from",
                    value=shot.continue_from,
                    allowed=list(seen),
                )
            if shot.image is not None:
                raise InvalidRequest(
                    f"{where}: image: a shot that continues from {shot.continue_from!r} starts on that "
                    "shot's last frame; leave image out (or drop continue_from).",
                    field=f"shots[{i}].image",
                    value=shot.image,
                )
        if shot.crossfade is not None and shot.transition != "crossfade":
            raise InvalidRequest(
                f"{where}: crossfade: set transition: crossfade to fade into this shot (it is a cut now).",
                field=f"shots[{i}].crossfade",
                value=shot.crossfade,
            )
        if shot.transition == "crossfade" and i == 0:
            raise InvalidRequest(
                f"{where}: transition: the first shot has nothing to fade from; use cut.",
                field=f"shots[{i}].transition",
                value="crossfade",
                allowed=["cut"],
            )
    _check_cycles(board)


def _check_cycles(board: Storyboard) -> None:
    parent = {s.id: s.continue_from for s in board.shots}
    for i, shot in enumerate(board.shots):
        path = [shot.id]
        at = parent[shot.id]
        while at is not None:
            if at in path:
                loop = " -> ".join([*path[path.index(at) :], at])
                raise InvalidRequest(
                    f"{shot_label(i, shot)}: continue_from: the shots continue from each other in a "
                    f"circle ({loop}); one of them must start on its own.",
                    field=f"shots[{i}].continue_from",
                    value=shot.continue_from,
                )
            path.append(at)
            at = parent[at]


def _local(value: str | None, base: Path) -> str | None:
    if value is None or not is_local(value):
        return value
    path = Path(value).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


def _with_local_files(board: Storyboard, base: Path) -> Storyboard:
    """Local image paths made absolute against the storyboard's folder (URLs kept as given)."""
    characters = {
        cid: c.model_copy(update={"reference": _local(c.reference, base)})
        for cid, c in board.characters.items()
    }
    shots = tuple(
        s.model_copy(update={"image": _local(s.image, base), "end_image": _local(s.end_image, base)})
        for s in board.shots
    )
    return board.model_copy(update={"characters": characters, "shots": shots})
