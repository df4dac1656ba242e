"""The prompt craft in `prompts/`: the vocabulary and scene cues of `craft.toml` (checked on
load) and the Jinja2 templates, their names, descriptions and rendering.

Both are read once, on first use; Jinja2 itself is imported only when a template is first
rendered, so importing this module stays cheap.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import ConfigError, InvalidRequest
from .models import TemplateInfo
from .text import capfirst, tidy

if TYPE_CHECKING:
    import jinja2


class Framing(BaseModel):
    """The framing a template stands for (`[framing.<template>]`): a product holds still, a
    dialogue holds on the speaker's face. Templates without one add no framing."""

    model_config = ConfigDict(extra="forbid")

    shot_size: str = ""
    camera_move: str = ""
    moving_camera: str = ""


class Phrases(BaseModel):
    """The few words a template adds in one language; {braces} take the user's words."""

    model_config = ConfigDict(extra="forbid")

    light: str
    style: str
    mood: str
    sound: str
    say: str
    how: str
    in_language: str
    voices: str
    voices_under: str
    product: str
    keep_image: str
    lipsync: str
    shot: str
    beat: str


class Language(BaseModel):
    """How prompts are written in one language (`[languages.<code>]`)."""

    model_config = ConfigDict(extra="forbid")

    name: str
    stop: str
    comma: str
    space: str
    phrases: Phrases
    camera_moves: dict[str, str] = Field(default_factory=dict)
    shot_sizes: dict[str, str] = Field(default_factory=dict)
    angles: dict[str, str] = Field(default_factory=dict)
    language_names: dict[str, str] = Field(default_factory=dict)

    def spoken(self, language: str) -> str:
        """A spoken language's name as this language writes it ("Mandarin Chinese" -> 普通话)."""
        return self.language_names.get(language, language)


class _LightExample(BaseModel):
    model_config = ConfigDict(extra="forbid")

    words: list[str]
    en: str
    zh: str
    ja: str
    es: str


class _CameraExample(BaseModel):
    model_config = ConfigDict(extra="forbid")

    words: list[str]
    move: str


class _Suggest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    light: list[_LightExample] = Field(min_length=1)
    camera: list[_CameraExample] = Field(min_length=1)


class _Choice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product_words: list[str]


