"""The one redactor: nothing the project shows, logs or stores carries an API key.

Two jobs, one marker (`REDACTED`):

- `redact` replaces values we know are secret (the configured keys, the MCP token) wherever
  they occur in a string, or in any string inside a decoded JSON answer. The HTTP layer runs
  what comes out of it through it (task ids, task states, and with `redact_error` every
  exception it raises) after provider code has parsed the raw answer, so a key that happens
  to occur in a field name cannot break parsing; the MCP server runs every tool result
  through it before it leaves. Secrets shorter than `MIN_SECRET_CHARS` are not searched for.
- `mask_credentials` masks a credential we do not know but can recognise, because a provider
  quoted it back in its own error text ("Bearer sk-...", "api_key=..."). It is applied to
  provider free text only, never to a user's prompt, where "bearer" is an ordinary word.

The `Secret` type in `settings.py` is the other half: a key leaves it only through `reveal()`,
for the Authorization header.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypeVar

__all__ = ["MIN_SECRET_CHARS", "REDACTED", "mask_credentials", "placeholder", "redact", "redact_error"]

REDACTED = "<redacted>"
"""What stands where a secret was."""
MIN_SECRET_CHARS = 4
"""Shorter values are not searched for: replacing "a" everywhere would garble every answer
while protecting nothing a guess would not find."""
E = TypeVar("E", bound=BaseException)

T = TypeVar("T")

# The value after "Bearer", "Authorization:" or "api_key=", up to a delimiter. A value that is
# already a marker ("<redacted...>") is left as it is.
_QUOTED = re.compile(
    r"(?i)(\bbearer\s+|\b(?:authorization|api[_\s-]?key)\s*[:=]\s*(?:bearer\s+)?)[^\s\"',;}<]+"
)


def placeholder(variable: str) -> str:
    """The marker for a secret that a request would carry, naming where it comes from."""
    return f"<redacted: {variable}>"


def redact(value: T, secrets: Iterable[str]) -> T:
    """`value` with every secret replaced by `REDACTED`, in every string it holds.

    Strings, and the keys and values of dicts and lists (as decoded from JSON), are searched;
    other values come back unchanged. Longer secrets are replaced first, so a secret that
    contains another is never left half-shown.
    """
    known = _known(secrets)
    if not known:
        return value
    return _replace(value, known)  # type: ignore[no-any-return]


def redact_error(err: E, secrets: Iterable[str]) -> E:
    """`err`, changed in place: every secret replaced in its arguments and in every string
    attribute (message, provider code, ...), and likewise in the exceptions it was raised from."""
    known = _known(secrets)
    pending: list[BaseException] = [err] if known else []
    seen: set[int] = set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        _scrub(current, known)
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
    return err


def _scrub(err: BaseException, known: list[str]) -> None:
    err.args = tuple(_replace(a, known) for a in err.args)
    for name, attr in list(vars(err).items()):
        if isinstance(attr, str | dict | list):
            try:
                setattr(err, name, _replace(attr, known))
            except AttributeError:  # a read-only attribute: nothing of ours stored it
                continue


def _known(secrets: Iterable[str]) -> list[str]:
    return sorted({s for s in secrets if len(s) >= MIN_SECRET_CHARS}, key=len, reverse=True)


def _replace(value: Any, known: list[str]) -> Any:
    if isinstance(value, str):
        for secret in known:
            value = value.replace(secret, REDACTED)
        return value
    if isinstance(value, dict):
        return {_replace(k, known): _replace(v, known) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, known) for v in value]
    return value


def mask_credentials(text: str) -> str:
    """Provider text with any bearer token or key value it quotes replaced by `REDACTED`."""
    return _QUOTED.sub(lambda m: m.group(1) + REDACTED, text)
