"""The results of prompt drafting and linting: `PromptDraft`, `SuggestedSettings`, `LintWarning`
and `TemplateInfo`.

They depend on pydantic only, so the MCP server can publish them as its output models at
start-up without loading the template engine or the craft data.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["LintWarning", "PromptDraft", "SuggestedSettings", "TemplateInfo"]


class LintWarning(BaseModel):
    """One thing to change in a prompt or its settings."""

    model_config = ConfigDict(frozen=True)

    rule: str = Field(description="Stable id of the rule, e.g. 'stacked_camera_moves'.")
    message: str = Field(description="What is wrong and what to change.")


class SuggestedSettings(BaseModel):
    """Render settings that suit the prompt's content."""

    audio: bool = Field(
        description="Generate sound: on when what you gave describes sound or dialogue (or the model always "
        "makes sound)."
    )
    fixed_lens: bool = Field(description="Keep the camera still: on for a static product shot or lip-sync.")
    duration: int | None = Field(description="Seconds; null means the provider's default.")
    aspect_ratio: str | None = Field(default=None, description="Frame shape the idea asks for, if any.")


class PromptDraft(BaseModel):
    """A composed prompt, ready for `generate`, with what to know before rendering it."""

    prompt: str = Field(
        description="The prompt, ready to render as it is: only the words you gave, composed."
    )
    template: str = Field(description="The template that composed the prompt.")
    language: str = Field(
        default="en", description="The language the prompt is written in (the idea's), e.g. 'en', 'zh'."
    )
    characters: int = Field(description="Length of the prompt in characters.")
    limit: int = Field(description="The provider's prompt limit the draft was fitted to.")
    provider: str | None = Field(description="Provider id; null means fitted to every provider.")
    warnings: list[LintWarning] = Field(
        default_factory=list, description="Problems in the prompt and what to change."
    )
    suggestions: list[LintWarning] = Field(
        default_factory=list,
        description="What the craft calls for that the idea leaves out (camera move, light, sound, "
        "action, delivery): add it to the idea or the fields; the tool never fills it in.",
    )
    left_out: list[str] = Field(
        default_factory=list,
        description="Your sentences the fit to the limit had to leave out, whole: merge them into fewer "
        "words.",
    )
    suggested_settings: SuggestedSettings


class TemplateInfo(BaseModel):
    name: str
    description: str
    fields: list[str] = Field(description="The fields this template uses besides provider and settings.")
