"""A key is scrubbed in the forms a provider or library turns it into, and from every log
record, the HTTP library's DEBUG lines included (issue 11, finding 7)."""

from __future__ import annotations

import base64
import json
import logging
import re
import socket
import threading
from collections.abc import Iterator
from urllib.parse import quote, quote_plus

import httpx2
import pytest

from seedance_mcp.redaction import REDACTED, install_log_redaction, redact, redact_error, variants

KEY = "sk-variant/FAKE+key=93c1d0a7\u00e9"  # characters every encoding changes
ENCODED = {
    "percent": quote(KEY, safe=""),
    "percent, '/' kept": quote(KEY),
    "form": quote_plus(KEY, safe=""),
    "lower-case hex": re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), quote(KEY, safe="")),
    "bytes repr": repr(KEY.encode())[2:-1],
    "twice": quote(quote(KEY, safe=""), safe=""),
    "json": json.dumps(KEY)[1:-1],
    "json, ensure_ascii=False": json.dumps(KEY, ensure_ascii=False)[1:-1].replace("/", "\\/"),
    "base64": base64.b64encode(KEY.encode()).decode(),
    "base64 url-safe": base64.urlsafe_b64encode(KEY.encode()).decode(),
}


@pytest.mark.parametrize("form", list(ENCODED), ids=list(ENCODED))
def test_an_encoded_key_is_redacted(form: str) -> None:
    encoded = ENCODED[form]
    assert encoded != KEY or form == "json, ensure_ascii=False"
    text = f'{{"echo": "{encoded}", "task_id": "t-1"}}'
    scrubbed = redact(text, [KEY])
    assert encoded not in scrubbed and REDACTED in scrubbed
    assert '"task_id": "t-1"' in scrubbed


@pytest.mark.parametrize("prefix", ["", "u:", "us:", "user:"])
def test_a_key_inside_a_basic_auth_header_is_redacted_at_any_alignment(prefix: str) -> None:
    header = "Basic " + base64.b64encode(f"{prefix}{KEY}".encode()).decode()
    scrubbed = redact(f"upstream said: Authorization: {header}", [KEY])
    assert REDACTED in scrubbed
    before, _, after = scrubbed.removeprefix("upstream said: Authorization: Basic ").partition(REDACTED)
    # Visible: the prefix's own groups plus at most one partial group at either end of the key.
    assert len(before) <= 4 * (len(prefix) // 3 + 1) and len(after) <= 4


def test_redact_error_scrubs_the_percent_encoded_key() -> None:
    err = redact_error(RuntimeError(f"GET /v1?api_key={quote(KEY, safe='')} failed"), [KEY])
    assert quote(KEY, safe="") not in str(err) and REDACTED in str(err)


def test_short_base64_fragments_are_not_searched_for() -> None:
    assert all(len(v) >= 4 for v in variants("abcd"))
    assert redact("YWJjZA== is harmless here", ["abcd"]) == "YWJjZA== is harmless here"


@pytest.fixture
def log_redaction() -> Iterator[None]:
    uninstall = install_log_redaction([KEY])
    yield
    uninstall()


def test_every_log_record_is_redacted_message_args_and_traceback(
    log_redaction: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    log = logging.getLogger("httpcore2.http11")
    log.debug("receive_response_headers.complete return_value=%r", (200, [(b"X-Echo", KEY.encode())]))
    log.info("url %s", f"https://api.example/v1?key={quote_plus(KEY)}")
    try:
        raise ValueError(f"bad key {KEY}")
    except ValueError:
        logging.getLogger("seedance_mcp.any").exception("failed")
    text = "\n".join(caplog.text.splitlines()) + "".join(r.getMessage() for r in caplog.records)
    assert KEY not in text and quote_plus(KEY) not in text
    assert text.count(REDACTED) >= 3
    assert "bad key" in caplog.text  # the traceback is kept, the key in it is not


def test_uninstall_restores_the_record_factory() -> None:
    before = logging.getLogRecordFactory()
    first = install_log_redaction([KEY])
    second = install_log_redaction(lambda: [KEY])  # replaces, does not stack
    second()
    assert logging.getLogRecordFactory() is before
    first()
    assert logging.getLogRecordFactory() is before


def _echo_server() -> tuple[socket.socket, threading.Thread]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)

    def serve() -> None:
        conn, _ = sock.accept()
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(4096)
            echoed = quote(KEY, safe="").encode()
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nX-Api-Key: "
                + KEY.encode("utf-8")
                + b"\r\nX-Echo: "
                + echoed
                + b"\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
            )

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return sock, thread


def test_the_http_librarys_debug_logs_never_show_the_key(
    log_redaction: None, caplog: pytest.LogCaptureFixture
) -> None:
    # What `--log-level DEBUG` shows: httpcore2 logs every response header, httpx2 the URL.
    caplog.set_level(logging.DEBUG)
    sock, thread = _echo_server()
    try:
        port = sock.getsockname()[1]
        with httpx2.Client() as client:
            response = client.get(f"http://127.0.0.1:{port}/v1/task?api_key={quote(KEY, safe='')}")
        assert response.status_code == 200
    finally:
        thread.join(timeout=5)
        sock.close()
    assert any(r.name.startswith("httpcore2") for r in caplog.records), "the library logged nothing"
    text = caplog.text
    for shown in (KEY, quote(KEY, safe=""), repr(KEY.encode())[2:-1]):
        assert shown not in text
    assert REDACTED in text
