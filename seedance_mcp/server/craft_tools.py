"""Prompt craft on the MCP surface: the `write_cinematic_prompt` tool (lint a prompt the agent
wrote, or compose one from an idea and fields), the prompt-craft guide as the resource
`seedance://guides/prompt-craft` (the skill's `skill/references/prompt-craft.md`, so agents
without the skill get it too) and one MCP prompt per template in `prompts/`, each a
module-level function; `tools()` publishes the tool, `register` puts the prompts and the guide
on a server. A prompt's text, like every tool's answer, passes through the runtime's redaction.

The prompt code (templates, craft data, Jinja2) is imported on the first call, not at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import anyio.to_thread
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp.shared.exceptions import MCPError
from mcp_types import INVALID_PARAMS
from pydantic import Field

from ..craft.limits import (
    IDEA_MAX_CHARS,
    LINE_MAX_CHARS,
    MAX_DIALOGUE_LINES,
    MAX_SHOTS,
    OPTION_MAX_CHARS,
    PROMPT_MAX_CHARS,
    URL_MAX_CHARS,
)
from ..errors import SeedanceError
from .models import MODEL_DESCRIPTION, MODEL_MAX_CHARS, PromptResult, ProviderId, checked_tool, read_only
from .results import tool_error
from .runtime import Runtime, RuntimeContext, runtime_of

if TYPE_CHECKING:
    from ..craft.models import LintWarning, PromptDraft

__all__ = [
    "GUIDE_URI",
    "cinematic",
    "dialogue",
    "image_to_video",
    "multi_shot",
    "product",
    "prompt_craft_guide",
    "register",
    "tools",
    "write_cinematic_prompt",
]


_Line = Annotated[str, Field(max_length=LINE_MAX_CHARS)]
"""One shot or one line of dialogue."""


def _option(description: str) -> Any:
    """The `Field` of a free-text craft option, its cap in the schema and the description."""
    return Field(
        max_length=OPTION_MAX_CHARS, description=f"{description} At most {OPTION_MAX_CHARS} characters."
    )


async def write_cinematic_prompt(
    ctx: RuntimeContext,
    idea: Annotated[
        str | None,
        Field(
            max_length=IDEA_MAX_CHARS,
            description="Compose mode: what the clip shows, in the user's language; only these words and "
            "the fields below go into the prompt, nothing is added (what is missing comes back as "
            f"suggestions). At most {IDEA_MAX_CHARS} characters.",
        ),
    ] = None,
    provider: Annotated[
        ProviderId | None,
        Field(description="Provider whose limits the prompt must fit (length, options)."),
    ] = None,
    model: Annotated[
        str | None,
        Field(
            max_length=MODEL_MAX_CHARS,
            description=MODEL_DESCRIPTION + " The prompt fits that model's limits (with a provider: "
            "there; without one: on every provider that serves it).",
        ),
    ] = None,
    template: Annotated[
        str | None,
        Field(
            max_length=OPTION_MAX_CHARS,
            description="cinematic, product, dialogue, multi-shot or image-to-video; "
            f"empty: chosen from the content. At most {OPTION_MAX_CHARS} characters.",
        ),
    ] = None,
    shot_size: Annotated[str | None, _option("e.g. wide, medium, close-up, extreme close-up.")] = None,
    camera_move: Annotated[str | None, _option("e.g. slow push-in, dolly left, orbit, static.")] = None,
    angle: Annotated[str | None, _option("e.g. low angle, eye level, overhead.")] = None,
    light: Annotated[str | None, _option("e.g. golden hour, soft window light, neon.")] = None,
    style: Annotated[str | None, _option("e.g. 35mm film, documentary, anime.")] = None,
    mood: Annotated[str | None, _option("e.g. calm, tense, joyful.")] = None,
    sound: Annotated[str | None, _option("Ambience, effects or music to hear.")] = None,
    dialogue: Annotated[
        list[_Line] | None,
        Field(
            max_length=MAX_DIALOGUE_LINES,
            description="Spoken lines, each as 'Speaker: line' (needs audio); "
            f"at most {MAX_DIALOGUE_LINES} lines of {LINE_MAX_CHARS} characters.",
        ),
    ] = None,
    language: Annotated[str | None, _option("Language the dialogue is spoken in.")] = None,
    shots: Annotated[
        list[_Line] | None,
        Field(
            max_length=MAX_SHOTS,
            description="Several shots in order, one description each; "
            f"at most {MAX_SHOTS} shots of {LINE_MAX_CHARS} characters.",
        ),
    ] = None,
    duration: Annotated[
        int | None, Field(description="Clip length in seconds the prompt is written for.")
    ] = None,
    audio: Annotated[bool | None, Field(description="Whether the clip will have sound.")] = None,
    fixed_lens: Annotated[bool | None, Field(description="Whether the camera must stay still.")] = None,
    image_url: Annotated[
        str | None,
        Field(
            max_length=URL_MAX_CHARS,
            description="Start frame URL, if the clip animates an image; "
            f"at most {URL_MAX_CHARS} characters.",
        ),
    ] = None,
    lint: Annotated[
        str | None,
        Field(
            max_length=PROMPT_MAX_CHARS,
            description="Check mode: a prompt you (or the user) wrote; returns what to change in "
            "lint_warnings. Pass the provider, model, duration, audio, fixed_lens and image_url you "
            f"will render with. At most {PROMPT_MAX_CHARS} characters.",
        ),
    ] = None,
) -> PromptResult:
    """Check a Seedance prompt against ByteDance's craft, or compose one (free: nothing is rendered).

    Best: write the prompt yourself from the guide (resource seedance://guides/prompt-craft:
    subject + action + scene, then one camera move, a light source, style and sound, in the
    user's language), then pass it as `lint` with the render settings and fix every
    lint_warning. Or pass an `idea` plus fields (shot size, camera move, angle, light, style,
    mood, sound, dialogue, shots): the tool composes only those words in order, in the idea's
    language, fits them to the provider's limit and returns draft.suggestions for what the
    craft still needs (camera, light, sound, action); it never invents content.
    """
    from ..craft.draft import write_cinematic_prompt as draft_prompt
    from ..craft.lint import lint_prompt

    if idea is None and lint is None:
        raise ToolError("idea: give an idea to draft a prompt from, or a prompt to check as `lint`.")

    def craft() -> tuple[PromptDraft | None, list[LintWarning]]:
        draft = None
        if idea is not None:
            draft = draft_prompt(
                idea,
                provider=provider,
                model=model,
                template=template,
                shot_size=shot_size,
                camera_move=camera_move,
                angle=angle,
                light=light,
                style=style,
                mood=mood,
                sound=sound,
                dialogue=dialogue,
                language=language,
                shots=shots,
                duration=duration,
                audio=audio,
                fixed_lens=fixed_lens,
                image_url=image_url,
            )
        warnings = (
            lint_prompt(
                lint,
                provider=provider,
                model=model,
                duration=duration,
                audio=audio,
                fixed_lens=fixed_lens,
                image=image_url is not None,
                field="lint",
            )
            if lint is not None
            else []
        )
        return draft, warnings

    try:
        # drafting and linting are CPU work: in a thread, so other calls keep being answered
        draft, warnings = await anyio.to_thread.run_sync(craft)
    except SeedanceError as err:
        raise tool_error(err, runtime_of(ctx)) from err
    step = (
        "Next: estimate_credits for the clip, tell the user the price, then generate_video with draft.prompt."
    )
    if draft is not None and (draft.suggestions or draft.warnings):
        step = (
            "Act on draft.suggestions (add what is missing to the prompt in your own words) and "
            "draft.warnings, lint the result, then estimate_credits."
        )
    if lint is not None:
        step = (
            "Fix the issues listed in lint_warnings, then estimate_credits."
            if warnings
            else "The prompt passed every check; next: estimate_credits."
        )
    return PromptResult(draft=draft, lint_warnings=warnings, next_step=step)


# ---- MCP prompts from the templates ---------------------------------------------------------


_Text = Annotated[str | None, Field(description="Optional, in your words; left empty, nothing is added.")]
_Idea = Annotated[str, Field(description="What the clip shows: who or what, doing what, where.")]
_Provider = Annotated[str | None, Field(description="Provider id whose prompt limit the text must fit.")]


def cinematic(
    idea: _Idea,
    shot_size: _Text = None,
    camera_move: _Text = None,
    angle: _Text = None,
    light: _Text = None,
    style: _Text = None,
    mood: _Text = None,
    sound: _Text = None,
    provider: _Provider = None,
    ctx: RuntimeContext | None = None,
) -> str:
    """One cinematic shot composed from your arguments (idea, then camera, light, style, mood, sound)."""
    return _render_prompt("cinematic", locals())


def product(
    idea: Annotated[str, Field(description="The product and what makes it special.")],
    camera_move: _Text = None,
    light: _Text = None,
    style: _Text = None,
    sound: _Text = None,
    provider: _Provider = None,
    ctx: RuntimeContext | None = None,
) -> str:
    """Product showcase: the product as hero, a still close-up, then the light, style and sound you give."""
    return _render_prompt("product", locals())


def dialogue(
    idea: Annotated[str, Field(description="Who talks (described by look), where, about what.")],
    dialogue: Annotated[str, Field(description="The lines, one per line, as 'Speaker: line'.")],
    language: Annotated[str | None, Field(description="Language the lines are spoken in.")] = None,
    provider: _Provider = None,
    ctx: RuntimeContext | None = None,
) -> str:
    """A dialogue scene with lip-synced speech; render it with audio=true."""
    return _render_prompt("dialogue", locals())


def multi_shot(
    idea: _Idea,
    shots: Annotated[str, Field(description="The shots in order, one description per line.")],
    light: _Text = None,
    sound: _Text = None,
    provider: _Provider = None,
    ctx: RuntimeContext | None = None,
) -> str:
    """A multi-shot clip ("Shot 1: ... Shot 2: ..."): one camera move per shot, one light and sound."""
    return _render_prompt("multi-shot", locals())


def image_to_video(
    idea: Annotated[str, Field(description="What moves and what changes in the start image.")],
    camera_move: _Text = None,
    sound: _Text = None,
    provider: _Provider = None,
    ctx: RuntimeContext | None = None,
) -> str:
    """Animate a start image: the motion, the camera and what changes (render it with image_url)."""
    return _render_prompt("image-to-video", locals())


def _render_prompt(template: str, fields: dict[str, Any]) -> str:
    """The template rendered from the prompt's arguments (`fields`, its `locals()`, holding its
    `ctx`), redacted like every other answer."""
    from ..craft.draft import render_template

    ctx = fields.pop("ctx", None)
    runtime = runtime_of(ctx) if ctx is not None else Runtime(None)
    try:
        text = render_template(template, {k: v for k, v in fields.items() if v})
    except SeedanceError as err:
        raise MCPError(code=INVALID_PARAMS, message=runtime.redact(err.message)) from err
    return runtime.redact(
        "Use this Seedance prompt with generate_video, after estimate_credits and the user's OK "
        f"on the price:\n\n{text}"
    )


GUIDE_URI = "seedance://guides/prompt-craft"
"""The prompt-craft guide: how to write a Seedance prompt, with annotated examples."""


def prompt_craft_guide() -> str:
    """How to write a Seedance prompt: the rules, what the models differ in, the linter's rules
    and annotated examples in English and Chinese (Markdown)."""
    from ..craft.library import prompt_craft_guide as guide

    return guide()


def tools() -> list[Tool]:
    """`write_cinematic_prompt`: read-only and free (it drafts or lints, never renders)."""
    return [checked_tool(write_cinematic_prompt, read_only("Check or compose a Seedance prompt"))]


def register(server: MCPServer[Runtime]) -> None:
    """Put one MCP prompt per template in `prompts/` (same names) and the prompt-craft guide on
    `server`."""
    server.prompt(title="Cinematic shot")(cinematic)
    server.prompt(title="Product showcase")(product)
    server.prompt(title="Dialogue scene")(dialogue)
    server.prompt(name="multi-shot", title="Multi-shot clip")(multi_shot)
    server.prompt(name="image-to-video", title="Animate an image")(image_to_video)
    server.resource(
        GUIDE_URI,
        name="prompt-craft",
        title="How to write a Seedance prompt",
        description="Read before writing a prompt: subject + action + scene, one camera move, light, "
        "sound, dialogue, multi-shot, image-to-video, per-model differences, the linter's rules and "
        "annotated examples (English and Chinese).",
        mime_type="text/markdown",
    )(prompt_craft_guide)