class _LintWords(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filler: list[str]
    abstract: list[str]
    concrete: list[str]
    verbs: list[str]
    audible: list[str]
    light: list[str]
    night: list[str]
    daylight: list[str]
    appearance: list[str]
    picture: list[str]
    labels: list[str]
    negation_rewrites: dict[str, str]


class Craft(BaseModel):
    """`prompts/craft.toml`, checked: every move, shot size and angle it names exists, and
    every language writes every one of them."""

    model_config = ConfigDict(extra="forbid")

    camera_moves: dict[str, str]
    camera_move_aliases: dict[str, str]
    shot_sizes: dict[str, str]
    shot_size_aliases: dict[str, str]
    angles: dict[str, str]
    framing: dict[str, Framing]
    languages: dict[str, Language]
    choice: _Choice
    aspect_words: dict[str, list[str]]
    suggest: _Suggest
    lint: _LintWords

    @model_validator(mode="after")
    def _names_exist(self) -> Craft:
        moves = [f.camera_move for f in self.framing.values()] + [
            f.moving_camera for f in self.framing.values()
        ]
        moves += [c.move for c in self.suggest.camera] + list(self.camera_move_aliases.values())
        sizes = [f.shot_size for f in self.framing.values()] + list(self.shot_size_aliases.values())
        for kind, used, known in (
            ("camera move", moves, self.camera_moves),
            ("shot size", sizes, self.shot_sizes),
        ):
            unknown = [name for name in used if name and name not in known]
            if unknown:
                raise ValueError(f"craft.toml names an unknown {kind}: {', '.join(unknown)}")
        if "en" not in self.languages:
            raise ValueError("craft.toml needs [languages.en]")
        for code, lang in self.languages.items():
            if code == "en":
                continue
            for kind, table, known in (
                ("camera_moves", lang.camera_moves, self.camera_moves),
                ("shot_sizes", lang.shot_sizes, self.shot_sizes),
                ("angles", lang.angles, self.angles),
            ):
                if set(table) != set(known):
                    missing = sorted(set(known) - set(table)) or sorted(set(table) - set(known))
                    raise ValueError(f"craft.toml [languages.{code}.{kind}] differs on: {', '.join(missing)}")
        return self

    def language(self, code: str) -> Language | None:
        """How prompts are written in a language; English carries the top-level vocabulary."""
        lang = self.languages.get(code)
        if lang is None:
            return None
        if code == "en":
            return lang.model_copy(
                update={
                    "camera_moves": self.camera_moves,
                    "shot_sizes": self.shot_sizes,
                    "angles": self.angles,
                }
            )
        return lang


def prompts_dir() -> Traversable:
    """The templates: inside the installed wheel, else the checkout's top-level `prompts/`."""
    packaged = resources.files("seedance_mcp") / "prompts"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parents[2] / "prompts"
    if checkout.is_dir():
        return checkout
    raise ConfigError(
        "The prompt templates (prompts/*.j2) are missing from this installation; reinstall seedance-mcp."
    )


@functools.cache
def load_craft() -> Craft:
    """`prompts/craft.toml`, read and checked once."""
    text = (prompts_dir() / "craft.toml").read_text(encoding="utf-8")
    return Craft.model_validate(tomllib.loads(text))


@functools.cache
def prompt_craft_guide() -> str:
    """The prompt-craft guide (`skill/references/prompt-craft.md`, shipped as
    `prompts/prompt-craft.md`), read once."""
    return (prompts_dir() / "prompt-craft.md").read_text(encoding="utf-8")


@functools.cache
def environment() -> jinja2.Environment:
    """The template engine over `prompts/`: strict about undefined fields, no escaping."""
    import jinja2  # here, not at the top: only rendering needs the engine

    folder = prompts_dir()

    def load(name: str) -> str | None:
        item = folder / name
        return item.read_text(encoding="utf-8") if item.is_file() else None

    # Prompts are plain text sent to a video model, never HTML: nothing to escape.
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(load),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["capfirst"] = capfirst
    return env


@functools.cache
def known_templates() -> tuple[str, ...]:
    """The template names, sorted (cached: the folder is read once)."""
    return tuple(
        sorted(item.name[: -len(".j2")] for item in prompts_dir().iterdir() if item.name.endswith(".j2"))
    )


def template_names() -> list[str]:
    """The names of the prompt templates, e.g. `cinematic`, `dialogue`, `multi-shot`."""
    return list(known_templates())


_HEADER = re.compile(r"\A\{#(?P<body>.*?)#\}", re.DOTALL)


@functools.cache
def describe_template(name: str) -> TemplateInfo:
    """A template's description and the fields it uses, read from its header comment."""
    name = template_name(name)
    source = (prompts_dir() / f"{name}.j2").read_text(encoding="utf-8")
    header = _HEADER.match(source)
    entries: dict[str, str] = {}
    for line in header.group("body").splitlines() if header else ():
        key, sep, value = line.partition(":")
        if sep:
            entries[key.strip()] = value.strip()
    fields = [f.strip() for f in entries.get("fields", "idea").split(",") if f.strip()]
    return TemplateInfo(name=name, description=entries.get("description", name), fields=fields)


def template_name(name: str) -> str:
    """A template name as the user spelled it ("Multi shot") -> its file name, or `InvalidRequest`."""
    key = re.sub(r"[\s_]+", "-", name.strip().lower())
    names = known_templates()
    if key not in names:
        raise InvalidRequest(
            f"template: unknown template {name!r}; allowed: {', '.join(names)}.",
            field="template",
            value=name,
            allowed=list(names),
        )
    return key


def render(template: str, context: Mapping[str, Any]) -> str:
    """One template rendered with the context, blank lines and stray spaces removed."""
    return tidy(environment().get_template(f"{template}.j2").render(**context))
