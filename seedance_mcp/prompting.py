"""Cinematic prompts for Seedance: draft from the templates, fit the provider's limit, lint.

`write_cinematic_prompt` turns an idea into a prompt that follows the documented tips: a
subject and action, moving elements, a shot size with an angle and ONE camera move, a named
light source, style, mood and described sound. The craft lives outside the code so anyone
can improve it: the Jinja2 templates in `prompts/*.j2` decide the wording, `prompts/craft.toml`
holds the vocabulary and the scene cues ("storm" -> rain, thunder, wind). When the idea names
no camera, light or sound, the cues choose them, so a bare idea still gives a full prompt.

`lint_prompt` checks any prompt (also a user's own) against the tips and the provider's limits.
Everything here is pure and deterministic: same input, same output; the only I/O is reading
the shipped templates, once, on first use.

This module is the public face of the prompt code; the work is done in:

- `prompt_models`: the results (`PromptDraft`, `SuggestedSettings`, `LintWarning`, `TemplateInfo`)
- `prompt_craft`: `prompts/`: the craft data and the templates (Jinja2 loads on first render)
- `prompt_text`: word matching and sentence helpers
- `prompt_inputs`: checking the caller's arguments
- `prompt_lint`: the linter
- `prompt_scene`: cues, subject and the choices that fill a template's context
- `prompt_draft`: drafting, fitting to the limit, suggested settings, `render_template`
"""

from __future__ import annotations

from .prompt_craft import Craft, describe_template, environment, prompts_dir, template_names
from .prompt_draft import render_template, write_cinematic_prompt
from .prompt_lint import SECONDS_PER_SHOT as SECONDS_PER_SHOT
from .prompt_lint import WORDS_PER_SECOND as WORDS_PER_SECOND
from .prompt_lint import lint_prompt
from .prompt_models import LintWarning, PromptDraft, SuggestedSettings, TemplateInfo

__all__ = [
    "LintWarning",
    "PromptDraft",
    "SuggestedSettings",
    "TemplateInfo",
    "describe_template",
    "lint_prompt",
    "render_template",
    "template_names",
    "write_cinematic_prompt",
]

# Under the names they had when all of this was one module (the tests read them here).
_Craft = Craft
_environment = environment
_prompts_dir = prompts_dir
