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

    audio: bool = Field(description="Generate sound: on when the prompt describes sound or dialogue.")
    fixed_lens: bool = Field(description="Keep the camera still: on for a static product shot or lip-sync.")
    duration: int | None = Field(description="Seconds; null means the provider's default.")
    aspect_ratio: str | None = Field(default=None, description="Frame shape the idea asks for, if any.")


class PromptDraft(BaseModel):
    """A drafted prompt, ready for `generate`, with what to know before rendering it."""

    prompt: str = Field(description="The prompt, ready to render as it is.")
    template: str = Field(description="The template that wrote the prompt.")
    characters: int = Field(description="Length of the prompt in characters.")
    limit: int = Field(description="The provider's prompt limit the draft was fitted to.")
    provider: str | None = Field(description="Provider id; null means fitted to every provider.")
    warnings: list[LintWarning] = Field(default_factory=list)
    suggested_settings: SuggestedSettings


class TemplateInfo(BaseModel):
    name: str
    description: str
    fields: list[str] = Field(description="The fields this template uses besides provider and settings.")
