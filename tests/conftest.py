"""Suite-wide test machinery: the `--soak` option, the async backend, the secret scan and the
sandbox tests' fixtures.

`--soak` runs the tests marked `soak` (long reliability runs); without it they are skipped.
Tests that scale with it read the `soak` fixture.

The secret scan is the last line of defence for "no API key, in whole, ever leaves the
process". For the whole session it

- keeps every log record, from every logger, at DEBUG and above (a root handler; pytest's
  own log capture and `caplog` see only what they would have seen without it);
- keeps each test's captured stdout, stderr and log sections and its failure text;
- takes any extra text a test hands over through the `secret_scan` fixture (for example
  the output of a subprocess it ran);

and when the session ends it searches all of that, plus every SQLite file (`*.sqlite3`,
with its `-wal` and `-shm` companions) under the session's base temporary folder, for every
fake key the suite uses: each test module's module-level `KEY` string, and any string a test
registers with `secret_scan.register(...)`. A hit fails the run (exit status 1) and is
reported by where it was found, with the key itself blanked out.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from seedance_mcp.sandbox import Sandbox, SandboxConfig

SCAN_PLUGIN = "seedance-secret-scan"
MIN_KEY_LENGTH = 8
"""Shorter strings are too likely to occur by chance to be treated as keys."""
SCAN_LEVEL = logging.DEBUG - 1
"""The root logger's level during the session: every record of DEBUG and above is made. Being
one below DEBUG, it also tells the scan's own setting apart from a test's `caplog.set_level`."""


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--soak",
        action="store_true",
        default=False,
        help="run the long reliability tests marked `soak` (1,000 simulated jobs, 100 kill trials)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(SecretScan(config), SCAN_PLUGIN)
    # A developer's own keys and settings must not steer the tests (a real REPLICATE_API_TOKEN
    # or FAL_KEY in the shell would pick that provider): every variable the project reads goes.
    from seedance_mcp.settings import key_variable_names

    # SEEDANCE_TEST_* are the suite's own (where CI's Claude Code and wheelhouse are) and stay.
    ours = [n for n in os.environ if n.startswith("SEEDANCE_") and not n.startswith("SEEDANCE_TEST_")]
    for name in [*ours, *(n for n in os.environ if n in key_variable_names())]:
        os.environ.pop(name, None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    scan: SecretScan = config.pluginmanager.get_plugin(SCAN_PLUGIN)
    for item in items:
        module = getattr(item, "module", None)
        key = getattr(module, "KEY", None)
        if isinstance(key, str) and len(key) >= MIN_KEY_LENGTH and module is not None:
            scan.register(key, f"{module.__name__}.KEY")
    if config.getoption("--soak"):
        return
    skip = pytest.mark.skip(reason="soak test: run with --soak")
    for item in items:
        if item.get_closest_marker("soak") is not None:
            item.add_marker(skip)


@pytest.fixture
def anyio_backend() -> str:
    """Every async test runs on asyncio, the event loop the MCP SDK and uvicorn run on."""
    return "asyncio"


@pytest.fixture
def soak(request: pytest.FixtureRequest) -> bool:
    """True when the run was started with --soak (tests scale their sizes with it)."""
    return bool(request.config.getoption("--soak"))


class _KeepAll(logging.Handler):
    """Keeps every record it sees, formatted, labelled with the test that was running."""

    def __init__(self, scan: SecretScan) -> None:
        super().__init__(level=logging.DEBUG)
        self.scan = scan
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # a record that cannot be formatted is reported by logging itself
            self.handleError(record)
            return
        self.scan.keep(f"log record during {self.scan.current}", text)


class _AsWithoutScan(logging.Filter):
    """On pytest's own log handlers: passes only the records that would have been made had the
    scan not lowered the root level, so `caplog` and failure reports stay exactly as before."""

    def __init__(self, root_level: int) -> None:
        super().__init__()
        self.root_level = root_level

    def filter(self, record: logging.LogRecord) -> bool:
        logger = logging.getLogger() if record.name == "root" else logging.getLogger(record.name)
        level = logger.getEffectiveLevel()
        return record.levelno >= (self.root_level if level == SCAN_LEVEL else level)


class SecretScan:
    """Collects everything the session outputs, then looks for the suite's fake keys in it."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.keys: dict[str, str] = {}
        self.current = "collection"
        self.basetemp: Path | None = None
        self._texts: dict[str, list[str]] = {}
        self._lock = threading.Lock()
        self._handler = _KeepAll(self)
        self._old_level: int | None = None

    # -- what to look for, and where ---------------------------------------------------------

    def register(self, key: str, origin: str = "registered by a test") -> None:
        if len(key) < MIN_KEY_LENGTH:
            raise ValueError(
                f"secret_scan: a key must have at least {MIN_KEY_LENGTH} characters; got {len(key)}."
            )
        self.keys.setdefault(key, origin)

    def keep(self, where: str, text: str) -> None:
        with self._lock:
            self._texts.setdefault(where, []).append(text)

    # -- hooks ------------------------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        root = logging.getLogger()
        self._old_level = root.level
        root.addHandler(self._handler)
        root.setLevel(SCAN_LEVEL)
        as_before = _AsWithoutScan(self._old_level)
        pytest_logging = self.config.pluginmanager.get_plugin("logging-plugin")
        for name in ("caplog_handler", "report_handler", "log_cli_handler", "log_file_handler"):
            handler = getattr(pytest_logging, name, None)
            if isinstance(handler, logging.Handler):
                handler.addFilter(as_before)

    def pytest_runtest_logstart(self, nodeid: str, location: tuple[str, int | None, str]) -> None:
        self.current = nodeid
        root = logging.getLogger()
        if root.level != SCAN_LEVEL:  # a test changed it for good: keep seeing everything
            root.setLevel(SCAN_LEVEL)
        if self._handler not in root.handlers:
            root.addHandler(self._handler)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for title, content in report.sections:
            self.keep(f"{report.nodeid} [{title}, {report.when}]", content)
        if report.longrepr is not None:
            self.keep(f"{report.nodeid} [failure text, {report.when}]", report.longreprtext)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.longrepr is not None:
            self.keep(f"{report.nodeid or 'collection'} [collection error]", report.longreprtext)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        root = logging.getLogger()
        root.removeHandler(self._handler)
        if self._old_level is not None:
            root.setLevel(self._old_level)
        hits = self.hits()
        if not hits:
            return
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        lines = [f"{len(hits)} place(s) hold a fake API key the tests use:"] + [f"  {hit}" for hit in hits]
        if reporter is not None:
            reporter.write_sep("=", "SECRET SCAN: API KEY LEAKED", red=True, bold=True)
            for line in lines:
                reporter.write_line(line)
        else:  # pragma: no cover - the terminal reporter is always there in a normal run
            raise pytest.UsageError("\n".join(lines))

    # -- the scan ----------------------------------------------------------------------------

    def hits(self) -> list[str]:
        """Every place a registered key was found, with the key blanked out of the excerpt."""
        found: list[str] = []
        with self._lock:
            texts = {where: "\n".join(parts) for where, parts in self._texts.items()}
        for where, text in texts.items():
            for key, origin in self.keys.items():
                at = text.find(key)
                if at >= 0:
                    found.append(f"{where}: {origin} in ...{self._excerpt(text, at, key)}...")
        for path in self._sqlite_files():
            try:
                data = path.read_bytes()
            except OSError:
                continue
            for key, origin in self.keys.items():
                if key.encode() in data:
                    found.append(f"{path}: {origin} in the file's bytes")
        return found

    def _sqlite_files(self) -> Iterator[Path]:
        if self.basetemp is None or not self.basetemp.is_dir():
            return iter(())
        return (p for p in sorted(self.basetemp.rglob("*.sqlite3*")) if p.is_file())

    def _excerpt(self, text: str, at: int, key: str) -> str:
        """About 60 characters either side of the hit, with every key (even one cut off at
        the edge of the excerpt) blanked out."""
        margin = 60 + max(len(k) for k in self.keys)
        start = max(0, at - margin)
        window = text[start : at + len(key) + margin]
        marker = "\x00HIT\x00"
        window = window[: at - start] + marker + window[at - start + len(key) :]
        for other in self.keys:
            window = window.replace(other, "<key>")
        hit = window.index(marker)
        excerpt = window[max(0, hit - 60) : hit + len(marker) + 60]
        return excerpt.replace(marker, f"<{self.keys[key]}>").replace("\n", " ")


