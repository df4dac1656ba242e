"""Prompt craft: lint a Seedance prompt, or compose one from an idea and fields, fitted to a
provider's limit, in the idea's language.

The drafter never invents: `compose` puts only the user's words and chosen fields into a
template's order, `fit` shortens its own scaffolding first and the user's sentences last,
`suggest` says what the craft still needs instead of filling it. The craft itself is content,
not code: the Jinja2 templates in `prompts/*.j2` decide the order, `prompts/craft.toml` holds
the vocabulary per language, and `prompts/prompt-craft.md` (the skill's guide) teaches the
agent to write the prompt itself. Everything
in this package is pure and deterministic (same input, same output); the only I/O is reading
the shipped templates once, on first use. `draft.write_cinematic_prompt` and `lint.lint_prompt`
are the two entry points; importing this package loads none of it.
"""
