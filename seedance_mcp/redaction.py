"""The one redactor: nothing the project shows, logs or stores carries an API key.

Two jobs, one marker (`REDACTED`):

- `redact` replaces values we know are secret (the configured keys, the MCP token) wherever
  they occur in a string, or in any string inside a decoded JSON answer, and so the forms a
  provider or a library may turn them into (`variants`): percent-encoded (`quote`,
  `quote_plus`, lower-case hex, twice), JSON-escaped (`\\u` escapes, `\\/`), a bytes repr, and base64
  (standard and URL-safe, at each of the three byte alignments a key can have inside a longer
  encoded text, such as a Basic auth header: a base64 form decodes straight back to the key).
  The HTTP layer runs what comes out of it through it (task ids, task states, and with `redact_error` every
  exception it raises) after provider code has parsed the raw answer, so a key that happens
  to occur in a field name cannot break parsing; the MCP server runs every tool result
  through it before it leaves. Secrets shorter than `MIN_SECRET_CHARS` are not searched for.
- `mask_credentials` masks a credential we do not know but can recognise, because a provider
  quoted it back in its own error text ("Bearer sk-...", "api_key=..."). It is applied to
  provider free text only, never to a user's prompt, where "bearer" is an ordinary word.

`install_log_redaction` makes the same replacement in every log record (message, arguments,
traceback), whichever logger made it: at `--log-level DEBUG` the HTTP library logs headers
that may echo a key.

The `Secret` type in `settings.py` is the other half: a key leaves it only through `reveal()`,
for the Authorization header.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from urllib.parse import quote, quote_plus

__all__ = [
    "MIN_SECRET_CHARS",
    "REDACTED",
    "install_log_redaction",
    "mask_credentials",
    "placeholder",
    "redact",
    "redact_error",
    "variants",
]

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


_MIN_BASE64_CHARS = 12
"""A base64 fragment shorter than this (a key under ~11 bytes) could occur by chance."""
_HEX = re.compile(r"%[0-9A-F]{2}")


def variants(secret: str) -> set[str]:
    """`secret` and the encoded forms of it that a provider or library may show instead."""
    forms = {secret}
    for encoded in (quote(secret, safe=""), quote(secret), quote_plus(secret, safe="")):
        forms |= {encoded, _HEX.sub(lambda m: m.group().lower(), encoded), quote(encoded, safe="")}
    for ascii_only in (True, False):
        escaped = json.dumps(secret, ensure_ascii=ascii_only)[1:-1]
        forms |= {escaped, escaped.replace("/", "\\/")}
    forms.add("".join(f"\\u{ord(ch):04x}" if ord(ch) > 0x7E else ch for ch in secret))
    raw = secret.encode()
    forms.add(repr(raw)[2:-1])  # as the HTTP library logs a header value (bytes, `\\xc3\\xa9`)
    for lead in range(3):
        # The key starting `lead` bytes into a longer text: only whole 3-byte groups of the
        # key encode the same whatever comes before or after, so those are what is searched.
        encoded = base64.b64encode(bytes(lead) + raw).decode()
        start, end = 4 * -(-lead // 3), 4 * ((lead + len(raw)) // 3)
        for fragment in (encoded[start:end], encoded[start:end].replace("+", "-").replace("/", "_")):
            if len(fragment) >= _MIN_BASE64_CHARS:
                forms.add(fragment)
    return {f for f in forms if len(f) >= MIN_SECRET_CHARS}


def _known(secrets: Iterable[str]) -> list[str]:
    return list(_known_of(tuple(sorted(set(secrets)))))


@functools.lru_cache(maxsize=32)
def _known_of(secrets: tuple[str, ...]) -> tuple[str, ...]:
    """Every form of each secret to replace, longest first; computed once per set of secrets
    (the log redactor asks for every record, and the encodings cost more than the lookup)."""
    found: set[str] = set()
    for secret in secrets:
        if len(secret) >= MIN_SECRET_CHARS:
            found |= variants(secret)
    return tuple(sorted(found, key=len, reverse=True))


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


class _LogRedactor:
    """Replaces secrets in a log record's message, arguments, traceback and stack text."""

    def __init__(self, secrets: Callable[[], Iterable[str]]) -> None:
        self._secrets = secrets

    def scrub(self, record: logging.LogRecord) -> None:
        known = _known(self._secrets())
        if not known:
            return
        try:
            message = record.getMessage()
        except Exception:
            record.msg = _replace(str(record.msg), known)
            if isinstance(record.args, tuple):
                record.args = tuple(_replace(str(a), known) for a in record.args)
            elif record.args:
                record.args = _replace(str(record.args), known)
        else:
            record.msg, record.args = _replace(message, known), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _replace(record.exc_text, known)
        if record.stack_info:
            record.stack_info = _replace(record.stack_info, known)


_install_lock = threading.Lock()


def install_log_redaction(secrets: Iterable[str] | Callable[[], Iterable[str]]) -> Callable[[], None]:
    """Redact `secrets` (a list, or a function giving the current ones) from every log record
    made from now on, by any logger in the process, before any handler or formatter sees it.

    Installed through the log record factory, so it covers loggers and handlers created later
    (the HTTP library's, a test's); calling it again replaces the previous installation.
    Returns a function that uninstalls it.
    """
    source: Callable[[], Iterable[str]]
    if callable(secrets):
        source = secrets
    else:
        fixed = list(secrets)
        source = lambda: fixed  # noqa: E731
    redactor = _LogRedactor(source)
    with _install_lock:
        previous = logging.getLogRecordFactory()
        base = getattr(previous, "_seedance_base", previous)

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = base(*args, **kwargs)
            redactor.scrub(record)
            return record

        factory._seedance_base = base  # type: ignore[attr-defined]
        logging.setLogRecordFactory(factory)

    def uninstall() -> None:
        with _install_lock:
            if logging.getLogRecordFactory() is factory:
                logging.setLogRecordFactory(base)

    return uninstall