class SecretScanHandle:
    """What a test sees of the scan: register extra keys, hand over extra output."""

    def __init__(self, scan: SecretScan, nodeid: str) -> None:
        self._scan = scan
        self._nodeid = nodeid

    def register(self, key: str) -> str:
        self._scan.register(key, f"a key registered by {self._nodeid}")
        return key

    def add_output(self, label: str, text: str) -> None:
        self._scan.keep(f"{self._nodeid} [{label}]", text)


@pytest.fixture(scope="session", autouse=True)
def _secret_scan_basetemp(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> None:
    request.config.pluginmanager.get_plugin(SCAN_PLUGIN).basetemp = tmp_path_factory.getbasetemp()


@pytest.fixture
def secret_scan(request: pytest.FixtureRequest) -> SecretScanHandle:
    """Register a key the session scan must look for, or add text (e.g. a subprocess's output)."""
    return SecretScanHandle(request.config.pluginmanager.get_plugin(SCAN_PLUGIN), request.node.nodeid)


# ---- the sandbox tests' fixtures (test_sandbox.py, test_sandbox_ark.py) ----------------------


@pytest.fixture
def sandbox() -> Iterator[Callable[..., Sandbox]]:
    """A factory of simulators (`speed` 0 unless given), each stopped after the test."""
    started: list[Sandbox] = []

    def make(**config: Any) -> Sandbox:
        config.setdefault("speed", 0.0)
        sb = Sandbox(SandboxConfig(**config)).start()
        started.append(sb)
        return sb

    yield make
    for sb in started:
        sb.stop()


@pytest.fixture(scope="module")
def shared() -> Iterator[Sandbox]:
    """One default sandbox for the tests that only look at their own requests."""
    with Sandbox(SandboxConfig(speed=0.0)) as sb:
        yield sb


@pytest.fixture
def client(request: pytest.FixtureRequest) -> Iterator[httpx2.Client]:
    """A client sending the test module's `AUTH` headers."""
    with httpx2.Client(headers=request.module.AUTH, timeout=10.0) as c:
        yield c
