"""The largest inputs prompt work takes: what an agent or a person may hand to drafting and
linting (and the MCP tools publish in their schemas), so a 4 MB "idea" is refused at once
instead of holding the server for seconds.

Each cap is far above what a video prompt needs: the longest prompt any provider accepts is
10,000 characters, and one drafted from an idea is fitted to the provider's own limit.
"""

from __future__ import annotations

from ..providers import PROVIDERS
from ..validation import MAX_URL_CHARS

__all__ = [
    "IDEA_MAX_CHARS",
    "LINE_MAX_CHARS",
    "MAX_DIALOGUE_LINES",
    "MAX_SHOTS",
    "OPTION_MAX_CHARS",
    "PROMPT_MAX_CHARS",
    "URL_MAX_CHARS",
]

IDEA_MAX_CHARS = 10_000
"""An idea to draft from (a draft must fit the provider's limit, so no longer idea can work)."""
PROMPT_MAX_CHARS = max(p.caps.prompt_max for p in PROVIDERS.values())
"""A finished prompt (to render or to lint): the longest any provider accepts."""
OPTION_MAX_CHARS = 1_000
"""One of the craft options (shot size, camera move, angle, light, style, mood, sound, template,
language)."""
LINE_MAX_CHARS = 1_000
"""One shot's description, or one line of dialogue."""
MAX_SHOTS = 20
"""Shots in one clip."""
MAX_DIALOGUE_LINES = 40
"""Lines of dialogue in one clip."""
URL_MAX_CHARS = MAX_URL_CHARS
"""An image URL: the length browsers and CDNs reliably handle (validation's own cap)."""
