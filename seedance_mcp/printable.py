"""Text made safe to show: control characters a provider (or anyone) put in a task id, an error
message or a URL are shown escaped (`\\x1b`), so they cannot move a terminal's cursor, recolour
it, ring its bell or rewrite what was printed before.

`printable` is for text lines (the CLI's output, the MCP server's text content and progress
messages); `printable_json` is for serialized JSON, which must stay valid JSON. Structured data
itself is left as it is: it is data, and JSON escapes it where it is written out.
"""

from __future__ import annotations

import re

__all__ = ["printable", "printable_json"]

_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""C0 controls but tab (0x09) and newline (0x0a), DEL, and the C1 controls (0x80-0x9f)."""
_JSON_RAW = re.compile("[\x7f-\x9f]")
"""What a JSON serializer leaves raw (`ensure_ascii=False`) that a terminal still obeys."""


def printable(text: str) -> str:
    """`text` with every control character but newline and tab shown as `\\xNN`."""
    return _CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def printable_json(text: str) -> str:
    """Serialized JSON with DEL and the C1 controls written as `\\u00NN` escapes (still valid
    JSON, the same data); C0 controls are escaped by every JSON serializer already."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
