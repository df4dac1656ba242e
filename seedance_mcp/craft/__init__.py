"""Prompt craft: compose a Seedance prompt from an idea, fit it to a provider's limit, lint it.

The craft itself is content, not code: the Jinja2 templates in `prompts/*.j2` decide the
wording and `prompts/craft.toml` holds the vocabulary, so anyone can improve them. Everything
in this package is pure and deterministic (same input, same output); the only I/O is reading
the shipped templates once, on first use. `draft.write_cinematic_prompt` and `lint.lint_prompt`
are the two entry points; importing this package loads none of it.
"""
